#include "ui/report/reporthtml.h"

#include "core/triage/suppression.h"
#include "ui/displayformat.h"

#include <QCoreApplication>

namespace webthreat::reporthtml {

QString tr(const char* text)
{
    return QCoreApplication::translate("webthreat::Report", text);
}

QString esc(const QString& text)
{
    return text.toHtmlEscaped();
}

QString esc(std::string_view text)
{
    return fromUtf8View(text).toHtmlEscaped();
}

namespace {

// Sizes in points, so the PDF reads like the page. QTextDocument reads the same subset: type and
// class selectors, borders, padding, font sizes.
const char* const kStyle = R"(
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 9pt; color: #1a1a1a; }
h1 { font-size: 17pt; margin-bottom: 2pt; }
h2 { font-size: 13pt; margin-top: 14pt; margin-bottom: 4pt; color: #1f3a5f; }
h3 { font-size: 10.5pt; margin-top: 8pt; margin-bottom: 2pt; }
p.sub { color: #555555; margin-top: 0; }
table { border-collapse: collapse; margin-top: 2pt; margin-bottom: 6pt; }
th { background-color: #e4e9f0; text-align: left; font-weight: bold; }
th, td { border: 1px solid #b8bec8; padding: 2px 4px; font-size: 8pt; vertical-align: top; }
td.n { text-align: right; }
td.k { font-weight: bold; background-color: #f3f5f8; width: 22%; }
td.why { color: #3a3a3a; font-size: 7.5pt; border-top: 0; }
.mono { font-family: "DejaVu Sans Mono", monospace; }
.nowrap { white-space: nowrap; }
h2.newpage { page-break-before: always; }
.headline { font-size: 11pt; }
.suspicious { color: #b00020; font-weight: bold; }
.malicious { color: #b00020; font-weight: bold; }
.benign { color: #2e7d32; font-weight: bold; }
.review { color: #8a5a00; font-weight: bold; }
.note { color: #555555; font-size: 8pt; }
)";

const char* const kScreenStyle = R"(
body { max-width: 58em; margin: 1.5em auto; padding: 0 1em; }
table { border-collapse: collapse; }
)";

QString keyValueRow(const QString& key, const QString& valueHtml)
{
    return QStringLiteral("<tr><td class='k'>%1</td><td>%2</td></tr>").arg(esc(key), valueHtml);
}

} // namespace

const char* styleSheet()
{
    return kStyle;
}

const char* screenStyleSheet()
{
    return kScreenStyle;
}

QString provenanceSection(const Provenance& p)
{
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Provenance"));
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'>");
    html += keyValueRow(tr("Input file"), esc(QString::fromStdString(p.input.name)));
    if (!p.input.path.empty())
        html += keyValueRow(
            tr("Path"), QStringLiteral("<span class='mono'>%1</span>").arg(esc(QString::fromStdString(p.input.path))));
    html += keyValueRow(
        tr("Size"),
        tr("%1 bytes (%2)").arg(formatCount(p.input.bytes), formatBytesText(static_cast<double>(p.input.bytes))));
    html += keyValueRow(
        tr("SHA-256"), QStringLiteral("<span class='mono'>%1</span>").arg(esc(QString::fromStdString(p.input.sha256))));
    if (!p.input.modified.empty())
        html += keyValueRow(tr("Modified"), esc(QString::fromStdString(p.input.modified)));
    html += keyValueRow(tr("Program"), esc(QString::fromStdString(p.program + " " + p.version)));
    html += keyValueRow(tr("Report created"), esc(QString::fromStdString(p.created)));
    html += keyValueRow(
        tr("Reproduce the scores"),
        QStringLiteral("<span class='mono'>%1</span>").arg(esc(QString::fromStdString(rerunCommand(p)))));
    return html + QStringLiteral("</table>");
}

QString provenanceScript(const Provenance& provenance)
{
    QString json = QString::fromStdString(provenanceJson(provenance));
    json.replace(QLatin1Char('<'), QStringLiteral("\\u003c"));
    return QStringLiteral("<script type='application/json' id='webthreat-provenance'>\n%1</script>\n").arg(json);
}

QString explanationSentence(const RowExplanation& explanation)
{
    QString sentence = QString::fromStdString(explanation.sentence).trimmed();
    if (!sentence.isEmpty() && !sentence.endsWith(QLatin1Char('.')))
        sentence += QLatin1Char('.');
    return sentence;
}

QStringList topFeatures(const RowExplanation& explanation, int count)
{
    QStringList credits;
    for (const FeatureExplanation& feature : explanation.features) {
        if (feature.credit <= 0.0 || credits.size() == count)
            break;
        credits << QStringLiteral("%1 %2").arg(fromUtf8View(featureInfo(feature.feature).name),
                                               formatPercent(feature.credit, 0));
    }
    return credits;
}

QString explanationHtml(const RowExplanation& explanation)
{
    const QStringList credits = topFeatures(explanation);
    return esc(explanationSentence(explanation))
        + (credits.isEmpty()
               ? QString()
               : QStringLiteral(" <i>%1 %2</i>").arg(tr("Top features:"), esc(credits.join(QStringLiteral(", ")))));
}

QString ruleCondition(const SuppressionRule& rule)
{
    return QString::fromStdString(rule.condition());
}

} // namespace webthreat::reporthtml

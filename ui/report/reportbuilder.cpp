#include "ui/report/reportbuilder.h"

#include "core/context/contextreport.h"

#include "core/util/errors.h"
#include "core/detect/explain.h"
#include "core/output/export.h"
#include "core/triage/suppression.h"
#include "core/io/timestamp.h"
#include "ui/charts/chartview.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/workbenchchart.h"
#include "ui/displayformat.h"
#include "ui/report/behavioursection.h"
#include "ui/report/casebuilder.h"
#include "ui/report/reporthtml.h"
#include "ui/report/triagereport.h"
#include "ui/reporttext.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QAbstractTextDocumentLayout>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextLayout>
#include <QUrl>

#include <memory>

// Qt's own, which QTextDocument::print() uses for its margins (exported by QtGui).
Q_GUI_EXPORT int qt_defaultDpiX();
Q_GUI_EXPORT int qt_defaultDpiY();

namespace webthreat {

namespace {

using reporthtml::esc;
using reporthtml::tr;

QString number(std::size_t value)
{
    return formatCount(static_cast<std::uint64_t>(value));
}

QString findingsTable(const QString& title, const QString& valueHeader, const std::vector<FindingEntry>& entries)
{
    QString html = QStringLiteral("<h3>%1</h3>").arg(esc(title));
    if (entries.empty())
        return html + QStringLiteral("<p class='note'>%1</p>").arg(tr("none"));
    html += QStringLiteral(
                "<table border='1' cellspacing='0' cellpadding='2' width='100%'><thead><tr><th>%1</th><th>%2</th>"
                "<th>%3</th><th>%4</th><th>%5</th><th>%6</th></tr></thead>")
                .arg(esc(valueHeader), tr("Suspicious rows"), tr("Share of suspicious"), tr("Rows in all"),
                     tr("Bytes in (suspicious)"), tr("Bytes out (suspicious)"));
    for (const FindingEntry& entry : entries) {
        html += QStringLiteral(
                    "<tr><td class='mono'>%1</td><td class='n'>%2</td><td class='n'>%3</td><td class='n'>%4</td>"
                    "<td class='n'>%5</td><td class='n'>%6</td></tr>")
                    .arg(esc(entry.value), number(entry.count), formatPercent(entry.share), number(entry.totalRows),
                         formatBytesText(static_cast<double>(entry.bytesIn)),
                         formatBytesText(static_cast<double>(entry.bytesOut)));
    }
    return html + QStringLiteral("</table>");
}

QString keyValueRow(const QString& key, const QString& valueHtml)
{
    return QStringLiteral("<tr><td class='k'>%1</td><td>%2</td></tr>").arg(esc(key), valueHtml);
}

QString detectorSection(const Provenance& p)
{
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Detector settings"));
    if (!p.hasDetector)
        return html + QStringLiteral("<p>%1</p>").arg(tr("The detector did not run on this data."));
    QStringList features;
    for (const std::string& name : p.features)
        features << esc(QString::fromStdString(name));
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'>");
    html += keyValueRow(tr("Algorithm"), tr("Isolation Forest (scikit-learn semantics)"));
    if (!p.model.empty())
        html += keyValueRow(tr("Saved model"),
                            tr("%1, trained on %2 (SHA-256 %3); not refitted")
                                .arg(esc(QString::fromStdString(p.model)), esc(QString::fromStdString(p.modelTrainedOn)),
                                     esc(QString::fromStdString(p.modelTrainingSha256.substr(0, 16))) + QStringLiteral("\u2026")));
    html += keyValueRow(tr("Features"), features.join(QStringLiteral(", ")));
    html += keyValueRow(tr("Input scaling"), esc(inputScalingDescription(p.scaling)));
    html += keyValueRow(tr("Trees"), QString::number(p.trees));
    html += keyValueRow(tr("Samples per tree"),
                        p.maxSamplesRequested ? QString::number(p.maxSamples)
                                              : tr("%1 (automatic: min(256, rows))").arg(p.maxSamples));
    html += keyValueRow(tr("Seed"), QString::number(p.seed));
    html += keyValueRow(tr("Contamination"), esc(formatContamination(p.contamination)));
    html += keyValueRow(
        tr("Threshold"),
        tr("%1 (rows scoring below it are Suspicious)").arg(esc(QString::fromStdString(formatNumber(p.threshold)))));
    return html + QStringLiteral("</table>");
}

QString cell(const TrafficTable& table, Field field, std::size_t row)
{
    const Column& column = table.column(field);
    if (column.isMissing(row))
        return QString();
    return esc(QString::fromStdString(table.cellText(static_cast<std::size_t>(field), row)));
}

QString suspiciousSection(const ReportInput& input, const Progress& progress)
{
    const AnalysisSnapshot& snapshot = input.snapshot;
    const Findings& findings = *snapshot.findings;
    const PreparedData& data = *snapshot.data;
    const TrafficTable& table = data.table;
    const std::size_t shown = std::min(input.maxRows, findings.suspiciousRows.size());
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Suspicious rows"));
    if (shown == 0)
        return html + QStringLiteral("<p>%1</p>").arg(tr("No row scored below the threshold."));
    html
        += QStringLiteral("<p>%1</p>")
               .arg(shown < findings.suspiciousRows.size()
                        ? tr("The %1 most anomalous of %2 suspicious rows, most anomalous first. The scored CSV export "
                             "lists them all.")
                              .arg(number(shown), number(findings.suspiciousRows.size()))
                        : tr("All %1 suspicious rows, most anomalous first.").arg(number(shown)));
    // Fixed shares of the page, so that an IPv4 address stays on one line on A4 and a long
    // protocol name cannot squeeze the numbers.
    // <thead>: the header row repeats on every page the table spans.
    // When each session started (#18): the analyst's first question about a suspicious row.
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'><thead><tr>"
                           "<th width='4%' class='nowrap'>#</th><th width='7%' class='nowrap'>%1</th>"
                           "<th width='7%' class='nowrap'>%2</th><th width='14%' class='nowrap'>%3</th>"
                           "<th width='16%' class='nowrap'>%4</th><th width='7%' class='nowrap'>%5</th>"
                           "<th width='9%' class='nowrap'>%6</th><th width='6%' class='nowrap'>%7</th>"
                           "<th width='10%' class='nowrap'>%8</th><th width='10%' class='nowrap'>%9</th>"
                           "<th width='10%' class='nowrap'>%10</th></tr></thead>")
                .arg(tr("Line"), tr("Score"), tr("Started (UTC)"), tr("Source IP"), tr("Country"), tr("Protocol"),
                     tr("Port"), tr("Bytes in"), tr("Bytes out"))
                .arg(tr("Duration"));
    std::unique_ptr<Explainer> explainer;
    if (snapshot.detection->forest)
        explainer = std::make_unique<Explainer>(snapshot.data, snapshot.detection);
    const auto& scores = snapshot.detection->scores.scores();
    for (std::size_t i = 0; i < shown; ++i) {
        // Explaining a row of a large file takes a pass over each feature: poll cancel per row.
        progress.check();
        progress.report("report", 0.8 * static_cast<double>(i) / static_cast<double>(shown));
        const std::size_t row = findings.suspiciousRows[i];
        const Column& started = table.column(Field::CreationTime);
        html += QStringLiteral("<tr><td class='n nowrap'>%1</td><td class='n nowrap'>%2</td><td class='n "
                               "nowrap'>%3</td><td class='nowrap'>%4</td>")
                    .arg(number(i + 1), QString::number(table.sourceLines[row]), QString::number(scores[row], 'f', 4),
                         started.isMissing(row) ? QString()
                                                : formatInstantShort(static_cast<double>(started.integers[row])
                                                                     / static_cast<double>(kMicrosPerSecond)));
        html += QStringLiteral("<td class='mono nowrap'>%4</td>"
                               "<td>%5</td><td>%6</td><td class='n nowrap'>%7</td><td class='n nowrap'>%8</td><td "
                               "class='n nowrap'>%9</td>")
                    .arg(esc(table.text(Field::SrcIp, row)), esc(table.text(Field::SrcIpCountryCode, row)),
                         esc(table.text(Field::Protocol, row)), cell(table, Field::DstPort, row),
                         table.column(Field::BytesIn).isMissing(row)
                             ? QString()
                             : formatBytesText(static_cast<double>(table.column(Field::BytesIn).integers[row])),
                         table.column(Field::BytesOut).isMissing(row)
                             ? QString()
                             : formatBytesText(static_cast<double>(table.column(Field::BytesOut).integers[row])));
        html += QStringLiteral("<td class='n nowrap'>%1</td></tr>")
                    .arg(formatDuration(data.features.sessionDuration[row]));
        if (explainer) {
            html += QStringLiteral("<tr><td></td><td class='why' colspan='10'>%1</td></tr>")
                        .arg(reporthtml::explanationHtml(explainer->explain(row)));
        }
    }
    return html + QStringLiteral("</table>");
}

// Beacon pairs and scanning sources: the input's, the detection's, or computed here.
QString behaviourSection(const ReportInput& input, const Progress& progress)
{
    const TrafficTable& table = input.snapshot.data->table;
    std::shared_ptr<const BehaviourResult> behaviour = input.behaviour;
    if (!behaviour && input.snapshot.detection)
        behaviour = input.snapshot.detection->behaviour;
    if (!behaviour && !input.provenance.streaming.empty()) {
        // The rows of a streamed file are a sample: beacons and scans drawn from them would be wrong.
        return QStringLiteral("<h2>%1</h2><p>%2</p>")
            .arg(tr("Behaviour over time"),
                 tr("Not computed in streaming mode: a pair's beacon score and a source's fan-out need all their "
                    "sessions at once, which a file read in chunks does not hold."));
    }
    if (!behaviour)
        behaviour = std::make_shared<const BehaviourResult>(analyzeBehaviour(table, {}, progress));
    return behaviourSectionHtml(*behaviour, table);
}

// "Who is on the other end" (issue 20): the suspicious rows by their source's autonomous system, with
// the location database's disagreements and flags; nothing without enrichment.
QString contextSection(const AnalysisSnapshot& snapshot)
{
    const Enrichment* enrichment = snapshot.data->features.enrichment.get();
    if (!enrichment || !snapshot.verdicts)
        return {};
    const ContextSummary summary = summarizeContext(snapshot.data->table, *enrichment, snapshot.verdicts.get());
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Who is on the other end"));
    html += QStringLiteral("<p>%1</p>")
                .arg(esc(tr("From the location database %1: %2 rows whose country differs from the file's (%3 "
                            "suspicious); %4 rows from an anonymous proxy, a satellite provider or a network on a "
                            "drop list (%5 suspicious).")
                             .arg(QString::fromStdString(summary.databasePath), number(summary.countryMismatchRows),
                                  number(summary.countryMismatchSuspicious), number(summary.flaggedRows),
                                  number(summary.flaggedSuspicious))));
    if (summary.topAs.empty())
        return html;
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='2' width='100%'><thead><tr><th>%1</th>"
                           "<th>%2</th><th>%3</th><th>%4</th><th>%5</th></tr></thead>")
                .arg(tr("Autonomous system"), tr("Organisation"), tr("Country"), tr("Suspicious rows"), tr("Sources"));
    for (const SuspiciousAs& as : summary.topAs)
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td class='n'>%4</td><td class='n'>%5</td></tr>")
                    .arg(as.asn ? QStringLiteral("AS%1").arg(as.asn) : tr("none known (private or unrouted)"),
                         esc(QString::fromStdString(as.organisation)), esc(QString::fromStdString(as.country)),
                         number(as.suspiciousRows), number(as.sources));
    return html + QStringLiteral("</table>");
}

// The page, with each chart's src from imageSource (a data: URI for the HTML file, a resource
// name for QTextDocument).
template <typename ImageSource>
QString buildHtml(const ReportInput& input, ImageSource imageSource, bool forBrowser, const Progress& progress)
{
    const Provenance& p = input.provenance;
    const AnalysisSnapshot& snapshot = input.snapshot;
    QString html = QStringLiteral("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n");
    html += QStringLiteral("<meta name='generator' content='%1'>\n")
                .arg(esc(QString::fromStdString(p.program + " " + p.version)));
    html += QStringLiteral("<title>%1</title>\n<style>%2%3</style>\n")
                .arg(esc(tr("Web traffic report: %1").arg(input.title)), QString::fromLatin1(reporthtml::styleSheet()),
                     forBrowser ? QString::fromLatin1(reporthtml::screenStyleSheet()) : QString());
    if (forBrowser) {
        // Machine-readable provenance. '<' is escaped so no value can close the element.
        html += reporthtml::provenanceScript(p);
    }
    html += QStringLiteral("</head><body>\n");
    html += QStringLiteral("<h1>%1</h1>\n").arg(esc(tr("Web traffic report: %1").arg(input.title)));
    html += QStringLiteral("<p class='sub'>%1</p>\n")
                .arg(esc(tr("Created %1 by %2 %3")
                             .arg(QString::fromStdString(p.created), QString::fromStdString(p.program),
                                  QString::fromStdString(p.version))));

    // Summary first: what the reader needs before any detail.
    html += QStringLiteral("<h2>%1</h2>").arg(tr("Summary"));
    if (snapshot.hasDetection() && snapshot.findings) {
        const Findings& findings = *snapshot.findings;
        html += QStringLiteral("<p class='headline'>%1</p>")
                    .arg(tr("<span class='suspicious'>%1 of %2 rows (%3) are Suspicious</span>: their anomaly score is "
                            "below %4 (contamination %5; the exact threshold is under Detector settings).")
                             .arg(number(findings.suspicious), number(findings.rows),
                                  formatPercent(findings.rows ? static_cast<double>(findings.suspicious)
                                                        / static_cast<double>(findings.rows)
                                                              : 0.0),
                                  QString::number(p.threshold, 'f', 4), esc(formatContamination(p.contamination))));
        const auto lead = [](const std::vector<FindingEntry>& entries) {
            return entries.empty() ? tr("none") : esc(entries.front().value);
        };
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Most frequent among the suspicious rows: source IP <span class='mono'>%1</span>, country "
                            "%2, "
                            "destination port %3, protocol %4.")
                             .arg(lead(findings.sourceIps), lead(findings.countries), lead(findings.destinationPorts),
                                  lead(findings.protocols)));
    } else {
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("%1 rows after cleaning; the detector did not run, so there are no scores.")
                             .arg(number(snapshot.data->table.rowCount())));
        if (!input.detectionProblem.isEmpty())
            html += QStringLiteral("<p>%1</p>").arg(esc(input.detectionProblem));
    }

    // A streamed file: what the counts are of, and what was drawn from the rows kept.
    for (std::size_t i = 0; i < p.streaming.size(); ++i)
        html += QStringLiteral("<p%1>%2</p>")
                    .arg(i == 0 ? QString() : QStringLiteral(" class='note'"), esc(QString::fromStdString(p.streaming[i])));

    html += reporthtml::provenanceSection(p);
    html += QStringLiteral("<h2>%1</h2>").arg(tr("Reading and cleaning"));
    html += cleaningReportHtml(*snapshot.data, QString(), true);
    html += detectorSection(p);
    if (input.snapshot.detection && input.snapshot.drift)
        html += modelDriftHtml(*input.snapshot.detection, *input.snapshot.drift, input.snapshot.thresholdFromModel,
                               true);

    if (snapshot.hasDetection() && snapshot.findings) {
        const Findings& findings = *snapshot.findings;
        html += QStringLiteral("<h2>%1</h2>").arg(tr("Findings"));
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("The values most frequent among the suspicious rows (top %1 each).")
                             .arg(std::max({findings.sourceIps.size(), findings.countries.size(),
                                            findings.destinationPorts.size(), findings.protocols.size()})));
        html += findingsTable(tr("Source IPs"), tr("Source IP"), findings.sourceIps);
        html += findingsTable(tr("Source countries"), tr("Country"), findings.countries);
        html += findingsTable(tr("Destination ports"), tr("Port"), findings.destinationPorts);
        html += findingsTable(tr("Protocols"), tr("Protocol"), findings.protocols);
        html += contextSection(snapshot);
        html += suspiciousSection(input, progress);
    }
    html += behaviourSection(input, progress);
    // The analyst's triage (#19): verdicts and notes, then the rules that hid rows.
    html += triageSectionHtml(snapshot, input.maxRows, progress);
    html += allowListSectionHtml(snapshot);
    html += threatListSectionHtml(snapshot);

    if (!input.charts.isEmpty()) {
        html += QStringLiteral("<h2 class='newpage'>%1</h2>").arg(tr("Charts"));
        // A chart with nothing to draw is named in a sentence, not drawn as an empty box.
        QStringList omitted;
        for (const ReportChart& chart : input.charts) {
            if (!chart.omitted.isEmpty())
                omitted << tr("%1 (%2)").arg(esc(chart.title), esc(chart.omitted.trimmed()));
        }
        if (!omitted.isEmpty())
            html += QStringLiteral("<p>%1 %2.</p>\n").arg(tr("Not drawn:"), omitted.join(QStringLiteral("; ")));
        for (const ReportChart& chart : input.charts) {
            if (!chart.omitted.isEmpty())
                continue;
            // The chart carries its own title; a heading of its own could be left alone at a page's foot.
            html += QStringLiteral("<p><img src='%2' width='%3' height='%4' alt='%1'></p>\n")
                        .arg(esc(chart.title), imageSource(chart))
                        .arg(kReportChartSize.width())
                        .arg(kReportChartSize.height());
        }
    }

    html += QStringLiteral("</body></html>\n");
    return html;
}

QByteArray encodePng(const ReportChart& chart, const Provenance& provenance)
{
    QImage image = chart.image;
    for (const auto& [key, value] : provenancePngText(provenance))
        image.setText(key, value);
    image.setText(QStringLiteral("Title"), chart.title);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString resourceName(const ReportChart& chart)
{
    return QStringLiteral("chart-%1.png").arg(chart.name);
}

void requireData(const ReportInput& input, const QString& path)
{
    if (!input.snapshot.hasData())
        throw OutputError(QDir::toNativeSeparators(path).toStdString() + ": there is no data to report on yet");
}

[[noreturn]] void failWrite(const QString& path, const QString& reason)
{
    throw OutputError(
        QStringLiteral("Could not write the report %1: %2").arg(QDir::toNativeSeparators(path), reason).toStdString());
}

void openSaveFile(QSaveFile& file, const QString& path)
{
    if (file.open(QIODevice::WriteOnly))
        return;
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        failWrite(path,
                  QStringLiteral("the folder %1 does not exist").arg(QDir::toNativeSeparators(info.absolutePath())));
    failWrite(path, file.errorString());
}

} // namespace

QList<ReportChart> renderReportCharts(const QList<ChartView*>& views, double scale)
{
    QList<ReportChart> charts;
    for (ChartView* view : views) {
        const auto* chart = qobject_cast<const WorkbenchChart*>(view->chart());
        QString message = chart ? chart->message() : QString();
        // The message ends as a sentence on screen; in the report's list it is a parenthesis.
        while (message.endsWith(u'.'))
            message.chop(1);
        if (!message.isEmpty())
            message[0] = message[0].toLower();
        if (!message.isEmpty())
            charts.append({view->fileStem(), view->title(), QImage(), message});
        else
            charts.append({view->fileStem(), view->title(), view->renderImage(kReportChartSize, scale), QString()});
    }
    return charts;
}

QList<ReportChart> renderReportCharts(const AnalysisSnapshot& snapshot, double scale)
{
    OverviewCharts overview;
    overview.setSnapshot(snapshot);
    AnomalyScatter scatter;
    scatter.setSnapshot(snapshot);
    QList<ChartView*> views = overview.chartViews();
    if (ChartView* view = scatter.chartView())
        views << view;
    return renderReportCharts(views, scale);
}

QList<QPair<QString, QString>> provenancePngText(const Provenance& p)
{
    QList<QPair<QString, QString>> text;
    text.append({QStringLiteral("Software"), QString::fromStdString(p.program + " " + p.version)});
    text.append({QStringLiteral("Source"),
                 QString::fromStdString(p.input.name + " (" + std::to_string(p.input.bytes) + " bytes, SHA-256 "
                                        + p.input.sha256 + ")")});
    text.append({QStringLiteral("Description"), QString::fromStdString(provenanceSummary(p))});
    text.append({QStringLiteral("Creation Time"), QString::fromStdString(p.created)});
    text.append({QStringLiteral("webthreat:provenance"), QString::fromStdString(provenanceJson(p))});
    return text;
}

QByteArray reportHtml(const ReportInput& input, const Progress& progress)
{
    if (!input.snapshot.hasData())
        return {};
    const QString html = buildHtml(
        input,
        [&](const ReportChart& chart) {
            return QStringLiteral("data:image/png;base64,")
                + QString::fromLatin1(encodePng(chart, input.provenance).toBase64());
        },
        true, progress);
    return html.toUtf8();
}

ReportFormat reportFormatForPath(const QString& path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0 ? ReportFormat::Pdf
                                                                                            : ReportFormat::Html;
}

void writeReportHtml(const ReportInput& input, const QString& path, const Progress& progress)
{
    requireData(input, path);
    const QByteArray html = reportHtml(input, progress);
    progress.check();
    QSaveFile file(path);
    openSaveFile(file, path);
    if (file.write(html) != html.size() || !file.commit())
        failWrite(path, file.errorString());
}

namespace {

// The report as a paged document (PDF, printer): charts as image resources.
void buildReportDocument(QTextDocument& document, const ReportInput& input, const Progress& progress)
{
    document.setDefaultStyleSheet(QString::fromLatin1(reporthtml::styleSheet()));
    for (const ReportChart& chart : input.charts) {
        if (chart.omitted.isEmpty())
            document.addResource(QTextDocument::ImageResource, QUrl(resourceName(chart)), chart.image);
    }
    document.setHtml(buildHtml(
        input, [](const ReportChart& chart) { return resourceName(chart); }, false, progress));
    progress.check();
    progress.report("report", 0.85);
}

// The first heading that QTextDocument::print() would leave at a page's foot, with fewer than three
// lines of what it heads below it on that page; an invalid block when there is none. Lays out a
// copy of document as print() does for a document without a page size (its clone on the device,
// 2 cm margins at the screen's resolution, the device's page as the page size).
QTextBlock firstLoneHeading(const QTextDocument& document, QPagedPaintDevice* device)
{
    std::unique_ptr<QTextDocument> copy(document.clone());
    QAbstractTextDocumentLayout* layout = copy->documentLayout();
    layout->setPaintDevice(device);
    const int horizontalMargin = int((2 / 2.54) * qt_defaultDpiX());
    const int verticalMargin = int((2 / 2.54) * qt_defaultDpiY());
    QTextFrameFormat frame = copy->rootFrame()->frameFormat();
    frame.setLeftMargin(horizontalMargin);
    frame.setRightMargin(horizontalMargin);
    frame.setTopMargin(verticalMargin);
    frame.setBottomMargin(verticalMargin);
    copy->rootFrame()->setFrameFormat(frame);
    copy->setPageSize(QSizeF(device->width(), device->height()));
    const qreal pageHeight = copy->pageSize().height();
    // Each page's text ends above its bottom margin, which the layout scales to the device.
    const qreal textEnd = pageHeight - verticalMargin * device->logicalDpiY() / qreal(qt_defaultDpiY());

    QTextBlock original = document.firstBlock();
    for (QTextBlock block = copy->firstBlock(); block.isValid() && original.isValid();
         block = block.next(), original = original.next()) {
        if (block.blockFormat().headingLevel() == 0 || !block.next().isValid())
            continue;
        const QRectF heading = layout->blockBoundingRect(block);
        const QTextLayout* lines = block.layout();
        const qreal line = lines && lines->lineCount() > 0 ? lines->lineAt(0).height() : heading.height();
        const qreal onPage = heading.top() - std::floor(heading.top() / pageHeight) * pageHeight;
        if (onPage + heading.height() + 3.0 * line > textEnd)
            return original;
    }
    return {};
}

// Moves every heading that would stand alone at a page's foot to the next page, one at a time (each
// move shifts what follows). A few at most in a real report; bounded all the same.
void keepHeadingsWithText(QTextDocument& document, QPagedPaintDevice* device)
{
    for (int moved = 0; moved < 32; ++moved) {
        const QTextBlock lone = firstLoneHeading(document, device);
        if (!lone.isValid())
            return;
        QTextCursor cursor(lone);
        QTextBlockFormat format = lone.blockFormat();
        format.setPageBreakPolicy(format.pageBreakPolicy() | QTextFormat::PageBreak_AlwaysBefore);
        cursor.setBlockFormat(format);
    }
}

} // namespace

void printReport(const ReportInput& input, QPagedPaintDevice* device, const Progress& progress)
{
    requireData(input, QStringLiteral("the printer"));
    QTextDocument document;
    buildReportDocument(document, input, progress);
    keepHeadingsWithText(document, device);
    document.print(device);
}

void writeReportPdf(const ReportInput& input, const QString& path, const Progress& progress)
{
    requireData(input, path);
    QTextDocument document;
    buildReportDocument(document, input, progress);

    QSaveFile file(path);
    openSaveFile(file, path);
    {
        QPdfWriter writer(&file);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
        writer.setResolution(300);
        writer.setTitle(tr("Web traffic report: %1").arg(input.title));
        writer.setCreator(QString::fromStdString(input.provenance.program + " " + input.provenance.version));
        // No page size on the document: print() then lays it out on the writer's pages with 2 cm
        // margins and numbers each page.
        keepHeadingsWithText(document, &writer);
        document.print(&writer);
    }
    if (file.error() != QFileDevice::NoError || !file.commit())
        failWrite(path, file.errorString());
}

void writeReport(const ReportInput& input, const QString& path, const Progress& progress)
{
    if (input.document == ReportInput::Document::Case)
        writeCase(input, path, progress);
    else if (reportFormatForPath(path) == ReportFormat::Pdf)
        writeReportPdf(input, path, progress);
    else
        writeReportHtml(input, path, progress);
    progress.report("report", 1.0);
}

} // namespace webthreat

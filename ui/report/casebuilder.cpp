#include "ui/report/casebuilder.h"

#include "core/detect/explain.h"
#include "core/detect/features.h"
#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"
#include "core/util/errors.h"
#include "ui/displayformat.h"
#include "ui/report/reporthtml.h"
#include "ui/report/triagereport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cmath>
#include <unordered_set>

namespace webthreat {

using reporthtml::esc;
using reporthtml::tr;

namespace {

QString number(std::size_t value)
{
    return formatCount(static_cast<std::uint64_t>(value));
}

QString originName(MarkOrigin origin)
{
    switch (origin) {
    case MarkOrigin::Row:
        return QStringLiteral("row");
    case MarkOrigin::Source:
        return QStringLiteral("source");
    case MarkOrigin::EarlierFile:
        return QStringLiteral("earlier_file");
    case MarkOrigin::None:
        break;
    }
    return QStringLiteral("none");
}

// "N rows marked Malicious (a by their own verdict, b through their source's) from S source addresses."
QString caseSummary(const AnalysisSnapshot& snapshot, const std::vector<std::size_t>& rows)
{
    const TableTriage& triage = *snapshot.triage;
    const TrafficTable& table = snapshot.data->table;
    std::size_t own = 0;
    std::unordered_set<std::uint32_t> sources;
    for (const std::size_t row : rows) {
        own += triage.origins[row] == MarkOrigin::Row;
        sources.insert(table.column(Field::SrcIp).text[row]);
    }
    return tr("%1 marked Malicious (%2 by their own verdict, %3 through their source's), from %4.")
        .arg(number(rows.size()) + (rows.size() == 1 ? tr(" row") : tr(" rows")), number(own),
             number(rows.size() - own),
             number(sources.size()) + (sources.size() == 1 ? tr(" source address") : tr(" source addresses")));
}

QJsonValue cellJson(const TrafficTable& table, std::size_t column, std::size_t row)
{
    const Column& cells = table.columns[column];
    if (cells.released || cells.isMissing(row))
        return QJsonValue::Null;
    switch (cells.kind) {
    case ColumnKind::Integer:
        return QJsonValue(static_cast<qint64>(cells.integers[row]));
    case ColumnKind::Real:
        return std::isfinite(cells.reals[row]) ? QJsonValue(cells.reals[row]) : QJsonValue::Null;
    case ColumnKind::Timestamp:
    case ColumnKind::Text:
        break;
    }
    return QString::fromStdString(table.cellText(column, row));
}

QJsonObject explanationJson(const RowExplanation& explanation)
{
    QJsonArray features;
    for (const FeatureExplanation& feature : explanation.features) {
        features.append(QJsonObject{{QStringLiteral("feature"), fromUtf8View(featureInfo(feature.feature).name)},
                                    {QStringLiteral("credit"), feature.credit},
                                    {QStringLiteral("value"), feature.value},
                                    {QStringLiteral("percentile"), feature.percentile}});
    }
    return QJsonObject{
        {QStringLiteral("sentence"), reporthtml::explanationSentence(explanation)},
        {QStringLiteral("top_features"), QJsonArray::fromStringList(reporthtml::topFeatures(explanation))},
        {QStringLiteral("path_length"), explanation.pathLength},
        {QStringLiteral("features"), features}};
}

QJsonObject rowJson(const AnalysisSnapshot& snapshot, std::size_t row, const RowExplanation* explanation)
{
    const TrafficTable& table = snapshot.data->table;
    const TableTriage& triage = *snapshot.triage;
    QJsonObject columns;
    for (std::size_t c = 0; c < table.columns.size(); ++c)
        columns.insert(QString::fromStdString(table.columns[c].name), cellJson(table, c, row));
    const std::string* note = triage.note(row);
    QJsonObject object{{QStringLiteral("line"), static_cast<qint64>(table.sourceLines[row])},
                       {QStringLiteral("columns"), columns},
                       {QStringLiteral("verdict"), fromUtf8View(markName(triage.mark(row)))},
                       {QStringLiteral("verdict_origin"), originName(triage.origins[row])},
                       {QStringLiteral("note"), note ? QString::fromStdString(*note) : QString()}};
    if (snapshot.hasDetection()) {
        object.insert(QStringLiteral("score"), snapshot.detection->scores.scores()[row]);
        object.insert(QStringLiteral("suspicious"), snapshot.verdicts->isSuspicious(row));
        const bool suppressed
            = snapshot.suppression && row < snapshot.suppression->rows.size() && snapshot.suppression->rows[row] != 0;
        object.insert(QStringLiteral("suppressed"), suppressed);
    }
    object.insert(QStringLiteral("explanation"),
                  explanation ? QJsonValue(explanationJson(*explanation)) : QJsonValue(QJsonValue::Null));
    return object;
}

QJsonArray sourcesJson(const TableTriage& triage)
{
    std::vector<const SourceMark*> marks;
    for (const auto& entry : triage.sources)
        marks.push_back(&entry.second);
    std::sort(marks.begin(), marks.end(), [](const SourceMark* a, const SourceMark* b) { return a->ip < b->ip; });
    QJsonArray sources;
    for (const SourceMark* mark : marks) {
        sources.append(QJsonObject{{QStringLiteral("ip"), QString::fromStdString(mark->ip)},
                                   {QStringLiteral("verdict"), fromUtf8View(markName(mark->mark))},
                                   {QStringLiteral("note"), QString::fromStdString(mark->note)},
                                   {QStringLiteral("file_sha256"), QString::fromStdString(mark->fileSha256)},
                                   {QStringLiteral("file_name"), QString::fromStdString(mark->fileName)},
                                   {QStringLiteral("this_file"), mark->fileSha256 == triage.fileSha256}});
    }
    return sources;
}

QJsonArray allowListJson(const AnalysisSnapshot& snapshot)
{
    QJsonArray rules;
    if (!snapshot.allowRules)
        return rules;
    const Suppression* suppression = snapshot.suppression.get();
    for (std::size_t i = 0; i < snapshot.allowRules->size(); ++i) {
        const SuppressionRule& rule = (*snapshot.allowRules)[i];
        const bool counted = suppression && i < suppression->rowsPerRule.size();
        rules.append(QJsonObject{
            {QStringLiteral("rule"), reporthtml::ruleCondition(rule)},
            {QStringLiteral("reason"), QString::fromStdString(rule.reason)},
            {QStringLiteral("enabled"), rule.enabled},
            {QStringLiteral("rows_matched"),
             counted ? QJsonValue(static_cast<qint64>(suppression->rowsPerRule[i])) : QJsonValue(QJsonValue::Null)}});
    }
    return rules;
}

void requireCase(const ReportInput& input, const QString& where)
{
    if (!input.snapshot.hasData())
        throw OutputError(where.toStdString() + ": there is no data to make a case of yet");
    if (caseRowCount(input.snapshot) == 0)
        throw OutputError(where.toStdString() + ": no row is marked Malicious, so there is no case to export");
}

} // namespace

std::size_t caseRowCount(const AnalysisSnapshot& snapshot)
{
    return snapshot.hasData() && snapshot.triage ? snapshot.triage->count(Mark::Malicious) : 0;
}

QByteArray caseHtml(const ReportInput& input, const Progress& progress)
{
    requireCase(input, tr("the case"));
    const AnalysisSnapshot& snapshot = input.snapshot;
    const Provenance& p = input.provenance;
    const QString title = tr("Case: %1").arg(input.title);
    QString html = QStringLiteral("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n");
    html += QStringLiteral("<meta name='generator' content='%1'>\n")
                .arg(esc(QString::fromStdString(p.program + " " + p.version)));
    html += QStringLiteral("<title>%1</title>\n<style>%2%3</style>\n")
                .arg(esc(title), QString::fromLatin1(reporthtml::styleSheet()),
                     QString::fromLatin1(reporthtml::screenStyleSheet()));
    html += reporthtml::provenanceScript(p);
    html += QStringLiteral("</head><body>\n<h1>%1</h1>\n").arg(esc(title));
    html += QStringLiteral("<p class='sub'>%1</p>\n")
                .arg(esc(tr("Created %1 by %2 %3")
                             .arg(QString::fromStdString(p.created), QString::fromStdString(p.program),
                                  QString::fromStdString(p.version))));
    const std::vector<std::size_t> rows = maliciousRows(*snapshot.triage);
    html += QStringLiteral("<h2>%1</h2>").arg(tr("Summary"));
    html += QStringLiteral("<p class='headline'>%1</p>").arg(esc(caseSummary(snapshot, rows)));
    if (snapshot.hasDetection())
        html += QStringLiteral("<p>%1</p>")
                    .arg(esc(tr("Scored at contamination %1 (threshold %2; rows scoring below it are Suspicious).")
                                 .arg(formatContamination(snapshot.verdicts->contamination),
                                      QString::number(snapshot.verdicts->threshold, 'f', 4))));
    const QString evaluation = triageEvaluationText(snapshot);
    if (!evaluation.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(evaluation));
    progress.report("report", 0.1);
    progress.check();
    html += QStringLiteral("<h2>%1</h2>").arg(tr("Rows marked Malicious"));
    html += markedRowsTableHtml(snapshot, rows, explainMarkedRows(snapshot, rows), true);
    progress.check();
    progress.report("report", 0.8);
    const QString sources = sourceVerdictsTableHtml(snapshot);
    if (!sources.isEmpty())
        html += QStringLiteral("<h2>%1</h2>").arg(tr("Source verdicts")) + sources;
    const QString allowList = allowListSectionHtml(snapshot, false);
    if (!allowList.isEmpty())
        html += QStringLiteral("<h2>%1</h2>").arg(tr("Allow-list")) + allowList;
    html += reporthtml::provenanceSection(p);
    html += QStringLiteral("</body></html>\n");
    return html.toUtf8();
}

QByteArray caseJson(const ReportInput& input, const Progress& progress)
{
    requireCase(input, tr("the case"));
    const AnalysisSnapshot& snapshot = input.snapshot;
    const std::vector<std::size_t> rows = maliciousRows(*snapshot.triage);
    progress.check();
    const auto explanations = explainMarkedRows(snapshot, rows);
    progress.check();
    progress.report("report", 0.8);
    QJsonArray rowArray;
    for (const std::size_t row : rows) {
        const auto found = explanations.find(row);
        rowArray.append(rowJson(snapshot, row, found == explanations.end() ? nullptr : &found->second));
    }
    QJsonObject root{{QStringLiteral("format"), QStringLiteral("webthreat-case")},
                     {QStringLiteral("version"), 1},
                     {QStringLiteral("title"), input.title},
                     {QStringLiteral("created"), QString::fromStdString(input.provenance.created)},
                     {QStringLiteral("summary"), caseSummary(snapshot, rows)},
                     {QStringLiteral("rows"), rowArray},
                     {QStringLiteral("sources"), sourcesJson(*snapshot.triage)},
                     {QStringLiteral("allow_list"), allowListJson(snapshot)},
                     {QStringLiteral("provenance"),
                      QJsonDocument::fromJson(QByteArray::fromStdString(provenanceJson(input.provenance))).object()}};
    if (snapshot.hasDetection()) {
        root.insert(QStringLiteral("contamination"),
                    QString::fromStdString(snapshot.verdicts->contamination.toString()));
        root.insert(QStringLiteral("threshold"), snapshot.verdicts->threshold);
        root.insert(QStringLiteral("suppressed"), static_cast<qint64>(snapshot.verdicts->suppressedCount));
        root.insert(QStringLiteral("evaluation"), triageEvaluationText(snapshot));
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

CaseFormat caseFormatForPath(const QString& path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0 ? CaseFormat::Json
                                                                                             : CaseFormat::Html;
}

void writeCase(const ReportInput& input, const QString& path, const Progress& progress)
{
    const QString shown = QDir::toNativeSeparators(path);
    requireCase(input, shown);
    const QByteArray bytes
        = caseFormatForPath(path) == CaseFormat::Json ? caseJson(input, progress) : caseHtml(input, progress);
    progress.check();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        const QFileInfo info(path);
        const QString reason = !info.absoluteDir().exists()
            ? QStringLiteral("the folder %1 does not exist").arg(QDir::toNativeSeparators(info.absolutePath()))
            : file.errorString();
        throw OutputError(QStringLiteral("Could not write the case %1: %2").arg(shown, reason).toStdString());
    }
    if (file.write(bytes) != bytes.size() || !file.commit())
        throw OutputError(
            QStringLiteral("Could not write the case %1: %2").arg(shown, file.errorString()).toStdString());
    progress.report("report", 1.0);
}

} // namespace webthreat

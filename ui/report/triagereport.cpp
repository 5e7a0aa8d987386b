#include "ui/report/triagereport.h"

#include "core/analysis/evaluation.h"
#include "core/detect/explain.h"
#include "core/io/timestamp.h"
#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"
#include "core/util/errors.h"
#include "ui/displayformat.h"
#include "ui/report/reporthtml.h"

#include <algorithm>

namespace webthreat {

using reporthtml::esc;
using reporthtml::tr;

namespace {

QString number(std::size_t value)
{
    return formatCount(static_cast<std::uint64_t>(value));
}

QString markClass(Mark mark)
{
    switch (mark) {
    case Mark::Malicious:
        return QStringLiteral("malicious");
    case Mark::Benign:
        return QStringLiteral("benign");
    case Mark::NeedsReview:
        return QStringLiteral("review");
    case Mark::None:
        break;
    }
    return {};
}

QString markCell(Mark mark, const QString& text)
{
    return QStringLiteral("<span class='%1'>%2</span>").arg(markClass(mark), esc(text));
}

// "1 row", "2 rows".
QString rowCount(std::size_t count, const QString& one, const QString& many)
{
    return number(count) + QLatin1Char(' ') + (count == 1 ? one : many);
}

const char* const kTable = "<table border='1' cellspacing='0' cellpadding='2' width='100%'>";

} // namespace

std::vector<std::size_t> markedRows(const TableTriage& triage)
{
    std::vector<std::size_t> rows;
    rows.reserve(triage.count(Mark::Malicious) + triage.count(Mark::NeedsReview) + triage.count(Mark::Benign));
    for (const Mark wanted : {Mark::Malicious, Mark::NeedsReview, Mark::Benign}) {
        if (triage.count(wanted) == 0)
            continue;
        for (std::size_t row = 0; row < triage.marks.size(); ++row) {
            if (triage.marks[row] == wanted)
                rows.push_back(row);
        }
    }
    return rows;
}

std::vector<std::size_t> maliciousRows(const TableTriage& triage)
{
    std::vector<std::size_t> rows;
    rows.reserve(triage.count(Mark::Malicious));
    for (std::size_t row = 0; row < triage.marks.size(); ++row) {
        if (triage.marks[row] == Mark::Malicious)
            rows.push_back(row);
    }
    return rows;
}

std::unordered_map<std::size_t, RowExplanation> explainMarkedRows(const AnalysisSnapshot& snapshot,
                                                                  const std::vector<std::size_t>& rows)
{
    std::unordered_map<std::size_t, RowExplanation> byRow;
    if (!snapshot.hasDetection() || !snapshot.detection->forest || rows.empty())
        return byRow;
    std::vector<RowExplanation> explanations = explainRows(*snapshot.data, *snapshot.detection, rows);
    for (std::size_t i = 0; i < rows.size(); ++i)
        byRow.emplace(rows[i], std::move(explanations[i]));
    return byRow;
}

QString triageEvaluationText(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.triage || !snapshot.hasDetection() || snapshot.triage->reviewed() == 0)
        return {};
    const TableTriage& triage = *snapshot.triage;
    const ScoreIndex& scores = snapshot.detection->scores;
    const std::vector<std::uint8_t>* suppressed
        = snapshot.suppression && !snapshot.showSuppressed ? &snapshot.suppression->rows : nullptr;
    const TriageCheck check = checkTriage(scores, *snapshot.verdicts, triage, suppressed);
    QString text;
    if (check.malicious > 0 && check.benign > 0 && triage.marks.size() == scores.size()) {
        const Evaluation evaluation = evaluateAgainstTriage(scores, triage);
        text = tr("Against your verdicts (%1 malicious, %2 benign rows): ROC area %3, average precision %4. ")
                   .arg(number(check.malicious), number(check.benign), QString::number(evaluation.rocAuc(), 'f', 3),
                        QString::number(evaluation.averagePrecision(), 'f', 3));
    }
    return text + QString::fromStdString(triageCheckSentence(check, snapshot.verdicts->contamination));
}

QString sessionText(const TrafficTable& table, std::size_t row)
{
    QStringList parts;
    const Column& started = table.column(Field::CreationTime);
    if (!started.isMissing(row))
        parts << formatInstantShort(static_cast<double>(started.integers[row]) / static_cast<double>(kMicrosPerSecond));
    QString to = fromUtf8View(table.text(Field::DstIp, row));
    if (!table.column(Field::DstPort).isMissing(row))
        to += QLatin1Char(':') + QString::number(table.column(Field::DstPort).integers[row]);
    const QString protocol = fromUtf8View(table.text(Field::Protocol, row));
    if (!to.isEmpty() || !protocol.isEmpty())
        parts << (tr("to %1").arg(to) + (protocol.isEmpty() ? QString() : QLatin1Char(' ') + protocol)).trimmed();
    const Column& in = table.column(Field::BytesIn);
    const Column& out = table.column(Field::BytesOut);
    if (!in.isMissing(row) && !out.isMissing(row))
        parts << tr("%1 in, %2 out")
                     .arg(formatBytesText(static_cast<double>(in.integers[row])),
                          formatBytesText(static_cast<double>(out.integers[row])));
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString markedRowsTableHtml(const AnalysisSnapshot& snapshot, const std::vector<std::size_t>& rows,
                            const std::unordered_map<std::size_t, RowExplanation>& explanations, bool withSession)
{
    const TrafficTable& table = snapshot.data->table;
    const TableTriage& triage = *snapshot.triage;
    const std::vector<double>* scores = snapshot.hasDetection() ? &snapshot.detection->scores.scores() : nullptr;
    QString html = QString::fromLatin1(kTable);
    // The verdict's origin ("Malicious (source, from an earlier file)") takes room; the note the rest.
    html += QStringLiteral("<thead><tr><th width='6%' class='nowrap'>%1</th><th width='8%' class='nowrap'>%2</th>"
                           "<th width='16%' class='nowrap'>%3</th><th width='30%' class='nowrap'>%4</th>"
                           "<th width='40%'>%5</th></tr></thead>")
                .arg(tr("Line"), tr("Score"), tr("Source IP"), tr("Verdict"), tr("Note"));
    for (const std::size_t row : rows) {
        const std::string* note = triage.note(row);
        html += QStringLiteral("<tr><td class='n nowrap'>%1</td><td class='n nowrap'>%2</td>"
                               "<td class='mono nowrap'>%3</td><td>%4</td><td>%5</td></tr>")
                    .arg(QString::number(table.sourceLines[row]),
                         scores ? QString::number((*scores)[row], 'f', 4) : QString(),
                         esc(table.text(Field::SrcIp, row)), markCell(triage.mark(row), markText(triage, row)),
                         note ? esc(*note) : QString());
        const auto explained = explanations.find(row);
        const QString session = withSession ? esc(sessionText(table, row)) : QString();
        const QString why
            = explained != explanations.end() ? reporthtml::explanationHtml(explained->second) : QString();
        if (!session.isEmpty() || !why.isEmpty())
            html += QStringLiteral("<tr><td></td><td class='why' colspan='4'>%1%2%3</td></tr>")
                        .arg(session, !session.isEmpty() && !why.isEmpty() ? QStringLiteral("<br>") : QString(), why);
    }
    return html + QStringLiteral("</table>");
}

QString sourceVerdictsTableHtml(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.triage || snapshot.triage->sources.empty())
        return {};
    const TableTriage& triage = *snapshot.triage;
    const TrafficTable& table = snapshot.data->table;
    std::unordered_map<std::uint32_t, std::size_t> rowsOf;
    for (const auto& [id, mark] : triage.sources)
        rowsOf.emplace(id, 0);
    for (const std::uint32_t id : table.column(Field::SrcIp).text) {
        const auto it = rowsOf.find(id);
        if (it != rowsOf.end())
            ++it->second;
    }
    std::vector<std::pair<std::uint32_t, const SourceMark*>> sources;
    for (const auto& [id, mark] : triage.sources)
        sources.emplace_back(id, &mark);
    std::sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) { return a.second->ip < b.second->ip; });
    QString html = QString::fromLatin1(kTable);
    html += QStringLiteral("<thead><tr><th width='20%'>%1</th><th width='14%'>%2</th><th width='10%'>%3</th>"
                           "<th width='36%'>%4</th><th width='20%'>%5</th></tr></thead>")
                .arg(tr("Source IP"), tr("Verdict"), tr("Rows here"), tr("Note"), tr("Set on"));
    for (const auto& [id, mark] : sources) {
        const bool here = mark->fileSha256 == triage.fileSha256;
        html += QStringLiteral("<tr><td class='mono nowrap'>%1</td><td>%2</td><td class='n'>%3</td><td>%4</td>"
                               "<td>%5</td></tr>")
                    .arg(esc(mark->ip), markCell(mark->mark, fromUtf8View(markLabel(mark->mark))), number(rowsOf[id]),
                         esc(mark->note),
                         here ? esc(tr("this file"))
                              : esc(tr("an earlier file: %1").arg(QString::fromStdString(mark->fileName))));
    }
    return html + QStringLiteral("</table>");
}

QString triageSectionHtml(const AnalysisSnapshot& snapshot, std::size_t maxRows, const Progress& progress)
{
    if (!snapshot.hasData() || !snapshot.triage || snapshot.triage->empty())
        return {};
    const TableTriage& triage = *snapshot.triage;
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Triage"));
    html += QStringLiteral("<p>%1</p>")
                .arg(esc(tr("Your verdicts on this file's rows: set on a row, or on its "
                            "source address (a row's own verdict wins).")));
    // Rows per verdict, and how many of them the detector flags now.
    std::size_t suspicious[4] = {0, 0, 0, 0};
    if (snapshot.hasDetection()) {
        for (std::size_t row = 0; row < triage.marks.size() && row < snapshot.verdicts->suspicious.size(); ++row)
            suspicious[static_cast<int>(triage.marks[row])] += snapshot.verdicts->isSuspicious(row);
    }
    html += QString::fromLatin1(kTable);
    html += QStringLiteral("<thead><tr><th>%1</th><th>%2</th><th>%3</th></tr></thead>")
                .arg(tr("Verdict"), tr("Rows"), tr("Suspicious at the threshold"));
    for (const Mark mark : {Mark::Malicious, Mark::NeedsReview, Mark::Benign, Mark::None}) {
        const QString label = mark == Mark::None ? tr("Not reviewed") : fromUtf8View(markLabel(mark));
        html += QStringLiteral("<tr><td>%1</td><td class='n'>%2</td><td class='n'>%3</td></tr>")
                    .arg(markCell(mark, label), number(triage.count(mark)),
                         snapshot.hasDetection() ? number(suspicious[static_cast<int>(mark)]) : QString());
    }
    html += QStringLiteral("</table>");
    const QString evaluation = triageEvaluationText(snapshot);
    if (!evaluation.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(esc(evaluation));

    std::vector<std::size_t> rows = markedRows(triage);
    const std::size_t all = rows.size();
    if (rows.size() > maxRows)
        rows.resize(maxRows);
    html += QStringLiteral("<h3>%1</h3>").arg(tr("Marked rows"));
    html += QStringLiteral("<p>%1</p>")
                .arg(rows.size() < all ? esc(tr("The first %1 of %2 marked rows: Malicious first, then Needs review, "
                                                "then Benign, in the file's order. File > Export Case lists every "
                                                "row marked Malicious.")
                                                 .arg(number(rows.size()), number(all)))
                                       : esc(tr("All %1 marked rows: Malicious first, then Needs review, then Benign, "
                                                "in the file's order.")
                                                 .arg(number(all))));
    progress.check();
    html += markedRowsTableHtml(snapshot, rows, explainMarkedRows(snapshot, rows));
    progress.check();
    const QString sources = sourceVerdictsTableHtml(snapshot);
    if (!sources.isEmpty())
        html += QStringLiteral("<h3>%1</h3>").arg(tr("Source verdicts")) + sources;
    return html;
}

QString allowListSectionHtml(const AnalysisSnapshot& snapshot, bool heading)
{
    // The window's snapshot carries the rules (with the disabled ones); the command line's only its
    // Suppression, which keeps the rules it matched.
    const std::vector<SuppressionRule>* allow = snapshot.allowRules ? snapshot.allowRules.get()
        : snapshot.suppression                                      ? &snapshot.suppression->rules
                                                                    : nullptr;
    if (!allow || allow->empty())
        return {};
    const std::vector<SuppressionRule>& rules = *allow;
    const Suppression* suppression = snapshot.suppression.get();
    QString html = heading ? QStringLiteral("<h2>%1</h2>").arg(tr("Suppressed by the allow-list")) : QString();
    if (snapshot.verdicts && !snapshot.showSuppressed)
        html += QStringLiteral("<p>%1</p>")
                    .arg(esc(tr("%1 suppressed: rows an enabled rule matches leave the suspicious list and the "
                                "findings (the rules match %2 in all).")
                                 .arg(rowCount(snapshot.verdicts->suppressedCount, tr("suspicious row"),
                                               tr("suspicious rows")),
                                      rowCount(suppression ? suppression->matchedRows : 0, tr("row"), tr("rows")))));
    else if (snapshot.showSuppressed)
        html += QStringLiteral("<p>%1</p>")
                    .arg(esc(tr("The views showed suppressed rows when this was written: the verdicts are the "
                                "detector's own; %1 rows match an enabled rule.")
                                 .arg(number(suppression ? suppression->matchedRows : 0))));
    html += QString::fromLatin1(kTable);
    html += QStringLiteral("<thead><tr><th width='4%'>#</th><th width='36%'>%1</th><th width='36%'>%2</th>"
                           "<th width='10%'>%3</th><th width='14%'>%4</th></tr></thead>")
                .arg(tr("Rule"), tr("Reason"), tr("Enabled"), tr("Rows matched"));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const SuppressionRule& rule = rules[i];
        const bool counted = suppression && i < suppression->rowsPerRule.size();
        html
            += QStringLiteral("<tr><td class='n'>%1</td><td class='mono'>%2</td><td>%3</td><td>%4</td>"
                              "<td class='n'>%5</td></tr>")
                   .arg(QString::number(i + 1), esc(reporthtml::ruleCondition(rule)), esc(rule.reason),
                        rule.enabled ? tr("yes") : tr("no"), counted ? number(suppression->rowsPerRule[i]) : QString());
    }
    return html + QStringLiteral("</table>");
}

QString threatListSectionHtml(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.threatMatches || !snapshot.threatMatches->index || !snapshot.threatFindings)
        return {};
    const ThreatFindings& findings = *snapshot.threatFindings;
    const auto& lists = snapshot.threatMatches->index->lists();
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("On threat lists"));
    html += QStringLiteral("<p>%1</p>")
                .arg(esc(tr("%1 and %2 in all have a source or destination address on a loaded list.")
                             .arg(rowCount(findings.suspiciousRows, tr("suspicious row"), tr("suspicious rows")),
                                  rowCount(findings.rows, tr("row"), tr("rows")))));
    html += QString::fromLatin1(kTable);
    html += QStringLiteral("<thead><tr><th width='18%'>%1</th><th width='12%'>%2</th><th width='12%'>%3</th>"
                           "<th width='12%'>%4</th><th width='46%'>%5</th></tr></thead>")
                .arg(tr("List"), tr("Entries"), tr("Rows"), tr("Sources"), tr("Among the suspicious rows"));
    for (std::size_t i = 0; i < findings.lists.size() && i < lists.size(); ++i) {
        const ThreatListCount& count = findings.lists[i];
        html += QStringLiteral("<tr><td class='mono'>%1</td><td class='n'>%2</td><td class='n'>%3</td>"
                               "<td class='n'>%4</td><td>%5</td></tr>")
                    .arg(esc(QString::fromStdString(count.name)), number(lists[i]->entries.size()),
                         number(count.rows), number(count.sources),
                         esc(tr("%1 from %2 on list '%3'")
                                 .arg(rowCount(count.suspiciousRows, tr("suspicious row"), tr("suspicious rows")),
                                      rowCount(count.suspiciousSources, tr("source"), tr("sources")),
                                      QString::fromStdString(count.name))));
    }
    return html + QStringLiteral("</table>");
}

} // namespace webthreat

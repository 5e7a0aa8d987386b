#pragma once

#include "core/util/progress.h"
#include "ui/analysissnapshot.h"
#include "ui/triagestyle.h" // markText

#include <QString>

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace webthreat {

struct RowExplanation;

// The analyst's triage in the report and the case document (issue #19): verdicts, notes, source
// verdicts, the allow-list and how the verdicts compare with the threshold. Every value from the
// file or the analyst is HTML-escaped.

// Rows with a mark, Malicious first, then Needs review, then Benign, each in the file's order.
std::vector<std::size_t> markedRows(const TableTriage& triage);
// The rows marked Malicious (by the row or its source), in the file's order.
std::vector<std::size_t> maliciousRows(const TableTriage& triage);
// The rows' explanations by table row (explainRows, on every core), empty without a forest.
std::unordered_map<std::size_t, RowExplanation> explainMarkedRows(const AnalysisSnapshot& snapshot,
                                                                  const std::vector<std::size_t>& rows);

// "At 5 % you would miss 2 rows you marked malicious; at 6.3 % none. ..." preceded, with at least a
// row of each, by "Against your verdicts (3 malicious, 2 benign rows): ROC area 0.778, average
// precision 0.806." Empty without scores or reviewed rows.
QString triageEvaluationText(const AnalysisSnapshot& snapshot);

// A table of rows (line, score, source IP, verdict, note) with each row's explanation under it;
// withSession: the session too ("2024-04-25 23:00 · to 10.1.1.2:4444 TCP · 900.0 MB in, 1 B out"),
// for a reader who has only this page.
QString markedRowsTableHtml(const AnalysisSnapshot& snapshot, const std::vector<std::size_t>& rows,
                            const std::unordered_map<std::size_t, RowExplanation>& explanations,
                            bool withSession = false);
// "2024-04-25 23:00 · to 10.1.1.2:4444 TCP · 900.0 MB in, 1 B out", missing parts left out.
QString sessionText(const TrafficTable& table, std::size_t row);
// The source verdicts present in the file: address, verdict, its rows here, note, where it was set.
// Empty without source verdicts.
QString sourceVerdictsTableHtml(const AnalysisSnapshot& snapshot);

// The report's "Triage" section: rows per verdict, the marked rows (the first maxRows), the source
// verdicts and triageEvaluationText. Empty without marks.
QString triageSectionHtml(const AnalysisSnapshot& snapshot, std::size_t maxRows, const Progress& progress = {});
// "Suppressed by the allow-list": each rule's condition, reason, whether enabled and the rows it
// matches, and the suspicious rows suppressed. Empty without rules.
QString allowListSectionHtml(const AnalysisSnapshot& snapshot, bool heading = true);
// "On threat lists": a row per list (entries, rows, sources, suspicious rows and sources) and the
// sentence "12 suspicious rows from 3 sources on list 'abuse-ip'"; empty without lists.
QString threatListSectionHtml(const AnalysisSnapshot& snapshot);

} // namespace webthreat

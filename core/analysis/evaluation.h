#pragma once

#include "core/detect/threshold.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

struct TableTriage;

// What a file says each row really was: 1 = an attack, 0 = normal traffic.
struct GroundTruth {
    std::string column; // the column it was read from
    std::vector<std::uint8_t> positive; // per row of the table
    std::size_t positives = 0;
    std::size_t negatives = 0;
};

// The outcome of looking for a ground-truth column: the truth, or why there is none.
struct TruthLookup {
    std::optional<GroundTruth> truth;
    std::string problem; // empty when truth is set; otherwise a sentence the analyst can act on
};

// Column names taken as ground truth without being asked, in this order (case-insensitive).
const std::vector<std::string_view>& truthColumnNames();
// The values a ground-truth cell may hold (case-insensitive, surrounding blanks ignored): 1/0,
// true/false, yes/no, attack/normal, suspicious/normal, malicious/benign. Anything else, or an
// empty cell, makes the column unusable.
std::optional<bool> parseTruthValue(std::string_view text);

// The file's extra columns (after the schema's), by name: where a ground truth can come from.
std::vector<std::string> extraColumnNames(const TrafficTable& table);

// The first column named as in truthColumnNames() among the table's extra columns. problem says
// why there is none, or why the one found is unusable (the line and value that does not parse,
// or a column with only one class). bothClasses = false: a part of the file (a streamed chunk),
// which may hold only one class; the caller checks the whole file's counts (groundTruthClassProblem).
TruthLookup findGroundTruth(const TrafficTable& table, bool bothClasses = true);
// The column the analyst named (exact name, or case-insensitive when that is unique); problem
// names the available columns when there is no such column.
TruthLookup readGroundTruth(const TrafficTable& table, std::string_view column, bool bothClasses = true);
// "column is_attack cannot be used as ground truth: every row is normal, ...", or "" when the
// counts have both classes.
std::string groundTruthClassProblem(const std::string& column, std::size_t positives, std::size_t negatives);

// The detector against a ground truth at one threshold: rows scoring below it are flagged.
struct OperatingPoint {
    double threshold = 0.0;
    std::size_t flagged = 0;
    std::size_t truePositives = 0;
    std::size_t falsePositives = 0;
    std::size_t falseNegatives = 0;
    std::size_t trueNegatives = 0;
    double precision = 0.0; // 0 when nothing is flagged
    double recall = 0.0;
    double f1 = 0.0;
    double falsePositiveRate = 0.0;
};

struct CurvePoint {
    double x = 0.0; // ROC: false-positive rate; PR: recall
    double y = 0.0; // ROC: true-positive rate; PR: precision
};

// The operating point at one contamination's threshold (evaluateContaminations).
struct ContaminationRow {
    double contamination = 0.0;
    OperatingPoint point;
};

struct EvaluationParams {
    // The curves keep a point only where it moved by at least this much from the last one kept
    // (the areas are always computed from every threshold), so a million rows draw as a few
    // thousand points.
    double curveResolution = 0.001;
    void validate() const; // Throws ParameterError
};

// How well the scores rank the attacks first, over every possible threshold. Lower scores are
// more anomalous, so "positive" means a low score. Rows with equal scores are one threshold step
// (scikit-learn's roc_auc_score and average_precision_score handle ties the same way).
class Evaluation {
public:
    Evaluation() = default;
    // Throws ParameterError when truth has a different number of rows than scores, or only one class.
    Evaluation(const ScoreIndex& scores, const GroundTruth& truth, const EvaluationParams& params = {});
    // The same from the rows fed in ranked order (ascending score, ties by row) by next(score,
    // positive), which returns false after the last: streaming mode's scores sorted on disk
    // (core/stream/streamevaluation.h). Equal to the constructor above on the same scores and truth.
    // Throws ParameterError when the rows fed are not `rows`, or the truth has only one class.
    using RankedFeed = std::function<bool(double& score, bool& positive)>;
    Evaluation(std::string column, std::size_t positives, std::size_t negatives, std::size_t rows,
               const RankedFeed& next, const EvaluationParams& params = {});

    // How the evaluation was computed, when not from the scores in memory: a sentence the text and
    // JSON show ("" in memory).
    const std::string& method() const noexcept { return m_method; }
    void setMethod(std::string method) { m_method = std::move(method); }
    // The operating points at the usual contaminations, when computed beside the evaluation
    // (streaming mode); evaluateContaminations returns them.
    const std::optional<std::vector<ContaminationRow>>& contaminationRows() const noexcept { return m_byContamination; }
    void setContaminationRows(std::vector<ContaminationRow> rows) { m_byContamination = std::move(rows); }

    const std::string& truthColumn() const noexcept { return m_column; }
    std::size_t positives() const noexcept { return m_positives; }
    std::size_t negatives() const noexcept { return m_negatives; }
    double rocAuc() const noexcept { return m_rocAuc; }
    double averagePrecision() const noexcept { return m_averagePrecision; }
    const std::vector<CurvePoint>& rocCurve() const noexcept { return m_roc; } // from (0,0) to (1,1)
    const std::vector<CurvePoint>& precisionRecallCurve() const noexcept { return m_pr; } // by rising recall

    // The counts when the `flagged` most anomalous rows are flagged: O(1).
    OperatingPoint at(std::size_t flagged, double threshold = 0.0) const;
    // At the threshold a Verdicts used (its suspicious count).
    OperatingPoint at(const Verdicts& verdicts) const { return at(verdicts.suspiciousCount, verdicts.threshold); }

private:
    std::string m_column;
    std::size_t m_positives = 0;
    std::size_t m_negatives = 0;
    double m_rocAuc = 0.0;
    double m_averagePrecision = 0.0;
    std::vector<CurvePoint> m_roc;
    std::vector<CurvePoint> m_pr;
    // Positives among the first k ranked rows, for any k in O(1) with 1 bit a row instead of a
    // prefix count a row: the truth in ranked order, 64 rows a word, and the count before each word.
    std::size_t positivesBefore(std::size_t k) const noexcept;
    void rank(const RankedFeed& next, const EvaluationParams& params);
    std::string m_method;
    std::optional<std::vector<ContaminationRow>> m_byContamination;
    std::size_t m_rows = 0;
    std::vector<std::uint64_t> m_rankedTruth;
    std::vector<std::uint32_t> m_positivesBeforeWord;
};

// The operating points at the contaminations an analyst usually tries (an evaluation's own when it
// carries them: a streamed one, whose scores are not kept).
std::vector<ContaminationRow> evaluateContaminations(const ScoreIndex& scores, const Evaluation& evaluation,
                                                     const std::vector<double>& contaminations
                                                     = {0.01, 0.02, 0.05, 0.10, 0.20});

// The evaluation as the command line prints it: areas, the operating point at the verdicts'
// threshold, and the table over contaminations. The same facts as JSON are analysisJson's
// "evaluation" member (core/output/export.h).
std::string evaluationText(const Evaluation& evaluation, const ScoreIndex& scores, const Verdicts& verdicts);

// The analyst's verdicts as the ground truth (issue #19): only reviewed rows count, Malicious as an
// attack and Benign as normal traffic; Needs review and unmarked rows are left out. The curves and
// areas are over the reviewed rows alone, ranked by their scores; truthColumn() is "your verdicts".
// Throws ParameterError naming what is missing when there is not at least one row of each.
inline constexpr std::string_view kVerdictsTruthName = "your verdicts";
Evaluation evaluateAgainstTriage(const ScoreIndex& scores, const TableTriage& triage,
                                 const EvaluationParams& params = {});
// The operating points of an evaluateAgainstTriage at the usual contaminations (thresholds over
// every row's scores; flagged counts the reviewed rows below them).
std::vector<ContaminationRow>
evaluateContaminations(const ScoreIndex& scores, const Evaluation& evaluation, const TableTriage& triage,
                       const std::vector<double>& contaminations = {0.01, 0.02, 0.05, 0.10, 0.20});

// Where the reviewed rows fall against one threshold: what the analyst asks after marking rows.
struct TriageCheck {
    std::size_t malicious = 0; // rows marked Malicious
    std::size_t benign = 0; // rows marked Benign
    std::size_t maliciousMissed = 0; // marked Malicious and not flagged (Normal in the verdicts)
    std::size_t maliciousSuppressed = 0; // of those, matched by an allow-list rule (never flagged while it holds)
    std::size_t benignFlagged = 0; // marked Benign and flagged (Suspicious in the verdicts)
    // Reviewed rows scoring below the threshold (suppressed or not): Evaluation::at's `flagged` for
    // an evaluateAgainstTriage, so the marker sits on its curves.
    std::size_t reviewedBelow = 0;
    // The smallest contamination (in steps of 0.01 %, at least 0.1 %, as the workbench's box takes
    // it) whose threshold flags every row marked Malicious that no allow-list rule suppresses;
    // nullopt when none up to 50 % does, or none is missed.
    std::optional<double> contaminationForAll;
};

// suppressed: per row, 1 = an allow-list rule hides it (Suppression::rows), or null when the
// verdicts are the detector's own. O(rows) over the marks, once more over the scores when a row
// marked Malicious is missed.
TriageCheck checkTriage(const ScoreIndex& scores, const Verdicts& verdicts, const TableTriage& triage,
                        const std::vector<std::uint8_t>* suppressed = nullptr);
// "At 5 % you would miss 2 rows you marked malicious; at 6.3 % none. 1 row you marked benign is
// flagged." or "At 5 % every row you marked malicious is flagged; 3 rows you marked benign are
// flagged too." Empty when no row is marked Malicious or Benign.
std::string triageCheckSentence(const TriageCheck& check, const Contamination& contamination);
// A share as a short percentage: 0.05 -> "5 %", 0.063 -> "6.3 %", 0.0634 -> "6.34 %".
std::string formatShortPercent(double share);

} // namespace webthreat

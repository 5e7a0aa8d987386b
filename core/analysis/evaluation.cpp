#include "core/analysis/evaluation.h"

#include "core/triage/tabletriage.h"

#include "core/util/errors.h"
#include "core/util/format.h"
#include "core/util/text.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace webthreat {

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

constexpr const char* kTruthValues = "1/0, true/false, yes/no, attack/normal, suspicious/normal or malicious/benign";

TruthLookup readColumn(const TrafficTable& table, std::size_t index, bool bothClasses)
{
    const Column& column = table.columns[index];
    TruthLookup lookup;
    GroundTruth truth;
    truth.column = column.name;
    truth.positive.resize(table.rowCount());
    std::unordered_map<std::uint32_t, int> parsed; // string id -> 0, 1, or -1 (not a truth value)
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        std::optional<bool> value;
        std::string shown;
        if (column.kind == ColumnKind::Text) {
            const std::uint32_t id = column.text[row];
            auto found = parsed.find(id);
            if (found == parsed.end()) {
                const auto parsedValue = parseTruthValue(table.strings->view(id));
                found = parsed.emplace(id, parsedValue ? static_cast<int>(*parsedValue) : -1).first;
            }
            if (found->second >= 0)
                value = found->second == 1;
            else
                shown = std::string(table.strings->view(id));
        } else if (column.kind == ColumnKind::Integer) {
            const std::int64_t number = column.integers[row];
            if (number == 0 || number == 1)
                value = number == 1;
            else if (number != kMissingInteger)
                shown = std::to_string(number);
        }
        if (!value) {
            lookup.problem = "column " + column.name + " cannot be used as ground truth: line "
                + std::to_string(table.sourceLines[row])
                + (shown.empty() ? std::string(" has no value") : " has '" + shown + "'") + "; it needs "
                + kTruthValues;
            return lookup;
        }
        truth.positive[row] = *value ? 1 : 0;
        truth.positives += *value;
    }
    truth.negatives = table.rowCount() - truth.positives;
    if (bothClasses) {
        lookup.problem = groundTruthClassProblem(column.name, truth.positives, truth.negatives);
        if (!lookup.problem.empty())
            return lookup;
    }
    lookup.truth = std::move(truth);
    return lookup;
}

} // namespace

std::string groundTruthClassProblem(const std::string& column, std::size_t positives, std::size_t negatives)
{
    if (positives > 0 && negatives > 0)
        return {};
    return "column " + column + " cannot be used as ground truth: every row is "
        + (positives == 0 ? "normal" : "an attack") + ", so there is nothing to tell apart";
}

const std::vector<std::string_view>& truthColumnNames()
{
    static const std::vector<std::string_view> names{"is_attack", "label", "is_suspicious"};
    return names;
}

std::optional<bool> parseTruthValue(std::string_view text)
{
    text = trim(text, kWhitespace);
    for (std::string_view yes : {"1", "true", "yes", "attack", "suspicious", "malicious"}) {
        if (equalsIgnoringCase(text, yes))
            return true;
    }
    for (std::string_view no : {"0", "false", "no", "normal", "benign"}) {
        if (equalsIgnoringCase(text, no))
            return false;
    }
    return std::nullopt;
}

std::vector<std::string> extraColumnNames(const TrafficTable& table)
{
    std::vector<std::string> names;
    for (std::size_t c = kFieldCount; c < table.columns.size(); ++c)
        names.push_back(table.columns[c].name);
    return names;
}

TruthLookup findGroundTruth(const TrafficTable& table, bool bothClasses)
{
    for (std::string_view name : truthColumnNames()) {
        for (std::size_t c = kFieldCount; c < table.columns.size(); ++c) {
            if (equalsIgnoringCase(table.columns[c].name, name))
                return readColumn(table, c, bothClasses);
        }
    }
    TruthLookup lookup;
    lookup.problem = "the file has no ground-truth column (is_attack, label or is_suspicious)";
    return lookup;
}

TruthLookup readGroundTruth(const TrafficTable& table, std::string_view name, bool bothClasses)
{
    if (auto exact = table.findColumn(name))
        return readColumn(table, *exact, bothClasses);
    std::optional<std::size_t> match;
    int matches = 0;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (equalsIgnoringCase(table.columns[c].name, name)) {
            match = c;
            ++matches;
        }
    }
    if (matches == 1)
        return readColumn(table, *match, bothClasses);
    TruthLookup lookup;
    const auto extras = extraColumnNames(table);
    std::string available;
    for (const auto& extra : extras)
        available += (available.empty() ? "" : ", ") + extra;
    lookup.problem = "the file has no column named '" + std::string(name) + "'"
        + (extras.empty() ? std::string("; it has no columns besides the traffic schema's")
                          : "; columns besides the traffic schema's: " + available);
    return lookup;
}

void EvaluationParams::validate() const
{
    if (!(curveResolution >= 0.0 && curveResolution < 0.5))
        throw ParameterError("the curve resolution must be in [0, 0.5)");
}

Evaluation::Evaluation(const ScoreIndex& scores, const GroundTruth& truth, const EvaluationParams& params)
    : m_column(truth.column)
    , m_positives(truth.positives)
    , m_negatives(truth.negatives)
{
    params.validate();
    if (truth.positive.size() != scores.size())
        throw ParameterError("the ground truth has " + std::to_string(truth.positive.size()) + " rows but there are "
                             + std::to_string(scores.size()) + " scores");
    if (m_positives == 0 || m_negatives == 0)
        throw ParameterError("the ground truth needs both attacks and normal rows");
    const auto& ranked = scores.rankedRows();
    std::size_t next = 0;
    m_rows = ranked.size();
    rank(
        [&](double& score, bool& positive) {
            if (next == ranked.size())
                return false;
            score = scores.sortedScore(next);
            positive = truth.positive[ranked[next++]] != 0;
            return true;
        },
        params);
}

Evaluation::Evaluation(std::string column, std::size_t positives, std::size_t negatives, std::size_t rows,
                       const RankedFeed& next, const EvaluationParams& params)
    : m_column(std::move(column))
    , m_positives(positives)
    , m_negatives(negatives)
    , m_rows(rows)
{
    params.validate();
    if (m_positives + m_negatives != rows)
        throw ParameterError("the ground truth has " + std::to_string(m_positives + m_negatives) + " rows but there are "
                             + std::to_string(rows) + " scores");
    if (m_positives == 0 || m_negatives == 0)
        throw ParameterError("the ground truth needs both attacks and normal rows");
    rank(next, params);
}

// The rows in ranked order, once: the ranked truth's bits and the curves and areas, a group of tied
// rows closed when the next row's score differs.
void Evaluation::rank(const RankedFeed& next, const EvaluationParams& params)
{
    const std::size_t n = m_rows;
    m_rankedTruth.assign((n + 63) / 64, 0);
    m_positivesBeforeWord.assign(m_rankedTruth.size() + 1, 0);
    const double p = static_cast<double>(m_positives);
    const double q = static_cast<double>(m_negatives);
    auto keep = [&](std::vector<CurvePoint>& curve, CurvePoint point, bool last) {
        if (curve.empty() || last || std::fabs(point.x - curve.back().x) >= params.curveResolution
            || std::fabs(point.y - curve.back().y) >= params.curveResolution)
            curve.push_back(point);
    };
    m_roc.push_back({0.0, 0.0});
    double area = 0.0;
    double ap = 0.0;
    std::size_t previousTp = 0;
    std::size_t previousFp = 0;
    // One threshold per distinct score: a group of tied rows is flagged all at once, so it adds a
    // diagonal step to the ROC curve (a trapezoid) and one point to the precision-recall curve.
    const auto closeGroup = [&](std::size_t end, std::size_t tp) {
        const std::size_t fp = end - tp;
        area += static_cast<double>(fp - previousFp) * static_cast<double>(tp + previousTp) / 2.0;
        const double precision = static_cast<double>(tp) / static_cast<double>(end);
        const double recall = static_cast<double>(tp) / p;
        ap += (static_cast<double>(tp - previousTp) / p) * precision;
        const bool last = end == n;
        keep(m_roc, {static_cast<double>(fp) / q, recall}, last);
        keep(m_pr, {recall, precision}, last);
        previousTp = tp;
        previousFp = fp;
    };
    std::size_t i = 0;
    std::size_t tp = 0;
    double groupScore = 0.0;
    double score = 0.0;
    bool positive = false;
    while (next(score, positive)) {
        if (i == n)
            throw ParameterError("more ranked rows than the " + std::to_string(n) + " expected");
        if (i > 0 && score != groupScore)
            closeGroup(i, tp);
        groupScore = score;
        if (positive) {
            m_rankedTruth[i / 64] |= std::uint64_t(1) << (i % 64);
            ++tp;
        }
        ++i;
        if (i % 64 == 0 || i == n)
            m_positivesBeforeWord[(i + 63) / 64] = static_cast<std::uint32_t>(tp);
    }
    if (i != n || tp != m_positives)
        throw ParameterError("the ranked rows fed (" + std::to_string(i) + ", " + std::to_string(tp)
                             + " attacks) are not the " + std::to_string(n) + " expected");
    if (n > 0)
        closeGroup(n, tp);
    m_rocAuc = area / (p * q);
    m_averagePrecision = ap;
}

std::size_t Evaluation::positivesBefore(std::size_t k) const noexcept
{
    const std::size_t word = k / 64;
    const std::size_t bits = k % 64;
    std::size_t count = m_positivesBeforeWord[word];
    if (bits > 0)
        count += static_cast<std::size_t>(std::popcount(m_rankedTruth[word] & ((std::uint64_t(1) << bits) - 1)));
    return count;
}

OperatingPoint Evaluation::at(std::size_t flagged, double threshold) const
{
    OperatingPoint point;
    point.threshold = threshold;
    if (m_rows == 0)
        return point;
    flagged = std::min(flagged, m_rows);
    point.flagged = flagged;
    point.truePositives = positivesBefore(flagged);
    point.falsePositives = flagged - point.truePositives;
    point.falseNegatives = m_positives - point.truePositives;
    point.trueNegatives = m_negatives - point.falsePositives;
    point.precision = flagged > 0 ? static_cast<double>(point.truePositives) / static_cast<double>(flagged) : 0.0;
    point.recall = m_positives > 0 ? static_cast<double>(point.truePositives) / static_cast<double>(m_positives) : 0.0;
    point.f1 = point.precision + point.recall > 0.0
        ? 2.0 * point.precision * point.recall / (point.precision + point.recall)
        : 0.0;
    point.falsePositiveRate
        = m_negatives > 0 ? static_cast<double>(point.falsePositives) / static_cast<double>(m_negatives) : 0.0;
    return point;
}

std::vector<ContaminationRow> evaluateContaminations(const ScoreIndex& scores, const Evaluation& evaluation,
                                                     const std::vector<double>& contaminations)
{
    if (evaluation.contaminationRows())
        return *evaluation.contaminationRows();
    std::vector<ContaminationRow> rows;
    for (double value : contaminations) {
        const Contamination contamination = Contamination::fromValue(value);
        const double threshold = scores.thresholdFor(contamination);
        rows.push_back({value, evaluation.at(scores.countBelow(threshold), threshold)});
    }
    return rows;
}

std::string evaluationText(const Evaluation& evaluation, const ScoreIndex& scores, const Verdicts& verdicts)
{
    char line[256];
    std::string out = "\nEvaluation against " + evaluation.truthColumn() + " (" + std::to_string(evaluation.positives())
        + " attacks, " + std::to_string(evaluation.negatives()) + " normal rows):\n";
    std::snprintf(line, sizeof line, "  ROC AUC %.4f, average precision %.4f (attack share %.4f)\n",
                  evaluation.rocAuc(), evaluation.averagePrecision(),
                  static_cast<double>(evaluation.positives())
                      / static_cast<double>(evaluation.positives() + evaluation.negatives()));
    out += line;
    if (!evaluation.method().empty())
        out += "  " + evaluation.method() + "\n";
    const OperatingPoint point = evaluation.at(verdicts);
    std::snprintf(line, sizeof line, "  at contamination %s (threshold %s): precision %.4f, recall %.4f, F1 %.4f\n",
                  verdicts.contamination.toString().c_str(), formatNumber(verdicts.threshold).c_str(), point.precision,
                  point.recall, point.f1);
    out += line;
    std::snprintf(line, sizeof line,
                  "    %zu flagged: %zu true positives, %zu false positives; %zu attacks missed, %zu true negatives\n",
                  point.flagged, point.truePositives, point.falsePositives, point.falseNegatives, point.trueNegatives);
    out += line;
    out += "  contamination   flagged  precision   recall       F1\n";
    for (const ContaminationRow& row : evaluateContaminations(scores, evaluation)) {
        std::snprintf(line, sizeof line, "  %12.0f %% %9zu  %9.4f  %7.4f  %7.4f\n", row.contamination * 100.0,
                      row.point.flagged, row.point.precision, row.point.recall, row.point.f1);
        out += line;
    }
    return out;
}

namespace {

// Calls visit(row, mark) for each of the first `rows` rows marked Malicious or Benign, in order.
// Most rows are not reviewed: unmarked rows are skipped eight at a time, so a pass over the marks
// runs at memory speed (a slider move makes one).
template <typename Visit>
void forEachReviewed(const std::vector<Mark>& marks, std::size_t rows, Visit&& visit)
{
    rows = std::min(rows, marks.size());
    const auto* bytes = reinterpret_cast<const unsigned char*>(marks.data());
    const auto visitRow = [&](std::size_t row) {
        const Mark mark = marks[row];
        if (mark == Mark::Malicious || mark == Mark::Benign)
            visit(row, mark);
    };
    std::size_t row = 0;
    for (; row + 8 <= rows; row += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes + row, sizeof word);
        if (word == 0)
            continue;
        for (std::size_t i = row; i < row + 8; ++i)
            visitRow(i);
    }
    for (; row < rows; ++row)
        visitRow(row);
}

} // namespace

Evaluation evaluateAgainstTriage(const ScoreIndex& scores, const TableTriage& triage, const EvaluationParams& params)
{
    if (triage.marks.size() != scores.size())
        throw ParameterError("the verdicts cover " + std::to_string(triage.marks.size()) + " rows but there are "
                             + std::to_string(scores.size()) + " scores");
    const std::size_t malicious = triage.count(Mark::Malicious);
    const std::size_t benign = triage.count(Mark::Benign);
    if (malicious == 0 || benign == 0)
        throw ParameterError(malicious == 0 && benign == 0
                                 ? "no row is marked Malicious or Benign: mark at least one of each"
                                 : std::string("mark at least one row ") + (malicious == 0 ? "Malicious" : "Benign")
                                     + " to evaluate against your verdicts");
    std::vector<double> reviewedScores;
    GroundTruth truth;
    truth.column = std::string(kVerdictsTruthName);
    reviewedScores.reserve(malicious + benign);
    truth.positive.reserve(malicious + benign);
    const auto& all = scores.scores();
    forEachReviewed(triage.marks, all.size(), [&](std::size_t row, Mark mark) {
        reviewedScores.push_back(all[row]);
        truth.positive.push_back(mark == Mark::Malicious ? 1 : 0);
    });
    truth.positives = malicious;
    truth.negatives = benign;
    return Evaluation(ScoreIndex(std::move(reviewedScores)), truth, params);
}

std::vector<ContaminationRow> evaluateContaminations(const ScoreIndex& scores, const Evaluation& evaluation,
                                                     const TableTriage& triage,
                                                     const std::vector<double>& contaminations)
{
    std::vector<double> reviewed;
    const auto& all = scores.scores();
    forEachReviewed(triage.marks, all.size(), [&](std::size_t row, Mark) { reviewed.push_back(all[row]); });
    std::sort(reviewed.begin(), reviewed.end());
    std::vector<ContaminationRow> rows;
    for (double value : contaminations) {
        const double threshold = scores.thresholdFor(Contamination::fromValue(value));
        const auto below = static_cast<std::size_t>(std::lower_bound(reviewed.begin(), reviewed.end(), threshold)
                                                    - reviewed.begin());
        rows.push_back({value, evaluation.at(below, threshold)});
    }
    return rows;
}

namespace {

// The smallest contamination, in steps of 0.01 % from 0.1 % (the workbench's percent box), whose
// threshold lies above highest: numpy's linear percentile passes a score once its virtual index
// passes the last rank holding that score, so the search starts there and steps up only past
// rounding.
std::optional<double> contaminationAbove(const ScoreIndex& scores, double highest)
{
    const std::size_t n = scores.size();
    const std::size_t atOrBelow = scores.countBelow(std::nextafter(highest, std::numeric_limits<double>::infinity()));
    if (n < 2 || atOrBelow >= n)
        return std::nullopt;
    constexpr double kStep = 1e-4;
    const double exact = static_cast<double>(atOrBelow - 1) / static_cast<double>(n - 1);
    auto steps = std::max<long long>(10, static_cast<long long>(std::floor(exact / kStep)));
    for (int tries = 0; tries < 64 && steps <= 5000; ++tries, ++steps) {
        if (scores.thresholdFor(Contamination::fromValue(static_cast<double>(steps) * kStep)) > highest)
            return static_cast<double>(steps) * kStep;
    }
    return std::nullopt;
}

std::string rowsMarked(std::size_t count, const char* mark)
{
    return std::to_string(count) + (count == 1 ? " row you marked " : " rows you marked ") + mark;
}

} // namespace

TriageCheck checkTriage(const ScoreIndex& scores, const Verdicts& verdicts, const TableTriage& triage,
                        const std::vector<std::uint8_t>* suppressed)
{
    TriageCheck check;
    const auto& all = scores.scores();
    const std::size_t rows = std::min({all.size(), triage.marks.size(), verdicts.suspicious.size()});
    bool anyMissed = false;
    double highest = -std::numeric_limits<double>::infinity(); // of the unsuppressed malicious rows
    forEachReviewed(triage.marks, rows, [&](std::size_t row, Mark mark) {
        const bool below = all[row] < verdicts.threshold;
        const bool flagged = verdicts.isSuspicious(row);
        check.reviewedBelow += below;
        if (mark == Mark::Benign) {
            ++check.benign;
            check.benignFlagged += flagged;
            return;
        }
        ++check.malicious;
        const bool hidden = suppressed && row < suppressed->size() && (*suppressed)[row] != 0;
        if (!flagged) {
            ++check.maliciousMissed;
            check.maliciousSuppressed += hidden;
        }
        if (!hidden) {
            anyMissed = anyMissed || !flagged;
            highest = std::max(highest, all[row]);
        }
    });
    if (anyMissed)
        check.contaminationForAll = contaminationAbove(scores, highest);
    return check;
}

std::string formatShortPercent(double share)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", share * 100.0);
    std::string out = text;
    while (out.back() == '0')
        out.pop_back();
    if (out.back() == '.')
        out.pop_back();
    return out + " %";
}

std::string triageCheckSentence(const TriageCheck& check, const Contamination& contamination)
{
    if (check.malicious + check.benign == 0)
        return {};
    const std::string at
        = contamination.automatic ? "At the automatic threshold" : "At " + formatShortPercent(contamination.value);
    const std::string benign = check.benignFlagged == 0 ? "no row you marked benign is flagged"
        : check.benignFlagged == 1                      ? "1 row you marked benign is flagged"
                                                        : rowsMarked(check.benignFlagged, "benign") + " are flagged";
    if (check.malicious == 0)
        return at + " " + benign + " (no row is marked malicious).";
    if (check.maliciousMissed == 0)
        return at + " every row you marked malicious is flagged"
            + (check.benign == 0              ? std::string(".")
                   : check.benignFlagged == 0 ? "; no row you marked benign is flagged."
                                              : "; " + benign + " too.");
    std::string out = at + " you would miss " + rowsMarked(check.maliciousMissed, "malicious");
    const std::size_t byScore = check.maliciousMissed - check.maliciousSuppressed;
    if (check.maliciousSuppressed > 0)
        out += byScore == 0
            ? (check.maliciousSuppressed == 1 ? " (suppressed by the allow-list)"
                                              : " (all suppressed by the allow-list)")
            : " (" + std::to_string(check.maliciousSuppressed) + " of them suppressed by the allow-list)";
    if (byScore > 0) {
        if (check.contaminationForAll)
            out += "; at " + formatShortPercent(*check.contaminationForAll)
                + (check.maliciousSuppressed > 0 ? " none besides the suppressed" : " none");
        else
            out += "; no contamination up to 50 % flags them all";
    }
    out += ".";
    if (check.benign > 0) {
        std::string second = benign;
        second[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(second[0])));
        out += " " + second + ".";
    }
    return out;
}

} // namespace webthreat

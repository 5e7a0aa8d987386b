#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// The expected share of anomalies. Sets the threshold as that percentile of the training scores,
// or, when automatic, scikit-learn's fixed offset of -0.5.
struct Contamination {
    bool automatic = false;
    double value = 0.05; // in (0, 0.5]

    static Contamination fromValue(double value) { return {false, value}; }
    static Contamination autoOffset() { return {true, 0.0}; }
    // "auto", "0.05" or "5%". Throws ParameterError.
    static Contamination parse(std::string_view text);
    std::string toString() const; // "auto" or "0.05"
    void validate() const; // Throws ParameterError
    bool operator==(const Contamination&) const = default;
};

// A run's scores, sorted once so that the threshold for any contamination, and the count below
// it, come without touching every row again.
class ScoreIndex {
public:
    ScoreIndex() = default;
    explicit ScoreIndex(std::vector<double> scores);

    const std::vector<double>& scores() const noexcept { return m_scores; }
    std::size_t size() const noexcept { return m_scores.size(); }
    // Rows from most to least anomalous (ascending score; ties by row).
    const std::vector<std::uint32_t>& rankedRows() const noexcept { return m_ranked; }
    // The k-th smallest score (k = 0 is the most anomalous); no sorted copy is kept.
    double sortedScore(std::size_t k) const noexcept { return m_scores[m_ranked[k]]; }
    double minimum() const noexcept { return m_ranked.empty() ? 0.0 : sortedScore(0); }
    double maximum() const noexcept { return m_ranked.empty() ? 0.0 : sortedScore(m_ranked.size() - 1); }
    // The median of the scores (mean of the middle two for an even count), 0 when empty.
    double median() const noexcept;

    // numpy.percentile(scores, 100 * contamination) with linear interpolation, or -0.5 for auto.
    double thresholdFor(const Contamination& contamination) const;
    // Rows scoring strictly below threshold: the ones labelled Suspicious.
    std::size_t countBelow(double threshold) const noexcept;

private:
    std::vector<double> m_scores;
    std::vector<std::uint32_t> m_ranked;
};

// Each row's label at one threshold.
struct Verdicts {
    Contamination contamination;
    double threshold = 0.0;
    std::size_t suspiciousCount = 0;
    std::vector<std::uint8_t> suspicious; // 1 = Suspicious, per row
    // Rows below the threshold that an allow-list moved to normal (core/triage/suppression.h); they
    // are not in suspiciousCount.
    std::size_t suppressedCount = 0;

    bool isSuspicious(std::size_t row) const noexcept { return suspicious[row] != 0; }
    // Rows below the threshold: the first belowThreshold() of the ranking, suspicious or suppressed.
    std::size_t belowThreshold() const noexcept { return suspiciousCount + suppressedCount; }
};

// Labels every row: Suspicious where its score is below the contamination's threshold.
Verdicts applyThreshold(const ScoreIndex& scores, const Contamination& contamination);
// Labels every row against a threshold set elsewhere (a saved model's, from the contamination
// origin on its training rows).
Verdicts applyThreshold(const ScoreIndex& scores, double threshold, const Contamination& origin);

inline constexpr std::string_view kNormalLabel = "Normal";
inline constexpr std::string_view kSuspiciousLabel = "Suspicious";

} // namespace webthreat

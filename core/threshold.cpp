#include "core/threshold.h"

#include "core/errors.h"

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

ScoreIndex::ScoreIndex(std::vector<double> scores)
    : m_scores(std::move(scores))
{
    m_ranked.resize(m_scores.size());
    std::iota(m_ranked.begin(), m_ranked.end(), 0u);
    std::sort(m_ranked.begin(), m_ranked.end(), [this](std::uint32_t a, std::uint32_t b) {
        return m_scores[a] < m_scores[b] || (m_scores[a] == m_scores[b] && a < b);
    });
    m_sorted.resize(m_scores.size());
    for (std::size_t i = 0; i < m_ranked.size(); ++i)
        m_sorted[i] = m_scores[m_ranked[i]];
}

double ScoreIndex::thresholdFor(const Contamination& contamination) const
{
    contamination.validate();
    if (contamination.automatic)
        return -0.5;
    if (m_sorted.empty())
        return 0.0;
    // numpy's "linear" method and its _lerp, step for step, so the threshold equals scikit-learn's
    // offset_ to the last bit on the same scores.
    const double quantile = (100.0 * contamination.value) / 100.0;
    const double virtualIndex = quantile * static_cast<double>(m_sorted.size() - 1);
    const double below = std::floor(virtualIndex);
    const auto lower = static_cast<std::size_t>(below);
    const std::size_t upper = std::min(lower + 1, m_sorted.size() - 1);
    const double t = virtualIndex - below;
    const double a = m_sorted[lower];
    const double b = m_sorted[upper];
    const double difference = b - a;
    return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

std::size_t ScoreIndex::countBelow(double threshold) const noexcept
{
    return static_cast<std::size_t>(std::lower_bound(m_sorted.begin(), m_sorted.end(), threshold) - m_sorted.begin());
}

Verdicts applyThreshold(const ScoreIndex& scores, const Contamination& contamination)
{
    Verdicts verdicts;
    verdicts.contamination = contamination;
    verdicts.threshold = scores.thresholdFor(contamination);
    verdicts.suspiciousCount = scores.countBelow(verdicts.threshold);
    verdicts.suspicious.assign(scores.size(), 0);
    // The ranked order lists the suspicious rows first: touch only those.
    const auto& ranked = scores.rankedRows();
    for (std::size_t i = 0; i < verdicts.suspiciousCount; ++i)
        verdicts.suspicious[ranked[i]] = 1;
    return verdicts;
}

} // namespace webthreat

#pragma once

#include "core/triage/suppression.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace webthreat {

// --allow in streaming mode (core/stream/streamanalysis.h): the allow-list's rules matched chunk by
// chunk as pass 2 scores them. As in memory (assessAt, core/pipeline.cpp) the threshold is set on
// every row's score first and the matched rows below it are then moved to normal, so the threshold
// and its pass-3 logic are the unsuppressed run's; what changes is which rows count as suspicious.
// The threshold is not known while pass 2 reads, so the matched rows' scores are placed as
// findThreshold places every score: below its window (counted), in it (kept) or above it (never
// suppressed). Memory: the window's share of the matched rows, the per-rule counts and one chunk's
// match, whatever the file's size.
class StreamedAllowList {
public:
    explicit StreamedAllowList(std::vector<SuppressionRule> rules);

    // Matches one chunk's cleaned rows. countRules: add them to each rule's count (pass 2; pass 3,
    // which collects the window again, matches the same rows a second time and does not count them).
    // Returns per row 1 = an enabled rule matches, valid until the next call.
    const std::vector<std::uint8_t>& match(const TrafficTable& table, bool countRules,
                                           const std::atomic<bool>* cancel = nullptr);

    // The last matched chunk's scores, placed by where(score): < 0 below the threshold's window
    // (counted), 0 in it (kept), > 0 above it.
    template <typename Where>
    void place(const std::vector<double>& scores, Where where)
    {
        for (std::size_t row = 0; row < scores.size() && row < m_chunk.rows.size(); ++row) {
            if (!m_chunk.rows[row])
                continue;
            const int at = where(scores[row]);
            if (at < 0)
                ++m_below;
            else if (at == 0)
                m_window.push_back(scores[row]);
        }
    }
    // Pass 3 places the matched rows again, around the bins that hold the threshold.
    void restartWindow();

    // The matched rows scoring below threshold: the suppressed ones. threshold must lie in the
    // window the scores were last placed around (findThreshold's guarantee).
    std::size_t suppressedAt(double threshold) const;
    // Every rule with its rows over the whole file, the matched rows and active rules (rows empty:
    // the file's rows are never whole).
    std::shared_ptr<const Suppression> totals() const;

private:
    Suppression m_totals;
    Suppression m_chunk;
    std::size_t m_below = 0;
    std::vector<double> m_window;
};

} // namespace webthreat

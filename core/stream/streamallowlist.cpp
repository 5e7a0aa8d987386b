#include "core/stream/streamallowlist.h"

#include <algorithm>

namespace webthreat {

StreamedAllowList::StreamedAllowList(std::vector<SuppressionRule> rules)
{
    m_totals.rowsPerRule.assign(rules.size(), 0);
    m_totals.activeRules = static_cast<std::size_t>(
        std::count_if(rules.begin(), rules.end(), [](const SuppressionRule& rule) { return rule.enabled; }));
    m_totals.rules = std::move(rules);
}

const std::vector<std::uint8_t>& StreamedAllowList::match(const TrafficTable& table, bool countRules,
                                                          const std::atomic<bool>* cancel)
{
    m_chunk = matchRules(table, m_totals.rules, cancel);
    if (countRules) {
        for (std::size_t i = 0; i < m_chunk.rowsPerRule.size() && i < m_totals.rowsPerRule.size(); ++i)
            m_totals.rowsPerRule[i] += m_chunk.rowsPerRule[i];
        m_totals.matchedRows += m_chunk.matchedRows;
    }
    return m_chunk.rows;
}

void StreamedAllowList::restartWindow()
{
    m_below = 0;
    m_window.clear();
}

std::size_t StreamedAllowList::suppressedAt(double threshold) const
{
    return m_below
        + static_cast<std::size_t>(std::count_if(m_window.begin(), m_window.end(),
                                                 [threshold](double score) { return score < threshold; }));
}

std::shared_ptr<const Suppression> StreamedAllowList::totals() const
{
    return std::make_shared<const Suppression>(m_totals);
}

} // namespace webthreat

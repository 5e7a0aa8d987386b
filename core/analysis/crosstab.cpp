#include "core/analysis/crosstab.h"

#include "core/util/format.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace webthreat {

namespace {

std::string percentOf(std::size_t part, std::size_t whole)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%",
                  whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
    return text;
}

std::string rowsText(std::size_t count)
{
    return groupedCount(count) + (count == 1 ? " row" : " rows");
}

} // namespace

std::size_t CrossTab::ruledButNormal() const noexcept
{
    std::size_t count = 0;
    for (const auto& row : rows)
        count += row.none ? 0 : row.normal;
    return count;
}

std::size_t CrossTab::flaggedWithoutRule() const noexcept
{
    std::size_t count = 0;
    for (const auto& row : rows)
        count += row.none ? row.suspicious : 0;
    return count;
}

std::size_t CrossTab::ruledAndFlagged() const noexcept
{
    std::size_t count = 0;
    for (const auto& row : rows)
        count += row.none ? 0 : row.suspicious;
    return count;
}

std::string CrossTab::summary() const
{
    const std::size_t all = normal + suspicious;
    if (!columnPresent)
        return "The file has no " + column + " values, so there is nothing to compare the model with.";
    const std::size_t ruled = ruledButNormal() + ruledAndFlagged();
    std::size_t distinct = 0;
    for (const auto& row : rows)
        distinct += row.none ? 0 : 1;
    std::string text;
    if (ruled == all) {
        // The real CloudWatch export: every row carries the same rule, so the rules single out nothing.
        text = distinct == 1 ? "Every row has the same " + column + " ('" + rows.front().value + "')"
                             : "Every row has a " + column + " value";
        text += ", so the rules do not single out any rows: the model flags " + rowsText(ruledAndFlagged()) + " of "
            + groupedCount(all) + " (" + percentOf(ruledAndFlagged(), all) + ") and calls " + rowsText(ruledButNormal())
            + " Normal.";
        return text;
    }
    text = "The rules named " + rowsText(ruled) + "; the model flags " + rowsText(ruledAndFlagged()) + " of them ("
        + percentOf(ruledAndFlagged(), ruled) + ") and calls " + rowsText(ruledButNormal())
        + " Normal: what the rules caught that the model did not. ";
    text += "The model flags " + rowsText(flaggedWithoutRule())
        + " that no rule named: what the model caught that the rules did not.";
    return text;
}

CrossTabulator::CrossTabulator(const TrafficTable& table, Field field)
    : m_column(fieldInfo(field).name)
{
    const Column& column = table.column(field);
    m_values.push_back("(none)");
    m_totals.push_back(0);
    m_codes.resize(table.rowCount());
    if (column.kind != ColumnKind::Text)
        return;
    std::unordered_map<std::uint32_t, std::uint32_t> codes; // string id -> code
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        const std::uint32_t id = column.text[row];
        std::uint32_t code = 0;
        if (id != StringPool::kMissing) {
            auto [found, inserted] = codes.emplace(id, static_cast<std::uint32_t>(m_values.size()));
            if (inserted) {
                m_values.emplace_back(table.strings->view(id));
                m_totals.push_back(0);
            }
            code = found->second;
            m_present = true;
        }
        m_codes[row] = code;
        ++m_totals[code];
    }
}

CrossTab CrossTabulator::tabulate(const ScoreIndex& scores, const Verdicts& verdicts) const
{
    CrossTab tab;
    tab.column = m_column;
    tab.columnPresent = m_present;
    std::vector<std::size_t> flagged(m_values.size(), 0);
    const auto& ranked = scores.rankedRows();
    const std::size_t below = std::min(verdicts.belowThreshold(), ranked.size());
    if (!m_codes.empty()) {
        for (std::size_t i = 0; i < below; ++i)
            if (verdicts.isSuspicious(ranked[i])) // not suppressed by the allow-list
                ++flagged[m_codes[ranked[i]]];
    }
    for (std::size_t code = 0; code < m_values.size(); ++code) {
        if (m_totals[code] == 0)
            continue;
        CrossTabRow row;
        row.value = m_values[code];
        row.none = code == 0;
        row.suspicious = flagged[code];
        row.normal = m_totals[code] - flagged[code];
        tab.normal += row.normal;
        tab.suspicious += row.suspicious;
        tab.rows.push_back(std::move(row));
    }
    std::stable_sort(tab.rows.begin(), tab.rows.end(), [](const CrossTabRow& a, const CrossTabRow& b) {
        if (a.none != b.none)
            return b.none;
        return a.total() > b.total();
    });
    return tab;
}

VerdictChanges changedVerdicts(const ScoreIndex& scores, const Verdicts& before, const Verdicts& after)
{
    VerdictChanges changes;
    const auto& ranked = scores.rankedRows();
    const std::size_t from = std::min(before.belowThreshold(), ranked.size());
    const std::size_t to = std::min(after.belowThreshold(), ranked.size());
    // The rows between the two thresholds, less those the allow-list keeps normal on both sides.
    const auto changed = [&](std::size_t i) {
        const std::uint32_t row = ranked[i];
        return before.suspicious.size() <= row || after.suspicious.size() <= row
            || before.isSuspicious(row) != after.isSuspicious(row);
    };
    for (std::size_t i = std::min(from, to); i < std::max(from, to); ++i) {
        if (changed(i))
            (to > from ? changes.newlySuspicious : changes.newlyNormal).push_back(ranked[i]);
    }
    return changes;
}

} // namespace webthreat

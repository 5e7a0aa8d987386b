#pragma once

#include "core/detect/threshold.h"
#include "core/table/traffictable.h"

#include <string>
#include <vector>

namespace webthreat {

// The rules against the model: for one text column (rule_names, detection_types), how many rows of
// each value the model calls Normal and Suspicious.
struct CrossTabRow {
    std::string value; // "(none)" for rows with no value
    bool none = false;
    std::size_t normal = 0;
    std::size_t suspicious = 0;
    std::size_t total() const noexcept { return normal + suspicious; }
};

struct CrossTab {
    std::string column;
    bool columnPresent = false; // false when the file has no such column (every row is "(none)")
    std::vector<CrossTabRow> rows; // most rows first; "(none)" last
    std::size_t normal = 0; // totals over all rows
    std::size_t suspicious = 0;

    // Rows a rule named that the model calls Normal, and rows the model flags that no rule named.
    std::size_t ruledButNormal() const noexcept;
    std::size_t flaggedWithoutRule() const noexcept;
    std::size_t ruledAndFlagged() const noexcept;
    // One or two sentences on what the rules caught that the model did not, and the reverse.
    std::string summary() const;
};

// Groups the rows of one text column once (O(rows)); tabulating at a threshold then touches only
// the flagged rows (through the score order), so moving the contamination stays cheap.
class CrossTabulator {
public:
    CrossTabulator() = default;
    CrossTabulator(const TrafficTable& table, Field field);

    CrossTab tabulate(const ScoreIndex& scores, const Verdicts& verdicts) const;

private:
    std::string m_column;
    bool m_present = false;
    std::vector<std::string> m_values; // per code; code 0 is "(none)"
    std::vector<std::size_t> m_totals; // rows per code
    std::vector<std::uint32_t> m_codes; // per row
};

// The rows whose verdict differs between two thresholds of the same scores: exactly the rows
// ranked between the two suspicious counts. O(changed rows).
struct VerdictChanges {
    std::vector<std::uint32_t> newlySuspicious; // most anomalous first
    std::vector<std::uint32_t> newlyNormal; // most anomalous first
    std::size_t size() const noexcept { return newlySuspicious.size() + newlyNormal.size(); }
};
VerdictChanges changedVerdicts(const ScoreIndex& scores, const Verdicts& before, const Verdicts& after);

} // namespace webthreat

#include "core/viewfilter.h"

#include "core/entities.h"
#include "core/timeline.h"

namespace webthreat {

std::vector<std::uint8_t> filterRows(const TrafficTable& table, const ViewFilter& filter)
{
    std::vector<std::uint8_t> mask;
    if (filter.hasSources())
        mask = rowsFromSources(table, filter.sourceIps);
    if (filter.hasPeriod()) {
        const std::vector<std::uint8_t> period = rowsInTimeRange(table, *filter.from, *filter.to);
        if (mask.empty()) {
            mask = period;
        } else {
            for (std::size_t row = 0; row < mask.size(); ++row)
                mask[row] &= period[row];
        }
    }
    if (!filter.isActive())
        mask.assign(table.rowCount(), 1);
    return mask;
}

} // namespace webthreat

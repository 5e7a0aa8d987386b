#pragma once

#include "core/traffictable.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace webthreat {

// What the analyst narrowed the views to from the Entities and Timeline views: some source IPs
// and/or a period of creation_time. Both parts combine with AND; an empty part does not filter.
struct ViewFilter {
    std::vector<std::uint32_t> sourceIps;  // interned ids of src_ip; empty: every source
    std::optional<Instant> from;           // from <= creation_time < to; both set or neither
    std::optional<Instant> to;

    bool hasSources() const noexcept { return !sourceIps.empty(); }
    bool hasPeriod() const noexcept { return from.has_value() && to.has_value(); }
    bool isActive() const noexcept { return hasSources() || hasPeriod(); }
    bool operator==(const ViewFilter&) const = default;
};

// Per table row: 1 when the row passes filter. An inactive filter passes every row.
std::vector<std::uint8_t> filterRows(const TrafficTable& table, const ViewFilter& filter);

} // namespace webthreat

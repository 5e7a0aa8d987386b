#pragma once

#include "core/table/traffictable.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// A connection pair picked on the Beacons view: src_ip == srcIp and dst_ip == dstIp and, when the
// table has a dst_port column, dst_port == dstPort (kMissingInteger: the rows without a port), as
// core/behaviour groups sessions into pairs.
struct PairFilter {
    std::uint32_t srcIp = StringPool::kMissing; // interned ids
    std::uint32_t dstIp = StringPool::kMissing;
    std::int64_t dstPort = kMissingInteger;
    bool operator==(const PairFilter&) const = default;
};

// What the analyst narrowed the views to from the Entities, Timeline and Beacons views: some
// source IPs, a period of creation_time and/or one connection pair. The parts combine with AND; an
// empty part does not filter.
struct ViewFilter {
    std::vector<std::uint32_t> sourceIps; // interned ids of src_ip; empty: every source
    std::optional<Instant> from; // from <= creation_time < to; both set or neither
    std::optional<Instant> to;
    std::optional<PairFilter> pair; // none: every pair

    bool hasSources() const noexcept { return !sourceIps.empty(); }
    bool hasPeriod() const noexcept { return from.has_value() && to.has_value(); }
    bool hasPair() const noexcept { return pair.has_value(); }
    bool isActive() const noexcept { return hasSources() || hasPeriod() || hasPair(); }
    bool operator==(const ViewFilter&) const = default;
};

// Per table row: 1 when the row passes filter. An inactive filter passes every row.
std::vector<std::uint8_t> filterRows(const TrafficTable& table, const ViewFilter& filter);
// Per table row: 1 when the row belongs to pair (one pass over three columns).
std::vector<std::uint8_t> rowsOfPair(const TrafficTable& table, const PairFilter& pair);

// Text typed into the Data tab's filter, looked for in the table's own cells: a row matches when
// needle is a substring of one of its cells in columns, ignoring ASCII case, with each cell
// written as the table shows it: text as read, timestamps as formatTimestamp writes them
// (2024-04-25T23:00:00Z). Integer cells (ports, bytes, codes) match a needle that is the same
// whole number: 31337 finds port 31337, never a byte count of 131337. Missing cells and real
// columns never match.
struct TextFilter {
    std::string needle; // as typed; empty matches every row
    std::vector<std::size_t> columns; // the table columns searched
    int threads = 0; // 0: every core
};

// Per table row: 1 when the row matches filter. Each distinct string is tested once, an integer
// by one comparison, and a timestamp through tables of its day's and its second's
// text (one division, no formatting): about 60 ns a row over a million rows of sixteen columns
// on one core. Polls cancel every 16 384 rows and throws CancelledError when it is set.
std::vector<std::uint8_t> rowsMatchingText(const TrafficTable& table, const TextFilter& filter,
                                           const std::atomic<bool>* cancel = nullptr);

// text with A-Z lowered; other bytes (UTF-8 included) as they are.
std::string lowerAscii(std::string_view text);
// Whether lowerNeedle (already lowerAscii) is a substring of haystack, ignoring ASCII case.
bool containsIgnoringAsciiCase(std::string_view haystack, std::string_view lowerNeedle) noexcept;

} // namespace webthreat

#pragma once

// What beacons.cpp, fanout.cpp and behaviour.cpp share: the columns a session is read from, a
// hash index of composite keys, grouping rows by key, and robust statistics. Not a public header.

#include "core/behaviour/beacons.h"
#include "core/behaviour/fanout.h"
#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webthreat::behaviour_internal {

inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::size_t kCheckEvery = 1 << 16; // rows between cancel checks

// The columns a session's who, when and how much come from. A column released to save memory
// (Column::released) or of the wrong kind is absent (null).
struct SessionColumns {
    const Cells<std::uint32_t>* src = nullptr;
    const Cells<std::uint32_t>* dst = nullptr;
    const Cells<std::int64_t>* port = nullptr;
    const Cells<std::int64_t>* start = nullptr; // creation_time
    const Cells<std::int64_t>* fallbackStart = nullptr; // time, where creation_time is missing
    const Cells<std::int64_t>* bytesIn = nullptr;
    const Cells<std::int64_t>* bytesOut = nullptr;

    // The session's start (µs), or kMissingInteger.
    std::int64_t startOf(std::size_t row) const noexcept
    {
        std::int64_t value = start ? (*start)[row] : kMissingInteger;
        if (value == kMissingInteger && fallbackStart)
            value = (*fallbackStart)[row];
        return value;
    }
    std::uint32_t srcOf(std::size_t row) const noexcept { return src ? (*src)[row] : StringPool::kMissing; }
    std::uint32_t dstOf(std::size_t row) const noexcept { return dst ? (*dst)[row] : StringPool::kMissing; }
    std::int64_t portOf(std::size_t row) const noexcept { return port ? (*port)[row] : kMissingInteger; }
    // bytes_in + bytes_out, a missing one counted as 0; negative when both are missing.
    double bytesOf(std::size_t row) const noexcept
    {
        const std::int64_t in = bytesIn ? (*bytesIn)[row] : kMissingInteger;
        const std::int64_t out = bytesOut ? (*bytesOut)[row] : kMissingInteger;
        if (in == kMissingInteger && out == kMissingInteger)
            return -1.0;
        return static_cast<double>(in == kMissingInteger ? 0 : in) + static_cast<double>(out == kMissingInteger ? 0 : out);
    }
};

inline const Column* usableColumn(const TrafficTable& table, Field field, ColumnKind kind) noexcept
{
    const Column& column = table.column(field);
    return column.released || column.kind != kind ? nullptr : &column;
}

inline SessionColumns sessionColumns(const TrafficTable& table)
{
    SessionColumns columns;
    if (const Column* c = usableColumn(table, Field::SrcIp, ColumnKind::Text))
        columns.src = &c->text;
    if (const Column* c = usableColumn(table, Field::DstIp, ColumnKind::Text))
        columns.dst = &c->text;
    if (const Column* c = usableColumn(table, Field::DstPort, ColumnKind::Integer))
        columns.port = &c->integers;
    if (const Column* c = usableColumn(table, Field::CreationTime, ColumnKind::Timestamp))
        columns.start = &c->integers;
    if (const Column* c = usableColumn(table, Field::Time, ColumnKind::Timestamp))
        columns.fallbackStart = &c->integers;
    if (const Column* c = usableColumn(table, Field::BytesIn, ColumnKind::Integer))
        columns.bytesIn = &c->integers;
    if (const Column* c = usableColumn(table, Field::BytesOut, ColumnKind::Integer))
        columns.bytesOut = &c->integers;
    return columns;
}

// What the passes need of one session, gathered in one sequential read of the columns so that
// the work per source touches contiguous memory, not the columns at random rows. 24 bytes a
// session (26 MB at 1.07 M rows, 40 bytes before): the port and the bytes are held in 32 bits
// each, and a value that does not fit there (a port outside the int32 range, a session of 2 GiB
// or more, negative bytes) is marked "in the column" and read back from the table by row, so that
// every value is exact whatever the data holds: nothing wraps.
struct SessionRecord {
    static constexpr std::int32_t kPortMissing = std::numeric_limits<std::int32_t>::min();
    static constexpr std::int32_t kPortInColumn = kPortMissing + 1;
    static constexpr std::uint32_t kFailedBit = 1u << 31;
    static constexpr std::uint32_t kBytesMissing = 0x7FFFFFFFu; // bytes in and out both missing
    static constexpr std::uint32_t kBytesInColumn = 0x7FFFFFFEu;

    std::int64_t start = 0; // µs
    std::uint32_t dst = StringPool::kMissing;
    std::uint32_t row = 0;
    std::int32_t packedPort = kPortMissing;
    std::uint32_t packedBytes = kBytesMissing; // bit 31: failed; the rest bytes in + out or a mark

    // The 32-bit form of a port: itself when it fits (the order of ports is kept, missing first).
    static std::int32_t packPort(std::int64_t port) noexcept
    {
        if (port == kMissingInteger)
            return kPortMissing;
        if (port <= kPortInColumn || port > std::numeric_limits<std::int32_t>::max())
            return kPortInColumn;
        return static_cast<std::int32_t>(port);
    }
    // The 31-bit form of bytes in + out (SessionColumns::bytesOf), without the failed bit.
    static std::uint32_t packBytes(std::int64_t in, std::int64_t out) noexcept
    {
        if (in == kMissingInteger && out == kMissingInteger)
            return kBytesMissing;
        const std::int64_t inBytes = in == kMissingInteger ? 0 : in;
        const std::int64_t outBytes = out == kMissingInteger ? 0 : out;
        // Both under 2^31, so their sum as one integer is exactly bytesOf's sum of two doubles.
        if (inBytes < 0 || outBytes < 0 || inBytes >= kBytesInColumn || outBytes >= kBytesInColumn
            || inBytes + outBytes >= kBytesInColumn)
            return kBytesInColumn;
        return static_cast<std::uint32_t>(inBytes + outBytes);
    }

    // The destination port, or kMissingInteger (SessionColumns::portOf).
    std::int64_t port(const SessionColumns& columns) const noexcept
    {
        if (packedPort == kPortMissing)
            return kMissingInteger;
        return packedPort == kPortInColumn ? columns.portOf(row) : packedPort;
    }
    // Bytes in + out; negative when both are missing (SessionColumns::bytesOf).
    double bytes(const SessionColumns& columns) const noexcept
    {
        const std::uint32_t value = packedBytes & ~kFailedBit;
        if (value == kBytesMissing)
            return -1.0;
        return value == kBytesInColumn ? columns.bytesOf(row) : static_cast<double>(value);
    }
    bool failed() const noexcept { return (packedBytes & kFailedBit) != 0; }
};
static_assert(sizeof(SessionRecord) == 24);

// Rows with a source and a start time, grouped by source: a counting sort over the string pool's
// dense ids (a direct-address hash of the source), two passes over the rows. Source i's sessions
// are records[begins[i] .. begins[i + 1]), by ascending row; sources by ascending id.
struct SourceGroups {
    std::vector<SessionRecord> records;
    std::vector<std::uint32_t> begins; // one per source with rows, then records.size()
    std::size_t unplaced = 0; // rows without a source or a start
    std::int64_t first = 0; // the earliest and latest start
    std::int64_t last = 0;
    std::size_t sourceCount() const noexcept { return begins.empty() ? 0 : begins.size() - 1; }
    std::uint32_t srcOf(std::size_t source, const SessionColumns& columns) const noexcept
    {
        return (*columns.src)[records[begins[source]].row];
    }
};

// The columns that say a session failed, where the table has them (fanout.cpp).
struct FailureColumns {
    const Column* action = nullptr;
    const Column* connState = nullptr;
    const Column* responseCode = nullptr;
    const StringPool* strings = nullptr;
    bool any() const noexcept { return action || connState || responseCode; }
    bool failed(std::size_t row) const;
};
// names gets the names of the columns found.
FailureColumns failureColumns(const TrafficTable& table, std::vector<std::string>& names);

// Groups the rows by source in parallel: each of up to 8 row ranges counts its sources, the counts
// become each range's write positions, and each range writes its rows (so rows stay ascending
// within a source). failures: whether each session failed (fan-out); null for no.
SourceGroups groupBySource(const TrafficTable& table, const SessionColumns& columns, const FailureColumns* failures,
                           int threads, const Progress& progress);

// The sources split into tasks of about rowsPerTask rows each: [first source, end source) pairs.
inline std::vector<std::pair<std::size_t, std::size_t>> sourceTasks(const SourceGroups& groups, std::size_t rowsPerTask)
{
    std::vector<std::pair<std::size_t, std::size_t>> tasks;
    std::size_t first = 0;
    for (std::size_t s = 0; s < groups.sourceCount(); ++s) {
        if (groups.begins[s + 1] - groups.begins[first] >= rowsPerTask) {
            tasks.emplace_back(first, s + 1);
            first = s + 1;
        }
    }
    if (first < groups.sourceCount())
        tasks.emplace_back(first, groups.sourceCount());
    return tasks;
}

// Quantile q of values, interpolating linearly between neighbours (numpy's default). Reorders
// values (a selection, linear time).
inline double quantile(std::vector<double>& values, double q) noexcept
{
    if (values.empty())
        return 0.0;
    const double at = q * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(at);
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(below);
    std::nth_element(values.begin(), nth, values.end());
    const double low = *nth;
    if (below + 1 >= values.size() || at == static_cast<double>(below))
        return low;
    const double high = *std::min_element(nth + 1, values.end()); // the next order statistic
    return low + (high - low) * (at - static_cast<double>(below));
}

// Median, spread and skew of a sample: what "regular" means here, robust to a few outliers.
struct RobustSpread {
    double median = 0.0;
    double mad = 0.0; // median absolute deviation from the median
    double bowleySkew = 0.0; // (Q1 + Q3 - 2 Q2) / (Q3 - Q1), in [-1, 1]; 0 when Q3 == Q1
};

// values is reordered; scratch is reused between calls.
inline RobustSpread robustSpread(std::vector<double>& values, std::vector<double>& scratch)
{
    RobustSpread spread;
    if (values.empty())
        return spread;
    spread.median = quantile(values, 0.5);
    const double q1 = quantile(values, 0.25);
    const double q3 = quantile(values, 0.75);
    if (q3 > q1)
        spread.bowleySkew = std::clamp((q1 + q3 - 2.0 * spread.median) / (q3 - q1), -1.0, 1.0);
    scratch.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        scratch[i] = std::abs(values[i] - spread.median);
    spread.mad = quantile(scratch, 0.5);
    return spread;
}

// The passes over rows already grouped (analyzeBehaviour groups once for both; each reorders
// the records within each source, and the fan-out pass, the last, lets them go).
BeaconResult scoreGroupedBeacons(SourceGroups& groups, const TrafficTable& table, const SessionColumns& columns,
                                 const BeaconParams& params, const Progress& progress);
FanOutResult aggregateGroupedFanOut(SourceGroups& groups, const TrafficTable& table, const SessionColumns& columns,
                                    std::vector<std::string> failedColumns, const FanOutParams& params,
                                    const Progress& progress, bool holdEveryWindow = false);

} // namespace webthreat::behaviour_internal

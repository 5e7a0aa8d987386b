#pragma once

// What beacons.cpp, fanout.cpp and behaviour.cpp share: the columns a session is read from, a
// hash index of composite keys, grouping rows by key, and robust statistics. Not a public header.

#include "core/table/traffictable.h"
#include "core/util/random.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace webthreat::behaviour_internal {

inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::size_t kCheckEvery = 1 << 16; // rows between cancel checks

// The columns a session's who, when and how much come from. A column released to save memory
// (Column::released) or of the wrong kind is absent (null).
struct SessionColumns {
    const std::vector<std::uint32_t>* src = nullptr;
    const std::vector<std::uint32_t>* dst = nullptr;
    const std::vector<std::int64_t>* port = nullptr;
    const std::vector<std::int64_t>* start = nullptr; // creation_time
    const std::vector<std::int64_t>* fallbackStart = nullptr; // time, where creation_time is missing
    const std::vector<std::int64_t>* bytesIn = nullptr;
    const std::vector<std::int64_t>* bytesOut = nullptr;

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

// Dense ids (0, 1, 2, ... in order of first sight) for 128-bit keys: open addressing, linear
// probing, grown at half load.
class KeyIndex {
public:
    explicit KeyIndex(std::size_t expected = 1024)
    {
        std::size_t capacity = 1024;
        while (capacity < expected * 2)
            capacity *= 2;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
    }

    std::uint32_t idOf(std::uint64_t a, std::uint64_t b)
    {
        if ((m_size + 1) * 2 > m_slots.size())
            grow();
        std::size_t at = slotFor(a, b);
        Slot& slot = m_slots[at];
        if (slot.id == kNoGroup) {
            slot = Slot{a, b, static_cast<std::uint32_t>(m_size++)};
        }
        return slot.id;
    }
    std::size_t size() const noexcept { return m_size; }

private:
    struct Slot {
        std::uint64_t a = 0;
        std::uint64_t b = 0;
        std::uint32_t id = kNoGroup;
    };
    std::size_t slotFor(std::uint64_t a, std::uint64_t b) const noexcept
    {
        std::size_t at = static_cast<std::size_t>(mix64(a ^ mix64(b))) & m_mask;
        while (m_slots[at].id != kNoGroup && (m_slots[at].a != a || m_slots[at].b != b))
            at = (at + 1) & m_mask;
        return at;
    }
    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        m_mask = m_slots.size() - 1;
        for (const Slot& slot : old)
            if (slot.id != kNoGroup)
                m_slots[slotFor(slot.a, slot.b)] = slot;
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

// Rows grouped by group id (counting sort, rows ascending within a group): group g's rows are
// rows[offsets[g] .. offsets[g + 1]).
struct Groups {
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> rows;
    std::size_t size(std::size_t group) const noexcept { return offsets[group + 1] - offsets[group]; }
};

inline Groups groupRows(const std::vector<std::uint32_t>& groupOfRow, std::size_t groupCount)
{
    Groups groups;
    groups.offsets.assign(groupCount + 1, 0);
    for (const std::uint32_t group : groupOfRow)
        if (group != kNoGroup)
            ++groups.offsets[group + 1];
    for (std::size_t g = 0; g < groupCount; ++g)
        groups.offsets[g + 1] += groups.offsets[g];
    groups.rows.resize(groups.offsets[groupCount]);
    std::vector<std::uint32_t> next(groups.offsets.begin(), groups.offsets.end() - 1);
    for (std::size_t row = 0; row < groupOfRow.size(); ++row)
        if (groupOfRow[row] != kNoGroup)
            groups.rows[next[groupOfRow[row]]++] = static_cast<std::uint32_t>(row);
    return groups;
}

// Quantile q of sorted values, interpolating linearly between neighbours (numpy's default).
inline double quantileOfSorted(const std::vector<double>& sorted, double q) noexcept
{
    if (sorted.empty())
        return 0.0;
    const double at = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(at);
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (at - static_cast<double>(below));
}

// Median, spread and skew of a sample: what "regular" means here, robust to a few outliers.
struct RobustSpread {
    double median = 0.0;
    double mad = 0.0; // median absolute deviation from the median
    double bowleySkew = 0.0; // (Q1 + Q3 - 2 Q2) / (Q3 - Q1), in [-1, 1]; 0 when Q3 == Q1
};

// values is sorted in place; scratch is reused between calls.
inline RobustSpread robustSpread(std::vector<double>& values, std::vector<double>& scratch)
{
    RobustSpread spread;
    if (values.empty())
        return spread;
    std::sort(values.begin(), values.end());
    spread.median = quantileOfSorted(values, 0.5);
    const double q1 = quantileOfSorted(values, 0.25);
    const double q3 = quantileOfSorted(values, 0.75);
    if (q3 > q1)
        spread.bowleySkew = std::clamp((q1 + q3 - 2.0 * spread.median) / (q3 - q1), -1.0, 1.0);
    scratch.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        scratch[i] = std::abs(values[i] - spread.median);
    std::sort(scratch.begin(), scratch.end());
    spread.mad = quantileOfSorted(scratch, 0.5);
    return spread;
}

} // namespace webthreat::behaviour_internal

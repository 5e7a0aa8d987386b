#include "core/analysis/entities.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace webthreat {

namespace {

constexpr std::int64_t kPortSlots = 65536;

// Counts distinct values of one entity's rows with a scratch array that is reset only where it was
// touched, so the cost follows the entity's rows, not the number of possible values.
template <typename Value>
struct DistinctCounter {
    std::vector<std::uint32_t> counts;
    std::vector<Value> touched;

    void add(Value value, std::size_t slot)
    {
        if (counts[slot]++ == 0)
            touched.push_back(value);
    }

    // Distinct count, and the most frequent values into top (ties by smaller value); resets.
    template <typename SlotOf, std::size_t N>
    std::uint32_t finish(std::array<Value, N>& top, SlotOf slotOf)
    {
        const auto byCount = [&](Value a, Value b) {
            const std::uint32_t countA = counts[slotOf(a)];
            const std::uint32_t countB = counts[slotOf(b)];
            return countA != countB ? countA > countB : a < b;
        };
        const std::size_t keep = std::min(N, touched.size());
        std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(keep), touched.end(), byCount);
        for (std::size_t i = 0; i < keep; ++i)
            top[i] = touched[i];
        const auto distinct = static_cast<std::uint32_t>(touched.size());
        for (Value value : touched)
            counts[slotOf(value)] = 0;
        touched.clear();
        return distinct;
    }
};

} // namespace

namespace {

// Pass 1: sessions per source, the entities ordered by sessions (then first appearance), and each
// entity's slice [start[e], start[e + 1]) of the per-row buffers of pass 2 (a counting sort).
std::vector<std::uint32_t> orderSources(const TrafficTable& table, std::size_t ids, EntityTable& result,
                                        const Progress& progress)
{
    const std::size_t rows = table.rowCount();
    const auto& srcIps = table.column(Field::SrcIp).text;
    std::vector<std::uint32_t> sessionsOfIp(ids, 0);
    std::vector<std::uint32_t> firstRowOfIp(ids, std::numeric_limits<std::uint32_t>::max());
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        const std::uint32_t ip = srcIps[row];
        if (sessionsOfIp[ip]++ == 0)
            firstRowOfIp[ip] = static_cast<std::uint32_t>(row);
    }
    result.rowsWithoutSource = sessionsOfIp[StringPool::kMissing];

    std::vector<std::uint32_t> order;
    for (std::uint32_t ip = 0; ip < ids; ++ip) {
        if (sessionsOfIp[ip] > 0)
            order.push_back(ip);
    }
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return sessionsOfIp[a] != sessionsOfIp[b] ? sessionsOfIp[a] > sessionsOfIp[b]
                                                  : firstRowOfIp[a] < firstRowOfIp[b];
    });
    result.entityOfIp.assign(ids, EntityTable::kNoEntity);
    result.entities.resize(order.size());
    std::vector<std::uint32_t> start(order.size() + 1, 0);
    for (std::size_t e = 0; e < order.size(); ++e) {
        result.entityOfIp[order[e]] = static_cast<std::uint32_t>(e);
        result.entities[e].srcIp = order[e];
        result.entities[e].sessions = sessionsOfIp[order[e]];
        start[e + 1] = start[e] + sessionsOfIp[order[e]];
    }
    return start;
}

// Each row's country and port, grouped by entity (entity e's in [start[e], start[e + 1])).
struct EntitySlots {
    std::vector<std::uint32_t> countries;
    std::vector<std::int64_t> ports;
};

// Pass 2, in row order (the columns are read sequentially): sums and first/last seen go straight
// into the entity, and each row's country and port are scattered into its entity's slice of two
// buffers, so that counting distinct values afterwards reads each slice in order instead of
// gathering a million rows from all over the columns.
EntitySlots sumBySource(const TrafficTable& table, const std::vector<std::uint32_t>& start, EntityTable& result,
                        const Progress& progress)
{
    const std::size_t rows = table.rowCount();
    const auto& srcIps = table.column(Field::SrcIp).text;
    const auto& countries = table.column(Field::SrcIpCountryCode).text;
    const auto& ports = table.column(Field::DstPort).integers;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    const auto& creation = table.column(Field::CreationTime).integers;
    result.entityOfRow.resize(rows);
    EntitySlots slots;
    slots.countries.resize(rows);
    slots.ports.resize(rows);
    std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
    // One cache line per entity for what every row updates: with tens of thousands of sources
    // the updates land all over, and a compact array keeps them in cache.
    struct alignas(32) Sums {
        std::uint64_t bytesIn = 0;
        std::uint64_t bytesOut = 0;
        Instant first = std::numeric_limits<Instant>::max();
        Instant last = std::numeric_limits<Instant>::min();
    };
    std::vector<Sums> sums(result.entities.size());
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        const std::uint32_t entity = result.entityOfIp[srcIps[row]];
        result.entityOfRow[row] = entity;
        Sums& sum = sums[entity];
        sum.bytesIn += bytesIn[row] > 0 ? static_cast<std::uint64_t>(bytesIn[row]) : 0; // missing is negative
        sum.bytesOut += bytesOut[row] > 0 ? static_cast<std::uint64_t>(bytesOut[row]) : 0;
        const Instant created = creation[row];
        if (created != kMissingInteger) {
            sum.first = std::min(sum.first, created);
            sum.last = std::max(sum.last, created);
        }
        const std::uint32_t slot = next[entity]++;
        slots.countries[slot] = countries[row];
        slots.ports[slot] = ports[row];
    }
    for (std::size_t e = 0; e < sums.size(); ++e) {
        EntityStats& stats = result.entities[e];
        stats.bytesIn = sums[e].bytesIn;
        stats.bytesOut = sums[e].bytesOut;
        if (sums[e].first <= sums[e].last) {
            stats.firstSeen = sums[e].first;
            stats.lastSeen = sums[e].last;
        }
    }
    return slots;
}

// An entity's ports when some lie outside 0..65535: the odd ones merged with the counted ones
// (which portCounter is cleared of) before ranking.
void rankPortsWithOdd(EntityStats& stats, std::vector<std::pair<std::int64_t, std::uint32_t>> all,
                      DistinctCounter<std::int64_t>& portCounter)
{
    for (std::int64_t port : portCounter.touched) {
        all.emplace_back(port, portCounter.counts[static_cast<std::size_t>(port)]);
        portCounter.counts[static_cast<std::size_t>(port)] = 0;
    }
    portCounter.touched.clear();
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    stats.portCount = static_cast<std::uint32_t>(all.size());
    for (std::size_t i = 0; i < std::min(kEntityTopValues, all.size()); ++i)
        stats.topPorts[i] = all[i].first;
}

// Pass 3, entity by entity: distinct countries and ports, and the most frequent of each.
void countDistinctValues(const EntitySlots& slots, const std::vector<std::uint32_t>& start, std::size_t ids,
                         std::size_t rows, EntityTable& result, const Progress& progress)
{
    DistinctCounter<std::uint32_t> countryCounter;
    countryCounter.counts.assign(ids, 0);
    DistinctCounter<std::int64_t> portCounter;
    portCounter.counts.assign(kPortSlots, 0);
    // Ports outside 0..65535 (a broken export) are rare: they share a slow, exact path.
    std::vector<std::pair<std::int64_t, std::uint32_t>> oddPorts;
    std::size_t visited = 0;
    for (std::size_t e = 0; e < result.entities.size(); ++e) {
        EntityStats& stats = result.entities[e];
        oddPorts.clear();
        for (std::uint32_t slot = start[e]; slot < start[e + 1]; ++slot) {
            if (slots.countries[slot] != StringPool::kMissing)
                countryCounter.add(slots.countries[slot], slots.countries[slot]);
            const std::int64_t port = slots.ports[slot];
            if (port == kMissingInteger)
                continue;
            if (port >= 0 && port < kPortSlots) {
                portCounter.add(port, static_cast<std::size_t>(port));
            } else {
                auto found
                    = std::find_if(oddPorts.begin(), oddPorts.end(), [&](const auto& p) { return p.first == port; });
                if (found == oddPorts.end())
                    oddPorts.emplace_back(port, 1);
                else
                    ++found->second;
            }
        }
        stats.countryCount = countryCounter.finish(stats.topCountries, [](std::uint32_t id) { return id; });
        if (oddPorts.empty())
            stats.portCount
                = portCounter.finish(stats.topPorts, [](std::int64_t port) { return static_cast<std::size_t>(port); });
        else
            rankPortsWithOdd(stats, oddPorts, portCounter);
        visited += stats.sessions;
        if ((e & 0x3FF) == 0) {
            progress.check();
            if (rows > 0)
                progress.report("entities", 0.5 + 0.5 * static_cast<double>(visited) / static_cast<double>(rows));
        }
    }
}

} // namespace

void rankByAddress(const StringPool& strings, EntityTable& result)
{
    std::vector<std::uint32_t> order(result.entities.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return strings.view(result.entities[a].srcIp) < strings.view(result.entities[b].srcIp);
    });
    result.ipRank.resize(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        result.ipRank[order[i]] = static_cast<std::uint32_t>(i);
}

EntityTable aggregateEntities(const TrafficTable& table, const Progress& progress)
{
    EntityTable result;
    const std::size_t ids = table.strings ? table.strings->size() : 1;
    const std::vector<std::uint32_t> start = orderSources(table, ids, result, progress);
    const EntitySlots slots = sumBySource(table, start, result, progress);
    progress.report("entities", 0.5);
    countDistinctValues(slots, start, ids, table.rowCount(), result, progress);
    if (table.strings)
        rankByAddress(*table.strings, result);
    progress.report("entities", 1.0);
    return result;
}

EntityVerdicts assessEntities(const EntityTable& entities, const Verdicts& verdicts, const std::vector<double>& scores)
{
    EntityVerdicts result;
    const std::size_t count = entities.entities.size();
    result.suspicious.assign(count, 0);
    result.lowestScore.assign(count, std::nan(""));
    const std::size_t rows = entities.entityOfRow.size();
    if (verdicts.suspicious.size() == rows) {
        for (std::size_t row = 0; row < rows; ++row)
            result.suspicious[entities.entityOfRow[row]] += verdicts.suspicious[row];
    }
    if (scores.size() == rows) {
        std::vector<double> lowest(count, std::numeric_limits<double>::infinity());
        for (std::size_t row = 0; row < rows; ++row) {
            double& slot = lowest[entities.entityOfRow[row]];
            slot = std::min(slot, scores[row]);
        }
        for (std::size_t e = 0; e < count; ++e) {
            if (std::isfinite(lowest[e]))
                result.lowestScore[e] = lowest[e];
        }
    }
    return result;
}

std::vector<std::uint32_t> entitySessionsIn(const EntityTable& entities, const std::vector<std::uint8_t>& mask)
{
    std::vector<std::uint32_t> sessions(entities.entities.size(), 0);
    if (mask.size() != entities.entityOfRow.size())
        return sessions;
    for (std::size_t row = 0; row < mask.size(); ++row)
        sessions[entities.entityOfRow[row]] += mask[row];
    return sessions;
}

EntityPeriod entitiesInPeriod(const EntityTable& entities, const TrafficTable& table,
                              const std::vector<std::uint8_t>& mask, const Verdicts* verdicts,
                              const std::vector<double>* scores)
{
    const std::size_t count = entities.entities.size();
    EntityPeriod period;
    period.sessions.assign(count, 0);
    period.bytesIn.assign(count, 0);
    period.bytesOut.assign(count, 0);
    period.firstSeen.assign(count, kMissingInteger);
    period.lastSeen.assign(count, kMissingInteger);
    period.suspicious.assign(count, 0);
    period.lowestScore.assign(count, std::nan(""));
    const std::size_t rows = entities.entityOfRow.size();
    if (mask.size() != rows || table.rowCount() != rows)
        return period;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    const auto& creation = table.column(Field::CreationTime).integers;
    const bool withVerdicts = verdicts && verdicts->suspicious.size() == rows;
    const bool withScores = scores && scores->size() == rows;
    for (std::size_t row = 0; row < rows; ++row) {
        if (!mask[row])
            continue;
        const std::uint32_t e = entities.entityOfRow[row];
        ++period.sessions[e];
        if (bytesIn[row] != kMissingInteger && bytesIn[row] > 0)
            period.bytesIn[e] += static_cast<std::uint64_t>(bytesIn[row]);
        if (bytesOut[row] != kMissingInteger && bytesOut[row] > 0)
            period.bytesOut[e] += static_cast<std::uint64_t>(bytesOut[row]);
        if (const Instant at = creation[row]; at != kMissingInteger) {
            if (period.firstSeen[e] == kMissingInteger || at < period.firstSeen[e])
                period.firstSeen[e] = at;
            if (period.lastSeen[e] == kMissingInteger || at > period.lastSeen[e])
                period.lastSeen[e] = at;
        }
        if (withVerdicts)
            period.suspicious[e] += verdicts->suspicious[row];
        if (withScores) {
            double& lowest = period.lowestScore[e];
            if (std::isnan(lowest) || (*scores)[row] < lowest)
                lowest = (*scores)[row];
        }
    }
    return period;
}

std::vector<std::uint8_t> rowsFromSources(const TrafficTable& table, const std::vector<std::uint32_t>& srcIps)
{
    const std::size_t ids = table.strings ? table.strings->size() : 1;
    std::vector<std::uint8_t> wanted(ids, 0);
    for (std::uint32_t ip : srcIps) {
        if (ip < ids)
            wanted[ip] = 1;
    }
    const auto& column = table.column(Field::SrcIp).text;
    std::vector<std::uint8_t> mask(column.size());
    for (std::size_t row = 0; row < column.size(); ++row)
        mask[row] = wanted[column[row]];
    return mask;
}

} // namespace webthreat

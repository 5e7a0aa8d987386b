#pragma once

#include "core/util/progress.h"
#include "core/detect/threshold.h"
#include "core/table/traffictable.h"

#include <array>
#include <cstdint>
#include <vector>

namespace webthreat {

// "Who is behind it": one entry per source IP, the figures an analyst reads to judge a source.
// What does not depend on the detector is computed once per load (aggregateEntities); what does
// (suspicious sessions, the most anomalous score) is recomputed per threshold in one cheap pass
// over the rows (assessEntities).

inline constexpr std::size_t kEntityTopValues = 3;

struct EntityStats {
    std::uint32_t srcIp = StringPool::kMissing; // interned id; kMissing groups rows without a source
    std::uint64_t sessions = 0;
    std::uint64_t bytesIn = 0; // sums of the values present
    std::uint64_t bytesOut = 0;
    Instant firstSeen = kMissingInteger; // earliest and latest creation_time; missing when no
    Instant lastSeen = kMissingInteger; // session of this source has one
    // Distinct values and the most frequent ones (most sessions first, ties by value). Missing
    // values are not counted; unused slots are StringPool::kMissing / kMissingInteger.
    std::uint32_t countryCount = 0;
    std::array<std::uint32_t, kEntityTopValues> topCountries{};
    std::uint32_t portCount = 0;
    std::array<std::int64_t, kEntityTopValues> topPorts{kMissingInteger, kMissingInteger, kMissingInteger};
};

struct EntityTable {
    std::vector<EntityStats> entities; // most sessions first, ties by first appearance
    std::vector<std::uint32_t> entityOfRow; // per table row: its index in entities
    std::vector<std::uint32_t> entityOfIp; // per interned string id: entity index or kNoEntity
    std::vector<std::uint32_t> ipRank; // per entity: its place when sorted by the address's text
    std::size_t rowsWithoutSource = 0;

    static constexpr std::uint32_t kNoEntity = 0xFFFFFFFFu;
    // The entity of a source IP id, or kNoEntity.
    std::uint32_t entityFor(std::uint32_t srcIp) const noexcept
    {
        return srcIp < entityOfIp.size() ? entityOfIp[srcIp] : kNoEntity;
    }
};

// Groups the table's rows by source IP in two passes over the rows (no hashing of strings: ids are
// array indexes). Progress stage "entities"; cancel is polled.
EntityTable aggregateEntities(const TrafficTable& table, const Progress& progress = {});
// Sets result.ipRank, the order by address text for sorting the view by IP: a string sort of every
// source, done once per file rather than on the GUI thread (tens of milliseconds at a million rows).
void rankByAddress(const StringPool& strings, EntityTable& result);

// The detector's part, per entity (same order as EntityTable::entities).
struct EntityVerdicts {
    std::vector<std::uint32_t> suspicious; // sessions labelled Suspicious
    std::vector<double> lowestScore; // the most anomalous score (scores are lower when
        // more anomalous); NaN when no scores
};

// One pass over the rows. verdicts and scores are per table row (scores may be empty).
EntityVerdicts assessEntities(const EntityTable& entities, const Verdicts& verdicts, const std::vector<double>& scores);

// Sessions per entity among the rows inside mask (one byte per table row): how much of a period
// each source accounts for. One pass.
std::vector<std::uint32_t> entitySessionsIn(const EntityTable& entities, const std::vector<std::uint8_t>& mask);

// The entities' figures over the rows of a period: what the Entities view shows while one is
// selected on the Timeline. Per entity, in EntityTable order. Countries and ports are the whole
// file's (EntityStats).
struct EntityPeriod {
    std::vector<std::uint32_t> sessions;
    std::vector<std::uint64_t> bytesIn; // sums of the values present
    std::vector<std::uint64_t> bytesOut;
    std::vector<Instant> firstSeen; // kMissingInteger where no session in the period has
    std::vector<Instant> lastSeen; // a creation_time
    std::vector<std::uint32_t> suspicious; // all 0 without verdicts
    std::vector<double> lowestScore; // NaN without scores or without a session in the period
};

// One pass over the rows inside mask (one byte per table row). verdicts and scores may be null;
// otherwise they are per table row.
EntityPeriod entitiesInPeriod(const EntityTable& entities, const TrafficTable& table,
                              const std::vector<std::uint8_t>& mask, const Verdicts* verdicts,
                              const std::vector<double>* scores);

// Per table row: 1 when its source IP is one of srcIps (interned ids), else 0.
std::vector<std::uint8_t> rowsFromSources(const TrafficTable& table, const std::vector<std::uint32_t>& srcIps);

} // namespace webthreat

#pragma once

#include "core/util/progress.h"
#include "core/detect/threshold.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// Traffic over time: sessions and bytes per time bucket of creation_time. The bucket width is a
// "nice" one (1 s, 5 s, 1 min, 15 min, 1 h, 1 day, 1 week, ...) chosen from the data's span so
// that there are at most kTimelineMaxBuckets buckets and, wherever the span allows, at least
// about 50.
inline constexpr std::size_t kTimelineMaxBuckets = 200;
// When every creation_time falls on a fixed window (10-minute aggregates, say), buckets of that
// window are used instead of narrower ones, as long as this many remain.
inline constexpr std::size_t kTimelineMinWindowBuckets = 25;

struct BucketWidth {
    Instant micros = kMicrosPerSecond;
    std::string label; // "15 min", "1 h", "1 day", "1 week"
};

// The smallest nice width that covers span (µs, >= 0) in at most maxBuckets buckets.
BucketWidth chooseBucketWidth(Instant span, std::size_t maxBuckets = kTimelineMaxBuckets);

struct Timeline {
    BucketWidth width;
    Instant start = 0; // start of the first bucket (a multiple of the width,
        // weeks starting on Monday 00:00 UTC)
    Instant first = kMissingInteger; // earliest and latest creation_time in the data
    Instant last = kMissingInteger;
    std::vector<std::uint64_t> sessions; // per bucket
    std::vector<std::uint64_t> bytes; // bytes_in + bytes_out of the bucket's sessions (values present)
    std::size_t missingTimestamps = 0; // rows without a creation_time: in no bucket

    std::size_t bucketCount() const noexcept { return sessions.size(); }
    Instant bucketStart(std::size_t bucket) const noexcept
    {
        return start + static_cast<Instant>(bucket) * width.micros;
    }
    // The bucket holding instant, or bucketCount() when outside.
    std::size_t bucketOf(Instant instant) const noexcept;
};

// One pass to find the span, one to fill the buckets. Progress stage "timeline".
Timeline buildTimeline(const TrafficTable& table, const Progress& progress = {});

// Suspicious sessions per bucket under verdicts (one value per table row): one pass.
std::vector<std::uint64_t> timelineSuspicious(const Timeline& timeline, const TrafficTable& table,
                                              const Verdicts& verdicts);

// Sessions per bucket among the rows inside mask (one byte per table row): the selected sources'
// share of the traffic. One pass.
std::vector<std::uint64_t> timelineSessions(const Timeline& timeline, const TrafficTable& table,
                                            const std::vector<std::uint8_t>& mask);

// Per table row: 1 when from <= creation_time < to (rows without a creation_time: 0).
std::vector<std::uint8_t> rowsInTimeRange(const TrafficTable& table, Instant from, Instant to);

} // namespace webthreat

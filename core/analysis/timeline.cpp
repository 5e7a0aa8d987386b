#include "core/analysis/timeline.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace webthreat {

namespace {

constexpr Instant kSecond = kMicrosPerSecond;
constexpr Instant kMinute = 60 * kSecond;
constexpr Instant kHour = 60 * kMinute;
constexpr Instant kDay = 24 * kHour;
constexpr Instant kWeek = 7 * kDay;
constexpr Instant kYear = 365 * kDay;
// 1970-01-05 was the first Monday after the epoch (a Thursday).
constexpr Instant kFirstMonday = 4 * kDay;

struct NiceWidth {
    Instant micros;
    const char* label;
};
// Consecutive widths differ by at most a factor of 4 (but 1 day -> 2 days -> 1 week), so the
// chosen width leaves at least a quarter of the maximum bucket count, about 50 of 200.
constexpr std::array<NiceWidth, 24> kNiceWidths{{
    {kSecond, "1 s"},       {2 * kSecond, "2 s"},     {5 * kSecond, "5 s"},     {10 * kSecond, "10 s"},
    {15 * kSecond, "15 s"}, {30 * kSecond, "30 s"},   {kMinute, "1 min"},       {2 * kMinute, "2 min"},
    {5 * kMinute, "5 min"}, {10 * kMinute, "10 min"}, {15 * kMinute, "15 min"}, {30 * kMinute, "30 min"},
    {kHour, "1 h"},         {2 * kHour, "2 h"},       {3 * kHour, "3 h"},       {6 * kHour, "6 h"},
    {12 * kHour, "12 h"},   {kDay, "1 day"},          {2 * kDay, "2 days"},     {kWeek, "1 week"},
    {2 * kWeek, "2 weeks"}, {30 * kDay, "30 days"},   {91 * kDay, "91 days"},   {kYear, "365 days"},
}};

Instant floorDiv(Instant value, Instant divisor) noexcept
{
    const Instant quotient = value / divisor;
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

} // namespace

BucketWidth chooseBucketWidth(Instant span, std::size_t maxBuckets)
{
    span = std::max<Instant>(span, 0);
    maxBuckets = std::max<std::size_t>(maxBuckets, 1);
    const auto fits = [&](Instant width) {
        // Buckets needed when the span starts anywhere inside the first bucket: span / width + 1.
        return static_cast<std::size_t>(span / width) + 1 <= maxBuckets;
    };
    for (const NiceWidth& width : kNiceWidths) {
        if (fits(width.micros))
            return {width.micros, width.label};
    }
    // Spans of centuries: whole years times 1, 2 or 5 times a power of ten.
    for (Instant decade = 1;; decade *= 10) {
        for (Instant factor : {1, 2, 5}) {
            const Instant years = factor * decade;
            if (fits(years * kYear))
                return {years * kYear, std::to_string(years * 365) + " days"};
        }
    }
}

std::size_t Timeline::bucketOf(Instant instant) const noexcept
{
    if (instant == kMissingInteger || instant < start)
        return bucketCount();
    const auto bucket = static_cast<std::size_t>((instant - start) / width.micros);
    return std::min(bucket, bucketCount());
}

Timeline buildTimeline(const TrafficTable& table, const Progress& progress)
{
    Timeline timeline;
    const auto& creation = table.column(Field::CreationTime).integers;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    const std::size_t rows = table.rowCount();
    Instant first = 0;
    Instant last = 0;
    bool any = false;
    // The greatest common step between the instants: exports that aggregate into fixed windows
    // (the reference data's are 10 minutes) are drawn best with buckets of that window.
    Instant step = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        const Instant created = creation[row];
        if (created == kMissingInteger) {
            ++timeline.missingTimestamps;
            continue;
        }
        if (!any) {
            first = last = created;
            any = true;
        } else {
            first = std::min(first, created);
            last = std::max(last, created);
            if (step != 1)
                step = std::gcd(step, created > first ? created - first : first - created);
        }
    }
    if (!any) {
        timeline.width = chooseBucketWidth(0);
        progress.report("timeline", 1.0);
        return timeline;
    }
    timeline.first = first;
    timeline.last = last;
    // Widths of a week or more start on Mondays; shorter ones on multiples of themselves (UTC).
    const Instant span = last - first;
    timeline.width = chooseBucketWidth(span);
    if (step > timeline.width.micros) {
        // Every instant is a multiple of step apart: narrower buckets than that would alternate
        // with empty ones. Take the widest nice width that divides the step and still leaves
        // kTimelineMinWindowBuckets buckets.
        for (auto it = kNiceWidths.rbegin(); it != kNiceWidths.rend(); ++it) {
            if (it->micros > timeline.width.micros && it->micros <= step && step % it->micros == 0
                && static_cast<std::size_t>(span / it->micros) + 1 >= kTimelineMinWindowBuckets) {
                timeline.width = {it->micros, it->label};
                break;
            }
        }
    }
    const Instant width = timeline.width.micros;
    const Instant origin = width % kWeek == 0 ? kFirstMonday : 0;
    timeline.start = origin + floorDiv(first - origin, width) * width;
    auto buckets = static_cast<std::size_t>((last - timeline.start) / width) + 1;
    if (buckets > kTimelineMaxBuckets) {
        // Alignment can push a span that fits exactly into one more bucket: start at the first
        // instant instead.
        timeline.start = first;
        buckets = static_cast<std::size_t>(span / width) + 1;
    }
    timeline.sessions.assign(buckets, 0);
    timeline.bytes.assign(buckets, 0);
    progress.report("timeline", 0.5);
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        const Instant created = creation[row];
        if (created == kMissingInteger)
            continue;
        const auto bucket = static_cast<std::size_t>((created - timeline.start) / width);
        ++timeline.sessions[bucket];
        if (bytesIn[row] != kMissingInteger && bytesIn[row] > 0)
            timeline.bytes[bucket] += static_cast<std::uint64_t>(bytesIn[row]);
        if (bytesOut[row] != kMissingInteger && bytesOut[row] > 0)
            timeline.bytes[bucket] += static_cast<std::uint64_t>(bytesOut[row]);
    }
    progress.report("timeline", 1.0);
    return timeline;
}

std::vector<std::uint64_t> timelineSuspicious(const Timeline& timeline, const TrafficTable& table,
                                              const Verdicts& verdicts)
{
    std::vector<std::uint64_t> suspicious(timeline.bucketCount(), 0);
    const auto& creation = table.column(Field::CreationTime).integers;
    if (verdicts.suspicious.size() != creation.size() || timeline.bucketCount() == 0)
        return suspicious;
    for (std::size_t row = 0; row < creation.size(); ++row) {
        if (!verdicts.suspicious[row])
            continue;
        const std::size_t bucket = timeline.bucketOf(creation[row]);
        if (bucket < suspicious.size())
            ++suspicious[bucket];
    }
    return suspicious;
}

std::vector<std::uint64_t> timelineSessions(const Timeline& timeline, const TrafficTable& table,
                                            const std::vector<std::uint8_t>& mask)
{
    std::vector<std::uint64_t> sessions(timeline.bucketCount(), 0);
    const auto& creation = table.column(Field::CreationTime).integers;
    if (mask.size() != creation.size())
        return sessions;
    for (std::size_t row = 0; row < creation.size(); ++row) {
        if (!mask[row])
            continue;
        const std::size_t bucket = timeline.bucketOf(creation[row]);
        if (bucket < sessions.size())
            ++sessions[bucket];
    }
    return sessions;
}

std::vector<std::uint8_t> rowsInTimeRange(const TrafficTable& table, Instant from, Instant to)
{
    const auto& creation = table.column(Field::CreationTime).integers;
    std::vector<std::uint8_t> mask(creation.size());
    for (std::size_t row = 0; row < creation.size(); ++row) {
        const Instant created = creation[row];
        mask[row] = created != kMissingInteger && created >= from && created < to;
    }
    return mask;
}

} // namespace webthreat

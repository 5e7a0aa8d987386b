#include "core/behaviour/behaviour.h"

#include "core/behaviour/behaviour_internal.h"
#include "core/util/format.h"
#include "core/util/parallel.h"

#include <chrono>
#include <cmath>
#include <limits>

namespace webthreat {

namespace {

constexpr double kSentenceBeaconScore = 0.7;
constexpr double kSentenceVolumeRatio = 10.0;
// A pair under this score is described as keeping no beat (kReportedBeaconScore, behaviourreport.h).
constexpr double kReportedPairScore = 0.5;
// Sizes whose median absolute deviation is at most this share of their median read as near-constant.
constexpr double kNearConstantSizes = 0.1;

std::string roundedNumber(double value)
{
    // Two significant digits under 10, whole numbers above: "2.5", "60", "340".
    if (value < 10.0) {
        const double tenths = std::round(value * 10.0) / 10.0;
        return formatNumber(tenths);
    }
    return formatNumber(std::round(value));
}

} // namespace

namespace behaviour_internal {

namespace {

// One row range's part of the counting sort.
struct RangeCounts {
    std::vector<std::uint32_t> next; // per source id: its count, then its next write position
    std::size_t unplaced = 0;
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    std::int64_t last = std::numeric_limits<std::int64_t>::min();
};

void countRange(const SessionColumns& columns, std::size_t begin, std::size_t end, RangeCounts& counts,
                const Progress& progress)
{
    for (std::size_t row = begin; row < end; ++row) {
        if ((row - begin) % kCheckEvery == 0)
            progress.check();
        const std::int64_t start = columns.startOf(row);
        const std::uint32_t src = (*columns.src)[row];
        if (start == kMissingInteger || src == StringPool::kMissing) {
            ++counts.unplaced;
            continue;
        }
        counts.first = std::min(counts.first, start);
        counts.last = std::max(counts.last, start);
        ++counts.next[src];
    }
}

void fillRange(const SessionColumns& columns, const FailureColumns* failures, std::size_t begin, std::size_t end,
               RangeCounts& counts, std::vector<SessionRecord>& records, const Progress& progress)
{
    for (std::size_t row = begin; row < end; ++row) {
        if ((row - begin) % kCheckEvery == 0)
            progress.check();
        const std::uint32_t src = (*columns.src)[row];
        const std::int64_t start = columns.startOf(row);
        if (src == StringPool::kMissing || start == kMissingInteger)
            continue;
        SessionRecord& record = records[counts.next[src]++];
        record.start = start;
        record.packedPort = SessionRecord::packPort(columns.portOf(row));
        record.packedBytes
            = SessionRecord::packBytes(columns.bytesIn ? (*columns.bytesIn)[row] : kMissingInteger,
                                       columns.bytesOut ? (*columns.bytesOut)[row] : kMissingInteger)
              | (failures && failures->failed(row) ? SessionRecord::kFailedBit : 0u);
        record.dst = columns.dstOf(row);
        record.row = static_cast<std::uint32_t>(row);
    }
}

} // namespace

SourceGroups groupBySource(const TrafficTable& table, const SessionColumns& columns, const FailureColumns* failures,
                           int threads, const Progress& progress)
{
    SourceGroups groups;
    const std::size_t rows = table.rowCount();
    if (!columns.src) {
        groups.unplaced = rows;
        return groups;
    }
    // Each range keeps a count per string id: at most 8 ranges, and one for a small table.
    const std::size_t ranges = rows < (1u << 16) ? 1 : std::min<std::size_t>(resolveThreads(threads), 8);
    std::vector<RangeCounts> counts(ranges);
    const std::size_t ids = table.strings->size();
    auto rangeOf = [&](std::size_t r) { return std::pair(rows * r / ranges, rows * (r + 1) / ranges); };
    parallelFor(ranges, static_cast<unsigned>(ranges), [&](std::size_t r) {
        counts[r].next.assign(ids, 0);
        countRange(columns, rangeOf(r).first, rangeOf(r).second, counts[r], progress);
    });
    std::uint32_t total = 0;
    for (std::size_t id = 0; id < ids; ++id) {
        const std::uint32_t sourceBegin = total;
        for (RangeCounts& range : counts) {
            const std::uint32_t count = range.next[id];
            range.next[id] = total;
            total += count;
        }
        if (total > sourceBegin)
            groups.begins.push_back(sourceBegin);
    }
    groups.begins.push_back(total);
    bool any = false;
    for (const RangeCounts& range : counts) {
        groups.unplaced += range.unplaced;
        if (range.first > range.last)
            continue;
        groups.first = any ? std::min(groups.first, range.first) : range.first;
        groups.last = any ? std::max(groups.last, range.last) : range.last;
        any = true;
    }
    progress.check();
    groups.records.resize(total);
    parallelFor(ranges, static_cast<unsigned>(ranges), [&](std::size_t r) {
        fillRange(columns, failures, rangeOf(r).first, rangeOf(r).second, counts[r], groups.records, progress);
    });
    return groups;
}

} // namespace behaviour_internal

void BehaviourParams::validate() const
{
    beacons.validate();
    fanOut.validate();
}

BehaviourResult analyzeBehaviour(const TrafficTable& table, const BehaviourParams& params, const Progress& progress)
{
    params.validate();
    const auto started = std::chrono::steady_clock::now();
    BehaviourResult result;
    // One grouping by source for both passes.
    using namespace behaviour_internal;
    const SessionColumns columns = sessionColumns(table);
    std::vector<std::string> failedColumns;
    const FailureColumns failures = failureColumns(table, failedColumns);
    progress.report("beacons", 0.0);
    SourceGroups groups = groupBySource(table, columns, failures.any() ? &failures : nullptr, params.beacons.threads,
                                        progress);
    result.beacons = scoreGroupedBeacons(groups, table, columns, params.beacons, progress);
    result.fanOut = aggregateGroupedFanOut(groups, table, columns, std::move(failedColumns), params.fanOut, progress);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

BehaviourRowFeatures behaviourRowFeatures(const BehaviourResult& behaviour, std::size_t rows)
{
    BehaviourRowFeatures features;
    features.beaconScore.resize(rows);
    features.fanOut.resize(rows);
    features.volumeRatio.resize(rows);
    for (std::size_t row = 0; row < rows; ++row) {
        features.beaconScore[row] = behaviour.beacons.scoreOfRow(row);
        features.fanOut[row] = behaviour.fanOut.fanOutOfRow(row);
        features.volumeRatio[row] = behaviour.fanOut.volumeRatioOfRow(row);
    }
    return features;
}

std::string spokenDuration(double seconds)
{
    if (seconds < 120.0)
        return roundedNumber(seconds) + " s";
    if (seconds < 2.0 * 3600.0)
        return roundedNumber(seconds / 60.0) + " minutes";
    if (seconds < 2.0 * 86400.0)
        return roundedNumber(seconds / 3600.0) + " hours";
    return roundedNumber(seconds / 86400.0) + " days";
}

std::string beaconSentence(const BeaconPair& pair)
{
    std::string sentence = "this pair repeats every " + spokenDuration(pair.medianIntervalSeconds) + " ±"
                           + spokenDuration(pair.intervalMadSeconds);
    if (pair.missedBeats > 0)
        sentence += " with " + groupedCount(pair.missedBeats) + (pair.missedBeats == 1 ? " beat" : " beats")
                    + " missed";
    return sentence;
}

std::string fanOutSentence(const SourceWindow& window, double windowSeconds)
{
    const bool ports = window.distinctPorts >= window.distinctHosts;
    const std::uint32_t count = ports ? window.distinctPorts : window.distinctHosts;
    std::string sentence = "this source contacted " + groupedCount(count) + (ports ? " port" : " host")
                           + (count == 1 ? "" : "s") + " in " + spokenDuration(windowSeconds);
    if (window.failed > 0)
        sentence += ", " + groupedCount(window.failed) + " of " + groupedCount(window.sessions) + " sessions failed";
    return sentence;
}

std::vector<std::string> rowBehaviourSentences(const BehaviourResult& behaviour, std::size_t row)
{
    std::vector<std::string> sentences;
    const BeaconResult& beacons = behaviour.beacons;
    if (row < beacons.pairOfRow.size() && beacons.pairOfRow[row] != BeaconResult::kNoPair) {
        const BeaconPair& pair = beacons.pairs[beacons.pairOfRow[row]];
        if (pair.score >= kSentenceBeaconScore)
            sentences.push_back(beaconSentence(pair));
    }
    const FanOutResult& fanOut = behaviour.fanOut;
    if (const SourceWindow window = fanOut.rowWindow(row); window.sessions > 0) {
        if (window.fanOut() >= fanOut.params.minFanOut)
            sentences.push_back(fanOutSentence(window, fanOut.params.windowSeconds));
        const double ratio = fanOut.volumeRatioOfRow(row);
        if (ratio >= kSentenceVolumeRatio)
            sentences.push_back("this source sent " + roundedNumber(ratio) + " times its usual number of sessions in "
                                + spokenDuration(fanOut.params.windowSeconds));
    }
    return sentences;
}

std::string pairBeaconSentence(const BehaviourResult& behaviour, std::size_t row)
{
    const BeaconResult& beacons = behaviour.beacons;
    if (row >= beacons.pairOfRow.size() || beacons.pairOfRow[row] == BeaconResult::kNoPair)
        return "this pair has fewer than " + groupedCount(beacons.params.minSessions)
            + " sessions: too few for a beacon score";
    const BeaconPair& pair = beacons.pairs[beacons.pairOfRow[row]];
    const std::string score = " (beacon score " + formatNumber(std::round(pair.score * 100.0) / 100.0) + ")";
    if (pair.score < kReportedPairScore)
        return "this pair's " + groupedCount(pair.sessions) + " sessions keep no regular beat" + score;
    std::string sentence = "this pair calls every " + spokenDuration(pair.medianIntervalSeconds) + " ±"
        + spokenDuration(pair.intervalMadSeconds);
    const bool constantSizes = pair.medianBytes > 0.0 && pair.bytesMad <= kNearConstantSizes * pair.medianBytes;
    if (constantSizes)
        sentence += " with near-constant sizes";
    if (pair.missedBeats > 0)
        sentence += std::string(constantSizes ? " and " : " with ")
            + groupedCount(pair.missedBeats) + (pair.missedBeats == 1 ? " beat" : " beats") + " missed";
    return sentence + score;
}

std::string sourceFanOutSentence(const BehaviourResult& behaviour, std::size_t row)
{
    const FanOutResult& fanOut = behaviour.fanOut;
    if (row >= fanOut.windowOfRow.size() || fanOut.windowOfRow[row] == FanOutResult::kNoWindow)
        return "this row has no source or start time: no window to count";
    return fanOutSentence(fanOut.rowWindow(row), fanOut.params.windowSeconds);
}

std::string sourceVolumeSentence(const BehaviourResult& behaviour, std::size_t row)
{
    const FanOutResult& fanOut = behaviour.fanOut;
    if (row >= fanOut.windowOfRow.size() || fanOut.windowOfRow[row] == FanOutResult::kNoWindow)
        return "this row has no source or start time: no window to count";
    return "this source sent " + roundedNumber(fanOut.volumeRatioOfRow(row)) + " times its usual number of sessions in "
        + spokenDuration(fanOut.params.windowSeconds);
}

} // namespace webthreat

#include "core/behaviour/beacons.h"

#include "core/behaviour/behaviour_internal.h"
#include "core/util/errors.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>

namespace webthreat {

using namespace behaviour_internal;

namespace {

bool finiteAtLeast(double value, double low) noexcept
{
    return std::isfinite(value) && value >= low;
}

// What one pair's scoring reuses from pair to pair.
struct PairScratch {
    std::vector<double> intervals;
    std::vector<double> folded;
    std::vector<double> sizes;
    std::vector<double> deviations;
};

double regularity(const RobustSpread& spread, double tolerance) noexcept
{
    if (spread.median <= 0.0)
        return spread.mad == 0.0 ? 1.0 : 0.0;
    return std::clamp(1.0 - spread.mad / spread.median / tolerance, 0.0, 1.0);
}

double regularityPart(const RobustSpread& spread, double tolerance) noexcept
{
    return 0.8 * regularity(spread, tolerance) + 0.2 * (1.0 - std::abs(spread.bowleySkew));
}

// The intervals' part: the median interval, then each interval of k medians (a run of missed
// beats) taken as k beats, then how tightly the beats cluster around their median.
void scoreTiming(BeaconPair& pair, PairScratch& scratch, const BeaconParams& params)
{
    std::vector<double>& intervals = scratch.intervals;
    std::vector<double>& folded = scratch.folded;
    folded = intervals;
    std::nth_element(folded.begin(), folded.begin() + static_cast<std::ptrdiff_t>(folded.size() / 2), folded.end());
    const double rawMedian = folded[folded.size() / 2];
    folded = intervals;
    if (rawMedian >= params.minMedianIntervalSeconds && rawMedian > 0.0) {
        for (double& interval : folded) {
            const double beats = std::round(interval / rawMedian);
            if (beats >= 2.0 && beats <= params.maxBeatsPerGap
                && std::abs(interval / beats - rawMedian) <= params.intervalTolerance * rawMedian) {
                pair.missedBeats += static_cast<std::size_t>(beats) - 1;
                interval /= beats;
            }
        }
    }
    const RobustSpread spread = robustSpread(folded, scratch.deviations);
    pair.medianIntervalSeconds = spread.median;
    pair.intervalMadSeconds = spread.mad;
    pair.intervalSkew = spread.bowleySkew;
    if (rawMedian < params.minMedianIntervalSeconds || spread.median <= 0.0) {
        pair.parts.timing = 0.0;
        return;
    }
    const double missedShare
        = static_cast<double>(pair.missedBeats) / static_cast<double>(intervals.size() + pair.missedBeats);
    pair.parts.timing = regularityPart(spread, params.intervalTolerance)
                        * (1.0 - std::max(0.0, missedShare - params.missedBeatsAllowance));
}

// sessions: the pair's sessions in time order.
BeaconPair scorePair(std::span<const SessionRecord> sessions, std::uint32_t srcIp, const SessionColumns& columns,
                     const BeaconParams& params, double dataSpanSeconds, PairScratch& scratch)
{
    BeaconPair pair;
    pair.sessions = sessions.size();
    pair.srcIp = srcIp;
    pair.dstIp = sessions.front().dst;
    pair.dstPort = sessions.front().port(columns);
    pair.firstSeen = sessions.front().start;
    pair.lastSeen = sessions.back().start;

    scratch.intervals.clear();
    for (std::size_t i = 1; i < sessions.size(); ++i)
        scratch.intervals.push_back(static_cast<double>(sessions[i].start - sessions[i - 1].start) / kMicrosPerSecond);
    scoreTiming(pair, scratch, params);

    scratch.sizes.clear();
    for (const SessionRecord& session : sessions)
        if (const double bytes = session.bytes(columns); bytes >= 0.0)
            scratch.sizes.push_back(bytes);
    if (scratch.sizes.size() >= 2) {
        const RobustSpread sizes = robustSpread(scratch.sizes, scratch.deviations);
        pair.medianBytes = sizes.median;
        pair.bytesMad = sizes.mad;
        pair.parts.sizes = regularityPart(sizes, params.sizeTolerance);
    }

    const double spanSeconds = static_cast<double>(pair.lastSeen - pair.firstSeen) / kMicrosPerSecond;
    pair.spanShare = dataSpanSeconds > 0.0 ? spanSeconds / dataSpanSeconds : 1.0;
    if (pair.medianIntervalSeconds > 0.0) {
        const double expected = spanSeconds / pair.medianIntervalSeconds + 1.0;
        pair.parts.coverage = std::min(1.0, static_cast<double>(pair.sessions) / expected);
    }
    const double weights = params.timingWeight + params.sizeWeight + params.coverageWeight;
    pair.score = std::clamp((params.timingWeight * pair.parts.timing + params.sizeWeight * pair.parts.sizes
                             + params.coverageWeight * pair.parts.coverage)
                                / weights,
                            0.0, 1.0);
    return pair;
}

// The pairs of a range of sources: each source's sessions sorted in place (in groups.records) by
// destination, port and start, so that each pair is a run in time order; the runs of at least
// minSessions scored. rowsBegin indexes groups.records.
struct TaskPairs {
    std::vector<BeaconPair> pairs;
    std::size_t seen = 0;
};

TaskPairs pairsOfSources(SourceGroups& groups, std::pair<std::size_t, std::size_t> sources,
                         const SessionColumns& columns, const BeaconParams& params, double dataSpan)
{
    TaskPairs found;
    PairScratch scratch;
    for (std::size_t s = sources.first; s < sources.second; ++s) {
        const std::span<SessionRecord> sessions(groups.records.data() + groups.begins[s],
                                                groups.begins[s + 1] - groups.begins[s]);
        // By the packed port: only ports marked "in the column" need their value to be told apart.
        // (Those sort before the others; the order of a source's pairs does not matter, the pairs
        // are ranked by ranksBefore.)
        std::sort(sessions.begin(), sessions.end(), [&](const SessionRecord& a, const SessionRecord& b) {
            if (a.dst != b.dst)
                return a.dst < b.dst;
            if (a.packedPort != b.packedPort)
                return a.packedPort < b.packedPort;
            if (a.packedPort == SessionRecord::kPortInColumn) {
                const std::int64_t portA = a.port(columns);
                const std::int64_t portB = b.port(columns);
                if (portA != portB)
                    return portA < portB;
            }
            return std::tie(a.start, a.row) < std::tie(b.start, b.row);
        });
        const std::uint32_t src = groups.srcOf(s, columns);
        auto samePair = [&](const SessionRecord& a, const SessionRecord& b) {
            return a.dst == b.dst && a.packedPort == b.packedPort
                   && (a.packedPort != SessionRecord::kPortInColumn || a.port(columns) == b.port(columns));
        };
        for (std::size_t begin = 0; begin < sessions.size();) {
            std::size_t end = begin + 1;
            while (end < sessions.size() && samePair(sessions[end], sessions[begin]))
                ++end;
            ++found.seen;
            if (end - begin >= params.minSessions) {
                found.pairs.push_back(scorePair(sessions.subspan(begin, end - begin), src, columns, params, dataSpan, scratch));
                found.pairs.back().rowsBegin = groups.begins[s] + begin;
            }
            begin = end;
        }
    }
    return found;
}

// Pairs by score, highest first; ties by more sessions, then first seen, then addresses.
bool ranksBefore(const BeaconPair& a, const BeaconPair& b) noexcept
{
    if (a.score != b.score)
        return a.score > b.score;
    if (a.sessions != b.sessions)
        return a.sessions > b.sessions;
    if (a.firstSeen != b.firstSeen)
        return a.firstSeen < b.firstSeen;
    return std::tie(a.srcIp, a.dstIp, a.dstPort) < std::tie(b.srcIp, b.dstIp, b.dstPort);
}

} // namespace

void BeaconParams::validate() const
{
    if (minSessions < 3)
        throw ParameterError("beacon minSessions must be at least 3 (got " + std::to_string(minSessions) + ")");
    if (!finiteAtLeast(minMedianIntervalSeconds, 0.0))
        throw ParameterError("beacon minMedianIntervalSeconds must be a number of seconds, 0 or more");
    if (!finiteAtLeast(intervalTolerance, 0.0) || intervalTolerance <= 0.0 || intervalTolerance > 1.0)
        throw ParameterError("beacon intervalTolerance must be above 0 and at most 1");
    if (!finiteAtLeast(sizeTolerance, 0.0) || sizeTolerance <= 0.0 || sizeTolerance > 10.0)
        throw ParameterError("beacon sizeTolerance must be above 0 and at most 10");
    if (maxBeatsPerGap < 1 || maxBeatsPerGap > 100)
        throw ParameterError("beacon maxBeatsPerGap must be between 1 and 100 (got " + std::to_string(maxBeatsPerGap)
                             + ")");
    if (!finiteAtLeast(missedBeatsAllowance, 0.0) || missedBeatsAllowance > 1.0)
        throw ParameterError("beacon missedBeatsAllowance must be between 0 and 1");
    if (!finiteAtLeast(timingWeight, 0.0) || !finiteAtLeast(sizeWeight, 0.0) || !finiteAtLeast(coverageWeight, 0.0)
        || timingWeight + sizeWeight + coverageWeight <= 0.0)
        throw ParameterError("beacon weights must be 0 or more, and not all 0");
    if (threads < 0)
        throw ParameterError("beacon threads must be 0 (all cores) or more");
}

BeaconResult behaviour_internal::scoreGroupedBeacons(SourceGroups& groups, const TrafficTable& table,
                                                     const SessionColumns& columns, const BeaconParams& params,
                                                     const Progress& progress)
{
    BeaconResult result;
    result.params = params;
    result.rowsWithoutSourceOrTime = groups.unplaced;
    result.dataStart = groups.first;
    result.dataEnd = groups.last;
    progress.report("beacons", 0.3);

    const double dataSpan = static_cast<double>(groups.last - groups.first) / kMicrosPerSecond;
    const auto tasks = sourceTasks(groups, 1 << 14);
    std::vector<TaskPairs> found(tasks.size());
    parallelFor(tasks.size(), resolveThreads(params.threads), [&](std::size_t task) {
        progress.check();
        found[task] = pairsOfSources(groups, tasks[task], columns, params, dataSpan);
    });
    progress.check();
    std::vector<BeaconPair> scored;
    for (TaskPairs& part : found) {
        result.pairsSeen += part.seen;
        scored.insert(scored.end(), part.pairs.begin(), part.pairs.end());
    }
    std::sort(scored.begin(), scored.end(), ranksBefore);
    result.pairOfRow.assign(table.rowCount(), BeaconResult::kNoPair);
    std::size_t pairRows = 0;
    for (const BeaconPair& pair : scored)
        pairRows += pair.sessions;
    result.pairRows.reserve(pairRows);
    for (BeaconPair& pair : scored) {
        const std::size_t from = pair.rowsBegin;
        pair.rowsBegin = result.pairRows.size();
        const auto index = static_cast<std::uint32_t>(&pair - scored.data());
        for (std::size_t k = 0; k < pair.sessions; ++k) {
            const std::uint32_t row = groups.records[from + k].row;
            result.pairRows.push_back(row);
            result.pairOfRow[row] = index;
        }
    }
    result.pairs = std::move(scored);
    progress.report("beacons", 1.0);
    return result;
}

BeaconResult scoreBeacons(const TrafficTable& table, const BeaconParams& params, const Progress& progress)
{
    params.validate();
    const SessionColumns columns = sessionColumns(table);
    progress.report("beacons", 0.0);
    SourceGroups groups = groupBySource(table, columns, nullptr, params.threads, progress);
    return scoreGroupedBeacons(groups, table, columns, params, progress);
}

} // namespace webthreat

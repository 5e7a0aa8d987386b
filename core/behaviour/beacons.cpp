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
    std::vector<std::pair<std::int64_t, std::uint32_t>> starts; // (start µs, row)
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
    pair.parts.timing = regularityPart(spread, params.intervalTolerance);
}

BeaconPair scorePair(std::span<std::uint32_t> rows, const SessionColumns& columns, const BeaconParams& params,
                     double dataSpanSeconds, PairScratch& scratch)
{
    BeaconPair pair;
    pair.sessions = rows.size();
    pair.srcIp = columns.srcOf(rows[0]);
    pair.dstIp = columns.dstOf(rows[0]);
    pair.dstPort = columns.portOf(rows[0]);

    auto& starts = scratch.starts;
    starts.clear();
    for (const std::uint32_t row : rows)
        starts.emplace_back(columns.startOf(row), row);
    std::sort(starts.begin(), starts.end());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = starts[i].second;
    pair.firstSeen = starts.front().first;
    pair.lastSeen = starts.back().first;

    scratch.intervals.clear();
    for (std::size_t i = 1; i < starts.size(); ++i)
        scratch.intervals.push_back(static_cast<double>(starts[i].first - starts[i - 1].first) / kMicrosPerSecond);
    scoreTiming(pair, scratch, params);

    scratch.sizes.clear();
    for (const std::uint32_t row : rows) {
        const double bytes = columns.bytesOf(row);
        if (bytes >= 0.0)
            scratch.sizes.push_back(bytes);
    }
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

// The pass over the rows: each row's pair id (kNoGroup without a source or a start), the number
// of pairs, and the data's first and last start.
struct PairIds {
    std::vector<std::uint32_t> ofRow;
    std::size_t count = 0;
    std::size_t unplaced = 0;
    Instant first = 0;
    Instant last = 0;
};

PairIds hashPairs(const TrafficTable& table, const SessionColumns& columns, const Progress& progress)
{
    const std::size_t rows = table.rowCount();
    PairIds ids;
    ids.ofRow.assign(rows, kNoGroup);
    KeyIndex index(std::min<std::size_t>(rows / 4 + 1, 1 << 22));
    bool any = false;
    for (std::size_t row = 0; row < rows; ++row) {
        if (row % kCheckEvery == 0) {
            progress.check();
            progress.report("beacons", 0.4 * static_cast<double>(row) / static_cast<double>(rows));
        }
        const std::int64_t start = columns.startOf(row);
        const std::uint32_t src = columns.srcOf(row);
        if (start == kMissingInteger || src == StringPool::kMissing) {
            ++ids.unplaced;
            continue;
        }
        ids.first = any ? std::min(ids.first, start) : start;
        ids.last = any ? std::max(ids.last, start) : start;
        any = true;
        const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | columns.dstOf(row);
        ids.ofRow[row] = index.idOf(key, static_cast<std::uint64_t>(columns.portOf(row)));
    }
    ids.count = index.size();
    return ids;
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
    if (!finiteAtLeast(timingWeight, 0.0) || !finiteAtLeast(sizeWeight, 0.0) || !finiteAtLeast(coverageWeight, 0.0)
        || timingWeight + sizeWeight + coverageWeight <= 0.0)
        throw ParameterError("beacon weights must be 0 or more, and not all 0");
    if (threads < 0)
        throw ParameterError("beacon threads must be 0 (all cores) or more");
}

BeaconResult scoreBeacons(const TrafficTable& table, const BeaconParams& params, const Progress& progress)
{
    params.validate();
    BeaconResult result;
    result.params = params;
    const SessionColumns columns = sessionColumns(table);
    PairIds ids = hashPairs(table, columns, progress);
    result.pairsSeen = ids.count;
    result.rowsWithoutSourceOrTime = ids.unplaced;
    result.dataStart = ids.first;
    result.dataEnd = ids.last;
    Groups groups = groupRows(ids.ofRow, ids.count);
    progress.report("beacons", 0.5);

    std::vector<std::uint32_t> candidates;
    for (std::size_t pair = 0; pair < ids.count; ++pair)
        if (groups.size(pair) >= params.minSessions)
            candidates.push_back(static_cast<std::uint32_t>(pair));
    std::vector<BeaconPair> scored(candidates.size());
    const double dataSpan = static_cast<double>(ids.last - ids.first) / kMicrosPerSecond;
    constexpr std::size_t pairsPerTask = 256;
    const std::size_t tasks = (candidates.size() + pairsPerTask - 1) / pairsPerTask;
    parallelFor(tasks, resolveThreads(params.threads), [&](std::size_t task) {
        progress.check();
        PairScratch scratch;
        const std::size_t end = std::min(candidates.size(), (task + 1) * pairsPerTask);
        for (std::size_t i = task * pairsPerTask; i < end; ++i) {
            const std::uint32_t pair = candidates[i];
            const std::span<std::uint32_t> rows(groups.rows.data() + groups.offsets[pair], groups.size(pair));
            scored[i] = scorePair(rows, columns, params, dataSpan, scratch);
            scored[i].rowsBegin = groups.offsets[pair]; // into groups.rows for now
        }
    });
    progress.check();

    std::vector<std::uint32_t> order(scored.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<std::uint32_t>(i);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return ranksBefore(scored[a], scored[b]); });
    result.pairs.reserve(scored.size());
    result.pairOfRow.assign(table.rowCount(), BeaconResult::kNoPair);
    for (const std::uint32_t i : order) {
        BeaconPair pair = scored[i];
        const std::size_t from = pair.rowsBegin;
        pair.rowsBegin = result.pairRows.size();
        const auto index = static_cast<std::uint32_t>(result.pairs.size());
        for (std::size_t k = 0; k < pair.sessions; ++k) {
            const std::uint32_t row = groups.rows[from + k];
            result.pairRows.push_back(row);
            result.pairOfRow[row] = index;
        }
        result.pairs.push_back(pair);
    }
    progress.report("beacons", 1.0);
    return result;
}

} // namespace webthreat

#include "core/behaviour/fanout.h"

#include "core/behaviour/behaviour_internal.h"
#include "core/util/errors.h"
#include "core/util/parallel.h"

#include <array>
#include <cctype>
#include <cmath>
#include <numeric>
#include <span>
#include <tuple>

namespace webthreat {

using namespace behaviour_internal;

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

std::int64_t floorDiv(std::int64_t value, std::int64_t by) noexcept
{
    const std::int64_t quotient = value / by;
    return quotient * by > value ? quotient - 1 : quotient;
}

// Counts one window's sessions, failures, bytes and distinct ports and hosts.
SourceWindow countWindow(std::span<const SessionRecord> sessions, const SessionColumns& columns,
                         std::vector<std::int64_t>& ports, std::vector<std::uint32_t>& hosts)
{
    SourceWindow window;
    window.sessions = static_cast<std::uint32_t>(sessions.size());
    if (sessions.size() == 1) { // most windows
        const SessionRecord& session = sessions[0];
        window.distinctPorts = session.packedPort != SessionRecord::kPortMissing ? 1 : 0;
        window.distinctHosts = session.dst != StringPool::kMissing ? 1 : 0;
        window.failed = session.failed() ? 1 : 0;
        const double bytes = session.bytes(columns);
        window.bytes = bytes > 0.0 ? bytes : 0.0;
        return window;
    }
    ports.clear();
    hosts.clear();
    for (const SessionRecord& session : sessions) {
        if (session.packedPort != SessionRecord::kPortMissing)
            ports.push_back(session.port(columns));
        if (session.dst != StringPool::kMissing)
            hosts.push_back(session.dst);
        window.failed += session.failed() ? 1 : 0;
        const double bytes = session.bytes(columns);
        window.bytes += bytes > 0.0 ? bytes : 0.0;
    }
    if (sessions.size() > 1) {
        std::sort(ports.begin(), ports.end());
        std::sort(hosts.begin(), hosts.end());
    }
    window.distinctPorts = static_cast<std::uint32_t>(std::unique(ports.begin(), ports.end()) - ports.begin());
    window.distinctHosts = static_cast<std::uint32_t>(std::unique(hosts.begin(), hosts.end()) - hosts.begin());
    return window;
}

// The median of the sessions per window: the held windows' and `alone` windows of one session.
double medianSessions(std::span<const SourceWindow> windows, std::uint32_t alone, std::vector<double>& scratch)
{
    scratch.assign(alone, 1.0);
    for (const SourceWindow& window : windows)
        scratch.push_back(window.sessions);
    return quantile(scratch, 0.5);
}

// Fills each source's baseline, peak window and score from its windows held (the sessions and
// failures are counted by the sweep). A window not held is never the peak: it is one session,
// as much fan-out and failure as its source's first such window at most, and later (that one
// is held).
void summarizeSources(FanOutResult& result)
{
    std::vector<double> scratch;
    for (std::uint32_t s = 0; s < result.sources.size(); ++s) {
        SourceActivity& source = result.sources[s];
        const std::span<const SourceWindow> windows(result.windows.data() + source.windowsBegin, source.heldWindows);
        source.medianWindowSessions = medianSessions(windows, source.windowCount - source.heldWindows, scratch);
        std::uint32_t peak = 0;
        std::uint32_t busiest = 0;
        for (std::uint32_t w = 0; w < windows.size(); ++w) {
            busiest = std::max(busiest, windows[w].sessions);
            const SourceWindow& best = windows[peak];
            if (std::tuple(windows[w].fanOut(), windows[w].failed) > std::tuple(best.fanOut(), best.failed))
                peak = w;
        }
        source.peakWindow = source.windowsBegin + peak;
        source.maxVolumeRatio = busiest / source.medianWindowSessions;
        const SourceWindow& top = windows[peak];
        const double fanOutPart = 1.0 - std::exp(-(static_cast<double>(top.fanOut()) - 1.0) / result.params.fanOutScale);
        const double failedShare = top.sessions ? static_cast<double>(top.failed) / top.sessions : 0.0;
        source.scanScore = std::clamp(fanOutPart * (0.8 + 0.2 * failedShare), 0.0, 1.0);
    }
}

// A session alone in its window: (fan-out, failed), the order in which peaks are chosen.
std::pair<std::uint32_t, std::uint32_t> aloneKey(const SessionRecord& session) noexcept
{
    const bool fanOut = session.packedPort != SessionRecord::kPortMissing || session.dst != StringPool::kMissing;
    return {fanOut ? 1u : 0u, session.failed() ? 1u : 0u};
}

// The windows of one source's sessions (sorted by start): calls window(begin, end) for each run.
template<typename Window>
void forEachWindow(std::span<const SessionRecord> sessions, std::int64_t width, Window&& window)
{
    for (std::size_t begin = 0; begin < sessions.size();) {
        const std::int64_t number = floorDiv(sessions[begin].start, width);
        std::size_t end = begin + 1;
        while (end < sessions.size() && floorDiv(sessions[end].start, width) == number)
            ++end;
        window(begin, end, number);
        begin = end;
    }
}

// Of one source's sessions (sorted by start), the first alone in its window with the most
// (fan-out, failed); sessions.size() when none is alone.
std::size_t bestAloneSession(std::span<const SessionRecord> sessions, std::int64_t width)
{
    std::size_t best = sessions.size();
    forEachWindow(sessions, width, [&](std::size_t begin, std::size_t end, std::int64_t) {
        if (end - begin == 1 && (best == sessions.size() || aloneKey(sessions[begin]) > aloneKey(sessions[best])))
            best = begin;
    });
    return best;
}

// The first half of a range of sources' sweep: each source's sessions sorted by start in place
// (in groups.records); returns how many windows they make that are held.
std::size_t sortAndCountWindows(SourceGroups& groups, std::pair<std::size_t, std::size_t> sources, std::int64_t width,
                                bool holdEvery)
{
    std::size_t windows = 0;
    for (std::size_t s = sources.first; s < sources.second; ++s) {
        const std::span<SessionRecord> sessions(groups.records.data() + groups.begins[s],
                                                groups.begins[s + 1] - groups.begins[s]);
        std::sort(sessions.begin(), sessions.end(), [](const SessionRecord& a, const SessionRecord& b) {
            return std::tie(a.start, a.row) < std::tie(b.start, b.row);
        });
        bool alone = false;
        forEachWindow(sessions, width, [&](std::size_t begin, std::size_t end, std::int64_t) {
            const bool held = holdEvery || end - begin > 1;
            windows += held;
            alone = alone || !held;
        });
        windows += alone; // the best of them
    }
    return windows;
}

// The second half: the windows held written from `first` on in result.windows, each source's
// sessions and failures counted, each row's window noted (result.sources by source index in
// groups until rankSources).
void sweepWindows(const SourceGroups& groups, std::pair<std::size_t, std::size_t> sources,
                  const SessionColumns& columns, std::int64_t width, std::uint32_t first, FanOutResult& result)
{
    std::vector<std::int64_t> ports;
    std::vector<std::uint32_t> hosts;
    std::uint32_t index = first;
    for (std::size_t s = sources.first; s < sources.second; ++s) {
        const std::span<const SessionRecord> sessions(groups.records.data() + groups.begins[s],
                                                      groups.begins[s + 1] - groups.begins[s]);
        SourceActivity& source = result.sources[s];
        source.srcIp = groups.srcOf(s, columns);
        source.windowsBegin = index;
        source.sessions = sessions.size();
        const std::size_t bestAlone = result.everyWindowHeld ? sessions.size() : bestAloneSession(sessions, width);
        forEachWindow(sessions, width, [&](std::size_t begin, std::size_t end, std::int64_t number) {
            ++source.windowCount;
            if (end - begin == 1 && begin != bestAlone && !result.everyWindowHeld) {
                const SessionRecord& session = sessions[begin];
                source.failed += session.failed() ? 1 : 0;
                result.windowOfRow[session.row] = FanOutResult::kAloneRow | static_cast<std::uint32_t>(s)
                    | (session.packedPort != SessionRecord::kPortMissing ? FanOutResult::kAlonePort : 0u)
                    | (session.dst != StringPool::kMissing ? FanOutResult::kAloneHost : 0u)
                    | (session.failed() ? FanOutResult::kAloneFailed : 0u);
                return;
            }
            SourceWindow& counted = result.windows[index];
            counted = countWindow(sessions.subspan(begin, end - begin), columns, ports, hosts);
            counted.srcIp = source.srcIp;
            counted.source = static_cast<std::uint32_t>(s);
            counted.start = number * width;
            source.failed += counted.failed;
            for (std::size_t i = begin; i < end; ++i)
                result.windowOfRow[sessions[i].row] = index;
            ++index;
            ++source.heldWindows;
        });
    }
}

// Ranks the sources (held in groups' order until now), and renumbers the windows' and the
// alone rows' sources.
void rankSources(FanOutResult& result)
{
    summarizeSources(result);
    std::vector<std::uint32_t> rank(result.sources.size());
    std::iota(rank.begin(), rank.end(), 0u);
    std::sort(rank.begin(), rank.end(), [&](std::uint32_t a, std::uint32_t b) {
        const SourceActivity& x = result.sources[a];
        const SourceActivity& y = result.sources[b];
        return std::tuple(-x.scanScore, -static_cast<double>(result.windows[x.peakWindow].fanOut()),
                          -static_cast<double>(x.sessions), x.srcIp)
               < std::tuple(-y.scanScore, -static_cast<double>(result.windows[y.peakWindow].fanOut()),
                            -static_cast<double>(y.sessions), y.srcIp);
    });
    std::vector<SourceActivity> ranked;
    ranked.reserve(rank.size());
    std::vector<std::uint32_t> rankOf(rank.size());
    for (const std::uint32_t s : rank) {
        const SourceActivity& source = result.sources[s];
        rankOf[s] = static_cast<std::uint32_t>(ranked.size());
        for (std::uint32_t w = 0; w < source.heldWindows; ++w)
            result.windows[source.windowsBegin + w].source = static_cast<std::uint32_t>(ranked.size());
        ranked.push_back(source);
    }
    result.sources = std::move(ranked);
    if (result.everyWindowHeld)
        return;
    for (std::uint32_t& window : result.windowOfRow) {
        if (window != FanOutResult::kNoWindow && (window & FanOutResult::kAloneRow))
            window = (window & ~FanOutResult::kAloneSourceMask) | rankOf[window & FanOutResult::kAloneSourceMask];
    }
}

} // namespace

bool behaviour_internal::FailureColumns::failed(std::size_t row) const
{
    if (responseCode && isFailedResponseCode(responseCode->integers[row]))
        return true;
    if (action && isRejectAction(strings->view(action->text[row])))
        return true;
    return connState && isFailedConnState(strings->view(connState->text[row]));
}

behaviour_internal::FailureColumns behaviour_internal::failureColumns(const TrafficTable& table,
                                                                      std::vector<std::string>& names)
{
    FailureColumns columns;
    columns.strings = table.strings.get();
    auto textColumn = [&](std::string_view name) -> const Column* {
        const auto index = table.findColumn(name);
        if (!index)
            return nullptr;
        const Column& column = table.columns[*index];
        if (column.released || column.kind != ColumnKind::Text)
            return nullptr;
        names.emplace_back(name);
        return &column;
    };
    columns.action = textColumn("action");
    columns.connState = textColumn("conn_state");
    const Column& code = table.column(Field::ResponseCode);
    const bool anyCode = !code.released && code.kind == ColumnKind::Integer
                         && std::any_of(code.integers.begin(), code.integers.end(),
                                        [](std::int64_t value) { return value != kMissingInteger; });
    if (anyCode) {
        columns.responseCode = &code;
        names.emplace_back(fieldInfo(Field::ResponseCode).name);
    }
    return columns;
}

bool isRejectAction(std::string_view action) noexcept
{
    // The VPC reader writes "ACCEPT/REJECT" when a flow's two directions disagree.
    for (std::size_t at = 0; at + 6 <= action.size(); ++at)
        if (equalsIgnoringCase(action.substr(at, 6), "REJECT"))
            return true;
    return false;
}

bool isFailedConnState(std::string_view connState) noexcept
{
    // Zeek's states of a connection that never carried data both ways or was torn down: no reply
    // (S0), refused (REJ), reset by either side (RSTO, RSTOS0, RSTR, RSTRH), half-open (SH, SHR).
    static constexpr std::array<std::string_view, 8> failedStates{"S0",   "REJ",   "RSTO", "RSTOS0",
                                                                  "RSTR", "RSTRH", "SH",   "SHR"};
    return std::any_of(failedStates.begin(), failedStates.end(),
                       [&](std::string_view state) { return equalsIgnoringCase(connState, state); });
}

bool isFailedResponseCode(std::int64_t code) noexcept
{
    return code >= 400 && code <= 599;
}

void FanOutParams::validate() const
{
    if (!std::isfinite(windowSeconds) || windowSeconds < 1.0 || windowSeconds > 31.0 * 86400.0)
        throw ParameterError("fan-out windowSeconds must be between 1 second and 31 days");
    if (minFanOut < 2)
        throw ParameterError("fan-out minFanOut must be at least 2 (got " + std::to_string(minFanOut) + ")");
    if (!std::isfinite(fanOutScale) || fanOutScale <= 0.0)
        throw ParameterError("fan-out fanOutScale must be above 0");
    if (threads < 0)
        throw ParameterError("fan-out threads must be 0 (all cores) or more");
}

std::vector<const SourceActivity*> FanOutResult::scanning() const
{
    std::vector<const SourceActivity*> found;
    for (const SourceActivity& source : sources)
        if (windows[source.peakWindow].fanOut() >= params.minFanOut)
            found.push_back(&source);
    return found;
}

SourceWindow FanOutResult::rowWindow(std::size_t row) const noexcept
{
    const std::uint32_t value = row < windowOfRow.size() ? windowOfRow[row] : kNoWindow;
    if (value == kNoWindow)
        return {};
    if (everyWindowHeld || !(value & kAloneRow))
        return windows[value];
    SourceWindow window;
    window.source = value & kAloneSourceMask;
    window.srcIp = sources[window.source].srcIp;
    window.sessions = 1;
    window.distinctPorts = (value & kAlonePort) ? 1 : 0;
    window.distinctHosts = (value & kAloneHost) ? 1 : 0;
    window.failed = (value & kAloneFailed) ? 1 : 0;
    return window;
}

double FanOutResult::volumeRatioOfRow(std::size_t row) const noexcept
{
    const SourceWindow window = rowWindow(row);
    if (window.sessions == 0)
        return 0.0;
    return window.sessions / sources[window.source].medianWindowSessions;
}

std::uint32_t FanOutResult::fanOutOfRow(std::size_t row) const noexcept
{
    return rowWindow(row).fanOut();
}

FanOutResult behaviour_internal::aggregateGroupedFanOut(SourceGroups& groups, const TrafficTable& table,
                                                        const SessionColumns& columns,
                                                        std::vector<std::string> failedColumns,
                                                        const FanOutParams& params, const Progress& progress,
                                                        bool holdEveryWindow)
{
    FanOutResult result;
    result.params = params;
    result.failedColumns = std::move(failedColumns);
    const auto width = static_cast<std::int64_t>(std::llround(params.windowSeconds * kMicrosPerSecond));
    result.rowsWithoutSourceOrTime = groups.unplaced;
    result.windowOfRow.assign(table.rowCount(), FanOutResult::kNoWindow);
    progress.report("fan-out", 0.3);

    // A row alone in a window not held notes its source in 28 bits, and a held window's index
    // must stay clear of kAloneRow: past that, every window is held.
    result.everyWindowHeld = holdEveryWindow || groups.sourceCount() > FanOutResult::kAloneSourceMask
                             || table.rowCount() >= FanOutResult::kAloneRow;
    result.sources.resize(groups.sourceCount());
    // Sorted and counted first, so that each task writes its windows in place: the windows are
    // held once.
    const auto tasks = sourceTasks(groups, 1 << 14);
    std::vector<std::uint32_t> offsets(tasks.size() + 1, 0);
    parallelFor(tasks.size(), resolveThreads(params.threads), [&](std::size_t task) {
        progress.check();
        offsets[task + 1]
            = static_cast<std::uint32_t>(sortAndCountWindows(groups, tasks[task], width, result.everyWindowHeld));
    });
    progress.check();
    for (std::size_t task = 0; task < tasks.size(); ++task)
        offsets[task + 1] += offsets[task];
    result.windows.resize(offsets.back());
    parallelFor(tasks.size(), resolveThreads(params.threads), [&](std::size_t task) {
        progress.check();
        sweepWindows(groups, tasks[task], columns, width, offsets[task], result);
    });
    progress.check();
    // The records are done with (fan-out is the last pass over them).
    std::vector<SessionRecord>().swap(groups.records);
    rankSources(result);
    progress.report("fan-out", 1.0);
    return result;
}

FanOutResult aggregateFanOut(const TrafficTable& table, const FanOutParams& params, const Progress& progress)
{
    params.validate();
    const SessionColumns columns = sessionColumns(table);
    std::vector<std::string> failedColumns;
    const FailureColumns failures = failureColumns(table, failedColumns);
    progress.report("fan-out", 0.0);
    SourceGroups groups = groupBySource(table, columns, failures.any() ? &failures : nullptr, params.threads, progress);
    return aggregateGroupedFanOut(groups, table, columns, std::move(failedColumns), params, progress);
}

} // namespace webthreat

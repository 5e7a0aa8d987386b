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

// The columns that say a session failed, where the table has them.
struct FailureColumns {
    const Column* action = nullptr;
    const Column* connState = nullptr;
    const Column* responseCode = nullptr;
    const StringPool* strings = nullptr;

    bool failed(std::size_t row) const
    {
        if (responseCode && isFailedResponseCode(responseCode->integers[row]))
            return true;
        if (action && isRejectAction(strings->view(action->text[row])))
            return true;
        return connState && isFailedConnState(strings->view(connState->text[row]));
    }
};

FailureColumns failureColumns(const TrafficTable& table, std::vector<std::string>& names)
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

std::int64_t floorDiv(std::int64_t value, std::int64_t by) noexcept
{
    const std::int64_t quotient = value / by;
    return quotient * by > value ? quotient - 1 : quotient;
}

struct WindowIds {
    std::vector<std::uint32_t> ofRow;
    std::vector<std::int64_t> index; // per window id: its window number
    std::vector<std::uint32_t> src; // per window id
    std::size_t unplaced = 0;
};

WindowIds hashWindows(const TrafficTable& table, const SessionColumns& columns, std::int64_t widthMicros,
                      const Progress& progress)
{
    const std::size_t rows = table.rowCount();
    WindowIds ids;
    ids.ofRow.assign(rows, kNoGroup);
    KeyIndex index(std::min<std::size_t>(rows / 4 + 1, 1 << 22));
    for (std::size_t row = 0; row < rows; ++row) {
        if (row % kCheckEvery == 0) {
            progress.check();
            progress.report("fan-out", 0.4 * static_cast<double>(row) / static_cast<double>(rows));
        }
        const std::int64_t start = columns.startOf(row);
        const std::uint32_t src = columns.srcOf(row);
        if (start == kMissingInteger || src == StringPool::kMissing) {
            ++ids.unplaced;
            continue;
        }
        const std::int64_t window = floorDiv(start, widthMicros);
        const std::uint32_t id = index.idOf(src, static_cast<std::uint64_t>(window));
        if (id == ids.src.size()) {
            ids.src.push_back(src);
            ids.index.push_back(window);
        }
        ids.ofRow[row] = id;
    }
    return ids;
}

// Counts one window's sessions, failures, bytes and distinct ports and hosts.
SourceWindow countWindow(std::span<const std::uint32_t> rows, const SessionColumns& columns,
                         const FailureColumns& failures, std::vector<std::int64_t>& ports,
                         std::vector<std::uint32_t>& hosts)
{
    SourceWindow window;
    window.sessions = static_cast<std::uint32_t>(rows.size());
    ports.clear();
    hosts.clear();
    for (const std::uint32_t row : rows) {
        const std::int64_t port = columns.portOf(row);
        if (port != kMissingInteger)
            ports.push_back(port);
        const std::uint32_t host = columns.dstOf(row);
        if (host != StringPool::kMissing)
            hosts.push_back(host);
        window.failed += failures.failed(row) ? 1 : 0;
        const double bytes = columns.bytesOf(row);
        window.bytes += bytes > 0.0 ? bytes : 0.0;
    }
    std::sort(ports.begin(), ports.end());
    std::sort(hosts.begin(), hosts.end());
    window.distinctPorts = static_cast<std::uint32_t>(std::unique(ports.begin(), ports.end()) - ports.begin());
    window.distinctHosts = static_cast<std::uint32_t>(std::unique(hosts.begin(), hosts.end()) - hosts.begin());
    return window;
}

double medianSessions(std::span<const SourceWindow> windows, std::vector<double>& scratch)
{
    scratch.clear();
    for (const SourceWindow& window : windows)
        scratch.push_back(window.sessions);
    std::sort(scratch.begin(), scratch.end());
    return quantileOfSorted(scratch, 0.5);
}

// Fills each source's totals, baseline, peak window and score from its run of windows.
void summarizeSources(FanOutResult& result)
{
    std::vector<double> scratch;
    for (std::uint32_t s = 0; s < result.sources.size(); ++s) {
        SourceActivity& source = result.sources[s];
        const std::span<const SourceWindow> windows(result.windows.data() + source.windowsBegin, source.windowCount);
        source.medianWindowSessions = medianSessions(windows, scratch);
        std::uint32_t peak = 0;
        std::uint32_t busiest = 0;
        for (std::uint32_t w = 0; w < windows.size(); ++w) {
            source.sessions += windows[w].sessions;
            source.failed += windows[w].failed;
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

// Orders windows by (source address id, time), makes the sources, then ranks the sources
// (renumbering windows' source index and the rows' window index to match).
void arrangeWindows(FanOutResult& result, const WindowIds& ids, std::vector<SourceWindow>& byId)
{
    std::vector<std::uint32_t> order(byId.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::tie(ids.src[a], ids.index[a]) < std::tie(ids.src[b], ids.index[b]);
    });
    std::vector<std::uint32_t> positionOfId(byId.size());
    std::vector<SourceWindow> sorted;
    sorted.reserve(byId.size());
    for (const std::uint32_t id : order) {
        positionOfId[id] = static_cast<std::uint32_t>(sorted.size());
        if (result.sources.empty() || result.sources.back().srcIp != byId[id].srcIp) {
            SourceActivity source;
            source.srcIp = byId[id].srcIp;
            source.windowsBegin = static_cast<std::uint32_t>(sorted.size());
            result.sources.push_back(source);
        }
        ++result.sources.back().windowCount;
        sorted.push_back(byId[id]);
    }
    result.windows = std::move(sorted);
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
    for (const std::uint32_t s : rank) {
        const SourceActivity& source = result.sources[s];
        for (std::uint32_t w = 0; w < source.windowCount; ++w)
            result.windows[source.windowsBegin + w].source = static_cast<std::uint32_t>(ranked.size());
        ranked.push_back(source);
    }
    result.sources = std::move(ranked);
    for (std::uint32_t& window : result.windowOfRow)
        if (window != FanOutResult::kNoWindow)
            window = positionOfId[window];
}

} // namespace

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

double FanOutResult::volumeRatioOfRow(std::size_t row) const noexcept
{
    if (row >= windowOfRow.size() || windowOfRow[row] == kNoWindow)
        return 0.0;
    const SourceWindow& window = windows[windowOfRow[row]];
    return window.sessions / sources[window.source].medianWindowSessions;
}

std::uint32_t FanOutResult::fanOutOfRow(std::size_t row) const noexcept
{
    if (row >= windowOfRow.size() || windowOfRow[row] == kNoWindow)
        return 0;
    return windows[windowOfRow[row]].fanOut();
}

FanOutResult aggregateFanOut(const TrafficTable& table, const FanOutParams& params, const Progress& progress)
{
    params.validate();
    FanOutResult result;
    result.params = params;
    const SessionColumns columns = sessionColumns(table);
    const FailureColumns failures = failureColumns(table, result.failedColumns);
    const auto width = static_cast<std::int64_t>(std::llround(params.windowSeconds * kMicrosPerSecond));
    WindowIds ids = hashWindows(table, columns, width, progress);
    result.rowsWithoutSourceOrTime = ids.unplaced;
    const Groups groups = groupRows(ids.ofRow, ids.src.size());
    progress.report("fan-out", 0.5);

    std::vector<SourceWindow> byId(ids.src.size());
    constexpr std::size_t windowsPerTask = 1024;
    const std::size_t tasks = (byId.size() + windowsPerTask - 1) / windowsPerTask;
    parallelFor(tasks, resolveThreads(params.threads), [&](std::size_t task) {
        progress.check();
        std::vector<std::int64_t> ports;
        std::vector<std::uint32_t> hosts;
        const std::size_t end = std::min(byId.size(), (task + 1) * windowsPerTask);
        for (std::size_t id = task * windowsPerTask; id < end; ++id) {
            const std::span<const std::uint32_t> rows(groups.rows.data() + groups.offsets[id], groups.size(id));
            byId[id] = countWindow(rows, columns, failures, ports, hosts);
            byId[id].srcIp = ids.src[id];
            byId[id].start = ids.index[id] * width;
        }
    });
    progress.check();
    result.windowOfRow = std::move(ids.ofRow);
    arrangeWindows(result, ids, byId);
    progress.report("fan-out", 1.0);
    return result;
}

} // namespace webthreat

#pragma once

#include "core/io/timestamp.h"
#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// Scanning and fan-out: what one source does within a time window, against what it usually does.
// A scanner touches hundreds of ports or hosts in minutes, most of them refusing it; a source in a
// burst sends many times its own usual number of sessions.
struct FanOutParams {
    // The window width. Windows are aligned to whole multiples of it since 1970 (00:00, 00:05,
    // ... for 5 minutes), so they read as clock times.
    double windowSeconds = 300.0;
    // A source whose busiest window touches at least this many distinct destination ports or hosts
    // is reported as scanning (FanOutResult::scanning); an ordinary client of a few services
    // touches a handful.
    std::size_t minFanOut = 20;
    // How fast the scan score grows with fan-out: 1 - exp(-(fan-out - 1) / fanOutScale), so 20
    // ports give 0.32, 100 give 0.86, 300 give 1.00 at the default.
    double fanOutScale = 50.0;
    int threads = 0; // 0 = all cores; the result is the same at any count

    void validate() const; // Throws ParameterError naming the parameter
};

// One source's sessions in one window.
struct SourceWindow {
    std::uint32_t srcIp = StringPool::kMissing; // id in the table's string pool
    std::uint32_t source = 0; // index into FanOutResult::sources
    Instant start = 0; // the window's first instant
    std::uint32_t sessions = 0;
    std::uint32_t distinctPorts = 0; // destination ports (missing ones not counted)
    std::uint32_t distinctHosts = 0; // destination addresses (missing ones not counted)
    std::uint32_t failed = 0; // sessions refused or failed (FanOutResult::failedColumns)
    double bytes = 0.0; // bytes in + out

    std::uint32_t fanOut() const noexcept { return std::max(distinctPorts, distinctHosts); }
};

// One source over the whole data.
struct SourceActivity {
    std::uint32_t srcIp = StringPool::kMissing;
    std::size_t sessions = 0;
    std::size_t failed = 0;
    std::uint32_t windowCount = 0; // the windows it is active in
    // Its windows held (FanOutResult::windows): windows[windowsBegin, + heldWindows), by time.
    std::uint32_t windowsBegin = 0;
    std::uint32_t heldWindows = 0;
    // Its own baseline: the median number of sessions over the windows in which it is active.
    double medianWindowSessions = 0.0;
    std::uint32_t peakWindow = 0; // index into windows: the most fan-out (ties: more failed, earlier)
    // Its busiest window's sessions over its baseline (1 for a source as busy in every window).
    double maxVolumeRatio = 0.0;
    // In [0, 1]: the peak window's fan-out part (FanOutParams::fanOutScale) x (0.8 + 0.2 x the
    // share of that window's sessions that failed).
    double scanScore = 0.0;
};

struct FanOutResult {
    FanOutParams params;
    // The windows held, by source, then time: every window of two or more sessions and, of a
    // source's windows of one session, the first with the most fan-out (then failures), so that
    // each source's peak window is held. The other windows of one session say no more than their
    // row (one session, a fan-out of 0 or 1), and are not held: 753,245 of 851,222 windows at a
    // million generated rows. windowOfRow says what they count. With everyWindowHeld, every window
    // is held (a table of 2^28 sources or 2^31 rows and more).
    std::vector<SourceWindow> windows;
    std::vector<SourceActivity> sources; // highest scan score first (ties: more fan-out, sessions)
    // Per table row: its window's index in windows; kNoWindow (a row without a source or a start
    // time); or, for a row alone in a window not held, kAloneRow with its source's index in sources
    // (the low 28 bits) and whether the session has a port (kAlonePort), a destination
    // (kAloneHost) and failed (kAloneFailed). Read it with rowWindow.
    std::vector<std::uint32_t> windowOfRow;
    static constexpr std::uint32_t kNoWindow = 0xFFFFFFFFu;
    static constexpr std::uint32_t kAloneRow = 1u << 31;
    static constexpr std::uint32_t kAlonePort = 1u << 30;
    static constexpr std::uint32_t kAloneHost = 1u << 29;
    static constexpr std::uint32_t kAloneFailed = 1u << 28;
    static constexpr std::uint32_t kAloneSourceMask = kAloneFailed - 1;
    bool everyWindowHeld = false;
    // The columns failed sessions were counted from, of: action (VPC Flow Logs, REJECT),
    // conn_state (Zeek: S0, REJ, RSTO, RSTOS0, RSTR, RSTRH, SH, SHR) and response.code (400-599).
    std::vector<std::string> failedColumns;
    std::size_t rowsWithoutSourceOrTime = 0;

    // Row's window: the held window, or for a row alone in a window not held, the counts of its one
    // session (sessions 1, its source, srcIp; start and bytes 0: not kept); sessions 0 for a row in
    // no window.
    SourceWindow rowWindow(std::size_t row) const noexcept;
    // The sources whose peak window reaches params.minFanOut, in scan-score order.
    std::vector<const SourceActivity*> scanning() const;
    // The source's sessions in row's window over its baseline; 0 for a row in no window.
    double volumeRatioOfRow(std::size_t row) const noexcept;
    // The fan-out of row's window (distinct ports or hosts, whichever is more); 0 for none.
    std::uint32_t fanOutOfRow(std::size_t row) const noexcept;
};

// Whether a session failed or was refused, by the columns the table has (see failedColumns).
// Exposed for tests and for the reader of one row.
bool isRejectAction(std::string_view action) noexcept;
bool isFailedConnState(std::string_view connState) noexcept;
bool isFailedResponseCode(std::int64_t code) noexcept;

// The rows grouped by source as scoreBeacons does, each source's sessions swept window by window
// (distinct ports and hosts, failures; in parallel tasks), then each source's baseline and score.
// Progress stage "fan-out"; cancel is polled. Throws ParameterError for bad params, CancelledError.
FanOutResult aggregateFanOut(const TrafficTable& table, const FanOutParams& params = {}, const Progress& progress = {});

} // namespace webthreat

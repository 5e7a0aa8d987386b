#pragma once

#include "core/util/progress.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace webthreat {

struct GeneratorParams {
    std::size_t rows = 10000;
    std::uint64_t seed = 42;
    double anomalyRate = 0.02; // share of rows that are injected anomalies, in [0, 0.5]
    // Share of rows replaced by behavioural attacks (behaviourKinds: beacon, scan, burst), in
    // [0, 0.2], on top of anomalyRate. A beacon or a scan is a pattern over hundreds of sessions,
    // so they are injected only when this comes to at least kMinBehaviourRows rows (from 50 000
    // rows at the default): a smaller file gets none and is byte for byte what it was before
    // these kinds existed.
    double behaviourRate = 0.01;
    bool label = false; // add ground-truth columns is_attack (0/1) and attack_kind

    // Throws ParameterError naming the parameter and its allowed range.
    void validate() const;
};

struct GeneratorResult {
    std::size_t rows = 0;
    std::size_t anomalies = 0;
    // kind name -> rows injected: every one of anomalyKinds, and behaviourKinds when any were injected
    std::map<std::string, std::size_t> anomaliesByKind;
    // behaviour kind name -> how many actors: beacon pairs, scanning sources, bursting sources
    std::map<std::string, std::size_t> behaviourActors;
};

inline constexpr std::size_t kMinBehaviourRows = 500;

// One kind of injected anomaly. primaryFeature names the detector feature (bytes_in, bytes_out,
// session_duration, avg_packet_size) through which the kind stands out most, so that a test can
// check an explanation ranks it first; it is empty for a kind only categorical columns reveal.
struct AnomalyKind {
    std::string_view name; // as written in the attack_kind column
    std::string_view primaryFeature;
    std::string_view description;
};

// Every kind the generator injects, in the order it allocates them. share is fixed:
// 25 % exfiltration, 25 % flood, 15 % long_session, 15 % zero_length, 10 % rare_port and 10 %
// odd_code (largest remainder, so at six or more anomalies every kind appears). The last two
// are categorical: their bytes and timing are drawn exactly as a normal row's, so the notebook's
// four features cannot tell them apart; only the categorical columns can.
inline constexpr std::array<AnomalyKind, 6> anomalyKinds{{
    {"exfiltration", "bytes_out", "bytes_out 50 to 1000 times what the session would normally send, up to gigabytes"},
    {"flood", "session_duration",
     "bursts of tens to hundreds of consecutive 1-2 s sessions of a few bytes from one source IP "
     "to one server, seconds apart"},
    {"long_session", "session_duration", "sessions lasting 3 to 48 hours"},
    {"zero_length", "session_duration",
     "end_time equal to creation_time (duration 0, so avg_packet_size divides by zero) with a few "
     "hundred bytes"},
    {"rare_port", "",
     "unusual destination ports (4444, 6667, 31337, ...) with odd protocols and, often, odd "
     "response codes; bytes and duration are normal"},
    {"odd_code", "",
     "response codes no normal session gets (400, 401, 418, 444, 499, 520) on otherwise ordinary "
     "sessions: same sources, ports, protocols, bytes and timing"},
}};

// The behavioural kinds (issue 21): invisible in any one row, plain in a pair's or a source's rows
// together. They replace ordinary rows (never another kind's), drawn from a random stream of
// their own, so every other row of the file is unchanged; each row carries its actor's own
// time, so a row may come up to a few minutes after the rows around it. Shares of the behaviour
// rows: 50 % beacon, 30 % scan, 20 % burst.
inline constexpr std::array<AnomalyKind, 3> behaviourKinds{{
    {"beacon", "",
     "one source calling one destination address and port every 1 to 60 minutes (jitter up to 20 %, "
     "3 % of beats missed) with sizes within 10 %: 30 to 400 sessions over hours to days, each one an "
     "ordinary session on its own (an ordinary duration, the sizes of a small page)"},
    {"scan", "",
     "one source touching 150 to 1200 ports of one host, or one port of as many hosts, about a tiny "
     "session a second, seven in ten refused (4xx/5xx)"},
    {"burst", "",
     "an ordinary source, with traffic of its own all week, sending 60 to 400 ordinary sessions within "
     "a few minutes"},
}};

// Writes deterministic, realistic web traffic in the CloudWatch schema (header line first, LF line
// endings) to out: many source IPs and countries, several protocols, ports and response codes,
// diurnal timing, heavy-tailed byte counts, and injected anomalies of several kinds. The same
// params give the same bytes. Streams: memory does not grow with rows.
// Throws ParameterError for bad params, CancelledError when progress is cancelled (out then holds
// a partial file) and OutputError when out fails.
GeneratorResult generateTraffic(std::ostream& out, const GeneratorParams& params, const Progress& progress = {});

} // namespace webthreat

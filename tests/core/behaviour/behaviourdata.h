#pragma once

// Hand-made traffic for the behaviour tests: sessions written as CSV and read by the real reader.
#include "core/io/csvreader.h"
#include "core/io/timestamp.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webthreat::testdata {

// 2024-04-25T10:00:00Z, a whole multiple of 5 minutes.
inline constexpr std::int64_t kBase = 1714039200;

struct Session {
    std::int64_t start = 0; // seconds since the epoch
    std::string src = "1.1.1.1";
    std::string dst = "10.0.0.1";
    std::string port = "443"; // "" for missing
    std::int64_t bytesIn = 300;
    std::int64_t bytesOut = 500;
    std::string extra; // the extra column's value, when there is one
};

inline std::string isoSeconds(std::int64_t seconds)
{
    return formatTimestamp(seconds * kMicrosPerSecond);
}

// extraColumn: a header name for Session::extra ("action", "conn_state", "response.code"), or "".
inline TrafficTable tableOf(const std::vector<Session>& sessions, const std::string& extraColumn = "")
{
    std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port";
    if (!extraColumn.empty())
        text += "," + extraColumn;
    text += "\n";
    for (const Session& s : sessions) {
        text += std::to_string(s.bytesIn) + "," + std::to_string(s.bytesOut) + "," + isoSeconds(s.start) + ","
                + isoSeconds(s.start + 2) + "," + s.src
                + "," + s.dst + "," + s.port;
        if (!extraColumn.empty())
            text += "," + s.extra;
        text += "\n";
    }
    return readTrafficCsvText(text, "behaviour.csv").table;
}

// count sessions from src to dst:port, every `interval` seconds from kBase + offset.
inline std::vector<Session> periodic(std::size_t count, std::int64_t interval, const std::string& src = "1.1.1.1",
                                     std::int64_t offset = 0)
{
    std::vector<Session> sessions;
    for (std::size_t i = 0; i < count; ++i) {
        Session s;
        s.start = kBase + offset + static_cast<std::int64_t>(i) * interval;
        s.src = src;
        sessions.push_back(s);
    }
    return sessions;
}

} // namespace webthreat::testdata

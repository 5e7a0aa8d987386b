#include "core/behaviour/behaviourreport.h"

#include "core/output/json_internal.h"
#include "core/util/errors.h"
#include "core/util/format.h"

#include <cstdio>
#include <sstream>

namespace webthreat {

std::vector<const BeaconPair*> reportedBeacons(const BeaconResult& beacons, std::size_t shown)
{
    std::vector<const BeaconPair*> pairs;
    for (const BeaconPair& pair : beacons.pairs) {
        if (pairs.size() >= shown || pair.score < kReportedBeaconScore)
            break;
        pairs.push_back(&pair);
    }
    return pairs;
}

std::vector<const SourceActivity*> reportedScans(const FanOutResult& fanOut, std::size_t shown)
{
    auto scanning = fanOut.scanning();
    if (scanning.size() > shown)
        scanning.resize(shown);
    return scanning;
}

namespace {

std::string fixed2(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

std::string destination(const TrafficTable& table, const BeaconPair& pair)
{
    std::string text(table.strings->view(pair.dstIp));
    if (text.empty())
        text = "(no address)";
    if (pair.dstPort != kMissingInteger)
        text += ":" + std::to_string(pair.dstPort);
    return text;
}

} // namespace

std::string behaviourText(const BehaviourResult& behaviour, const TrafficTable& table, std::size_t shown)
{
    const BeaconResult& beacons = behaviour.beacons;
    const FanOutResult& fanOut = behaviour.fanOut;
    std::ostringstream out;
    out << "\nBehaviour over time (" << groupedCount(beacons.pairs.size()) << " source -> destination pairs of "
        << beacons.params.minSessions << "+ sessions, " << groupedCount(fanOut.sources.size())
        << " sources in windows of " << spokenDuration(fanOut.params.windowSeconds) << "):\n";
    const auto pairs = reportedBeacons(beacons, shown);
    out << "  Beacon pairs (score: timing, sizes, coverage):" << (pairs.empty() ? " none scores 0.5 or more\n" : "\n");
    for (const BeaconPair* pair : pairs)
        out << "    " << fixed2(pair->score) << "  " << table.strings->view(pair->srcIp) << " -> "
            << destination(table, *pair) << "  " << groupedCount(pair->sessions) << " sessions, "
            << beaconSentence(*pair).substr(10) << ", " << formatBytes(pair->medianBytes) << " each  [timing "
            << fixed2(pair->parts.timing) << ", sizes " << fixed2(pair->parts.sizes) << ", coverage "
            << fixed2(pair->parts.coverage) << "]\n";
    const auto scans = reportedScans(fanOut, shown);
    out << "  Scanning sources (" << fanOut.params.minFanOut << "+ ports or hosts in a window):"
        << (scans.empty() ? " none\n" : "\n");
    for (const SourceActivity* source : scans) {
        const SourceWindow& window = fanOut.windows[source->peakWindow];
        out << "    " << fixed2(source->scanScore) << "  " << table.strings->view(source->srcIp) << "  at "
            << formatTimestamp(window.start) << ": " << fanOutSentence(window, fanOut.params.windowSeconds).substr(12)
            << "\n";
    }
    return out.str();
}

std::string withBehaviourJson(const std::string& document, const BehaviourResult& behaviour, const TrafficTable& table,
                              std::size_t shown)
{
    Json json = Json::parse(document, nullptr, false);
    if (!json.is_object())
        throw OutputError("the analysis JSON is not an object; cannot add the behaviour to it");
    auto text = [&](std::uint32_t id) { return std::string(table.strings->view(id)); };
    Json beacons = Json::array();
    for (const BeaconPair* pair : reportedBeacons(behaviour.beacons, shown))
        beacons.push_back({{"src_ip", text(pair->srcIp)},
                           {"dst_ip", text(pair->dstIp)},
                           {"dst_port", pair->dstPort == kMissingInteger ? Json() : Json(pair->dstPort)},
                           {"sessions", pair->sessions},
                           {"score", pair->score},
                           {"timing", pair->parts.timing},
                           {"sizes", pair->parts.sizes},
                           {"coverage", pair->parts.coverage},
                           {"median_interval_seconds", pair->medianIntervalSeconds},
                           {"interval_mad_seconds", pair->intervalMadSeconds},
                           {"missed_beats", pair->missedBeats},
                           {"median_bytes", pair->medianBytes},
                           {"first_seen", formatTimestamp(pair->firstSeen)},
                           {"last_seen", formatTimestamp(pair->lastSeen)},
                           {"sentence", beaconSentence(*pair)}});
    Json scans = Json::array();
    const FanOutResult& fanOut = behaviour.fanOut;
    for (const SourceActivity* source : reportedScans(fanOut, shown)) {
        const SourceWindow& window = fanOut.windows[source->peakWindow];
        scans.push_back({{"src_ip", text(source->srcIp)},
                         {"score", source->scanScore},
                         {"window_start", formatTimestamp(window.start)},
                         {"window_seconds", fanOut.params.windowSeconds},
                         {"distinct_ports", window.distinctPorts},
                         {"distinct_hosts", window.distinctHosts},
                         {"sessions", window.sessions},
                         {"failed", window.failed},
                         {"source_sessions", source->sessions},
                         {"median_window_sessions", source->medianWindowSessions},
                         {"sentence", fanOutSentence(window, fanOut.params.windowSeconds)}});
    }
    json["beacons"] = std::move(beacons);
    json["scans"] = std::move(scans);
    return jsonDocument(json);
}

} // namespace webthreat

#pragma once

#include "core/behaviour/behaviour.h"

#include <cstddef>
#include <string>
#include <vector>

namespace webthreat {

// The command line's behaviour section: the top beacon pairs (score at least kReportedBeaconScore)
// and the top scanning sources (FanOutResult::scanning), `shown` of each.
inline constexpr double kReportedBeaconScore = 0.5;
// The entries every form shows (text, JSON, the HTML/PDF report): the first `shown` pairs scoring at
// least kReportedBeaconScore, and the first `shown` scanning sources.
std::vector<const BeaconPair*> reportedBeacons(const BeaconResult& beacons, std::size_t shown);
std::vector<const SourceActivity*> reportedScans(const FanOutResult& fanOut, std::size_t shown);
std::string behaviourText(const BehaviourResult& behaviour, const TrafficTable& table, std::size_t shown = 5);

// document (a JSON object, as analysisJson writes it) with two more members: "beacons" and
// "scans", arrays of the same entries as behaviourText. Throws OutputError when document is not a
// JSON object.
std::string withBehaviourJson(const std::string& document, const BehaviourResult& behaviour, const TrafficTable& table,
                              std::size_t shown = 5);

} // namespace webthreat

#pragma once

#include "core/behaviour/beacons.h"
#include "core/behaviour/fanout.h"

#include <string>
#include <vector>

namespace webthreat {

// The patterns a forest over single rows cannot see (issue 21): beaconing pairs, scanning sources
// and sources far above their own baseline, computed together over one table.
struct BehaviourParams {
    BeaconParams beacons;
    FanOutParams fanOut;
    void validate() const; // Throws ParameterError
};

struct BehaviourResult {
    BeaconResult beacons;
    FanOutResult fanOut;
    double seconds = 0.0; // wall time of analyzeBehaviour
};

// scoreBeacons and aggregateFanOut over one grouping of the rows by source (stages "beacons",
// "fan-out"); the grouping runs on params.beacons.threads.
BehaviourResult analyzeBehaviour(const TrafficTable& table, const BehaviourParams& params = {},
                                 const Progress& progress = {});

// Per table row, what its behaviour says: candidate detector features (one value a row, in the
// table's row order). beaconScore is in [0, 1] (no scaling needed); fanOut and volumeRatio are
// heavy-tailed counts and ratios (log1p before a forest).
struct BehaviourRowFeatures {
    std::vector<double> beaconScore; // its pair's score; 0 for a pair under the minimum
    std::vector<double> fanOut; // distinct ports or hosts its source touched in its window
    std::vector<double> volumeRatio; // its source's sessions in its window over the source's median
};
BehaviourRowFeatures behaviourRowFeatures(const BehaviourResult& behaviour, std::size_t rows);

// "60 s", "2.5 s", "5 minutes", "1.5 hours", "3 days": a duration as a sentence says it (seconds under
// 2 minutes, minutes under 2 hours, hours under 2 days).
std::string spokenDuration(double seconds);
// "this pair repeats every 60 s ±2 s" (and "with 2 beats missed" when some were).
std::string beaconSentence(const BeaconPair& pair);
// "this source contacted 340 ports in 5 minutes" (ports or hosts, whichever are more; ", 290 of 340
// sessions failed" when some failed).
std::string fanOutSentence(const SourceWindow& window, double windowSeconds);
// What Row details says about a row's behaviour: the beacon sentence when its pair scores at
// least 0.7, the fan-out sentence when its window reaches minFanOut, and "this source sent 40
// times its usual number of sessions in 5 minutes" when its window is at least 10 times its median.
std::vector<std::string> rowBehaviourSentences(const BehaviourResult& behaviour, std::size_t row);

// What each Behaviour detector feature says about a row, whatever its value (an explanation's
// sentence when the feature set the row apart):
// "this pair calls every 60 s ±2 s with near-constant sizes (beacon score 0.93)", "this pair's 25
// sessions keep no regular beat (beacon score 0.21)", "this pair has fewer than 10 sessions: too
// few for a beacon score";
std::string pairBeaconSentence(const BehaviourResult& behaviour, std::size_t row);
// fanOutSentence of the row's window ("this source contacted 340 ports in 5 minutes");
std::string sourceFanOutSentence(const BehaviourResult& behaviour, std::size_t row);
// "this source sent 40 times its usual number of sessions in 5 minutes" ("0.5 times" too).
std::string sourceVolumeSentence(const BehaviourResult& behaviour, std::size_t row);

} // namespace webthreat

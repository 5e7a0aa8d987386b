#include "core/behaviour/behaviour.h"

#include "core/util/format.h"

#include <chrono>
#include <cmath>

namespace webthreat {

namespace {

constexpr double kSentenceBeaconScore = 0.7;
constexpr double kSentenceVolumeRatio = 10.0;

std::string roundedNumber(double value)
{
    // Two significant digits under 10, whole numbers above: "2.5", "60", "340".
    if (value < 10.0) {
        const double tenths = std::round(value * 10.0) / 10.0;
        return formatNumber(tenths);
    }
    return formatNumber(std::round(value));
}

} // namespace

void BehaviourParams::validate() const
{
    beacons.validate();
    fanOut.validate();
}

BehaviourResult analyzeBehaviour(const TrafficTable& table, const BehaviourParams& params, const Progress& progress)
{
    params.validate();
    const auto started = std::chrono::steady_clock::now();
    BehaviourResult result;
    result.beacons = scoreBeacons(table, params.beacons, progress);
    result.fanOut = aggregateFanOut(table, params.fanOut, progress);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

BehaviourRowFeatures behaviourRowFeatures(const BehaviourResult& behaviour, std::size_t rows)
{
    BehaviourRowFeatures features;
    features.beaconScore.resize(rows);
    features.fanOut.resize(rows);
    features.volumeRatio.resize(rows);
    for (std::size_t row = 0; row < rows; ++row) {
        features.beaconScore[row] = behaviour.beacons.scoreOfRow(row);
        features.fanOut[row] = behaviour.fanOut.fanOutOfRow(row);
        features.volumeRatio[row] = behaviour.fanOut.volumeRatioOfRow(row);
    }
    return features;
}

std::string spokenDuration(double seconds)
{
    if (seconds < 120.0)
        return roundedNumber(seconds) + " s";
    if (seconds < 2.0 * 3600.0)
        return roundedNumber(seconds / 60.0) + " minutes";
    if (seconds < 2.0 * 86400.0)
        return roundedNumber(seconds / 3600.0) + " hours";
    return roundedNumber(seconds / 86400.0) + " days";
}

std::string beaconSentence(const BeaconPair& pair)
{
    std::string sentence = "this pair repeats every " + spokenDuration(pair.medianIntervalSeconds) + " ±"
                           + spokenDuration(pair.intervalMadSeconds);
    if (pair.missedBeats > 0)
        sentence += " with " + groupedCount(pair.missedBeats) + (pair.missedBeats == 1 ? " beat" : " beats")
                    + " missed";
    return sentence;
}

std::string fanOutSentence(const SourceWindow& window, double windowSeconds)
{
    const bool ports = window.distinctPorts >= window.distinctHosts;
    const std::uint32_t count = ports ? window.distinctPorts : window.distinctHosts;
    std::string sentence = "this source contacted " + groupedCount(count) + (ports ? " port" : " host")
                           + (count == 1 ? "" : "s") + " in " + spokenDuration(windowSeconds);
    if (window.failed > 0)
        sentence += ", " + groupedCount(window.failed) + " of " + groupedCount(window.sessions) + " sessions failed";
    return sentence;
}

std::vector<std::string> rowBehaviourSentences(const BehaviourResult& behaviour, std::size_t row)
{
    std::vector<std::string> sentences;
    const BeaconResult& beacons = behaviour.beacons;
    if (row < beacons.pairOfRow.size() && beacons.pairOfRow[row] != BeaconResult::kNoPair) {
        const BeaconPair& pair = beacons.pairs[beacons.pairOfRow[row]];
        if (pair.score >= kSentenceBeaconScore)
            sentences.push_back(beaconSentence(pair));
    }
    const FanOutResult& fanOut = behaviour.fanOut;
    if (row < fanOut.windowOfRow.size() && fanOut.windowOfRow[row] != FanOutResult::kNoWindow) {
        const SourceWindow& window = fanOut.windows[fanOut.windowOfRow[row]];
        if (window.fanOut() >= fanOut.params.minFanOut)
            sentences.push_back(fanOutSentence(window, fanOut.params.windowSeconds));
        const double ratio = fanOut.volumeRatioOfRow(row);
        if (ratio >= kSentenceVolumeRatio)
            sentences.push_back("this source sent " + roundedNumber(ratio) + " times its usual number of sessions in "
                                + spokenDuration(fanOut.params.windowSeconds));
    }
    return sentences;
}

} // namespace webthreat

#pragma once

#include <QString>

#include <vector>

namespace webthreat {

class WorkbenchChart;

// Log-spaced bins over a pair's intervals between session starts (seconds): a beacon is one tall
// bar at its beat (a few at its multiples when beats were missed); independent requests spread
// over decades, which is why the axis is logarithmic.
struct IntervalBins {
    std::vector<double> edges; // bins + 1 edges, seconds, log-spaced
    std::vector<double> counts; // per bin
    double maxCount = 0.0;
};
// Intervals under kMinIntervalSeconds are counted in the first bin.
inline constexpr double kMinIntervalSeconds = 0.1;
IntervalBins binIntervals(const std::vector<double>& intervalsSeconds, int binsPerDecade = 8);

// Fills chart (series and axes removed first) with the histogram of intervals as a step area on a
// log axis of seconds, and a dashed line at beat (the pair's median interval) labelled with it.
// Without intervals, the chart says why.
void showIntervalHistogram(WorkbenchChart* chart, const std::vector<double>& intervalsSeconds, double beatSeconds,
                           const QString& beatText);

} // namespace webthreat

#include "core/detect/model.h"

#include <algorithm>

namespace webthreat {

std::vector<Feature> DetectorModel::features() const
{
    std::vector<Feature> list;
    list.reserve(encodings.size());
    for (const FeatureEncoding& encoding : encodings)
        list.push_back(encoding.feature);
    return list;
}

namespace {
// numpy's percentile with linear interpolation, over sorted values.
double percentileOfSorted(const std::vector<double>& sorted, double fraction)
{
    const double position = fraction * static_cast<double>(sorted.size() - 1);
    const auto lower = static_cast<std::size_t>(position);
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    const double t = position - static_cast<double>(lower);
    return sorted[lower] + t * (sorted[upper] - sorted[lower]);
}
} // namespace

FeatureDistribution describeDistribution(std::vector<double>& values)
{
    FeatureDistribution distribution;
    if (values.empty())
        return distribution;
    std::sort(values.begin(), values.end());
    distribution.minimum = values.front();
    distribution.lowerQuartile = percentileOfSorted(values, 0.25);
    distribution.median = percentileOfSorted(values, 0.5);
    distribution.upperQuartile = percentileOfSorted(values, 0.75);
    distribution.maximum = values.back();
    return distribution;
}

} // namespace webthreat

#pragma once

#include "core/isolationforest.h"
#include "core/progress.h"
#include "core/traffictable.h"

#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// A detector input the analyst can choose. The notebook's four are the default.
enum class Feature : std::uint8_t {
    BytesIn,
    BytesOut,
    SessionDuration,   // end_time - creation_time, seconds
    AvgPacketSize,     // (bytes_in + bytes_out) / session_duration: really bytes per second
};

struct FeatureInfo {
    Feature feature;
    std::string_view name;        // as in the notebook and the scored CSV
    std::string_view label;       // for charts and tables
    std::string_view description; // one sentence for tooltips and help
};
const std::vector<FeatureInfo>& availableFeatures();
const FeatureInfo& featureInfo(Feature feature);
// Throws ParameterError listing the valid names.
Feature featureByName(std::string_view name);
std::vector<Feature> defaultFeatures();

struct FeatureReport {
    std::size_t negativeDurations = 0;      // end before creation: a data-quality warning
    std::size_t zeroDurations = 0;          // avg_packet_size is 0 there, as the notebook chose
    std::size_t missingDurations = 0;       // a timestamp was missing: filled with the mean
    std::size_t missingPacketSizes = 0;     // bytes_out or the duration missing: filled with the mean
    std::size_t missingBytesOut = 0;        // filled with the mean in the detector's input
    std::size_t missingBytesIn = 0;
    std::vector<std::string> warnings;
};

// The engineered columns, one value per row of the table they were computed from, after the
// notebook's mean fill of what was still missing.
struct FeatureSet {
    std::vector<double> sessionDuration;
    std::vector<double> avgPacketSize;
    FeatureReport report;
};

FeatureSet computeFeatures(const TrafficTable& table, const Progress& progress = {});

// The detector's input matrix: one column per selected feature, in the given order, missing values
// filled with the column's mean. Throws ParameterError when no feature is selected.
FeatureMatrix buildFeatureMatrix(const TrafficTable& table, const FeatureSet& features,
                                 const std::vector<Feature>& selected);

// One feature's values for every row (after the mean fill), as doubles.
std::vector<double> featureValues(const TrafficTable& table, const FeatureSet& features, Feature feature);

} // namespace webthreat

#include "core/features.h"

#include "core/log.h"

#include <cmath>

namespace webthreat {

const std::vector<FeatureInfo>& availableFeatures()
{
    static const std::vector<FeatureInfo> features{
        {Feature::BytesIn, "bytes_in", "Bytes in", "Bytes the server received in the session."},
        {Feature::BytesOut, "bytes_out", "Bytes out", "Bytes the server sent in the session: exfiltration shows here."},
        {Feature::SessionDuration, "session_duration", "Session duration (s)",
         "end_time minus creation_time, in seconds: very long or zero-length sessions stand out."},
        {Feature::AvgPacketSize, "avg_packet_size", "Avg packet size (bytes/s)",
         "(bytes_in + bytes_out) / session_duration: really bytes per second; 0 where the duration is 0."},
    };
    return features;
}

const FeatureInfo& featureInfo(Feature feature)
{
    return availableFeatures()[static_cast<std::size_t>(feature)];
}

Feature featureByName(std::string_view name)
{
    std::string valid;
    for (const FeatureInfo& info : availableFeatures()) {
        if (info.name == name)
            return info.feature;
        valid += (valid.empty() ? "" : ", ") + std::string(info.name);
    }
    throw ParameterError("unknown feature '" + std::string(name) + "'; the features are: " + valid);
}

std::vector<Feature> defaultFeatures()
{
    return {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration, Feature::AvgPacketSize};
}

namespace {
// Replaces NaN with the mean of the rest (0 when nothing is left), as the notebook's fillna(mean).
std::size_t fillWithMean(std::vector<double>& values)
{
    double sum = 0.0;
    std::size_t present = 0;
    for (double value : values) {
        if (!std::isnan(value)) {
            sum += value;
            ++present;
        }
    }
    const double mean = present > 0 ? sum / static_cast<double>(present) : 0.0;
    const std::size_t missing = values.size() - present;
    if (missing > 0) {
        for (double& value : values) {
            if (std::isnan(value))
                value = mean;
        }
    }
    return missing;
}
} // namespace

FeatureSet computeFeatures(const TrafficTable& table, const Progress& progress)
{
    FeatureSet set;
    const std::size_t rows = table.rowCount();
    const auto& creation = table.column(Field::CreationTime).integers;
    const auto& end = table.column(Field::EndTime).integers;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    set.sessionDuration.resize(rows);
    set.avgPacketSize.resize(rows);
    const double nan = std::nan("");
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        double duration = nan;
        if (creation[row] != kMissingInteger && end[row] != kMissingInteger) {
            duration = static_cast<double>(end[row] - creation[row]) / static_cast<double>(kMicrosPerSecond);
            if (duration < 0)
                ++set.report.negativeDurations;
            else if (duration == 0)
                ++set.report.zeroDurations;
        }
        set.sessionDuration[row] = duration;
        double packetSize = nan;
        if (!std::isnan(duration) && bytesIn[row] != kMissingInteger && bytesOut[row] != kMissingInteger) {
            packetSize = duration == 0 ? 0.0
                                       : (static_cast<double>(bytesIn[row]) + static_cast<double>(bytesOut[row])) / duration;
        }
        set.avgPacketSize[row] = packetSize;
        if (bytesIn[row] == kMissingInteger)
            ++set.report.missingBytesIn;
        if (bytesOut[row] == kMissingInteger)
            ++set.report.missingBytesOut;
    }
    set.report.missingDurations = fillWithMean(set.sessionDuration);
    set.report.missingPacketSizes = fillWithMean(set.avgPacketSize);
    if (set.report.negativeDurations > 0)
        set.report.warnings.push_back(std::to_string(set.report.negativeDurations)
                                      + " session(s) end before they start (end_time < creation_time): "
                                        "their duration is negative; check the export");
    if (set.report.missingDurations > 0)
        set.report.warnings.push_back(std::to_string(set.report.missingDurations)
                                      + " session(s) lack a creation or end time: their duration is the mean");
    if (set.report.missingBytesOut > 0)
        set.report.warnings.push_back(std::to_string(set.report.missingBytesOut)
                                      + " row(s) lack bytes_out: the detector sees the mean there");
    for (const auto& warning : set.report.warnings)
        logger::core()->info("features: {}", warning);
    progress.report("features", 1.0);
    return set;
}

std::vector<double> featureValues(const TrafficTable& table, const FeatureSet& features, Feature feature)
{
    switch (feature) {
    case Feature::SessionDuration: return features.sessionDuration;
    case Feature::AvgPacketSize: return features.avgPacketSize;
    case Feature::BytesIn:
    case Feature::BytesOut: {
        const auto& source = table.column(feature == Feature::BytesIn ? Field::BytesIn : Field::BytesOut).integers;
        std::vector<double> values(source.size());
        for (std::size_t row = 0; row < source.size(); ++row)
            values[row] = source[row] == kMissingInteger ? std::nan("") : static_cast<double>(source[row]);
        fillWithMean(values);
        return values;
    }
    }
    return {};
}

FeatureMatrix buildFeatureMatrix(const TrafficTable& table, const FeatureSet& features,
                                 const std::vector<Feature>& selected)
{
    if (selected.empty())
        throw ParameterError("select at least one feature for the detector");
    FeatureMatrix matrix(static_cast<Eigen::Index>(table.rowCount()), static_cast<Eigen::Index>(selected.size()));
    for (std::size_t c = 0; c < selected.size(); ++c) {
        const std::vector<double> values = featureValues(table, features, selected[c]);
        for (std::size_t row = 0; row < values.size(); ++row)
            matrix(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(c)) = static_cast<float>(values[row]);
    }
    return matrix;
}

} // namespace webthreat

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
    // Categories are not numbers (port 443 is not "larger" than 80): these are frequency
    // encodings, the share of the file's rows with the row's value, so a rare value is small.
    // A missing value is a category of its own.
    DstPortFrequency,
    ProtocolFrequency,
    ResponseCodeFrequency,
    CountryFrequency,
    SrcIpPrivate,      // 1 for RFC 1918, loopback, link-local and unique-local IPv6 sources, else 0
    // Per source IP, over the whole file.
    SourceSessions,    // sessions from the row's src_ip
    SourceTotalBytes,  // bytes_in + bytes_out of all those sessions (values present)
};

// How the feature picker groups the features.
enum class FeatureGroup : std::uint8_t {
    Notebook,     // the notebook's four: the default
    Categorical,  // what the categorical columns say
    PerSource,    // the row's source IP as a whole
};

struct FeatureInfo {
    Feature feature;
    std::string_view name;        // as in the notebook and the scored CSV
    std::string_view label;       // for charts and tables
    std::string_view description; // one sentence for tooltips and help
    FeatureGroup group;
};
std::string_view featureGroupTitle(FeatureGroup group);
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

// One feature's values for every row (after the mean fill), as doubles. The categorical and
// per-source features cost one or two passes over the rows (counts in arrays indexed by interned
// string id or port number, not hash maps of strings).
std::vector<double> featureValues(const TrafficTable& table, const FeatureSet& features, Feature feature);

// Whether an address (IPv4 dotted quad or IPv6 text) is private: 10/8, 172.16/12, 192.168/16,
// 127/8, 169.254/16, ::1, fe80::/10, fc00::/7 and IPv4-mapped forms of the IPv4 ones. Text that is
// not an address is not private.
bool isPrivateAddress(std::string_view address) noexcept;

} // namespace webthreat

#pragma once

#include "core/detect/isolationforest.h"
#include "core/util/progress.h"
#include "core/table/traffictable.h"

#include <cmath>
#include <map>
#include <memory>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

struct Enrichment;

// A detector input the analyst can choose. The default set is defaultFeatures(); the notebook's
// four, raw, are notebookFeatures() with InputScaling::None.
enum class Feature : std::uint8_t {
    BytesIn,
    BytesOut,
    SessionDuration, // end_time - creation_time, seconds
    AvgPacketSize, // (bytes_in + bytes_out) / session_duration: really bytes per second
    // Categories are not numbers (port 443 is not "larger" than 80): these are frequency
    // encodings, the share of the file's rows with the row's value, so a rare value is small.
    // A missing value is a category of its own.
    DstPortFrequency,
    ProtocolFrequency,
    ResponseCodeFrequency,
    CountryFrequency,
    SrcIpPrivate, // 1 for RFC 1918, loopback, link-local and unique-local IPv6 sources, else 0
    // Per source IP, over the whole file.
    SourceSessions, // sessions from the row's src_ip
    SourceTotalBytes, // bytes_in + bytes_out of all those sessions (values present)
    // Behaviour over time (core/behaviour, issue 21): what the row's pair and its source's window
    // do together. Computed only when one of them is chosen (withBehaviour).
    PairBeaconScore, // its pair's beacon score, 0..1; 0 for a pair of too few sessions
    SourceFanOut, // distinct ports or hosts its source touched in its 5-minute window
    SourceVolumeRatio, // its source's sessions in that window over the source's median window
    // From the location database (FeatureSet::enrichment; issue 20). A model using one needs the
    // database when it scores.
    SourceAsnFrequency, // share of the file's rows from the row's source AS (unknown AS: a category)
    CountryMismatch, // 1 when the file's src_ip_country_code and the database's country differ
    SourceNetworkFlagged, // 1 when the source's network is an anonymous proxy, satellite or on a drop list
};

// How the feature picker groups the features.
enum class FeatureGroup : std::uint8_t {
    Notebook, // the notebook's four
    Categorical, // what the categorical columns say
    PerSource, // the row's source IP as a whole
    Behaviour, // the row's pair and its source's time window
    Context, // who is on the other end, from the location database
};

// How a feature's values are shaped before the forest sees them. An Isolation Forest draws each
// split uniformly between a feature's minimum and maximum, so on a heavy-tailed quantity (bytes,
// seconds, counts) almost every split lands in the long tail and a row that is odd for being
// small is seldom isolated early; log1p spreads the small values out. Shares and flags in [0, 1]
// are already on an even footing and stay as they are.
enum class FeatureScale : std::uint8_t {
    Linear, // the value itself
    Log1p, // sign(x) * log(1 + |x|)
};

// The detector's choice of input scaling.
enum class InputScaling : std::uint8_t {
    Auto, // each feature's own FeatureScale
    None, // every value as it is: scikit-learn on the raw values, the notebook's behaviour
};

struct FeatureInfo {
    Feature feature;
    std::string_view name; // as in the notebook and the scored CSV
    std::string_view label; // for charts and tables
    std::string_view description; // one sentence for tooltips and help
    FeatureGroup group;
    FeatureScale scale; // how InputScaling::Auto shapes it
};
std::string_view featureGroupTitle(FeatureGroup group);
const std::vector<FeatureInfo>& availableFeatures();
const FeatureInfo& featureInfo(Feature feature);
// Throws ParameterError listing the valid names.
Feature featureByName(std::string_view name);
// The notebook's four and the frequencies of dst_port and response.code, chosen by measurement.
std::vector<Feature> defaultFeatures();
// Whether the feature reads the location database's answers (FeatureSet::enrichment).
bool needsEnrichment(Feature feature) noexcept;
// bytes_in, bytes_out, session_duration, avg_packet_size: the notebook's inputs.
std::vector<Feature> notebookFeatures();

// "auto" and "none", as on the command line and in the provenance.
std::string_view inputScalingName(InputScaling scaling);
// Throws ParameterError naming the valid values.
InputScaling inputScalingByName(std::string_view name);
// As a report's reader needs it: "auto (log1p for bytes, ...)", "none (raw values, as scikit-learn)".
std::string_view inputScalingDescription(InputScaling scaling);
// The scale a feature gets under a scaling choice: its own under Auto, Linear under None.
FeatureScale effectiveScale(Feature feature, InputScaling scaling);

// One value shaped by scale. Log1p is sign-preserving, sign(x) * log1p(|x|), rather than clamping
// negatives to 0: it is monotone over the whole line, so rows keep their order (a percentile
// over raw values is the same over scaled ones) and a negative value, always a data error here (a
// session that ends before it starts), stays apart from the zero-length sessions instead of
// being hidden among them. It is odd and continuous, and equals x to first order near 0. Non-finite
// values pass through unchanged (NaN stays NaN, +-inf stays +-inf), so the forest refuses them
// naming the row and feature exactly as it does without scaling; a finite value always gives a
// finite one (at most about 710 for the largest double).
inline double scaleFeatureValue(FeatureScale scale, double value) noexcept
{
    return scale == FeatureScale::Log1p ? std::copysign(std::log1p(std::fabs(value)), value) : value;
}

struct FeatureReport {
    std::size_t negativeDurations = 0; // end before creation: a data-quality warning
    std::size_t zeroDurations = 0; // avg_packet_size is 0 there, as the notebook chose
    std::size_t missingDurations = 0; // a timestamp was missing: filled with the mean
    std::size_t missingPacketSizes = 0; // bytes_out or the duration missing: filled with the mean
    std::size_t missingBytesOut = 0; // filled with the mean in the detector's input
    std::size_t missingBytesIn = 0;
    std::vector<std::string> warnings;
};

// An engineered column read like a vector but computed from the table's columns when read:
// a session's duration and its bytes per second cost 16 bytes a row to keep (16 MB at a million
// rows) and a subtraction and a division to recompute. Valid while the table it was made from
// lives unchanged (PreparedData keeps the two together).
class DerivedFeature {
public:
    enum class Kind : std::uint8_t { SessionDuration, AvgPacketSize };

    DerivedFeature() = default;
    // fill: the value of rows where the feature cannot be computed (the mean of the others).
    DerivedFeature(Kind kind, const TrafficTable& table, double fill);

    std::size_t size() const noexcept { return m_rows; }
    double operator[](std::size_t row) const noexcept
    {
        if (m_creation[row] == kMissingInteger || m_end[row] == kMissingInteger)
            return m_fill;
        const double duration = rawDuration(row);
        if (m_kind == Kind::SessionDuration)
            return duration;
        if (m_bytesIn[row] == kMissingInteger || m_bytesOut[row] == kMissingInteger)
            return m_fill;
        return duration == 0 ? 0.0
                             : (static_cast<double>(m_bytesIn[row]) + static_cast<double>(m_bytesOut[row])) / duration;
    }
    double fill() const noexcept { return m_fill; }
    // Every row's value, for the few places that need them all at once.
    std::vector<double> values() const;

    double rawDuration(std::size_t row) const noexcept
    {
        return static_cast<double>(m_end[row] - m_creation[row]) / static_cast<double>(kMicrosPerSecond);
    }

private:
    Kind m_kind = Kind::SessionDuration;
    Cells<std::int64_t>::View m_creation;
    Cells<std::int64_t>::View m_end;
    Cells<std::int64_t>::View m_bytesIn;
    Cells<std::int64_t>::View m_bytesOut;
    std::size_t m_rows = 0;
    double m_fill = 0.0;
};

struct BehaviourResult; // core/behaviour/behaviour.h

// The engineered columns, one value per row of the table they were computed from, after the
// notebook's mean fill of what was still missing.
struct FeatureSet {
    DerivedFeature sessionDuration;
    DerivedFeature avgPacketSize;
    FeatureReport report;
    // The pairs and source windows the Behaviour features read (analyzeBehaviour with its default
    // parameters); null until withBehaviour adds it for a choice of features that needs it.
    std::shared_ptr<const BehaviourResult> behaviour;
    // Each address's country, AS and flags (CleanParams::enricher), for the context features and
    // the views; null when enrichment is off.
    std::shared_ptr<const Enrichment> enrichment;
};

FeatureSet computeFeatures(const TrafficTable& table, const Progress& progress = {});

// Whether any of the features is in the Behaviour group.
bool needsBehaviour(const std::vector<Feature>& selected) noexcept;
// features with FeatureSet::behaviour computed from table when selected needs it and features has
// none yet (stages "beacons", "fan-out"; about 0.3 s at a million rows); otherwise features as given.
FeatureSet withBehaviour(const TrafficTable& table, FeatureSet features, const std::vector<Feature>& selected,
                         const Progress& progress = {});

// The detector's input matrix: one column per selected feature, in the given order, missing values
// filled with the column's mean, then each value shaped by effectiveScale(feature, scaling) (the
// mean is of the raw values). Throws ParameterError when no feature is selected.
FeatureMatrix buildFeatureMatrix(const TrafficTable& table, const FeatureSet& features,
                                 const std::vector<Feature>& selected, InputScaling scaling = InputScaling::None);

// What the detector learnt about one input from its training rows, frozen so that other data is
// encoded exactly as the training data was (a saved model, core/detect/model.h). The per-source
// features and the private-address flag learn nothing: they describe the rows being scored.
struct FeatureEncoding {
    Feature feature = Feature::BytesIn;
    FeatureScale scale = FeatureScale::Linear; // effectiveScale(feature, scaling) at training
    // bytes_in, bytes_out, session_duration, avg_packet_size: the training rows' mean, given to a
    // row whose value is missing.
    double fill = 0.0;
    // The frequency features: each value's share of the training rows (ports and response codes
    // by number, with kMissingInteger for a missing value; protocols and countries by text, with
    // "" for a missing value). A value never seen in training gets unseenShare: 0, rarer than any
    // value that was seen, which is what a frequency encoding means.
    std::map<std::int64_t, double> integerShares;
    std::map<std::string, double> textShares;
    static constexpr double unseenShare = 0.0;
    // The per-source features over a file read in chunks (core/stream): each source's value over
    // the whole file, looked up by src_ip text ("" for a missing one) instead of counted over the
    // rows at hand. Null otherwise (and in a saved model).
    std::shared_ptr<const std::unordered_map<std::string, double>> sourceValues;

    bool isFrequency() const noexcept;
    bool hasFill() const noexcept;
};
using FeatureEncodings = std::vector<FeatureEncoding>;

// The encodings of the selected features, learnt from the table (one pass per frequency feature).
// Throws ParameterError when no feature is selected.
FeatureEncodings learnEncodings(const TrafficTable& table, const FeatureSet& features,
                                const std::vector<Feature>& selected, InputScaling scaling);

// The detector's input made on demand from the table (for IsolationForest's FeatureRows
// overloads): the notebook's four features are computed per row as they are asked for, so the
// whole matrix (4 bytes per row and feature) never exists; a categorical or per-source feature is
// kept as one float column. Gives exactly the values of buildFeatureMatrix with the same scaling
// (log1p is applied per value as it is read, in double, then rounded to float). Keeps references
// to table and features.
class TableFeatureRows final : public FeatureRows {
public:
    TableFeatureRows(const TrafficTable& table, const FeatureSet& features, const std::vector<Feature>& selected,
                     InputScaling scaling = InputScaling::None);
    // The table's rows encoded as another table's rows were (learnEncodings of the training data):
    // frozen shares and fills, each feature's training scale. The same table's own encodings give
    // exactly the values of the constructor above.
    TableFeatureRows(const TrafficTable& table, const FeatureSet& features, const FeatureEncodings& encodings);

    Eigen::Index rows() const override { return static_cast<Eigen::Index>(m_rows); }
    Eigen::Index columns() const override { return static_cast<Eigen::Index>(m_sources.size()); }
    void fill(Eigen::Index begin, Eigen::Index count, float* out) const override;
    void gather(const Eigen::Index* rows, Eigen::Index count, float* out) const override;

private:
    float value(std::size_t column, std::size_t row) const noexcept;

    struct Source {
        Feature feature = Feature::BytesIn;
        FeatureScale scale = FeatureScale::Linear; // for integers and derived; stored is scaled already
        Cells<std::int64_t>::View integers; // bytes in or out, with their mean fill
        bool hasIntegers = false;
        double fill = 0.0;
        bool isDerived = false; // session duration or rate, computed per row by derived
        DerivedFeature derived; // with its training fill
        std::vector<float> stored; // the other features
    };
    std::size_t m_rows = 0;
    std::vector<Source> m_sources;
};

// One feature's values for every row (after the mean fill), as doubles. The categorical and
// per-source features cost one or two passes over the rows (counts in arrays indexed by interned
// string id or port number, not hash maps of strings). A Behaviour feature reads
// features.behaviour, computed here for the call when it is null.
std::vector<double> featureValues(const TrafficTable& table, const FeatureSet& features, Feature feature);

// One feature's values read row by row (featureValues is every row's, read through it), without
// a vector of every row's value where the feature allows: the frequency features from a
// count per value (ports and codes in 65,536 slots, texts by interned id), bytes from their column
// with the mean fill, session_duration and avg_packet_size from their DerivedFeature; the others
// (per-source, context, behaviour) hold featureValues' vector. The scored CSV and the explanations
// read a million-row file's features this way rather than through 8 bytes a row and feature.
class FeatureReader {
public:
    FeatureReader(const TrafficTable& table, const FeatureSet& features, Feature feature);
    // Values already computed (streaming mode's encoded inputs), read the same way.
    explicit FeatureReader(std::vector<double> values) : m_rows(values.size()), m_values(std::move(values)) {}

    std::size_t size() const noexcept { return m_rows; }
    double operator[](std::size_t row) const noexcept
    {
        switch (m_way) {
        case Way::Integers: {
            const std::int64_t value = m_column->integers[row];
            return value == kMissingInteger ? m_fill : static_cast<double>(value);
        }
        case Way::IntegerShares: {
            const std::int64_t value = m_column->integers[row];
            return value >= 0 && value < kSlots ? m_shares[static_cast<std::size_t>(value)]
                                                : m_otherShares.find(value)->second;
        }
        case Way::TextShares:
            return m_shares[m_column->text[row]];
        case Way::Derived:
            return m_derived[row];
        case Way::Values:
            break;
        }
        return m_values[row];
    }
    std::vector<double> values() const; // every row's

private:
    static constexpr std::int64_t kSlots = 65536;
    enum class Way : std::uint8_t { Values, Integers, IntegerShares, TextShares, Derived };
    Way m_way = Way::Values;
    std::size_t m_rows = 0;
    const Column* m_column = nullptr;
    DerivedFeature m_derived; // holds pointers into the table's columns, no values
    double m_fill = 0.0;
    std::vector<double> m_shares; // IntegerShares: by value under kSlots; TextShares: by string id
    std::unordered_map<std::int64_t, double> m_otherShares;
    std::vector<double> m_values;
};

// One feature's unscaled values as an encoding gives them: frozen shares, whole-file per-source
// values (FeatureEncoding::sourceValues), otherwise featureValues.
std::vector<double> encodedFeatureValues(const TrafficTable& table, const FeatureSet& features,
                                         const FeatureEncoding& encoding);

// Whether an address (IPv4 dotted quad or IPv6 text) is private: 10/8, 172.16/12, 192.168/16,
// 127/8, 169.254/16, ::1, fe80::/10, fc00::/7 and IPv4-mapped forms of the IPv4 ones. Text that is
// not an address is not private.
bool isPrivateAddress(std::string_view address) noexcept;

} // namespace webthreat

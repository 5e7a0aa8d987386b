#include "core/detect/features.h"

#include "core/behaviour/behaviour.h"
#include "core/context/ipenricher.h"

#include "core/util/errors.h"
#include "core/util/log.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

namespace webthreat {

const std::vector<FeatureInfo>& availableFeatures()
{
    // In enum order: featureInfo() indexes this list.
    static const std::vector<FeatureInfo> features{
        {Feature::BytesIn, "bytes_in", "Bytes in", "Bytes the server received in the session.", FeatureGroup::Notebook,
         FeatureScale::Log1p},
        {Feature::BytesOut, "bytes_out", "Bytes out", "Bytes the server sent in the session: exfiltration shows here.",
         FeatureGroup::Notebook, FeatureScale::Log1p},
        {Feature::SessionDuration, "session_duration", "Session duration (s)",
         "end_time minus creation_time, in seconds: very long or zero-length sessions stand out.",
         FeatureGroup::Notebook, FeatureScale::Log1p},
        {Feature::AvgPacketSize, "avg_packet_size", "Avg packet size (bytes/s)",
         "(bytes_in + bytes_out) / session_duration: really bytes per second; 0 where the duration is 0.",
         FeatureGroup::Notebook, FeatureScale::Log1p},
        {Feature::DstPortFrequency, "dst_port_frequency", "Destination port frequency",
         "Share of sessions to the same dst_port: a port few sessions use (4444, 31337) is small, and 443 is "
         "not \"larger\" than 80.",
         FeatureGroup::Categorical, FeatureScale::Linear},
        {Feature::ProtocolFrequency, "protocol_frequency", "Protocol frequency",
         "Share of sessions with the same protocol: a protocol seldom seen in the file (IRC, TELNET) is small.",
         FeatureGroup::Categorical, FeatureScale::Linear},
        {Feature::ResponseCodeFrequency, "response_code_frequency", "Response code frequency",
         "Share of sessions with the same response.code: an unusual code (418, 444, 520) is small.",
         FeatureGroup::Categorical, FeatureScale::Linear},
        {Feature::CountryFrequency, "country_frequency", "Country frequency",
         "Share of sessions from the same src_ip_country_code: a country that rarely appears is small.",
         FeatureGroup::Categorical, FeatureScale::Linear},
        {Feature::SrcIpPrivate, "src_ip_private", "Private source",
         "1 when src_ip is a private, loopback or link-local address (10/8, 172.16/12, 192.168/16, fc00::/7, ...), "
         "0 when it is public.",
         FeatureGroup::Categorical, FeatureScale::Linear},
        {Feature::SourceSessions, "source_sessions", "Sessions from the source",
         "Sessions in the file from the same src_ip: floods and scanners send many, one-off visitors few.",
         FeatureGroup::PerSource, FeatureScale::Log1p},
        {Feature::SourceTotalBytes, "source_total_bytes", "Bytes of the source",
         "bytes_in + bytes_out of all the file's sessions from the same src_ip: heavy talkers stand out.",
         FeatureGroup::PerSource, FeatureScale::Log1p},
        {Feature::PairBeaconScore, "pair_beacon_score", "Beacon score of the pair",
         "How regularly the row's source calls its destination (and port): 1 for a timer with near-constant sizes, "
         "0 for irregular calls or a pair of fewer than 10 sessions.",
         FeatureGroup::Behaviour, FeatureScale::Linear},
        {Feature::SourceFanOut, "source_fan_out", "Fan-out of the source (5 min)",
         "Distinct destination ports or hosts, whichever are more, the row's source touched in its 5-minute "
         "window: scanners touch hundreds.",
         FeatureGroup::Behaviour, FeatureScale::Log1p},
        {Feature::SourceVolumeRatio, "source_volume_ratio", "Source volume over its usual",
         "The row's source's sessions in its 5-minute window over its median window: a burst is many times its "
         "own usual.",
         FeatureGroup::Behaviour, FeatureScale::Log1p},
        {Feature::SourceAsnFrequency, "src_asn_frequency", "Source AS frequency",
         "Share of the file's rows from the source's autonomous system (location database): a network seldom "
         "seen is small.",
         FeatureGroup::Context, FeatureScale::Linear},
        {Feature::CountryMismatch, "country_mismatch", "Country differs from the file's",
         "1 when the file's src_ip_country_code and the location database's country of src_ip differ.",
         FeatureGroup::Context, FeatureScale::Linear},
        {Feature::SourceNetworkFlagged, "src_network_flagged", "Source network flagged",
         "1 when the location database marks the source's network as an anonymous proxy, a satellite provider "
         "or on a drop list.",
         FeatureGroup::Context, FeatureScale::Linear},
    };
    return features;
}

std::string_view featureGroupTitle(FeatureGroup group)
{
    switch (group) {
    case FeatureGroup::Notebook:
        return "The notebook's four";
    case FeatureGroup::Categorical:
        return "Categories (frequency encoded)";
    case FeatureGroup::PerSource:
        return "Per source IP";
    case FeatureGroup::Behaviour:
        return "Behaviour over time";
    case FeatureGroup::Context:
        return "Who is on the other end (location database)";
    }
    return {};
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
    // Chosen by benchmarks/feature_auc (issue 15; BENCHMARKS.md "Feature choice"): with log1p
    // inputs the notebook's four plus the two frequency encodings that carry odd ports and odd
    // response codes reach a ROC AUC of 0.957 over all generated anomaly kinds and at least 0.855
    // on each (median of 5 seeds); more features dilute the splits (long sessions and odd codes
    // lose most) and fewer leave rare ports and odd codes at chance.
    return {Feature::BytesIn,       Feature::BytesOut,         Feature::SessionDuration,
            Feature::AvgPacketSize, Feature::DstPortFrequency, Feature::ResponseCodeFrequency};
}

bool needsEnrichment(Feature feature) noexcept
{
    return feature == Feature::SourceAsnFrequency || feature == Feature::CountryMismatch
        || feature == Feature::SourceNetworkFlagged;
}

std::vector<Feature> notebookFeatures()
{
    return {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration, Feature::AvgPacketSize};
}

std::string_view inputScalingName(InputScaling scaling)
{
    return scaling == InputScaling::Auto ? "auto" : "none";
}

std::string_view inputScalingDescription(InputScaling scaling)
{
    return scaling == InputScaling::Auto
        ? "auto (log1p for bytes, durations, rates, counts and per-source totals; shares and flags as they are)"
        : "none (raw values, as scikit-learn)";
}

InputScaling inputScalingByName(std::string_view name)
{
    if (name == "auto")
        return InputScaling::Auto;
    if (name == "none")
        return InputScaling::None;
    throw ParameterError(
        "unknown input scaling '" + std::string(name)
        + "'; it is 'auto' (each feature's own: log1p for bytes, durations, rates and counts) or 'none' "
          "(raw values, as scikit-learn)");
}

FeatureScale effectiveScale(Feature feature, InputScaling scaling)
{
    return scaling == InputScaling::Auto ? featureInfo(feature).scale : FeatureScale::Linear;
}

namespace {
std::vector<double> privateSources(const TrafficTable& table)
{
    const auto& ids = table.column(Field::SrcIp).text;
    // Each distinct address is classified once: -1 not yet, else 0 or 1.
    std::vector<std::int8_t> verdict(table.strings ? table.strings->size() : 1, -1);
    std::vector<double> values(ids.size());
    for (std::size_t row = 0; row < ids.size(); ++row) {
        std::int8_t& known = verdict[ids[row]];
        if (known < 0)
            known = isPrivateAddress(table.strings->view(ids[row])) ? 1 : 0;
        values[row] = known;
    }
    return values;
}

std::vector<double> perSource(const TrafficTable& table, Feature feature)
{
    const auto& ids = table.column(Field::SrcIp).text;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    const std::size_t distinct = table.strings ? table.strings->size() : 1;
    std::vector<double> totals(distinct, 0.0);
    for (std::size_t row = 0; row < ids.size(); ++row) {
        if (feature == Feature::SourceSessions) {
            totals[ids[row]] += 1.0;
        } else {
            if (bytesIn[row] != kMissingInteger)
                totals[ids[row]] += static_cast<double>(bytesIn[row]);
            if (bytesOut[row] != kMissingInteger)
                totals[ids[row]] += static_cast<double>(bytesOut[row]);
        }
    }
    std::vector<double> values(ids.size());
    for (std::size_t row = 0; row < ids.size(); ++row)
        values[row] = totals[ids[row]];
    return values;
}

std::vector<double> contextValues(const TrafficTable& table, const FeatureSet& features, Feature feature)
{
    if (!features.enrichment)
        throw ParameterError("the feature '" + std::string(featureInfo(feature).name)
                             + "' needs the IP location database, and enrichment is off (give its path with "
                               "--location-db FILE or WEBTHREAT_LOCATION_DB, or install libloc-database)");
    const Enrichment& enrichment = *features.enrichment;
    const std::size_t rows = table.rowCount();
    std::vector<double> values(rows);
    if (feature == Feature::CountryMismatch) {
        for (std::size_t row = 0; row < rows; ++row)
            values[row] = enrichment.countryMismatch(table, row) ? 1.0 : 0.0;
        return values;
    }
    if (feature == Feature::SourceNetworkFlagged) {
        constexpr std::uint8_t kFlagged = kAnonymousProxy | kSatelliteProvider | kDropList;
        for (std::size_t row = 0; row < rows; ++row)
            values[row] = (enrichment.source(table, row).flags & kFlagged) ? 1.0 : 0.0;
        return values;
    }
    std::unordered_map<std::uint32_t, std::size_t> rowsOfAsn;
    for (std::size_t row = 0; row < rows; ++row)
        ++rowsOfAsn[enrichment.source(table, row).asn];
    for (std::size_t row = 0; row < rows; ++row)
        values[row] = static_cast<double>(rowsOfAsn[enrichment.source(table, row).asn]) / static_cast<double>(rows);
    return values;
}

bool parseIpv4(std::string_view text, std::array<unsigned, 4>& octets) noexcept
{
    std::size_t position = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i > 0) {
            if (position >= text.size() || text[position] != '.')
                return false;
            ++position;
        }
        unsigned value = 0;
        std::size_t digits = 0;
        while (position < text.size() && text[position] >= '0' && text[position] <= '9' && digits < 3) {
            value = value * 10 + static_cast<unsigned>(text[position] - '0');
            ++position;
            ++digits;
        }
        if (digits == 0 || value > 255)
            return false;
        octets[i] = value;
    }
    return position == text.size();
}

bool isPrivateIpv4(const std::array<unsigned, 4>& o) noexcept
{
    return o[0] == 10 || o[0] == 127 || (o[0] == 172 && o[1] >= 16 && o[1] <= 31) || (o[0] == 192 && o[1] == 168)
        || (o[0] == 169 && o[1] == 254);
}
} // namespace

bool isPrivateAddress(std::string_view address) noexcept
{
    while (!address.empty() && (address.front() == ' ' || address.front() == '\t'))
        address.remove_prefix(1);
    while (!address.empty() && (address.back() == ' ' || address.back() == '\t'))
        address.remove_suffix(1);
    std::array<unsigned, 4> octets{};
    if (parseIpv4(address, octets))
        return isPrivateIpv4(octets);
    if (address.find(':') == std::string_view::npos)
        return false;
    // IPv6, possibly with a zone (fe80::1%eth0) or an embedded IPv4 (::ffff:10.0.0.1).
    if (const auto zone = address.find('%'); zone != std::string_view::npos)
        address = address.substr(0, zone);
    if (const auto lastColon = address.rfind(':'); address.find('.') != std::string_view::npos) {
        const std::string_view head = address.substr(0, lastColon + 1);
        if ((head == "::ffff:" || head == "::FFFF:" || head == "0:0:0:0:0:ffff:")
            && parseIpv4(address.substr(lastColon + 1), octets))
            return isPrivateIpv4(octets);
        return false;
    }
    if (address == "::1" || address == "0:0:0:0:0:0:0:1")
        return true;
    unsigned first = 0;
    std::size_t digits = 0;
    for (char c : address) {
        if (c == ':')
            break;
        unsigned nibble = 0;
        if (c >= '0' && c <= '9')
            nibble = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            nibble = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            nibble = static_cast<unsigned>(c - 'A' + 10);
        else
            return false;
        if (++digits > 4)
            return false;
        first = first * 16 + nibble;
    }
    return (first & 0xFE00u) == 0xFC00u || (first & 0xFFC0u) == 0xFE80u;
}

DerivedFeature::DerivedFeature(Kind kind, const TrafficTable& table, double fill)
    : m_kind(kind)
    , m_creation(table.column(Field::CreationTime).integers.view())
    , m_end(table.column(Field::EndTime).integers.view())
    , m_bytesIn(table.column(Field::BytesIn).integers.view())
    , m_bytesOut(table.column(Field::BytesOut).integers.view())
    , m_rows(table.rowCount())
    , m_fill(fill)
{
}

std::vector<double> DerivedFeature::values() const
{
    std::vector<double> values(m_rows);
    for (std::size_t row = 0; row < m_rows; ++row)
        values[row] = (*this)[row];
    return values;
}

FeatureSet computeFeatures(const TrafficTable& table, const Progress& progress)
{
    FeatureSet set;
    const std::size_t rows = table.rowCount();
    const auto& creation = table.column(Field::CreationTime).integers;
    const auto& end = table.column(Field::EndTime).integers;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    // One pass for the counts and the means of what can be computed (summed in row order, as the
    // mean fill always was); the values themselves are computed again whenever they are read.
    const DerivedFeature measure(DerivedFeature::Kind::SessionDuration, table, 0.0);
    double durationSum = 0.0;
    double packetSizeSum = 0.0;
    std::size_t durations = 0;
    std::size_t packetSizes = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0)
            progress.check();
        if (bytesIn[row] == kMissingInteger)
            ++set.report.missingBytesIn;
        if (bytesOut[row] == kMissingInteger)
            ++set.report.missingBytesOut;
        if (creation[row] == kMissingInteger || end[row] == kMissingInteger)
            continue;
        const double duration = measure.rawDuration(row);
        if (duration < 0)
            ++set.report.negativeDurations;
        else if (duration == 0)
            ++set.report.zeroDurations;
        durationSum += duration;
        ++durations;
        if (bytesIn[row] == kMissingInteger || bytesOut[row] == kMissingInteger)
            continue;
        packetSizeSum += duration == 0
            ? 0.0
            : (static_cast<double>(bytesIn[row]) + static_cast<double>(bytesOut[row])) / duration;
        ++packetSizes;
    }
    set.report.missingDurations = rows - durations;
    set.report.missingPacketSizes = rows - packetSizes;
    set.sessionDuration = DerivedFeature(DerivedFeature::Kind::SessionDuration, table,
                                         durations > 0 ? durationSum / static_cast<double>(durations) : 0.0);
    set.avgPacketSize = DerivedFeature(DerivedFeature::Kind::AvgPacketSize, table,
                                       packetSizes > 0 ? packetSizeSum / static_cast<double>(packetSizes) : 0.0);
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

bool needsBehaviour(const std::vector<Feature>& selected) noexcept
{
    for (Feature feature : selected) {
        if (featureInfo(feature).group == FeatureGroup::Behaviour)
            return true;
    }
    return false;
}

FeatureSet withBehaviour(const TrafficTable& table, FeatureSet features, const std::vector<Feature>& selected,
                         const Progress& progress)
{
    if (!features.behaviour && needsBehaviour(selected))
        features.behaviour = std::make_shared<const BehaviourResult>(analyzeBehaviour(table, {}, progress));
    return features;
}

namespace {
std::vector<double> behaviourValues(const TrafficTable& table, const FeatureSet& features, Feature feature)
{
    std::shared_ptr<const BehaviourResult> behaviour = features.behaviour;
    if (!behaviour)
        behaviour = std::make_shared<const BehaviourResult>(analyzeBehaviour(table));
    std::vector<double> values(table.rowCount());
    for (std::size_t row = 0; row < values.size(); ++row) {
        if (feature == Feature::PairBeaconScore)
            values[row] = behaviour->beacons.scoreOfRow(row);
        else if (feature == Feature::SourceFanOut)
            values[row] = behaviour->fanOut.fanOutOfRow(row);
        else
            values[row] = behaviour->fanOut.volumeRatioOfRow(row);
    }
    return values;
}
} // namespace

std::vector<double> featureValues(const TrafficTable& table, const FeatureSet& features, Feature feature)
{
    switch (feature) {
    case Feature::PairBeaconScore:
    case Feature::SourceFanOut:
    case Feature::SourceVolumeRatio:
        return behaviourValues(table, features, feature);
    case Feature::SrcIpPrivate:
        return privateSources(table);
    case Feature::SourceSessions:
    case Feature::SourceTotalBytes:
        return perSource(table, feature);
    case Feature::SourceAsnFrequency:
    case Feature::CountryMismatch:
    case Feature::SourceNetworkFlagged:
        return contextValues(table, features, feature);
    case Feature::DstPortFrequency:
    case Feature::ResponseCodeFrequency:
    case Feature::ProtocolFrequency:
    case Feature::CountryFrequency:
    case Feature::SessionDuration:
    case Feature::AvgPacketSize:
    case Feature::BytesIn:
    case Feature::BytesOut:
        return FeatureReader(table, features, feature).values();
    }
    return {};
}

FeatureReader::FeatureReader(const TrafficTable& table, const FeatureSet& features, Feature feature)
    : m_rows(table.rowCount())
{
    // The frequency features: count / rows in double, a missing value a value of its own; bytes:
    // the mean of the present values fills the missing ones (the notebook's fillna(mean)).
    switch (feature) {
    case Feature::DstPortFrequency:
    case Feature::ResponseCodeFrequency: {
        m_way = Way::IntegerShares;
        m_column = &table.column(feature == Feature::DstPortFrequency ? Field::DstPort : Field::ResponseCode);
        std::vector<std::uint32_t> counts(kSlots, 0);
        std::unordered_map<std::int64_t, std::uint32_t> others;
        for (std::size_t row = 0; row < m_rows; ++row) {
            const std::int64_t value = m_column->integers[row];
            if (value >= 0 && value < kSlots)
                ++counts[static_cast<std::size_t>(value)];
            else
                ++others[value];
        }
        const double total = static_cast<double>(std::max<std::size_t>(m_rows, 1));
        m_shares.resize(kSlots);
        for (std::size_t value = 0; value < counts.size(); ++value)
            m_shares[value] = static_cast<double>(counts[value]) / total;
        for (const auto& [value, count] : others)
            m_otherShares.emplace(value, static_cast<double>(count) / total);
        return;
    }
    case Feature::ProtocolFrequency:
    case Feature::CountryFrequency: {
        m_way = Way::TextShares;
        m_column = &table.column(feature == Feature::ProtocolFrequency ? Field::Protocol : Field::SrcIpCountryCode);
        std::vector<std::uint32_t> counts(table.strings ? table.strings->size() : 1, 0);
        for (std::size_t row = 0; row < m_rows; ++row)
            ++counts[m_column->text[row]];
        const double total = static_cast<double>(std::max<std::size_t>(m_rows, 1));
        m_shares.resize(counts.size());
        for (std::size_t id = 0; id < counts.size(); ++id)
            m_shares[id] = static_cast<double>(counts[id]) / total;
        return;
    }
    case Feature::SessionDuration:
    case Feature::AvgPacketSize:
        m_way = Way::Derived;
        m_derived = feature == Feature::SessionDuration ? features.sessionDuration : features.avgPacketSize;
        return;
    case Feature::BytesIn:
    case Feature::BytesOut: {
        m_way = Way::Integers;
        m_column = &table.column(feature == Feature::BytesIn ? Field::BytesIn : Field::BytesOut);
        double sum = 0.0;
        std::size_t present = 0;
        for (std::size_t row = 0; row < m_rows; ++row) {
            const std::int64_t value = m_column->integers[row];
            if (value != kMissingInteger) {
                sum += static_cast<double>(value);
                ++present;
            }
        }
        m_fill = present > 0 ? sum / static_cast<double>(present) : 0.0;
        return;
    }
    default:
        m_way = Way::Values;
        m_values = featureValues(table, features, feature);
        return;
    }
}

std::vector<double> FeatureReader::values() const
{
    std::vector<double> values(m_rows);
    for (std::size_t row = 0; row < m_rows; ++row)
        values[row] = (*this)[row];
    return values;
}

FeatureMatrix buildFeatureMatrix(const TrafficTable& table, const FeatureSet& features,
                                 const std::vector<Feature>& selected, InputScaling scaling)
{
    if (selected.empty())
        throw ParameterError("select at least one feature for the detector");
    FeatureMatrix matrix(static_cast<Eigen::Index>(table.rowCount()), static_cast<Eigen::Index>(selected.size()));
    for (std::size_t c = 0; c < selected.size(); ++c) {
        const FeatureScale scale = effectiveScale(selected[c], scaling);
        const std::vector<double> values = featureValues(table, features, selected[c]);
        for (std::size_t row = 0; row < values.size(); ++row)
            matrix(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(c))
                = static_cast<float>(scaleFeatureValue(scale, values[row]));
    }
    return matrix;
}

bool FeatureEncoding::isFrequency() const noexcept
{
    return feature == Feature::DstPortFrequency || feature == Feature::ResponseCodeFrequency
        || feature == Feature::ProtocolFrequency || feature == Feature::CountryFrequency;
}

bool FeatureEncoding::hasFill() const noexcept
{
    return feature == Feature::BytesIn || feature == Feature::BytesOut || feature == Feature::SessionDuration
        || feature == Feature::AvgPacketSize;
}

namespace {
const Cells<std::int64_t>& integerColumnOf(const TrafficTable& table, Feature feature)
{
    return table.column(feature == Feature::DstPortFrequency ? Field::DstPort : Field::ResponseCode).integers;
}

const Cells<std::uint32_t>& textColumnOf(const TrafficTable& table, Feature feature)
{
    return table.column(feature == Feature::ProtocolFrequency ? Field::Protocol : Field::SrcIpCountryCode).text;
}

double meanOfPresent(const Cells<std::int64_t>& values)
{
    double sum = 0.0;
    std::size_t present = 0;
    for (std::int64_t value : values) {
        if (value != kMissingInteger) {
            sum += static_cast<double>(value);
            ++present;
        }
    }
    return present > 0 ? sum / static_cast<double>(present) : 0.0;
}

// Each value's share of the rows, as FeatureReader computes it (count /
// rows, in double), so the frozen share of a training value is the very number its rows got.
void learnShares(const TrafficTable& table, FeatureEncoding& encoding)
{
    if (encoding.feature == Feature::DstPortFrequency || encoding.feature == Feature::ResponseCodeFrequency) {
        constexpr std::int64_t slots = 65536;
        std::vector<std::size_t> counts(slots, 0);
        std::unordered_map<std::int64_t, std::size_t> others;
        for (std::int64_t value : integerColumnOf(table, encoding.feature)) {
            if (value >= 0 && value < slots)
                ++counts[static_cast<std::size_t>(value)];
            else
                ++others[value];
        }
        const double total = static_cast<double>(table.rowCount());
        for (std::int64_t value = 0; value < slots; ++value) {
            if (counts[static_cast<std::size_t>(value)] > 0)
                encoding.integerShares.emplace(value,
                                               static_cast<double>(counts[static_cast<std::size_t>(value)]) / total);
        }
        for (const auto& [value, count] : others)
            encoding.integerShares.emplace(value, static_cast<double>(count) / total);
        return;
    }
    const auto& ids = textColumnOf(table, encoding.feature);
    std::vector<std::size_t> counts(table.strings ? table.strings->size() : 1, 0);
    for (std::uint32_t id : ids)
        ++counts[id];
    const double total = static_cast<double>(table.rowCount());
    for (std::size_t id = 0; id < counts.size(); ++id) {
        if (counts[id] > 0)
            encoding.textShares.emplace(
                id == StringPool::kMissing ? std::string() : std::string(table.strings->view(static_cast<std::uint32_t>(id))),
                static_cast<double>(counts[id]) / total);
    }
}

// Every row's frozen share: looked up once per distinct value, not once per row.
std::vector<double> frozenShares(const TrafficTable& table, const FeatureEncoding& encoding)
{
    std::vector<double> values(table.rowCount());
    if (encoding.feature == Feature::DstPortFrequency || encoding.feature == Feature::ResponseCodeFrequency) {
        const auto& integers = integerColumnOf(table, encoding.feature);
        constexpr std::int64_t slots = 65536;
        std::vector<double> shareOf(slots, FeatureEncoding::unseenShare);
        for (const auto& [value, share] : encoding.integerShares) {
            if (value >= 0 && value < slots)
                shareOf[static_cast<std::size_t>(value)] = share;
        }
        for (std::size_t row = 0; row < values.size(); ++row) {
            const std::int64_t value = integers[row];
            if (value >= 0 && value < slots) {
                values[row] = shareOf[static_cast<std::size_t>(value)];
            } else {
                const auto found = encoding.integerShares.find(value);
                values[row] = found == encoding.integerShares.end() ? FeatureEncoding::unseenShare : found->second;
            }
        }
        return values;
    }
    const auto& ids = textColumnOf(table, encoding.feature);
    const std::size_t distinct = table.strings ? table.strings->size() : 1;
    std::vector<double> shareOf(distinct, FeatureEncoding::unseenShare);
    for (std::size_t id = 0; id < distinct; ++id) {
        const std::string key
            = id == StringPool::kMissing ? std::string() : std::string(table.strings->view(static_cast<std::uint32_t>(id)));
        const auto found = encoding.textShares.find(key);
        if (found != encoding.textShares.end())
            shareOf[id] = found->second;
    }
    for (std::size_t row = 0; row < values.size(); ++row)
        values[row] = shareOf[ids[row]];
    return values;
}

// Every row's whole-file per-source value (FeatureEncoding::sourceValues), looked up once per
// distinct source.
std::vector<double> frozenSourceValues(const TrafficTable& table, const FeatureEncoding& encoding)
{
    const auto& ids = table.column(Field::SrcIp).text;
    const std::size_t distinct = table.strings ? table.strings->size() : 1;
    std::vector<double> valueOf(distinct, 0.0);
    std::vector<std::uint8_t> known(distinct, 0);
    std::vector<double> values(ids.size());
    for (std::size_t row = 0; row < ids.size(); ++row) {
        const std::uint32_t id = ids[row];
        if (!known[id]) {
            known[id] = 1;
            const std::string key = id == StringPool::kMissing ? std::string() : std::string(table.strings->view(id));
            const auto found = encoding.sourceValues->find(key);
            valueOf[id] = found == encoding.sourceValues->end() ? 0.0 : found->second;
        }
        values[row] = valueOf[id];
    }
    return values;
}
} // namespace

std::vector<double> encodedFeatureValues(const TrafficTable& table, const FeatureSet& features,
                                         const FeatureEncoding& encoding)
{
    if (encoding.isFrequency())
        return frozenShares(table, encoding);
    if (encoding.sourceValues)
        return frozenSourceValues(table, encoding);
    return featureValues(table, features, encoding.feature);
}

FeatureEncodings learnEncodings(const TrafficTable& table, const FeatureSet& features,
                                const std::vector<Feature>& selected, InputScaling scaling)
{
    if (selected.empty())
        throw ParameterError("select at least one feature for the detector");
    FeatureEncodings encodings;
    for (Feature feature : selected) {
        FeatureEncoding encoding;
        encoding.feature = feature;
        encoding.scale = effectiveScale(feature, scaling);
        if (feature == Feature::BytesIn || feature == Feature::BytesOut)
            encoding.fill
                = meanOfPresent(table.column(feature == Feature::BytesIn ? Field::BytesIn : Field::BytesOut).integers);
        else if (feature == Feature::SessionDuration)
            encoding.fill = features.sessionDuration.fill();
        else if (feature == Feature::AvgPacketSize)
            encoding.fill = features.avgPacketSize.fill();
        else if (encoding.isFrequency())
            learnShares(table, encoding);
        encodings.push_back(std::move(encoding));
    }
    return encodings;
}

TableFeatureRows::TableFeatureRows(const TrafficTable& table, const FeatureSet& features,
                                   const std::vector<Feature>& selected, InputScaling scaling)
    : TableFeatureRows(table, features, learnEncodings(table, features, selected, scaling))
{
}

TableFeatureRows::TableFeatureRows(const TrafficTable& table, const FeatureSet& features,
                                   const FeatureEncodings& encodings)
    : m_rows(table.rowCount())
{
    if (encodings.empty())
        throw ParameterError("select at least one feature for the detector");
    for (const FeatureEncoding& encoding : encodings) {
        Source source;
        source.feature = encoding.feature;
        source.scale = encoding.scale;
        switch (encoding.feature) {
        case Feature::BytesIn:
        case Feature::BytesOut:
            source.integers
                = table.column(encoding.feature == Feature::BytesIn ? Field::BytesIn : Field::BytesOut).integers.view();
            source.hasIntegers = true;
            source.fill = encoding.fill;
            break;
        case Feature::SessionDuration:
        case Feature::AvgPacketSize:
            source.isDerived = true;
            source.derived = DerivedFeature(encoding.feature == Feature::SessionDuration
                                                ? DerivedFeature::Kind::SessionDuration
                                                : DerivedFeature::Kind::AvgPacketSize,
                                            table, encoding.fill);
            break;
        default: {
            const std::vector<double> values = encoding.isFrequency() ? frozenShares(table, encoding)
                : encoding.sourceValues                           ? frozenSourceValues(table, encoding)
                                                                  : featureValues(table, features, encoding.feature);
            source.stored.resize(values.size());
            for (std::size_t row = 0; row < values.size(); ++row)
                source.stored[row] = static_cast<float>(scaleFeatureValue(source.scale, values[row]));
            break;
        }
        }
        m_sources.push_back(std::move(source));
    }
}

float TableFeatureRows::value(std::size_t column, std::size_t row) const noexcept
{
    const Source& source = m_sources[column];
    if (!source.hasIntegers && !source.isDerived)
        return source.stored[row];
    const double raw = source.hasIntegers
        ? (source.integers[row] == kMissingInteger ? source.fill : static_cast<double>(source.integers[row]))
        : source.derived[row];
    // Only the Log1p branch differs from the raw path, so InputScaling::None gives today's floats.
    return static_cast<float>(source.scale == FeatureScale::Log1p ? scaleFeatureValue(FeatureScale::Log1p, raw) : raw);
}

void TableFeatureRows::fill(Eigen::Index begin, Eigen::Index count, float* out) const
{
    const std::size_t columns = m_sources.size();
    for (std::size_t c = 0; c < columns; ++c) {
        for (Eigen::Index i = 0; i < count; ++i)
            out[static_cast<std::size_t>(i) * columns + c] = value(c, static_cast<std::size_t>(begin + i));
    }
}

void TableFeatureRows::gather(const Eigen::Index* rows, Eigen::Index count, float* out) const
{
    const std::size_t columns = m_sources.size();
    for (Eigen::Index i = 0; i < count; ++i) {
        for (std::size_t c = 0; c < columns; ++c)
            out[static_cast<std::size_t>(i) * columns + c] = value(c, static_cast<std::size_t>(rows[i]));
    }
}

} // namespace webthreat

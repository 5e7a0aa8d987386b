#include "core/detect/explain.h"

#include "core/behaviour/behaviour.h"
#include "core/util/format.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>

namespace webthreat {

namespace {
// 0.0001 -> "0.01 %", 0.25 -> "25.0 %": small shares keep two significant digits.
std::string sharePercent(double share)
{
    char text[32];
    const double percent = share * 100.0;
    if (percent > 0.0 && percent < 0.1)
        std::snprintf(text, sizeof text, "%.2g %%", percent);
    else
        std::snprintf(text, sizeof text, "%.1f %%", percent);
    return text;
}
} // namespace

std::string describeFeatureValue(Feature feature, double value)
{
    char text[64];
    switch (feature) {
    case Feature::BytesIn:
    case Feature::BytesOut:
        return formatBytes(value);
    case Feature::SessionDuration:
        std::snprintf(text, sizeof text, value == std::floor(value) ? "%.0f s" : "%.1f s", value);
        return text;
    case Feature::AvgPacketSize:
        return formatBytes(value) + "/s";
    case Feature::DstPortFrequency:
    case Feature::ProtocolFrequency:
    case Feature::ResponseCodeFrequency:
    case Feature::CountryFrequency:
        return sharePercent(value) + " of sessions";
    case Feature::SrcIpPrivate:
        return value >= 0.5 ? "private" : "public";
    case Feature::SourceSessions:
        std::snprintf(text, sizeof text, "%.0f session%s", value, value == 1.0 ? "" : "s");
        return text;
    case Feature::SourceTotalBytes:
        return formatBytes(value);
    case Feature::PairBeaconScore:
        std::snprintf(text, sizeof text, "%.2f", value);
        return text;
    case Feature::SourceFanOut:
        std::snprintf(text, sizeof text, "%.0f ports or hosts", value);
        return text;
    case Feature::SourceVolumeRatio:
        std::snprintf(text, sizeof text, value < 10.0 ? "%.1f x its usual" : "%.0f x its usual", value);
        return text;
    case Feature::SourceAsnFrequency:
        return sharePercent(value) + " of sessions";
    case Feature::CountryMismatch:
        return value >= 0.5 ? "differs" : "agrees";
    case Feature::SourceNetworkFlagged:
        return value >= 0.5 ? "flagged" : "not flagged";
    }
    return formatNumber(value);
}

double averagePathLength(const Detection& detection)
{
    // score = -2^(-E[h] / c(samples)), so E[h] = -c(samples) log2(-score).
    const double c = IsolationForest::averagePathLength(detection.effectiveMaxSamples);
    double sum = 0.0;
    for (double score : detection.scores.scores())
        sum += -c * std::log2(-score);
    return detection.scores.size() > 0 ? sum / static_cast<double>(detection.scores.size()) : 0.0;
}

namespace {

// The row's value of a categorical column as text, "(missing)" when empty.
std::string cellText(const TrafficTable& table, Field field, std::size_t row)
{
    if (table.column(field).isMissing(row))
        return "(missing)";
    return table.cellText(static_cast<std::size_t>(field), row);
}

// A sentence for the features that describe a category or a source rather than a measurement:
// the row's own value, not the encoded number ("dst_port 31337 is used by 0.01 % of sessions").
// Empty for the notebook's four, whose sentence compares the value with the other rows.
std::string categorySentence(const TrafficTable& table, const BehaviourResult* behaviour, std::size_t row,
                             Feature feature, double value, double percentile, double above)
{
    // Per-source totals: compared with the sources of the other sessions, in whichever direction
    // sets this one apart.
    const std::string comparison = percentile >= 0.5 || above == 0.0
        ? ", more than the sources of " + sharePercent(percentile) + " of sessions"
        : ", fewer than the sources of " + sharePercent(above) + " of sessions";
    switch (feature) {
    case Feature::DstPortFrequency:
        return "dst_port " + cellText(table, Field::DstPort, row) + " is used by " + sharePercent(value)
            + " of sessions";
    case Feature::ProtocolFrequency:
        return "protocol " + cellText(table, Field::Protocol, row) + " is used by " + sharePercent(value)
            + " of sessions";
    case Feature::ResponseCodeFrequency:
        return "response code " + cellText(table, Field::ResponseCode, row) + " is returned in " + sharePercent(value)
            + " of sessions";
    case Feature::CountryFrequency:
        return "country " + cellText(table, Field::SrcIpCountryCode, row) + " is the source of " + sharePercent(value)
            + " of sessions";
    case Feature::SrcIpPrivate:
        return "src_ip " + cellText(table, Field::SrcIp, row) + " is a " + (value >= 0.5 ? "private" : "public")
            + " address";
    case Feature::SourceSessions:
        return "src_ip " + cellText(table, Field::SrcIp, row) + " has " + describeFeatureValue(feature, value)
            + " in the file" + comparison;
    case Feature::SourceTotalBytes:
        return "src_ip " + cellText(table, Field::SrcIp, row) + " moved " + describeFeatureValue(feature, value)
            + " in all its sessions" + comparison;
    // The row's pair and window in the data's words ("this source contacted 340 ports in 5 minutes").
    case Feature::PairBeaconScore:
        return behaviour ? pairBeaconSentence(*behaviour, row) : std::string();
    case Feature::SourceFanOut:
        return behaviour ? sourceFanOutSentence(*behaviour, row) : std::string();
    case Feature::SourceVolumeRatio:
        return behaviour ? sourceVolumeSentence(*behaviour, row) : std::string();
    case Feature::SourceAsnFrequency:
        return "src_ip " + cellText(table, Field::SrcIp, row) + "'s autonomous system is the source of "
            + sharePercent(value) + " of sessions";
    case Feature::CountryMismatch:
        return "src_ip " + cellText(table, Field::SrcIp, row) + " is in another country than the file's "
            + cellText(table, Field::SrcIpCountryCode, row) + " says (location database)";
    case Feature::SourceNetworkFlagged:
        return "src_ip " + cellText(table, Field::SrcIp, row)
            + (value >= 0.5 ? " is in a network the location database flags" : " is in no flagged network");
    case Feature::BytesIn:
    case Feature::BytesOut:
    case Feature::SessionDuration:
    case Feature::AvgPacketSize:
        break;
    }
    return {};
}

// Orders the features by credit and writes the sentence; features[] hold value, percentile, above.
// A categorical or per-source feature is described by the row's own value (table), not its code.
void finishExplanation(RowExplanation& explanation, const TrafficTable& table, const BehaviourResult* behaviour)
{
    std::stable_sort(explanation.features.begin(), explanation.features.end(),
                     [](const FeatureExplanation& a, const FeatureExplanation& b) { return a.credit > b.credit; });
    char text[256];
    std::string sentence;
    if (!explanation.features.empty() && explanation.features.front().credit > 0.0) {
        const FeatureExplanation& top = explanation.features.front();
        const std::string name(featureInfo(top.feature).name);
        const std::string value = describeFeatureValue(top.feature, top.value);
        const std::string category
            = categorySentence(table, behaviour, explanation.row, top.feature, top.value, top.percentile, top.above);
        // The side the value stands out on: a tiny session is as telling as a huge one. Shares are
        // rounded down, so "above 100.0 %" cannot appear for a value some other row equals.
        const auto floorPercent = [](double share) { return std::floor(share * 1000.0) / 10.0; };
        if (!category.empty())
            std::snprintf(text, sizeof text, "%s", category.c_str());
        else if (top.percentile >= 0.5 || top.above == 0.0)
            std::snprintf(text, sizeof text, "%s %s is above %.1f %% of sessions", name.c_str(), value.c_str(),
                          floorPercent(top.percentile));
        else
            std::snprintf(text, sizeof text, "%s %s is below %.1f %% of sessions", name.c_str(), value.c_str(),
                          floorPercent(top.above));
        sentence = text;
    } else {
        sentence = "no feature set this row apart";
    }
    std::snprintf(text, sizeof text, "; isolated in %.1f splits against %.1f on average", explanation.pathLength,
                  explanation.averagePathLength);
    explanation.sentence = sentence + text;
}

double share(std::size_t count, std::size_t rows)
{
    return rows > 0 ? static_cast<double>(count) / static_cast<double>(rows) : 0.0;
}

} // namespace

Explainer::Explainer(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection)
    : m_data(std::move(data))
    , m_detection(std::move(detection))
    , m_features(detectorFeatures(*m_data, *m_detection))
    , m_matrix(buildFeatureMatrix(m_data->table, m_features, m_detection->params.features))
    , m_averagePathLength(webthreat::averagePathLength(*m_detection))
{
    // What the forest saw, when it differs from the raw values: scaled, or encoded with a saved
    // model's frozen shares and fills.
    if (m_detection->encodings && (m_detection->params.scaling != InputScaling::None || m_detection->model))
        m_seen.emplace(m_data->table, m_features, *m_detection->encodings);
    else if (m_detection->params.scaling != InputScaling::None)
        m_seen.emplace(m_data->table, m_features, m_detection->params.features, m_detection->params.scaling);
}

RowExplanation Explainer::explain(std::size_t row) const
{
    RowExplanation explanation;
    explanation.row = row;
    explanation.averagePathLength = m_averagePathLength;
    const auto& features = m_detection->params.features;
    const auto r = static_cast<Eigen::Index>(row);
    std::vector<double> credit;
    std::vector<float> seen(features.size());
    if (m_seen)
        m_seen->gather(&r, 1, seen.data());
    explanation.pathLength = m_detection->forest->attributePath(m_seen ? seen.data() : m_matrix.row(r).data(), credit);
    const std::size_t rows = rowCount();
    explanation.features.reserve(features.size());
    for (std::size_t f = 0; f < features.size(); ++f) {
        const auto column = static_cast<Eigen::Index>(f);
        const float value = m_matrix(r, column);
        std::size_t below = 0;
        std::size_t above = 0;
        for (Eigen::Index other = 0; other < m_matrix.rows(); ++other) {
            const float x = m_matrix(other, column);
            below += x < value;
            above += x > value;
        }
        explanation.features.push_back(
            {features[f], credit[f], static_cast<double>(value), share(below, rows), share(above, rows)});
    }
    finishExplanation(explanation, m_data->table, m_features.behaviour.get());
    return explanation;
}

namespace {

// Every row's value as the float the forest compares, sorted as std::sort sorts them, in three
// counting passes over 11, 11 and 10 bits of a key that orders as the floats do (sign bit flipped
// for positive values, every bit for negative ones): about 6 times quicker than std::sort on a
// million values. -0 lands before +0, which compare equal, so every lower_bound and upper_bound over
// the result is the same. NaN has no place in that order: with one, std::sort is used as before.
// The values are read as floats straight from the table (FeatureReader), and the floats let go
// once their keys are made, so a task holds at most two arrays of 4 bytes a row at once.
template <typename Values> // FeatureReader or std::vector<double>
std::vector<float> sortedFloats(const Values& values)
{
    const std::size_t n = values.size();
    std::vector<float> sorted(n);
    for (std::size_t row = 0; row < n; ++row)
        sorted[row] = static_cast<float>(values[row]);
    if (n < 4096 || std::any_of(sorted.begin(), sorted.end(), [](float v) { return std::isnan(v); })) {
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    }
    std::vector<std::uint32_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &sorted[i], sizeof bits);
        keys[i] = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
    }
    sorted = {};
    std::vector<std::uint32_t> spare(n);
    constexpr int kShifts[] = {0, 11, 22};
    for (int shift : kShifts) {
        std::vector<std::size_t> counts(2048 + 1, 0);
        for (std::uint32_t key : keys)
            ++counts[((key >> shift) & 2047u) + 1];
        for (std::size_t d = 1; d < counts.size(); ++d)
            counts[d] += counts[d - 1];
        for (std::uint32_t key : keys)
            spare[counts[(key >> shift) & 2047u]++] = key;
        keys.swap(spare);
    }
    spare = {};
    sorted.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = keys[i];
        const std::uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
        std::memcpy(&sorted[i], &bits, sizeof bits);
    }
    return sorted;
}

} // namespace

SortedValues::SortedValues(std::vector<float> sorted)
    : m_rows(sorted.size())
{
    // Runs of equal values (-0 and +0 among them) become one value; with a NaN, which equals
    // nothing, every row is kept as given.
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (std::isnan(sorted[i])) {
            m_values = std::move(sorted);
            return;
        }
        if (i == 0 || sorted[i] != sorted[i - 1])
            ++distinct;
    }
    if (distinct * 2 >= sorted.size() || sorted.size() > UINT32_MAX) {
        m_values = std::move(sorted);
        return;
    }
    m_values.reserve(distinct);
    m_notAbove.reserve(distinct);
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
            m_values.push_back(sorted[i]);
            m_notAbove.push_back(0);
        }
        ++m_notAbove.back();
    }
    for (std::size_t d = 1; d < m_notAbove.size(); ++d)
        m_notAbove[d] += m_notAbove[d - 1];
}

std::size_t SortedValues::below(float value) const noexcept
{
    const auto index = static_cast<std::size_t>(std::lower_bound(m_values.begin(), m_values.end(), value) - m_values.begin());
    if (m_notAbove.empty())
        return index;
    return index == 0 ? 0 : m_notAbove[index - 1];
}

std::size_t SortedValues::notAbove(float value) const noexcept
{
    const auto index = static_cast<std::size_t>(std::upper_bound(m_values.begin(), m_values.end(), value) - m_values.begin());
    if (m_notAbove.empty())
        return index;
    return index == 0 ? 0 : m_notAbove[index - 1];
}

std::size_t SortedValues::memoryBytes() const noexcept
{
    return m_values.capacity() * sizeof(float) + m_notAbove.capacity() * sizeof(std::uint32_t);
}

FeatureRanks rankFeatures(const PreparedData& data, const Detection& detection, int threads)
{
    const auto& features = detection.params.features;
    const FeatureSet detectorInputs = detectorFeatures(data, detection);
    FeatureRanks ranks;
    ranks.sorted.resize(features.size());
    parallelFor(features.size(), resolveThreads(threads), [&](std::size_t f) {
        ranks.sorted[f] = SortedValues(sortedFloats(FeatureReader(data.table, detectorInputs, features[f])));
    });
    return ranks;
}

FeatureRanks rankSampleFeatures(const TrafficTable& sample, const FeatureSet& sampleFeatures, const Detection& detection,
                                double averagePathLength, int threads)
{
    const auto& features = detection.params.features;
    FeatureRanks ranks;
    ranks.partOfFile = true;
    ranks.averagePathLength = averagePathLength;
    ranks.sorted.resize(features.size());
    parallelFor(features.size(), resolveThreads(threads), [&](std::size_t f) {
        ranks.sorted[f] = SortedValues(sortedFloats(encodedInputValues(sample, sampleFeatures, detection, features[f])));
    });
    return ranks;
}

std::vector<double> encodedInputValues(const TrafficTable& table, const FeatureSet& features, const Detection& detection,
                                       Feature feature)
{
    for (const FeatureEncoding& encoding : *detection.encodings) {
        if (encoding.feature != feature)
            continue;
        if (feature == Feature::BytesIn || feature == Feature::BytesOut) {
            const auto& cells = table.column(feature == Feature::BytesIn ? Field::BytesIn : Field::BytesOut).integers;
            std::vector<double> values(cells.size());
            for (std::size_t row = 0; row < cells.size(); ++row)
                values[row] = cells[row] == kMissingInteger ? encoding.fill : static_cast<double>(cells[row]);
            return values;
        }
        return encodedFeatureValues(table, features, encoding);
    }
    return featureValues(table, features, feature);
}

namespace {

// Places the given rows among every row by ranks (binary search): the same counts as the pass
// explainRows makes without them.
void placeByRanks(std::vector<RowExplanation>& explanations, const std::vector<float>& given, std::size_t f,
                  std::size_t featureCount, const SortedValues& sorted)
{
    const std::size_t n = sorted.rows();
    for (std::size_t i = 0; i < explanations.size(); ++i) {
        const float value = given[i * featureCount + f];
        FeatureExplanation& part = explanations[i].features[f];
        part.percentile = share(sorted.below(value), n);
        part.above = share(n - sorted.notAbove(value), n);
    }
}

} // namespace

std::vector<RowExplanation> explainRows(const PreparedData& data, const Detection& detection,
                                        const std::vector<std::size_t>& rows, int threads, const FeatureRanks* ranks)
{
    const auto& features = detection.params.features;
    const std::size_t k = rows.size();
    const std::size_t n = data.table.rowCount();
    std::vector<RowExplanation> explanations(k);
    if (k == 0)
        return explanations;
    const bool partOfFile = ranks && ranks->partOfFile && detection.encodings;
    const double average = partOfFile ? ranks->averagePathLength : averagePathLength(detection);
    const FeatureSet detectorInputs = detectorFeatures(data, detection);
    std::vector<float> given(k * features.size()); // the given rows' raw inputs, row-major
    std::vector<float> seen(k * features.size()); // the same as the forest saw them (scaled)
    std::vector<std::size_t> below(k);
    std::vector<std::size_t> above(k);
    for (std::size_t i = 0; i < k; ++i) {
        explanations[i].row = rows[i];
        explanations[i].averagePathLength = average;
        explanations[i].features.resize(features.size());
    }
    for (std::size_t f = 0; f < features.size(); ++f) {
        // Streaming mode: the values the encodings give; otherwise read row by row from the table.
        const FeatureReader values = partOfFile
            ? FeatureReader(encodedInputValues(data.table, detectorInputs, detection, features[f]))
            : FeatureReader(data.table, detectorInputs, features[f]);
        const FeatureScale scale = effectiveScale(features[f], detection.params.scaling);
        std::vector<float> sorted(k);
        for (std::size_t i = 0; i < k; ++i) {
            sorted[i] = given[i * features.size() + f] = static_cast<float>(values[rows[i]]);
            // As TableFeatureRows makes it: scaled in double from the same value, then rounded.
            seen[i * features.size() + f] = static_cast<float>(scaleFeatureValue(scale, values[rows[i]]));
        }
        if (ranks && f < ranks->sorted.size() && (ranks->sorted[f].rows() == n || partOfFile)) {
            for (std::size_t i = 0; i < k; ++i) {
                explanations[i].features[f].feature = features[f];
                explanations[i].features[f].value = static_cast<double>(given[i * features.size() + f]);
            }
            placeByRanks(explanations, given, f, features.size(), ranks->sorted[f]);
            continue;
        }
        std::sort(sorted.begin(), sorted.end());
        // lessThan[j]: values v with upper_bound(v) == j, i.e. below sorted[j] but not below
        // sorted[j-1]; greaterFrom[j]: values with lower_bound(v) == j. Prefix sums then give,
        // for each sorted position, how many of all rows lie below and above it.
        std::vector<std::size_t> lessThan(k + 1, 0);
        std::vector<std::size_t> greaterFrom(k + 1, 0);
        for (std::size_t row = 0; row < n; ++row) {
            const float v = static_cast<float>(values[row]);
            ++lessThan[static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin())];
            ++greaterFrom[static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin())];
        }
        std::vector<std::size_t> belowSorted(k);
        std::vector<std::size_t> aboveSorted(k);
        std::size_t runningBelow = 0;
        for (std::size_t j = 0; j < k; ++j) {
            runningBelow += lessThan[j];
            belowSorted[j] = runningBelow; // v < sorted[j]  <=>  upper_bound(v) <= j
        }
        std::size_t runningAbove = 0;
        for (std::size_t j = k; j-- > 0;) {
            runningAbove += greaterFrom[j + 1];
            aboveSorted[j] = runningAbove; // v > sorted[j]  <=>  lower_bound(v) > j
        }
        for (std::size_t i = 0; i < k; ++i) {
            const float value = given[i * features.size() + f];
            const auto j
                = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
            FeatureExplanation& part = explanations[i].features[f];
            part.feature = features[f];
            part.value = static_cast<double>(value);
            part.percentile = share(belowSorted[j], n);
            part.above = share(aboveSorted[j], n);
        }
    }
    constexpr std::size_t kTaskRows = 1024;
    parallelFor((k + kTaskRows - 1) / kTaskRows, resolveThreads(threads), [&](std::size_t task) {
        const std::size_t first = task * kTaskRows;
        const std::size_t rowsOfTask = std::min(k, first + kTaskRows) - first;
        std::vector<double> credits(rowsOfTask * features.size());
        std::vector<double> pathLengths(rowsOfTask);
        detection.forest->attributePaths(&seen[first * features.size()], rowsOfTask, credits.data(), pathLengths.data());
        for (std::size_t j = 0; j < rowsOfTask; ++j) {
            RowExplanation& explanation = explanations[first + j];
            explanation.pathLength = pathLengths[j];
            for (std::size_t f = 0; f < features.size(); ++f)
                explanation.features[f].credit = credits[j * features.size() + f];
            finishExplanation(explanation, data.table, detectorInputs.behaviour.get());
        }
    });
    return explanations;
}

} // namespace webthreat

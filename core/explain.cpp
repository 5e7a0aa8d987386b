#include "core/explain.h"

#include "core/export.h"

#include <algorithm>
#include <cmath>
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
    case Feature::BytesOut: return formatBytes(value);
    case Feature::SessionDuration:
        std::snprintf(text, sizeof text, value == std::floor(value) ? "%.0f s" : "%.1f s", value);
        return text;
    case Feature::AvgPacketSize: return formatBytes(value) + "/s";
    case Feature::DstPortFrequency:
    case Feature::ProtocolFrequency:
    case Feature::ResponseCodeFrequency:
    case Feature::CountryFrequency: return sharePercent(value) + " of sessions";
    case Feature::SrcIpPrivate: return value >= 0.5 ? "private" : "public";
    case Feature::SourceSessions:
        std::snprintf(text, sizeof text, "%.0f session%s", value, value == 1.0 ? "" : "s");
        return text;
    case Feature::SourceTotalBytes: return formatBytes(value);
    }
    return formatNumber(value);
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
std::string categorySentence(const TrafficTable& table, std::size_t row, Feature feature, double value,
                             double percentile, double above)
{
    // Per-source totals: compared with the sources of the other sessions, in whichever direction
    // sets this one apart.
    const std::string comparison = percentile >= 0.5 || above == 0.0
        ? ", more than the sources of " + sharePercent(percentile) + " of sessions"
        : ", fewer than the sources of " + sharePercent(above) + " of sessions";
    switch (feature) {
    case Feature::DstPortFrequency:
        return "dst_port " + cellText(table, Field::DstPort, row) + " is used by " + sharePercent(value) + " of sessions";
    case Feature::ProtocolFrequency:
        return "protocol " + cellText(table, Field::Protocol, row) + " is used by " + sharePercent(value) + " of sessions";
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
    case Feature::BytesIn:
    case Feature::BytesOut:
    case Feature::SessionDuration:
    case Feature::AvgPacketSize: break;
    }
    return {};
}

} // namespace

Explainer::Explainer(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection)
    : m_data(std::move(data))
    , m_detection(std::move(detection))
{
    for (Feature feature : m_detection->params.features)
        m_values.push_back(featureValues(m_data->table, m_data->features, feature));
    // score = -2^(-E[h] / c(samples)), so E[h] = -c(samples) log2(-score).
    const double c = IsolationForest::averagePathLength(m_detection->effectiveMaxSamples);
    double sum = 0.0;
    for (double score : m_detection->scores.scores())
        sum += -c * std::log2(-score);
    m_averagePathLength = m_detection->scores.size() > 0 ? sum / static_cast<double>(m_detection->scores.size()) : 0.0;
}

RowExplanation Explainer::explain(std::size_t row) const
{
    RowExplanation explanation;
    explanation.row = row;
    explanation.averagePathLength = m_averagePathLength;
    const auto& features = m_detection->params.features;
    std::vector<float> values(features.size());
    for (std::size_t f = 0; f < features.size(); ++f)
        values[f] = static_cast<float>(m_values[f][row]);
    std::vector<double> credit;
    explanation.pathLength = m_detection->forest->attributePath(values.data(), credit);
    // Rows below and above the row's value, per feature: one pass each.
    std::vector<std::size_t> belowCounts(features.size(), 0);
    std::vector<std::size_t> aboveCounts(features.size(), 0);
    for (std::size_t f = 0; f < features.size(); ++f) {
        const double value = m_values[f][row];
        std::size_t below = 0;
        std::size_t above = 0;
        for (double other : m_values[f]) {
            below += other < value;
            above += other > value;
        }
        belowCounts[f] = below;
        aboveCounts[f] = above;
        const double rows = static_cast<double>(m_values[f].size());
        explanation.features.push_back({features[f], credit[f], value, rows > 0 ? static_cast<double>(below) / rows : 0.0});
    }
    std::stable_sort(explanation.features.begin(), explanation.features.end(),
                     [](const FeatureExplanation& a, const FeatureExplanation& b) { return a.credit > b.credit; });

    char text[256];
    std::string sentence;
    if (!explanation.features.empty() && explanation.features.front().credit > 0.0) {
        const FeatureExplanation& top = explanation.features.front();
        const auto index = static_cast<std::size_t>(std::find(features.begin(), features.end(), top.feature) - features.begin());
        const double above = static_cast<double>(aboveCounts[index]) / static_cast<double>(m_values[index].size());
        const std::string category = categorySentence(m_data->table, row, top.feature, top.value, top.percentile, above);
        if (!category.empty())
            std::snprintf(text, sizeof text, "%s", category.c_str());
        else if (top.percentile >= 0.5 || above == 0.0)
            std::snprintf(text, sizeof text, "%s %s is above %.1f %% of sessions", std::string(featureInfo(top.feature).name).c_str(),
                          describeFeatureValue(top.feature, top.value).c_str(), top.percentile * 100.0);
        else
            std::snprintf(text, sizeof text, "%s %s is below %.1f %% of sessions", std::string(featureInfo(top.feature).name).c_str(),
                          describeFeatureValue(top.feature, top.value).c_str(), above * 100.0);
        sentence = text;
    } else {
        sentence = "no feature set this row apart";
    }
    std::snprintf(text, sizeof text, "; isolated in %.1f splits against %.1f on average", explanation.pathLength,
                  explanation.averagePathLength);
    explanation.sentence = sentence + text;
    return explanation;
}

} // namespace webthreat

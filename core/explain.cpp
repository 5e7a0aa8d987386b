#include "core/explain.h"

#include "core/export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace webthreat {

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
    }
    return formatNumber(value);
}

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
        if (top.percentile >= 0.5 || above == 0.0)
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

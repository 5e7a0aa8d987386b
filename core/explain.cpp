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
    for (Feature feature : m_detection->params.features) {
        m_values.push_back(featureValues(m_data->table, m_data->features, feature));
        std::vector<double> sorted = m_values.back();
        std::sort(sorted.begin(), sorted.end());
        m_sorted.push_back(std::move(sorted));
    }
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
    for (std::size_t f = 0; f < features.size(); ++f) {
        const double value = m_values[f][row];
        const auto& sorted = m_sorted[f];
        const double below = static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
        explanation.features.push_back(
            {features[f], credit[f], value, sorted.empty() ? 0.0 : below / static_cast<double>(sorted.size())});
    }
    std::stable_sort(explanation.features.begin(), explanation.features.end(),
                     [](const FeatureExplanation& a, const FeatureExplanation& b) { return a.credit > b.credit; });

    char text[256];
    std::string sentence;
    if (!explanation.features.empty() && explanation.features.front().credit > 0.0) {
        const FeatureExplanation& top = explanation.features.front();
        const auto& sorted = m_sorted[static_cast<std::size_t>(
            std::find(features.begin(), features.end(), top.feature) - features.begin())];
        const double above = static_cast<double>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), top.value))
            / static_cast<double>(sorted.size());
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

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
    , m_matrix(buildFeatureMatrix(m_data->table, m_data->features, m_detection->params.features))
{
    // score = -2^(-E[h] / c(samples)), so E[h] = -c(samples) log2(-score).
    const double c = IsolationForest::averagePathLength(m_detection->effectiveMaxSamples);
    double sum = 0.0;
    for (double score : m_detection->scores.scores())
        sum += -c * std::log2(-score);
    m_averagePathLength = m_detection->scores.size() > 0 ? sum / static_cast<double>(m_detection->scores.size()) : 0.0;
}

void Explainer::rankAllRows()
{
    if (!m_sorted.empty())
        return;
    std::vector<std::vector<float>> sorted(static_cast<std::size_t>(m_matrix.cols()));
    for (Eigen::Index f = 0; f < m_matrix.cols(); ++f) {
        auto& column = sorted[static_cast<std::size_t>(f)];
        column.resize(static_cast<std::size_t>(m_matrix.rows()));
        for (Eigen::Index row = 0; row < m_matrix.rows(); ++row)
            column[static_cast<std::size_t>(row)] = m_matrix(row, f);
        std::sort(column.begin(), column.end());
    }
    m_sorted = std::move(sorted);
}

RowExplanation Explainer::explain(std::size_t row) const
{
    RowExplanation explanation;
    explanation.row = row;
    explanation.averagePathLength = m_averagePathLength;
    const auto& features = m_detection->params.features;
    const auto r = static_cast<Eigen::Index>(row);
    std::vector<double> credit;
    explanation.pathLength = m_detection->forest->attributePath(m_matrix.row(r).data(), credit);
    const std::size_t rows = rowCount();
    explanation.features.reserve(features.size());
    for (std::size_t f = 0; f < features.size(); ++f) {
        const auto column = static_cast<Eigen::Index>(f);
        const float value = m_matrix(r, column);
        std::size_t below = 0;
        std::size_t above = 0;
        if (!m_sorted.empty()) {
            const auto& sorted = m_sorted[f];
            below = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
            above = static_cast<std::size_t>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), value));
        } else {
            for (Eigen::Index other = 0; other < m_matrix.rows(); ++other) {
                const float x = m_matrix(other, column);
                below += x < value;
                above += x > value;
            }
        }
        const double n = static_cast<double>(rows);
        explanation.features.push_back({features[f], credit[f], static_cast<double>(value),
                                        rows > 0 ? static_cast<double>(below) / n : 0.0,
                                        rows > 0 ? static_cast<double>(above) / n : 0.0});
    }
    std::stable_sort(explanation.features.begin(), explanation.features.end(),
                     [](const FeatureExplanation& a, const FeatureExplanation& b) { return a.credit > b.credit; });

    char text[256];
    std::string sentence;
    if (!explanation.features.empty() && explanation.features.front().credit > 0.0) {
        const FeatureExplanation& top = explanation.features.front();
        const std::string name(featureInfo(top.feature).name);
        const std::string value = describeFeatureValue(top.feature, top.value);
        // The side the value stands out on: a tiny session is as telling as a huge one.
        if (top.percentile >= 0.5 || top.above == 0.0)
            std::snprintf(text, sizeof text, "%s %s is above %.1f %% of sessions", name.c_str(), value.c_str(), top.percentile * 100.0);
        else
            std::snprintf(text, sizeof text, "%s %s is below %.1f %% of sessions", name.c_str(), value.c_str(), top.above * 100.0);
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

#include "core/explain.h"

#include "core/export.h"
#include "core/parallel.h"

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

// Orders the features by credit and writes the sentence; features[] hold value, percentile, above.
void finishExplanation(RowExplanation& explanation)
{
    std::stable_sort(explanation.features.begin(), explanation.features.end(),
                     [](const FeatureExplanation& a, const FeatureExplanation& b) { return a.credit > b.credit; });
    char text[256];
    std::string sentence;
    if (!explanation.features.empty() && explanation.features.front().credit > 0.0) {
        const FeatureExplanation& top = explanation.features.front();
        const std::string name(featureInfo(top.feature).name);
        const std::string value = describeFeatureValue(top.feature, top.value);
        // The side the value stands out on: a tiny session is as telling as a huge one. Shares are
        // rounded down, so "above 100.0 %" cannot appear for a value some other row equals.
        const auto floorPercent = [](double share) { return std::floor(share * 1000.0) / 10.0; };
        if (top.percentile >= 0.5 || top.above == 0.0)
            std::snprintf(text, sizeof text, "%s %s is above %.1f %% of sessions", name.c_str(), value.c_str(), floorPercent(top.percentile));
        else
            std::snprintf(text, sizeof text, "%s %s is below %.1f %% of sessions", name.c_str(), value.c_str(), floorPercent(top.above));
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
    , m_matrix(buildFeatureMatrix(m_data->table, m_data->features, m_detection->params.features))
    , m_averagePathLength(webthreat::averagePathLength(*m_detection))
{
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
        for (Eigen::Index other = 0; other < m_matrix.rows(); ++other) {
            const float x = m_matrix(other, column);
            below += x < value;
            above += x > value;
        }
        explanation.features.push_back({features[f], credit[f], static_cast<double>(value), share(below, rows), share(above, rows)});
    }
    finishExplanation(explanation);
    return explanation;
}

std::vector<RowExplanation> explainRows(const PreparedData& data, const Detection& detection,
                                        const std::vector<std::size_t>& rows, int threads)
{
    const auto& features = detection.params.features;
    const std::size_t k = rows.size();
    const std::size_t n = data.table.rowCount();
    std::vector<RowExplanation> explanations(k);
    if (k == 0)
        return explanations;
    const double average = averagePathLength(detection);
    std::vector<float> given(k * features.size());   // the given rows' inputs, row-major
    std::vector<std::size_t> below(k);
    std::vector<std::size_t> above(k);
    for (std::size_t i = 0; i < k; ++i) {
        explanations[i].row = rows[i];
        explanations[i].averagePathLength = average;
        explanations[i].features.resize(features.size());
    }
    for (std::size_t f = 0; f < features.size(); ++f) {
        const std::vector<double> values = featureValues(data.table, data.features, features[f]);
        std::vector<float> sorted(k);
        for (std::size_t i = 0; i < k; ++i)
            sorted[i] = given[i * features.size() + f] = static_cast<float>(values[rows[i]]);
        std::sort(sorted.begin(), sorted.end());
        // lessThan[j]: values v with upper_bound(v) == j, i.e. below sorted[j] but not below
        // sorted[j-1]; greaterFrom[j]: values with lower_bound(v) == j. Prefix sums then give,
        // for each sorted position, how many of all rows lie below and above it.
        std::vector<std::size_t> lessThan(k + 1, 0);
        std::vector<std::size_t> greaterFrom(k + 1, 0);
        for (double raw : values) {
            const float v = static_cast<float>(raw);
            ++lessThan[static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), v) - sorted.begin())];
            ++greaterFrom[static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin())];
        }
        std::vector<std::size_t> belowSorted(k);
        std::vector<std::size_t> aboveSorted(k);
        std::size_t runningBelow = 0;
        for (std::size_t j = 0; j < k; ++j) {
            runningBelow += lessThan[j];
            belowSorted[j] = runningBelow;          // v < sorted[j]  <=>  upper_bound(v) <= j
        }
        std::size_t runningAbove = 0;
        for (std::size_t j = k; j-- > 0;) {
            runningAbove += greaterFrom[j + 1];
            aboveSorted[j] = runningAbove;          // v > sorted[j]  <=>  lower_bound(v) > j
        }
        for (std::size_t i = 0; i < k; ++i) {
            const float value = given[i * features.size() + f];
            const auto j = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
            FeatureExplanation& part = explanations[i].features[f];
            part.feature = features[f];
            part.value = static_cast<double>(value);
            part.percentile = share(belowSorted[j], n);
            part.above = share(aboveSorted[j], n);
        }
    }
    constexpr std::size_t kTaskRows = 1024;
    parallelFor((k + kTaskRows - 1) / kTaskRows, resolveThreads(threads), [&](std::size_t task) {
        std::vector<double> credit;
        for (std::size_t i = task * kTaskRows; i < std::min(k, (task + 1) * kTaskRows); ++i) {
            RowExplanation& explanation = explanations[i];
            explanation.pathLength = detection.forest->attributePath(&given[i * features.size()], credit);
            for (std::size_t f = 0; f < features.size(); ++f)
                explanation.features[f].credit = credit[f];
            finishExplanation(explanation);
        }
    });
    return explanations;
}

} // namespace webthreat

#pragma once

#include "core/pipeline.h"

#include <string>
#include <vector>

namespace webthreat {

// One feature's part in a row's verdict.
struct FeatureExplanation {
    Feature feature;
    double credit = 0.0;      // share of the early isolation credited to this feature, 0..1
    double value = 0.0;       // the row's value (after the mean fill)
    double percentile = 0.0;  // share of rows with a smaller value, 0..1
};

// Why a row scored as it did, computed from the forest itself.
struct RowExplanation {
    std::size_t row = 0;
    double pathLength = 0.0;         // mean splits needed to isolate this row
    double averagePathLength = 0.0;  // the same, averaged over all rows
    std::vector<FeatureExplanation> features; // most credited first
    std::string sentence;            // "bytes_out 4.8 MB is above 99.9 % of sessions; isolated in ..."
};

// Explains rows of one detection. Explaining a row costs one walk of the forest and one pass over
// each detector feature to place the row's value among all rows (nothing is sorted up front, so
// explaining a handful of rows of a large file stays cheap).
class Explainer {
public:
    Explainer(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection);

    RowExplanation explain(std::size_t row) const;

private:
    std::shared_ptr<const PreparedData> m_data;
    std::shared_ptr<const Detection> m_detection;
    std::vector<std::vector<double>> m_values;  // per detector feature, per row
    double m_averagePathLength = 0.0;
};

// A feature value as the analyst reads it: "4.8 MB", "600 s", "1.2 kB/s".
std::string describeFeatureValue(Feature feature, double value);

} // namespace webthreat

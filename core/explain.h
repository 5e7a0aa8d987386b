#pragma once

#include "core/pipeline.h"

#include <string>
#include <vector>

namespace webthreat {

// One feature's part in a row's verdict.
struct FeatureExplanation {
    Feature feature;
    double credit = 0.0;      // share of the early isolation credited to this feature, 0..1
    double value = 0.0;       // the row's value as the forest saw it (after the mean fill, in float)
    double percentile = 0.0;  // share of rows with a smaller value, 0..1
    double above = 0.0;       // share of rows with a larger value, 0..1
};

// Why a row scored as it did, computed from the forest itself.
struct RowExplanation {
    std::size_t row = 0;
    double pathLength = 0.0;         // mean splits needed to isolate this row
    double averagePathLength = 0.0;  // the same, averaged over all rows
    std::vector<FeatureExplanation> features; // most credited first
    std::string sentence;            // "bytes_out 4.8 MB is above 99.9 % of sessions; isolated in ..."
};

// Explains rows of one detection. The Explainer keeps the detector's input matrix (float, as the
// forest saw it: 4 bytes per row and feature). Explaining a row costs one walk of the forest and,
// by default, one pass over each feature to place the row's value among all rows, so explaining a
// handful of rows of a large file stays cheap. rankAllRows() sorts a copy of each feature once
// (another 4 bytes per row and feature), after which placing a value is a binary search: what
// explaining every row (the scored CSV) needs. explain() is const and safe to call from several
// threads at once.
class Explainer {
public:
    Explainer(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection);

    void rankAllRows();
    RowExplanation explain(std::size_t row) const;
    std::size_t rowCount() const noexcept { return static_cast<std::size_t>(m_matrix.rows()); }
    double averagePathLength() const noexcept { return m_averagePathLength; }

private:
    std::shared_ptr<const PreparedData> m_data;
    std::shared_ptr<const Detection> m_detection;
    FeatureMatrix m_matrix;                     // per row, per detector feature
    std::vector<std::vector<float>> m_sorted;   // per feature, ascending; empty until rankAllRows()
    double m_averagePathLength = 0.0;
};

// A feature value as the analyst reads it: "4.8 MB", "600 s", "1.2 kB/s".
std::string describeFeatureValue(Feature feature, double value);

} // namespace webthreat

#pragma once

#include "core/detect/model.h"
#include "core/table/traffictable.h"

#include <set>
#include <string>
#include <vector>

namespace webthreat {

// How one input of new data sits against the training data of the model scoring it.
struct FeatureDrift {
    Feature feature = Feature::BytesIn;
    bool categorical = false; // a frequency feature: new categories are measured, not the range
    double outsideRange = 0.0; // share of rows below the training minimum or above its maximum
    double trainingMedian = 0.0;
    double median = 0.0;
    // (median - trainingMedian) / the training interquartile range; 0 when the range is 0 and the
    // medians agree, +-infinity when it is 0 and they do not.
    double medianShift = 0.0;
    // Frequency features: values never seen in training, how many distinct and the rows with them.
    std::size_t newCategories = 0;
    double newCategoryRows = 0.0;
    std::vector<std::string> newCategoryExamples; // the first few, as text ("" shown as "(missing)")
    bool large = false; // past one of the limits below
};

// A model's staleness on one file, feature by feature, with one plain warning per feature whose
// drift is large: over 5 % of rows outside the training range, a median shifted by more than one
// training interquartile range, or over 5 % of rows with a category never seen in training.
struct DriftReport {
    std::vector<FeatureDrift> features;
    std::vector<std::string> warnings;
    bool large() const noexcept { return !warnings.empty(); }
};

inline constexpr double kLargeDriftShare = 0.05;
inline constexpr double kLargeMedianShift = 1.0;

// table and features: the cleaned rows being scored and their engineered columns.
DriftReport measureDrift(const DetectorModel& model, const TrafficTable& table, const FeatureSet& features);

// measureDrift over a file given in parts (streaming mode, core/stream): each part's rows add their
// new categories and rows outside the training range, exactly; the medians come at the end from
// wherever the caller has them (streaming: the forest's sample, exact when it holds every row).
// Memory: the distinct new categories.
class DriftMeasure {
public:
    explicit DriftMeasure(const DetectorModel& model);
    // values[column]: the part's values of the model's column-th feature, for the numeric ones
    // (empty for a frequency feature), as featureValues gives them.
    void add(const TrafficTable& table, const std::vector<std::vector<double>>& values);
    // medians[column]: the file's median of each numeric feature (ignored for frequency features).
    DriftReport finish(const std::vector<double>& medians) const;

private:
    const DetectorModel& m_model;
    std::size_t m_rows = 0;
    struct Column {
        std::size_t outside = 0; // numeric: rows outside the training range
        std::set<std::string> seen; // frequency: the values never seen in training
        std::size_t newRows = 0;
        std::vector<std::string> examples;
    };
    std::vector<Column> m_columns;
};

// The report as text lines for the CLI report: a table of features, then the warnings.
std::string driftText(const DriftReport& drift);

} // namespace webthreat

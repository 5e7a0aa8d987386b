#include "core/model/drift.h"

#include "core/util/format.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace webthreat {

namespace {
// Four significant digits: enough to compare medians and ranges by eye.
std::string roughly(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value);
    return text;
}

void measureCategories(const DetectorModel& model, const TrafficTable& table, std::size_t column, FeatureDrift& drift)
{
    const FeatureEncoding& encoding = model.encodings[column];
    std::size_t rows = 0;
    std::set<std::string> seen;
    const auto note = [&](const std::string& value) {
        ++rows;
        if (seen.insert(value).second && drift.newCategoryExamples.size() < 5)
            drift.newCategoryExamples.push_back(value.empty() ? "(missing)" : value);
    };
    if (encoding.feature == Feature::DstPortFrequency || encoding.feature == Feature::ResponseCodeFrequency) {
        const Field field = encoding.feature == Feature::DstPortFrequency ? Field::DstPort : Field::ResponseCode;
        for (std::int64_t value : table.column(field).integers) {
            if (!encoding.integerShares.contains(value))
                note(value == kMissingInteger ? std::string() : std::to_string(value));
        }
    } else {
        const Field field = encoding.feature == Feature::ProtocolFrequency ? Field::Protocol : Field::SrcIpCountryCode;
        for (std::uint32_t id : table.column(field).text) {
            const std::string value = id == StringPool::kMissing ? std::string() : std::string(table.strings->view(id));
            if (!encoding.textShares.contains(value))
                note(value);
        }
    }
    drift.newCategories = seen.size();
    drift.newCategoryRows = table.rowCount() > 0 ? static_cast<double>(rows) / static_cast<double>(table.rowCount()) : 0.0;
}

void measureValues(const FeatureDistribution& training, std::vector<double> values, FeatureDrift& drift)
{
    std::size_t outside = 0;
    for (double value : values) {
        if (value < training.minimum || value > training.maximum)
            ++outside;
    }
    drift.outsideRange = values.empty() ? 0.0 : static_cast<double>(outside) / static_cast<double>(values.size());
    drift.trainingMedian = training.median;
    drift.median = describeDistribution(values).median;
    const double range = training.upperQuartile - training.lowerQuartile;
    const double difference = drift.median - training.median;
    if (range > 0)
        drift.medianShift = difference / range;
    else
        drift.medianShift = difference == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), difference);
}
} // namespace

DriftReport measureDrift(const DetectorModel& model, const TrafficTable& table, const FeatureSet& features)
{
    DriftReport report;
    for (std::size_t column = 0; column < model.encodings.size(); ++column) {
        FeatureDrift drift;
        drift.feature = model.encodings[column].feature;
        drift.categorical = model.encodings[column].isFrequency();
        const std::string name(featureInfo(drift.feature).name);
        if (model.encodings[column].isFrequency()) {
            measureCategories(model, table, column, drift);
            if (drift.newCategoryRows > kLargeDriftShare) {
                std::string examples;
                for (const std::string& example : drift.newCategoryExamples)
                    examples += (examples.empty() ? "" : ", ") + example;
                report.warnings.push_back(name + ": " + formatShare(drift.newCategoryRows) + " of rows have "
                                          + groupedCount(drift.newCategories)
                                          + " value(s) never seen in training (" + examples + ")");
            }
        } else {
            measureValues(model.training[column], featureValues(table, features, drift.feature), drift);
            if (drift.outsideRange > kLargeDriftShare)
                report.warnings.push_back(name + ": " + formatShare(drift.outsideRange)
                                          + " of rows lie outside the training range ["
                                          + roughly(model.training[column].minimum) + ", "
                                          + roughly(model.training[column].maximum) + "]");
            if (std::fabs(drift.medianShift) > kLargeMedianShift)
                report.warnings.push_back(name + ": the median moved from " + roughly(drift.trainingMedian)
                                          + " to " + roughly(drift.median)
                                          + (std::isinf(drift.medianShift)
                                                 ? std::string(" (the training values barely varied)")
                                                 : " (" + roughly(std::round(drift.medianShift * 10) / 10)
                                                       + " training interquartile ranges)"));
        }
        drift.large = !report.warnings.empty() && report.warnings.back().rfind(name + ":", 0) == 0;
        report.features.push_back(std::move(drift));
    }
    return report;
}

std::string driftText(const DriftReport& drift)
{
    std::string text = "\nDrift against the training data:\n";
    for (const FeatureDrift& f : drift.features) {
        text += "  " + std::string(featureInfo(f.feature).name) + ": ";
        if (f.categorical) {
            text += f.newCategories == 0 ? std::string("no value unseen in training")
                                         : groupedCount(f.newCategories) + " new value(s) on "
                                               + formatShare(f.newCategoryRows) + " of rows";
        } else {
            text += formatShare(f.outsideRange) + " of rows outside the training range, median "
                + roughly(f.trainingMedian) + " -> " + roughly(f.median);
        }
        text += f.large ? "  [large]\n" : "\n";
    }
    if (drift.large()) {
        text += "Warning: the data has drifted from what the model was trained on; its scores may mislead:\n";
        for (const std::string& warning : drift.warnings)
            text += "  - " + warning + "\n";
    } else {
        text += "  The data sits within what the model was trained on.\n";
    }
    return text;
}

} // namespace webthreat

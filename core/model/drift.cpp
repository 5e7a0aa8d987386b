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

} // namespace

DriftMeasure::DriftMeasure(const DetectorModel& model)
    : m_model(model)
    , m_columns(model.encodings.size())
{
}

void DriftMeasure::add(const TrafficTable& table, const std::vector<std::vector<double>>& values)
{
    m_rows += table.rowCount();
    for (std::size_t column = 0; column < m_model.encodings.size(); ++column) {
        const FeatureEncoding& encoding = m_model.encodings[column];
        Column& drift = m_columns[column];
        if (!encoding.isFrequency()) {
            const FeatureDistribution& training = m_model.training[column];
            for (double value : values[column]) {
                if (value < training.minimum || value > training.maximum)
                    ++drift.outside;
            }
            continue;
        }
        const auto note = [&](const std::string& value) {
            ++drift.newRows;
            if (drift.seen.insert(value).second && drift.examples.size() < 5)
                drift.examples.push_back(value.empty() ? "(missing)" : value);
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
    }
}

DriftReport DriftMeasure::finish(const std::vector<double>& medians) const
{
    DriftReport report;
    const double rows = static_cast<double>(m_rows);
    for (std::size_t column = 0; column < m_model.encodings.size(); ++column) {
        const Column& measured = m_columns[column];
        FeatureDrift drift;
        drift.feature = m_model.encodings[column].feature;
        drift.categorical = m_model.encodings[column].isFrequency();
        const std::string name(featureInfo(drift.feature).name);
        if (drift.categorical) {
            drift.newCategories = measured.seen.size();
            drift.newCategoryExamples = measured.examples;
            drift.newCategoryRows = m_rows > 0 ? static_cast<double>(measured.newRows) / rows : 0.0;
            if (drift.newCategoryRows > kLargeDriftShare) {
                std::string examples;
                for (const std::string& example : drift.newCategoryExamples)
                    examples += (examples.empty() ? "" : ", ") + example;
                report.warnings.push_back(name + ": " + formatShare(drift.newCategoryRows) + " of rows have "
                                          + groupedCount(drift.newCategories)
                                          + " value(s) never seen in training (" + examples + ")");
            }
        } else {
            const FeatureDistribution& training = m_model.training[column];
            drift.outsideRange = m_rows > 0 ? static_cast<double>(measured.outside) / rows : 0.0;
            drift.trainingMedian = training.median;
            drift.median = medians[column];
            const double range = training.upperQuartile - training.lowerQuartile;
            const double difference = drift.median - training.median;
            if (range > 0)
                drift.medianShift = difference / range;
            else
                drift.medianShift
                    = difference == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), difference);
            if (drift.outsideRange > kLargeDriftShare)
                report.warnings.push_back(name + ": " + formatShare(drift.outsideRange)
                                          + " of rows lie outside the training range ["
                                          + roughly(training.minimum) + ", " + roughly(training.maximum) + "]");
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

DriftReport measureDrift(const DetectorModel& model, const TrafficTable& table, const FeatureSet& features)
{
    DriftMeasure measure(model);
    std::vector<std::vector<double>> values(model.encodings.size());
    std::vector<double> medians(model.encodings.size(), 0.0);
    for (std::size_t column = 0; column < model.encodings.size(); ++column) {
        if (!model.encodings[column].isFrequency())
            values[column] = featureValues(table, features, model.encodings[column].feature);
    }
    measure.add(table, values);
    for (std::size_t column = 0; column < model.encodings.size(); ++column) {
        if (!model.encodings[column].isFrequency())
            medians[column] = describeDistribution(values[column]).median;
    }
    return measure.finish(medians);
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

#pragma once

#include "core/pipeline.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace webthreat {

// One feature's part in a row's verdict.
struct FeatureExplanation {
    Feature feature;
    double credit = 0.0; // share of the early isolation credited to this feature, 0..1
    // The data's own units whatever the detector's input scaling: the raw value (after the mean
    // fill, in float) and where it stands among the raw values of all rows. log1p keeps the order,
    // but rounding log values to float can merge values that differ, so the shares are counted on
    // the raw ones.
    double value = 0.0; // the row's raw value
    double percentile = 0.0; // share of rows with a smaller value, 0..1
    double above = 0.0; // share of rows with a larger value, 0..1
};

// Why a row scored as it did, computed from the forest itself.
struct RowExplanation {
    std::size_t row = 0;
    double pathLength = 0.0; // mean splits needed to isolate this row
    double averagePathLength = 0.0; // the same, averaged over all rows
    std::vector<FeatureExplanation> features; // most credited first
    std::string sentence; // "bytes_out 4.8 MB is above 99.9 % of sessions; isolated in ..."
};

// Explains rows of one detection, one at a time (the workbench's detail panel). The Explainer keeps
// the raw input values (float, 4 bytes per row and feature) to place a row among all rows, and
// walks the forest with the row as the forest saw it (with scaling, made on demand: a categorical or
// per-source feature keeps one more float column for it). Explaining a row costs one walk of the
// forest and one pass over each feature. explain() is const and safe to call from several
// threads at once.
class Explainer {
public:
    Explainer(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection);

    RowExplanation explain(std::size_t row) const;
    std::size_t rowCount() const noexcept { return static_cast<std::size_t>(m_matrix.rows()); }
    double averagePathLength() const noexcept { return m_averagePathLength; }

private:
    std::shared_ptr<const PreparedData> m_data;
    std::shared_ptr<const Detection> m_detection;
    FeatureSet m_features; // the data's, with the detection's behaviour (detectorFeatures)
    FeatureMatrix m_matrix; // per row, per detector feature: raw values
    // The same rows as the forest saw them, when it saw them scaled (else m_matrix is what it saw).
    std::optional<TableFeatureRows> m_seen;
    double m_averagePathLength = 0.0;
};

// One feature's values over every row, as floats, for counting the rows below or above a value
// by binary search. Held as each distinct value with the count of rows at or below it when that
// is smaller than a float a row (the frequency features: a few hundred values for a million rows).
class SortedValues {
public:
    SortedValues() = default;
    // sorted: every row's value, ascending (NaN kept as given: then every row is held).
    explicit SortedValues(std::vector<float> sorted);

    std::size_t rows() const noexcept { return m_rows; }
    std::size_t below(float value) const noexcept; // rows whose value is < value
    std::size_t notAbove(float value) const noexcept; // rows whose value is <= value
    std::size_t memoryBytes() const noexcept;

private:
    std::vector<float> m_values; // every row's value, or each distinct one once
    std::vector<std::uint32_t> m_notAbove; // empty, or per distinct value the rows <= it
    std::size_t m_rows = 0;
};

// Every row's value of each detector feature, sorted (as the float the forest compares): with it,
// explainRows places its rows by binary search instead of counting every row again, which is what
// a caller explaining many blocks of rows (the scored CSV) wants. Built on `threads` threads, one
// feature a task; at most 4 bytes a row and feature (see SortedValues).
struct FeatureRanks {
    std::vector<SortedValues> sorted; // per detector feature, in detection.params.features order
    // Streaming mode (core/stream), where the table explained is one chunk of the file: sorted holds
    // the values of the forest's sample (every row when it holds them all; explainRows places a
    // row among them, whatever their number), averagePathLength is the whole file's, and a row's
    // values are those its detection's encodings give (whole-file shares, per-source totals and
    // fills), as the forest saw them, not the chunk's own.
    bool partOfFile = false;
    double averagePathLength = 0.0;
};
FeatureRanks rankFeatures(const PreparedData& data, const Detection& detection, int threads = 0);
// Streaming mode's ranks (FeatureRanks::partOfFile): the sample's rows, valued with the detection's
// encodings; averagePathLength: the whole file's (averagePathLength over every score, in file order).
FeatureRanks rankSampleFeatures(const TrafficTable& sample, const FeatureSet& sampleFeatures, const Detection& detection,
                                double averagePathLength, int threads = 0);
// A detector feature's values as the detection's encodings give them, the fill the forest used for a
// missing byte count included (what explainRows reads with FeatureRanks::partOfFile).
std::vector<double> encodedInputValues(const TrafficTable& table, const FeatureSet& features, const Detection& detection,
                                       Feature feature);

// Explains many rows at once (the scored CSV, the JSON report) without keeping the input matrix:
// the given rows' values are sorted per feature and one pass over each feature places all of them
// (O(rows x log given) time, O(given) memory besides one feature's values); the forest walks run
// on `threads` threads. Results are in the order of `rows` and equal Explainer::explain's.
std::vector<RowExplanation> explainRows(const PreparedData& data, const Detection& detection,
                                        const std::vector<std::size_t>& rows, int threads = 0,
                                        const FeatureRanks* ranks = nullptr);

// The mean number of splits that isolate a row, over all rows (from the scores).
double averagePathLength(const Detection& detection);

// A feature value as the analyst reads it: "4.8 MB", "600 s", "1.2 kB/s".
std::string describeFeatureValue(Feature feature, double value);

} // namespace webthreat

#pragma once

#include "core/detect/cleaning.h"
#include "core/io/csvreader.h"
#include "core/detect/features.h"
#include "core/analysis/findings.h"
#include "core/detect/isolationforest.h"
#include "core/detect/threshold.h"

#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// A file read, cleaned and with its features computed: what every view and every detector run
// starts from. Immutable once made; shared between the worker and the views.
struct PreparedData {
    std::string file;
    ReadReport readReport;
    CleanReport cleanReport;
    TrafficTable table;       // the cleaned rows
    FeatureSet features;      // one value per cleaned row
    double readSeconds = 0.0;
    double cleanSeconds = 0.0;
};

struct DetectorParams {
    IsolationForestParams forest;
    std::vector<Feature> features = defaultFeatures();

    void validate() const;
};

// One detector run over prepared data: the scores, indexed for re-thresholding.
struct Detection {
    DetectorParams params;
    std::shared_ptr<const IsolationForest> forest; // kept for explanations
    ScoreIndex scores;
    int effectiveMaxSamples = 0;
    double fitSeconds = 0.0;
    double scoreSeconds = 0.0;
};

struct AnalysisParams {
    ReadOptions read;
    CleanParams clean;
    DetectorParams detector;
    Contamination contamination;

    void validate() const;
};

// Everything one analysis produced.
struct Analysis {
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const Detection> detection;
    Verdicts verdicts;
    Findings findings;
};

// Reads (any input format, see trafficfile.h), cleans and computes features. Progress stages:
// "read", "clean", "features".
std::shared_ptr<const PreparedData> prepareData(const std::string& path, const ReadOptions& read = {},
                                                const CleanParams& clean = {}, const Progress& progress = {});
// The same from a table already read (other formats, tests).
std::shared_ptr<const PreparedData> prepareTable(ReadResult read, const CleanParams& clean = {},
                                                 const Progress& progress = {});

// Fits the forest on the prepared rows and scores them. Stages: "fit", "score". Throws InputError
// when there are fewer than two rows.
std::shared_ptr<const Detection> detect(const PreparedData& data, const DetectorParams& params,
                                        const Progress& progress = {});

// Labels and findings at one contamination: cheap, no refit.
Analysis assess(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                const Contamination& contamination, std::size_t topN = 10);

// The whole pipeline, for the command line.
Analysis analyzeFile(const std::string& path, const AnalysisParams& params, const Progress& progress = {});

} // namespace webthreat

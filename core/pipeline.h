#pragma once

#include "core/analysis/aggregates.h"
#include "core/analysis/datasetsummary.h"
#include "core/analysis/findings.h"
#include "core/context/threatlist.h"
#include "core/detect/cleaning.h"
#include "core/detect/features.h"
#include "core/detect/isolationforest.h"
#include "core/detect/model.h"
#include "core/detect/threshold.h"
#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/model/drift.h"
#include "core/triage/suppression.h"
#include "core/util/progress.h"

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
    TrafficTable table; // the cleaned rows
    FeatureSet features; // one value per cleaned row
    double readSeconds = 0.0;
    double cleanSeconds = 0.0;
};

struct DetectorParams {
    IsolationForestParams forest;
    std::vector<Feature> features = defaultFeatures();
    // How the inputs are shaped before the forest (features.h): Auto (log1p for the heavy-tailed
    // ones) by measurement; None is scikit-learn on the raw values.
    InputScaling scaling = InputScaling::Auto;

    // The notebook's detector: its four features, raw, as scikit-learn (--preset notebook, the
    // Detector panel's "Notebook's four, raw"). Forest settings are the defaults.
    static DetectorParams notebook();

    void validate() const;
};

// One detector run over prepared data: the scores, indexed for re-thresholding.
struct Detection {
    DetectorParams params;
    std::shared_ptr<const IsolationForest> forest; // kept for explanations
    // How the rows were encoded for the forest: learnt from these rows, or a saved model's.
    std::shared_ptr<const FeatureEncodings> encodings;
    // The saved model the rows were scored with; null when the forest was fitted on them.
    std::shared_ptr<const DetectorModel> model;
    // The rows' behaviour over time, computed for the run when a Behaviour feature is chosen (the
    // prepared data does not keep it); null otherwise. detectorFeatures() hands it on.
    std::shared_ptr<const BehaviourResult> behaviour;
    ScoreIndex scores;
    int effectiveMaxSamples = 0;
    double fitSeconds = 0.0;
    double scoreSeconds = 0.0;
};

// The one pipeline: read -> clean -> features -> [summary, aggregates] -> detect -> assess. The
// command line, the workbench's worker, the benchmarks and the fuzz target all run it through
// analyzeFile or analyzeTable and get one Analysis back.
struct AnalysisParams {
    ReadOptions read;
    CleanParams clean;
    DetectorParams detector;
    Contamination contamination;
    std::size_t topN = 10; // entries per findings list
    // What the workbench adds: the per-column summary (stage "summary") and the entities and
    // timeline (stages "entities", "timeline"), computed before the detector runs.
    bool summarize = false;
    bool aggregate = false;
    // When the detector cannot run on the data (fewer than two rows), keep the data and say why in
    // Analysis::detectionProblem instead of throwing the InputError.
    bool keepDataWithoutDetection = false;
    // Score with a saved model instead of fitting (detector is then ignored). The model's threshold
    // labels the rows unless modelThreshold is false: then contamination re-thresholds on them.
    std::shared_ptr<const DetectorModel> model;
    bool modelThreshold = true;
    // The allow-list (core/triage/suppression.h): the rows its enabled rules match are moved to
    // normal after the threshold (Analysis::suppression, Verdicts::suppressedCount).
    std::vector<SuppressionRule> allowRules;
    // Threat lists (core/context/threatlist.h): every row's src_ip and dst_ip looked up in them
    // (Analysis::threatMatches, Analysis::threatFindings). At most kMaxThreatLists, names distinct.
    std::vector<std::shared_ptr<const ThreatList>> threatLists;

    void validate() const;
};

// Everything one analysis produced: immutable pieces, shared with the views.
struct Analysis {
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const Detection> detection; // null when the detector could not run
    Verdicts verdicts; // empty without detection
    Findings findings; // empty without detection
    std::shared_ptr<const DatasetSummary> summary; // with AnalysisParams::summarize
    std::shared_ptr<const TrafficAggregates> aggregates; // with AnalysisParams::aggregate
    std::shared_ptr<const VerdictAggregates> verdictAggregates; // with aggregates and detection
    std::string detectionProblem; // why there is no detection, when there is none
    // With a saved model: how these rows sit against its training data.
    std::shared_ptr<const DriftReport> drift;
    bool thresholdFromModel = false; // the verdicts use the saved model's threshold
    // The rows the allow-list matches, applied to verdicts, findings and verdictAggregates; null
    // without rules.
    std::shared_ptr<const Suppression> suppression;
    // Which rows' addresses are on which threat lists, and what that counts to at these verdicts;
    // null and empty without lists.
    std::shared_ptr<const ThreatMatches> threatMatches;
    ThreatFindings threatFindings;
    // Beacon pairs and scanning sources, when the caller computed them (the CLI's behaviour
    // section) or the detector did (a Behaviour feature): the report uses these rather than
    // computing them again. Null otherwise.
    std::shared_ptr<const BehaviourResult> behaviour;

    bool hasDetection() const noexcept { return detection != nullptr; }
};

// Reads (any input format, see trafficfile.h), cleans and computes features. Progress stages:
// "read", "clean", "features".
std::shared_ptr<const PreparedData> prepareData(const std::string& path, const ReadOptions& read = {},
                                                const CleanParams& clean = {}, const Progress& progress = {});
// The same from a table already read (other formats, tests).
std::shared_ptr<const PreparedData> prepareTable(ReadResult read, const CleanParams& clean = {},
                                                 const Progress& progress = {});

// The features the detection's forest read: data's, with the detection's behaviour when it has one
// (explanations, the scored CSV and a saved model's distributions read the Behaviour features here).
FeatureSet detectorFeatures(const PreparedData& data, const Detection& detection);

// Fits the forest on the prepared rows and scores them. Stages: ("beacons", "fan-out" when a
// Behaviour feature is chosen), "fit", "score". Throws InputError when there are fewer than two rows.
std::shared_ptr<const Detection> detect(const PreparedData& data, const DetectorParams& params,
                                        const Progress& progress = {});

// Scores the prepared rows with a saved model: its encodings, its forest, no fitting; a model with
// Behaviour features has them computed on these rows. Stage "score". Throws InputError when there are no rows.
std::shared_ptr<const Detection> scoreWithModel(const PreparedData& data, std::shared_ptr<const DetectorModel> model,
                                                int threads = 0, const Progress& progress = {});

// Scores data with a saved model and labels it at the model's threshold, with the drift against
// the model's training data: what `webthreat score` and the workbench's Apply Model do.
Analysis applyModel(std::shared_ptr<const PreparedData> data, std::shared_ptr<const DetectorModel> model,
                    std::size_t topN = 10, std::shared_ptr<const TrafficAggregates> aggregates = {}, int threads = 0,
                    const Progress& progress = {});

// Labels and findings at one contamination: cheap, no refit (the contamination slider). With
// aggregates, also their per-threshold part. With suppression (matchRules on data's table), the
// rows it matches are moved to normal before the findings and aggregates are counted.
Analysis assess(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                const Contamination& contamination, std::size_t topN = 10,
                std::shared_ptr<const TrafficAggregates> aggregates = {},
                std::shared_ptr<const Suppression> suppression = {});

// The same at a threshold set elsewhere (a saved model's), with the contamination it came from.
Analysis assessAt(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                  double threshold, const Contamination& origin, std::size_t topN = 10,
                  std::shared_ptr<const TrafficAggregates> aggregates = {},
                  std::shared_ptr<const Suppression> suppression = {});

// Sets analysis.threatMatches and counts analysis.threatFindings at its verdicts (a re-threshold
// keeps the matches and counts again).
void attachThreatMatches(Analysis& analysis, std::shared_ptr<const ThreatMatches> matches);

// The whole pipeline over a file: validates params, reads path, then analyzeTable.
Analysis analyzeFile(const std::string& path, const AnalysisParams& params, const Progress& progress = {});
// The whole pipeline after the read (a Qt resource, bytes in memory, a table made by a test).
Analysis analyzeTable(ReadResult read, const AnalysisParams& params, const Progress& progress = {});

} // namespace webthreat

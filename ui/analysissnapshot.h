#pragma once

#include "core/pipeline.h"

#include <memory>

namespace webthreat {

struct BehaviourResult;
struct ColumnSummary;
struct OverviewBins;
struct OverviewSplit;
struct ScatterLayout;
struct ScatterVerdictPoints;
struct Suppression;
struct SuppressionRule;
struct TableTriage;

// What the views show: core's Analysis (core/pipeline.h) as immutable pieces shared with
// std::shared_ptr<const ...>, plus the charts' bins. A new load or a new detector run makes a new
// snapshot; moving the contamination slider replaces only verdicts and findings (computed from the
// detection's ScoreIndex, no refit).
struct AnalysisSnapshot {
    std::shared_ptr<const PreparedData> data; // null before the first load
    std::shared_ptr<const Detection> detection; // null until the detector has run on data
    std::shared_ptr<const Verdicts> verdicts; // null when detection is null
    std::shared_ptr<const Findings> findings; // null when detection is null
    std::shared_ptr<const TrafficAggregates> aggregates; // with data (null in some tests)
    // Beaconing pairs and fan-out per source (core/behaviour), for data: computed once per load on
    // the worker and carried, like aggregates, into every refit and re-threshold. Null in some tests.
    std::shared_ptr<const BehaviourResult> behaviour;
    std::shared_ptr<const VerdictAggregates> verdictAggregates; // null without aggregates or detection
    // The Overview's chart bins for (data, detection) and their split for verdicts, made on the
    // worker so the GUI thread only builds series from them. Null when not precomputed (the
    // charts then count for themselves).
    std::shared_ptr<const OverviewBins> overviewBins;
    std::shared_ptr<const OverviewSplit> overviewSplit;
    std::shared_ptr<const ScatterLayout> scatterLayout; // the Anomalies scatter's, for data
    std::shared_ptr<const ScatterVerdictPoints> scatterPoints; // its points, for verdicts
    // The Summary tab's anomaly_score row for detection (a walk over every score in rank order).
    std::shared_ptr<const ColumnSummary> scoreSummary;
    // Scored with a saved model (detection->model): the drift against its training data, and
    // whether its threshold labels the rows (until the slider moves).
    std::shared_ptr<const DriftReport> drift;
    bool thresholdFromModel = false;
    // The analyst's marks over data's rows (core/triage/tabletriage.h); null before the workspace
    // has been read for data, or when there is no workspace. Replaced on every mark, without a
    // new detection.
    std::shared_ptr<const TableTriage> triage;
    // The rows the allow-list's enabled rules match (verdicts have them moved to normal unless the
    // analyst shows suppressed rows); null without rules.
    std::shared_ptr<const Suppression> suppression;
    // The allow-list suppression was matched from (rowsPerRule follows its order), with disabled
    // rules; null without rules. showSuppressed: the analyst switched suppression off for the
    // views (verdicts are then the detector's own; suppression still says what would be hidden).
    std::shared_ptr<const std::vector<SuppressionRule>> allowRules;
    bool showSuppressed = false;
    // The rows' addresses on the analyst's threat lists (core/context/threatlist.h), matched on a
    // worker for data, and what they count to at verdicts; null without lists or until matched.
    std::shared_ptr<const ThreatMatches> threatMatches;
    std::shared_ptr<const ThreatFindings> threatFindings;

    bool hasData() const noexcept { return data != nullptr; }
    bool hasDetection() const noexcept { return detection && verdicts; }
};

// The views' pieces of analysis (no chart bins yet, see addChartBins).
AnalysisSnapshot snapshotOf(Analysis analysis);

} // namespace webthreat

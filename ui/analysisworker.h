#pragma once

#include "core/output/provenance.h"
#include "core/triage/suppression.h"
#include "ui/analysissnapshot.h"
#include "core/analysis/datasetsummary.h"
#include "ui/report/reportbuilder.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <string>

namespace webthreat {

struct StreamInfo;

using JobId = quint64;
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// The analyst's allow-list as the worker applies it: rows its enabled rules match leave the
// suspicious rows (verdicts, findings, the charts' red) unless showSuppressed.
struct AllowList {
    std::shared_ptr<const std::vector<SuppressionRule>> rules; // null or empty: no allow-list
    bool showSuppressed = false;

    bool hasRules() const { return rules && !rules->empty(); }
};

// Read, clean and summarise a file (or a Qt resource such as the bundled sample), then run the
// detector on it: the window swaps to the new data only when all of it is ready, so a failure or a
// cancel anywhere leaves the previous data in place.
struct LoadRequest {
    JobId job = 0;
    QString path; // a file path, or a resource path starting with ":/"
    QString displayName; // for messages and the window title
    ReadOptions read;
    CleanParams clean;
    DetectorParams detector;
    Contamination contamination;
    std::shared_ptr<const DetectorModel> model; // score with this saved model instead of fitting
    AllowList allow;
    // Look up every address in the offline location database (issue 20), opened on the worker;
    // a missing one turns this off with one warning in the log. Empty path: IpEnricher::defaultPath().
    bool enrich = true;
    std::string locationDatabase;
    // Analyse in streaming mode (ui/streamload.h): a file too large for memory, read in chunks of
    // streamChunkBytes of text, twice or three times.
    bool stream = false;
    std::size_t streamChunkBytes = std::size_t(64) << 20;
    CancelFlag cancel;
};

struct LoadResult {
    AnalysisSnapshot snapshot; // detection may be null, see detectionProblem
    std::shared_ptr<const DatasetSummary> summary;
    QString path;
    QString displayName;
    QString detectionProblem; // why the detector could not run on this data, if it could not
    std::shared_ptr<const InputFingerprint> fingerprint; // the input's name, size and SHA-256, for provenance
    double seconds = 0.0;
    std::shared_ptr<const StreamInfo> streaming; // set when the file was analysed in streaming mode
};

// Refit the detector on data already loaded (new trees, samples, seed or features).
struct DetectRequest {
    JobId job = 0;
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const TrafficAggregates> aggregates; // carried into the new snapshot
    std::shared_ptr<const BehaviourResult> behaviour; // carried into the new snapshot
    DetectorParams detector;
    Contamination contamination;
    // Apply a saved model instead of fitting: the one given, or the one read from modelPath (on
    // the worker: a model file is input like any other).
    std::shared_ptr<const DetectorModel> model;
    QString modelPath;
    AllowList allow;
    CancelFlag cancel;
};

// Save the detector of a snapshot as a model file (its forest, encodings, threshold, provenance).
struct SaveModelRequest {
    JobId job = 0;
    AnalysisSnapshot snapshot;
    std::shared_ptr<const InputFingerprint> fingerprint; // the training file's
    QString path;
    CancelFlag cancel;
};

// Re-threshold existing scores at another contamination (the slider): verdicts and findings only.
struct AssessRequest {
    JobId job = 0;
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const TrafficAggregates> aggregates; // carried into the new snapshot
    std::shared_ptr<const BehaviourResult> behaviour; // carried into the new snapshot
    std::shared_ptr<const Detection> detection;
    Contamination contamination;
    // The Overview's bins for data and detection, when the window has them: the split for the
    // new verdicts is counted with them.
    std::shared_ptr<const OverviewBins> overviewBins;
    std::shared_ptr<const ScatterLayout> scatterLayout;
    std::shared_ptr<const ColumnSummary> scoreSummary;
    std::shared_ptr<const DriftReport> drift; // a saved model's, carried into the new snapshot
    AllowList allow;
    // The rows the allow-list matched in data (reused when the rules are the same), and whether
    // the threshold stays where it is (a saved model's) rather than following contamination.
    std::shared_ptr<const Suppression> suppression;
    std::shared_ptr<const std::vector<SuppressionRule>> suppressionRules;
    bool keepThreshold = false;
    double threshold = 0.0;
};

struct ExportRequest {
    JobId job = 0;
    AnalysisSnapshot snapshot;
    QString path;
    std::shared_ptr<const Provenance> provenance; // when set, also written to path.provenance.json
    CancelFlag cancel;
};

// Writes the report (HTML or PDF by the path's suffix); the charts were rendered on the GUI thread.
struct ReportRequest {
    JobId job = 0;
    ReportInput input;
    QString path;
    CancelFlag cancel;
};

// Read threat lists (toRead, on the worker: a list can be a million lines) and look data's
// addresses up in them with the ones already loaded, then count what that is at verdicts. With
// known matches for the same data and lists only the counting is done (the slider moved).
struct ThreatListRequest {
    JobId job = 0;
    std::shared_ptr<const PreparedData> data; // null: only read the lists
    std::shared_ptr<const Verdicts> verdicts; // null: no detection (suspicious counts 0)
    std::vector<std::shared_ptr<const ThreatList>> lists;
    std::vector<ThreatListSpec> toRead;
    std::shared_ptr<const ThreatMatches> known;
    CancelFlag cancel;
};

struct ThreatListResult {
    std::shared_ptr<const PreparedData> data;
    std::vector<std::shared_ptr<const ThreatList>> lists; // request.lists, then those read
    std::shared_ptr<const ThreatMatches> matches; // null without data or lists
    std::shared_ptr<const ThreatFindings> findings;
};

// Runs core's long operations. Lives on the AnalysisController's worker thread; its entry points
// are called there (queued) and each catches every exception, turning it into failed() or
// cancelled(). Results are immutable snapshots, so handing them to the GUI thread copies pointers.
class AnalysisWorker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnalysisWorker)

public:
    explicit AnalysisWorker(QObject* parent = nullptr);

    void load(const LoadRequest& request);
    void detect(const DetectRequest& request);
    void exportScoredCsv(const ExportRequest& request);
    // exported() follows with rows = the suspicious rows listed in the report.
    void exportReport(const ReportRequest& request);
    void assess(const AssessRequest& request);
    void saveModel(const SaveModelRequest& request);
    void matchThreatLists(const ThreatListRequest& request);

private:
    // The location database at path (empty: the default), opened once and kept; null when it
    // cannot be opened, said once per path in the log.
    std::shared_ptr<const IpEnricher> locationDatabase(const std::string& path);

    std::shared_ptr<const IpEnricher> m_enricher;
    std::string m_enricherPath;
    std::string m_enricherProblemPath; // the path whose problem was said already

Q_SIGNALS:
    // fraction in [0, 1] of the whole job; stage in the analyst's words ("Reading", "Fitting").
    void progress(webthreat::JobId job, const QString& stage, double fraction);
    void loaded(webthreat::JobId job, const webthreat::LoadResult& result);
    void detected(webthreat::JobId job, const webthreat::AnalysisSnapshot& snapshot);
    void exported(webthreat::JobId job, const QString& path, qulonglong rows);
    void modelSaved(webthreat::JobId job, const QString& path);
    void assessed(webthreat::JobId job, const webthreat::AnalysisSnapshot& snapshot);
    void threatListsMatched(webthreat::JobId job, const webthreat::ThreatListResult& result);
    void failed(webthreat::JobId job, const QString& message);
    void cancelled(webthreat::JobId job);
};

// The snapshot with the verdicts and findings at contamination, from detection's scores (core's
// assess): cheap (no refit), callable from any thread. With aggregates, also their per-threshold part.
AnalysisSnapshot assessSnapshot(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                                const Contamination& contamination,
                                std::shared_ptr<const TrafficAggregates> aggregates = {},
                                std::shared_ptr<const Suppression> suppression = {});
// The rows allow's rules match in data: known when it was matched for the same rules (pointer),
// else matched now (one pass; each distinct text once). Null without rules.
std::shared_ptr<const Suppression> suppressionFor(const PreparedData& data, const AllowList& allow,
                                                  std::shared_ptr<const Suppression> known = {},
                                                  const std::vector<SuppressionRule>* knownRules = nullptr);
// Labels snapshot (with a detection) again at its own threshold with allow applied, and records
// the allow-list in it: after a load or a refit, whose verdicts were made without it.
void applyAllowList(AnalysisSnapshot& snapshot, const AllowList& allow);
// The same, keeping what shown holds for its data and detection (the Overview's bins) and
// counting their split for the new verdicts: what a slider move computes on the worker.
AnalysisSnapshot assessSnapshot(const AnalysisSnapshot& shown, const Contamination& contamination,
                                const AllowList& allow = {});
// Adds what the views would otherwise count on the GUI thread to a snapshot that has data: the
// Overview's bins and split, the scatter's sample and points, the score summary. Tens to a couple
// of hundred milliseconds at a million rows, so the worker does it.
void addChartBins(AnalysisSnapshot& snapshot);

} // namespace webthreat

Q_DECLARE_METATYPE(webthreat::AnalysisSnapshot)
Q_DECLARE_METATYPE(webthreat::LoadResult)
Q_DECLARE_METATYPE(webthreat::ThreatListResult)

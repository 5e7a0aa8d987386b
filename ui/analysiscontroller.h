#pragma once

#include "ui/analysisworker.h"

#include <QObject>
#include <QThread>

#include <optional>
#include <string>

namespace webthreat {

// Owns the worker thread and the one job running on it. Starting a job while another runs
// cancels the earlier one (its flag is set; its late results are ignored), so opening a second
// file while the first loads just works. Lives on the GUI thread; ends the thread with
// quit(); wait(); when destroyed.
class AnalysisController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnalysisController)

public:
    enum class JobKind { None, Load, Detect, Export };
    Q_ENUM(JobKind)

    explicit AnalysisController(QObject* parent = nullptr);
    ~AnalysisController() override;

    // path is a file or a Qt resource (":/sample/..."); displayName defaults to the file name.
    void load(const QString& path, const DetectorParams& detector, const Contamination& contamination,
              const QString& displayName = {});
    // The same with reader options (an imported layout: delimiter, column map, timestamp format).
    void load(const QString& path, const ReadOptions& read, const DetectorParams& detector,
              const Contamination& contamination, const QString& displayName = {});
    // The same in streaming mode (ui/streamload.h): a CSV too large for memory, read in chunks.
    void loadStream(const QString& path, const ReadOptions& read, const DetectorParams& detector,
                    const Contamination& contamination, const QString& displayName, std::size_t chunkBytes);
    // aggregates (the data's entities and timeline) and behaviour are carried into the new snapshot.
    void detect(std::shared_ptr<const PreparedData> data, const DetectorParams& detector,
                const Contamination& contamination, std::shared_ptr<const TrafficAggregates> aggregates = {},
                std::shared_ptr<const BehaviourResult> behaviour = {});
    // With provenance, path.provenance.json is written next to the CSV.
    void exportScoredCsv(const AnalysisSnapshot& snapshot, const QString& path,
                         std::shared_ptr<const Provenance> provenance = {});
    // Writes the report on the worker (an Export job): exportFinished(path, rows listed) follows.
    void exportReport(const ReportInput& input, const QString& path);
    // Re-labels detection's scores at contamination on a thread of its own, so the slider stays
    // live even while a refit runs. Requests are coalesced: while one is computed only the newest
    // waiting one is kept. assessed() follows.
    void assess(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                const Contamination& contamination, std::shared_ptr<const TrafficAggregates> aggregates = {});
    // The same for the snapshot the window shows, whose chart bins the worker then reuses to
    // count the new split (see AssessRequest::overviewBins).
    void assess(const AnalysisSnapshot& shown, const Contamination& contamination);
    // Scores data with the saved model at modelPath (read on the worker) instead of fitting: a
    // Detect job. Once it succeeds the model stays applied: later loads are scored with it too,
    // until detect() fits on the data or forgetModel().
    void applyModel(std::shared_ptr<const PreparedData> data, const QString& modelPath,
                    std::shared_ptr<const TrafficAggregates> aggregates = {},
                    std::shared_ptr<const BehaviourResult> behaviour = {});
    void forgetModel();
    // The allow-list every later load, refit and relabel applies (AllowList); applyAllowList
    // relabels shown with it now, at its own threshold: assessed() follows.
    void setAllowList(AllowList allow);
    const AllowList& allowList() const { return m_allow; }
    void applyAllowList(const AnalysisSnapshot& shown);
    // The saved model every load is scored with; null when the forest is fitted on each file.
    std::shared_ptr<const DetectorModel> model() const { return m_model; }
    // Writes the snapshot's detector as a model file (an Export job): modelSaved(path) follows.
    void saveModel(const AnalysisSnapshot& snapshot, std::shared_ptr<const InputFingerprint> fingerprint,
                   const QString& path);
    // Asks the running job to stop; cancelled() follows within a tenth of a second or so.
    void cancel();

    bool isBusy() const { return m_kind != JobKind::None; }
    JobKind currentJob() const { return m_kind; }

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressChanged(const QString& stage, double fraction);
    void loadFinished(const webthreat::LoadResult& result);
    void detectionFinished(const webthreat::AnalysisSnapshot& snapshot);
    void exportFinished(const QString& path, qulonglong rows);
    void modelSaved(const QString& path);
    // The applied model changed (null: none; fitting on each file again).
    void modelChanged(std::shared_ptr<const webthreat::DetectorModel> model);
    void assessed(const webthreat::AnalysisSnapshot& snapshot);
    void jobFailed(webthreat::AnalysisController::JobKind kind, const QString& message);
    void jobCancelled(webthreat::AnalysisController::JobKind kind);

private:
    JobId begin(JobKind kind);
    // Starts a job on the worker thread: numbers it, hands it the cancel flag, logs what it does.
    template <typename Request>
    void post(JobKind kind, Request request, void (AnalysisWorker::*run)(const Request&), const std::string& what);
    // The finished job is the current one: go idle and say which kind it was.
    bool finish(JobId job, JobKind* kind);

    void onProgress(JobId job, const QString& stage, double fraction);
    void onLoaded(JobId job, const LoadResult& result);
    void onDetected(JobId job, const AnalysisSnapshot& snapshot);
    void onExported(JobId job, const QString& path, qulonglong rows);
    void onModelSaved(JobId job, const QString& path);
    void onFailed(JobId job, const QString& message);
    void onCancelled(JobId job);
    void dispatchAssess();
    AssessRequest assessRequest(const AnalysisSnapshot& shown, const Contamination& contamination);

    QThread m_thread;
    AnalysisWorker* m_worker = nullptr; // lives on m_thread; deleted when the thread finishes
    JobId m_lastJob = 0;
    JobId m_job = 0; // the current job; 0 when idle
    JobKind m_kind = JobKind::None;
    CancelFlag m_cancel;
    std::shared_ptr<const DetectorModel> m_model;

    QThread m_thresholdThread;
    AnalysisWorker* m_thresholdWorker = nullptr;
    bool m_assessing = false;
    std::optional<AssessRequest> m_pendingAssess;
    AllowList m_allow;
};

} // namespace webthreat

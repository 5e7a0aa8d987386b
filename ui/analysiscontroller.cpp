#include "ui/analysiscontroller.h"

#include "core/util/log.h"
#include "ui/bundledresources.h"

#include <QFileInfo>

namespace webthreat {

AnalysisController::AnalysisController(QObject* parent)
    : QObject(parent)
{
    initBundledResources(); // so that ":/sample/..." loads without a MainWindow too
    qRegisterMetaType<JobId>("webthreat::JobId");
    qRegisterMetaType<AnalysisSnapshot>();
    qRegisterMetaType<LoadResult>();

    m_thread.setObjectName(QStringLiteral("analysis"));
    m_worker = new AnalysisWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // Queued: the worker's signals come from its thread (or core's), the slots run here.
    connect(m_worker, &AnalysisWorker::progress, this, &AnalysisController::onProgress, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::loaded, this, &AnalysisController::onLoaded, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::detected, this, &AnalysisController::onDetected, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::exported, this, &AnalysisController::onExported, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::modelSaved, this, &AnalysisController::onModelSaved, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::failed, this, &AnalysisController::onFailed, Qt::QueuedConnection);
    connect(m_worker, &AnalysisWorker::cancelled, this, &AnalysisController::onCancelled, Qt::QueuedConnection);
    m_thread.start();

    m_thresholdThread.setObjectName(QStringLiteral("threshold"));
    m_thresholdWorker = new AnalysisWorker;
    m_thresholdWorker->moveToThread(&m_thresholdThread);
    connect(&m_thresholdThread, &QThread::finished, m_thresholdWorker, &QObject::deleteLater);
    connect(
        m_thresholdWorker, &AnalysisWorker::assessed, this,
        [this](JobId, const AnalysisSnapshot& snapshot) {
            m_assessing = false;
            Q_EMIT assessed(snapshot);
            dispatchAssess();
        },
        Qt::QueuedConnection);
    connect(
        m_thresholdWorker, &AnalysisWorker::failed, this,
        [this](JobId, const QString& message) {
            logger::get("ui")->error("re-labelling failed: {}", message.toStdString());
            m_assessing = false;
            dispatchAssess();
        },
        Qt::QueuedConnection);
    m_thresholdThread.start();
}

AnalysisController::~AnalysisController()
{
    if (m_cancel)
        m_cancel->store(true);
    m_thread.quit();
    m_thresholdThread.quit();
    m_thread.wait();
    m_thresholdThread.wait();
}

JobId AnalysisController::begin(JobKind kind)
{
    // The earlier job stops at its next check; its results, if any still come, are ignored.
    if (m_cancel)
        m_cancel->store(true);
    const bool wasBusy = isBusy();
    m_job = ++m_lastJob;
    m_kind = kind;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    if (!wasBusy)
        Q_EMIT busyChanged(true);
    Q_EMIT progressChanged(QString(), 0.0);
    return m_job;
}

bool AnalysisController::finish(JobId job, JobKind* kind)
{
    if (job != m_job)
        return false;
    *kind = m_kind;
    m_job = 0;
    m_kind = JobKind::None;
    m_cancel.reset();
    Q_EMIT busyChanged(false);
    return true;
}

void AnalysisController::load(const QString& path, const DetectorParams& detector, const Contamination& contamination,
                              const QString& displayName)
{
    load(path, ReadOptions{}, detector, contamination, displayName);
}

template <typename Request>
void AnalysisController::post(JobKind kind, Request request, void (AnalysisWorker::*run)(const Request&),
                              const std::string& what)
{
    request.job = begin(kind);
    request.cancel = m_cancel;
    logger::get("ui")->info("job {}: {}", request.job, what);
    AnalysisWorker* worker = m_worker;
    QMetaObject::invokeMethod(
        m_worker, [worker, run, request] { (worker->*run)(request); }, Qt::QueuedConnection);
}

void AnalysisController::load(const QString& path, const ReadOptions& read, const DetectorParams& detector,
                              const Contamination& contamination, const QString& displayName)
{
    LoadRequest request;
    request.path = path;
    request.read = read;
    request.displayName = displayName.isEmpty() ? QFileInfo(path).fileName() : displayName;
    request.detector = detector;
    request.contamination = contamination;
    request.model = m_model;
    request.allow = m_allow;
    post(JobKind::Load, std::move(request), &AnalysisWorker::load, "load " + path.toStdString());
}

void AnalysisController::loadStream(const QString& path, const ReadOptions& read, const DetectorParams& detector,
                                    const Contamination& contamination, const QString& displayName,
                                    std::size_t chunkBytes)
{
    LoadRequest request;
    request.path = path;
    request.read = read;
    request.displayName = displayName.isEmpty() ? QFileInfo(path).fileName() : displayName;
    request.detector = detector;
    request.contamination = contamination;
    request.allow = m_allow;
    request.stream = true;
    request.streamChunkBytes = chunkBytes;
    post(JobKind::Load, std::move(request), &AnalysisWorker::load, "stream " + path.toStdString());
}

void AnalysisController::detect(std::shared_ptr<const PreparedData> data, const DetectorParams& detector,
                                const Contamination& contamination, std::shared_ptr<const TrafficAggregates> aggregates,
                                std::shared_ptr<const BehaviourResult> behaviour)
{
    forgetModel(); // a fit on the data replaces the model it was scored with
    DetectRequest request;
    request.data = std::move(data);
    request.aggregates = std::move(aggregates);
    request.behaviour = std::move(behaviour);
    request.detector = detector;
    request.contamination = contamination;
    request.allow = m_allow;
    post(JobKind::Detect, std::move(request), &AnalysisWorker::detect,
         "detect with " + std::to_string(detector.forest.trees) + " trees, seed "
             + std::to_string(detector.forest.seed));
}

void AnalysisController::applyModel(std::shared_ptr<const PreparedData> data, const QString& modelPath,
                                    std::shared_ptr<const TrafficAggregates> aggregates,
                                    std::shared_ptr<const BehaviourResult> behaviour)
{
    DetectRequest request;
    request.data = std::move(data);
    request.aggregates = std::move(aggregates);
    request.behaviour = std::move(behaviour);
    request.modelPath = modelPath;
    request.allow = m_allow;
    post(JobKind::Detect, std::move(request), &AnalysisWorker::detect, "apply the model " + modelPath.toStdString());
}

void AnalysisController::forgetModel()
{
    if (!m_model)
        return;
    m_model.reset();
    Q_EMIT modelChanged(nullptr);
}

void AnalysisController::saveModel(const AnalysisSnapshot& snapshot, std::shared_ptr<const InputFingerprint> fingerprint,
                                   const QString& path)
{
    SaveModelRequest request;
    request.snapshot = snapshot;
    request.fingerprint = std::move(fingerprint);
    request.path = path;
    post(JobKind::Export, std::move(request), &AnalysisWorker::saveModel, "save the model to " + path.toStdString());
}

void AnalysisController::exportScoredCsv(const AnalysisSnapshot& snapshot, const QString& path,
                                         std::shared_ptr<const Provenance> provenance)
{
    ExportRequest request;
    request.snapshot = snapshot;
    request.path = path;
    request.provenance = std::move(provenance);
    post(JobKind::Export, std::move(request), &AnalysisWorker::exportScoredCsv,
         "export scored CSV to " + path.toStdString());
}

void AnalysisController::exportReport(const ReportInput& input, const QString& path)
{
    ReportRequest request;
    request.input = input;
    request.path = path;
    post(JobKind::Export, std::move(request), &AnalysisWorker::exportReport, "export report to " + path.toStdString());
}

void AnalysisController::assess(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                                const Contamination& contamination, std::shared_ptr<const TrafficAggregates> aggregates)
{
    AssessRequest request;
    request.job = ++m_lastJob;
    request.data = std::move(data);
    request.aggregates = std::move(aggregates);
    request.detection = std::move(detection);
    request.contamination = contamination;
    request.allow = m_allow;
    m_pendingAssess = std::move(request);
    dispatchAssess();
}

void AnalysisController::setAllowList(AllowList allow)
{
    m_allow = std::move(allow);
}

void AnalysisController::applyAllowList(const AnalysisSnapshot& shown)
{
    if (!shown.hasDetection()) {
        return;
    }
    AssessRequest request = assessRequest(shown, shown.verdicts->contamination);
    request.keepThreshold = shown.thresholdFromModel;
    request.threshold = shown.verdicts->threshold;
    m_pendingAssess = std::move(request);
    dispatchAssess();
}

void AnalysisController::assess(const AnalysisSnapshot& shown, const Contamination& contamination)
{
    m_pendingAssess = assessRequest(shown, contamination);
    dispatchAssess();
}

AssessRequest AnalysisController::assessRequest(const AnalysisSnapshot& shown, const Contamination& contamination)
{
    AssessRequest request;
    request.job = ++m_lastJob;
    request.data = shown.data;
    request.aggregates = shown.aggregates;
    request.behaviour = shown.behaviour;
    request.detection = shown.detection;
    request.contamination = contamination;
    request.overviewBins = shown.overviewBins;
    request.scatterLayout = shown.scatterLayout;
    request.scoreSummary = shown.scoreSummary;
    request.drift = shown.drift;
    request.allow = m_allow;
    request.suppression = shown.suppression;
    request.suppressionRules = shown.allowRules;
    return request;
}

void AnalysisController::dispatchAssess()
{
    if (m_assessing || !m_pendingAssess)
        return;
    m_assessing = true;
    AssessRequest request = std::move(*m_pendingAssess);
    m_pendingAssess.reset();
    AnalysisWorker* worker = m_thresholdWorker;
    QMetaObject::invokeMethod(
        m_thresholdWorker, [worker, request] { worker->assess(request); }, Qt::QueuedConnection);
}

void AnalysisController::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void AnalysisController::onProgress(JobId job, const QString& stage, double fraction)
{
    if (job == m_job)
        Q_EMIT progressChanged(stage, fraction);
}

void AnalysisController::onLoaded(JobId job, const LoadResult& result)
{
    JobKind kind = JobKind::None;
    if (finish(job, &kind))
        Q_EMIT loadFinished(result);
}

void AnalysisController::onDetected(JobId job, const AnalysisSnapshot& snapshot)
{
    JobKind kind = JobKind::None;
    if (!finish(job, &kind))
        return;
    if (snapshot.detection && snapshot.detection->model && snapshot.detection->model != m_model) {
        m_model = snapshot.detection->model;
        Q_EMIT modelChanged(m_model);
    }
    Q_EMIT detectionFinished(snapshot);
}

void AnalysisController::onExported(JobId job, const QString& path, qulonglong rows)
{
    JobKind kind = JobKind::None;
    if (finish(job, &kind))
        Q_EMIT exportFinished(path, rows);
}

void AnalysisController::onModelSaved(JobId job, const QString& path)
{
    JobKind kind = JobKind::None;
    if (finish(job, &kind))
        Q_EMIT modelSaved(path);
}

void AnalysisController::onFailed(JobId job, const QString& message)
{
    JobKind kind = JobKind::None;
    if (finish(job, &kind))
        Q_EMIT jobFailed(kind, message);
}

void AnalysisController::onCancelled(JobId job)
{
    JobKind kind = JobKind::None;
    if (finish(job, &kind))
        Q_EMIT jobCancelled(kind);
}

} // namespace webthreat

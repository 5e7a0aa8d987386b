#include "ui/analysisworker.h"
#include "ui/streamload.h"

#include "core/context/ipenricher.h"

#include "core/behaviour/behaviour.h"
#include "core/util/errors.h"
#include "core/output/export.h"
#include "core/util/log.h"
#include "core/io/trafficfile.h"
#include "core/model/modelfile.h"
#include "ui/charts/overviewbins.h"

#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <future>
#include <mutex>
#include <new>
#include <span>
#include <string_view>

namespace webthreat {

namespace {

struct StageSpan {
    std::string_view stage;
    const char* label;
    double begin;
    double end;
};

// Where each core stage sits in the whole job, so one bar moves steadily from 0 to 100 %.
// Reading dominates a load; scoring (every row through every tree) dominates a refit.
// Streaming mode's passes over the file (core/stream/streamanalysis.h).
constexpr StageSpan kStreamStages[] = {
    {"pass 1", "Streaming: reading and cleaning (pass 1)", 0.00, 0.40},
    // A duplicate set that spilled to the scratch folder (core/stream/duplicatefinder.h), and pass 1
    // read again when duplicates were found there: rare, short next to the passes, so given no span.
    {"duplicates", "Streaming: finding duplicates in the scratch files (pass 1)", 0.40, 0.40},
    {"pass 1 again", "Streaming: reading again without the duplicates found late (pass 1)", 0.40, 0.40},
    {"fit", "Fitting the forest on the sample", 0.40, 0.45},
    {"pass 2", "Streaming: scoring every row (pass 2)", 0.45, 0.90},
    {"pass 3", "Streaming: the exact threshold (pass 3)", 0.90, 0.97},
    {"features", "Preparing the rows shown", 0.97, 0.98},
    {"summary", "Summarising the rows shown", 0.98, 1.00},
};

constexpr StageSpan kLoadStages[] = {
    {"read", "Reading", 0.00, 0.55},
    {"clean", "Cleaning", 0.55, 0.62},
    {"features", "Computing features", 0.62, 0.64},
    {"enrich", "Looking up addresses", 0.64, 0.65},
    {"summary", "Summarising", 0.65, 0.70},
    {"entities", "Grouping sources", 0.70, 0.715},
    {"timeline", "Building the timeline", 0.715, 0.72},
    {"fit", "Fitting the forest", 0.72, 0.78},
    {"score", "Scoring", 0.78, 0.97},
    {"beacons", "Finding beacons", 0.97, 0.99},
    {"fan-out", "Counting fan-out", 0.99, 1.00},
};
constexpr StageSpan kDetectStages[] = {
    {"fit", "Fitting the forest", 0.0, 0.3},
    {"score", "Scoring", 0.3, 1.0},
};
constexpr StageSpan kExportStages[] = {
    {"export", "Writing", 0.0, 1.0},
};
constexpr StageSpan kReportStages[] = {
    {"report", "Writing the report", 0.0, 1.0},
};

// Turns core's per-stage callbacks into few progress signals: at most one per whole percent or
// stage change, so a million-row read does not flood the GUI thread's event queue.
class ProgressRelay {
public:
    ProgressRelay(AnalysisWorker* worker, JobId job, std::span<const StageSpan> stages)
        : m_worker(worker)
        , m_job(job)
        , m_stages(stages)
    {
    }

    Progress progress(const CancelFlag& cancel)
    {
        return Progress([this](std::string_view stage, double fraction) { report(stage, fraction); }, cancel.get());
    }

    void report(std::string_view stage, double fraction)
    {
        const StageSpan* span = nullptr;
        for (const StageSpan& candidate : m_stages) {
            if (candidate.stage == stage)
                span = &candidate;
        }
        if (!span)
            return;
        const double overall = span->begin + (span->end - span->begin) * std::clamp(fraction, 0.0, 1.0);
        const int percent = static_cast<int>(overall * 100.0);
        {
            // Core may report from its own worker threads; the relay's state is shared.
            std::lock_guard lock(m_mutex);
            if (percent == m_lastPercent && span == m_lastSpan)
                return;
            m_lastPercent = percent;
            m_lastSpan = span;
        }
        Q_EMIT m_worker->progress(m_job, QString::fromLatin1(span->label), overall);
    }

private:
    AnalysisWorker* m_worker;
    JobId m_job;
    std::span<const StageSpan> m_stages;
    std::mutex m_mutex;
    int m_lastPercent = -1;
    const StageSpan* m_lastSpan = nullptr;
};

ReadResult readSource(const LoadRequest& request, const Progress& progress)
{
    const std::string displayName = request.displayName.toStdString();
    if (request.path.startsWith(QLatin1String(":/"))) {
        // A Qt resource has no file-system path core could open: read its bytes, parse the text.
        QFile file(request.path);
        if (!file.open(QIODevice::ReadOnly))
            throw InputError(displayName, 0, "",
                             "the bundled resource cannot be opened: " + file.errorString().toStdString());
        const QByteArray bytes = file.readAll();
        return readTrafficBytes(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                                displayName, request.read, progress);
    }
    // Any input format (CSV, VPC Flow Logs, load-balancer logs, gzip): detected by core.
    return readTrafficFile(request.path.toStdString(), request.read, progress);
}

// The input's identity for provenance: a file is streamed through SHA-256; a Qt resource (the
// bundled sample) is small and hashed from memory.
InputFingerprint fingerprintSource(const LoadRequest& request, const Progress& progress)
{
    if (request.path.startsWith(QLatin1String(":/"))) {
        QFile file(request.path);
        if (!file.open(QIODevice::ReadOnly))
            throw InputError(request.displayName.toStdString(), 0, "",
                             "the bundled resource cannot be opened: " + file.errorString().toStdString());
        const QByteArray bytes = file.readAll();
        return fingerprintBytes(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                                request.displayName.toStdString());
    }
    return fingerprintFile(request.path.toStdString(), progress);
}

// Runs body, turning every exception into the worker's failed or cancelled signal.
template <typename Body>
void guarded(AnalysisWorker* worker, JobId job, const char* what, Body body)
{
    try {
        body();
    } catch (const CancelledError&) {
        logger::get("ui")->info("job {} ({}) cancelled", job, what);
        Q_EMIT worker->cancelled(job);
    } catch (const InputError& error) {
        Q_EMIT worker->failed(job, QString::fromStdString(error.what()));
    } catch (const ParameterError& error) {
        Q_EMIT worker->failed(job, QStringLiteral("Invalid settings: %1").arg(QString::fromStdString(error.what())));
    } catch (const OutputError& error) {
        Q_EMIT worker->failed(job, QString::fromStdString(error.what()));
    } catch (const std::bad_alloc&) {
        Q_EMIT worker->failed(job, QStringLiteral("Not enough memory while %1.").arg(QLatin1String(what)));
    } catch (const std::exception& error) {
        logger::get("ui")->error("job {} ({}) failed unexpectedly: {}", job, what, error.what());
        Q_EMIT worker->failed(job,
                              QStringLiteral("Unexpected error while %1: %2")
                                  .arg(QLatin1String(what), QString::fromStdString(error.what())));
    } catch (...) {
        logger::get("ui")->error("job {} ({}) failed with an unknown exception", job, what);
        Q_EMIT worker->failed(job, QStringLiteral("Unexpected error while %1.").arg(QLatin1String(what)));
    }
}

} // namespace

AnalysisSnapshot snapshotOf(Analysis analysis)
{
    AnalysisSnapshot snapshot;
    snapshot.data = std::move(analysis.data);
    snapshot.aggregates = std::move(analysis.aggregates);
    snapshot.drift = std::move(analysis.drift);
    snapshot.thresholdFromModel = analysis.thresholdFromModel;
    if (analysis.hasDetection()) {
        snapshot.detection = std::move(analysis.detection);
        snapshot.verdicts = std::make_shared<const Verdicts>(std::move(analysis.verdicts));
        snapshot.findings = std::make_shared<const Findings>(std::move(analysis.findings));
        snapshot.verdictAggregates = std::move(analysis.verdictAggregates);
    }
    snapshot.suppression = std::move(analysis.suppression);
    if (analysis.threatMatches) {
        snapshot.threatMatches = std::move(analysis.threatMatches);
        snapshot.threatFindings = std::make_shared<const ThreatFindings>(std::move(analysis.threatFindings));
    }
    return snapshot;
}

AnalysisSnapshot assessSnapshot(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                                const Contamination& contamination, std::shared_ptr<const TrafficAggregates> aggregates,
                                std::shared_ptr<const Suppression> suppression)
{
    if (!data || !detection) {
        AnalysisSnapshot snapshot;
        snapshot.data = std::move(data);
        snapshot.detection = std::move(detection);
        snapshot.aggregates = std::move(aggregates);
        return snapshot;
    }
    return snapshotOf(assess(std::move(data), std::move(detection), contamination, 10, std::move(aggregates),
                             std::move(suppression)));
}

std::shared_ptr<const Suppression> suppressionFor(const PreparedData& data, const AllowList& allow,
                                                  std::shared_ptr<const Suppression> known,
                                                  const std::vector<SuppressionRule>* knownRules)
{
    if (!allow.hasRules())
        return nullptr;
    if (known && knownRules == allow.rules.get() && known->rows.size() == data.table.rowCount())
        return known;
    return std::make_shared<const Suppression>(matchRules(data.table, *allow.rules));
}

void applyAllowList(AnalysisSnapshot& snapshot, const AllowList& allow)
{
    snapshot.allowRules = allow.hasRules() ? allow.rules : nullptr;
    snapshot.showSuppressed = allow.showSuppressed;
    snapshot.suppression = snapshot.data ? suppressionFor(*snapshot.data, allow) : nullptr;
    if (!snapshot.suppression || allow.showSuppressed || !snapshot.hasDetection())
        return;
    // At the snapshot's own threshold (the contamination's, or a saved model's): only the allow-list
    // changes what is labelled.
    Analysis analysis = assessAt(snapshot.data, snapshot.detection, snapshot.verdicts->threshold,
                                 snapshot.verdicts->contamination, 10, snapshot.aggregates, snapshot.suppression);
    snapshot.verdicts = std::make_shared<const Verdicts>(std::move(analysis.verdicts));
    snapshot.findings = std::make_shared<const Findings>(std::move(analysis.findings));
    snapshot.verdictAggregates = std::move(analysis.verdictAggregates);
}

namespace {

void addScatterPoints(AnalysisSnapshot& snapshot, std::shared_ptr<const ScatterLayout> layout)
{
    snapshot.scatterPoints = std::make_shared<const ScatterVerdictPoints>(
        computeScatterPoints(*layout, *snapshot.data, snapshot.hasDetection() ? snapshot.detection.get() : nullptr,
                             snapshot.hasDetection() ? snapshot.verdicts.get() : nullptr));
    snapshot.scatterLayout = std::move(layout);
}

} // namespace

void addChartBins(AnalysisSnapshot& snapshot)
{
    if (!snapshot.data || snapshot.data->table.rowCount() == 0)
        return;
    const Detection* detection = snapshot.hasDetection() ? snapshot.detection.get() : nullptr;
    auto bins = std::make_shared<const OverviewBins>(computeOverviewBins(*snapshot.data, detection));
    snapshot.overviewSplit = std::make_shared<const OverviewSplit>(
        computeOverviewSplit(*bins, snapshot.hasDetection() ? snapshot.verdicts.get() : nullptr));
    snapshot.overviewBins = std::move(bins);
    auto layout = std::make_shared<const ScatterLayout>(computeScatterLayout(*snapshot.data));
    addScatterPoints(snapshot, layout);
    if (snapshot.hasDetection())
        snapshot.scoreSummary = std::make_shared<const ColumnSummary>(summarizeScores(snapshot.detection->scores));
}

AnalysisSnapshot assessSnapshot(const AnalysisSnapshot& shown, const Contamination& contamination,
                                const AllowList& allow)
{
    const std::shared_ptr<const Suppression> suppression
        = shown.data ? suppressionFor(*shown.data, allow, shown.suppression, shown.allowRules.get()) : nullptr;
    AnalysisSnapshot snapshot = assessSnapshot(shown.data, shown.detection, contamination, shown.aggregates,
                                               allow.showSuppressed ? nullptr : suppression);
    if (shown.thresholdFromModel && shown.hasDetection() && shown.verdicts->contamination == contamination
        && shown.data && shown.detection) {
        // A saved model's threshold stays (an allow-list change, not a slider move).
        Analysis analysis = assessAt(shown.data, shown.detection, shown.verdicts->threshold, contamination, 10,
                                     shown.aggregates, allow.showSuppressed ? nullptr : suppression);
        snapshot = snapshotOf(std::move(analysis));
        snapshot.thresholdFromModel = true;
    }
    snapshot.behaviour = shown.behaviour;
    snapshot.suppression = suppression;
    snapshot.allowRules = allow.hasRules() ? allow.rules : nullptr;
    snapshot.showSuppressed = allow.showSuppressed;
    const OverviewBins* bins = shown.overviewBins.get();
    const Detection* detection = snapshot.hasDetection() ? snapshot.detection.get() : nullptr;
    if (bins && bins->data == snapshot.data.get() && bins->detection == detection) {
        snapshot.overviewBins = shown.overviewBins;

        snapshot.overviewSplit = std::make_shared<const OverviewSplit>(
            computeOverviewSplit(*bins, snapshot.hasDetection() ? snapshot.verdicts.get() : nullptr));
    }
    if (shown.scatterLayout && shown.scatterLayout->data == snapshot.data.get())
        addScatterPoints(snapshot, shown.scatterLayout);
    if (shown.detection == snapshot.detection) {
        snapshot.scoreSummary = shown.scoreSummary;
        snapshot.drift = shown.drift;
    }
    return snapshot;
}

AnalysisWorker::AnalysisWorker(QObject* parent)
    : QObject(parent)
{
}

std::shared_ptr<const IpEnricher> AnalysisWorker::locationDatabase(const std::string& path)
{
    const std::string resolved = path.empty() ? IpEnricher::defaultPath() : path;
    if (m_enricher && m_enricherPath == resolved)
        return m_enricher;
    std::string problem;
    m_enricher = IpEnricher::tryOpen(resolved, problem);
    m_enricherPath = resolved;
    if (!m_enricher && m_enricherProblemPath != resolved) {
        m_enricherProblemPath = resolved;
        logger::get("ui")->warn("{}", problem);
    }
    return m_enricher;
}

void AnalysisWorker::load(const LoadRequest& request)
{
    if (request.stream) {
        guarded(this, request.job, "streaming the file", [&] {
            QElapsedTimer timer;
            timer.start();
            ProgressRelay relay(this, request.job, kStreamStages);
            LoadResult result = streamLoad(request, relay.progress(request.cancel));
            result.seconds = static_cast<double>(timer.elapsed()) / 1000.0;
            Q_EMIT loaded(request.job, result);
        });
        return;
    }
    guarded(this, request.job, "loading the data", [&] {
        QElapsedTimer timer;
        timer.start();
        ProgressRelay relay(this, request.job, kLoadStages);
        const Progress progress = relay.progress(request.cancel);
        progress.check();
        // The input's SHA-256 (for the provenance of exports) is computed alongside the read, on a
        // thread of its own: the read leaves cores idle while it waits for the disk and between
        // stages, so the fingerprint costs little of the load's time. It stops with the load.
        std::atomic<bool> stopFingerprint{false};
        std::future<InputFingerprint> fingerprint = std::async(
            std::launch::async, [&] { return fingerprintSource(request, Progress({}, &stopFingerprint)); });
        struct StopFingerprint {
            std::atomic<bool>& stop;
            std::future<InputFingerprint>& future;
            ~StopFingerprint()
            {
                if (future.valid()) {
                    stop.store(true);
                    future.wait();
                }
            }
        } stopOnExit{stopFingerprint, fingerprint};
        AnalysisParams params;
        params.read = request.read;
        params.clean = request.clean;
        if (request.enrich && !params.clean.enricher)
            params.clean.enricher = locationDatabase(request.locationDatabase);
        params.detector = request.detector;
        params.contamination = request.contamination;
        params.model = request.model;
        params.summarize = true;
        params.aggregate = true;
        params.keepDataWithoutDetection = true;
        Analysis analysis = analyzeTable(readSource(request, progress), params, progress);

        LoadResult result;
        result.path = request.path;
        result.displayName = request.displayName;
        result.summary = analysis.summary;
        result.fingerprint = std::make_shared<const InputFingerprint>(fingerprint.get());
        result.detectionProblem = QString::fromStdString(analysis.detectionProblem);
        result.snapshot = snapshotOf(std::move(analysis));
        progress.check();
        // Per loaded data, not per detector run or threshold: a pair's timing does not change with them.
        result.snapshot.behaviour = std::make_shared<const BehaviourResult>(
            analyzeBehaviour(result.snapshot.data->table, BehaviourParams{}, progress));
        applyAllowList(result.snapshot, request.allow);
        addChartBins(result.snapshot);
        result.seconds = static_cast<double>(timer.elapsed()) / 1000.0;
        logger::get("ui")->info("loaded {}: {} rows in {:.3f} s", request.displayName.toStdString(),
                                result.snapshot.data->table.rowCount(), result.seconds);
        Q_EMIT loaded(request.job, result);
    });
}

void AnalysisWorker::detect(const DetectRequest& request)
{
    guarded(this, request.job, "running the detector", [&] {
        ProgressRelay relay(this, request.job, kDetectStages);
        const Progress progress = relay.progress(request.cancel);
        progress.check();
        AnalysisSnapshot snapshot;
        if (request.model || !request.modelPath.isEmpty()) {
            auto model = request.model ? request.model : loadModel(request.modelPath.toStdString());
            progress.check();
            snapshot = snapshotOf(applyModel(request.data, std::move(model), 10, request.aggregates,
                                             request.detector.forest.threads, progress));
        } else {
            auto detection = webthreat::detect(*request.data, request.detector, progress);
            progress.check();
            snapshot = assessSnapshot(request.data, std::move(detection), request.contamination, request.aggregates);
        }
        progress.check();
        snapshot.behaviour = request.behaviour;
        applyAllowList(snapshot, request.allow);
        addChartBins(snapshot);
        Q_EMIT detected(request.job, snapshot);
    });
}

void AnalysisWorker::assess(const AssessRequest& request)
{
    guarded(this, request.job, "re-labelling the rows", [&] {
        AnalysisSnapshot shown;
        shown.data = request.data;
        shown.detection = request.detection;
        shown.aggregates = request.aggregates;
        shown.behaviour = request.behaviour;
        shown.overviewBins = request.overviewBins;
        shown.scatterLayout = request.scatterLayout;
        shown.scoreSummary = request.scoreSummary;
        shown.drift = request.drift;
        shown.suppression = request.suppression;
        shown.allowRules = request.suppressionRules;
        shown.thresholdFromModel = request.keepThreshold;
        if (request.keepThreshold && request.detection) {
            Verdicts verdicts; // only its threshold and contamination are read
            verdicts.threshold = request.threshold;
            verdicts.contamination = request.contamination;
            shown.verdicts = std::make_shared<const Verdicts>(std::move(verdicts));
        }
        Q_EMIT assessed(request.job, assessSnapshot(shown, request.contamination, request.allow));
    });
}

void AnalysisWorker::matchThreatLists(const ThreatListRequest& request)
{
    guarded(this, request.job, "reading the threat lists", [&] {
        ThreatListResult result;
        result.data = request.data;
        result.lists = request.lists;
        for (const ThreatListSpec& spec : request.toRead) {
            if (request.cancel && *request.cancel)
                throw CancelledError();
            result.lists.push_back(std::make_shared<const ThreatList>(readThreatList(spec.path, spec.options)));
        }
        if (request.data && !result.lists.empty()) {
            const bool same = request.known && request.known->index && request.known->index->lists() == result.lists
                && request.known->src.size() == request.data->table.rowCount();
            result.matches = same ? request.known
                                  : std::make_shared<const ThreatMatches>(webthreat::matchThreatLists(
                                        request.data->table, std::make_shared<const ThreatIndex>(result.lists),
                                        request.cancel.get()));
            result.findings = std::make_shared<const ThreatFindings>(
                countThreatFindings(request.data->table, *result.matches, request.verdicts.get()));
        } else if (!result.lists.empty()) {
            ThreatIndex check(result.lists); // duplicate names and the count are refused now, not at the next load
        }
        Q_EMIT threatListsMatched(request.job, result);
    });
}

void AnalysisWorker::saveModel(const SaveModelRequest& request)
{
    guarded(this, request.job, "saving the model", [&] {
        const AnalysisSnapshot& snapshot = request.snapshot;
        if (!snapshot.hasDetection())
            throw OutputError("there is no detector to save yet: load data and run the detector first");
        Analysis analysis;
        analysis.data = snapshot.data;
        analysis.detection = snapshot.detection;
        analysis.verdicts = *snapshot.verdicts;
        const InputFingerprint input = request.fingerprint ? *request.fingerprint : InputFingerprint{};
        const DetectorModel model = makeModel(analysis, input, "webthreat-workbench");
        if (request.cancel && *request.cancel)
            throw CancelledError();
        webthreat::saveModel(model, request.path.toStdString());
        Q_EMIT modelSaved(request.job, request.path);
    });
}

void AnalysisWorker::exportScoredCsv(const ExportRequest& request)
{
    guarded(this, request.job, "writing the scored CSV", [&] {
        ProgressRelay relay(this, request.job, kExportStages);
        const Progress progress = relay.progress(request.cancel);
        const AnalysisSnapshot& snapshot = request.snapshot;
        if (!snapshot.hasDetection() || !snapshot.findings)
            throw OutputError("there are no scores to export yet: load data and run the detector first");
        Analysis analysis;
        analysis.data = snapshot.data;
        analysis.detection = snapshot.detection;
        analysis.verdicts = *snapshot.verdicts;
        analysis.findings = *snapshot.findings;
        // The suppressed column says which rows the allow-list moved to Normal (none when shown).
        if (!snapshot.showSuppressed)
            analysis.suppression = snapshot.suppression;
        analysis.threatMatches = snapshot.threatMatches; // the threat_lists column
        writeScoredCsv(analysis, request.path.toStdString(), progress);
        if (request.provenance)
            writeProvenanceSidecar(*request.provenance, request.path.toStdString());
        Q_EMIT exported(request.job, request.path, static_cast<qulonglong>(snapshot.data->table.rowCount()));
    });
}

void AnalysisWorker::exportReport(const ReportRequest& request)
{
    guarded(this, request.job, "writing the report", [&] {
        ProgressRelay relay(this, request.job, kReportStages);
        const Progress progress = relay.progress(request.cancel);
        progress.check();
        writeReport(request.input, request.path, progress);
        const AnalysisSnapshot& snapshot = request.input.snapshot;
        const std::size_t listed
            = snapshot.findings ? std::min(request.input.maxRows, snapshot.findings->suspiciousRows.size()) : 0;
        Q_EMIT exported(request.job, request.path, static_cast<qulonglong>(listed));
    });
}

} // namespace webthreat

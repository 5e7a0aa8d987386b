#include "core/pipeline.h"

#include "core/context/ipenricher.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/io/trafficfile.h"

#include <chrono>

namespace webthreat {

namespace {
double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
} // namespace

DetectorParams DetectorParams::notebook()
{
    DetectorParams params;
    params.features = notebookFeatures();
    params.scaling = InputScaling::None;
    return params;
}

void DetectorParams::validate() const
{
    forest.validate();
    if (features.empty())
        throw ParameterError("select at least one feature for the detector");
    for (std::size_t i = 0; i < features.size(); ++i) {
        for (std::size_t j = i + 1; j < features.size(); ++j) {
            if (features[i] == features[j])
                throw ParameterError("the feature '" + std::string(featureInfo(features[i]).name)
                                     + "' is selected twice");
        }
    }
}

void AnalysisParams::validate() const
{
    read.validate();
    clean.validate();
    detector.validate();
    contamination.validate();
    if (threatLists.size() > kMaxThreatLists)
        throw ParameterError("at most " + std::to_string(kMaxThreatLists) + " threat lists can be loaded at once");
    for (std::size_t i = 0; i < threatLists.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (threatLists[i]->name == threatLists[j]->name)
                throw ParameterError("two threat lists are named '" + threatLists[i]->name
                                     + "'; give one another name (NAME=FILE)");
}

namespace {
// A file with no country at all (VPC Flow Logs, load-balancer logs, Zeek, a CSV without the column):
// the database's country of each source fills src_ip_country_code, so that the country findings,
// aggregates and charts have something to show; the cleaning report says so.
void fillCountriesFromDatabase(PreparedData& data)
{
    Column& countries = data.table.column(Field::SrcIpCountryCode);
    if (countries.released || data.table.rowCount() == 0)
        return;
    for (const std::uint32_t id : countries.text) {
        if (id != StringPool::kMissing)
            return;
    }
    const Enrichment& enrichment = *data.features.enrichment;
    std::size_t filled = 0;
    for (std::size_t row = 0; row < data.table.rowCount(); ++row) {
        const std::string_view code = enrichment.source(data.table, row).countryCode();
        if (!code.empty()) {
            countries.text[row] = data.table.strings->intern(code);
            ++filled;
        }
    }
    if (filled > 0)
        data.cleanReport.steps.push_back(
            {"country_from_location_database",
             "filled src_ip_country_code, which the file lacks, from the location database for "
                 + std::to_string(filled) + " rows",
             filled});
}
} // namespace

std::shared_ptr<const PreparedData> prepareTable(ReadResult read, const CleanParams& clean, const Progress& progress)
{
    const auto started = std::chrono::steady_clock::now();
    auto data = std::make_shared<PreparedData>();
    data->file = read.report.file;
    data->readSeconds = read.report.seconds;
    data->readReport = std::move(read.report);
    CleanResult cleaned = cleanTraffic(std::move(read.table), clean, progress);
    data->cleanReport = std::move(cleaned.report);
    data->table = std::move(cleaned.table);
    data->features = computeFeatures(data->table, progress);
    if (clean.enricher) {
        data->features.enrichment = clean.enricher->enrich(data->table, clean.threads, progress);
        fillCountriesFromDatabase(*data);
    }
    data->cleanSeconds = secondsSince(started);
    return data;
}

std::shared_ptr<const PreparedData> prepareData(const std::string& path, const ReadOptions& read,
                                                const CleanParams& clean, const Progress& progress)
{
    return prepareTable(readTrafficFile(path, read, progress), clean, progress);
}

namespace {
// Why the detector cannot run on data with fewer than minimum rows, as an InputError.
void requireRows(const PreparedData& data, std::size_t minimum)
{
    if (data.table.rowCount() < minimum) {
        std::string why;
        if (data.readReport.rows == 0) {
            why = "the file has no data rows, only a header";
        } else {
            why = "after cleaning there "
                + std::string(data.table.rowCount() == 1 ? "is 1" : "are " + std::to_string(data.table.rowCount()))
                + " (" + std::to_string(data.readReport.rows) + " read";
            for (const CleanStep& step : data.cleanReport.steps) {
                if (step.rowsAffected > 0 && (step.name == "drop_duplicates" || step.name == "drop_missing_addresses"))
                    why += "; " + step.description;
            }
            why += ")";
        }
        throw InputError(data.file, 0, "",
                         (minimum == 1 ? "the model needs at least one row: " : "the detector needs at least two rows: ")
                             + why);
    }
}
} // namespace

FeatureSet detectorFeatures(const PreparedData& data, const Detection& detection)
{
    FeatureSet features = data.features;
    if (!features.behaviour)
        features.behaviour = detection.behaviour;
    return features;
}

std::shared_ptr<const Detection> detect(const PreparedData& data, const DetectorParams& params,
                                        const Progress& progress)
{
    params.validate();
    requireRows(data, 2);
    auto detection = std::make_shared<Detection>();
    detection->params = params;
    const FeatureSet features = withBehaviour(data.table, data.features, params.features, progress);
    detection->behaviour = features.behaviour;
    // The forest reads its input rows from the table as it needs them: the samples when fitting,
    // a block of rows per thread when scoring. No matrix of every row is made.
    auto encodings = std::make_shared<const FeatureEncodings>(
        learnEncodings(data.table, features, params.features, params.scaling));
    const TableFeatureRows rows(data.table, features, *encodings);
    auto started = std::chrono::steady_clock::now();
    auto forest = std::make_shared<IsolationForest>();
    forest->fit(rows, params.forest, progress);
    detection->fitSeconds = secondsSince(started);
    detection->effectiveMaxSamples = forest->maxSamples();
    started = std::chrono::steady_clock::now();
    std::vector<double> scores = forest->scoreSamples(rows, params.forest.threads, progress);
    detection->scores = ScoreIndex(std::move(scores));
    detection->forest = std::move(forest);
    detection->encodings = std::move(encodings);
    detection->scoreSeconds = secondsSince(started);
    logger::core()->info("detect: {} trees, {} samples, seed {}, {} features, scaling {}: fit {:.3f} s, score {:.3f} s",
                         params.forest.trees, detection->effectiveMaxSamples, params.forest.seed,
                         params.features.size(), inputScalingName(params.scaling), detection->fitSeconds,
                         detection->scoreSeconds);
    return detection;
}

std::shared_ptr<const Detection> scoreWithModel(const PreparedData& data, std::shared_ptr<const DetectorModel> model,
                                                int threads, const Progress& progress)
{
    requireRows(data, 1);
    auto detection = std::make_shared<Detection>();
    detection->params.features = model->features();
    detection->params.scaling = model->scaling;
    detection->params.forest.trees = model->trees;
    detection->params.forest.maxSamples = model->maxSamplesRequested;
    detection->params.forest.seed = model->seed;
    detection->params.forest.threads = threads;
    detection->effectiveMaxSamples = model->forest->maxSamples();
    detection->encodings = std::make_shared<const FeatureEncodings>(model->encodings);
    const FeatureSet features = withBehaviour(data.table, data.features, detection->params.features, progress);
    detection->behaviour = features.behaviour;
    const TableFeatureRows rows(data.table, features, *detection->encodings);
    const auto started = std::chrono::steady_clock::now();
    detection->scores = ScoreIndex(model->forest->scoreSamples(rows, threads, progress));
    detection->scoreSeconds = secondsSince(started);
    detection->forest = model->forest;
    detection->model = std::move(model);
    logger::core()->info("score with a model trained on {}: {} rows in {:.3f} s", detection->model->origin.file,
                         data.table.rowCount(), detection->scoreSeconds);
    return detection;
}

Analysis assess(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                const Contamination& contamination, std::size_t topN,
                std::shared_ptr<const TrafficAggregates> aggregates, std::shared_ptr<const Suppression> suppression)
{
    const double threshold = detection->scores.thresholdFor(contamination);
    return assessAt(std::move(data), std::move(detection), threshold, contamination, topN, std::move(aggregates),
                    std::move(suppression));
}

Analysis assessAt(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                  double threshold, const Contamination& origin, std::size_t topN,
                  std::shared_ptr<const TrafficAggregates> aggregates, std::shared_ptr<const Suppression> suppression)
{
    Analysis analysis;
    analysis.verdicts = applyThreshold(detection->scores, threshold, origin);
    if (suppression)
        applySuppression(analysis.verdicts, *suppression);
    analysis.findings = computeFindings(data->table, detection->scores, analysis.verdicts, topN);
    analysis.findings.suppressed = analysis.verdicts.suppressedCount;
    analysis.suppression = std::move(suppression);
    if (aggregates)
        analysis.verdictAggregates
            = assessAggregates(*aggregates, data->table, analysis.verdicts, detection->scores.scores());
    analysis.aggregates = std::move(aggregates);
    analysis.data = std::move(data);
    analysis.detection = std::move(detection);
    return analysis;
}

Analysis applyModel(std::shared_ptr<const PreparedData> data, std::shared_ptr<const DetectorModel> model,
                    std::size_t topN, std::shared_ptr<const TrafficAggregates> aggregates, int threads,
                    const Progress& progress)
{
    auto detection = scoreWithModel(*data, model, threads, progress);
    progress.check();
    Analysis analysis
        = assessAt(data, std::move(detection), model->threshold, model->contamination, topN, std::move(aggregates));
    analysis.thresholdFromModel = true;
    analysis.drift = std::make_shared<const DriftReport>(
        measureDrift(*model, data->table, detectorFeatures(*data, *analysis.detection)));
    return analysis;
}

void attachThreatMatches(Analysis& analysis, std::shared_ptr<const ThreatMatches> matches)
{
    analysis.threatMatches = std::move(matches);
    analysis.threatFindings = analysis.threatMatches && analysis.data
        ? countThreatFindings(analysis.data->table, *analysis.threatMatches,
                              analysis.hasDetection() ? &analysis.verdicts : nullptr)
        : ThreatFindings{};
}

Analysis analyzeFile(const std::string& path, const AnalysisParams& params, const Progress& progress)
{
    params.validate();
    return analyzeTable(readTrafficFile(path, params.read, progress), params, progress);
}

Analysis analyzeTable(ReadResult read, const AnalysisParams& params, const Progress& progress)
{
    params.validate();
    std::shared_ptr<const PreparedData> data = prepareTable(std::move(read), params.clean, progress);
    std::shared_ptr<const DatasetSummary> summary;
    if (params.summarize)
        summary = std::make_shared<const DatasetSummary>(
            summarizeDataset(data->table, data->features, data->readReport, progress));
    std::shared_ptr<const TrafficAggregates> aggregates;
    if (params.aggregate)
        aggregates = aggregateTraffic(data->table, progress);

    std::shared_ptr<const Suppression> suppression;
    if (!params.allowRules.empty()) {
        const auto started = std::chrono::steady_clock::now();
        suppression = std::make_shared<const Suppression>(matchRules(data->table, params.allowRules, progress.cancelFlag()));
        logger::core()->info("allow-list: {} rules match {} of {} rows in {:.3f} s", suppression->activeRules,
                             suppression->matchedRows, data->table.rowCount(), secondsSince(started));
    }

    std::shared_ptr<const ThreatMatches> threatMatches;
    if (!params.threatLists.empty()) {
        auto index = std::make_shared<const ThreatIndex>(params.threatLists);
        threatMatches = std::make_shared<const ThreatMatches>(
            matchThreatLists(data->table, std::move(index), progress.cancelFlag()));
        logger::core()->info("threat lists: {} lists match {} of {} rows ({} distinct addresses) in {:.3f} s",
                             params.threatLists.size(), threatMatches->matchedRows, data->table.rowCount(),
                             threatMatches->distinctAddresses, threatMatches->seconds);
    }

    std::shared_ptr<const Detection> detection;
    std::string problem;
    try {
        detection = params.model ? scoreWithModel(*data, params.model, params.detector.forest.threads, progress)
                                 : detect(*data, params.detector, progress);
    } catch (const InputError& error) {
        // The data itself is fine (a file with one row, say): keep it, say why there are no scores.
        if (!params.keepDataWithoutDetection)
            throw;
        problem = error.problem();
    }
    progress.check();
    Analysis analysis;
    if (detection) {
        if (params.model && params.modelThreshold) {
            analysis = assessAt(data, std::move(detection), params.model->threshold, params.model->contamination,
                                params.topN, aggregates, suppression);
            analysis.thresholdFromModel = true;
        } else
            analysis = assess(data, std::move(detection), params.contamination, params.topN, aggregates, suppression);
        logger::core()->info("analyze {}: {} rows, {} suspicious at contamination {} (threshold {:.6f})", data->file,
                             analysis.findings.rows, analysis.findings.suspicious, params.contamination.toString(),
                             analysis.verdicts.threshold);
    } else {
        analysis.data = std::move(data);
        analysis.aggregates = std::move(aggregates);
        analysis.detectionProblem = std::move(problem);
        analysis.suppression = std::move(suppression);
    }
    analysis.summary = std::move(summary);
    if (threatMatches)
        attachThreatMatches(analysis, std::move(threatMatches));
    if (params.model && analysis.data)
        analysis.drift = std::make_shared<const DriftReport>(
            measureDrift(*params.model, analysis.data->table, analysis.data->features));
    return analysis;
}

} // namespace webthreat

// core/pipeline: the one pipeline the CLI, the worker, the benchmarks and the fuzz target run.
#include "core/io/csvreader.h"
#include "core/pipeline.h"
#include "generator/generator.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

using namespace webthreat;

namespace {
std::string generated(std::size_t rows)
{
    GeneratorParams params;
    params.rows = rows;
    params.seed = 5;
    std::ostringstream text;
    generateTraffic(text, params);
    return text.str();
}

AnalysisParams smallForest()
{
    AnalysisParams params;
    params.detector.forest.trees = 20;
    params.detector.forest.threads = 1;
    params.read.threads = 1;
    params.contamination = Contamination::fromValue(0.05);
    return params;
}

// ROC AUC of one kind's rows against the normal rows (lower score = more anomalous; ties half),
// and the share of the kind's rows flagged at contamination 0.05.
struct KindDetection {
    double auc = 0.0;
    double recall = 0.0;
};
KindDetection detectionOfKind(const PreparedData& data, const Detection& detection, std::string_view kind)
{
    const TrafficTable& table = data.table;
    const Column& kinds = table.columns[*table.findColumn("attack_kind")];
    const std::vector<double>& scores = detection.scores.scores();
    std::vector<double> positives, negatives;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        // An empty kind: every anomaly.
        const std::string_view rowKind = table.strings->view(kinds.text[row]);
        if (rowKind.empty())
            negatives.push_back(scores[row]);
        else if (kind.empty() || rowKind == kind)
            positives.push_back(scores[row]);
    }
    std::sort(negatives.begin(), negatives.end());
    const Verdicts verdicts = applyThreshold(detection.scores, Contamination::fromValue(0.05));
    KindDetection result;
    std::size_t flagged = 0;
    for (double score : positives) {
        const auto lower = std::lower_bound(negatives.begin(), negatives.end(), score);
        const auto upper = std::upper_bound(negatives.begin(), negatives.end(), score);
        result.auc += static_cast<double>(negatives.end() - upper) + 0.5 * static_cast<double>(upper - lower);
        flagged += score < verdicts.threshold;
    }
    result.auc /= static_cast<double>(positives.size()) * static_cast<double>(negatives.size());
    result.recall = static_cast<double>(flagged) / static_cast<double>(positives.size());
    return result;
}
} // namespace

class TestPipeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Logs and gzip go through the same steps as the CSV.
    void opensLogs()
    {
        const auto data = prepareData(std::string(WEBTHREAT_TEST_DATA_DIR "/formats/vpcflow_v2_noheader.gz"));
        QCOMPARE(data->readReport.rows, std::size_t(4));
        QCOMPARE(data->table.rowCount(), std::size_t(4));
        QCOMPARE(data->features.sessionDuration.size(), std::size_t(4));
        QCOMPARE(data->features.sessionDuration[0], 112.0); // 1477913820 - 1477913708
        const auto elb = prepareData(std::string(WEBTHREAT_TEST_DATA_DIR "/formats/alb_nlb_elb_mixed_test.log"));
        QCOMPARE(elb->table.rowCount(), std::size_t(5)); // rows without a destination are dropped
    }

    void analyzeFileIsTheStepsInOrder()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("traffic.csv")).toStdString();
        std::ofstream(path) << generated(3000);
        AnalysisParams params = smallForest();
        params.topN = 3;
        const Analysis analysis = analyzeFile(path, params);

        const auto data = prepareData(path, params.read, params.clean);
        const auto detection = detect(*data, params.detector);
        const Analysis steps = assess(data, detection, params.contamination, 3);
        QVERIFY(analysis.hasDetection());
        QCOMPARE(analysis.data->table.rowCount(), data->table.rowCount());
        QCOMPARE(analysis.detection->scores.scores(), detection->scores.scores());
        QCOMPARE(analysis.verdicts.suspiciousCount, steps.verdicts.suspiciousCount);
        QCOMPARE(analysis.verdicts.threshold, steps.verdicts.threshold);
        QCOMPARE(analysis.findings.suspiciousRows, steps.findings.suspiciousRows);
        QVERIFY(analysis.findings.sourceIps.size() <= 3);
        QCOMPARE(analysis.verdicts.suspiciousCount, std::size_t(150)); // 5 % of 3000 rows
        QVERIFY(!analysis.summary && !analysis.aggregates && !analysis.verdictAggregates); // not asked for
        QVERIFY(analysis.detectionProblem.empty());
    }

    // Scaling is applied as the forest reads its rows; every row's score is still computed by one
    // thread in one order, so the scores are the same bits at any thread count.
    void scaledScoresAreBitIdenticalForAnyThreadCount()
    {
        const auto data = prepareTable(readTrafficCsvText(generated(20000), "generated.csv"));
        DetectorParams params;
        params.scaling = InputScaling::Auto;
        params.features.clear();
        for (const FeatureInfo& info : availableFeatures()) {
            if (!needsEnrichment(info.feature)) // no location database here
                params.features.push_back(info.feature);
        }
        std::vector<std::vector<double>> runs;
        for (int threads : {1, 2, 3}) {
            params.forest.threads = threads;
            runs.push_back(detect(*data, params)->scores.scores());
        }
        for (const auto& run : runs) {
            QCOMPARE(run.size(), data->table.rowCount());
            QVERIFY(std::memcmp(run.data(), runs.front().data(), run.size() * sizeof(double)) == 0);
        }
        params.scaling = InputScaling::None;
        QVERIFY(detect(*data, params)->scores.scores() != runs.front()); // scaling changed the forest
    }

    // detect() with a scaling is the forest fitted and scored on buildFeatureMatrix's values with
    // that scaling; with none, on the raw values: the scikit-learn agreement tests' setting.
    void scalingIsTheForestOnTheScaledMatrix()
    {
        const auto data = prepareTable(readTrafficCsvText(generated(5000), "generated.csv"));
        for (InputScaling scaling : {InputScaling::None, InputScaling::Auto}) {
            DetectorParams params;
            params.scaling = scaling;
            params.features = {Feature::BytesIn,       Feature::BytesOut,         Feature::SessionDuration,
                               Feature::AvgPacketSize, Feature::DstPortFrequency, Feature::SourceTotalBytes};
            const FeatureMatrix matrix = buildFeatureMatrix(data->table, data->features, params.features, scaling);
            IsolationForest forest;
            forest.fit(matrix, params.forest);
            QCOMPARE(detect(*data, params)->scores.scores(), forest.scoreSamples(matrix));
        }
    }

    // Each kind the generator injects, found by the default detector (the measured six features,
    // scaled) on 100 000 generated rows (seed 9). For flood, zero_length, rare_port and odd_code
    // the threshold is one the notebook's four raw inputs, the default before issue 15, fall short
    // of on the same data. Exfiltration and long sessions were found better before (ROC AUC 0.994
    // and 0.971 against 0.980 and 0.923): their thresholds only hold the new default to finding them.
    void everyGeneratedKindIsFoundAtTheDefault_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("minimumAuc");
        QTest::addColumn<bool>("newlyFound");
        QTest::newRow("flood") << "flood" << 0.95 << true;
        QTest::newRow("zero_length") << "zero_length" << 0.95 << true;
        QTest::newRow("rare_port") << "rare_port" << 0.83 << true;
        QTest::newRow("odd_code") << "odd_code" << 0.83 << true;
        QTest::newRow("exfiltration") << "exfiltration" << 0.95 << false;
        QTest::newRow("long_session") << "long_session" << 0.88 << false;
        QTest::newRow("all kinds") << "" << 0.95 << true;
        QCOMPARE(anomalyKinds.size(), std::size_t(6)); // a new kind needs its row here
    }

    void everyGeneratedKindIsFoundAtTheDefault()
    {
        QFETCH(QString, kind);
        QFETCH(double, minimumAuc);
        QFETCH(bool, newlyFound);
        static std::shared_ptr<const PreparedData> data;
        static std::shared_ptr<const Detection> now, before;
        if (!data) {
            GeneratorParams generator;
            generator.rows = 100000;
            generator.seed = 9;
            generator.label = true;
            // The row kinds only: beacons and bursts are ordinary sessions one at a time, found by
            // core/behaviour over a pair's or a source's rows, not by a forest over single rows
            // (BENCHMARKS.md, "Behaviour"); with them "all kinds" would measure something else.
            generator.behaviourRate = 0;
            std::ostringstream text;
            generateTraffic(text, generator);
            data = prepareTable(readTrafficCsvText(text.str(), "generated.csv"));
            now = detect(*data, DetectorParams());
            before = detect(*data, DetectorParams::notebook());
        }
        const KindDetection found = detectionOfKind(*data, *now, kind.toStdString());
        const KindDetection foundBefore = detectionOfKind(*data, *before, kind.toStdString());
        qInfo("%s: ROC AUC %.3f (notebook's four raw: %.3f); flagged at contamination 5 %%: %.3f (%.3f)",
              kind.isEmpty() ? "all kinds" : qPrintable(kind), found.auc, foundBefore.auc, found.recall,
              foundBefore.recall);
        QVERIFY2(found.auc >= minimumAuc, qPrintable(QString::number(found.auc)));
        if (newlyFound)
            QVERIFY2(foundBefore.auc < minimumAuc, qPrintable(QString::number(foundBefore.auc)));
    }

    void theWorkbenchsExtrasAndItsStages()
    {
        AnalysisParams params = smallForest();
        params.summarize = true;
        params.aggregate = true;
        std::vector<std::string> stages;
        std::mutex mutex;
        const Progress progress(
            [&](std::string_view stage, double) {
                std::lock_guard lock(mutex);
                if (stages.empty() || stages.back() != stage)
                    stages.emplace_back(stage);
            },
            nullptr);
        const Analysis analysis
            = analyzeTable(readTrafficCsvText(generated(2000), "g.csv", params.read), params, progress);
        QVERIFY(analysis.summary);
        QCOMPARE(analysis.summary->rows, analysis.data->table.rowCount());
        QVERIFY(analysis.aggregates);
        QVERIFY(analysis.verdictAggregates);
        std::uint64_t suspicious = 0;
        for (std::uint32_t count : analysis.verdictAggregates->entities.suspicious)
            suspicious += count;
        QCOMPARE(suspicious, std::uint64_t(analysis.verdicts.suspiciousCount));
        // The worker's progress bar maps these stages, in this order.
        const std::vector<std::string> expected{"clean", "features", "summary", "entities", "timeline", "fit", "score"};
        std::vector<std::string> seen;
        for (const std::string& stage : stages) {
            if (std::find(seen.begin(), seen.end(), stage) == seen.end())
                seen.push_back(stage);
        }
        QCOMPARE(seen, expected);
    }

    void dataWithoutEnoughRowsIsKeptWhenAsked()
    {
        const std::string oneRow
            = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n"
              "1,2,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.1.1.1,US,HTTPS,443,10.0.0.1\n";
        AnalysisParams params = smallForest();
        QVERIFY_THROWS_EXCEPTION(InputError, analyzeTable(readTrafficCsvText(oneRow, "one.csv"), params));
        params.keepDataWithoutDetection = true;
        params.aggregate = true;
        const Analysis analysis = analyzeTable(readTrafficCsvText(oneRow, "one.csv"), params);
        QVERIFY(!analysis.hasDetection());
        QCOMPARE(analysis.data->table.rowCount(), std::size_t(1));
        QVERIFY(analysis.aggregates);
        QVERIFY(!analysis.verdictAggregates);
        QCOMPARE(analysis.detectionProblem,
                 std::string("the detector needs at least two rows: after cleaning there is 1 (1 read)"));
    }

    void badParametersAreRefusedBeforeReading()
    {
        AnalysisParams params;
        params.detector.features.clear();
        QVERIFY_THROWS_EXCEPTION(ParameterError, analyzeFile("/nonexistent/never-read.csv", params));
    }

    void cancelStopsThePipeline()
    {
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(
            CancelledError,
            analyzeTable(readTrafficCsvText(generated(500), "g.csv"), smallForest(), Progress({}, &cancel)));
    }

    void assessingAgainIsCheap()
    {
        AnalysisParams params = smallForest();
        params.aggregate = true;
        const Analysis first = analyzeTable(readTrafficCsvText(generated(1000), "g.csv"), params);
        const Analysis moved = assess(first.data, first.detection, Contamination::fromValue(0.1), 10, first.aggregates);
        QCOMPARE(moved.detection.get(), first.detection.get()); // no refit
        QCOMPARE(moved.data.get(), first.data.get());
        QCOMPARE(moved.verdicts.suspiciousCount, std::size_t(100));
        QVERIFY(moved.verdictAggregates);
        QVERIFY(moved.verdictAggregates != first.verdictAggregates);
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"

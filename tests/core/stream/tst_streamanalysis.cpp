// core/stream/streamanalysis: on a file whose cleaned rows all fit in the sample, streaming in many
// small chunks gives the in-memory run's cleaning counts, threshold, verdicts and scored CSV; with a
// smaller sample, the encodings' shares are still exact, the fills agree, and the threshold is the
// exact percentile of the scores it wrote.
#include "core/stream/streamanalysis.h"

#include "core/stream/cleanedspill.h"

#include "core/util/errors.h"

#include "core/io/csvreader.h"
#include "core/output/export.h"
#include "streamtesting.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <fstream>
#include <functional>
#include <unordered_set>

#include <sys/resource.h>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
std::vector<Feature> allFeatures()
{
    std::vector<Feature> features;
    for (const FeatureInfo& info : availableFeatures()) {
        // Behaviour over time and the location database's features are refused (badFeatures).
        if (info.group != FeatureGroup::Behaviour && !needsEnrichment(info.feature))
            features.push_back(info.feature);
    }
    return features;
}

// What the scoring passes hand on, as text: each chunk's first row, then every row's line and score
// (%.17g) and, with cells, its cells; two runs that hand on the same give the same text.
std::function<void(const TrafficTable&, const std::vector<double>&, std::uint64_t, const std::vector<std::uint8_t>*)>
scoredChunksInto(std::string& chunks, bool cells)
{
    return [&chunks, cells](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first,
                            const std::vector<std::uint8_t>*) {
        chunks += "chunk at " + std::to_string(first) + "\n";
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            char score[40];
            std::snprintf(score, sizeof score, "%.17g", scores[row]);
            chunks += std::to_string(table.sourceLines[row]) + " " + score;
            for (std::size_t c = 0; cells && c < table.columnCount(); ++c)
                chunks += "," + table.cellText(c, row);
            chunks += "\n";
        }
    };
}
} // namespace

class TestStreamAnalysis : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameAsInMemory_data()
    {
        QTest::addColumn<bool>("everyFeature");
        QTest::addColumn<QString>("contamination");
        QTest::addColumn<bool>("explainAll");
        QTest::newRow("default features") << false << "0.05" << false;
        QTest::newRow("every feature, per-source ones too") << true << "0.02" << false;
        QTest::newRow("auto contamination") << false << "auto" << false;
        QTest::newRow("every row explained") << false << "0.05" << true;
        QTest::newRow("every row explained, every feature") << true << "0.02" << true;
    }
    void sameAsInMemory()
    {
        QFETCH(bool, everyFeature);
        QFETCH(QString, contamination);
        QFETCH(bool, explainAll);
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(6000)));
        StreamParams params;
        params.chunkBytes = 8192;
        params.out = dir.filePath("streamed.csv").toStdString();
        params.analysis.contamination = Contamination::parse(contamination.toStdString());
        params.analysis.topN = 25;
        params.explainAll = explainAll;
        if (everyFeature)
            params.analysis.detector.features = allFeatures();
        const StreamResult streamed = analyzeStream(path, params);
        const Analysis memory = analyzeFile(path, params.analysis);

        QVERIFY(streamed.sampleIsWholeFile);
        QVERIFY(streamed.chunks > 50);
        QCOMPARE(streamed.readReport.rows, memory.data->readReport.rows);
        QCOMPARE(streamed.cleanReport.rowsOut, memory.data->cleanReport.rowsOut);
        QCOMPARE(streamed.cleanReport.steps.size(), memory.data->cleanReport.steps.size());
        for (std::size_t i = 0; i < streamed.cleanReport.steps.size(); ++i) {
            QCOMPARE(streamed.cleanReport.steps[i].name, memory.data->cleanReport.steps[i].name);
            QCOMPARE(streamed.cleanReport.steps[i].rowsAffected, memory.data->cleanReport.steps[i].rowsAffected);
        }
        QVERIFY(streamed.cleanReport.steps[0].rowsAffected > 100); // the duplicates were there to find
        QCOMPARE(streamed.rowsScored, memory.data->table.rowCount());
        QCOMPARE(streamed.threshold, memory.verdicts.threshold);
        QCOMPARE(streamed.suspiciousCount, memory.verdicts.suspiciousCount);
        // The most anomalous rows, in the same order.
        const auto& ranked = memory.detection->scores.rankedRows();
        QCOMPARE(streamed.mostAnomalous.size(), std::size_t(25));
        for (std::size_t i = 0; i < streamed.mostAnomalous.size(); ++i) {
            QCOMPARE(streamed.mostAnomalous[i].row, std::uint64_t(ranked[i]));
            QCOMPARE(streamed.mostAnomalous[i].score, memory.detection->scores.scores()[ranked[i]]);
        }
        // The scored CSV: every cell, the explanations too (every row's with explainAll): the sample
        // holds every row, so the ranks and the average path length are the whole file's.
        const std::string whole = dir.filePath("memory.csv").toStdString();
        writeScoredCsv(memory, whole, {}, explainAll ? ExplainRows::All : ExplainRows::Suspicious);
        const auto a = csvRows(whole);
        auto b = csvRows(params.out);
        QCOMPARE(b.size(), a.size());
        const std::size_t kept = a[0].size();
        const auto explanation = std::find(a[0].begin(), a[0].end(), "explanation") - a[0].begin();
        std::size_t explained = 0;
        for (std::size_t r = 1; r < a.size(); ++r)
            explained += !a[r][static_cast<std::size_t>(explanation)].empty();
        QCOMPARE(explained, explainAll ? a.size() - 1 : memory.verdicts.suspiciousCount);
        QCOMPARE(b[0], a[0]);
        // beacon_score is empty in streaming mode (a pair's score needs all its sessions at once).
        const auto beacon = std::find(a[0].begin(), a[0].end(), "beacon_score") - a[0].begin();
        QVERIFY(beacon < static_cast<std::ptrdiff_t>(kept));
        for (std::size_t r = 1; r < a.size(); ++r) {
            QCOMPARE(b[r][static_cast<std::size_t>(beacon)], std::string());
            b[r][static_cast<std::size_t>(beacon)] = a[r][static_cast<std::size_t>(beacon)];
        }
        for (std::size_t r = 0; r < a.size(); ++r)
            QVERIFY2(std::equal(a[r].begin(), a[r].begin() + static_cast<std::ptrdiff_t>(kept), b[r].begin()),
                     ("row " + std::to_string(r)).c_str());
    }

    // The evaluation against the ground truth in streaming mode: every row's score and truth sorted
    // on disk in several runs (a run limit of 32 KiB: 2,048 rows) and merged, then the same areas,
    // curves and operating points as the in-memory Evaluation over the same scores; with a sample
    // smaller than the file, still those of the scores it gave every row (exact, not approximate).
    void evaluationSameAsInMemory_data()
    {
        QTest::addColumn<std::size_t>("sampleRows");
        QTest::newRow("the sample holds every row") << (std::size_t(1) << 18);
        QTest::newRow("a sample of 1,500 rows") << std::size_t(1500);
    }
    void evaluationSameAsInMemory()
    {
        QFETCH(std::size_t, sampleRows);
        QTemporaryDir dir;
        const std::string path = dir.filePath("labelled.csv").toStdString();
        GeneratorParams generator;
        generator.rows = 7000;
        generator.seed = 11;
        generator.label = true;
        std::ostringstream generated;
        generateTraffic(generated, generator);
        QVERIFY(writeText(path, generated.str()));
        StreamParams params;
        params.chunkBytes = 16384;
        params.sampleRows = sampleRows;
        params.duplicateSetBytes = 32768;
        params.scratchDir = dir.path().toStdString();
        params.evaluate = true;
        params.out = dir.filePath("streamed.csv").toStdString();
        const StreamResult streamed = analyzeStream(path, params);
        QVERIFY2(streamed.evaluation, streamed.evaluationProblem.c_str());
        QVERIFY(streamed.evaluation->method().find("exact") == 0);
        QVERIFY(streamed.evaluation->method().find("4 runs") != std::string::npos);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2); // the scratch files are gone
        // The in-memory evaluation over the scores the streamed run wrote (the forest's own when the
        // sample holds every row: then also the in-memory run's).
        const Analysis memory = analyzeFile(path, params.analysis);
        const TruthLookup truth = findGroundTruth(memory.data->table);
        QVERIFY(truth.truth);
        const auto rows = csvRows(params.out);
        const auto column = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "anomaly_score") - rows[0].begin());
        std::vector<double> written;
        for (std::size_t r = 1; r < rows.size(); ++r)
            written.push_back(std::stod(rows[r][column]));
        if (streamed.sampleIsWholeFile)
            QCOMPARE(written, memory.detection->scores.scores());
        const ScoreIndex scores(streamed.sampleIsWholeFile ? memory.detection->scores.scores() : written);
        const Evaluation expected(scores, *truth.truth);
        const Evaluation& got = *streamed.evaluation;
        QCOMPARE(got.truthColumn(), std::string("is_attack"));
        QCOMPARE(got.positives(), expected.positives());
        QCOMPARE(got.negatives(), expected.negatives());
        QCOMPARE(got.rocAuc(), expected.rocAuc());
        QCOMPARE(got.averagePrecision(), expected.averagePrecision());
        QCOMPARE(got.rocCurve().size(), expected.rocCurve().size());
        for (std::size_t i = 0; i < got.rocCurve().size(); ++i) {
            QCOMPARE(got.rocCurve()[i].x, expected.rocCurve()[i].x);
            QCOMPARE(got.rocCurve()[i].y, expected.rocCurve()[i].y);
        }
        QCOMPARE(got.precisionRecallCurve().size(), expected.precisionRecallCurve().size());
        Verdicts verdicts;
        verdicts.threshold = streamed.threshold;
        verdicts.suspiciousCount = streamed.suspiciousCount;
        QCOMPARE(got.at(verdicts).truePositives, expected.at(verdicts).truePositives);
        QCOMPARE(got.at(verdicts).f1, expected.at(verdicts).f1);
        const auto gotRows = evaluateContaminations(ScoreIndex(), got);
        const auto expectedRows = evaluateContaminations(scores, expected);
        QCOMPARE(gotRows.size(), expectedRows.size());
        for (std::size_t i = 0; i < gotRows.size(); ++i) {
            QCOMPARE(gotRows[i].point.threshold, expectedRows[i].point.threshold);
            QCOMPARE(gotRows[i].point.flagged, expectedRows[i].point.flagged);
            QCOMPARE(gotRows[i].point.truePositives, expectedRows[i].point.truePositives);
            QCOMPARE(gotRows[i].point.precision, expectedRows[i].point.precision);
        }
        // The text the command line prints, but for the line saying how it was computed.
        std::string text = evaluationText(got, ScoreIndex(), verdicts);
        const std::size_t method = text.find("  exact: ");
        QVERIFY(method != std::string::npos);
        text.erase(method, text.find('\n', method) + 1 - method);
        QCOMPARE(text, evaluationText(expected, scores, verdicts));

        // A named column that is not there: the in-memory lookup's sentence.
        params.truthColumn = "verdict";
        QVERIFY_THROWS_EXCEPTION(ParameterError, analyzeStream(path, params));
        try {
            analyzeStream(path, params);
        } catch (const ParameterError& error) {
            QCOMPARE(std::string(error.what()),
                     "--truth verdict: " + readGroundTruth(memory.data->table, "verdict").problem);
        }
    }

    // A duplicate set limited to 32 KiB spills after about 1,400 distinct rows: every row of the file
    // appears three times (copies a file apart, in memory and on disk, and copies both past the
    // spill) and the run still equals the in-memory one: cleaning counts, threshold, verdicts, the
    // scored CSV. With a sample smaller than the file, it equals the run whose set never spilled,
    // byte for byte (pass 1 read again: the samples drew the same rows).
    void spilledDuplicatesSameAsInMemory_data()
    {
        QTest::addColumn<int>("sampleRows");
        QTest::newRow("sample holds the file: as in memory") << 0;
        QTest::newRow("sampled fit: as the unspilled stream") << 1500;
    }
    void spilledDuplicatesSameAsInMemory()
    {
        QFETCH(int, sampleRows);
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const std::string messy = messyTraffic(3000);
        const std::size_t bodyAt = messy.find('\n') + 1;
        const std::string body = messy.substr(bodyAt);
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messy + body + body));
        StreamParams params;
        params.chunkBytes = 8192;
        params.duplicateSetBytes = 32 << 10;
        params.scratchDir = scratch.path().toStdString();
        params.out = dir.filePath("spilled.csv").toStdString();
        params.analysis.topN = 25;
        params.analysis.detector.features = allFeatures();
        if (sampleRows > 0)
            params.sampleRows = static_cast<std::size_t>(sampleRows);
        const StreamResult spilled = analyzeStream(path, params);
        QVERIFY(spilled.duplicatesSpilled);
        QVERIFY(spilled.rowsBeforeSpill > 1000 && spilled.rowsBeforeSpill < 3000);
        QVERIFY(spilled.duplicatePartitions >= 4);
        QVERIFY(spilled.lateDuplicates > 6000);
        QVERIFY(spilled.passOneReread);
        QVERIFY(QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
        const auto note = std::find_if(spilled.notes.begin(), spilled.notes.end(), [](const std::string& text) {
            return text.find("spilled to") != std::string::npos;
        });
        QVERIFY(note != spilled.notes.end());
        QVERIFY2(note->find(std::to_string(spilled.duplicatePartitions) + " partition files") != std::string::npos, note->c_str());

        // The same run with room for every hash.
        StreamParams roomy = params;
        roomy.duplicateSetBytes = 64 << 20;
        roomy.out = dir.filePath("unspilled.csv").toStdString();
        const StreamResult unspilled = analyzeStream(path, roomy);
        QVERIFY(!unspilled.duplicatesSpilled);
        QCOMPARE(spilled.cleanReport.rowsOut, unspilled.cleanReport.rowsOut);
        QCOMPARE(spilled.cleanReport.steps.size(), unspilled.cleanReport.steps.size());
        for (std::size_t i = 0; i < spilled.cleanReport.steps.size(); ++i)
            QCOMPARE(spilled.cleanReport.steps[i].description, unspilled.cleanReport.steps[i].description);
        QCOMPARE(spilled.threshold, unspilled.threshold);
        QCOMPARE(spilled.suspiciousCount, unspilled.suspiciousCount);
        QCOMPARE(spilled.bytesInMedian, unspilled.bytesInMedian);
        QCOMPARE(csvRows(params.out), csvRows(roomy.out));

        if (sampleRows > 0) {
            QVERIFY(!spilled.sampleIsWholeFile);
            return;
        }
        const Analysis memory = analyzeFile(path, params.analysis);
        QVERIFY(spilled.sampleIsWholeFile);
        QCOMPARE(spilled.readReport.rows, memory.data->readReport.rows);
        QCOMPARE(spilled.cleanReport.rowsOut, memory.data->cleanReport.rowsOut);
        QCOMPARE(spilled.cleanReport.steps.size(), memory.data->cleanReport.steps.size());
        for (std::size_t i = 0; i < spilled.cleanReport.steps.size(); ++i) {
            QCOMPARE(spilled.cleanReport.steps[i].name, memory.data->cleanReport.steps[i].name);
            QCOMPARE(spilled.cleanReport.steps[i].rowsAffected, memory.data->cleanReport.steps[i].rowsAffected);
        }
        QVERIFY(spilled.cleanReport.steps[0].rowsAffected > 6000);
        QCOMPARE(spilled.threshold, memory.verdicts.threshold);
        QCOMPARE(spilled.suspiciousCount, memory.verdicts.suspiciousCount);
        const auto& ranked = memory.detection->scores.rankedRows();
        for (std::size_t i = 0; i < spilled.mostAnomalous.size(); ++i) {
            QCOMPARE(spilled.mostAnomalous[i].row, std::uint64_t(ranked[i]));
            QCOMPARE(spilled.mostAnomalous[i].score, memory.detection->scores.scores()[ranked[i]]);
        }
        const std::string whole = dir.filePath("memory.csv").toStdString();
        writeScoredCsv(memory, whole);
        const auto a = csvRows(whole);
        const auto b = csvRows(params.out);
        QCOMPARE(b.size(), a.size());
        const auto beacon = static_cast<std::size_t>(std::find(a[0].begin(), a[0].end(), "beacon_score") - a[0].begin());
        const std::size_t kept = a[0].size() - 3;
        for (std::size_t r = 0; r < a.size(); ++r) {
            for (std::size_t c = 0; c < kept; ++c) {
                if (c != beacon || r == 0)
                    QVERIFY2(a[r][c] == b[r][c], ("row " + std::to_string(r) + " column " + a[0][c]).c_str());
            }
        }
    }

    // A cancel while the spilled partitions are resolved, and a scratch folder that cannot be made:
    // the run stops (the error names the folder) and leaves nothing in the scratch folder.
    void spilledDuplicatesCancelAndFailure()
    {
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const std::string messy = messyTraffic(3000);
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messy + messy.substr(messy.find('\n') + 1)));
        StreamParams params;
        params.chunkBytes = 8192;
        params.duplicateSetBytes = 4096;
        params.scratchDir = scratch.path().toStdString();
        std::atomic<bool> cancel{false};
        bool resolving = false;
        const Progress progress(
            [&](std::string_view stage, double) {
                if (stage == "duplicates")
                    resolving = true, cancel = true;
            },
            &cancel);
        // Too few rows for the finder to report within the partitions (tst_duplicatefinder cancels
        // there): the cancel comes at its last report, and pass 1's second read stops.
        try {
            analyzeStream(path, params, progress);
            QFAIL("the run went on after a cancel");
        } catch (const CancelledError&) {
            QVERIFY(resolving);
        }
        QVERIFY(QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());

        params.scratchDir = dir.filePath("traffic.csv/below").toStdString(); // a file's path as a folder
        try {
            analyzeStream(path, params);
            QFAIL("a scratch folder that cannot be made was accepted");
        } catch (const OutputError& error) {
            QVERIFY2(std::string(error.what()).find(params.scratchDir) != std::string::npos, error.what());
        }
    }

    // Pass 1's cleaned chunks kept in the scratch folder (StreamParams::spillCleanedRows) for the
    // scoring passes, against reading the file again: every chunk the visitor is handed has the same
    // cells, lines and scores, and the result the same counts, threshold and most anomalous rows; a
    // whole-file sample, a sampled fit (its window, perhaps a third pass), late duplicates (pass 1
    // gathers again: the spill starts over) and an evaluation against the truth column.
    void spillSameAsReparse_data()
    {
        QTest::addColumn<int>("sampleRows");
        QTest::addColumn<bool>("lateDuplicates");
        QTest::addColumn<bool>("labelled");
        QTest::newRow("sample holds the file") << 0 << false << false;
        QTest::newRow("sampled fit") << 1500 << false << false;
        QTest::newRow("late duplicates, sampled fit") << 1500 << true << false;
        QTest::newRow("truth column evaluated") << 0 << false << true;
    }
    void spillSameAsReparse()
    {
        QFETCH(int, sampleRows);
        QFETCH(bool, lateDuplicates);
        QFETCH(bool, labelled);
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        std::string text;
        if (labelled) {
            GeneratorParams generator;
            generator.rows = 5000;
            generator.seed = 11;
            generator.label = true;
            std::ostringstream generated;
            generateTraffic(generated, generator);
            text = generated.str();
        } else {
            text = messyTraffic(4000);
            if (lateDuplicates) {
                const std::string body = text.substr(text.find('\n') + 1);
                text += body;
            }
        }
        QVERIFY(writeText(path, text));
        StreamParams params;
        params.chunkBytes = 8192;
        params.scratchDir = scratch.path().toStdString();
        params.analysis.topN = 25;
        params.analysis.detector.features = allFeatures();
        params.evaluate = labelled;
        if (sampleRows > 0)
            params.sampleRows = static_cast<std::size_t>(sampleRows);
        if (lateDuplicates)
            params.duplicateSetBytes = 32 << 10;
        const auto run = [&](bool spill, std::string& chunks) {
            StreamParams p = params;
            p.spillCleanedRows = spill;
            p.onScored = scoredChunksInto(chunks, true);
            return analyzeStream(path, p);
        };
        std::string spilledChunks, reparsedChunks;
        const StreamResult spilled = run(true, spilledChunks);
        const StreamResult reparsed = run(false, reparsedChunks);
        QVERIFY(spilled.cleanedRowsSpilled);
        QVERIFY(spilled.cleanedSpillBytes > 0);
        QVERIFY(spilled.cleanedSpillBytes < text.size());
        QVERIFY(!reparsed.cleanedRowsSpilled);
        QVERIFY(QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
        QCOMPARE(spilled.passOneReread, lateDuplicates);
        QCOMPARE(spilled.sampleIsWholeFile, sampleRows == 0);
        QVERIFY(spilled.chunks > 20);
        QVERIFY(spilledChunks.size() > text.size() / 2);
        QVERIFY(spilledChunks == reparsedChunks);
        QCOMPARE(spilled.passes, reparsed.passes);
        QCOMPARE(spilled.rowsScored, reparsed.rowsScored);
        QCOMPARE(spilled.threshold, reparsed.threshold);
        QCOMPARE(spilled.thresholdExact, reparsed.thresholdExact);
        QCOMPARE(spilled.suspiciousCount, reparsed.suspiciousCount);
        QCOMPARE(spilled.minScore, reparsed.minScore);
        QCOMPARE(spilled.maxScore, reparsed.maxScore);
        QCOMPARE(spilled.mostAnomalous.size(), reparsed.mostAnomalous.size());
        for (std::size_t i = 0; i < spilled.mostAnomalous.size(); ++i) {
            const StreamedRow& a = spilled.mostAnomalous[i];
            const StreamedRow& b = reparsed.mostAnomalous[i];
            QCOMPARE(a.row, b.row);
            QCOMPARE(a.line, b.line);
            QCOMPARE(a.score, b.score);
            QCOMPARE(a.srcIp, b.srcIp);
            QCOMPARE(a.dstIp, b.dstIp);
            QCOMPARE(a.country, b.country);
            QCOMPARE(a.bytesIn, b.bytesIn);
        }
        // The notes but for the duplicate set's private folder, named anew each run.
        const auto notes = [](const StreamResult& result) {
            std::vector<std::string> kept = result.notes;
            for (std::string& note : kept) {
                if (const std::size_t at = note.find(result.scratchFolder); !result.scratchFolder.empty() && at != std::string::npos)
                    note.replace(at, result.scratchFolder.size(), "FOLDER");
            }
            return kept;
        };
        QCOMPARE(notes(spilled), notes(reparsed));
        QCOMPARE(bool(spilled.evaluation), labelled);
        if (labelled) {
            QVERIFY(reparsed.evaluation);
            QCOMPARE(spilled.evaluation->rocAuc(), reparsed.evaluation->rocAuc());
        }
    }

    // The spill's encoding gives back the table it was given: cells (uniform ones held once still),
    // kinds, released columns, extra columns, lines and every pool id, an empty chunk too.
    // A disk that fills while pass 1 keeps its cleaned rows (a file-size limit makes write() fail
    // with EFBIG as a full disk would) drops the spill: the scoring passes read the file again, to
    // the same chunks and scores, and the notes say why, naming the file.
    void spillDroppedWhenTheDiskFills()
    {
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(4000)));
        StreamParams params;
        params.chunkBytes = 8192;
        params.scratchDir = scratch.path().toStdString();
        const auto run = [&](bool spill, std::string& chunks) {
            StreamParams p = params;
            p.spillCleanedRows = spill;
            p.onScored = scoredChunksInto(chunks, true);
            return analyzeStream(path, p);
        };
        std::string reparsedChunks;
        const StreamResult reparsed = run(false, reparsedChunks);
        struct rlimit saved { };
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limited = saved;
        limited.rlim_cur = 16 << 10; // the spill of 4,000 rows takes far more
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
        std::string droppedChunks;
        StreamResult dropped;
        try {
            dropped = run(true, droppedChunks);
        } catch (...) {
            setrlimit(RLIMIT_FSIZE, &saved);
            std::signal(SIGXFSZ, previousHandler);
            throw;
        }
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previousHandler);
        QVERIFY(!dropped.cleanedRowsSpilled);
        QCOMPARE(droppedChunks, reparsedChunks);
        QCOMPARE(dropped.suspiciousCount, reparsed.suspiciousCount);
        QCOMPARE(dropped.threshold, reparsed.threshold);
        const auto note = std::find_if(dropped.notes.begin(), dropped.notes.end(), [](const std::string& text) {
            return text.find("the scoring passes read the file again") != std::string::npos;
        });
        QVERIFY(note != dropped.notes.end());
        QVERIFY2(note->find("cannot write the scratch file of cleaned rows") != std::string::npos, note->c_str());
        QVERIFY(QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
    }

    void spillEncodingRoundTrip()
    {
        TrafficTable table;
        const std::vector<std::string_view> ips{"10.0.0.1", "10.0.0.2", "", "2001:db8::1"};
        for (std::size_t row = 0; row < 300; ++row) {
            table.sourceLines.push_back(static_cast<std::uint32_t>(row * 2 + 2));
            for (Column& column : table.columns)
                column.resize(row + 1);
            table.column(Field::BytesIn).integers[row] = row % 7 == 0 ? kMissingInteger : std::int64_t(row) * 100000;
            table.column(Field::BytesOut).integers[row] = -std::int64_t(row);
            table.column(Field::CreationTime).integers[row] = std::int64_t(1700000000) * 1000000 + std::int64_t(row) * 7919000;
            table.column(Field::EndTime).integers[row] = row % 2 ? std::numeric_limits<std::int64_t>::max() : std::int64_t(row);
            table.column(Field::DstPort).integers[row] = 443;
            table.column(Field::SrcIp).text[row] = table.strings->intern(ips[row % ips.size()]);
            table.column(Field::DstIp).text[row] = table.strings->intern("host-" + std::to_string(row));
        }
        table.strings->intern("unused text");
        table.column(Field::DstPort).makeUniformIfSo();
        Column extra;
        extra.name = "score";
        extra.kind = ColumnKind::Real;
        for (std::size_t row = 0; row < 300; ++row)
            extra.reals.push_back(row % 3 ? 0.5 * double(row) : std::nan(""));
        table.columns.push_back(extra);
        table.releaseColumn(static_cast<std::size_t>(Field::RuleNames));
        for (const TrafficTable* original : {static_cast<const TrafficTable*>(&table), static_cast<const TrafficTable*>(nullptr)}) {
            TrafficTable empty;
            const TrafficTable& given = original ? *original : empty;
            std::vector<unsigned char> bytes;
            CleanedSpill::encode(given, bytes);
            TrafficTable back;
            CleanedSpill::decode(bytes.data(), bytes.size(), back);
            QCOMPARE(back.sourceLines, given.sourceLines);
            QCOMPARE(back.strings->size(), given.strings->size());
            for (std::uint32_t id = 0; id < given.strings->size(); ++id)
                QCOMPARE(back.strings->view(id), given.strings->view(id));
            QCOMPARE(back.columns.size(), given.columns.size());
            for (std::size_t c = 0; c < given.columns.size(); ++c) {
                const Column& a = given.columns[c];
                const Column& b = back.columns[c];
                QCOMPARE(b.name, a.name);
                QVERIFY(b.kind == a.kind);
                QCOMPARE(b.released, a.released);
                QCOMPARE(b.integers.isUniform(), a.integers.isUniform());
                QCOMPARE(b.text.isUniform(), a.text.isUniform());
                QVERIFY(b.integers == a.integers);
                QVERIFY(b.text == a.text);
                QCOMPARE(b.reals.size(), a.reals.size());
                QCOMPARE(b.reals.isUniform(), a.reals.isUniform());
                for (std::size_t r = 0; r < a.reals.size(); ++r)
                    QVERIFY(std::memcmp(&a.reals[r], &b.reals[r], sizeof(double)) == 0); // NaN too
            }
        }
        // A damaged chunk is refused, not read past its end.
        std::vector<unsigned char> bytes;
        CleanedSpill::encode(table, bytes);
        bytes.resize(bytes.size() / 2);
        TrafficTable back;
        QVERIFY_THROWS_EXCEPTION(Error, CleanedSpill::decode(bytes.data(), bytes.size(), back));
    }

    void badFeatures()
    {
        for (Feature feature : {Feature::PairBeaconScore, Feature::SourceAsnFrequency}) {
            StreamParams params;
            params.analysis.detector.features = {Feature::BytesIn, feature};
            try {
                params.validate();
                QFAIL("a feature streaming cannot compute was accepted");
            } catch (const ParameterError& error) {
                QVERIFY2(std::string(error.what()).find(featureInfo(feature).name) != std::string::npos, error.what());
            }
        }
    }

    // A sample smaller than the file: shares exact, fills as in memory to rounding, and the threshold
    // the exact percentile of the scores written.
    void sampledFit()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(8000)));
        StreamParams params;
        params.chunkBytes = 16384;
        params.sampleRows = 1500;
        params.medianValues = 100000;
        params.analysis.detector.features = allFeatures();
        params.out = dir.filePath("streamed.csv").toStdString();
        const StreamResult streamed = analyzeStream(path, params);
        QVERIFY(!streamed.sampleIsWholeFile);
        QCOMPARE(streamed.sampleRows, std::size_t(1500));
        const Analysis memory = analyzeFile(path, params.analysis);
        const FeatureEncodings learnt = learnEncodings(memory.data->table, memory.data->features,
                                                       params.analysis.detector.features, params.analysis.detector.scaling);
        const FeatureEncodings& encodings = *streamed.detection->encodings;
        QCOMPARE(encodings.size(), learnt.size());
        for (std::size_t i = 0; i < learnt.size(); ++i) {
            QCOMPARE(encodings[i].integerShares, learnt[i].integerShares);
            QCOMPARE(encodings[i].textShares, learnt[i].textShares);
            QVERIFY(std::abs(encodings[i].fill - learnt[i].fill) <= 1e-9 * std::max(1.0, std::abs(learnt[i].fill)));
        }
        // Per-source values: the whole file's.
        const std::vector<double> sessions = featureValues(memory.data->table, memory.data->features,
                                                           Feature::SourceSessions);
        for (const FeatureEncoding& encoding : encodings) {
            if (encoding.feature != Feature::SourceSessions)
                continue;
            QVERIFY(encoding.sourceValues);
            for (std::size_t row = 0; row < memory.data->table.rowCount(); row += 97)
                QCOMPARE(encoding.sourceValues->at(std::string(memory.data->table.text(Field::SrcIp, row))),
                         sessions[row]);
        }
        // Every source of the cleaned file, once (pass 1 counts them in a pool of its own).
        std::unordered_set<std::string> sources;
        for (std::size_t row = 0; row < memory.data->table.rowCount(); ++row)
            sources.insert(std::string(memory.data->table.text(Field::SrcIp, row)));
        QCOMPARE(streamed.distinctSources, sources.size());
        for (const FeatureEncoding& encoding : encodings) {
            if (encoding.sourceValues)
                QCOMPARE(encoding.sourceValues->size(), sources.size());
        }
        // The threshold over the scores written.
        const auto rows = csvRows(params.out);
        const auto column = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "anomaly_score") - rows[0].begin());
        std::vector<double> scores;
        for (std::size_t r = 1; r < rows.size(); ++r)
            scores.push_back(std::stod(rows[r][column]));
        const ScoreIndex index(scores);
        QCOMPARE(streamed.threshold, index.thresholdFor(params.analysis.contamination));
        QCOMPARE(streamed.suspiciousCount, index.countBelow(streamed.threshold));
        // Each suspicious row explained (a place among the sample's values), the others not; the
        // notes say the shares are the sample's.
        const auto explanation = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "explanation") - rows[0].begin());
        std::size_t explained = 0;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            const bool suspicious = std::stod(rows[r][column]) < streamed.threshold;
            QCOMPARE(!rows[r][explanation].empty(), suspicious);
            explained += suspicious && rows[r][explanation].find("splits against") != std::string::npos;
        }
        QCOMPARE(explained, streamed.suspiciousCount);
        QVERIFY(std::any_of(streamed.notes.begin(), streamed.notes.end(), [](const std::string& note) {
            return note.find("counted over the forest's uniform sample of 1500 rows") != std::string::npos;
        }));
    }

    // Reading ahead (each pass parses the next chunk on a thread of its own) changes nothing: with
    // --threads 1 there is no read-ahead, and both runs give the same counts, threshold, most
    // anomalous rows and scored CSV, byte for byte; a sampled fit and a whole-file one.
    void readAheadSameAsOneThread_data()
    {
        QTest::addColumn<int>("sampleRows");
        QTest::newRow("sample holds the file") << 0;
        QTest::newRow("sampled fit") << 1500;
    }
    void readAheadSameAsOneThread()
    {
        QFETCH(int, sampleRows);
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(6000)));
        std::vector<StreamResult> results;
        std::vector<std::string> outs;
        for (int threads : {1, 2}) {
            StreamParams params;
            params.chunkBytes = 8192;
            if (sampleRows > 0)
                params.sampleRows = static_cast<std::size_t>(sampleRows);
            params.analysis.read.threads = threads;
            params.analysis.detector.features = allFeatures();
            params.analysis.topN = 25;
            params.out = dir.filePath(QString("streamed-%1.csv").arg(threads)).toStdString();
            results.push_back(analyzeStream(path, params));
            outs.push_back(params.out);
        }
        const StreamResult& one = results[0];
        const StreamResult& two = results[1];
        QVERIFY(one.chunks > 50);
        QCOMPARE(two.chunks, one.chunks);
        QCOMPARE(two.readReport.rows, one.readReport.rows);
        QCOMPARE(two.readReport.lines, one.readReport.lines);
        QCOMPARE(two.textBytes, one.textBytes);
        QCOMPARE(two.cleanReport.rowsOut, one.cleanReport.rowsOut);
        QCOMPARE(two.distinctSources, one.distinctSources);
        QCOMPARE(two.sampleIsWholeFile, sampleRows == 0);
        QCOMPARE(two.threshold, one.threshold);
        QCOMPARE(two.suspiciousCount, one.suspiciousCount);
        QCOMPARE(two.mostAnomalous.size(), one.mostAnomalous.size());
        for (std::size_t i = 0; i < one.mostAnomalous.size(); ++i) {
            QCOMPARE(two.mostAnomalous[i].row, one.mostAnomalous[i].row);
            QCOMPARE(two.mostAnomalous[i].line, one.mostAnomalous[i].line);
            QCOMPARE(two.mostAnomalous[i].score, one.mostAnomalous[i].score);
        }
        QCOMPARE(csvRows(outs[1]), csvRows(outs[0]));
    }
};

QTEST_GUILESS_MAIN(TestStreamAnalysis)
#include "tst_streamanalysis.moc"

// The worker thread and the controller that owns it: results, failures, cancelling and the rule
// that a newer job supersedes an older one.
#include "generator/generator.h"
#include "ui/analysiscontroller.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fstream>

using namespace webthreat;

namespace {

constexpr int kTimeoutMs = 120000;

QString referenceCsv()
{
    return QStringLiteral(WEBTHREAT_REFERENCE_CSV);
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(bytes);
    return path;
}

} // namespace

class TestAnalysisController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_big = m_dir.filePath(QStringLiteral("big.csv"));
        std::ofstream out(m_big.toStdString(), std::ios::binary);
        GeneratorParams params;
        params.rows = 300000;
        generateTraffic(out, params);
    }

    void loadsAndScores()
    {
        if (!QFileInfo::exists(referenceCsv()))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        QSignalSpy busy(&controller, &AnalysisController::busyChanged);
        QSignalSpy progress(&controller, &AnalysisController::progressChanged);
        controller.load(referenceCsv(), DetectorParams(), Contamination::fromValue(0.05));
        QVERIFY(controller.isBusy());
        QCOMPARE(controller.currentJob(), AnalysisController::JobKind::Load);
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(!controller.isBusy());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).first().toBool(), true);
        QCOMPARE(busy.at(1).first().toBool(), false);

        const auto result = finished.first().first().value<LoadResult>();
        QCOMPARE(result.path, referenceCsv());
        QCOMPARE(result.displayName, QStringLiteral("CloudWatch_Traffic_Web_Attack.csv"));
        QVERIFY(result.detectionProblem.isEmpty());
        QVERIFY(result.snapshot.hasDetection());
        QCOMPARE(result.snapshot.data->table.rowCount(), std::size_t(282));
        QCOMPARE(result.snapshot.verdicts->suspiciousCount, std::size_t(15));
        QCOMPARE(result.snapshot.findings->suspiciousRows.size(), std::size_t(15));
        QVERIFY(result.summary);
        QCOMPARE(result.summary->rows, std::size_t(282));
        QCOMPARE(result.summary->fileColumns, std::size_t(16));

        // Progress moves forward through the stages and stays within [0, 1].
        QVERIFY(progress.count() >= 2);
        double last = -1.0;
        for (const QList<QVariant>& signal : progress) {
            const double fraction = signal.at(1).toDouble();
            QVERIFY(fraction >= 0.0 && fraction <= 1.0);
            QVERIFY(fraction >= last);
            last = fraction;
        }

        // A refit with other parameters keeps the data and changes the scores.
        QSignalSpy detected(&controller, &AnalysisController::detectionFinished);
        DetectorParams params;
        params.forest.seed = 3;
        params.forest.trees = 50;
        controller.detect(result.snapshot.data, params, Contamination::fromValue(0.10));
        QCOMPARE(controller.currentJob(), AnalysisController::JobKind::Detect);
        QVERIFY(detected.wait(kTimeoutMs));
        const auto snapshot = detected.first().first().value<AnalysisSnapshot>();
        QCOMPARE(snapshot.data, result.snapshot.data);
        QCOMPARE(snapshot.detection->params.forest.seed, std::uint64_t(3));
        QCOMPARE(snapshot.detection->params.forest.trees, 50);
        QCOMPARE(snapshot.verdicts->contamination.value, 0.10);
    }

    void loadsBundledSample()
    {
        // The sample is read from the resource's bytes, not from a path on disk.
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        controller.load(QStringLiteral(":/sample/sample_traffic.csv"), DetectorParams(), Contamination(),
                        QStringLiteral("Sample"));
        QVERIFY(finished.wait(kTimeoutMs));
        const auto result = finished.first().first().value<LoadResult>();
        QCOMPARE(result.displayName, QStringLiteral("Sample"));
        QCOMPARE(result.snapshot.data->table.rowCount(), std::size_t(5000));
        QVERIFY(result.snapshot.hasDetection());
    }

    void missingResourceFails()
    {
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        QSignalSpy failed(&controller, &AnalysisController::jobFailed);
        controller.load(QStringLiteral(":/no/such/resource.csv"), DetectorParams(), Contamination(),
                        QStringLiteral("missing"));
        QVERIFY(failed.wait(kTimeoutMs));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("missing")));
        QCOMPARE(finished.count(), 0);
    }

    void cancelStopsLoad()
    {
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        QSignalSpy cancelled(&controller, &AnalysisController::jobCancelled);
        QSignalSpy progress(&controller, &AnalysisController::progressChanged);
        controller.load(m_big, DetectorParams(), Contamination());
        // Wait until reading is under way, then cancel.
        QTRY_VERIFY(progress.count() >= 2);
        controller.cancel();
        QVERIFY(cancelled.wait(10000));
        QCOMPARE(cancelled.first().first().value<AnalysisController::JobKind>(), AnalysisController::JobKind::Load);
        QVERIFY(!controller.isBusy());
        QCOMPARE(finished.count(), 0);
    }

    void newerLoadSupersedesOlder()
    {
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        QSignalSpy cancelled(&controller, &AnalysisController::jobCancelled);
        QSignalSpy busy(&controller, &AnalysisController::busyChanged);
        const QString small = writeFile(m_dir, QStringLiteral("small.csv"),
                                        "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                        "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1\n"
                                        "3,4,2024-01-01T00:00:00Z,2024-01-01T00:00:20Z,192.0.2.2,10.0.0.1\n"
                                        "5,6,2024-01-01T00:00:00Z,2024-01-01T00:00:30Z,192.0.2.3,10.0.0.1\n");
        controller.load(m_big, DetectorParams(), Contamination());
        controller.load(small, DetectorParams(), Contamination());
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().value<LoadResult>().path, small);
        QCOMPARE(finished.first().first().value<LoadResult>().snapshot.data->table.rowCount(), std::size_t(3));
        // The superseded load ends quietly: no cancel reported, one busy period.
        QCOMPARE(cancelled.count(), 0);
        QCOMPARE(busy.count(), 2);
    }

    void failuresNameTheProblem()
    {
        AnalysisController controller;
        QSignalSpy failed(&controller, &AnalysisController::jobFailed);
        const QString noHeader = writeFile(m_dir, QStringLiteral("missing_src_ip.csv"),
                                           "bytes_in,bytes_out,creation_time,end_time,dst_ip\n"
                                           "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,10.0.0.1\n");
        controller.load(noHeader, DetectorParams(), Contamination());
        QVERIFY(failed.wait(kTimeoutMs));
        QCOMPARE(failed.first().first().value<AnalysisController::JobKind>(), AnalysisController::JobKind::Load);
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("missing_src_ip.csv")) && message.contains(QStringLiteral("src_ip")),
                 qPrintable(message));
        QVERIFY(!controller.isBusy());

        // Bad parameters are a readable message too, not a crash on the worker.
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        const QString good = writeFile(m_dir, QStringLiteral("two.csv"),
                                       "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                       "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1\n"
                                       "3,4,2024-01-01T00:00:00Z,2024-01-01T00:00:20Z,192.0.2.2,10.0.0.1\n");
        controller.load(good, DetectorParams(), Contamination());
        QVERIFY(finished.wait(kTimeoutMs));
        DetectorParams bad;
        bad.features.clear();
        controller.detect(finished.first().first().value<LoadResult>().snapshot.data, bad, Contamination());
        QVERIFY(failed.wait(kTimeoutMs));
        QVERIFY2(failed.last().at(1).toString().contains(QStringLiteral("feature")),
                 qPrintable(failed.last().at(1).toString()));

        // Exporting without scores.
        controller.exportScoredCsv(AnalysisSnapshot(), m_dir.filePath(QStringLiteral("never.csv")));
        QVERIFY(failed.wait(kTimeoutMs));
        QCOMPARE(failed.last().first().value<AnalysisController::JobKind>(), AnalysisController::JobKind::Export);
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("never.csv"))));
    }

    void oneRowLoadsWithoutScores()
    {
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        const QString one = writeFile(m_dir, QStringLiteral("one.csv"),
                                      "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                      "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1\n");
        controller.load(one, DetectorParams(), Contamination());
        QVERIFY(finished.wait(kTimeoutMs));
        const auto result = finished.first().first().value<LoadResult>();
        QVERIFY(result.snapshot.hasData());
        QVERIFY(!result.snapshot.hasDetection());
        QVERIFY(result.detectionProblem.contains(QStringLiteral("two rows")));
    }

    void assessCoalescesRequests()
    {
        AnalysisController controller;
        QSignalSpy finished(&controller, &AnalysisController::loadFinished);
        controller.load(QStringLiteral(":/sample/sample_traffic.csv"), DetectorParams(), Contamination());
        QVERIFY(finished.wait(kTimeoutMs));
        const AnalysisSnapshot loaded = finished.first().first().value<LoadResult>().snapshot;

        QSignalSpy assessed(&controller, &AnalysisController::assessed);
        QSignalSpy busy(&controller, &AnalysisController::busyChanged);
        // A fast drag: the first request is computed, the middle one is superseded by the last.
        for (double value : {0.01, 0.02, 0.03, 0.2})
            controller.assess(loaded.data, loaded.detection, Contamination::fromValue(value));
        QTRY_VERIFY(!assessed.isEmpty()
                    && assessed.last().first().value<AnalysisSnapshot>().verdicts->contamination.value == 0.2);
        QVERIFY(assessed.count() <= 2);
        const auto last = assessed.last().first().value<AnalysisSnapshot>();
        QCOMPARE(last.detection, loaded.detection); // no refit
        QCOMPARE(last.verdicts->suspiciousCount,
                 applyThreshold(loaded.detection->scores, Contamination::fromValue(0.2)).suspiciousCount);
        QCOMPARE(last.findings->suspicious, last.verdicts->suspiciousCount);
        QCOMPARE(busy.count(), 0); // re-labelling is not a job the analyst waits for
    }

    void smokeDestroyWhileLoading()
    {
        // Smoke test: ending the window mid-load must stop the worker and return promptly.
        auto controller = std::make_unique<AnalysisController>();
        QSignalSpy progress(controller.get(), &AnalysisController::progressChanged);
        controller->load(m_big, DetectorParams(), Contamination());
        QTRY_VERIFY(progress.count() >= 2);
        controller.reset();
        QVERIFY(true);
    }

private:
    QTemporaryDir m_dir;
    QString m_big;
};

QTEST_MAIN(TestAnalysisController)
#include "tst_analysiscontroller.moc"

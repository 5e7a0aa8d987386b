// A file larger than the window's memory budget (WEBTHREAT_MEMORY_BUDGET) is offered in streaming
// mode; once streamed, the window shows the suspicious rows and the sample with a banner saying so,
// and its entities, timeline and suspicious counts equal an in-memory run's on the same file.
#include "core/analysis/aggregates.h"
#include "tests/core/stream/streamtesting.h"
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/displayformat.h"
#include "ui/mainwindow.h"
#include "ui/resultexporter.h"
#include "ui/streamworkflow.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>
#include <string>

using namespace webthreat;

namespace {

std::map<std::string, std::uint64_t> sessionsBySource(const AnalysisSnapshot& shown)
{
    std::map<std::string, std::uint64_t> result;
    for (const EntityStats& entity : shown.aggregates->entities.entities)
        result[std::string(shown.data->table.strings->view(entity.srcIp))] = entity.sessions;
    return result;
}

std::map<std::string, std::uint32_t> suspiciousBySource(const AnalysisSnapshot& shown)
{
    std::map<std::string, std::uint32_t> result;
    const auto& entities = shown.aggregates->entities.entities;
    for (std::size_t e = 0; e < entities.size(); ++e)
        result[std::string(shown.data->table.strings->view(entities[e].srcIp))]
            = shown.verdictAggregates->entities.suspicious[e];
    return result;
}

} // namespace

class TestStreamingMode : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settings, QStringLiteral("tst_streamingmode")));
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("traffic.csv"));
        QVERIFY(testing::writeText(m_path.toStdString(), testing::messyTraffic(3000)));
    }

    void budgetFromEnvironment()
    {
        qputenv("WEBTHREAT_MEMORY_BUDGET", "64K");
        QCOMPARE(StreamWorkflow::memoryBudget(), std::uint64_t(64 * 1024));
        qputenv("WEBTHREAT_MEMORY_BUDGET", "3M");
        QCOMPARE(StreamWorkflow::memoryBudget(), std::uint64_t(3 * 1024 * 1024));
        qunsetenv("WEBTHREAT_MEMORY_BUDGET");
    }

    void streamedEqualsInMemory()
    {
        MainWindow memory;
        QVERIFY(test::openAndWait(memory, m_path));
        const AnalysisSnapshot whole = memory.snapshot();
        QVERIFY(whole.hasDetection());
        QVERIFY(memory.findChild<QLabel*>(QStringLiteral("streamingBanner"))->isHidden());

        qputenv("WEBTHREAT_MEMORY_BUDGET", "64K");
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(m_path);
        QMessageBox* offer = nullptr;
        QTRY_VERIFY((offer = window.findChild<QMessageBox*>(QStringLiteral("streamingOffer"))) != nullptr);
        QVERIFY(offer->text().contains(QStringLiteral("traffic.csv")));
        QVERIFY(offer->informativeText().contains(QStringLiteral("does not")));
        offer->findChild<QPushButton*>(QStringLiteral("streamingAccept"))->click();
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        qunsetenv("WEBTHREAT_MEMORY_BUDGET");

        const AnalysisSnapshot& streamed = window.snapshot();
        QVERIFY(streamed.hasDetection());
        const std::size_t rows = whole.data->table.rowCount();
        // The file is smaller than the sample: every row is shown, the suspicious ones first.
        QCOMPARE(streamed.data->table.rowCount(), rows);
        QCOMPARE(streamed.verdicts->suspiciousCount, whole.verdicts->suspiciousCount);
        QVERIFY(streamed.verdicts->suspiciousCount > 0);
        for (std::size_t row = 0; row < streamed.verdicts->suspiciousCount; ++row)
            QVERIFY(streamed.verdicts->isSuspicious(row));
        QCOMPARE(streamed.findings->rows, whole.findings->rows);
        QCOMPARE(streamed.findings->suspicious, whole.findings->suspicious);

        auto* banner = window.findChild<QLabel*>(QStringLiteral("streamingBanner"));
        QVERIFY(!banner->isHidden());
        const QString expected
            = QStringLiteral("Streaming mode: showing the %1 suspicious rows and a random sample of %2 of the file's %3 rows")
                  .arg(formatCount(whole.verdicts->suspiciousCount), formatCount(rows - whole.verdicts->suspiciousCount),
                       formatCount(rows));
        QVERIFY2(banner->text().contains(expected), qPrintable(banner->text() + QStringLiteral("\nexpected: ") + expected));

        // The counts the window states are the whole file's, not the shown rows'.
        const QString flagged = window.findChild<QLabel*>(QStringLiteral("flaggedCount"))->text();
        QVERIFY2(flagged.contains(QStringLiteral("of the file's %1 rows flagged").arg(formatCount(rows))),
                 qPrintable(flagged));

        // Entities and timeline: the whole file's, equal to the in-memory run's.
        QCOMPARE(sessionsBySource(streamed), sessionsBySource(whole));
        QCOMPARE(suspiciousBySource(streamed), suspiciousBySource(whole));
        QCOMPARE(streamed.aggregates->timeline.sessions, whole.aggregates->timeline.sessions);
        QCOMPARE(streamed.aggregates->timeline.bytes, whole.aggregates->timeline.bytes);
        QCOMPARE(streamed.aggregates->timeline.start, whole.aggregates->timeline.start);
        QCOMPARE(streamed.verdictAggregates->timelineSuspicious, whole.verdictAggregates->timelineSuspicious);

        // The views drawn from the shown rows say so; the detector (slider, refit) is off.
        auto* tabs = window.findChild<QTabWidget*>();
        QStringList titles;
        for (int i = 0; i < tabs->count(); ++i)
            titles << tabs->tabText(i);
        QVERIFY2(titles.join(QLatin1Char('|')).contains(QStringLiteral("Overview (sample)")), qPrintable(titles.join(u'|')));
        QVERIFY(!titles.join(QLatin1Char('|')).contains(QStringLiteral("Entities (sample)")));
        QVERIFY(!window.findChild<QWidget*>(QStringLiteral("contaminationSlider"))->isEnabled());

        // The report is of the whole file and says what it drew from the rows kept.
        const QList<QAction*> actions = window.findChildren<QAction*>();
        const auto exportReport = std::find_if(actions.begin(), actions.end(), [](const QAction* action) {
            return action->text() == QStringLiteral("Export &Report...");
        });
        QVERIFY(exportReport != actions.end() && (*exportReport)->isEnabled());
        QSignalSpy exported(&window, &MainWindow::exportFinished);
        const QString report = m_dir.filePath(QStringLiteral("streamed-report.html"));
        test::byName<ResultExporter>(window, "resultExporter")->exportReport(report);
        QVERIFY(exported.wait(test::kLoadTimeoutMs));
        QFile reportFile(report);
        QVERIFY(reportFile.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(reportFile.readAll());
        QVERIFY2(html.contains(QStringLiteral("%1 of %2 rows")
                                   .arg(formatCount(whole.verdicts->suspiciousCount), formatCount(rows))),
                 qPrintable(html.left(3000)));
        QVERIFY(html.contains(QStringLiteral("the charts are drawn from the rows kept")));
        QVERIFY(html.contains(QStringLiteral("Not computed in streaming mode")));

        // A file that fits turns it all back.
        QVERIFY(test::openAndWait(window, m_path));
        QVERIFY(banner->isHidden());
        QVERIFY(window.findChild<QWidget*>(QStringLiteral("contaminationSlider"))->isEnabled());
    }

    // Every format and packing the window opens is offered in streaming mode too (the engine streams
    // them all): a log streamed shows the in-memory run's rows, suspicious count and findings.
    void logFormatsStream_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("vpc flow log") << QStringLiteral("vpcflow_v2_accept_reject_with_header.log");
        QTest::newRow("zeek tsv, gzip") << QStringLiteral("zeek_conn.log.gz");
        QTest::newRow("zeek json") << QStringLiteral("zeek_conn.json");
        QTest::newRow("load-balancer log, gzip") << QStringLiteral("alb_nlb_elb_mixed.log.gz");
    }

    void logFormatsStream()
    {
        QFETCH(QString, file);
        const QString path = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/") + file;
        MainWindow memory;
        QVERIFY(test::openAndWait(memory, path));
        const AnalysisSnapshot whole = memory.snapshot();
        QVERIFY(whole.hasDetection());

        qputenv("WEBTHREAT_MEMORY_BUDGET", "4K");
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(path);
        QMessageBox* offer = nullptr;
        QTRY_VERIFY((offer = window.findChild<QMessageBox*>(QStringLiteral("streamingOffer"))) != nullptr);
        QVERIFY(offer->text().contains(file));
        QCOMPARE(offer->text().contains(QStringLiteral("compressed")), file.endsWith(QStringLiteral(".gz")));
        offer->findChild<QPushButton*>(QStringLiteral("streamingAccept"))->click();
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        qunsetenv("WEBTHREAT_MEMORY_BUDGET");

        const AnalysisSnapshot& streamed = window.snapshot();
        QVERIFY(streamed.hasDetection());
        QVERIFY(!window.findChild<QLabel*>(QStringLiteral("streamingBanner"))->isHidden());
        QCOMPARE(streamed.data->table.rowCount(), whole.data->table.rowCount());
        QCOMPARE(streamed.verdicts->suspiciousCount, whole.verdicts->suspiciousCount);
        QCOMPARE(streamed.findings->rows, whole.findings->rows);
        QCOMPARE(streamed.findings->suspicious, whole.findings->suspicious);
        QCOMPARE(sessionsBySource(streamed), sessionsBySource(whole));
    }

    // Cancel during the stream, or declining the offer, leaves the analysis shown before.
    void cancelKeepsThePreviousAnalysis()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_path));
        const auto before = window.snapshot().data;
        qputenv("WEBTHREAT_MEMORY_BUDGET", "64K");

        window.openFile(m_path);
        QMessageBox* offer = nullptr;
        QTRY_VERIFY((offer = window.findChild<QMessageBox*>(QStringLiteral("streamingOffer"))) != nullptr);
        offer->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(window.findChild<QMessageBox*>(QStringLiteral("streamingOffer")) == nullptr);
        QVERIFY(!window.isBusy());
        QCOMPARE(window.snapshot().data, before);

        window.openFile(m_path);
        QTRY_VERIFY((offer = window.findChild<QMessageBox*>(QStringLiteral("streamingOffer"))) != nullptr);
        offer->findChild<QPushButton*>(QStringLiteral("streamingAccept"))->click();
        QVERIFY(window.isBusy());
        window.cancelJob();
        QTRY_VERIFY(!window.isBusy());
        qunsetenv("WEBTHREAT_MEMORY_BUDGET");
        QCOMPARE(window.snapshot().data, before);
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("streamingBanner"))->isHidden());
        QVERIFY(window.findChild<QWidget*>(QStringLiteral("contaminationSlider"))->isEnabled());
    }

private:
    QTemporaryDir m_settings;
    QTemporaryDir m_dir;
    QString m_path;
};

QTEST_MAIN(TestStreamingMode)
#include "tst_streamingmode.moc"

// The Beacons tab: pairs by score, the selected pair's timing, and the filter a pair sets.

#include "core/behaviour/behaviour.h"
#include "generator/generator.h"
#include "ui/beaconsmodel.h"
#include "ui/beaconsview.h"
#include "ui/charts/beaconintervalchart.h"
#include "ui/dataview.h"
#include "ui/mainwindow.h"
#include "widgetlookup.h"
#include "windowtest.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QLabel>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;

namespace {

// The attack_kind of row, or "" when the table has no such column.
std::string kindOf(const TrafficTable& table, std::size_t row)
{
    const auto column = table.findColumn("attack_kind");
    if (!column)
        return {};
    return std::string(table.strings->view(table.columns[*column].text[row]));
}

} // namespace

class TestBeacons : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settings, QStringLiteral("tst_beacons")));
        QVERIFY(m_dir.isValid());
        m_beacons = m_dir.filePath(QStringLiteral("beacons.csv"));
        std::ofstream out(m_beacons.toStdString(), std::ios::binary);
        GeneratorParams params;
        params.rows = 50000;
        params.label = true;
        const GeneratorResult result = generateTraffic(out, params);
        QVERIFY(result.behaviourActors.count("beacon") == 1 && result.behaviourActors.at("beacon") > 0);
        // Three sessions of one pair: under the minimum, so no pair is scored.
        m_few = m_dir.filePath(QStringLiteral("few.csv"));
        QFile few(m_few);
        QVERIFY(few.open(QIODevice::WriteOnly));
        few.write("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
                  "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types\n");
        for (int i = 0; i < 3; ++i)
            few.write(QStringLiteral("100,200,2024-04-26T03:4%1:00Z,2024-04-26T03:4%1:30Z,10.0.0.1,NL,HTTPS,200,443,"
                                     "10.1.0.1,r,o,m,n,2024-04-26T03:4%1:00Z,waf\n")
                          .arg(i)
                          .toLatin1());
    }

    void modelPassesTheTester()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_beacons));
        auto* model = test::byName<BeaconsModel>(window, "beaconsModel");
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto* fanOut = test::byName<FanOutModel>(window, "fanOutModel");
        QAbstractItemModelTester fanOutTester(fanOut, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model->rowCount() > 0);
        QVERIFY(fanOut->rowCount() > 0);
    }

    void tabFollowsTimeline()
    {
        MainWindow window;
        auto* tabs = test::byName<QTabWidget>(window, "tabs");
        QCOMPARE(tabs->count(), 8);
        QCOMPARE(tabs->widget(int(MainWindow::Tab::Beacons)), test::byName<BeaconsView>(window, "beaconsTab"));
        QCOMPARE(tabs->tabText(int(MainWindow::Tab::Timeline) + 1), QStringLiteral("&Beacons"));
        QCOMPARE(tabs->widget(int(MainWindow::Tab::Trust))->objectName(), QStringLiteral("trustView"));
    }

    void listsThePlantedPairFirst()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_beacons));
        const AnalysisSnapshot& snapshot = window.snapshot();
        QVERIFY(snapshot.behaviour);
        auto* table = test::byName<QTableView>(window, "beaconsTable");
        QVERIFY(table->model()->rowCount() > 0);
        // The first row shown is the highest score, and its sessions are the generator's beacon.
        const uint index = table->model()->index(0, 0).data(BeaconsModel::PairIndexRole).toUInt();
        const BeaconPair& top = snapshot.behaviour->beacons.pairs[index];
        QCOMPARE(top.score, snapshot.behaviour->beacons.pairs.front().score);
        QVERIFY2(top.score >= 0.7, qPrintable(QString::number(top.score)));
        for (std::uint32_t row : snapshot.behaviour->beacons.rowsOf(top))
            QCOMPARE(kindOf(snapshot.data->table, row), std::string("beacon"));
        // The current pair is shown at once: its sentence, and one tick per session.
        QVERIFY(test::byName<QLabel>(window, "beaconSentence")->text().contains(QStringLiteral("repeats every")));
        QCOMPARE(test::byName<BeaconTimeStrip>(window, "beaconTimeStrip")->tickCount(), int(top.sessions));
    }

    void enterFiltersTheDataTab()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_beacons));
        window.showTab(MainWindow::Tab::Beacons);
        auto* table = test::byName<QTableView>(window, "beaconsTable");
        table->setFocus();
        // Down moves to the second pair without filtering; Enter filters to it.
        QTest::keyClick(table, Qt::Key_Down);
        QCOMPARE(table->currentIndex().row(), 1);
        QVERIFY(!window.viewFilter().isActive());
        QSignalSpy changed(&window, &MainWindow::viewFilterChanged);
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(changed.count(), 1);
        const uint index = table->currentIndex().data(BeaconsModel::PairIndexRole).toUInt();
        const BeaconPair& pair = window.snapshot().behaviour->beacons.pairs[index];
        QVERIFY(window.viewFilter().hasPair());
        QCOMPARE(window.viewFilter().pair->srcIp, pair.srcIp);
        QCOMPARE(window.viewFilter().pair->dstIp, pair.dstIp);
        QCOMPARE(window.viewFilter().pair->dstPort, pair.dstPort);
        // The Data tab shows the pair's rows (every one has a start time in generated data).
        auto* data = test::byName<DataView>(window, "dataTab");
        QCOMPARE(data->shownRowCount(), pair.sessions);
        // The bar above the tabs names the pair and clears it.
        auto* bar = test::byName<QLabel>(window, "viewFilterText");
        const PairFilter filter = *window.viewFilter().pair;
        QVERIFY(bar->text().contains(pairName(*window.snapshot().data->table.strings, filter)));
        window.clearViewFilter();
        QVERIFY(!window.viewFilter().isActive());
        QCOMPARE(data->shownRowCount(), window.snapshot().data->table.rowCount());
    }

    void refitKeepsTheBehaviour()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_beacons));
        const auto behaviour = window.snapshot().behaviour;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.runDetector();
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().behaviour, behaviour);
    }

    void emptyStateSaysTheMinimum()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, m_few));
        auto* stack = test::byName<QTableView>(window, "beaconsTable")->parentWidget();
        auto* empty = test::byName<QLabel>(window, "beaconsEmpty");
        QCOMPARE(qobject_cast<QStackedWidget*>(stack)->currentWidget(), empty);
        QVERIFY2(empty->text().contains(QStringLiteral("10 sessions")), qPrintable(empty->text()));
    }

    void intervalBinsAreLogSpaced()
    {
        const IntervalBins bins = binIntervals({60.0, 61.0, 59.0, 120.0, 0.0}, 4);
        // 0 s counts in the first bin (from 0.1 s); 120 s ends the last decade at 1000 s.
        QCOMPARE(bins.edges.front(), 0.1);
        QCOMPARE(bins.edges.back(), 1000.0);
        QCOMPARE(bins.counts.size(), std::size_t(16));
        double total = 0.0;
        for (double count : bins.counts)
            total += count;
        QCOMPARE(total, 5.0);
        QCOMPARE(bins.counts.front(), 1.0);
        QCOMPARE(bins.maxCount, 3.0);
    }

private:
    QTemporaryDir m_settings;
    QTemporaryDir m_dir;
    QString m_beacons;
    QString m_few;
};

QTEST_MAIN(TestBeacons)
#include "tst_beacons.moc"

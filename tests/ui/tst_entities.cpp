// Who and when: the Entities model and tab, the Timeline chart, and the filter they set on the
// other views (Data tab, suspicious list), with its bar above the tabs.
#include "ui/charts/anomalyscatter.h"
#include <QWidget>
#include "tests/ui/widgetlookup.h"
#include "core/context/ipenricher.h"
#include "core/io/csvreader.h"
#include "ui/analysisworker.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/timelinechart.h"
#include "ui/entitiesmodel.h"
#include "ui/mainwindow.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"

#include <QAbstractItemModelTester>

#include <algorithm>
#include <limits>
#include <QRegularExpression>
#include <QAbstractSeries>
#include <QChart>
#include <QElapsedTimer>
#include <QSet>
#include <QFile>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <numeric>

using namespace webthreat;

namespace {

constexpr int kLoadTimeoutMs = 60000;

Instant at(const char* text)
{
    return *parseTimestamp(text);
}

// 1.1.1.1: 20 sessions every 6 minutes from 10:00; 2.2.2.2: 30 every 20 minutes from 08:00;
// 3.3.3.3: 10 every minute from 15:00. All on 2024-04-25; the span (08:00-17:40) gives 5-minute
// buckets starting at 08:00.
std::string handMadeTraffic()
{
    std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
                       "dst_port,dst_ip\n";
    const auto row = [&](int bytesIn, int bytesOut, int minuteOfDay, const char* ip, const char* country, int port) {
        char line[256];
        std::snprintf(line, sizeof line,
                      "%d,%d,2024-04-25T%02d:%02d:00Z,2024-04-25T%02d:%02d:30Z,%s,%s,HTTPS,200,%d,10.0.0.1\n", bytesIn,
                      bytesOut, minuteOfDay / 60, minuteOfDay % 60, minuteOfDay / 60, minuteOfDay % 60, ip, country,
                      port);
        text += line;
    };
    for (int i = 0; i < 20; ++i)
        row(1000 + i, 2000 + i, 600 + 6 * i, "1.1.1.1", "US", i % 4 == 0 ? 80 : 443);
    for (int j = 0; j < 30; ++j)
        row(500 + j, 700 + j, 480 + 20 * j, "2.2.2.2", "DE", 443);
    for (int k = 0; k < 10; ++k)
        row(90000 + k, 5000000 + k, 900 + k, "3.3.3.3", "CN", 4444);
    return text;
}

AnalysisSnapshot snapshotOf(const std::string& text, std::shared_ptr<const IpEnricher> enricher = {})
{
    CleanParams clean;
    clean.enricher = std::move(enricher);
    auto data = prepareTable(readTrafficCsvText(text, "hand.csv"), clean);
    auto aggregates = aggregateTraffic(data->table);
    auto detection = detect(*data, DetectorParams());
    return assessSnapshot(data, detection, Contamination::fromValue(0.2), aggregates);
}

// Rows the scatter draws, from its legend ("Normal (12)", "Suspicious (all 3)").
int rowsInScatter(MainWindow& window)
{
    static const QRegularExpression count(QStringLiteral("(\\d[\\d,]*)\\)$"));
    int total = 0;
    for (QAbstractSeries* series :
         test::byName<AnomalyScatter>(window, "anomalyScatter")->chartView()->chart()->series()) {
        const QRegularExpressionMatch match = count.match(series->name());
        if (match.hasMatch() && series->isVisible())
            total += match.captured(1).remove(QLatin1Char(',')).toInt();
    }
    return total;
}

int proxyRowOf(const QSortFilterProxyModel& proxy, const QString& ip)
{
    for (int row = 0; row < proxy.rowCount(); ++row) {
        if (proxy.index(row, EntitiesModel::SourceIp).data().toString() == ip)
            return row;
    }
    return -1;
}

} // namespace

class TestEntitiesView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("hand.csv"));
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(handMadeTraffic()));
    }

    // Issue 20: with the location database, a Network column per source, and the same in the Data tab.
    void networkColumnsWithTheLocationDatabase()
    {
        if (!QFile::exists(QStringLiteral("/var/lib/location/database.db")))
            QSKIP("libloc-database is not installed");
        const AnalysisSnapshot snapshot = snapshotOf(handMadeTraffic(), IpEnricher::open());
        EntitiesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(snapshot);
        QCOMPARE(model.columnCount(), int(EntitiesModel::ColumnCount));
        QCOMPARE(model.headerData(EntitiesModel::Network, Qt::Horizontal).toString(), QStringLiteral("Network"));
        // Most sessions first: 2.2.2.2, 1.1.1.1, 3.3.3.3.
        QCOMPARE(model.index(1, EntitiesModel::Network).data().toString(),
                 QStringLiteral("AS13335 CLOUDFLARENET, AU; anycast"));
        QCOMPARE(model.index(1, EntitiesModel::Network).data(EntitiesModel::SortKeyRole).toDouble(), 13335.0);

        TrafficTableModel traffic;
        QAbstractItemModelTester trafficTester(&traffic, QAbstractItemModelTester::FailureReportingMode::QtTest);
        traffic.setSnapshot(snapshot);
        int asn = -1, org = -1, mismatch = -1;
        for (int column = 0; column < traffic.columnCount(); ++column) {
            const QString name = traffic.headerData(column, Qt::Horizontal).toString();
            asn = name == QStringLiteral("src_asn") ? column : asn;
            org = name == QStringLiteral("src_as_org") ? column : org;
            mismatch = name == QStringLiteral("country_mismatch") ? column : mismatch;
        }
        QVERIFY(asn >= 0 && org >= 0 && mismatch >= 0);
        // Row 0 is 1.1.1.1 with the file's US; the database says AU.
        QCOMPARE(traffic.index(0, asn).data().toString(), QStringLiteral("13335"));
        QCOMPARE(traffic.index(0, org).data().toString(), QStringLiteral("CLOUDFLARENET"));
        QCOMPARE(traffic.index(0, mismatch).data().toString(), QStringLiteral("1"));
        QCOMPARE(traffic.sortKeys(asn)[0], 13335.0);
    }

    void modelShowsEachSource()
    {
        const AnalysisSnapshot snapshot = snapshotOf(handMadeTraffic());
        EntitiesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(snapshot);
        QCOMPARE(model.rowCount(), 3);
        // Without the location database, no Network column.
        QCOMPARE(model.columnCount(), int(EntitiesModel::Network));
        // Most sessions first: 2.2.2.2 (30), 1.1.1.1 (20), 3.3.3.3 (10).
        QCOMPARE(model.index(0, EntitiesModel::SourceIp).data().toString(), QStringLiteral("2.2.2.2"));
        QCOMPARE(model.index(0, EntitiesModel::Sessions).data().toString(), QStringLiteral("30"));
        QCOMPARE(model.index(1, EntitiesModel::Countries).data().toString(), QStringLiteral("US"));
        QCOMPARE(model.index(1, EntitiesModel::Ports).data().toString(), QStringLiteral("443, 80"));
        QCOMPARE(model.index(1, EntitiesModel::FirstSeen).data().toString(), QStringLiteral("2024-04-25 10:00"));
        QCOMPARE(model.index(1, EntitiesModel::LastSeen).data().toString(), QStringLiteral("2024-04-25 11:54"));
        // When comes before the wide countries and ports, so that Last seen is on screen at 1280x800.
        QCOMPARE(model.headerData(EntitiesModel::LastSeen, Qt::Horizontal).toString(), QStringLiteral("Last seen (UTC)"));
        QCOMPARE(int(EntitiesModel::LastSeen), 8); // after the IP, verdict, counts, score and bytes
        QCOMPARE(model.headerData(EntitiesModel::Verdict, Qt::Horizontal).toString(), QStringLiteral("Verdict"));
        QCOMPARE(model.headerData(model.columnCount() - 1, Qt::Horizontal).toString(), QStringLiteral("Ports"));
        // 3.3.3.3 sent 10 x 5 MB: bytes are formatted with units, the tooltip has the exact count.
        QCOMPARE(model.index(2, EntitiesModel::BytesOut).data().toString(), QStringLiteral("50.0 MB"));
        QVERIFY(
            model.index(2, EntitiesModel::BytesOut).data(Qt::ToolTipRole).toString().startsWith("50,000,045 bytes"));

        // The suspicious counts add up to the verdicts', and each lowest score is its rows' minimum.
        std::size_t suspicious = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            suspicious += model.index(row, EntitiesModel::Suspicious).data(EntitiesModel::SortKeyRole).toULongLong();
        QCOMPARE(suspicious, snapshot.verdicts->suspiciousCount);
        const TrafficTable& table = snapshot.data->table;
        double lowest = 0.0;
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            if (table.text(Field::SrcIp, row) == "3.3.3.3")
                lowest = std::min(lowest, snapshot.detection->scores.scores()[row]);
        }
        QCOMPARE(model.index(2, EntitiesModel::LowestScore).data(EntitiesModel::SortKeyRole).toDouble(), lowest);
        QCOMPARE(model.index(2, EntitiesModel::LowestScore).data().toString(), QString::number(lowest, 'f', 4));

        // A new threshold changes only the detector's columns.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.updateVerdicts(
            assessSnapshot(snapshot.data, snapshot.detection, Contamination::fromValue(0.5), snapshot.aggregates));
        QCOMPARE(changed.count(), 1);
        suspicious = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            suspicious += model.index(row, EntitiesModel::Suspicious).data(EntitiesModel::SortKeyRole).toULongLong();
        QCOMPARE(suspicious, std::size_t(30));
    }

    void proxySortsAndFinds()
    {
        const AnalysisSnapshot snapshot = snapshotOf(handMadeTraffic());
        EntitiesModel model;
        EntitiesProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(snapshot);
        proxy.sort(EntitiesModel::SourceIp, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("1.1.1.1"));
        QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("3.3.3.3"));
        proxy.sort(EntitiesModel::BytesOut, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("3.3.3.3"));
        proxy.sort(EntitiesModel::Sessions, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("3.3.3.3"));
        QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("2.2.2.2"));
        proxy.setIpFilter(QStringLiteral("2.2"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setIpFilter(QString());
        QCOMPARE(proxy.rowCount(), 3);
    }

    void selectingSourcesAndAPeriodFiltersTheOtherViews()
    {
        MainWindow window;
        window.resize(1280, 800);
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(m_path);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 60);
        QCOMPARE(test::byName<EntitiesModel>(window, "entitiesModel")->rowCount(), 3);
        QVERIFY(test::byName<QWidget>(window, "viewFilterBar")->isHidden());
        const int suspiciousAll = test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount();

        // Select 1.1.1.1 in the Entities view.
        window.showTab(MainWindow::Tab::Entities);
        QSignalSpy filterChanged(&window, &MainWindow::viewFilterChanged);
        const int row
            = proxyRowOf(*test::byName<EntitiesProxyModel>(window, "entitiesProxy"), QStringLiteral("1.1.1.1"));
        QVERIFY(row >= 0);
        test::byName<QTableView>(window, "entitiesView")
            ->selectionModel()
            ->select(test::byName<EntitiesProxyModel>(window, "entitiesProxy")->index(row, 0),
                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(filterChanged.count(), 1);
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 20);
        QVERIFY(!test::byName<QWidget>(window, "viewFilterBar")->isHidden());
        QVERIFY2(test::byName<QLabel>(window, "viewFilterText")->text().contains("1.1.1.1"),
                 qPrintable(test::byName<QLabel>(window, "viewFilterText")->text()));
        QVERIFY2(test::byName<QLabel>(window, "viewFilterText")->text().contains("20 of 60 rows"),
                 qPrintable(test::byName<QLabel>(window, "viewFilterText")->text()));
        // The suspicious list keeps only that source's suspicious rows, in rank order.
        const Verdicts& verdicts = *window.snapshot().verdicts;
        const TrafficTable& table = window.snapshot().data->table;
        int expectedSuspicious = 0;
        for (std::size_t r = 0; r < table.rowCount(); ++r)
            expectedSuspicious += verdicts.isSuspicious(r) && table.text(Field::SrcIp, r) == "1.1.1.1";
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), expectedSuspicious);
        for (int position = 0; position < test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount();
             ++position)
            QCOMPARE(table.text(Field::SrcIp,
                                test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->tableRow(position)),
                     std::string_view("1.1.1.1"));
        // The scatter draws that source's 20 rows only; the timeline draws its sessions over all.
        QCOMPARE(rowsInScatter(window), 20);
        const auto& perBucket = test::byName<TimelineChart>(window, "timelineChart")->sourceSessions();
        QCOMPARE(std::accumulate(perBucket.begin(), perBucket.end(), std::uint64_t(0)), std::uint64_t(20));

        // A refit keeps the filter and shows the source still selected.
        QSignalSpy refitted(&window, &MainWindow::analysisReady);
        window.runDetector();
        QVERIFY(refitted.wait(kLoadTimeoutMs));
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 20);
        QCOMPARE(test::byName<QTableView>(window, "entitiesView")->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(test::byName<QTableView>(window, "entitiesView")
                     ->selectionModel()
                     ->selectedRows()
                     .front()
                     .data()
                     .toString(),
                 QStringLiteral("1.1.1.1"));

        // Adding 3.3.3.3 to the selection: 30 rows.
        const int other
            = proxyRowOf(*test::byName<EntitiesProxyModel>(window, "entitiesProxy"), QStringLiteral("3.3.3.3"));
        test::byName<QTableView>(window, "entitiesView")
            ->selectionModel()
            ->select(test::byName<EntitiesProxyModel>(window, "entitiesProxy")->index(other, 0),
                     QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 30);
        QCOMPARE(window.viewFilter().sourceIps.size(), std::size_t(2));

        // AND a period: buckets 24..35 are 10:00 to 11:00 (5-minute buckets from 08:00).
        TimelineChart* timeline = test::byName<TimelineChart>(window, "timelineChart");
        timeline->selectBuckets(24, 35);
        QCOMPARE(*window.viewFilter().from, at("2024-04-25T10:00:00Z"));
        QCOMPARE(*window.viewFilter().to, at("2024-04-25T11:00:00Z"));
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(),
                 10); // 1.1.1.1 at 10:00, 10:06, ... 10:54
        QCOMPARE(rowsInScatter(window), 10);
        // The timeline still draws both sources over the whole span; the period is its shading.
        const auto& bothSources = test::byName<TimelineChart>(window, "timelineChart")->sourceSessions();
        QCOMPARE(std::accumulate(bothSources.begin(), bothSources.end(), std::uint64_t(0)), std::uint64_t(30));
        if (!qEnvironmentVariableIsEmpty("WEBTHREAT_TEST_SCREENSHOTS")) {
            const QString folder = qEnvironmentVariable("WEBTHREAT_TEST_SCREENSHOTS");
            for (const auto& [tab, name] : {std::pair{MainWindow::Tab::Timeline, "sources_and_period_timeline"},
                                            std::pair{MainWindow::Tab::Anomalies, "sources_and_period_anomalies"},
                                            std::pair{MainWindow::Tab::Entities, "sources_and_period_entities"}}) {
                window.showTab(tab);
                window.grab().save(folder + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
            }
        }
        QVERIFY(test::byName<QLabel>(window, "viewFilterText")
                    ->text()
                    .contains("2024-04-25 10:00 to 2024-04-25 11:00 UTC"));
        QVERIFY(timeline->selectedPeriod().has_value());
        // The Entities view lists the sources active in the period with the period's figures:
        // 3.3.3.3 (15:00) is hidden, and so leaves the selection; the filter still names it.
        QCOMPARE(test::byName<EntitiesProxyModel>(window, "entitiesProxy")->rowCount(), 2);
        const int inPeriodRow
            = proxyRowOf(*test::byName<EntitiesProxyModel>(window, "entitiesProxy"), QStringLiteral("1.1.1.1"));
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return test::byName<EntitiesProxyModel>(window, "entitiesProxy")->index(row, column).data(role).toString();
        };
        QCOMPARE(cell(inPeriodRow, EntitiesModel::InPeriod), QStringLiteral("10 of 20"));
        QCOMPARE(cell(1 - inPeriodRow, EntitiesModel::InPeriod), QStringLiteral("3 of 30"));
        QCOMPARE(cell(inPeriodRow, EntitiesModel::Sessions), QStringLiteral("10"));
        // 1.1.1.1 at 10:00 to 10:54 sent 1000 to 1009 bytes in; 2.2.2.2 at 10:00, 10:20, 10:40 506 to 508.
        QVERIFY2(cell(inPeriodRow, EntitiesModel::BytesIn, Qt::ToolTipRole).startsWith(QStringLiteral("10,045 bytes")),
                 qPrintable(cell(inPeriodRow, EntitiesModel::BytesIn, Qt::ToolTipRole)));
        QVERIFY(
            cell(1 - inPeriodRow, EntitiesModel::BytesIn, Qt::ToolTipRole).startsWith(QStringLiteral("1,521 bytes")));
        QCOMPARE(cell(inPeriodRow, EntitiesModel::FirstSeen, Qt::ToolTipRole), QStringLiteral("2024-04-25T10:00:00Z"));
        QCOMPARE(cell(inPeriodRow, EntitiesModel::LastSeen, Qt::ToolTipRole), QStringLiteral("2024-04-25T10:54:00Z"));
        QCOMPARE(test::byName<EntitiesProxyModel>(window, "entitiesProxy")
                     ->headerData(EntitiesModel::Sessions, Qt::Horizontal)
                     .toString(),
                 QStringLiteral("Sessions (period)"));
        // The period's suspicious sessions and lowest score follow the slider, from the window's
        // own verdicts, at two contaminations.
        for (double contamination : {0.5, 0.05}) {
            QSignalSpy applied(&window, &MainWindow::verdictsApplied);
            window.setContamination(Contamination::fromValue(contamination));
            QVERIFY(applied.wait(kLoadTimeoutMs));
            const int row
                = proxyRowOf(*test::byName<EntitiesProxyModel>(window, "entitiesProxy"), QStringLiteral("1.1.1.1"));
            const auto& table = window.snapshot().data->table;
            const auto& verdicts = *window.snapshot().verdicts;
            const auto& scores = window.snapshot().detection->scores.scores();
            std::uint32_t suspicious = 0;
            double lowest = std::numeric_limits<double>::infinity();
            for (std::size_t r = 0; r < table.rowCount(); ++r) {
                const Instant created = table.column(Field::CreationTime).integers[r];
                if (table.text(Field::SrcIp, r) == "1.1.1.1" && created >= at("2024-04-25T10:00:00Z")
                    && created < at("2024-04-25T11:00:00Z")) {
                    suspicious += verdicts.isSuspicious(r);
                    lowest = std::min(lowest, scores[r]);
                }
            }
            QCOMPARE(cell(row, EntitiesModel::Suspicious).section(QLatin1Char(' '), 0, 0), QString::number(suspicious));
            QCOMPARE(cell(row, EntitiesModel::LowestScore), QString::number(lowest, 'f', 4));
            if (contamination == 0.5)
                QVERIFY(suspicious > 0);
        }
        QCOMPARE(test::byName<QTableView>(window, "entitiesView")->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(window.viewFilter().sourceIps.size(), std::size_t(2));

        // The period alone: 1.1.1.1's ten and 2.2.2.2 at 10:00, 10:20 and 10:40.
        test::byName<QTableView>(window, "entitiesView")->clearSelection();
        QVERIFY(!window.viewFilter().hasSources());
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 13);

        // Clear restores everything.
        window.clearViewFilter();
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 60);
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), suspiciousAll);
        QCOMPARE(rowsInScatter(window), 60);
        QVERIFY(test::byName<TimelineChart>(window, "timelineChart")->sourceSessions().empty());
        QVERIFY(test::byName<QWidget>(window, "viewFilterBar")->isHidden());
        QVERIFY(!timeline->selectedPeriod().has_value());
        QVERIFY(!window.viewFilter().isActive());
        QCOMPARE(test::byName<EntitiesProxyModel>(window, "entitiesProxy")->rowCount(), 3);
        QVERIFY(test::byName<EntitiesProxyModel>(window, "entitiesProxy")
                    ->index(0, EntitiesModel::InPeriod)
                    .data()
                    .toString()
                    .isEmpty());
    }

    void dragOverTheTimelineSelectsWholeBuckets()
    {
        MainWindow window;
        window.resize(1280, 800);
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(m_path);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        window.showTab(MainWindow::Tab::Timeline);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TimelineChart* timeline = test::byName<TimelineChart>(window, "timelineChart");
        const QRectF area = timeline->chartView()->chart()->plotArea();
        // Left edge to the middle of the plot: from the first bucket to the one under the middle.
        const auto period = timeline->periodForDrag(area.left(), area.center().x());
        QVERIFY(period.has_value());
        QCOMPARE(period->first, at("2024-04-25T08:00:00Z"));
        QVERIFY(period->second > at("2024-04-25T08:00:00Z") && period->second < at("2024-04-25T18:00:00Z"));
        QCOMPARE((period->second - period->first) % (5 * 60 * kMicrosPerSecond), Instant(0));
        // A drag by mouse does the same and filters the views.
        const QPoint from = timeline->chartView()->mapFromScene(area.left() + 1, area.center().y());
        const QPoint to = timeline->chartView()->mapFromScene(area.center().x(), area.center().y());
        QSignalSpy selected(timeline, &TimelineChart::periodSelected);
        QTest::mousePress(timeline->chartView()->viewport(), Qt::LeftButton, {}, from);
        QTest::mouseMove(timeline->chartView()->viewport(), to);
        QTest::mouseRelease(timeline->chartView()->viewport(), Qt::LeftButton, {}, to);
        QCOMPARE(selected.count(), 1);
        QVERIFY(window.viewFilter().hasPeriod());
        const int shown = test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount();
        QVERIFY(shown > 0 && shown < 60);
        if (!qEnvironmentVariableIsEmpty("WEBTHREAT_TEST_SCREENSHOTS"))
            window.grab().save(qEnvironmentVariable("WEBTHREAT_TEST_SCREENSHOTS")
                               + QStringLiteral("/timeline_filtered.png"));
    }

    void timelineSaysWhatItDraws()
    {
        TimelineChart chart;
        QVERIFY(chart.axisTitle(Qt::AlignLeft).isEmpty());
        chart.setSnapshot(snapshotOf(handMadeTraffic()));
        QCOMPARE(chart.axisTitle(Qt::AlignLeft), QStringLiteral("Sessions per 5 min (linear scale)"));
        QCOMPARE(chart.axisTitle(Qt::AlignBottom), QStringLiteral("Time (UTC)"));
        QCOMPARE(chart.axisTitle(Qt::AlignRight), QStringLiteral("Suspicious share of sessions"));
        QCOMPARE(chart.dateFormat(), QStringLiteral("HH:mm"));
        // Normal and suspicious areas, and the share as one line per run of non-empty buckets,
        // with one legend entry each.
        int areas = 0;
        int shareRuns = 0;
        for (QAbstractSeries* series : chart.chartView()->chart()->series()) {
            areas += series->type() == QAbstractSeries::SeriesTypeArea;
            shareRuns += series->type() == QAbstractSeries::SeriesTypeLine;
        }
        QCOMPARE(areas, 2);
        QVERIFY(shareRuns > 1); // the hand-made data has empty 5-minute buckets
        QSet<QString> names;
        for (QAbstractSeries* series : chart.chartView()->chart()->series())
            names.insert(series->name());
        QCOMPARE(names, (QSet<QString>{"Normal sessions", "Suspicious sessions", "Suspicious share (right axis)"}));
        chart.setMeasure(TimelineChart::Measure::Bytes);
        QCOMPARE(chart.axisTitle(Qt::AlignLeft), QStringLiteral("Bytes in + out per 5 min (log scale)"));
        // No data: a message, no axes.
        chart.setSnapshot({});
        QVERIFY(chart.chartView()->chart()->series().isEmpty());
    }

    void newFileClearsTheFilter()
    {
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(m_path);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        ViewFilter filter;
        filter.from = at("2024-04-25T10:00:00Z");
        filter.to = at("2024-04-25T11:00:00Z");
        window.setViewFilter(filter);
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 13);
        window.openFile(m_path);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QVERIFY(!window.viewFilter().isActive());
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount(), 60);
        QVERIFY(test::byName<QWidget>(window, "viewFilterBar")->isHidden());
    }

    // With WEBTHREAT_BIG_FILE set (a generated million-row file, say), moves the contamination and
    // checks that the Entities and Timeline views follow; prints what the GUI thread spent.
    void largeFileFollowsTheSlider()
    {
        const QString path = qEnvironmentVariable("WEBTHREAT_BIG_FILE");
        if (path.isEmpty())
            QSKIP("set WEBTHREAT_BIG_FILE to a large traffic CSV to run this");
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(path);
        QVERIFY(ready.wait(600000));
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        for (double contamination : {0.01, 0.1, 0.02}) {
            window.setContamination(Contamination::fromValue(contamination));
            QVERIFY(applied.wait(60000));
            QElapsedTimer timer;
            timer.start();
            QCoreApplication::processEvents();
            std::uint64_t suspicious = 0;
            EntitiesModel* model = test::byName<EntitiesModel>(window, "entitiesModel");
            for (int row = 0; row < model->rowCount(); ++row)
                suspicious
                    += model->index(row, EntitiesModel::Suspicious).data(EntitiesModel::SortKeyRole).toULongLong();
            QCOMPARE(suspicious, std::uint64_t(window.snapshot().verdicts->suspiciousCount));
            const auto& perBucket = window.snapshot().verdictAggregates->timelineSuspicious;
            const std::uint64_t inTimeline = std::accumulate(perBucket.begin(), perBucket.end(), std::uint64_t(0));
            QCOMPARE(inTimeline + 0,
                     std::uint64_t(window.snapshot().verdicts->suspiciousCount)); // every row has a time
            qInfo("contamination %.2f: %llu suspicious", contamination, static_cast<unsigned long long>(suspicious));
        }
        // Selecting the busiest source and clearing it again.
        QElapsedTimer timer;
        timer.start();
        test::byName<QTableView>(window, "entitiesView")
            ->selectionModel()
            ->select(test::byName<EntitiesProxyModel>(window, "entitiesProxy")->index(0, 0),
                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const qint64 selectMs = timer.restart();
        QCOMPARE(
            std::uint64_t(test::byName<TrafficProxyModel>(window, "trafficProxy")->rowCount()),
            window.snapshot()
                .aggregates->entities
                .entities[static_cast<std::size_t>(
                    test::byName<EntitiesModel>(window, "entitiesModel")->rowOf(window.viewFilter().sourceIps.front()))]
                .sessions);
        window.clearViewFilter();
        qInfo("select the busiest source: %lld ms on the GUI thread; clear: %lld ms", selectMs, timer.elapsed());
    }

    void timelineIsExportedWithTheOtherCharts()
    {
        MainWindow window;
        bool found = false;
        for (ChartView* view : window.findChildren<ChartView*>())
            found = found || view->fileStem() == QStringLiteral("timeline");
        QVERIFY(found);
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

QTEST_MAIN(TestEntitiesView)
#include "tst_entities.moc"

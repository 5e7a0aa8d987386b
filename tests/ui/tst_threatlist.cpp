// ui/threatlistworkflow: Context > Load Threat List in the real window (offscreen): a list read on
// the worker marks the rows whose addresses are on it in the Data tab (a threat_lists column and
// the "On a threat list" filter), the suspicious list, Entities, Row details ("src_ip ... is on
// list 'abuse-ip' (..., line 2)") and the status bar's count; the list is remembered; a bad list
// is refused with file:line:column and the lists already loaded stay; removing one takes its
// marks away. On a small hand-made file: the scatter crosses exactly the listed rows, the timeline
// counts them per bucket, the Beacons tab names the lists of a pair, the Overview says how many
// rows and sources; each follows the view filter and goes when the lists do.
#include "core/io/trafficfile.h"
#include "generator/generator.h"
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/beaconsmodel.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/timelinechart.h"
#include "ui/detailpanel.h"
#include "ui/entitiesmodel.h"
#include "ui/mainwindow.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/threatlistworkflow.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"

#include <QAbstractItemModelTester>
#include <QAbstractSeries>
#include <QChart>
#include <QComboBox>
#include <QLegend>
#include <QLegendMarker>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTableView>
#include <QTest>

#include <fstream>
#include <set>
#include <sstream>

using namespace webthreat;

namespace {

QString writeGenerated(const QTemporaryDir& dir, std::size_t rows)
{
    GeneratorParams params;
    params.rows = rows;
    params.seed = 20;
    const QString path = dir.filePath(QStringLiteral("traffic.csv"));
    std::ofstream out(path.toStdString());
    generateTraffic(out, params);
    return path;
}

QString writeText(const QTemporaryDir& dir, const QString& name, const std::string& text)
{
    const QString path = dir.filePath(name);
    std::ofstream(path.toStdString()) << text;
    return path;
}

int columnNamed(const QAbstractItemModel& model, const QString& name)
{
    for (int column = 0; column < model.columnCount(); ++column)
        if (model.headerData(column, Qt::Horizontal).toString() == name)
            return column;
    return -1;
}

// 44 rows between 03:00 and 04:55: a pair 10.0.0.1 -> 203.0.113.50:443 every 10 minutes (12
// sessions), a pair 10.0.0.2 -> 10.1.0.9:443 likewise, and 20 sources 10.0.0.3 to 10.0.0.22 with
// one session each to 10.1.0.1:80.
QString writeHandMade(const QTemporaryDir& dir)
{
    std::ostringstream csv;
    csv << "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
           "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types\n";
    const auto at = [](int minutes) {
        char text[32];
        std::snprintf(text, sizeof text, "2024-04-26T%02d:%02d:00Z", 3 + minutes / 60, minutes % 60);
        return std::string(text);
    };
    const auto row = [&](int in, int out, int minutes, const std::string& src, int port, const std::string& dst) {
        csv << in << ',' << out << ',' << at(minutes) << ',' << at(minutes + 1) << ',' << src << ",NL,HTTPS,200,"
            << port << ',' << dst << ",r,o,m,n," << at(minutes) << ",waf\n";
    };
    for (int i = 0; i < 12; ++i) {
        row(1200 + i, 300 + i, 10 * i, "10.0.0.1", 443, "203.0.113.50");
        row(800 + 3 * i, 5000 + 11 * i, 10 * i + 3, "10.0.0.2", 443, "10.1.0.9");
    }
    for (int k = 0; k < 20; ++k)
        row(100 + 37 * k, 2000 + 91 * k, 5 + 5 * k, "10.0.0." + std::to_string(k + 3), 80, "10.1.0.1");
    return writeText(dir, QStringLiteral("handmade.csv"), csv.str());
}

} // namespace

class TestThreatListWorkflow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_threatlist"))); }

    void marksRowsInEveryView()
    {
        QVERIFY(m_dataDir.isValid());
        const QString data = writeGenerated(m_dataDir, 3000);
        MainWindow window;
        QVERIFY(test::openAndWait(window, data));
        const AnalysisSnapshot& shown = window.snapshot();
        QVERIFY(shown.hasDetection());
        // The list names the most anomalous row's source: the suspicious list then has a marked row.
        const std::size_t top = shown.findings->suspiciousRows.front();
        const std::string source(shown.data->table.text(Field::SrcIp, top));
        const QString list = writeText(m_dataDir, QStringLiteral("abuse-ip.txt"),
                                       "# abuse-ip: test list\n" + source + "/32 # the top source\n"
                                           "2001:db8:bad::/48\n");

        auto* workflow = window.findChild<ThreatListWorkflow*>();
        QVERIFY(workflow);
        auto* traffic = window.findChild<TrafficTableModel*>(QStringLiteral("trafficModel"));
        QVERIFY(traffic);
        QAbstractItemModelTester tester(traffic, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(columnNamed(*traffic, QStringLiteral("threat_lists")), -1);

        QSignalSpy matched(workflow, &ThreatListWorkflow::matched);
        workflow->loadList(list);
        QVERIFY(matched.wait(test::kLoadTimeoutMs));
        QCOMPARE(workflow->lists().size(), std::size_t{1});
        QCOMPARE(workflow->lists()[0]->name, std::string("abuse-ip"));
        QVERIFY(window.snapshot().threatMatches);

        // Data: the column, and the filter choice.
        const int column = columnNamed(*traffic, QStringLiteral("threat_lists"));
        QVERIFY(column >= 0);
        QCOMPARE(traffic->index(static_cast<int>(top), column).data().toString(), QStringLiteral("abuse-ip"));
        std::size_t fromSource = 0;
        for (std::size_t row = 0; row < shown.data->table.rowCount(); ++row)
            fromSource += shown.data->table.text(Field::SrcIp, row) == source;
        auto* filter = window.findChild<QComboBox*>(QStringLiteral("triageFilter"));
        QVERIFY(filter);
        filter->setCurrentIndex(filter->findText(QStringLiteral("On a threat list")));
        auto* proxy = window.findChild<TrafficProxyModel*>(QStringLiteral("trafficProxy"));
        QVERIFY(proxy);
        QTRY_COMPARE(static_cast<std::size_t>(proxy->rowCount()), fromSource);
        filter->setCurrentIndex(0);

        // The suspicious list: the most anomalous row is first.
        auto* suspicious = window.findChild<SuspiciousRowsModel*>(QStringLiteral("suspiciousModel"));
        QVERIFY(suspicious);
        QCOMPARE(suspicious->index(0, SuspiciousRowsModel::ThreatLists).data().toString(), QStringLiteral("abuse-ip"));

        // Entities: the source's row says so.
        auto* entities = window.findChild<EntitiesModel*>(QStringLiteral("entitiesModel"));
        QVERIFY(entities);
        int onList = 0;
        for (int row = 0; row < entities->rowCount(); ++row)
            if (entities->index(row, EntitiesModel::ThreatLists).data().toString() == QStringLiteral("abuse-ip")) {
                ++onList;
                QCOMPARE(entities->index(row, EntitiesModel::SourceIp).data().toString(), QString::fromStdString(source));
            }
        QCOMPARE(onList, 1);

        // Row details: the sentence with the entry and its line.
        auto* details = window.findChild<DetailPanel*>();
        QVERIFY(details);
        details->showRow(top);
        QVERIFY2(details->headline().contains(QStringLiteral("src_ip %1 is on list 'abuse-ip'</span> (%1, line 2)")
                                                  .arg(QString::fromStdString(source))),
                 qPrintable(details->headline()));

        // The count, in the status bar and the findings.
        const ThreatFindings& findings = *window.snapshot().threatFindings;
        QCOMPARE(findings.lists.size(), std::size_t{1});
        QCOMPARE(findings.lists[0].sourceRows, fromSource);
        QVERIFY(findings.lists[0].suspiciousRows >= 1);
        QCOMPARE(findings.lists[0].suspiciousSources, std::size_t{1});
        auto* status = window.findChild<QLabel*>(QStringLiteral("threatListStatus"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("1 suspicious row from 1 source on 'abuse-ip'")), qPrintable(status->text()));

        // Remembered for the next start.
        QCOMPARE(QSettings().value(QStringLiteral("threatLists/files")).toStringList(), QStringList{list});

        // A bad list: refused with file:line:column, the loaded one stays.
        const QString bad = writeText(m_dataDir, QStringLiteral("bad.txt"), "203.0.113.7\n\n  not-an-ip\n");
        QSignalSpy failed(workflow, &ThreatListWorkflow::failed);
        workflow->loadList(bad);
        QVERIFY(failed.wait(test::kLoadTimeoutMs));
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("bad.txt:3:3: 'not-an-ip' is not an address")),
                 qPrintable(failed.first().at(1).toString()));
        QCOMPARE(workflow->lists().size(), std::size_t{1});
        QCOMPARE(QSettings().value(QStringLiteral("threatLists/files")).toStringList(), QStringList{list});

        // Removing it takes the column and the count away.
        matched.clear();
        workflow->removeList(QStringLiteral("abuse-ip"));
        QVERIFY(matched.wait(test::kLoadTimeoutMs));
        QVERIFY(workflow->lists().empty());
        QCOMPARE(columnNamed(*traffic, QStringLiteral("threat_lists")), -1);
        QVERIFY(!window.snapshot().threatMatches);
        QVERIFY(status->text().isEmpty());
        QVERIFY(QSettings().value(QStringLiteral("threatLists/files")).toStringList().isEmpty());
    }

    void marksTheChartsAndBeacons()
    {
        QSettings().remove(QStringLiteral("threatLists/files"));
        const QString data = writeHandMade(m_dataDir);
        MainWindow window;
        QVERIFY(test::openAndWait(window, data));
        const AnalysisSnapshot& shown = window.snapshot();
        const TrafficTable& table = shown.data->table;
        QCOMPARE(table.rowCount(), std::size_t{44});
        // The destination's network and one of the single sources.
        const QString list = writeText(m_dataDir, QStringLiteral("bad-net.txt"), "203.0.113.0/24 # the C2\n10.0.0.5\n");
        std::set<std::size_t> listed; // by the addresses' text, not through the matches
        for (std::size_t row = 0; row < table.rowCount(); ++row)
            if (table.text(Field::DstIp, row) == "203.0.113.50" || table.text(Field::SrcIp, row) == "10.0.0.5")
                listed.insert(row);
        QCOMPARE(listed.size(), std::size_t{13});

        auto* scatter = test::byName<AnomalyScatter>(window, "anomalyScatter");
        auto* timeline = window.findChild<TimelineChart*>();
        QVERIFY(timeline);
        auto* overview = window.findChild<OverviewCharts*>();
        QVERIFY(overview);
        auto* beacons = test::byName<BeaconsModel>(window, "beaconsModel");
        auto* beaconsTable = test::byName<QTableView>(window, "beaconsTable");
        QCOMPARE(beacons->rowCount(), 2);
        QVERIFY(scatter->listedPointRows().empty());
        QVERIFY(scatter->listedLegendName().isEmpty());
        QVERIFY(timeline->listedSessions().empty());
        QVERIFY(overview->threatListText().isEmpty());
        QVERIFY(beaconsTable->isColumnHidden(BeaconsModel::Lists));

        auto* workflow = window.findChild<ThreatListWorkflow*>();
        QSignalSpy matched(workflow, &ThreatListWorkflow::matched);
        workflow->loadList(list);
        QVERIFY(matched.wait(test::kLoadTimeoutMs));
        QVERIFY(window.snapshot().threatMatches);

        // The scatter: one cross per listed row, whether or not its point is in the sample.
        const std::vector<std::size_t>& crossed = scatter->listedPointRows();
        QCOMPARE(std::set<std::size_t>(crossed.begin(), crossed.end()), listed);
        QCOMPARE(crossed.size(), std::size_t{13});
        QCOMPARE(scatter->listedLegendName(), QStringLiteral("Threat list (13)"));
        // Beside it the legend has no room for the selected row's entry: the ring stays, the entry goes.
        const auto selectionEntryShown = [scatter] {
            for (QAbstractSeries* series : scatter->chartView()->chart()->series())
                if (series->objectName() == QLatin1String("selectedRow"))
                    for (QLegendMarker* marker : scatter->chartView()->chart()->legend()->markers(series))
                        return series->isVisible() && marker->isVisible();
            return false;
        };
        scatter->setSelectedRow(*listed.begin());
        QVERIFY(!selectionEntryShown());

        // The timeline: the listed rows per bucket.
        const Timeline& buckets = shown.aggregates->timeline;
        std::vector<std::uint64_t> perBucket(buckets.bucketCount(), 0);
        for (const std::size_t row : listed)
            ++perBucket[buckets.bucketOf(table.column(Field::CreationTime).integers[row])];
        QCOMPARE(timeline->listedSessions(), perBucket);
        QCOMPARE(timeline->listedLegendName(), QStringLiteral("On a threat list (13 sessions)"));

        // Beacons: the pair to the listed network names the list; the other pair nothing.
        QVERIFY(!beaconsTable->isColumnHidden(BeaconsModel::Lists));
        int namedPairs = 0;
        for (int row = 0; row < beacons->rowCount(); ++row) {
            const QString text = beacons->index(row, BeaconsModel::Lists).data().toString();
            const QString source = beacons->index(row, BeaconsModel::Source).data().toString();
            QCOMPARE(text, source == QStringLiteral("10.0.0.1") ? QStringLiteral("bad-net") : QString());
            namedPairs += !text.isEmpty();
        }
        QCOMPARE(namedPairs, 1);

        // Overview: rows and sources at a glance.
        QVERIFY2(overview->threatListText().contains(QStringLiteral("13 rows")),
                 qPrintable(overview->threatListText()));
        QVERIFY2(overview->threatListText().contains(QStringLiteral("from 2 sources")),
                 qPrintable(overview->threatListText()));

        // The view filter: only 10.0.0.5's row.
        ViewFilter filter;
        filter.sourceIps = {table.strings->find("10.0.0.5")};
        window.setViewFilter(filter);
        std::size_t fiveRow = 0;
        for (const std::size_t row : listed)
            if (table.text(Field::SrcIp, row) == "10.0.0.5")
                fiveRow = row;
        QCOMPARE(scatter->listedPointRows(), std::vector<std::size_t>{fiveRow});
        QCOMPARE(scatter->listedLegendName(), QStringLiteral("Threat list (1)"));
        std::uint64_t timelineTotal = 0;
        for (const std::uint64_t count : timeline->listedSessions())
            timelineTotal += count;
        QCOMPARE(timelineTotal, std::uint64_t{1});
        QVERIFY2(overview->threatListText().contains(QStringLiteral("1 row"))
                     && overview->threatListText().contains(QStringLiteral("from 1 source, in the filter")),
                 qPrintable(overview->threatListText()));
        window.clearViewFilter();
        QCOMPARE(scatter->listedPointRows().size(), std::size_t{13});

        // Removing the list takes every mark away, without a refit.
        const auto detection = window.snapshot().detection;
        matched.clear();
        workflow->removeAll();
        QVERIFY(matched.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().detection, detection);
        QVERIFY(scatter->listedPointRows().empty());
        QVERIFY(scatter->listedLegendName().isEmpty());
        QVERIFY(selectionEntryShown());
        QVERIFY(timeline->listedSessions().empty());
        QVERIFY(timeline->listedLegendName().isEmpty());
        QVERIFY(overview->threatListText().isEmpty());
        QVERIFY(beaconsTable->isColumnHidden(BeaconsModel::Lists));
        QCOMPARE(beacons->index(0, BeaconsModel::Lists).data().toString(), QString());
    }

    void rememberedListsComeBack()
    {
        const QString list = writeText(m_dataDir, QStringLiteral("tor.txt"), "198.51.100.0/24\n");
        QSettings().setValue(QStringLiteral("threatLists/files"), QStringList{QStringLiteral("exits=") + list});
        MainWindow window;
        auto* workflow = window.findChild<ThreatListWorkflow*>();
        QVERIFY(workflow);
        QTRY_COMPARE_WITH_TIMEOUT(workflow->lists().size(), std::size_t{1}, test::kLoadTimeoutMs);
        QCOMPARE(workflow->lists()[0]->name, std::string("exits"));
        // The Context menu holds its actions.
        QMenu* context = nullptr;
        for (QAction* top : window.menuBar()->actions())
            if (top->menu() && top->menu()->objectName() == QStringLiteral("contextMenu"))
                context = top->menu();
        QVERIFY(context);
        QCOMPARE(context->actions().size(), 3);
        QSettings().remove(QStringLiteral("threatLists/files"));
    }

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dataDir;
};

QTEST_MAIN(TestThreatListWorkflow)
#include "tst_threatlist.moc"

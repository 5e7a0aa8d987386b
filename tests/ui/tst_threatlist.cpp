// ui/threatlistworkflow: Context > Load Threat List in the real window (offscreen): a list read on
// the worker marks the rows whose addresses are on it in the Data tab (a threat_lists column and
// the "On a threat list" filter), the suspicious list, Entities, Row details ("src_ip ... is on
// list 'abuse-ip' (..., line 2)") and the status bar's count; the list is remembered; a bad list
// is refused with file:line:column and the lists already loaded stay; removing one takes its
// marks away.
#include "core/io/trafficfile.h"
#include "generator/generator.h"
#include "tests/ui/windowtest.h"
#include "ui/detailpanel.h"
#include "ui/entitiesmodel.h"
#include "ui/mainwindow.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/threatlistworkflow.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

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

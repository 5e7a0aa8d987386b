// The Entities and Timeline selection (the view filter) and the views under its bar (issue #18,
// defect 5): the Overview charts and the Anomalies tab's findings count only the selected rows,
// and the bar says which views follow it and which show every row.
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/findingsmodel.h"
#include "ui/mainwindow.h"

#include <QAbstractBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

// The rows a bar chart counts, Normal and Suspicious together.
qreal rowsInChart(ChartView* view)
{
    qreal sum = 0;
    for (QAbstractSeries* series : view->chart()->series()) {
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(series)) {
            for (QBarSet* set : bars->barSets()) {
                for (int i = 0; i < set->count(); ++i)
                    sum += set->at(i);
            }
        }
    }
    return sum;
}

// The suspicious rows a findings list counts (its Count column).
qulonglong suspiciousInFindings(const FindingsModel& model)
{
    qulonglong sum = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        sum += model.index(row, FindingsModel::Count).data(FindingsModel::SortKeyRole).toULongLong();
    return sum;
}

} // namespace

class TestFilteredViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_filteredviews")));
        if (!QFileInfo::exists(test::referenceCsv()))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
    }

    void overviewAndFindingsFollowTheFilter()
    {
        MainWindow window;
        window.resize(1280, 800);
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        const TrafficTable& table = window.snapshot().data->table;
        const Verdicts& verdicts = *window.snapshot().verdicts;
        auto* overview = window.findChild<OverviewCharts*>();
        QVERIFY(overview);
        ChartView* bytesIn = overview->chartViews().at(0);
        ChartView* protocols = overview->chartViews().at(3);
        auto* countries = test::byName<FindingsModel>(window, "findingsModel1");
        QCOMPARE(rowsInChart(bytesIn), qreal(282));
        QCOMPARE(suspiciousInFindings(*countries), qulonglong(15));

        // The source with the most suspicious rows (and normal ones too).
        const std::string topSource = window.snapshot().findings->sourceIps.front().value;
        std::uint32_t source = StringPool::kMissing;
        for (std::size_t row = 0; row < table.rowCount() && source == StringPool::kMissing; ++row) {
            if (table.text(Field::SrcIp, row) == topSource)
                source = table.column(Field::SrcIp).text[row];
        }
        std::size_t rows = 0;
        std::size_t suspicious = 0;
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            if (table.column(Field::SrcIp).text[row] == source) {
                ++rows;
                suspicious += verdicts.isSuspicious(row) ? 1 : 0;
            }
        }
        QVERIFY(rows > suspicious && rows < 282 && suspicious > 0);
        ViewFilter filter;
        filter.sourceIps = {source};
        window.setViewFilter(filter);

        QCOMPARE(rowsInChart(bytesIn), qreal(rows));
        QCOMPARE(rowsInChart(protocols), qreal(rows));
        QVERIFY2(bytesIn->chart()->title().contains(QLatin1String("filtered")), qPrintable(bytesIn->chart()->title()));
        QCOMPARE(suspiciousInFindings(*countries), qulonglong(suspicious));
        const QString bar = test::byName<QLabel>(window, "viewFilterText")->text();
        QVERIFY2(bar.contains(QLatin1String("Overview and Anomalies follow it")), qPrintable(bar));
        QVERIFY2(bar.contains(QLatin1String("Summary and Trust show every row")), qPrintable(bar));

        window.clearViewFilter();
        QCOMPARE(rowsInChart(bytesIn), qreal(282));
        QVERIFY(!bytesIn->chart()->title().contains(QLatin1String("filtered")));
        QCOMPARE(suspiciousInFindings(*countries), qulonglong(15));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestFilteredViews)
#include "tst_filteredviews.moc"

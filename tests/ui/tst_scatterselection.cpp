// The selected row on the Anomalies scatter (issue #18, defect 4): wherever a row is picked (a
// point clicked, a row chosen in the Data tab or the suspicious list) the scatter rings it, in
// front of every point, and its legend names it.
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/chartview.h"
#include "ui/mainwindow.h"

#include <QChart>
#include <QFileInfo>
#include <QImage>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {

// Pixels that differ between two renders within radius of centre.
int changedPixelsNear(const QImage& before, const QImage& after, QPointF centre, double radius)
{
    int changed = 0;
    for (int y = static_cast<int>(centre.y() - radius); y <= static_cast<int>(centre.y() + radius); ++y) {
        for (int x = static_cast<int>(centre.x() - radius); x <= static_cast<int>(centre.x() + radius); ++x) {
            if (x < 0 || y < 0 || x >= before.width() || y >= before.height()
                || std::hypot(x - centre.x(), y - centre.y()) > radius)
                continue;
            if (before.pixel(x, y) != after.pixel(x, y))
                ++changed;
        }
    }
    return changed;
}

} // namespace

class TestScatterSelection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_scatterselection")));
        if (!QFileInfo::exists(test::referenceCsv()))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
    }

    void selectedRowIsRingedOnTheScatter()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showTab(MainWindow::Tab::Anomalies);
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* scatter = test::byName<AnomalyScatter>(window, "anomalyScatter");
        ChartView* view = scatter->chartView();
        QChart* chart = view->chart();
        QScatterSeries* anySeries = nullptr;
        for (QAbstractSeries* series : chart->series())
            anySeries = anySeries ? anySeries : qobject_cast<QScatterSeries*>(series);
        QVERIFY(anySeries);
        const TrafficTable& table = window.snapshot().data->table;
        const auto pointOf = [&](std::size_t row) {
            return chart->mapToPosition(QPointF(double(table.column(Field::BytesIn).integers[row]),
                                                double(table.column(Field::BytesOut).integers[row])),
                                        anySeries);
        };
        const auto render = [&] { return view->renderImage(view->size(), 1.0); };
        const auto selectedNamed = [&] {
            for (QAbstractSeries* series : chart->series()) {
                if (series->isVisible() && series->objectName() == QLatin1String("selectedRow"))
                    return series->name();
            }
            return QString();
        };
        const QImage nothingSelected = render();
        QVERIFY(selectedNamed().isEmpty());

        // A row chosen in the Data tab.
        const std::size_t fromTable = window.snapshot().findings->suspiciousRows[2];
        window.selectRow(fromTable);
        QCOMPARE(selectedNamed(), QStringLiteral("Line %1").arg(table.sourceLines[fromTable]));
        const QImage tableSelected = render();
        QVERIFY2(changedPixelsNear(nothingSelected, tableSelected, pointOf(fromTable), 12.0) > 40,
                 "no ring around the row chosen in the Data tab");

        // A point clicked on the scatter: the ring moves to it.
        const std::size_t clicked = window.snapshot().findings->suspiciousRows[6];
        Q_EMIT scatter->rowClicked(static_cast<qsizetype>(clicked));
        QCOMPARE(selectedNamed(), QStringLiteral("Line %1").arg(table.sourceLines[clicked]));
        const QImage pointSelected = render();
        QVERIFY2(changedPixelsNear(tableSelected, pointSelected, pointOf(clicked), 12.0) > 40,
                 "no ring around the clicked point");
        QVERIFY2(changedPixelsNear(tableSelected, pointSelected, pointOf(fromTable), 12.0) > 40,
                 "the ring stayed on the previous row");
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestScatterSelection)
#include "tst_scatterselection.moc"

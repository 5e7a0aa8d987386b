// The workbench window as the analyst uses it: opening files through the same entry points the
// menus call, the contamination slider, cancelling, bad files, exports and remembered settings.
#include "ui/resultexporter.h"
#include "tests/ui/widgetlookup.h"
#include "generator/generator.h"
#include "ui/charts/chartview.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/overviewcharts.h"
#include "ui/analysiscontroller.h"
#include "ui/detectorpanel.h"
#include "ui/entitiesmodel.h"
#include "ui/mainwindow.h"
#include "ui/summarymodel.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"

#include <QTextBrowser>
#include <QAbstractBarSeries>
#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <fstream>

using namespace webthreat;

namespace {

constexpr int kLoadTimeoutMs = 120000;

QString referenceCsv()
{
    return QStringLiteral(WEBTHREAT_REFERENCE_CSV);
}

bool load(MainWindow& window, const QString& path)
{
    QSignalSpy ready(&window, &MainWindow::analysisReady);
    window.openFile(path);
    return ready.wait(kLoadTimeoutMs);
}

// The number of suspicious points the scatter's legend announces ("Suspicious (all 15)"). The
// points themselves are drawn by the chart's own item, so the legend is what the analyst reads.
qreal suspiciousInScatter(AnomalyScatter* scatter)
{
    static const QRegularExpression count(QStringLiteral("(\\d[\\d,]*)"));
    for (QAbstractSeries* series : scatter->chartView()->chart()->series()) {
        if (series->name().startsWith(QLatin1String("Suspicious"))) {
            const QRegularExpressionMatch match = count.match(series->name());
            return match.hasMatch() ? match.captured(1).remove(QLatin1Char(',')).toDouble() : -1;
        }
    }
    return -1;
}

qreal suspiciousInFirstHistogram(OverviewCharts* charts)
{
    for (QAbstractSeries* series : charts->chartViews().first()->chart()->series()) {
        auto* bars = qobject_cast<QAbstractBarSeries*>(series);
        if (!bars)
            continue;
        for (QBarSet* set : bars->barSets()) {
            if (set->label().startsWith(QLatin1String("Suspicious"))) {
                qreal sum = 0;
                for (int i = 0; i < set->count(); ++i)
                    sum += set->at(i);
                return sum;
            }
        }
    }
    return -1;
}

QStringList readLines(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Never touch the analyst's real settings.
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_settingsDir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("webthreat-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        m_haveReference = QFileInfo::exists(referenceCsv());
    }

    void startsEmpty()
    {
        MainWindow window;
        QAbstractItemModelTester tester(test::byName<TrafficProxyModel>(window, "trafficProxy"),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!window.snapshot().hasData());
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 0);
        QVERIFY(!window.isBusy());
        QCOMPARE(window.currentTab(), MainWindow::Tab::Summary);
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("summaryHeader"))
                    ->text()
                    .contains(QStringLiteral("No data loaded")));
    }

    void opensReferenceCsv()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
        MainWindow window;
        QAbstractItemModelTester modelTester(test::byName<TrafficTableModel>(window, "trafficModel"),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(test::byName<TrafficProxyModel>(window, "trafficProxy"),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester suspiciousTester(test::byName<SuspiciousRowsModel>(window, "suspiciousModel"),
                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(window, referenceCsv()));

        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 282);
        QVERIFY(window.snapshot().hasDetection());
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, std::size_t(15));
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), 15);
        QCOMPARE(window.currentFile(), referenceCsv());
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("CloudWatch_Traffic_Web_Attack.csv")));
        // The cleaning report is shown after the load.
        const QString report = test::byName<QTextBrowser>(window, "cleaningReport")->toHtml();
        QVERIFY(report.contains(QStringLiteral("drop_duplicates")));
        QVERIFY(report.contains(QStringLiteral("282 rows in, 282 rows out")));
        // The header is a line of the file but not a data row: said so, not left to puzzle over (#18).
        const QString reportText = test::byName<QTextBrowser>(window, "cleaningReport")->toPlainText();
        QVERIFY2(reportText.contains(QStringLiteral(
                     "282 data rows read from the file's 283 lines (the header and any blank or skipped lines included;")),
                 qPrintable(reportText));
        QVERIFY(
            window.findChild<QLabel*>(QStringLiteral("countsText"))->text().contains(QStringLiteral("15 suspicious")));
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("flaggedCount"))
                    ->text()
                    .startsWith(QStringLiteral("15 of 282 rows flagged")));
        // The summary lists the 16 columns, the two features and the score.
        QCOMPARE(test::byName<SummaryModel>(window, "summaryModel")->rowCount(), 16 + 2 + 1);

        // "Suspicious only" through the checkbox the analyst clicks.
        test::byName<QCheckBox>(window, "suspiciousOnly")->setChecked(true);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 15);
        test::byName<QCheckBox>(window, "suspiciousOnly")->setChecked(false);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 282);
        // The filter box, coalesced while typing.
        test::byName<QLineEdit>(window, "filterEdit")->setText(QStringLiteral("no row has this"));
        QTRY_COMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 0);
        test::byName<QLineEdit>(window, "filterEdit")->clear();
        QTRY_COMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 282);
    }

    void sliderReThresholdsWithoutRefit()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        const auto detection = window.snapshot().detection;
        const auto data = window.snapshot().data;
        QCOMPARE(suspiciousInScatter(test::byName<AnomalyScatter>(window, "anomalyScatter")), 15.0);
        QCOMPARE(suspiciousInFirstHistogram(test::byName<OverviewCharts>(window, "overviewCharts")), 15.0);

        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        QSignalSpy busy(&window, &MainWindow::busyChanged);
        test::byName<DetectorPanel>(window, "detectorPanel")->contaminationSpinBox()->setValue(10.0);
        QVERIFY(applied.wait());
        const std::size_t expected = applyThreshold(detection->scores, Contamination::fromValue(0.10)).suspiciousCount;
        QCOMPARE(expected, std::size_t(29));
        // Same detection object, no job started: the scores were re-thresholded, not refitted.
        QCOMPARE(window.snapshot().detection, detection);
        QCOMPARE(window.snapshot().data, data);
        QCOMPARE(busy.count(), 0);
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, expected);
        QCOMPARE(window.snapshot().findings->suspicious, expected);
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), int(expected));
        QCOMPARE(suspiciousInScatter(test::byName<AnomalyScatter>(window, "anomalyScatter")), qreal(expected));
        QCOMPARE(suspiciousInFirstHistogram(test::byName<OverviewCharts>(window, "overviewCharts")), qreal(expected));
        test::byName<QCheckBox>(window, "suspiciousOnly")->setChecked(true);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), int(expected));
        QVERIFY(
            window.findChild<QLabel*>(QStringLiteral("flaggedCount"))->text().startsWith(QStringLiteral("29 of 282")));

        // The slider drives the same path; its right end is 50 %. The views take the new verdicts
        // a part per event: verdictsApplied says every one has.
        QSlider* slider = test::byName<DetectorPanel>(window, "detectorPanel")->contaminationSlider();
        applied.clear();
        slider->setValue(slider->maximum());
        QCOMPARE(test::byName<DetectorPanel>(window, "detectorPanel")->contaminationSpinBox()->value(), 50.0);
        QVERIFY(applied.wait());
        QCOMPARE(window.snapshot().verdicts->suspiciousCount,
                 applyThreshold(detection->scores, Contamination::fromValue(0.5)).suspiciousCount);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(),
                 int(window.snapshot().verdicts->suspiciousCount));
        QCOMPARE(window.snapshot().detection, detection);

        // Automatic: scikit-learn's fixed offset.
        window.findChild<QCheckBox*>(QStringLiteral("contaminationAutomatic"))->setChecked(true);
        QTRY_VERIFY(window.snapshot().verdicts->contamination.automatic);
        QCOMPARE(window.snapshot().verdicts->threshold, -0.5);
        QCOMPARE(window.snapshot().detection, detection);
    }

    // A result is shown a part per event, the tab in front first. A newer result arriving while
    // that runs takes over: one analysisReady, and every view shows the newer result, none the
    // older. Slider verdicts arriving meanwhile reach every view too.
    void docksShowTheirPanelsWhole()
    {
        // At 1280x800 a dock that scrolls vertically must still be wide enough for its panel: with the
        // horizontal bar off, a narrower dock cut off the spin boxes' arrows and the slider's "50 %".
        if (!m_haveReference)
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(load(window, referenceCsv()));
        QCoreApplication::processEvents();
        const QList<QScrollArea*> areas = window.findChildren<QScrollArea*>();
        int checked = 0;
        for (QScrollArea* area : areas) {
            if (area->widget() == nullptr || !area->widget()->objectName().endsWith(QStringLiteral("Panel"))
                || !area->isVisible())
                continue;
            QTRY_VERIFY2(area->viewport()->width() >= area->widget()->minimumSizeHint().width(),
                         qPrintable(area->widget()->objectName()
                                    + QStringLiteral(" is cut: %1 px shown of %2")
                                          .arg(area->viewport()->width())
                                          .arg(area->widget()->minimumSizeHint().width())));
            ++checked;
        }
        QVERIFY(checked >= 1); // the detector panel at least
    }

    void newResultSupersedesOneBeingShown()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString generated = dir.filePath(QStringLiteral("generated.csv"));
        {
            std::ofstream out(generated.toStdString(), std::ios::binary);
            GeneratorParams params;
            params.rows = 2000;
            params.seed = 11;
            generateTraffic(out, params);
        }
        MainWindow window;
        auto* controller = window.findChild<AnalysisController*>();
        QVERIFY(controller);
        QList<LoadResult> results;
        connect(controller, &AnalysisController::loadFinished, &window,
                [&results](const LoadResult& result) { results.append(result); });
        QVERIFY(load(window, referenceCsv()));
        QVERIFY(load(window, generated));
        window.openSample();
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(results.size(), 3);
        const LoadResult reference = results[0];
        const LoadResult other = results[1];
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 5000);

        // The reference file's result: the Anomalies tab, in front, takes it in the first event.
        window.showTab(MainWindow::Tab::Anomalies);
        ready.clear();
        Q_EMIT controller->loadFinished(reference);
        QCoreApplication::processEvents();
        QVERIFY(ready.isEmpty());
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), 15);
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(),
                 5000); // the Data tab's turn has not come

        // The generated file's result arrives before the reference is fully shown.
        Q_EMIT controller->loadFinished(other);
        QVERIFY(ready.wait());
        QCOMPARE(ready.count(), 1);
        const AnalysisSnapshot& shown = other.snapshot;
        QCOMPARE(window.snapshot().data, shown.data);
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 2000);
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->snapshot().data, shown.data);
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(),
                 int(shown.findings->suspiciousRows.size()));
        QCOMPARE(test::byName<EntitiesModel>(window, "entitiesModel")->rowCount(),
                 int(shown.aggregates->entities.entities.size()));
        QCOMPARE(suspiciousInFirstHistogram(test::byName<OverviewCharts>(window, "overviewCharts")),
                 qreal(shown.verdicts->suspiciousCount));
        QCOMPARE(suspiciousInScatter(test::byName<AnomalyScatter>(window, "anomalyScatter")),
                 qreal(shown.verdicts->suspiciousCount));
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("summaryHeader"))
                    ->text()
                    .contains(QStringLiteral("generated.csv")));
        QVERIFY(ready.count() == 1 && !window.isBusy());

        // The reference again, and the slider moved while it is shown: both reach every view.
        ready.clear();
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        Q_EMIT controller->loadFinished(reference);
        QCoreApplication::processEvents();
        window.setContamination(Contamination::fromValue(0.10));
        QVERIFY(applied.wait());
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(window.snapshot().data, reference.snapshot.data);
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, std::size_t(29));
        QCOMPARE(test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->rowCount(), 29);
        QCOMPARE(suspiciousInFirstHistogram(test::byName<OverviewCharts>(window, "overviewCharts")), 29.0);
        QCOMPARE(suspiciousInScatter(test::byName<AnomalyScatter>(window, "anomalyScatter")), 29.0);
        QCOMPARE(test::byName<EntitiesModel>(window, "entitiesModel")->rowCount(),
                 int(reference.snapshot.aggregates->entities.entities.size()));
        test::byName<QCheckBox>(window, "suspiciousOnly")->setChecked(true);
        QCOMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 29);
    }

    void changingForestParametersRefits()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        const auto detection = window.snapshot().detection;
        const auto data = window.snapshot().data;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        // "Refit automatically" is on by default: a new seed refits shortly after.
        window.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(7);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QVERIFY(window.snapshot().detection != detection);
        QCOMPARE(window.snapshot().detection->params.forest.seed, std::uint64_t(7));
        QCOMPARE(window.snapshot().data, data); // the same rows, rescored
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);

        // With it off, Run does it.
        window.findChild<QCheckBox*>(QStringLiteral("autoRefit"))->setChecked(false);
        window.findChild<QCheckBox*>(QStringLiteral("feature_avg_packet_size"))->setChecked(false);
        window.runDetector();
        QVERIFY(window.isBusy());
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(window.snapshot().detection->params.features.size(), defaultFeatures().size() - 1);
    }

    void inputsChoiceReachesTheFit()
    {
        // The Detector panel's Inputs choice and "The notebook's four, raw" change what is fitted, not
        // only what the panel shows.
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        QCOMPARE(window.snapshot().detection->params.scaling, InputScaling::Auto);
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        auto* inputs = window.findChild<QComboBox*>(QStringLiteral("inputScaling"));
        inputs->setCurrentIndex(inputs->findData(static_cast<int>(InputScaling::None)));
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(window.snapshot().detection->params.scaling, InputScaling::None);
        QCOMPARE(window.snapshot().detection->params.features, defaultFeatures());

        inputs->setCurrentIndex(inputs->findData(static_cast<int>(InputScaling::Auto)));
        QVERIFY(ready.wait(kLoadTimeoutMs));
        window.findChild<QPushButton*>(QStringLiteral("notebookPreset"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.snapshot().detection->params.scaling == InputScaling::None
                                     && window.snapshot().detection->params.features.size() == 4,
                                 kLoadTimeoutMs);
        QCOMPARE(window.snapshot().detection->params.features, notebookFeatures());
    }

    void cancelKeepsPreviousData()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString big = dir.filePath(QStringLiteral("big.csv"));
        {
            std::ofstream out(big.toStdString(), std::ios::binary);
            GeneratorParams params;
            params.rows = 300000;
            generateTraffic(out, params);
        }
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        const auto before = window.snapshot();

        QSignalSpy cancelled(&window, &MainWindow::jobCancelled);
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(big);
        QVERIFY(window.isBusy());
        auto* progress = window.findChild<QProgressBar*>(QStringLiteral("progress"));
        QVERIFY(progress);
        // Cancel once the worker is well into the file, as an analyst would.
        QTRY_VERIFY(progress->value() > 0);
        window.cancelJob();
        QVERIFY(cancelled.wait(10000));
        QVERIFY(!window.isBusy());
        QCOMPARE(ready.count(), 0);
        QCOMPARE(window.snapshot().data, before.data);
        QCOMPARE(window.snapshot().detection, before.detection);
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
        QCOMPARE(window.currentFile(), referenceCsv());
        QVERIFY(!progress->isVisible());
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("statusText"))->text().contains(QStringLiteral("cancelled")));

        // Opening another file while the big one loads cancels the big one quietly.
        window.openFile(big);
        window.openFile(referenceCsv());
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(ready.count(), 1);
        QVERIFY(!window.isBusy());
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
        QVERIFY(window.snapshot().data != before.data);
        QCOMPARE(cancelled.count(), 1);
    }

    void settingsChangedDuringLoadRefitAfterIt()
    {
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big.csv"));
        {
            std::ofstream out(big.toStdString(), std::ios::binary);
            GeneratorParams params;
            params.rows = 200000;
            generateTraffic(out, params);
        }
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(big);
        // Edited while the load (which fits with the settings it started with) still runs.
        window.findChild<QSpinBox*>(QStringLiteral("trees"))->setValue(20);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QTRY_VERIFY_WITH_TIMEOUT(window.snapshot().detection && window.snapshot().detection->params.forest.trees == 20,
                                 kLoadTimeoutMs);
        QTRY_VERIFY(!window.isBusy());
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 200000);
    }

    void badFileKeepsPreviousData()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("no_bytes_out.csv"));
        {
            QFile file(bad);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("bytes_in,creation_time,end_time,src_ip,dst_ip\n"
                       "10,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1\n");
        }
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        const auto before = window.snapshot();

        QSignalSpy failed(&window, &MainWindow::loadFailed);
        window.openFile(bad);
        QVERIFY(failed.wait(kLoadTimeoutMs));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("no_bytes_out.csv")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("bytes_out")), qPrintable(message));
        QCOMPARE(window.lastError(), message);
        QCOMPARE(window.snapshot().data, before.data);
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
        QCOMPARE(window.currentFile(), referenceCsv());
        QVERIFY(!window.isBusy());
        // One clear message, shown to the analyst as it is.
        bool shown = false;
        for (QMessageBox* box : window.findChildren<QMessageBox*>()) {
            if (box->text() == message) {
                shown = true;
                box->close();
            }
        }
        QVERIFY(shown);

        // A missing file says so too.
        window.openFile(dir.filePath(QStringLiteral("absent.csv")));
        QVERIFY(failed.wait(kLoadTimeoutMs));
        QVERIFY(failed.last().first().toString().contains(QStringLiteral("absent.csv")));
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
    }

    void reportShowsMalformedRowsAndInvalidCells()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rough.csv"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                       "10,20,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1\n"
                       "11,21,2024-01-01T00:01:00Z,2024-01-01T00:01:10Z,192.0.2.2\n"
                       "12,lots,2024-01-01T00:02:00Z,2024-01-01T00:02:10Z,192.0.2.3,10.0.0.1\n"
                       "13,23,2024-01-01T00:03:00Z,2024-01-01T00:03:10Z,192.0.2.4,10.0.0.1\n"
                       "13,23,2024-01-01T00:03:00Z,2024-01-01T00:03:10Z,192.0.2.4,10.0.0.1\n");
        }
        MainWindow window;
        QVERIFY(load(window, path));
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 3); // 4 read, 1 duplicate dropped
        const QString report = test::byName<QTextBrowser>(window, "cleaningReport")->toHtml();
        QVERIFY2(report.contains(QStringLiteral("1 malformed row(s) skipped")), qPrintable(report));
        QVERIFY(report.contains(QStringLiteral("lines 3")));
        QVERIFY(report.contains(QStringLiteral("invalid cell(s) in")));
        QVERIFY(report.contains(QStringLiteral("1 exact duplicate row(s) dropped")));
        QLabel* statusText = window.findChild<QLabel*>(QStringLiteral("statusText"));
        const QString status = statusText->text();
        QVERIFY2(status.contains(QStringLiteral("1 malformed row(s) skipped")), qPrintable(status));
        // However long, the message never widens the window or hides the counts beside it: it is
        // elided in the middle on screen, whole in its tooltip.
        QCOMPARE(statusText->toolTip(), status);
        QCOMPARE(statusText->minimumSizeHint().width(), 0);
    }

    // A spreadsheet export joined from two: the cleaning report names the sep= line's delimiter and
    // the repeated header with its line.
    void reportShowsSepLineAndRepeatedHeader()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("joined.csv"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("sep=;\n"
                       "bytes_in;bytes_out;creation_time;end_time;src_ip;dst_ip\n"
                       "10;20;2024-01-01T00:00:00Z;2024-01-01T00:00:10Z;192.0.2.1;10.0.0.1\n"
                       "bytes_in;bytes_out;creation_time;end_time;src_ip;dst_ip\n"
                       "11;21;2024-01-01T00:01:00Z;2024-01-01T00:01:10Z;192.0.2.2;10.0.0.1\n");
        }
        MainWindow window;
        QVERIFY(load(window, path));
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 2);
        const QString report = test::byName<QTextBrowser>(window, "cleaningReport")->toHtml();
        QVERIFY2(report.contains(QStringLiteral("delimiter from the sep= line: semicolon")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("1 repeated header line(s) skipped (files joined into one?); lines 4")),
                 qPrintable(report));
        QVERIFY(!report.contains(QStringLiteral("invalid cell(s) in")));
    }

    void opensBundledSample()
    {
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openSample();
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 5000);
        QVERIFY(window.snapshot().hasDetection());
        QVERIFY(window.recentFiles().isEmpty()); // a resource is not a recent file
        QVERIFY(!QImage(QStringLiteral(":/icons/webthreat.png")).isNull());
    }

    void dropOpensFile()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(referenceCsv())});
        QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &drop);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 282);
    }

    void scatterClickSelectsRow()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        const std::size_t tableRow = window.snapshot().findings->suspiciousRows[3];
        Q_EMIT test::byName<AnomalyScatter>(window, "anomalyScatter")->rowClicked(static_cast<qsizetype>(tableRow));
        QCOMPARE(test::byName<QTableView>(window, "suspiciousView")->currentIndex().row(), 3);
        const QModelIndex dataIndex = test::byName<QTableView>(window, "dataView")->currentIndex();
        QVERIFY(dataIndex.isValid());
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")->mapToSource(dataIndex).row(), int(tableRow));

        // Activating a suspicious row shows it in the Data tab, even when filtered out.
        test::byName<QLineEdit>(window, "filterEdit")->setText(QStringLiteral("no row has this"));
        QTRY_COMPARE(test::byName<QTableView>(window, "dataView")->model()->rowCount(), 0);
        const QModelIndex first = test::byName<SuspiciousRowsModel>(window, "suspiciousModel")->index(0, 0);
        Q_EMIT test::byName<QTableView>(window, "suspiciousView")->activated(first);
        QCOMPARE(window.currentTab(), MainWindow::Tab::Data);
        QCOMPARE(test::byName<TrafficProxyModel>(window, "trafficProxy")
                     ->mapToSource(test::byName<QTableView>(window, "dataView")->currentIndex())
                     .row(),
                 int(window.snapshot().findings->suspiciousRows[0]));
    }

    void findShortcutFocusesFilter()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keySequence(&window, QKeySequence::Find);
        QCOMPARE(window.currentTab(), MainWindow::Tab::Data);
        QTRY_VERIFY(test::byName<QLineEdit>(window, "filterEdit")->hasFocus());
    }

    void exportsAllCharts()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        QTemporaryDir dir;
        QString error;
        auto* exporter = test::byName<ResultExporter>(window, "resultExporter");
        // What the dialog passes at first: 1600x1000 whatever each chart's shape on screen.
        const QStringList files = exporter->exportAllCharts(dir.path(), exporter->sessionChartOptions(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Every exported chart (the Beacons tab's interval chart shows one pair and is not one).
        const QList<ChartView*> views = exporter->chartViews();
        QVERIFY(views.size() >= 2);
        QCOMPARE(files.size(), views.size());
        for (ChartView* view : views) {
            const QString path = dir.filePath(view->fileStem() + QStringLiteral(".png"));
            QVERIFY2(files.contains(path), qPrintable(path));
            const QImage image(path);
            QVERIFY2(!image.isNull(), qPrintable(path));
            QCOMPARE(image.size(), QSize(1600, 1000));
        }
        // Again into the same folder, as on screen: replaced, not duplicated (the menu asks first).
        QCOMPARE(exporter->exportAllCharts(dir.path(), ChartExportOptions{}, &error).size(), views.size());
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("*.png")}).size(), views.size());
        QCOMPARE(QImage(files.first()).size(), views.first()->renderImage(2.0).size());
    }

    void exportsScoredCsv()
    {
        if (!m_haveReference)
            QSKIP("reference CSV absent");
        MainWindow window;
        QVERIFY(load(window, referenceCsv()));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("scored.csv"));
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        test::byName<ResultExporter>(window, "resultExporter")->exportScoredCsv(path);
        QVERIFY(finished.wait(kLoadTimeoutMs));
        QCOMPARE(finished.first().first().toString(), path);
        const QStringList lines = readLines(path);
        QCOMPARE(lines.size(), 283);
        QVERIFY(lines.first().contains(QStringLiteral("session_duration")));
        QVERIFY(lines.first().contains(QStringLiteral("avg_packet_size")));
        QVERIFY(lines.first().trimmed().endsWith(
            QStringLiteral("anomaly_score,anomaly_label,top_feature,top_feature_share,explanation")));
        int suspicious = 0;
        for (const QString& line : lines)
            suspicious
                += line.contains(QStringLiteral(",Suspicious,")) && line.contains(QStringLiteral(" splits against "))
                ? 1
                : 0;
        QCOMPARE(suspicious, 15);

        // An unwritable place: a clear message, nothing left behind.
        QSignalSpy failed(&window, &MainWindow::exportFailed);
        test::byName<ResultExporter>(window, "resultExporter")
            ->exportScoredCsv(dir.filePath(QStringLiteral("no/such/folder/scored.csv")));
        QVERIFY(failed.wait(kLoadTimeoutMs));
        QVERIFY(!failed.first().first().toString().isEmpty());
        QVERIFY(!window.isBusy());
        for (QMessageBox* box : window.findChildren<QMessageBox*>())
            box->close();
    }

    // First start on a screen no bigger than 1280x800 (a laptop; offscreen's is 800x600): the
    // window fills the screen rather than hanging its status bar below the edge.
    void firstStartFitsASmallScreen()
    {
        QSettings().clear();
        MainWindow window;
        window.restoreSettings();
        const QRect room = window.screen()->availableGeometry();
        QVERIFY(room.width() < 1320 || room.height() < 880);
        QVERIFY(window.windowState().testFlag(Qt::WindowMaximized));
        QSettings().clear();
    }

    void remembersSettings()
    {
        QSettings().clear();
        {
            MainWindow window;
            window.restoreSettings();
            test::byName<DetectorPanel>(window, "detectorPanel")->contaminationSpinBox()->setValue(7.0);
            window.findChild<QSpinBox*>(QStringLiteral("trees"))->setValue(150);
            window.findChild<QCheckBox*>(QStringLiteral("feature_bytes_in"))->setChecked(false);
            window.showTab(MainWindow::Tab::Anomalies);
            if (m_haveReference)
                QVERIFY(load(window, referenceCsv()));
            window.saveSettings();
        }
        MainWindow window;
        window.restoreSettings();
        QCOMPARE(test::byName<DetectorPanel>(window, "detectorPanel")->contamination().value, 0.07);
        const DetectorParams params = test::byName<DetectorPanel>(window, "detectorPanel")->detectorParams();
        QCOMPARE(params.forest.trees, 150);
        QCOMPARE(params.features.size(), defaultFeatures().size() - 1);
        QVERIFY(std::find(params.features.begin(), params.features.end(), Feature::BytesIn) == params.features.end());
        QCOMPARE(window.currentTab(), MainWindow::Tab::Anomalies);
        if (m_haveReference) {
            QCOMPARE(window.recentFiles().value(0), QFileInfo(referenceCsv()).absoluteFilePath());
        }
        QSettings().clear();
    }

private:
    QTemporaryDir m_settingsDir;
    bool m_haveReference = false;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

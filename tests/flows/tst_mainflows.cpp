// The main flows through the window's real event loop, as an analyst drives them, on a real X
// server (CTest runs this under xvfb-run with the xcb platform when xvfb-run is installed): open a
// 200,000-row file through the File > Open dialog, drag the contamination slider, roll the wheel
// over the Detector dock, sort and filter the Data tab, click a point of the scatter, export it as PNG
// and the report, each through its dialogs. Each step is checked by what the window then shows.
#include "generator/generator.h"
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/chartview.h"
#include "ui/chartexportdialog.h"
#include "ui/detailpanel.h"
#include "ui/mainwindow.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QFileDialog>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSlider>
#include "ui/trafficproxymodel.h"
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWheelEvent>

#include <fstream>
#include <functional>

using namespace webthreat;

namespace {

constexpr std::size_t kRows = 200000;

QAction* actionNamed(QWidget& window, const QString& text)
{
    for (QAction* action : window.findChildren<QAction*>()) {
        if (action->text().remove(u'&') == text)
            return action;
    }
    return nullptr;
}

// A file dialog still open a second after the Enter is answered through its own API, once a second
// for thirty seconds. On a loaded machine the name field's completer can pop up while the name is
// typed and take the Enter, and an accept that finds the name changed under it puts a message box
// over the dialog ("File not found"): the next round is scheduled before accepting, so that it runs
// inside that box's event loop, says what the box said and closes it, rather than hang the test.
void finishFileDialog(QObject* context, const QPointer<QFileDialog>& open, const QString& path, int triesLeft)
{
    QTimer::singleShot(1000, context, [=] {
        if (!open || !open->isVisible() || triesLeft <= 0)
            return;
        QWidget* modal = QApplication::activeModalWidget();
        auto* name = open->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
        qInfo("the file dialog is still open (name field '%s', folder '%s', modal on top: %s)",
              name ? qPrintable(name->text()) : "none", qPrintable(open->directory().path()),
              modal ? modal->metaObject()->className() : "none");
        if (auto* box = qobject_cast<QMessageBox*>(modal); box && modal != open) {
            qWarning("a message box stood over the file dialog: %s", qPrintable(box->text()));
            box->reject();
        }
        finishFileDialog(context, open, path, triesLeft - 1);
        // selectFile alone leaves the name field as it is while the field has the focus (and on a
        // loaded machine the dialog has been seen to move to the file's folder and empty the field
        // as the path was typed): the whole path goes in the field itself.
        open->selectFile(path);
        if (name)
            name->setText(path);
        static_cast<QDialog*>(open.data())->accept(); // QFileDialog::accept, protected there
    });
}

// Answers the next file dialog by typing path into its name field and pressing Enter, as a person
// would; answered stays false if no dialog came within thirty seconds (a loaded CI machine has
// taken more than ten to show one).
void answerFileDialog(QObject* context, const QString& path, bool* answered, int triesLeft = 600)
{
    QTimer::singleShot(50, context, [=] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            if (triesLeft % 100 == 0) {
                QWidget* modal = QApplication::activeModalWidget();
                qInfo("no file dialog yet (%d tries left; modal on top: %s)", triesLeft,
                      modal ? modal->metaObject()->className() : "none");
            }
            if (triesLeft > 0)
                answerFileDialog(context, path, answered, triesLeft - 1);
            else if (auto* other = qobject_cast<QDialog*>(QApplication::activeModalWidget()))
                other->reject(); // some other dialog: fail the check after it rather than hang
            return;
        }
        *answered = true;
        finishFileDialog(context, QPointer<QFileDialog>(dialog), path, 30);
        if (auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"))) {
            name->clear();
            QTest::keyClicks(name, path);
            QTest::keyClick(name, Qt::Key_Return);
        }
    });
}

} // namespace

class TestMainFlows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_mainflows")));
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("traffic-200k.csv"));
        std::ofstream out(m_path.toStdString(), std::ios::binary);
        GeneratorParams params;
        params.rows = kRows;
        generateTraffic(out, params);
        QVERIFY(out.good());
        qInfo("platform: %s", qPrintable(QGuiApplication::platformName()));
    }

    void analystSession()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        qInfo("step: open");
        // Open through the dialog.
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        bool answered = false;
        answerFileDialog(this, m_path, &answered);
        actionNamed(window, QStringLiteral("Open..."))->trigger();
        QVERIFY(answered);
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().data->table.rowCount(), kRows);
        const auto detection = window.snapshot().detection;
        QVERIFY(detection);

        qInfo("step: slider");
        // Drag the slider's handle to the right: more rows flagged, and no refit.
        auto* slider = test::byName<QSlider>(window, "contaminationSlider");
        QStyleOptionSlider option;
        option.initFrom(slider);
        option.orientation = slider->orientation();
        option.minimum = slider->minimum();
        option.maximum = slider->maximum();
        option.sliderPosition = slider->sliderPosition();
        option.sliderValue = slider->value();
        const QPoint handle
            = slider->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, slider).center();
        const std::size_t flaggedBefore = window.snapshot().verdicts->suspiciousCount;
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        QTest::mousePress(slider, Qt::LeftButton, {}, handle);
        for (int dx = 5; dx <= 40; dx += 5)
            QTest::mouseMove(slider, handle + QPoint(dx, 0));
        QTest::mouseRelease(slider, Qt::LeftButton, {}, handle + QPoint(40, 0));
        QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty() && !window.isBusy(), test::kLoadTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.snapshot().verdicts->suspiciousCount > flaggedBefore, 10000);
        QCOMPARE(window.snapshot().detection, detection);

        qInfo("step: wheel");
        // The wheel over an unfocused spin box of the Detector dock leaves its value alone.
        auto* maxSamples = test::byName<QSpinBox>(window, "maxSamples");
        const int samples = maxSamples->value();
        const QPointF at = QPointF(maxSamples->rect().center());
        QWheelEvent wheel(at, maxSamples->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(maxSamples, &wheel);
        QCOMPARE(maxSamples->value(), samples);
        QCOMPARE(window.snapshot().detection, detection);

        qInfo("step: sort and filter");
        // Sort the Data tab by bytes_in with a click on its header, then filter it.
        window.showTab(MainWindow::Tab::Data);
        auto* proxy = test::byName<TrafficProxyModel>(window, "trafficProxy");
        QTableView* table = nullptr;
        for (QTableView* view : window.findChildren<QTableView*>()) {
            if (view->model() == proxy)
                table = view;
        }
        QVERIFY(table);
        int bytesIn = -1;
        for (int column = 0; column < proxy->columnCount(); ++column) {
            if (proxy->headerData(column, Qt::Horizontal).toString() == QLatin1String("bytes_in"))
                bytesIn = column;
        }
        QVERIFY(bytesIn >= 0);
        QHeaderView* header = table->horizontalHeader();
        table->scrollTo(proxy->index(0, bytesIn)); // a no-op for the first columns
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(bytesIn) + 10, header->height() / 2));
        QTRY_COMPARE(proxy->sortColumn(), bytesIn);
        auto* filter = test::byName<QLineEdit>(window, "filterEdit");
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("3389"));
        QTRY_VERIFY_WITH_TIMEOUT(proxy->rowCount() > 0 && proxy->rowCount() < static_cast<int>(kRows), 20000);
        const QString shown = test::byName<QLabel>(window, "rowsShown")->text();
        QVERIFY2(shown.contains(QStringLiteral("200,000")), qPrintable(shown));
        filter->clear();
        QTRY_COMPARE_WITH_TIMEOUT(proxy->rowCount(), static_cast<int>(kRows), 20000);

        qInfo("step: scatter click");
        // Click the most anomalous row's point on the scatter: Row details explains that row.
        window.showTab(MainWindow::Tab::Anomalies);
        auto* scatter = test::byName<AnomalyScatter>(window, "anomalyScatter");
        ChartView* view = scatter->chartView();
        QScatterSeries* anySeries = nullptr;
        for (QAbstractSeries* series : view->chart()->series())
            anySeries = anySeries ? anySeries : qobject_cast<QScatterSeries*>(series);
        QVERIFY(anySeries);
        const std::size_t top = window.snapshot().findings->suspiciousRows.front();
        const TrafficTable& data = window.snapshot().data->table;
        const QPointF scene = view->chart()->mapToPosition(
            QPointF(std::max(1.0, double(data.column(Field::BytesIn).integers[top])),
                    std::max(1.0, double(data.column(Field::BytesOut).integers[top]))),
            anySeries);
        auto* panel = test::byName<DetailPanel>(window, "detailPanel");
        QSignalSpy explained(panel, &DetailPanel::explained);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(scene));
        QVERIFY(explained.wait(test::kLoadTimeoutMs));
        QVERIFY2(panel->headline().contains(QStringLiteral("Line ")), qPrintable(panel->headline()));

        qInfo("step: export chart");
        // Export the scatter as PNG: the Export Chart dialog (its default slide size) answered with
        // Enter, then its save dialog by typing a name.
        const QString png = m_dir.filePath(QStringLiteral("scatter.png"));
        bool chose = false;
        const std::function<void(int)> chooseFile = [&](int triesLeft) {
            QTimer::singleShot(50, this, [&, triesLeft] {
                auto* dialog = qobject_cast<ChartExportDialog*>(QApplication::activeModalWidget());
                if (!dialog) {
                    if (triesLeft > 0)
                        chooseFile(triesLeft - 1);
                    return;
                }
                for (QPushButton* button : dialog->findChildren<QPushButton*>()) {
                    if (button->text() == QLatin1String("Choose File...")) {
                        chose = true;
                        answerFileDialog(this, png, &answered);
                        QTest::mouseClick(button, Qt::LeftButton);
                        return;
                    }
                }
                dialog->reject(); // no such button: fail below rather than hang
            });
        };
        answered = false;
        chooseFile(600);
        actionNamed(window, QStringLiteral("Export Chart..."))->trigger();
        QVERIFY(chose);
        QVERIFY(answered);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(png), 20000);
        QCOMPARE(QImage(png).size(), QSize(1600, 1000));

        qInfo("step: export report");
        // Export the report through its save dialog.
        const QString report = m_dir.filePath(QStringLiteral("report.html"));
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        answered = false;
        answerFileDialog(this, report, &answered);
        actionNamed(window, QStringLiteral("Export Report..."))->trigger();
        QVERIFY(answered);
        QVERIFY(finished.wait(test::kLoadTimeoutMs));
        QVERIFY(QFileInfo(report).size() > 10000);
    }

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dir;
    QString m_path;
};

QTEST_MAIN(TestMainFlows)
#include "tst_mainflows.moc"

// Exporting charts and printing the report: one dialog behind every route (File > Export Chart
// and a chart's context menu), PNGs at a chosen size with a subtitle, export folders that exist
// and can be written, and Print as its own action.
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/chartexportdialog.h"
#include "ui/charts/chartview.h"
#include "ui/mainwindow.h"
#include "ui/resultexporter.h"
#include "ui/workbenchsettings.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QMenuBar>
#include <QPrinter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <set>

using namespace webthreat;

namespace {

QList<QAction*> allActions(MainWindow& window)
{
    QList<QAction*> actions;
    for (QAction* top : window.menuBar()->actions()) {
        if (!top->menu())
            continue;
        for (QAction* action : top->menu()->actions())
            actions << action;
    }
    return actions;
}

QAction* actionNamed(MainWindow& window, const QString& text)
{
    for (QAction* action : allActions(window)) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

// Answers the next modal dialog: records which chart it offers first, then cancels it.
struct DialogProbe {
    QString chartOffered;
    bool seen = false;

    void arm()
    {
        QTimer::singleShot(0, [this] { poll(); });
    }
    void poll()
    {
        auto* dialog = qobject_cast<ChartExportDialog*>(QApplication::activeModalWidget());
        if (!dialog) {
            QTimer::singleShot(20, [this] { poll(); });
            return;
        }
        seen = true;
        chartOffered = dialog->findChild<QComboBox*>(QStringLiteral("chartChoice"))->currentText();
        dialog->reject();
    }
};

int pdfPages(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QString text = QString::fromLatin1(file.readAll());
    return static_cast<int>(text.count(QRegularExpression(QStringLiteral("/Type\\s*/Page[^s]"))));
}

} // namespace

class TestChartExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_chartexport")));
    }

    void dialogOffersSizesAndSubtitle()
    {
        ChartView first(QStringLiteral("first"), QStringLiteral("First chart"));
        ChartView second(QStringLiteral("second"), QStringLiteral("Second chart"));
        ChartExportDialog dialog({&first, &second}, &second, QStringLiteral("t.csv · contamination 5.00 %"));
        QCOMPARE(dialog.chart(), &second);
        // The default: 1600x1000 with the subtitle, whatever the chart's shape on screen.
        QCOMPARE(ChartExportDialog::presets().first().pixels, QSize(1600, 1000));
        ChartExportOptions options = dialog.options();
        QCOMPARE(options.pixels, QSize(1600, 1000));
        QCOMPARE(options.subtitle, QStringLiteral("t.csv · contamination 5.00 %"));
        QVERIFY(!dialog.findChild<QSpinBox*>(QStringLiteral("exportWidth"))->isEnabled());

        auto* size = dialog.findChild<QComboBox*>(QStringLiteral("sizePreset"));
        size->setCurrentIndex(size->count() - 1); // Custom
        auto* width = dialog.findChild<QSpinBox*>(QStringLiteral("exportWidth"));
        auto* height = dialog.findChild<QSpinBox*>(QStringLiteral("exportHeight"));
        QVERIFY(width->isEnabled());
        width->setValue(900);
        height->setValue(700);
        dialog.findChild<QCheckBox*>(QStringLiteral("subtitleEnabled"))->setChecked(false);
        options = dialog.options();
        QCOMPARE(options.pixels, QSize(900, 700));
        QVERIFY(options.subtitle.isEmpty());

        // No chart in front: the first is offered.
        ChartExportDialog none({&first, &second}, nullptr, {});
        QCOMPARE(none.chart(), &first);
        QVERIFY(none.options().subtitle.isEmpty());
    }

    void exportsAtChosenSizeWithSubtitle()
    {
        MainWindow window;
        window.resize(1280, 800);
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* exporter = test::byName<ResultExporter>(window, "resultExporter");
        const QString subtitle = exporter->chartSubtitle();
        QVERIFY2(subtitle.startsWith(QStringLiteral("CloudWatch_Traffic_Web_Attack.csv · contamination ")),
                 qPrintable(subtitle));
        QVERIFY2(subtitle.contains(QStringLiteral(" %")), qPrintable(subtitle)); // "5.00 %", never 0.05
        QVERIFY2(subtitle.contains(QStringLiteral("threshold score ")), qPrintable(subtitle));
        QVERIFY2(subtitle.contains(QStringLiteral(" of 282 rows suspicious")), qPrintable(subtitle));

        ChartView* chart = exporter->chartViews().first(); // an exported chart (the Beacons one is not)
        QTemporaryDir dir;
        const QString plain = dir.filePath(QStringLiteral("plain.png"));
        const QString titled = dir.filePath(QStringLiteral("titled.png"));
        QSignalSpy finished(exporter, &ResultExporter::finished);
        QVERIFY(exporter->exportChart(chart, ChartExportOptions{QSize(1600, 1000), {}}, plain));
        QVERIFY(exporter->exportChart(chart, ChartExportOptions{QSize(1600, 1000), subtitle}, titled));
        QCOMPARE(finished.size(), 2);
        const QImage plainImage(plain);
        const QImage titledImage(titled);
        QCOMPARE(plainImage.size(), QSize(1600, 1000));
        QCOMPARE(titledImage.size(), QSize(1600, 1000));
        QCOMPARE(titledImage.text(QStringLiteral("Title")), chart->title());
        QVERIFY(!titledImage.text(QStringLiteral("webthreat:provenance")).isEmpty());
        // The subtitle takes a line under the title: the top band differs.
        const QRect band(0, 0, 1600, 160);
        QVERIFY(plainImage.copy(band) != titledImage.copy(band));
        // An odd size is honoured to the pixel.
        const QString odd = dir.filePath(QStringLiteral("odd.png"));
        QVERIFY(exporter->exportChart(chart, ChartExportOptions{QSize(1201, 751), {}}, odd));
        QCOMPARE(QImage(odd).size(), QSize(1201, 751));

        // A failure names the file and keeps the window going.
        QSignalSpy failed(exporter, &ResultExporter::failed);
        QVERIFY(!exporter->exportChart(chart, {}, dir.filePath(QStringLiteral("missing/x.png"))));
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("does not exist")),
                 qPrintable(failed.first().at(1).toString()));
    }

    void everyRouteOpensTheSameDialog()
    {
        MainWindow window;
        window.resize(1280, 800);
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        window.show();
        window.showTab(MainWindow::Tab::Overview);
        const QList<ChartView*> views = window.findChildren<ChartView*>();
        QVERIFY(views.size() >= 3);

        // The context menu's "Export as PNG..." asks the window: the dialog, this chart first.
        ChartView* clicked = views.at(2);
        DialogProbe probe;
        probe.arm();
        Q_EMIT clicked->exportRequested(clicked);
        QVERIFY(probe.seen);
        QCOMPARE(probe.chartOffered, clicked->title());

        // File > Export Chart: the same dialog, never a silent save.
        QAction* exportChart = actionNamed(window, QStringLiteral("Export &Chart..."));
        QVERIFY(exportChart);
        DialogProbe menuProbe;
        menuProbe.arm();
        exportChart->trigger();
        QVERIFY(menuProbe.seen);
        QVERIFY(!menuProbe.chartOffered.isEmpty());
    }

    void exportFolderExistsAndIsWritable()
    {
        WorkbenchSettings settings;
        QTemporaryDir data;
        QTemporaryDir exports;
        const QString csv = QDir(data.path()).filePath(QStringLiteral("traffic.csv"));
        // Nothing exported yet: the data's folder.
        QCOMPARE(settings.exportFolder(csv), data.path());
        // Then the last export's folder, whichever data is open.
        settings.rememberExportFolder(QDir(exports.path()).filePath(QStringLiteral("chart.png")));
        QCOMPARE(settings.exportFolder(csv), exports.path());
        // A last export folder that has gone away: the data's folder again.
        QTemporaryDir gone;
        settings.rememberExportFolder(gone.path());
        QVERIFY(gone.remove());
        QCOMPARE(settings.exportFolder(csv), data.path());
        // No data (the bundled sample lives in resources) and no export yet: a folder that exists.
        WorkbenchSettings fresh;
        const QString start = fresh.exportFolder(QStringLiteral(":/sample/sample_traffic.csv"));
        QVERIFY2(QFileInfo(start).isDir(), qPrintable(start));
        QVERIFY2(QFileInfo(fresh.startFolder()).isDir(), qPrintable(fresh.startFolder()));
    }

    void printIsItsOwnAction()
    {
        MainWindow window;
        std::set<QString> shortcuts;
        QAction* print = actionNamed(window, QStringLiteral("&Print Report..."));
        QAction* report = actionNamed(window, QStringLiteral("Export &Report..."));
        QVERIFY(print);
        QVERIFY(report);
        QCOMPARE(print->shortcut(), QKeySequence(QKeySequence::Print));
        QVERIFY(report->shortcut() != QKeySequence(QKeySequence::Print));
        QVERIFY(!report->shortcut().isEmpty());
        // No two actions share a shortcut.
        for (QAction* action : allActions(window)) {
            if (action->shortcut().isEmpty())
                continue;
            const QString key = action->shortcut().toString();
            QVERIFY2(shortcuts.insert(key).second, qPrintable(key + QStringLiteral(" twice")));
        }
    }

    void printsTheReportPages()
    {
        MainWindow window;
        window.resize(1280, 800);
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* exporter = test::byName<ResultExporter>(window, "resultExporter");
        QTemporaryDir dir;
        const QString printed = dir.filePath(QStringLiteral("printed.pdf"));
        QPrinter printer(QPrinter::HighResolution);
        printer.setOutputFormat(QPrinter::PdfFormat);
        printer.setOutputFileName(printed);
        // The PDF export's page: A4, the document's own 2 cm margins.
        printer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
        QSignalSpy status(exporter, &ResultExporter::status);
        QVERIFY(exporter->printReport(&printer));
        QVERIFY(status.last().first().toString().contains(QStringLiteral("printed.pdf")));
        // The same pages as File > Export Report's PDF.
        const QString exported = dir.filePath(QStringLiteral("report.pdf"));
        QSignalSpy finished(exporter, &ResultExporter::finished);
        exporter->exportReport(exported);
        QVERIFY(finished.wait(test::kLoadTimeoutMs));
        const int pages = pdfPages(printed);
        QVERIFY2(pages >= 2, qPrintable(QString::number(pages)));
        QCOMPARE(pages, pdfPages(exported));
    }
};

QTEST_MAIN(TestChartExport)
#include "tst_chartexport.moc"

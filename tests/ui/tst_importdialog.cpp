// The import dialog on the odd layouts of tests/data/import: prefilled from the sniffer, re-split
// live, OK only once src_ip/dst_ip (and the other required fields) are mapped, its options load
// the file like the canonical one, and the mapping is remembered per header signature so the
// same layout opens directly next time.
#include "core/io/csvreader.h"
#include "ui/fileimporter.h"
#include "tests/ui/widgetlookup.h"
#include "ui/importdialog.h"
#include "ui/mainwindow.h"
#include "ui/screenshottaker.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

constexpr int kTimeoutMs = 120000;
const QString kImportDir = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/import/");

std::string sampleOf(const QString& file)
{
    return readCsvSample((kImportDir + file).toStdString(), 64 * 1024);
}

QString fieldsOf(const ImportDialog& dialog)
{
    QStringList fields;
    for (int c = 0; c < dialog.columnCount(); ++c) {
        const int value = dialog.fieldCombo(c)->currentData().toInt();
        fields << (value >= 0 ? QString::fromLatin1(fieldInfo(static_cast<Field>(value)).name.data())
                       : value == ImportDialog::kIgnore ? QStringLiteral("ignore")
                                                        : QStringLiteral("-"));
    }
    return fields.join(',');
}

void choose(QComboBox* combo, int value)
{
    const int index = combo->findData(value);
    QVERIFY(index >= 0);
    combo->setCurrentIndex(index);
}

int columnNamed(const ImportDialog& dialog, const QString& name)
{
    for (int c = 0; c < dialog.columnCount(); ++c) {
        if (dialog.previewModel()->headerData(c, Qt::Horizontal).toString() == name)
            return c;
    }
    return -1;
}

// Renders the dialog for a person to look at when WEBTHREAT_SCREENSHOT_DIR is set.
void keepScreenshot(QWidget& widget, const QString& name)
{
    const QString folder = qEnvironmentVariable("WEBTHREAT_SCREENSHOT_DIR");
    if (!folder.isEmpty())
        QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
}

const QString kEuropeanFields = QStringLiteral("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,"
                                               "protocol,response.code,dst_port,dst_ip,rule_names");

} // namespace

class TestImportDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_settingsDir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("webthreat-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_importdialog"));
    }

    void init() { QSettings().clear(); }

    void prefilledForSemicolonEuropeanDates()
    {
        ImportDialog dialog(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"));
        dialog.show();
        QCOMPARE(dialog.delimiterCombo()->currentData().toInt(), int(';'));
        QCOMPARE(dialog.quoteCombo()->currentData().toInt(), int('"'));
        QVERIFY(dialog.headerCheck()->isChecked());
        QCOMPARE(dialog.timestampCombo()->currentData().toInt(), int(TimestampFormat::DayMonthYear));
        QCOMPARE(dialog.columnCount(), 11);
        QCOMPARE(dialog.previewModel()->rowCount(), 12);
        QCOMPARE(dialog.previewModel()->headerData(4, Qt::Horizontal).toString(), QString("Source Address"));
        QCOMPARE(dialog.previewModel()->index(0, 10).data().toString(), QString("Suspicious; Web Traffic"));
        QCOMPARE(dialog.previewModel()->headerData(0, Qt::Vertical).toString(), QString("2")); // file line
        QCOMPARE(fieldsOf(dialog), kEuropeanFields);
        QVERIFY(dialog.okButton()->isEnabled());
        QCOMPARE(dialog.message(), QString("Ready: 11 column(s) read into the schema, 0 kept as extra, 0 ignored."));
        QVERIFY(dialog.fieldCombo(4)->toolTip().contains("suggests src_ip"));
        QVERIFY(dialog.timestampCombo()->toolTip().contains("'25/04/2024 21:00:00' has a day first"));
        QCOMPARE(dialog.previewModel()->index(6, 3).data(Qt::ToolTipRole).toString(),
                 QString("Read as 2024-04-26T08:00:00Z (UTC)"));
        QCOMPARE(dialog.commandLine(),
                 QString("webthreat analyze semicolon_european.csv --delimiter ';' --timestamp-format dmy "
                         "--map 'Bytes Received=bytes_in' --map 'Bytes Sent=bytes_out' --map Start=creation_time "
                         "--map Stop=end_time --map 'Source Address=src_ip' --map Country=src_ip_country_code "
                         "--map Proto=protocol --map Status=response.code --map Port=dst_port --map Dest=dst_ip "
                         "--map Rule=rule_names"));
        QCOMPARE(dialog.findChild<QLineEdit*>("commandLine")->text(), dialog.commandLine());
        QAbstractItemModelTester tester(dialog.previewModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Every combo sits inside the header, as wide as its column and no narrower than its text.
        for (int c = 0; c < dialog.columnCount(); ++c) {
            QComboBox* combo = dialog.fieldCombo(c);
            QVERIFY(combo->isVisibleTo(&dialog)
                    || combo->geometry().right() > dialog.previewView()->viewport()->width());
            QVERIFY2(combo->width() >= combo->minimumSizeHint().width(), qPrintable(QString::number(c)));
            QCOMPARE(combo->parentWidget()->parentWidget(),
                     static_cast<QWidget*>(dialog.previewView()->horizontalHeader()));
        }
        keepScreenshot(dialog, "import-semicolon.png");
        // Scrolled to the right, the combos move with their columns.
        QScrollBar* scroll = dialog.previewView()->horizontalScrollBar();
        QVERIFY(scroll->maximum() > 0);
        scroll->setValue(scroll->maximum());
        QHeaderView* header = dialog.previewView()->horizontalHeader();
        const int last = dialog.columnCount() - 1;
        QCOMPARE(dialog.fieldCombo(last)->x(), header->sectionViewportPosition(last) + 2);
        QVERIFY(dialog.fieldCombo(last)->geometry().right() <= header->viewport()->width());
        keepScreenshot(dialog, "import-semicolon-scrolled.png");
    }

    void changingTheDelimiterReparsesThePreview()
    {
        ImportDialog dialog(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"));
        choose(dialog.delimiterCombo(), ',');
        QCOMPARE(dialog.columnCount(), 1);
        QCOMPARE(dialog.previewModel()->columnCount(), 1);
        QCOMPARE(dialog.previewModel()->index(0, 0).data().toString().left(20), QString("5602;12990;25/04/202"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QCOMPARE(dialog.message(),
                 QString("Map columns to bytes_in, bytes_out, creation_time, end_time, src_ip and dst_ip "
                         "(fields marked * are required)."));
        choose(dialog.delimiterCombo(), ';');
        QCOMPARE(dialog.columnCount(), 11);
        QCOMPARE(fieldsOf(dialog), kEuropeanFields);
        QVERIFY(dialog.okButton()->isEnabled());
        // Without a header the first line becomes a data row and the columns are numbered.
        dialog.headerCheck()->setChecked(false);
        QCOMPARE(dialog.previewModel()->rowCount(), 13);
        QCOMPARE(dialog.previewModel()->headerData(0, Qt::Horizontal).toString(), QString("column_1"));
        QCOMPARE(dialog.previewModel()->index(0, 0).data().toString(), QString("Bytes Received"));
    }

    void okDisabledUntilSrcAndDstAreMapped()
    {
        ImportDialog dialog(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"));
        const int source = columnNamed(dialog, "Source Address");
        const int dest = columnNamed(dialog, "Dest");
        QCOMPARE(source, 4);
        QCOMPARE(dest, 9);
        choose(dialog.fieldCombo(source), ImportDialog::kKeepExtra);
        QVERIFY(!dialog.okButton()->isEnabled());
        QCOMPARE(dialog.message(), QString("Map a column to src_ip (fields marked * are required)."));
        choose(dialog.fieldCombo(dest), ImportDialog::kIgnore);
        QCOMPARE(dialog.missingFields(), QStringList({"src_ip", "dst_ip"}));
        QCOMPARE(dialog.message(), QString("Map columns to src_ip and dst_ip (fields marked * are required)."));
        QCOMPARE(dialog.findChild<QLabel*>("message")->text(), dialog.message());
        choose(dialog.fieldCombo(source), int(Field::SrcIp));
        QVERIFY(!dialog.okButton()->isEnabled());
        choose(dialog.fieldCombo(dest), int(Field::DstIp));
        QVERIFY(dialog.okButton()->isEnabled());
        // A field goes to one column: choosing it elsewhere frees the first.
        choose(dialog.fieldCombo(dest), int(Field::SrcIp));
        QCOMPARE(dialog.fieldCombo(source)->currentData().toInt(), ImportDialog::kKeepExtra);
        QCOMPARE(dialog.missingFields(), QStringList({"dst_ip"}));
    }

    void wrongTimestampFormatTintsTheCells()
    {
        ImportDialog dialog(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"));
        QCOMPARE(dialog.previewModel()->misfitCount(), 0);
        choose(dialog.timestampCombo(), int(TimestampFormat::MonthDayYear));
        QCOMPARE(dialog.previewModel()->misfitCount(), 24); // day 25 is no month: both time columns
        const QModelIndex start = dialog.previewModel()->index(0, 2);
        QCOMPARE(
            start.data(ImportPreviewModel::MisfitRole).toString(),
            QString("'25/04/2024 21:00:00' is not a timestamp in the format %m/%d/%Y %H:%M:%S (04/25/2024 23:00:00): "
                    "it will be read as missing."));
        QVERIFY(start.data(Qt::BackgroundRole).isValid());
        QVERIFY(!dialog.previewModel()->index(0, 0).data(Qt::BackgroundRole).isValid());
        QCOMPARE(dialog.message(),
                 QString("Ready: 11 column(s) read into the schema, 0 kept as extra, 0 ignored. 24 preview "
                         "cell(s) do not read as their field (tinted; hover for why)."));
        // An address column mapped onto a text column: kept as text, said so.
        choose(dialog.fieldCombo(6), int(Field::DstIp));
        QCOMPARE(dialog.previewModel()->index(0, 6).data(ImportPreviewModel::MisfitRole).toString(),
                 QString("'HTTPS' is not an IPv4 or IPv6 address: it is kept as text and counted in the report."));
        QVERIFY(dialog.okButton()->isEnabled()); // mapped, only read as missing: the analyst decides
        keepScreenshot(dialog, "import-misfits.png");
    }

    void shortRowsAreMarkedSkipped()
    {
        ImportDialog dialog(QStringLiteral("short.csv"),
                            "src;dst;note\n1.2.3.4;5.6.7.8;a\n1.2.3.5;5.6.7.9\n1.2.3.6;5.6.7.8;b\n");
        QCOMPARE(dialog.columnCount(), 3);
        QCOMPARE(dialog.previewModel()->rowCount(), 3);
        QCOMPARE(dialog.previewModel()->index(1, 0).data(Qt::ToolTipRole).toString(),
                 QString("This row has 2 fields, not 3: it will be skipped."));
        QVERIFY(dialog.previewModel()->index(1, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(!dialog.previewModel()->index(1, 2).data().isValid()); // no third field to show
        QCOMPARE(fieldsOf(dialog), QString("src_ip,dst_ip,-"));
        QCOMPARE(dialog.message(),
                 QString("Map columns to bytes_in, bytes_out, creation_time and end_time (fields marked "
                         "* are required)."));
    }

    void acceptedOptionsLoadTheFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("semicolon") << "semicolon_european.csv";
        QTest::newRow("tab, no header") << "tab_noheader.tsv";
        QTest::newRow("pipe, epoch ms") << "pipe_epochms.csv";
    }

    void acceptedOptionsLoadTheFile()
    {
        QFETCH(QString, file);
        ImportDialog dialog(file, sampleOf(file));
        QVERIFY(dialog.okButton()->isEnabled());
        if (file == "tab_noheader.tsv") {
            QVERIFY(!dialog.headerCheck()->isChecked());
            dialog.show();
            keepScreenshot(dialog, "import-tab.png");
            choose(dialog.quoteCombo(), int('\'')); // re-splits, so the mapping below comes after it
            choose(dialog.fieldCombo(10), int(Field::RuleNames)); // text the sniffer left as extra
            QCOMPARE(
                dialog.commandLine(),
                QString(
                    "webthreat analyze tab_noheader.tsv --delimiter tab --quote \"'\" --no-header --map '#1=src_ip' "
                    "--map '#2=dst_ip' --map '#3=bytes_in' --map '#4=bytes_out' --map '#5=creation_time' "
                    "--map '#6=end_time' --map '#7=dst_port' --map '#8=src_ip_country_code' --map '#9=protocol' "
                    "--map '#10=response.code' --map '#11=rule_names'"));
        }
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const ReadOptions options = dialog.readOptions();
        const ReadResult imported = readTrafficCsv((kImportDir + file).toStdString(), options);
        const ReadResult canonical = readTrafficCsv((kImportDir + "canonical.csv").toStdString());
        QCOMPARE(imported.table.rowCount(), std::size_t(12));
        QCOMPARE(imported.report.invalidCellCount(), std::size_t(0));
        for (std::size_t c = 0; c < kFieldCount; ++c) {
            for (std::size_t row = 0; row < 12; ++row)
                QCOMPARE(imported.table.cellText(c, row), canonical.table.cellText(c, row));
        }
        // Remembered under the layout's signature, as the dialog's choices.
        const auto saved = savedImportOptions(dialog.signature());
        QVERIFY(saved.has_value());
        QCOMPARE(saved->delimiter, options.delimiter);
        QCOMPARE(saved->hasHeader, options.hasHeader);
        QCOMPARE(saved->timestampFormat, options.timestampFormat);
        QCOMPARE(saved->columnMap, options.columnMap);
    }

    void notRememberedWhenUnticked()
    {
        ImportDialog dialog(QStringLiteral("pipe_epochms.csv"), sampleOf("pipe_epochms.csv"));
        dialog.findChild<QCheckBox*>("remember")->setChecked(false);
        dialog.accept();
        QVERIFY(!savedImportOptions(dialog.signature()).has_value());
    }

    void savedMappingPrefillsTheDialog()
    {
        QString signature;
        ReadOptions chosen;
        {
            ImportDialog dialog(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"));
            choose(dialog.fieldCombo(10), ImportDialog::kIgnore);
            choose(dialog.fieldCombo(6), ImportDialog::kKeepExtra);
            dialog.accept();
            signature = dialog.signature();
            chosen = dialog.readOptions();
        }
        const auto saved = savedImportOptions(signature);
        QVERIFY(saved.has_value());
        ImportDialog again(QStringLiteral("semicolon_european.csv"), sampleOf("semicolon_european.csv"), saved);
        QCOMPARE(fieldsOf(again),
                 QString("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,-,"
                         "response.code,dst_port,dst_ip,ignore"));
        QCOMPARE(again.readOptions().columnMap, chosen.columnMap);
        QCOMPARE(again.signature(), signature);
    }

    void windowAsksThenReusesTheSavedMapping()
    {
        const QString path = kImportDir + "semicolon_european.csv";
        MainWindow window;
        {
            // First time: the reader would refuse the header, so the window asks.
            QSignalSpy ready(&window, &MainWindow::analysisReady);
            window.openFile(path);
            auto* dialog = window.findChild<ImportDialog*>();
            QVERIFY(dialog);
            QVERIFY(dialog->isVisible());
            QVERIFY(test::byName<FileImporter>(window, "fileImporter")->note().isEmpty());
            dialog->accept();
            QVERIFY(ready.wait(kTimeoutMs));
            QCOMPARE(window.snapshot().data->table.rowCount(), std::size_t(12));
            QCOMPARE(window.snapshot().data->table.cellText(static_cast<std::size_t>(Field::CreationTime), 0),
                     std::string("2024-04-25T21:00:00Z"));
            QVERIFY(window.lastError().isEmpty());
        }
        QTRY_VERIFY(window.findChild<ImportDialog*>() == nullptr); // closed and deleted
        {
            // Second time: the same layout opens directly, with a note saying how to change it.
            QSignalSpy ready(&window, &MainWindow::analysisReady);
            window.openFile(path);
            QVERIFY(window.findChild<ImportDialog*>() == nullptr);
            QCOMPARE(test::byName<FileImporter>(window, "fileImporter")->note(),
                     QString::fromUtf8(
                         "Applied the saved mapping for this layout \u2014 File \u25B8 Import CSV\u2026 to change it"));
            QVERIFY(ready.wait(kTimeoutMs));
            QCOMPARE(window.snapshot().data->table.rowCount(), std::size_t(12));
        }
        {
            // The canonical layout never asks.
            QSignalSpy ready(&window, &MainWindow::analysisReady);
            window.openFile(kImportDir + "canonical.csv");
            QVERIFY(window.findChild<ImportDialog*>() == nullptr);
            QVERIFY(test::byName<FileImporter>(window, "fileImporter")->note().isEmpty());
            QVERIFY(ready.wait(kTimeoutMs));
        }
    }

    void cancellingTheDialogKeepsTheData()
    {
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openSample();
        QVERIFY(ready.wait(kTimeoutMs));
        const AnalysisSnapshot before = window.snapshot();
        window.openFile(kImportDir + "pipe_epochms.csv");
        auto* dialog = window.findChild<ImportDialog*>();
        QVERIFY(dialog);
        dialog->reject();
        QTRY_VERIFY(window.findChild<ImportDialog*>() == nullptr);
        QVERIFY(!window.isBusy());
        QCOMPARE(window.snapshot().data, before.data);
    }

    void screenshotOfAnotherLayoutShowsTheDialog()
    {
        // `webthreat-workbench --screenshot OUT.png FILE` with a file in another layout.
        QTemporaryDir dir;
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("import.png"));
        options.input = kImportDir + "semicolon_european.csv";
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.count() == 1 || finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::Written);
        auto* dialog = taker.window()->findChild<ImportDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->testAttribute(Qt::WA_DontShowOnScreen));
        const QImage image(options.output);
        QCOMPARE(image.size(), dialog->size() * dialog->devicePixelRatio());
        QVERIFY(image.width() < 1280); // the dialog, not the window
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestImportDialog)
#include "tst_importdialog.moc"

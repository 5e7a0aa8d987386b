// The bad-input corpus (tests/data/bad, EXPECTED.tsv) through the window, the way File > Open
// reaches it: each file either loads with its warnings in the cleaning report, or shows one message
// naming the file and leaves the data the window had. Also: closing the window in the middle of a
// run, and text from the file that looks like HTML.
#include "tests/ui/widgetlookup.h"
#include "generator/generator.h"
#include "ui/mainwindow.h"
#include "ui/traffictablemodel.h"
#include "tests/badcorpus.h"

#include <QTextBrowser>
#include <QFile>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;

namespace {

constexpr int kTimeoutMs = 120000;
const QString kCorpus = testing::badCorpusFolder();

void closeMessageBoxes(MainWindow& window)
{
    for (QMessageBox* box : window.findChildren<QMessageBox*>())
        box->close();
}

} // namespace

class TestBadInputWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void corpus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("rowsRead");
        QTest::addColumn<bool>("refused");
        QTest::addColumn<QString>("message");
        const auto entries = testing::badCorpusEntries();
        QVERIFY(!entries.isEmpty());
        // The window refuses what the command line refuses (exit 3) when it cannot read the
        // file; a file it can read but not score is shown without scores.
        for (const auto& entry : entries)
            QTest::newRow(qPrintable(entry.file))
                << entry.file << entry.readerValue << (entry.exitStatus != 0) << entry.message;
    }

    void corpus()
    {
        QFETCH(QString, file);
        QFETCH(int, rowsRead);
        QFETCH(bool, refused);
        QFETCH(QString, message);
        MainWindow window;
        {
            QSignalSpy ready(&window, &MainWindow::analysisReady);
            window.openSample();
            QVERIFY(ready.wait(kTimeoutMs));
        }
        const AnalysisSnapshot before = window.snapshot();
        const int rowsBefore = test::byName<TrafficTableModel>(window, "trafficModel")->rowCount();

        QSignalSpy ready(&window, &MainWindow::analysisReady);
        QSignalSpy loadFailed(&window, &MainWindow::loadFailed);
        QSignalSpy detectionFailed(&window, &MainWindow::detectionFailed);
        const QString path = kCorpus + "/" + file;
        window.openFile(path);
        QTRY_VERIFY_WITH_TIMEOUT(ready.count() + loadFailed.count() + detectionFailed.count() > 0, kTimeoutMs);
        QTRY_VERIFY(!window.isBusy());
        if (refused && loadFailed.isEmpty() && ready.count() == 1) {
            // Readable, but the detector cannot score it (fewer than two rows after cleaning): the
            // window shows the rows it has, no scores, and says why in the report.
            QVERIFY(window.snapshot().data != before.data);
            QCOMPARE(window.snapshot().data->readReport.rows, std::size_t(rowsRead));
            QVERIFY(!window.snapshot().hasDetection());
            const QString report = test::byName<QTextBrowser>(window, "cleaningReport")->toHtml();
            QVERIFY2(report.contains(message.toHtmlEscaped()), qPrintable(report));
        } else if (refused) {
            QCOMPARE(ready.count(), 0);
            const QString shown = loadFailed.isEmpty() ? detectionFailed.first().first().toString()
                                                       : loadFailed.first().first().toString();
            QVERIFY2(shown.contains(file), qPrintable(shown));
            QVERIFY2(shown.contains(message), qPrintable(shown));
            // The window still shows what it had.
            QCOMPARE(window.snapshot().data, before.data);
            QCOMPARE(window.snapshot().detection, before.detection);
            QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), rowsBefore);
            // One message box, as plain text.
            bool found = false;
            for (QMessageBox* box : window.findChildren<QMessageBox*>()) {
                if (box->text() == shown) {
                    QCOMPARE(box->textFormat(), Qt::PlainText);
                    found = true;
                }
            }
            QVERIFY(found);
        } else {
            QCOMPARE(ready.count(), 1);
            QCOMPARE(window.snapshot().data->readReport.rows, std::size_t(rowsRead));
            QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(),
                     int(window.snapshot().data->table.rowCount()));
            if (message != "-") {
                const QString report = test::byName<QTextBrowser>(window, "cleaningReport")->toHtml();
                QVERIFY2(report.contains(message.toHtmlEscaped()), qPrintable(report));
            }
        }
        closeMessageBoxes(window);
    }

    void htmlInDataStaysText()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("html.csv");
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,rule_names\n");
            for (int i = 0; i < 20; ++i)
                file.write(QByteArray::number(100 + i) + ",200,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,192.0.2."
                           + QByteArray::number(i) + ",10.0.0.1,<b>bold</b><img src=x onerror=alert(1)>\n");
        }
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(path);
        QVERIFY(ready.wait(kTimeoutMs));
        const TrafficTableModel* model = test::byName<TrafficTableModel>(window, "trafficModel");
        int ruleColumn = -1;
        for (int c = 0; c < model->columnCount(); ++c) {
            if (model->headerData(c, Qt::Horizontal).toString() == "rule_names")
                ruleColumn = c;
        }
        QVERIFY(ruleColumn >= 0);
        // The cell holds the text as it was; views draw DisplayRole as plain text.
        QCOMPARE(model->data(model->index(0, ruleColumn)).toString(),
                 QString("<b>bold</b><img src=x onerror=alert(1)>"));
        const QVariant tip = model->data(model->index(0, ruleColumn), Qt::ToolTipRole);
        if (tip.isValid())
            QVERIFY2(!tip.toString().contains("<b>bold"), qPrintable(tip.toString()));
    }

    void closingDuringARunIsClean()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("large.csv");
        {
            std::ofstream out(path.toStdString());
            GeneratorParams params;
            params.rows = 300000;
            generateTraffic(out, params);
        }
        for (int delayMs : {0, 20, 200}) {
            auto* window = new MainWindow;
            QSignalSpy busy(window, &MainWindow::busyChanged);
            window->openFile(path);
            QTRY_VERIFY(window->isBusy());
            QTest::qWait(delayMs); // let the worker get into the read, the clean or the fit
            window->close();
            delete window; // must cancel the worker and join its thread: no crash, no hang
        }
        // And a new file opened while one is loading replaces it cleanly.
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(path);
        QTRY_VERIFY(window.isBusy());
        window.openSample();
        QVERIFY(ready.wait(kTimeoutMs));
        QTRY_VERIFY(!window.isBusy());
        QCOMPARE(test::byName<TrafficTableModel>(window, "trafficModel")->rowCount(), 5000);
    }
};

QTEST_MAIN(TestBadInputWindow)
#include "tst_badinput_window.moc"

// `webthreat-workbench --screenshot OUT.png [FILE]`: the window rendered off screen to a PNG.
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/screenshottaker.h"
#include "ui/traffictablemodel.h"

#include <QFileInfo>
#include <QImage>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;

class TestScreenshot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::isolateSettings(m_settings, QStringLiteral("tst_screenshot"))); }

    void tabNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("tab");
        QTest::newRow("overview") << QStringLiteral("overview") << true << int(MainWindow::Tab::Overview);
        QTest::newRow("anomalies") << QStringLiteral("Anomalies") << true << int(MainWindow::Tab::Anomalies);
        QTest::newRow("data") << QStringLiteral("data") << true << int(MainWindow::Tab::Data);
        QTest::newRow("summary") << QStringLiteral(" summary ") << true << int(MainWindow::Tab::Summary);
        QTest::newRow("unknown") << QStringLiteral("charts") << false << 0;
    }

    void tabNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QFETCH(int, tab);
        const auto parsed = ScreenshotTaker::tabByName(name);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(int(*parsed), tab);
    }

    void rendersBundledSample()
    {
        QTemporaryDir dir;
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("overview.png"));
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::Written);
        const QImage image(options.output);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1280);
        QVERIFY(image.height() >= 800);
        QCOMPARE(taker.window()->currentTab(), MainWindow::Tab::Overview);
        QCOMPARE(test::byName<TrafficTableModel>(*taker.window(), "trafficModel")->rowCount(), 5000);
        // Never mapped on a screen.
        QVERIFY(taker.window()->testAttribute(Qt::WA_DontShowOnScreen));
    }

    void rendersReferenceOnAnotherTab()
    {
        if (!QFileInfo::exists(QStringLiteral(WEBTHREAT_REFERENCE_CSV)))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
        QTemporaryDir dir;
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("anomalies.png"));
        options.input = QStringLiteral(WEBTHREAT_REFERENCE_CSV);
        options.tab = MainWindow::Tab::Anomalies;
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::Written);
        QCOMPARE(QImage(options.output).size(), QSize(1280, 800));
        QCOMPARE(taker.window()->currentTab(), MainWindow::Tab::Anomalies);
        QCOMPARE(test::byName<TrafficTableModel>(*taker.window(), "trafficModel")->rowCount(), 282);
    }

    void failsOnBadInput()
    {
        QTemporaryDir dir;
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("never.png"));
        options.input = dir.filePath(QStringLiteral("absent.csv"));
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::BadInput);
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("absent.csv")));
        QVERIFY(!QFileInfo::exists(options.output));
    }

    void failsOnUnwritableOutput()
    {
        QTemporaryDir dir;
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("no/such/folder/shot.png"));
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::OutputFailed);
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("shot.png")));
    }

    // --threat-list with --screenshot: the picture waits for the list's marks, and the list is
    // not remembered for the next start.
    void marksThreatListsInThePicture()
    {
        QTemporaryDir dir;
        const QString list = dir.filePath(QStringLiteral("everyone.txt"));
        std::ofstream(list.toStdString()) << "0.0.0.0/0\n::/0\n";
        ScreenshotOptions options;
        options.output = dir.filePath(QStringLiteral("anomalies.png"));
        options.tab = MainWindow::Tab::Anomalies;
        options.threatLists = {list};
        ScreenshotTaker taker(options);
        QSignalSpy finished(&taker, &ScreenshotTaker::finished);
        taker.start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::Written);
        // Every row of the bundled sample is on a list that holds every address.
        const AnalysisSnapshot& shown = taker.window()->snapshot();
        QVERIFY(shown.threatMatches);
        QCOMPARE(shown.threatMatches->matchedRows, shown.data->table.rowCount());
        auto* scatter = test::byName<AnomalyScatter>(*taker.window(), "anomalyScatter");
        QCOMPARE(scatter->listedLegendName(), QStringLiteral("Threat list (5,000)"));
        QVERIFY(QSettings().value(QStringLiteral("threatLists/files")).toStringList().isEmpty());
    }

private:
    QTemporaryDir m_settings;
};

QTEST_MAIN(TestScreenshot)
#include "tst_screenshot.moc"

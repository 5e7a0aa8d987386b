// The Row details dock as the analyst reads it (issue #18, defect 10): the row's own facts (time,
// country, port, protocol, rule), avg_packet_size said to be a rate, and a feature equal on every
// row said to separate nothing rather than "higher than 0.0 % of rows".
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "core/detect/explain.h"
#include "ui/detailpanel.h"
#include "ui/mainwindow.h"

#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

class TestRowDetails : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_rowdetails")));
        if (!QFileInfo::exists(test::referenceCsv()))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
    }

    void detailsSpeakTheAnalystsWords()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        const AnalysisSnapshot snapshot = window.snapshot();
        auto* panel = test::byName<DetailPanel>(window, "detailPanel");
        QSignalSpy explained(panel, &DetailPanel::explained);

        // A suspicious row whose explanation leads with avg_packet_size.
        const Explainer explainer(snapshot.data, snapshot.detection);
        std::optional<std::size_t> rateRow;
        for (const std::size_t row : snapshot.findings->suspiciousRows) {
            if (explainer.explain(row).features.front().feature == Feature::AvgPacketSize) {
                rateRow = row;
                break;
            }
        }
        QVERIFY2(rateRow, "no suspicious row of the reference leads with avg_packet_size");
        window.selectRow(*rateRow);
        QVERIFY(explained.wait(test::kLoadTimeoutMs));

        // The row itself: time, country, port, protocol and rule besides source and destination.
        const QString headline = panel->headline();
        const TrafficTable& table = snapshot.data->table;
        for (const Field field : {Field::SrcIpCountryCode, Field::Protocol, Field::RuleNames}) {
            const QString value = QString::fromStdString(std::string(table.text(field, *rateRow)));
            QVERIFY2(headline.contains(value.toHtmlEscaped()), qPrintable(headline + " lacks " + value));
        }
        QVERIFY2(headline.contains(QStringLiteral("443")), qPrintable(headline));
        QVERIFY2(headline.contains(QStringLiteral("2024-04-2")), qPrintable(headline));

        // A rate, said so.
        QVERIFY2(panel->sentence().contains(QStringLiteral("bytes per second")), qPrintable(panel->sentence()));
        const QString bars = test::byName<QWidget>(window, "creditBars")->toolTip();
        QVERIFY2(bars.contains(QStringLiteral("avg_packet_size (bytes/s)")), qPrintable(bars));
        // session_duration is 600 s on every row of the reference.
        QVERIFY2(bars.contains(QStringLiteral("600 s, the same on every row: it cannot separate anything here")),
                 qPrintable(bars));
        QVERIFY2(!bars.contains(QStringLiteral("higher than 0.0 %")), qPrintable(bars));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestRowDetails)
#include "tst_rowdetails.moc"

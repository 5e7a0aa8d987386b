// The workbench's table models and the Data tab's proxy, on a small hand-made table whose every
// cell, sort order and filter result is known.
#include "core/io/csvreader.h"
#include "core/analysis/datasetsummary.h"
#include "ui/findingsmodel.h"
#include "ui/summarymodel.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"
#include "ui/analysisworker.h"
#include "ui/backgroundtask.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace webthreat;

namespace {

// Six rows, nine of the schema's columns (the optional others are absent). bytes_in sorts
// differently as numbers (5 < 9 < 25 < 100 < 300 < 1000) and as text ("100" < "1000" < "25" ...).
constexpr const char* kCsv
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\r\n"
      "100,2000,2024-04-25T00:00:00Z,2024-04-25T00:10:00Z,10.0.0.9,us,HTTPS,443,192.168.1.1\r\n"
      "9,50,2024-04-25T01:00:00Z,2024-04-25T01:00:30Z,10.0.0.10,DE,HTTP,80,192.168.1.1\r\n"
      "25,70,2024-04-25T02:00:00Z,2024-04-25T02:01:00Z,203.0.113.7,US,HTTPS,443,192.168.1.1\r\n"
      "1000,9000000,2024-04-25T03:00:00Z,2024-04-25T03:00:01Z,203.0.113.7,CN,SSH,22,192.168.1.1\r\n"
      "5,40,2024-04-25T04:00:00Z,2024-04-25T04:10:00Z,10.0.0.11,FR,HTTPS,443,192.168.1.2\r\n"
      "300,600,2024-04-25T05:00:00Z,2024-04-25T05:05:00Z,198.51.100.4,US,HTTP,8080,192.168.1.2";

// Scores by row: ranked 3, 4, 1, 0, 2, 5. At contamination 0.2 the threshold is the second lowest
// score (-0.60), so only row 3 is below it; at 0.5 it is -0.425: rows 3, 4 and 1.
const std::vector<double> kScores{-0.40, -0.45, -0.38, -0.80, -0.60, -0.35};

enum Col {
    BytesIn,
    BytesOut,
    CreationTime,
    EndTime,
    SrcIp,
    Country,
    Protocol,
    DstPort,
    DstIp,
    SessionDuration,
    AvgPacketSize,
    Score,
    Label,
    Verdict, // the analyst's (issue #19)
    Note,
    ColumnTotal
};

std::shared_ptr<const PreparedData> handMadeData()
{
    return prepareTable(readTrafficCsvText(kCsv, "hand.csv"));
}

std::shared_ptr<const Detection> handMadeDetection()
{
    auto detection = std::make_shared<Detection>();
    detection->scores = ScoreIndex(kScores);
    detection->effectiveMaxSamples = 6;
    return detection;
}

QStringList columnTexts(const QAbstractItemModel& model, int column)
{
    QStringList texts;
    for (int row = 0; row < model.rowCount(); ++row)
        texts << model.index(row, column).data().toString();
    return texts;
}

// A proxy over a model of the given snapshot that searches and sorts in the background at any
// size, checked throughout by Qt's model tester.
struct BackgroundProxy {
    TrafficTableModel model;
    TrafficProxyModel proxy;
    std::unique_ptr<QAbstractItemModelTester> tester;

    template <typename Snapshot>
    explicit BackgroundProxy(Snapshot snapshot)
    {
        proxy.setSourceModel(&model);
        proxy.setBackgroundSearchRows(0);
        tester = std::make_unique<QAbstractItemModelTester>(&proxy,
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(std::move(snapshot));
    }
};

} // namespace

class TestModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_data = handMadeData();
        m_detection = handMadeDetection();
        QCOMPARE(m_data->table.rowCount(), std::size_t(6));
    }

    void trafficModelCells()
    {
        TrafficTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));

        QCOMPARE(model.rowCount(), 6);
        // The nine file columns (absent optional ones left out), two features, score, label, the
        // analyst's verdict and note.
        QCOMPARE(model.columnCount(), int(ColumnTotal));
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);
        QCOMPARE(model.headerData(BytesIn, Qt::Horizontal).toString(), QStringLiteral("bytes_in"));
        QCOMPARE(model.headerData(DstIp, Qt::Horizontal).toString(), QStringLiteral("dst_ip"));
        QCOMPARE(model.headerData(SessionDuration, Qt::Horizontal).toString(), QStringLiteral("session_duration"));
        QCOMPARE(model.headerData(AvgPacketSize, Qt::Horizontal).toString(), QStringLiteral("avg_packet_size"));
        QVERIFY(model.headerData(AvgPacketSize, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("avg_packet_size (bytes/s)")));
        QCOMPARE(model.headerData(Score, Qt::Horizontal).toString(), QStringLiteral("anomaly_score"));
        QCOMPARE(model.headerData(Label, Qt::Horizontal).toString(), QStringLiteral("anomaly_label"));
        // The vertical header is the line in the file.
        QCOMPARE(model.headerData(0, Qt::Vertical).toString(), QStringLiteral("2"));
        QCOMPARE(model.headerData(5, Qt::Vertical).toString(), QStringLiteral("7"));

        QCOMPARE(model.index(0, BytesIn).data().toString(), QStringLiteral("100"));
        QCOMPARE(model.index(3, BytesOut).data().toString(), QStringLiteral("9000000"));
        QCOMPARE(model.index(0, CreationTime).data().toString(), QStringLiteral("2024-04-25T00:00:00Z"));
        QCOMPARE(model.index(0, Country).data().toString(), QStringLiteral("US")); // upper-cased by cleaning
        QCOMPARE(model.index(4, SrcIp).data().toString(), QStringLiteral("10.0.0.11"));
        QCOMPARE(model.index(0, SessionDuration).data().toString(), QStringLiteral("600.0"));
        QCOMPARE(model.index(0, AvgPacketSize).data().toString(), QStringLiteral("3.5")); // 2100 B / 600 s
        QCOMPARE(model.index(3, Score).data().toString(), QStringLiteral("-0.8000"));
        QCOMPARE(model.index(3, Label).data().toString(), QStringLiteral("Suspicious"));
        QCOMPARE(model.index(4, Label).data().toString(), QStringLiteral("Normal"));

        // Numbers to the right; the suspicious row tinted, the others not.
        QCOMPARE(model.index(0, BytesIn).data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignHorizontal_Mask,
                 Qt::AlignRight);
        const QVariant tint = model.index(3, SrcIp).data(Qt::BackgroundRole);
        QVERIFY(tint.canConvert<QColor>());
        QVERIFY(tint.value<QColor>().red() > tint.value<QColor>().green());
        QVERIFY(!model.index(0, SrcIp).data(Qt::BackgroundRole).isValid());
        QCOMPARE(model.index(3, 0).data(TrafficTableModel::SuspiciousRole).toBool(), true);
        QCOMPARE(model.index(2, 0).data(TrafficTableModel::SourceLineRole).toLongLong(), 4);
        // The sort key is the number, not the text.
        QCOMPARE(model.index(3, BytesIn).data(TrafficTableModel::SortKeyRole).toDouble(), 1000.0);
        QVERIFY(!model.index(0, 0).data(Qt::UserRole + 100).isValid());
    }

    void trafficModelWithoutDetection()
    {
        TrafficTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        AnalysisSnapshot snapshot;
        snapshot.data = m_data;
        model.setSnapshot(snapshot);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.index(0, Score).data().toString(), QString());
        QCOMPARE(model.index(0, Label).data().toString(), QString());
        QVERIFY(!model.index(3, 0).data(Qt::BackgroundRole).isValid());
        model.setSnapshot(AnalysisSnapshot());
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), 0);
    }

    void proxySortsNumerically_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("bytes_in ascending")
            << int(BytesIn) << int(Qt::AscendingOrder) << QStringList{"5", "9", "25", "100", "300", "1000"};
        QTest::newRow("bytes_in descending")
            << int(BytesIn) << int(Qt::DescendingOrder) << QStringList{"1000", "300", "100", "25", "9", "5"};
        QTest::newRow("bytes_out ascending")
            << int(BytesOut) << int(Qt::AscendingOrder) << QStringList{"40", "50", "70", "600", "2000", "9000000"};
        QTest::newRow("dst_port ascending")
            << int(DstPort) << int(Qt::AscendingOrder) << QStringList{"22", "80", "443", "443", "443", "8080"};
        QTest::newRow("src_ip as text") << int(SrcIp) << int(Qt::AscendingOrder)
                                        << QStringList{"10.0.0.10",    "10.0.0.11",   "10.0.0.9",
                                                       "198.51.100.4", "203.0.113.7", "203.0.113.7"};
        QTest::newRow("score ascending") << int(Score) << int(Qt::AscendingOrder)
                                         << QStringList{"-0.8000", "-0.6000", "-0.4500",
                                                        "-0.4000", "-0.3800", "-0.3500"};
        QTest::newRow("session_duration descending") << int(SessionDuration) << int(Qt::DescendingOrder)
                                                     << QStringList{"600.0", "600.0", "300.0", "60.0", "30.0", "1.0"};
    }

    void proxySortsNumerically()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QStringList, expected);
        TrafficTableModel model;
        TrafficProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        proxy.sort(column, static_cast<Qt::SortOrder>(order));
        QCOMPARE(columnTexts(proxy, column), expected);
    }

    // The same sorts on a pool thread, as over a large table: the rows keep their order until
    // the new one is made, then have exactly it.
    void proxySortsInTheBackground_data() { proxySortsNumerically_data(); }

    void proxySortsInTheBackground()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QStringList, expected);
        BackgroundProxy fixture(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        TrafficProxyModel& proxy = fixture.proxy;
        const QStringList fileOrder = columnTexts(proxy, SrcIp);
        QSignalSpy sorting(&proxy, &TrafficProxyModel::sortingChanged);
        proxy.sort(column, static_cast<Qt::SortOrder>(order));
        QVERIFY(proxy.isSorting());
        QCOMPARE(columnTexts(proxy, SrcIp), fileOrder); // not yet
        QVERIFY(sorting.wait());
        QVERIFY(!proxy.isSorting());
        QCOMPARE(columnTexts(proxy, column), expected);
    }

    void proxyBackgroundSortFollowsVerdictsAndData()
    {
        BackgroundProxy fixture(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        TrafficProxyModel& proxy = fixture.proxy;
        QSignalSpy sorting(&proxy, &TrafficProxyModel::sortingChanged);
        // Suspicious first (labels sort as 1/0, descending).
        proxy.sort(Label, Qt::DescendingOrder);
        QVERIFY(sorting.wait());
        QCOMPARE(columnTexts(proxy, Label).first(), QStringLiteral("Suspicious"));
        QCOMPARE(columnTexts(proxy, Label).count(QStringLiteral("Suspicious")), 1);

        // The slider moves to 50 %: three suspicious rows, ordered first once the new order is made.
        fixture.model.updateVerdicts(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.5)));
        proxy.verdictsChanged();
        QVERIFY(proxy.isSorting());
        QVERIFY(sorting.wait());
        QCOMPARE(columnTexts(proxy, Label),
                 (QStringList{"Suspicious", "Suspicious", "Suspicious", "Normal", "Normal", "Normal"}));

        // New data, still sorted by bytes_in: no row until its rows are sorted.
        proxy.sort(BytesIn, Qt::AscendingOrder);
        QVERIFY(sorting.wait());
        auto other
            = prepareTable(readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                              "30,2,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,192.0.2.3,10.0.0.1\n"
                                              "10,4,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,192.0.2.1,10.0.0.1\n"
                                              "20,4,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,192.0.2.2,10.0.0.1\n",
                                              "other.csv"));
        AnalysisSnapshot snapshot;
        snapshot.data = other;
        fixture.model.setSnapshot(snapshot);
        QVERIFY(proxy.isSorting());
        QCOMPARE(proxy.rowCount(), 0);
        QVERIFY(sorting.wait());
        QCOMPARE(columnTexts(proxy, BytesIn), (QStringList{"10", "20", "30"}));
    }

    void proxyFilters_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QStringList>("expectedIps");
        QTest::newRow("empty") << QString() << QString() << QStringList{"10.0.0.9",    "10.0.0.10", "203.0.113.7",
                                                                        "203.0.113.7", "10.0.0.11", "198.51.100.4"};
        QTest::newRow("ip prefix") << QStringLiteral("203.0.113") << QString()
                                   << QStringList{"203.0.113.7", "203.0.113.7"};
        QTest::newRow("case-insensitive") << QStringLiteral("ssh") << QString() << QStringList{"203.0.113.7"};
        // "us" is in the country US and in the label "Suspicious" (row 3 at 20 %).
        QTest::newRow("all columns") << QStringLiteral("us") << QString()
                                     << QStringList{"10.0.0.9", "203.0.113.7", "203.0.113.7", "198.51.100.4"};
        QTest::newRow("one column") << QStringLiteral("us") << QStringLiteral("src_ip_country_code")
                                    << QStringList{"10.0.0.9", "203.0.113.7", "198.51.100.4"};
        QTest::newRow("port") << QStringLiteral("443") << QStringLiteral("dst_port")
                              << QStringList{"10.0.0.9", "203.0.113.7", "10.0.0.11"};
        QTest::newRow("timestamp") << QStringLiteral("2024-04-25T03") << QString() << QStringList{"203.0.113.7"};
        QTest::newRow("label") << QStringLiteral("suspicious") << QStringLiteral("anomaly_label")
                               << QStringList{"203.0.113.7"};
        QTest::newRow("nothing") << QStringLiteral("no such text") << QString() << QStringList{};
    }

    void proxyFilters()
    {
        QFETCH(QString, text);
        QFETCH(QString, column);
        QFETCH(QStringList, expectedIps);
        TrafficTableModel model;
        TrafficProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        proxy.setFilter(text, column);
        QCOMPARE(columnTexts(proxy, SrcIp), expectedIps);
    }

    // The same filters searched on a pool thread, as they are over a large table: the rows shown
    // stay the previous filter's until the search ends, then are exactly the filter's.
    void proxyFiltersInTheBackground_data() { proxyFilters_data(); }

    void proxyFiltersInTheBackground()
    {
        QFETCH(QString, text);
        QFETCH(QString, column);
        QFETCH(QStringList, expectedIps);
        BackgroundProxy fixture(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        TrafficProxyModel& proxy = fixture.proxy;
        QCOMPARE(proxy.rowCount(), 6);
        QSignalSpy searching(&proxy, &TrafficProxyModel::searchingChanged);
        proxy.setFilter(text, column);
        if (proxy.isSearching()) {
            QCOMPARE(proxy.rowCount(), 6); // still unfiltered
            QVERIFY(searching.wait());
            QCOMPARE(searching.last().first().toBool(), false);
        }
        QVERIFY(!proxy.isSearching());
        QCOMPARE(columnTexts(proxy, SrcIp), expectedIps);
    }

    void proxyBackgroundSearchKeepsOnlyTheNewest()
    {
        BackgroundProxy fixture(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        TrafficProxyModel& proxy = fixture.proxy;
        QSignalSpy searching(&proxy, &TrafficProxyModel::searchingChanged);
        QSignalSpy layouts(&proxy, &QAbstractItemModel::layoutChanged);
        // Typed on before the first search ended: only the last text's rows are ever shown.
        proxy.setFilter(QStringLiteral("ssh"));
        proxy.setFilter(QStringLiteral("10.0.0"));
        QVERIFY(proxy.isSearching());
        QVERIFY(searching.wait());
        QCOMPARE(columnTexts(proxy, SrcIp), (QStringList{"10.0.0.9", "10.0.0.10", "10.0.0.11"}));
        QCOMPARE(layouts.count(), 1);
        // Every search has ended and reported: the cancelled one changed nothing.
        QVERIFY(backgroundThreadPool()->waitForDone(10000));
        QCoreApplication::processEvents();
        QCOMPARE(layouts.count(), 1);
        QCOMPARE(columnTexts(proxy, SrcIp), (QStringList{"10.0.0.9", "10.0.0.10", "10.0.0.11"}));

        // New data while a filter is set: no row until its rows in the new data are found.
        auto other
            = prepareTable(readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                              "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,10.0.0.99,192.0.2.1\n"
                                              "3,4,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,192.0.2.1,192.0.2.2\n",
                                              "other.csv"));
        AnalysisSnapshot snapshot;
        snapshot.data = other;
        fixture.model.setSnapshot(snapshot);
        QVERIFY(proxy.isSearching());
        QCOMPARE(proxy.rowCount(), 0);
        QVERIFY(searching.wait());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 4).data().toString(), QStringLiteral("10.0.0.99"));
    }

    void proxyKeepsSortWhenFiltering()
    {
        TrafficTableModel model;
        TrafficProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        proxy.sort(BytesIn, Qt::AscendingOrder);
        proxy.setFilter(QStringLiteral("HTTP"), QStringLiteral("protocol"));
        QCOMPARE(columnTexts(proxy, BytesIn), (QStringList{"5", "9", "25", "100", "300"}));
        proxy.setFilter(QString());
        QCOMPARE(columnTexts(proxy, BytesIn), (QStringList{"5", "9", "25", "100", "300", "1000"}));
    }

    void proxySuspiciousOnlyFollowsVerdicts()
    {
        TrafficTableModel model;
        TrafficProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        proxy.setSuspiciousOnly(true);
        QCOMPARE(columnTexts(proxy, SrcIp), QStringList{"203.0.113.7"});

        // The slider moves to 50 %: three rows, with no reset of the source model.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        model.updateVerdicts(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.5)));
        proxy.verdictsChanged();
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(columnTexts(proxy, SrcIp), (QStringList{"10.0.0.10", "203.0.113.7", "10.0.0.11"}));
        QCOMPARE(columnTexts(proxy, Label), (QStringList{"Suspicious", "Suspicious", "Suspicious"}));

        // Combined with a text filter.
        proxy.setFilter(QStringLiteral("https"));
        QCOMPARE(columnTexts(proxy, SrcIp), QStringList{"10.0.0.11"});
        proxy.setSuspiciousOnly(false);
        QCOMPARE(columnTexts(proxy, SrcIp), (QStringList{"10.0.0.9", "203.0.113.7", "10.0.0.11"}));
    }

    void proxyFilterSurvivesNewData()
    {
        TrafficTableModel model;
        TrafficProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setFilter(QStringLiteral("203.0.113"));
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        QCOMPARE(proxy.rowCount(), 2);
        // Another file: the filter is rebuilt for its strings.
        auto other
            = prepareTable(readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                              "1,2,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,203.0.113.99,10.0.0.1\n"
                                              "3,4,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z,192.0.2.1,10.0.0.1\n",
                                              "other.csv"));
        AnalysisSnapshot snapshot;
        snapshot.data = other;
        model.setSnapshot(snapshot);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 4).data().toString(), QStringLiteral("203.0.113.99"));
    }

    void summaryModel()
    {
        SummaryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        auto summary = std::make_shared<const DatasetSummary>(
            summarizeDataset(m_data->table, m_data->features, m_data->readReport));
        QCOMPARE(summary->rows, std::size_t(6));
        QCOMPARE(summary->fileColumns, std::size_t(9));
        model.setSummary(summary, summarizeScores(m_detection->scores));
        QCOMPARE(model.rowCount(), 9 + 2 + 1);
        QCOMPARE(model.columnCount(), int(SummaryModel::ColumnCount));
        const auto cell = [&model](int row, int column) { return model.index(row, column).data().toString(); };

        // bytes_in: 5, 9, 25, 100, 300, 1000
        QCOMPARE(cell(0, SummaryModel::Name), QStringLiteral("bytes_in"));
        QCOMPARE(cell(0, SummaryModel::Type), QStringLiteral("integer"));
        QCOMPARE(cell(0, SummaryModel::Present), QStringLiteral("6"));
        QCOMPARE(cell(0, SummaryModel::Missing), QStringLiteral("0"));
        QCOMPARE(cell(0, SummaryModel::Distinct), QStringLiteral("6"));
        QCOMPARE(cell(0, SummaryModel::Minimum), QStringLiteral("5"));
        QCOMPARE(cell(0, SummaryModel::Median), QStringLiteral("62.5"));
        QCOMPARE(cell(0, SummaryModel::Maximum), QStringLiteral("1,000"));
        QCOMPARE(model.index(0, SummaryModel::Median).data(SummaryModel::SortKeyRole).toDouble(), 62.5);
        // Timestamps: first and last instant.
        QCOMPARE(cell(2, SummaryModel::Name), QStringLiteral("creation_time"));
        QCOMPARE(cell(2, SummaryModel::Type), QStringLiteral("timestamp"));
        QCOMPARE(cell(2, SummaryModel::Minimum), QStringLiteral("2024-04-25 00:00"));
        QCOMPARE(cell(2, SummaryModel::Maximum), QStringLiteral("2024-04-25 05:00"));
        QCOMPARE(model.index(2, SummaryModel::Maximum).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("2024-04-25T05:00:00Z"));
        // Text: distinct count and the most frequent values.
        QCOMPARE(cell(4, SummaryModel::Name), QStringLiteral("src_ip"));
        QCOMPARE(cell(4, SummaryModel::Distinct), QStringLiteral("5"));
        QCOMPARE(cell(4, SummaryModel::Minimum), QString());
        QVERIFY(cell(4, SummaryModel::TopValues).startsWith(QStringLiteral("203.0.113.7 (2)")));
        QVERIFY(cell(5, SummaryModel::TopValues).startsWith(QStringLiteral("US (3)")));
        // The features and the score follow the file's columns.
        QCOMPARE(cell(9, SummaryModel::Name), QStringLiteral("session_duration"));
        QCOMPARE(cell(9, SummaryModel::Maximum), QStringLiteral("600"));
        QCOMPARE(cell(10, SummaryModel::Name), QStringLiteral("avg_packet_size"));
        QCOMPARE(cell(11, SummaryModel::Name), QStringLiteral("anomaly_score"));
        QCOMPARE(cell(11, SummaryModel::Minimum), QStringLiteral("-0.8"));
        QCOMPARE(cell(11, SummaryModel::Median), QStringLiteral("-0.425"));

        model.setSummary(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void summaryCountsMissingAndInvalid()
    {
        auto data = prepareTable(
            readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,protocol\n"
                               "10,20,2024-01-01T00:00:00Z,2024-01-01T00:00:10Z,192.0.2.1,10.0.0.1,HTTPS\n"
                               "x,30,2024-01-01T00:01:00Z,2024-01-01T00:01:10Z,192.0.2.2,10.0.0.1,\n"
                               "30,,2024-01-01T00:02:00Z,2024-01-01T00:02:10Z,192.0.2.3,10.0.0.1,HTTP\n",
                               "gaps.csv"));
        SummaryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSummary(
            std::make_shared<const DatasetSummary>(summarizeDataset(data->table, data->features, data->readReport)));
        const auto row = [&model](const QString& name) {
            for (int r = 0; r < model.rowCount(); ++r) {
                if (model.index(r, SummaryModel::Name).data().toString() == name)
                    return r;
            }
            return -1;
        };
        // The invalid bytes_in was filled with the median by cleaning; bytes_out and protocol stay missing.
        QCOMPARE(model.index(row("bytes_in"), SummaryModel::Missing).data().toString(), QStringLiteral("0"));
        QCOMPARE(model.index(row("bytes_out"), SummaryModel::Missing).data().toString(), QStringLiteral("1"));
        QCOMPARE(model.index(row("protocol"), SummaryModel::Missing).data().toString(), QStringLiteral("1"));
        QCOMPARE(model.index(row("protocol"), SummaryModel::Present).data().toString(), QStringLiteral("2"));
        QVERIFY(model.index(row("bytes_out"), SummaryModel::Missing).data(Qt::ForegroundRole).isValid());
    }

    void suspiciousRowsModel()
    {
        SuspiciousRowsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.5)));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(SuspiciousRowsModel::ColumnCount));
        // When comes third, after rank and score: the list is a third of the window wide, and a time
        // column at its far right was off screen at 1280x800.
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Started"));
        // Most anomalous first: rows 3, 4, 1.
        QCOMPARE(model.index(0, SuspiciousRowsModel::Rank).data().toInt(), 1);
        QCOMPARE(model.index(0, SuspiciousRowsModel::Score).data().toString(), QStringLiteral("-0.8000"));
        QCOMPARE(model.index(0, SuspiciousRowsModel::SourceIp).data().toString(), QStringLiteral("203.0.113.7"));
        QCOMPARE(model.index(0, SuspiciousRowsModel::DestinationPort).data().toString(), QStringLiteral("22"));
        QCOMPARE(model.index(0, SuspiciousRowsModel::BytesOut).data().toString(), QStringLiteral("9.0 MB"));
        QCOMPARE(model.index(0, SuspiciousRowsModel::BytesOut).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("9000000 bytes"));
        QCOMPARE(model.index(0, SuspiciousRowsModel::Line).data().toString(), QStringLiteral("5"));
        QCOMPARE(model.index(1, SuspiciousRowsModel::SourceIp).data().toString(), QStringLiteral("10.0.0.11"));
        QCOMPARE(model.index(2, SuspiciousRowsModel::SourceIp).data().toString(), QStringLiteral("10.0.0.10"));
        QCOMPARE(model.index(2, 0).data(SuspiciousRowsModel::TableRowRole).toULongLong(), 1ull);
        QCOMPARE(model.positionOf(4), 1);
        QCOMPARE(model.positionOf(0), -1);
        QCOMPARE(model.tableRow(0), std::size_t(3));

        model.setSnapshot(assessSnapshot(m_data, m_detection, Contamination::fromValue(0.2)));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.positionOf(4), -1);
        AnalysisSnapshot noDetection;
        noDetection.data = m_data;
        model.setSnapshot(noDetection);
        QCOMPARE(model.rowCount(), 0);
    }

    void findingsModel()
    {
        const AnalysisSnapshot snapshot = assessSnapshot(m_data, m_detection, Contamination::fromValue(0.5));
        FindingsModel ips(FindingsModel::Category::SourceIps);
        FindingsModel protocols(FindingsModel::Category::Protocols);
        FindingsModel ports(FindingsModel::Category::DestinationPorts);
        QAbstractItemModelTester ipsTester(&ips, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester protocolsTester(&protocols, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester portsTester(&ports, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ips.setFindings(snapshot.findings);
        protocols.setFindings(snapshot.findings);
        ports.setFindings(snapshot.findings);

        QCOMPARE(ips.rowCount(), 3);
        // One suspicious row each; ties broken by bytes, so the 9 MB row's address leads.
        QCOMPARE(ips.index(0, FindingsModel::Value).data().toString(), QStringLiteral("203.0.113.7"));
        QCOMPARE(ips.index(0, FindingsModel::Count).data().toString(), QStringLiteral("1"));
        QCOMPARE(ips.index(0, FindingsModel::Share).data().toString(), QStringLiteral("33.3 %"));
        QCOMPARE(ips.index(0, FindingsModel::TotalRows).data().toString(), QStringLiteral("2"));
        QCOMPARE(ips.index(0, FindingsModel::BytesOut).data().toString(), QStringLiteral("9.0 MB"));
        QCOMPARE(ips.index(0, FindingsModel::BytesIn).data(FindingsModel::SortKeyRole).toLongLong(), 1000);
        QCOMPARE(ips.headerData(FindingsModel::Value, Qt::Horizontal).toString(), QStringLiteral("Source IP"));
        QCOMPARE(columnTexts(protocols, FindingsModel::Value), (QStringList{"SSH", "HTTP", "HTTPS"}));
        QCOMPARE(columnTexts(ports, FindingsModel::Value), (QStringList{"22", "80", "443"}));

        ips.setFindings(nullptr);
        QCOMPARE(ips.rowCount(), 0);
    }

private:
    std::shared_ptr<const PreparedData> m_data;
    std::shared_ptr<const Detection> m_detection;
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"

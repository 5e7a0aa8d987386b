// The Data tab's text filter in core: rowsMatchingText finds the rows whose cells contain the
// typed text, as the table writes them, without formatting every cell.
#include "core/io/csvreader.h"
#include "core/util/errors.h"
#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/io/timestamp.h"
#include "core/analysis/viewfilter.h"

#include <QTest>

#include <atomic>
#include <charconv>
#include <sstream>

using namespace webthreat;

namespace {

// bytes_in, bytes_out and dst_port are integers, creation_time and end_time timestamps (one with
// a fraction of a second, one a year before the others), src_ip and protocol text.
const std::string kTraffic
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,protocol,dst_port,dst_ip\n"
      "14430,20,2024-04-25T03:15:00Z,2024-04-25T03:16:00Z,10.0.0.9,HTTPS,443,10.0.0.1\n" // row 0
      "300,3000,2024-04-25T09:00:00Z,2024-04-25T09:00:01.25Z,203.0.113.7,SSH,22,10.0.0.1\n" // row 1
      "200,2000,2023-12-31T23:59:59Z,2024-01-01T00:00:00Z,198.51.100.4,ssh,8080,10.0.0.1\n" // row 2
      "50,,,2024-04-25T11:00:00Z,10.0.0.11,HTTP,,10.0.0.1\n" // row 3: gaps
      "7,70,2024-04-25T08:30:00Z,2024-04-25T08:30:00Z,,Http,80,10.0.0.1\n"; // row 4

std::vector<std::size_t> columnsNamed(const TrafficTable& table, std::initializer_list<const char*> names)
{
    std::vector<std::size_t> columns;
    for (const char* name : names) {
        for (std::size_t column = 0; column < table.columnCount(); ++column) {
            if (table.columns[column].name == name)
                columns.push_back(column);
        }
    }
    return columns;
}

std::vector<std::size_t> everyColumn(const TrafficTable& table)
{
    std::vector<std::size_t> columns(table.columnCount());
    for (std::size_t column = 0; column < columns.size(); ++column)
        columns[column] = column;
    return columns;
}

std::vector<std::size_t> matchingRows(const TrafficTable& table, const std::string& needle,
                                      std::vector<std::size_t> columns)
{
    TextFilter filter;
    filter.needle = needle;
    filter.columns = std::move(columns);
    const std::vector<std::uint8_t> mask = rowsMatchingText(table, filter);
    std::vector<std::size_t> rows;
    for (std::size_t row = 0; row < mask.size(); ++row) {
        if (mask[row])
            rows.push_back(row);
    }
    return rows;
}

// The definition, cell by cell: what the table shows, searched for the needle.
bool cellContains(const TrafficTable& table, std::size_t column, std::size_t row, const std::string& lowerNeedle)
{
    const Column& cells = table.columns[column];
    if (cells.isMissing(row))
        return false;
    switch (cells.kind) {
    case ColumnKind::Text:
        return containsIgnoringAsciiCase(table.strings->view(cells.text[row]), lowerNeedle);
    case ColumnKind::Integer: // whole numbers only
        return std::to_string(cells.integers[row]) == lowerNeedle;
    case ColumnKind::Timestamp:
        return containsIgnoringAsciiCase(formatTimestamp(cells.integers[row]), lowerNeedle);
    case ColumnKind::Real:
        return false;
    }
    return false;
}

} // namespace

class TestViewFilter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A pair from the Beacons tab: source, destination and port (a missing port is its own value).
    void pairKeepsItsSourceDestinationAndPort()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        const StringPool& strings = *table.strings;
        const auto rowsOf = [&table](const ViewFilter& filter) {
            const std::vector<std::uint8_t> mask = filterRows(table, filter);
            std::vector<std::size_t> rows;
            for (std::size_t row = 0; row < mask.size(); ++row) {
                if (mask[row])
                    rows.push_back(row);
            }
            return rows;
        };
        ViewFilter filter;
        filter.pair = PairFilter{strings.find("10.0.0.9"), strings.find("10.0.0.1"), 443};
        QVERIFY(filter.isActive());
        QCOMPARE(rowsOf(filter), std::vector<std::size_t>{0});
        filter.pair->dstPort = 80;
        QCOMPARE(rowsOf(filter), std::vector<std::size_t>{});
        filter.pair = PairFilter{strings.find("10.0.0.11"), strings.find("10.0.0.1"), kMissingInteger};
        QCOMPARE(rowsOf(filter), std::vector<std::size_t>{3});
        // With a period (AND): row 0 starts at 03:15, outside 08:00-10:00.
        filter.pair = PairFilter{strings.find("10.0.0.9"), strings.find("10.0.0.1"), 443};
        filter.from = parseTimestamp("2024-04-25T08:00:00Z").value();
        filter.to = parseTimestamp("2024-04-25T10:00:00Z").value();
        QCOMPARE(rowsOf(filter), std::vector<std::size_t>{});
    }

    void matchesCellsAsShown_data()
    {
        QTest::addColumn<QString>("needle");
        QTest::addColumn<QString>("columns"); // comma-separated names; empty: every column
        QTest::addColumn<QList<int>>("rows");
        QTest::newRow("empty") << QString() << QString() << QList<int>{0, 1, 2, 3, 4};
        QTest::newRow("text, case ignored") << QStringLiteral("SsH") << QString() << QList<int>{1, 2};
        QTest::newRow("text prefix") << QStringLiteral("10.0.0.1") << QStringLiteral("src_ip") << QList<int>{3};
        QTest::newRow("a port, whole") << QStringLiteral("443") << QString() << QList<int>{0};
        // Numbers match whole: 80 is not 8080, 1443 is not in 14430.
        QTest::newRow("port only") << QStringLiteral("80") << QStringLiteral("dst_port") << QList<int>{4};
        QTest::newRow("bytes, whole") << QStringLiteral("14430") << QString() << QList<int>{0};
        QTest::newRow("part of a byte count") << QStringLiteral("1443") << QString() << QList<int>{};
        QTest::newRow("bytes whole, times as text")
            << QStringLiteral("30") << QStringLiteral("bytes_in,creation_time") << QList<int>{4};
        QTest::newRow("a number with a space is text") << QStringLiteral("443 ") << QString() << QList<int>{};
        // Timestamps as written: 2024-04-25T03:15:00Z. Lower-case t and z match T and Z.
        QTest::newRow("date and hour") << QStringLiteral("2024-04-25T03") << QString() << QList<int>{0};
        QTest::newRow("date and hour, lower case") << QStringLiteral("2024-04-25t03") << QString() << QList<int>{0};
        QTest::newRow("across the T") << QStringLiteral("31t23") << QString() << QList<int>{2};
        QTest::newRow("second and Z") << QStringLiteral("59z") << QString() << QList<int>{2};
        QTest::newRow("a year") << QStringLiteral("2023") << QString() << QList<int>{2};
        QTest::newRow("time only") << QStringLiteral("08:30") << QString() << QList<int>{4};
        QTest::newRow("just the T") << QStringLiteral("t") << QStringLiteral("creation_time") << QList<int>{0, 1, 2, 4};
        // A fraction of a second is written: 09:00:01.25Z.
        QTest::newRow("fraction") << QStringLiteral(".25z") << QString() << QList<int>{1};
        QTest::newRow("minus in a date, not in numbers") << QStringLiteral("-01-") << QString() << QList<int>{2};
        QTest::newRow("nothing") << QStringLiteral("no such text") << QString() << QList<int>{};
        QTest::newRow("longer than any timestamp")
            << QStringLiteral("2024-04-25T03:15:00Z2024") << QString() << QList<int>{};
    }

    void matchesCellsAsShown()
    {
        QFETCH(QString, needle);
        QFETCH(QString, columns);
        QFETCH(QList<int>, rows);
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        QCOMPARE(table.rowCount(), std::size_t(5));
        std::vector<std::size_t> searched;
        if (columns.isEmpty()) {
            searched = everyColumn(table);
        } else {
            for (const QString& name : columns.split(QLatin1Char(',')))
                for (const std::size_t column : columnsNamed(table, {name.toStdString().c_str()}))
                    searched.push_back(column);
        }
        std::vector<std::size_t> expected(rows.begin(), rows.end());
        QCOMPARE(matchingRows(table, needle.toStdString(), searched), expected);
    }

    // The tables of days and seconds give what formatting every cell gives, on generated traffic
    // (two weeks of timestamps, every column) and needles of every kind.
    void agreesWithFormattingEveryCell()
    {
        std::stringstream csv;
        GeneratorParams params;
        params.rows = 3000;
        params.seed = 7;
        generateTraffic(csv, params);
        const TrafficTable table = readTrafficCsvText(csv.str(), "generated.csv").table;
        QCOMPARE(table.rowCount(), std::size_t(3000));
        const std::vector<std::size_t> columns = everyColumn(table);
        int needlesFound = 0;
        for (const char* needle :
             {"443", "10.", "t0",        "T12:3", "5t", "4-2",      ":00z", "z",  "-04-", "00:00:0", "us",   "HTTPS",
              "1",   "0",   "2024-04-2", "99",    "T",  "25T23:59", "ssh",  ":5", "5T0",  "6t1",     "-25T", "2Z"}) {
            const std::string lower = lowerAscii(needle);
            std::vector<std::size_t> expected;
            for (std::size_t row = 0; row < table.rowCount(); ++row) {
                for (const std::size_t column : columns) {
                    if (cellContains(table, column, row, lower)) {
                        expected.push_back(row);
                        break;
                    }
                }
            }
            QVERIFY2(matchingRows(table, needle, columns) == expected, needle);
            needlesFound += expected.empty() ? 0 : 1;
            // Across the day and the hour: the tables' hardest case, which must find rows here.
            if (std::string_view(needle) == "5T0")
                QVERIFY(!expected.empty());
        }
        QVERIFY(needlesFound >= 20);
    }

    void stopsWhenCancelled()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        TextFilter filter;
        filter.needle = "443";
        filter.columns = everyColumn(table);
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, rowsMatchingText(table, filter, &cancel));
    }

    void helpers()
    {
        QCOMPARE(lowerAscii("HTTPS Ö"), std::string("https Ö"));
        QVERIFY(containsIgnoringAsciiCase("Suspicious", "susp"));
        QVERIFY(containsIgnoringAsciiCase("Suspicious", "ious"));
        QVERIFY(!containsIgnoringAsciiCase("Normal", "suspicious"));
        QVERIFY(containsIgnoringAsciiCase("anything", ""));
    }
};

QTEST_GUILESS_MAIN(TestViewFilter)
#include "tst_viewfilter.moc"

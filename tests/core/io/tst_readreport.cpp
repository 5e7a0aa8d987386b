// core/io/readreport: what every reader says about what it read. The counts a report starts with,
// and the total of invalid cells the window and the CLI report (the sum over columns, not the
// number of columns nor the lines kept).
#include "core/io/readreport.h"
#include "core/io/trafficfile.h"

#include <QTest>

using namespace webthreat;

class TestReadReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsEmpty()
    {
        const ReadReport report;
        QCOMPARE(report.rows, std::size_t(0));
        QCOMPARE(report.lines, std::int64_t(0));
        QCOMPARE(report.malformed.count, std::size_t(0));
        QCOMPARE(report.invalidCellCount(), std::size_t(0));
        QVERIFY(report.warnings.empty());
        QCOMPARE(InvalidCells::kKeptLines, std::size_t(10));
        QCOMPARE(MalformedRows::kKeptLines, std::size_t(10));
    }

    void invalidCellCountSumsTheColumns()
    {
        ReadReport report;
        InvalidCells bytes;
        bytes.column = "bytes_in";
        bytes.count = 25; // more than the lines kept
        bytes.firstLines = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        InvalidCells port;
        port.column = "dst_port";
        port.count = 1;
        port.firstLines = {40};
        report.invalidCells = {bytes, port};
        QCOMPARE(report.invalidCellCount(), std::size_t(26));
        report.invalidCells.push_back(InvalidCells{"time", 0, {}, {}, {}});
        QCOMPARE(report.invalidCellCount(), std::size_t(26));
    }

    // A reader's report as the user sees it: each column with bad cells listed once, with the
    // line of its first bad cell and the text that was refused.
    void aReadersReport()
    {
        const std::string text = "bytes_in,bytes_out,src_ip,dst_ip,dst_port,creation_time,end_time\n"
                                 "x,2,10.0.0.1,10.0.0.2,80,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z\n"
                                 "1,2,10.0.0.1,10.0.0.2,port,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z\n"
                                 "y,2,10.0.0.1,10.0.0.2,80,2024-01-01T00:00:00Z,2024-01-01T00:00:01Z\n";
        const ReadResult read = readTrafficBytes(text, "t.csv");
        QCOMPARE(read.report.file, std::string("t.csv"));
        QCOMPARE(read.report.rows, std::size_t(3));
        QCOMPARE(read.report.lines, std::int64_t(4));
        QCOMPARE(read.report.invalidCells.size(), std::size_t(2));
        QCOMPARE(read.report.invalidCellCount(), std::size_t(3));
        const auto& first = read.report.invalidCells[0];
        QCOMPARE(first.column, std::string("bytes_in"));
        QCOMPARE(first.count, std::size_t(2));
        QCOMPARE(first.firstLines, (std::vector<std::int64_t>{2, 4}));
        QCOMPARE(first.firstValue, std::string("x"));
    }
};

QTEST_GUILESS_MAIN(TestReadReport)
#include "tst_readreport.moc"

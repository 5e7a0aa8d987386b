// core/io/logtable's readLogLinesInPieces: each log reader gives the same table and report when
// its blocks are split into pieces read on several threads as when one thread reads every line in
// order. The inputs are the fixtures repeated past many small blocks, with the layout changed
// midway (a new header or #fields line), blank, malformed and damaged lines, CRLF line ends and
// invalid cells, so that pieces stop at headers and merge problems and extra columns.
#include "core/io/elblogreader.h"
#include "core/io/trafficfile.h"
#include "core/io/vpcflowreader.h"
#include "core/io/zeekconnreader.h"

#include "readertesting.h"

#include <QDir>
#include <QFileInfo>
#include <QTest>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

std::string repeated(const std::string& text, int times)
{
    std::string out;
    for (int i = 0; i < times; ++i)
        out += text;
    return out;
}

std::string withCrlf(std::string text)
{
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += '\r';
        out += c;
    }
    return out;
}

ReadResult readWith(const std::string& text, int threads)
{
    ReadOptions options;
    options.threads = threads;
    options.blockBytes = 64; // pieces of 4 KiB: a few dozen lines each
    return readTrafficBytes(text, "pieces.log", options);
}

void compareReads(const ReadResult& one, const ReadResult& many)
{
    QCOMPARE(many.report.format, one.report.format);
    QCOMPARE(many.report.rows, one.report.rows);
    QCOMPARE(many.report.lines, one.report.lines);
    QCOMPARE(many.report.bytes, one.report.bytes);
    QCOMPARE(many.report.blankLines, one.report.blankLines);
    QCOMPARE(many.report.malformed.count, one.report.malformed.count);
    QCOMPARE(many.report.malformed.firstLines, one.report.malformed.firstLines);
    QCOMPARE(many.report.malformed.firstFieldCounts, one.report.malformed.firstFieldCounts);
    QCOMPARE(many.report.invalidCells.size(), one.report.invalidCells.size());
    for (std::size_t i = 0; i < one.report.invalidCells.size(); ++i) {
        QCOMPARE(many.report.invalidCells[i].column, one.report.invalidCells[i].column);
        QCOMPARE(many.report.invalidCells[i].count, one.report.invalidCells[i].count);
        QCOMPARE(many.report.invalidCells[i].firstLines, one.report.invalidCells[i].firstLines);
        QCOMPARE(many.report.invalidCells[i].firstValue, one.report.invalidCells[i].firstValue);
    }
    QCOMPARE(many.report.header, one.report.header);
    QCOMPARE(many.report.extraColumns, one.report.extraColumns);
    QCOMPARE(many.report.warnings, one.report.warnings);
    QCOMPARE(many.report.recordsWithoutTraffic, one.report.recordsWithoutTraffic);
    QCOMPARE(many.table.sourceLines, one.table.sourceLines);
    QCOMPARE(many.table.columnCount(), one.table.columnCount());
    for (std::size_t c = 0; c < one.table.columnCount(); ++c) {
        QCOMPARE(many.table.columns[c].name, one.table.columns[c].name);
        QCOMPARE(many.table.columns[c].kind, one.table.columns[c].kind);
        for (std::size_t row = 0; row < one.table.rowCount(); ++row) {
            if (many.table.cellText(c, row) != one.table.cellText(c, row))
                QFAIL(qPrintable(QStringLiteral("column %1 row %2: '%3' against '%4'")
                                     .arg(QString::fromStdString(one.table.columns[c].name))
                                     .arg(row)
                                     .arg(QString::fromStdString(many.table.cellText(c, row)))
                                     .arg(QString::fromStdString(one.table.cellText(c, row)))));
        }
    }
}

// The options the fuzz targets read an input with (tests/fuzz/fuzzinput.h, smallReadOptions): a
// block and a record limit picked from the input's length and last byte.
ReadOptions fuzzOptions(const std::string& text, int threads)
{
    ReadOptions options;
    options.threads = threads;
    options.memoryBudget = 32u << 20;
    const unsigned last = text.empty() ? 0u : static_cast<unsigned char>(text.back());
    options.blockBytes = 64 + (text.size() * 31 + last) % 2048;
    options.maxRecordBytes = 64 + (last * 97 + text.size()) % 8192;
    return options;
}

using LogReader = ReadResult (*)(const ByteReader&, const std::function<double()>&, const std::string&,
                                 const ReadOptions&, const Progress&);

// The reader a fuzz regression input was found by, from its name's prefix (zeek_, vpc_, elb_).
LogReader readerNamed(const QString& name)
{
    if (name.startsWith(QLatin1String("zeek_")))
        return &readZeekConnLog;
    if (name.startsWith(QLatin1String("vpc_")))
        return &readVpcFlowLog;
    if (name.startsWith(QLatin1String("elb_")))
        return &readElbLog;
    return nullptr;
}

} // namespace

class TestLogPieces : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameTableOnManyThreads_data()
    {
        QTest::addColumn<std::string>("text");
        const std::string alb = fixtureBytes("alb_nlb_elb_mixed_test.log");
        const std::string vpc = fixtureBytes("vpcflow_v2_accept_reject_with_header.log");
        const std::string vpcCustom = fixtureBytes("vpcflow_v3_custom_tcpflags_with_header.log");
        const std::string vpcBare = fixtureBytes("vpcflow_v2_extra_samples_noheader.log");
        const std::string zeek = fixtureBytes("zeek_conn.log");
        const std::string damaged = fixtureBytes("zeek_conn_damaged.log");
        const std::string json = fixtureBytes("zeek_conn.json");
        QVERIFY(!alb.empty() && !vpc.empty() && !zeek.empty() && !json.empty());
        const std::string badAlb = "http 2024-01-01T00:00:00Z app/lb/1 203.0.113.9:x 10.0.0.1:80 0.1 0.2 0.3 200 200 "
                                   "many 2 \"GET / HTTP/1.1\" \"curl\"\nnot an entry\n\n";
        QTest::newRow("ALB, NLB and connection log") << repeated(alb + badAlb, 150);
        QTest::newRow("ALB, CRLF, no last line end")
            << withCrlf(repeated(alb, 100)) + "tls 2.0 2018-12-20T02:59:40 net/x/1 g 192.0.2.1:2817 10.0.0.1:80 5 2 98 246";
        QTest::newRow("VPC, header repeated, NODATA")
            << repeated(vpc + "2 123456789010 eni-1 - - - - - - - 1418530010 1418530070 - NODATA\n\n", 150);
        QTest::newRow("VPC, a new header midway") << repeated(vpc, 80) + repeated(vpcCustom, 300) + repeated(vpc, 80);
        QTest::newRow("VPC, no header") << repeated(vpcBare, 200);
        QTest::newRow("Zeek TSV, logs joined, a new #fields") << repeated(zeek, 3) + damaged + repeated(zeek, 2);
        QTest::newRow("Zeek JSON lines") << repeated(json, 4);
    }

    void sameTableOnManyThreads()
    {
        QFETCH(std::string, text);
        const ReadResult one = readWith(text, 1);
        QVERIFY(one.table.rowCount() > 100);
        for (int threads : {2, 3, 8}) {
            const ReadResult many = readWith(text, threads);
            compareReads(one, many);
        }
    }

    // The inputs on which fuzz_zeek, fuzz_vpc and fuzz_elb found one thread and three to differ,
    // read with the options the fuzzer used: the same table, cell by cell, and the same report.
    void fuzzFindingsSameOnThreads_data()
    {
        QTest::addColumn<QString>("path");
        const QDir folder(QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/fuzz-regressions"));
        int found = 0;
        for (const QString& name : folder.entryList(QDir::Files, QDir::Name)) {
            if (readerNamed(name)) {
                QTest::newRow(qPrintable(name)) << folder.filePath(name);
                ++found;
            }
        }
        QVERIFY(found > 0);
    }

    void fuzzFindingsSameOnThreads()
    {
        QFETCH(QString, path);
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const std::string text = in.readAll().toStdString();
        const LogReader read = readerNamed(QFileInfo(path).fileName());
        auto readOn = [&](int threads, ReadResult& result) {
            std::size_t offset = 0;
            result = read(readerOver(text, offset), {}, "fuzz.log", fuzzOptions(text, threads), Progress{});
        };
        ReadResult one, many;
        const QString refusedOnOne = errorOf([&] { readOn(1, one); });
        const QString refusedOnMany = errorOf([&] { readOn(3, many); });
        QCOMPARE(refusedOnMany, refusedOnOne);
        if (refusedOnOne.isEmpty())
            compareReads(one, many);
    }

    // A NUL byte or a line past the record limit is refused with the same line on any threads.
    void sameRefusalOnManyThreads()
    {
        const std::string alb = fixtureBytes("alb_nlb_elb_mixed_test.log");
        std::string text = repeated(alb, 60);
        text.insert(text.size() / 2, 1, '\0');
        const QString one = errorOf([&] { readWith(text, 1); });
        QVERIFY(one.contains(QLatin1String("NUL")));
        QCOMPARE(errorOf([&] { readWith(text, 4); }), one);
    }
};

QTEST_GUILESS_MAIN(TestLogPieces)
#include "tst_logpieces.moc"

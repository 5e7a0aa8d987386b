// core/io/zeekconnreader: Zeek's conn.log in its TSV format (the order from #fields, '-' and
// '(empty)' as missing, \xHH escapes, #close) and in its JSON lines (epoch or ISO 8601 ts, unset
// fields absent or null, sets as arrays), the mapping onto the schema, bad lines and cells
// reported with their line numbers, gzip through the streaming decompressor. The fixtures
// (tests/data/formats/zeek_*) are written by make_formats.py from Zeek's documented format.
#include "core/io/zeekconnreader.h"

#include "core/io/logtable.h"
#include "readertesting.h"

#include <QTest>

#include <set>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

// The reader over text in memory, handed out `chunk` bytes at a time.
ReadResult readZeek(std::string_view text, std::size_t chunk = 1u << 20, std::size_t blockBytes = 16u << 20)
{
    std::size_t offset = 0;
    ReadOptions options;
    options.blockBytes = blockBytes;
    return readZeekConnLog(
        readerOver(text, offset, chunk),
        [&] { return text.empty() ? 0.0 : static_cast<double>(offset) / static_cast<double>(text.size()); }, "test.log",
        options);
}

const std::string kHeader = "#separator \\x09\n"
                            "#set_separator\t,\n"
                            "#empty_field\t(empty)\n"
                            "#unset_field\t-\n"
                            "#path\tconn\n"
                            "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes"
                            "\tresp_bytes\tconn_state\n";
const std::string kRecord = "1700000000.5\t10.0.0.1\t50000\t10.0.0.2\t80\ttcp\thttp\t1.25\t10\t20\tSF\n";

// The columns both formats fill from the same fields.
const char* const kMappedColumns[] = {"bytes_in",    "bytes_out", "creation_time", "end_time",   "src_ip",
                                      "dst_ip",      "dst_port",  "protocol",      "source.meta", "time",
                                      "src_port",    "packets_in", "packets_out",  "uid",        "service",
                                      "conn_state", "history",   "local_orig",    "missed_bytes", "orig_ip_bytes"};

} // namespace

class TestZeekConnReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Each fixture is read with the expected rows, lines, skipped lines and bad cells, the same
    // however the bytes arrive.
    void samples_data()
    {
        addSampleColumns();
        QTest::newRow("tsv") << "zeek_conn.log"
                             << "Zeek conn.log (TSV, 21 fields from the #fields line on line 7)" << 306 << 315 << 0
                             << 0 << 0;
        QTest::newRow("json, epoch ts") << "zeek_conn.json"
                                        << "Zeek conn.log (JSON lines)" << 306 << 306 << 0 << 0 << 0;
        QTest::newRow("json, iso 8601 ts") << "zeek_conn_iso8601.json"
                                           << "Zeek conn.log (JSON lines)" << 60 << 60 << 0 << 0 << 0;
        QTest::newRow("tsv, damaged") << "zeek_conn_damaged.log"
                                      << "Zeek conn.log (TSV, 21 fields from the #fields line on line 7)" << 5 << 16
                                      << 2 << 3 << 0;
    }

    void samples()
    {
        QFETCH(QString, file);
        const std::string text = fixtureBytes(qPrintable(file));
        QVERIFY(!text.empty());
        const ReadResult read = readZeek(text);
        compareWithSample(read);
        if (QTest::currentTestFailed())
            return;
        compareTables(readZeek(text, 5, 64), read);
    }

    void tsvMapping()
    {
        const ReadResult read = readZeek(fixtureBytes("zeek_conn.log"));
        // An HTTPS download: the originator is the client; what it sent is bytes_in (toward the server).
        QCOMPARE(read.table.sourceLines[0], 9);
        QCOMPARE(cell(read, "src_ip", 0), "192.168.1.10");
        QCOMPARE(cell(read, "src_port", 0), "52344");
        QCOMPARE(cell(read, "dst_ip", 0), "198.51.100.20");
        QCOMPARE(cell(read, "dst_port", 0), "443");
        QCOMPARE(cell(read, "protocol", 0), "TCP");
        QCOMPARE(cell(read, "bytes_in", 0), "1200");
        QCOMPARE(cell(read, "bytes_out", 0), "48000");
        QCOMPARE(cell(read, "creation_time", 0), "2023-11-14T22:13:20.123456Z"); // 1700000000.123456
        QCOMPARE(cell(read, "time", 0), "2023-11-14T22:13:20.123456Z");
        QCOMPARE(cell(read, "end_time", 0), "2023-11-14T22:13:32.623456Z"); // + 12.5 s
        QCOMPARE(cell(read, "service", 0), "ssl");
        QCOMPARE(cell(read, "conn_state", 0), "SF");
        QCOMPARE(cell(read, "uid", 0), "CzQk1l3Yt6aBcD0e1");
        QCOMPARE(cell(read, "history", 0), "ShADadFf");
        QCOMPARE(cell(read, "packets_in", 0), "40");
        QCOMPARE(cell(read, "packets_out", 0), "50");
        QCOMPARE(cell(read, "orig_ip_bytes", 0), "3280");
        QCOMPARE(cell(read, "local_orig", 0), "T");
        QCOMPARE(cell(read, "tunnel_parents", 0), ""); // (empty)
        QCOMPARE(cell(read, "source.meta", 0), "Zeek_conn");
        QCOMPARE(cell(read, "response.code", 0), "");
        QCOMPARE(cell(read, "src_ip_country_code", 0), "");
        // A lone SYN: duration and bytes unset ('-'): end_time is ts, the bytes are missing.
        QCOMPARE(cell(read, "conn_state", 1), "S0");
        QCOMPARE(cell(read, "creation_time", 1), "2023-11-14T22:13:21.000001Z");
        QCOMPARE(cell(read, "end_time", 1), "2023-11-14T22:13:21.000001Z");
        QCOMPARE(cell(read, "bytes_in", 1), "0"); // unset, and history S: a lone SYN carries no payload
        QCOMPARE(cell(read, "bytes_out", 1), "0");
        QCOMPARE(cell(read, "service", 1), "");
        // IPv6 DNS.
        QCOMPARE(cell(read, "src_ip", 2), "2001:db8:0:1::10");
        QCOMPARE(cell(read, "dst_ip", 2), "2001:db8:0:2::53");
        QCOMPARE(cell(read, "protocol", 2), "UDP");
        QCOMPARE(cell(read, "end_time", 2), "2023-11-14T22:13:22.500512Z");
        QCOMPARE(cell(read, "conn_state", 3), "REJ");
        QCOMPARE(cell(read, "bytes_in", 3), "0");
        // ICMP: Zeek's "ports" are the message type and code.
        QCOMPARE(cell(read, "protocol", 4), "ICMP");
        QCOMPARE(cell(read, "src_port", 4), "8");
        QCOMPARE(cell(read, "dst_port", 4), "0");
        QCOMPARE(cell(read, "history", 4), "");
        QCOMPARE(cell(read, "tunnel_parents", 5), "CzQk1l3Yt6aBcD0e1");
        QCOMPARE(read.report.invalidAddresses, std::size_t(0));
        QCOMPARE(read.report.header.size(), std::size_t(21));
        QCOMPARE(read.report.extraColumns.front(), std::string("src_port"));
        QVERIFY(anyWarningContains(read.report, "connection(s) have no duration (first on line 10)"));
        QVERIFY(!anyWarningContains(read.report, "#close"));
        // Several connection states, as generated.
        std::set<QString> states;
        for (std::size_t row = 0; row < read.table.rowCount(); ++row)
            states.insert(cell(read, "conn_state", row));
        for (const char* state : {"S0", "SF", "REJ", "RSTO", "RSTR", "SH", "SHR", "OTH", "S1", "RSTOS0"})
            QVERIFY2(states.count(QString::fromLatin1(state)) == 1, state);
    }

    // The JSON fixture holds the TSV fixture's records: every mapped and kept column reads the same.
    void jsonReadsAsTsv()
    {
        const ReadResult tsv = readZeek(fixtureBytes("zeek_conn.log"));
        const ReadResult json = readZeek(fixtureBytes("zeek_conn.json"));
        QCOMPARE(json.table.rowCount(), tsv.table.rowCount());
        for (const char* column : kMappedColumns) {
            for (std::size_t row = 0; row < tsv.table.rowCount(); ++row) {
                if (cell(json, column, row) != cell(tsv, column, row))
                    QFAIL(qPrintable(QString("column %1, row %2: json '%3', tsv '%4'")
                                         .arg(column)
                                         .arg(row)
                                         .arg(cell(json, column, row), cell(tsv, column, row))));
            }
        }
        QCOMPARE(cell(json, "tunnel_parents", 5), "CzQk1l3Yt6aBcD0e1"); // an array of one
        QCOMPARE(cell(json, "ip_proto", 0), "6");
        QCOMPARE(cell(json, "duration", 0), "<no column duration>"); // mapped into end_time
        QCOMPARE(json.table.sourceLines[0], 1);
        // ISO 8601 times (LogAscii::json_timestamps) give the same instants as epoch seconds.
        const ReadResult iso = readZeek(fixtureBytes("zeek_conn_iso8601.json"));
        for (std::size_t row = 0; row < iso.table.rowCount(); ++row) {
            QCOMPARE(cell(iso, "creation_time", row), cell(tsv, "creation_time", row));
            QCOMPARE(cell(iso, "end_time", row), cell(tsv, "end_time", row));
        }
    }

    // gzip input through the streaming decompressor, in small blocks: as the plain file.
    void gzipInput()
    {
        const std::string compressed = fixtureBytes("zeek_conn.log.gz");
        std::size_t offset = 0;
        GzipReader gzip(readerOver(compressed, offset, 50), "conn.log.gz", 0);
        ReadOptions options;
        options.blockBytes = 64;
        const ReadResult read
            = readZeekConnLog([&](char* into, std::size_t capacity) { return gzip.read(into, capacity); },
                              [] { return 0.0; }, "conn.log.gz", options);
        QCOMPARE(read.table.rowCount(), std::size_t(306));
        compareTables(read, readZeek(fixtureBytes("zeek_conn.log")));
    }

    void damagedLinesAndCells()
    {
        const ReadResult read = readZeek(fixtureBytes("zeek_conn_damaged.log"));
        QCOMPARE(read.report.malformed.firstLines, (std::vector<std::int64_t>{12, 14}));
        QCOMPARE(read.report.malformed.firstFieldCounts, (std::vector<std::size_t>{10, 22}));
        QCOMPARE(read.report.blankLines, std::size_t(1));
        QVERIFY(anyWarningContains(read.report, "2 line(s) skipped for not being Zeek conn.log records (first: line 12 "
                                                "has 10 fields where the #fields line (line 7) names 21)"));
        QVERIFY(anyWarningContains(read.report, "1 cell(s) in column 'ts' could not be read and are treated as "
                                                "missing (first: 'yesterday', not a time (epoch seconds or ISO "
                                                "8601); line(s) 13)"));
        QVERIFY(anyWarningContains(read.report, "column 'id.resp_p' could not be read"));
        QVERIFY(anyWarningContains(read.report, "(first: '-12', negative number; line(s) 13)"));
        // The row with bad cells is kept, those cells missing.
        QCOMPARE(read.table.sourceLines[3], 13);
        QCOMPARE(cell(read, "creation_time", 3), "");
        QCOMPARE(cell(read, "end_time", 3), "");
        QCOMPARE(cell(read, "dst_port", 3), "");
        QCOMPARE(cell(read, "bytes_in", 3), "");
        QCOMPARE(cell(read, "bytes_out", 3), "120");
        QVERIFY(anyWarningContains(read.report, "the log has no #close line at its end"));
    }

    // Zeek's escapes, declared missing markers and another separator, as the header says.
    void headerDeclarations()
    {
        const std::string text = "#separator \\x2c\n"
                                 "#unset_field,NONE\n"
                                 "#empty_field,EMPTY\n"
                                 "#fields,ts,id.orig_h,id.resp_h,id.resp_p,orig_bytes,resp_bytes,service,history\n"
                                 "1700000000,10.0.0.1,10.0.0.2,80,NONE,5,\\x2d,a\\x2cb\n"
                                 "1700000000,10.0.0.1,10.0.0.2,80,7,-,EMPTY,\\xzz\n";
        const ReadResult read = readZeek(text);
        QCOMPARE(read.table.rowCount(), std::size_t(2));
        QCOMPARE(read.report.invalidCellCount(), std::size_t(1)); // '-' is not this file's unset marker
        QCOMPARE(cell(read, "bytes_in", 0), "");
        QCOMPARE(cell(read, "bytes_out", 0), "5");
        QCOMPARE(cell(read, "service", 0), "-"); // \x2d: a value that is a dash, not unset
        QCOMPARE(cell(read, "history", 0), "a,b");
        QCOMPARE(cell(read, "service", 1), "");
        QCOMPARE(cell(read, "history", 1), "\\xzz"); // not an escape: kept
        QCOMPARE(cell(read, "end_time", 0), "2023-11-14T22:13:20Z");
    }

    // Columns a conn.log never fills, or fills with one value, hold it once (Cells::isUniform) and
    // read the same in every row, read whole or in small pieces; a column that varies is stored.
    void columnsOfOneValueAreHeldOnce()
    {
        std::string text = kHeader;
        for (int i = 0; i < 40; ++i)
            text += "1700000000.5\t10.0.0.1\t" + std::to_string(50000 + i) + "\t10.0.0.2\t80\ttcp\thttp\t1.25\t10\t20\tSF\n";
        for (const ReadResult& read : {readZeek(text), readZeek(text, 64, 256)}) {
            const TrafficTable& table = read.table;
            QCOMPARE(table.rowCount(), std::size_t(40));
            QVERIFY(table.column(Field::ResponseCode).integers.isUniform());
            QVERIFY(table.column(Field::RuleNames).text.isUniform());
            QVERIFY(table.column(Field::DstPort).integers.isUniform());
            QVERIFY(table.column(Field::SourceMeta).text.isUniform());
            QCOMPARE(cell(read, "response.code", 39), "");
            QCOMPARE(cell(read, "rule_names", 39), "");
            QCOMPARE(cell(read, "dst_port", 39), "80");
            QCOMPARE(cell(read, "protocol", 39), "TCP");
            const std::size_t srcPort = *table.findColumn("src_port");
            QVERIFY(!table.columns[srcPort].text.isUniform() && !table.columns[srcPort].integers.isUniform());
            QCOMPARE(cell(read, "src_port", 39), "50039");
        }
    }

    // The reader writes a row's missing cells only when a later row sets the column: a column unset
    // in the first rows and of one value after, or set in the first rows and unset after, reads
    // missing exactly where the file leaves it unset, whole and in small pieces.
    void columnsUnsetInSomeRowsReadMissingThere()
    {
        std::string text = kHeader;
        for (int i = 0; i < 40; ++i)
            text += "1700000000.5\t10.0.0.1\t" + std::to_string(50000 + i) + "\t10.0.0.2\t80\ttcp\t"
                + (i < 5 ? "-" : "http") + "\t1.25\t10\t20\t" + (i < 30 ? "SF" : "-") + "\n";
        for (const ReadResult& read : {readZeek(text), readZeek(text, 64, 256)}) {
            QCOMPARE(read.table.rowCount(), std::size_t(40));
            for (std::size_t row = 0; row < 40; ++row) {
                QCOMPARE(cell(read, "service", row), row < 5 ? "" : "http");
                QCOMPARE(cell(read, "conn_state", row), row < 30 ? "SF" : "");
                QCOMPARE(cell(read, "source.meta", row), "Zeek_conn");
                QCOMPARE(cell(read, "rule_names", row), "");
            }
            QVERIFY(!read.table.columns[*read.table.findColumn("service")].text.isUniform());
        }
    }

    // Logs joined with `cat`: the same #fields again is quiet, a new order is followed and said.
    void concatenatedLogs()
    {
        const std::string reordered = "#fields\tid.resp_h\tid.orig_h\tts\torig_bytes\tresp_bytes\tconn_state\n"
                                      "10.0.0.9\t10.0.0.8\t1700000001\t1\t2\tS1\n";
        const ReadResult read = readZeek(kHeader + kRecord + "#close\t2023-11-14-23-13-19\n" + kHeader + kRecord
                                         + reordered);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(cell(read, "src_ip", 2), "10.0.0.8");
        QCOMPARE(cell(read, "dst_ip", 2), "10.0.0.9");
        QCOMPARE(cell(read, "service", 2), "");
        QVERIFY(anyWarningContains(read.report, "1 repeated #fields line(s)"));
        QVERIFY(anyWarningContains(read.report, "line 16 is a new #fields line"));
    }

    void fileLevelProblemsAreRefused_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "\n\n" << "test.log: the file is empty: expected Zeek conn.log records";
        QTest::newRow("another zeek log") << "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\n"
                                          << "test.log:3: this Zeek 'dns' log (#path, line 2) is not a conn.log";
        QTest::newRow("no originator") << "#fields\tts\tid.resp_h\torig_bytes\n"
                                       << "test.log:1, column 'id.orig_h': the #fields line has no field 'id.orig_h'";
        QTest::newRow("record before #fields") << "#separator \\x09\n1700000000\t10.0.0.1\n"
                                               << "test.log:2: a record before any #fields line";
        QTest::newRow("separator of two characters") << "#separator \\x09\\x09\n"
                                                     << "test.log:1: the #separator line names '\\x09\\x09'";
        QTest::newRow("no #fields at all") << "#separator \\x09\n#path\tconn\n"
                                           << "test.log: the Zeek log has no #fields line";
        QTest::newRow("no usable json") << "{\"ts\":1,\n{]\n"
                                        << "test.log:1: no line of the file is a usable Zeek conn.log record (2 line(s)";
    }

    void fileLevelProblemsAreRefused()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const QString error = errorOf([&] { readZeek(text.toStdString()); });
        QVERIFY2(error.startsWith(message), qPrintable(error));
    }

    void jsonLines()
    {
        const std::string text
            = "{\"ts\":\"2023-11-14T22:13:20Z\",\"id_orig_h\":\"10.0.0.1\",\"id_orig_p\":5,\"id_resp_h\":\"10.0.0.2\","
              "\"id_resp_p\":443,\"proto\":\"tcp\",\"duration\":1.5e-3,\"orig_bytes\":1,\"resp_bytes\":null,"
              "\"conn_state\":\"S1\",\"note\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\",\"tags\":[\"a\",null,\"b\",true],"
              "\"nested\":{\"k\":[1,{\"x\":\"}\"}]},\"empty\":[],\"sets\":[[1],2]}\n"
              "  {\"_path\":\"dns\",\"ts\":1700000000,\"id.orig_h\":\"10.0.0.3\"}\n" // another log's record
              "{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\" \"id.resp_h\":\"10.0.0.2\"}\n" // no comma
              "{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\"} trailing\n"
              "{\"ts\":1700000000,\"note\":\"\\q\"}\n"
              "{\"ts\":1700000000,\"note\":\"open\n"
              "{\"_path\":\"conn\",\"ts\":1700000000.000001,\"id.orig_h\":\"10.0.0.4\",\"id.resp_h\":\"10.0.0.5\"}\r\n"
              "{}\n";
        const ReadResult read = readZeek(text);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 7, 8}));
        QCOMPARE(cell(read, "src_ip", 0), "10.0.0.1");
        QCOMPARE(cell(read, "src_port", 0), "5");
        QCOMPARE(cell(read, "dst_port", 0), "443");
        QCOMPARE(cell(read, "end_time", 0), "2023-11-14T22:13:20.0015Z");
        QCOMPARE(cell(read, "bytes_in", 0), "1");
        QCOMPARE(cell(read, "bytes_out", 0), "");
        QCOMPARE(cell(read, "note", 0), QString::fromUtf8("café \xF0\x9F\x98\x80 \"q\""));
        QCOMPARE(cell(read, "tags", 0), "a,b,T");
        QCOMPARE(cell(read, "nested", 0), "{\"k\":[1,{\"x\":\"}\"}]}");
        QCOMPARE(cell(read, "empty", 0), "");
        QCOMPARE(cell(read, "sets", 0), "[[1],2]");
        QCOMPARE(cell(read, "src_ip", 1), "10.0.0.4");
        QCOMPARE(cell(read, "source.meta", 2), "Zeek_conn");
        QCOMPARE(read.report.malformed.firstLines, (std::vector<std::int64_t>{2, 3, 4, 5, 6}));
        QVERIFY(anyWarningContains(read.report, "(first: line 2 is a record of Zeek's 'dns' log (_path), not of conn.log)"));
        // Each syntax error names where on the line it is.
        ReadResult one = readZeek("{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\" \"id.resp_h\":\"10.0.0.2\"}\n{}\n");
        QVERIFY(anyWarningContains(one.report, "line 1 is not a JSON object: expected ',' or '}' after a value at byte 41"));
        one = readZeek("{\"note\":\"\\q\"}\n{}\n");
        QVERIFY(anyWarningContains(one.report, "an unknown escape '\\q' in a string at byte 10"));
        one = readZeek("{\"note\":\"open\n{}\n");
        QVERIFY(anyWarningContains(one.report, "a string that is never closed at byte 9"));
    }

    // A file of ever new JSON keys keeps the first kMaxLogFields columns and counts the rest.
    void jsonKeysAreBounded()
    {
        std::string text;
        for (int i = 0; i < 600; ++i)
            text += "{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\",\"k" + std::to_string(i) + "\":\"v\"}\n";
        const ReadResult read = readZeek(text);
        QCOMPARE(read.table.rowCount(), std::size_t(600));
        QVERIFY(read.table.columnCount() <= kFieldCount + kMaxLogFields);
        QVERIFY(anyWarningContains(read.report, "JSON key(s) past the first 256 columns were not kept"));
    }

    // Unset orig_bytes / resp_bytes (Zeek writes them only for a connection with a duration) read
    // as 0 for a side whose history shows no payload packet, and stay missing otherwise.
    void unsetBytesFromHistory_data()
    {
        QTest::addColumn<QString>("record");
        QTest::addColumn<QString>("bytesIn");
        QTest::addColumn<QString>("bytesOut");
        // ts, proto, orig_bytes, resp_bytes, conn_state, history
        QTest::newRow("lone SYN, S0") << "tcp\t-\t-\tS0\tS" << "0" << "0";
        QTest::newRow("SYN and RST, REJ") << "tcp\t-\t-\tREJ\tSr" << "0" << "0";
        QTest::newRow("SYN, SYN-ACK, ACK, FIN") << "tcp\t-\t-\tSH\tShAF" << "0" << "0";
        QTest::newRow("flipped sides") << "tcp\t-\t-\tSHR\t^hr" << "0" << "0";
        QTest::newRow("one UDP datagram") << "udp\t-\t-\tS0\tD" << "" << "0";
        QTest::newRow("a reply with payload") << "udp\t-\t-\tSF\tDd" << "" << "";
        QTest::newRow("retransmitted payload") << "tcp\t-\t-\tOTH\tT" << "" << "0";
        QTest::newRow("no history") << "tcp\t-\t-\tS0\t-" << "" << "";
        QTest::newRow("not a history") << "tcp\t-\t-\tS0\tS1" << "" << "";
        QTest::newRow("given bytes kept") << "tcp\t7\t-\tS0\tS" << "7" << "0";
        QTest::newRow("a bad count stays missing") << "tcp\tx\t-\tS0\tS" << "" << "0";
    }

    void unsetBytesFromHistory()
    {
        QFETCH(QString, record);
        QFETCH(QString, bytesIn);
        QFETCH(QString, bytesOut);
        const std::string header = "#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\tproto\torig_bytes\tresp_bytes"
                                   "\tconn_state\thistory\n";
        const std::string line = "1700000000\t10.0.0.1\t10.0.0.2\t" + record.toStdString() + "\n";
        const ReadResult tsv = readZeek(header + line);
        QCOMPARE(tsv.table.rowCount(), std::size_t(1));
        QCOMPARE(cell(tsv, "bytes_in", 0), bytesIn);
        QCOMPARE(cell(tsv, "bytes_out", 0), bytesOut);
        QCOMPARE(anyWarningContains(tsv.report, "read as 0 bytes"), bytesIn == "0" || bytesOut == "0");

        // The same in JSON, history before the byte counts and unset ones absent.
        const QStringList fields = record.split(QLatin1Char('\t'));
        std::string json = "{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"10.0.0.2\",\"proto\":\""
            + fields[0].toStdString() + "\",\"conn_state\":\"" + fields[3].toStdString() + "\"";
        if (fields[4] != QLatin1String("-"))
            json += ",\"history\":\"" + fields[4].toStdString() + "\"";
        if (fields[1] != QLatin1String("-"))
            json += ",\"orig_bytes\":\"" + fields[1].toStdString() + "\"";
        const ReadResult fromJson = readZeek(json + "}\n");
        QCOMPARE(cell(fromJson, "bytes_in", 0), bytesIn);
        QCOMPARE(cell(fromJson, "bytes_out", 0), bytesOut);
    }

    // A JSON key given twice in one line, or a #fields name given twice, reads the later value,
    // whether or not an earlier line had either value (the fuzz finding in
    // tests/data/fuzz-regressions/zeek_repeated_key_*: a value an earlier line had was written at
    // once, a new one at the row's end, so the new one won even when it came first, and one thread
    // and three, whose earlier lines differ, read different values).
    void repeatedKeyReadsLaterValue()
    {
        const std::string json = "{\"ts\":1700000000,\"id.orig_h\":\"10.0.0.1\",\"service\":\"http\"}\n"
                                 "{\"ts\":1700000001,\"id.orig_h\":\"10.0.0.1\",\"service\":\"ntp\",\"service\":\"http\"}\n"
                                 "{\"ts\":1700000002,\"id.orig_h\":\"10.0.0.1\",\"service\":\"http\",\"service\":\"dns\"}\n";
        const ReadResult fromJson = readZeek(json);
        QCOMPARE(fromJson.table.rowCount(), std::size_t(3));
        QCOMPARE(cell(fromJson, "service", 1), "http");
        QCOMPARE(cell(fromJson, "service", 2), "dns");

        const std::string tsv = "#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\tconn_state\tservice\tservice\n"
                                "1700000000\t10.0.0.1\t10.0.0.2\tSF\thttp\thttp\n"
                                "1700000001\t10.0.0.1\t10.0.0.2\tSF\tntp\thttp\n"
                                "1700000002\t10.0.0.1\t10.0.0.2\tSF\thttp\tdns\n"
                                "1700000003\t10.0.0.1\t10.0.0.2\tSF\tntp\ta\\x09b\n";
        const ReadResult fromTsv = readZeek(tsv);
        QCOMPARE(fromTsv.table.rowCount(), std::size_t(4));
        QCOMPARE(cell(fromTsv, "service", 1), "http");
        QCOMPARE(cell(fromTsv, "service", 2), "dns");
        QCOMPARE(cell(fromTsv, "service", 3), "a\tb"); // escaped, so written at once: still the later one
    }

    // Issue 17: a line past the record limit is refused with file and line, in either format.
    void lineOverLimitRefused()
    {
        for (const std::string& longLine : {std::string(5000, 'x'), "{\"ts\":\"" + std::string(5000, 'y')}) {
            std::size_t offset = 0;
            ReadOptions options;
            options.blockBytes = 64;
            options.maxRecordBytes = 4096;
            const std::string text = kHeader + longLine + "\n" + kRecord;
            const QString message
                = errorOf([&] { readZeekConnLog(readerOver(text, offset, 7), {}, "long.log", options); });
            QCOMPARE(message, QString("long.log:7: a record longer than 4 KiB (the limit for one record) starts on "
                                      "this line: is the file missing its line ends, or not a text log?"));
        }
    }

    void detection_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("header");
        QTest::addColumn<bool>("json");
        QTest::newRow("separator") << "#separator \\x09" << true << false;
        QTest::newRow("fields") << "#fields\tts\tuid\tid.orig_h\tid.orig_p" << true << false;
        QTest::newRow("fields without addresses") << "#fields\tts\tuid" << false << false;
        QTest::newRow("json conn") << "{\"ts\":1,\"id.orig_h\":\"1.2.3.4\",\"conn_state\":\"S0\"}" << false << true;
        QTest::newRow("json renamed keys") << " {\"conn_state\":\"S0\",\"id_orig_h\":\"1.2.3.4\"}" << false << true;
        QTest::newRow("json dns") << "{\"ts\":1,\"id.orig_h\":\"1.2.3.4\",\"query\":\"example.com\"}" << false
                                  << false;
        QTest::newRow("comment") << "# separator" << false << false;
        QTest::newRow("csv") << "bytes_in,bytes_out,src_ip" << false << false;
    }

    void detection()
    {
        QFETCH(QString, line);
        QFETCH(bool, header);
        QFETCH(bool, json);
        QCOMPARE(looksLikeZeekHeader(line.toStdString()), header);
        QCOMPARE(looksLikeZeekJsonRecord(line.toStdString()), json);
    }
};

QTEST_GUILESS_MAIN(TestZeekConnReader)
#include "tst_zeekconnreader.moc"

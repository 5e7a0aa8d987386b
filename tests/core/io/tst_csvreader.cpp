#include "core/io/csvreader.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

const std::string kHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,dst_ip,"
      "rule_names,observation_name,source.meta,source.name,time,detection_types";

std::string row(const std::string& bytesIn, const std::string& srcIp = "1.2.3.4",
                const std::string& rule = "Suspicious Web Traffic")
{
    return bytesIn + ",100,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z," + srcIp + ",US,HTTPS,200,443,10.0.0.1," + rule
        + ",Adversary,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule";
}

ReadResult read(const std::string& text, std::size_t blockBytes = 16u << 20, int threads = 0)
{
    ReadOptions options;
    options.blockBytes = blockBytes;
    options.threads = threads;
    return readTrafficCsvText(text, "test.csv", options);
}

QString readError(const std::string& text)
{
    try {
        read(text);
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

} // namespace

class TestCsvReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rfc4180_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("rows");
        QTest::addColumn<QString>("firstRule");
        QTest::addColumn<qint64>("lastLine");

        const std::string header = kHeader;
        auto add = [](const char* name, const std::string& text, int rows, const char* rule, qint64 lastLine) {
            QTest::newRow(name) << QByteArray::fromStdString(text) << rows << QString::fromUtf8(rule) << lastLine;
        };
        add("lf", header + "\n" + row("1") + "\n" + row("2") + "\n", 2, "Suspicious Web Traffic", 3);
        add("crlf", header + "\r\n" + row("1") + "\r\n" + row("2") + "\r\n", 2, "Suspicious Web Traffic", 3);
        add("no final newline", header + "\r\n" + row("1") + "\r\n" + row("2"), 2, "Suspicious Web Traffic", 3);
        add("cr only", header + "\r" + row("1") + "\r" + row("2") + "\r", 2, "Suspicious Web Traffic", 3);
        add("utf-8 bom", "\xEF\xBB\xBF" + header + "\n" + row("1") + "\n", 1, "Suspicious Web Traffic", 2);
        add("quoted separator", header + "\n" + row("1", "1.2.3.4", "\"Web, Suspicious\"") + "\n", 1, "Web, Suspicious",
            2);
        add("doubled quotes", header + "\n" + row("1", "1.2.3.4", "\"say \"\"hi\"\"\"") + "\n", 1, "say \"hi\"", 2);
        add("newline in quotes", header + "\n" + row("1", "1.2.3.4", "\"two\nlines\"") + "\n" + row("2") + "\n", 2,
            "two\nlines", 4);
        add("crlf in quotes", header + "\r\n" + row("1", "1.2.3.4", "\"two\r\nlines\"") + "\r\n", 1, "two\r\nlines", 2);
        add("quoted empty is missing", header + "\n" + row("1", "1.2.3.4", "\"\"") + "\n", 1, "", 2);
        add("blank lines skipped", header + "\n\n" + row("1") + "\n\n" + row("2") + "\n\n", 2, "Suspicious Web Traffic",
            5);
        add("quoted at end without newline", header + "\n" + row("1", "1.2.3.4", "\"end\""), 1, "end", 2);
    }

    void rfc4180()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, rows);
        QFETCH(QString, firstRule);
        QFETCH(qint64, lastLine);
        // Every block size must give the same table: small blocks cut records, quotes and CRLF pairs.
        for (std::size_t block : {std::size_t(64), std::size_t(97), std::size_t(1000), std::size_t(16) << 20}) {
            const ReadResult result = read(text.toStdString(), block);
            QCOMPARE(result.table.rowCount(), std::size_t(rows));
            QCOMPARE(QString::fromStdString(std::string(result.table.text(Field::RuleNames, 0))), firstRule);
            QCOMPARE(result.table.sourceLines.back(), std::uint32_t(lastLine));
            QCOMPARE(result.report.malformed.count, std::size_t(0));
            QCOMPARE(result.table.column(Field::BytesIn).integers[0], std::int64_t(1));
        }
    }

    void everyFieldQuoted()
    {
        // Many quoted fields in one record: each one's text is built aside, and all of them must
        // survive until the record is complete (a regression found by the fuzzer).
        std::string header, data;
        const std::vector<std::string> values{"5602",
                                              "12990",
                                              "2024-04-25T23:00:00Z",
                                              "2024-04-25T23:10:00Z",
                                              "147.161.161.82",
                                              "AE",
                                              "HTTPS",
                                              "200",
                                              "443",
                                              "10.138.69.97",
                                              "Suspicious Web Traffic",
                                              "Adversary Infrastructure Interaction",
                                              "AWS_VPC_Flow",
                                              "prod_webserver",
                                              "2024-04-25T23:00:00Z",
                                              "waf_rule"};
        for (std::size_t i = 0; i < kFieldCount; ++i) {
            header += (i ? ",\"" : "\"") + std::string(fieldInfo(static_cast<Field>(i)).name) + "\"";
            data += (i ? ",\"" : "\"") + values[i] + "\"";
        }
        const ReadResult result = read(header + "\n" + data + "\n" + data + "\n");
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.table.column(Field::BytesIn).integers[1], std::int64_t(5602));
        QCOMPARE(result.table.text(Field::ObservationName, 1),
                 std::string_view("Adversary Infrastructure Interaction"));
        QCOMPARE(result.table.text(Field::SrcIp, 0), std::string_view("147.161.161.82"));
        QCOMPARE(result.table.text(Field::DetectionTypes, 1), std::string_view("waf_rule"));
    }

    void fuzzRegressions()
    {
        // Inputs the fuzzer once crashed on: each must now load or be refused with an InputError.
        const QDir folder(QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/fuzz-regressions"));
        const QStringList files = folder.entryList(QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString& name : files) {
            QFile file(folder.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            for (std::size_t block : {std::size_t(64), std::size_t(300), std::size_t(16) << 20}) {
                try {
                    read(bytes.toStdString(), block);
                } catch (const InputError&) {
                }
            }
        }
    }

    void headerMapping_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("canonical") << "response.code";
        QTest::newRow("underscore") << "response_code";
        QTest::newRow("upper case") << "RESPONSE.CODE";
        QTest::newRow("spaces") << "Response Code";
    }

    void headerMapping()
    {
        QFETCH(QString, header);
        // Columns in another order, with an alias for response.code and an extra column.
        const std::string text = "src_ip,dst_ip,Bytes_In,bytes_out,end_time,creation_time," + header.toStdString()
            + ",extra_note\n9.9.9.9,10.0.0.2,5,6,2024-01-01T00:01:00Z,2024-01-01T00:00:00Z,404,hello\n";
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(1));
        QCOMPARE(result.table.column(Field::ResponseCode).integers[0], std::int64_t(404));
        QCOMPARE(result.table.column(Field::BytesIn).integers[0], std::int64_t(5));
        QCOMPARE(result.table.text(Field::SrcIp, 0), std::string_view("9.9.9.9"));
        const auto extra = result.table.findColumn("extra_note");
        QVERIFY(extra.has_value());
        QCOMPARE(result.table.cellText(*extra, 0), std::string("hello"));
        QCOMPARE(result.report.extraColumns, std::vector<std::string>{"extra_note"});
        // Optional schema columns absent from the file are present and missing.
        QVERIFY(result.table.column(Field::Protocol).isMissing(0));
        QVERIFY(!result.report.absentColumns.empty());
    }

    void missingRequiredColumn()
    {
        const QString message = readError("bytes_in,bytes_out,creation_time,end_time,src_ip\n1,2,3,4,5\n");
        QVERIFY2(message.contains("test.csv:1"), qPrintable(message));
        QVERIFY2(message.contains("'dst_ip'"), qPrintable(message));
        QVERIFY2(message.contains("missing"), qPrintable(message));
    }

    void duplicatedColumn()
    {
        const QString message = readError(kHeader + ",Bytes_In\n");
        QVERIFY2(message.contains("named twice"), qPrintable(message));
        QVERIFY2(message.contains("bytes_in"), qPrintable(message));
    }

    void emptyFile()
    {
        QVERIFY(readError("").contains("empty"));
        QVERIFY(readError("\n\n").contains("empty"));
        QVERIFY(readError("\xEF\xBB\xBF").contains("empty"));
    }

    void headerOnly()
    {
        const ReadResult result = read(kHeader);
        QCOMPARE(result.table.rowCount(), std::size_t(0));
        QCOMPARE(result.table.columnCount(), kFieldCount);
    }

    void titleLineBeforeHeader()
    {
        const std::string text
            = "Cybersecurity: Suspicious Web Threat Interactions\n" + kHeader + "\n" + row("1") + "\n";
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(1));
        QCOMPARE(result.table.sourceLines.front(), std::uint32_t(3));
        QVERIFY(!result.report.warnings.empty());
        QVERIFY(QString::fromStdString(result.report.warnings.front()).contains("header is on line 2"));
    }

    void noHeaderAtAll()
    {
        const QString message = readError("hello\nworld\nfoo\nbar\n");
        QVERIFY2(message.contains("test.csv:1"), qPrintable(message));
        QVERIFY2(message.contains("'bytes_in'"), qPrintable(message));
    }

    void binaryRefused()
    {
        std::string garbage = "\x89PNG\r\n\x1a\n";
        garbage += std::string("\0\0\0\rIHDR", 8);
        QVERIFY(readError(garbage).contains("binary"));
        const std::string withNul
            = kHeader + "\n" + row("1") + "\n" + std::string("12\0", 3) + "3" + row("1").substr(1) + "\n";
        const QString message = readError(withNul);
        QVERIFY2(message.contains("test.csv:3") && message.contains("NUL"), qPrintable(message));
    }

    void latin1AndBadAddressesReported()
    {
        const std::string text = kHeader + "\n" + row("1", "1.2.3.4", "Caf\xE9") + "\n" + row("2", "2001:db8::1") + "\n"
            + row("3", "not-an-ip") + "\n" + row("4", "999.1.1.1") + "\n";
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(4));
        QCOMPARE(result.report.nonUtf8Cells, std::size_t(1));
        QCOMPARE(result.report.invalidAddresses, std::size_t(2));
        QCOMPARE(result.table.text(Field::RuleNames, 0), std::string_view("Caf\xE9"));
        QCOMPARE(result.table.text(Field::SrcIp, 1), std::string_view("2001:db8::1"));
        bool named = false;
        for (const auto& warning : result.report.warnings)
            named |= warning.find("'not-an-ip' on line 4") != std::string::npos;
        QVERIFY(named);
    }

    void utf16Refused()
    {
        const QString message = readError(std::string("\xFF\xFE"
                                                      "b\0y\0",
                                                      6));
        QVERIFY2(message.contains("UTF-16"), qPrintable(message));
    }

    void unterminatedQuote()
    {
        const std::string text = kHeader + "\n" + row("1") + "\n" + row("2", "1.2.3.4", "\"never closed") + "\n";
        for (std::size_t block : {std::size_t(64), std::size_t(16) << 20}) {
            try {
                read(text, block);
                QFAIL("expected an InputError");
            } catch (const InputError& error) {
                QCOMPARE(error.line(), std::int64_t(3));
                QVERIFY2(QString::fromStdString(error.problem()).contains("never closed"), error.what());
            }
        }
    }

    void wrongFieldCountSkippedAndReported()
    {
        const std::string text = kHeader + "\n" + row("1") + "\n1,2,3\n" + row("2") + ",extra\n" + row("3") + "\n";
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.report.malformed.count, std::size_t(2));
        QCOMPARE(result.report.malformed.firstLines, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(result.report.malformed.firstFieldCounts, (std::vector<std::size_t>{3, 17}));
        QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{2, 5}));
        QVERIFY(!result.report.warnings.empty());
    }

    // Exports joined with `cat` repeat the header: the repeat is skipped and reported by line, not
    // read as a row of invalid cells. Quoting and blanks around the names do not hide it.
    void repeatedHeaderSkipped_data()
    {
        QTest::addColumn<QString>("repeat");
        QTest::addColumn<QString>("lineEnd");
        QTest::newRow("as written") << QString::fromStdString(kHeader) << "\n";
        QString quoted = QString::fromStdString(kHeader);
        quoted.replace(",", "\",\"");
        QTest::newRow("quoted") << ("\"" + quoted + "\"") << "\n";
        QString spaced = QString::fromStdString(kHeader);
        spaced.replace(",", " , ");
        QTest::newRow("blanks, CRLF") << spaced << "\r\n";
        // Another tool's export spells the names in capitals, quoted, with blanks around them.
        QString shouted = QString::fromStdString(kHeader).toUpper();
        shouted.replace(",", "\" , \"");
        QTest::newRow("other case, quoted, blanks") << (" \"" + shouted + "\" ") << "\n";
    }

    void repeatedHeaderSkipped()
    {
        QFETCH(QString, repeat);
        QFETCH(QString, lineEnd);
        const std::string end = lineEnd.toStdString();
        const std::string text = kHeader + end + row("1") + end + row("2") + end + repeat.toStdString() + end + row("3")
            + end + repeat.toStdString() + end;
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(3));
        QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{2, 3, 5}));
        QCOMPARE(result.report.repeatedHeaders.count, std::size_t(2));
        QCOMPARE(result.report.repeatedHeaders.firstLines, (std::vector<std::int64_t>{4, 6}));
        QCOMPARE(result.report.invalidCellCount(), std::size_t(0));
        QCOMPARE(result.report.malformed.count, std::size_t(0));
        QCOMPARE(result.report.lines, std::int64_t(6));
        QCOMPARE(
            result.report.warnings,
            (std::vector<std::string>{"2 repeated header line(s) skipped (files joined into one?): line(s) 4, 6"}));
    }

    // A line that only resembles the header (one name differs) is data, and its cells are reported.
    void nearHeaderIsData()
    {
        std::string nearly = kHeader;
        nearly.replace(0, 8, "bytes_on");
        const ReadResult result = read(kHeader + "\n" + row("1") + "\n" + nearly + "\n");
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.report.repeatedHeaders.count, std::size_t(0));
        QVERIFY(result.report.invalidCellCount() > 0);
        // Without a header line the first line is data: nothing is a repeat of it.
        ReadOptions options;
        options.hasHeader = false;
        const QStringList names = QString::fromStdString(kHeader).split(',');
        for (qsizetype i = 0; i < names.size(); ++i)
            options.columnMap.push_back(
                ColumnMapping::byIndex(std::size_t(i), *fieldForHeader(names[i].toStdString())));
        const ReadResult headerless = readTrafficCsvText(row("1") + "\n" + row("1") + "\n", "test.csv", options);
        QCOMPARE(headerless.table.rowCount(), std::size_t(2));
        QCOMPARE(headerless.report.repeatedHeaders.count, std::size_t(0));
    }

    // Issue 17: a record longer than the limit for one record is refused with the file, the line
    // where it starts and the limit, whether it spans blocks (carried) or fits in one, quoted or
    // not, in the header or in the data. The limit is made small here (ReadOptions.maxRecordBytes).
    void recordOverLimitRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("line");
        const std::string longText(5000, 'a');
        const std::string start = kHeader + "\n" + row("1") + "\n";
        auto add = [](const char* name, const std::string& text, qint64 line) {
            QTest::newRow(name) << QByteArray::fromStdString(text) << line;
        };
        add("unquoted, no line end", start + longText, 3);
        add("unquoted, then more rows", start + longText + "\n" + row("2") + "\n", 3);
        add("quoted field never closed", start + row("1") + "\n1,\"" + longText + "\n" + longText, 4);
        add("quoted field closed too late", start + "1,\"" + longText + "\"\n" + row("2") + "\n", 3);
        add("header", "bytes_in," + longText + "\n" + row("1") + "\n", 1);
        add("after blank and title lines", "\n\n" + longText + "\n", 3);
    }

    void recordOverLimitRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, line);
        for (const std::size_t blockBytes : {std::size_t(64), std::size_t(1000), std::size_t(16) << 20}) {
            ReadOptions options;
            options.maxRecordBytes = 4096;
            options.blockBytes = blockBytes;
            QString message;
            try {
                readTrafficCsvText(text.toStdString(), "big.csv", options);
            } catch (const InputError& error) {
                message = QString::fromStdString(error.what());
            }
            QCOMPARE(message,
                     "big.csv:" + QString::number(line)
                         + ": a record longer than 4 KiB (the limit for one record) starts on this line: is a line "
                           "end missing, or a quote never closed?");
        }
    }

    // A record just under the limit is read, whatever the blocks; the default limit is the constant.
    void recordUnderLimitRead()
    {
        QCOMPARE(ReadOptions().maxRecordBytes, kMaxRecordBytes);
        const std::string rule(3800, 'r');
        const std::string text = kHeader + "\n" + row("1", "1.2.3.4", "\"" + rule + "\"") + "\n" + row("2") + "\n";
        for (const std::size_t blockBytes : {std::size_t(64), std::size_t(1000), std::size_t(16) << 20}) {
            ReadOptions options;
            options.maxRecordBytes = 4096;
            options.blockBytes = blockBytes;
            const ReadResult result = readTrafficCsvText(text, "ok.csv", options);
            QCOMPARE(result.table.rowCount(), std::size_t(2));
            QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{2, 3}));
        }
    }

    // A row of many delimiters is one malformed row with its true field count; only as many fields
    // as the header has (and one) are kept while it is split.
    void rowOfDelimitersCountedWhole()
    {
        std::string quotedFields;
        for (int i = 0; i < 3000; ++i)
            quotedFields += "\"q" + std::to_string(i) + "\",";
        const std::string text = kHeader + "\n" + row("1") + "\n" + std::string(3000, ',') + "\n\"a\""
            + std::string(3000, ',') + "\"b\"\n" + quotedFields + "\n" + row("2") + "\n";
        for (const std::size_t blockBytes : {std::size_t(64), std::size_t(16) << 20}) {
            const ReadResult result = read(text, blockBytes);
            QCOMPARE(result.table.rowCount(), std::size_t(2));
            QCOMPARE(result.report.malformed.count, std::size_t(3));
            QCOMPARE(result.report.malformed.firstLines, (std::vector<std::int64_t>{3, 4, 5}));
            QCOMPARE(result.report.malformed.firstFieldCounts, (std::vector<std::size_t>{3001, 3001, 3001}));
        }
    }

    // A header of more columns than the workbench reads is refused, not made into columns.
    void headerOfDelimitersRefused()
    {
        const QString message = readError(std::string(70000, ',') + "\n" + row("1") + "\n");
        QCOMPARE(message,
                 "test.csv:1: this line has more than 65536 fields, more columns than the workbench reads: is "
                 "it a CSV file?");
    }

    // Repeats are found the same way whatever the threads and blocks: the multi-threaded SIMD path
    // and the single-threaded one, repeats straddling block ends included.
    void repeatedHeaderSameAnyThreadsAndBlocks()
    {
        std::string text = kHeader + "\n";
        std::vector<std::int64_t> expectedLines;
        std::int64_t line = 1;
        for (int i = 0; i < 20000; ++i) {
            if (i % 1500 == 700) {
                text += "\"" + kHeader + "\"\n"; // a whole quoted line is one field: not a repeat
                ++line;
                text += kHeader + "\r\n";
                expectedLines.push_back(++line);
            }
            text += row(std::to_string(i), "10.0." + std::to_string(i % 251) + ".1",
                        i % 97 == 0 ? "\"multi\nline, quoted\"" : "Rule " + std::to_string(i % 5))
                + "\n";
            line += i % 97 == 0 ? 2 : 1;
        }
        const ReadResult one = read(text, 16u << 20, 1);
        QCOMPARE(one.table.rowCount(), std::size_t(20000));
        QCOMPARE(one.report.repeatedHeaders.count, std::size_t(13));
        expectedLines.resize(RepeatedHeaders::kKeptLines);
        QCOMPARE(one.report.repeatedHeaders.firstLines, expectedLines);
        QCOMPARE(one.report.malformed.count, std::size_t(13)); // the quoted whole lines
        for (auto [block, threads] : {std::pair<std::size_t, int>{4096, 2}, {65536, 2}, {1u << 20, 2}, {333, 1}}) {
            const ReadResult other = read(text, block, threads);
            QCOMPARE(other.table.rowCount(), one.table.rowCount());
            QCOMPARE(other.table.sourceLines, one.table.sourceLines);
            QCOMPARE(other.table.column(Field::BytesIn).integers, one.table.column(Field::BytesIn).integers);
            QCOMPARE(other.report.repeatedHeaders.count, one.report.repeatedHeaders.count);
            QCOMPARE(other.report.repeatedHeaders.firstLines, one.report.repeatedHeaders.firstLines);
            QCOMPARE(other.report.warnings, one.report.warnings);
        }
    }

    // A spreadsheet's first line "sep=;" sets the delimiter and is not the header; the report says so.
    void sepLineSetsDelimiter_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("delimiter");
        QTest::newRow("sep=;") << "sep=;"
                               << ";";
        QTest::newRow("sep=,") << "sep=,"
                               << ",";
        QTest::newRow("quoted") << "\"sep=;\""
                                << ";";
        QTest::newRow("BOM, tab") << "\xEF\xBB\xBFsep=\t"
                                  << "\t";
        QTest::newRow("pipe, padded") << "sep=|||"
                                      << "|";
    }

    void sepLineSetsDelimiter()
    {
        QFETCH(QString, first);
        QFETCH(QString, delimiter);
        const char d = delimiter.toLatin1().at(0);
        auto delimited = [d](std::string line) {
            std::replace(line.begin(), line.end(), ',', d);
            return line;
        };
        const std::string text = first.toStdString() + "\r\n" + delimited(kHeader) + "\r\n" + delimited(row("1"))
            + "\r\n" + delimited(row("2")) + "\r\n";
        for (auto [block, threads] : {std::pair<std::size_t, int>{16u << 20, 1}, {64, 2}, {4096, 2}}) {
            const ReadResult result = read(text, block, threads);
            QCOMPARE(result.table.rowCount(), std::size_t(2));
            QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{3, 4}));
            QCOMPARE(result.table.column(Field::BytesIn).integers, (std::vector<std::int64_t>{1, 2}));
            QCOMPARE(result.table.text(Field::SrcIp, 1), std::string_view("1.2.3.4"));
            QCOMPARE(result.report.sepLineDelimiter, d);
            QCOMPARE(result.report.lines, std::int64_t(4));
            QCOMPARE(result.report.header.front(), std::string("bytes_in"));
            QVERIFY(result.report.warnings.empty());
        }
    }

    void withoutSepLineNothingIsReported()
    {
        const ReadResult result = read(kHeader + "\n" + row("1") + "\n");
        QCOMPARE(result.report.sepLineDelimiter, '\0');
        // A delimiter asked for that the sep= line contradicts: the line wins and says so.
        ReadOptions options;
        options.delimiter = '|';
        std::string header = kHeader;
        std::replace(header.begin(), header.end(), ',', ';');
        std::string record = row("1");
        std::replace(record.begin(), record.end(), ',', ';');
        const ReadResult contradicted = readTrafficCsvText("sep=;\n" + header + "\n" + record + "\n", "t.csv", options);
        QCOMPARE(contradicted.table.rowCount(), std::size_t(1));
        QCOMPARE(contradicted.report.warnings,
                 (std::vector<std::string>{
                     "line 1 ('sep=semicolon') sets the delimiter; the delimiter asked for (pipe) was not used"}));
    }

    // The report's line count includes a last record that has no line end (#18: "282 data rows
    // read from 282 lines" for the reference file, whose header is a line too).
    void linesIncludeALastRecordWithoutLineEnd()
    {
        const std::string text = kHeader + "\n" + row("1") + "\n" + row("2");
        QCOMPARE(read(text).report.lines, std::int64_t(3));
        QCOMPARE(read(text + "\n").report.lines, std::int64_t(3));
        QCOMPARE(read(text + "\n\n").report.lines, std::int64_t(4));
    }

    void typedCells_data()
    {
        QTest::addColumn<QString>("bytesIn");
        QTest::addColumn<qint64>("expected"); // -1: missing and counted invalid; -2: missing, not invalid
        QTest::newRow("plain") << "5602" << qint64(5602);
        QTest::newRow("blanks") << " 42 " << qint64(42);
        QTest::newRow("plus sign") << "+7" << qint64(7);
        QTest::newRow("pandas float") << "5602.0" << qint64(5602);
        QTest::newRow("empty is missing") << "" << qint64(-2);
        QTest::newRow("fraction") << "12.5" << qint64(-1);
        QTest::newRow("negative") << "-5" << qint64(-1);
        QTest::newRow("overflow") << "99999999999999999999" << qint64(-1);
        QTest::newRow("nan") << "NaN" << qint64(-1);
        QTest::newRow("inf") << "inf" << qint64(-1);
        // Spreadsheet exports (#17): read where unambiguous, counted invalid otherwise.
        QTest::newRow("thousands separator") << "\"1,234\"" << qint64(1234);
        QTest::newRow("thousands, millions") << "\"25,207,794\"" << qint64(25207794);
        QTest::newRow("thousands with plus") << "\"+1,000\"" << qint64(1000);
        QTest::newRow("comma, group of two") << "\"1,23\"" << qint64(-1);
        QTest::newRow("comma, group of four") << "\"1,2345\"" << qint64(-1);
        QTest::newRow("comma first") << "\",123\"" << qint64(-1);
        QTest::newRow("leading group of four") << "\"1234,567\"" << qint64(-1);
        QTest::newRow("thousands and fraction") << "\"1,234.5\"" << qint64(-1);
        QTest::newRow("negative thousands") << "\"-1,234\"" << qint64(-1);
        QTest::newRow("scientific") << "1.2e3" << qint64(1200);
        QTest::newRow("scientific, Excel") << "2.5207794E+07" << qint64(25207794);
        QTest::newRow("scientific, whole mantissa") << "3E2" << qint64(300);
        QTest::newRow("scientific, not whole") << "1.25e1" << qint64(-1);
        QTest::newRow("scientific, beyond 2^53") << "1e17" << qint64(-1);
        QTest::newRow("scientific, negative") << "-1e3" << qint64(-1);
        QTest::newRow("scientific, overflow") << "1e400" << qint64(-1);
        QTest::newRow("European thousands dot") << "1.234" << qint64(-1);
        QTest::newRow("word") << "lots" << qint64(-1);
    }

    void typedCells()
    {
        QFETCH(QString, bytesIn);
        QFETCH(qint64, expected);
        const std::string text = kHeader + "\n" + row("1") + "\n" + row(bytesIn.toStdString()) + "\n";
        const ReadResult result = read(text);
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        const auto& column = result.table.column(Field::BytesIn);
        if (expected >= 0) {
            QCOMPARE(column.integers[1], std::int64_t(expected));
            QCOMPARE(result.report.invalidCellCount(), std::size_t(0));
        } else {
            QVERIFY(column.isMissing(1));
            QCOMPARE(result.report.invalidCellCount(), std::size_t(expected == -1 ? 1 : 0));
            if (expected == -1) {
                const InvalidCells& invalid = result.report.invalidCells.front();
                QCOMPARE(invalid.column, std::string("bytes_in"));
                QCOMPARE(invalid.firstLines, std::vector<std::int64_t>{3});
                QVERIFY(!invalid.reason.empty());
            }
        }
    }

    void portAndCodeRanges()
    {
        std::string bad = row("1");
        bad.replace(bad.find(",443,"), 5, ",70000,");
        const ReadResult result = read(kHeader + "\n" + bad + "\n");
        QVERIFY(result.table.column(Field::DstPort).isMissing(0));
        QCOMPARE(result.report.invalidCells.front().column, std::string("dst_port"));
    }

    void invalidTimestampCounted()
    {
        std::string bad = row("1");
        bad.replace(bad.find("2024-04-25T23:10:00Z"), 20, "yesterday");
        const ReadResult result = read(kHeader + "\n" + bad + "\n");
        QVERIFY(result.table.column(Field::EndTime).isMissing(0));
        QCOMPARE(result.report.invalidCells.front().column, std::string("end_time"));
        QCOMPARE(result.report.invalidCells.front().firstValue, std::string("yesterday"));
    }

    void internedStrings()
    {
        std::string text = kHeader + "\n";
        for (int i = 0; i < 1000; ++i)
            text += row(std::to_string(i), i % 2 ? "1.1.1.1" : "2.2.2.2") + "\n";
        const ReadResult result = read(text, 4096);
        // Two IPs, one of each other text value: the pool holds each distinct string once.
        QVERIFY(result.table.strings->size() < 20);
        QCOMPARE(result.table.text(Field::SrcIp, 0), std::string_view("2.2.2.2"));
        QCOMPARE(result.table.text(Field::SrcIp, 999), std::string_view("1.1.1.1"));
    }

    void sameResultAnyThreadsAndBlocks()
    {
        std::string text = kHeader + "\n";
        for (int i = 0; i < 20000; ++i)
            text += row(std::to_string(i * 7), "10.0." + std::to_string(i % 251) + "." + std::to_string(i % 13),
                        i % 97 == 0 ? "\"multi\nline, quoted\"" : "Rule " + std::to_string(i % 5))
                + (i % 3 == 0 ? "\r\n" : "\n");
        const ReadResult one = read(text, 16u << 20, 1);
        for (auto [block, threads] : {std::pair<std::size_t, int>{4096, 2}, {65536, 2}, {1u << 20, 2}, {333333, 1}}) {
            const ReadResult other = read(text, block, threads);
            QCOMPARE(other.table.rowCount(), one.table.rowCount());
            QCOMPARE(other.table.sourceLines, one.table.sourceLines);
            QCOMPARE(other.table.column(Field::BytesIn).integers, one.table.column(Field::BytesIn).integers);
            for (std::size_t r = 0; r < one.table.rowCount(); r += 101) {
                QCOMPARE(other.table.text(Field::SrcIp, r), one.table.text(Field::SrcIp, r));
                QCOMPARE(other.table.text(Field::RuleNames, r), one.table.text(Field::RuleNames, r));
            }
        }
        QCOMPARE(one.table.rowCount(), std::size_t(20000));
    }

    // Blocks smaller than a record: every record is carried into the next block, through the
    // reader's slow path, and line numbers of problems must not depend on where blocks end.
    void tinyBlocksSameRowsAndLines()
    {
        std::string text = kHeader + "\n";
        for (int i = 0; i < 300; ++i) {
            std::string line = row(std::to_string(i), "10.1." + std::to_string(i % 7) + ".1",
                                   i % 11 == 0 ? "\"quoted, over\ntwo lines\"" : "Rule " + std::to_string(i % 3));
            if (i % 37 == 5)
                line.replace(line.find(",443,"), 5, ",70000,"); // an invalid port
            if (i % 53 == 9)
                line += ",surplus"; // a malformed row
            text += line + (i % 4 == 0 ? "\r\n" : "\n");
        }
        const ReadResult whole = read(text, 16u << 20, 1);
        QVERIFY(whole.report.malformed.count > 0);
        QVERIFY(!whole.report.invalidCells.empty());
        for (auto [block, threads] : {std::pair<std::size_t, int>{64, 2}, {97, 1}, {1000, 2}}) {
            const ReadResult small = read(text, block, threads);
            QCOMPARE(small.table.rowCount(), whole.table.rowCount());
            QCOMPARE(small.table.sourceLines, whole.table.sourceLines);
            QCOMPARE(small.table.column(Field::BytesIn).integers, whole.table.column(Field::BytesIn).integers);
            QCOMPARE(small.table.column(Field::DstPort).integers, whole.table.column(Field::DstPort).integers);
            for (std::size_t r = 0; r < whole.table.rowCount(); ++r)
                QCOMPARE(small.table.text(Field::RuleNames, r), whole.table.text(Field::RuleNames, r));
            QCOMPARE(small.report.malformed.firstLines, whole.report.malformed.firstLines);
            QCOMPARE(small.report.invalidCells.front().firstLines, whole.report.invalidCells.front().firstLines);
            QCOMPARE(small.report.lines, whole.report.lines);
        }
    }

    void cancelled()
    {
        std::string text = kHeader + "\n";
        for (int i = 0; i < 100; ++i)
            text += row("1") + "\n";
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, readTrafficCsvText(text, "x.csv", {}, Progress({}, &cancel)));
    }

    void unreadableFile()
    {
        try {
            readTrafficCsv("/nonexistent/folder/traffic.csv");
            QFAIL("expected an InputError");
        } catch (const InputError& error) {
            QVERIFY(QString::fromStdString(error.what()).contains("/nonexistent/folder/traffic.csv"));
            QVERIFY(QString::fromStdString(error.what()).contains("No such file"));
        }
    }

    void tooLargeForMemoryRefusedUpFront()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.csv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(kHeader + "\n"));
        for (int i = 0; i < 5000; ++i)
            file.write(QByteArray::fromStdString(row(std::to_string(i)) + "\n"));
        file.close();
        ReadOptions options;
        options.blockBytes = 4096;
        options.memoryBudget = 64 * 1024;
        try {
            readTrafficCsv(path.toStdString(), options);
            QFAIL("expected an InputError");
        } catch (const InputError& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.contains("big.csv") && message.contains("needs about") && message.contains("available"),
                     qPrintable(message));
        }
        options.memoryBudget = 64u << 20;
        QCOMPARE(readTrafficCsv(path.toStdString(), options).table.rowCount(), std::size_t(5000));
    }

    void referenceDataset()
    {
        if (!QFile::exists(WEBTHREAT_REFERENCE_CSV))
            QSKIP("the reference dataset ../shared/data/CloudWatch_Traffic_Web_Attack.csv is not present");
        const ReadResult result = readTrafficCsv(WEBTHREAT_REFERENCE_CSV);
        QCOMPARE(result.table.rowCount(), std::size_t(282));
        QCOMPARE(result.report.malformed.count, std::size_t(0));
        QCOMPARE(result.report.invalidCellCount(), std::size_t(0));
        QVERIFY(result.report.absentColumns.empty());
        const TrafficTable& table = result.table;
        QCOMPARE(table.column(Field::BytesIn).integers[0], std::int64_t(5602));
        QCOMPARE(table.column(Field::BytesOut).integers[0], std::int64_t(12990));
        QCOMPARE(table.text(Field::SrcIp, 0), std::string_view("147.161.161.82"));
        QCOMPARE(table.column(Field::CreationTime).integers[0], *parseTimestamp("2024-04-25T23:00:00Z"));
        QCOMPARE(table.column(Field::DstPort).integers[0], std::int64_t(443));
        QCOMPARE(table.column(Field::ResponseCode).integers[0], std::int64_t(200));
        QCOMPARE(table.sourceLines.front(), std::int64_t(2));
        QCOMPARE(table.sourceLines.back(), std::int64_t(283));
    }
};

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"

// The reader's import options (delimiter, quote, header, timestamp format, column map) and the
// timestamp formats behind them: each odd layout under tests/data/import holds the same twelve
// records as canonical.csv, and reading it with the right options must give the same table and
// the same scores as reading the canonical file.
#include "core/io/csvreader.h"
#include "core/util/errors.h"
#include "core/pipeline.h"
#include "core/io/timestamp.h"

#include <QTest>

using namespace webthreat;

Q_DECLARE_METATYPE(webthreat::ReadOptions)

namespace {

const std::string kImportDir = std::string(WEBTHREAT_TEST_DATA_DIR) + "/import/";

ReadOptions withMap(char delimiter, std::vector<ColumnMapping> map)
{
    ReadOptions options;
    options.delimiter = delimiter;
    options.columnMap = std::move(map);
    return options;
}

QString iso(std::optional<Instant> instant)
{
    return instant ? QString::fromStdString(formatTimestamp(*instant)) : QStringLiteral("(none)");
}

QString parameterError(const ReadOptions& options)
{
    try {
        options.validate();
    } catch (const ParameterError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

QString inputError(const std::string& text, const ReadOptions& options)
{
    try {
        readTrafficCsvText(text, "test.csv", options);
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

// The canonical header's required columns, mapped by name onto a file with other names.
std::vector<ColumnMapping> requiredByIndex()
{
    return {ColumnMapping::byIndex(0, Field::BytesIn),      ColumnMapping::byIndex(1, Field::BytesOut),
            ColumnMapping::byIndex(2, Field::CreationTime), ColumnMapping::byIndex(3, Field::EndTime),
            ColumnMapping::byIndex(4, Field::SrcIp),        ColumnMapping::byIndex(5, Field::DstIp)};
}

const std::string kSmallRows = "100,200,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1\n"
                               "300,400,2024-04-25T23:00:00Z,2024-04-25T23:20:00Z,1.2.3.5,10.0.0.1\n";

} // namespace

class TestReadOptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void timestampFormats_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        auto add = [](const char* name, const char* format, const char* text, const char* expected) {
            QTest::newRow(name) << QString::fromLatin1(format) << QString::fromLatin1(text)
                                << QString::fromLatin1(expected);
        };
        add("iso", "iso", "2024-04-25T23:00:00Z", "2024-04-25T23:00:00Z");
        add("iso reads epoch seconds too", "iso", "1714086000", "2024-04-25T23:00:00Z");
        add("epoch seconds", "epoch-s", "1714086000", "2024-04-25T23:00:00Z");
        add("epoch seconds fraction", "epoch-s", "1714086000.25", "2024-04-25T23:00:00.25Z");
        add("epoch ms", "epoch-ms", "1714086000123", "2024-04-25T23:00:00.123Z");
        add("epoch ms fraction", "epoch-ms", "1714086000123.5", "2024-04-25T23:00:00.1235Z");
        add("epoch ms negative", "epoch-ms", "-5", "(none)");
        add("dmy", "dmy", "25/04/2024 23:00:00", "2024-04-25T23:00:00Z");
        add("dmy one digit", "dmy", "5/4/2024 3:07:09", "2024-04-05T03:07:09Z");
        add("dmy no seconds", "dmy", "25/04/2024 23:05", "2024-04-25T23:05:00Z");
        add("dmy date only", "dmy", "25/04/2024", "2024-04-25T00:00:00Z");
        add("dmy fraction and Z", "dmy", "25/04/2024 23:00:00.5Z", "2024-04-25T23:00:00.5Z");
        add("dmy refuses month 25", "dmy", "04/25/2024 23:00:00", "(none)");
        add("mdy", "mdy", "04/25/2024 23:00:00", "2024-04-25T23:00:00Z");
        add("mdy refuses month 25", "mdy", "25/04/2024 23:00:00", "(none)");
        add("ymd", "ymd", "2024/04/25 23:00:00", "2024-04-25T23:00:00Z");
        add("dmy dots", "dmy-dots", "25.04.2024 23:00:00", "2024-04-25T23:00:00Z");
        add("dmy dots refuses slashes", "dmy-dots", "25/04/2024 23:00:00", "(none)");
        add("dmy refuses 31 April", "dmy", "31/04/2024", "(none)");
        add("dmy leap day", "dmy", "29/02/2024 12:00:00", "2024-02-29T12:00:00Z");
        add("dmy refuses hour 24", "dmy", "25/04/2024 24:00:00", "(none)");
        add("dmy refuses trailing text", "dmy", "25/04/2024 23:00:00 CET", "(none)");
        add("dmy blanks around", "dmy", "  25/04/2024 23:00:00 ", "2024-04-25T23:00:00Z");
        add("dmy empty", "dmy", "", "(none)");
    }

    void timestampFormats()
    {
        QFETCH(QString, format);
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto parsed = timestampFormatByName(format.toStdString());
        QVERIFY(parsed.has_value());
        QCOMPARE(iso(parseTimestamp(text.toStdString(), *parsed)), expected);
    }

    void timestampFormatNamesRoundTrip()
    {
        for (std::size_t i = 0; i < kTimestampFormatCount; ++i) {
            const auto format = static_cast<TimestampFormat>(i);
            QCOMPARE(timestampFormatByName(timestampFormatName(format)), std::optional<TimestampFormat>(format));
            QVERIFY(!timestampFormatLabel(format).empty());
        }
        QVERIFY(!timestampFormatByName("dd/mm/yyyy").has_value());
    }

    void layoutsReadLikeTheCanonicalFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<ReadOptions>("options");

        ReadOptions semicolon = withMap(
            ';',
            {ColumnMapping::byName("Bytes Received", Field::BytesIn),
             ColumnMapping::byName("Bytes Sent", Field::BytesOut), ColumnMapping::byName("Start", Field::CreationTime),
             ColumnMapping::byName("Stop", Field::EndTime), ColumnMapping::byName("Source Address", Field::SrcIp),
             ColumnMapping::byName("country", Field::SrcIpCountryCode), // any case
             ColumnMapping::byName("Proto", Field::Protocol), ColumnMapping::byName("Status", Field::ResponseCode),
             ColumnMapping::byName("Port", Field::DstPort), ColumnMapping::byName("Dest", Field::DstIp),
             ColumnMapping::byName("Rule", Field::RuleNames)});
        semicolon.timestampFormat = TimestampFormat::DayMonthYear;
        QTest::newRow("semicolon, European dates, odd names") << "semicolon_european.csv" << semicolon;

        ReadOptions tab
            = withMap('\t',
                      {ColumnMapping::byIndex(0, Field::SrcIp), ColumnMapping::byIndex(1, Field::DstIp),
                       ColumnMapping::byIndex(2, Field::BytesIn), ColumnMapping::byIndex(3, Field::BytesOut),
                       ColumnMapping::byIndex(4, Field::CreationTime), ColumnMapping::byIndex(5, Field::EndTime),
                       ColumnMapping::byIndex(6, Field::DstPort), ColumnMapping::byIndex(7, Field::SrcIpCountryCode),
                       ColumnMapping::byIndex(8, Field::Protocol), ColumnMapping::byIndex(9, Field::ResponseCode),
                       ColumnMapping::byName("column_11", Field::RuleNames)});
        tab.hasHeader = false;
        QTest::newRow("tab, no header") << "tab_noheader.tsv" << tab;

        ReadOptions pipe = withMap(
            '|',
            {ColumnMapping::byName("srcAddr", Field::SrcIp), ColumnMapping::byName("dstAddr", Field::DstIp),
             ColumnMapping::byName("rxBytes", Field::BytesIn), ColumnMapping::byName("txBytes", Field::BytesOut),
             ColumnMapping::byName("flowStartMs", Field::CreationTime),
             ColumnMapping::byName("flowEndMs", Field::EndTime), ColumnMapping::byName("dport", Field::DstPort),
             ColumnMapping::byName("geo", Field::SrcIpCountryCode), ColumnMapping::byName("proto", Field::Protocol),
             ColumnMapping::byName("status", Field::ResponseCode), ColumnMapping::byName("rule", Field::RuleNames)});
        pipe.timestampFormat = TimestampFormat::EpochMillis;
        QTest::newRow("pipe, epoch milliseconds") << "pipe_epochms.csv" << pipe;
    }

    void layoutsReadLikeTheCanonicalFile()
    {
        QFETCH(QString, file);
        QFETCH(ReadOptions, options);
        ReadResult canonical = readTrafficCsv(kImportDir + "canonical.csv");
        ReadResult imported = readTrafficCsv(kImportDir + file.toStdString(), options);
        QCOMPARE(imported.table.rowCount(), std::size_t(12));
        QCOMPARE(canonical.table.rowCount(), std::size_t(12));
        QCOMPARE(imported.report.invalidCellCount(), std::size_t(0));
        QCOMPARE(imported.report.malformed.count, std::size_t(0));
        QCOMPARE(imported.table.columnCount(), canonical.table.columnCount());
        for (std::size_t c = 0; c < kFieldCount; ++c) {
            for (std::size_t row = 0; row < 12; ++row) {
                QCOMPARE(QString::fromStdString(imported.table.cellText(c, row)),
                         QString::fromStdString(canonical.table.cellText(c, row)));
            }
        }
        QCOMPARE(imported.table.cellText(static_cast<std::size_t>(Field::RuleNames), 0),
                 std::string("Suspicious; Web Traffic"));
        QCOMPARE(imported.table.cellText(static_cast<std::size_t>(Field::SrcIp), 2), std::string("2001:db8::17"));

        // Scored: the same rows, features and forest give the same scores.
        auto canonicalData = prepareTable(std::move(canonical));
        auto importedData = prepareTable(std::move(imported));
        const auto canonicalScores = detect(*canonicalData, DetectorParams{})->scores.scores();
        const auto importedScores = detect(*importedData, DetectorParams{})->scores.scores();
        QCOMPARE(importedScores.size(), std::size_t(12));
        QCOMPARE(importedScores, canonicalScores);
    }

    void unlistedColumnsAreKeptIgnoredOnesDropped()
    {
        const std::string text = "a,b,start,end,from,to,note,junk\n"
                                 "100,200,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1,hello,x\n";
        ReadOptions options;
        options.columnMap = requiredByIndex();
        options.columnMap.push_back({ColumnMapping::kByName, "junk", ColumnMapping::Action::Ignore, Field::BytesIn});
        const ReadResult result = readTrafficCsvText(text, "test.csv", options);
        QCOMPARE(result.table.rowCount(), std::size_t(1));
        QCOMPARE(result.table.columnCount(), kFieldCount + 1);
        QCOMPARE(result.table.columns.back().name, std::string("note"));
        QCOMPARE(result.table.cellText(kFieldCount, 0), std::string("hello"));
        QCOMPARE(result.report.extraColumns, std::vector<std::string>{"note"});
        QCOMPARE(result.table.cellText(static_cast<std::size_t>(Field::SrcIp), 0), std::string("1.2.3.4"));
    }

    void extraColumnNamedLikeASchemaFieldIsRenamed()
    {
        // src_ip is mapped from column 5; the file's own 'bytes_in' column is kept as an extra.
        const std::string text = "bytes_in,b,start,end,from,to,x\n"
                                 "1,200,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1,7\n";
        ReadOptions options;
        options.columnMap = requiredByIndex();
        options.columnMap[0] = ColumnMapping::byIndex(6, Field::BytesIn);
        const ReadResult result = readTrafficCsvText(text, "test.csv", options);
        QCOMPARE(result.table.cellText(static_cast<std::size_t>(Field::BytesIn), 0), std::string("7"));
        QCOMPARE(result.table.columns.back().name, std::string("bytes_in_extra"));
        QCOMPARE(result.table.cellText(result.table.columnCount() - 1, 0), std::string("1"));
    }

    void quoteOptions_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("quote");
        QTest::addColumn<QString>("note");
        const QByteArray header = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,note\n";
        const QByteArray rows = "100,200,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1,";
        QTest::newRow("double quotes") << header + rows + "\"a, b\"\n" << int('"') << "a, b";
        QTest::newRow("single quotes") << header + rows + "'a, b'\n" << int('\'') << "a, b";
        QTest::newRow("single quotes doubled") << header + rows + "'it''s'\n" << int('\'') << "it's";
        QTest::newRow("double quote is text when single is the quote") << header + rows + "5\" screen\n"
                                                                       << int('\'') << "5\" screen";
        QTest::newRow("no quoting") << header + rows + "\"raw\" 5\" screen\n" << 0 << "\"raw\" 5\" screen";
    }

    void quoteOptions()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, quote);
        QFETCH(QString, note);
        ReadOptions options;
        options.quote = static_cast<char>(quote);
        const ReadResult result = readTrafficCsvText(text.toStdString(), "test.csv", options);
        QCOMPARE(result.table.rowCount(), std::size_t(1));
        QCOMPARE(QString::fromStdString(result.table.cellText(kFieldCount, 0)), note);
    }

    void noQuotingSplitsLargeFilesInPieces()
    {
        // Several megabytes are split into pieces by quote parity: without quoting a stray '"'
        // must not shift the piece boundaries.
        std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,note\n";
        const std::size_t rows = 60000;
        for (std::size_t i = 0; i < rows; ++i)
            text += std::to_string(i) + ",200,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1,a 5\" b\n";
        ReadOptions options;
        options.quote = '\0';
        options.threads = 2;
        const ReadResult result = readTrafficCsvText(text, "big.csv", options);
        QCOMPARE(result.table.rowCount(), rows);
        QCOMPARE(result.report.malformed.count, std::size_t(0));
        QCOMPARE(result.table.cellText(static_cast<std::size_t>(Field::BytesIn), rows - 1), std::to_string(rows - 1));
        QCOMPARE(result.table.cellText(kFieldCount, rows - 1), std::string("a 5\" b"));
    }

    void noHeaderReadsTheFirstLineAsData()
    {
        ReadOptions options;
        options.hasHeader = false;
        options.columnMap = requiredByIndex();
        const ReadResult result = readTrafficCsvText("\n" + kSmallRows, "test.csv", options);
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.table.sourceLines.size(), std::size_t(2));
        QCOMPARE(std::int64_t(result.table.sourceLines[0]), std::int64_t(2)); // the blank line 1 is skipped
        QCOMPARE(std::int64_t(result.table.sourceLines[1]), std::int64_t(3));
        QCOMPARE(result.table.cellText(static_cast<std::size_t>(Field::BytesIn), 0), std::string("100"));
        QCOMPARE(result.report.header.front(), std::string("column_1"));
    }

    void validateRefusesBadMaps_data()
    {
        QTest::addColumn<ReadOptions>("options");
        QTest::addColumn<QString>("message");
        ReadOptions twice;
        twice.columnMap = requiredByIndex();
        twice.columnMap.push_back(ColumnMapping::byName("Other", Field::SrcIp));
        QTest::newRow("field mapped twice")
            << twice << "the field 'src_ip' is mapped twice: from number 5 and from 'Other'";
        ReadOptions unmapped;
        unmapped.columnMap = requiredByIndex();
        unmapped.columnMap.pop_back();
        QTest::newRow("required field unmapped")
            << unmapped << "the column map leaves the required field 'dst_ip' unmapped: map a column to it";
        ReadOptions sameColumn;
        sameColumn.columnMap = requiredByIndex();
        sameColumn.columnMap.push_back({3, {}, ColumnMapping::Action::Ignore, Field::BytesIn});
        QTest::newRow("column listed twice") << sameColumn << "the column map lists the column number 4 twice";
        ReadOptions noHeader;
        noHeader.hasHeader = false;
        QTest::newRow("no header, no map")
            << noHeader << "a file without a header line needs a column map saying which column is which";
        ReadOptions quoteIsDelimiter;
        quoteIsDelimiter.delimiter = ';';
        quoteIsDelimiter.quote = ';';
        QTest::newRow("quote is the delimiter")
            << quoteIsDelimiter << "the quote character cannot be the delimiter or a line end";
    }

    void validateRefusesBadMaps()
    {
        QFETCH(ReadOptions, options);
        QFETCH(QString, message);
        QCOMPARE(parameterError(options), message);
    }

    void mapNamingAbsentColumnsIsAnInputError()
    {
        const std::string text = "a,b,start,end,from,to\n" + kSmallRows;
        ReadOptions byName;
        byName.columnMap = requiredByIndex();
        byName.columnMap[4] = ColumnMapping::byName("Source Address", Field::SrcIp);
        QCOMPARE(inputError(text, byName),
                 QString("test.csv:1, column 'Source Address': the column map names the column "
                         "'Source Address', which the header does not have (found: a, b, "
                         "start, end, from, to)"));
        ReadOptions byIndex;
        byIndex.columnMap = requiredByIndex();
        byIndex.columnMap[4] = ColumnMapping::byIndex(9, Field::SrcIp);
        QCOMPARE(inputError(text, byIndex),
                 QString("test.csv:1: the column map names column number 10 but the file has 6 column(s)"));
    }

    void timestampFormatMismatchIsCountedNotFatal()
    {
        // ISO timestamps read with the day/month/year format: every cell is invalid and named.
        const std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n" + kSmallRows;
        ReadOptions options;
        options.timestampFormat = TimestampFormat::DayMonthYear;
        const ReadResult result = readTrafficCsvText(text, "test.csv", options);
        QCOMPARE(result.table.rowCount(), std::size_t(2));
        QCOMPARE(result.report.invalidCellCount(), std::size_t(4));
        QCOMPARE(result.report.invalidCells.front().reason, std::string("not a timestamp"));
    }
};

QTEST_GUILESS_MAIN(TestReadOptions)
#include "tst_readoptions.moc"

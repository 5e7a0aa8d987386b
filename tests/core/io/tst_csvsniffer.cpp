// The CSV sniffer's guesses on small hand-made layouts: delimiter, quote, header, timestamp format
// (with the day/month ambiguity), and the schema field of each column, with their reasons.
#include "core/io/csvreader.h"
#include "core/io/csvsniffer.h"
#include "core/util/errors.h"

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

const std::string kImportDir = std::string(WEBTHREAT_TEST_DATA_DIR) + "/import/";

// "bytes_in,bytes_out,-,..." : each column's guessed field, '-' when kept as extra.
QString fieldsOf(const SniffResult& result)
{
    QStringList names;
    for (const auto& column : result.columns)
        names << (column.field ? QString::fromLatin1(fieldInfo(*column.field).name.data(),
                                                     static_cast<qsizetype>(fieldInfo(*column.field).name.size()))
                               : QStringLiteral("-"));
    return names.join(',');
}

QString sniffError(const std::string& text)
{
    try {
        sniffCsvText(text, {}, "x.csv");
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

} // namespace

class TestCsvSniffer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void files_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("delimiter");
        QTest::addColumn<int>("quote");
        QTest::addColumn<bool>("hasHeader");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("fields");
        QTest::newRow("canonical") << "canonical.csv" << int(',') << int('"') << true << "iso"
                                   << "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,"
                                      "response.code,dst_port,dst_ip,rule_names";
        QTest::newRow("semicolon european") << "semicolon_european.csv" << int(';') << int('"') << true << "dmy"
                                            << "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,"
                                               "protocol,response.code,dst_port,dst_ip,rule_names";
        QTest::newRow("tab no header") << "tab_noheader.tsv" << int('\t') << int('"') << false << "iso"
                                       << "src_ip,dst_ip,bytes_in,bytes_out,creation_time,end_time,dst_port,"
                                          "src_ip_country_code,protocol,response.code,-";
        QTest::newRow("pipe epoch ms") << "pipe_epochms.csv" << int('|') << int('"') << true << "epoch-ms"
                                       << "src_ip,dst_ip,bytes_in,bytes_out,creation_time,end_time,dst_port,"
                                          "src_ip_country_code,protocol,response.code,rule_names";
    }

    void files()
    {
        QFETCH(QString, file);
        QFETCH(int, delimiter);
        QFETCH(int, quote);
        QFETCH(bool, hasHeader);
        QFETCH(QString, format);
        QFETCH(QString, fields);
        const SniffResult result = sniffCsvFile(kImportDir + file.toStdString());
        QVERIFY(result.delimited);
        QCOMPARE(int(result.delimiter), delimiter);
        QCOMPARE(int(result.quote), quote);
        QCOMPARE(result.hasHeader, hasHeader);
        QCOMPARE(QString::fromLatin1(timestampFormatName(result.timestampFormat).data()), format);
        QVERIFY(!result.timestampAmbiguous);
        QCOMPARE(fieldsOf(result), fields);
        QVERIFY(result.missingRequired().empty());
        QCOMPARE(result.sampledRows, std::size_t(12));
        QCOMPARE(result.rows.size(), std::size_t(12));
        QCOMPARE(result.readsAsIs(), file == "canonical.csv");

        // What the guesses say reads the file exactly like the canonical one.
        const ReadResult imported = readTrafficCsv(kImportDir + file.toStdString(), result.readOptions());
        const ReadResult canonical = readTrafficCsv(kImportDir + "canonical.csv");
        QCOMPARE(imported.report.invalidCellCount(), std::size_t(0));
        for (const auto& column : result.columns) {
            if (!column.field)
                continue; // kept as an extra column: the guess left it unmapped
            const auto c = static_cast<std::size_t>(*column.field);
            for (std::size_t row = 0; row < 12; ++row)
                QCOMPARE(imported.table.cellText(c, row), canonical.table.cellText(c, row));
        }
    }

    void reasons()
    {
        const SniffResult result = sniffCsvFile(kImportDir + "semicolon_european.csv");
        QCOMPARE(result.delimiterGuess.reason,
                 std::string("the semicolon splits 13 of 13 sampled lines into 11 fields"));
        QCOMPARE(result.delimiterGuess.confidence, 1.0);
        QCOMPARE(result.quoteGuess.reason, std::string("12 field(s) in the sample start with a double quote"));
        QCOMPARE(
            result.headerGuess.reason,
            std::string(
                "the first line's cells are not like the values below them ('Bytes Received' above whole numbers)"));
        QCOMPARE(result.timestampGuess.reason,
                 std::string("'25/04/2024 21:00:00' has a day first, above 12 as a month; read as %d/%m/%Y %H:%M:%S "
                             "(25/04/2024 23:00:00)"));
        QCOMPARE(result.columns[4].fieldGuess.reason,
                 std::string("the header 'Source Address' suggests src_ip and it holds IP addresses"));
        QCOMPARE(result.columns[4].fieldGuess.confidence, 0.8);
        QCOMPARE(result.columns[4].examples,
                 (std::vector<std::string>{"147.161.161.82", "165.225.33.6", "2001:db8::17"}));
        const SniffResult tab = sniffCsvFile(kImportDir + "tab_noheader.tsv");
        QCOMPARE(tab.headerGuess.reason, std::string("the first line's cells are values like those below them"));
        QCOMPARE(tab.columns[0].name, std::string("column_1"));
        QCOMPARE(tab.columns[6].fieldGuess.reason,
                 std::string("its values are a few whole numbers from 1 to 65535, like ports"));
        QCOMPARE(tab.columns[10].fieldGuess.reason,
                 std::string("no free schema field fits text; kept as an extra column"));
    }

    void delimiterAndQuote_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("delimiter");
        QTest::addColumn<int>("quote");
        QTest::addColumn<int>("width");
        QTest::newRow("comma") << QByteArray("a,b,c\n1,2,3\n4,5,6\n") << int(',') << int('"') << 3;
        QTest::newRow("semicolon with commas inside")
            << QByteArray("a;b;c\n1,5;2;3\n4,25;5;6\n") << int(';') << int('"') << 3;
        QTest::newRow("tab") << QByteArray("a\tb\n1\t2\n") << int('\t') << int('"') << 2;
        QTest::newRow("pipe") << QByteArray("a|b|c|d\n1|2|3|4\n") << int('|') << int('"') << 4;
        QTest::newRow("double-quoted commas")
            << QByteArray("a,b,c\n\"x,y\",2,3\n\"p,q\",5,6\n") << int(',') << int('"') << 3;
        QTest::newRow("single-quoted commas")
            << QByteArray("a,b,c\n'x,y',2,3\n'p,q',5,6\n") << int(',') << int('\'') << 3;
        QTest::newRow("apostrophes are text") << QByteArray("a,b\nO'Brien,2\nD'Arcy,3\n") << int(',') << int('"') << 2;
        QTest::newRow("quoted line break") << QByteArray("a,b\n\"x\ny\",2\nz,3\n") << int(',') << int('"') << 2;
    }

    void delimiterAndQuote()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, delimiter);
        QFETCH(int, quote);
        QFETCH(int, width);
        const SniffResult result = sniffCsvText(text.toStdString());
        QVERIFY(result.delimited);
        QCOMPARE(int(result.delimiter), delimiter);
        QCOMPARE(int(result.quote), quote);
        QCOMPARE(int(result.columns.size()), width);
    }

    // A spreadsheet's "sep=" first line names the delimiter with certainty and is not the header.
    void sepLine_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("delimiter");
        QTest::newRow("sep=;") << "sep=;"
                               << ";";
        QTest::newRow("sep=,") << "sep=,"
                               << ",";
        QTest::newRow("quoted, padded") << "\"sep=;\";;"
                                        << ";";
        QTest::newRow("BOM, sep=|") << "\xEF\xBB\xBFsep=|"
                                    << "|";
        QTest::newRow("sep=tab") << "sep=\t"
                                 << "\t";
        QTest::newRow("sep=\\t written out") << "SEP=\\t"
                                             << "\t";
    }

    void sepLine()
    {
        QFETCH(QString, first);
        QFETCH(QString, delimiter);
        const char d = delimiter.toLatin1().at(0);
        std::string text = first.toStdString() + "\r\n";
        for (const char* line : {"bytes_in,src_ip,dst_ip,end_time,creation_time",
                                 "10,1.2.3.4,10.0.0.1,2024-04-25T23:00:00Z,2024-04-25T22:00:00Z",
                                 "20,1.2.3.5,10.0.0.1,2024-04-25T23:00:00Z,2024-04-25T22:00:00Z"}) {
            std::string record = line;
            std::replace(record.begin(), record.end(), ',', d);
            text += record + "\r\n";
        }
        const SniffResult result = sniffCsvText(text);
        QCOMPARE(result.delimiter, d);
        QCOMPARE(result.delimiterGuess.confidence, 1.0);
        QVERIFY2(result.delimiterGuess.reason.starts_with("delimiter from the sep= line"),
                 result.delimiterGuess.reason.c_str());
        QVERIFY(result.hasHeader);
        QCOMPARE(result.header.front(), std::string("bytes_in"));
        QCOMPARE(result.rows.size(), std::size_t(2));
        QCOMPARE(result.columns.size(), std::size_t(5));
        // The analyst's choice still wins; the line is skipped all the same.
        SniffParams chosen;
        chosen.delimiterOverride = d;
        QCOMPARE(sniffCsvText(text, chosen).header.front(), std::string("bytes_in"));
    }

    void sepLineParsing()
    {
        QCOMPARE(parseSepLine("sep=;\nx")->length, std::size_t(6));
        QCOMPARE(parseSepLine("\"sep=,\",,\r\nx")->length, std::size_t(11));
        QCOMPARE(parseSepLine("sep=;")->delimiter, ';');
        QVERIFY(!parseSepLine("sep=;x\n"));
        QVERIFY(!parseSepLine("sep=\n"));
        QVERIFY(!parseSepLine("separator,src_ip\n"));
        QVERIFY(!parseSepLine("bytes_in,sep=;\n"));
    }

    void notDelimited()
    {
        const SniffResult result
            = sniffCsvText("2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 ACCEPT OK\n"
                           "2 123456789010 eni-1 10.0.0.3 10.0.0.2 443 49153 6 12 900 ACCEPT OK\n");
        QVERIFY(!result.delimited);
        QCOMPARE(result.delimiterGuess.confidence, 0.0);
        QVERIFY(!result.readsAsIs());
    }

    void timestampOrder_data()
    {
        QTest::addColumn<QByteArray>("dates");
        QTest::addColumn<QString>("format");
        QTest::addColumn<bool>("ambiguous");
        QTest::newRow("day above 12") << QByteArray("01/02/2024 10:00:00\n25/02/2024 10:00:00\n") << "dmy" << false;
        QTest::newRow("month position above 12")
            << QByteArray("01/02/2024 10:00:00\n02/25/2024 10:00:00\n") << "mdy" << false;
        QTest::newRow("all 12 or less") << QByteArray("01/02/2024 10:00:00\n03/04/2024 10:00:00\n") << "dmy" << true;
        QTest::newRow("dots") << QByteArray("01.02.2024 10:00:00\n03.04.2024 10:00:00\n") << "dmy-dots" << false;
        QTest::newRow("year first") << QByteArray("2024/02/01 10:00:00\n2024/04/03 10:00:00\n") << "ymd" << false;
        QTest::newRow("epoch seconds") << QByteArray("1714086000\n1714086060\n") << "epoch-s" << false;
        QTest::newRow("epoch ms") << QByteArray("1714086000000\n1714086060000\n") << "epoch-ms" << false;
        QTest::newRow("iso") << QByteArray("2024-04-25T23:00:00Z\n2024-04-25 23:10:00\n") << "iso" << false;
    }

    void timestampOrder()
    {
        QFETCH(QByteArray, dates);
        QFETCH(QString, format);
        QFETCH(bool, ambiguous);
        std::string text = "ip,timestamp\n";
        for (const QByteArray& line : dates.split('\n')) {
            if (!line.isEmpty())
                text += "1.2.3.4," + line.toStdString() + "\n";
        }
        const SniffResult result = sniffCsvText(text);
        QCOMPARE(QString::fromLatin1(timestampFormatName(result.timestampFormat).data()), format);
        QCOMPARE(result.timestampAmbiguous, ambiguous);
        QCOMPARE(result.columns[1].type, ValueType::Timestamp);
        QCOMPARE(result.columns[1].field, std::optional<Field>(Field::Time));
        if (ambiguous)
            QCOMPARE(result.timestampGuess.reason,
                     std::string("every day and month in the sample is 12 or less, so the order cannot be told; "
                                 "day/month/year is assumed: check a date you know"));
    }

    void bytesNamedColumnIsNotEpoch()
    {
        // Ten-digit numbers are epoch seconds only when the header does not say they are bytes.
        const SniffResult result = sniffCsvText("bytes_in,Bytes Sent,seen\n1714086000,1714086001,1714086002\n"
                                                "1714086100,1714086101,1714086102\n");
        QCOMPARE(result.columns[0].type, ValueType::Integer);
        QCOMPARE(result.columns[1].type, ValueType::Integer);
        QCOMPARE(result.columns[2].type, ValueType::Timestamp);
        QCOMPARE(fieldsOf(result), QString("bytes_in,bytes_out,creation_time"));
    }

    void overridesAreKept()
    {
        SniffParams params;
        params.delimiterOverride = ',';
        params.hasHeaderOverride = false;
        params.timestampFormatOverride = TimestampFormat::MonthDayYear;
        params.quoteOverride = '\0';
        const SniffResult result = sniffCsvFile(kImportDir + "semicolon_european.csv", params);
        QCOMPARE(result.delimiter, ',');
        QCOMPARE(result.quote, '\0');
        QVERIFY(!result.hasHeader);
        QCOMPARE(result.timestampFormat, TimestampFormat::MonthDayYear);
        QCOMPARE(result.delimiterGuess.reason, std::string("chosen: comma"));
        QCOMPARE(result.columns.size(), std::size_t(1));
        QCOMPARE(result.rows.size(), std::size_t(13));
        QCOMPARE(result.rows.front().front(),
                 std::string("Bytes Received;Bytes Sent;Start;Stop;Source Address;Country;"
                             "Proto;Status;Port;Dest;Rule"));
    }

    void previewRowsAndSampleSize()
    {
        SniffParams params;
        params.previewRows = 5;
        params.sampleBytes = 400; // header 85 bytes, rows about 120: cut in the third row, which is dropped
        const SniffResult result = sniffCsvFile(kImportDir + "semicolon_european.csv", params);
        QCOMPARE(result.rows.size(), std::size_t(2));
        QCOMPARE(result.sampledRows, std::size_t(2));
        QCOMPARE(result.rows.back()[0], std::string("30912"));
        params.sampleBytes = 64 * 1024;
        params.previewRows = 5;
        const SniffResult five = sniffCsvFile(kImportDir + "semicolon_european.csv", params);
        QCOMPARE(five.rows.size(), std::size_t(5));
        QCOMPARE(five.sampledRows, std::size_t(12));
    }

    void signatures()
    {
        const SniffResult a = sniffCsvText("Source Address;Dest\n1.2.3.4;5.6.7.8\n");
        const SniffResult b = sniffCsvText("Source Address;Dest\n9.9.9.9;8.8.8.8\n9.9.9.9;8.8.8.8\n");
        const SniffResult c = sniffCsvText("Source Address;Destination\n1.2.3.4;5.6.7.8\n");
        QCOMPARE(a.headerSignature.size(), std::size_t(16));
        QCOMPARE(a.headerSignature, b.headerSignature);
        QVERIFY(a.headerSignature != c.headerSignature);
        QCOMPARE(headerSignature({"x", "y"}, ',', true, 2), headerSignature({" x", "y "}, ',', true, 2));
        QVERIFY(headerSignature({"x", "y"}, ',', true, 2) != headerSignature({"x", "y"}, ';', true, 2));
        QVERIFY(headerSignature({}, '\t', false, 11) != headerSignature({}, '\t', false, 10));
    }

    void misfits_data()
    {
        QTest::addColumn<int>("field");
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("reason");
        auto add = [](const char* name, Field field, const char* cell, const char* reason) {
            QTest::newRow(name) << int(field) << QString::fromLatin1(cell) << QString::fromLatin1(reason);
        };
        add("bytes ok", Field::BytesIn, "5602", "");
        add("bytes with .0", Field::BytesIn, "5602.0", "");
        add("bytes text", Field::BytesIn, "lots", "not a whole number");
        add("bytes negative", Field::BytesOut, "-1", "out of range for bytes_out");
        add("port too big", Field::DstPort, "70000", "out of range for dst_port");
        add("ip ok", Field::SrcIp, "2001:db8::1", "");
        add("ip bad", Field::DstIp, "example.com", "not an IPv4 or IPv6 address");
        add("empty fits", Field::SrcIp, "  ", "");
        add("dmy time", Field::CreationTime, "25/04/2024 23:00:00", "");
        add("iso in dmy", Field::EndTime, "2024-04-25T23:00:00Z",
            "not a timestamp in the format %d/%m/%Y %H:%M:%S (25/04/2024 23:00:00)");
        add("text anything", Field::Protocol, "whatever", "");
    }

    void misfits()
    {
        QFETCH(int, field);
        QFETCH(QString, cell);
        QFETCH(QString, reason);
        const auto got = misfit(static_cast<Field>(field), cell.toStdString(), TimestampFormat::DayMonthYear);
        QCOMPARE(QString::fromStdString(got.value_or("")), reason);
    }

    void refusals()
    {
        QCOMPARE(sniffError(""), QString("x.csv: the file is empty"));
        QCOMPARE(sniffError("\n\r\n"), QString("x.csv: the file is empty"));
        QCOMPARE(sniffError(std::string("\xFF\xFE"
                                        "a\0,\0",
                                        6)),
                 QString("x.csv:1: the file is UTF-16 encoded; save it as UTF-8 (or ASCII) CSV and open it again"));
        QCOMPARE(sniffError(std::string("a,b\n1,\0\n", 8)),
                 QString("x.csv:1: the file holds NUL bytes: it is binary, not a text CSV file"));
        SniffParams bad;
        bad.sampleBytes = 1;
        QVERIFY_THROWS_EXCEPTION(ParameterError, sniffCsvText("a,b\n", bad));
    }

    void checkImport_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("needsImport");
        QTest::addColumn<QString>("why");
        const QString import = QString::fromStdString(kImportDir);
        const QString bad = QString::fromLatin1(WEBTHREAT_TEST_DATA_DIR) + "/bad/";
        QTest::newRow("canonical") << import + "canonical.csv" << false << "";
        QTest::newRow("semicolon") << import + "semicolon_european.csv" << true
                                   << "the required columns 'bytes_in', 'bytes_out', 'creation_time', 'end_time', "
                                      "'src_ip', 'dst_ip' are missing from the header (found: Bytes Received;Bytes "
                                      "Sent;Start;Stop;Sou...)";
        QTest::newRow("tab") << import + "tab_noheader.tsv" << true << "";
        QTest::newRow("pipe") << import + "pipe_epochms.csv" << true << "";
        // A broken copy of the schema the sniffer cannot complete keeps the reader's message.
        QTest::newRow("missing dst_ip") << bad + "missing_required_column.csv" << false << "";
        QTest::newRow("title line") << bad + "title_line.csv" << false << "";
        QTest::newRow("duplicated column") << bad + "duplicated_column.csv" << false << "";
        QTest::newRow("binary") << bad + "binary_garbage.csv" << false << "";
        QTest::newRow("empty") << bad + "empty.csv" << false << "";
        QTest::newRow("absent") << bad + "no_such_file.csv" << false << "";
    }

    void checkImport()
    {
        QFETCH(QString, path);
        QFETCH(bool, needsImport);
        QFETCH(QString, why);
        const ImportCheck check = webthreat::checkImport(path.toStdString());
        QCOMPARE(check.needsImport, needsImport);
        if (!why.isEmpty())
            QCOMPARE(QString::fromStdString(check.why), why);
    }

    void checkImportOfSchemaNamesWithEuropeanDates()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("dmy.csv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                   "1,2,25/04/2024 23:00:00,25/04/2024 23:10:00,1.2.3.4,10.0.0.1\n"
                   "3,4,26/04/2024 23:00:00,26/04/2024 23:10:00,1.2.3.5,10.0.0.1\n");
        file.close();
        const ImportCheck check = webthreat::checkImport(path.toStdString());
        QVERIFY(check.needsImport);
        QCOMPARE(check.why, std::string("its timestamps are written as %d/%m/%Y %H:%M:%S (25/04/2024 23:00:00)"));
        QCOMPARE(check.sniff.timestampFormat, TimestampFormat::DayMonthYear);
    }

    void smokeSniffAnything()
    {
        // Smoke test: the bad corpus, the fuzzer's regressions and seeded random text made of the
        // bytes that matter to CSV are sniffed or refused with an InputError, nothing else, and a
        // result always has at least one column and rows no wider than the sample's lines.
        QStringList files;
        for (const char* folder : {"/bad/", "/fuzz-regressions/"}) {
            const QString path = QString::fromLatin1(WEBTHREAT_TEST_DATA_DIR) + QLatin1String(folder);
            for (const QString& name : QDir(path).entryList(QDir::Files))
                files << path + name;
        }
        QVERIFY(files.size() > 10);
        std::vector<std::string> inputs;
        for (const QString& file : files) {
            QFile in(file);
            QVERIFY(in.open(QIODevice::ReadOnly));
            inputs.push_back(in.readAll().toStdString());
        }
        std::uint64_t state = 12345;
        const std::string alphabet = ",;|\t\"'\r\n a1.:/-Z9";
        for (int i = 0; i < 3000; ++i) {
            std::string text;
            const int length = 1 + static_cast<int>(state % 200);
            for (int k = 0; k < length; ++k) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                text.push_back(alphabet[(state >> 33) % alphabet.size()]);
            }
            inputs.push_back(text);
        }
        std::size_t sniffed = 0;
        for (const std::string& input : inputs) {
            try {
                const SniffResult result = sniffCsvText(input);
                QVERIFY(!result.columns.empty());
                QCOMPARE(result.headerSignature.size(), std::size_t(16));
                (void)result.readOptions();
                ++sniffed;
            } catch (const InputError&) {
            }
        }
        QVERIFY(sniffed > 2000);
    }

    void splitRecords()
    {
        const auto records = splitCsvRecords("a;\"b;c\";\"d\"\"e\"\r\n\r\nf;g;h\ni;j", ';', '"', 10, false);
        QCOMPARE(records.size(), std::size_t(2));
        QCOMPARE(records[0], (std::vector<std::string>{"a", "b;c", "d\"e"}));
        QCOMPARE(records[1], (std::vector<std::string>{"f", "g", "h"}));
        const auto all = splitCsvRecords("x,y\ni,j", ',', '\0', 10, true);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(splitCsvRecords("a,b\nc,d\n", ',', '"', 1).size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestCsvSniffer)
#include "tst_csvsniffer.moc"

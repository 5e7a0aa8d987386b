// The CSV layout flags, both ways: what the import dialog writes (layoutToFlags) must read back
// (layoutFromFlags, as `webthreat analyze` does) as the same layout, for odd layouts: tab and other
// delimiters, quote characters, no header, columns mapped by index and by names with spaces,
// commas, equals signs and '#', names that differ only in case, and timestamp formats.
#include "core/io/layoutflags.h"

#include "core/io/csvreader.h"
#include "core/io/csvsniffer.h"
#include "core/util/errors.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

using Action = ColumnMapping::Action;

ColumnMapping toField(std::size_t index, Field field)
{
    return ColumnMapping::byIndex(index, field);
}

ColumnMapping as(std::size_t index, Action action)
{
    ColumnMapping mapping;
    mapping.index = index;
    mapping.action = action;
    return mapping;
}

// The words of layoutToFlags read back as the command line's declarations store them.
LayoutFlags flagsFromWords(const std::vector<std::string>& words)
{
    LayoutFlags flags;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word == "--no-header")
            flags.noHeader = true;
        else if (word == "--detect-layout")
            flags.detectLayout = true;
        else if (i + 1 < words.size() && word == "--delimiter")
            flags.delimiter = words[++i];
        else if (i + 1 < words.size() && word == "--quote")
            flags.quote = words[++i];
        else if (i + 1 < words.size() && word == "--timestamp-format")
            flags.timestampFormat = words[++i];
        else if (i + 1 < words.size() && word == "--map")
            flags.maps.push_back(words[++i]);
        else
            throw std::runtime_error("not a layout flag: " + word);
    }
    return flags;
}

// What a mapping means: a column kept as extra or ignored has no field.
std::vector<ColumnMapping> meaning(std::vector<ColumnMapping> map)
{
    for (ColumnMapping& mapping : map) {
        mapping.header.clear();
        if (mapping.action != Action::ToField)
            mapping.field = Field::BytesIn;
    }
    return map;
}

QString joined(const std::vector<std::string>& words)
{
    QStringList list;
    for (const auto& word : words)
        list << QString::fromStdString(word);
    return list.join(QLatin1Char(' '));
}

QString describe(const std::vector<ColumnMapping>& map)
{
    QStringList out;
    for (const ColumnMapping& m : map)
        out << QStringLiteral("%1:%2").arg(m.index).arg(
            m.action == Action::ToField
                ? QString::fromUtf8(fieldInfo(m.field).name.data(), qsizetype(fieldInfo(m.field).name.size()))
                : m.action == Action::Ignore ? QStringLiteral("ignore")
                                             : QStringLiteral("extra"));
    return out.join(QLatin1Char(' '));
}

} // namespace

Q_DECLARE_METATYPE(std::vector<webthreat::ColumnMapping>)

class TestLayoutFlags : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<char>("delimiter");
        QTest::addColumn<char>("quote");
        QTest::addColumn<bool>("hasHeader");
        QTest::addColumn<int>("timestampFormat");
        QTest::addColumn<std::vector<ColumnMapping>>("map");

        QTest::newRow("tab, single quotes, no header, by index")
            << QByteArray("'1.2.3.4'\t10.0.0.1\t5\t6\t25/04/2024 23:00:00\t25/04/2024 23:10:00\t'x\ty'\tjunk\n") << '\t'
            << '\'' << false << int(TimestampFormat::DayMonthYear)
            << std::vector<ColumnMapping>{toField(0, Field::SrcIp),
                                          toField(1, Field::DstIp),
                                          toField(2, Field::BytesIn),
                                          toField(3, Field::BytesOut),
                                          toField(4, Field::CreationTime),
                                          toField(5, Field::EndTime),
                                          as(6, Action::Extra),
                                          as(7, Action::Ignore)};
        QTest::newRow("semicolon, names with spaces, commas, equals and #")
            << QByteArray("Source Address;\"Dest, IP\";in=bytes;#out;Start Time;End;Note\n"
                          "1.2.3.4;10.0.0.1;5;6;2024/04/25 23:00:00;2024/04/25 23:10:00;n\n")
            << ';' << '"' << true << int(TimestampFormat::YearMonthDay)
            << std::vector<ColumnMapping>{
                   toField(0, Field::SrcIp),    toField(1, Field::DstIp),        toField(2, Field::BytesIn),
                   toField(3, Field::BytesOut), toField(4, Field::CreationTime), toField(5, Field::EndTime),
                   as(6, Action::Ignore)};
        QTest::newRow("pipe, no quoting, names differing only in case, epoch ms")
            << QByteArray("src|dst|Bytes|bytes|t0|t1|bytes_in|dst_port\n1.2.3.4|10.0.0.1|5|6|1714086000000|"
                          "1714086600000|7|443\n")
            << '|' << '\0' << true << int(TimestampFormat::EpochMillis)
            << std::vector<ColumnMapping>{
                   toField(0, Field::SrcIp),    toField(1, Field::DstIp),        toField(2, Field::BytesIn),
                   toField(3, Field::BytesOut), toField(4, Field::CreationTime), toField(5, Field::EndTime),
                   as(6, Action::Extra),        toField(7, Field::DstPort)};
        QTest::newRow("comma, header names as the schema's, one swapped")
            << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,Country\n"
                          "5,6,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,10.0.0.1,DE\n")
            << ',' << '"' << true << int(TimestampFormat::Iso8601)
            << std::vector<ColumnMapping>{toField(0, Field::BytesOut),        toField(1, Field::BytesIn),
                                          toField(2, Field::CreationTime),    toField(3, Field::EndTime),
                                          toField(4, Field::SrcIp),           toField(5, Field::DstIp),
                                          toField(6, Field::SrcIpCountryCode)};
    }

    void roundTrip()
    {
        QFETCH(QByteArray, text);
        QFETCH(char, delimiter);
        QFETCH(char, quote);
        QFETCH(bool, hasHeader);
        QFETCH(int, timestampFormat);
        QFETCH(std::vector<ColumnMapping>, map);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("odd.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();

        // The layout as the import dialog holds it: the file's column names as sniffed under it.
        CsvLayout layout;
        layout.delimiter = delimiter;
        layout.quote = quote;
        layout.hasHeader = hasHeader;
        layout.timestampFormat = static_cast<TimestampFormat>(timestampFormat);
        layout.columnMap = map;
        SniffParams sniffParams;
        sniffParams.delimiterOverride = delimiter;
        sniffParams.quoteOverride = quote;
        sniffParams.hasHeaderOverride = hasHeader;
        for (const SniffedColumn& column : sniffCsvFile(path.toStdString(), sniffParams).columns)
            layout.columnNames.push_back(column.name);
        QCOMPARE(layout.columnNames.size(), map.size());

        const std::vector<std::string> words = layoutToFlags(layout);
        qInfo("%s", qPrintable(joined(words)));
        const CsvLayout back = layoutFromFlags(flagsFromWords(words), path.toStdString());
        QVERIFY2(back.delimiter == layout.delimiter, qPrintable(joined(words)));
        QVERIFY2(back.quote == layout.quote, qPrintable(joined(words)));
        QCOMPARE(back.hasHeader, layout.hasHeader);
        QCOMPARE(int(back.timestampFormat), timestampFormat);
        QCOMPARE(back.columnNames, layout.columnNames);
        QVERIFY2(meaning(back.columnMap) == meaning(layout.columnMap),
                 qPrintable(joined(words) + "\n  wrote " + describe(layout.columnMap) + "\n  read  "
                            + describe(back.columnMap)));
        // And the reader accepts what came back.
        ReadOptions read;
        back.applyTo(read);
        read.validate();
    }

    void unnamedColumnFromTheFuzzer()
    {
        // fuzz_sniffer found it: a header ending in a delimiter has a column with no name, which the
        // import dialog reads (its map names it column_7) but the reader refuses matched by header
        // name. Its flags must map that column, so that the command line reads the file too.
        const std::string path = WEBTHREAT_TEST_DATA_DIR "/fuzz-regressions/layout_flags_unnamed_column.csv";
        const SniffResult sniff = sniffCsvFile(path);
        const CsvLayout layout = layoutOf(sniff.readOptions(), sniff.columns);
        QCOMPARE(layout.columnNames.size(), std::size_t(7));
        QCOMPARE(layout.columnNames.back(), std::string());
        const std::vector<std::string> words = layoutToFlags(layout);
        QCOMPARE(joined(words), QStringLiteral("--map #7=extra"));
        const CsvLayout back = layoutFromFlags(flagsFromWords(words), path);
        QVERIFY(meaning(back.columnMap) == meaning(layout.columnMap));
        ReadOptions read;
        back.applyTo(read);
        QCOMPARE(readTrafficCsv(path, read).table.rowCount(), std::size_t(0));
    }

    void wordsForTheDialogsLayouts()
    {
        CsvLayout layout;
        layout.delimiter = '\t';
        layout.quote = '\0';
        layout.hasHeader = false;
        layout.timestampFormat = TimestampFormat::DayMonthYearDots;
        layout.columnNames = {"column_1", "column_2", "column_3"};
        layout.columnMap = {toField(0, Field::SrcIp), as(1, Action::Ignore), as(2, Action::Extra)};
        QCOMPARE(joined(layoutToFlags(layout)),
                 QStringLiteral("--delimiter tab --quote none --no-header --timestamp-format dmy-dots --map #1=src_ip "
                                "--map #2=ignore"));

        // Names as written where they are unambiguous; #N where two differ only in case or one starts with #.
        layout = CsvLayout();
        layout.columnNames = {"Dest", "dest", "#n", "Bytes Received", "response.code"};
        layout.columnMap = {toField(0, Field::DstIp), toField(1, Field::SrcIp), toField(2, Field::BytesOut),
                            toField(3, Field::BytesIn), toField(4, Field::ResponseCode)};
        QCOMPARE(joined(layoutToFlags(layout)),
                 QStringLiteral("--map #1=dst_ip --map #2=src_ip --map #3=bytes_out --map Bytes Received=bytes_in"));
    }

    void theDefaultLayoutHasNoFlags()
    {
        QVERIFY(layoutToFlags(CsvLayout()).empty());
        QVERIFY(!LayoutFlags().any());
        // Without --map or --detect-layout the file is not opened: it need not even exist.
        LayoutFlags flags;
        flags.delimiter = "tab";
        const CsvLayout layout = layoutFromFlags(flags, "/nonexistent/file.tsv");
        QCOMPARE(layout.delimiter, '\t');
        QVERIFY(layout.columnMap.empty());
        QCOMPARE(QString::fromStdString(describeLayout(layout)),
                 QStringLiteral(
                     "Layout: delimiter tab, quote \", header line, timestamps iso; columns matched by header name\n"));
    }

    void badFlags_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("delimiter") << "--delimiter"
                                   << ";;"
                                   << "--delimiter needs one character or 'tab', got ';;'";
        QTest::newRow("quote") << "--quote"
                               << "`"
                               << "--quote must be \", ' or none; got '`'";
        QTest::newRow("timestamps") << "--timestamp-format"
                                    << "dd/mm"
                                    << "--timestamp-format must be one of iso, epoch-s, "
                                       "epoch-ms, dmy, mdy, ymd, dmy-dots; got 'dd/mm'";
        QTest::newRow("map") << "--map"
                             << "Dest"
                             << "--map needs COLUMN=FIELD, got 'Dest'";
        QTest::newRow("quote is the delimiter") << "--quote"
                                                << "'"
                                                << "--quote cannot be the delimiter";
    }

    void badFlags()
    {
        QFETCH(QString, flag);
        QFETCH(QString, value);
        QFETCH(QString, message);
        std::vector<std::string> words{flag.toStdString(), value.toStdString()};
        if (message.contains(QLatin1String("cannot be the delimiter")))
            words.insert(words.end(), {"--delimiter", "'"});
        try {
            layoutFromFlags(flagsFromWords(words), "/nonexistent/file.csv");
            QFAIL("no error");
        } catch (const ParameterError& error) {
            QCOMPARE(QString::fromStdString(error.what()), message);
        }
    }
};

QTEST_GUILESS_MAIN(TestLayoutFlags)
#include "tst_layoutflags.moc"

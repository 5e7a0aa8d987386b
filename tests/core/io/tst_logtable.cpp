// core/io/logtable: the line reader and table builder the log readers share.
#include "core/io/decompress.h"
#include "core/io/logtable.h"
#include "core/util/errors.h"

#include <QTest>

using namespace webthreat;

namespace {
ByteReader over(const std::string& text)
{
    auto offset = std::make_shared<std::size_t>(0);
    return [text, offset](char* into, std::size_t capacity) {
        const std::size_t take = std::min(capacity, text.size() - *offset);
        std::copy_n(text.data() + *offset, take, into);
        *offset += take;
        return take;
    };
}

std::vector<std::string> allLines(const std::string& text, std::size_t blockBytes = 64)
{
    LineReader reader(over(text), blockBytes, "t.log");
    std::vector<std::string> lines;
    std::string_view line;
    while (reader.next(line))
        lines.emplace_back(line);
    return lines;
}
} // namespace

class TestLogTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitsLinesAtEveryKindOfLineEnd()
    {
        QCOMPARE(allLines("a\nb\r\nc\rd"), (std::vector<std::string>{"a", "b", "c", "d"}));
        QCOMPARE(allLines("a\n\nb\n"), (std::vector<std::string>{"a", "", "b"}));
        QCOMPARE(allLines("\xEF\xBB\xBF"
                          "first\n"),
                 (std::vector<std::string>{"first"}));
        QCOMPARE(allLines(""), (std::vector<std::string>{}));
    }

    void aLineLongerThanABlockIsWhole()
    {
        const std::string longLine(1000, 'x');
        QCOMPARE(allLines("s\n" + longLine + "\ne\n", 64), (std::vector<std::string>{"s", longLine, "e"}));
    }

    void countsLinesAndBytes()
    {
        LineReader reader(over("a\nb\n"), 64, "t.log");
        std::string_view line;
        QVERIFY(reader.next(line));
        QCOMPARE(reader.lineNumber(), std::int64_t(1));
        QVERIFY(reader.next(line));
        QCOMPARE(reader.lineNumber(), std::int64_t(2));
        QVERIFY(!reader.next(line));
        QCOMPARE(reader.bytes(), std::uint64_t(4));
    }

    void refusesBinaryAndUtf16()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, allLines(std::string("a\0b\n", 4)));
        QVERIFY_THROWS_EXCEPTION(InputError,
                                 allLines(std::string("\xFF\xFE"
                                                      "a\0",
                                                      4)));
    }

    void splitsAtBlanks()
    {
        std::vector<std::string_view> fields;
        splitBlanks("  2 123456789010  eni-1 \t 10.0.0.1 ", fields);
        QCOMPARE(fields, (std::vector<std::string_view>{"2", "123456789010", "eni-1", "10.0.0.1"}));
    }

    void splitsQuotedFields()
    {
        std::vector<std::string_view> fields;
        std::string scratch;
        QVERIFY(splitQuoted(R"(http 2024 "GET / HTTP/1.1" "say \"hi\" \\" -)", fields, scratch));
        QCOMPARE(fields, (std::vector<std::string_view>{"http", "2024", "GET / HTTP/1.1", R"(say "hi" \)", "-"}));
        QVERIFY(!splitQuoted(R"(a "never closed)", fields, scratch));
    }

    void buildsATableWithItsReport()
    {
        LogTable table("t.log");
        table.addRow(1);
        table.setInteger(Field::BytesIn, 100);
        table.setText(Field::SrcIp, "10.0.0.1");
        const std::size_t action = table.extraColumn("action");
        QCOMPARE(table.extraColumn("action"), action);
        table.setText(action, "ACCEPT");
        table.addRow(3);
        table.invalidCell("bytes", 3, "lots", "not a whole number");
        table.malformedLine(2, 5, "expected 14 fields");
        QCOMPARE(table.rowCount(), std::size_t(2));
        const ReadResult result = table.finish(3, 40, "record");
        QCOMPARE(result.report.rows, std::size_t(2));
        QCOMPARE(result.report.malformed.count, std::size_t(1));
        QCOMPARE(result.report.malformed.firstLines, (std::vector<std::int64_t>{2}));
        QCOMPARE(result.report.invalidCellCount(), std::size_t(1));
        QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{1, 3}));
        QCOMPARE(result.table.cellText(std::size_t(Field::BytesIn), 0), std::string("100"));
        QVERIFY(result.table.column(Field::BytesIn).isMissing(1));
        QCOMPARE(result.table.text(Field::SrcIp, 0), std::string_view("10.0.0.1"));
        QCOMPARE(result.table.cellText(action, 0), std::string("ACCEPT"));
        QCOMPARE(result.table.cellText(action, 1), std::string());
        QCOMPARE(result.report.warnings.size(), std::size_t(2));
        QCOMPARE(
            result.report.warnings[1],
            std::string("1 line(s) skipped for not being record (first: expected 14 fields): line(s) 2 (5 fields)"));
    }

    // Missing cells are written only when a later row sets the column (or at finish): a column
    // never set, or set to one value in every row, holds one cell while read; one missing in some
    // rows reads missing there, whichever rows they are.
    void fillsMissingCellsLazily()
    {
        LogTable table("t.log");
        const std::size_t meta = std::size_t(Field::SourceMeta);
        const std::size_t action = table.extraColumn("action");
        const std::size_t later = table.extraColumn("later");
        const std::size_t early = table.extraColumn("early");
        for (int row = 0; row < 6; ++row) {
            table.addRow(row + 1);
            table.setText(meta, "Zeek_conn");
            if (row >= 2)
                table.setText(later, "T");
            if (row < 3)
                table.setInteger(Field::DstPort, 443);
            table.setText(action, row == 4 ? "REJECT" : "ACCEPT");
            if (row == 1) {
                table.setText(early, "first");
                table.setText(early, "second"); // set twice: the last wins
            }
        }
        QVERIFY(table.holdsOneCell(meta));
        QVERIFY(table.holdsOneCell(std::size_t(Field::RuleNames)));
        QVERIFY(table.holdsOneCell(std::size_t(Field::ResponseCode)));
        QVERIFY(table.holdsOneCell(std::size_t(Field::DstPort))); // three rows so far, all 443
        QVERIFY(!table.holdsOneCell(action));
        QVERIFY(!table.holdsOneCell(later)); // rows 1 and 2 missing, then T
        const ReadResult result = table.finish(6, 60, "record");
        const TrafficTable& t = result.table;
        QCOMPARE(t.rowCount(), std::size_t(6));
        for (std::size_t row = 0; row < 6; ++row) {
            QCOMPARE(t.cellText(meta, row), std::string("Zeek_conn"));
            QCOMPARE(t.cellText(std::size_t(Field::RuleNames), row), std::string());
            QVERIFY(t.column(Field::ResponseCode).isMissing(row));
            QCOMPARE(t.cellText(later, row), std::string(row >= 2 ? "T" : ""));
            QCOMPARE(t.cellText(std::size_t(Field::DstPort), row), std::string(row < 3 ? "443" : ""));
            QCOMPARE(t.cellText(action, row), std::string(row == 4 ? "REJECT" : "ACCEPT"));
            QCOMPARE(t.cellText(early, row), std::string(row == 1 ? "second" : ""));
            for (const Column& column : t.columns)
                QCOMPARE(column.size(), std::size_t(6));
        }
        QVERIFY(t.column(Field::SourceMeta).text.isUniform());
        QVERIFY(t.column(Field::RuleNames).text.isUniform());
        QVERIFY(!t.columns[later].text.isUniform());
    }

    // A piece read apart ends some columns early too: appended, every column has every row, and
    // the cells the table and the piece left unset are missing.
    void appendsPiecesWhoseColumnsEndEarly()
    {
        LogTable table("t.log");
        const std::size_t action = table.extraColumn("action");
        table.addRow(1);
        table.setText(action, "ACCEPT");
        table.setInteger(Field::BytesIn, 7);
        table.addRow(2); // action and bytes_in unset
        LogTable piece = table.fork();
        piece.addRow(3);
        piece.addRow(4);
        piece.setText(action, "REJECT");
        piece.setText(piece.extraColumn("new"), "n");
        piece.addRow(5);
        table.append(piece);
        table.addRow(6);
        table.setInteger(Field::BytesIn, 9);
        const ReadResult result = table.finish(6, 60, "record");
        const TrafficTable& t = result.table;
        QCOMPARE(t.rowCount(), std::size_t(6));
        const std::size_t added = *t.findColumn("new");
        const char* const actions[] = {"ACCEPT", "", "", "REJECT", "", ""};
        const char* const bytes[] = {"7", "", "", "", "", "9"};
        const char* const news[] = {"", "", "", "n", "", ""};
        for (std::size_t row = 0; row < 6; ++row) {
            QCOMPARE(t.cellText(action, row), std::string(actions[row]));
            QCOMPARE(t.cellText(std::size_t(Field::BytesIn), row), std::string(bytes[row]));
            QCOMPARE(t.cellText(added, row), std::string(news[row]));
        }
        for (const Column& column : t.columns)
            QCOMPARE(column.size(), std::size_t(6));
        QCOMPARE(t.sourceLines, (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
    }
};

QTEST_GUILESS_MAIN(TestLogTable)
#include "tst_logtable.moc"

// core/table/traffictable: the columnar table, its schema, its cells as text and its row editing.
#include "core/io/csvreader.h"
#include "core/table/traffictable.h"

#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {
const std::string kHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip,note\n";

TrafficTable threeRows()
{
    return readTrafficCsvText(
               kHeader
                   + "100,1000,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.1.1.1,US,HTTPS,443,10.0.0.1,a\n"
                     "200,,2024-04-25T23:00:00.5Z,,2.2.2.2,DE,SSH,22,10.0.0.2,\n"
                     "300,3000,,,3.3.3.3,,HTTP,80,10.0.0.3,c\n",
               "t.csv")
        .table;
}
} // namespace

class TestTrafficTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aNewTableHasTheSchema()
    {
        const TrafficTable table;
        QCOMPARE(table.columnCount(), kFieldCount);
        QCOMPARE(table.rowCount(), std::size_t(0));
        for (Field field : allFields()) {
            QCOMPARE(table.column(field).name, std::string(fieldInfo(field).name));
            QCOMPARE(table.column(field).kind, fieldInfo(field).kind);
        }
        QVERIFY(table.strings != nullptr);
    }

    void fieldsByHeaderName_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("field"); // -1: none
        QTest::newRow("canonical") << "bytes_in" << int(Field::BytesIn);
        QTest::newRow("dots") << "response.code" << int(Field::ResponseCode);
        QTest::newRow("blanks and case") << "Response Code" << int(Field::ResponseCode);
        QTest::newRow("dashes") << "src-ip" << int(Field::SrcIp);
        QTest::newRow("unknown") << "user_agent" << -1;
        QTest::newRow("empty") << "" << -1;
    }
    void fieldsByHeaderName()
    {
        QFETCH(QString, header);
        QFETCH(int, field);
        const std::optional<Field> found = fieldForHeader(header.toStdString());
        QCOMPARE(found ? int(*found) : -1, field);
    }

    void cellsAsTheyAreWritten()
    {
        const TrafficTable table = threeRows();
        QCOMPARE(table.rowCount(), std::size_t(3));
        QCOMPARE(table.cellText(std::size_t(Field::BytesIn), 0), std::string("100"));
        QCOMPARE(table.cellText(std::size_t(Field::BytesOut), 1), std::string()); // missing
        QCOMPARE(table.cellText(std::size_t(Field::CreationTime), 0), std::string("2024-04-25T23:00:00Z"));
        QCOMPARE(table.cellText(std::size_t(Field::CreationTime), 1), std::string("2024-04-25T23:00:00.5Z"));
        QCOMPARE(table.cellText(std::size_t(Field::SrcIpCountryCode), 2), std::string());
        QCOMPARE(table.text(Field::Protocol, 1), std::string_view("SSH"));
        const std::optional<std::size_t> note = table.findColumn("note");
        QVERIFY(note);
        QCOMPARE(*note, kFieldCount);
        QCOMPARE(table.cellText(*note, 2), std::string("c"));
        QVERIFY(!table.findColumn("Note")); // exact names only
        QCOMPARE(table.sourceLines, (std::vector<std::uint32_t>{2, 3, 4}));
    }

    void numbersAndMissing()
    {
        const TrafficTable table = threeRows();
        const Column& bytesOut = table.column(Field::BytesOut);
        QCOMPARE(bytesOut.number(0), 1000.0);
        QVERIFY(bytesOut.isMissing(1));
        QVERIFY(std::isnan(bytesOut.number(1)));
        const Column& created = table.column(Field::CreationTime);
        QCOMPARE(created.number(1) - created.number(0), 0.5); // timestamps in seconds
        QVERIFY(std::isnan(table.column(Field::Protocol).number(0)));
        QCOMPARE(columnKindName(ColumnKind::Timestamp), std::string_view("timestamp"));
    }

    void keepsRowsInPlace()
    {
        TrafficTable table = threeRows();
        table.keepRows({0, 2});
        QCOMPARE(table.rowCount(), std::size_t(2));
        QCOMPARE(table.cellText(std::size_t(Field::BytesIn), 1), std::string("300"));
        QCOMPARE(table.text(Field::SrcIp, 1), std::string_view("3.3.3.3"));
        QCOMPARE(table.sourceLines, (std::vector<std::uint32_t>{2, 4}));
        QCOMPARE(table.columns[kFieldCount].size(), std::size_t(2));
    }

    void releasedColumnsHoldNoRows()
    {
        TrafficTable table = threeRows();
        const std::size_t before = table.memoryBytes();
        table.releaseColumn(std::size_t(Field::DstPort));
        QVERIFY(table.column(Field::DstPort).released);
        QCOMPARE(table.column(Field::DstPort).name, std::string("dst_port"));
        QCOMPARE(table.column(Field::DstPort).integers.size(), std::size_t(0));
        QVERIFY(table.memoryBytes() < before);
        QCOMPARE(table.rowCount(), std::size_t(3));
        table.keepRows({1}); // a released column is left alone
        QCOMPARE(table.cellText(std::size_t(Field::BytesIn), 0), std::string("200"));
    }

    void resizingAddsMissingCells()
    {
        Column column;
        column.kind = ColumnKind::Real;
        column.resize(2);
        QCOMPARE(column.size(), std::size_t(2));
        QVERIFY(column.isMissing(0) && column.isMissing(1));
        Column text;
        text.resize(1);
        QCOMPARE(text.text.front(), StringPool::kMissing);
    }
};

QTEST_GUILESS_MAIN(TestTrafficTable)
#include "tst_traffictable.moc"

// core/table/cells: a column's cells, stored or uniform (one value held once for every row).
#include "core/table/cells.h"
#include "core/table/traffictable.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace webthreat;

class TestCells : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aUniformColumnReadsItsValueInEveryRow()
    {
        const Cells<std::int64_t> cells = Cells<std::int64_t>::uniform(1000, 7);
        QVERIFY(cells.isUniform());
        QCOMPARE(cells.size(), std::size_t(1000));
        QCOMPARE(cells.capacity(), std::size_t(1));
        QCOMPARE(cells[0], std::int64_t(7));
        QCOMPARE(cells[999], std::int64_t(7));
        QCOMPARE(cells.back(), std::int64_t(7));
        QCOMPARE(std::count(cells.begin(), cells.end(), 7), std::ptrdiff_t(1000));
        QCOMPARE(std::accumulate(cells.begin(), cells.end(), std::int64_t(0)), std::int64_t(7000));
        const auto view = cells.view();
        QCOMPARE(view.size(), std::size_t(1000));
        QCOMPARE(view[500], std::int64_t(7));
        QCOMPARE(view.sub(900, 50)[49], std::int64_t(7));
        QVERIFY(cells == std::vector<std::int64_t>(1000, 7));
    }

    void writingARowStoresEveryCellFirst()
    {
        Cells<std::uint32_t> cells = Cells<std::uint32_t>::uniform(5, 3);
        cells[2] = 9; // the non-const operator[] stores the cells
        QVERIFY(!cells.isUniform());
        QVERIFY(cells == (std::vector<std::uint32_t>{3, 3, 9, 3, 3}));

        Cells<std::uint32_t> viaData = Cells<std::uint32_t>::uniform(3, 1);
        viaData.data()[1] = 4;
        QVERIFY(viaData == (std::vector<std::uint32_t>{1, 4, 1}));

        Cells<std::uint32_t> viaBack = Cells<std::uint32_t>::uniform(3, 1);
        viaBack.back() = 5;
        QVERIFY(viaBack == (std::vector<std::uint32_t>{1, 1, 5}));

        Cells<std::uint32_t> viaIterators = Cells<std::uint32_t>::uniform(3, 1);
        for (std::uint32_t& value : viaIterators)
            value += 1;
        QVERIFY(viaIterators == (std::vector<std::uint32_t>{2, 2, 2}));
    }

    void pushingTheSameValueKeepsItUniform()
    {
        Cells<std::int64_t> cells = Cells<std::int64_t>::uniformWhileSame();
        QCOMPARE(cells.size(), std::size_t(0));
        for (int i = 0; i < 100; ++i)
            cells.push_back(42); // the first value pushed becomes every row's
        QVERIFY(cells.isUniform());
        QCOMPARE(cells.size(), std::size_t(100));
        cells.push_back(43);
        QVERIFY(!cells.isUniform());
        QCOMPARE(cells.size(), std::size_t(101));
        QCOMPARE(cells[99], std::int64_t(42));
        QCOMPARE(cells[100], std::int64_t(43));
    }

    void setLastKeepsItUniformOnlyWhenItMay()
    {
        Cells<std::uint32_t> cells = Cells<std::uint32_t>::uniformWhileSame();
        cells.push_back(0);
        cells.setLast(8); // a single row: still one value
        QVERIFY(cells.isUniform());
        cells.push_back(0);
        cells.setLast(8);
        QVERIFY(!cells.isUniform()); // row 1 was pushed as 0 and stored before it was set
        QVERIFY(cells == (std::vector<std::uint32_t>{8, 8}));

        Cells<std::uint32_t> same = Cells<std::uint32_t>::uniform(4, 6);
        same.setLast(6);
        QVERIFY(same.isUniform());
        same.setLast(1);
        QVERIFY(same == (std::vector<std::uint32_t>{6, 6, 6, 1}));
    }

    void resizeKeepsItUniformWhenTheNewRowsHoldItsValue()
    {
        Cells<std::int64_t> cells = Cells<std::int64_t>::uniform(10, kMissingInteger);
        cells.resize(20, kMissingInteger);
        QVERIFY(cells.isUniform());
        QCOMPARE(cells.size(), std::size_t(20));
        cells.resize(5, 1); // shrinking adds no row
        QVERIFY(cells.isUniform());
        QCOMPARE(cells.size(), std::size_t(5));
        cells.resize(7, 1);
        QVERIFY(!cells.isUniform());
        QVERIFY(cells == (std::vector<std::int64_t>{kMissingInteger, kMissingInteger, kMissingInteger, kMissingInteger,
                                                     kMissingInteger, 1, 1}));
    }

    void reserveIsRememberedUntilTheCellsAreStored()
    {
        Cells<std::int64_t> cells = Cells<std::int64_t>::uniform(3, 2);
        cells.reserve(1000);
        QCOMPARE(cells.capacity(), std::size_t(1)); // nothing held while uniform
        cells.push_back(5);
        QVERIFY(cells.capacity() >= 1000);
        QVERIFY(cells == (std::vector<std::int64_t>{2, 2, 2, 5}));
    }

    void aColumnOfMissingValuesIsMissingInEveryRow()
    {
        Column column{"response.code", ColumnKind::Integer, {}, {}, {}};
        column.resize(1000);
        QVERIFY(column.makeUniformIfSo());
        QVERIFY(column.integers.isUniform());
        QCOMPARE(column.size(), std::size_t(1000));
        QVERIFY(column.isMissing(0));
        QVERIFY(column.isMissing(999));
        QVERIFY(std::isnan(column.number(999)));
        QVERIFY(column.memoryBytes() < 64);

        Column reals{"score", ColumnKind::Real, {}, {}, {}};
        reals.resize(10); // NaN in every row: bit for bit one value
        QVERIFY(reals.makeUniformIfSo());
        QVERIFY(reals.isMissing(9));

        Column text{"note", ColumnKind::Text, {}, {}, {}};
        text.text = Cells<std::uint32_t>(std::vector<std::uint32_t>{1, 1, 2});
        QVERIFY(!text.makeUniformIfSo());
        QVERIFY(!text.text.isUniform());
    }

    void insertingNothingOrAtTheEnd()
    {
        // An empty range into an empty column (the CSV reader merging a piece of no rows): no
        // array exists, and the position returned is the end; under UBSan, &*end() was an error.
        Cells<std::int64_t> empty;
        const std::vector<std::int64_t> none;
        std::int64_t* at = empty.insert(empty.end(), none.data(), none.data());
        QVERIFY(empty.empty());
        QCOMPARE(at, empty.data());
        Cells<std::int64_t> cells{1, 2};
        const std::vector<std::int64_t> more{3, 4};
        at = cells.insert(cells.end(), more.data(), more.data() + more.size());
        QCOMPARE(at - cells.data(), std::ptrdiff_t(2));
        QCOMPARE(cells.size(), std::size_t(4));
        QCOMPARE(cells[3], std::int64_t(4));
        at = cells.insert(cells.end(), more.data(), more.data());
        QCOMPARE(at, cells.data() + 4);
        at = cells.insert(cells.begin() + 1, 2, std::int64_t(7));
        QCOMPARE(at, cells.data() + 1);
        QCOMPARE(cells[2], std::int64_t(7));
        QCOMPARE(cells[3], std::int64_t(2));
        // A uniform column stores its cells before the insert.
        Cells<std::int64_t> uniform = Cells<std::int64_t>::uniform(3, 5);
        at = uniform.insert(uniform.end(), more.data(), more.data() + 1);
        QVERIFY(!uniform.isUniform());
        QCOMPARE(uniform.size(), std::size_t(4));
        QCOMPARE(uniform[2], std::int64_t(5));
        QCOMPARE(*at, std::int64_t(3));
    }

    void keepRowsAndAppend()
    {
        Cells<std::uint32_t> uniform = Cells<std::uint32_t>::uniform(10, 4);
        uniform.keepRows(std::vector<std::uint32_t>{1, 5, 9});
        QVERIFY(uniform.isUniform());
        QCOMPARE(uniform.size(), std::size_t(3));

        Cells<std::uint32_t> stored{1, 2, 3, 4};
        stored.keepRows(std::vector<std::uint32_t>{0, 3});
        QVERIFY(stored == (std::vector<std::uint32_t>{1, 4}));

        uniform.append(Cells<std::uint32_t>::uniform(2, 4));
        QVERIFY(uniform.isUniform());
        QCOMPARE(uniform.size(), std::size_t(5));
        uniform.append(stored);
        QVERIFY(uniform == (std::vector<std::uint32_t>{4, 4, 4, 4, 4, 1, 4}));

        Cells<std::uint32_t> empty = Cells<std::uint32_t>::uniformWhileSame();
        empty.append(Cells<std::uint32_t>::uniform(3, 9));
        QVERIFY(empty.isUniform());
        QVERIFY(empty == (std::vector<std::uint32_t>{9, 9, 9}));
    }

    void aTableKeepsReadingTheSameAfterItsColumnsAreMadeUniform()
    {
        TrafficTable table;
        for (std::uint32_t row = 0; row < 4; ++row) {
            table.sourceLines.push_back(row + 2);
            for (Column& column : table.columns) {
                if (column.kind == ColumnKind::Text)
                    column.text.push_back(StringPool::kMissing);
                else
                    column.integers.push_back(column.name == "bytes_in" ? std::int64_t(row) : kMissingInteger);
            }
        }
        table.makeUniformColumnsUniform();
        QVERIFY(!table.column(Field::BytesIn).integers.isUniform());
        QVERIFY(table.column(Field::ResponseCode).integers.isUniform());
        QCOMPARE(table.cellText(static_cast<std::size_t>(Field::ResponseCode), 3), std::string());
        QCOMPARE(table.cellText(static_cast<std::size_t>(Field::BytesIn), 3), std::string("3"));
        table.keepRows({1, 3});
        QCOMPARE(table.rowCount(), std::size_t(2));
        QCOMPARE(table.column(Field::ResponseCode).size(), std::size_t(2));
        QCOMPARE(table.cellText(static_cast<std::size_t>(Field::BytesIn), 1), std::string("3"));
    }
};

QTEST_APPLESS_MAIN(TestCells)
#include "tst_cells.moc"

#pragma once

// Helpers shared by the tests of the log readers and of trafficfile: the fixtures in
// tests/data/formats, a table's cell as the Data tab shows it, a report's warnings and an
// InputError's message.
#include "core/io/decompress.h"
#include "core/io/readreport.h"
#include "core/util/errors.h"

#include <QFile>
#include <QString>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace webthreat::testing {

inline const QString kFormats = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/");

inline std::string fixture(const char* name)
{
    return (kFormats + QLatin1String(name)).toStdString();
}

inline std::string fixtureBytes(const char* name)
{
    QFile in(kFormats + QLatin1String(name));
    if (!in.open(QIODevice::ReadOnly))
        return {};
    return in.readAll().toStdString();
}

// A stream over bytes in memory, handing out at most `chunk` bytes per call so that records cross
// the reader's block boundaries. `bytes` and `offset` must outlive the reader.
inline ByteReader readerOver(std::string_view bytes, std::size_t& offset, std::size_t chunk = 1u << 20)
{
    return [bytes, &offset, chunk](char* into, std::size_t capacity) {
        const std::size_t take = std::min({capacity, chunk, bytes.size() - offset});
        std::memcpy(into, bytes.data() + offset, take);
        offset += take;
        return take;
    };
}

// The message of the InputError the action throws; empty when it throws none.
inline QString errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const InputError& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

// A cell as the Data tab and the scored CSV show it.
inline QString cell(const ReadResult& read, std::string_view column, std::size_t row)
{
    const auto index = read.table.findColumn(column);
    if (!index)
        return QStringLiteral("<no column %1>").arg(QString::fromUtf8(column.data(), static_cast<int>(column.size())));
    return QString::fromStdString(read.table.cellText(*index, row));
}

inline bool anyWarningContains(const ReadReport& report, const QString& fragment)
{
    return std::any_of(report.warnings.begin(), report.warnings.end(),
                       [&](const std::string& warning) { return QString::fromStdString(warning).contains(fragment); });
}

// The columns of a table of samples: a fixture, what it is read as (the report's format line),
// and the report's counts.
inline void addSampleColumns()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("lines");
    QTest::addColumn<int>("malformed");
    QTest::addColumn<int>("invalidCells");
    QTest::addColumn<int>("withoutTraffic");
}

// A read of the current sample against its row: the format line, the counts, and a table whose
// every column has a cell per row.
inline void compareWithSample(const ReadResult& read)
{
    QFETCH(QString, format);
    QFETCH(int, rows);
    QFETCH(int, lines);
    QFETCH(int, malformed);
    QFETCH(int, invalidCells);
    QFETCH(int, withoutTraffic);
    QCOMPARE(QString::fromStdString(read.report.format), format);
    QCOMPARE(read.table.rowCount(), std::size_t(rows));
    QCOMPARE(read.report.rows, std::size_t(rows));
    QCOMPARE(read.report.lines, std::int64_t(lines));
    QCOMPARE(read.report.malformed.count, std::size_t(malformed));
    QCOMPARE(read.report.invalidCellCount(), std::size_t(invalidCells));
    QCOMPARE(read.report.recordsWithoutTraffic, std::size_t(withoutTraffic));
    for (const Column& column : read.table.columns)
        QCOMPARE(column.size(), read.table.rowCount());
}

// The two tables hold the same cells in the same columns and rows, from the same lines.
inline void compareTables(const ReadResult& actual, const ReadResult& expected)
{
    QCOMPARE(actual.table.rowCount(), expected.table.rowCount());
    QCOMPARE(actual.table.columnCount(), expected.table.columnCount());
    QCOMPARE(actual.table.sourceLines, expected.table.sourceLines);
    for (std::size_t c = 0; c < expected.table.columnCount(); ++c) {
        QCOMPARE(actual.table.columns[c].name, expected.table.columns[c].name);
        for (std::size_t row = 0; row < expected.table.rowCount(); ++row)
            QCOMPARE(actual.table.cellText(c, row), expected.table.cellText(c, row));
    }
}

} // namespace webthreat::testing

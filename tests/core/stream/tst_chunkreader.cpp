// core/stream/chunkreader: a CSV read in chunks gives the rows, cells and lines of the whole read,
// plain or gzip, whatever the chunk size, with quoted line ends across chunk boundaries; an error
// names the file's line.
#include "core/stream/chunkreader.h"

#include "core/io/csvreader.h"
#include "core/util/errors.h"
#include "streamtesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
bool writeGzip(const std::string& path, const std::string& text)
{
    gzFile file = gzopen(path.c_str(), "wb6");
    if (!file)
        return false;
    const bool written
        = gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size());
    return gzclose(file) == Z_OK && written;
}
} // namespace

class TestChunkReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameAsWholeRead_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::addColumn<int>("chunkBytes");
        QTest::addColumn<bool>("finalNewline");
        QTest::newRow("plain, smallest chunks") << false << 4096 << true;
        QTest::newRow("plain, no final newline") << false << 5000 << false;
        QTest::newRow("plain, one chunk") << false << (64 << 20) << true;
        QTest::newRow("gzip, small chunks") << true << 6000 << true;
    }
    // Every row, cell and line as readTrafficCsvText gives them for the whole text.
    void sameAsWholeRead()
    {
        QFETCH(bool, gzip);
        QFETCH(int, chunkBytes);
        QFETCH(bool, finalNewline);
        QTemporaryDir dir;
        std::string text = "\xEF\xBB\xBF" + messyTraffic(3000);
        if (!finalNewline)
            text.pop_back();
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(gzip ? writeGzip(path, text) : writeText(path, text));
        const ReadResult whole = readTrafficCsvText(text, path);
        CsvChunkReader reader(path, {}, static_cast<std::size_t>(chunkBytes));
        QCOMPARE(reader.compressed(), gzip);
        ReadResult chunk;
        std::size_t row = 0;
        std::size_t chunks = 0;
        while (reader.next(chunk)) {
            ++chunks;
            QCOMPARE(chunk.table.columnCount(), whole.table.columnCount());
            for (std::size_t r = 0; r < chunk.table.rowCount(); ++r, ++row) {
                QVERIFY(row < whole.table.rowCount());
                QCOMPARE(chunk.table.sourceLines[r], whole.table.sourceLines[row]);
                for (std::size_t c = 0; c < whole.table.columnCount(); ++c)
                    QCOMPARE(chunk.table.cellText(c, r), whole.table.cellText(c, row));
            }
        }
        QCOMPARE(row, whole.table.rowCount());
        QCOMPARE(reader.report().rows, whole.report.rows);
        QCOMPARE(reader.report().lines, whole.report.lines);
        QVERIFY(chunkBytes >= (1 << 20) ? chunks == 1 : chunks > 10);
    }

    // An unterminated quote in a late chunk: the message names the file's line, as the whole read does.
    void errorNamesFileLine()
    {
        QTemporaryDir dir;
        std::string text = messyTraffic(2000);
        text += "1,2,2024-04-25T00:00:00Z,2024-04-25T00:00:01Z,1.2.3.4,US,TCP,200,443,10.0.0.1,\"never closed\n";
        const std::string path = dir.filePath("bad.csv").toStdString();
        QVERIFY(writeText(path, text));
        std::int64_t wholeLine = -1;
        try {
            readTrafficCsvText(text, path);
        } catch (const InputError& error) {
            wholeLine = error.line();
        }
        QVERIFY(wholeLine > 2000);
        CsvChunkReader reader(path, {}, 4096);
        ReadResult chunk;
        try {
            while (reader.next(chunk)) {
            }
            QFAIL("the unterminated quote was not refused");
        } catch (const InputError& error) {
            QCOMPARE(error.line(), wholeLine);
            QCOMPARE(error.file(), path);
        }
    }

    // Lines ended by CR alone cannot be cut into chunks: refused with the file, the line and what
    // to do, not split inside a record.
    void carriageReturnsAloneAreRefused()
    {
        QTemporaryDir dir;
        std::string text = messyTraffic(300);
        std::string crOnly;
        for (char c : text)
            crOnly.push_back(c == '\n' ? '\r' : c);
        const std::string path = dir.filePath("mac.csv").toStdString();
        QVERIFY(writeText(path, crOnly));
        ReadOptions options;
        options.maxRecordBytes = 1024;
        CsvChunkReader reader(path, options, 4096);
        ReadResult chunk;
        try {
            reader.next(chunk);
            QFAIL("a file of CR line ends was cut into chunks");
        } catch (const InputError& error) {
            QCOMPARE(error.line(), std::int64_t(1));
            QVERIFY2(std::string(error.what()).find("streaming mode cuts the file at LF or CRLF line ends")
                         != std::string::npos,
                     error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestChunkReader)
#include "tst_chunkreader.moc"

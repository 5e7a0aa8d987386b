// core/stream/prefetchsource: a chunk source read ahead on a thread of its own hands out exactly
// the wrapped source's chunks, rows, lines and reports, in order; an error met reading ahead is
// thrown where the wrapped source would have thrown it, after the chunks before it; cancel and an
// early stop end the thread.
#include "core/stream/prefetchsource.h"

#include "core/stream/chunkreader.h"
#include "core/util/errors.h"
#include "streamtesting.h"

#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
// Each chunk's rows as text, with their lines: what a reader of the chunks can observe.
struct Observed {
    std::vector<std::vector<std::string>> chunks;
    std::vector<double> fractions;
    std::vector<std::uint64_t> textBytes;
    std::int64_t errorLine = -1;
    std::string error;
};

Observed observe(ChunkSource& source)
{
    Observed seen;
    ReadResult chunk;
    try {
        while (source.next(chunk)) {
            std::vector<std::string> rows;
            for (std::size_t r = 0; r < chunk.table.rowCount(); ++r) {
                std::string row = std::to_string(chunk.table.sourceLines[r]);
                for (std::size_t c = 0; c < chunk.table.columnCount(); ++c)
                    row += "|" + chunk.table.cellText(c, r);
                rows.push_back(std::move(row));
            }
            seen.chunks.push_back(std::move(rows));
            seen.fractions.push_back(source.fraction());
            seen.textBytes.push_back(source.textBytes());
        }
    } catch (const InputError& error) {
        seen.errorLine = error.line();
        seen.error = error.what();
    }
    return seen;
}
} // namespace

class TestPrefetchSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameChunksAsTheWrappedSource_data()
    {
        QTest::addColumn<int>("chunkBytes");
        QTest::newRow("many small chunks") << 4096;
        QTest::newRow("one chunk") << (64 << 20);
    }
    void sameChunksAsTheWrappedSource()
    {
        QFETCH(int, chunkBytes);
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(3000)));
        const auto size = static_cast<std::size_t>(chunkBytes);
        const std::unique_ptr<ChunkSource> plain = openChunkSource(path, {}, size);
        PrefetchingChunkSource ahead(openChunkSource(path, {}, size));
        const Observed expected = observe(*plain);
        const Observed got = observe(ahead);
        QVERIFY(!expected.chunks.empty());
        QCOMPARE(got.chunks.size(), expected.chunks.size());
        for (std::size_t i = 0; i < expected.chunks.size(); ++i)
            QVERIFY2(got.chunks[i] == expected.chunks[i], ("chunk " + std::to_string(i)).c_str());
        QCOMPARE(got.fractions, expected.fractions);
        QCOMPARE(got.textBytes, expected.textBytes);
        QCOMPARE(got.errorLine, std::int64_t(-1));
        QCOMPARE(ahead.report().rows, plain->report().rows);
        QCOMPARE(ahead.report().lines, plain->report().lines);
        QCOMPARE(ahead.report().format, plain->report().format);
        QCOMPARE(ahead.textBytes(), plain->textBytes());
        ReadResult after;
        QVERIFY(!ahead.next(after)); // stays at its end
    }

    // An unterminated quote in a late chunk: the chunks before it are handed out, then the same
    // error, naming the file's line, as the wrapped source throws.
    void errorAfterTheChunksBeforeIt()
    {
        QTemporaryDir dir;
        std::string text = messyTraffic(2000);
        text += "1,2,2024-04-25T00:00:00Z,2024-04-25T00:00:01Z,1.2.3.4,US,TCP,200,443,10.0.0.1,\"never closed\n";
        const std::string path = dir.filePath("bad.csv").toStdString();
        QVERIFY(writeText(path, text));
        const std::unique_ptr<ChunkSource> plain = openChunkSource(path, {}, 4096);
        PrefetchingChunkSource ahead(openChunkSource(path, {}, 4096));
        const Observed expected = observe(*plain);
        const Observed got = observe(ahead);
        QVERIFY(expected.errorLine > 2000);
        QVERIFY(expected.chunks.size() > 10);
        QCOMPARE(got.chunks.size(), expected.chunks.size());
        QCOMPARE(got.errorLine, expected.errorLine);
        QCOMPARE(got.error, expected.error);
    }

    // Cancel before a chunk: CancelledError, and the thread reading ahead ends with the object.
    void cancelStops()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(3000)));
        std::atomic<bool> cancel{false};
        const Progress progress({}, &cancel);
        PrefetchingChunkSource ahead(openChunkSource(path, {}, 4096));
        ReadResult chunk;
        QVERIFY(ahead.next(chunk, progress));
        QVERIFY(chunk.table.rowCount() > 0);
        cancel = true;
        QVERIFY_THROWS_EXCEPTION(CancelledError, ahead.next(chunk, progress));
    }

    // Dropped after its first chunk, while the next is being read: destroyed without waiting for
    // the rest of the file (the test would hang otherwise) and without reading past one chunk.
    void droppedEarly()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(3000)));
        std::size_t rows = 0;
        {
            PrefetchingChunkSource ahead(openChunkSource(path, {}, 4096));
            ReadResult chunk;
            QVERIFY(ahead.next(chunk));
            rows = chunk.table.rowCount();
        }
        QVERIFY(rows > 0);
    }

    // startFrom after reading has begun is a programming error, refused.
    void startFromAfterTheFirstChunkIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(300)));
        PrefetchingChunkSource ahead(openChunkSource(path, {}, 4096));
        ReadResult chunk;
        QVERIFY(ahead.next(chunk));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, ahead.startFrom({}));
    }
};

QTEST_GUILESS_MAIN(TestPrefetchSource)
#include "tst_prefetchsource.moc"

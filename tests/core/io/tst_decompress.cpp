// core/io/decompress: gzip recognised by content and read block by block, with its limits.
#include "core/io/decompress.h"
#include "core/util/errors.h"

#include "readertesting.h"

#include <QTest>

#include <zlib.h>

using namespace webthreat;
using webthreat::testing::readerOver;

namespace {
// text gzip-compressed by zlib (a gzip member with header and trailer).
std::string gzip(std::string_view text)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&stream, static_cast<uLong>(text.size())) + 32, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

std::string readAll(GzipReader& reader)
{
    std::string out;
    char buffer[100];
    while (const std::size_t got = reader.read(buffer, sizeof buffer))
        out.append(buffer, got);
    return out;
}
} // namespace

class TestDecompress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recognisesGzipByItsMagicNumber()
    {
        QVERIFY(isGzip(gzip("hello")));
        QVERIFY(isGzip("\x1f\x8b"));
        QVERIFY(!isGzip("\x1f"));
        QVERIFY(!isGzip("bytes_in,bytes_out"));
        QVERIFY(!isGzip(""));
    }

    void roundTripsInMemory()
    {
        const std::string text = "bytes_in,bytes_out\n1,2\n3,4\n";
        QCOMPARE(gunzip(gzip(text), "t.csv.gz", 1000), text);
    }

    void readsConcatenatedMembersInSmallBlocks()
    {
        std::string big;
        for (int i = 0; i < 20000; ++i)
            big += "line " + std::to_string(i) + "\n";
        const std::string bytes = gzip(big) + gzip("tail\n");
        std::size_t offset = 0;
        GzipReader reader(readerOver(bytes, offset, 7), "two.gz", 0);
        const std::string out = readAll(reader);
        QCOMPARE(out, big + "tail\n");
        QCOMPARE(reader.members(), 2);
        QCOMPARE(reader.decompressedBytes(), std::uint64_t(out.size()));
        QCOMPARE(reader.trailingBytes(), std::uint64_t(0));
    }

    void ignoresTrailingGarbage()
    {
        const std::string bytes = gzip("data\n") + "garbage";
        std::size_t offset = 0;
        GzipReader reader(readerOver(bytes, offset, 4096), "t.gz", 0);
        QCOMPARE(readAll(reader), std::string("data\n"));
        QCOMPARE(reader.trailingBytes(), std::uint64_t(7));
    }

    void stopsAtTheOutputLimit()
    {
        const std::string bomb = gzip(std::string(100000, 'a'));
        try {
            (void)gunzip(bomb, "bomb.gz", 1000);
            QFAIL("the limit was not enforced");
        } catch (const InputError& error) {
            QCOMPARE(error.file(), std::string("bomb.gz"));
        }
    }

    void refusesCorruptAndTruncatedData()
    {
        std::string bytes = gzip(std::string(5000, 'x') + "end");
        std::string corrupt = bytes;
        corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
        QVERIFY_THROWS_EXCEPTION(InputError, (void)gunzip(corrupt, "bad.gz", 0));
        QVERIFY_THROWS_EXCEPTION(InputError, (void)gunzip(bytes.substr(0, bytes.size() - 6), "short.gz", 0));
    }
};

QTEST_GUILESS_MAIN(TestDecompress)
#include "tst_decompress.moc"

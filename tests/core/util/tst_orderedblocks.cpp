// core/util/orderedblocks: blocks formatted on several threads reach the writer in block order.
#include "core/util/orderedblocks.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace webthreat;

namespace {
// Block b's text: its number and a length that varies, so a block out of place shows.
void formatBlock(std::size_t block, std::string& buffer)
{
    if (block % 7 == 3) // an uneven pace, so blocks finish out of order
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    buffer.append(std::to_string(block));
    buffer.append(block % 5, '.');
    buffer.push_back('\n');
}

std::string sequential(std::size_t blocks)
{
    std::string all;
    for (std::size_t block = 0; block < blocks; ++block)
        formatBlock(block, all);
    return all;
}
} // namespace

class TestOrderedBlocks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writesInBlockOrder_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("blocks");
        QTest::newRow("1 thread") << 1 << 500;
        QTest::newRow("2 threads") << 2 << 500;
        QTest::newRow("8 threads") << 8 << 500;
        QTest::newRow("more threads than blocks") << 8 << 3;
        QTest::newRow("no block") << 4 << 0;
    }
    void writesInBlockOrder()
    {
        QFETCH(int, threads);
        QFETCH(int, blocks);
        std::string written;
        std::size_t calls = 0;
        writeOrderedBlocks(static_cast<std::size_t>(blocks), static_cast<unsigned>(threads), formatBlock,
                           [&](std::string_view text) {
                               written.append(text);
                               ++calls;
                           });
        QCOMPARE(written, sequential(static_cast<std::size_t>(blocks)));
        QCOMPARE(calls, static_cast<std::size_t>(blocks));
    }

    // The formatters run at most twice the threads ahead of the writer, whatever the number of blocks.
    void boundsTheBlocksInFlight()
    {
        std::atomic<std::size_t> formatted{0};
        std::size_t written = 0;
        std::size_t mostAhead = 0;
        writeOrderedBlocks(
            200, 4,
            [&](std::size_t block, std::string& buffer) {
                formatBlock(block, buffer);
                ++formatted;
            },
            [&](std::string_view) {
                std::this_thread::sleep_for(std::chrono::microseconds(100)); // a slow disk
                ++written;
                mostAhead = std::max(mostAhead, formatted.load() - written);
            });
        QCOMPARE(written, std::size_t(200));
        QVERIFY2(mostAhead <= 8, qPrintable(QString::number(mostAhead)));
    }

    void aFormatErrorStopsTheWriting()
    {
        for (unsigned threads : {1u, 2u, 8u}) {
            std::size_t written = 0;
            try {
                writeOrderedBlocks(
                    1000, threads,
                    [](std::size_t block, std::string& buffer) {
                        if (block == 50)
                            throw std::runtime_error("block 50 failed");
                        formatBlock(block, buffer);
                    },
                    [&](std::string_view) { ++written; });
                QFAIL("the error was lost");
            } catch (const std::runtime_error& error) {
                QCOMPARE(std::string(error.what()), std::string("block 50 failed"));
            }
            QVERIFY(written <= 50); // never block 50 nor any after it
        }
    }

    // A failing write (a full disk, a cancel polled by the writer) stops the formatters too.
    void aWriteErrorStopsTheFormatting()
    {
        for (unsigned threads : {1u, 2u, 8u}) {
            std::atomic<std::size_t> formatted{0};
            try {
                writeOrderedBlocks(
                    100000, threads,
                    [&](std::size_t block, std::string& buffer) {
                        formatBlock(block, buffer);
                        ++formatted;
                    },
                    [](std::string_view text) {
                        if (text == "10\n")
                            throw std::runtime_error("disk full");
                    });
                QFAIL("the error was lost");
            } catch (const std::runtime_error& error) {
                QCOMPARE(std::string(error.what()), std::string("disk full"));
            }
            QVERIFY(formatted.load() <= 11 + 2 * threads);
        }
    }
};

QTEST_GUILESS_MAIN(TestOrderedBlocks)
#include "tst_orderedblocks.moc"

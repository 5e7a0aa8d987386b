// core/stream/duplicatefinder: the duplicates found are those of a plain set over every row,
// whether the set stayed in memory, spilled to partitions, or spilled to partitions that had to be
// split again; a scratch folder that cannot be made or written fails with its path and leaves
// nothing behind, and so does a cancel while the partitions are resolved.
#include "core/stream/duplicatefinder.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <fstream>
#include <csignal>
#include <random>
#include <sys/resource.h>
#include <unordered_set>

using namespace webthreat;

namespace {
// Rows with a fixed share of copies of earlier rows, some near, some far back.
std::vector<std::uint64_t> hashesWithCopies(std::size_t rows, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::vector<std::uint64_t> hashes;
    hashes.reserve(rows);
    for (std::size_t row = 0; row < rows; ++row) {
        const std::uint64_t pick = random() % 10;
        if (row > 0 && pick < 2)
            hashes.push_back(hashes[random() % row]); // anywhere before
        else if (row > 0 && pick == 2)
            hashes.push_back(hashes[row - 1 - random() % std::min<std::size_t>(row, 5)]); // just before
        else
            hashes.push_back(random());
    }
    hashes[rows / 2] = 0; // a hash of 0 is stored as 1: 0 and 1 are one hash
    hashes[rows / 2 + 7] = 1;
    return hashes;
}

std::vector<std::uint64_t> expectedBits(const std::vector<std::uint64_t>& hashes)
{
    std::vector<std::uint64_t> bits((hashes.size() + 63) / 64, 0);
    std::unordered_set<std::uint64_t> seen;
    for (std::size_t row = 0; row < hashes.size(); ++row) {
        if (!seen.insert(hashes[row] == 0 ? 1 : hashes[row]).second)
            bits[row / 64] |= std::uint64_t(1) << (row % 64);
    }
    return bits;
}

std::size_t countBits(const std::vector<std::uint64_t>& bits)
{
    std::size_t count = 0;
    for (std::uint64_t word : bits)
        count += static_cast<std::size_t>(__builtin_popcountll(word));
    return count;
}

// Adds the rows in chunks and resolves; returns the bits.
std::vector<std::uint64_t> findAll(DuplicateFinder& finder, const std::vector<std::uint64_t>& hashes, std::size_t chunk,
                                   std::size_t& found, const Progress& progress = {})
{
    std::vector<std::uint64_t> bits((hashes.size() + 63) / 64, 0);
    found = 0;
    for (std::size_t first = 0; first < hashes.size(); first += chunk) {
        const std::vector<std::uint64_t> part(hashes.begin() + static_cast<std::ptrdiff_t>(first),
                                              hashes.begin() + static_cast<std::ptrdiff_t>(std::min(first + chunk, hashes.size())));
        found += finder.add(part, first, bits, progress);
    }
    found += finder.resolve(bits, progress);
    return bits;
}

bool isEmptyFolder(const QString& path)
{
    return QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty();
}
} // namespace

class TestDuplicateFinder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameAsOneSet_data()
    {
        QTest::addColumn<qulonglong>("setBytes");
        QTest::addColumn<qulonglong>("expectedRows");
        QTest::addColumn<bool>("spills");
        QTest::addColumn<int>("partitions");
        QTest::newRow("in memory") << qulonglong(64) << qulonglong(200000) << false << 0;
        QTest::newRow("spilled, partitions sized from the expected rows") << qulonglong(64 << 10) << qulonglong(200000)
                                                                          << true << 128;
        QTest::newRow("spilled, rows underestimated: partitions split again") << qulonglong(64 << 10) << qulonglong(0)
                                                                              << true << 4;
        QTest::newRow("spilled at the first row") << qulonglong(4096) << qulonglong(0) << true << 4;
    }
    void sameAsOneSet()
    {
        QFETCH(qulonglong, setBytes);
        QFETCH(qulonglong, expectedRows);
        QFETCH(bool, spills);
        QFETCH(int, partitions);
        if (!spills)
            setBytes <<= 20; // MiB
        QTemporaryDir scratch;
        const std::vector<std::uint64_t> hashes = hashesWithCopies(200000, 11);
        DuplicateFinder finder({static_cast<std::size_t>(setBytes), scratch.path().toStdString(), 0});
        finder.setExpectedRows(expectedRows);
        std::size_t found = 0;
        const std::vector<std::uint64_t> bits = findAll(finder, hashes, 7000, found);
        const std::vector<std::uint64_t> expected = expectedBits(hashes);
        QVERIFY(countBits(expected) > 50000);
        QCOMPARE(found, countBits(expected));
        QVERIFY(bits == expected);
        QCOMPARE(finder.spilled(), spills);
        QCOMPARE(finder.partitions(), std::size_t(partitions));
        if (spills) {
            QVERIFY(finder.spilledBytes() >= 16 * (hashes.size() - finder.rowsAtSpill()));
            // Split again: every entry written twice, or more.
            QCOMPARE(finder.spilledBytes() >= 16 * 2 * (hashes.size() - finder.rowsAtSpill()), expectedRows == 0);
            QVERIFY(QString::fromStdString(finder.scratchPath()).startsWith(scratch.path()));
        }
        QVERIFY(isEmptyFolder(scratch.path())); // the private folder is gone once resolved
    }

    // Every row the same: one distinct hash, whatever the split.
    void oneRowRepeated()
    {
        QTemporaryDir scratch;
        const std::vector<std::uint64_t> hashes(100000, 0x1234567890ABCDEFull);
        DuplicateFinder finder({4096, scratch.path().toStdString(), 0});
        std::size_t found = 0;
        const std::vector<std::uint64_t> bits = findAll(finder, hashes, 4096, found);
        QCOMPARE(found, hashes.size() - 1);
        QVERIFY(bits == expectedBits(hashes));
        QVERIFY(isEmptyFolder(scratch.path()));
    }

    // A scratch "folder" that is a file (a folder that cannot be written, even by root).
    void unwritableScratch()
    {
        QTemporaryDir parent;
        const std::string notAFolder = parent.filePath("not-a-folder").toStdString();
        {
            std::ofstream file(notAFolder);
            file << "x";
        }
        const std::vector<std::uint64_t> hashes = hashesWithCopies(20000, 3);
        DuplicateFinder finder({4096, notAFolder, 0});
        std::vector<std::uint64_t> bits((hashes.size() + 63) / 64, 0);
        try {
            finder.add(hashes, 0, bits, {});
            QFAIL("a scratch folder that cannot be made was accepted");
        } catch (const OutputError& error) {
            QVERIFY2(std::string(error.what()).find(notAFolder) != std::string::npos, error.what());
        }
        QCOMPARE(QDir(parent.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList{"not-a-folder"});
    }

    // A full disk, as a file size limit: the error names the file; the folder goes with the finder.
    void fullScratch()
    {
        QTemporaryDir scratch;
        const std::vector<std::uint64_t> hashes = hashesWithCopies(100000, 5);
        rlimit before{};
        QVERIFY(::getrlimit(RLIMIT_FSIZE, &before) == 0);
        const auto previous = std::signal(SIGXFSZ, SIG_IGN); // write fails with EFBIG instead of a signal
        rlimit limited = before;
        limited.rlim_cur = 16384; // bytes per file
        QVERIFY(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
        std::string message;
        {
            DuplicateFinder finder({4096, scratch.path().toStdString(), 0});
            try {
                std::size_t found = 0;
                findAll(finder, hashes, 10000, found);
            } catch (const OutputError& error) {
                message = error.what();
            }
        }
        ::setrlimit(RLIMIT_FSIZE, &before);
        std::signal(SIGXFSZ, previous);
        QVERIFY2(message.find(scratch.path().toStdString() + "/webthreat-duplicates-") != std::string::npos, message.c_str());
        QVERIFY2(message.find("part-") != std::string::npos, message.c_str());
        QVERIFY(isEmptyFolder(scratch.path()));
    }

    // Cancel while the partitions are resolved: answered within a block of entries, nothing left.
    void cancelWhileResolving()
    {
        QTemporaryDir scratch;
        const std::vector<std::uint64_t> hashes = hashesWithCopies(400000, 9);
        std::atomic<bool> cancel{false};
        int reports = 0;
        const Progress progress(
            [&](std::string_view stage, double) {
                if (stage == "duplicates" && ++reports == 2)
                    cancel = true;
            },
            &cancel);
        bool cancelled = false;
        {
            DuplicateFinder finder({64 << 10, scratch.path().toStdString(), 0});
            try {
                std::size_t found = 0;
                findAll(finder, hashes, 50000, found, progress);
            } catch (const CancelledError&) {
                cancelled = true;
            }
            QVERIFY(finder.spilled());
        }
        QVERIFY(cancelled);
        QCOMPARE(reports, 2);
        QVERIFY(isEmptyFolder(scratch.path()));
    }
};

QTEST_GUILESS_MAIN(TestDuplicateFinder)
#include "tst_duplicatefinder.moc"

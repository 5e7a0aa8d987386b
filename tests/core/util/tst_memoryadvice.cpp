// core/util/memoryadvice: huge-page advice is given for the whole 2 MiB pages inside the range and
// nothing else. Read back from the kernel: /proc/self/smaps marks an advised mapping "hg" in its
// VmFlags, and madvise splits a mapping at the advised range's ends, so the advised part shows as
// its own mapping with exactly the page-aligned bounds.
#include "core/util/memoryadvice.h"

#include <QFile>
#include <QTest>

#include <cstdint>
#include <utility>
#include <vector>

#include <sys/mman.h>

using namespace webthreat;

namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;

struct Mapping {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    bool hugePages = false;
};

// The mappings of this process that overlap [begin, end), from /proc/self/smaps.
std::vector<Mapping> mappingsIn(std::uintptr_t begin, std::uintptr_t end)
{
    std::vector<Mapping> found;
    QFile smaps(QStringLiteral("/proc/self/smaps"));
    if (!smaps.open(QIODevice::ReadOnly | QIODevice::Text))
        return found;
    Mapping* current = nullptr;
    for (const QByteArray& line : smaps.readAll().split('\n')) {
        // A mapping's line starts "begin-end perms ..."; its details follow as "Key: value" lines.
        const int dash = line.indexOf('-');
        const int space = line.indexOf(' ');
        if (dash > 0 && space > dash && line.at(space - 1) != ':') {
            bool ok1 = false;
            bool ok2 = false;
            const auto first = static_cast<std::uintptr_t>(line.left(dash).toULongLong(&ok1, 16));
            const auto last = static_cast<std::uintptr_t>(line.mid(dash + 1, space - dash - 1).toULongLong(&ok2, 16));
            current = nullptr;
            if (ok1 && ok2 && first < end && last > begin) {
                found.push_back({first, last, false});
                current = &found.back();
            }
        } else if (current && line.startsWith("VmFlags:")) {
            current->hugePages = line.split(' ').contains("hg");
        }
    }
    return found;
}

// The advised parts of [begin, end) as (begin, end) offsets from begin.
std::vector<std::pair<std::uintptr_t, std::uintptr_t>> advised(std::uintptr_t begin, std::uintptr_t end)
{
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> parts;
    for (const Mapping& mapping : mappingsIn(begin, end)) {
        if (mapping.hugePages)
            parts.emplace_back(std::max(mapping.begin, begin) - begin, std::min(mapping.end, end) - begin);
    }
    return parts;
}

using Parts = std::vector<std::pair<std::uintptr_t, std::uintptr_t>>;

} // namespace

class TestMemoryAdvice : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        if (!QFile::exists(QStringLiteral("/sys/kernel/mm/transparent_hugepage/enabled")))
            QSKIP("this kernel has no transparent huge pages: the advice is a no-op");
        if (!QFile(QStringLiteral("/proc/self/smaps")).open(QIODevice::ReadOnly))
            QSKIP("no /proc/self/smaps to read the advice back from");
        // 16 MiB reserved, a 2 MiB-aligned 12 MiB window used: the mapping's bounds are then known.
        m_reserved = mmap(nullptr, 16u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        QVERIFY(m_reserved != MAP_FAILED);
        m_base = (reinterpret_cast<std::uintptr_t>(m_reserved) + kHugePage - 1) & ~(kHugePage - 1);
        QVERIFY(advised(m_base, m_base + 12 * kHugePage / 2).empty());
    }

    void cleanup()
    {
        if (m_reserved && m_reserved != MAP_FAILED)
            munmap(m_reserved, 16u << 20);
        m_reserved = nullptr;
    }

    // Only whole aligned huge pages inside the range are advised: the start is rounded up and
    // the end down to 2 MiB.
    void wholeHugePagesOnly_data()
    {
        QTest::addColumn<qulonglong>("offset");
        QTest::addColumn<qulonglong>("bytes");
        QTest::addColumn<qulonglong>("advisedBegin");
        QTest::addColumn<qulonglong>("advisedEnd");
        const qulonglong page = kHugePage;
        QTest::newRow("aligned, two pages") << 0ull << 2 * page << 0ull << 2 * page;
        QTest::newRow("one byte short of two pages") << 0ull << 2 * page - 1 << 0ull << page;
        QTest::newRow("starts one byte in") << 1ull << 3 * page << page << 3 * page;
        QTest::newRow("a page in the middle") << page / 2 << 2 * page << page << 2 * page;
        QTest::newRow("one byte over three pages") << 0ull << 3 * page + 1 << 0ull << 3 * page;
    }

    void wholeHugePagesOnly()
    {
        QFETCH(qulonglong, offset);
        QFETCH(qulonglong, bytes);
        QFETCH(qulonglong, advisedBegin);
        QFETCH(qulonglong, advisedEnd);
        adviseHugePages(reinterpret_cast<void*>(m_base + offset), bytes);
        QCOMPARE(advised(m_base, m_base + 6 * kHugePage), (Parts{{advisedBegin, advisedEnd}}));
    }

    // A range that holds no whole aligned huge page gets no advice at all.
    void tooSmallGetsNothing_data()
    {
        QTest::addColumn<qulonglong>("offset");
        QTest::addColumn<qulonglong>("bytes");
        const qulonglong page = kHugePage;
        QTest::newRow("one byte short of a page") << 0ull << page - 1;
        QTest::newRow("a page's worth, not aligned") << 1ull << page;
        QTest::newRow("across a boundary") << page / 2 << page;
        QTest::newRow("nothing") << page << 0ull;
    }

    void tooSmallGetsNothing()
    {
        QFETCH(qulonglong, offset);
        QFETCH(qulonglong, bytes);
        adviseHugePages(reinterpret_cast<void*>(m_base + offset), bytes);
        QVERIFY(advised(m_base, m_base + 6 * kHugePage).empty());
    }

    void nullIsIgnored()
    {
        adviseHugePages(nullptr, 8 * kHugePage);
        QVERIFY(advised(m_base, m_base + 6 * kHugePage).empty());
    }

private:
    void* m_reserved = nullptr;
    std::uintptr_t m_base = 0;
};

QTEST_GUILESS_MAIN(TestMemoryAdvice)
#include "tst_memoryadvice.moc"

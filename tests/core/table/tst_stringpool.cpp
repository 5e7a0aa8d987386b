// core/table/stringpool: every distinct text stored once, identified by a dense id.
#include "core/table/stringpool.h"

#include <QTest>

#include <string>
#include <vector>

using namespace webthreat;

class TestStringPool : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theEmptyTextIsMissing()
    {
        StringPool pool;
        QCOMPARE(pool.size(), std::size_t(1));
        QCOMPARE(pool.intern(""), StringPool::kMissing);
        QCOMPARE(pool.view(StringPool::kMissing), std::string_view(""));
        QCOMPARE(pool.find(""), StringPool::kMissing);
    }

    void internsEachTextOnce()
    {
        StringPool pool;
        const std::uint32_t us = pool.intern("US");
        const std::uint32_t de = pool.intern("DE");
        QCOMPARE(us, 1u);
        QCOMPARE(de, 2u);
        QCOMPARE(pool.intern("US"), us);
        QCOMPARE(pool.intern(std::string("D") + "E"), de);
        QCOMPARE(pool.size(), std::size_t(3));
        QCOMPARE(pool.view(us), std::string_view("US"));
        QCOMPARE(pool.view(de), std::string_view("DE"));
        QCOMPARE(pool.find("DE"), de);
        QCOMPARE(pool.find("FR"), StringPool::kMissing);
        QCOMPARE(pool.size(), std::size_t(3)); // find adds nothing
    }

    void viewsStayValidAsThePoolGrows()
    {
        StringPool pool;
        const std::uint32_t first = pool.intern("first value");
        const std::string_view view = pool.view(first);
        for (int i = 0; i < 100000; ++i)
            pool.intern("value " + std::to_string(i));
        QCOMPARE(pool.size(), std::size_t(100002));
        QCOMPARE(view, std::string_view("first value"));
        QCOMPARE(pool.view(first).data(), view.data());
        QCOMPARE(pool.find("value 99999"), std::uint32_t(100001));
        const std::string longText(100000, 'x'); // longer than a storage block
        QCOMPARE(pool.view(pool.intern(longText)), std::string_view(longText));
    }

    // Entries pack a block, an offset and a length in 8 bytes: texts at and past the length
    // field's reach (2^19 - 1 bytes), past a block's size, and a block's last bytes read back whole.
    void longTextsAndBlockEndsReadBackWhole()
    {
        StringPool pool;
        std::vector<std::pair<std::uint32_t, std::string>> stored;
        const std::size_t lengths[] = {1, 7, 64 * 1024, 64 * 1024 + 1, 256 * 1024, (1u << 19) - 2, (1u << 19) - 1,
                                       1u << 19, 3u << 20};
        for (std::size_t length : lengths) {
            std::string text(length, 'a');
            text.front() = 'b';
            text.back() = static_cast<char>('c' + length % 20);
            stored.emplace_back(pool.intern(text), text);
        }
        for (int i = 0; i < 60000; ++i) { // about 1 MB of short texts: several blocks filled to their ends
            const std::string text = "short text number " + std::to_string(i);
            stored.emplace_back(pool.intern(text), text);
        }
        for (const auto& [id, text] : stored) {
            QCOMPARE(pool.view(id).size(), text.size());
            QVERIFY(pool.view(id) == std::string_view(text));
            QCOMPARE(pool.find(text), id);
        }
        QCOMPARE(pool.view(StringPool::kMissing), std::string_view(""));
        QVERIFY(pool.memoryBytes() > (3u << 20));
    }

    void internsManyAtOnceLikeOneByOne()
    {
        StringPool pool;
        pool.intern("b");
        const std::vector<std::string_view> texts{"a", "b", "", "a", "c"};
        std::vector<std::uint32_t> ids(texts.size());
        pool.internAll(texts.data(), texts.size(), ids.data());
        QCOMPARE(ids, (std::vector<std::uint32_t>{2, 1, StringPool::kMissing, 2, 3}));
    }

    void hashesTellShortTextsApart()
    {
        QVERIFY(StringPool::hash("abc") != StringPool::hash("acb"));
        QVERIFY(StringPool::hash("abcdefgh") != StringPool::hash("abcdefgi"));
        QVERIFY(StringPool::hash("") != StringPool::hash(std::string_view("\0", 1)));
        QCOMPARE(StringPool::hash("10.0.0.1"), StringPool::hash(std::string("10.0.0.") + "1"));
    }

    void movesKeepTheStrings()
    {
        StringPool pool;
        const std::uint32_t id = pool.intern("kept");
        StringPool moved(std::move(pool));
        QCOMPARE(moved.view(id), std::string_view("kept"));
        QCOMPARE(moved.find("kept"), id);
        QVERIFY(moved.memoryBytes() > 0);
    }
};

QTEST_GUILESS_MAIN(TestStringPool)
#include "tst_stringpool.moc"

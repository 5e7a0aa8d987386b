#include "core/table/sortorder.h"

#include <QTest>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

using namespace webthreat;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::uint32_t> comparisonOrder(const std::vector<double>& keys, bool descending)
{
    std::vector<std::uint32_t> rows(keys.size());
    std::iota(rows.begin(), rows.end(), 0u);
    std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
        return descending ? keys[a] > keys[b] : keys[a] < keys[b];
    });
    return rows;
}

} // namespace

class TestSortOrder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handMadeKeys()
    {
        // Ties (5, 5, 5), a missing value sorted as infinity, -0 beside 0, negatives.
        const std::vector<double> keys{5.0, -1.5, kInf, 0.0, 5.0, -0.0, 300.0, 5.0, -1e9};
        QCOMPARE(stableSortOrder(keys, false), (std::vector<std::uint32_t>{8, 1, 3, 5, 0, 4, 7, 6, 2}));
        // Descending: infinity (missing) first, ties still in row order, -0 and 0 in row order.
        QCOMPARE(stableSortOrder(keys, true), (std::vector<std::uint32_t>{2, 6, 0, 4, 7, 3, 5, 1, 8}));
    }

    void nanGoesLast()
    {
        const std::vector<double> keys{2.0, std::numeric_limits<double>::quiet_NaN(), 1.0, kInf};
        QCOMPARE(stableSortOrder(keys, false), (std::vector<std::uint32_t>{2, 0, 3, 1}));
        QCOMPARE(stableSortOrder(keys, true), (std::vector<std::uint32_t>{3, 0, 2, 1}));
    }

    void emptyAndSingle()
    {
        QVERIFY(stableSortOrder({}, false).empty());
        QCOMPARE(stableSortOrder(std::vector<double>{7.0}, true), std::vector<std::uint32_t>{0});
    }

    void matchesAStableComparisonSort_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("scores in [-1, 0)") << 0;
        QTest::newRow("few distinct integers") << 1;
        QTest::newRow("timestamps in milliseconds") << 2;
        QTest::newRow("heavy-tailed bytes with missing") << 3;
    }

    void matchesAStableComparisonSort()
    {
        QFETCH(int, kind);
        std::mt19937_64 random(7);
        std::vector<double> keys(20000);
        for (double& key : keys) {
            switch (kind) {
            case 0:
                key = -std::uniform_real_distribution<double>(0.3, 0.8)(random);
                break;
            case 1:
                key = static_cast<double>(random() % 7);
                break;
            case 2:
                key = 1.7e12 + static_cast<double>(random() % 86400000);
                break;
            default:
                key = random() % 50 == 0 ? kInf
                                         : std::floor(std::exp(std::uniform_real_distribution<double>(0, 20)(random)));
            }
        }
        for (const bool descending : {false, true})
            QCOMPARE(stableSortOrder(keys, descending), comparisonOrder(keys, descending));
    }
};

QTEST_APPLESS_MAIN(TestSortOrder)
#include "tst_sortorder.moc"

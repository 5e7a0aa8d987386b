// core/util/memorybudget: the one rule of 0.7 bytes of memory per byte of text, plus two blocks.
#include "core/util/errors.h"
#include "core/util/memorybudget.h"

#include <QTest>

using namespace webthreat;

class TestMemoryBudget : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void needsSevenTenthsOfTheTextPlusTwoBlocks()
    {
        const MemoryBudget budget(0, 1000);
        QCOMPARE(budget.neededFor(0), std::uint64_t(2000));
        QCOMPARE(budget.neededFor(10000), std::uint64_t(7000 + 2000));
        QCOMPARE(budget.neededFor(15), std::uint64_t(7 + 2000)); // whole tenths
    }

    void largestTextIsTheInverse()
    {
        const MemoryBudget budget(0, 1000);
        QCOMPARE(budget.largestTextFor(9000), std::uint64_t(10000));
        QVERIFY(budget.neededFor(budget.largestTextFor(9000)) <= 9000);
        QCOMPARE(budget.largestTextFor(2000), std::uint64_t(1)); // nothing left after the blocks
        QCOMPARE(budget.largestTextFor(100), std::uint64_t(1));
    }

    void aSetBudgetIsWhatIsAvailable() { QCOMPARE(MemoryBudget(12345, 64).available(), std::uint64_t(12345)); }

    void refusesTextThatDoesNotFit()
    {
        const MemoryBudget budget(std::uint64_t(1) << 30, 1u << 20);
        budget.refuseIfTooLarge("small.csv", std::uint64_t(1) << 30); // 0.7 GiB + 2 MiB fits
        try {
            budget.refuseIfTooLarge("big.csv", std::uint64_t(2) << 30);
            QFAIL("a file needing 1.4 GiB of a 1 GiB budget was accepted");
        } catch (const InputError& error) {
            QCOMPARE(error.file(), std::string("big.csv"));
            QCOMPARE(error.problem(),
                     std::string("the file is 2.0 GiB; analysing it needs about 1.4 GiB of memory and "
                                 "only 1.0 GiB is available"));
        }
    }

    void theMachineReportsSomeMemory()
    {
#if defined(__linux__)
        QVERIFY(availableMemoryBytes() > 0);
#endif
    }
};

QTEST_GUILESS_MAIN(TestMemoryBudget)
#include "tst_memorybudget.moc"

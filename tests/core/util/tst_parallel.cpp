// core/util/parallel: parallelFor runs every task once, on the threads asked for, and rethrows.
#include "core/util/parallel.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace webthreat;

class TestParallel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void resolvesThreads()
    {
        QCOMPARE(resolveThreads(3), 3u);
        QCOMPARE(resolveThreads(1), 1u);
        QVERIFY(resolveThreads(0) >= 1u);
        QCOMPARE(resolveThreads(-1), resolveThreads(0));
    }

    void runsEveryTaskOnce()
    {
        for (unsigned threads : {1u, 2u, 4u, 16u}) {
            std::vector<std::atomic<int>> runs(1000);
            parallelFor(runs.size(), threads, [&](std::size_t task) { runs[task].fetch_add(1); });
            for (const auto& count : runs)
                QCOMPARE(count.load(), 1);
        }
        bool ran = false;
        parallelFor(0, 4, [&](std::size_t) { ran = true; });
        QVERIFY(!ran);
    }

    void oneThreadRunsInOrderOnTheCaller()
    {
        std::vector<std::size_t> order;
        std::set<std::thread::id> threads;
        parallelFor(5, 1, [&](std::size_t task) {
            order.push_back(task);
            threads.insert(std::this_thread::get_id());
        });
        QCOMPARE(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
        QCOMPARE(threads.size(), std::size_t(1));
    }

    void rethrowsTheFirstFailureAndStops()
    {
        // Every other task takes a millisecond, so running all 1000 would take half a second on two
        // threads; the failure of task 3 is recorded within microseconds. (With tasks that cost
        // nothing, the other thread could finish all of them while the exception was still being
        // thrown: a race the test must not depend on.)
        std::atomic<int> ran{0};
        try {
            parallelFor(1000, 2, [&](std::size_t task) {
                ran.fetch_add(1);
                if (task == 3)
                    throw std::runtime_error("task 3 failed");
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            });
            QFAIL("the failure was not rethrown");
        } catch (const std::runtime_error& error) {
            QCOMPARE(std::string(error.what()), std::string("task 3 failed"));
        }
        QVERIFY2(ran.load() < 1000, "the tasks after the failure were not skipped");
    }
};

QTEST_GUILESS_MAIN(TestParallel)
#include "tst_parallel.moc"

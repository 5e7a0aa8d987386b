// core/util/log: one named logger per layer, made once however many threads ask, that writes
// warnings and errors (not information) until app/ configures it, and that keeps what app/ set.
#include "core/util/log.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace webthreat;

class TestLog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneLoggerPerName()
    {
        const auto core = logger::core();
        QVERIFY(core);
        QCOMPARE(core->name(), std::string("core"));
        QCOMPARE(logger::get("core"), core);
        QCOMPARE(spdlog::get("core"), core);
        const auto ui = logger::get("test-ui");
        QCOMPARE(ui->name(), std::string("test-ui"));
        QVERIFY(ui != core);
        QCOMPARE(logger::get("test-ui"), ui);
    }

    // Unconfigured (tests, other programs using core): warnings and errors only.
    void defaultLevelIsWarn()
    {
        const auto created = logger::get("test-default");
        QCOMPARE(created->level(), spdlog::level::warn);
        QVERIFY(created->should_log(spdlog::level::err));
        QVERIFY(created->should_log(spdlog::level::warn));
        QVERIFY(!created->should_log(spdlog::level::info));
        QVERIFY(!created->should_log(spdlog::level::debug));
        QCOMPARE(created->sinks().size(), std::size_t(1));
    }

    // A logger app/ registered first, with its own sinks and level, is the one handed out.
    void keepsWhatTheAppConfigured()
    {
        auto configured = std::make_shared<spdlog::logger>("test-app");
        configured->set_level(spdlog::level::debug);
        spdlog::register_logger(configured);
        QCOMPARE(logger::get("test-app"), configured);
        QCOMPARE(logger::get("test-app")->level(), spdlog::level::debug);
        QVERIFY(logger::get("test-app")->sinks().empty());
    }

    // Many threads asking for a new name at once get one logger (spdlog refuses a second
    // registration of a name, so a race would throw).
    void madeOnceAcrossThreads()
    {
        std::vector<std::shared_ptr<spdlog::logger>> got(8);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < got.size(); ++t)
            threads.emplace_back([&got, t] { got[t] = logger::get("test-threads"); });
        for (std::thread& thread : threads)
            thread.join();
        for (const auto& logger : got)
            QCOMPARE(logger, got.front());
        QVERIFY(got.front());
    }
};

QTEST_GUILESS_MAIN(TestLog)
#include "tst_log.moc"

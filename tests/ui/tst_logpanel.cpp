// The Log panel: messages from any thread reach it through the LogRelay, in order, as plain text,
// with their level; the panel stays bounded; the window shows what a load did.
#include "tests/ui/widgetlookup.h"
#include "ui/logpanel.h"
#include "ui/logrelay.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <thread>

using namespace webthreat;

namespace {

std::shared_ptr<spdlog::logger> makeLogger(const std::string& name)
{
    auto logger = std::make_shared<spdlog::logger>(name);
    logger->set_level(spdlog::level::warn);
    return logger;
}

QStringList lines(const LogPanel& panel)
{
    return panel.textView()->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestLogPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void withoutRelaySaysSo()
    {
        LogPanel panel;
        QVERIFY(panel.textView()->placeholderText().contains(QStringLiteral("not connected")));
        QVERIFY(panel.textView()->isReadOnly());
        MainWindow window;
        QVERIFY(test::byName<LogPanel>(window, "logPanel")
                    ->textView()
                    ->placeholderText()
                    .contains(QStringLiteral("not connected")));
    }

    void linesFromWorkerAndGuiThreadsArriveInOrder()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        attachLogRelay(&relay, *logger);
        LogPanel panel;
        panel.setRelay(&relay);

        logger->info("first, from the GUI thread");
        std::thread worker([logger] {
            logger->warn("second, from a worker: {} rows skipped", 3);
            logger->debug("not shown: the relay passes info and above");
            logger->info("third, from the worker");
        });
        worker.join();
        logger->error("fourth, from the GUI thread");

        QTRY_COMPARE(lines(panel).size(), 4);
        const QStringList shown = lines(panel);
        QVERIFY2(shown[0].contains(QStringLiteral(" INFO  [test] first, from the GUI thread")), qPrintable(shown[0]));
        QVERIFY2(shown[1].contains(QStringLiteral(" WARN  [test] second, from a worker: 3 rows skipped")),
                 qPrintable(shown[1]));
        QVERIFY2(shown[2].contains(QStringLiteral(" INFO  [test] third, from the worker")), qPrintable(shown[2]));
        QVERIFY2(shown[3].contains(QStringLiteral(" ERROR [test] fourth, from the GUI thread")), qPrintable(shown[3]));
        // A time of day leads every line.
        QVERIFY(QTime::fromString(shown[0].left(12), QStringLiteral("HH:mm:ss.zzz")).isValid());

        // Warnings and errors look different from information.
        const QTextDocument* document = panel.textView()->document();
        const QColor info = document->findBlockByNumber(0).begin().fragment().charFormat().foreground().color();
        const QColor warning = document->findBlockByNumber(1).begin().fragment().charFormat().foreground().color();
        const QTextCharFormat error = document->findBlockByNumber(3).begin().fragment().charFormat();
        QVERIFY(warning != info);
        QVERIFY(error.foreground().color() != info);
        QCOMPARE(error.fontWeight(), int(QFont::Bold));
    }

    void htmlInMessagesStaysText()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        attachLogRelay(&relay, *logger);
        LogPanel panel;
        panel.setRelay(&relay);
        logger->warn("cannot read <b>x</b> &amp; <img src=\"http://example.com/a.png\">");
        QTRY_COMPARE(lines(panel).size(), 1);
        const QString text = panel.textView()->toPlainText();
        QVERIFY(text.contains(QStringLiteral("<b>x</b> &amp; <img src=\"http://example.com/a.png\">")));
    }

    void lineCountIsCapped()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        attachLogRelay(&relay, *logger);
        LogPanel panel;
        panel.setRelay(&relay);
        const int total = LogPanel::kMaxLines + 250;
        std::thread worker([logger, total] {
            for (int i = 0; i < total; ++i)
                logger->info("line {}", i);
        });
        worker.join();
        QTRY_VERIFY(panel.textView()->toPlainText().endsWith(QStringLiteral("line %1").arg(total - 1)));
        QCOMPARE(panel.textView()->blockCount(), LogPanel::kMaxLines);
        QVERIFY(lines(panel).first().endsWith(QStringLiteral("line 250")));
    }

    void levelFilterHidesAndShowsAgain()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        attachLogRelay(&relay, *logger);
        LogPanel panel;
        panel.setRelay(&relay);
        logger->info("an information");
        logger->warn("a warning");
        QTRY_COMPARE(lines(panel).size(), 2);
        // The logger was at warn: debug stays out of the relay, so the panel does not offer it.
        QCOMPARE(panel.levelFilter()->findData(int(spdlog::level::debug)), -1);

        panel.levelFilter()->setCurrentIndex(panel.levelFilter()->findData(int(spdlog::level::warn)));
        QCOMPARE(panel.minimumLevel(), spdlog::level::warn);
        QCOMPARE(lines(panel).size(), 1);
        QVERIFY(lines(panel).first().contains(QStringLiteral("a warning")));
        logger->info("another information, hidden");
        logger->error("an error");
        QTRY_COMPARE(lines(panel).size(), 2);

        panel.setMinimumLevel(spdlog::level::info);
        QCOMPARE(lines(panel).size(), 4);

        panel.clear();
        QCOMPARE(panel.textView()->toPlainText(), QString());
    }

    void debugOfferedWhenTheLoggerPassesIt()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        logger->set_level(spdlog::level::debug);
        attachLogRelay(&relay, *logger);
        LogPanel panel;
        panel.setRelay(&relay);
        QVERIFY(panel.levelFilter()->findData(int(spdlog::level::debug)) >= 0);
        logger->debug("a detail");
        logger->info("an information");
        QTRY_COMPARE(lines(panel).size(), 1);
        panel.setMinimumLevel(spdlog::level::debug);
        QCOMPARE(lines(panel).size(), 2);
        QVERIFY(lines(panel).first().contains(QStringLiteral(" DEBUG [test] a detail")));
    }

    void earlierMessagesShownOnceWhenAttachedLater()
    {
        LogRelay relay;
        auto logger = makeLogger("test");
        attachLogRelay(&relay, *logger);
        logger->info("before the window");
        LogPanel panel;
        panel.setRelay(&relay);
        logger->info("after the window");
        QTRY_COMPARE(lines(panel).size(), 2);
        // The first message was queued to nobody and is in the history; nothing is doubled.
        QCoreApplication::processEvents();
        QCOMPARE(lines(panel).size(), 2);
        QVERIFY(lines(panel).at(0).endsWith(QStringLiteral("before the window")));
        QVERIFY(lines(panel).at(1).endsWith(QStringLiteral("after the window")));
    }

    void otherSinksKeepTheirLevel()
    {
        std::ostringstream console;
        auto logger = makeLogger("test");
        logger->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(console));
        LogRelay relay;
        attachLogRelay(&relay, *logger);
        attachLogRelay(&relay, *logger); // twice is once
        QCOMPARE(logger->sinks().size(), std::size_t(2));
        QSignalSpy logged(&relay, &LogRelay::messageLogged);
        logger->info("for the panel only");
        logger->warn("for both");
        QCOMPARE(logged.size(), 2);
        QVERIFY(console.str().find("for the panel only") == std::string::npos);
        QVERIFY(console.str().find("for both") != std::string::npos);
    }

    void loggingAfterTheRelayIsGoneIsHarmless()
    {
        auto logger = makeLogger("test");
        {
            LogRelay relay;
            attachLogRelay(&relay, *logger);
        }
        logger->warn("nobody listens");
        QCOMPARE(logger->sinks().size(), std::size_t(1));
    }

    void windowShowsWhatALoadDid()
    {
        LogRelay relay;
        attachLogRelay(&relay);
        MainWindow window;
        window.setLogRelay(&relay);
        // Hidden until the analyst asks for it, from View > Log.
        QVERIFY(test::byName<QDockWidget>(window, "logDock")->isHidden());
        QVERIFY(!test::byName<QDockWidget>(window, "logDock")->toggleViewAction()->isChecked());
        QCOMPARE(test::byName<QDockWidget>(window, "logDock")->toggleViewAction()->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::Key_L));

        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openSample();
        QVERIFY(ready.wait(120000));
        LogPanel* panel = test::byName<LogPanel>(window, "logPanel");
        QTRY_VERIFY(panel->textView()->toPlainText().contains(QStringLiteral("[ui] loaded ")));
        const QString text = panel->textView()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("INFO  [core] read ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("INFO  [core] clean: ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("INFO  [core] detect: 100 trees")), qPrintable(text));
        QVERIFY(text.indexOf(QStringLiteral("[core] read ")) < text.indexOf(QStringLiteral("[core] detect: ")));
    }
};

QTEST_MAIN(TestLogPanel)
#include "tst_logpanel.moc"

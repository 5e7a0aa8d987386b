#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <spdlog/common.h>

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace spdlog {
class logger;
}

namespace webthreat {

class LogSink;

// One message as the log panel shows it. The sequence number is global and increasing, so a
// panel that reads the relay's history and then receives queued signals can drop the duplicates.
struct LogMessage {
    quint64 sequence = 0;
    spdlog::level::level_enum level = spdlog::level::info;
    QString logger;
    QDateTime time;
    QString text;
};

// The long-lived bridge between spdlog and the window: owned by main() (or a test), created before
// any window and destroyed after it. spdlog calls it from whatever thread logged, so it never
// touches a widget; it emits messageLogged from that thread and receivers in the GUI thread get
// it queued. It also keeps the most recent messages, so a panel attached later (after start-up
// logging, or after its window was re-created) still shows how the session began.
class LogRelay : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogRelay)

public:
    static constexpr std::size_t kHistoryLimit = 500;

    explicit LogRelay(QObject* parent = nullptr);
    ~LogRelay() override;

    // The spdlog sink that feeds this relay; add it to any logger's sinks().
    std::shared_ptr<LogSink> sink() const { return m_sink; }

    // The lowest level the sink passes on (what the panel can offer to show).
    spdlog::level::level_enum minimumLevel() const;

    // Up to kHistoryLimit messages, oldest first.
    std::vector<LogMessage> history() const;

    // Called by the sink, on the logging thread.
    void publish(LogMessage message);

Q_SIGNALS:
    void messageLogged(const webthreat::LogMessage& message);

private:
    std::shared_ptr<LogSink> m_sink;
    mutable std::mutex m_mutex;
    std::deque<LogMessage> m_history;
    quint64 m_nextSequence = 1;
};

// Adds relay's sink to each logger, at info (or lower, when a logger already lets debug or trace
// through because the analyst asked for it). A logger's own level is lowered to let info reach the
// panel; its other sinks are raised to the logger's previous level first, so the console and file
// show exactly what they did before. Call before any worker thread logs: spdlog's sink lists are
// not guarded against concurrent change.
void attachLogRelay(LogRelay* relay, spdlog::logger& logger);
// The three layer loggers, "core", "ui" and "app" (created with core's defaults where missing).
void attachLogRelay(LogRelay* relay);

} // namespace webthreat

Q_DECLARE_METATYPE(webthreat::LogMessage)

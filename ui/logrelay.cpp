#include "ui/logrelay.h"

#include "core/util/log.h"
#include "ui/logsink.h"

#include <spdlog/logger.h>

#include <algorithm>

namespace webthreat {

LogRelay::LogRelay(QObject* parent)
    : QObject(parent)
    , m_sink(std::make_shared<LogSink>(this))
{
    qRegisterMetaType<LogMessage>();
    m_sink->set_level(spdlog::level::info);
}

LogRelay::~LogRelay()
{
    m_sink->detach();
}

spdlog::level::level_enum LogRelay::minimumLevel() const
{
    return m_sink->level();
}

std::vector<LogMessage> LogRelay::history() const
{
    std::lock_guard lock(m_mutex);
    return {m_history.begin(), m_history.end()};
}

void LogRelay::publish(LogMessage message)
{
    {
        std::lock_guard lock(m_mutex);
        message.sequence = m_nextSequence++;
        m_history.push_back(message);
        while (m_history.size() > kHistoryLimit)
            m_history.pop_front();
    }
    // Emitted outside m_mutex so that a directly connected receiver may read history(). Receivers
    // on another thread (the panel) get it queued; a receiver connected directly must not log,
    // as the sink's lock is still held here.
    Q_EMIT messageLogged(message);
}

void attachLogRelay(LogRelay* relay, spdlog::logger& logger)
{
    if (!relay)
        return;
    auto sink = relay->sink();
    auto& sinks = logger.sinks();
    if (std::find(sinks.begin(), sinks.end(), sink) != sinks.end())
        return;
    const spdlog::level::level_enum previous = logger.level();
    for (const auto& other : sinks)
        other->set_level(std::max(other->level(), previous));
    // Debug and trace reach the panel only when the analyst asked for them (--log-level debug).
    const spdlog::level::level_enum panelLevel = std::min(spdlog::level::info, previous);
    if (panelLevel < sink->level())
        sink->set_level(panelLevel);
    sinks.push_back(sink);
    logger.set_level(std::min(previous, sink->level()));
}

void attachLogRelay(LogRelay* relay)
{
    for (const char* name : {"core", "ui", "app"})
        attachLogRelay(relay, *logger::get(name));
}

} // namespace webthreat

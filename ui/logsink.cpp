#include "ui/logsink.h"

#include "ui/logrelay.h"

#include <chrono>

namespace webthreat {

LogSink::LogSink(LogRelay* relay)
    : m_relay(relay)
{
}

void LogSink::detach()
{
    std::lock_guard lock(mutex_);
    m_relay = nullptr;
}

void LogSink::sink_it_(const spdlog::details::log_msg& message)
{
    // Called with mutex_ held: this is what serialises detach() against delivery, and also what
    // keeps messages from different threads in one order (the relay numbers them here).
    if (!m_relay)
        return;
    LogMessage entry;
    entry.level = message.level;
    entry.logger = QString::fromUtf8(message.logger_name.data(), static_cast<qsizetype>(message.logger_name.size()));
    entry.time = QDateTime::fromMSecsSinceEpoch(
        std::chrono::duration_cast<std::chrono::milliseconds>(message.time.time_since_epoch()).count());
    entry.text = QString::fromUtf8(message.payload.data(), static_cast<qsizetype>(message.payload.size()));
    m_relay->publish(std::move(entry));
}

} // namespace webthreat

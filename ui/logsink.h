#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>

namespace webthreat {

class LogRelay;

// The spdlog sink behind the log panel: turns each message into a LogMessage and hands it to a
// LogRelay on the thread that logged. It holds the relay by plain pointer under the sink's own
// mutex, and the relay detaches itself in its destructor, so a worker that logs while the relay
// is being destroyed either delivers its message first or finds no relay; it never reaches freed
// memory. Loggers keep the sink alive after the relay has gone; it then does nothing.
class LogSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit LogSink(LogRelay* relay);

    void detach();

protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override { }

private:
    LogRelay* m_relay;
};

} // namespace webthreat

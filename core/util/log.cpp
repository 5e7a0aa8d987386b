#include "core/util/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace webthreat::logger {

std::shared_ptr<spdlog::logger> get(const char* name)
{
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    if (auto existing = spdlog::get(name))
        return existing;
    auto created = std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::stderr_sink_mt>());
    created->set_level(spdlog::level::warn);
    spdlog::register_logger(created);
    return created;
}

std::shared_ptr<spdlog::logger> core()
{
    static const std::shared_ptr<spdlog::logger> logger = get("core");
    return logger;
}

} // namespace webthreat::logger

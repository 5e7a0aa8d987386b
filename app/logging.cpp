#include "app/logging.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace webthreat {

namespace {
const std::vector<std::string_view> kLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
} // namespace

bool isLogLevel(std::string_view name)
{
    for (auto level : kLevels) {
        if (level == name)
            return true;
    }
    return false;
}

void initLogging(const LoggingOptions& options)
{
    std::string level = options.level;
    if (level.empty()) {
        if (const char* environment = std::getenv("WEBTHREAT_LOG"); environment && *environment)
            level = environment;
        else
            level = options.defaultLevel;
    }
    if (!isLogLevel(level))
        throw std::invalid_argument("unknown log level '" + level + "' (use trace, debug, info, warn, error or off)");

    std::vector<spdlog::sink_ptr> sinks;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::from_str(level));
    sinks.push_back(console);
    if (!options.logFile.empty()) {
        try {
            auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(options.logFile, 5 * 1024 * 1024, 3);
            // The file keeps the whole story at info even when the console is quieter.
            file->set_level(std::min(spdlog::level::info, spdlog::level::from_str(level)));
            sinks.push_back(file);
        } catch (const spdlog::spdlog_ex&) {
            // A log file that cannot be opened must not stop the program; the console still works.
        }
    }
    spdlog::level::level_enum lowest = spdlog::level::off;
    for (const auto& sink : sinks)
        lowest = std::min(lowest, sink->level());
    for (const char* name : {"core", "ui", "app"}) {
        spdlog::drop(name);
        auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
        logger->set_level(lowest);
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%n] %l: %v");
        spdlog::register_logger(logger);
    }
    spdlog::set_default_logger(spdlog::get("app"));
}

} // namespace webthreat

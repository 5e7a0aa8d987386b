#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace webthreat::logger {

// The named logger of each layer. app/ configures sinks and level once at start-up; where it has
// not (tests, other programs using core), the logger writes warnings and errors to stderr.
std::shared_ptr<spdlog::logger> core();
std::shared_ptr<spdlog::logger> get(const char* name);

} // namespace webthreat::logger

#pragma once

#include <string>
#include <string_view>

namespace webthreat {

struct LoggingOptions {
    std::string level; // trace, debug, info, warn, error, off; empty: WEBTHREAT_LOG or the default
    std::string defaultLevel = "warn";
    std::string logFile; // a rotating file as well as the console; empty for console only
};

// The one logging set-up of a program: a named logger per layer ("core", "ui", "app") writing to
// stderr (and the log file), at the level from the option, else the WEBTHREAT_LOG environment
// variable, else the default. Throws std::invalid_argument for an unknown level name.
void initLogging(const LoggingOptions& options);

// Whether name is a level initLogging accepts.
bool isLogLevel(std::string_view name);

} // namespace webthreat

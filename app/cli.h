#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace webthreat {

// Exit statuses of the webthreat command line.
enum ExitStatus : int {
    kExitOk = 0,
    kExitFailure = 1, // an unexpected internal error
    kExitUsage = 2, // the command line is wrong
    kExitBadInput = 3, // the input file cannot be used
    kExitOutput = 4, // an output file cannot be written
    kExitCancelled = 130, // interrupted
};

struct Analysis;
struct Provenance;

// The command line, without the process: args excludes the program name.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Writes `analyze --report FILE`. The report needs Qt (charts), which this library does not link:
// the webthreat executable registers app/clireport's writer at start-up. Without one, --report is
// refused with a clear message.
using ReportWriter = void (*)(const Analysis& analysis, const Provenance& provenance, const std::string& path);
void setReportWriter(ReportWriter writer);

} // namespace webthreat

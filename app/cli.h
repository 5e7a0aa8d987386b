#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace webthreat {

// Exit statuses of the webthreat command line.
enum ExitStatus : int {
    kExitOk = 0,
    kExitFailure = 1,     // an unexpected internal error
    kExitUsage = 2,       // the command line is wrong
    kExitBadInput = 3,    // the input file cannot be used
    kExitOutput = 4,      // an output file cannot be written
    kExitCancelled = 130, // interrupted
};

// The command line, without the process: args excludes the program name.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace webthreat

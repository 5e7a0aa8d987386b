#pragma once

#include "app/cli.h"

namespace webthreat {

// `webthreat analyze --report` renders the workbench's charts, which takes Qt Widgets and Charts.
// Linking them into the command line would load them on every run (about 15 MB of memory and
// 40 ms before the first line of output), so they live in a module, libwebthreat-report.so,
// loaded only when a report is asked for. This writer loads it on its first call and hands over;
// when it cannot be found or loaded it throws OutputError saying where it looked.
void writeReportThroughModule(const Analysis& analysis, const Provenance& provenance, const std::string& path);

} // namespace webthreat

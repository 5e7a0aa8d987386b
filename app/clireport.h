#pragma once

#include "core/pipeline.h"
#include "core/output/provenance.h"

#include <string>

namespace webthreat {

// `webthreat analyze --report FILE`: the workbench's report (HTML or PDF by FILE's suffix) from
// the command line. Starts a QApplication only here, on the offscreen platform when there is no
// display, so an analyze without --report pays no Qt start-up. Throws OutputError naming FILE.
void writeCliReport(const Analysis& analysis, const Provenance& provenance, const std::string& path);

} // namespace webthreat

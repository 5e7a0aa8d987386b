#pragma once

namespace webthreat {

// Registers the bundled resources (:/sample/sample_traffic.csv, :/icons/...). Idempotent. The
// resources live in a static library, whose object the linker keeps only because this refers
// to it.
void initBundledResources();

} // namespace webthreat

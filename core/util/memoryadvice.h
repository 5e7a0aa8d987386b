#pragma once

#include <cstddef>

namespace webthreat {

// Asks the kernel to back [data, data + bytes) with transparent huge pages where they fit
// whole (2 MiB aligned), so filling a large array costs one page fault per 2 MiB instead of one
// per 4 KiB. Only the part that will surely be written should be given: a huge page counts as
// resident as soon as one byte of it is touched. A no-op where the system has no such advice.
void adviseHugePages(void* data, std::size_t bytes) noexcept;

} // namespace webthreat

#pragma once

namespace webthreat {

// glibc raises its mmap threshold each time a large block is freed, after which blocks of that
// size come from the heap and stay in the process when freed: the peak then grows by every large
// temporary (a column's old buffer, the duplicate finder's slots) instead of by the largest one.
// Fixing the threshold keeps large arrays in their own mappings, returned to the system on free.
void configureAllocator();

} // namespace webthreat

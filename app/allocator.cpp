#include "app/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace webthreat {

void configureAllocator()
{
#if defined(__GLIBC__)
    // 4 MiB: the tables' columns and the detector's arrays are far larger, the many small
    // allocations of strings and Qt objects far smaller.
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
}

} // namespace webthreat

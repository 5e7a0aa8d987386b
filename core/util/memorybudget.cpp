#include "core/util/memorybudget.h"

#include "core/util/errors.h"
#include "core/util/format.h"

#include <cstdio>
#include <memory>

namespace webthreat {

std::uint64_t availableMemoryBytes()
{
    // MemAvailable is the kernel's own estimate of what can be allocated without swapping.
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> meminfo(std::fopen("/proc/meminfo", "r"), &std::fclose);
    if (!meminfo)
        return 0;
    char line[256];
    while (std::fgets(line, sizeof line, meminfo.get())) {
        unsigned long long kib = 0;
        if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            return static_cast<std::uint64_t>(kib) * 1024;
    }
    return 0;
}

std::uint64_t MemoryBudget::available() const
{
    return m_budget > 0 ? m_budget : availableMemoryBytes();
}

void MemoryBudget::refuseIfTooLarge(const std::string& file, std::uint64_t textBytes) const
{
    const std::uint64_t availableBytes = available();
    const std::uint64_t needed = neededFor(textBytes);
    if (availableBytes == 0 || needed <= availableBytes)
        return;
    throw InputError(file, 0, "",
                     "the file is " + formatGiB(textBytes) + "; analysing it needs about " + formatGiB(needed)
                         + " of memory and only " + formatGiB(availableBytes) + " is available");
}

} // namespace webthreat

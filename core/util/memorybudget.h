#pragma once

#include <cstdint>
#include <string>

namespace webthreat {

// What the kernel says can still be allocated (MemAvailable), 0 when it cannot tell.
std::uint64_t availableMemoryBytes();

// What a streaming run holds itself to when no budget was given (the default budget, half the
// memory available, only decides whether to stream): 64 MiB chunks and a 256 MiB duplicate set.
inline constexpr std::uint64_t kDefaultStreamingBudget = std::uint64_t(1) << 30;

// Every reader's one memory rule: the table and the detector's inputs take about 0.7 bytes per
// byte of text, plus two read blocks in flight. A file that cannot fit is refused up front with a
// message rather than killed halfway; compressed input, whose text size is known only as it is
// decompressed, is stopped at the largest text that fits (which also stops a gzip bomb).
class MemoryBudget {
public:
    // budgetBytes: what the analysis may use, 0 = what the machine has available.
    // blockBytes: the readers' block size.
    MemoryBudget(std::uint64_t budgetBytes, std::uint64_t blockBytes) noexcept
        : m_budget(budgetBytes)
        , m_reserve(2 * blockBytes)
    {
    }

    // The budget, or what the machine has available when none was set; 0 when unknown.
    std::uint64_t available() const;
    // About what analysing textBytes of text takes.
    std::uint64_t neededFor(std::uint64_t textBytes) const noexcept { return textBytes / 10 * 7 + m_reserve; }
    // The largest text that fits in availableBytes (at least 1 byte).
    std::uint64_t largestTextFor(std::uint64_t availableBytes) const noexcept
    {
        return availableBytes > m_reserve ? (availableBytes - m_reserve) / 7 * 10 : 1;
    }
    // Throws InputError naming file when textBytes of text need more than is available (nothing
    // when the available memory is unknown).
    void refuseIfTooLarge(const std::string& file, std::uint64_t textBytes) const;

private:
    std::uint64_t m_budget;
    std::uint64_t m_reserve;
};

} // namespace webthreat

#pragma once
#include <cstdint>

namespace webthreat {

// MurmurHash3's 64-bit finaliser: spreads every input bit over the whole word. What cleaning's
// duplicate check and streaming's row hashes finish their per-row hashes with.
constexpr std::uint64_t mix64(std::uint64_t h) noexcept
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

} // namespace webthreat

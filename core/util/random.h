#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace webthreat {

// The one random number generator of the product (the forest's samples and splits, the traffic
// generator): xoshiro256** seeded through splitmix64 (Blackman and Vigna). Fully specified, so the
// same seed gives the same forest and the same generated file with any compiler and standard
// library (std:: distributions are implementation-defined). Header-only: next() sits in the
// forest's inner loops and must inline.

// splitmix64's output function: a uniform 64-bit hash of z.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The next splitmix64 number from state (which it advances).
constexpr std::uint64_t splitMix64(std::uint64_t& state) noexcept
{
    state += 0x9E3779B97F4A7C15ull;
    return mix64(state);
}

// High half of a 64 x 64-bit product, without relying on a 128-bit integer type.
constexpr std::uint64_t mulHigh(std::uint64_t a, std::uint64_t b) noexcept
{
    const std::uint64_t aLow = a & 0xFFFFFFFFull;
    const std::uint64_t aHigh = a >> 32;
    const std::uint64_t bLow = b & 0xFFFFFFFFull;
    const std::uint64_t bHigh = b >> 32;
    const std::uint64_t lowLow = aLow * bLow;
    const std::uint64_t highLow = aHigh * bLow;
    const std::uint64_t lowHigh = aLow * bHigh;
    const std::uint64_t cross = (lowLow >> 32) + (highLow & 0xFFFFFFFFull) + lowHigh;
    return aHigh * bHigh + (highLow >> 32) + (cross >> 32);
}

class Xoshiro256 {
public:
    // The state is four successive splitmix64 numbers from seed (the generator's seeding).
    explicit constexpr Xoshiro256(std::uint64_t seed) noexcept
    {
        for (auto& word : m_state)
            word = splitMix64(seed);
    }

    // One of many independent streams from one seed (the forest's: a stream per tree, so trees
    // can be grown in any order on any number of threads).
    constexpr Xoshiro256(std::uint64_t seed, std::uint64_t stream) noexcept
    {
        std::uint64_t mix = seed;
        std::uint64_t state = splitMix64(mix) ^ (stream * 0xD1B54A32D192ED03ull);
        for (auto& word : m_state)
            word = splitMix64(state);
    }

    constexpr std::uint64_t next() noexcept
    {
        const std::uint64_t result = std::rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t shifted = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= shifted;
        m_state[3] = std::rotl(m_state[3], 45);
        return result;
    }

    // Uniform in [0, bound), bound > 0, without modulo bias (rejection).
    constexpr std::uint64_t below(std::uint64_t bound) noexcept
    {
        const std::uint64_t reject = (0 - bound) % bound; // 2^64 mod bound
        for (;;) {
            const std::uint64_t r = next();
            if (r >= reject)
                return r % bound;
        }
    }

    // Uniform in [0, bound), bound > 0, with one number and no division (Lemire's multiply-shift;
    // its bias is below 2^-30 for bounds under 2^34).
    constexpr std::uint64_t belowFast(std::uint64_t bound) noexcept { return mulHigh(next(), bound); }

    // Uniform in [0, 1) with 53 random bits.
    constexpr double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1): never 0, so its logarithm is finite.
    constexpr double open01() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

private:
    std::array<std::uint64_t, 4> m_state{};
};

} // namespace webthreat

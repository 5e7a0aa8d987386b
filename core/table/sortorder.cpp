#include "core/table/sortorder.h"

#include <array>
#include <bit>
#include <cmath>

namespace webthreat {

namespace {

// A 64-bit integer whose unsigned order is the double's order: flip every bit of a negative
// number (their bits grow as the value falls), set the sign bit of a positive one.
std::uint64_t orderedBits(double value, bool descending) noexcept
{
    if (std::isnan(value))
        return ~std::uint64_t{0}; // last in both directions
    if (value == 0.0)
        value = 0.0; // -0 sorts with +0, as `<` has it
    const auto bits = std::bit_cast<std::uint64_t>(value);
    std::uint64_t key = (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
    // Neither direction reaches the all-ones key kept for NaN: -inf, the smallest, maps to
    // 0x000F..., so its inverse is 0xFFF0...
    return descending ? ~key : key;
}

} // namespace

std::vector<std::uint32_t> stableSortOrder(std::span<const double> keys, bool descending)
{
    const std::size_t n = keys.size();
    std::vector<std::uint64_t> bits(n);
    std::vector<std::uint32_t> rows(n);
    std::uint64_t all = 0;
    std::uint64_t any = ~std::uint64_t{0};
    for (std::size_t row = 0; row < n; ++row) {
        bits[row] = orderedBits(keys[row], descending);
        rows[row] = static_cast<std::uint32_t>(row);
        all |= bits[row];
        any &= bits[row];
    }
    // Digits on which every key agrees need no pass (the top bits of timestamps, byte counts).
    const std::uint64_t varying = all & ~any;
    constexpr int kDigitBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
    std::vector<std::uint64_t> bitsOut(n);
    std::vector<std::uint32_t> rowsOut(n);
    std::array<std::size_t, kBuckets> counts{};
    for (int shift = 0; shift < 64; shift += kDigitBits) {
        const std::uint64_t mask = (kBuckets - 1);
        if (((varying >> shift) & mask) == 0)
            continue;
        counts.fill(0);
        for (std::size_t i = 0; i < n; ++i)
            ++counts[(bits[i] >> shift) & mask];
        std::size_t start = 0;
        for (std::size_t& count : counts) {
            const std::size_t c = count;
            count = start;
            start += c;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t to = counts[(bits[i] >> shift) & mask]++;
            bitsOut[to] = bits[i];
            rowsOut[to] = rows[i];
        }
        bits.swap(bitsOut);
        rows.swap(rowsOut);
    }
    return rows;
}

} // namespace webthreat

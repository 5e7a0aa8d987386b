#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace webthreat {

// Interned text: every distinct string is stored once and named by a 32-bit id, so a text column
// costs four bytes a row instead of a heap string a cell. Id 0 is the missing value (empty cell).
// Views returned stay valid as long as the pool lives, however much is added later.
class StringPool {
public:
    static constexpr std::uint32_t kMissing = 0;

    StringPool();
    StringPool(const StringPool&) = delete;
    StringPool& operator=(const StringPool&) = delete;
    StringPool(StringPool&&) noexcept;
    StringPool& operator=(StringPool&&) noexcept;
    ~StringPool();

    // The id of text, adding it if new. The empty string is kMissing.
    std::uint32_t intern(std::string_view text);
    // intern() of count texts, ids written to ids[i], in order (so ids are handed out as by
    // calls one by one). Looks ahead: the table slots and texts a batch will compare are fetched
    // from memory together rather than one miss after another, which is what interning many
    // values into a large pool costs.
    void internAll(const std::string_view* texts, std::size_t count, std::uint32_t* ids);
    // Room for this many distinct strings without growing the table.
    void reserve(std::size_t strings);
    // The id of text if present; kMissing otherwise (and for the empty string).
    std::uint32_t find(std::string_view text) const;
    std::string_view view(std::uint32_t id) const noexcept
    {
        const std::uint64_t entry = m_entries[id];
        const char* at = m_blockStarts[entry >> (kOffsetBits + kLengthBits)]
            + ((entry >> kLengthBits) & ((std::uint64_t(1) << kOffsetBits) - 1));
        const std::size_t length = entry & kLongLength;
        if (length != kLongLength) [[likely]]
            return {at, length};
        return longView(at);
    }
    // Number of ids handed out, including kMissing.
    std::size_t size() const noexcept { return m_entries.size(); }
    // Bytes held, for memory reports.
    std::size_t memoryBytes() const noexcept;

    // The hash the pool files text under, and intern() for a text whose hash is known (the
    // reader's cache of recent values computes it anyway). text must not be empty.
    static std::uint32_t hash(std::string_view text) noexcept
    {
        // A multiply-mix over 8-byte words: fast on short keys like IPs and country codes.
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (text.size() * 0xFF51AFD7ED558CCDull);
        const char* p = text.data();
        std::size_t n = text.size();
        while (n >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
            h ^= h >> 31;
            p += 8;
            n -= 8;
        }
        h = (h ^ shortWord(p, n)) * 0x94D049BB133111EBull;
        h ^= h >> 29;
        return static_cast<std::uint32_t>(h);
    }
    // The n < 8 bytes at p as one word, different for different bytes of the same length, read
    // with at most two loads inside the bytes: copying them one by one into a word on the stack
    // and loading that stalled the store forwarding, a third of the reader's time in this hash.
    static std::uint64_t shortWord(const char* p, std::size_t n) noexcept
    {
        if (n >= 4) {
            std::uint32_t first;
            std::uint32_t last;
            std::memcpy(&first, p, 4);
            std::memcpy(&last, p + n - 4, 4); // overlaps first below 8 bytes: n tells them apart
            return (static_cast<std::uint64_t>(first) << 32) | last;
        }
        if (n == 0)
            return 0;
        const auto byte = [p](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
        return (byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1);
    }
    std::uint32_t internHashed(std::string_view text, std::uint32_t hash);

private:
    // A string's place, packed in 8 bytes (a string_view is 16): the block it is stored in, its
    // offset there and its length. A block index, not a pointer, so the packing holds whatever
    // addresses the allocator hands out. Texts too long for the length field are stored alone in
    // a block, after their length.
    static constexpr unsigned kLengthBits = 19;
    static constexpr unsigned kOffsetBits = 18; // small blocks are 256 KiB
    static constexpr std::uint64_t kLongLength = (std::uint64_t(1) << kLengthBits) - 1;
    static std::string_view longView(const char* at) noexcept
    {
        std::uint64_t length;
        std::memcpy(&length, at, sizeof length);
        return {at + sizeof length, static_cast<std::size_t>(length)};
    }

    std::uint64_t store(std::string_view text);
    void grow();

    std::vector<std::unique_ptr<char[]>> m_blocks;
    // Where each block starts, by the index an entry names; [0] is an empty text for kMissing.
    std::vector<const char*> m_blockStarts;
    std::size_t m_currentBlock = 0; // the small block being filled (0: none yet)
    std::size_t m_blockUsed = 0;
    std::size_t m_blockSize = 0;
    std::size_t m_heldBytes = 0;
    std::vector<std::uint64_t> m_entries;
    // Open addressing: a slot holds the text's hash in its high half and id + 1 in its low half
    // (0 = empty), so a probe is one memory access. Grown past three quarters full: a probe
    // rarely leaves its cache line even so, and half-full slots were a quarter of a large pool.
    std::vector<std::uint64_t> m_slots;
};

} // namespace webthreat

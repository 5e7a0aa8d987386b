#include "core/table/stringpool.h"

#include <cstring>

namespace webthreat {

namespace {
constexpr std::size_t kBlockBytes = 256 * 1024;

// Equal texts, compared inline for the short values that make up nearly every cell (addresses,
// codes, names): memcmp is a call, and most lookups end in exactly one comparison that succeeds.
inline bool sameText(std::string_view a, std::string_view b) noexcept
{
    const std::size_t size = a.size();
    if (size != b.size())
        return false;
    if (size >= 8 && size <= 16) {
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a.data(), 8);
        std::memcpy(&b0, b.data(), 8);
        std::memcpy(&a1, a.data() + size - 8, 8);
        std::memcpy(&b1, b.data() + size - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (size < 8) {
        for (std::size_t i = 0; i < size; ++i) {
            if (a[i] != b[i])
                return false;
        }
        return true;
    }
    return std::memcmp(a.data(), b.data(), size) == 0;
}
} // namespace

StringPool::StringPool()
{
    static const char kEmpty = 0;
    m_blockStarts.push_back(&kEmpty);
    m_entries.push_back(0); // kMissing: block 0, offset 0, length 0
    m_slots.assign(1024, 0);
}

StringPool::StringPool(StringPool&&) noexcept = default;
StringPool& StringPool::operator=(StringPool&&) noexcept = default;
StringPool::~StringPool() = default;

std::uint64_t StringPool::store(std::string_view text)
{
    const auto entry = [](std::size_t block, std::size_t offset, std::size_t length) {
        return (static_cast<std::uint64_t>(block) << (kOffsetBits + kLengthBits))
            | (static_cast<std::uint64_t>(offset) << kLengthBits) | length;
    };
    if (text.size() > kBlockBytes / 4) {
        // A block of its own (the small block being filled stays current); past the length
        // field's reach, the length goes first.
        const bool long_ = text.size() >= kLongLength;
        const std::size_t prefix = long_ ? sizeof(std::uint64_t) : 0;
        auto block = std::make_unique<char[]>(prefix + text.size());
        if (long_) {
            const std::uint64_t length = text.size();
            std::memcpy(block.get(), &length, sizeof length);
        }
        std::memcpy(block.get() + prefix, text.data(), text.size());
        m_blockStarts.push_back(block.get());
        m_blocks.push_back(std::move(block));
        m_heldBytes += prefix + text.size();
        return entry(m_blockStarts.size() - 1, 0, long_ ? kLongLength : text.size());
    }
    if (m_currentBlock == 0 || m_blockUsed + text.size() > m_blockSize) {
        m_blocks.push_back(std::make_unique<char[]>(kBlockBytes));
        m_blockStarts.push_back(m_blocks.back().get());
        m_currentBlock = m_blockStarts.size() - 1;
        m_blockSize = kBlockBytes;
        m_blockUsed = 0;
        m_heldBytes += kBlockBytes;
    }
    char* destination = m_blocks[m_currentBlock - 1].get() + m_blockUsed; // m_blocks lacks [0]'s empty text
    std::memcpy(destination, text.data(), text.size());
    const std::uint64_t stored = entry(m_currentBlock, m_blockUsed, text.size());
    m_blockUsed += text.size();
    return stored;
}

void StringPool::grow()
{
    const std::size_t capacity = m_slots.size() * 2;
    std::vector<std::uint64_t> slots(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::uint64_t entry : m_slots) {
        if (entry == 0)
            continue;
        std::size_t slot = (entry >> 32) & mask;
        while (slots[slot] != 0)
            slot = (slot + 1) & mask;
        slots[slot] = entry;
    }
    m_slots.swap(slots);
}

void StringPool::reserve(std::size_t strings)
{
    m_entries.reserve(strings + 1);
    while (m_slots.size() * 3 < 4 * (strings + 1))
        grow();
}

std::uint32_t StringPool::find(std::string_view text) const
{
    if (text.empty())
        return kMissing;
    const std::uint32_t h = hash(text);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
        const std::uint64_t entry = m_slots[slot];
        if (entry == 0)
            return kMissing;
        const auto id = static_cast<std::uint32_t>(entry) - 1;
        if ((entry >> 32) == h && sameText(view(id), text))
            return id;
    }
}

std::uint32_t StringPool::intern(std::string_view text)
{
    if (text.empty())
        return kMissing;
    return internHashed(text, hash(text));
}

std::uint32_t StringPool::internHashed(std::string_view text, std::uint32_t h)
{
    const std::size_t mask = m_slots.size() - 1;
    std::size_t slot = h & mask;
    for (;; slot = (slot + 1) & mask) {
        const std::uint64_t entry = m_slots[slot];
        if (entry == 0)
            break;
        const auto id = static_cast<std::uint32_t>(entry) - 1;
        if ((entry >> 32) == h && sameText(view(id), text))
            return id;
    }
    const auto id = static_cast<std::uint32_t>(m_entries.size());
    m_entries.push_back(store(text));
    m_slots[slot] = (static_cast<std::uint64_t>(h) << 32) | (id + 1);
    if (m_entries.size() * 4 > m_slots.size() * 3)
        grow();
    return id;
}

void StringPool::internAll(const std::string_view* texts, std::size_t count, std::uint32_t* ids)
{
    // Three looks ahead, each a batch wide: the slot a text hashes to, then the stored text its
    // first same-hash entry names, then those bytes; the interning itself then finds them in
    // cache. The looks ahead only prefetch, so an insertion or a growth in between does no harm.
    constexpr std::size_t kBatch = 16;
    std::uint32_t hashes[kBatch];
    for (std::size_t begin = 0; begin < count; begin += kBatch) {
        const std::size_t n = std::min(kBatch, count - begin);
        const std::string_view* batch = texts + begin;
        std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = 0; i < n; ++i) {
            hashes[i] = batch[i].empty() ? 0 : hash(batch[i]);
            __builtin_prefetch(&m_slots[hashes[i] & mask]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t entry = m_slots[hashes[i] & mask];
            if (entry != 0 && (entry >> 32) == hashes[i])
                __builtin_prefetch(&m_entries[static_cast<std::uint32_t>(entry) - 1]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t entry = m_slots[hashes[i] & mask];
            if (entry != 0 && (entry >> 32) == hashes[i])
                __builtin_prefetch(view(static_cast<std::uint32_t>(entry) - 1).data());
        }
        for (std::size_t i = 0; i < n; ++i)
            ids[begin + i] = batch[i].empty() ? kMissing : internHashed(batch[i], hashes[i]);
    }
}

std::size_t StringPool::memoryBytes() const noexcept
{
    return m_heldBytes + m_entries.capacity() * sizeof(std::uint64_t) + m_slots.capacity() * sizeof(std::uint64_t)
        + m_blocks.capacity() * sizeof(m_blocks[0]) + m_blockStarts.capacity() * sizeof(const char*);
}

} // namespace webthreat

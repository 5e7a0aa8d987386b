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
    m_views.emplace_back();
    m_slots.assign(1024, 0);
}

StringPool::StringPool(StringPool&&) noexcept = default;
StringPool& StringPool::operator=(StringPool&&) noexcept = default;
StringPool::~StringPool() = default;

std::string_view StringPool::store(std::string_view text)
{
    if (text.size() > kBlockBytes / 4) {
        auto block = std::make_unique<char[]>(text.size());
        std::memcpy(block.get(), text.data(), text.size());
        std::string_view stored(block.get(), text.size());
        // Keep the current small block last so later small strings keep filling it.
        m_blocks.insert(m_blocks.empty() ? m_blocks.end() : m_blocks.end() - 1, std::move(block));
        m_heldBytes += text.size();
        return stored;
    }
    if (m_blocks.empty() || m_blockUsed + text.size() > m_blockSize) {
        m_blocks.push_back(std::make_unique<char[]>(kBlockBytes));
        m_blockSize = kBlockBytes;
        m_blockUsed = 0;
        m_heldBytes += kBlockBytes;
    }
    char* destination = m_blocks.back().get() + m_blockUsed;
    std::memcpy(destination, text.data(), text.size());
    m_blockUsed += text.size();
    return {destination, text.size()};
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
    m_views.reserve(strings + 1);
    while (m_slots.size() < 2 * (strings + 1))
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
        if ((entry >> 32) == h && sameText(m_views[id], text))
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
        if ((entry >> 32) == h && sameText(m_views[id], text))
            return id;
    }
    const auto id = static_cast<std::uint32_t>(m_views.size());
    m_views.push_back(store(text));
    m_slots[slot] = (static_cast<std::uint64_t>(h) << 32) | (id + 1);
    if (m_views.size() * 2 > m_slots.size())
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
                __builtin_prefetch(&m_views[static_cast<std::uint32_t>(entry) - 1]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t entry = m_slots[hashes[i] & mask];
            if (entry != 0 && (entry >> 32) == hashes[i])
                __builtin_prefetch(m_views[static_cast<std::uint32_t>(entry) - 1].data());
        }
        for (std::size_t i = 0; i < n; ++i)
            ids[begin + i] = batch[i].empty() ? kMissing : internHashed(batch[i], hashes[i]);
    }
}

std::size_t StringPool::memoryBytes() const noexcept
{
    return m_heldBytes + m_views.capacity() * sizeof(std::string_view) + m_slots.capacity() * sizeof(std::uint64_t);
}

} // namespace webthreat

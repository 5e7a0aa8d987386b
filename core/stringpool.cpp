#include "core/stringpool.h"

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
    m_slotHashes.assign(1024, 0);
}

StringPool::StringPool(StringPool&&) noexcept = default;
StringPool& StringPool::operator=(StringPool&&) noexcept = default;
StringPool::~StringPool() = default;

std::uint64_t StringPool::hash(std::string_view text) noexcept
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
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    return h;
}

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
    std::vector<std::uint32_t> slots(capacity, 0);
    std::vector<std::uint32_t> hashes(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        if (m_slots[i] == 0)
            continue;
        std::size_t slot = m_slotHashes[i] & mask;
        while (slots[slot] != 0)
            slot = (slot + 1) & mask;
        slots[slot] = m_slots[i];
        hashes[slot] = m_slotHashes[i];
    }
    m_slots.swap(slots);
    m_slotHashes.swap(hashes);
}

std::uint32_t StringPool::find(std::string_view text) const
{
    if (text.empty())
        return kMissing;
    const auto h = static_cast<std::uint32_t>(hash(text));
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
        const std::uint32_t entry = m_slots[slot];
        if (entry == 0)
            return kMissing;
        if (m_slotHashes[slot] == h && sameText(m_views[entry - 1], text))
            return entry - 1;
    }
}

std::uint32_t StringPool::intern(std::string_view text)
{
    if (text.empty())
        return kMissing;
    const auto h = static_cast<std::uint32_t>(hash(text));
    std::size_t mask = m_slots.size() - 1;
    std::size_t slot = h & mask;
    for (;; slot = (slot + 1) & mask) {
        const std::uint32_t entry = m_slots[slot];
        if (entry == 0)
            break;
        if (m_slotHashes[slot] == h && sameText(m_views[entry - 1], text))
            return entry - 1;
    }
    const auto id = static_cast<std::uint32_t>(m_views.size());
    m_views.push_back(store(text));
    m_slots[slot] = id + 1;
    m_slotHashes[slot] = h;
    if (m_views.size() * 2 > m_slots.size())
        grow();
    return id;
}

std::size_t StringPool::memoryBytes() const noexcept
{
    return m_heldBytes + m_views.capacity() * sizeof(std::string_view)
        + m_slots.capacity() * sizeof(std::uint32_t) * 2;
}

} // namespace webthreat

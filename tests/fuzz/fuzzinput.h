// What the focused fuzz targets share: the input as a stream of bytes, and reading options that
// vary with the input without taking bytes from it (so real files seed the corpus as they are).
#pragma once

#include "core/io/decompress.h"
#include "core/io/readoptions.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace fuzzing {

// The bytes of text, handed out as a file would hand them out.
class MemoryStream {
public:
    explicit MemoryStream(std::string_view text)
        : m_text(text)
    {
    }
    webthreat::ByteReader reader()
    {
        return [this](char* into, std::size_t capacity) {
            const std::size_t take = std::min(capacity, m_text.size() - m_offset);
            std::memcpy(into, m_text.data() + m_offset, take);
            m_offset += take;
            return take;
        };
    }
    double fraction() const
    {
        return m_text.empty() ? 1.0 : static_cast<double>(m_offset) / static_cast<double>(m_text.size());
    }

private:
    std::string_view m_text;
    std::size_t m_offset = 0;
};

// One thread, a small block and a small record limit picked from the input's length and last byte,
// so records are cut by block ends and refused as too long at every place (carried across blocks,
// in the header, inside one block) as the fuzzer grows and changes inputs.
inline webthreat::ReadOptions smallReadOptions(std::string_view text)
{
    webthreat::ReadOptions options;
    options.threads = 1;
    options.memoryBudget = 32u << 20;
    const unsigned last = text.empty() ? 0u : static_cast<unsigned char>(text.back());
    options.blockBytes = 64 + (text.size() * 31 + last) % 2048;
    options.maxRecordBytes = 64 + (last * 97 + text.size()) % 8192;
    return options;
}

} // namespace fuzzing

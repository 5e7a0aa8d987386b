#include "core/io/decompress.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cstring>

#include <zlib.h>

namespace webthreat {

struct GzipReader::Stream {
    z_stream z{};
};

bool isGzip(std::string_view start) noexcept
{
    return start.size() >= 2 && static_cast<unsigned char>(start[0]) == 0x1f
        && static_cast<unsigned char>(start[1]) == 0x8b;
}

GzipReader::GzipReader(ByteReader compressed, std::string file, std::uint64_t outputLimit, std::string limitReason)
    : m_stream(std::make_unique<Stream>())
    , m_compressed(std::move(compressed))
    , m_file(std::move(file))
    , m_limit(outputLimit)
    , m_limitReason(std::move(limitReason))
    , m_input(1u << 16)
{
    // 16 + MAX_WBITS: a gzip wrapper (header and CRC-32 trailer), not raw deflate or zlib.
    if (inflateInit2(&m_stream->z, 16 + MAX_WBITS) != Z_OK)
        throw InputError(m_file, 0, "", "cannot start gzip decompression (zlib could not allocate its state)");
    m_stream->z.next_in = m_input.data();
    m_stream->z.avail_in = 0;
}

GzipReader::~GzipReader()
{
    inflateEnd(&m_stream->z);
}

void GzipReader::fail(const std::string& problem) const
{
    throw InputError(m_file, 0, "", problem + " (" + std::to_string(m_produced) + " bytes had been decompressed)");
}

// Moves the unread input to the front and reads more after it. Returns false at the end of input.
bool GzipReader::refill(std::size_t keep)
{
    z_stream& z = m_stream->z;
    if (m_inputEnded)
        return false;
    if (keep > 0 && z.next_in != m_input.data())
        std::memmove(m_input.data(), z.next_in, keep);
    const std::size_t got = m_compressed(reinterpret_cast<char*>(m_input.data()) + keep, m_input.size() - keep);
    z.next_in = m_input.data();
    z.avail_in = static_cast<uInt>(keep + got);
    if (got == 0)
        m_inputEnded = true;
    return got > 0;
}

std::size_t GzipReader::read(char* into, std::size_t capacity)
{
    z_stream& z = m_stream->z;
    if (m_done || capacity == 0)
        return 0;
    z.next_out = reinterpret_cast<Bytef*>(into);
    z.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, 1u << 30));
    const uInt offered = z.avail_out;
    while (z.avail_out > 0 && !m_done) {
        if (!m_inMember) {
            // Between members: another gzip member follows, or the data ends (perhaps with padding).
            if (z.avail_in < 2)
                refill(z.avail_in);
            if (z.avail_in == 0) {
                m_done = true;
                break;
            }
            if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
                inflateReset(&z);
                m_inMember = true;
                continue;
            }
            // Not gzip: ignored as gzip -d ignores it; counted for a warning.
            m_trailing += z.avail_in;
            z.avail_in = 0;
            while (refill(0)) {
                m_trailing += z.avail_in;
                z.avail_in = 0;
            }
            m_done = true;
            break;
        }
        if (z.avail_in == 0 && !refill(0))
            fail("the gzip data is truncated: the file ends inside a compressed member");
        const int status = inflate(&z, Z_NO_FLUSH);
        if (status == Z_STREAM_END) {
            ++m_members;
            m_inMember = false;
        } else if (status == Z_BUF_ERROR) {
            // No progress was possible: more input is needed (with input left, the data is bad).
            if (z.avail_in > 0)
                fail("the gzip data is corrupt");
            if (!refill(0))
                fail("the gzip data is truncated: the file ends inside a compressed member");
        } else if (status != Z_OK) {
            fail(std::string("the gzip data is corrupt")
                 + (z.msg ? std::string(" (zlib: ") + z.msg + ")" : std::string()));
        }
    }
    const std::size_t produced = offered - z.avail_out;
    m_produced += produced;
    if (m_limit > 0 && m_produced > m_limit)
        throw InputError(m_file, 0, "",
                         m_limitReason.empty()
                             ? "the decompressed data is larger than " + std::to_string(m_limit) + " bytes"
                             : m_limitReason);
    return produced;
}

std::string gunzip(std::string_view data, const std::string& file, std::uint64_t outputLimit)
{
    std::size_t offset = 0;
    GzipReader reader(
        [&](char* into, std::size_t capacity) {
            const std::size_t take = std::min(capacity, data.size() - offset);
            std::memcpy(into, data.data() + offset, take);
            offset += take;
            return take;
        },
        file, outputLimit);
    std::string text;
    char block[1 << 16];
    while (const std::size_t got = reader.read(block, sizeof block))
        text.append(block, got);
    return text;
}

} // namespace webthreat

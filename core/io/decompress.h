#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// A stream of bytes: read(buffer, capacity) returns how many it put there, 0 at the end.
using ByteReader = std::function<std::size_t(char*, std::size_t)>;

// True when the bytes start with the gzip magic number (1f 8b): files are recognised by their
// content, not by their name, since CloudWatch and S3 exports are named every which way.
bool isGzip(std::string_view start) noexcept;

// Decompresses gzip as it is read, block by block, so memory does not grow with the file.
// Concatenated members (what `cat a.gz b.gz` and S3 multi-part exports give) are read one after
// the other. Throws InputError naming the file when the data is corrupt or ends early, and when
// the decompressed text passes outputLimit bytes (a gzip bomb, or a file too large for memory:
// limitReason says which limit it is, in a sentence).
class GzipReader {
public:
    GzipReader(ByteReader compressed, std::string file, std::uint64_t outputLimit, std::string limitReason = {});
    GzipReader(const GzipReader&) = delete;
    GzipReader& operator=(const GzipReader&) = delete;
    ~GzipReader();

    std::size_t read(char* into, std::size_t capacity);
    std::uint64_t decompressedBytes() const noexcept { return m_produced; }
    int members() const noexcept { return m_members; }
    // Bytes after the last complete member that were not gzip data (ignored, as gzip -d does).
    std::uint64_t trailingBytes() const noexcept { return m_trailing; }

private:
    bool refill(std::size_t keep);
    [[noreturn]] void fail(const std::string& problem) const;

    struct Stream;
    std::unique_ptr<Stream> m_stream;
    ByteReader m_compressed;
    std::string m_file;
    std::uint64_t m_limit;
    std::string m_limitReason;
    std::vector<unsigned char> m_input;
    bool m_inputEnded = false;
    bool m_inMember = true;
    bool m_done = false;
    int m_members = 0;
    std::uint64_t m_produced = 0;
    std::uint64_t m_trailing = 0;
};

// Decompresses gzip held in memory (tests, the fuzzer), with the same checks as GzipReader.
std::string gunzip(std::string_view data, const std::string& file, std::uint64_t outputLimit);

} // namespace webthreat

#pragma once

#include "core/util/progress.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace webthreat {

class ArchiveReader;
class GzipReader;

// The decompressed text of a traffic file, read front to back in bounded memory, for the streaming
// readers: plain, gzip (GzipReader, concatenated members too), bzip2, xz, zstd, a tar.gz and the
// like, or one member of a zip or tar archive (libarchive), chosen as readTrafficFile chooses
// (core/io/trafficfile.h): by magic bytes, "FILE:MEMBER" naming a member, a container with one
// regular file read without naming it. Archives inside archives are refused as there. There is no
// limit on the decompressed size: streaming memory does not grow with it.
class TextSource {
public:
    explicit TextSource(const std::string& path, const Progress& progress = {});
    TextSource(const TextSource&) = delete;
    TextSource& operator=(const TextSource&) = delete;
    ~TextSource();

    // The first bytes of the text (fewer at its end), without consuming them.
    std::string_view peek(std::size_t bytes);
    std::size_t read(char* into, std::size_t capacity);

    // The file's size on disk, and the share of it consumed, in [0, 1].
    std::uint64_t fileBytes() const noexcept { return m_fileBytes; }
    double fraction() const noexcept;
    bool compressed() const noexcept { return m_gzip != nullptr || m_archive != nullptr; }
    // The file, or FILE:MEMBER, for messages.
    const std::string& displayName() const noexcept { return m_display; }
    // For the report: "" when plain, "gzip-compressed (1234 bytes)", "zip archive member x (1234 bytes)".
    std::string description() const;

private:
    std::size_t readRaw(char* into, std::size_t capacity);
    std::size_t readText(char* into, std::size_t capacity);
    void openArchive(const std::string& file, const std::string& member, const Progress& progress);

    std::string m_display;
    std::FILE* m_file = nullptr;
    std::uint64_t m_fileBytes = 0;
    std::uint64_t m_rawConsumed = 0;
    std::unique_ptr<GzipReader> m_gzip;
    std::unique_ptr<ArchiveReader> m_archive;
    std::string m_head; // text peeked at, handed out first
    std::size_t m_headOffset = 0;
    bool m_ended = false;
};

} // namespace webthreat

#pragma once

#include "core/util/progress.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct archive;

namespace webthreat {

// How a file's bytes are packed, from its first bytes (512 are enough to see a tar header).
enum class Packing : std::uint8_t {
    Plain, // text, or nothing known
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    Zip,
    Tar,
};

Packing packingOf(std::string_view start) noexcept;
// "gzip", "bzip2", "xz", "zstd", "zip", "tar"; empty for Plain.
std::string_view packingName(Packing packing) noexcept;
inline bool isContainer(Packing packing) noexcept
{
    return packing == Packing::Zip || packing == Packing::Tar;
}

// A path that names a file inside an archive: "capture.zip:traffic.csv". The member part is split
// off only when the whole path is not a file and the part before a ':' is one.
struct ArchivePath {
    std::string file;
    std::string member; // empty: the file itself
    std::string display() const { return member.empty() ? file : file + ":" + member; }
};
ArchivePath splitArchivePath(const std::string& path);

// A regular file inside a zip or tar archive (directories and links are not listed).
struct ArchiveMember {
    std::string name;
    std::uint64_t size = 0; // decompressed, as the archive states it
};

// Where an archive's bytes come from: opens a fresh libarchive handle on them (a file or bytes in
// memory). The reader may open twice: once to list a container's members, once to read one.
using ArchiveSource = std::function<int(::archive*)>;
ArchiveSource archiveFileSource(const std::string& path);
ArchiveSource archiveMemorySource(std::string_view bytes);

// The regular files of a zip or tar archive (also tar.gz, tar.bz2, tar.xz, tar.zst); empty when
// path is not such an archive. Throws InputError naming the file when it is a corrupt archive.
std::vector<ArchiveMember> listArchiveMembers(const std::string& path, const Progress& progress = {});

// Reads, through libarchive, a single compressed stream (gzip, bzip2, xz, zstd) or one member of a
// zip or tar archive, decompressing as it is read. With an empty member name a container must hold
// exactly one regular file; with several the message lists them and says how to choose one
// (FILE:NAME). Every error is an InputError naming the file (and the member). The decompressed size
// is checked as it grows: past outputLimit (0: none) it stops with limitReason and the ratio of
// decompressed to compressed bytes, which also stops a decompression bomb. progress is polled for
// cancel between archive entries and on every read.
class ArchiveReader {
public:
    ArchiveReader(ArchiveSource source, std::string file, std::string member, std::uint64_t outputLimit,
                  std::string limitReason, const Progress& progress = {});
    ArchiveReader(const ArchiveReader&) = delete;
    ArchiveReader& operator=(const ArchiveReader&) = delete;
    ~ArchiveReader();

    std::size_t read(char* into, std::size_t capacity);
    std::uint64_t decompressedBytes() const noexcept { return m_produced; }
    // Compressed bytes read from the source so far (for progress).
    std::uint64_t compressedBytes() const noexcept;
    // For the report: "bzip2-compressed (1234 bytes)", "zip archive member traffic.csv (1234 bytes)".
    std::string description() const;
    // The file and member, for messages: "capture.zip:traffic.csv" or "capture.csv.xz".
    std::string displayName() const;

private:
    void open();
    void selectMember(const std::vector<ArchiveMember>& members);
    [[noreturn]] void fail(const std::string& problem) const;

    struct Handle;
    std::unique_ptr<Handle> m_handle;
    ArchiveSource m_source;
    std::string m_file;
    std::string m_member;
    std::uint64_t m_limit;
    std::string m_limitReason;
    Progress m_progress;
    std::string m_kind; // "zip archive", "tar archive (gzip)", "xz-compressed"
    bool m_container = false;
    std::uint64_t m_produced = 0;
    std::uint64_t m_compressedTotal = 0;
};

} // namespace webthreat

#include "core/io/archive.h"

#include "core/util/errors.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <new>

namespace webthreat {

namespace {

bool startsWith(std::string_view text, std::string_view prefix) noexcept
{
    return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

// A reader that knows the compressions and containers the workbench reads; raw takes a single
// compressed stream (libarchive bids it last, so tar and zip win when they fit).
::archive* newArchive()
{
    ::archive* handle = archive_read_new();
    if (!handle)
        throw std::bad_alloc();
    archive_read_support_filter_gzip(handle);
    archive_read_support_filter_bzip2(handle);
    archive_read_support_filter_xz(handle);
    archive_read_support_filter_zstd(handle);
    archive_read_support_format_zip(handle);
    archive_read_support_format_tar(handle);
    archive_read_support_format_gnutar(handle);
    archive_read_support_format_raw(handle);
    return handle;
}

std::string libarchiveMessage(::archive* handle)
{
    const char* message = archive_error_string(handle);
    return message ? std::string(" (libarchive: ") + message + ")" : std::string();
}

// "a.csv, b.csv, c.csv", at most 20 names, then how many more.
std::string memberList(const std::vector<ArchiveMember>& members)
{
    constexpr std::size_t kShown = 20;
    std::string text;
    for (std::size_t i = 0; i < members.size() && i < kShown; ++i)
        text += (i > 0 ? ", " : "") + members[i].name;
    if (members.size() > kShown)
        text += " and " + std::to_string(members.size() - kShown) + " more";
    return text;
}

std::string ratioText(std::uint64_t produced, std::uint64_t compressed)
{
    if (compressed == 0)
        return {};
    return "; " + std::to_string(compressed) + " compressed bytes had already given " + std::to_string(produced)
        + ", a ratio of " + std::to_string(produced / compressed) + " to 1";
}

} // namespace

Packing packingOf(std::string_view start) noexcept
{
    if (startsWith(start, "\x1f\x8b"))
        return Packing::Gzip;
    if (startsWith(start, "BZh") && start.size() >= 4 && start[3] >= '1' && start[3] <= '9')
        return Packing::Bzip2;
    constexpr char kXzMagic[] = {'\xfd', '7', 'z', 'X', 'Z', '\0'};
    if (startsWith(start, std::string_view(kXzMagic, sizeof kXzMagic)))
        return Packing::Xz;
    if (startsWith(start, "\x28\xb5\x2f\xfd"))
        return Packing::Zstd;
    if (startsWith(start, "PK\x03\x04") || startsWith(start, "PK\x05\x06") || startsWith(start, "PK\x07\x08"))
        return Packing::Zip;
    // POSIX ustar and GNU tar headers carry "ustar" at offset 257.
    if (start.size() >= 262 && start.substr(257, 5) == "ustar")
        return Packing::Tar;
    return Packing::Plain;
}

std::string_view packingName(Packing packing) noexcept
{
    switch (packing) {
    case Packing::Plain:
        return "";
    case Packing::Gzip:
        return "gzip";
    case Packing::Bzip2:
        return "bzip2";
    case Packing::Xz:
        return "xz";
    case Packing::Zstd:
        return "zstd";
    case Packing::Zip:
        return "zip";
    case Packing::Tar:
        return "tar";
    }
    return "";
}

ArchivePath splitArchivePath(const std::string& path)
{
    std::error_code error;
    if (std::filesystem::exists(path, error))
        return {path, {}};
    for (std::size_t colon = path.find(':'); colon != std::string::npos; colon = path.find(':', colon + 1)) {
        const std::string file = path.substr(0, colon);
        if (colon > 0 && colon + 1 < path.size() && std::filesystem::is_regular_file(file, error))
            return {file, path.substr(colon + 1)};
    }
    return {path, {}};
}

ArchiveSource archiveFileSource(const std::string& path)
{
    return [path](::archive* handle) { return archive_read_open_filename(handle, path.c_str(), 1u << 16); };
}

ArchiveSource archiveMemorySource(std::string_view bytes)
{
    return [bytes](::archive* handle) { return archive_read_open_memory(handle, bytes.data(), bytes.size()); };
}

struct ArchiveReader::Handle {
    ::archive* handle = nullptr;
    ~Handle()
    {
        if (handle)
            archive_read_free(handle);
    }
};

ArchiveReader::ArchiveReader(ArchiveSource source, std::string file, std::string member, std::uint64_t outputLimit,
                             std::string limitReason, const Progress& progress)
    : m_source(std::move(source))
    , m_file(std::move(file))
    , m_member(std::move(member))
    , m_limit(outputLimit)
    , m_limitReason(std::move(limitReason))
    , m_progress(progress)
{
    open();
    archive_entry* entry = nullptr;
    ::archive* handle = m_handle->handle;
    if (!m_container) {
        if (!m_member.empty())
            throw InputError(m_file, 0, "",
                             "the file is not a zip or tar archive (it reads as " + m_kind
                                 + "), so it holds no file named '" + m_member + "'");
        return;
    }
    // Zip reads its list from the central directory, tar by skipping from header to header.
    std::vector<ArchiveMember> members;
    while (true) {
        m_progress.check();
        const int status = archive_read_next_header(handle, &entry);
        if (status == ARCHIVE_EOF)
            break;
        if (status < ARCHIVE_WARN)
            fail("the " + m_kind + " is corrupt or truncated" + libarchiveMessage(handle));
        if (archive_entry_filetype(entry) != AE_IFREG || !archive_entry_pathname(entry))
            continue;
        ArchiveMember found{archive_entry_pathname(entry),
                            static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)))};
        if (!m_member.empty() && found.name == m_member) {
            selectMember({found});
            return;
        }
        members.push_back(std::move(found));
    }
    selectMember(members);
}

ArchiveReader::~ArchiveReader() = default;

void ArchiveReader::fail(const std::string& problem) const
{
    throw InputError(displayName(), 0, "", problem);
}

std::string ArchiveReader::displayName() const
{
    return m_member.empty() ? m_file : m_file + ":" + m_member;
}

// Opens the source and reads the first header, which says what it is. A single stream is then
// ready to read; a container is opened once more, so that its entries are read from the first.
void ArchiveReader::open()
{
    const auto start = [this] {
        m_handle = std::make_unique<Handle>();
        m_handle->handle = newArchive();
        if (m_source(m_handle->handle) != ARCHIVE_OK)
            throw InputError(m_file, 0, "",
                             "the compressed data or archive is corrupt or truncated"
                                 + libarchiveMessage(m_handle->handle));
        return m_handle->handle;
    };
    ::archive* handle = start();
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(handle, &entry);
    const int format = archive_format(handle) & ARCHIVE_FORMAT_BASE_MASK;
    m_container = format == ARCHIVE_FORMAT_ZIP || format == ARCHIVE_FORMAT_TAR;
    const std::string filter = archive_filter_code(handle, 0) == ARCHIVE_FILTER_NONE
        ? std::string()
        : std::string(archive_filter_name(handle, 0));
    if (format == ARCHIVE_FORMAT_ZIP)
        m_kind = "zip archive";
    else if (format == ARCHIVE_FORMAT_TAR)
        m_kind = filter.empty() ? "tar archive" : "tar archive (" + filter + ")";
    else
        m_kind = filter.empty() ? "uncompressed file" : filter + "-compressed file";
    if (status == ARCHIVE_EOF && m_container)
        throw InputError(m_file, 0, "", "the " + m_kind + " holds no files");
    if (status < ARCHIVE_WARN)
        throw InputError(m_file, 0, "", "the " + m_kind + " is corrupt or truncated" + libarchiveMessage(handle));
    if (m_container)
        start();
}

// Positions the reader at the one member to read: the named one, or the only one.
void ArchiveReader::selectMember(const std::vector<ArchiveMember>& members)
{
    if (!m_member.empty() && members.size() != 1) {
        throw InputError(
            m_file, 0, "",
            "the " + m_kind + " holds no file named '" + m_member + "'"
                + (members.empty() ? std::string(" (it holds no files)") : "; it holds: " + memberList(members)));
    }
    if (members.empty())
        fail("the " + m_kind + " holds no files (only folders or links)");
    if (members.size() > 1) {
        throw InputError(m_file, 0, "",
                         "the " + m_kind + " holds " + std::to_string(members.size()) + " files; choose one as "
                             + m_file + ":NAME: " + memberList(members));
    }
    const std::string wanted = members.front().name;
    m_member = wanted;
    if (m_limit > 0 && members.front().size > m_limit)
        fail(m_limitReason.empty()
                 ? "decompressed, the file would be " + std::to_string(members.front().size) + " bytes, larger than "
                     + std::to_string(m_limit)
                 : m_limitReason + " (the archive says it is " + std::to_string(members.front().size) + " bytes)");
    // Reopen and skip to it: a tar cannot go back to an entry already passed.
    open();
    ::archive* handle = m_handle->handle;
    archive_entry* entry = nullptr;
    while (true) {
        m_progress.check();
        const int status = archive_read_next_header(handle, &entry);
        if (status == ARCHIVE_EOF)
            fail("the " + m_kind + " changed while it was read: the file is no longer in it");
        if (status < ARCHIVE_WARN)
            fail("the " + m_kind + " is corrupt or truncated" + libarchiveMessage(handle));
        if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_pathname(entry)
            && wanted == archive_entry_pathname(entry)) {
            if (archive_entry_is_data_encrypted(entry) > 0)
                fail("the file is encrypted in the " + m_kind
                     + "; the workbench does not read encrypted archives: extract it with its password first");
            return;
        }
    }
}

std::uint64_t ArchiveReader::compressedBytes() const noexcept
{
    const la_int64_t bytes = archive_filter_bytes(m_handle->handle, -1);
    return bytes > 0 ? static_cast<std::uint64_t>(bytes) : 0;
}

std::string ArchiveReader::description() const
{
    const std::string size = std::to_string(compressedBytes()) + " bytes";
    if (m_container)
        return m_kind + " member " + m_member + " (" + size + ")";
    return m_kind.substr(0, m_kind.size() - std::strlen(" file")) + " (" + size + ")";
}

std::size_t ArchiveReader::read(char* into, std::size_t capacity)
{
    m_progress.check();
    if (capacity == 0)
        return 0;
    const la_ssize_t got = archive_read_data(m_handle->handle, into, capacity);
    if (got < 0)
        fail("the " + m_kind + " is corrupt or truncated" + libarchiveMessage(m_handle->handle) + " ("
             + std::to_string(m_produced) + " bytes had been decompressed)");
    m_produced += static_cast<std::uint64_t>(got);
    if (m_limit > 0 && m_produced > m_limit) {
        const std::string reason = m_limitReason.empty()
            ? "the decompressed data is larger than " + std::to_string(m_limit) + " bytes"
            : m_limitReason;
        fail(reason + ratioText(m_produced, compressedBytes()));
    }
    return static_cast<std::size_t>(got);
}

std::vector<ArchiveMember> listArchiveMembers(const std::string& path, const Progress& progress)
{
    ::archive* raw = newArchive();
    std::unique_ptr<::archive, int (*)(::archive*)> handle(raw, &archive_read_free);
    if (archive_read_open_filename(raw, path.c_str(), 1u << 16) != ARCHIVE_OK)
        return {};
    std::vector<ArchiveMember> members;
    archive_entry* entry = nullptr;
    while (true) {
        progress.check();
        const int status = archive_read_next_header(raw, &entry);
        const int format = archive_format(raw) & ARCHIVE_FORMAT_BASE_MASK;
        if (format != ARCHIVE_FORMAT_ZIP && format != ARCHIVE_FORMAT_TAR)
            return {};
        if (status == ARCHIVE_EOF)
            return members;
        if (status < ARCHIVE_WARN)
            throw InputError(path, 0, "", "the archive is corrupt or truncated" + libarchiveMessage(raw));
        if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_pathname(entry))
            members.push_back({archive_entry_pathname(entry),
                               static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)))});
    }
}

} // namespace webthreat

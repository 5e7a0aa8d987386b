#include "core/stream/textsource.h"

#include "core/io/archive.h"
#include "core/io/decompress.h"
#include "core/util/errors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace webthreat {

namespace {
// Enough to see any compression's magic number and a tar header's.
constexpr std::size_t kPackingBytes = 512;

// As readTrafficFile: one level of packing only.
void refuseNested(std::string_view inner, const std::string& file, const std::string& outer)
{
    const Packing packing = packingOf(inner);
    if (packing == Packing::Plain)
        return;
    throw InputError(file, 0, "",
                     "the " + outer + " holds " + (isContainer(packing) ? "a " : "") + std::string(packingName(packing))
                         + (isContainer(packing) ? " archive" : "-compressed data")
                         + " in turn; archives and compressed files inside one another are read one level deep "
                           "only: extract the inner one first");
}
} // namespace

TextSource::TextSource(const std::string& path, const Progress& progress)
{
    const ArchivePath where = splitArchivePath(path);
    m_display = where.display();
    m_file = std::fopen(where.file.c_str(), "rb");
    if (!m_file)
        throw InputError(where.file, 0, "", std::string("cannot open the file: ") + std::strerror(errno));
    if (std::fseek(m_file, 0, SEEK_END) == 0) {
        const long size = std::ftell(m_file);
        m_fileBytes = size > 0 ? static_cast<std::uint64_t>(size) : 0;
        std::fseek(m_file, 0, SEEK_SET);
    }
    if (!where.member.empty()) {
        openArchive(where.file, where.member, progress);
        return;
    }
    std::string magic(kPackingBytes, '\0');
    magic.resize(std::fread(magic.data(), 1, magic.size(), m_file));
    std::fseek(m_file, 0, SEEK_SET);
    const Packing packing = packingOf(magic);
    if (packing == Packing::Plain)
        return;
    if (packing != Packing::Gzip) {
        openArchive(where.file, where.member, progress);
        return;
    }
    m_gzip = std::make_unique<GzipReader>([this](char* into, std::size_t capacity) { return readRaw(into, capacity); },
                                          where.file, std::numeric_limits<std::uint64_t>::max());
    if (packingOf(peek(kPackingBytes)) == Packing::Tar) {
        // A tar.gz: libarchive reads the archive and chooses its member.
        m_gzip.reset();
        m_head.clear();
        m_ended = false;
        m_rawConsumed = 0;
        std::fseek(m_file, 0, SEEK_SET);
        openArchive(where.file, where.member, progress);
        return;
    }
    refuseNested(peek(kPackingBytes), m_display, "gzip-compressed file");
}

void TextSource::openArchive(const std::string& file, const std::string& member, const Progress& progress)
{
    m_archive = std::make_unique<ArchiveReader>(archiveFileSource(file), file, member, 0, std::string(), progress);
    const std::string_view head = peek(kPackingBytes); // the member is chosen as it is first read
    m_display = m_archive->displayName();
    refuseNested(head, m_display, m_archive->description());
}

TextSource::~TextSource()
{
    m_archive.reset();
    m_gzip.reset();
    if (m_file)
        std::fclose(m_file);
}

double TextSource::fraction() const noexcept
{
    const std::uint64_t consumed = m_archive ? m_archive->compressedBytes() : m_rawConsumed;
    return m_fileBytes == 0 ? 1.0 : std::min(1.0, static_cast<double>(consumed) / static_cast<double>(m_fileBytes));
}

std::string TextSource::description() const
{
    if (m_archive)
        return m_archive->description();
    if (m_gzip)
        return "gzip-compressed (" + std::to_string(m_rawConsumed) + " bytes, " + std::to_string(m_gzip->members())
            + (m_gzip->members() == 1 ? " member)" : " members)");
    return {};
}

std::size_t TextSource::readRaw(char* into, std::size_t capacity)
{
    const std::size_t n = std::fread(into, 1, capacity, m_file);
    if (n == 0 && std::ferror(m_file))
        throw InputError(m_display, 0, "", std::string("cannot read the file: ") + std::strerror(errno));
    m_rawConsumed += n;
    return n;
}

std::size_t TextSource::readText(char* into, std::size_t capacity)
{
    if (m_archive)
        return m_archive->read(into, capacity);
    if (m_gzip)
        return m_gzip->read(into, capacity);
    return readRaw(into, capacity);
}

std::string_view TextSource::peek(std::size_t bytes)
{
    while (!m_ended && m_head.size() < bytes) {
        const std::size_t before = m_head.size();
        m_head.resize(bytes);
        const std::size_t got = readText(m_head.data() + before, bytes - before);
        m_head.resize(before + got);
        m_ended = got == 0;
    }
    return std::string_view(m_head).substr(m_headOffset, std::min(bytes, m_head.size() - m_headOffset));
}

std::size_t TextSource::read(char* into, std::size_t capacity)
{
    if (m_headOffset < m_head.size()) {
        const std::size_t take = std::min(capacity, m_head.size() - m_headOffset);
        std::memcpy(into, m_head.data() + m_headOffset, take);
        m_headOffset += take;
        if (m_headOffset == m_head.size())
            std::string().swap(m_head), m_headOffset = 0;
        return take;
    }
    return m_ended ? 0 : readText(into, capacity);
}

} // namespace webthreat

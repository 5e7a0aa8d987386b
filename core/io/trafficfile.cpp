#include "core/io/trafficfile.h"

#include "core/io/archive.h"
#include "core/io/decompress.h"
#include "core/io/elblogreader.h"
#include "core/io/csvreader.h"
#include "core/io/inputfile.h"
#include "core/util/errors.h"
#include "core/util/format.h"
#include "core/io/vpcflowreader.h"
#include "core/io/zeekconnreader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

namespace webthreat {

namespace {

// Enough of the start of a file to see its first lines, even long ALB ones.
constexpr std::size_t kDetectionBytes = 64u << 10;
// Enough to see any compression's magic number and a tar header's.
constexpr std::size_t kPackingBytes = 512;

// A byte stream whose start can be looked at before it is read.
class PeekSource {
public:
    explicit PeekSource(ByteReader read)
        : m_read(std::move(read))
    {
    }

    std::string_view peek(std::size_t bytes)
    {
        while (!m_ended && m_head.size() < bytes) {
            const std::size_t before = m_head.size();
            m_head.resize(bytes);
            const std::size_t got = m_read(m_head.data() + before, bytes - before);
            m_head.resize(before + got);
            m_ended = got == 0;
        }
        return std::string_view(m_head).substr(0, std::min(bytes, m_head.size()));
    }

    std::size_t read(char* into, std::size_t capacity)
    {
        if (m_offset < m_head.size()) {
            const std::size_t take = std::min(capacity, m_head.size() - m_offset);
            std::memcpy(into, m_head.data() + m_offset, take);
            m_offset += take;
            return take;
        }
        return m_ended ? 0 : m_read(into, capacity);
    }

    ByteReader reader()
    {
        return [this](char* into, std::size_t capacity) { return read(into, capacity); };
    }

private:
    ByteReader m_read;
    std::string m_head;
    std::size_t m_offset = 0;
    bool m_ended = false;
};

InputFormat chooseFormat(PeekSource& text, const std::string& file, const ReadOptions& options)
{
    if (options.format != InputFormat::Auto)
        return options.format;
    return chooseInputFormat(text.peek(kDetectionBytes), file, options);
}

ReadResult readLog(InputFormat format, PeekSource& text, const std::function<double()>& fraction,
                   const std::string& file, const ReadOptions& options, const Progress& progress)
{
    if (format == InputFormat::VpcFlowLog)
        return readVpcFlowLog(text.reader(), fraction, file, options, progress);
    if (format == InputFormat::ZeekConn)
        return readZeekConnLog(text.reader(), fraction, file, options, progress);
    return readElbLog(text.reader(), fraction, file, options, progress);
}

// The limit on decompressed text: the memory rule, applied as the text grows (which also stops a
// decompression bomb). 0 and no reason when the memory available is unknown.
std::pair<std::uint64_t, std::string> decompressedLimit(const ReadOptions& options)
{
    const MemoryBudget budget = memoryBudgetOf(options);
    const std::uint64_t available = budget.available();
    if (available == 0)
        return {0, {}};
    const std::uint64_t limit = budget.largestTextFor(available);
    return {limit,
            "decompressed, the file is larger than " + formatGiB(limit) + "; analysing it would need more than the "
                + formatGiB(available) + " of memory available"};
}

// Archives inside archives (and compressed files inside compressed files) are read one level deep
// only: a bomb nests them, and an analyst extracts the inner one with one command.
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

// Any file libarchive reads: bzip2, xz, zstd, a zip or tar archive (tar.gz and the like too).
ReadResult readArchive(const ArchiveSource& source, std::uint64_t rawBytes, const std::string& file,
                       const std::string& member, const ReadOptions& options, const Progress& progress)
{
    const auto [limit, limitReason] = decompressedLimit(options);
    ArchiveReader archive(source, file, member, limit, limitReason, progress);
    PeekSource text([&](char* into, std::size_t capacity) { return archive.read(into, capacity); });
    const std::string name = archive.displayName();
    refuseNested(text.peek(kPackingBytes), name, archive.description());
    const auto fraction = [&] {
        return rawBytes > 0
            ? std::min(1.0, static_cast<double>(archive.compressedBytes()) / static_cast<double>(rawBytes))
            : 0.0;
    };
    const InputFormat format = chooseFormat(text, name, options);
    ReadResult result = format == InputFormat::TrafficCsv
        ? readTrafficCsvStream(text.reader(), fraction, name, options, progress)
        : readLog(format, text, fraction, name, options, progress);
    result.report.format += ", " + archive.description();
    return result;
}

// Shared by the file and the in-memory entry points. plainCsv reads an uncompressed CSV the
// CSV reader's own way (its memory check, its parallel parse); gzip goes through the streaming
// GzipReader (which counts members and trailing bytes), everything else through libarchive.
ReadResult readAny(const ByteReader& raw, std::uint64_t rawBytes, const ArchivePath& path, const ArchiveSource& archive,
                   const ReadOptions& options, const Progress& progress, const std::function<ReadResult()>& plainCsv)
{
    options.validate();
    const std::string& file = path.file;
    std::uint64_t consumed = 0;
    PeekSource source([&](char* into, std::size_t capacity) {
        const std::size_t got = raw(into, capacity);
        consumed += got;
        return got;
    });
    const auto fraction
        = [&] { return rawBytes > 0 ? static_cast<double>(consumed) / static_cast<double>(rawBytes) : 0.0; };
    if (!path.member.empty())
        return readArchive(archive, rawBytes, file, path.member, options, progress);
    const Packing packing = packingOf(source.peek(kPackingBytes));
    if (packing == Packing::Plain) {
        const InputFormat format = chooseFormat(source, file, options);
        if (format == InputFormat::TrafficCsv)
            return plainCsv();
        memoryBudgetOf(options).refuseIfTooLarge(file, rawBytes);
        return readLog(format, source, fraction, file, options, progress);
    }
    if (packing != Packing::Gzip)
        return readArchive(archive, rawBytes, file, path.member, options, progress);

    const auto [limit, limitReason] = decompressedLimit(options);
    GzipReader gzip(source.reader(), file, limit, limitReason);
    PeekSource text([&](char* into, std::size_t capacity) { return gzip.read(into, capacity); });
    if (packingOf(text.peek(kPackingBytes)) == Packing::Tar)
        return readArchive(archive, rawBytes, file, path.member, options, progress);
    refuseNested(text.peek(kPackingBytes), file, "gzip-compressed file");
    const InputFormat format = chooseFormat(text, file, options);
    ReadResult result = format == InputFormat::TrafficCsv
        ? readTrafficCsvStream(text.reader(), fraction, file, options, progress)
        : readLog(format, text, fraction, file, options, progress);
    result.report.format += ", gzip-compressed (" + std::to_string(consumed) + " bytes, "
        + std::to_string(gzip.members()) + (gzip.members() == 1 ? " member)" : " members)");
    if (gzip.trailingBytes() > 0)
        result.report.warnings.push_back(
            std::to_string(gzip.trailingBytes())
            + " byte(s) after the end of the gzip data are not gzip data and were ignored");
    return result;
}

} // namespace

InputFormat chooseInputFormat(std::string_view head, const std::string& file, const ReadOptions& options)
{
    if (options.format != InputFormat::Auto)
        return options.format;
    // A CSV layout described by the caller (the import dialog, --map, --delimiter, --no-header)
    // says what the file is: its header need not name the schema's columns.
    const ReadOptions plain;
    if (!options.columnMap.empty() || !options.hasHeader || options.delimiter != plain.delimiter
        || options.quote != plain.quote || options.timestampFormat != plain.timestampFormat)
        return InputFormat::TrafficCsv;
    const FormatDetection detection = detectFormat(head, options.delimiter);
    if (detection.format == InputFormat::Auto)
        throw InputError(file, detection.line, "", detection.explanation);
    return detection.format;
}

ReadResult readTrafficFile(const std::string& path, const ReadOptions& options, const Progress& progress)
{
    options.validate();
    const ArchivePath where = splitArchivePath(path);
    std::optional<InputFile> file(std::in_place, where.file);
    const std::uint64_t size = file->size();
    const ByteReader raw = [&](char* into, std::size_t capacity) { return file->read(into, capacity); };
    return readAny(raw, size, where, archiveFileSource(where.file), options, progress, [&] {
        file.reset(); // the CSV reader opens the file itself
        return readTrafficCsv(path, options, progress);
    });
}

ReadResult readTrafficBytes(std::string_view bytes, const std::string& displayName, const ReadOptions& options,
                            const Progress& progress)
{
    std::size_t offset = 0;
    const ByteReader raw = [&](char* into, std::size_t capacity) {
        const std::size_t take = std::min(capacity, bytes.size() - offset);
        std::memcpy(into, bytes.data() + offset, take);
        offset += take;
        return take;
    };
    return readAny(raw, bytes.size(), ArchivePath{displayName, {}}, archiveMemorySource(bytes), options, progress,
                   [&] { return readTrafficCsvText(bytes, displayName, options, progress); });
}

} // namespace webthreat

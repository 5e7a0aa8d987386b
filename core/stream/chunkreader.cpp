#include "core/stream/chunkreader.h"

#include "core/io/csvreader.h"
#include "core/stream/textsource.h"
#include "core/util/errors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace webthreat {

namespace {
constexpr std::size_t kRawBlock = std::size_t(1) << 20;

bool startsWithSepLine(std::string_view text)
{
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB
        && static_cast<unsigned char>(text[2]) == 0xBF)
        text.remove_prefix(3);
    return text.size() >= 4 && (text[0] == 's' || text[0] == 'S') && (text[1] == 'e' || text[1] == 'E')
        && (text[2] == 'p' || text[2] == 'P') && text[3] == '=';
}
// LF count by memchr from line end to line end: several times faster than std::count over a
// chunk of lines of a few hundred bytes (std::count's loop was 5 % of a streaming run).
std::size_t countLineEnds(std::string_view text)
{
    std::size_t count = 0;
    const char* at = text.data();
    const char* const end = at + text.size();
    while (at < end) {
        const void* lf = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
        if (!lf)
            break;
        ++count;
        at = static_cast<const char*>(lf) + 1;
    }
    return count;
}
} // namespace

CsvChunkReader::CsvChunkReader(const std::string& path, ReadOptions options, std::size_t chunkBytes)
    : CsvChunkReader(std::make_unique<TextSource>(path), std::move(options), chunkBytes)
{
}

CsvChunkReader::CsvChunkReader(std::unique_ptr<TextSource> text, ReadOptions options, std::size_t chunkBytes)
    : m_path(text->displayName())
    , m_options(std::move(options))
    , m_chunkBytes(std::max<std::size_t>(chunkBytes, 4096))
    , m_text(std::move(text))
{
    m_options.validate();
    // A chunk is small by construction: the whole-file memory rule does not apply to it.
    m_options.memoryBudget = 0;
    m_report.file = m_path;
    m_report.bytes = m_text->fileBytes();
    // Room for a chunk, the blocks read past it and the header, taken once: growing by doubling
    // copied the text again at each step and touched twice the pages (measured: a tenth of a
    // streaming run's time went to those copies and page faults).
    m_pending.reserve(m_chunkBytes + 2 * std::min(kRawBlock, m_chunkBytes) + 65536 + 4096);
}

CsvChunkReader::~CsvChunkReader() = default;

std::uint64_t CsvChunkReader::fileBytes() const noexcept
{
    return m_text->fileBytes();
}

bool CsvChunkReader::compressed() const noexcept
{
    return m_text->compressed();
}

double CsvChunkReader::fraction() const noexcept
{
    return m_text->fraction();
}

std::size_t CsvChunkReader::readRaw(char* into, std::size_t capacity)
{
    return m_text->read(into, capacity);
}

// Reads until m_pending holds at least wanted bytes or the input ends; false when it ended.
bool CsvChunkReader::fill(std::size_t wanted)
{
    // Blocks no larger than a chunk, so a chunk is at most twice chunkBytes.
    const std::size_t block = std::min(kRawBlock, m_chunkBytes);
    while (!m_eof && m_pending.size() < wanted) {
        const std::size_t before = m_pending.size();
        m_pending.resize(before + block);
        const std::size_t n = readRaw(m_pending.data() + before, block);
        m_pending.resize(before + n);
        if (n == 0)
            m_eof = true;
    }
    return !m_eof;
}

// The end of the last complete record in m_pending (just past its LF), 0 when there is none.
// The body (after the header kept in front) starts at a record boundary, so a scan of quotes from
// there knows which line ends are inside quoted fields. The scan resumes where it stopped
// (m_scanned, m_scanQuoted), so a record that spans many read blocks is not rescanned from its
// start for each; it jumps from quote to quote with memchr and looks only for the last LF of each
// stretch outside quotes.
std::size_t CsvChunkReader::recordEnd()
{
    const char* data = m_pending.data();
    const std::size_t size = m_pending.size();
    const char quote = m_options.quote;
    std::size_t position = m_scanned;
    while (position < size) {
        const void* found = quote == '\0' ? nullptr : std::memchr(data + position, quote, size - position);
        const std::size_t stretchEnd = found ? static_cast<std::size_t>(static_cast<const char*>(found) - data) : size;
        if (!m_scanQuoted && stretchEnd > position) {
            if (const void* lf = memrchr(data + position, '\n', stretchEnd - position))
                m_scanEnd = static_cast<std::size_t>(static_cast<const char*>(lf) - data) + 1;
        }
        if (!found)
            break;
        m_scanQuoted = !m_scanQuoted;
        position = stretchEnd + 1;
    }
    m_scanned = size;
    return m_scanEnd;
}

void CsvChunkReader::takeHeader()
{
    m_started = true;
    if (!m_options.hasHeader)
        return;
    // The header is the first record (two with a spreadsheet's 'sep=X' line before it). It stays at
    // the front of m_pending: each chunk is parsed in place, header and body together.
    const int records = startsWithSepLine(std::string_view(m_pending).substr(0, 8)) ? 2 : 1;
    std::size_t end = 0;
    for (int r = 0; r < records; ++r) {
        bool quoted = false;
        std::size_t i = end;
        for (; i < m_pending.size(); ++i) {
            if (m_pending[i] == m_options.quote && m_options.quote != '\0')
                quoted = !quoted;
            else if (m_pending[i] == '\n' && !quoted)
                break;
        }
        end = std::min(i + 1, m_pending.size());
    }
    if ((end == 0 || m_pending[end - 1] != '\n') && m_pending.find('\r') != std::string::npos)
        throw InputError(m_path, 1, "",
                         "no line end (LF) in the first " + std::to_string(m_pending.size())
                             + " bytes: streaming mode cuts the file at LF or CRLF line ends; a file whose lines end "
                               "in CR alone can be read whole (without --stream, with a larger --memory-budget)");
    m_headerLines = static_cast<std::int64_t>(std::count(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
    if (end > 0 && m_pending[end - 1] != '\n') {
        m_pending.insert(end, 1, '\n');
        ++end;
        ++m_headerLines;
    }
    m_bodyStart = end;
    m_nextLine = 1 + m_headerLines;
}

bool CsvChunkReader::next(ReadResult& chunk, const Progress& progress)
{
    chunk = {};
    progress.check();
    const bool more = fill(m_bodyStart + m_chunkBytes + (m_started ? 0 : std::min<std::size_t>(m_chunkBytes, 65536)));
    if (!m_started)
        takeHeader();
    if (m_pending.size() == m_bodyStart && !more) {
        if (m_textBytes == 0 && m_report.rows == 0 && m_report.header.empty()) {
            // The reader's own messages for an empty file or one with only a header.
            chunk = readTrafficCsvText(m_pending, m_path, m_options);
            addReport(chunk.report);
        }
        chunk = {};
        describeFormat();
        return false;
    }
    // Grow until a whole record fits (up to the record limit, past which the reader refuses it).
    m_scanned = m_bodyStart;
    m_scanQuoted = false;
    m_scanEnd = 0;
    std::size_t cut = m_eof ? m_pending.size() : recordEnd();
    while (cut == 0 && !m_eof && m_pending.size() <= m_bodyStart + m_options.maxRecordBytes + m_chunkBytes) {
        fill(m_pending.size() + kRawBlock);
        cut = m_eof ? m_pending.size() : recordEnd();
    }
    const std::int64_t offset = m_nextLine - 1 - m_headerLines;
    const auto parse = [&](std::string_view text) {
        try {
            return readTrafficCsvText(text, m_path, m_options, Progress({}, progress.cancelFlag()));
        } catch (const InputError& error) {
            if (error.line() > m_headerLines)
                throw InputError(error.file(), error.line() + offset, error.column(), error.problem());
            throw;
        }
    };
    if (cut == 0) {
        // No line end outside quotes within the record limit: the CSV reader, given the whole
        // stretch, refuses it with its own message (a record too long, a quote never closed).
        // Any other case is lines ended by CR alone, which a chunk cannot be cut at.
        parse(m_pending);
        throw InputError(m_path, m_nextLine, "",
                         "no line end (LF) in " + std::to_string(m_pending.size() - m_bodyStart)
                             + " bytes: streaming mode cuts the file at LF or CRLF line ends; a file whose lines end "
                               "in CR alone can be read whole (without --stream, with a larger --memory-budget)");
    }
    // The last line of a file without a final line end counts too.
    const std::int64_t lines = static_cast<std::int64_t>(countLineEnds(std::string_view(m_pending).substr(m_bodyStart, cut - m_bodyStart)))
        + (cut > m_bodyStart && m_pending[cut - 1] != '\n' ? 1 : 0);
    m_textBytes += cut - m_bodyStart;
    chunk = parse(std::string_view(m_pending).substr(0, cut));
    m_pending.erase(m_bodyStart, cut - m_bodyStart);
    for (std::uint32_t& line : chunk.table.sourceLines)
        line = static_cast<std::uint32_t>(line + offset);
    for (std::int64_t& line : chunk.report.malformed.firstLines)
        line += offset;
    m_nextLine += lines;
    addReport(chunk.report);
    return true;
}

// What the file was read as, with its packing (whose counts, compressed bytes and gzip members,
// are final once the text has ended).
void CsvChunkReader::describeFormat()
{
    m_report.format = m_readAs;
    if (const std::string packing = m_text->description(); !packing.empty())
        m_report.format += ", " + packing;
}

void CsvChunkReader::addReport(const ReadReport& chunk)
{
    if (m_report.header.empty()) {
        m_readAs = chunk.format;
        describeFormat();
        m_report.header = chunk.header;
        m_report.absentColumns = chunk.absentColumns;
        m_report.extraColumns = chunk.extraColumns;
        m_report.expectedFields = chunk.expectedFields;
        m_report.sepLineDelimiter = chunk.sepLineDelimiter;
        m_report.warnings = chunk.warnings;
    }
    m_report.lines = m_nextLine - 1;
    m_report.rows += chunk.rows;
    m_report.blankLines += chunk.blankLines;
    m_report.malformed.count += chunk.malformed.count;
    for (std::size_t i = 0; i < chunk.malformed.firstLines.size()
         && m_report.malformed.firstLines.size() < MalformedRows::kKeptLines;
         ++i) {
        m_report.malformed.firstLines.push_back(chunk.malformed.firstLines[i]);
        if (i < chunk.malformed.firstFieldCounts.size())
            m_report.malformed.firstFieldCounts.push_back(chunk.malformed.firstFieldCounts[i]);
    }
    m_report.repeatedHeaders.count += chunk.repeatedHeaders.count;
    m_report.nonUtf8Cells += chunk.nonUtf8Cells;
    m_report.invalidAddresses += chunk.invalidAddresses;
    m_report.seconds += chunk.seconds;
}

} // namespace webthreat

#include "core/io/logtable.h"

#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>

namespace webthreat {

LineReader::LineReader(ByteReader read, std::size_t blockBytes, std::string file, std::size_t maxLineBytes)
    : m_read(std::move(read))
    , m_file(std::move(file))
    , m_maxLine(maxLineBytes)
    , m_buffer(std::max<std::size_t>(blockBytes, 4096))
{
}

void LineReader::refuseLongLine() const
{
    throw InputError(m_file, m_line + 1, "",
                     recordTooLong(m_maxLine, "is the file missing its line ends, or not a text log?"));
}

// Reads more after the unread part; false when nothing more came.
bool LineReader::fill()
{
    if (m_eof)
        return false;
    if (m_begin > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_end - m_begin > m_maxLine)
        refuseLongLine();
    if (m_end == m_buffer.size())
        m_buffer.resize(m_buffer.size() * 2); // one line longer than a block: doubled, so read in linear time
    const std::size_t got = m_read(m_buffer.data() + m_end, m_buffer.size() - m_end);
    if (got == 0) {
        m_eof = true;
        return false;
    }
    if (!m_started) {
        m_started = true;
        const std::string_view start(m_buffer.data(), got);
        refuseUtf16(start, m_file, "text");
        m_begin = utf8ByteOrderMarkLength(start);
    }
    m_end += got;
    m_bytes += got;
    return true;
}

bool LineReader::next(std::string_view& line)
{
    std::size_t scanned = m_begin;
    for (;;) {
        const char* base = m_buffer.data();
        const char* found = std::find_if(base + scanned, base + m_end, [](char c) { return c == '\n' || c == '\r'; });
        const auto stop = static_cast<std::size_t>(found - base);
        if (stop < m_end && !(base[stop] == '\r' && stop + 1 == m_end && !m_eof)) {
            if (stop - m_begin > m_maxLine)
                refuseLongLine();
            line = std::string_view(base + m_begin, stop - m_begin);
            m_begin = stop + 1;
            if (base[stop] == '\r' && m_begin < m_end && base[m_begin] == '\n')
                ++m_begin;
            break;
        }
        const std::size_t offset = stop - m_begin;
        const bool deferredLineEnd = stop < m_end; // a CR last in the buffer: CRLF or not?
        if (!fill()) {
            if (deferredLineEnd) {
                scanned = m_begin + offset; // the end of the data: that CR ends the line
                continue;
            }
            if (m_begin == m_end)
                return false;
            if (m_end - m_begin > m_maxLine)
                refuseLongLine();
            line = std::string_view(m_buffer.data() + m_begin, m_end - m_begin); // no final line end
            m_begin = m_end;
            break;
        }
        scanned = m_begin + offset;
    }
    ++m_line;
    if (std::memchr(line.data(), '\0', line.size()))
        throw InputError(m_file, m_line, "",
                         "the file holds a NUL byte here: it is binary or corrupted, not a text log");
    return true;
}

void splitBlanks(std::string_view line, std::vector<std::string_view>& fields, std::size_t maxFields)
{
    fields.clear();
    std::size_t i = 0;
    const std::size_t size = line.size();
    while (i < size && fields.size() < maxFields) {
        while (i < size && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const std::size_t start = i;
        while (i < size && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            fields.push_back(line.substr(start, i - start));
    }
}

bool splitQuoted(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch,
                 std::size_t maxFields)
{
    fields.clear();
    scratch.clear();
    scratch.reserve(line.size());
    std::size_t i = 0;
    const std::size_t size = line.size();
    while (i < size && fields.size() < maxFields) {
        if (line[i] == ' ') {
            ++i;
            continue;
        }
        // A field runs to the next blank outside quotes; \" inside quotes is a literal quote.
        const std::size_t start = i;
        bool inQuotes = false;
        std::size_t quotes = 0;
        bool escaped = false;
        for (; i < size && (inQuotes || line[i] != ' '); ++i) {
            if (line[i] == '\\' && i + 1 < size) {
                escaped = true;
                ++i;
            } else if (line[i] == '"') {
                inQuotes = !inQuotes;
                ++quotes;
            }
        }
        if (inQuotes)
            return false;
        const std::string_view field = line.substr(start, i - start);
        if (quotes != 2 || field.size() < 2 || field.front() != '"' || field.back() != '"') {
            fields.push_back(field); // not one quoted value ("h2","http/1.1"): kept as written
        } else if (!escaped) {
            fields.push_back(field.substr(1, field.size() - 2));
        } else {
            const std::size_t from = scratch.size();
            for (std::size_t k = 1; k + 1 < field.size(); ++k) {
                if (field[k] == '\\' && k + 2 < field.size())
                    ++k;
                scratch.push_back(field[k]);
            }
            fields.push_back(std::string_view(scratch).substr(from));
        }
    }
    return true;
}

ReadResult readLogLines(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                        const ReadOptions& options, const Progress& progress, std::string_view formatName,
                        const std::function<void(std::string_view, std::int64_t)>& line,
                        const std::function<ReadResult(std::int64_t, std::uint64_t)>& finish)
{
    options.validate();
    const auto started = std::chrono::steady_clock::now();
    LineReader lines(read, options.blockBytes, file, options.maxRecordBytes);
    std::string_view text;
    while (lines.next(text)) {
        if ((lines.lineNumber() & 4095) == 0) {
            progress.check();
            if (fraction)
                progress.report("read", std::min(1.0, fraction()));
        }
        line(text, lines.lineNumber());
    }
    ReadResult result = finish(lines.lineNumber(), lines.bytes());
    result.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    logger::core()->info("read {} as {}: {} lines, {} rows, {} skipped, {} invalid cells in {:.3f} s", file, formatName,
                         result.report.lines, result.report.rows, result.report.malformed.count,
                         result.report.invalidCellCount(), result.report.seconds);
    return result;
}

LogTable::LogTable(std::string file)
    : m_file(std::move(file))
{
    m_report.file = m_file;
}

std::size_t LogTable::extraColumn(std::string_view name)
{
    for (std::size_t c = kFieldCount; c < m_table.columns.size(); ++c) {
        if (m_table.columns[c].name == name)
            return c;
    }
    Column column{std::string(name), ColumnKind::Text, {}, {}, {}};
    column.resize(m_table.rowCount());
    m_table.columns.push_back(std::move(column));
    m_report.extraColumns.emplace_back(name);
    return m_table.columns.size() - 1;
}

void LogTable::addRow(std::int64_t line)
{
    m_table.sourceLines.push_back(static_cast<std::uint32_t>(line)); // a log of 4 billion lines would not fit in memory
    for (Column& column : m_table.columns) {
        if (column.kind == ColumnKind::Text)
            column.text.push_back(StringPool::kMissing);
        else
            column.integers.push_back(kMissingInteger);
    }
}

void LogTable::setText(std::size_t column, std::string_view text)
{
    m_table.columns[column].text.back() = text.empty() ? StringPool::kMissing : m_table.strings->intern(text);
}

void LogTable::invalidCell(std::string_view field, std::int64_t line, std::string_view value, const char* reason)
{
    auto found = std::find_if(m_invalid.begin(), m_invalid.end(), [&](const Invalid& i) { return i.field == field; });
    if (found == m_invalid.end()) {
        m_invalid.push_back(
            Invalid{std::string(field), InvalidCells{std::string(field), 0, {}, shortenForMessage(value), reason}});
        found = m_invalid.end() - 1;
    }
    InvalidCells& cells = found->cells;
    ++cells.count;
    if (cells.firstLines.size() < InvalidCells::kKeptLines)
        cells.firstLines.push_back(line);
}

void LogTable::malformedLine(std::int64_t line, std::size_t fields, const std::string& reason)
{
    MalformedRows& malformed = m_report.malformed;
    if (malformed.count++ == 0)
        m_firstMalformedReason = reason;
    if (malformed.firstLines.size() < MalformedRows::kKeptLines) {
        malformed.firstLines.push_back(line);
        malformed.firstFieldCounts.push_back(fields);
    }
}

ReadResult LogTable::finish(std::int64_t lines, std::uint64_t bytes, std::string_view lineKind)
{
    for (const Invalid& invalid : m_invalid) {
        m_report.invalidCells.push_back(invalid.cells);
        m_report.warnings.push_back(invalidCellsWarning(invalid.cells));
    }
    reportTextProblems(m_table, m_report);
    const MalformedRows& malformed = m_report.malformed;
    if (malformed.count > 0) {
        std::string list;
        for (std::size_t i = 0; i < malformed.firstLines.size(); ++i)
            list += (list.empty() ? "" : ", ") + std::to_string(malformed.firstLines[i]) + " ("
                + std::to_string(malformed.firstFieldCounts[i]) + " fields)";
        m_report.warnings.push_back(std::to_string(malformed.count) + " line(s) skipped for not being "
                                    + std::string(lineKind) + " (first: " + m_firstMalformedReason + "): line(s) "
                                    + list + (malformed.count > malformed.firstLines.size() ? ", ..." : ""));
    }
    m_report.rows = m_table.rowCount();
    m_report.lines = lines;
    m_report.bytes = bytes;
    return ReadResult{std::move(m_table), std::move(m_report)};
}

} // namespace webthreat

#include "core/stream/logchunkreader.h"

#include "core/io/elblogreader.h"
#include "core/io/logtable.h"
#include "core/io/trafficfile.h"
#include "core/io/vpcflowreader.h"
#include "core/io/zeekconnreader.h"
#include "core/stream/chunkreader.h"
#include "core/stream/textsource.h"
#include "core/util/errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <iterator>

namespace webthreat {

namespace {
constexpr std::size_t kRawBlock = std::size_t(1) << 20;
constexpr std::size_t kDetectionBytes = std::size_t(64) << 10;

bool hasContent(std::string_view text) noexcept
{
    return text.find_first_not_of(" \t\r\n") != std::string_view::npos;
}

std::string_view withoutCr(std::string_view line) noexcept
{
    return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
}

// An error from a chunk names the file's line: lines past the re-fed header are shifted back.
InputError shifted(const InputError& error, std::int64_t headerLines, std::int64_t offset)
{
    if (error.line() > headerLines)
        return InputError(error.file(), error.line() + offset, error.column(), error.problem());
    return error;
}

void shiftLines(std::vector<std::int64_t>& lines, std::int64_t offset)
{
    for (std::int64_t& line : lines)
        line += offset;
}

// Whether two VPC Flow Log records are the two directions of one flow on one interface (addresses
// and ports swapped), by the field positions of the layout in force.
bool reverseDirections(std::string_view a, std::string_view b, const std::array<std::size_t, 5>& at)
{
    std::vector<std::string_view> x, y;
    splitBlanks(a, x, kMaxLogFields);
    splitBlanks(b, y, kMaxLogFields);
    const std::size_t needed = *std::max_element(at.begin(), at.end()) + 1;
    if (x.size() < needed || y.size() < needed)
        return false;
    // at: interface, srcaddr, dstaddr, srcport, dstport
    return x[at[0]] == y[at[0]] && x[at[1]] == y[at[2]] && x[at[2]] == y[at[1]] && x[at[3]] == y[at[4]]
        && x[at[4]] == y[at[3]];
}

void appendLines(std::vector<std::int64_t>& into, const std::vector<std::int64_t>& from, std::size_t kept)
{
    for (std::size_t i = 0; i < from.size() && into.size() < kept; ++i)
        into.push_back(from[i]);
}
} // namespace

std::unique_ptr<ChunkSource> openChunkSource(const std::string& path, const ReadOptions& options, std::size_t chunkBytes)
{
    options.validate();
    auto text = std::make_unique<TextSource>(path);
    const InputFormat format = chooseInputFormat(text->peek(kDetectionBytes), text->displayName(), options);
    if (format == InputFormat::TrafficCsv)
        return std::make_unique<CsvChunkReader>(std::move(text), options, chunkBytes);
    return std::make_unique<LogChunkReader>(std::move(text), format, options, chunkBytes);
}

LogChunkReader::LogChunkReader(std::unique_ptr<TextSource> text, InputFormat format, ReadOptions options,
                               std::size_t chunkBytes)
    : m_text(std::move(text))
    , m_format(format)
    , m_options(std::move(options))
    , m_chunkBytes(std::max<std::size_t>(chunkBytes, 64))
    , m_path(m_text->displayName())
{
    if (m_format == InputFormat::Auto || m_format == InputFormat::TrafficCsv)
        throw ParameterError("LogChunkReader reads the log formats; CSV is CsvChunkReader's");
    m_options.validate();
    // A chunk is small by construction: the whole-file memory rule does not apply to it.
    m_options.memoryBudget = 0;
    m_report.file = m_path;
    m_report.bytes = m_text->fileBytes();
}

LogChunkReader::~LogChunkReader() = default;

double LogChunkReader::fraction() const noexcept
{
    return m_text->fraction();
}

bool LogChunkReader::compressed() const noexcept
{
    return m_text->compressed();
}

std::vector<std::string> LogChunkReader::notes() const
{
    std::vector<std::string> notes;
    if (m_format == InputFormat::VpcFlowLog && m_chunks > 1)
        notes.push_back("VPC Flow Log records were joined into session rows within each chunk of "
                        + std::to_string(m_chunkBytes >> 10)
                        + " KiB of text (a chunk never ends between two records of a flow written one after the "
                          "other): two directions of a flow written apart, on either side of a chunk's end, stay two "
                          "one-way rows, where the whole file's read joins them");
    if (m_chunks > 1)
        notes.push_back("the reader's warnings are the first chunk's; its counts (rows, malformed lines, invalid "
                        "cells) are the whole file's");
    return notes;
}

// Reads until m_pending holds at least wanted bytes or the text ends; false when it ended.
bool LogChunkReader::fill(std::size_t wanted)
{
    const std::size_t block = std::min(kRawBlock, m_chunkBytes);
    while (!m_eof && m_pending.size() < wanted) {
        const std::size_t before = m_pending.size();
        m_pending.resize(before + block);
        const std::size_t n = m_text->read(m_pending.data() + before, block);
        m_pending.resize(before + n);
        if (n == 0)
            m_eof = true;
    }
    return !m_eof;
}

// Just past the last LF in m_pending (everything at the end of the text), read further while a
// line is longer than what is held, up to the reader's record limit.
std::size_t LogChunkReader::cutPoint(const Progress& progress)
{
    std::size_t scanned = 0;
    for (;;) {
        if (m_eof)
            return m_pending.size();
        if (const void* lf = memrchr(m_pending.data() + scanned, '\n', m_pending.size() - scanned))
            return static_cast<std::size_t>(static_cast<const char*>(lf) - m_pending.data()) + 1;
        if (m_pending.size() > m_options.maxRecordBytes + m_chunkBytes)
            break;
        scanned = m_pending.size();
        fill(m_pending.size() + std::min(kRawBlock, m_chunkBytes));
    }
    // No LF within the limit: the reader refuses a line that long with its own message; any other
    // case is lines ended by CR alone, which a chunk cannot be cut at.
    parseChunk(m_pending, progress);
    throw InputError(m_path, m_nextLine, "",
                     "no line end (LF) in " + std::to_string(m_pending.size())
                         + " bytes: streaming mode cuts the file at LF or CRLF line ends; a file whose lines end in "
                           "CR alone can be read whole (without --stream, with a larger --memory-budget)");
}

ReadResult LogChunkReader::parse(std::string_view prefix, std::string_view body, const Progress& progress) const
{
    // The header lines, then the chunk's text as it lies in the buffer: no copy of the chunk.
    std::size_t offset = 0;
    const ByteReader read = [&](char* into, std::size_t capacity) {
        const std::string_view from = offset < prefix.size() ? prefix.substr(offset) : body.substr(offset - prefix.size());
        const std::size_t take = std::min(capacity, from.size());
        std::memcpy(into, from.data(), take);
        offset += take;
        return take;
    };
    const auto fraction = [] { return 0.0; };
    const Progress quiet({}, progress.cancelFlag());
    if (m_format == InputFormat::VpcFlowLog)
        return readVpcFlowLog(read, fraction, m_path, m_options, quiet);
    if (m_format == InputFormat::ZeekConn)
        return readZeekConnLog(read, fraction, m_path, m_options, quiet);
    return readElbLog(read, fraction, m_path, m_options, quiet);
}

// The chunk's text with the header in force before it, parsed, its lines made the file's. A later
// chunk of only unusable lines makes the reader refuse "the file" (no usable line): it is parsed
// again with a line that made a row before it (the witness), whose row is then dropped, so its
// lines are counted as malformed as in the whole file's read.
ReadResult LogChunkReader::parseChunk(std::string_view body, const Progress& progress)
{
    std::string prefix;
    std::int64_t headerLines = 0;
    if (!m_first) {
        for (const auto& line : m_header) {
            prefix.append(line.second).push_back('\n');
            ++headerLines;
        }
    }
    std::int64_t offset = m_nextLine - 1 - headerLines;
    ReadResult result;
    try {
        result = parse(prefix, body, progress);
    } catch (const InputError& error) {
        if (m_first || m_witness.empty() || error.problem().rfind("no line of the file is", 0) != 0)
            throw shifted(error, headerLines, offset);
        prefix.append(m_witness).push_back('\n');
        ++headerLines;
        --offset;
        try {
            result = parse(prefix, body, progress);
        } catch (const InputError& again) {
            throw shifted(again, headerLines, offset);
        }
        std::vector<std::uint32_t> keep;
        for (std::size_t row = 0; row < result.table.rowCount(); ++row) {
            if (result.table.sourceLines[row] > headerLines)
                keep.push_back(static_cast<std::uint32_t>(row));
        }
        result.report.rows -= result.table.rowCount() - keep.size();
        result.table.keepRows(keep);
    }
    if (m_witness.empty() && result.table.rowCount() > 0 && result.table.sourceLines.front() > headerLines)
        keepWitness(body, result.table.sourceLines.front() - headerLines);
    for (std::uint32_t& line : result.table.sourceLines)
        line = static_cast<std::uint32_t>(line + offset);
    ReadReport& report = result.report;
    shiftLines(report.malformed.firstLines, offset);
    shiftLines(report.repeatedHeaders.firstLines, offset);
    for (InvalidCells& cells : report.invalidCells)
        shiftLines(cells.firstLines, offset);
    addReport(report);
    conform(result.table);
    return result;
}

void LogChunkReader::startFrom(const ColumnLayout& layout)
{
    m_columns = layout;
}

// The chunk's extra columns made those seen so far, in their order (new ones join at the end).
void LogChunkReader::conform(TrafficTable& table)
{
    for (std::size_t c = kFieldCount; c < table.columns.size(); ++c) {
        const Column& column = table.columns[c];
        const bool known = std::any_of(m_columns.begin(), m_columns.end(), [&](const std::pair<std::string, ColumnKind>& kept) {
            return kept.first == column.name;
        });
        if (!known)
            m_columns.emplace_back(column.name, column.kind);
    }
    bool same = table.columns.size() == kFieldCount + m_columns.size();
    for (std::size_t i = 0; same && i < m_columns.size(); ++i)
        same = table.columns[kFieldCount + i].name == m_columns[i].first;
    if (same)
        return;
    std::vector<Column> columns;
    columns.reserve(kFieldCount + m_columns.size());
    std::move(table.columns.begin(), table.columns.begin() + static_cast<std::ptrdiff_t>(kFieldCount),
              std::back_inserter(columns));
    for (const auto& wanted : m_columns) {
        auto found = std::find_if(table.columns.begin() + static_cast<std::ptrdiff_t>(kFieldCount), table.columns.end(),
                                  [&](const Column& column) { return column.name == wanted.first; });
        if (found != table.columns.end()) {
            columns.push_back(std::move(*found));
            continue;
        }
        Column missing;
        missing.name = wanted.first;
        missing.kind = wanted.second;
        missing.resize(table.rowCount());
        columns.push_back(std::move(missing));
    }
    table.columns = std::move(columns);
}

// A VPC Flow Log chunk does not end between the two directions of a flow written one after the
// other (as AWS and most exports write them): the in-memory read would join them into one row.
std::size_t LogChunkReader::keepPairTogether(std::size_t cut)
{
    if (m_format != InputFormat::VpcFlowLog || cut == 0 || (cut >= m_pending.size() && m_eof))
        return cut;
    // The line after the cut, whole.
    std::size_t nextEnd = m_pending.find('\n', cut);
    while (nextEnd == std::string::npos && !m_eof && m_pending.size() - cut <= m_options.maxRecordBytes) {
        const std::size_t before = m_pending.size();
        fill(before + std::min(kRawBlock, m_chunkBytes));
        nextEnd = m_pending.find('\n', before);
    }
    if (nextEnd == std::string::npos)
        nextEnd = m_pending.size();
    if (nextEnd <= cut)
        return cut;
    const std::size_t lastStart = cut >= 2 ? m_pending.rfind('\n', cut - 2) : std::string::npos;
    const std::size_t last = lastStart == std::string::npos ? 0 : lastStart + 1;
    std::array<std::size_t, 5> at{2, 3, 4, 5, 6}; // the default layout's interface-id, addresses, ports
    if (!m_header.empty()) {
        std::vector<std::string_view> names;
        splitBlanks(m_header.front().second, names, kMaxLogFields);
        const std::array<std::string_view, 5> wanted{"interface-id", "srcaddr", "dstaddr", "srcport", "dstport"};
        for (std::size_t k = 0; k < wanted.size(); ++k) {
            const auto found = std::find_if(names.begin(), names.end(), [&](std::string_view name) {
                return name == wanted[k] || name == "${" + std::string(wanted[k]) + "}";
            });
            if (found == names.end())
                return cut;
            at[k] = static_cast<std::size_t>(found - names.begin());
        }
    }
    const std::string_view text(m_pending);
    // The pair goes into this chunk whole: the line after it starts another flow.
    if (reverseDirections(withoutCr(text.substr(last, cut - 1 - last)), withoutCr(text.substr(cut, nextEnd - cut)), at))
        return std::min(nextEnd + 1, m_pending.size());
    return cut;
}

// The text of the body's line wanted (1-based), the line that made the chunk's first row.
void LogChunkReader::keepWitness(std::string_view body, std::int64_t wanted)
{
    std::size_t start = 0;
    for (std::int64_t line = 1; line < wanted && start < body.size(); ++line) {
        const std::size_t lf = body.find('\n', start);
        start = lf == std::string_view::npos ? body.size() : lf + 1;
    }
    const std::size_t end = std::min(body.find('\n', start), body.size());
    m_witness = std::string(withoutCr(body.substr(start, end - start)));
}

// The header lines a later chunk needs: a VPC Flow Log's last header line; Zeek's last of each
// kind of '#' meta line (#close excepted: it ends a log, and a record after it starts no new one).
void LogChunkReader::keepHeaderLines(std::string_view body)
{
    if (m_format == InputFormat::ElbAccessLog)
        return;
    const char lead = m_format == InputFormat::ZeekConn ? '#' : '\0';
    for (std::size_t start = 0; start < body.size();) {
        const std::size_t lf = std::min(body.find('\n', start), body.size());
        const std::string_view line = withoutCr(body.substr(start, lf - start));
        start = lf + 1;
        if (line.empty())
            continue;
        if (lead == '#') {
            if (line.front() != '#')
                continue;
            const std::string_view key = line.substr(0, std::min(line.find_first_of(" \t"), line.size()));
            if (key == "#close")
                continue;
            const auto found = std::find_if(m_header.begin(), m_header.end(),
                                            [&](const std::pair<std::string, std::string>& kept) { return kept.first == key; });
            if (found != m_header.end())
                found->second = std::string(line);
            else
                m_header.emplace_back(std::string(key), std::string(line));
        } else if (std::isalpha(static_cast<unsigned char>(line.front())) && looksLikeVpcFlowHeader(line)) {
            m_header.assign(1, {std::string(), std::string(line)});
        }
    }
}

bool LogChunkReader::next(ReadResult& chunk, const Progress& progress)
{
    chunk = {};
    for (;;) {
        progress.check();
        fill(m_chunkBytes);
        if (m_pending.empty() && m_eof) {
            if (m_first)
                parseChunk({}, progress); // the reader's own message for an empty file
            describeFormat();
            return false;
        }
        const std::size_t cut = keepPairTogether(cutPoint(progress));
        const std::string_view body = std::string_view(m_pending).substr(0, cut);
        const std::int64_t lines = static_cast<std::int64_t>(std::count(body.begin(), body.end(), '\n'))
            + (cut > 0 && body.back() != '\n' ? 1 : 0);
        const bool content = m_first || hasContent(body);
        if (content)
            chunk = parseChunk(body, progress);
        keepHeaderLines(body);
        m_textBytes += cut;
        m_nextLine += lines;
        m_report.lines = m_nextLine - 1;
        m_pending.erase(0, cut);
        m_first = false;
        if (content) {
            ++m_chunks;
            return true;
        }
    }
}

// What the file was read as, with its packing (whose counts, compressed bytes and gzip members,
// are final once the text has ended).
void LogChunkReader::describeFormat()
{
    m_report.format = m_readAs;
    if (const std::string packing = m_text->description(); !packing.empty())
        m_report.format += ", " + packing;
}

void LogChunkReader::addReport(const ReadReport& chunk)
{
    if (m_first) {
        m_readAs = chunk.format;
        describeFormat();
        m_report.header = chunk.header;
        m_report.absentColumns = chunk.absentColumns;
        m_report.extraColumns = chunk.extraColumns;
        m_report.expectedFields = chunk.expectedFields;
        m_report.warnings = chunk.warnings;
    }
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
    appendLines(m_report.repeatedHeaders.firstLines, chunk.repeatedHeaders.firstLines, RepeatedHeaders::kKeptLines);
    for (const InvalidCells& cells : chunk.invalidCells) {
        auto found = std::find_if(m_report.invalidCells.begin(), m_report.invalidCells.end(),
                                  [&](const InvalidCells& kept) { return kept.column == cells.column; });
        if (found == m_report.invalidCells.end()) {
            m_report.invalidCells.push_back(cells);
            continue;
        }
        found->count += cells.count;
        appendLines(found->firstLines, cells.firstLines, InvalidCells::kKeptLines);
    }
    m_report.nonUtf8Cells += chunk.nonUtf8Cells;
    m_report.invalidAddresses += chunk.invalidAddresses;
    m_report.recordsWithoutTraffic += chunk.recordsWithoutTraffic;
    m_report.seconds += chunk.seconds;
}

} // namespace webthreat

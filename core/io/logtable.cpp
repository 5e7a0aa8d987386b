#include "core/io/logtable.h"

#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/io/textcheck.h"
#include "core/util/parallel.h"

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

LineReader::LineReader(ByteReader read, std::size_t blockBytes, std::string file, std::size_t maxLineBytes,
                       std::int64_t linesBefore)
    : LineReader(std::move(read), blockBytes, std::move(file), maxLineBytes)
{
    m_started = true;
    m_line = linesBefore;
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

namespace {

// The lines of bytes already in memory, read in order by parser as a LineReader would hand them out
// (its messages, for a NUL or a long line, name the file's line).
void readInOrder(std::string_view bytes, std::int64_t linesBefore, const std::string& file,
                 const ReadOptions& options, PieceParser& parser)
{
    std::size_t offset = 0;
    LineReader lines(
        [bytes, &offset](char* into, std::size_t capacity) {
            const std::size_t take = std::min(capacity, bytes.size() - offset);
            std::memcpy(into, bytes.data() + offset, take);
            offset += take;
            return take;
        },
        std::max<std::size_t>(4096, std::min(bytes.size() + 1, options.blockBytes)), file, options.maxRecordBytes,
        linesBefore);
    std::string_view text;
    while (lines.next(text))
        parser.line(text, lines.lineNumber());
}

// Line ends in bytes that end with a line end (or the file): LF, CRLF and a CR alone each end one.
std::int64_t countLineEnds(std::string_view bytes) noexcept
{
    auto count = static_cast<std::int64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    for (const char* at = bytes.data(); (at = static_cast<const char*>(std::memchr(
                                             at, '\r', static_cast<std::size_t>(bytes.data() + bytes.size() - at))));
         ++at) {
        if (at + 1 == bytes.data() + bytes.size() || at[1] != '\n')
            ++count;
    }
    return count;
}

// One piece of a block read by a fork: where it stopped, if it did, for the whole file's parser.
struct Piece {
    std::string_view bytes;
    std::int64_t linesBefore = 0;
    std::unique_ptr<PieceParser> parser;
    std::size_t stoppedAt = std::string_view::npos; // offset of the line the fork left
    std::int64_t stoppedLinesBefore = 0;
};

void readPiece(Piece& piece, std::size_t maxLine)
{
    const std::string_view bytes = piece.bytes;
    std::int64_t number = piece.linesBefore;
    for (std::size_t at = 0; at < bytes.size();) {
        std::size_t stop = at;
        while (stop < bytes.size() && bytes[stop] != '\n' && bytes[stop] != '\r')
            ++stop;
        std::size_t next = stop + 1;
        if (stop < bytes.size() && bytes[stop] == '\r' && next < bytes.size() && bytes[next] == '\n')
            ++next;
        bool read = false;
        if (stop - at <= maxLine) {
            try {
                read = piece.parser->line(bytes.substr(at, stop - at), number + 1);
            } catch (const InputError&) {
                read = false; // read again in order, where it throws with everything before it merged
            }
        }
        if (!read) {
            piece.stoppedAt = at;
            piece.stoppedLinesBefore = number;
            return;
        }
        ++number;
        at = next;
    }
}

// Piece starts: after the first line end at or past each share of the block.
std::vector<std::size_t> pieceStarts(std::string_view block, std::size_t pieceBytes)
{
    const std::size_t count = std::max<std::size_t>(1, block.size() / pieceBytes);
    std::vector<std::size_t> starts{0};
    for (std::size_t piece = 1; piece < count; ++piece) {
        const std::size_t rough = std::max(block.size() * piece / count, starts.back());
        const void* end = std::memchr(block.data() + rough, '\n', block.size() - rough);
        const std::size_t start = end ? static_cast<std::size_t>(static_cast<const char*>(end) - block.data()) + 1
                                      : block.size();
        if (start < block.size() && start > starts.back())
            starts.push_back(start);
    }
    starts.push_back(block.size());
    return starts;
}

} // namespace

namespace {

// The table's columns reserved once, when 4 % of the file is read, for the rows the rest will
// bring at the rate so far (and 3 % more): growing them by doubling held the old and the new
// copy of each column at once at the peak.
class Reservation {
public:
    Reservation(const std::function<double()>& fraction, PieceParser& parser)
        : m_fraction(fraction)
        , m_parser(parser)
    {
    }
    // parsed: bytes of the lines whose rows are in the table; delivered: bytes the source gave.
    void check(std::uint64_t parsed, std::uint64_t delivered)
    {
        if (m_done || !m_fraction || parsed == 0)
            return;
        const double share = m_fraction();
        if (share < 0.04)
            return;
        m_done = true;
        if (share < 0.95)
            m_parser.reserve(static_cast<double>(delivered) / share / static_cast<double>(parsed) * 1.03);
    }

private:
    const std::function<double()>& m_fraction;
    PieceParser& m_parser;
    bool m_done = false;
};

// Blocks of whole lines, split into pieces read by forks of the parser on all threads; each
// block's pieces are merged into the parser while the next block's are read.
class PieceReading {
public:
    PieceReading(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                 const ReadOptions& options, const Progress& progress, PieceParser& parser, unsigned threads)
        : m_read(read)
        , m_fraction(fraction)
        , m_file(file)
        , m_options(options)
        , m_progress(progress)
        , m_parser(parser)
        , m_threads(threads)
        , m_pieceBytes(std::max<std::size_t>(4096, options.blockBytes / 4))
        , m_buffer(std::max<std::size_t>(options.blockBytes, 2 * m_pieceBytes))
        , m_reservation(fraction, parser)
    {
    }

    void run()
    {
        for (;;) {
            m_progress.check();
            if (m_fraction)
                m_progress.report("read", std::min(1.0, m_fraction()));
            fill();
            const std::string_view data(m_buffer.data() + m_begin, m_end - m_begin);
            const std::size_t lastEnd = data.find_last_of('\n');
            if (lastEnd == std::string_view::npos || std::memchr(data.data(), '\0', data.size())) {
                // A line longer than the buffer, the last line without a line end, or a NUL: the
                // rest of the file in order.
                readRest(data);
                break;
            }
            const std::string_view block = data.substr(0, lastEnd + 1);
            m_begin += block.size();
            readBlock(block);
            if (m_eof && m_begin == m_end)
                break;
        }
        mergePending();
    }
    std::int64_t lines() const noexcept { return m_lines; }
    std::uint64_t bytes() const noexcept { return m_bytes; }

private:
    void fill()
    {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
        while (m_end < m_buffer.size() && !m_eof) {
            const std::size_t got = m_read(m_buffer.data() + m_end, m_buffer.size() - m_end);
            m_eof = got == 0;
            if (m_first && got > 0) {
                m_first = false;
                const std::string_view start(m_buffer.data(), got);
                refuseUtf16(start, m_file, "text");
                m_begin = utf8ByteOrderMarkLength(start);
            }
            m_end += got;
            m_bytes += got;
        }
    }

    void readRest(std::string_view data)
    {
        mergePending();
        std::size_t offset = 0;
        LineReader rest(
            [&](char* into, std::size_t capacity) {
                if (offset < data.size()) {
                    const std::size_t take = std::min(capacity, data.size() - offset);
                    std::memcpy(into, data.data() + offset, take);
                    offset += take;
                    return take;
                }
                const std::size_t got = m_eof ? 0 : m_read(into, capacity);
                m_bytes += got;
                return got;
            },
            m_buffer.size(), m_file, m_options.maxRecordBytes, m_lines);
        std::string_view text;
        while (rest.next(text)) {
            if ((rest.lineNumber() & 4095) == 0)
                m_progress.check();
            m_parser.line(text, rest.lineNumber());
        }
        m_lines = rest.lineNumber();
    }

    void readBlock(std::string_view block)
    {
        const std::vector<std::size_t> starts = pieceStarts(block, m_pieceBytes);
        std::vector<Piece> pieces(starts.size() - 1);
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            pieces[i].bytes = block.substr(starts[i], starts[i + 1] - starts[i]);
            pieces[i].parser = m_parser.fork();
        }
        if (!pieces.front().parser) {
            mergePending(); // no layout yet: this block in order
            readInOrder(block, m_lines, m_file, m_options, m_parser);
            m_lines += countLineEnds(block);
            m_parsed += block.size();
            return;
        }
        m_reservation.check(m_parsed, m_bytes); // nothing is being merged now
        parallelFor(pieces.size(), m_threads,
                    [&](std::size_t i) { pieces[i].linesBefore = countLineEnds(pieces[i].bytes); });
        for (Piece& piece : pieces) {
            const std::int64_t own = piece.linesBefore;
            piece.linesBefore = m_lines;
            m_lines += own;
        }
        // The merge of the last block's pieces first (the longest serial step), then this block's.
        parallelFor(1 + pieces.size(), m_threads, [&](std::size_t task) {
            if (task == 0)
                mergePending();
            else
                readPiece(pieces[task - 1], m_options.maxRecordBytes);
        });
        m_pending = std::move(pieces);
        const auto stopped = std::find_if(m_pending.begin(), m_pending.end(),
                                          [](const Piece& p) { return p.stoppedAt != std::string_view::npos; });
        if (stopped != m_pending.end()) {
            // A header inside the block: the pieces before it merged, the rest of the block in order.
            const std::string_view rest
                = block.substr(static_cast<std::size_t>(stopped->bytes.data() - block.data()) + stopped->stoppedAt);
            const std::int64_t linesBefore = stopped->stoppedLinesBefore;
            m_pending.erase(stopped + 1, m_pending.end());
            mergePending();
            readInOrder(rest, linesBefore, m_file, m_options, m_parser);
            m_parsed += rest.size();
        }
    }

    void mergePending()
    {
        for (Piece& piece : m_pending) {
            m_parser.merge(*piece.parser);
            m_parsed += piece.bytes.size();
        }
        m_pending.clear();
    }

    const ByteReader& m_read;
    const std::function<double()>& m_fraction;
    const std::string& m_file;
    const ReadOptions& m_options;
    const Progress& m_progress;
    PieceParser& m_parser;
    unsigned m_threads;
    std::size_t m_pieceBytes;
    std::vector<char> m_buffer;
    Reservation m_reservation;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    std::uint64_t m_bytes = 0; // handed out by the source
    std::uint64_t m_parsed = 0; // of the pieces merged
    std::int64_t m_lines = 0;
    bool m_first = true;
    bool m_eof = false;
    std::vector<Piece> m_pending; // read, merged while the next block is read
};

} // namespace

ReadResult readLogLinesInPieces(const ByteReader& read, const std::function<double()>& fraction,
                                const std::string& file, const ReadOptions& options, const Progress& progress,
                                std::string_view formatName, PieceParser& parser,
                                const std::function<ReadResult(std::int64_t, std::uint64_t)>& finish)
{
    const unsigned threads = resolveThreads(options.threads);
    if (threads == 1) {
        Reservation reservation(fraction, parser);
        std::uint64_t parsed = 0;
        std::uint64_t delivered = 0;
        const ByteReader counted = [&](char* into, std::size_t capacity) {
            const std::size_t got = read(into, capacity);
            delivered += got;
            return got;
        };
        return readLogLines(
            counted, fraction, file, options, progress, formatName,
            [&](std::string_view text, std::int64_t line) {
                parser.line(text, line);
                parsed += text.size() + 1;
                if ((line & 4095) == 0)
                    reservation.check(parsed, delivered);
            },
            finish);
    }
    options.validate();
    const auto started = std::chrono::steady_clock::now();
    PieceReading reading(read, fraction, file, options, progress, parser, threads);
    reading.run();
    ReadResult result = finish(reading.lines(), reading.bytes());
    result.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    logger::core()->info("read {} as {} on {} threads: {} lines, {} rows, {} skipped, {} invalid cells in {:.3f} s",
                         file, formatName, threads, result.report.lines, result.report.rows,
                         result.report.malformed.count, result.report.invalidCellCount(), result.report.seconds);
    return result;
}

namespace {
// A column a reader fills row by row, holding one cell while every row holds the same value (a
// conn.log never fills six of the schema's columns): see Cells::uniformWhileSame.
Column readerColumn(std::string name, ColumnKind kind)
{
    Column column{std::move(name), kind, {}, {}, {}};
    if (kind == ColumnKind::Text)
        column.text = Cells<std::uint32_t>::uniformWhileSame();
    else if (kind == ColumnKind::Real)
        column.reals = Cells<double>::uniformWhileSame();
    else
        column.integers = Cells<std::int64_t>::uniformWhileSame();
    return column;
}
} // namespace

LogTable::LogTable(std::string file)
    : m_file(std::move(file))
{
    m_report.file = m_file;
    for (Column& column : m_table.columns)
        column = readerColumn(std::move(column.name), column.kind);
}

LogTable LogTable::fork() const
{
    LogTable piece(m_file);
    piece.m_table.columns.clear();
    for (const Column& column : m_table.columns)
        piece.m_table.columns.push_back(readerColumn(column.name, column.kind));
    piece.m_report.extraColumns = m_report.extraColumns;
    return piece;
}

std::vector<std::uint32_t> LogTable::append(const LogTable& piece)
{
    const StringPool& pool = *piece.m_table.strings;
    std::vector<std::uint32_t> ids(pool.size(), StringPool::kMissing);
    std::vector<std::string_view> texts(pool.size());
    for (std::uint32_t id = 1; id < pool.size(); ++id)
        texts[id] = pool.view(id);
    m_table.strings->internAll(texts.data(), texts.size(), ids.data());

    fillColumns(); // this table's columns end at its last row; the piece's may end earlier
    for (std::size_t c = 0; c < piece.m_table.columns.size(); ++c) {
        const Column& from = piece.m_table.columns[c];
        const std::size_t column = c < kFieldCount ? c : extraColumn(from.name, from.kind);
        Column& to = m_table.columns[column];
        if (to.kind == ColumnKind::Text) {
            if (from.text.isUniform()) {
                to.text.append(Cells<std::uint32_t>::uniform(from.text.size(), ids[from.text[0]]));
            } else {
                for (std::uint32_t id : from.text)
                    to.text.push_back(ids[id]);
            }
        } else {
            to.integers.append(from.integers);
        }
    }
    m_table.sourceLines.insert(m_table.sourceLines.end(), piece.m_table.sourceLines.begin(),
                               piece.m_table.sourceLines.end());
    fillColumns(); // columns the piece did not have yet, or whose last rows it did not set

    for (const Invalid& invalid : piece.m_invalid) {
        auto found = std::find_if(m_invalid.begin(), m_invalid.end(),
                                  [&](const Invalid& i) { return i.field == invalid.field; });
        if (found == m_invalid.end()) {
            m_invalid.push_back(invalid);
            continue;
        }
        found->cells.count += invalid.cells.count;
        for (std::int64_t line : invalid.cells.firstLines) {
            if (found->cells.firstLines.size() < InvalidCells::kKeptLines)
                found->cells.firstLines.push_back(line);
        }
    }
    const MalformedRows& malformed = piece.m_report.malformed;
    if (m_report.malformed.count == 0)
        m_firstMalformedReason = piece.m_firstMalformedReason;
    m_report.malformed.count += malformed.count;
    for (std::size_t i = 0; i < malformed.firstLines.size(); ++i) {
        if (m_report.malformed.firstLines.size() < MalformedRows::kKeptLines) {
            m_report.malformed.firstLines.push_back(malformed.firstLines[i]);
            m_report.malformed.firstFieldCounts.push_back(malformed.firstFieldCounts[i]);
        }
    }
    m_report.blankLines += piece.m_report.blankLines;
    return ids;
}

void LogTable::reserve(std::size_t rows)
{
    for (Column& column : m_table.columns)
        column.reserve(rows);
    m_table.sourceLines.reserve(rows);
}

std::size_t LogTable::extraColumn(std::string_view name, ColumnKind kind)
{
    for (std::size_t c = kFieldCount; c < m_table.columns.size(); ++c) {
        if (m_table.columns[c].name == name)
            return c;
    }
    Column column = readerColumn(std::string(name), kind);
    column.resize(m_table.rowCount());
    m_table.columns.push_back(std::move(column));
    m_report.extraColumns.emplace_back(name);
    return m_table.columns.size() - 1;
}

void LogTable::addRow(std::int64_t line)
{
    m_table.sourceLines.push_back(static_cast<std::uint32_t>(line)); // a log of 4 billion lines would not fit in memory
}

void LogTable::fillColumns()
{
    const std::size_t rows = m_table.rowCount();
    for (Column& column : m_table.columns) {
        if (column.size() < rows)
            column.resize(rows);
    }
}

bool LogTable::holdsOneCell(std::size_t column) const noexcept
{
    const Column& c = m_table.columns[column];
    if (c.kind == ColumnKind::Text)
        return c.text.isUniform() || c.text.size() <= 1;
    if (c.kind == ColumnKind::Real)
        return c.reals.isUniform() || c.reals.size() <= 1;
    return c.integers.isUniform() || c.integers.size() <= 1;
}

void LogTable::setText(std::size_t column, std::string_view text)
{
    setTextId(column, text.empty() ? StringPool::kMissing : m_table.strings->intern(text));
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
    fillColumns();
    m_table.makeUniformColumnsUniform();
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

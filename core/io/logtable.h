#pragma once

// Building blocks shared by the line-based log readers (VPC Flow Logs, load-balancer logs): a line
// splitter over a byte stream and a builder that fills a TrafficTable and its ReadReport with the
// same error discipline as the CSV reader (bad cells counted per column with their first lines,
// unusable lines counted with their line numbers, file-level problems thrown as InputError).
#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"
#include "core/io/decompress.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Hands out the lines of a byte stream, block by block: a line never costs more than its bytes.
// LF, CRLF and CR line ends; a UTF-8 byte-order mark at the start is skipped. Throws InputError on
// a NUL byte (binary data), on UTF-16 text, and on a line longer than maxLineBytes, as soon as that
// many bytes of it are read (so memory stays within about twice the limit, whatever the file).
class LineReader {
public:
    LineReader(ByteReader read, std::size_t blockBytes, std::string file, std::size_t maxLineBytes = kMaxRecordBytes);
    // A reader of bytes that follow linesBefore lines of the file (not its start: no byte-order
    // mark or UTF-16 check), numbering its lines from linesBefore + 1.
    LineReader(ByteReader read, std::size_t blockBytes, std::string file, std::size_t maxLineBytes,
               std::int64_t linesBefore);

    // The next line without its line end (empty for a blank line); false after the last one.
    bool next(std::string_view& line);
    std::int64_t lineNumber() const noexcept { return m_line; }
    std::uint64_t bytes() const noexcept { return m_bytes; }

private:
    bool fill();

    ByteReader m_read;
    [[noreturn]] void refuseLongLine() const;

    std::string m_file;
    std::size_t m_maxLine;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    bool m_started = false;
    std::int64_t m_line = 0;
    std::uint64_t m_bytes = 0;
};

// The loop every log reader runs: each line of the stream to line(text, lineNumber), with cancel
// and progress ("read") every 4096 lines, then finish(lines, bytes), timed into its report and
// logged as read as formatName.
ReadResult readLogLines(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                        const ReadOptions& options, const Progress& progress, std::string_view formatName,
                        const std::function<void(std::string_view, std::int64_t)>& line,
                        const std::function<ReadResult(std::int64_t, std::uint64_t)>& finish);

// A log reader's line parser, for readLogLinesInPieces. The whole file's parser reads every line
// in order; forks of it read pieces of a block on other threads into tables of their own, which
// are merged into its table in file order.
class PieceParser {
public:
    virtual ~PieceParser() = default;
    // Reads one line (number: the file's line number). A fork returns false, having read nothing of
    // it, at a line it cannot read apart from the lines before it (a header that changes the
    // layout); the rest of the block is then read in order by the whole file's parser, which
    // always returns true.
    virtual bool line(std::string_view text, std::int64_t number) = 0;
    // A parser for a piece of the lines that follow, starting from this one's layout, with a
    // table of the same columns and a string pool of its own; nullptr while pieces cannot be read
    // apart (no layout known yet). Called on the whole file's parser between merges.
    virtual std::unique_ptr<PieceParser> fork() const = 0;
    // Takes a fork's rows, counts and problems, after those of every earlier piece.
    virtual void merge(PieceParser& piece) = 0;
    // The table will have about growth times the rows it has now: room for them, once.
    virtual void reserve(double growth) { (void)growth; }
};

// readLogLines over blocks split at line ends into pieces read in parallel (options.threads) by
// forks of parser and merged in file order: the same table and report as parser.line() called on
// each line in order. One thread, a line longer than a block or a NUL byte read in order.
ReadResult readLogLinesInPieces(const ByteReader& read, const std::function<double()>& fraction,
                                const std::string& file, const ReadOptions& options, const Progress& progress,
                                std::string_view formatName, PieceParser& parser,
                                const std::function<ReadResult(std::int64_t, std::uint64_t)>& finish);

// The most fields a log line may have (AWS's richest layout has 40): a line of more is skipped as
// malformed. The splitters stop one field past it, so a line of millions of blanks costs no memory.
inline constexpr std::size_t kMaxLogFields = 256;

// Splits a line at runs of blanks. Fields are views into the line. Stops after maxFields fields.
void splitBlanks(std::string_view line, std::vector<std::string_view>& fields,
                 std::size_t maxFields = std::string_view::npos);

// Splits a load-balancer log line: fields separated by single blanks, a field starting with a quote
// runs to the next quote not escaped by a backslash and loses its quotes (\" and \\ unescaped).
// Returns false when a quoted field is never closed. Views point into line or into scratch, which
// is reserved to the line's size first so it never moves while fields point into it. Stops after
// maxFields fields.
bool splitQuoted(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch,
                 std::size_t maxFields = std::string_view::npos);

// Fills a TrafficTable row by row: schema columns by Field, extra text columns by name.
class LogTable {
public:
    explicit LogTable(std::string file);

    // An empty table with the same columns and a string pool of its own, for a piece read apart.
    LogTable fork() const;
    // Appends a fork's rows (its extra columns found by name, added if new), invalid cells,
    // malformed and blank lines. Returns the fork's text ids as this table's ids, for what the
    // reader kept of the piece beside the table.
    std::vector<std::uint32_t> append(const LogTable& piece);
    // Room for this many rows in every column.
    void reserve(std::size_t rows);
    // Room for growth times the rows so far (PieceParser::reserve).
    void reserveGrowth(double growth)
    {
        reserve(static_cast<std::size_t>(static_cast<double>(rowCount()) * growth) + 64);
    }

    // The index of the extra column with this name, added (all missing so far) if new.
    std::size_t extraColumn(std::string_view name, ColumnKind kind = ColumnKind::Text);
    ColumnKind kind(std::size_t column) const noexcept { return m_table.columns[column].kind; }
    // Starts a row read from this line; every column is missing until set. The missing cells are
    // written only when a later cell of their column is set (or at append and finish), so a column
    // that is never set, or set to one value in every row, holds one cell while the file is read
    // (Cells::uniformWhileSame) instead of being stored and made uniform again at finish().
    void addRow(std::int64_t line);
    void setText(std::size_t column, std::string_view text);
    void setText(Field field, std::string_view text) { setText(static_cast<std::size_t>(field), text); }
    void setTextId(std::size_t column, std::uint32_t id) { setLast(m_table.columns[column].text, id, StringPool::kMissing); }
    void setInteger(std::size_t column, std::int64_t value)
    {
        setLast(m_table.columns[column].integers, value, kMissingInteger);
    }
    void setInteger(Field field, std::int64_t value) { setInteger(static_cast<std::size_t>(field), value); }
    std::uint32_t intern(std::string_view text) { return m_table.strings->intern(text); }
    // StringPool::internAll: many texts at once, their lookups overlapped.
    void internAll(const std::string_view* texts, std::size_t count, std::uint32_t* ids)
    {
        m_table.strings->internAll(texts, count, ids);
    }
    std::string_view text(std::uint32_t id) const { return m_table.strings->view(id); }

    // A cell of the named file field that was present but could not be read: counted, read as missing.
    void invalidCell(std::string_view field, std::int64_t line, std::string_view value, const char* reason);
    // A line that cannot be used at all.
    void malformedLine(std::int64_t line, std::size_t fields, const std::string& reason);
    std::size_t rowCount() const noexcept { return m_table.rowCount(); }
    // Whether the column holds a single cell for all the rows so far (never set, or set to one
    // value in every row that sets it and missing in none before): what the read costs it.
    bool holdsOneCell(std::size_t column) const noexcept;

    ReadReport& report() noexcept { return m_report; }
    // Sorts nothing, checks text and addresses, writes the warnings. lines: the physical lines read.
    ReadResult finish(std::int64_t lines, std::uint64_t bytes, std::string_view lineKind);

private:
    // Sets the current row's cell: the rows before it that did not set the column are filled with
    // missing first.
    template <typename T>
    void setLast(Cells<T>& cells, T value, T missing)
    {
        const std::size_t row = m_table.sourceLines.size() - 1;
        const std::size_t size = cells.size();
        if (size != row) [[unlikely]] {
            if (size > row) { // set twice in one row
                cells.setLast(value);
                return;
            }
            cells.resize(row, missing);
        }
        cells.push_back(value);
    }
    // Writes every column's missing cells up to the row count.
    void fillColumns();

    struct Invalid {
        std::string field;
        InvalidCells cells;
    };
    std::string m_file;
    TrafficTable m_table;
    ReadReport m_report;
    std::vector<Invalid> m_invalid;
    std::string m_firstMalformedReason;
};

} // namespace webthreat

// Why this reader is ours and not a library's (issue 14 keeps our own code only for a measured
// reason): it reads straight into TrafficTable's typed columns and string pool, in blocks, with SSE2
// quote/NUL scans and the parse of one block overlapping the merge of the previous, so memory does not
// grow with the file and cancel is polled per block. BENCHMARKS.md, third session, 1 M rows (214.7 MB):
// read+parse 622 MB/s on one thread and 997 MB/s on two, 840 MB/s with cleaning and features, against
// pandas' read_csv at about 120 MB/s (1.8 s) in the notebook it replaces; a general CSV library would
// hand us rows of strings to convert and copy again, the step this reader exists to skip.
#include "core/io/csvreader.h"

#include "core/io/csvsniffer.h"
#include "core/io/inputfile.h"
#include "core/util/log.h"
#include "core/util/memoryadvice.h"
#include "core/util/parallel.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace webthreat {

namespace {

// Where a file column's cells go.
struct Destination {
    std::size_t column; // index into TrafficTable::columns
    ColumnKind kind;
    std::int64_t minimum; // inclusive bounds for Integer columns
    std::int64_t maximum;
};

struct LocalInvalid {
    std::size_t count = 0;
    std::vector<std::int64_t> firstLines; // relative to the piece until merged
    std::string firstValue;
    std::string reason;
};

// What one piece of a block parses into, merged in file order afterwards.
struct PieceResult {
    std::vector<Column> columns; // one per destination column; Text ids are local
    StringPool strings;
    std::vector<std::int64_t> lines; // line of each row, relative to the piece start
    std::vector<LocalInvalid> invalid; // per destination column
    MalformedRows malformed; // lines relative
    RepeatedHeaders repeatedHeaders; // lines relative
    std::size_t blankLines = 0;
    std::int64_t lineBreaks = 0; // line ends consumed by this piece
};

// Spreadsheets write whole numbers as "1,234,567" (thousands separators) or "1.2E+03"
// (scientific notation). Read them where the value is unambiguous: commas only between groups of
// exactly three digits; a scientific value that is whole and below 2^53 (where doubles stop being
// exact). Anything else ("1,23", "1.5e0", "1.234" as a European thousands mark) stays invalid and
// counted, with a reason saying why.
const char* parseSpreadsheetNumber(std::string_view text, std::int64_t minimum, std::int64_t maximum,
                                   std::int64_t& value) noexcept
{
    if (text.find(',') != std::string_view::npos) {
        char digits[32];
        std::size_t length = 0;
        std::size_t position = 0;
        if (!text.empty() && text.front() == '-')
            digits[length++] = text[position++];
        std::size_t group = 0;
        bool first = true;
        for (; position < text.size(); ++position) {
            const char c = text[position];
            if (c == ',') {
                if ((first && (group == 0 || group > 3)) || (!first && group != 3))
                    return "not a whole number: commas are not between groups of three digits";
                first = false;
                group = 0;
            } else if (c >= '0' && c <= '9' && length < sizeof digits) {
                digits[length++] = c;
                ++group;
            } else {
                return "not a whole number";
            }
        }
        if (group != 3)
            return "not a whole number: commas are not between groups of three digits";
        return parseWholeNumber(std::string_view(digits, length), minimum, maximum, value);
    }
    double number = 0.0;
    const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || stop != text.data() + text.size() || !std::isfinite(number))
        return error == std::errc::result_out_of_range ? "number too large" : "not a whole number";
    if (number != std::floor(number))
        return "not a whole number";
    if (std::fabs(number) >= 9007199254740992.0) // 2^53
        return "number too large to read exactly from scientific notation";
    value = static_cast<std::int64_t>(number);
    if (value < minimum)
        return minimum == 0 ? "negative number" : "number out of range";
    return value > maximum ? "number out of range" : nullptr;
}

// Parses a whole number, accepting blanks around it, a leading '+' and a trailing fraction of
// zeros ("5602.0", as pandas writes integer columns that had gaps), and a spreadsheet's "1,234"
// or "1.2E+03" (parseSpreadsheetNumber). Returns a reason on failure.
const char* parseInteger(std::string_view text, std::int64_t minimum, std::int64_t maximum,
                         std::int64_t& value) noexcept
{
    text = trim(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    std::string_view whole = text;
    const char* reason = nullptr;
    if (const auto dot = text.find('.'); dot != std::string_view::npos && dot > 0) {
        if (text.find_first_not_of('0', dot + 1) != std::string_view::npos)
            reason = "not a whole number";
        whole = text.substr(0, dot);
    }
    if (!reason)
        reason = parseWholeNumber(whole, minimum, maximum, value);
    // The rare spreadsheet forms are tried only after the common one failed.
    if (reason && text.find_first_of(",eE") != std::string_view::npos)
        return parseSpreadsheetNumber(text, minimum, maximum, value);
    return reason;
}

// The ids of text values a column saw recently, so that a repeated value (a country, a protocol,
// an address seen a moment ago) costs a lookup by its bytes instead of hashing and comparing it
// in the pool. Values of up to 16 bytes, nearly every cell of this data, are compared as two
// words; longer ones fall back to remembering the last value.
class RecentText {
public:
    std::uint32_t intern(std::string_view value, StringPool& pool)
    {
        const std::size_t size = value.size();
        if (size > 16) {
            if (value == m_longValue && m_longId != StringPool::kMissing)
                return m_longId;
            m_longId = pool.intern(value);
            m_longValue = pool.view(m_longId);
            return m_longId;
        }
        std::uint64_t head = 0;
        std::uint64_t tail = 0;
        if (size >= 8) {
            std::memcpy(&head, value.data(), 8);
            std::memcpy(&tail, value.data() + size - 8, 8); // overlaps head below 16 bytes: size tells them apart
        } else {
            head = StringPool::shortWord(value.data(), size);
        }
        // The pool's own hash, so a value not seen recently is not hashed a second time there.
        const std::uint32_t hash = StringPool::hash(value);
        Entry& entry = m_entries[static_cast<std::size_t>((hash * 0x9E3779B9u) >> (32 - kBits))];
        if (entry.id != StringPool::kMissing && entry.head == head && entry.tail == tail && entry.size == size)
            return entry.id;
        entry = Entry{head, tail, static_cast<std::uint32_t>(size), pool.internHashed(value, hash)};
        return entry.id;
    }

private:
    static constexpr int kBits = 8;
    struct Entry {
        std::uint64_t head = 0;
        std::uint64_t tail = 0;
        std::uint32_t size = 0;
        std::uint32_t id = StringPool::kMissing;
    };
    std::array<Entry, std::size_t(1) << kBits> m_entries{};
    std::string_view m_longValue;
    std::uint32_t m_longId = StringPool::kMissing;
};

// One pass over a range for what splitting a block into pieces needs: the first NUL byte (no
// text file holds one) and the number of quote bytes. Sixteen bytes a step with SSE2, where
// std::count and memchr made two passes, the count byte by byte.
struct RangeScan {
    const char* firstNul = nullptr;
    std::size_t quotes = 0;
};

RangeScan scanRange(const char* from, const char* to, char quote) noexcept
{
    RangeScan scan;
    const char* p = from;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i quotes = _mm_set1_epi8(quote);
    for (; to - p >= 16; p += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int nul = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, zero));
        if (nul != 0) {
            scan.firstNul = p + __builtin_ctz(static_cast<unsigned>(nul));
            return scan;
        }
        // Most blocks hold no quote at all; popcount without -mpopcnt is a library call.
        if (const int hits = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quotes)); hits != 0)
            scan.quotes += static_cast<std::size_t>(__builtin_popcount(static_cast<unsigned>(hits)));
    }
#endif
    for (; p < to; ++p) {
        if (*p == '\0') {
            scan.firstNul = p;
            return scan;
        }
        scan.quotes += *p == quote;
    }
    return scan;
}

// What may make a CSV record longer than the limit, for its refusal.
constexpr std::string_view kLongRecordHint = "is a line end missing, or a quote never closed?";

// The most columns a header may have. A line of delimiters is not a header of a million empty
// names (each would become a column of the table).
constexpr std::size_t kMaxColumns = 65536;

char splitterQuote(const ReadOptions& options) noexcept
{
    return options.quote == '\0' ? options.delimiter : options.quote;
}

class CsvParser {
public:
    CsvParser(std::string displayName, const ReadOptions& options, const Progress& progress)
        : m_file(std::move(displayName))
        , m_options(options)
        , m_progress(progress)
        , m_threads(resolveThreads(options.threads))
    {
        m_report.file = m_file;
    }

    // Feeds the next block of the file. Returns how many bytes at the end form an incomplete
    // record and must be fed again with the next block (0 when atEnd). The block's pieces are
    // parsed in parallel while the previous block's pieces are merged into the table, and while
    // alongside (when given) runs: the reader fetches the next block there. The block's bytes are
    // not used after feed returns.
    std::size_t feed(std::string_view block, bool atEnd, const std::function<void()>& alongside = {});
    ReadResult finish();
    // The file's size, when known: the columns are reserved from it after the first block, so
    // they are neither copied as they grow nor left with unused capacity.
    void expectBytes(std::uint64_t total) { m_expectedBytes = total; }
    // The line where the incomplete record the last feed returned starts.
    std::int64_t carriedLine() const noexcept { return m_carriedLine; }

private:
    // The header line as found in a block: its names, its line (0 without a header), and the
    // offset where the data starts.
    struct HeaderLine {
        std::vector<std::string> names;
        std::int64_t line = 0;
        std::size_t next = 0;
    };
    // Reads the header and sets up the destinations; npos when block does not hold it whole.
    std::size_t parseHeader(std::string_view block, bool atEnd);
    // The header among the first lines (skipping title lines); nullopt when block ends too soon.
    std::optional<HeaderLine> findHeaderLine(std::string_view block, bool atEnd);
    // A destination per file column; returns which schema fields the header names.
    std::vector<bool> addDestinations(const std::vector<std::string>& header, std::int64_t headerLine);
    // Throws when a required field is missing; lists the absent optional ones in the report.
    void checkRequiredColumns(const std::vector<bool>& seen, const std::vector<std::string>& header,
                              std::int64_t headerLine);
    // Finds the end of the record starting at begin: the offset just past its line end, or npos
    // when it does not end inside text. Fields are left in m_fields / m_scratch of the caller.
    void parsePiece(std::string_view block, std::size_t begin, std::size_t end, bool lastPiece, bool atEnd,
                    double bytesPerRow, PieceResult& out, std::size_t& stoppedAt) const;
    void mergePiece(PieceResult& piece);
    // Merges the pieces parsed by the last feed, in file order.
    void mergePending();
    // Per file column: the schema field it is read into, or kept as extra text, or ignored.
    std::vector<ColumnMapping> resolveColumns(const std::vector<std::string>& header, std::int64_t headerLine) const;
    [[noreturn]] void unterminatedQuote(std::int64_t line) const;
    // A record longer than the limit for one record starts on this line. Out of line and cold: its
    // message built inside the parse loop slowed the loop.
    [[noreturn, gnu::cold, gnu::noinline]] void longRecord(std::int64_t line) const;
    // Whether the record's fields are the header's names again (a file joined from exports).
    bool repeatsHeader(const std::vector<std::string_view>& fields) const noexcept;
    void checkText();

    std::string m_file;
    ReadOptions m_options;
    const Progress& m_progress;
    unsigned m_threads;
    bool m_haveHeader = false;
    std::int64_t m_linesDone = 0; // line ends consumed so far
    std::int64_t m_carriedLine = 0;
    std::vector<Destination> m_destinations; // per file column
    std::vector<std::size_t> m_headerColumnOf; // file column -> destination index
    std::vector<std::string> m_headerNames; // trimmed; empty without a header line
    TrafficTable m_table;
    ReadReport m_report;
    std::vector<LocalInvalid> m_invalid; // per table column
    std::uint64_t m_expectedBytes = 0;
    std::uint64_t m_bytesParsed = 0; // bytes of the records parsed (merged or pending)
    std::size_t m_rowsParsed = 0; // rows parsed (merged or pending)
    bool m_reserved = false;
    std::vector<ColumnKind> m_kinds; // per table column, read by the parsing threads
    std::vector<PieceResult> m_pending; // parsed by the last feed, merged during the next
};

// Splits one record starting at data[at]. Fields land in fields (views into data, or into
// scratch when the field held quotes). Returns the offset just past the record's line end, the
// size of data when the record ends at the end of data, or npos when it is incomplete (a quote
// still open, or no line end and more data may follow). lineBreaks counts the line ends inside
// and ending the record.
// Finds the bytes that end or complicate a field (the delimiter, CR, LF, the quote) 64 at a time:
// one bit per byte in a mask, so stepping from field to field is a count of trailing zeros rather
// than four comparisons per byte. SSE2 is part of every x86-64; elsewhere the mask is built byte
// by byte.
class SpecialBytes {
public:
    void reset(const char* base, std::size_t size, char delimiter, char quote, std::size_t at)
    {
        m_base = base;
        m_size = size;
        m_delimiter = delimiter;
        m_quote = quote;
        m_window = at;
        m_mask = scan(at);
    }
    // The next special byte at or after the last one returned (or the reset point): its offset,
    // or size when there is none.
    std::size_t next()
    {
        while (m_mask == 0) {
            m_window += 64;
            if (m_window >= m_size)
                return m_size;
            m_mask = scan(m_window);
        }
        const std::size_t at = m_window + static_cast<std::size_t>(__builtin_ctzll(m_mask));
        m_mask &= m_mask - 1;
        return at;
    }

private:
    std::uint64_t scan(std::size_t at) const
    {
        std::uint64_t mask = 0;
        const std::size_t available = m_size - at;
#if defined(__SSE2__)
        if (available >= 64) {
            const __m128i delimiter = _mm_set1_epi8(m_delimiter);
            const __m128i lineFeed = _mm_set1_epi8('\n');
            const __m128i carriageReturn = _mm_set1_epi8('\r');
            const __m128i quote = _mm_set1_epi8(m_quote);
            for (int lane = 0; lane < 4; ++lane) {
                const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_base + at + 16 * lane));
                const __m128i hits
                    = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, delimiter), _mm_cmpeq_epi8(bytes, lineFeed)),
                                   _mm_or_si128(_mm_cmpeq_epi8(bytes, carriageReturn), _mm_cmpeq_epi8(bytes, quote)));
                mask |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(hits))) << (16 * lane);
            }
            return mask;
        }
#endif
        const std::size_t count = std::min<std::size_t>(64, available);
        for (std::size_t i = 0; i < count; ++i) {
            const char c = m_base[at + i];
            if (c == m_delimiter || c == '\n' || c == '\r' || c == m_quote)
                mask |= std::uint64_t(1) << i;
        }
        return mask;
    }

    const char* m_base = nullptr;
    std::size_t m_size = 0;
    char m_delimiter = ',';
    char m_quote = '"';
    std::size_t m_window = 0;
    std::uint64_t m_mask = 0;
};

struct RecordSplitter {
    RecordSplitter(char fieldDelimiter, char quoteCharacter)
        : delimiter(fieldDelimiter)
        , quote(quoteCharacter)
    {
    }

    char delimiter;
    // With quoting off this is the delimiter itself: the delimiter test comes first, so the quote
    // branch is never taken and the hot loop needs no extra test.
    char quote;
    std::vector<std::string_view> fields;
    // Fields of the last record, all counted, at most about twice keep of them stored: a line of
    // 16 MiB of delimiters must not cost 16 bytes of view per byte (a row with more fields than the
    // header is refused whatever they hold). When fieldCount() > keep, fields is not positional
    // (some are left out): read it only when fieldCount() <= keep.
    std::size_t dropped = 0; // fields counted past keep
    std::size_t keep = std::string_view::npos;
    std::size_t fieldCount() const noexcept { return fields.size() + dropped; }
    // A deque: growing it never moves the strings, so views into earlier fields of the same
    // record stay valid (a vector here was a use-after-free the fuzzer found).
    std::deque<std::string> scratch;
    bool openQuote = false;
    SpecialBytes special;
    const char* specialBase = nullptr; // what special was reset on, and where it expects the next record
    std::size_t specialSize = 0;
    std::size_t specialNext = std::string_view::npos;

    std::size_t split(std::string_view data, std::size_t at, bool atEnd, std::int64_t& lineBreaks)
    {
        // Records without quotes, nearly all of them, take the fast path; one with a quote is
        // split again from its start, byte by byte.
        if (specialBase != data.data() || specialSize != data.size() || specialNext != at) {
            special.reset(data.data(), data.size(), delimiter, quote, at);
            specialBase = data.data();
            specialSize = data.size();
        }
        const std::size_t fast = splitUnquoted(data, at, atEnd, lineBreaks);
        if (fast != kQuoted) {
            specialNext = fast;
            return fast;
        }
        const std::size_t next = splitQuoted(data, at, atEnd, lineBreaks);
        specialBase = nullptr;
        return next;
    }

    static constexpr std::size_t kQuoted = std::string_view::npos - 1;

    // Always inlined: as a call (GCC's choice) it was 5 % of the read.
    [[gnu::always_inline]] void addField(const char* from, std::size_t size)
    {
        // Tested only where the vector would grow (the test emplace_back makes anyway): a test
        // per field cost 7 % of the read. So up to twice keep fields may be stored, never more.
        if (fields.size() == fields.capacity() && fields.size() >= keep) [[unlikely]] {
            ++dropped;
            return;
        }
        fields.emplace_back(from, size);
    }

    // kQuoted when the record holds a quote; otherwise as split().
    std::size_t splitUnquoted(std::string_view data, std::size_t at, bool atEnd, std::int64_t& lineBreaks)
    {
        fields.clear();
        dropped = 0;
        openQuote = false;
        const char* base = data.data();
        const std::size_t size = data.size();
        std::size_t fieldStart = at;
        for (;;) {
            const std::size_t i = special.next();
            if (i >= size) {
                if (!atEnd)
                    return std::string_view::npos;
                addField(base + fieldStart, size - fieldStart);
                return size;
            }
            const char c = base[i];
            if (c == delimiter) {
                addField(base + fieldStart, i - fieldStart);
                fieldStart = i + 1;
                continue;
            }
            if (c == quote)
                return kQuoted;
            addField(base + fieldStart, i - fieldStart);
            if (c == '\r' && i + 1 < size && base[i + 1] == '\n') {
                special.next(); // the LF of this CRLF
                ++lineBreaks;
                return i + 2;
            }
            if (c == '\r' && i + 1 == size && !atEnd)
                return std::string_view::npos; // might be CRLF split by the block end
            ++lineBreaks;
            return i + 1;
        }
    }

    std::size_t splitQuoted(std::string_view data, std::size_t at, bool atEnd, std::int64_t& lineBreaks)
    {
        fields.clear();
        dropped = 0;
        openQuote = false;
        std::size_t fieldIndex = 0;
        const char* base = data.data();
        const std::size_t size = data.size();
        std::size_t fieldStart = at;
        bool quoted = false; // this field held a quote: its text is in scratch
        std::int64_t breaks = 0;
        std::size_t i = at;
        // Fields past keep are not stored: they share one scratch string.
        auto scratchFor = [&](std::size_t index) -> std::string& {
            index = std::min(index, keep);
            if (scratch.size() <= index)
                scratch.resize(index + 1);
            return scratch[index];
        };
        auto closeField = [&](std::size_t stop) {
            if (quoted && fieldIndex >= keep)
                ++dropped; // its text is in the shared string, which the next field overwrites
            else if (quoted)
                addField(scratchFor(fieldIndex).data(), scratchFor(fieldIndex).size());
            else
                addField(base + fieldStart, stop - fieldStart);
            ++fieldIndex;
        };
        while (i < size) {
            const char c = base[i];
            if (c == delimiter) {
                closeField(i);
                ++i;
                fieldStart = i;
                quoted = false;
                continue;
            }
            if (c == '\n' || c == '\r') {
                closeField(i);
                if (c == '\r' && i + 1 < size && base[i + 1] == '\n')
                    ++i;
                else if (c == '\r' && i + 1 == size && !atEnd)
                    return std::string_view::npos; // might be CRLF split by the block end
                lineBreaks += breaks + 1;
                return i + 1;
            }
            if (c == quote) {
                // The field holds quotes: build its text in scratch. Every quote toggles the
                // quoted state, a doubled quote inside quotes is a literal one.
                std::string& text = scratchFor(fieldIndex);
                if (!quoted) {
                    text.assign(base + fieldStart, i - fieldStart);
                    quoted = true;
                }
                ++i;
                for (;;) {
                    const char* next = static_cast<const char*>(std::memchr(base + i, quote, size - i));
                    if (!next) {
                        if (atEnd) {
                            openQuote = true;
                        }
                        return std::string_view::npos;
                    }
                    const std::size_t q = static_cast<std::size_t>(next - base);
                    for (std::size_t k = i; k < q; ++k) {
                        if (base[k] == '\n' || (base[k] == '\r' && (k + 1 >= size || base[k + 1] != '\n')))
                            ++breaks;
                    }
                    text.append(base + i, q - i);
                    if (q + 1 < size && base[q + 1] == quote) {
                        text.push_back(quote);
                        i = q + 2;
                        continue;
                    }
                    if (q + 1 == size && !atEnd)
                        return std::string_view::npos; // cannot tell a closing quote from a doubled one yet
                    i = q + 1;
                    break;
                }
                continue;
            }
            if (quoted)
                scratchFor(fieldIndex).push_back(c);
            ++i;
        }
        if (!atEnd)
            return std::string_view::npos;
        closeField(i);
        return size;
    }
};

std::optional<CsvParser::HeaderLine> CsvParser::findHeaderLine(std::string_view block, bool atEnd)
{
    // Copies of the dataset circulate with a title line above the real header: look at up to three
    // lines for one that names the required columns, skipping lines that name none of the schema.
    // A column map or a header-less file says where the columns are: the first line is taken as is.
    const int kHeaderCandidates = m_options.columnMap.empty() && m_options.hasHeader ? 3 : 1;
    std::size_t at = 0;
    std::int64_t breaks = 0;
    // A spreadsheet's first line "sep=;" sets the delimiter and is not the header. Seen again when
    // the header did not fit the first block: the same line gives the same result.
    if (const std::optional<SepLine> sep = parseSepLine(block)) {
        if (sep->length == block.size() && !atEnd)
            return std::nullopt; // its line end may be a CR whose LF is in the next block
        if (m_options.delimiter != ',' && m_options.delimiter != sep->delimiter)
            m_report.warnings.push_back("line 1 ('sep=" + delimiterName(sep->delimiter)
                                        + "') sets the delimiter; the delimiter asked for ("
                                        + delimiterName(m_options.delimiter) + ") was not used");
        if (sep->delimiter == m_options.quote)
            throw InputError(m_file, 1, "",
                             "line 1 sets the delimiter to the quote character (" + delimiterName(sep->delimiter)
                                 + "): read it with --quote none or another quote");
        m_options.delimiter = sep->delimiter;
        m_report.sepLineDelimiter = sep->delimiter;
        at = sep->length;
        breaks = 1;
    }
    RecordSplitter splitter(m_options.delimiter, splitterQuote(m_options));
    splitter.keep = kMaxColumns + 1;
    HeaderLine found;
    std::vector<std::string> titleLines;
    std::vector<std::string> firstNames; // the first line's fields, for the error when no line fits
    std::int64_t firstLine = 0;
    for (int candidate = 0; candidate < kHeaderCandidates; ++candidate) {
        // Blank lines before the header are skipped.
        while (at < block.size() && (block[at] == '\n' || block[at] == '\r')) {
            if (block[at] == '\n' || at + 1 >= block.size() || block[at + 1] != '\n')
                ++breaks;
            ++at;
        }
        if (at >= block.size()) {
            if (!atEnd) {
                m_carriedLine = breaks + 1;
                return std::nullopt;
            }
            if (candidate == 0)
                throw InputError(m_file, 0, "", "the file is empty: expected a header line naming the columns");
            break; // only title lines: the header found last is reported below
        }
        const std::int64_t line = breaks + 1;
        const std::size_t end = splitter.split(block, at, atEnd, breaks);
        if (splitter.fieldCount() > kMaxColumns)
            throw InputError(m_file, line, "",
                             "this line has more than " + std::to_string(kMaxColumns)
                                 + " fields, more columns than the workbench reads: is it a CSV file?");
        if (end == std::string_view::npos) {
            if (splitter.openQuote)
                throw InputError(m_file, line, "", "the header line has a quoted field that is never closed");
            m_carriedLine = line;
            return std::nullopt;
        }
        if (end - at > m_options.maxRecordBytes)
            longRecord(line);
        std::vector<std::string> names;
        for (const auto& field : splitter.fields) {
            for (char c : field) {
                const auto byte = static_cast<unsigned char>(c);
                if (byte < 0x20 && c != '\t')
                    throw InputError(m_file, line, "",
                                     "this is not a text CSV file: its header line holds binary data");
            }
            names.emplace_back(trim(field));
        }
        std::size_t recognised = 0;
        for (const auto& name : names)
            recognised += fieldForHeader(name).has_value();
        if (recognised == 0 && candidate + 1 < kHeaderCandidates && end < block.size()) {
            if (firstNames.empty()) {
                firstNames = names;
                firstLine = line;
            }
            std::string title;
            for (const auto& name : names)
                title += (title.empty() ? "" : ",") + name;
            titleLines.push_back(title);
            at = end;
            continue;
        }
        found.names = std::move(names);
        found.line = line;
        found.next = end;
        if (!m_options.hasHeader) {
            // The first line is data: it only tells how many columns there are.
            for (std::size_t i = 0; i < found.names.size(); ++i)
                found.names[i] = "column_" + std::to_string(i + 1);
            found.next = at;
            found.line = 0;
        }
        if (recognised > 0 && !titleLines.empty()) {
            m_report.warnings.push_back(
                (line == 2 ? std::string("line 1") : "lines 1 to " + std::to_string(line - 1)) + " ('"
                + shortenForMessage(titleLines.front()) + "') " + (line == 2 ? "is" : "are") + " not a header and "
                + (line == 2 ? "was" : "were") + " skipped; the header is on line " + std::to_string(line));
        } else if (recognised == 0 && !titleLines.empty()) {
            found.names.clear(); // nothing looked like a header: reported against the first line below
        }
        break;
    }
    if (found.names.empty()) {
        // The file ended after title lines only: report against the first of them.
        found.names = std::move(firstNames);
        found.line = firstLine;
    }
    return found;
}

std::vector<bool> CsvParser::addDestinations(const std::vector<std::string>& header, std::int64_t headerLine)
{
    std::vector<bool> seen(kFieldCount, false);
    std::unordered_map<std::string, std::size_t> extraNames;
    const std::vector<ColumnMapping> targets = resolveColumns(header, headerLine);
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string name = header[i];
        if (targets[i].action == ColumnMapping::Action::Ignore) {
            // Parsed for the field count, stored nowhere: parsePiece skips Real destinations.
            m_destinations.push_back(Destination{0, ColumnKind::Real, 0, 0});
            continue;
        }
        if (name.empty() && !m_options.columnMap.empty())
            name = "column_" + std::to_string(i + 1);
        if (name.empty())
            throw InputError(m_file, headerLine, "", "column " + std::to_string(i + 1) + " of the header has no name");
        if (targets[i].action == ColumnMapping::Action::ToField) {
            const std::optional<Field> field = targets[i].field;
            const auto index = static_cast<std::size_t>(*field);
            if (seen[index]) {
                throw InputError(m_file, headerLine, name,
                                 "the column '" + std::string(fieldInfo(*field).name)
                                     + "' is named twice in the header (column " + std::to_string(i + 1) + ")");
            }
            seen[index] = true;
            const FieldInfo& info = fieldInfo(*field);
            Destination destination{index, info.kind, 0, std::numeric_limits<std::int64_t>::max()};
            if (*field == Field::DstPort)
                destination.maximum = 65535;
            else if (*field == Field::ResponseCode)
                destination.maximum = 999;
            m_destinations.push_back(destination);
        } else {
            if (!m_options.columnMap.empty() && m_table.findColumn(name))
                name += "_extra"; // kept beside the schema column of the same name, not instead of it
            if (extraNames.count(name) != 0)
                throw InputError(m_file, headerLine, name, "the column '" + name + "' is named twice in the header");
            extraNames.emplace(name, i);
            m_table.columns.push_back(Column{name, ColumnKind::Text, {}, {}, {}});
            m_destinations.push_back(Destination{m_table.columns.size() - 1, ColumnKind::Text, 0, 0});
            m_report.extraColumns.push_back(name);
        }
    }
    return seen;
}

void CsvParser::checkRequiredColumns(const std::vector<bool>& seen, const std::vector<std::string>& header,
                                     std::int64_t headerLine)
{
    std::vector<std::string> missingRequired;
    for (Field field : allFields()) {
        const FieldInfo& info = fieldInfo(field);
        if (seen[static_cast<std::size_t>(field)])
            continue;
        if (info.required)
            missingRequired.emplace_back(info.name);
        else
            m_report.absentColumns.emplace_back(info.name);
    }
    if (missingRequired.empty())
        return;
    std::string names;
    for (const auto& name : missingRequired)
        names += (names.empty() ? "'" : ", '") + name + "'";
    throw InputError(m_file, headerLine, missingRequired.front(),
                     std::string(missingRequired.size() == 1 ? "the required column " : "the required columns ") + names
                         + (missingRequired.size() == 1 ? " is" : " are")
                         + " missing from the header (found: " + namesForMessage(header) + ")");
}

std::size_t CsvParser::parseHeader(std::string_view block, bool atEnd)
{
    std::optional<HeaderLine> found = findHeaderLine(block, atEnd);
    if (!found)
        return std::string_view::npos;
    const std::size_t next = found->next;
    std::int64_t breaks = 0;
    // Lines consumed up to the end of the header.
    for (std::size_t i = 0; i < next; ++i) {
        if (block[i] == '\n' || (block[i] == '\r' && (i + 1 >= block.size() || block[i + 1] != '\n')))
            ++breaks;
    }
    if (next == block.size() && next > 0 && block[next - 1] != '\n' && block[next - 1] != '\r')
        ++breaks; // the header is the last line and has no line end
    m_report.header = found->names;
    const std::vector<bool> seen = addDestinations(found->names, found->line);
    checkRequiredColumns(seen, found->names, found->line);
    m_report.expectedFields = found->names.size();
    if (m_options.hasHeader
        && std::any_of(found->names.begin(), found->names.end(), [](const auto& name) { return !name.empty(); }))
        m_headerNames = found->names;
    m_invalid.resize(m_table.columns.size());
    for (const Column& column : m_table.columns)
        m_kinds.push_back(column.kind);
    m_linesDone += breaks;
    m_haveHeader = true;
    return next;
}

std::vector<ColumnMapping> CsvParser::resolveColumns(const std::vector<std::string>& header,
                                                     std::int64_t headerLine) const
{
    std::vector<ColumnMapping> targets(header.size());
    if (m_options.columnMap.empty()) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            targets[i].index = i;
            if (auto field = fieldForHeader(header[i]))
                targets[i].field = *field;
            else
                targets[i].action = ColumnMapping::Action::Extra;
        }
        return targets;
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
        targets[i].index = i;
        targets[i].action = ColumnMapping::Action::Extra;
    }
    auto lower = [](std::string text) {
        for (char& c : text)
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        return text;
    };
    for (const ColumnMapping& mapping : m_options.columnMap) {
        std::size_t column = mapping.index;
        if (column == ColumnMapping::kByName) {
            const auto exact = std::find(header.begin(), header.end(), mapping.header);
            if (exact != header.end()) {
                column = static_cast<std::size_t>(exact - header.begin());
            } else {
                const std::string wanted = lower(mapping.header);
                for (std::size_t i = 0; i < header.size() && column == ColumnMapping::kByName; ++i) {
                    if (lower(header[i]) == wanted)
                        column = i;
                }
            }
            if (column == ColumnMapping::kByName)
                throw InputError(m_file, headerLine, mapping.header,
                                 "the column map names the column '" + mapping.header
                                     + "', which the header does not have (found: " + namesForMessage(header) + ")");
        } else if (column >= header.size()) {
            throw InputError(m_file, headerLine, "",
                             "the column map names column number " + std::to_string(column + 1) + " but the file has "
                                 + std::to_string(header.size()) + " column(s)");
        }
        targets[column].action = mapping.action;
        targets[column].field = mapping.field;
    }
    return targets;
}

void CsvParser::unterminatedQuote(std::int64_t line) const
{
    throw InputError(m_file, line, "",
                     "a quoted field opened on this line is never closed (the file ends inside quotes)");
}

void CsvParser::longRecord(std::int64_t line) const
{
    throw InputError(m_file, line, "", recordTooLong(m_options.maxRecordBytes, kLongRecordHint));
}

bool CsvParser::repeatsHeader(const std::vector<std::string_view>& fields) const noexcept
{
    // Exports joined from tools that spell the header differently ("Bytes_In", quoted or not,
    // blanks around the names) repeat it all the same: names compare without case, trimmed.
    auto same = [](std::string_view cell, const std::string& name) {
        cell = trim(cell);
        if (cell.size() != name.size())
            return false;
        for (std::size_t i = 0; i < cell.size(); ++i) {
            const auto a = static_cast<unsigned char>(cell[i]);
            const auto b = static_cast<unsigned char>(name[i]);
            if (a != b && (a | 0x20) != (b | 0x20))
                return false;
            if (a != b && ((a | 0x20) < 'a' || (a | 0x20) > 'z'))
                return false;
        }
        return true;
    };
    // The first field tells a data row apart nearly always, so the cost is one short comparison a row.
    if (m_headerNames.empty() || !same(fields[0], m_headerNames[0]))
        return false;
    for (std::size_t f = 1; f < fields.size(); ++f) {
        if (!same(fields[f], m_headerNames[f]))
            return false;
    }
    return true;
}

void CsvParser::parsePiece(std::string_view block, std::size_t begin, std::size_t end, bool lastPiece, bool atEnd,
                           double bytesPerRow, PieceResult& out, std::size_t& stoppedAt) const
{
    // m_table is being merged into by another thread meanwhile: only m_kinds describes its columns.
    const std::size_t columnCount = m_kinds.size();
    out.columns.reserve(columnCount);
    // Rows this piece will hold, from the bytes per row seen so far (a guess for the first block):
    // reserving once spares the columns their growth copies.
    const auto expectedRows = static_cast<std::size_t>(static_cast<double>(end - begin) / bytesPerRow * 1.05) + 16;
    out.lines.reserve(expectedRows);
    for (ColumnKind kind : m_kinds) {
        out.columns.push_back(Column{{}, kind, {}, {}, {}});
        out.columns.back().reserve(expectedRows);
    }
    out.invalid.resize(columnCount);
    // Nearly every row brings a string the piece has not seen (an address, here): room for one
    // a row spares the pool its growth.
    out.strings.reserve(expectedRows);
    std::vector<RecentText> recent(columnCount);
    std::vector<DateMemo> dates(columnCount);

    RecordSplitter splitter(m_options.delimiter, splitterQuote(m_options));
    const std::size_t expected = m_destinations.size();
    splitter.keep = expected + 1; // one more tells a long row apart; its count is kept whole
    std::size_t at = begin;
    std::size_t rowsSinceCheck = 0;
    while (at < end) {
        if (++rowsSinceCheck == 4096) {
            rowsSinceCheck = 0;
            if (m_progress.cancelled())
                throw CancelledError();
        }
        const std::int64_t recordLine = out.lineBreaks + 1;
        const char first = block[at];
        if (first == '\n' || first == '\r') {
            // A blank line.
            if (first == '\r' && at + 1 < block.size() && block[at + 1] == '\n')
                ++at;
            else if (first == '\r' && at + 1 == block.size() && !atEnd)
                break;
            ++at;
            ++out.lineBreaks;
            ++out.blankLines;
            continue;
        }
        std::int64_t breaks = 0;
        const std::size_t next = splitter.split(block, at, atEnd && lastPiece, breaks);
        if (next == std::string_view::npos) {
            // Past the limit the refusal is the same whether the file ends there or goes on.
            if (splitter.openQuote && block.size() - at > m_options.maxRecordBytes)
                longRecord(recordLine);
            if (splitter.openQuote)
                unterminatedQuote(recordLine); // relative: feed() rebases it
            break; // incomplete: carried to the next block
        }
        if (next - at > m_options.maxRecordBytes) [[unlikely]]
            longRecord(recordLine); // relative: feed() rebases it
        out.lineBreaks += breaks;
        at = next;
        if (splitter.fieldCount() != expected) {
            ++out.malformed.count;
            if (out.malformed.firstLines.size() < MalformedRows::kKeptLines) {
                out.malformed.firstLines.push_back(recordLine);
                out.malformed.firstFieldCounts.push_back(splitter.fieldCount());
            }
            continue;
        }
        if (repeatsHeader(splitter.fields)) {
            if (out.repeatedHeaders.count++ < RepeatedHeaders::kKeptLines)
                out.repeatedHeaders.firstLines.push_back(recordLine);
            continue;
        }
        out.lines.push_back(recordLine);
        for (std::size_t f = 0; f < expected; ++f) {
            const Destination& destination = m_destinations[f];
            Column& column = out.columns[destination.column];
            const std::string_view cell = splitter.fields[f];
            switch (destination.kind) {
            case ColumnKind::Text: {
                const std::string_view value = trim(cell);
                column.text.push_back(value.empty() ? StringPool::kMissing
                                                    : recent[destination.column].intern(value, out.strings));
                break;
            }
            case ColumnKind::Integer:
            case ColumnKind::Timestamp: {
                std::int64_t value = kMissingInteger;
                const char* reason = nullptr;
                if (!trim(cell).empty()) {
                    if (destination.kind == ColumnKind::Integer) {
                        reason = parseInteger(cell, destination.minimum, destination.maximum, value);
                    } else if (auto instant
                               = parseTimestamp(cell, m_options.timestampFormat, dates[destination.column])) {
                        value = *instant;
                    } else {
                        reason = "not a timestamp";
                    }
                    if (reason) {
                        value = kMissingInteger;
                        LocalInvalid& invalid = out.invalid[destination.column];
                        if (invalid.count++ == 0) {
                            invalid.firstValue = shortenForMessage(cell);
                            invalid.reason = reason;
                        }
                        if (invalid.firstLines.size() < InvalidCells::kKeptLines)
                            invalid.firstLines.push_back(recordLine);
                    }
                }
                column.integers.push_back(value);
                break;
            }
            case ColumnKind::Real:
                break; // never read from files: the destination of ignored columns
            }
        }
    }
    stoppedAt = at;
}

void CsvParser::mergePiece(PieceResult& piece)
{
    const std::int64_t lineBase = m_linesDone;
    std::vector<std::uint32_t> globalId(piece.strings.size(), StringPool::kMissing);
    std::vector<std::string_view> texts(piece.strings.size());
    for (std::uint32_t id = 1; id < piece.strings.size(); ++id)
        texts[id] = piece.strings.view(id);
    m_table.strings->internAll(texts.data(), texts.size(), globalId.data());

    for (std::size_t c = 0; c < m_table.columns.size(); ++c) {
        Column& target = m_table.columns[c];
        Column& source = piece.columns[c];
        switch (target.kind) {
        case ColumnKind::Text:
            for (std::uint32_t id : source.text)
                target.text.push_back(globalId[id]);
            break;
        case ColumnKind::Integer:
        case ColumnKind::Timestamp:
            target.integers.insert(target.integers.end(), source.integers.begin(), source.integers.end());
            break;
        case ColumnKind::Real:
            break;
        }
        // Columns the file lacks get their missing values here, row for row.
        if (target.size() < m_table.sourceLines.size() + piece.lines.size())
            target.resize(m_table.sourceLines.size() + piece.lines.size());
        LocalInvalid& local = piece.invalid[c];
        if (local.count > 0) {
            LocalInvalid& total = m_invalid[c];
            if (total.count == 0) {
                total.firstValue = local.firstValue;
                total.reason = local.reason;
            }
            total.count += local.count;
            for (std::int64_t line : local.firstLines) {
                if (total.firstLines.size() < InvalidCells::kKeptLines)
                    total.firstLines.push_back(line + lineBase);
            }
        }
    }
    if (lineBase + piece.lineBreaks >= std::numeric_limits<std::uint32_t>::max())
        throw InputError(m_file, lineBase, "",
                         "the file has more than 4 294 967 294 lines, more than the workbench can hold");
    for (std::int64_t line : piece.lines)
        m_table.sourceLines.push_back(static_cast<std::uint32_t>(line + lineBase));
    m_report.malformed.count += piece.malformed.count;
    for (std::size_t i = 0; i < piece.malformed.firstLines.size(); ++i) {
        if (m_report.malformed.firstLines.size() < MalformedRows::kKeptLines) {
            m_report.malformed.firstLines.push_back(piece.malformed.firstLines[i] + lineBase);
            m_report.malformed.firstFieldCounts.push_back(piece.malformed.firstFieldCounts[i]);
        }
    }
    m_report.repeatedHeaders.count += piece.repeatedHeaders.count;
    for (std::int64_t line : piece.repeatedHeaders.firstLines) {
        if (m_report.repeatedHeaders.firstLines.size() < RepeatedHeaders::kKeptLines)
            m_report.repeatedHeaders.firstLines.push_back(line + lineBase);
    }
    m_report.blankLines += piece.blankLines;
    m_linesDone += piece.lineBreaks;
}

std::size_t CsvParser::feed(std::string_view block, bool atEnd, const std::function<void()>& alongside)
{
    // Whatever happens to this block, the next one is fetched and the last one merged.
    auto finishAside = [&] {
        mergePending();
        if (alongside)
            alongside();
    };
    std::size_t at = 0;
    if (!m_haveHeader) {
        at = parseHeader(block, atEnd);
        if (at == std::string_view::npos) {
            finishAside();
            return block.size();
        }
    }
    if (at >= block.size()) {
        finishAside();
        return 0;
    }
    const std::string_view rest = block.substr(at);

    // Split the rest into pieces at record boundaries found by quote parity: inside RFC 4180
    // text a line end is a record end exactly when an even number of quotes precede it. The
    // same pass looks for NUL bytes, which no text file holds.
    constexpr std::size_t kPieceBytes = 512u << 10;
    const std::size_t pieceCount = std::max<std::size_t>(1, std::min<std::size_t>(rest.size() / kPieceBytes, 4096));
    std::vector<std::size_t> quotes(pieceCount, 0);
    std::vector<std::size_t> nulAt(pieceCount, std::string_view::npos);
    auto roughStart = [&](std::size_t piece) { return rest.size() * piece / pieceCount; };
    parallelFor(pieceCount, m_threads, [&](std::size_t piece) {
        // Without quoting the quote is NUL: a range with a NUL is refused before its count matters.
        const RangeScan scan
            = scanRange(rest.data() + roughStart(piece), rest.data() + roughStart(piece + 1), m_options.quote);
        if (scan.firstNul)
            nulAt[piece] = static_cast<std::size_t>(scan.firstNul - rest.data());
        quotes[piece] = scan.quotes;
    });
    if (const auto nul = std::min_element(nulAt.begin(), nulAt.end()); *nul != std::string_view::npos) {
        mergePending(); // its line count is the base of the line named
        const auto line = m_linesDone + 1 + std::count(rest.data(), rest.data() + *nul, '\n');
        throw InputError(m_file, line, "",
                         "the file holds a NUL byte here: it is binary or corrupted, not a text CSV file");
    }
    std::vector<std::size_t> starts(pieceCount + 1, rest.size());
    starts[0] = 0;
    {
        std::vector<std::size_t> parity(pieceCount, 0); // quotes before each rough start
        for (std::size_t piece = 1; piece < pieceCount; ++piece)
            parity[piece] = parity[piece - 1] + quotes[piece - 1];
        // Each piece looks for its first record end only up to the next rough start: past it, that
        // piece's own search (with its own exact quote parity) finds the same one. Searching to the
        // end of the block instead made a block of one long record cost pieces x block.
        for (std::size_t piece = pieceCount - 1; piece > 0; --piece) {
            const std::size_t stop = roughStart(piece + 1);
            bool inQuotes = parity[piece] % 2 == 1;
            std::size_t i = roughStart(piece);
            for (; i < stop; ++i) {
                const char c = rest[i];
                if (c == m_options.quote)
                    inQuotes = !inQuotes;
                else if (!inQuotes && c == '\n')
                    break;
            }
            starts[piece] = i < stop ? i + 1 : starts[piece + 1];
        }
    }

    // Rows per byte so far, for the pieces' reservations: read here, since the merge running
    // beside the parse changes the table.
    const double bytesPerRow
        = m_rowsParsed > 0 ? static_cast<double>(m_bytesParsed) / static_cast<double>(m_rowsParsed) : 128.0;
    std::vector<PieceResult> results(pieceCount);
    std::vector<std::size_t> stopped(pieceCount, 0);
    std::vector<std::exception_ptr> errors(pieceCount);
    // Tasks in the order they are handed out: the merge of the last block's pieces first (the
    // longest serial step), then the fetch of the next block, then this block's pieces.
    const std::size_t sideTasks = 1 + (alongside ? 1 : 0);
    parallelFor(sideTasks + pieceCount, m_threads, [&](std::size_t task) {
        if (task == 0) {
            mergePending();
            return;
        }
        if (task < sideTasks) {
            alongside();
            return;
        }
        const std::size_t piece = task - sideTasks;
        try {
            // The piece that reaches the end of the block is the one that may end inside a record.
            parsePiece(rest, starts[piece], starts[piece + 1], starts[piece + 1] == rest.size(), atEnd, bytesPerRow,
                       results[piece], stopped[piece]);
        } catch (const InputError&) {
            errors[piece] = std::current_exception();
        }
    });
    std::size_t carried = 0;
    std::int64_t linesBefore = m_linesDone; // every earlier block is merged now
    for (std::size_t piece = 0; piece < pieceCount; ++piece) {
        if (errors[piece]) {
            // Line numbers inside a piece are relative: rebase the message before rethrowing.
            try {
                std::rethrow_exception(errors[piece]);
            } catch (const InputError& error) {
                throw InputError(m_file, error.line() + linesBefore, error.column(), error.problem());
            }
        }
        linesBefore += results[piece].lineBreaks;
        m_rowsParsed += results[piece].lines.size();
        if (starts[piece] < starts[piece + 1] && starts[piece + 1] == rest.size())
            carried = rest.size() - stopped[piece];
    }
    m_bytesParsed += rest.size() - carried;
    m_carriedLine = linesBefore + 1;
    m_pending = std::move(results);
    return atEnd ? 0 : carried;
}

void CsvParser::mergePending()
{
    if (m_pending.empty())
        return;
    if (!m_reserved && m_expectedBytes > m_bytesParsed && m_rowsParsed > 0) {
        // Rows to come, from the bytes per row so far, with 2 % to spare: reserved once, the
        // columns are neither copied as they grow nor left with much spare capacity.
        m_reserved = true;
        const double rowsPerByte = static_cast<double>(m_rowsParsed) / static_cast<double>(m_bytesParsed);
        const auto expected = static_cast<std::size_t>(rowsPerByte * static_cast<double>(m_expectedBytes) * 1.02) + 64;
        // Huge pages for the part of each column that will surely be filled (the estimate less
        // 5 %): a tenth of the read's time went to faulting the columns in 4 KiB at a time.
        const auto sure = static_cast<std::size_t>(static_cast<double>(expected) / 1.02 * 0.95);
        for (Column& column : m_table.columns) {
            column.reserve(expected);
            if (column.kind == ColumnKind::Text)
                adviseHugePages(column.text.data(), sure * sizeof(std::uint32_t));
            else if (column.kind != ColumnKind::Real)
                adviseHugePages(column.integers.data(), sure * sizeof(std::int64_t));
        }
        m_table.sourceLines.reserve(expected);
        adviseHugePages(m_table.sourceLines.data(), sure * sizeof(std::uint32_t));
    }
    for (PieceResult& piece : m_pending) {
        mergePiece(piece);
        piece = PieceResult(); // its memory goes back before the next piece grows the table
    }
    m_pending.clear();
}

void CsvParser::checkText()
{
    reportTextProblems(m_table, m_report);
}

ReadResult CsvParser::finish()
{
    if (!m_haveHeader)
        throw InputError(m_file, 0, "", "the file is empty: expected a header line naming the columns");
    mergePending();
    const std::size_t rows = m_table.sourceLines.size();
    auto trim = [rows](auto& values) {
        // Spare capacity was never written, so it holds no memory, only address space; giving it
        // back would copy the column (briefly twice its size, at the peak of the read). Only an
        // estimate gone far wrong is trimmed.
        if (values.capacity() > rows * 4 + 1024)
            values.shrink_to_fit();
    };
    for (auto& column : m_table.columns) {
        column.resize(rows);
        trim(column.integers);
        trim(column.text);
    }
    trim(m_table.sourceLines);
    for (std::size_t c = 0; c < m_invalid.size(); ++c) {
        const LocalInvalid& local = m_invalid[c];
        if (local.count == 0)
            continue;
        m_report.invalidCells.push_back(
            InvalidCells{m_table.columns[c].name, local.count, local.firstLines, local.firstValue, local.reason});
        m_report.warnings.push_back(invalidCellsWarning(m_report.invalidCells.back()));
    }
    checkText();
    if (m_report.malformed.count > 0) {
        std::string lines;
        for (std::size_t i = 0; i < m_report.malformed.firstLines.size(); ++i)
            lines += (lines.empty() ? "" : ", ") + std::to_string(m_report.malformed.firstLines[i]) + " ("
                + std::to_string(m_report.malformed.firstFieldCounts[i]) + " fields)";
        m_report.warnings.push_back(std::to_string(m_report.malformed.count) + " row(s) skipped for not having "
                                    + std::to_string(m_report.expectedFields) + " fields: line(s) " + lines
                                    + (m_report.malformed.count > m_report.malformed.firstLines.size() ? ", ..." : ""));
    }
    if (const RepeatedHeaders& repeated = m_report.repeatedHeaders; repeated.count > 0) {
        std::string lines;
        for (std::int64_t line : repeated.firstLines)
            lines += (lines.empty() ? "" : ", ") + std::to_string(line);
        m_report.warnings.push_back(std::to_string(repeated.count)
                                    + " repeated header line(s) skipped (files joined into one?): line(s) " + lines
                                    + (repeated.count > repeated.firstLines.size() ? ", ..." : ""));
    }
    if (!m_report.absentColumns.empty()) {
        std::string names;
        for (const auto& name : m_report.absentColumns)
            names += (names.empty() ? "" : ", ") + name;
        m_report.warnings.push_back("column(s) not in the file, read as missing: " + names);
    }
    m_report.rows = m_table.rowCount();
    // Line ends counted; a last record without one is a line too (the reference file ends so).
    m_report.lines = m_table.sourceLines.empty()
        ? m_linesDone
        : std::max(m_linesDone, static_cast<std::int64_t>(m_table.sourceLines.back()));
    return ReadResult{std::move(m_table), std::move(m_report)};
}

class Reader {
public:
    Reader(std::string name, const ReadOptions& options, const Progress& progress)
        : m_parser(name, options, progress)
        , m_name(std::move(name))
        , m_options(options)
        , m_progress(progress)
    {
        options.validate();
    }

    // pull(buffer, capacity) returns bytes read (0 at the end). While one block is parsed the
    // next is pulled into a second buffer, on the thread that would otherwise wait for the
    // parse; the unfinished record at the end of a block is copied in front of the next block,
    // into headroom kept for it.
    ReadResult run(const std::function<std::size_t(char*, std::size_t)>& pull, std::uint64_t totalBytes,
                   const std::function<double()>& fraction = {})
    {
        const auto started = std::chrono::steady_clock::now();
        m_parser.expectBytes(totalBytes);
        const std::size_t blockBytes = m_options.blockBytes;
        const std::size_t headroom = std::min<std::size_t>(blockBytes, 64 * 1024);
        // Fills buffer[headroom, headroom + blockBytes) as far as the input goes.
        auto fetch = [&](Fetched& into) {
            if (into.buffer.capacity() > 2 * (headroom + blockBytes))
                std::vector<char>().swap(into.buffer); // a long record's buffer goes back
            into.buffer.resize(headroom + blockBytes);
            into.got = 0;
            into.atEnd = false;
            while (into.got < blockBytes) {
                const std::size_t got = pull(into.buffer.data() + headroom + into.got, blockBytes - into.got);
                if (got == 0) {
                    into.atEnd = true;
                    break;
                }
                into.got += got;
            }
        };
        Fetched current;
        Fetched next;
        fetch(current);
        std::uint64_t consumed = current.got;
        std::size_t begin = headroom; // the block is current.buffer[begin, headroom + current.got)
        {
            const std::string_view start(current.buffer.data() + headroom, current.got);
            refuseUtf16(start, m_name, "CSV");
            begin += utf8ByteOrderMarkLength(start);
        }
        for (;;) {
            m_progress.check();
            const std::size_t blockEnd = headroom + current.got;
            const std::string_view block(current.buffer.data() + begin, blockEnd - begin);
            const bool atEnd = current.atEnd;
            std::function<void()> fetchNext;
            if (!atEnd)
                fetchNext = [&] { fetch(next); };
            const std::size_t carried = m_parser.feed(block, atEnd, fetchNext);
            if (fraction)
                m_progress.report("read", std::min(1.0, fraction()));
            else if (totalBytes > 0)
                m_progress.report(
                    "read", std::min(1.0, static_cast<double>(consumed + next.got) / static_cast<double>(totalBytes)));
            if (atEnd)
                break;
            consumed += next.got;
            if (carried > m_options.maxRecordBytes)
                throw InputError(m_name, m_parser.carriedLine(), "",
                                 recordTooLong(m_options.maxRecordBytes, kLongRecordHint));
            const char* carriedBytes = current.buffer.data() + blockEnd - carried;
            if (carried <= headroom) {
                std::memcpy(next.buffer.data() + headroom - carried, carriedBytes, carried);
                begin = headroom - carried;
            } else {
                // A record longer than the headroom (or than a block): the next block starts
                // with all of it, in a buffer made large enough.
                const std::size_t added = join(next, carriedBytes, carried, headroom, pull);
                consumed += added - next.got;
                next.got = carried + added;
                begin = headroom;
            }
            std::swap(current, next);
        }
        ReadResult result = m_parser.finish();
        result.report.bytes = consumed;
        result.report.format = std::string(inputFormatDescription(InputFormat::TrafficCsv));
        result.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        logger::core()->info("read {}: {} bytes, {} rows, {} skipped, {} invalid cells in {:.3f} s", m_name, consumed,
                             result.report.rows, result.report.malformed.count, result.report.invalidCellCount(),
                             result.report.seconds);
        return result;
    }

private:
    struct Fetched {
        std::vector<char> buffer;
        std::size_t got = 0;
        bool atEnd = false;
    };

    // Puts the carried bytes of an unfinished record in front of the block fetched into next, and
    // reads on after it until at least as many new bytes follow the record as it had (or the limit
    // for one record is passed): the record is scanned again from its start at each block, and
    // doubling what is scanned each time keeps the total linear in its size. Returns the bytes
    // that follow the record now (next.got and those read here).
    std::size_t join(Fetched& next, const char* carriedBytes, std::size_t carried, std::size_t headroom,
                     const std::function<std::size_t(char*, std::size_t)>& pull) const
    {
        const std::size_t wanted = std::min(carried, m_options.maxRecordBytes + 1 - carried);
        const std::size_t more = next.atEnd || next.got >= wanted ? 0 : wanted - next.got;
        std::vector<char> joined(headroom + carried + next.got + more);
        std::memcpy(joined.data() + headroom, carriedBytes, carried);
        std::memcpy(joined.data() + headroom + carried, next.buffer.data() + headroom, next.got);
        std::size_t added = next.got;
        while (added < next.got + more) {
            const std::size_t got = pull(joined.data() + headroom + carried + added, next.got + more - added);
            if (got == 0) {
                next.atEnd = true;
                break;
            }
            added += got;
        }
        joined.resize(headroom + carried + added);
        next.buffer.swap(joined);
        return added;
    }

    CsvParser m_parser;
    std::string m_name;
    ReadOptions m_options;
    const Progress& m_progress;
};

} // namespace

ReadResult readTrafficCsv(const std::string& path, const ReadOptions& options, const Progress& progress)
{
    options.validate();
    InputFile file(path);
    memoryBudgetOf(options).refuseIfTooLarge(path, file.size());
    Reader reader(path, options, progress);
    return reader.run([&](char* into, std::size_t capacity) { return file.read(into, capacity); }, file.size());
}

ReadResult readTrafficCsvText(std::string_view text, const std::string& displayName, const ReadOptions& options,
                              const Progress& progress)
{
    Reader reader(displayName, options, progress);
    std::size_t offset = 0;
    return reader.run(
        [&](char* into, std::size_t capacity) {
            const std::size_t take = std::min(capacity, text.size() - offset);
            std::memcpy(into, text.data() + offset, take);
            offset += take;
            return take;
        },
        text.size());
}

ReadResult readTrafficCsvStream(const std::function<std::size_t(char*, std::size_t)>& read,
                                const std::function<double()>& fraction, const std::string& displayName,
                                const ReadOptions& options, const Progress& progress)
{
    Reader reader(displayName, options, progress);
    return reader.run(read, 0, fraction);
}

} // namespace webthreat

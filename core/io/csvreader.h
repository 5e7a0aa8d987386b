#pragma once

#include "core/io/inputformat.h"
#include "core/util/progress.h"
#include "core/io/timestamp.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Where one file column goes when the header's names are not the schema's (the import dialog,
// --map). A column is named by its 0-based index, or by its header text when index is kByName
// (with hasHeader false the names are column_1, column_2, ...).
struct ColumnMapping {
    enum class Action : std::uint8_t {
        ToField, // read into the schema field `field`
        Extra,   // keep as an extra text column under its own name
        Ignore,  // drop it
    };
    static constexpr std::size_t kByName = static_cast<std::size_t>(-1);

    std::size_t index = kByName;
    std::string header;
    Action action = Action::ToField;
    Field field = Field::BytesIn;

    static ColumnMapping byIndex(std::size_t index, Field field) { return {index, {}, Action::ToField, field}; }
    static ColumnMapping byName(std::string header, Field field) { return {kByName, std::move(header), Action::ToField, field}; }
    // "'Source Address' (column 3)" for messages.
    std::string describe() const;
    bool operator==(const ColumnMapping&) const = default;
};

struct ReadOptions {
    int threads = 0;                        // 0 = all cores
    std::size_t blockBytes = 2u << 20;      // read in blocks this large; memory does not grow with the file
    char delimiter = ',';
    char quote = '"';                       // '\0': no quoting, every quote character is literal text
    bool hasHeader = true;                  // false: the first line is data; columns are named column_1...
    TimestampFormat timestampFormat = TimestampFormat::Iso8601; // for every timestamp column
    // When not empty, it replaces matching by header name: listed columns go where it says,
    // columns not listed are kept as extra text columns. Without a header it is required.
    std::vector<ColumnMapping> columnMap;
    std::uint64_t memoryBudget = 0;         // bytes the analysis may use; 0 = what the machine has available
    InputFormat format = InputFormat::Auto; // readTrafficFile: detect, or read as this format

    // Throws ParameterError naming the parameter and its allowed range, and for a column map that
    // names a field twice, names a column twice or leaves a required field unmapped.
    void validate() const;
};

// Cells of one column that were present but did not parse as the column's type: they are read as
// missing, counted, and the first few lines kept so the analyst can find them.
struct InvalidCells {
    std::string column;
    std::size_t count = 0;
    std::vector<std::int64_t> firstLines;   // up to kKeptLines, in file order
    std::string firstValue;                 // the first offending text, shortened
    std::string reason;                     // why the first one was refused
    static constexpr std::size_t kKeptLines = 10;
};

struct MalformedRows {
    std::size_t count = 0;                  // rows skipped for having the wrong number of fields
    std::vector<std::int64_t> firstLines;
    std::vector<std::size_t> firstFieldCounts;
    static constexpr std::size_t kKeptLines = 10;
};

struct ReadReport {
    std::string file;
    std::string format;                     // what the file was read as, in words (see inputformat.h)
    std::uint64_t bytes = 0;
    std::int64_t lines = 0;                 // physical lines, header included
    std::size_t rows = 0;                   // data rows read into the table
    std::size_t blankLines = 0;             // skipped quietly, as pandas does
    std::size_t expectedFields = 0;
    MalformedRows malformed;
    std::vector<InvalidCells> invalidCells; // only columns with at least one invalid cell
    std::vector<std::string> header;        // as written in the file
    std::vector<std::string> absentColumns; // optional schema columns the file lacks (read as missing)
    std::vector<std::string> extraColumns;  // columns outside the schema, kept as text
    std::size_t nonUtf8Cells = 0;           // text cells that are not UTF-8 (kept as read)
    std::size_t invalidAddresses = 0;       // src_ip / dst_ip cells that are not IPv4 or IPv6 (kept)
    std::size_t recordsWithoutTraffic = 0;  // well-formed log records that carry no traffic (VPC NODATA, SKIPDATA)
    std::vector<std::string> warnings;      // one readable sentence each
    double seconds = 0.0;

    std::size_t invalidCellCount() const noexcept;
};

struct ReadResult {
    TrafficTable table;
    ReadReport report;
};

// Reads a traffic CSV (RFC 4180: quoted fields, doubled quotes, separators and newlines inside
// quotes; LF, CRLF or CR line ends; optional final newline; optional UTF-8 byte-order mark).
// Columns are matched by header name in any order (see fieldForHeader). Throws InputError naming
// the file, line and column when the file cannot be used at all: unreadable, empty, no header,
// a required column missing, a column named twice, an unterminated quoted field, binary data, a
// file too large for the memory available (refused before reading). Problems in
// single rows or cells are counted in the report instead.
ReadResult readTrafficCsv(const std::string& path, const ReadOptions& options = {},
                          const Progress& progress = {});

// What the kernel says can still be allocated (MemAvailable), 0 when it cannot tell.
std::uint64_t availableMemoryBytes();

// Every reader's rule: the table and the detector's inputs take about 0.7 bytes per byte of text,
// so a file of textBytes that cannot fit in options.memoryBudget (or the memory available) is
// refused up front with an InputError naming file, rather than killed halfway.
// A file opened for reading in blocks: its size when the system can tell it (0 otherwise), and
// read(), a pull for the readers that names the file when reading fails. Opening it throws
// InputError naming the file and the system's reason.
class InputFile {
public:
    explicit InputFile(const std::string& path);
    std::uint64_t size() const noexcept { return m_size; }
    // Up to capacity bytes into into; 0 at the end.
    std::size_t read(char* into, std::size_t capacity);

private:
    std::string m_path;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> m_file;
    std::uint64_t m_size = 0;
};

// Whole number in [minimum, maximum], nothing around it; nullptr on success, else why not (what
// every reader says of a bad number cell).
const char* parseWholeNumber(std::string_view text, std::int64_t minimum, std::int64_t maximum, std::int64_t& value) noexcept;

std::uint64_t memoryNeededFor(std::uint64_t textBytes, const ReadOptions& options);
void refuseIfTooLarge(const std::string& file, std::uint64_t textBytes, const ReadOptions& options);

// The same over text in memory; displayName is used in messages.
ReadResult readTrafficCsvText(std::string_view text, const std::string& displayName,
                              const ReadOptions& options = {}, const Progress& progress = {});

// The same over a stream of bytes (a decompressed file): read(buffer, capacity) returns the bytes
// it put there, 0 at the end; fraction() says how much of the input is consumed, for progress.
ReadResult readTrafficCsvStream(const std::function<std::size_t(char*, std::size_t)>& read,
                                const std::function<double()>& fraction, const std::string& displayName,
                                const ReadOptions& options = {}, const Progress& progress = {});

} // namespace webthreat

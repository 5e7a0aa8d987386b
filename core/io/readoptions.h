#pragma once

#include "core/io/inputformat.h"
#include "core/io/timestamp.h"
#include "core/table/traffictable.h"
#include "core/util/memorybudget.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// How every reader reads: what the caller says about the file's layout, threads and memory.
// Apart from any one reader (as Arrow's csv/options.h is apart from reader.h).

// Where one file column goes when the header's names are not the schema's (the import dialog,
// --map). A column is named by its 0-based index, or by its header text when index is kByName
// (with hasHeader false the names are column_1, column_2, ...).
struct ColumnMapping {
    enum class Action : std::uint8_t {
        ToField, // read into the schema field `field`
        Extra, // keep as an extra text column under its own name
        Ignore, // drop it
    };
    static constexpr std::size_t kByName = static_cast<std::size_t>(-1);

    std::size_t index = kByName;
    std::string header;
    Action action = Action::ToField;
    Field field = Field::BytesIn;

    static ColumnMapping byIndex(std::size_t index, Field field) { return {index, {}, Action::ToField, field}; }
    static ColumnMapping byName(std::string header, Field field)
    {
        return {kByName, std::move(header), Action::ToField, field};
    }
    // "'Source Address' (column 3)" for messages.
    std::string describe() const;
    bool operator==(const ColumnMapping&) const = default;
};

// The longest record (a CSV row, quoted line ends and all, or a log line) any reader accepts. A longer
// one is refused with its file and line as soon as the reader has read this many bytes of it, so a
// file that is one endless line (a missing line end, a quote never closed, a gzip bomb of one line)
// costs time and memory in proportion to this limit, not to the file. Real rows are under 10 KB.
inline constexpr std::size_t kMaxRecordBytes = std::size_t(16) << 20;

// The problem of a record longer than limit, for an InputError at the record's first line: "a record
// longer than 16 MiB (the limit for one record): " and then hint, which says what may have caused it.
std::string recordTooLong(std::size_t limit, std::string_view hint);

struct ReadOptions {
    int threads = 0; // 0 = all cores
    std::size_t blockBytes = 2u << 20; // read in blocks this large; memory does not grow with the file
    char delimiter = ',';
    char quote = '"'; // '\0': no quoting, every quote character is literal text
    bool hasHeader = true; // false: the first line is data; columns are named column_1...
    TimestampFormat timestampFormat = TimestampFormat::Iso8601; // for every timestamp column
    // When not empty, it replaces matching by header name: listed columns go where it says,
    // columns not listed are kept as extra text columns. Without a header it is required.
    std::vector<ColumnMapping> columnMap;
    std::uint64_t memoryBudget = 0; // bytes the analysis may use; 0 = what the machine has available
    InputFormat format = InputFormat::Auto; // readTrafficFile: detect, or read as this format
    std::size_t maxRecordBytes = kMaxRecordBytes; // a longer record is refused (tests set a small one)

    // Throws ParameterError naming the parameter and its allowed range, and for a column map that
    // names a field twice, names a column twice or leaves a required field unmapped.
    void validate() const;
};

// The memory rule (core/util/memorybudget.h) for a read with these options.
inline MemoryBudget memoryBudgetOf(const ReadOptions& options) noexcept
{
    return MemoryBudget(options.memoryBudget, options.blockBytes);
}

} // namespace webthreat

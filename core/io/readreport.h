#pragma once

#include "core/table/traffictable.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// What every reader says about what it read: counts, problems in rows and cells, warnings. Apart
// from any one reader, like the options (readoptions.h).

// Cells of one column that were present but did not parse as the column's type: they are read as
// missing, counted, and the first few lines kept so the analyst can find them.
struct InvalidCells {
    std::string column;
    std::size_t count = 0;
    std::vector<std::int64_t> firstLines; // up to kKeptLines, in file order
    std::string firstValue; // the first offending text, shortened
    std::string reason; // why the first one was refused
    static constexpr std::size_t kKeptLines = 10;
};

struct MalformedRows {
    std::size_t count = 0; // rows skipped for having the wrong number of fields
    std::vector<std::int64_t> firstLines;
    std::vector<std::size_t> firstFieldCounts;
    static constexpr std::size_t kKeptLines = 10;
};

// Lines equal to the header, field by field after trimming and unquoting (exports joined with
// `cat` repeat it): skipped, so they do not reach the table as rows of invalid cells.
struct RepeatedHeaders {
    std::size_t count = 0;
    std::vector<std::int64_t> firstLines;
    static constexpr std::size_t kKeptLines = 10;
};

struct ReadReport {
    std::string file;
    std::string format; // what the file was read as, in words (see inputformat.h)
    std::uint64_t bytes = 0;
    std::int64_t lines = 0; // physical lines, header included
    std::size_t rows = 0; // data rows read into the table
    std::size_t blankLines = 0; // skipped quietly, as pandas does
    std::size_t expectedFields = 0;
    char sepLineDelimiter = '\0'; // the delimiter a first line 'sep=X' (spreadsheet exports) set; '\0': none
    MalformedRows malformed;
    RepeatedHeaders repeatedHeaders;
    std::vector<InvalidCells> invalidCells; // only columns with at least one invalid cell
    std::vector<std::string> header; // as written in the file
    std::vector<std::string> absentColumns; // optional schema columns the file lacks (read as missing)
    std::vector<std::string> extraColumns; // columns outside the schema, kept as text
    std::size_t nonUtf8Cells = 0; // text cells that are not UTF-8 (kept as read)
    std::size_t invalidAddresses = 0; // src_ip / dst_ip cells that are not IPv4 or IPv6 (kept)
    std::size_t recordsWithoutTraffic = 0; // well-formed log records that carry no traffic (VPC NODATA, SKIPDATA)
    std::vector<std::string> warnings; // one readable sentence each
    double seconds = 0.0;

    std::size_t invalidCellCount() const noexcept;
};

struct ReadResult {
    TrafficTable table;
    ReadReport report;
};

} // namespace webthreat

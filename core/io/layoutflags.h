#pragma once

#include "core/io/csvreader.h"
#include "core/io/csvsniffer.h"
#include "core/io/timestamp.h"

#include <optional>
#include <string>
#include <vector>

namespace webthreat {

// The CSV layout flags of `webthreat analyze`: --delimiter, --quote, --no-header,
// --timestamp-format, --map COLUMN=FIELD and --detect-layout. The command line parses them here and
// the import dialog writes them here (its "equivalent command line"), so the two cannot drift
// apart; tests/core/io/tst_layoutflags round-trips odd layouts through both directions.

// The flags as typed, before they are checked or applied to a file.
struct LayoutFlags {
    std::optional<std::string> delimiter; // one character, "tab" or "\t"
    std::optional<std::string> quote; // ", ' or none
    bool noHeader = false;
    std::optional<std::string> timestampFormat; // iso, epoch-s, epoch-ms, dmy, mdy, ymd, dmy-dots
    std::vector<std::string> maps; // COLUMN=FIELD in the order given; the last for a column wins
    bool detectLayout = false;

    // Whether any layout flag was given (without one the file is read as a plain CSV).
    bool any() const noexcept;
};

// One file's CSV layout: what ReadOptions needs to read it, and the file's column names.
struct CsvLayout {
    char delimiter = ',';
    char quote = '"'; // '\0': none
    bool hasHeader = true;
    TimestampFormat timestampFormat = TimestampFormat::Iso8601;
    // One entry per file column, by index; empty: columns are matched by header name.
    std::vector<ColumnMapping> columnMap;
    // The file's columns as the sniffer names them (header text, or column_N without a header).
    // Needed to write --map by name; empty when the file was not looked at.
    std::vector<std::string> columnNames;

    // Sets the layout's members of read (delimiter, quote, header, timestamps, column map).
    void applyTo(ReadOptions& read) const;
    bool operator==(const CsvLayout&) const = default;
};

// The layout read reads with (its column map by index), with the file's columns as sniffed.
CsvLayout layoutOf(const ReadOptions& read, const std::vector<SniffedColumn>& columns);

// The flags that make `webthreat analyze FILE` read FILE with this layout, as separate unquoted
// words ("--delimiter", ";", "--map", "Source Address=src_ip", ...). Defaults are left out, and so
// is a --map the command line would infer from the header name anyway. A column is named by its
// header text when that is unambiguous, else as #N.
std::vector<std::string> layoutToFlags(const CsvLayout& layout);

// The layout the flags describe for the file at path. Without --map and --detect-layout the file is
// not opened: what is not given keeps its default and columns are matched by header name. With
// them, the file's first lines are sniffed for its columns (and with --detect-layout for everything
// not given). Throws ParameterError for a flag that is wrong in itself, InputError naming the file
// for a --map naming a column the file does not have.
CsvLayout layoutFromFlags(const LayoutFlags& flags, const std::string& path);

// "Layout: delimiter ;, quote \", header line, timestamps dmy; columns: 'A'=src_ip ...\n", the
// line `webthreat analyze` prints before its report when layout flags were given.
std::string describeLayout(const CsvLayout& layout);

} // namespace webthreat

#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"
#include "core/io/timestamp.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Looks at the start of a CSV whose layout is not known (another tool's export) and guesses how
// to read it: the delimiter, the quote character, whether the first line is a header, the
// timestamp format, and which schema field each column holds. Every guess carries a confidence
// in [0, 1] and a sentence saying why, so the import dialog can show both and the analyst can
// overrule any of them (the *Override members below).
struct SniffParams {
    std::size_t sampleBytes = 64 * 1024; // how much of the file is looked at
    std::size_t previewRows = 50; // data rows kept in SniffResult::rows
    // Fixed by the analyst: then not guessed, and the other guesses are made under them.
    std::optional<char> delimiterOverride; // ',', ';', '\t', '|' or any other single byte
    std::optional<char> quoteOverride; // '"', '\'' or '\0' for none
    std::optional<bool> hasHeaderOverride;
    std::optional<TimestampFormat> timestampFormatOverride;

    void validate() const;
};

// What a column's values look like (empty cells are not counted).
enum class ValueType : std::uint8_t { Empty, Integer, Real, Timestamp, IpAddress, CountryCode, Text };
std::string_view valueTypeName(ValueType type) noexcept;

struct Guess {
    double confidence = 0.0; // 1 = certain, 0 = a default with nothing to go on
    std::string reason; // one sentence, for a tooltip
};

struct SniffedColumn {
    std::string name; // the header's text, or column_N without a header
    ValueType type = ValueType::Empty;
    std::size_t values = 0; // non-empty cells in the sample
    std::optional<Field> field; // nullopt: keep as an extra column
    Guess fieldGuess;
    std::vector<std::string> examples; // up to three distinct values
};

struct SniffResult {
    bool delimited = false; // false: no candidate delimiter splits the lines consistently
    char delimiter = ',';
    Guess delimiterGuess;
    char quote = '"'; // '\0': none
    Guess quoteGuess;
    bool hasHeader = true;
    Guess headerGuess;
    TimestampFormat timestampFormat = TimestampFormat::Iso8601;
    bool timestampAmbiguous = false; // day/month order could not be told (every value <= 12)
    Guess timestampGuess;
    std::vector<SniffedColumn> columns;
    std::vector<std::string> header; // the first line's fields (empty without a header)
    std::vector<std::vector<std::string>> rows; // up to previewRows data rows, as split
    std::size_t sampledRows = 0; // data rows the guesses are based on
    std::string headerSignature; // 16 hex digits identifying this layout, see below

    // Required fields no column is guessed to hold.
    std::vector<Field> missingRequired() const;
    // True when the plain reader would read this file as it is: comma-delimited, standard quotes,
    // a header naming every required field, ISO timestamps.
    bool readsAsIs() const;
    // Options reading the file the way these guesses say (every column listed in columnMap).
    ReadOptions readOptions() const;
};

// A layout's identity for remembering its mapping: a hash of the header's field names (trimmed,
// case kept) and the delimiter; without a header, of the column count and the delimiter.
std::string headerSignature(const std::vector<std::string>& header, char delimiter, bool hasHeader,
                            std::size_t columnCount);

// Sniffs text (a test's, or a sample already read). Throws ParameterError for bad params and
// InputError for text that is empty, UTF-16 or binary.
SniffResult sniffCsvText(std::string_view text, const SniffParams& params = {},
                         const std::string& displayName = "text");
// Reads up to params.sampleBytes of path and sniffs them. Throws InputError when it cannot.
SniffResult sniffCsvFile(const std::string& path, const SniffParams& params = {});
// The first bytes of a file, cut after the last complete line when the file is longer.
std::string readCsvSample(const std::string& path, std::size_t bytes);

// Whether opening a file needs the import dialog (or a saved mapping) rather than the plain reader:
// the reader refuses the header of its first sampleBytes (a required column missing, say), or
// reads its timestamps as invalid where the sniffer recognises another format, AND the sniffer can
// map every required field. A file the sniffer cannot map stays with the reader and its message
// (a broken copy of the schema, say); so do files that are not delimited text at all.
struct ImportCheck {
    bool needsImport = false;
    std::string why; // the reader's problem, for the dialog and the log
    SniffResult sniff; // valid when the file could be sniffed
    std::string sample; // the sniffed bytes, for the dialog's preview
};
ImportCheck checkImport(const std::string& path, const SniffParams& params = {});

// "comma", "semicolon", "tab", "pipe", "space" or the character in quotes, for messages.
std::string delimiterName(char delimiter);

// A spreadsheet's first line "sep=X" (Excel writes it; quoted, after a byte-order mark, or padded
// with delimiters after a round trip; "sep=\\t" for a tab also) names the delimiter: it is not the
// header. Returns X and the line's length with its line end (and the mark), or nullopt.
struct SepLine {
    char delimiter = ',';
    std::size_t length = 0;
};
std::optional<SepLine> parseSepLine(std::string_view text) noexcept;

// Splits text into records (RFC 4180 with the given quote; '\0' = none), at most maxRecords,
// skipping blank lines. A record cut off by the end of text is dropped when complete is false.
std::vector<std::vector<std::string>> splitCsvRecords(std::string_view text, char delimiter, char quote,
                                                      std::size_t maxRecords, bool complete = true);

// Whether a cell reads as a value of field (a whole number in range for bytes and ports, a
// timestamp in format, an address for src_ip and dst_ip): the preview marks the cells that would be
// read as missing (or, for addresses, kept as text and reported). Empty cells fit every field.
// Returns the reason when it does not fit.
std::optional<std::string> misfit(Field field, std::string_view cell, TimestampFormat format);

} // namespace webthreat

#pragma once

#include "core/table/cells.h"
#include "core/table/stringpool.h"
#include "core/io/timestamp.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

enum class ColumnKind : std::uint8_t {
    Integer, // whole numbers: bytes, port, response code
    Timestamp, // Instant (µs since epoch, UTC)
    Text, // interned strings
    Real, // computed values: features, scores
};

std::string_view columnKindName(ColumnKind kind) noexcept;

inline constexpr std::int64_t kMissingInteger = std::numeric_limits<std::int64_t>::min();

// One typed column. Exactly one of the vectors is used, chosen by kind; missing values are
// kMissingInteger (Integer, Timestamp), NaN (Real) or StringPool::kMissing (Text). A column whose
// rows all hold one value may hold it once (Cells::isUniform, see makeUniformIfSo).
struct Column {
    std::string name;
    ColumnKind kind = ColumnKind::Text;
    Cells<std::int64_t> integers;
    Cells<double> reals;
    Cells<std::uint32_t> text;
    // Its cells were let go to save memory (a run that reports on other columns only, see
    // CleanParams::keepOnly): the column keeps its name and kind but holds no rows. Nothing may
    // read its cells.
    bool released = false;

    std::size_t size() const noexcept;
    bool isMissing(std::size_t row) const noexcept;
    // The value as a double (Integer, Timestamp in seconds, Real); NaN when missing or Text.
    double number(std::size_t row) const noexcept;
    void reserve(std::size_t rows);
    void resize(std::size_t rows); // new rows are missing
    // Holds the cells once when every row holds the same value (Cells::makeUniformIfSo).
    bool makeUniformIfSo();
    std::size_t memoryBytes() const noexcept;
};

// The traffic schema's columns, in the order the dataset has them.
enum class Field : std::uint8_t {
    BytesIn,
    BytesOut,
    CreationTime,
    EndTime,
    SrcIp,
    SrcIpCountryCode,
    Protocol,
    ResponseCode,
    DstPort,
    DstIp,
    RuleNames,
    ObservationName,
    SourceMeta,
    SourceName,
    Time,
    DetectionTypes,
};
inline constexpr std::size_t kFieldCount = 16;

struct FieldInfo {
    std::string_view name; // canonical header name, as in the dataset
    ColumnKind kind;
    bool required; // the pipeline cannot run without it
};
const FieldInfo& fieldInfo(Field field) noexcept;
const std::array<Field, kFieldCount>& allFields() noexcept;

// The field a header name means, or nullopt. Case-insensitive; '.', '_', '-' and blanks are
// interchangeable, so response.code, response_code and "Response Code" all match.
std::optional<Field> fieldForHeader(std::string_view header) noexcept;

// Traffic records, column by column. columns[0..kFieldCount) are the schema's fields in Field
// order (a field absent from the file is present here, all missing); extra columns from the file
// follow in the file's order, as Text.
class TrafficTable {
public:
    TrafficTable();

    std::size_t rowCount() const noexcept { return sourceLines.size(); }
    std::size_t columnCount() const noexcept { return columns.size(); }
    const Column& column(Field field) const noexcept { return columns[static_cast<std::size_t>(field)]; }
    Column& column(Field field) noexcept { return columns[static_cast<std::size_t>(field)]; }
    // Index of the column with this exact name, or nullopt.
    std::optional<std::size_t> findColumn(std::string_view name) const noexcept;

    // A cell as text, as it is written to CSV (numbers plain, instants ISO 8601, missing empty).
    std::string cellText(std::size_t columnIndex, std::size_t row) const;
    std::string_view text(Field field, std::size_t row) const { return strings->view(column(field).text[row]); }

    // Keeps only the given rows (ascending), in place: no second copy of the table is made.
    void keepRows(const std::vector<std::uint32_t>& ascendingRows);
    // Frees a column's cells (Column::released).
    void releaseColumn(std::size_t index);
    // Every column whose rows all hold one value holds it once (Column::makeUniformIfSo): a log's
    // columns that are never filled then cost nothing per row. Readers call it when done.
    void makeUniformColumnsUniform();
    std::size_t memoryBytes() const noexcept;

    std::shared_ptr<StringPool> strings;
    std::vector<Column> columns;
    // 1-based line in the input file where each row started, for messages a user can follow.
    // 32 bits: a file with more lines could not be held in memory anyway (readers refuse it).
    std::vector<std::uint32_t> sourceLines;
};

} // namespace webthreat

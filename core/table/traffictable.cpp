#include "core/table/traffictable.h"

#include <charconv>

namespace webthreat {

std::string_view columnKindName(ColumnKind kind) noexcept
{
    switch (kind) {
    case ColumnKind::Integer:
        return "integer";
    case ColumnKind::Timestamp:
        return "timestamp";
    case ColumnKind::Text:
        return "text";
    case ColumnKind::Real:
        return "real";
    }
    return "unknown";
}

std::size_t Column::size() const noexcept
{
    switch (kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        return integers.size();
    case ColumnKind::Text:
        return text.size();
    case ColumnKind::Real:
        return reals.size();
    }
    return 0;
}

bool Column::isMissing(std::size_t row) const noexcept
{
    switch (kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        return integers[row] == kMissingInteger;
    case ColumnKind::Text:
        return text[row] == StringPool::kMissing;
    case ColumnKind::Real:
        return std::isnan(reals[row]);
    }
    return true;
}

double Column::number(std::size_t row) const noexcept
{
    switch (kind) {
    case ColumnKind::Integer:
        return integers[row] == kMissingInteger ? std::nan("") : static_cast<double>(integers[row]);
    case ColumnKind::Timestamp:
        return integers[row] == kMissingInteger ? std::nan("") : static_cast<double>(integers[row]) / kMicrosPerSecond;
    case ColumnKind::Real:
        return reals[row];
    case ColumnKind::Text:
        break;
    }
    return std::nan("");
}

void Column::reserve(std::size_t rows)
{
    switch (kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        integers.reserve(rows);
        break;
    case ColumnKind::Text:
        text.reserve(rows);
        break;
    case ColumnKind::Real:
        reals.reserve(rows);
        break;
    }
}

void Column::resize(std::size_t rows)
{
    switch (kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        integers.resize(rows, kMissingInteger);
        break;
    case ColumnKind::Text:
        text.resize(rows, StringPool::kMissing);
        break;
    case ColumnKind::Real:
        reals.resize(rows, std::nan(""));
        break;
    }
}

std::size_t Column::memoryBytes() const noexcept
{
    return integers.capacity() * sizeof(std::int64_t) + reals.capacity() * sizeof(double)
        + text.capacity() * sizeof(std::uint32_t);
}

namespace {
constexpr std::array<FieldInfo, kFieldCount> kFields{{
    {"bytes_in", ColumnKind::Integer, true},
    {"bytes_out", ColumnKind::Integer, true},
    {"creation_time", ColumnKind::Timestamp, true},
    {"end_time", ColumnKind::Timestamp, true},
    {"src_ip", ColumnKind::Text, true},
    {"src_ip_country_code", ColumnKind::Text, false},
    {"protocol", ColumnKind::Text, false},
    {"response.code", ColumnKind::Integer, false},
    {"dst_port", ColumnKind::Integer, false},
    {"dst_ip", ColumnKind::Text, true},
    {"rule_names", ColumnKind::Text, false},
    {"observation_name", ColumnKind::Text, false},
    {"source.meta", ColumnKind::Text, false},
    {"source.name", ColumnKind::Text, false},
    {"time", ColumnKind::Timestamp, false},
    {"detection_types", ColumnKind::Text, false},
}};

// Lower case, with '.', '-' and blanks turned into '_', for header matching.
std::string normaliseHeader(std::string_view header)
{
    std::string key;
    key.reserve(header.size());
    for (char c : header) {
        if (c >= 'A' && c <= 'Z')
            key.push_back(static_cast<char>(c - 'A' + 'a'));
        else if (c == '.' || c == '-' || c == ' ' || c == '\t')
            key.push_back('_');
        else
            key.push_back(c);
    }
    const auto first = key.find_first_not_of('_');
    const auto last = key.find_last_not_of('_');
    return first == std::string::npos ? std::string() : key.substr(first, last - first + 1);
}
} // namespace

const FieldInfo& fieldInfo(Field field) noexcept
{
    return kFields[static_cast<std::size_t>(field)];
}

const std::array<Field, kFieldCount>& allFields() noexcept
{
    static const std::array<Field, kFieldCount> fields = [] {
        std::array<Field, kFieldCount> all{};
        for (std::size_t i = 0; i < kFieldCount; ++i)
            all[i] = static_cast<Field>(i);
        return all;
    }();
    return fields;
}

std::optional<Field> fieldForHeader(std::string_view header) noexcept
{
    const std::string key = normaliseHeader(header);
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        if (normaliseHeader(kFields[i].name) == key)
            return static_cast<Field>(i);
    }
    return std::nullopt;
}

TrafficTable::TrafficTable()
    : strings(std::make_shared<StringPool>())
{
    columns.reserve(kFieldCount);
    for (const FieldInfo& info : kFields)
        columns.push_back(Column{std::string(info.name), info.kind, {}, {}, {}});
}

std::optional<std::size_t> TrafficTable::findColumn(std::string_view name) const noexcept
{
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name == name)
            return i;
    }
    return std::nullopt;
}

std::string TrafficTable::cellText(std::size_t columnIndex, std::size_t row) const
{
    const Column& c = columns[columnIndex];
    if (c.isMissing(row))
        return {};
    char buffer[64];
    switch (c.kind) {
    case ColumnKind::Integer: {
        auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, c.integers[row]);
        (void)error;
        return std::string(buffer, end);
    }
    case ColumnKind::Timestamp:
        return formatTimestamp(c.integers[row]);
    case ColumnKind::Text:
        return std::string(strings->view(c.text[row]));
    case ColumnKind::Real: {
        auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, c.reals[row]);
        (void)error;
        return std::string(buffer, end);
    }
    }
    return {};
}

void TrafficTable::keepRows(const std::vector<std::uint32_t>& ascendingRows)
{
    for (Column& column : columns) {
        if (column.released)
            continue;
        switch (column.kind) {
        case ColumnKind::Integer:
        case ColumnKind::Timestamp:
            column.integers.keepRows(ascendingRows);
            break;
        case ColumnKind::Text:
            column.text.keepRows(ascendingRows);
            break;
        case ColumnKind::Real:
            column.reals.keepRows(ascendingRows);
            break;
        }
    }
    std::size_t to = 0;
    for (std::uint32_t row : ascendingRows)
        sourceLines[to++] = sourceLines[row];
    sourceLines.resize(to);
}

void TrafficTable::releaseColumn(std::size_t index)
{
    Column& column = columns[index];
    column.integers.release();
    column.reals.release();
    column.text.release();
    column.released = true;
}

bool Column::makeUniformIfSo()
{
    if (released)
        return false;
    switch (kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        return integers.makeUniformIfSo();
    case ColumnKind::Text:
        return text.makeUniformIfSo();
    case ColumnKind::Real:
        return reals.makeUniformIfSo();
    }
    return false;
}

void TrafficTable::makeUniformColumnsUniform()
{
    for (Column& column : columns)
        column.makeUniformIfSo();
}

std::size_t TrafficTable::memoryBytes() const noexcept
{
    std::size_t total = sourceLines.capacity() * sizeof(std::uint32_t);
    for (const Column& c : columns)
        total += c.memoryBytes();
    return total;
}

} // namespace webthreat

#include "core/io/textcheck.h"

#include "core/util/errors.h"

#include <vector>

#include <cstdint>
#include <cstring>

#include <arpa/inet.h>

namespace webthreat {

void refuseUtf16(std::string_view start, const std::string& file, std::string_view saveAs)
{
    if (startsWithUtf16ByteOrderMark(start))
        throw InputError(file, 1, "",
                         "the file is UTF-16 encoded; save it as UTF-8 (or ASCII) " + std::string(saveAs)
                             + " and open it again");
}

bool isUtf8(std::string_view text) noexcept
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            ++i;
            continue;
        }
        std::size_t length;
        std::uint32_t code;
        if ((byte & 0xE0) == 0xC0) {
            length = 2;
            code = byte & 0x1F;
        } else if ((byte & 0xF0) == 0xE0) {
            length = 3;
            code = byte & 0x0F;
        } else if ((byte & 0xF8) == 0xF0) {
            length = 4;
            code = byte & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size())
            return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) || (length == 4 && code < 0x10000)
            || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

bool isIpAddress(std::string_view text) noexcept
{
    if (text.size() > 45)
        return false;
    char buffer[46];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    unsigned char address[16];
    return ::inet_pton(AF_INET, buffer, address) == 1 || ::inet_pton(AF_INET6, buffer, address) == 1;
}

std::string shortenForMessage(std::string_view text)
{
    constexpr std::size_t kMax = 40;
    if (text.size() <= kMax)
        return std::string(text);
    return std::string(text.substr(0, kMax)) + "...";
}

std::string namesForMessage(const std::vector<std::string>& names)
{
    constexpr std::size_t kMaxNames = 24;
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < kMaxNames; ++i)
        list += (i == 0 ? "" : ", ") + shortenForMessage(names[i]);
    if (names.size() > kMaxNames)
        list += " and " + std::to_string(names.size() - kMaxNames) + " more";
    return list;
}

// Checks each distinct text value once: text that is not UTF-8 (Latin-1 exports) and addresses
// that are neither IPv4 nor IPv6 are kept as read, counted and reported with their first line.
void reportTextProblems(const TrafficTable& table, ReadReport& report)
{
    const StringPool& strings = *table.strings;
    std::vector<std::uint8_t> utf8(strings.size(), 1);
    bool anyBad = false;
    for (std::uint32_t id = 1; id < strings.size(); ++id) {
        utf8[id] = isUtf8(strings.view(id));
        anyBad |= !utf8[id];
    }
    for (std::size_t c = 0; anyBad && c < table.columns.size(); ++c) {
        const Column& column = table.columns[c];
        if (column.kind != ColumnKind::Text)
            continue;
        std::size_t count = 0;
        std::int64_t firstLine = 0;
        for (std::size_t row = 0; row < column.text.size(); ++row) {
            if (!utf8[column.text[row]] && count++ == 0)
                firstLine = table.sourceLines[row];
        }
        if (count == 0)
            continue;
        report.nonUtf8Cells += count;
        report.warnings.push_back(std::to_string(count) + " cell(s) in column '" + column.name
                                  + "' are not UTF-8 text (first on line " + std::to_string(firstLine)
                                  + "); they are kept as read and shown with replacement characters");
    }
    for (Field field : {Field::SrcIp, Field::DstIp}) {
        const Column& column = table.column(field);
        std::vector<std::uint8_t> state(strings.size(), 0); // 0 unknown, 1 address, 2 not
        std::size_t count = 0;
        std::int64_t firstLine = 0;
        std::string firstValue;
        for (std::size_t row = 0; row < column.text.size(); ++row) {
            const std::uint32_t id = column.text[row];
            if (id == StringPool::kMissing)
                continue;
            if (state[id] == 0)
                state[id] = isIpAddress(strings.view(id)) ? 1 : 2;
            if (state[id] == 2 && count++ == 0) {
                firstLine = table.sourceLines[row];
                firstValue = shortenForMessage(strings.view(id));
            }
        }
        if (count == 0)
            continue;
        report.invalidAddresses += count;
        report.warnings.push_back(std::to_string(count) + " value(s) in column '" + column.name
                                  + "' are not IPv4 or IPv6 addresses (first: '" + firstValue + "' on line "
                                  + std::to_string(firstLine) + "); they are kept as text");
    }
}

std::string invalidCellsWarning(const InvalidCells& cells)
{
    std::string lines;
    for (std::int64_t line : cells.firstLines)
        lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    return std::to_string(cells.count) + " cell(s) in column '" + cells.column
        + "' could not be read and are treated as missing (first: '" + cells.firstValue + "', " + cells.reason
        + "; line(s) " + lines + (cells.count > cells.firstLines.size() ? ", ..." : "") + ")";
}

} // namespace webthreat

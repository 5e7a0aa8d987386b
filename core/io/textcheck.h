#pragma once

#include "core/io/readreport.h"
#include "core/util/text.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Small text checks shared by every reader, so they all judge cells the same way.

// True when text is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool isUtf8(std::string_view text) noexcept;
// True for an IPv4 or IPv6 address as inet_pton reads it.
bool isIpAddress(std::string_view text) noexcept;
// Throws InputError naming file when start (the first bytes of a file) is UTF-16 text; saveAs
// names what to save it as instead ("CSV", "text").
void refuseUtf16(std::string_view start, const std::string& file, std::string_view saveAs);
// Whole number in [minimum, maximum], nothing around it; nullptr on success, else why not (what
// every reader says of a bad number cell). Inline: the readers call it for every number cell.
inline const char* parseWholeNumber(std::string_view text, std::int64_t minimum, std::int64_t maximum,
                                    std::int64_t& value) noexcept
{
    const char* begin = text.data();
    const char* end = begin + text.size();
    auto [stop, error] = std::from_chars(begin, end, value);
    if (error == std::errc::result_out_of_range)
        return "number too large";
    if (error != std::errc() || stop != end || stop == begin)
        return "not a whole number";
    if (value < minimum)
        return minimum == 0 ? "negative number" : "number out of range";
    if (value > maximum)
        return "number out of range";
    return nullptr;
}
// The text cut to 40 characters with "..." for messages.
std::string shortenForMessage(std::string_view text);
// Names for a message ("found: a, b, c"): each whole (a name over 40 characters shortened), the
// first 24, then "and N more". An analyst reads the list to map a column; a cut name is useless.
std::string namesForMessage(const std::vector<std::string>& names);

// Checks each distinct text value of the table once: text that is not UTF-8 (Latin-1 exports) and
// src_ip / dst_ip values that are neither IPv4 nor IPv6 are kept as read, counted in the report and
// described in its warnings with their first line.
void reportTextProblems(const TrafficTable& table, ReadReport& report);
// The warning every reader gives for a column's invalid cells.
std::string invalidCellsWarning(const InvalidCells& cells);

} // namespace webthreat

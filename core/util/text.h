#pragma once

#include <cstddef>
#include <string_view>

namespace webthreat {

// Small text helpers every room uses, so they all cut and recognise text the same way.

// What a CSV cell or a log field may be padded with.
inline constexpr std::string_view kBlanks = " \t";
// What std::isspace counts in the "C" locale: blanks and line ends.
inline constexpr std::string_view kWhitespace = " \t\n\v\f\r";

// text without blanks (spaces and tabs) at either end. Inline and written out with two compares a
// character: the CSV reader calls it for every number cell, and nearly every cell has nothing to
// trim, so one look at each end decides (a search of kBlanks instead costs the reader 20 %).
inline std::string_view trim(std::string_view text) noexcept
{
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    if (text.empty() || (!blank(text.front()) && !blank(text.back())))
        return text;
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    return text;
}

// text without the characters of strip at either end (trim(text, kWhitespace) also cuts line ends).
inline std::string_view trim(std::string_view text, std::string_view strip) noexcept
{
    while (!text.empty() && strip.find(text.front()) != std::string_view::npos)
        text.remove_prefix(1);
    while (!text.empty() && strip.find(text.back()) != std::string_view::npos)
        text.remove_suffix(1);
    return text;
}

// True when text starts with a UTF-16 byte-order mark (either byte order): text we cannot read.
constexpr bool startsWithUtf16ByteOrderMark(std::string_view text) noexcept
{
    return text.size() >= 2 && ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF'));
}

// The length of the UTF-8 byte-order mark text starts with: 3, or 0 when it has none.
constexpr std::size_t utf8ByteOrderMarkLength(std::string_view text) noexcept
{
    return text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

} // namespace webthreat

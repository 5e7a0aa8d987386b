#include "core/io/timestamp.h"

#include "core/util/text.h"

#include <charconv>
#include <cstring>

namespace webthreat {

namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) noexcept
{
    if (at + count > text.size())
        return false;
    value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    return true;
}

// An optional ":SS" with an optional fraction (".123456" or ",5") at text[at]: false when one
// is started but malformed. Used by every date layout the readers accept.
bool secondsAndFraction(std::string_view text, std::size_t& at, int& second, std::int64_t& micros)
{
    if (at >= text.size() || text[at] != ':')
        return true;
    if (!digits(text, at + 1, 2, second))
        return false;
    at += 3;
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
        ++at;
        std::int64_t scale = 100000;
        const std::size_t start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            micros += (text[at] - '0') * scale;
            scale /= 10;
            ++at;
        }
        if (at == start)
            return false;
    }
    return true;
}

bool leapYear(int year) noexcept
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int daysInMonth(int year, int month) noexcept
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leapYear(year) ? 29 : kDays[month - 1];
}

// A whole number of at most maxDigits digits with an optional fraction, scaled to microseconds
// by unitMicros (1'000'000 for seconds, 1'000 for milliseconds).
std::optional<Instant> parseEpochIn(std::string_view text, std::size_t maxDigits, std::int64_t unitMicros) noexcept
{
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    if (whole.empty() || whole.size() > maxDigits)
        return std::nullopt;
    std::int64_t units = 0;
    auto [end, error] = std::from_chars(whole.data(), whole.data() + whole.size(), units);
    if (error != std::errc() || end != whole.data() + whole.size() || units < 0)
        return std::nullopt;
    std::int64_t micros = 0;
    if (dot != std::string_view::npos) {
        const std::string_view fraction = text.substr(dot + 1);
        if (fraction.empty())
            return std::nullopt;
        std::int64_t scale = unitMicros / 10;
        for (char c : fraction) {
            if (c < '0' || c > '9')
                return std::nullopt;
            micros += (c - '0') * scale;
            scale /= 10;
        }
    }
    return units * unitMicros + micros;
}

// Up to 11 integer digits: epoch seconds reach year 5138, enough; longer runs of digits are
// more likely milliseconds or garbage, which we do not guess at.
std::optional<Instant> parseEpoch(std::string_view text) noexcept
{
    return parseEpochIn(text, 11, kMicrosPerSecond);
}

// The form nearly every export writes, 2024-04-25T23:00:00Z (or with a blank for the T),
// checked eight bytes at a time: true with the instant, false to take the general path. With a
// memo, a date equal to the last one's is not checked and converted again.
bool parseCommonIso(std::string_view text, Instant& instant, DateMemo* memo) noexcept
{
    if (text.size() != 20 || text[19] != 'Z')
        return false;
    std::uint64_t date = 0; // YYYY-MM-
    std::uint64_t clock = 0; // DDTHH:MM
    std::uint32_t seconds = 0; // :SSZ
    std::memcpy(&date, text.data(), 8);
    std::memcpy(&clock, text.data() + 8, 8);
    std::memcpy(&seconds, text.data() + 16, 4);
    // Separators in place (little-endian: byte i is bits 8i..8i+7).
    constexpr std::uint64_t kDateSeparators = 0xFF0000FF00000000ull; // bytes 4 and 7
    constexpr std::uint64_t kClockSeparators = 0x0000FF0000FF0000ull; // bytes 2 and 5
    const char t = text[10];
    if ((t != 'T' && t != ' ') || (clock & 0x0000FF0000000000ull) != 0x00003A0000000000ull || (seconds & 0xFFu) != ':')
        return false;
    // Every other byte a digit: with separators read as '0', each byte's high nibble is 3 and
    // adding 6 does not carry into it.
    auto allDigits = [](std::uint64_t word) {
        return (word & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull
            && ((word + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) == 0x3030303030303030ull;
    };
    const std::uint64_t clockDigits = (clock & ~kClockSeparators) | (0x3030303030303030ull & kClockSeparators);
    const std::uint64_t secondDigits = (0x3030303030303030ull & ~0xFFFFull) | ((seconds >> 8) & 0xFFFFu);
    if (!allDigits(clockDigits) || !allDigits(secondDigits))
        return false;
    auto two = [&](std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
    const auto dayDigits = static_cast<std::uint16_t>(clock & 0xFFFFu);
    std::int64_t days = 0;
    if (memo && memo->known && memo->date == date && memo->day == dayDigits) {
        days = memo->days;
    } else {
        if ((date & kDateSeparators) != 0x2D00002D00000000ull)
            return false;
        const std::uint64_t dateDigits = (date & ~kDateSeparators) | (0x3030303030303030ull & kDateSeparators);
        if (!allDigits(dateDigits))
            return false;
        const int year = two(0) * 100 + two(2);
        const int month = two(5);
        const int day = two(8);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
            return false;
        days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
        if (memo)
            *memo = DateMemo{date, dayDigits, true, days};
    }
    const int hour = two(11);
    const int minute = two(14);
    const int second = two(17);
    if (hour > 23 || minute > 59 || second > 60)
        return false;
    instant = (days * 86400 + hour * 3600 + minute * 60 + second) * kMicrosPerSecond;
    return true;
}

} // namespace

std::optional<Instant> parseTimestamp(std::string_view text) noexcept
{
    text = trim(text);
    if (Instant instant = 0; parseCommonIso(text, instant, nullptr))
        return instant;
    if (text.size() < 10)
        return text.empty() ? std::nullopt : parseEpoch(text);
    if (text[4] != '-')
        return parseEpoch(text);

    int year, month, day;
    if (!digits(text, 0, 4, year) || text[4] != '-' || !digits(text, 5, 2, month) || text[7] != '-'
        || !digits(text, 8, 2, day))
        return std::nullopt;
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
        return std::nullopt;

    int hour = 0, minute = 0, second = 0;
    std::int64_t micros = 0;
    std::int64_t offsetSeconds = 0;
    std::size_t at = 10;
    if (at < text.size()) {
        if (text[at] != 'T' && text[at] != 't' && text[at] != ' ')
            return std::nullopt;
        ++at;
        if (!digits(text, at, 2, hour) || at + 2 >= text.size() || text[at + 2] != ':'
            || !digits(text, at + 3, 2, minute))
            return std::nullopt;
        at += 5;
        if (!secondsAndFraction(text, at, second, micros))
            return std::nullopt;
        // Leap second 60 is accepted as the last second of the minute would be by most exporters.
        if (hour > 23 || minute > 59 || second > 60)
            return std::nullopt;
        if (at < text.size()) {
            const char zone = text[at];
            if ((zone == 'Z' || zone == 'z') && at + 1 == text.size()) {
                ++at;
            } else if (zone == '+' || zone == '-') {
                int offsetHours = 0, offsetMinutes = 0;
                if (!digits(text, at + 1, 2, offsetHours))
                    return std::nullopt;
                std::size_t next = at + 3;
                if (next < text.size()) {
                    if (text[next] == ':')
                        ++next;
                    if (!digits(text, next, 2, offsetMinutes))
                        return std::nullopt;
                    next += 2;
                }
                if (next != text.size() || offsetHours > 23 || offsetMinutes > 59)
                    return std::nullopt;
                offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (zone == '-' ? -1 : 1);
                at = next;
            } else {
                return std::nullopt;
            }
        }
    }
    if (at != text.size())
        return std::nullopt;

    const std::int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return seconds * kMicrosPerSecond + micros;
}

std::size_t formatTimestamp(Instant instant, char* out) noexcept
{
    std::int64_t seconds = instant / kMicrosPerSecond;
    std::int64_t micros = instant % kMicrosPerSecond;
    if (micros < 0) {
        micros += kMicrosPerSecond;
        --seconds;
    }
    std::int64_t days = seconds / 86400;
    std::int64_t secondOfDay = seconds % 86400;
    if (secondOfDay < 0) {
        secondOfDay += 86400;
        --days;
    }
    // civil_from_days
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto dayOfEra = static_cast<unsigned>(days - era * 146097);
    const unsigned yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    std::int64_t year = static_cast<std::int64_t>(yearOfEra) + era * 400;
    const unsigned dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const unsigned mp = (5 * dayOfYear + 2) / 153;
    const unsigned day = dayOfYear - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    year += month <= 2;

    auto put = [&](std::size_t at, std::int64_t value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    if (year < 0 || year > 9999) {
        // Outside what ISO's four-digit years show; write epoch seconds rather than garbage.
        auto [end, error] = std::to_chars(out, out + 31, seconds);
        (void)error;
        return static_cast<std::size_t>(end - out);
    }
    put(0, year, 4);
    out[4] = '-';
    put(5, month, 2);
    out[7] = '-';
    put(8, day, 2);
    out[10] = 'T';
    put(11, secondOfDay / 3600, 2);
    out[13] = ':';
    put(14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    put(17, secondOfDay % 60, 2);
    std::size_t length = 19;
    if (micros != 0) {
        out[length++] = '.';
        int width = 6;
        while (micros % 10 == 0) {
            micros /= 10;
            --width;
        }
        put(length, micros, width);
        length += static_cast<std::size_t>(width);
    }
    out[length++] = 'Z';
    return length;
}

std::string formatTimestamp(Instant instant)
{
    char buffer[40];
    return std::string(buffer, formatTimestamp(instant, buffer));
}

namespace {

struct FormatNames {
    TimestampFormat format;
    std::string_view name;
    std::string_view label;
};
constexpr FormatNames kFormatNames[kTimestampFormatCount] = {
    {TimestampFormat::Iso8601, "iso", "ISO 8601 (2024-04-25T23:00:00Z)"},
    {TimestampFormat::EpochSeconds, "epoch-s", "Epoch seconds (1714086000)"},
    {TimestampFormat::EpochMillis, "epoch-ms", "Epoch milliseconds (1714086000000)"},
    {TimestampFormat::DayMonthYear, "dmy", "%d/%m/%Y %H:%M:%S (25/04/2024 23:00:00)"},
    {TimestampFormat::MonthDayYear, "mdy", "%m/%d/%Y %H:%M:%S (04/25/2024 23:00:00)"},
    {TimestampFormat::YearMonthDay, "ymd", "%Y/%m/%d %H:%M:%S (2024/04/25 23:00:00)"},
    {TimestampFormat::DayMonthYearDots, "dmy-dots", "%d.%m.%Y %H:%M:%S (25.04.2024 23:00:00)"},
};

// One or two digits (days, months, hours).
bool shortNumber(std::string_view text, std::size_t& at, int& value) noexcept
{
    std::size_t taken = 0;
    value = 0;
    while (at < text.size() && taken < 2 && text[at] >= '0' && text[at] <= '9') {
        value = value * 10 + (text[at] - '0');
        ++at;
        ++taken;
    }
    return taken > 0;
}

} // namespace

std::string_view timestampFormatName(TimestampFormat format) noexcept
{
    return kFormatNames[static_cast<std::size_t>(format)].name;
}

std::string_view timestampFormatLabel(TimestampFormat format) noexcept
{
    return kFormatNames[static_cast<std::size_t>(format)].label;
}

std::optional<TimestampFormat> timestampFormatByName(std::string_view name) noexcept
{
    for (const FormatNames& entry : kFormatNames) {
        if (entry.name == name)
            return entry.format;
    }
    return std::nullopt;
}

std::optional<Instant> parseTimestampAs(std::string_view text, TimestampFormat format) noexcept
{
    text = trim(text);
    if (text.empty())
        return std::nullopt;
    switch (format) {
    case TimestampFormat::Iso8601:
        return parseTimestamp(text);
    case TimestampFormat::EpochSeconds:
        return parseEpochIn(text, 12, kMicrosPerSecond);
    case TimestampFormat::EpochMillis:
        return parseEpochIn(text, 15, 1000);
    case TimestampFormat::DayMonthYear:
    case TimestampFormat::MonthDayYear:
    case TimestampFormat::YearMonthDay:
    case TimestampFormat::DayMonthYearDots:
        break;
    }
    const char separator = format == TimestampFormat::DayMonthYearDots ? '.' : '/';
    int year = 0, month = 0, day = 0;
    std::size_t at = 0;
    if (format == TimestampFormat::YearMonthDay) {
        if (!digits(text, 0, 4, year) || text.size() < 5 || text[4] != separator)
            return std::nullopt;
        at = 5;
        if (!shortNumber(text, at, month) || at >= text.size() || text[at] != separator)
            return std::nullopt;
        ++at;
        if (!shortNumber(text, at, day))
            return std::nullopt;
    } else {
        int first = 0, second = 0;
        if (!shortNumber(text, at, first) || at >= text.size() || text[at] != separator)
            return std::nullopt;
        ++at;
        if (!shortNumber(text, at, second) || at >= text.size() || text[at] != separator)
            return std::nullopt;
        ++at;
        if (!digits(text, at, 4, year))
            return std::nullopt;
        at += 4;
        day = format == TimestampFormat::MonthDayYear ? second : first;
        month = format == TimestampFormat::MonthDayYear ? first : second;
    }
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
        return std::nullopt;
    int hour = 0, minute = 0, second = 0;
    std::int64_t micros = 0;
    if (at < text.size() && (text[at] == ' ' || text[at] == 'T')) {
        ++at;
        if (!shortNumber(text, at, hour) || at >= text.size() || text[at] != ':' || !digits(text, at + 1, 2, minute))
            return std::nullopt;
        at += 3;
        if (!secondsAndFraction(text, at, second, micros))
            return std::nullopt;
        if (hour > 23 || minute > 59 || second > 60)
            return std::nullopt;
        if (at < text.size() && (text[at] == 'Z' || text[at] == 'z'))
            ++at;
    }
    if (at != text.size())
        return std::nullopt;
    const std::int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return (days * 86400 + hour * 3600 + minute * 60 + second) * kMicrosPerSecond + micros;
}

std::optional<Instant> parseTimestamp(std::string_view text, TimestampFormat format, DateMemo& memo) noexcept
{
    if (format == TimestampFormat::Iso8601) {
        if (Instant instant = 0; parseCommonIso(text, instant, &memo))
            return instant;
    }
    return parseTimestamp(text, format);
}

} // namespace webthreat

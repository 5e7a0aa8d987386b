#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace webthreat {

// Instants are microseconds since 1970-01-01T00:00:00Z, in UTC.
using Instant = std::int64_t;
inline constexpr Instant kMicrosPerSecond = 1'000'000;

// Parses the timestamp forms found in traffic exports, as a UTC instant:
//   2024-04-25T23:00:00Z, 2024-04-25 23:00:00Z, 2024-04-25T23:00:00.123456Z,
//   2024-04-25T23:00:00+02:00 (also +0200, +02), 2024-04-25T23:00:00 (taken as UTC),
//   2024-04-25 (midnight UTC), and epoch seconds 1714086000 or 1714086000.5.
// Years 0001 to 9999. Surrounding blanks are ignored. Returns nullopt for anything else.
std::optional<Instant> parseTimestamp(std::string_view text) noexcept;

// How the timestamps of a file are written, for files that do not use ISO 8601. One format
// applies to the whole file (every timestamp column), as the import dialog and --timestamp-format
// choose it. All are read as UTC.
enum class TimestampFormat : std::uint8_t {
    Iso8601, // what parseTimestamp(text) accepts (ISO 8601 forms and epoch seconds)
    EpochSeconds, // 1714086000 or 1714086000.5
    EpochMillis, // 1714086000000 or 1714086000000.25
    DayMonthYear, // 25/04/2024 23:00:00  (%d/%m/%Y %H:%M:%S)
    MonthDayYear, // 04/25/2024 23:00:00  (%m/%d/%Y %H:%M:%S)
    YearMonthDay, // 2024/04/25 23:00:00  (%Y/%m/%d %H:%M:%S)
    DayMonthYearDots, // 25.04.2024 23:00:00  (%d.%m.%Y %H:%M:%S)
};
inline constexpr std::size_t kTimestampFormatCount = 7;

// The short name used on the command line and in settings: iso, epoch-s, epoch-ms, dmy, mdy,
// ymd, dmy-dots.
std::string_view timestampFormatName(TimestampFormat format) noexcept;
// What the analyst sees: "%d/%m/%Y %H:%M:%S (25/04/2024 23:00:00)".
std::string_view timestampFormatLabel(TimestampFormat format) noexcept;
std::optional<TimestampFormat> timestampFormatByName(std::string_view name) noexcept;

// The date-and-time formats (not Iso8601) also accept one-digit days and months, a missing time
// (midnight), a missing seconds field, a fraction of a second, and a trailing Z.
std::optional<Instant> parseTimestampAs(std::string_view text, TimestampFormat format) noexcept;

// ISO 8601 takes the fast path above unchanged; the others go through parseTimestampAs.
inline std::optional<Instant> parseTimestamp(std::string_view text, TimestampFormat format) noexcept
{
    return format == TimestampFormat::Iso8601 ? parseTimestamp(text) : parseTimestampAs(text, format);
}

// The last date read in a column, for the one below: timestamps of a column mostly share their
// day with the one before, whose conversion is then reused.
struct DateMemo {
    std::uint64_t date = 0; // the bytes "YYYY-MM-"
    std::uint16_t day = 0; // the bytes "DD"
    bool known = false;
    std::int64_t days = 0; // daysFromCivil of that date
};

// parseTimestamp(text, format), the same answers, for many timestamps of one column in a row.
std::optional<Instant> parseTimestamp(std::string_view text, TimestampFormat format, DateMemo& memo) noexcept;

// ISO 8601 with Z, fractional seconds only when present: 2024-04-25T23:00:00Z.
std::string formatTimestamp(Instant instant);
// Writes the same into out (at least 32 chars); returns the length.
std::size_t formatTimestamp(Instant instant, char* out) noexcept;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
constexpr std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) noexcept
{
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = static_cast<unsigned>(year - era * 400);
    const unsigned dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + static_cast<std::int64_t>(dayOfEra) - 719468;
}

} // namespace webthreat

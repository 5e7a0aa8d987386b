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

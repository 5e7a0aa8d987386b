#pragma once

#include <QString>

#include <cstdint>
#include <string_view>

namespace webthreat {

struct Contamination;

// How numbers read in the workbench: English digit grouping whatever the desktop's locale, so
// that what the analyst sees matches the CSV exports and the command line's report.
QString formatCount(std::uint64_t count);
// "1 row", "1,204 rows": a count with its noun in the number's form (English; there is no translator).
QString countNoun(std::uint64_t count, const QString& singular, const QString& plural); // 1,234,567
QString formatPercent(double share, int decimals = 1); // 0.0532 -> "5.3 %"
QString formatContamination(const Contamination& contamination); // "auto", "2.30 %"
QString formatBytesText(double bytes); // 25.2 MB
QString formatValue(double value); // 600, 1.5, 0.0123, 1.23e+09
QString formatInstant(double secondsSinceEpoch); // 2024-04-25T23:00:00Z
QString formatInstantShort(double secondsSinceEpoch); // 2024-04-25 23:00 (UTC), for narrow columns
QString formatDuration(double seconds); // 12 ms, 3.45 s
QString fromUtf8View(std::string_view text);
// A tooltip that shows text from a file literally: Qt would render a tooltip that looks like HTML
// as HTML, and a cell must never become markup.
QString plainTooltip(const QString& text);

} // namespace webthreat

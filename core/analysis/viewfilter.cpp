#include "core/analysis/viewfilter.h"

#include "core/analysis/entities.h"
#include "core/util/parallel.h"
#include "core/util/progress.h"
#include "core/analysis/timeline.h"
#include "core/io/timestamp.h"

#include <algorithm>
#include <optional>
#include <array>
#include <charconv>
#include <limits>

namespace webthreat {

std::vector<std::uint8_t> filterRows(const TrafficTable& table, const ViewFilter& filter)
{
    std::vector<std::uint8_t> mask;
    if (filter.hasSources())
        mask = rowsFromSources(table, filter.sourceIps);
    if (filter.hasPeriod()) {
        const std::vector<std::uint8_t> period = rowsInTimeRange(table, *filter.from, *filter.to);
        if (mask.empty()) {
            mask = period;
        } else {
            for (std::size_t row = 0; row < mask.size(); ++row)
                mask[row] &= period[row];
        }
    }
    if (filter.hasPair()) {
        const std::vector<std::uint8_t> pair = rowsOfPair(table, *filter.pair);
        if (mask.empty()) {
            mask = pair;
        } else {
            for (std::size_t row = 0; row < mask.size(); ++row)
                mask[row] &= pair[row];
        }
    }
    if (!filter.isActive())
        mask.assign(table.rowCount(), 1);
    return mask;
}

std::vector<std::uint8_t> rowsOfPair(const TrafficTable& table, const PairFilter& pair)
{
    std::vector<std::uint8_t> mask(table.rowCount(), 0);
    const Column& src = table.column(Field::SrcIp);
    const Column& dst = table.column(Field::DstIp);
    const Column& port = table.column(Field::DstPort);
    // The columns core/behaviour reads (a released or mistyped column counts as absent there).
    const bool hasSrc = !src.released && src.kind == ColumnKind::Text && src.text.size() == mask.size();
    const bool hasDst = !dst.released && dst.kind == ColumnKind::Text && dst.text.size() == mask.size();
    const bool hasPort = !port.released && port.kind == ColumnKind::Integer && port.integers.size() == mask.size();
    if (!hasSrc)
        return mask;
    for (std::size_t row = 0; row < mask.size(); ++row) {
        const std::uint32_t dstIp = hasDst ? dst.text[row] : StringPool::kMissing;
        const std::int64_t dstPort = hasPort ? port.integers[row] : kMissingInteger;
        mask[row] = src.text[row] == pair.srcIp && dstIp == pair.dstIp && dstPort == pair.dstPort ? 1 : 0;
    }
    return mask;
}

namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::size_t kRowsPerTask = 16'384;
// A timestamp column spanning more days than this is matched by formatting every value.
constexpr std::int64_t kMaxTimestampDays = 1 << 20;

char lowered(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::int64_t floorDiv(std::int64_t value, std::int64_t divisor) noexcept
{
    const std::int64_t quotient = value / divisor;
    return quotient * divisor > value ? quotient - 1 : quotient;
}

// The needle as a whole integer ("443", "-1"), or nothing when it is not one.
std::optional<std::int64_t> wholeInteger(std::string_view needle) noexcept
{
    std::int64_t value = 0;
    const auto result = std::from_chars(needle.data(), needle.data() + needle.size(), value);
    if (result.ec != std::errc() || result.ptr != needle.data() + needle.size())
        return std::nullopt;
    return value;
}

bool timestampTextMatches(std::int64_t value, std::string_view needle) noexcept
{
    char buffer[40];
    const std::size_t length = formatTimestamp(value, buffer);
    return containsIgnoringAsciiCase(std::string_view(buffer, length), needle);
}

// A timestamp at a whole second whose year has four digits is written as 20 characters: the
// day's "YYYY-MM-DD" (0-9), 'T' (10), the second's "HH:MM:SS" (11-18) and 'Z' (19). Each place
// the needle can sit in them is a test of the day's text, the second's, or both: tables over the
// 86 400 seconds of a day (here, the same for every column) and over a column's days (below)
// answer them. Anything else (a fraction of a second, a year outside 0-9999) is formatted.
struct TimestampPlacements {
    static constexpr std::size_t kLength = 20;
    static constexpr std::size_t kTimeAt = 11;

    struct Placement {
        std::size_t at = 0; // where the needle starts
        std::vector<std::uint8_t> secondOk; // per second of the day; empty: the day's text only
    };

    explicit TimestampPlacements(std::string_view needle)
    {
        const std::size_t length = needle.size();
        std::vector<std::array<char, 8>> secondTexts;
        for (std::size_t at = 0; length > 0 && at + length <= kLength; ++at) {
            const std::size_t end = at + length;
            // The fixed letters, lowered as the haystack is when compared.
            if (at <= 10 && end > 10 && needle[10 - at] != 't')
                continue;
            if (end == kLength && needle[19 - at] != 'z')
                continue;
            const bool usesDay = at < 10;
            const bool usesSecond = at < 19 && end > kTimeAt;
            if (!usesDay && !usesSecond) {
                always = true; // only 'T' or 'Z': every such timestamp has it
                continue;
            }
            Placement placement{at, {}};
            if (usesSecond) {
                if (secondTexts.empty()) {
                    secondTexts.resize(static_cast<std::size_t>(kSecondsPerDay));
                    for (std::size_t second = 0; second < secondTexts.size(); ++second) {
                        const auto two = [](std::size_t value, char* out) {
                            out[0] = static_cast<char>('0' + value / 10);
                            out[1] = static_cast<char>('0' + value % 10);
                        };
                        std::array<char, 8>& text = secondTexts[second];
                        two(second / 3600, text.data());
                        text[2] = ':';
                        two(second / 60 % 60, text.data() + 3);
                        text[5] = ':';
                        two(second % 60, text.data() + 6);
                    }
                }
                const std::size_t from = std::max(at, kTimeAt);
                const std::size_t to = std::min<std::size_t>(end, 19);
                const std::string_view part = needle.substr(from - at, to - from);
                placement.secondOk.resize(secondTexts.size());
                for (std::size_t second = 0; second < secondTexts.size(); ++second)
                    placement.secondOk[second]
                        = std::string_view(secondTexts[second].data() + (from - kTimeAt), to - from) == part;
            }
            if (!usesDay) {
                if (secondAny.empty())
                    secondAny.assign(placement.secondOk.size(), 0);
                for (std::size_t second = 0; second < secondAny.size(); ++second)
                    secondAny[second] |= placement.secondOk[second];
            } else {
                placements.push_back(std::move(placement));
            }
        }
        if (secondAny.empty())
            secondAny.assign(static_cast<std::size_t>(kSecondsPerDay), 0);
    }

    std::vector<Placement> placements; // those that test the day's text (and maybe the second's)
    std::vector<std::uint8_t> secondAny; // the needle within the second's text
    bool always = false;
};

class TimestampMatcher {
public:
    TimestampMatcher(const Cells<std::int64_t>& values, std::string_view needle,
                     const TimestampPlacements& placements)
        : m_needle(needle)
        , m_placements(placements)
    {
        std::int64_t low = std::numeric_limits<std::int64_t>::max();
        std::int64_t high = std::numeric_limits<std::int64_t>::min();
        for (const std::int64_t value : values) {
            if (value == kMissingInteger)
                continue;
            low = std::min(low, value);
            high = std::max(high, value);
        }
        if (low > high)
            return; // every value missing
        m_firstDay = floorDiv(floorDiv(low, kMicrosPerSecond), kSecondsPerDay);
        const std::int64_t lastDay = floorDiv(floorDiv(high, kMicrosPerSecond), kSecondsPerDay);
        if (lastDay - m_firstDay >= kMaxTimestampDays)
            return; // m_days stays 0: every value is formatted
        m_days = static_cast<std::size_t>(lastDay - m_firstDay + 1);

        m_fastDay.assign(m_days, 0);
        m_dayAny.assign(m_days, 0);
        std::vector<std::string> dayTexts(m_days);
        for (std::size_t day = 0; day < m_days; ++day) {
            char buffer[40];
            const auto start = (m_firstDay + static_cast<std::int64_t>(day)) * kSecondsPerDay * kMicrosPerSecond;
            if (formatTimestamp(start, buffer) == TimestampPlacements::kLength && buffer[10] == 'T') {
                m_fastDay[day] = 1;
                dayTexts[day].assign(buffer, 10);
            }
        }
        for (const TimestampPlacements::Placement& placement : placements.placements) {
            const std::size_t dayEnd = std::min<std::size_t>(placement.at + needle.size(), 10);
            const std::string_view part = needle.substr(0, dayEnd - placement.at);
            std::vector<std::uint8_t> dayOk(m_days, 0);
            for (std::size_t day = 0; day < m_days; ++day) {
                if (m_fastDay[day])
                    dayOk[day] = std::string_view(dayTexts[day]).substr(placement.at, part.size()) == part;
            }
            if (placement.secondOk.empty()) {
                for (std::size_t day = 0; day < m_days; ++day)
                    m_dayAny[day] |= dayOk[day];
            } else {
                m_crossings.push_back({std::move(dayOk), &placement.secondOk});
            }
        }
    }

    bool matches(std::int64_t value) const noexcept
    {
        if (value == kMissingInteger)
            return false;
        const std::int64_t seconds = floorDiv(value, kMicrosPerSecond);
        if (seconds * kMicrosPerSecond != value || m_days == 0)
            return timestampTextMatches(value, m_needle);
        const std::int64_t dayNumber = floorDiv(seconds, kSecondsPerDay);
        const auto second = static_cast<std::size_t>(seconds - dayNumber * kSecondsPerDay);
        const auto day = static_cast<std::size_t>(dayNumber - m_firstDay);
        if (day >= m_days || !m_fastDay[day])
            return timestampTextMatches(value, m_needle);
        if (m_placements.always || m_dayAny[day] || m_placements.secondAny[second])
            return true;
        for (const Crossing& crossing : m_crossings) {
            if (crossing.day[day] && (*crossing.second)[second])
                return true;
        }
        return false;
    }

private:
    struct Crossing {
        std::vector<std::uint8_t> day;
        const std::vector<std::uint8_t>* second;
    };

    std::string_view m_needle;
    const TimestampPlacements& m_placements;
    std::int64_t m_firstDay = 0;
    std::size_t m_days = 0;
    std::vector<std::uint8_t> m_fastDay; // the day's timestamps take the tables
    std::vector<std::uint8_t> m_dayAny; // the needle within the day's text
    std::vector<Crossing> m_crossings; // across the day's and the second's
};

} // namespace

std::string lowerAscii(std::string_view text)
{
    std::string lower(text);
    for (char& c : lower)
        c = lowered(c);
    return lower;
}

bool containsIgnoringAsciiCase(std::string_view haystack, std::string_view lowerNeedle) noexcept
{
    if (lowerNeedle.size() > haystack.size())
        return false;
    return std::search(haystack.begin(), haystack.end(), lowerNeedle.begin(), lowerNeedle.end(),
                       [](char a, char b) { return lowered(a) == b; })
        != haystack.end();
}

std::vector<std::uint8_t> rowsMatchingText(const TrafficTable& table, const TextFilter& filter,
                                           const std::atomic<bool>* cancel)
{
    const std::size_t rows = table.rowCount();
    const std::string needle = lowerAscii(filter.needle);
    if (needle.empty())
        return std::vector<std::uint8_t>(rows, 1);
    const Progress progress({}, cancel);
    const unsigned threads = resolveThreads(filter.threads);

    // Cheapest first, as a row stops at its first match: text (a lookup), integers, timestamps.
    std::vector<const Column*> texts;
    std::vector<const Column*> integers;
    std::vector<const Column*> timestamps;
    for (const std::size_t index : filter.columns) {
        if (index >= table.columnCount())
            continue;
        const Column& column = table.columns[index];
        switch (column.kind) {
        case ColumnKind::Text:
            texts.push_back(&column);
            break;
        case ColumnKind::Integer:
            integers.push_back(&column);
            break;
        case ColumnKind::Timestamp:
            timestamps.push_back(&column);
            break;
        case ColumnKind::Real:
            break; // never searched: the table shows them rounded
        }
    }
    // Numbers match whole: 443 finds port 443, not 1443 or a byte count of 14430.
    const std::optional<std::int64_t> wanted = wholeInteger(needle);
    if (!wanted)
        integers.clear();

    std::vector<std::uint8_t> textMatches;
    if (!texts.empty()) {
        const StringPool& strings = *table.strings;
        textMatches.assign(strings.size(), 0);
        const std::size_t tasks = (strings.size() + kRowsPerTask - 1) / kRowsPerTask;
        parallelFor(tasks, threads, [&](std::size_t task) {
            progress.check();
            const std::size_t end = std::min(strings.size(), (task + 1) * kRowsPerTask);
            for (std::size_t id = std::max<std::size_t>(task * kRowsPerTask, 1); id < end; ++id)
                textMatches[id]
                    = containsIgnoringAsciiCase(strings.view(static_cast<std::uint32_t>(id)), needle) ? 1 : 0;
        });
    }
    progress.check();
    std::optional<TimestampPlacements> placements;
    std::vector<TimestampMatcher> timestampMatchers;
    if (!timestamps.empty()) {
        placements.emplace(needle);
        timestampMatchers.reserve(timestamps.size());
        for (const Column* column : timestamps)
            timestampMatchers.emplace_back(column->integers, needle, *placements);
    }

    std::vector<std::uint8_t> matches(rows, 0);
    const std::size_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
    parallelFor(tasks, threads, [&](std::size_t task) {
        progress.check();
        const std::size_t end = std::min(rows, (task + 1) * kRowsPerTask);
        for (std::size_t row = task * kRowsPerTask; row < end; ++row) {
            bool found = false;
            for (const Column* column : texts) {
                if (textMatches[column->text[row]]) { // id 0 (missing) is never a match
                    found = true;
                    break;
                }
            }
            for (std::size_t i = 0; !found && i < integers.size(); ++i)
                found = integers[i]->integers[row] == *wanted; // a missing cell is never a whole number typed
            for (std::size_t i = 0; !found && i < timestampMatchers.size(); ++i)
                found = timestampMatchers[i].matches(timestamps[i]->integers[row]);
            matches[row] = found ? 1 : 0;
        }
    });
    return matches;
}

} // namespace webthreat

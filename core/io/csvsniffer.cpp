#include "core/io/csvsniffer.h"

#include "core/io/csvreader.h"
#include "core/util/errors.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

namespace webthreat {

namespace {

constexpr std::array<char, 4> kDelimiters{',', ';', '\t', '|'};
constexpr std::array<char, 3> kQuotes{'"', '\'', '\0'}; // in order of preference when they tie
// A type or format holds for a column when it fits this share of its non-empty values: one odd
// cell in a sample must not turn a column of addresses into text.
constexpr double kFitShare = 0.9;

bool isCountryCode(std::string_view text) noexcept
{
    return text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z';
}

std::optional<std::int64_t> wholeNumber(std::string_view text) noexcept
{
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data())
        return std::nullopt;
    if (end != text.data() + text.size()) {
        // "5602.0": pandas writes integer columns with gaps this way; the reader accepts it too.
        if (*end != '.')
            return std::nullopt;
        for (const char* p = end + 1; p < text.data() + text.size(); ++p) {
            if (*p != '0')
                return std::nullopt;
        }
    }
    return value;
}

bool isReal(std::string_view text) noexcept
{
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

// Date-and-time formats a text column may be in; epoch formats are told from integers instead.
constexpr std::array<TimestampFormat, 5> kTextFormats{TimestampFormat::Iso8601, TimestampFormat::YearMonthDay,
                                                      TimestampFormat::DayMonthYearDots, TimestampFormat::DayMonthYear,
                                                      TimestampFormat::MonthDayYear};
// When several formats read every timestamp, the first of these is taken.
constexpr std::array<TimestampFormat, kTimestampFormatCount> kFormatPreference{
    TimestampFormat::EpochMillis,  TimestampFormat::EpochSeconds,     TimestampFormat::Iso8601,
    TimestampFormat::YearMonthDay, TimestampFormat::DayMonthYearDots, TimestampFormat::DayMonthYear,
    TimestampFormat::MonthDayYear};

// Epoch values between 2000-01-01 and 2100-01-01 are taken for instants; other integers are not.
constexpr std::int64_t kEpochLow = 946684800;
constexpr std::int64_t kEpochHigh = 4102444800;

struct ColumnStats {
    std::vector<std::string_view> values; // non-empty, trimmed
    std::size_t ips = 0, countries = 0, integers = 0, reals = 0;
    std::int64_t minimum = 0, maximum = 0;
    std::size_t epochSeconds = 0, epochMillis = 0;
    std::array<std::size_t, kTimestampFormatCount> formats{}; // values each format parses
    std::set<std::string_view> distinct;
};

ColumnStats columnStats(const std::vector<std::vector<std::string>>& rows, std::size_t column, std::size_t width)
{
    ColumnStats stats;
    bool first = true;
    for (const auto& row : rows) {
        if (row.size() != width)
            continue;
        const std::string_view value = trim(row[column]);
        if (value.empty())
            continue;
        stats.values.push_back(value);
        stats.distinct.insert(value);
        stats.ips += isIpAddress(value);
        stats.countries += isCountryCode(value);
        if (auto number = wholeNumber(value)) {
            ++stats.integers;
            stats.minimum = first ? *number : std::min(stats.minimum, *number);
            stats.maximum = first ? *number : std::max(stats.maximum, *number);
            first = false;
            stats.epochSeconds += *number >= kEpochLow && *number < kEpochHigh;
            stats.epochMillis += *number >= kEpochLow * 1000 && *number < kEpochHigh * 1000;
        } else {
            stats.reals += isReal(value);
        }
        // An ISO timestamp has a '-' after the year: without it parseTimestamp reads epoch seconds,
        // which the integer test above covers.
        if (value.size() >= 10 && value[4] == '-' && parseTimestamp(value))
            ++stats.formats[static_cast<std::size_t>(TimestampFormat::Iso8601)];
        for (TimestampFormat format : kTextFormats) {
            if (format != TimestampFormat::Iso8601 && parseTimestampAs(value, format))
                ++stats.formats[static_cast<std::size_t>(format)];
        }
    }
    stats.reals += stats.integers;
    return stats;
}

bool fits(std::size_t count, std::size_t total) noexcept
{
    return total > 0 && static_cast<double>(count) >= kFitShare * static_cast<double>(total);
}

// The formats that read this column's values; empty when it holds no timestamps.
std::vector<TimestampFormat> timestampFormatsOf(const ColumnStats& stats)
{
    std::vector<TimestampFormat> formats;
    const std::size_t total = stats.values.size();
    if (fits(stats.integers, total)) {
        if (fits(stats.epochMillis, total))
            formats.push_back(TimestampFormat::EpochMillis);
        else if (fits(stats.epochSeconds, total)) {
            formats.push_back(TimestampFormat::EpochSeconds);
            formats.push_back(TimestampFormat::Iso8601); // parseTimestamp reads epoch seconds too
        }
        return formats;
    }
    for (TimestampFormat format : kTextFormats) {
        if (fits(stats.formats[static_cast<std::size_t>(format)], total))
            formats.push_back(format);
    }
    return formats;
}

ValueType typeOf(const ColumnStats& stats, bool timestamps)
{
    const std::size_t total = stats.values.size();
    if (total == 0)
        return ValueType::Empty;
    if (timestamps)
        return ValueType::Timestamp;
    if (fits(stats.ips, total))
        return ValueType::IpAddress;
    if (fits(stats.countries, total))
        return ValueType::CountryCode;
    if (fits(stats.integers, total))
        return ValueType::Integer;
    if (fits(stats.reals, total))
        return ValueType::Real;
    return ValueType::Text;
}

// Whether a cell's text would be read as a value of this type: the header test.
bool cellIs(ValueType type, std::string_view cell)
{
    cell = trim(cell);
    switch (type) {
    case ValueType::IpAddress:
        return isIpAddress(cell);
    case ValueType::CountryCode:
        return isCountryCode(cell);
    case ValueType::Integer:
        return wholeNumber(cell).has_value();
    case ValueType::Real:
        return isReal(cell);
    case ValueType::Timestamp: {
        if (wholeNumber(cell))
            return true;
        for (TimestampFormat format : kTextFormats) {
            if (parseTimestamp(cell, format))
                return true;
        }
        return false;
    }
    case ValueType::Empty:
    case ValueType::Text:
        return true;
    }
    return true;
}

std::vector<std::string> words(std::string_view name)
{
    std::vector<std::string> result;
    std::string word;
    auto flush = [&] {
        if (!word.empty())
            result.push_back(word);
        word.clear();
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool upper = c >= 'A' && c <= 'Z';
        const bool lower = c >= 'a' && c <= 'z';
        const bool digit = c >= '0' && c <= '9';
        // camelCase splits too: "srcAddr" -> src, addr.
        if (upper && !word.empty() && i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z')
            flush();
        if (upper)
            word.push_back(static_cast<char>(c - 'A' + 'a'));
        else if (lower || digit)
            word.push_back(c);
        else
            flush();
    }
    flush();
    return result;
}

bool hasAny(const std::vector<std::string>& tokens, std::initializer_list<std::string_view> wanted)
{
    for (const auto& token : tokens) {
        for (std::string_view word : wanted) {
            if (token == word)
                return true;
        }
    }
    return false;
}

// What a header's words suggest, when the values agree. nullopt when they suggest nothing.
std::optional<Field> fieldFromWords(const std::vector<std::string>& tokens, ValueType type)
{
    const bool address = type == ValueType::IpAddress;
    const bool number = type == ValueType::Integer;
    const bool instant = type == ValueType::Timestamp;
    const bool bytes = hasAny(tokens, {"bytes", "byte", "octets", "size"});
    if (address && hasAny(tokens, {"src", "source", "client", "from", "orig", "origin", "sender", "caller", "remote"}))
        return Field::SrcIp;
    if (address
        && hasAny(tokens, {"dst", "dest", "destination", "server", "target", "to", "resp", "responder", "host"}))
        return Field::DstIp;
    if (number && bytes
        && hasAny(tokens, {"in", "received", "recv", "rx", "inbound", "down", "download", "ingress", "req", "request"}))
        return Field::BytesIn;
    if (number && bytes
        && hasAny(tokens, {"out", "sent", "tx", "outbound", "up", "upload", "egress", "resp", "response"}))
        return Field::BytesOut;
    if (number && hasAny(tokens, {"port", "dport", "dstport"}))
        return Field::DstPort;
    if (number && hasAny(tokens, {"status", "response", "code", "http"}))
        return Field::ResponseCode;
    if (instant && hasAny(tokens, {"start", "begin", "created", "creation", "first", "from", "opened"}))
        return Field::CreationTime;
    if (instant && hasAny(tokens, {"end", "stop", "finish", "finished", "last", "until", "closed"}))
        return Field::EndTime;
    if (instant && hasAny(tokens, {"time", "timestamp", "date", "datetime", "logged", "event", "ts"}))
        return Field::Time;
    if ((type == ValueType::CountryCode || type == ValueType::Text) && hasAny(tokens, {"country", "cc", "geo"}))
        return Field::SrcIpCountryCode;
    if (type == ValueType::Text && hasAny(tokens, {"proto", "protocol"}))
        return Field::Protocol;
    if (type == ValueType::Text && hasAny(tokens, {"rule", "rules"}))
        return Field::RuleNames;
    return std::nullopt;
}

std::string fieldName(Field field)
{
    return std::string(fieldInfo(field).name);
}

std::string quoteName(char quote)
{
    return quote == '\0' ? "none"
        : quote == '"'   ? "double quote"
        : quote == '\''  ? "single quote"
                         : std::string(1, quote);
}

struct Layout {
    char delimiter = ',';
    char quote = '"';
    std::size_t width = 0; // the commonest field count
    std::size_t consistent = 0; // records with that count
    std::size_t records = 0;
};

Layout measure(std::string_view sample, char delimiter, char quote, bool complete)
{
    Layout layout{delimiter, quote, 0, 0, 0};
    const auto records = splitCsvRecords(sample, delimiter, quote, 200, complete);
    layout.records = records.size();
    std::vector<std::size_t> counts;
    for (const auto& record : records)
        counts.push_back(record.size());
    std::sort(counts.begin(), counts.end());
    for (std::size_t i = 0; i < counts.size();) {
        std::size_t j = i;
        while (j < counts.size() && counts[j] == counts[i])
            ++j;
        if (j - i > layout.consistent || (j - i == layout.consistent && counts[i] > layout.width)) {
            layout.consistent = j - i;
            layout.width = counts[i];
        }
        i = j;
    }
    return layout;
}

std::size_t quotedFields(std::string_view sample, char delimiter, char quote)
{
    if (quote == '\0')
        return 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        if (sample[i] != quote)
            continue;
        const bool opensField = i == 0 || sample[i - 1] == delimiter || sample[i - 1] == '\n' || sample[i - 1] == '\r';
        count += opensField;
    }
    return count;
}

std::string fnv1a(std::string_view text)
{
    std::uint64_t hash = 1469598103934665603ULL;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

} // namespace

void SniffParams::validate() const
{
    if (sampleBytes < 16 || sampleBytes > (std::size_t(64) << 20))
        throw ParameterError("sampleBytes must be between 16 bytes and 64 MiB, got " + std::to_string(sampleBytes));
    if (previewRows > 100000)
        throw ParameterError("previewRows must be 100000 or fewer, got " + std::to_string(previewRows));
    if (delimiterOverride && (*delimiterOverride == '\n' || *delimiterOverride == '\r' || *delimiterOverride == '\0'))
        throw ParameterError("the delimiter cannot be a line end or NUL");
    if (quoteOverride && delimiterOverride && *quoteOverride == *delimiterOverride)
        throw ParameterError("the quote character cannot be the delimiter");
    if (quoteOverride && (*quoteOverride == '\n' || *quoteOverride == '\r'))
        throw ParameterError("the quote character cannot be a line end");
}

std::string_view valueTypeName(ValueType type) noexcept
{
    switch (type) {
    case ValueType::Empty:
        return "empty";
    case ValueType::Integer:
        return "whole numbers";
    case ValueType::Real:
        return "numbers";
    case ValueType::Timestamp:
        return "timestamps";
    case ValueType::IpAddress:
        return "IP addresses";
    case ValueType::CountryCode:
        return "country codes";
    case ValueType::Text:
        return "text";
    }
    return "text";
}

std::vector<std::vector<std::string>> splitCsvRecords(std::string_view text, char delimiter, char quote,
                                                      std::size_t maxRecords, bool complete)
{
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool inQuotes = false;
    bool any = false; // the current record has content
    std::size_t i = 0;
    auto endRecord = [&] {
        record.push_back(std::move(field));
        field.clear();
        if (any || record.size() > 1)
            records.push_back(std::move(record));
        record.clear();
        any = false;
    };
    while (i < text.size() && records.size() < maxRecords) {
        const char c = text[i];
        if (inQuotes) {
            if (c == quote) {
                if (i + 1 < text.size() && text[i + 1] == quote) {
                    field.push_back(quote);
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                field.push_back(c);
            }
            ++i;
            continue;
        }
        if (quote != '\0' && c == quote) {
            inQuotes = true;
            any = true;
        } else if (c == delimiter) {
            record.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            endRecord();
        } else {
            field.push_back(c);
            any = true;
        }
        ++i;
    }
    if (records.size() < maxRecords && (any || !record.empty()) && complete && !inQuotes)
        endRecord();
    return records;
}

std::string headerSignature(const std::vector<std::string>& header, char delimiter, bool hasHeader,
                            std::size_t columnCount)
{
    std::string key(1, delimiter);
    if (hasHeader) {
        for (const auto& name : header) {
            key += '\x1f';
            key += trim(name);
        }
    } else {
        key += "\x1e" + std::to_string(columnCount) + " columns, no header";
    }
    return fnv1a(key);
}

std::string readCsvSample(const std::string& path, std::size_t bytes)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        throw InputError(path, 0, "", std::string("cannot open the file: ") + std::strerror(errno));
    std::string sample(bytes + 1, '\0');
    const std::size_t got = std::fread(sample.data(), 1, sample.size(), file.get());
    if (got == 0 && std::ferror(file.get()))
        throw InputError(path, 0, "", std::string("reading the file failed: ") + std::strerror(errno));
    sample.resize(got);
    if (got > bytes) {
        // Longer than the sample: keep whole lines only.
        sample.resize(bytes);
        const auto lastBreak = sample.find_last_of("\n\r");
        if (lastBreak != std::string::npos)
            sample.resize(lastBreak + 1);
    }
    return sample;
}

SniffResult sniffCsvFile(const std::string& path, const SniffParams& params)
{
    params.validate();
    return sniffCsvText(readCsvSample(path, params.sampleBytes), params, path);
}

namespace {

// The sample the sniffer looks at: text up to sampleBytes, cut at its last line end when the
// file goes on (complete says whether it does not). Refuses UTF-16, binary and empty text.
std::string_view sampleOf(std::string_view text, const SniffParams& params, const std::string& displayName,
                          bool& complete)
{
    refuseUtf16(text, displayName, "CSV");
    text.remove_prefix(utf8ByteOrderMarkLength(text));
    complete = text.size() <= params.sampleBytes;
    std::string_view sample = text.substr(0, params.sampleBytes);
    if (!complete) {
        const auto lastBreak = sample.find_last_of("\n\r");
        if (lastBreak != std::string_view::npos)
            sample = sample.substr(0, lastBreak + 1);
    }
    if (sample.find('\0') != std::string_view::npos)
        throw InputError(displayName, 1, "", "the file holds NUL bytes: it is binary, not a text CSV file");
    if (trim(sample).find_first_not_of("\r\n") == std::string_view::npos)
        throw InputError(displayName, 0, "", "the file is empty");
    return sample;
}

// Delimiter and quote into result; the number of fields a line has (at least 1).
std::size_t guessLayout(std::string_view sample, bool complete, const SniffParams& params, SniffResult& result)
{
    // Delimiter and quote: the pair that splits the most lines into the same number of fields.
    Layout best;
    bool found = false;
    for (char delimiter : kDelimiters) {
        if (params.delimiterOverride && delimiter != *params.delimiterOverride)
            continue;
        for (char quote : kQuotes) {
            if ((params.quoteOverride && quote != *params.quoteOverride) || quote == delimiter)
                continue;
            const Layout layout = measure(sample, delimiter, quote, complete);
            if (layout.width < 2 && !params.delimiterOverride)
                continue;
            if (!found || layout.consistent > best.consistent
                || (layout.consistent == best.consistent && layout.width > best.width)) {
                best = layout;
                found = true;
            }
        }
    }
    if (!found && params.delimiterOverride) {
        // Not one of the four candidates: take it as given.
        best = measure(sample, *params.delimiterOverride, params.quoteOverride.value_or('"'), complete);
        found = true;
    }
    result.delimited = found && best.width >= 2;
    result.delimiter = found ? best.delimiter : ',';
    result.quote = found ? best.quote : params.quoteOverride.value_or('"');
    if (params.delimiterOverride) {
        result.delimiterGuess = {1.0, "chosen: " + delimiterName(result.delimiter)};
    } else if (result.delimited) {
        result.delimiterGuess
            = {static_cast<double>(best.consistent) / static_cast<double>(std::max<std::size_t>(1, best.records)),
               "the " + delimiterName(best.delimiter) + " splits " + std::to_string(best.consistent) + " of "
                   + std::to_string(best.records) + " sampled lines into " + std::to_string(best.width) + " fields"};
    } else {
        result.delimiterGuess = {0.0,
                                 "no comma, semicolon, tab or pipe splits the lines into the same number of "
                                 "fields; this does not look like a delimited file"};
    }
    if (params.quoteOverride) {
        result.quoteGuess = {1.0, "chosen: " + quoteName(result.quote)};
    } else if (const std::size_t quoted = quotedFields(sample, result.delimiter, result.quote); quoted > 0) {
        result.quoteGuess
            = {1.0, std::to_string(quoted) + " field(s) in the sample start with a " + quoteName(result.quote)};
    } else {
        result.quoteGuess = {0.5, "no quoted fields in the sample; the standard double quote is assumed"};
    }

    return found ? std::max<std::size_t>(best.width, 1) : 1;
}

// Whether the first record is a header, into result.
void guessHeader(const std::vector<std::vector<std::string>>& records, std::size_t width, const SniffParams& params,
                 SniffResult& result)
{
    // Header: the first line names schema columns, or its cells do not fit the types below them.
    std::vector<ColumnStats> bodyStats;
    std::vector<ValueType> bodyTypes;
    if (!records.empty()) {
        const std::vector<std::vector<std::string>> body(records.begin() + 1, records.end());
        for (std::size_t c = 0; c < width; ++c) {
            bodyStats.push_back(columnStats(body, c, width));
            bodyTypes.push_back(typeOf(bodyStats.back(), !timestampFormatsOf(bodyStats.back()).empty()));
        }
    }
    if (params.hasHeaderOverride) {
        result.hasHeader = *params.hasHeaderOverride;
        result.headerGuess = {1.0, result.hasHeader ? "chosen: the first line is a header" : "chosen: no header line"};
    } else if (records.empty()) {
        result.hasHeader = true;
        result.headerGuess = {0.0, "no lines to look at"};
    } else {
        const auto& first = records.front();
        std::string named;
        for (const auto& cell : first) {
            if (auto field = fieldForHeader(trim(cell)))
                named += (named.empty() ? "" : ", ") + fieldName(*field);
        }
        std::size_t typed = 0, contradicted = 0;
        std::string example;
        for (std::size_t c = 0; c < width && c < first.size(); ++c) {
            const ValueType type = bodyTypes[c];
            if (type == ValueType::Text || type == ValueType::Empty)
                continue;
            ++typed;
            if (!trim(first[c]).empty() && !cellIs(type, first[c])) {
                ++contradicted;
                if (example.empty())
                    example = "'" + std::string(trim(first[c])) + "' above " + std::string(valueTypeName(type));
            }
        }
        if (!named.empty()) {
            result.hasHeader = true;
            result.headerGuess = {1.0, "the first line names schema columns (" + named + ")"};
        } else if (typed > 0 && contradicted > 0) {
            result.hasHeader = true;
            result.headerGuess = {static_cast<double>(contradicted) / static_cast<double>(typed),
                                  "the first line's cells are not like the values below them (" + example + ")"};
        } else if (typed > 0) {
            result.hasHeader = false;
            result.headerGuess = {0.8, "the first line's cells are values like those below them"};
        } else {
            result.hasHeader = true;
            result.headerGuess = {0.3, "every column is text, so the first line is taken as a header"};
        }
    }
}

// A SniffedColumn per column of records (the data rows) into result, with each column's values
// and the timestamp formats that read all of them.
std::vector<ColumnStats> describeColumns(const std::vector<std::vector<std::string>>& records, std::size_t width,
                                         SniffResult& result, std::vector<std::vector<TimestampFormat>>& columnFormats)
{
    std::vector<ColumnStats> stats;
    for (std::size_t c = 0; c < width; ++c) {
        stats.push_back(columnStats(records, c, width));
        columnFormats.push_back(timestampFormatsOf(stats.back()));
        SniffedColumn column;
        column.name
            = result.hasHeader && c < result.header.size() ? result.header[c] : "column_" + std::to_string(c + 1);
        // An integer column a header names as bytes or port is not epoch time, whatever its values.
        auto named = fieldForHeader(column.name);
        if (!named && result.hasHeader)
            named = fieldFromWords(words(column.name), ValueType::Integer);
        if (named && fieldInfo(*named).kind != ColumnKind::Timestamp)
            columnFormats.back().clear();
        column.type = typeOf(stats.back(), !columnFormats.back().empty());
        column.values = stats.back().values.size();
        for (std::string_view value : stats.back().values) {
            if (column.examples.size() == 3)
                break;
            if (std::find(column.examples.begin(), column.examples.end(), value) == column.examples.end())
                column.examples.emplace_back(value);
        }
        result.columns.push_back(std::move(column));
    }

    return stats;
}

// One timestamp format for the file into result: the preferred one that reads every timestamp column.
void guessTimestampFormat(const std::vector<std::vector<TimestampFormat>>& columnFormats,
                          const std::vector<ColumnStats>& stats, std::size_t width, const SniffParams& params,
                          SniffResult& result)
{
    std::vector<TimestampFormat> common(kFormatPreference.begin(), kFormatPreference.end());
    std::size_t timestampColumns = 0;
    for (std::size_t c = 0; c < width; ++c) {
        if (columnFormats[c].empty())
            continue;
        ++timestampColumns;
        std::erase_if(common, [&](TimestampFormat format) {
            return std::find(columnFormats[c].begin(), columnFormats[c].end(), format) == columnFormats[c].end();
        });
    }
    auto has = [&](TimestampFormat format) { return std::find(common.begin(), common.end(), format) != common.end(); };
    if (params.timestampFormatOverride) {
        result.timestampFormat = *params.timestampFormatOverride;
        result.timestampGuess = {1.0, "chosen: " + std::string(timestampFormatLabel(result.timestampFormat))};
    } else if (timestampColumns == 0) {
        result.timestampGuess = {0.0, "no column holds timestamps in a known format; ISO 8601 is assumed"};
    } else if (common.empty()) {
        // Columns disagree: take the first column's own best format.
        for (TimestampFormat format : kFormatPreference) {
            for (std::size_t c = 0; c < width && common.empty(); ++c) {
                if (std::find(columnFormats[c].begin(), columnFormats[c].end(), format) != columnFormats[c].end())
                    common.push_back(format);
            }
        }
        result.timestampFormat = common.front();
        result.timestampGuess = {0.3,
                                 "the timestamp columns are written in different formats; only one can be read: "
                                     + std::string(timestampFormatLabel(result.timestampFormat))};
    } else {
        result.timestampFormat = common.front();
        const std::string label(timestampFormatLabel(result.timestampFormat));
        const bool dmy = has(TimestampFormat::DayMonthYear);
        const bool mdy = has(TimestampFormat::MonthDayYear);
        if (dmy && mdy) {
            result.timestampAmbiguous = true;
            result.timestampGuess = {0.5,
                                     "every day and month in the sample is 12 or less, so the order cannot be "
                                     "told; day/month/year is assumed: check a date you know"};
        } else if (dmy || mdy) {
            // Name a value that settles it: one that only this order reads.
            const TimestampFormat other = dmy ? TimestampFormat::MonthDayYear : TimestampFormat::DayMonthYear;
            std::string proof;
            for (std::size_t c = 0; c < width && proof.empty(); ++c) {
                if (columnFormats[c].empty())
                    continue;
                for (std::string_view value : stats[c].values) {
                    if (!parseTimestampAs(value, other)) {
                        proof = std::string(value);
                        break;
                    }
                }
            }
            result.timestampGuess = {0.9,
                                     std::string("'") + proof + "' has a " + (dmy ? "day" : "month")
                                         + " first, above 12 as a " + (dmy ? "month" : "day") + "; read as " + label};
        } else {
            result.timestampGuess = {1.0, "every timestamp in the sample reads as " + label};
        }
    }
}

// Which schema field each column is read into: each field goes to one column at most.
class FieldAssigner {
public:
    void assign(SniffedColumn& column, Field field, double confidence, std::string reason)
    {
        column.field = field;
        column.fieldGuess = {confidence, std::move(reason)};
        m_taken[static_cast<std::size_t>(field)] = true;
    }
    bool taken(Field field) const { return m_taken[static_cast<std::size_t>(field)]; }
    std::optional<Field> firstFree(std::initializer_list<Field> fields) const
    {
        for (Field field : fields) {
            if (!taken(field))
                return field;
        }
        return std::nullopt;
    }

private:
    std::vector<bool> m_taken = std::vector<bool>(kFieldCount, false);
};

// Fields by the header: the schema's own names first, then header words the values agree with.
void assignFieldsByHeader(SniffResult& result, FieldAssigner& fields)
{
    for (auto& column : result.columns) {
        const auto field = fieldForHeader(column.name);
        if (field && !fields.taken(*field))
            fields.assign(column, *field, 1.0,
                          "the header '" + column.name + "' is the schema's name for " + fieldName(*field));
    }
    for (auto& column : result.columns) {
        if (column.field)
            continue;
        const auto field = fieldFromWords(words(column.name), column.type);
        if (field && !fields.taken(*field))
            fields.assign(column, *field, 0.8,
                          "the header '" + column.name + "' suggests " + fieldName(*field) + " and it holds "
                              + std::string(valueTypeName(column.type)));
    }
}

// Fields for the columns still free, by their values alone.
void assignFieldsByValues(const std::vector<ColumnStats>& stats, std::size_t width, SniffResult& result,
                          FieldAssigner& fields)
{
    // Ports repeat a few values, byte counts hardly repeat: the most repetitive small-number
    // column is the port.
    std::optional<std::size_t> portColumn;
    std::optional<std::size_t> codeColumn;
    for (std::size_t c = 0; c < width; ++c) {
        const SniffedColumn& column = result.columns[c];
        if (column.field || column.type != ValueType::Integer)
            continue;
        const ColumnStats& s = stats[c];
        if (!codeColumn && s.minimum >= 100 && s.maximum <= 599 && s.distinct.size() <= 20)
            codeColumn = c;
        else if (s.minimum >= 1 && s.maximum <= 65535
                 && s.distinct.size() * 2 <= std::max<std::size_t>(s.values.size(), 4)
                 && (!portColumn || s.distinct.size() < stats[*portColumn].distinct.size()))
            portColumn = c;
    }
    static const std::set<std::string_view> kProtocols{"TCP",  "UDP",   "ICMP", "HTTP", "HTTPS", "tcp", "udp", "icmp",
                                                       "http", "https", "SSH",  "DNS",  "FTP",   "TLS", "GRE", "ESP"};
    for (std::size_t c = 0; c < width; ++c) {
        SniffedColumn& column = result.columns[c];
        if (column.field)
            continue;
        std::optional<Field> field;
        double confidence = 0.5;
        std::string reason;
        switch (column.type) {
        case ValueType::IpAddress:
            field = fields.firstFree({Field::SrcIp, Field::DstIp});
            reason = "its values are IP addresses; the first such column is taken as the source, the next as the "
                     "destination";
            break;
        case ValueType::CountryCode:
            field = fields.firstFree({Field::SrcIpCountryCode});
            confidence = 0.6;
            reason = "its values are two-letter country codes";
            break;
        case ValueType::Integer:
            if (codeColumn == c) {
                field = fields.firstFree({Field::ResponseCode});
                reason = "its values are whole numbers from 100 to 599, like HTTP response codes";
            } else if (portColumn == c) {
                field = fields.firstFree({Field::DstPort});
                confidence = 0.4;
                reason = "its values are a few whole numbers from 1 to 65535, like ports";
            }
            if (!field) {
                field = fields.firstFree({Field::BytesIn, Field::BytesOut});
                confidence = 0.4;
                reason = "its values are whole numbers, taken as byte counts (in first, then out)";
            }
            break;
        case ValueType::Timestamp:
            field = fields.firstFree({Field::CreationTime, Field::EndTime, Field::Time});
            reason = "its values are timestamps, taken in order as creation_time, end_time and time";
            break;
        case ValueType::Text: {
            bool protocols = !stats[c].values.empty();
            for (std::string_view value : stats[c].distinct)
                protocols = protocols && kProtocols.count(value) != 0;
            if (protocols) {
                field = fields.firstFree({Field::Protocol});
                reason = "its values are protocol names";
            }
            break;
        }
        case ValueType::Real:
        case ValueType::Empty:
            break;
        }
        if (field)
            fields.assign(column, *field, confidence, reason);
        else
            column.fieldGuess = {0.5,
                                 "no free schema field fits " + std::string(valueTypeName(column.type))
                                     + "; kept as an extra column"};
    }
}

} // namespace

std::string delimiterName(char delimiter)
{
    switch (delimiter) {
    case ',':
        return "comma";
    case ';':
        return "semicolon";
    case '\t':
        return "tab";
    case '|':
        return "pipe";
    case ' ':
        return "space";
    default:
        return std::string("'") + delimiter + "'";
    }
}

std::optional<SepLine> parseSepLine(std::string_view text) noexcept
{
    std::size_t at = utf8ByteOrderMarkLength(text);
    const bool quoted = at < text.size() && text[at] == '"';
    at += quoted ? 1 : 0;
    if (text.size() < at + 5)
        return std::nullopt;
    for (char expected : std::string_view("sep=")) {
        const char c = text[at++];
        if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != expected)
            return std::nullopt;
    }
    char delimiter = text[at++];
    if (delimiter == '\\' && at < text.size() && text[at] == 't') {
        delimiter = '\t';
        ++at;
    }
    if (delimiter == '\n' || delimiter == '\r' || delimiter == '\0' || delimiter == '"')
        return std::nullopt;
    if (quoted) {
        if (at >= text.size() || text[at] != '"')
            return std::nullopt;
        ++at;
    }
    // Padding a spreadsheet adds on the way back: empty cells (the delimiter, or a comma after the
    // quoted line) and blanks.
    while (at < text.size() && (text[at] == delimiter || text[at] == ',' || text[at] == ' ' || text[at] == '\t'))
        ++at;
    if (at == text.size())
        return SepLine{delimiter, at};
    if (text[at] == '\n')
        return SepLine{delimiter, at + 1};
    if (text[at] == '\r')
        return SepLine{delimiter, at + 1 + (at + 1 < text.size() && text[at + 1] == '\n' ? 1 : 0)};
    return std::nullopt;
}

SniffResult sniffCsvText(std::string_view text, const SniffParams& params, const std::string& displayName)
{
    params.validate();
    bool complete = false;
    std::string_view sample = sampleOf(text, params, displayName, complete);
    // A spreadsheet's "sep=" line settles the delimiter (unless the analyst chose one) and is not
    // the header; the reader skips it too.
    const std::optional<SepLine> sepLine = parseSepLine(sample);
    SniffParams effective = params;
    if (sepLine) {
        sample.remove_prefix(sepLine->length);
        if (!effective.delimiterOverride)
            effective.delimiterOverride = sepLine->delimiter;
    }
    SniffResult result;
    const std::size_t width = guessLayout(sample, complete, effective, result);
    if (sepLine && !params.delimiterOverride)
        result.delimiterGuess = {1.0, "delimiter from the sep= line: " + delimiterName(result.delimiter)};
    std::vector<std::vector<std::string>> records
        = splitCsvRecords(sample, result.delimiter, result.quote, params.previewRows + 1000, complete);
    guessHeader(records, width, params, result);

    // Columns and their types, over the data rows only.
    if (result.hasHeader && !records.empty()) {
        result.header = records.front();
        for (auto& name : result.header)
            name = std::string(trim(name));
        records.erase(records.begin());
    }
    result.sampledRows = 0;
    for (const auto& record : records)
        result.sampledRows += record.size() == width;
    result.headerSignature = headerSignature(result.header, result.delimiter, result.hasHeader, width);
    std::vector<std::vector<TimestampFormat>> columnFormats;
    const std::vector<ColumnStats> stats = describeColumns(records, width, result, columnFormats);
    guessTimestampFormat(columnFormats, stats, width, params, result);

    FieldAssigner fields;
    if (result.hasHeader)
        assignFieldsByHeader(result, fields);
    assignFieldsByValues(stats, width, result, fields);

    for (auto& record : records) {
        if (result.rows.size() == params.previewRows)
            break;
        result.rows.push_back(std::move(record));
    }
    return result;
}

ImportCheck checkImport(const std::string& path, const SniffParams& params)
{
    ImportCheck check;
    try {
        check.sample = readCsvSample(path, params.sampleBytes);
        check.sniff = sniffCsvText(check.sample, params, path);
    } catch (const InputError&) {
        return check; // unreadable, empty or binary: the reader says so in its own words
    }
    if (!check.sniff.delimited || !check.sniff.missingRequired().empty())
        return check;
    try {
        ReadOptions plain;
        plain.threads = 1;
        const ReadResult result = readTrafficCsvText(check.sample, path, plain);
        const TimestampFormat format = check.sniff.timestampFormat;
        const bool timestampsLost = format != TimestampFormat::Iso8601 && format != TimestampFormat::EpochSeconds
            && std::any_of(result.report.invalidCells.begin(), result.report.invalidCells.end(),
                           [](const InvalidCells& cells) {
                               const auto field = fieldForHeader(cells.column);
                               return field && fieldInfo(*field).kind == ColumnKind::Timestamp;
                           });
        if (timestampsLost) {
            check.needsImport = true;
            check.why = "its timestamps are written as " + std::string(timestampFormatLabel(format));
        }
    } catch (const InputError& error) {
        // A header that already names every required field has another problem (a column named
        // twice, say): the reader's message fits it better than a mapping would.
        const bool namesRequired
            = check.sniff.delimiter == ',' && check.sniff.hasHeader
            && std::all_of(allFields().begin(), allFields().end(), [&](Field field) {
                   return !fieldInfo(field).required
                       || std::any_of(check.sniff.header.begin(), check.sniff.header.end(),
                                      [&](const std::string& name) { return fieldForHeader(name) == field; });
               });
        check.needsImport = !namesRequired;
        check.why = error.problem();
    }
    return check;
}

std::vector<Field> SniffResult::missingRequired() const
{
    std::vector<Field> missing;
    for (Field field : allFields()) {
        if (!fieldInfo(field).required)
            continue;
        const bool mapped = std::any_of(columns.begin(), columns.end(),
                                        [&](const SniffedColumn& column) { return column.field == field; });
        if (!mapped)
            missing.push_back(field);
    }
    return missing;
}

bool SniffResult::readsAsIs() const
{
    if (!delimited || delimiter != ',' || quote != '"' || !hasHeader)
        return false;
    if (timestampFormat != TimestampFormat::Iso8601 && timestampFormat != TimestampFormat::EpochSeconds)
        return false;
    for (Field field : allFields()) {
        if (!fieldInfo(field).required)
            continue;
        const bool named = std::any_of(header.begin(), header.end(),
                                       [&](const std::string& name) { return fieldForHeader(name) == field; });
        if (!named)
            return false;
    }
    return true;
}

ReadOptions SniffResult::readOptions() const
{
    ReadOptions options;
    options.delimiter = delimiter;
    options.quote = quote;
    options.hasHeader = hasHeader;
    options.timestampFormat = timestampFormat;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        ColumnMapping mapping;
        mapping.index = c;
        if (columns[c].field)
            mapping.field = *columns[c].field;
        else
            mapping.action = ColumnMapping::Action::Extra;
        options.columnMap.push_back(mapping);
    }
    return options;
}

std::optional<std::string> misfit(Field field, std::string_view cell, TimestampFormat format)
{
    cell = trim(cell);
    if (cell.empty())
        return std::nullopt;
    switch (fieldInfo(field).kind) {
    case ColumnKind::Integer: {
        const auto value = wholeNumber(cell);
        if (!value)
            return std::string("not a whole number");
        const std::int64_t maximum = field == Field::DstPort ? 65535 : field == Field::ResponseCode ? 999 : INT64_MAX;
        if (*value < 0 || *value > maximum)
            return std::string("out of range for ") + fieldName(field);
        return std::nullopt;
    }
    case ColumnKind::Timestamp:
        if (!parseTimestamp(cell, format))
            return "not a timestamp in the format " + std::string(timestampFormatLabel(format));
        return std::nullopt;
    case ColumnKind::Text:
        if ((field == Field::SrcIp || field == Field::DstIp) && !isIpAddress(cell))
            return std::string("not an IPv4 or IPv6 address");
        return std::nullopt;
    case ColumnKind::Real:
        break;
    }
    return std::nullopt;
}

} // namespace webthreat

#include "core/io/layoutflags.h"

#include "core/util/errors.h"

#include <algorithm>
#include <charconv>

namespace webthreat {

namespace {

std::string lowerAscii(std::string text)
{
    for (char& c : text)
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return text;
}

char parseDelimiter(const std::string& text)
{
    if (text == "tab" || text == "\\t" || text == "\t")
        return '\t';
    if (text.size() == 1)
        return text.front();
    throw ParameterError("--delimiter needs one character or 'tab', got '" + text + "'");
}

char parseQuote(const std::string& text)
{
    if (text == "none")
        return '\0';
    if (text == "\"" || text == "'")
        return text.front();
    throw ParameterError("--quote must be \", ' or none; got '" + text + "'");
}

TimestampFormat parseTimestampFormat(const std::string& text)
{
    if (auto format = timestampFormatByName(text))
        return *format;
    throw ParameterError("--timestamp-format must be one of iso, epoch-s, epoch-ms, dmy, mdy, ymd, dmy-dots; got '"
                         + text + "'");
}

std::pair<std::string, std::string> splitMap(const std::string& text)
{
    const auto equals = text.rfind('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
        throw ParameterError("--map needs COLUMN=FIELD, got '" + text + "'");
    return {text.substr(0, equals), text.substr(equals + 1)};
}

std::string shown(char c)
{
    return c == '\t' ? std::string("tab") : c == '\0' ? std::string("none") : std::string(1, c);
}

std::string describeSettings(const CsvLayout& layout)
{
    return "Layout: delimiter " + shown(layout.delimiter) + ", quote " + shown(layout.quote) + ", "
        + (layout.hasHeader ? "header line" : "no header") + ", timestamps "
        + std::string(timestampFormatName(layout.timestampFormat));
}

// The file column a --map names: #N, the exact header text, or the header text in any case.
std::size_t mappedColumn(const std::string& column, const std::string& target, const std::vector<std::string>& names,
                         const std::string& path)
{
    if (column.size() > 1 && column.front() == '#') {
        std::size_t number = 0;
        auto [end, error] = std::from_chars(column.data() + 1, column.data() + column.size(), number);
        if (error != std::errc() || end != column.data() + column.size() || number == 0)
            throw ParameterError("--map '" + column + "=" + target + "': #N needs a column number from 1");
        if (number > names.size())
            throw InputError(path, 0, "",
                             "--map names column #" + std::to_string(number) + " but the file has "
                                 + std::to_string(names.size()) + " column(s)");
        return number - 1;
    }
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (names[c] == column)
            return c;
    }
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (lowerAscii(names[c]) == lowerAscii(column))
            return c;
    }
    std::string listed;
    for (const auto& name : names)
        listed += (listed.empty() ? "'" : ", '") + name + "'";
    throw InputError(path, 0, column,
                     "--map names the column '" + column + "', which the file does not have (columns: " + listed + ")");
}

} // namespace

bool LayoutFlags::any() const noexcept
{
    return delimiter || quote || noHeader || timestampFormat || !maps.empty() || detectLayout;
}

void CsvLayout::applyTo(ReadOptions& read) const
{
    read.delimiter = delimiter;
    read.quote = quote;
    read.hasHeader = hasHeader;
    read.timestampFormat = timestampFormat;
    read.columnMap = columnMap;
}

CsvLayout layoutOf(const ReadOptions& read, const std::vector<SniffedColumn>& columns)
{
    CsvLayout layout;
    layout.delimiter = read.delimiter;
    layout.quote = read.quote;
    layout.hasHeader = read.hasHeader;
    layout.timestampFormat = read.timestampFormat;
    layout.columnMap = read.columnMap;
    for (const SniffedColumn& column : columns)
        layout.columnNames.push_back(column.name);
    return layout;
}

std::vector<std::string> layoutToFlags(const CsvLayout& layout)
{
    const CsvLayout defaults;
    std::vector<std::string> words;
    if (layout.delimiter != defaults.delimiter)
        words.insert(words.end(),
                     {"--delimiter", layout.delimiter == '\t' ? std::string("tab") : std::string(1, layout.delimiter)});
    if (layout.quote != defaults.quote)
        words.insert(words.end(),
                     {"--quote", layout.quote == '\0' ? std::string("none") : std::string(1, layout.quote)});
    if (!layout.hasHeader)
        words.emplace_back("--no-header");
    if (layout.timestampFormat != defaults.timestampFormat)
        words.insert(words.end(), {"--timestamp-format", std::string(timestampFormatName(layout.timestampFormat))});
    // A column the command line would match by its header name anyway needs no --map.
    for (const ColumnMapping& mapping : layout.columnMap) {
        const std::string name
            = mapping.index < layout.columnNames.size() ? layout.columnNames[mapping.index] : std::string();
        const auto byName = layout.hasHeader ? fieldForHeader(name) : std::nullopt;
        const bool impliedField = mapping.action == ColumnMapping::Action::ToField && byName == mapping.field;
        // A column kept under its header name needs none either, unless the reader cannot keep it by
        // name: an empty header cell, or a name twice, which it refuses without a column map.
        const bool keptByName = !layout.hasHeader
            || (!name.empty() && std::count(layout.columnNames.begin(), layout.columnNames.end(), name) == 1);
        const bool impliedExtra = mapping.action == ColumnMapping::Action::Extra && !byName && keptByName;
        if (impliedField || impliedExtra)
            continue;
        // By name only where --map reads it back as this column: one column of that name in any
        // case, and not #N, which --map takes as a column number.
        const bool unique
            = std::count_if(layout.columnNames.begin(), layout.columnNames.end(),
                            [&](const std::string& other) { return lowerAscii(other) == lowerAscii(name); })
            == 1;
        const bool byHeader = layout.hasHeader && unique && !name.empty() && name.front() != '#';
        const std::string column = byHeader ? name : "#" + std::to_string(mapping.index + 1);
        const std::string target = mapping.action == ColumnMapping::Action::ToField
            ? std::string(fieldInfo(mapping.field).name)
            : mapping.action == ColumnMapping::Action::Ignore ? std::string("ignore")
                                                              : std::string("extra");
        words.insert(words.end(), {"--map", column + "=" + target});
    }
    return words;
}

CsvLayout layoutFromFlags(const LayoutFlags& flags, const std::string& path)
{
    SniffParams sniffParams;
    if (flags.delimiter)
        sniffParams.delimiterOverride = parseDelimiter(*flags.delimiter);
    if (flags.quote)
        sniffParams.quoteOverride = parseQuote(*flags.quote);
    if (flags.noHeader)
        sniffParams.hasHeaderOverride = false;
    if (flags.timestampFormat)
        sniffParams.timestampFormatOverride = parseTimestampFormat(*flags.timestampFormat);
    std::vector<std::pair<std::string, std::string>> maps;
    for (const std::string& text : flags.maps)
        maps.push_back(splitMap(text));

    CsvLayout layout;
    if (!flags.detectLayout) {
        // Nothing is guessed: what is not given keeps its default.
        layout.delimiter = sniffParams.delimiterOverride.value_or(layout.delimiter);
        layout.quote = sniffParams.quoteOverride.value_or(layout.quote);
        layout.hasHeader = sniffParams.hasHeaderOverride.value_or(layout.hasHeader);
        layout.timestampFormat = sniffParams.timestampFormatOverride.value_or(layout.timestampFormat);
        if (layout.quote == layout.delimiter)
            throw ParameterError("--quote cannot be the delimiter");
        if (maps.empty())
            return layout;
        sniffParams.delimiterOverride = layout.delimiter;
        sniffParams.quoteOverride = layout.quote;
        sniffParams.hasHeaderOverride = layout.hasHeader;
        sniffParams.timestampFormatOverride = layout.timestampFormat;
    }
    const SniffResult sniff = sniffCsvFile(path, sniffParams);
    layout = layoutOf(sniff.readOptions(), sniff.columns);

    // One entry per file column, by index: the sniffer's guesses, then each --map over them.
    std::vector<ColumnMapping> columns = std::move(layout.columnMap);
    std::vector<bool> named(columns.size(), false);
    for (const auto& [column, target] : maps) {
        const std::size_t index = mappedColumn(column, target, layout.columnNames, path);
        ColumnMapping mapping;
        mapping.index = index;
        if (target == "extra") {
            mapping.action = ColumnMapping::Action::Extra;
        } else if (target == "ignore") {
            mapping.action = ColumnMapping::Action::Ignore;
        } else if (auto field = fieldForHeader(target)) {
            mapping.field = *field;
            // The field goes to this column only: whoever had it by guess or header keeps its text.
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (!named[c] && columns[c].action == ColumnMapping::Action::ToField && columns[c].field == *field)
                    columns[c].action = ColumnMapping::Action::Extra;
            }
        } else {
            std::string fields;
            for (Field f : allFields())
                fields += (fields.empty() ? "" : ", ") + std::string(fieldInfo(f).name);
            throw ParameterError("--map '" + column + "=" + target + "': '" + target + "' is not a schema field ("
                                 + fields + ", or extra, ignore)");
        }
        columns[index] = mapping;
        named[index] = true;
    }
    if (!flags.detectLayout) {
        // Columns --map does not name are matched by header name, as without --map.
        std::vector<bool> taken(kFieldCount, false);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (named[c] && columns[c].action == ColumnMapping::Action::ToField)
                taken[static_cast<std::size_t>(columns[c].field)] = true;
        }
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (named[c])
                continue;
            const auto field = sniff.hasHeader ? fieldForHeader(layout.columnNames[c]) : std::nullopt;
            if (field && !taken[static_cast<std::size_t>(*field)]) {
                columns[c] = ColumnMapping::byIndex(c, *field);
                taken[static_cast<std::size_t>(*field)] = true;
            } else {
                columns[c].action = ColumnMapping::Action::Extra;
            }
        }
    }
    layout.columnMap = std::move(columns);
    return layout;
}

std::string describeLayout(const CsvLayout& layout)
{
    if (layout.columnMap.empty())
        return describeSettings(layout) + "; columns matched by header name\n";
    std::string text = describeSettings(layout) + "; columns:";
    for (const ColumnMapping& mapping : layout.columnMap) {
        text += " '" + (mapping.index < layout.columnNames.size() ? layout.columnNames[mapping.index] : std::string())
            + "'=";
        text += mapping.action == ColumnMapping::Action::ToField ? std::string(fieldInfo(mapping.field).name)
            : mapping.action == ColumnMapping::Action::Ignore    ? "ignore"
                                                                 : "extra";
    }
    return text + "\n";
}

} // namespace webthreat

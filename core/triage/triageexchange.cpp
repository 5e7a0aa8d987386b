// File > Export Triage / Import Triage: the workspace's marks and rules as JSON or CSV for a
// colleague, and read back with every field checked (persisted state is input).
#include "core/triage/workspace.h"

#include "core/io/textcheck.h"
#include "core/output/export.h"
#include "core/output/json_internal.h"
#include "core/triage/triagefields_internal.h"
#include "core/util/errors.h"

#include <algorithm>
#include <array>
#include <map>

namespace webthreat {

namespace {
constexpr std::string_view kFormat = "webthreat-triage";
constexpr int kVersion = 1;
constexpr std::string_view kCsvVersionLine = "# webthreat-triage 1";
constexpr std::array<std::string_view, 12> kCsvColumns
    = {"kind",      "file_sha256", "line",       "ip",         "mark",        "note",
       "file_name", "updated_at",  "rule_field", "rule_value", "rule_reason", "rule_enabled"};
enum CsvColumn : std::size_t {
    Kind,
    FileSha256,
    Line,
    Ip,
    MarkColumn,
    Note,
    FileName,
    UpdatedAt,
    RuleFieldColumn,
    RuleValue,
    RuleReason,
    RuleEnabled
};

std::string timeText(std::int64_t seconds)
{
    return seconds == 0 ? std::string() : triage::formatUtc(seconds);
}

// --- Writing ----------------------------------------------------------------------------------

// A text cell a spreadsheet would take for a formula gets a leading apostrophe, and so does one
// that starts with an apostrophe, so that reading strips exactly one and gets the text back.
void appendText(std::string& out, std::string_view text)
{
    if (!text.empty() && text.front() == '\'')
        appendCsvField(out, "'" + std::string(text));
    else
        appendCsvField(out, neutraliseFormula(text));
}

void appendCsvLine(std::string& out, const std::array<std::string, kCsvColumns.size()>& cells)
{
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        if (i == Kind || i == FileSha256 || i == Line || i == MarkColumn || i == UpdatedAt || i == RuleFieldColumn
            || i == RuleEnabled)
            out += cells[i]; // never quoted: hex, numbers, fixed words
        else
            appendText(out, cells[i]);
    }
    out += '\n';
}
} // namespace

std::string triageToJson(const TriageBundle& bundle)
{
    Json document;
    document["format"] = std::string(kFormat);
    document["version"] = kVersion;
    Json rows = Json::array();
    for (const RowMark& mark : bundle.rowMarks)
        rows.push_back({{"file_sha256", mark.fileSha256},
                        {"line", mark.line},
                        {"mark", markName(mark.mark)},
                        {"note", mark.note},
                        {"updated_at", timeText(mark.updatedAt)}});
    Json sources = Json::array();
    for (const SourceMark& mark : bundle.sourceMarks)
        sources.push_back({{"ip", mark.ip},
                           {"mark", markName(mark.mark)},
                           {"note", mark.note},
                           {"file_sha256", mark.fileSha256},
                           {"file_name", mark.fileName},
                           {"updated_at", timeText(mark.updatedAt)}});
    Json rules = Json::array();
    for (const SuppressionRule& rule : bundle.rules)
        rules.push_back({{"field", triage::fieldText(rule.field)},
                         {"value", rule.value},
                         {"reason", rule.reason},
                         {"enabled", rule.enabled}});
    document["rows"] = std::move(rows);
    document["sources"] = std::move(sources);
    document["rules"] = std::move(rules);
    return jsonDocument(document);
}

std::string triageToCsv(const TriageBundle& bundle)
{
    std::string out(kCsvVersionLine);
    out += '\n';
    for (std::size_t i = 0; i < kCsvColumns.size(); ++i)
        out += (i > 0 ? "," : "") + std::string(kCsvColumns[i]);
    out += '\n';
    for (const RowMark& mark : bundle.rowMarks)
        appendCsvLine(out,
                      {"row", mark.fileSha256, std::to_string(mark.line), "", std::string(markName(mark.mark)),
                       mark.note, "", timeText(mark.updatedAt), "", "", "", ""});
    for (const SourceMark& mark : bundle.sourceMarks)
        appendCsvLine(out,
                      {"source", mark.fileSha256, "", mark.ip, std::string(markName(mark.mark)), mark.note,
                       mark.fileName, timeText(mark.updatedAt), "", "", "", ""});
    for (const SuppressionRule& rule : bundle.rules)
        appendCsvLine(out,
                      {"rule", "", "", "", "", "", "", "", std::string(triage::fieldText(rule.field)), rule.value,
                       rule.reason, rule.enabled ? "true" : "false"});
    return out;
}

// --- Reading ----------------------------------------------------------------------------------

namespace {
// Why a value is refused, or "" (each kind of mark checks its fields with these).
std::string problemOf(const char* problem)
{
    return problem == nullptr ? std::string() : std::string(problem);
}

std::string checkSha(std::string_view text, bool mayBeEmpty)
{
    if (text.empty() && mayBeEmpty)
        return {};
    return triage::isSha256(text) ? std::string() : "is not a SHA-256 (64 hexadecimal digits)";
}

std::optional<Mark> readMark(std::string_view text, std::string& problem)
{
    const auto mark = parseMark(text);
    if (!mark)
        problem = "is not a verdict (malicious, benign, needs_review, or empty for none): '" + shortenForMessage(text)
            + "'";
    return mark;
}

std::int64_t readTime(std::string_view text, std::string& problem)
{
    if (text.empty())
        return 0;
    const auto seconds = triage::parseUtc(text);
    if (!seconds)
        problem = "is not a UTC time like 2026-12-06T23:12:36Z: '" + shortenForMessage(text) + "'";
    return seconds.value_or(0);
}

// --- JSON

class JsonReader {
public:
    explicit JsonReader(const std::string& file)
        : m_file(file)
    {
    }

    [[noreturn]] void fail(const std::string& where, const std::string& problem) const
    {
        throw InputError(m_file, 0, "", where + ": " + problem);
    }
    void check(const std::string& where, const std::string& problem) const
    {
        if (!problem.empty())
            fail(where, problem);
    }
    // Refuses members the format does not have (a misspelt "nots" would silently lose notes).
    void onlyMembers(const Json& object, const std::string& where, std::initializer_list<std::string_view> names) const
    {
        if (!object.is_object())
            fail(where, "must be an object");
        for (const auto& [key, value] : object.items())
            if (std::find(names.begin(), names.end(), key) == names.end())
                fail(where, "has an unknown field '" + shortenForMessage(key) + "'");
    }
    std::string text(const Json& object, const std::string& where, const char* key, bool required) const
    {
        const auto found = object.find(key);
        if (found == object.end()) {
            if (required)
                fail(where, std::string("the field '") + key + "' is missing");
            return {};
        }
        if (!found->is_string())
            fail(where + "." + key, "must be text");
        return found->get<std::string>();
    }
    const Json& array(const Json& object, const char* key) const
    {
        static const Json empty = Json::array();
        const auto found = object.find(key);
        if (found == object.end())
            return empty;
        if (!found->is_array())
            fail(key, "must be an array");
        return *found;
    }

private:
    const std::string& m_file;
};

RowMark readJsonRow(const JsonReader& reader, const Json& json, const std::string& where)
{
    reader.onlyMembers(json, where, {"file_sha256", "line", "mark", "note", "updated_at"});
    RowMark mark;
    mark.fileSha256 = reader.text(json, where, "file_sha256", true);
    reader.check(where + ".file_sha256", checkSha(mark.fileSha256, false));
    mark.fileSha256 = triage::lowerCase(mark.fileSha256);
    const auto line = json.find("line");
    if (line == json.end())
        reader.fail(where, "the field 'line' is missing");
    if (!line->is_number_integer() || line->get<std::int64_t>() < 1 || line->get<std::int64_t>() > triage::kMaxLine)
        reader.fail(where + ".line", "must be a line number (a whole number from 1)");
    mark.line = line->get<std::uint32_t>();
    std::string problem;
    mark.mark = readMark(reader.text(json, where, "mark", true), problem).value_or(Mark::None);
    reader.check(where + ".mark", problem);
    mark.note = reader.text(json, where, "note", false);
    reader.check(where + ".note", problemOf(triage::checkNote(mark.note)));
    mark.updatedAt = readTime(reader.text(json, where, "updated_at", false), problem);
    reader.check(where + ".updated_at", problem);
    return mark;
}

SourceMark readJsonSource(const JsonReader& reader, const Json& json, const std::string& where)
{
    reader.onlyMembers(json, where, {"ip", "mark", "note", "file_sha256", "file_name", "updated_at"});
    SourceMark mark;
    mark.ip = reader.text(json, where, "ip", true);
    reader.check(where + ".ip", problemOf(triage::checkIp(mark.ip)));
    std::string problem;
    mark.mark = readMark(reader.text(json, where, "mark", true), problem).value_or(Mark::None);
    reader.check(where + ".mark", problem);
    mark.note = reader.text(json, where, "note", false);
    reader.check(where + ".note", problemOf(triage::checkNote(mark.note)));
    mark.fileSha256 = triage::lowerCase(reader.text(json, where, "file_sha256", false));
    reader.check(where + ".file_sha256", checkSha(mark.fileSha256, true));
    mark.fileName = reader.text(json, where, "file_name", false);
    reader.check(where + ".file_name", problemOf(triage::checkFileName(mark.fileName)));
    mark.updatedAt = readTime(reader.text(json, where, "updated_at", false), problem);
    reader.check(where + ".updated_at", problem);
    return mark;
}

SuppressionRule readJsonRule(const JsonReader& reader, const Json& json, const std::string& where)
{
    reader.onlyMembers(json, where, {"field", "value", "reason", "enabled"});
    SuppressionRule rule;
    const std::string field = reader.text(json, where, "field", true);
    const auto parsed = triage::parseFieldText(field);
    if (!parsed)
        reader.fail(where + ".field",
                    "is not a rule field (src_ip, dst_ip, dst_port, protocol, src_ip_country_code, "
                    "rule_names, pair): '"
                        + shortenForMessage(field) + "'");
    rule.field = *parsed;
    rule.value = reader.text(json, where, "value", true);
    reader.check(where + ".value", problemOf(triage::checkRuleValue(rule.value)));
    std::string problem;
    rule.value = triage::normaliseRuleValue(rule.field, rule.value, problem);
    reader.check(where + ".value", problem);
    rule.reason = reader.text(json, where, "reason", false);
    reader.check(where + ".reason", problemOf(triage::checkRuleReason(rule.reason)));
    if (const auto enabled = json.find("enabled"); enabled != json.end()) {
        if (!enabled->is_boolean())
            reader.fail(where + ".enabled", "must be true or false");
        rule.enabled = enabled->get<bool>();
    }
    return rule;
}

std::pair<std::int64_t, std::int64_t> lineAndColumn(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    std::int64_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        column = text[i] == '\n' ? 1 : column + 1;
        line += text[i] == '\n' ? 1 : 0;
    }
    return {line, column};
}

TriageBundle readJson(std::string_view text, const std::string& file)
{
    Json document;
    try {
        document = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& error) {
        const auto [line, column] = lineAndColumn(text, error.byte > 0 ? error.byte - 1 : 0);
        std::string what = error.what();
        if (const auto colon = what.rfind(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
        throw InputError(file, line, "",
                         "column " + std::to_string(column) + ": not a triage file, malformed JSON (" + what + ")");
    } catch (const Json::exception& error) {
        throw InputError(file, 0, "", std::string("not a triage file: ") + error.what());
    }
    const JsonReader reader(file);
    if (!document.is_object() || document.find("format") == document.end()
        || document["format"] != std::string(kFormat))
        throw InputError(file, 0, "", "not a triage file (its \"format\" is not \"webthreat-triage\")");
    reader.onlyMembers(document, "the document", {"format", "version", "rows", "sources", "rules"});
    const auto version = document.find("version");
    if (version == document.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1)
        reader.fail("version", "must be a whole number from 1");
    if (version->get<std::int64_t>() > kVersion)
        reader.fail("version",
                    "the file is version " + version->dump() + ", newer than this program reads ("
                        + std::to_string(kVersion) + ")");
    TriageBundle bundle;
    const Json& rows = reader.array(document, "rows");
    for (std::size_t i = 0; i < rows.size(); ++i)
        bundle.rowMarks.push_back(readJsonRow(reader, rows[i], "rows[" + std::to_string(i) + "]"));
    const Json& sources = reader.array(document, "sources");
    for (std::size_t i = 0; i < sources.size(); ++i)
        bundle.sourceMarks.push_back(readJsonSource(reader, sources[i], "sources[" + std::to_string(i) + "]"));
    const Json& rules = reader.array(document, "rules");
    for (std::size_t i = 0; i < rules.size(); ++i)
        bundle.rules.push_back(readJsonRule(reader, rules[i], "rules[" + std::to_string(i) + "]"));
    return bundle;
}

// --- CSV

// RFC 4180 records, each with the line it starts on. Linear: every byte is looked at once.
class CsvRecords {
public:
    CsvRecords(std::string_view text, const std::string& file)
        : m_text(text)
        , m_file(file)
    {
    }

    // The next record; false at the end of the text.
    bool next(std::vector<std::string>& cells, std::int64_t& line)
    {
        cells.clear();
        if (m_at >= m_text.size())
            return false;
        line = m_line;
        std::string cell;
        bool quoted = false;
        while (m_at < m_text.size()) {
            const char c = m_text[m_at++];
            if (quoted) {
                if (c == '"' && m_at < m_text.size() && m_text[m_at] == '"') {
                    cell += '"';
                    ++m_at;
                } else if (c == '"') {
                    quoted = false;
                    if (m_at < m_text.size() && m_text[m_at] != ',' && m_text[m_at] != '\n' && m_text[m_at] != '\r')
                        throw InputError(m_file, m_line, "",
                                         "column " + std::to_string(cells.size() + 1) + ": text after a closing quote");
                } else {
                    m_line += c == '\n' ? 1 : 0;
                    cell += c;
                }
            } else if (c == '"' && cell.empty()) {
                quoted = true;
            } else if (c == ',') {
                cells.push_back(std::move(cell));
                cell.clear();
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && m_at < m_text.size() && m_text[m_at] == '\n')
                    ++m_at;
                ++m_line;
                break;
            } else {
                cell += c;
            }
        }
        if (quoted)
            throw InputError(m_file, line, "", "a quoted cell is not closed before the end of the file");
        cells.push_back(std::move(cell));
        return true;
    }

private:
    std::string_view m_text;
    const std::string& m_file;
    std::size_t m_at = 0;
    std::int64_t m_line = 1;
};

// Strips the apostrophe triageToCsv puts before text a spreadsheet would take for a formula.
std::string unguarded(std::string text)
{
    if (!text.empty() && text.front() == '\'')
        text.erase(0, 1);
    return text;
}

// One data record of the CSV, its cells by column, each checked with the record's line and the
// column's name in the error.
class CsvRow {
public:
    CsvRow(const std::string& file, std::int64_t line, std::vector<std::string> cells)
        : m_file(file)
        , m_line(line)
        , m_cells(std::move(cells))
    {
    }
    [[noreturn]] void fail(CsvColumn column, const std::string& problem) const
    {
        throw InputError(m_file, m_line, std::string(kCsvColumns[column]), problem);
    }
    void check(CsvColumn column, const std::string& problem) const
    {
        if (!problem.empty())
            fail(column, problem);
    }
    const std::string& raw(CsvColumn column) const { return m_cells[column]; }
    std::string text(CsvColumn column) const { return unguarded(m_cells[column]); }
    // A kind of mark leaves the other kinds' columns empty: a value there is a shifted column.
    void onlyColumns(std::initializer_list<CsvColumn> used) const
    {
        for (std::size_t i = 1; i < kCsvColumns.size(); ++i)
            if (!m_cells[i].empty() && std::find(used.begin(), used.end(), static_cast<CsvColumn>(i)) == used.end())
                fail(static_cast<CsvColumn>(i), "must be empty for a " + m_cells[Kind] + " line");
    }

private:
    const std::string& m_file;
    std::int64_t m_line;
    std::vector<std::string> m_cells;
};

RowMark readCsvRow(const CsvRow& row)
{
    row.onlyColumns({FileSha256, Line, MarkColumn, Note, UpdatedAt});
    RowMark mark;
    row.check(FileSha256, checkSha(row.raw(FileSha256), false));
    mark.fileSha256 = triage::lowerCase(row.raw(FileSha256));
    std::int64_t line = 0;
    if (const char* problem = parseWholeNumber(row.raw(Line), 1, triage::kMaxLine, line))
        row.fail(Line, std::string("is not a line number: ") + problem + " '" + shortenForMessage(row.raw(Line)) + "'");
    mark.line = static_cast<std::uint32_t>(line);
    std::string problem;
    mark.mark = readMark(row.raw(MarkColumn), problem).value_or(Mark::None);
    row.check(MarkColumn, problem);
    mark.note = row.text(Note);
    row.check(Note, problemOf(triage::checkNote(mark.note)));
    mark.updatedAt = readTime(row.raw(UpdatedAt), problem);
    row.check(UpdatedAt, problem);
    return mark;
}

SourceMark readCsvSource(const CsvRow& row)
{
    row.onlyColumns({FileSha256, Ip, MarkColumn, Note, FileName, UpdatedAt});
    SourceMark mark;
    mark.ip = row.text(Ip);
    row.check(Ip, problemOf(triage::checkIp(mark.ip)));
    std::string problem;
    mark.mark = readMark(row.raw(MarkColumn), problem).value_or(Mark::None);
    row.check(MarkColumn, problem);
    mark.note = row.text(Note);
    row.check(Note, problemOf(triage::checkNote(mark.note)));
    row.check(FileSha256, checkSha(row.raw(FileSha256), true));
    mark.fileSha256 = triage::lowerCase(row.raw(FileSha256));
    mark.fileName = row.text(FileName);
    row.check(FileName, problemOf(triage::checkFileName(mark.fileName)));
    mark.updatedAt = readTime(row.raw(UpdatedAt), problem);
    row.check(UpdatedAt, problem);
    return mark;
}

SuppressionRule readCsvRule(const CsvRow& row)
{
    row.onlyColumns({RuleFieldColumn, RuleValue, RuleReason, RuleEnabled});
    SuppressionRule rule;
    const auto field = triage::parseFieldText(row.raw(RuleFieldColumn));
    if (!field)
        row.fail(RuleFieldColumn,
                 "is not a rule field (src_ip, dst_ip, dst_port, protocol, src_ip_country_code, "
                 "rule_names, pair): '"
                     + shortenForMessage(row.raw(RuleFieldColumn)) + "'");
    rule.field = *field;
    rule.value = row.text(RuleValue);
    row.check(RuleValue, problemOf(triage::checkRuleValue(rule.value)));
    std::string problem;
    rule.value = triage::normaliseRuleValue(rule.field, rule.value, problem);
    row.check(RuleValue, problem);
    rule.reason = row.text(RuleReason);
    row.check(RuleReason, problemOf(triage::checkRuleReason(rule.reason)));
    const std::string& enabled = row.raw(RuleEnabled);
    if (enabled == "true" || enabled == "1" || enabled.empty())
        rule.enabled = true;
    else if (enabled == "false" || enabled == "0")
        rule.enabled = false;
    else
        row.fail(RuleEnabled, "is not true or false: '" + shortenForMessage(enabled) + "'");
    return rule;
}

// The version line (a spreadsheet may pad it with empty cells) and the header, by column name.
void readCsvHead(CsvRecords& records, const std::string& file)
{
    std::vector<std::string> cells;
    std::int64_t line = 0;
    records.next(cells, line);
    const bool padded
        = std::all_of(cells.begin() + 1, cells.end(), [](const std::string& cell) { return cell.empty(); });
    const std::string prefix = "# webthreat-triage ";
    if (!padded || cells[0].rfind(prefix, 0) != 0)
        throw InputError(file, 1, "",
                         "not a triage file: it starts neither with '{' (JSON) nor with '"
                             + std::string(kCsvVersionLine) + "' (CSV)");
    if (cells[0] != kCsvVersionLine)
        throw InputError(file, 1, "",
                         "the triage file is version '" + shortenForMessage(cells[0].substr(prefix.size()))
                             + "'; this program reads version " + std::to_string(kVersion));
    if (!records.next(cells, line))
        throw InputError(file, 2, "", "the header line is missing");
    for (std::size_t i = 0; i < kCsvColumns.size(); ++i) {
        if (i >= cells.size())
            throw InputError(file, line, std::string(kCsvColumns[i]), "the column is missing from the header");
        if (cells[i] != kCsvColumns[i])
            throw InputError(file, line, shortenForMessage(cells[i]),
                             "column " + std::to_string(i + 1) + " of the header must be '"
                                 + std::string(kCsvColumns[i]) + "'");
    }
    if (cells.size() > kCsvColumns.size())
        throw InputError(file, line, shortenForMessage(cells[kCsvColumns.size()]), "the header has a column too many");
}

TriageBundle readCsv(std::string_view text, const std::string& file)
{
    CsvRecords records(text, file);
    readCsvHead(records, file);
    TriageBundle bundle;
    std::vector<std::string> cells;
    std::int64_t line = 0;
    while (records.next(cells, line)) {
        if (cells.size() == 1 && cells[0].empty())
            continue; // a blank line
        if (cells.size() != kCsvColumns.size())
            throw InputError(file, line, "",
                             "has " + std::to_string(cells.size()) + " cells; the header has "
                                 + std::to_string(kCsvColumns.size()));
        const std::string kind = cells[Kind];
        const CsvRow row(file, line, std::move(cells));
        if (kind == "row")
            bundle.rowMarks.push_back(readCsvRow(row));
        else if (kind == "source")
            bundle.sourceMarks.push_back(readCsvSource(row));
        else if (kind == "rule")
            bundle.rules.push_back(readCsvRule(row));
        else
            row.fail(Kind, "is not row, source or rule: '" + shortenForMessage(kind) + "'");
        cells = {};
    }
    return bundle;
}
} // namespace

TriageBundle readTriage(std::string_view text, const std::string& fileName)
{
    refuseUtf16(text, fileName, "JSON or CSV");
    text.remove_prefix(utf8ByteOrderMarkLength(text));
    const std::string_view start = trim(text, kWhitespace);
    if (!start.empty() && start.front() == '{')
        return readJson(text, fileName);
    if (start.empty())
        throw InputError(fileName, 0, "", "the triage file is empty");
    return readCsv(text, fileName);
}

} // namespace webthreat

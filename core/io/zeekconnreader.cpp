#include "core/io/zeekconnreader.h"

#include "core/util/errors.h"
#include "core/io/logtable.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

namespace webthreat {

namespace {

// Where a field goes. Extra: a text column of its own name; Ignored: nowhere (see kMaxExtraColumns).
enum class Slot : std::uint8_t {
    Ts,
    Duration,
    OrigH,
    RespH,
    OrigP,
    RespP,
    Proto,
    OrigBytes,
    RespBytes,
    OrigPkts,
    RespPkts,
    Path,
    History, // an extra column that also tells which side sent payload
    Extra,
    Ignored
};

struct Named {
    std::string_view name;
    Slot slot;
};
constexpr std::array<Named, 17> kMapped{{{"ts", Slot::Ts},
                                         {"duration", Slot::Duration},
                                         {"id.orig_h", Slot::OrigH},
                                         {"id.resp_h", Slot::RespH},
                                         {"id.orig_p", Slot::OrigP},
                                         {"id.resp_p", Slot::RespP},
                                         {"id_orig_h", Slot::OrigH},
                                         {"id_resp_h", Slot::RespH},
                                         {"id_orig_p", Slot::OrigP},
                                         {"id_resp_p", Slot::RespP},
                                         {"proto", Slot::Proto},
                                         {"orig_bytes", Slot::OrigBytes},
                                         {"resp_bytes", Slot::RespBytes},
                                         {"orig_pkts", Slot::OrigPkts},
                                         {"resp_pkts", Slot::RespPkts},
                                         {"_path", Slot::Path},
                                         {"history", Slot::History}}};

Slot slotOf(std::string_view name) noexcept
{
    for (const Named& named : kMapped) {
        if (named.name == name)
            return named.slot;
    }
    return Slot::Extra;
}

// JSON keys are free text: a file of a million different keys must not make a million columns.
constexpr std::size_t kMaxExtraColumns = kMaxLogFields;
// Durations past this are damage (a lost decimal point), not connections.
constexpr std::int64_t kLongestDuration = std::int64_t(10) * 366 * 24 * 3600 * kMicrosPerSecond;

// "0.163820" (Zeek's interval: seconds, six decimals) as microseconds; exponent forms through
// from_chars. nullptr on success, else why not.
const char* parseSeconds(std::string_view text, std::int64_t& micros) noexcept
{
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::int64_t seconds = 0;
    auto [stop, error] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
    bool plain = error == std::errc() && stop == whole.data() + whole.size() && !whole.empty() && seconds >= 0
        && whole.front() != '-' && seconds <= kLongestDuration / kMicrosPerSecond;
    std::int64_t fraction = 0;
    if (plain && dot != std::string_view::npos) {
        std::int64_t scale = kMicrosPerSecond / 10;
        plain = dot + 1 < text.size();
        for (std::size_t i = dot + 1; plain && i < text.size(); ++i) {
            plain = text[i] >= '0' && text[i] <= '9';
            fraction += (text[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (plain) {
        micros = seconds * kMicrosPerSecond + fraction;
        return nullptr;
    }
    double value = 0.0;
    auto [end, failed] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (failed != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return "not a duration in seconds";
    if (value < 0)
        return "negative duration";
    if (value * static_cast<double>(kMicrosPerSecond) > static_cast<double>(kLongestDuration))
        return "longer than ten years";
    micros = std::llround(value * static_cast<double>(kMicrosPerSecond));
    return nullptr;
}

int hexDigit(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Zeek's TSV escapes (\xHH for a separator, a non-printable byte, or a value equal to '-')
// undone into out; a backslash not starting one is kept.
void unescapeZeek(std::string_view text, std::string& out)
{
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && hexDigit(text[i + 2]) >= 0
            && hexDigit(text[i + 3]) >= 0) {
            out.push_back(static_cast<char>(hexDigit(text[i + 2]) * 16 + hexDigit(text[i + 3])));
            i += 3;
        } else {
            out.push_back(text[i]);
        }
    }
}

void appendUtf8(std::string& out, std::uint32_t code)
{
    if (code < 0x80) {
        out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
}

// One flat JSON object, scanned once, left to right: members as (key, value) views into the line
// or into scratch (reserved to the line's size first, which no unescaped text exceeds, so views
// never move). Nested objects and arrays of them are kept as their raw text; depth is counted,
// not recursed into, so no input can exhaust the stack.
class JsonObjectScanner {
public:
    enum class Kind : std::uint8_t { String, Number, True, False, Null, Array, Raw };
    struct Member {
        std::string_view key;
        std::string_view value;
        Kind kind;
    };

    // False with why() and where() (a 1-based byte column) when the line is not one JSON object.
    bool scan(std::string_view line, std::vector<Member>& members, std::string& scratch)
    {
        m_line = line;
        m_at = 0;
        m_scratch = &scratch;
        members.clear();
        scratch.clear();
        scratch.reserve(line.size());
        skipBlanks();
        if (!take('{'))
            return fail("the line does not start with '{'");
        skipBlanks();
        if (take('}'))
            return end();
        while (true) {
            if (members.size() > kMaxLogFields)
                return fail("more than " + std::to_string(kMaxLogFields) + " members");
            Member member{};
            if (peek() != '"' || !string(member.key))
                return fail(m_why.empty() ? "expected a quoted key" : m_why);
            skipBlanks();
            if (!take(':'))
                return fail("expected ':' after the key");
            skipBlanks();
            if (!value(member))
                return fail(m_why.empty() ? "expected a value" : m_why);
            members.push_back(member);
            skipBlanks();
            if (take(','))
                skipBlanks();
            else if (take('}'))
                return end();
            else
                return fail("expected ',' or '}' after a value");
        }
    }

    const std::string& why() const noexcept { return m_why; }
    std::size_t where() const noexcept { return m_at + 1; }

private:
    char peek() const noexcept { return m_at < m_line.size() ? m_line[m_at] : '\0'; }
    bool take(char c) noexcept
    {
        if (peek() != c || m_at >= m_line.size())
            return false;
        ++m_at;
        return true;
    }
    void skipBlanks() noexcept
    {
        while (m_at < m_line.size()
               && (m_line[m_at] == ' ' || m_line[m_at] == '\t' || m_line[m_at] == '\r' || m_line[m_at] == '\n'))
            ++m_at;
    }
    bool fail(std::string why)
    {
        m_why = std::move(why);
        return false;
    }
    bool end()
    {
        skipBlanks();
        return m_at == m_line.size() || fail("text after the end of the object");
    }

    // A quoted string at m_at: a view into the line when it has no escapes, else unescaped into
    // scratch (appended, so an array's elements can follow one another there).
    bool string(std::string_view& out, bool append = false)
    {
        const std::size_t open = ++m_at;
        std::size_t i = open;
        while (i < m_line.size() && m_line[i] != '"' && m_line[i] != '\\')
            ++i;
        if (i < m_line.size() && m_line[i] == '"' && !append) {
            out = m_line.substr(open, i - open);
            m_at = i + 1;
            return true;
        }
        std::string& scratch = *m_scratch;
        const std::size_t from = scratch.size();
        scratch.append(m_line.data() + open, i - open);
        while (i < m_line.size() && m_line[i] != '"') {
            if (m_line[i] != '\\') {
                scratch.push_back(m_line[i++]);
                continue;
            }
            if (i + 1 >= m_line.size())
                break;
            const char escape = m_line[i + 1];
            i += 2;
            switch (escape) {
            case '"':
            case '\\':
            case '/':
                scratch.push_back(escape);
                break;
            case 'b':
                scratch.push_back('\b');
                break;
            case 'f':
                scratch.push_back('\f');
                break;
            case 'n':
                scratch.push_back('\n');
                break;
            case 'r':
                scratch.push_back('\r');
                break;
            case 't':
                scratch.push_back('\t');
                break;
            case 'u': {
                std::uint32_t code = 0;
                if (!hex4(i, code)) {
                    m_at = i - 2;
                    return fail("a \\u escape without four hex digits");
                }
                i += 4;
                if (code >= 0xD800 && code < 0xDC00) {
                    std::uint32_t low = 0;
                    if (i + 1 < m_line.size() && m_line[i] == '\\' && m_line[i + 1] == 'u' && hex4(i + 2, low)
                        && low >= 0xDC00 && low < 0xE000) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    } else {
                        code = 0xFFFD; // a lone surrogate: the replacement character
                    }
                } else if (code >= 0xDC00 && code < 0xE000) {
                    code = 0xFFFD;
                }
                appendUtf8(scratch, code);
                break;
            }
            default:
                m_at = i - 2; // the backslash
                return fail(std::string("an unknown escape '\\") + escape + "' in a string");
            }
        }
        if (i >= m_line.size()) {
            m_at = open - 1; // the opening quote
            return fail("a string that is never closed");
        }
        m_at = i + 1;
        out = std::string_view(scratch).substr(from);
        return true;
    }

    bool hex4(std::size_t at, std::uint32_t& code) const noexcept
    {
        if (at + 4 > m_line.size())
            return false;
        code = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const int digit = hexDigit(m_line[at + k]);
            if (digit < 0)
                return false;
            code = code * 16 + static_cast<std::uint32_t>(digit);
        }
        return true;
    }

    bool literal(std::string_view word) noexcept
    {
        if (m_line.substr(m_at, word.size()) != word)
            return false;
        m_at += word.size();
        return true;
    }

    bool number(std::string_view& out) noexcept
    {
        const std::size_t start = m_at;
        while (m_at < m_line.size()
               && ((m_line[m_at] >= '0' && m_line[m_at] <= '9') || m_line[m_at] == '-' || m_line[m_at] == '+'
                   || m_line[m_at] == '.' || m_line[m_at] == 'e' || m_line[m_at] == 'E'))
            ++m_at;
        out = m_line.substr(start, m_at - start);
        return m_at > start;
    }

    // An object or array at m_at skipped to its end, strings respected: its raw text.
    bool composite(std::string_view& out)
    {
        const std::size_t start = m_at;
        std::size_t depth = 0;
        for (; m_at < m_line.size(); ++m_at) {
            const char c = m_line[m_at];
            if (c == '"') {
                std::string_view ignored;
                const std::size_t before = m_scratch->size();
                if (!string(ignored))
                    return false;
                m_scratch->resize(before);
                --m_at;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    ++m_at;
                    out = m_line.substr(start, m_at - start);
                    return true;
                }
            }
        }
        return fail("an object or array that is never closed");
    }

    // An array of strings, numbers and booleans: its elements joined by ',' in scratch (a set in
    // Zeek's TSV is written so); an array holding objects or arrays: its raw text.
    bool array(Member& member)
    {
        const std::size_t start = m_at;
        ++m_at;
        std::string& scratch = *m_scratch;
        const std::size_t from = scratch.size();
        std::size_t kept = 0;
        skipBlanks();
        if (take(']')) {
            member.kind = Kind::Array;
            member.value = {};
            return true;
        }
        while (true) {
            const char c = peek();
            if (c == '{' || c == '[') {
                m_at = start;
                scratch.resize(from);
                member.kind = Kind::Raw;
                return composite(member.value);
            }
            if (!literal("null")) {
                if (kept++ > 0)
                    scratch.push_back(',');
                std::string_view element;
                if (c == '"') {
                    if (!string(element, true))
                        return false;
                } else if (literal("true")) {
                    scratch.push_back('T');
                } else if (literal("false")) {
                    scratch.push_back('F');
                } else if (number(element)) {
                    scratch.append(element);
                } else {
                    return fail("expected a value in an array");
                }
            }
            skipBlanks();
            if (take(','))
                skipBlanks();
            else if (take(']'))
                break;
            else
                return fail("expected ',' or ']' in an array");
        }
        member.kind = Kind::Array;
        member.value = std::string_view(scratch).substr(from);
        return true;
    }

    bool value(Member& member)
    {
        const char c = peek();
        if (c == '"') {
            member.kind = Kind::String;
            return string(member.value);
        }
        if (c == '{') {
            member.kind = Kind::Raw;
            return composite(member.value);
        }
        if (c == '[')
            return array(member);
        if (literal("true")) {
            member.kind = Kind::True;
            member.value = "T";
            return true;
        }
        if (literal("false")) {
            member.kind = Kind::False;
            member.value = "F";
            return true;
        }
        if (literal("null")) {
            member.kind = Kind::Null;
            member.value = {};
            return true;
        }
        member.kind = Kind::Number;
        return number(member.value);
    }

    std::string_view m_line;
    std::size_t m_at = 0;
    std::string* m_scratch = nullptr;
    std::string m_why;
};

// Which sides of a connection its Zeek history shows sent no payload: the originator's letters are
// upper case, the responder's lower case, and only S(YN), H (SYN-ACK), A(CK), F(IN), R(ST) and W
// (zero window) are packets known to carry none. D (payload), T (retransmitted payload), G (a gap
// in the content), C (bad checksum), I, Q, ... leave that side's bytes unknown, as does anything
// that is not a history letter.
struct Payload {
    bool originatorNone = true;
    bool responderNone = true;
};
Payload payloadOf(std::string_view history) noexcept
{
    Payload payload;
    for (const char c : history) {
        const bool upper = c >= 'A' && c <= 'Z';
        const bool lower = c >= 'a' && c <= 'z';
        const char letter = lower ? static_cast<char>(c - 'a' + 'A') : c;
        if (c == '^' || ((upper || lower) && std::string_view("SHAFRW").find(letter) != std::string_view::npos))
            continue; // '^': Zeek flipped the sides, the letters already name the final ones
        if (!lower)
            payload.originatorNone = false;
        if (!upper)
            payload.responderNone = false;
    }
    return payload;
}

// The ids of a field's recent values of up to 16 bytes, compared as two words: a value seen lately
// (a state, a service, a flag, a small count: most of a conn.log's cells) does not touch the
// pool's table, which a million uids make far larger than the cache.
class RecentIds {
public:
    std::uint32_t find(std::string_view text) const noexcept
    {
        if (text.size() > 16)
            return StringPool::kMissing;
        const Key key = keyOf(text);
        const Entry& entry = m_entries[slotOf(key)];
        return entry.key == key ? entry.id : StringPool::kMissing;
    }
    void remember(std::string_view text, std::uint32_t id) noexcept
    {
        if (text.size() > 16)
            return;
        const Key key = keyOf(text);
        m_entries[slotOf(key)] = Entry{key, id};
    }

private:
    struct Key {
        std::uint64_t head = 0, tail = 0, size = 0;
        bool operator==(const Key&) const = default;
    };
    struct Entry {
        Key key;
        std::uint32_t id = StringPool::kMissing;
    };
    static Key keyOf(std::string_view text) noexcept
    {
        Key key{0, 0, text.size()};
        if (text.size() >= 8) {
            std::memcpy(&key.head, text.data(), 8);
            std::memcpy(&key.tail, text.data() + text.size() - 8, 8); // overlaps below 16: size tells apart
        } else {
            key.head = StringPool::shortWord(text.data(), text.size());
        }
        return key;
    }
    static std::size_t slotOf(const Key& key) noexcept
    {
        return static_cast<std::size_t>(((key.head ^ (key.tail * 31) ^ key.size) * 0x9E3779B97F4A7C15ull) >> 58);
    }
    std::array<Entry, 64> m_entries{};
};

// Where a field of the file goes: its slot, for Extra its table column, and its recent values.
struct Target {
    Slot slot = Slot::Extra;
    std::size_t column = 0;
    std::string name; // the field's name in the file, for messages
    std::shared_ptr<RecentIds> recent = std::make_shared<RecentIds>();
};

// A #fields order: one target per field.
struct TsvLayout {
    std::vector<std::string> names;
    std::vector<Target> targets;
    std::int64_t line = 0;
};

// Hashing by string_view, so a JSON key looks its target up without a copy.
struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

class ZeekConnParser final : public PieceParser {
public:
    explicit ZeekConnParser(std::string file)
        : m_file(std::move(file))
        , m_table(m_file)
    {
    }

    // A fork stops at a '#' line (meta data: a new #fields order, separator, unset mark) and at a
    // JSON key it has not seen: both change how the lines after them are read.
    bool line(std::string_view text, std::int64_t number) override;
    std::unique_ptr<PieceParser> fork() const override;
    void reserve(double growth) override { m_table.reserveGrowth(growth); }
    void merge(PieceParser& piece) override;
    ReadResult finish(std::int64_t lines, std::uint64_t bytes);

private:
    void meta(std::string_view text, std::int64_t number);
    void startLayout(std::string_view fields, std::int64_t number);
    void tsvRecord(std::string_view text, std::int64_t number);
    bool jsonRecord(std::string_view text, std::int64_t number);
    Target target(std::string name);
    void mappedColumns();
    void beginRow(std::int64_t number);
    void value(const Target& target, std::string_view text, std::int64_t line);
    void endRow();
    void setText(std::size_t column, std::string_view text, RecentIds* recent);
    void dropWaiting(std::size_t column);
    void bytesFromHistory();

    std::string m_file;
    LogTable m_table;
    // The TSV meta data as the header declares it.
    char m_separator = '\t';
    std::string m_unsetField = "-";
    std::string m_emptyField = "(empty)";
    std::string m_path;
    std::int64_t m_pathLine = 0;
    std::vector<TsvLayout> m_layouts;
    std::size_t m_repeatedFields = 0;
    bool m_opened = false; // an #open line seen
    bool m_closed = false; // the last meta line seen was #close
    // JSON: targets by key, and the keys of the last line in order (lines repeat them).
    std::unordered_map<std::string, Target, NameHash, std::equal_to<>> m_keys;
    std::vector<std::pair<std::string, const Target*>> m_lastKeys;
    std::vector<std::string> m_firstJsonKeys;
    std::vector<JsonObjectScanner::Member> m_members;
    JsonObjectScanner m_scanner;
    std::size_t m_droppedKeys = 0;
    std::string m_firstDroppedKey;
    std::int64_t m_firstDroppedLine = 0;
    // Counts.
    std::size_t m_contentLines = 0;
    std::size_t m_tsvRows = 0;
    std::size_t m_jsonRows = 0;
    std::size_t m_withoutDuration = 0;
    std::int64_t m_firstWithoutDuration = 0;
    // The row being read.
    std::int64_t m_rowLine = 0;
    Instant m_ts = kMissingInteger;
    std::int64_t m_duration = kMissingInteger;
    bool m_origBytesGiven = false, m_respBytesGiven = false; // the field was there (valid or not)
    bool m_historyGiven = false;
    Payload m_payload;
    std::size_t m_bytesFromHistory = 0; // rows whose unset bytes were read as 0
    std::int64_t m_firstBytesFromHistory = 0;
    std::string m_scratch;
    std::string m_unescaped;
    bool m_fieldUnescaped = false; // the field being read is in m_unescaped
    std::vector<std::string_view> m_fieldViews;
    // The row's text cells, interned together at its end: the pool's lookups of a row's distinct
    // values (uid, addresses, ports) then overlap instead of missing the cache one after another.
    std::vector<std::size_t> m_textColumns;
    std::vector<RecentIds*> m_textRecent;
    std::vector<std::string_view> m_texts;
    std::vector<std::uint32_t> m_textIds;
    // Columns and interned text every row uses.
    bool m_haveColumns = false;
    std::size_t m_srcPortColumn = 0, m_packetsInColumn = 0, m_packetsOutColumn = 0;
    std::uint32_t m_metaId = 0;
    std::vector<std::pair<std::string, std::uint32_t>> m_protocols; // as written -> upper-cased id
    bool m_isFork = false;
};

// A target whose recent values are its own: ids name strings of one pool only.
Target withOwnRecent(const Target& target)
{
    Target copy = target;
    copy.recent = std::make_shared<RecentIds>();
    return copy;
}

std::unique_ptr<PieceParser> ZeekConnParser::fork() const
{
    if (m_layouts.empty() && m_keys.empty())
        return nullptr;
    auto piece = std::make_unique<ZeekConnParser>(m_file);
    piece->m_table = m_table.fork(); // the same columns: the targets' column indices hold
    piece->m_separator = m_separator;
    piece->m_unsetField = m_unsetField;
    piece->m_emptyField = m_emptyField;
    piece->m_path = m_path;
    piece->m_pathLine = m_pathLine;
    for (const TsvLayout& layout : m_layouts) {
        TsvLayout copy{layout.names, {}, layout.line};
        for (const Target& target : layout.targets)
            copy.targets.push_back(withOwnRecent(target));
        piece->m_layouts.push_back(std::move(copy));
    }
    for (const auto& [name, target] : m_keys)
        piece->m_keys.emplace(name, withOwnRecent(target));
    piece->m_firstJsonKeys = m_firstJsonKeys;
    piece->m_haveColumns = m_haveColumns;
    piece->m_srcPortColumn = m_srcPortColumn;
    piece->m_packetsInColumn = m_packetsInColumn;
    piece->m_packetsOutColumn = m_packetsOutColumn;
    if (m_haveColumns)
        piece->m_metaId = piece->m_table.intern("Zeek_conn");
    piece->m_isFork = true;
    return piece;
}

void ZeekConnParser::merge(PieceParser& piece)
{
    auto& from = static_cast<ZeekConnParser&>(piece);
    m_table.append(from.m_table);
    m_contentLines += from.m_contentLines;
    m_tsvRows += from.m_tsvRows;
    m_jsonRows += from.m_jsonRows;
    if (m_withoutDuration == 0)
        m_firstWithoutDuration = from.m_firstWithoutDuration;
    m_withoutDuration += from.m_withoutDuration;
    if (m_bytesFromHistory == 0)
        m_firstBytesFromHistory = from.m_firstBytesFromHistory;
    m_bytesFromHistory += from.m_bytesFromHistory;
}

void ZeekConnParser::mappedColumns()
{
    if (m_haveColumns)
        return;
    m_haveColumns = true;
    m_srcPortColumn = m_table.extraColumn("src_port");
    m_packetsInColumn = m_table.extraColumn("packets_in");
    m_packetsOutColumn = m_table.extraColumn("packets_out");
    m_metaId = m_table.intern("Zeek_conn");
}

Target ZeekConnParser::target(std::string name)
{
    mappedColumns();
    Target target{slotOf(name), 0, std::move(name)};
    if (target.slot == Slot::Extra || target.slot == Slot::History) {
        const std::size_t extras = m_table.report().extraColumns.size();
        const bool known = std::find(m_table.report().extraColumns.begin(), m_table.report().extraColumns.end(),
                                     target.name)
            != m_table.report().extraColumns.end();
        if (!known && extras >= kMaxExtraColumns)
            target.slot = Slot::Ignored;
        else
            target.column = m_table.extraColumn(target.name);
    }
    return target;
}

bool ZeekConnParser::line(std::string_view text, std::int64_t number)
{
    const std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        ++m_table.report().blankLines;
        return true;
    }
    if (text.front() == '#') {
        if (m_isFork)
            return false;
        meta(text, number);
    } else if (text[first] == '{') {
        if (!jsonRecord(text, number))
            return false;
    } else {
        if (m_isFork && m_layouts.empty())
            return false;
        tsvRecord(text, number);
    }
    ++m_contentLines;
    return true;
}

void ZeekConnParser::meta(std::string_view text, std::int64_t number)
{
    // "#separator \x09": the one meta line whose value follows a blank, as the separator is not known yet.
    if (text.substr(0, 11) == "#separator " || text.substr(0, 11) == "#separator\t") {
        unescapeZeek(text.substr(11), m_unescaped);
        if (m_unescaped.size() != 1)
            throw InputError(m_file, number, "",
                             "the #separator line names '" + shortenForMessage(text.substr(11))
                                 + "': Zeek's separator is one character, written as \\x09 for a tab");
        m_separator = m_unescaped.front();
        return;
    }
    const std::size_t split = text.find(m_separator);
    const std::string_view key = text.substr(0, split);
    const std::string_view value = split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
    m_closed = false;
    if (key == "#fields") {
        startLayout(value, number);
    } else if (key == "#unset_field") {
        unescapeZeek(value, m_unsetField);
    } else if (key == "#empty_field") {
        unescapeZeek(value, m_emptyField);
    } else if (key == "#path") {
        m_path = std::string(value);
        m_pathLine = number;
    } else if (key == "#open") {
        m_opened = true;
    } else if (key == "#close") {
        m_closed = true;
    }
    // #set_separator (sets are kept as written), #types and unknown '#' lines: nothing to do.
}

void ZeekConnParser::startLayout(std::string_view fields, std::int64_t number)
{
    TsvLayout layout;
    layout.line = number;
    for (std::size_t start = 0; start <= fields.size();) {
        const std::size_t stop = std::min(fields.find(m_separator, start), fields.size());
        if (layout.names.size() == kMaxLogFields)
            throw InputError(m_file, number, "",
                             "the #fields line names more than " + std::to_string(kMaxLogFields)
                                 + " fields; a conn.log has about 20");
        layout.names.emplace_back(fields.substr(start, stop - start));
        start = stop + 1;
    }
    if (!m_layouts.empty() && layout.names == m_layouts.back().names) {
        ++m_repeatedFields; // rotated logs joined with `cat`: each starts with the same header
        return;
    }
    auto has = [&](std::string_view name) {
        return std::find(layout.names.begin(), layout.names.end(), name) != layout.names.end();
    };
    const std::string log = m_path.empty() ? std::string("this Zeek log")
                                           : "this Zeek '" + m_path + "' log (#path, line " + std::to_string(m_pathLine) + ")";
    if (!has("orig_bytes") && !has("resp_bytes") && !has("conn_state"))
        throw InputError(m_file, number, "",
                         log + " is not a conn.log: its #fields name none of orig_bytes, resp_bytes, conn_state. "
                               "The workbench reads Zeek's connection log, conn.log");
    for (const std::string_view name : {"id.orig_h", "id.resp_h"}) {
        if (!has(name))
            throw InputError(m_file, number, std::string(name),
                             "the #fields line has no field '" + std::string(name)
                                 + "': without both addresses the connections cannot be read as traffic");
    }
    for (const std::string& name : layout.names)
        layout.targets.push_back(target(name));
    if (m_layouts.empty())
        m_table.report().header = layout.names;
    else
        m_table.report().warnings.push_back("line " + std::to_string(number)
                                            + " is a new #fields line: the records after it are read in its order");
    m_layouts.push_back(std::move(layout));
}

void ZeekConnParser::beginRow(std::int64_t number)
{
    mappedColumns();
    m_table.addRow(number);
    m_rowLine = number;
    m_ts = kMissingInteger;
    m_duration = kMissingInteger;
    m_origBytesGiven = m_respBytesGiven = m_historyGiven = false;
    m_table.setTextId(static_cast<std::size_t>(Field::SourceMeta), m_metaId);
}

void ZeekConnParser::tsvRecord(std::string_view text, std::int64_t number)
{
    if (m_layouts.empty()) {
        if (m_jsonRows > 0 || m_table.report().malformed.count > 0) {
            m_table.malformedLine(number, 1, "line " + std::to_string(number) + " is neither a JSON object nor a TSV record after a #fields line");
            return;
        }
        throw InputError(m_file, number, "",
                         "a record before any #fields line: Zeek's TSV names its columns in the #fields line of its "
                         "header, and without it the column order is unknown (zeek-cut drops the header unless "
                         "given -c)");
    }
    const TsvLayout& layout = m_layouts.back();
    std::vector<std::string_view>& fields = m_fieldViews;
    fields.clear();
    for (std::size_t start = 0; start <= text.size() && fields.size() <= kMaxLogFields;) {
        std::size_t stop = start; // fields are short: a loop beats a call to memchr
        while (stop < text.size() && text[stop] != m_separator)
            ++stop;
        fields.push_back(text.substr(start, stop - start));
        start = stop + 1;
    }
    if (fields.size() != layout.names.size()) {
        const std::string count = fields.size() > kMaxLogFields ? "more than " + std::to_string(kMaxLogFields)
                                                                : std::to_string(fields.size());
        m_table.malformedLine(number, fields.size(),
                              "line " + std::to_string(number) + " has " + count + " fields where the #fields line (line "
                                  + std::to_string(layout.line) + ") names " + std::to_string(layout.names.size()));
        return;
    }
    beginRow(number);
    ++m_tsvRows;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string_view field = fields[i];
        if (field.empty() || field == m_unsetField || field == m_emptyField)
            continue;
        m_fieldUnescaped = field.find('\\') != std::string_view::npos;
        if (m_fieldUnescaped) {
            unescapeZeek(field, m_unescaped);
            field = m_unescaped;
        }
        value(layout.targets[i], field, number);
        m_fieldUnescaped = false;
    }
    endRow();
}

bool ZeekConnParser::jsonRecord(std::string_view text, std::int64_t number)
{
    if (!m_scanner.scan(text, m_members, m_scratch)) {
        m_table.malformedLine(number, m_members.size(),
                              "line " + std::to_string(number) + " is not a JSON object: " + m_scanner.why()
                                  + " at byte " + std::to_string(m_scanner.where()));
        return true;
    }
    if (m_lastKeys.size() < m_members.size())
        m_lastKeys.resize(m_members.size());
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        auto& [key, found] = m_lastKeys[i];
        const std::string_view name = m_members[i].key;
        if (found && key == name)
            continue; // the same key at the same place as on the line before: the usual case
        auto known = m_keys.find(name);
        if (known == m_keys.end()) {
            if (m_isFork)
                return false; // a new column, or one past the limit: in order
            Target t = target(std::string(name));
            if (t.slot == Slot::Ignored) {
                if (m_droppedKeys++ == 0) {
                    m_firstDroppedKey = shortenForMessage(name);
                    m_firstDroppedLine = number;
                }
                found = nullptr;
                continue;
            }
            known = m_keys.emplace(std::string(name), std::move(t)).first;
        }
        key = known->first;
        found = &known->second;
    }
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        const JsonObjectScanner::Member& member = m_members[i];
        if (m_lastKeys[i].second && m_lastKeys[i].second->slot == Slot::Path && member.value != "conn"
            && member.kind == JsonObjectScanner::Kind::String) {
            m_table.malformedLine(number, m_members.size(),
                                  "line " + std::to_string(number) + " is a record of Zeek's '"
                                      + shortenForMessage(member.value) + "' log (_path), not of conn.log");
            return true;
        }
    }
    if (m_firstJsonKeys.empty() && m_isFork)
        return false;
    if (m_firstJsonKeys.empty())
        for (const auto& member : m_members)
            m_firstJsonKeys.emplace_back(member.key);
    beginRow(number);
    ++m_jsonRows;
    for (std::size_t i = 0; i < m_members.size(); ++i) {
        const JsonObjectScanner::Member& member = m_members[i];
        const Target* target = m_lastKeys[i].second;
        if (!target || member.kind == JsonObjectScanner::Kind::Null || member.value.empty()
            || member.value == m_unsetField || member.value == m_emptyField)
            continue;
        value(*target, member.value, number);
    }
    endRow();
    return true;
}

void ZeekConnParser::value(const Target& target, std::string_view text, std::int64_t line)
{
    std::int64_t number = 0;
    const char* reason = nullptr;
    switch (target.slot) {
    case Slot::Ts:
        if (auto instant = parseTimestamp(text))
            m_ts = *instant;
        else
            reason = "not a time (epoch seconds or ISO 8601)";
        break;
    case Slot::Duration:
        reason = parseSeconds(text, m_duration);
        if (reason)
            m_duration = kMissingInteger;
        break;
    case Slot::OrigH:
        setText(static_cast<std::size_t>(Field::SrcIp), text, nullptr);
        break;
    case Slot::RespH:
        setText(static_cast<std::size_t>(Field::DstIp), text, target.recent.get());
        break;
    case Slot::OrigP:
        if (!(reason = parseWholeNumber(text, 0, 65535, number)))
            setText(m_srcPortColumn, text, nullptr);
        break;
    case Slot::RespP:
        if (!(reason = parseWholeNumber(text, 0, 65535, number)))
            m_table.setInteger(Field::DstPort, number);
        break;
    case Slot::Proto: {
        auto known = std::find_if(m_protocols.begin(), m_protocols.end(), [&](const auto& p) { return p.first == text; });
        if (known == m_protocols.end()) {
            std::string upper(text);
            std::transform(upper.begin(), upper.end(), upper.begin(),
                           [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; });
            const std::uint32_t id = m_table.intern(upper);
            if (m_protocols.size() >= 16) {
                m_table.setTextId(static_cast<std::size_t>(Field::Protocol), id);
                break;
            }
            known = m_protocols.emplace(m_protocols.end(), std::string(text), id);
        }
        m_table.setTextId(static_cast<std::size_t>(Field::Protocol), known->second);
        break;
    }
    case Slot::OrigBytes:
    case Slot::RespBytes:
        (target.slot == Slot::OrigBytes ? m_origBytesGiven : m_respBytesGiven) = true;
        if (!(reason = parseWholeNumber(text, 0, std::numeric_limits<std::int64_t>::max(), number)))
            m_table.setInteger(target.slot == Slot::OrigBytes ? Field::BytesIn : Field::BytesOut, number);
        break;
    case Slot::OrigPkts:
    case Slot::RespPkts:
        if (!(reason = parseWholeNumber(text, 0, std::numeric_limits<std::int64_t>::max(), number)))
            setText(target.slot == Slot::OrigPkts ? m_packetsInColumn : m_packetsOutColumn, text, target.recent.get());
        break;
    case Slot::Path:
    case Slot::Ignored:
        break;
    case Slot::History:
        m_historyGiven = true;
        m_payload = payloadOf(text);
        setText(target.column, text, target.recent.get());
        break;
    case Slot::Extra:
        setText(target.column, text, target.recent.get());
        break;
    }
    if (reason)
        m_table.invalidCell(target.name, line, text, reason);
}

// A cell is written now (its id known, or its text in a buffer the next field reuses) or at the
// row's end (interned with the row's other new texts). A line may name one column twice (a JSON
// key repeated, two #fields names for one column): the later value wins, so a cell written now
// drops the value of that column still waiting for the row's end. Without that the outcome hung
// on which value the recent ids happened to know, and so on how the file was cut into pieces.
void ZeekConnParser::setText(std::size_t column, std::string_view text, RecentIds* recent)
{
    std::uint32_t id = StringPool::kMissing;
    if (!m_fieldUnescaped && recent)
        id = recent->find(text);
    if (m_fieldUnescaped || id != StringPool::kMissing) {
        if (!m_textColumns.empty())
            dropWaiting(column);
        if (m_fieldUnescaped)
            m_table.setText(column, text);
        else
            m_table.setTextId(column, id);
        return;
    }
    m_textColumns.push_back(column);
    m_textRecent.push_back(recent);
    m_texts.push_back(text);
}

// Zeek writes orig_bytes and resp_bytes only for a connection with a duration: one of a single
// packet (a lone SYN, one UDP datagram) has them unset. Its history says whether a side sent any
// payload. A side that sent none (a scan's SYN: history S, conn_state S0 or REJ) sent 0 bytes, which
// is what the byte features should see, not the file's median that cleaning would fill in. A side
// that did (the datagram's D) sent a number Zeek did not write: that stays missing. A field that
// was there but not a number stays missing too (counted as an invalid cell).
void ZeekConnParser::bytesFromHistory()
{
    if (!m_historyGiven || (m_origBytesGiven && m_respBytesGiven))
        return;
    bool filled = false;
    if (!m_origBytesGiven && m_payload.originatorNone) {
        m_table.setInteger(Field::BytesIn, 0);
        filled = true;
    }
    if (!m_respBytesGiven && m_payload.responderNone) {
        m_table.setInteger(Field::BytesOut, 0);
        filled = true;
    }
    if (filled && m_bytesFromHistory++ == 0)
        m_firstBytesFromHistory = m_rowLine;
}

void ZeekConnParser::dropWaiting(std::size_t column)
{
    if (std::find(m_textColumns.begin(), m_textColumns.end(), column) == m_textColumns.end())
        return; // the usual case: the line names the column once
    std::size_t kept = 0;
    for (std::size_t i = 0; i < m_textColumns.size(); ++i) {
        if (m_textColumns[i] == column)
            continue;
        m_textColumns[kept] = m_textColumns[i];
        m_textRecent[kept] = m_textRecent[i];
        m_texts[kept] = m_texts[i];
        ++kept;
    }
    m_textColumns.resize(kept);
    m_textRecent.resize(kept);
    m_texts.resize(kept);
}

void ZeekConnParser::endRow()
{
    if (!m_texts.empty()) {
        m_textIds.resize(m_texts.size());
        m_table.internAll(m_texts.data(), m_texts.size(), m_textIds.data());
        for (std::size_t i = 0; i < m_texts.size(); ++i) {
            m_table.setTextId(m_textColumns[i], m_textIds[i]);
            if (m_textRecent[i])
                m_textRecent[i]->remember(m_texts[i], m_textIds[i]);
        }
        m_texts.clear();
        m_textColumns.clear();
        m_textRecent.clear();
    }
    bytesFromHistory();
    if (m_ts == kMissingInteger)
        return;
    m_table.setInteger(Field::CreationTime, m_ts);
    m_table.setInteger(Field::Time, m_ts);
    if (m_duration == kMissingInteger && m_withoutDuration++ == 0)
        m_firstWithoutDuration = m_rowLine;
    // Zeek leaves duration unset when it saw one packet (a lone SYN, one UDP datagram): the
    // connection lasted no time it could measure, so it ends when it starts. A missing end_time
    // would have cleaning and the duration features treat the scans' rows as damaged.
    m_table.setInteger(Field::EndTime, m_ts + (m_duration == kMissingInteger ? 0 : m_duration));
}

ReadResult ZeekConnParser::finish(std::int64_t lines, std::uint64_t bytes)
{
    ReadReport& report = m_table.report();
    if (m_contentLines == 0)
        throw InputError(m_file, 0, "",
                         "the file is empty: expected Zeek conn.log records (TSV with its #fields header, or JSON lines)");
    if (m_table.rowCount() == 0 && report.malformed.count > 0)
        throw InputError(m_file, report.malformed.firstLines.front(), "",
                         "no line of the file is a usable Zeek conn.log record (" + std::to_string(report.malformed.count)
                             + " line(s) could not be read)");
    if (m_layouts.empty() && m_jsonRows == 0)
        throw InputError(m_file, 0, "", "the Zeek log has no #fields line: the order of its columns is unknown");
    if (m_tsvRows > 0 && m_jsonRows > 0)
        report.format = "Zeek conn.log (TSV and JSON lines)";
    else if (m_jsonRows > 0 || m_layouts.empty())
        report.format = "Zeek conn.log (JSON lines)";
    else
        report.format = "Zeek conn.log (TSV, " + std::to_string(m_layouts.front().names.size())
            + " fields from the #fields line on line " + std::to_string(m_layouts.front().line) + ")";
    if (report.header.empty())
        report.header = m_firstJsonKeys;
    report.expectedFields = report.header.size();
    if (m_withoutDuration > 0)
        report.warnings.push_back(std::to_string(m_withoutDuration)
                                  + " connection(s) have no duration (first on line " + std::to_string(m_firstWithoutDuration)
                                  + "): Zeek leaves it unset when it saw a single packet, so their end_time is their ts");
    if (m_bytesFromHistory > 0)
        report.warnings.push_back(std::to_string(m_bytesFromHistory)
                                  + " connection(s) have orig_bytes or resp_bytes unset (first on line "
                                  + std::to_string(m_firstBytesFromHistory)
                                  + ") and a history in which that side sent no payload (S, H, A, F, R, W only): "
                                    "read as 0 bytes");
    if (m_repeatedFields > 0)
        report.warnings.push_back(std::to_string(m_repeatedFields)
                                  + " repeated #fields line(s) (logs joined one after another) read as the same order");
    if (m_opened && !m_closed && m_tsvRows > 0)
        report.warnings.push_back("the log has no #close line at its end: Zeek was still writing it, or it was cut "
                                  "short; the connections still open then are not in it");
    if (m_droppedKeys > 0)
        report.warnings.push_back(std::to_string(m_droppedKeys) + " JSON key(s) past the first "
                                  + std::to_string(kMaxExtraColumns) + " columns were not kept (first: '"
                                  + m_firstDroppedKey + "' on line " + std::to_string(m_firstDroppedLine) + ")");
    return m_table.finish(lines, bytes, "Zeek conn.log records");
}

} // namespace

bool looksLikeZeekHeader(std::string_view line) noexcept
{
    if (line.substr(0, 11) == "#separator " || line.substr(0, 11) == "#separator\t")
        return true;
    return (line.substr(0, 8) == "#fields\t" || line.substr(0, 8) == "#fields ")
        && line.find("id.orig_h") != std::string_view::npos;
}

bool looksLikeZeekJsonRecord(std::string_view line) noexcept
{
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '{')
        return false;
    const bool origin = line.find("\"id.orig_h\"") != std::string_view::npos
        || line.find("\"id_orig_h\"") != std::string_view::npos;
    return origin && line.find("\"conn_state\"") != std::string_view::npos;
}

ReadResult readZeekConnLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                           const ReadOptions& options, const Progress& progress)
{
    ZeekConnParser parser(file);
    return readLogLinesInPieces(read, fraction, file, options, progress, "Zeek conn.log", parser,
                                [&](std::int64_t lines, std::uint64_t bytes) { return parser.finish(lines, bytes); });
}

} // namespace webthreat

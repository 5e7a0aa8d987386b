#include "core/context/threatlist.h"

#include "core/detect/threshold.h"
#include "core/output/sha256.h"
#include "core/util/errors.h"
#include "core/util/text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <type_traits>

namespace webthreat {

namespace {

constexpr std::uint64_t kV4MappedHigh = 0;
constexpr std::uint64_t kV4MappedLowBase = 0xFFFFull << 32;

IpNumber fromV4(std::uint32_t v4) noexcept
{
    return {kV4MappedHigh, kV4MappedLowBase | v4};
}

// Dotted quad, four decimal parts 0-255 without leading zeros (as inet_pton reads it).
bool parseV4(std::string_view text, std::uint32_t* out) noexcept
{
    std::uint32_t value = 0;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9')
            return false;
        unsigned part = 0;
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4)
            part = part * 10 + static_cast<unsigned>(text[i++] - '0');
        if (part > 255 || i - start > 3 || (i - start > 1 && text[start] == '0'))
            return false;
        value = (value << 8) | part;
        ++parts;
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.')
                return false;
            ++i;
        }
    }
    if (i != text.size())
        return false;
    *out = value;
    return true;
}

std::uint64_t loadBigEndian(const std::uint8_t* bytes) noexcept
{
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
        value = (value << 8) | bytes[i];
    return value;
}

// The number of addresses last - first, as 128 bits (for "narrowest").
IpNumber span(const IpRange& range) noexcept
{
    IpNumber out;
    out.low = range.last.low - range.first.low;
    out.high = range.last.high - range.first.high - (range.last.low < range.first.low ? 1 : 0);
    return out;
}

// Where a bad entry is and what is wrong with it.
struct EntryProblem {
    std::size_t offset = 0; // in the token
    std::string message;
};

IpNumber maskedTo(const IpNumber& address, int prefix, bool last) noexcept
{
    // prefix of the 128 bits kept; the rest cleared (first) or set (last).
    const std::uint64_t highMask = prefix >= 64 ? ~0ull : (prefix == 0 ? 0ull : ~0ull << (64 - prefix));
    const std::uint64_t lowMask = prefix <= 64 ? 0ull : (prefix == 128 ? ~0ull : ~0ull << (128 - prefix));
    IpNumber out{address.high & highMask, address.low & lowMask};
    if (last) {
        out.high |= ~highMask;
        out.low |= ~lowMask;
    }
    return out;
}

// "1.2.3.0/24", "1.2.3.4", "2001:db8::/32", "1.2.3.4-1.2.3.9".
IpRange parseEntry(std::string_view token)
{
    const auto quoted = [&] { return "'" + std::string(token) + "'"; };
    const std::size_t dash = token.find('-');
    IpNumber first;
    // A range when what comes before the dash is an address ("bad-host.example" is not a range).
    if (dash != std::string_view::npos && parseIpNumber(token.substr(0, dash), &first)) {
        IpNumber last;
        if (!parseIpNumber(token.substr(dash + 1), &last))
            throw EntryProblem{dash + 1, quoted() + " is not a range: '" + std::string(token.substr(dash + 1))
                                             + "' is not an address (a range is FIRST-LAST, 10.0.0.1-10.0.0.9)"};
        if (first.isV4Mapped() != last.isV4Mapped())
            throw EntryProblem{dash + 1, quoted() + " is not a range: it mixes IPv4 and IPv6"};
        if (last < first)
            throw EntryProblem{dash + 1, quoted() + " is not a range: it ends before it starts"};
        return {first, last, 0};
    }
    const std::size_t slash = token.find('/');
    IpNumber address;
    const std::string_view addressText = token.substr(0, slash);
    if (!parseIpNumber(addressText, &address))
        throw EntryProblem{0, quoted() + " is not an address, CIDR or range: expected an IPv4 address (203.0.113.7), "
                                         "an IPv6 address (2001:db8::7), either with a prefix length (203.0.113.0/24) "
                                         "or FIRST-LAST"};
    if (slash == std::string_view::npos)
        return {address, address, 0};
    // An IPv4-mapped IPv6 address written as such keeps IPv6 prefix lengths.
    const bool v4 = addressText.find(':') == std::string_view::npos;
    const int bits = v4 ? 32 : 128;
    const std::string_view digits = token.substr(slash + 1);
    int prefix = -1;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || prefix < 0
        || prefix > bits)
        throw EntryProblem{slash + 1, quoted() + " is not a CIDR: the prefix length must be 0-" + std::to_string(bits)};
    const int prefix128 = prefix + (v4 ? 96 : 0);
    // Host bits set (203.0.113.7/24) are common in hand-made lists: the network is meant.
    return {maskedTo(address, prefix128, false), maskedTo(address, prefix128, true), 0};
}

std::string stemOf(const std::string& fileName)
{
    std::string stem = std::filesystem::path(fileName).stem().string();
    return stem.empty() ? fileName : stem;
}

// One CSV line's cells with where each starts. Quotes as RFC 4180 within the line.
struct Cell {
    std::string text;
    std::size_t offset = 0;
};

std::vector<Cell> splitCsv(std::string_view line, char delimiter, std::size_t* unterminated)
{
    std::vector<Cell> cells;
    std::size_t i = 0;
    *unterminated = std::string_view::npos;
    while (true) {
        Cell cell;
        cell.offset = i;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t') && line[i] != delimiter)
            ++i;
        if (i < line.size() && line[i] == '"') {
            const std::size_t quote = i++;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        cell.text += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                cell.text += line[i++];
            }
            if (!closed) {
                *unterminated = quote;
                return cells;
            }
            cell.offset = quote + 1;
            while (i < line.size() && line[i] != delimiter)
                ++i; // blanks after the closing quote
        } else {
            cell.offset = i;
            const std::size_t start = i;
            while (i < line.size() && line[i] != delimiter)
                ++i;
            cell.text = std::string(trim(line.substr(start, i - start)));
        }
        cells.push_back(std::move(cell));
        if (i >= line.size())
            return cells;
        ++i; // the delimiter
    }
}

char sniffDelimiter(std::string_view line) noexcept
{
    const auto count = [&](char c) { return std::count(line.begin(), line.end(), c); };
    if (count(',') > 0)
        return ',';
    if (count('\t') > 0)
        return '\t';
    if (count(';') > 0)
        return ';';
    return ',';
}

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Reads a list line by line; each line's entry found by a format-specific function.
class ListParser {
public:
    ListParser(const std::string& fileName, const ThreatListOptions& options, ThreatList& list)
        : m_fileName(fileName)
        , m_options(options)
        , m_list(list)
    {
    }

    void run(std::string_view text)
    {
        text.remove_prefix(utf8ByteOrderMarkLength(text));
        if (startsWithUtf16ByteOrderMark(text))
            throw InputError(m_fileName, 1, std::int64_t{1},
                             "the list is UTF-16 text; save it as UTF-8 (or ASCII) and load it again");
        if (!m_options.column.empty())
            setColumn();
        m_list.entries.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
        std::size_t start = 0;
        std::uint32_t line = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string_view::npos)
                end = text.size();
            std::string_view content = text.substr(start, end - start);
            if (!content.empty() && content.back() == '\r')
                content.remove_suffix(1);
            ++line;
            if (content.size() > kMaxThreatListLineBytes)
                throw InputError(m_fileName, line, std::int64_t{1},
                                 "the line is longer than " + std::to_string(kMaxThreatListLineBytes / 1024)
                                     + " KB; a list holds one address, CIDR or range a line");
            try {
                if (m_options.column.empty())
                    textLine(content, line);
                else
                    csvLine(content, line);
            } catch (const EntryProblem& problem) {
                bad(line, problem);
            }
            start = end + 1;
        }
        m_list.lines = line;
        if (!m_options.column.empty() && m_columnIndex == kNoColumn)
            throw InputError(m_fileName, 0, "",
                             "no header names the column '" + m_options.column + "' (the list has "
                                 + std::to_string(line) + " lines)");
    }

private:
    static constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

    void setColumn()
    {
        std::size_t number = 0;
        const std::string& column = m_options.column;
        const auto [end, error] = std::from_chars(column.data(), column.data() + column.size(), number);
        if (error == std::errc() && end == column.data() + column.size()) {
            if (number == 0)
                throw ParameterError("threat list column: columns are numbered from 1");
            m_columnIndex = number - 1;
            m_columnByNumber = true;
        }
    }

    void textLine(std::string_view content, std::uint32_t line)
    {
        // Comments: '#' (FireHOL, most lists) and ';' (Spamhaus DROP: "1.2.3.0/24 ; SBL123"). The
        // first word is the entry; words after it are notes (ipsum's counts, a description). One
        // pass over the line's start: a million-line list is read in a fraction of a second.
        const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
        std::size_t first = 0;
        while (first < content.size() && blank(content[first]))
            ++first;
        if (first == content.size() || content[first] == '#' || content[first] == ';') {
            ++m_list.commentLines;
            return;
        }
        std::size_t last = first;
        while (last < content.size() && !blank(content[last]) && content[last] != '#' && content[last] != ';')
            ++last;
        add(content.substr(first, last - first), line, first);
    }

    void csvLine(std::string_view content, std::uint32_t line)
    {
        const std::string_view trimmed = trim(content, kWhitespace);
        if (trimmed.empty()) {
            ++m_list.commentLines;
            return;
        }
        if (trimmed.front() == '#') {
            ++m_list.commentLines;
            // abuse.ch writes its header as a comment: "# first_seen_utc,dst_ip,...".
            if (m_columnIndex == kNoColumn)
                findHeader(trimmed.substr(1));
            return;
        }
        if (m_delimiter == 0)
            m_delimiter = sniffDelimiter(content);
        if (m_columnIndex == kNoColumn) {
            // A named column: the first row that is not a comment is the header.
            if (!findHeader(content))
                throw EntryProblem{0, "the header does not name the column '" + m_options.column + "'"};
            ++m_list.commentLines;
            return;
        }
        std::size_t unterminated = 0;
        const std::vector<Cell> cells = splitCsv(content, m_delimiter, &unterminated);
        if (unterminated != std::string_view::npos)
            throw EntryProblem{unterminated, "a quoted cell is not closed on its line"};
        if (m_columnIndex >= cells.size())
            throw EntryProblem{content.size(), "the line has " + std::to_string(cells.size()) + " cells; column "
                                                   + std::to_string(m_columnIndex + 1) + " is missing"};
        const Cell& cell = cells[m_columnIndex];
        const std::string_view value = trim(cell.text, kWhitespace);
        if (value.empty()) {
            ++m_list.commentLines;
            return;
        }
        const bool firstRow = !m_sawFirstRow;
        m_sawFirstRow = true;
        // A numbered column's first row may be a header ("ip"): skipped when it is no entry.
        if (firstRow) {
            try {
                parseEntry(value);
            } catch (const EntryProblem&) {
                ++m_list.commentLines;
                return;
            }
        }
        add(value, line, cell.offset + static_cast<std::size_t>(value.data() - cell.text.data()));
    }

    bool findHeader(std::string_view header)
    {
        const char delimiter = m_delimiter ? m_delimiter : sniffDelimiter(header);
        std::size_t unterminated = 0;
        const std::vector<Cell> cells = splitCsv(header, delimiter, &unterminated);
        const std::string wanted = lowered(m_options.column);
        for (std::size_t i = 0; i < cells.size(); ++i)
            if (lowered(trim(cells[i].text, kWhitespace)) == wanted) {
                m_columnIndex = i;
                m_delimiter = delimiter;
                return true;
            }
        return false;
    }

    void add(std::string_view token, std::uint32_t line, std::size_t offset)
    {
        try {
            IpRange range = parseEntry(token);
            range.line = line;
            m_list.entries.push_back(range);
        } catch (EntryProblem& problem) {
            problem.offset += offset;
            throw;
        }
    }

    void bad(std::uint32_t line, const EntryProblem& problem)
    {
        if (!m_options.skipBadLines)
            throw InputError(m_fileName, line, static_cast<std::int64_t>(problem.offset + 1), problem.message);
        ++m_list.badLines;
        if (m_list.problems.size() < kThreatListProblemsKept)
            m_list.problems.push_back({line, static_cast<std::uint32_t>(problem.offset + 1), problem.message});
    }

    const std::string& m_fileName;
    const ThreatListOptions& m_options;
    ThreatList& m_list;
    std::size_t m_columnIndex = kNoColumn;
    bool m_columnByNumber = false;
    bool m_sawFirstRow = false;
    char m_delimiter = 0;
};

// Sorted disjoint ranges with their list sets, from (first, last, list) entries: a sweep over
// the entries' starts and ends (end + 1), counting per list how many of its entries are open.
template <typename Key>
struct Sweep {
    struct Event {
        Key at;
        std::uint32_t list;
        std::int32_t delta;
    };
    std::vector<Event> events;

    void add(Key first, Key last, bool lastIsMax, std::uint32_t list)
    {
        events.push_back({first, list, +1});
        if (!lastIsMax)
            events.push_back({next(last), list, -1});
    }

    static Key next(Key key) noexcept
    {
        if constexpr (std::is_same_v<Key, IpNumber>) {
            ++key.low;
            if (key.low == 0)
                ++key.high;
            return key;
        } else {
            return key + 1;
        }
    }

    // IPv4 keys: two passes of a 16-bit radix sort, linear in the events (a comparison sort of two
    // million events took most of a million-CIDR list's load).
    void sortEvents()
    {
        // Small lists: a comparison sort (the radix sort's two 65 536-entry tables cost more).
        if constexpr (std::is_same_v<Key, std::uint32_t>) {
            if (events.size() < 65536) {
                std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
                return;
            }
            std::vector<Event> scratch(events.size());
            for (int shift = 0; shift < 32; shift += 16) {
                std::vector<std::size_t> offsets(65537, 0);
                for (const Event& event : events)
                    ++offsets[((event.at >> shift) & 0xFFFFu) + 1];
                for (std::size_t i = 1; i < offsets.size(); ++i)
                    offsets[i] += offsets[i - 1];
                for (const Event& event : events)
                    scratch[offsets[(event.at >> shift) & 0xFFFFu]++] = event;
                events.swap(scratch);
            }
        } else {
            std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
        }
    }

    void build(std::vector<Key>& starts, std::vector<std::uint64_t>& sets)
    {
        sortEvents();
        std::array<std::uint32_t, kMaxThreatLists> open{};
        std::uint64_t set = 0;
        starts.assign(1, Key{});
        sets.assign(1, 0);
        for (std::size_t i = 0; i < events.size();) {
            const Key at = events[i].at;
            for (; i < events.size() && events[i].at == at; ++i) {
                const Event& event = events[i];
                open[event.list] = static_cast<std::uint32_t>(static_cast<std::int64_t>(open[event.list]) + event.delta);
                if (open[event.list] > 0)
                    set |= 1ull << event.list;
                else
                    set &= ~(1ull << event.list);
            }
            if (set == sets.back())
                continue;
            if (starts.back() == at)
                sets.back() = set;
            else {
                starts.push_back(at);
                sets.push_back(set);
            }
        }
        events.clear();
        events.shrink_to_fit();
    }
};

std::string readWholeFile(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw InputError(path, 0, "", std::string("cannot open the threat list: ") + std::strerror(errno));
    std::string text;
    char buffer[1 << 16];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > kMaxThreatListBytes)
            throw InputError(path, 0, "",
                             "the threat list is larger than " + std::to_string(kMaxThreatListBytes >> 20) + " MB");
    }
    if (file.bad())
        throw InputError(path, 0, "", "reading the threat list failed");
    return text;
}

} // namespace

bool parseIpNumber(std::string_view text, IpNumber* out) noexcept
{
    std::uint32_t v4 = 0;
    if (parseV4(text, &v4)) {
        *out = fromV4(v4);
        return true;
    }
    if (text.empty() || text.size() > 45 || text.find(':') == std::string_view::npos)
        return false;
    char buffer[64];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    std::uint8_t bytes[16];
    if (inet_pton(AF_INET6, buffer, bytes) != 1)
        return false;
    *out = {loadBigEndian(bytes), loadBigEndian(bytes + 8)};
    return true;
}

std::string ipNumberText(const IpNumber& number)
{
    char buffer[INET6_ADDRSTRLEN];
    std::uint8_t bytes[16];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<std::uint8_t>(number.high >> (56 - 8 * i));
        bytes[8 + i] = static_cast<std::uint8_t>(number.low >> (56 - 8 * i));
    }
    if (number.isV4Mapped())
        inet_ntop(AF_INET, bytes + 12, buffer, sizeof buffer);
    else
        inet_ntop(AF_INET6, bytes, buffer, sizeof buffer);
    return buffer;
}

std::string ipRangeText(const IpRange& range)
{
    if (range.first == range.last)
        return ipNumberText(range.first);
    const IpNumber bits{range.first.high ^ range.last.high, range.first.low ^ range.last.low};
    // A network: the differing bits are all the low ones, clear in first.
    const bool lowOnes = bits.high == 0 ? (bits.low & (bits.low + 1)) == 0
                                        : bits.low == ~0ull && (bits.high & (bits.high + 1)) == 0;
    const bool aligned = (range.first.high & bits.high) == 0 && (range.first.low & bits.low) == 0;
    if (lowOnes && aligned) {
        const int prefix = 128 - std::popcount(bits.high) - std::popcount(bits.low);
        if (range.first.isV4Mapped() && prefix >= 96)
            return ipNumberText(range.first) + "/" + std::to_string(prefix - 96);
        return ipNumberText(range.first) + "/" + std::to_string(prefix);
    }
    return ipNumberText(range.first) + "-" + ipNumberText(range.last);
}

std::string ThreatList::summary() const
{
    std::string out = name + ": " + std::to_string(entries.size()) + (entries.size() == 1 ? " entry" : " entries");
    if (badLines > 0)
        out += ", " + std::to_string(badLines) + " bad lines skipped";
    if (!path.empty())
        out += " (" + std::filesystem::path(path).filename().string() + ")";
    return out;
}

ThreatList parseThreatList(std::string_view text, const std::string& fileName, const ThreatListOptions& options)
{
    ThreatList list;
    list.name = options.name.empty() ? stemOf(fileName) : options.name;
    list.format = options.column.empty() ? "text" : "csv column '" + options.column + "'";
    list.column = options.column;
    list.skipBadLines = options.skipBadLines;
    ListParser(fileName, options, list).run(text);
    return list;
}

ThreatList readThreatList(const std::string& path, const ThreatListOptions& options)
{
    const std::string text = readWholeFile(path);
    ThreatList list = parseThreatList(text, path, options);
    list.path = path;
    list.sha256 = sha256Hex(text);
    return list;
}

ThreatListSpec parseThreatListSpec(std::string_view text)
{
    ThreatListSpec spec;
    std::string_view rest = text;
    const std::size_t equals = rest.find('=');
    // "name=file": a name has no '/' (a path with '=' in a folder name stays a path).
    if (equals != std::string_view::npos && equals > 0 && rest.substr(0, equals).find('/') == std::string_view::npos) {
        spec.options.name = std::string(rest.substr(0, equals));
        rest.remove_prefix(equals + 1);
    }
    std::error_code error;
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && colon + 1 < rest.size() && colon > 0
        && !std::filesystem::exists(std::filesystem::path(std::string(rest)), error)) {
        spec.options.column = std::string(rest.substr(colon + 1));
        rest = rest.substr(0, colon);
    }
    spec.path = std::string(rest);
    return spec;
}

std::string threatListSpecText(const ThreatListSpec& spec)
{
    std::string out;
    if (!spec.options.name.empty())
        out += spec.options.name + "=";
    out += spec.path;
    if (!spec.options.column.empty())
        out += ":" + spec.options.column;
    return out;
}

ThreatIndex::ThreatIndex(std::vector<std::shared_ptr<const ThreatList>> lists)
    : m_lists(std::move(lists))
{
    if (m_lists.size() > kMaxThreatLists)
        throw ParameterError("at most " + std::to_string(kMaxThreatLists) + " threat lists can be loaded at once");
    for (std::size_t i = 0; i < m_lists.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (m_lists[i]->name == m_lists[j]->name)
                throw ParameterError("two threat lists are named '" + m_lists[i]->name
                                     + "'; give one another name (NAME=FILE)");
    Sweep<std::uint32_t> v4;
    Sweep<IpNumber> v6;
    const IpNumber v4First = fromV4(0);
    const IpNumber v4Last = fromV4(0xFFFFFFFFu);
    for (std::size_t i = 0; i < m_lists.size(); ++i) {
        const auto list = static_cast<std::uint32_t>(i);
        for (const IpRange& range : m_lists[i]->entries) {
            // IPv4 (and the IPv4-mapped part of an IPv6 range) into the 32-bit table.
            if (!(range.last < v4First) && !(v4Last < range.first)) {
                const IpNumber first = std::max(range.first, v4First);
                const IpNumber last = std::min(range.last, v4Last);
                v4.add(static_cast<std::uint32_t>(first.low), static_cast<std::uint32_t>(last.low),
                       static_cast<std::uint32_t>(last.low) == 0xFFFFFFFFu, list);
            }
            if (!range.first.isV4Mapped() || !range.last.isV4Mapped())
                v6.add(range.first, range.last, range.last == IpNumber{~0ull, ~0ull}, list);
        }
    }
    v4.build(m_v4Start, m_v4Sets);
    v6.build(m_v6Start, m_v6Sets);
    // Where each /16's ranges start: a lookup searches only its /16's few ranges. Small tables fit
    // in cache anyway and search the whole table.
    if (m_v4Start.size() < 4096)
        return;
    m_v4Buckets.assign(kV4Buckets + 1, 0);
    std::size_t range = 0;
    for (std::size_t bucket = 0; bucket <= kV4Buckets; ++bucket) {
        const std::uint64_t first = static_cast<std::uint64_t>(bucket) << 16;
        while (range < m_v4Start.size() && m_v4Start[range] < first)
            ++range;
        m_v4Buckets[bucket] = static_cast<std::uint32_t>(range);
    }
}

std::uint64_t ThreatIndex::lookup(const IpNumber& address) const noexcept
{
    if (address.isV4Mapped()) {
        const auto key = static_cast<std::uint32_t>(address.low);
        if (m_v4Buckets.empty()) {
            const auto found = std::upper_bound(m_v4Start.begin(), m_v4Start.end(), key);
            return m_v4Sets[static_cast<std::size_t>(found - m_v4Start.begin()) - 1];
        }
        // The last range starting at or before key: in key's /16, or the one before it (which
        // starts in an earlier /16 and runs into this one). m_v4Start[0] is 0, so there is one.
        const auto begin = m_v4Start.begin() + m_v4Buckets[key >> 16];
        const auto end = m_v4Start.begin() + m_v4Buckets[(key >> 16) + 1];
        const auto found = std::upper_bound(begin, end, key);
        return m_v4Sets[static_cast<std::size_t>(found - m_v4Start.begin()) - 1];
    }
    const auto found = std::upper_bound(m_v6Start.begin(), m_v6Start.end(), address);
    return m_v6Sets[static_cast<std::size_t>(found - m_v6Start.begin()) - 1];
}

std::uint64_t ThreatIndex::lookup(std::string_view address) const noexcept
{
    IpNumber number;
    return parseIpNumber(address, &number) ? lookup(number) : 0;
}

std::uint64_t lookupByScan(const std::vector<std::shared_ptr<const ThreatList>>& lists, const IpNumber& address)
{
    std::uint64_t set = 0;
    for (std::size_t i = 0; i < lists.size(); ++i)
        for (const IpRange& range : lists[i]->entries)
            if (!(address < range.first) && !(range.last < address)) {
                set |= 1ull << i;
                break;
            }
    return set;
}

const IpRange* narrowestEntry(const ThreatList& list, const IpNumber& address)
{
    const IpRange* best = nullptr;
    for (const IpRange& range : list.entries)
        if (!(address < range.first) && !(range.last < address) && (!best || span(range) < span(*best)))
            best = &range;
    return best;
}

std::string ThreatMatches::names(std::uint64_t set) const
{
    std::string out;
    if (!index)
        return out;
    for (std::size_t i = 0; set != 0 && i < index->lists().size(); ++i, set >>= 1)
        if (set & 1) {
            if (!out.empty())
                out += ';';
            out += index->lists()[i]->name;
        }
    return out;
}

ThreatMatches matchThreatLists(const TrafficTable& table, std::shared_ptr<const ThreatIndex> index,
                               const std::atomic<bool>* cancel)
{
    const auto started = std::chrono::steady_clock::now();
    ThreatMatches matches;
    const std::size_t rows = table.rowCount();
    matches.src.assign(rows, 0);
    matches.dst.assign(rows, 0);
    const StringPool& pool = *table.strings;
    std::vector<std::uint64_t> cache(pool.size(), 0);
    std::vector<std::uint8_t> looked(pool.size(), 0);
    const auto setOf = [&](std::uint32_t id) {
        if (!looked[id]) {
            looked[id] = 1;
            ++matches.distinctAddresses;
            cache[id] = id == StringPool::kMissing ? 0 : index->lookup(trim(pool.view(id), kWhitespace));
        }
        return cache[id];
    };
    const Column& src = table.column(Field::SrcIp);
    const Column& dst = table.column(Field::DstIp);
    const bool hasSrc = !src.released && src.text.size() == rows;
    const bool hasDst = !dst.released && dst.text.size() == rows;
    for (std::size_t row = 0; row < rows; ++row) {
        if ((row & 0xFFFF) == 0 && cancel && cancel->load(std::memory_order_relaxed))
            throw CancelledError();
        if (hasSrc)
            matches.src[row] = setOf(src.text[row]);
        if (hasDst)
            matches.dst[row] = setOf(dst.text[row]);
        matches.matchedRows += (matches.src[row] | matches.dst[row]) != 0;
    }
    matches.index = std::move(index);
    matches.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return matches;
}

std::string ThreatListCount::sentence() const
{
    const auto plural = [](std::size_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    return plural(suspiciousRows, "suspicious row", "suspicious rows") + " from "
        + plural(suspiciousSources, "source", "sources") + " on list '" + name + "' ("
        + plural(rows, "row", "rows") + " in all, " + plural(sources, "source", "sources") + ")";
}

ThreatFindings countThreatFindings(const TrafficTable& table, const ThreatMatches& matches, const Verdicts* verdicts)
{
    ThreatFindings findings;
    if (!matches.index)
        return findings;
    const std::size_t listCount = matches.index->lists().size();
    findings.lists.resize(listCount);
    for (std::size_t i = 0; i < listCount; ++i)
        findings.lists[i].name = matches.index->lists()[i]->name;
    const Column& src = table.column(Field::SrcIp);
    const bool hasSrc = !src.released && src.text.size() == matches.src.size();
    // Per source id: the lists it was already counted for (all rows, suspicious rows).
    std::vector<std::uint64_t> counted(hasSrc ? table.strings->size() : 0, 0);
    std::vector<std::uint64_t> countedSuspicious(counted.size(), 0);
    const bool hasVerdicts = verdicts && verdicts->suspicious.size() == matches.src.size();
    for (std::size_t row = 0; row < matches.src.size(); ++row) {
        const std::uint64_t set = matches.src[row] | matches.dst[row];
        if (set == 0)
            continue;
        const bool suspicious = hasVerdicts && verdicts->isSuspicious(row);
        ++findings.rows;
        findings.suspiciousRows += suspicious;
        const std::uint32_t source = hasSrc ? src.text[row] : 0;
        for (std::uint64_t bits = set; bits != 0; bits &= bits - 1) {
            const auto i = static_cast<std::size_t>(std::countr_zero(bits));
            const std::uint64_t bit = 1ull << i;
            ThreatListCount& count = findings.lists[i];
            ++count.rows;
            count.sourceRows += (matches.src[row] & bit) != 0;
            count.destinationRows += (matches.dst[row] & bit) != 0;
            if (hasSrc && !(counted[source] & bit)) {
                counted[source] |= bit;
                ++count.sources;
            }
            if (suspicious) {
                ++count.suspiciousRows;
                if (hasSrc && !(countedSuspicious[source] & bit)) {
                    countedSuspicious[source] |= bit;
                    ++count.suspiciousSources;
                }
            }
        }
    }
    return findings;
}

} // namespace webthreat

#include "core/triage/suppression.h"

#include "core/detect/threshold.h"
#include "core/util/errors.h"
#include "core/util/text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <unordered_map>

namespace webthreat {

namespace {

// A rule that cannot be read: what is wrong and where its bad part starts (0-based offset in the
// text parseRule was given).
struct RuleProblem {
    std::size_t offset = 0;
    std::string message;
};

char lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = lower(c);
    return out;
}

std::string uppered(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return out;
}

struct FieldName {
    std::string_view name;
    RuleField field;
};
constexpr std::array<FieldName, 8> kFieldNames{{
    {"src_ip", RuleField::SrcIp},
    {"dst_ip", RuleField::DstIp},
    {"dst_port", RuleField::DstPort},
    {"protocol", RuleField::Protocol},
    {"src_ip_country_code", RuleField::Country},
    {"country", RuleField::Country},
    {"rule_names", RuleField::RuleNames},
    {"pair", RuleField::Pair},
}};
constexpr std::string_view kKnownFields
    = "src_ip, dst_ip, dst_port, protocol, src_ip_country_code (or country), rule_names or pair";

// An address as 128 bits, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one compare serves both.
struct Address {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
};

std::optional<Address> parseAddress(std::string_view text)
{
    // inet_pton wants a terminated string; the longest IPv6 text (with an IPv4 tail) is 45 bytes.
    if (text.empty() || text.size() > 45)
        return std::nullopt;
    char buffer[64];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    Address address;
    std::uint8_t v4[4];
    if (inet_pton(AF_INET, buffer, v4) == 1) {
        address.v4 = true;
        address.bytes[10] = address.bytes[11] = 0xFF;
        std::memcpy(address.bytes.data() + 12, v4, 4);
        return address;
    }
    if (inet_pton(AF_INET6, buffer, address.bytes.data()) == 1)
        return address;
    return std::nullopt;
}

// A network: the address with the bits past prefix (in 128-bit terms) cleared.
struct Network {
    Address base;
    int prefix = 128; // of the 128 bits
};

Address masked(const Address& address, int prefix)
{
    Address out = address;
    for (int i = 0; i < 16; ++i) {
        const int keep = std::clamp(prefix - 8 * i, 0, 8);
        out.bytes[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(0xFF00u >> keep);
    }
    return out;
}

std::string addressText(const Address& address)
{
    char buffer[INET6_ADDRSTRLEN];
    if (address.v4)
        inet_ntop(AF_INET, address.bytes.data() + 12, buffer, sizeof buffer);
    else
        inet_ntop(AF_INET6, address.bytes.data(), buffer, sizeof buffer);
    return buffer;
}

// "10.0.0.0/8", "10.0.0.7", "2001:db8::/32". offset: where text starts, for the problem.
Network parseNetwork(std::string_view text, std::size_t offset, std::string* normalised)
{
    const std::string quoted = "'" + std::string(text) + "'";
    const std::size_t slash = text.find('/');
    const auto address = parseAddress(text.substr(0, slash));
    if (!address)
        throw RuleProblem{offset, quoted + " is not an address or CIDR: expected an IPv4 address (10.0.0.7), an IPv6 "
                                           "address (2001:db8::7) or either with a prefix length (10.0.0.0/8)"};
    const int bits = address->v4 ? 32 : 128;
    int prefix = bits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || prefix < 0
            || prefix > bits)
            throw RuleProblem{offset, quoted + " is not an address or CIDR: the prefix length must be 0-"
                                          + std::to_string(bits)};
    }
    Network network;
    network.prefix = prefix + (address->v4 ? 96 : 0);
    network.base = masked(*address, network.prefix);
    network.base.v4 = address->v4;
    if (normalised)
        *normalised = addressText(network.base) + (slash == std::string_view::npos ? "" : "/" + std::to_string(prefix));
    return network;
}

std::pair<int, int> parsePorts(std::string_view text, std::size_t offset)
{
    const auto port = [&](std::string_view digits) {
        int value = -1;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size())
            throw RuleProblem{offset, "'" + std::string(text) + "' is not a port: expected a port (123) or a range "
                                                                "(8000-8080)"};
        if (value < 0 || value > 65535)
            throw RuleProblem{offset, "'" + std::string(text) + "' is not a port: a port is 0-65535"};
        return value;
    };
    const std::size_t dash = text.find('-');
    const int low = port(trim(text.substr(0, dash)));
    const int high = dash == std::string_view::npos ? low : port(trim(text.substr(dash + 1)));
    if (high < low)
        throw RuleProblem{offset, "'" + std::string(text) + "' is not a port range: it ends before it starts"};
    return {low, high};
}

// The pair's two sides: "A -> B".
std::pair<std::string_view, std::string_view> pairSides(std::string_view value, std::size_t offset,
                                                        std::size_t* rightOffset)
{
    const std::size_t arrow = value.find("->");
    if (arrow == std::string_view::npos)
        throw RuleProblem{offset, "'" + std::string(value)
                                      + "' is not a pair: expected SOURCE -> DESTINATION (10.0.0.7 -> 10.0.0.5)"};
    const std::string_view left = trim(value.substr(0, arrow));
    std::string_view right = value.substr(arrow + 2);
    const std::size_t rightStart = right.find_first_not_of(kBlanks);
    right = trim(right);
    *rightOffset = offset + arrow + 2 + (rightStart == std::string_view::npos ? 0 : rightStart);
    if (left.empty() || right.empty())
        throw RuleProblem{left.empty() ? offset : *rightOffset,
                          "'" + std::string(value) + "' is not a pair: both sides need an address or CIDR"};
    return {left, right};
}

// The value as the rule keeps it, checked. offset: where value starts in the line.
std::string normaliseValue(RuleField field, std::string_view value, std::size_t offset)
{
    std::string normalised;
    switch (field) {
    case RuleField::SrcIp:
    case RuleField::DstIp:
        parseNetwork(value, offset, &normalised);
        return normalised;
    case RuleField::DstPort: {
        const auto [low, high] = parsePorts(value, offset);
        return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
    }
    case RuleField::Protocol:
    case RuleField::Country:
        if (value.find_first_of(kBlanks) != std::string_view::npos)
            throw RuleProblem{offset, "'" + std::string(value) + "' is not one " + std::string(ruleFieldName(field))
                                          + " value: it holds a blank"};
        return uppered(value);
    case RuleField::RuleNames:
        return std::string(value);
    case RuleField::Pair: {
        std::size_t rightOffset = 0;
        const auto [left, right] = pairSides(value, offset, &rightOffset);
        std::string source;
        std::string destination;
        parseNetwork(left, offset, &source);
        parseNetwork(right, rightOffset, &destination);
        return source + " -> " + destination;
    }
    }
    return normalised;
}

std::string valueHelp(RuleField field)
{
    switch (field) {
    case RuleField::SrcIp:
    case RuleField::DstIp:
        return "an address or CIDR (10.0.0.0/8)";
    case RuleField::DstPort:
        return "a port or a range (123, 8000-8080)";
    case RuleField::Protocol:
        return "a protocol (TCP)";
    case RuleField::Country:
        return "a country code (NL)";
    case RuleField::RuleNames:
        return "the rule_names cell";
    case RuleField::Pair:
        return "SOURCE -> DESTINATION";
    }
    return {};
}

// Where the reason starts: the first '#' at the line's start or after a blank (a '#' inside a
// value, as in a rule_names cell "rule#2", stays in the value).
std::size_t reasonStart(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t'))
            return i;
    }
    return std::string_view::npos;
}

SuppressionRule parseRuleAt(std::string_view text)
{
    SuppressionRule rule;
    const std::size_t hash = reasonStart(text);
    if (hash != std::string_view::npos)
        rule.reason = std::string(trim(text.substr(hash + 1), kWhitespace));
    const std::string_view condition = text.substr(0, hash);
    std::size_t at = condition.find_first_not_of(kBlanks);
    if (at == std::string_view::npos)
        throw RuleProblem{0, "the rule is empty: expected FIELD VALUE [# reason], FIELD one of " + std::string(kKnownFields)};
    std::size_t end = std::min(condition.find_first_of(kBlanks, at), condition.size());
    std::string name = lowered(condition.substr(at, end - at));
    if (name == "disabled") {
        rule.enabled = false;
        at = condition.find_first_not_of(kBlanks, end);
        if (at == std::string_view::npos)
            throw RuleProblem{end, "'disabled' needs a rule after it: disabled FIELD VALUE"};
        end = std::min(condition.find_first_of(kBlanks, at), condition.size());
        name = lowered(condition.substr(at, end - at));
    }
    const auto known = std::find_if(kFieldNames.begin(), kFieldNames.end(),
                                    [&](const FieldName& field) { return field.name == name; });
    if (known == kFieldNames.end())
        throw RuleProblem{at, "unknown field '" + std::string(condition.substr(at, end - at)) + "': expected "
                                  + std::string(kKnownFields)};
    rule.field = known->field;
    const std::size_t valueAt = condition.find_first_not_of(kBlanks, end);
    const std::string_view value
        = valueAt == std::string_view::npos ? std::string_view() : trim(condition.substr(valueAt), kWhitespace);
    if (value.empty())
        throw RuleProblem{end, "'" + std::string(known->name) + "' needs a value: " + valueHelp(rule.field)};
    rule.value = normaliseValue(rule.field, value, valueAt);
    return rule;
}

} // namespace

std::string_view ruleFieldName(RuleField field) noexcept
{
    switch (field) {
    case RuleField::SrcIp:
        return "src_ip";
    case RuleField::DstIp:
        return "dst_ip";
    case RuleField::DstPort:
        return "dst_port";
    case RuleField::Protocol:
        return "protocol";
    case RuleField::Country:
        return "src_ip_country_code";
    case RuleField::RuleNames:
        return "rule_names";
    case RuleField::Pair:
        return "pair";
    }
    return "";
}

std::string SuppressionRule::condition() const
{
    return std::string(ruleFieldName(field)) + " " + value;
}

std::string SuppressionRule::line() const
{
    std::string text = (enabled ? "" : "disabled ") + condition();
    if (!reason.empty()) {
        // A reason is one line: a line break in it (typed in a dock) would start another rule.
        std::string oneLine = reason;
        std::replace_if(oneLine.begin(), oneLine.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        text += " # " + oneLine;
    }
    return text;
}

SuppressionRule parseRule(std::string_view text)
{
    try {
        return parseRuleAt(text);
    } catch (const RuleProblem& problem) {
        throw ParameterError(problem.message);
    }
}

std::vector<SuppressionRule> parseRules(std::string_view text, const std::string& fileName)
{
    if (startsWithUtf16ByteOrderMark(text))
        throw InputError(fileName, 1, std::int64_t{0}, "the file is UTF-16; save the rules as UTF-8 or ASCII text");
    text.remove_prefix(utf8ByteOrderMarkLength(text));
    std::vector<SuppressionRule> rules;
    std::int64_t lineNumber = 0;
    while (!text.empty()) {
        ++lineNumber;
        const std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.size() > kMaxRuleLineBytes)
            throw InputError(fileName, lineNumber, std::int64_t{0},
                             "the line is " + std::to_string(line.size()) + " bytes long; a rule may be at most "
                                 + std::to_string(kMaxRuleLineBytes));
        if (line.find('\0') != std::string_view::npos)
            throw InputError(fileName, lineNumber, static_cast<std::int64_t>(line.find('\0') + 1),
                             "the line holds a NUL byte: this is not a text rules file");
        const std::string_view content = trim(line, kWhitespace);
        if (content.empty() || content.front() == '#')
            continue;
        if (rules.size() == kMaxRules)
            throw InputError(fileName, lineNumber, std::int64_t{0},
                             "more than " + std::to_string(kMaxRules) + " rules; split the allow-list or use CIDRs");
        try {
            rules.push_back(parseRuleAt(line));
        } catch (const RuleProblem& problem) {
            throw InputError(fileName, lineNumber, static_cast<std::int64_t>(problem.offset + 1), problem.message);
        }
    }
    return rules;
}

std::vector<SuppressionRule> readRulesFile(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw InputError(path, 0, "", std::string("cannot open the rules file: ") + std::strerror(errno));
    std::string text;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > kMaxRulesFileBytes)
            throw InputError(path, 0, "",
                             "the rules file is larger than " + std::to_string(kMaxRulesFileBytes >> 20)
                                 + " MB; a rules file holds at most " + std::to_string(kMaxRules) + " rules");
    }
    if (file.bad())
        throw InputError(path, 0, "", "reading the rules file failed");
    return parseRules(text, path);
}

std::string writeRules(const std::vector<SuppressionRule>& rules)
{
    std::string text = "# webthreat allow-list: one rule a line, FIELD VALUE [# reason]\n"
                       "# FIELD: src_ip, dst_ip (address or CIDR), dst_port (port or range), protocol,\n"
                       "# src_ip_country_code, rule_names, pair (SOURCE -> DESTINATION); 'disabled' before a rule keeps it\n"
                       "# without applying it.\n";
    for (const SuppressionRule& rule : rules)
        text += rule.line() + "\n";
    return text;
}

namespace {

constexpr std::uint32_t kNotTested = std::numeric_limits<std::uint32_t>::max();

// Per distinct cell (a pool id or a port): the rules it matches, found once.
// Its vectors are made on first use: a field no rule looks at costs nothing.
struct MatchCache {
    std::size_t keys = 0;
    std::vector<std::uint32_t> offset; // into found; kNotTested until tested
    std::vector<std::uint32_t> count;
    std::vector<std::uint32_t> found; // rule indices
};

struct RuleIndex {
    // Address rules by prefix length (of 128 bits) then by masked network: a distinct address is
    // masked once per prefix length in use, whatever the number of rules.
    struct Networks {
        std::vector<int> prefixes;
        std::unordered_map<std::string, std::vector<std::uint32_t>> byNetwork; // prefix byte + 16 bytes
        bool empty() const noexcept { return prefixes.empty(); }
    };
    Networks source, destination, pairSource, pairDestination;
    std::unordered_map<std::string, std::vector<std::uint32_t>> protocols, countries, ruleNames; // lowered
    std::vector<std::vector<std::uint32_t>> singlePorts = std::vector<std::vector<std::uint32_t>>(65536);
    std::vector<std::pair<std::pair<int, int>, std::uint32_t>> portRanges;
    bool anyPort = false;
};

std::string networkKey(const Address& address, int prefix)
{
    std::string key(17, '\0');
    key[0] = static_cast<char>(prefix);
    std::memcpy(key.data() + 1, address.bytes.data(), 16);
    return key;
}

void addNetwork(RuleIndex::Networks& networks, const Network& network, std::uint32_t rule)
{
    if (std::find(networks.prefixes.begin(), networks.prefixes.end(), network.prefix) == networks.prefixes.end())
        networks.prefixes.push_back(network.prefix);
    networks.byNetwork[networkKey(network.base, network.prefix)].push_back(rule);
}

RuleIndex indexRules(const std::vector<SuppressionRule>& rules)
{
    RuleIndex index;
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
        const SuppressionRule& rule = rules[i];
        if (!rule.enabled)
            continue;
        try {
            switch (rule.field) {
            case RuleField::SrcIp:
                addNetwork(index.source, parseNetwork(rule.value, 0, nullptr), i);
                break;
            case RuleField::DstIp:
                addNetwork(index.destination, parseNetwork(rule.value, 0, nullptr), i);
                break;
            case RuleField::DstPort: {
                const auto range = parsePorts(rule.value, 0);
                index.anyPort = true;
                if (range.first == range.second)
                    index.singlePorts[static_cast<std::size_t>(range.first)].push_back(i);
                else
                    index.portRanges.emplace_back(range, i);
                break;
            }
            case RuleField::Protocol:
                index.protocols[lowered(rule.value)].push_back(i);
                break;
            case RuleField::Country:
                index.countries[lowered(rule.value)].push_back(i);
                break;
            case RuleField::RuleNames:
                index.ruleNames[lowered(rule.value)].push_back(i);
                break;
            case RuleField::Pair: {
                std::size_t rightOffset = 0;
                const auto [left, right] = pairSides(rule.value, 0, &rightOffset);
                addNetwork(index.pairSource, parseNetwork(left, 0, nullptr), i);
                addNetwork(index.pairDestination, parseNetwork(right, 0, nullptr), i);
                break;
            }
            }
        } catch (const RuleProblem& problem) {
            // Rules are made by parseRule; one built by hand with a bad value is a caller's error.
            throw ParameterError("rule " + std::to_string(i + 1) + " (" + rule.condition() + "): " + problem.message);
        }
    }
    return index;
}

// Addresses parsed once per pool id, whichever rules look at them.
class AddressCache {
public:
    explicit AddressCache(const StringPool& pool)
        : m_pool(pool)
        , m_state(pool.size(), 0)
        , m_addresses(pool.size())
    {
    }
    const Address* get(std::uint32_t id)
    {
        if (m_state[id] == 0) {
            const auto parsed = parseAddress(trim(m_pool.view(id)));
            m_state[id] = parsed ? 1 : 2;
            if (parsed)
                m_addresses[id] = *parsed;
        }
        return m_state[id] == 1 ? &m_addresses[id] : nullptr;
    }

private:
    const StringPool& m_pool;
    std::vector<std::uint8_t> m_state; // 0 not parsed, 1 an address, 2 not one
    std::vector<Address> m_addresses;
};

struct Span {
    const std::uint32_t* begin = nullptr;
    std::uint32_t size = 0;
};

// The cached matches of key, computing them with find(found) the first time.
template <typename Find>
Span cachedMatches(MatchCache& cache, std::size_t key, Find find)
{
    if (cache.offset.empty()) {
        cache.offset.assign(cache.keys, kNotTested);
        cache.count.assign(cache.keys, 0);
    }
    if (cache.offset[key] == kNotTested) {
        const std::size_t before = cache.found.size();
        find(cache.found);
        cache.offset[key] = static_cast<std::uint32_t>(before);
        cache.count[key] = static_cast<std::uint32_t>(cache.found.size() - before);
    }
    return {cache.found.data() + cache.offset[key], cache.count[key]};
}

void networkMatches(const RuleIndex::Networks& networks, const Address& address, std::vector<std::uint32_t>& out)
{
    for (const int prefix : networks.prefixes) {
        const auto found = networks.byNetwork.find(networkKey(masked(address, prefix), prefix));
        if (found != networks.byNetwork.end())
            out.insert(out.end(), found->second.begin(), found->second.end());
    }
}

MatchCache makeCache(std::size_t keys)
{
    MatchCache cache;
    cache.keys = keys;
    return cache;
}

// The column a rule looks at (a pair looks at src_ip and dst_ip).
Field ruleColumn(RuleField field) noexcept
{
    switch (field) {
    case RuleField::SrcIp:
    case RuleField::Pair:
        return Field::SrcIp;
    case RuleField::DstIp:
        return Field::DstIp;
    case RuleField::DstPort:
        return Field::DstPort;
    case RuleField::Protocol:
        return Field::Protocol;
    case RuleField::Country:
        return Field::SrcIpCountryCode;
    case RuleField::RuleNames:
        return Field::RuleNames;
    }
    return Field::SrcIp;
}

void pollCancel(const std::atomic<bool>* cancel)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        throw CancelledError();
}

} // namespace

Suppression matchRules(const TrafficTable& table, const std::vector<SuppressionRule>& rules,
                       const std::atomic<bool>* cancel)
{
    Suppression result;
    result.rules = rules;
    result.rowsPerRule.assign(rules.size(), 0);
    result.rows.assign(table.rowCount(), 0);
    result.activeRules = static_cast<std::size_t>(
        std::count_if(rules.begin(), rules.end(), [](const SuppressionRule& rule) { return rule.enabled; }));
    if (result.activeRules == 0 || table.rowCount() == 0)
        return result;
    for (const SuppressionRule& rule : rules) {
        if (!rule.enabled)
            continue;
        const bool pair = rule.field == RuleField::Pair;
        const Field fields[2] = {pair ? Field::SrcIp : ruleColumn(rule.field), pair ? Field::DstIp : ruleColumn(rule.field)};
        for (const Field field : fields)
            if (table.column(field).released)
                throw ParameterError("the rule '" + rule.condition() + "' needs the column "
                                     + std::string(fieldInfo(field).name) + ", which this run let go (keepOnly)");
    }
    const RuleIndex index = indexRules(rules);
    const StringPool& pool = *table.strings;
    AddressCache addresses(pool);
    const auto& sources = table.column(Field::SrcIp).text;
    const auto& destinations = table.column(Field::DstIp).text;
    const auto& protocols = table.column(Field::Protocol).text;
    const auto& countries = table.column(Field::SrcIpCountryCode).text;
    const auto& ruleNames = table.column(Field::RuleNames).text;
    const auto& ports = table.column(Field::DstPort).integers;

    MatchCache sourceCache = makeCache(pool.size()), destinationCache = makeCache(pool.size());
    MatchCache pairSourceCache = makeCache(pool.size()), pairDestinationCache = makeCache(pool.size());
    MatchCache protocolCache = makeCache(pool.size()), countryCache = makeCache(pool.size());
    MatchCache ruleNamesCache = makeCache(pool.size()), portCache = makeCache(65536);

    const auto networkSpan = [&](MatchCache& cache, const RuleIndex::Networks& networks, std::uint32_t id) -> Span {
        if (networks.empty() || id == StringPool::kMissing)
            return {};
        return cachedMatches(cache, id, [&](std::vector<std::uint32_t>& out) {
            if (const Address* address = addresses.get(id))
                networkMatches(networks, *address, out);
        });
    };
    const auto textSpan = [&](MatchCache& cache, const auto& byText, std::uint32_t id) -> Span {
        if (byText.empty() || id == StringPool::kMissing)
            return {};
        return cachedMatches(cache, id, [&](std::vector<std::uint32_t>& out) {
            const auto found = byText.find(lowered(pool.view(id)));
            if (found != byText.end())
                out.insert(out.end(), found->second.begin(), found->second.end());
        });
    };
    const auto portSpan = [&](std::int64_t port) -> Span {
        if (!index.anyPort || port < 0 || port > 65535)
            return {};
        return cachedMatches(portCache, static_cast<std::size_t>(port), [&](std::vector<std::uint32_t>& out) {
            const auto& single = index.singlePorts[static_cast<std::size_t>(port)];
            out.insert(out.end(), single.begin(), single.end());
            for (const auto& [range, rule] : index.portRanges)
                if (port >= range.first && port <= range.second)
                    out.push_back(rule);
        });
    };

    // A column let go to save memory (Column::released) has no cells: its rules match nothing.
    const auto cell = [](const Cells<std::uint32_t>& ids, std::size_t row) {
        return row < ids.size() ? ids[row] : StringPool::kMissing;
    };
    constexpr std::size_t kCancelEvery = 1 << 16;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        if (row % kCancelEvery == 0)
            pollCancel(cancel);
        bool matched = false;
        const auto count = [&](Span span) {
            for (std::uint32_t i = 0; i < span.size; ++i)
                ++result.rowsPerRule[span.begin[i]];
            matched = matched || span.size > 0;
        };
        count(networkSpan(sourceCache, index.source, cell(sources, row)));
        count(networkSpan(destinationCache, index.destination, cell(destinations, row)));
        count(textSpan(protocolCache, index.protocols, cell(protocols, row)));
        count(textSpan(countryCache, index.countries, cell(countries, row)));
        count(textSpan(ruleNamesCache, index.ruleNames, cell(ruleNames, row)));
        if (index.anyPort && row < ports.size())
            count(portSpan(ports[row]));
        // A pair rule needs both sides: the rules its source matches that its destination matches too.
        const Span pairSources = networkSpan(pairSourceCache, index.pairSource, cell(sources, row));
        if (pairSources.size > 0) {
            const Span pairDestinations
                = networkSpan(pairDestinationCache, index.pairDestination, cell(destinations, row));
            for (std::uint32_t i = 0; i < pairSources.size; ++i) {
                const std::uint32_t rule = pairSources.begin[i];
                if (std::find(pairDestinations.begin, pairDestinations.begin + pairDestinations.size, rule)
                    != pairDestinations.begin + pairDestinations.size) {
                    ++result.rowsPerRule[rule];
                    matched = true;
                }
            }
        }
        if (matched) {
            result.rows[row] = 1;
            ++result.matchedRows;
        }
    }
    pollCancel(cancel);
    return result;
}

void applySuppression(Verdicts& verdicts, const Suppression& suppression)
{
    if (suppression.rows.size() != verdicts.suspicious.size())
        throw ParameterError("the allow-list was matched on " + std::to_string(suppression.rows.size())
                             + " rows but the verdicts have " + std::to_string(verdicts.suspicious.size()));
    for (std::size_t row = 0; row < verdicts.suspicious.size(); ++row) {
        if (suppression.rows[row] && verdicts.suspicious[row]) {
            verdicts.suspicious[row] = 0;
            --verdicts.suspiciousCount;
            ++verdicts.suppressedCount;
        }
    }
}

} // namespace webthreat

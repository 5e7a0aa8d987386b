#include "generator/generator.h"

#include "core/util/errors.h"
#include "core/util/random.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <queue>
#include <string_view>
#include <vector>

namespace webthreat {

namespace {

// ---------------------------------------------------------------------------------------------
// Randomness. The same seed must give the same file with any compiler and standard library, and
// std:: distributions are implementation-defined, so the generator and the distributions are our
// own. Every discrete choice (which row is an anomaly, which category, which source) is made with
// integer arithmetic on the raw 64-bit output. Floating point only shapes continuous magnitudes
// (bytes, durations) before they are rounded to integers; a last-bit difference between maths
// libraries, or a fused multiply-add, moves such a value by about 1e-16 of itself and changes
// the rounded integer with odds of about 1e-12, so output stays byte-identical in practice.

// xoshiro256** seeded through splitmix64 (core/util/random.h), with the distributions the
// generator draws from. Its indices use the multiply-shift (one number, no division).
class Random : public Xoshiro256 {
public:
    using Xoshiro256::Xoshiro256;

    // Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; its bias is below 2^-30 here).
    std::uint64_t below(std::uint64_t bound) noexcept { return belowFast(bound); }
    bool chance(std::uint64_t numerator, std::uint64_t denominator) noexcept { return below(denominator) < numerator; }

    // Standard normal by Marsaglia's polar method, which needs no sine or cosine.
    double normal() noexcept
    {
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        double u = 0;
        double v = 0;
        double s = 0;
        do {
            u = 2.0 * open01() - 1.0;
            v = 2.0 * open01() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double scale = std::sqrt(-2.0 * std::log(s) / s);
        m_spare = v * scale;
        m_hasSpare = true;
        return u * scale;
    }
    double logNormal(double median, double sigma) noexcept { return median * std::exp(sigma * normal()); }
    double logUniform(double low, double high) noexcept { return low * std::exp(open01() * std::log(high / low)); }

private:
    double m_spare = 0;
    bool m_hasSpare = false;
};

// A categorical distribution with integer weights.
class Choice {
public:
    void add(std::uint32_t weight)
    {
        m_total += weight;
        m_cumulative.push_back(m_total);
    }
    template <typename Table>
    static Choice of(const Table& table)
    {
        Choice choice;
        for (const auto& entry : table)
            choice.add(entry.weight);
        return choice;
    }

    std::size_t pick(Random& random) const { return indexOf(random.below(m_total)); }
    // Maps a uniform 64-bit hash to an index, for attributes fixed per source rather than per row.
    std::size_t pickByHash(std::uint64_t hash) const { return indexOf(mulHigh(hash, m_total)); }

private:
    std::size_t indexOf(std::uint64_t ticket) const
    {
        const auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), ticket);
        return static_cast<std::size_t>(it - m_cumulative.begin());
    }

    std::vector<std::uint64_t> m_cumulative;
    std::uint64_t m_total = 0;
};

// ---------------------------------------------------------------------------------------------
// What the traffic looks like. Values that need CSV quoting are stored already quoted, so
// writing a row is only copying.

struct Country {
    std::string_view upper;
    std::string_view lower;
    std::uint32_t weight;
};
constexpr std::array<Country, 28> countries{{
    {"US", "us", 220}, {"DE", "de", 90}, {"GB", "gb", 70}, {"CN", "cn", 70}, {"NL", "nl", 60}, {"FR", "fr", 50},
    {"IN", "in", 50},  {"BR", "br", 40}, {"RU", "ru", 40}, {"CA", "ca", 40}, {"AE", "ae", 30}, {"JP", "jp", 30},
    {"SG", "sg", 30},  {"AT", "at", 20}, {"IL", "il", 20}, {"KR", "kr", 20}, {"AU", "au", 20}, {"IE", "ie", 20},
    {"SE", "se", 15},  {"PL", "pl", 15}, {"UA", "ua", 15}, {"IT", "it", 15}, {"ES", "es", 15}, {"TR", "tr", 10},
    {"VN", "vn", 10},  {"HK", "hk", 10}, {"ZA", "za", 10}, {"MX", "mx", 10},
}};

enum class ServiceGroup { Web, Ssh, Dns, Rdp, Mail, Time, Vpn };

struct Destination {
    std::string_view ip;
    std::string_view sourceName;
    ServiceGroup group;
    std::uint32_t weight; // within its group
};
// 10.138.69.97 is the web server of the reference data.
constexpr std::array<Destination, 11> destinations{{
    {"10.138.69.97", "prod_webserver", ServiceGroup::Web, 45},
    {"10.138.69.98", "prod_webserver", ServiceGroup::Web, 25},
    {"10.138.69.99", "prod_webserver", ServiceGroup::Web, 10},
    {"10.138.70.12", "api_gateway", ServiceGroup::Web, 12},
    {"10.138.70.13", "api_gateway", ServiceGroup::Web, 8},
    {"10.138.80.10", "bastion_host", ServiceGroup::Ssh, 1},
    {"10.138.0.2", "vpc_resolver", ServiceGroup::Dns, 1},
    {"10.138.90.21", "windows_jumpbox", ServiceGroup::Rdp, 1},
    {"10.138.60.7", "mail_relay", ServiceGroup::Mail, 1},
    {"10.138.0.3", "time_server", ServiceGroup::Time, 1},
    {"10.138.0.4", "vpn_gateway", ServiceGroup::Vpn, 1},
}};

struct Service {
    std::string_view protocol;
    std::string_view port;
    std::uint32_t weight;
    double bytesInMedian; // a DNS query is not the size of a page
    ServiceGroup group;
};
constexpr std::array<Service, 10> services{{
    {"HTTPS", "443", 680, 8000, ServiceGroup::Web},
    {"HTTPS", "8443", 20, 6000, ServiceGroup::Web},
    {"HTTP", "80", 120, 5000, ServiceGroup::Web},
    {"HTTP", "8080", 40, 5000, ServiceGroup::Web},
    {"SSH", "22", 40, 4000, ServiceGroup::Ssh},
    {"DNS", "53", 35, 300, ServiceGroup::Dns},
    {"TCP", "3389", 20, 40000, ServiceGroup::Rdp},
    {"SMTP", "25", 15, 20000, ServiceGroup::Mail},
    {"UDP", "123", 15, 200, ServiceGroup::Time},
    {"UDP", "500", 15, 3000, ServiceGroup::Vpn},
}};
constexpr std::size_t httpsService = 0;
constexpr std::size_t httpService = 2;
constexpr std::size_t dnsService = 5;

struct RarePort {
    std::string_view protocol;
    std::string_view port;
    std::uint32_t weight;
};
// Backdoor, botnet and scanner favourites that a web tier never legitimately serves.
constexpr std::array<RarePort, 12> rarePorts{{
    {"TCP", "4444", 20},
    {"IRC", "6667", 15},
    {"UDP", "31337", 12},
    {"TCP", "1337", 10},
    {"TCP", "5555", 8},
    {"TCP", "12345", 8},
    {"TELNET", "2323", 8},
    {"TELNET", "23", 8},
    {"TCP", "9001", 6},
    {"UDP", "6881", 6},
    {"SMB", "445", 8},
    {"TCP", "65535", 4},
}};

struct Text {
    std::string_view value;
    std::uint32_t weight;
};
constexpr std::array<Text, 8> responseCodes{{
    {"200", 800},
    {"304", 50},
    {"404", 50},
    {"301", 30},
    {"403", 30},
    {"302", 15},
    {"500", 15},
    {"502", 10},
}};
constexpr std::array<Text, 6> oddResponseCodes{{
    {"400", 1},
    {"401", 1},
    {"418", 1},
    {"444", 1},
    {"499", 1},
    {"520", 1},
}};
constexpr std::array<Text, 7> ruleNames{{
    {"Suspicious Web Traffic", 700},
    {"Unusual Traffic Volume", 80},
    {"Port Scan Activity", 50},
    {"Geo-Anomaly", 50},
    {"\"Known Bad Actor, Threat Intel Match\"", 40}, // a comma, so readers must honour quotes
    {"Brute Force Attempt", 40},
    {"SQL Injection Pattern", 40},
}};
constexpr std::array<Text, 6> observationNames{{
    {"Adversary Infrastructure Interaction", 700},
    {"Suspicious Network Activity", 100},
    {"Reconnaissance Activity", 60},
    {"Anomalous Data Transfer", 50},
    {"Credential Access Attempt", 50},
    {"\"Scripted Client (\"\"curl\"\" User-Agent)\"", 20}, // an escaped quote, for the same reason
}};
constexpr std::array<Text, 4> detectionTypes{{
    {"waf_rule", 800},
    {"guardduty_finding", 80},
    {"ids_signature", 70},
    {"vpc_flow_anomaly", 50},
}};

constexpr std::string_view sourceMeta = "AWS_VPC_Flow";
constexpr std::string_view csvHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
      "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types";
constexpr std::string_view labelHeader = ",is_attack,attack_kind";

// Public first octets only: no 10/8, loopback, CGNAT, link-local, private or documentation blocks
// (whole /8s are skipped for simplicity), nothing at or above 224.
constexpr auto publicFirstOctets = [] {
    std::array<std::uint8_t, 216> octets{};
    std::size_t used = 0;
    for (int octet = 1; octet <= 223; ++octet) {
        if (octet == 10 || octet == 100 || octet == 127 || octet == 169 || octet == 172 || octet == 192 || octet == 198)
            continue;
        octets[used++] = static_cast<std::uint8_t>(octet);
    }
    return octets;
}();

enum Kind : int {
    Normal = -1,
    Exfiltration = 0,
    Flood = 1,
    LongSession = 2,
    ZeroLength = 3,
    RarePortKind = 4,
    OddCode = 5,
    Beacon = 6, // behaviourKinds from here
    Scan = 7,
    BurstKind = 8,
};
constexpr std::string_view kindName(int kind) noexcept
{
    const auto index = static_cast<std::size_t>(kind);
    return index < anomalyKinds.size() ? anomalyKinds[index].name : behaviourKinds[index - anomalyKinds.size()].name;
}
static_assert(kindName(Beacon) == "beacon" && kindName(Scan) == "scan" && kindName(BurstKind) == "burst");
constexpr std::array<std::uint32_t, behaviourKinds.size()> behaviourSharePercent{50, 30, 20};
constexpr std::array<std::uint32_t, anomalyKinds.size()> kindSharePercent{25, 25, 15, 15, 10, 10};
static_assert(anomalyKinds[Exfiltration].name == "exfiltration" && anomalyKinds[Flood].name == "flood"
              && anomalyKinds[LongSession].name == "long_session" && anomalyKinds[ZeroLength].name == "zero_length"
              && anomalyKinds[RarePortKind].name == "rare_port" && anomalyKinds[OddCode].name == "odd_code");

constexpr std::int64_t secondsPerDay = 86400;
constexpr int spanDays = 7;
// 2024-04-25T00:00:00Z, a Thursday.
constexpr std::int64_t startSeconds = 19838 * secondsPerDay;
constexpr int startWeekday = 3; // Monday = 0
constexpr std::size_t maxRows = 1'000'000'000;
constexpr std::size_t floodBurstMean = 80;
constexpr std::size_t attackerCount = 64;

// Requests per hour of day (UTC): quiet at night, busiest in the European afternoon and US morning.
constexpr std::array<std::uint32_t, 24> hourlyIntensity{6,  5,  4,  4,  4,  5,  7,  9,  12, 14, 15, 16,
                                                        17, 18, 19, 19, 18, 17, 15, 13, 11, 10, 8,  7};

// Spreads events over the span following the diurnal intensity, so that event i of n falls where
// the cumulative intensity reaches (i + 1/2) / n. Integer arithmetic throughout, so it is exact.
class Timeline {
public:
    explicit Timeline(std::uint64_t events)
        : m_events(std::max<std::uint64_t>(events, 1))
    {
        constexpr int minutes = spanDays * 24 * 60;
        m_cumulative.reserve(minutes + 1);
        m_cumulative.push_back(0);
        for (int minute = 0; minute < minutes; ++minute) {
            const int day = minute / (24 * 60);
            const bool weekend = (startWeekday + day) % 7 >= 5;
            const std::uint64_t hourly = hourlyIntensity[static_cast<std::size_t>(minute / 60 % 24)];
            const std::uint64_t weight = hourly * (weekend ? 7u : 10u);
            m_cumulative.push_back(m_cumulative.back() + weight);
        }
    }

    // Seconds after the start for event `index`; indexes must not decrease from call to call.
    std::int64_t at(std::uint64_t index)
    {
        const std::uint64_t target = ((2 * index + 1) * m_cumulative.back()) / (2 * m_events);
        while (m_minute + 2 < m_cumulative.size() && m_cumulative[m_minute + 1] <= target)
            ++m_minute;
        const std::uint64_t weight = m_cumulative[m_minute + 1] - m_cumulative[m_minute];
        const std::uint64_t second = std::min<std::uint64_t>((target - m_cumulative[m_minute]) * 60 / weight, 59);
        return static_cast<std::int64_t>(m_minute * 60 + second);
    }

private:
    std::vector<std::uint64_t> m_cumulative; // per minute of the span
    std::uint64_t m_events;
    std::size_t m_minute = 0;
};

// ---------------------------------------------------------------------------------------------
// Output.

constexpr std::size_t blockSize = 1 << 20;
constexpr std::size_t rowCapacity = 1024; // longest possible row is about 330 characters

class BlockWriter {
public:
    explicit BlockWriter(std::ostream& out)
        : m_out(out)
        , m_buffer(blockSize + rowCapacity)
    {
    }

    char* cursor() noexcept { return m_buffer.data() + m_used; }
    void commit(const char* end)
    {
        m_used = static_cast<std::size_t>(end - m_buffer.data());
        if (m_used >= blockSize)
            flush();
    }
    void flush()
    {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_used));
        if (!m_out)
            throw OutputError("could not write the generated traffic: the output stream failed");
        m_used = 0;
    }

private:
    std::ostream& m_out;
    std::vector<char> m_buffer;
    std::size_t m_used = 0;
};

char* put(char* out, std::string_view text) noexcept
{
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

char* putNumber(char* out, std::uint64_t value) noexcept
{
    return std::to_chars(out, out + 20, value).ptr;
}

char* putOctet(char* out, unsigned value) noexcept
{
    if (value >= 100)
        *out++ = static_cast<char>('0' + value / 100);
    if (value >= 10)
        *out++ = static_cast<char>('0' + value / 10 % 10);
    *out++ = static_cast<char>('0' + value % 10);
    return out;
}

char* putIp(char* out, std::uint32_t ip) noexcept
{
    out = putOctet(out, ip >> 24);
    *out++ = '.';
    out = putOctet(out, (ip >> 16) & 0xFF);
    *out++ = '.';
    out = putOctet(out, (ip >> 8) & 0xFF);
    *out++ = '.';
    return putOctet(out, ip & 0xFF);
}

char* putTwoDigits(char* out, unsigned value) noexcept
{
    out[0] = static_cast<char>('0' + value / 10);
    out[1] = static_cast<char>('0' + value % 10);
    return out + 2;
}

// Formats 2024-04-25T23:00:00Z. Consecutive rows share the day, and the date is the slow part,
// so the last one is kept.
class TimestampWriter {
public:
    char* write(char* out, std::int64_t seconds) noexcept
    {
        const std::int64_t day = seconds / secondsPerDay; // seconds are never negative here
        if (day != m_day)
            formatDate(day);
        out = put(out, std::string_view(m_date.data(), m_date.size()));
        const auto secondOfDay = static_cast<unsigned>(seconds - day * secondsPerDay);
        out = putTwoDigits(out, secondOfDay / 3600);
        *out++ = ':';
        out = putTwoDigits(out, secondOfDay / 60 % 60);
        *out++ = ':';
        out = putTwoDigits(out, secondOfDay % 60);
        *out++ = 'Z';
        return out;
    }

private:
    void formatDate(std::int64_t day) noexcept
    {
        // Howard Hinnant's civil_from_days.
        const std::int64_t shifted = day + 719468;
        const std::int64_t era = shifted / 146097;
        const auto dayOfEra = static_cast<unsigned>(shifted - era * 146097);
        const unsigned yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        const unsigned dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        const unsigned monthIndex = (5 * dayOfYear + 2) / 153;
        const unsigned dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        const unsigned month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        const auto year = static_cast<unsigned>(static_cast<std::int64_t>(yearOfEra) + era * 400 + (month <= 2));
        char* out = m_date.data();
        out = putTwoDigits(out, year / 100 % 100);
        out = putTwoDigits(out, year % 100);
        *out++ = '-';
        out = putTwoDigits(out, month);
        *out++ = '-';
        out = putTwoDigits(out, dayOfMonth);
        *out = 'T';
        m_day = day;
    }

    std::array<char, 11> m_date{}; // "YYYY-MM-DDT"
    std::int64_t m_day = -1;
};

// ---------------------------------------------------------------------------------------------
// Rows.

struct Row {
    std::uint64_t bytesIn = 0;
    std::uint64_t bytesOut = 0;
    std::int64_t creation = 0; // seconds since the epoch
    std::int64_t end = 0;
    std::uint32_t srcIp = 0;
    std::size_t country = 0;
    bool lowerCaseCountry = false;
    std::size_t service = 0; // index into services; protocol and port may still be overridden
    std::string_view protocol;
    std::string_view port;
    std::string_view responseCode;
    std::size_t destination = 0;
    std::size_t rule = 0;
    std::size_t observation = 0;
    std::size_t detection = 0;
    int kind = Normal;
    std::uint32_t dstIpOverride = 0; // when not 0, the destination address instead of destination's
    std::uint32_t portOverride = 0; // when not 0, the destination port instead of port
};

// One behavioural attacker (behaviourKinds): what stays fixed over its rows, and where it is.
struct Actor {
    int kind = Beacon;
    std::int64_t next = 0; // seconds since the epoch of its next row
    std::size_t left = 0; // rows still to write
    std::size_t written = 0;
    std::uint64_t source = 0; // index of its source address (its kind's salt; burst: the ordinary pool)
    std::size_t service = 0;
    std::size_t destination = 0;
    double period = 0; // beacon: seconds between beats, and the jitter as a share of it
    double jitter = 0;
    double bytesIn = 0; // beacon: the sizes its sessions vary around
    double bytesOut = 0;
    bool hostSweep = false; // scan: one port of many hosts, or many ports of one host
    std::uint32_t firstPort = 0;
    std::string_view sweepPort;
};

std::uint64_t toBytes(double value) noexcept
{
    // Caps a value no real session reaches, and keeps the conversion defined.
    constexpr double cap = 1e13;
    return static_cast<std::uint64_t>(std::min(value, cap) + 0.5);
}

class TrafficModel {
public:
    // stream 0 is the file's main stream; the behavioural kinds draw from stream 1, so that adding
    // them leaves every other row as it was.
    explicit TrafficModel(const GeneratorParams& params, std::uint64_t stream = 0)
        : m_random(stream == 0 ? params.seed : mix64(params.seed ^ (0xBEAC0Full * stream)))
        , m_ipSalt(mix64(params.seed ^ 0x5EED1Full))
        , m_attackerSalt(mix64(params.seed ^ 0xBADC0DEull))
        , m_beaconSalt(mix64(params.seed ^ 0xBEAC0Bull))
        , m_scannerSalt(mix64(params.seed ^ 0x5CA77ull))
        // Distinct sources grow like the square root of the traffic: thousands for a day's sample,
        // about 160 000 for ten million rows.
        , m_poolSize(std::max<std::uint64_t>(
              256, static_cast<std::uint64_t>(50.0 * std::sqrt(static_cast<double>(params.rows)))))
        , m_logPoolSize(std::log(static_cast<double>(m_poolSize) + 1.0))
        , m_countries(Choice::of(countries))
        , m_services(Choice::of(services))
        , m_rarePorts(Choice::of(rarePorts))
        , m_codes(Choice::of(responseCodes))
        , m_oddCodes(Choice::of(oddResponseCodes))
        , m_rules(Choice::of(ruleNames))
        , m_observations(Choice::of(observationNames))
        , m_detections(Choice::of(detectionTypes))
    {
        for (std::size_t i = 0; i < destinations.size(); ++i) {
            auto& group = m_destinationsByGroup[static_cast<std::size_t>(destinations[i].group)];
            group.indexes.push_back(i);
            group.choice.add(destinations[i].weight);
        }
    }

    Random& random() noexcept { return m_random; }

    // An ordinary session starting around `nominal`, in seconds after the start of the span.
    void normal(Row& row, std::int64_t nominal)
    {
        // Half the rows come from a Zipf-distributed head of heavy hitters, half from the whole pool.
        const std::uint64_t source = m_random.chance(1, 2) ? zipfRank() : m_random.below(m_poolSize);
        setSource(row, m_ipSalt, source);
        const std::size_t service = m_services.pick(m_random);
        setService(row, service);
        row.responseCode = responseCodes[m_codes.pick(m_random)].value;
        row.rule = m_rules.pick(m_random);
        row.observation = m_observations.pick(m_random);
        row.detection = m_detections.pick(m_random);
        row.bytesIn = std::max<std::uint64_t>(40, toBytes(m_random.logNormal(services[service].bytesInMedian, 1.7)));
        row.bytesOut = responseBytes(row.bytesIn);
        setTiming(row, nominal);
        row.kind = Normal;
        row.dstIpOverride = 0;
        row.portOverride = 0;
    }

    // ---- The behavioural kinds, drawn from their own stream (TrafficModel(params, 1)).

    // The actors for `rows` behaviour rows, split 50/30/20 between beacon, scan and burst.
    std::vector<Actor> planActors(std::size_t rows)
    {
        std::vector<Actor> actors;
        std::size_t given = 0;
        for (std::size_t k = 0; k < behaviourKinds.size(); ++k) {
            const std::size_t budget = k + 1 == behaviourKinds.size() ? rows - given : rows * behaviourSharePercent[k] / 100;
            given += budget;
            const int kind = Beacon + static_cast<int>(k);
            const double low = kind == Beacon ? 30 : kind == Scan ? 150 : 60;
            const double high = kind == Beacon ? 400 : kind == Scan ? 1200 : 400;
            std::size_t left = budget;
            while (left >= static_cast<std::size_t>(low)) {
                auto count = std::min(left, static_cast<std::size_t>(m_random.logUniform(low, high)));
                if (left - count < static_cast<std::size_t>(low))
                    count = left;
                Actor actor = kind == Beacon ? planBeacon(count) : kind == Scan ? planScan(count) : planBurst(count);
                actor.source = kind == BurstKind ? 20 + m_random.below(381) : actors.size();
                left -= actor.left;
                actors.push_back(actor);
            }
        }
        return actors;
    }

    // The next row of an actor, which then moves on.
    void act(Row& row, Actor& actor)
    {
        normal(row, actor.next - startSeconds); // the categorical columns, as any row's
        const std::int64_t duration = row.end - row.creation;
        row.creation = actor.next;
        row.kind = actor.kind;
        if (actor.kind == Beacon)
            beaconRow(row, actor, duration);
        else if (actor.kind == Scan)
            scanRow(row, actor);
        else {
            setSource(row, m_ipSalt, actor.source); // an ordinary source of the pool, with its baseline
            row.end = row.creation + duration;
            actor.next += static_cast<std::int64_t>(m_random.below(2));
        }
        --actor.left;
        ++actor.written;
    }

private:
    // The span an actor may use: it ends half a day early, so that every actor's rows are written
    // before the ordinary rows they replace run out.
    static constexpr std::int64_t actorSpan = spanDays * secondsPerDay - secondsPerDay / 2;

    Actor planBeacon(std::size_t count)
    {
        static constexpr std::array<std::int64_t, 7> periods{60, 120, 300, 600, 900, 1800, 3600};
        static constexpr std::array<double, 5> jitters{0.01, 0.02, 0.05, 0.1, 0.2};
        Actor actor;
        actor.kind = Beacon;
        actor.period = static_cast<double>(periods[m_random.below(periods.size())]);
        actor.jitter = jitters[m_random.below(jitters.size())];
        // With missed beats and jitter a beat averages at most 1.25 periods.
        const auto fits = static_cast<std::size_t>(static_cast<double>(actorSpan) / (actor.period * 1.25));
        actor.left = std::min(count, fits);
        const auto used = static_cast<std::int64_t>(static_cast<double>(actor.left) * actor.period * 1.25);
        actor.next = startSeconds + static_cast<std::int64_t>(m_random.below(static_cast<std::uint64_t>(actorSpan - used) + 1));
        const std::uint64_t pick = m_random.below(20);
        actor.service = pick < 14 ? httpsService : pick < 17 ? httpService : dnsService;
        actor.destination = pickDestination(services[actor.service].group);
        actor.bytesIn = m_random.logUniform(150, 3000);
        actor.bytesOut = m_random.logUniform(200, 5000);
        return actor;
    }

    Actor planScan(std::size_t count)
    {
        static constexpr std::array<std::string_view, 6> sweptPorts{"22", "23", "445", "3389", "5900", "6379"};
        Actor actor;
        actor.kind = Scan;
        actor.left = count;
        actor.next = startSeconds + static_cast<std::int64_t>(m_random.below(actorSpan - 2 * 3600));
        actor.hostSweep = m_random.chance(35, 100);
        actor.sweepPort = sweptPorts[m_random.below(sweptPorts.size())];
        actor.firstPort = static_cast<std::uint32_t>(m_random.below(65535));
        actor.destination = m_random.below(destinations.size());
        return actor;
    }

    Actor planBurst(std::size_t count)
    {
        Actor actor;
        actor.kind = BurstKind;
        actor.left = count;
        actor.next = startSeconds + static_cast<std::int64_t>(m_random.below(actorSpan - 3600));
        return actor;
    }

    void beaconRow(Row& row, Actor& actor, std::int64_t duration)
    {
        setSource(row, m_beaconSalt, actor.source);
        setService(row, actor.service);
        row.destination = actor.destination;
        row.responseCode = "200";
        row.bytesIn = toBytes(actor.bytesIn * (0.9 + 0.2 * m_random.open01()));
        row.bytesOut = toBytes(actor.bytesOut * (0.9 + 0.2 * m_random.open01()));
        // One at a time a check-in is an ordinary session: its duration is an ordinary row's
        // (drawn by normal()), its sizes those of a small page.
        row.end = row.creation + duration;
        do { // 3 % of beats are missed
            actor.next += static_cast<std::int64_t>(
                std::llround(actor.period * (1.0 + actor.jitter * (2.0 * m_random.open01() - 1.0))));
        } while (m_random.chance(3, 100));
    }

    void scanRow(Row& row, Actor& actor)
    {
        static constexpr std::array<std::string_view, 5> refusals{"400", "403", "444", "499", "502"};
        setSource(row, m_scannerSalt, actor.source);
        row.protocol = "TCP";
        const auto i = static_cast<std::uint32_t>(actor.written);
        if (actor.hostSweep) {
            row.port = actor.sweepPort;
            row.dstIpOverride = (10u << 24) | (138u << 16) | ((100u + i / 250 % 100) << 8) | (1u + i % 250);
        } else {
            row.destination = actor.destination;
            // A stride prime to 65535 visits every port once before repeating.
            row.portOverride = 1 + static_cast<std::uint32_t>((actor.firstPort + std::uint64_t{i} * 7919) % 65535);
        }
        row.bytesIn = 40 + m_random.below(61);
        row.bytesOut = m_random.below(61);
        row.responseCode = m_random.chance(7, 10) ? refusals[m_random.below(refusals.size())] : "200";
        row.end = row.creation + static_cast<std::int64_t>(m_random.below(2));
        actor.next += static_cast<std::int64_t>(m_random.below(3));
    }

public:

    void exfiltration(Row& row, std::int64_t nominal)
    {
        normal(row, nominal);
        maybeAttacker(row);
        // Exfiltrating sessions are the bigger ones; what gives them away is what they send back.
        const double median = services[row.service].bytesInMedian;
        row.bytesIn = std::max<std::uint64_t>(40, toBytes(median * std::exp(1.7 * std::fabs(m_random.normal()))));
        row.bytesOut = toBytes(static_cast<double>(responseBytes(row.bytesIn)) * m_random.logUniform(50, 1000));
        row.kind = Exfiltration;
    }

    void longSession(Row& row, std::int64_t nominal)
    {
        normal(row, nominal);
        maybeAttacker(row);
        const auto duration = static_cast<std::int64_t>(m_random.logUniform(3 * 3600, 48 * 3600));
        row.creation = startSeconds + nominal + static_cast<std::int64_t>(m_random.below(60));
        row.end = row.creation + duration;
        row.kind = LongSession;
    }

    void zeroLength(Row& row, std::int64_t nominal)
    {
        normal(row, nominal);
        maybeAttacker(row);
        row.bytesIn = std::max<std::uint64_t>(40, toBytes(m_random.logNormal(800, 0.7)));
        row.bytesOut = toBytes(m_random.logNormal(300, 0.7));
        row.creation = startSeconds + nominal + static_cast<std::int64_t>(m_random.below(60));
        row.end = row.creation;
        row.kind = ZeroLength;
    }

    void rarePort(Row& row, std::int64_t nominal)
    {
        normal(row, nominal);
        maybeAttacker(row);
        const RarePort& port = rarePorts[m_rarePorts.pick(m_random)];
        row.protocol = port.protocol;
        row.port = port.port;
        row.destination = m_random.below(destinations.size());
        if (m_random.chance(1, 2))
            row.responseCode = oddResponseCodes[m_oddCodes.pick(m_random)].value;
        row.kind = RarePortKind;
    }

    // Only the response code differs from a normal row: no attacker source, no other change, so
    // that nothing but the categorical column gives it away.
    void oddCode(Row& row, std::int64_t nominal)
    {
        normal(row, nominal);
        row.responseCode = oddResponseCodes[m_oddCodes.pick(m_random)].value;
        row.kind = OddCode;
    }

    // A flood burst: one attacker hammering one web server. Fixed for the whole burst.
    struct Burst {
        std::uint64_t attacker = 0;
        std::size_t service = 0;
        std::size_t destination = 0;
        std::int64_t time = 0; // seconds since the epoch of the next row
    };
    Burst startBurst(std::int64_t nominal)
    {
        Burst burst;
        burst.attacker = m_random.below(attackerCount);
        burst.service = m_random.chance(3, 4) ? httpsService : httpService;
        burst.destination = pickDestination(services[burst.service].group);
        burst.time = startSeconds + nominal + static_cast<std::int64_t>(m_random.below(60));
        return burst;
    }
    void flood(Row& row, Burst& burst)
    {
        normal(row, burst.time - startSeconds);
        setSource(row, m_attackerSalt, burst.attacker);
        setService(row, burst.service);
        row.destination = burst.destination;
        row.bytesIn = 40 + m_random.below(81);
        row.bytesOut = m_random.below(81);
        row.creation = burst.time;
        row.end = burst.time + 1 + static_cast<std::int64_t>(m_random.below(2));
        burst.time += static_cast<std::int64_t>(m_random.below(2));
        row.kind = Flood;
    }

private:
    struct DestinationGroup {
        std::vector<std::size_t> indexes;
        Choice choice;
    };

    // Continuous approximation of Zipf with exponent 1 over the pool: rank r has weight ~1/(r+1).
    std::uint64_t zipfRank() noexcept
    {
        const auto rank = static_cast<std::uint64_t>(std::exp(m_random.open01() * m_logPoolSize));
        return std::min<std::uint64_t>(rank, m_poolSize) - 1;
    }

    // A source's address and country are a pure function of its index, so the pool needs no memory.
    void setSource(Row& row, std::uint64_t salt, std::uint64_t index)
    {
        const std::uint64_t hash = mix64(salt ^ mix64(index + 1));
        const std::uint8_t first = publicFirstOctets[mulHigh(hash, publicFirstOctets.size())];
        row.srcIp = (static_cast<std::uint32_t>(first) << 24) | static_cast<std::uint32_t>((hash >> 8) & 0xFFFFFF);
        row.country = m_countries.pickByHash(mix64(hash));
        // Some exporters write the country in lower case; the cleaner has to normalise it.
        row.lowerCaseCountry = m_random.chance(1, 100);
    }

    void setService(Row& row, std::size_t service)
    {
        row.service = service;
        row.protocol = services[service].protocol;
        row.port = services[service].port;
        row.destination = pickDestination(services[service].group);
    }

    std::size_t pickDestination(ServiceGroup group)
    {
        const auto& candidates = m_destinationsByGroup[static_cast<std::size_t>(group)];
        return candidates.indexes[candidates.choice.pick(m_random)];
    }

    void maybeAttacker(Row& row)
    {
        if (m_random.chance(1, 2))
            setSource(row, m_attackerSalt, m_random.below(attackerCount));
    }

    // Responses grow with requests, but less than in proportion (the reference data's largest
    // upload is 25 MB, its largest response 1.5 MB).
    std::uint64_t responseBytes(std::uint64_t bytesIn) noexcept
    {
        return toBytes(std::exp(0.75 * std::log(static_cast<double>(bytesIn)) + 2.11 + 0.5 * m_random.normal()));
    }

    // Four in ten records are the exporter's fixed 10-minute aggregation windows, as all of the
    // reference data is; the rest are individual sessions of tens of seconds to minutes.
    void setTiming(Row& row, std::int64_t nominal)
    {
        if (m_random.chance(4, 10)) {
            row.creation = startSeconds + nominal / 600 * 600;
            row.end = row.creation + 600;
            return;
        }
        row.creation = startSeconds + nominal + static_cast<std::int64_t>(m_random.below(60));
        const auto duration = static_cast<std::int64_t>(std::min(m_random.logNormal(50, 1.0) + 0.5, 3590.0));
        row.end = row.creation + 10 + duration;
    }

    Random m_random;
    std::uint64_t m_ipSalt;
    std::uint64_t m_attackerSalt;
    std::uint64_t m_beaconSalt;
    std::uint64_t m_scannerSalt;
    std::uint64_t m_poolSize;
    double m_logPoolSize;
    Choice m_countries;
    Choice m_services;
    Choice m_rarePorts;
    Choice m_codes;
    Choice m_oddCodes;
    Choice m_rules;
    Choice m_observations;
    Choice m_detections;
    std::array<DestinationGroup, 7> m_destinationsByGroup{};
};

class RowWriter {
public:
    RowWriter(std::ostream& out, bool label)
        : m_writer(out)
        , m_label(label)
    {
    }

    void header()
    {
        char* out = put(m_writer.cursor(), csvHeader);
        if (m_label)
            out = put(out, labelHeader);
        *out++ = '\n';
        m_writer.commit(out);
    }

    void write(const Row& row)
    {
        char* out = m_writer.cursor();
        out = putNumber(out, row.bytesIn);
        *out++ = ',';
        out = putNumber(out, row.bytesOut);
        *out++ = ',';
        char* const creation = out;
        out = m_creation.write(out, row.creation);
        const std::string_view creationText(creation, static_cast<std::size_t>(out - creation));
        *out++ = ',';
        out = m_end.write(out, row.end);
        *out++ = ',';
        out = putIp(out, row.srcIp);
        *out++ = ',';
        out = put(out, row.lowerCaseCountry ? countries[row.country].lower : countries[row.country].upper);
        *out++ = ',';
        out = put(out, row.protocol);
        *out++ = ',';
        out = put(out, row.responseCode);
        *out++ = ',';
        out = row.portOverride ? putNumber(out, row.portOverride) : put(out, row.port);
        *out++ = ',';
        const Destination& destination = destinations[row.destination];
        out = row.dstIpOverride ? putIp(out, row.dstIpOverride) : put(out, destination.ip);
        *out++ = ',';
        out = put(out, ruleNames[row.rule].value);
        *out++ = ',';
        out = put(out, observationNames[row.observation].value);
        *out++ = ',';
        out = put(out, sourceMeta);
        *out++ = ',';
        out = put(out, row.dstIpOverride ? std::string_view("vpc_unassigned") : destination.sourceName);
        *out++ = ',';
        out = put(out, creationText); // like the reference data, `time` repeats creation_time
        *out++ = ',';
        out = put(out, detectionTypes[row.detection].value);
        if (m_label) {
            if (row.kind == Normal) {
                out = put(out, ",0,");
            } else {
                out = put(out, ",1,");
                out = put(out, kindName(row.kind));
            }
        }
        *out++ = '\n';
        m_writer.commit(out);
    }

    void finish() { m_writer.flush(); }

private:
    BlockWriter m_writer;
    TimestampWriter m_creation;
    TimestampWriter m_end;
    bool m_label;
};

// The behavioural actors, replacing ordinary rows from their own random stream: a min-heap of
// (time of the actor's next row, actor), each due actor taking the next ordinary row's place.
class BehaviourSchedule {
public:
    BehaviourSchedule(const GeneratorParams& params, std::size_t normalRows)
        : m_model(params, 1)
    {
        auto rows = static_cast<std::size_t>(static_cast<double>(params.rows) * params.behaviourRate);
        rows = rows >= kMinBehaviourRows ? std::min(rows, normalRows / 2) : 0;
        m_actors = m_model.planActors(rows);
        for (std::size_t i = 0; i < m_actors.size(); ++i)
            m_due.emplace(m_actors[i].next, i);
    }

    // An ordinary row about to be written at `time`: replaced by the most overdue actor's, if any.
    void maybeReplace(Row& row, std::int64_t time)
    {
        if (m_due.empty() || m_due.top().first > time)
            return;
        const std::size_t index = m_due.top().second;
        m_due.pop();
        m_model.act(row, m_actors[index]);
        if (m_actors[index].left > 0)
            m_due.emplace(m_actors[index].next, index);
    }

    // The rows and actors written, by kind (the behaviour kinds listed only when there were actors).
    void count(GeneratorResult& result) const
    {
        if (m_actors.empty())
            return;
        for (const auto& kind : behaviourKinds) {
            result.anomaliesByKind[std::string(kind.name)] = 0;
            result.behaviourActors[std::string(kind.name)] = 0;
        }
        for (const Actor& actor : m_actors) {
            const std::string name(kindName(actor.kind));
            result.anomaliesByKind[name] += actor.written;
            result.behaviourActors[name] += actor.written > 0 ? 1 : 0;
            result.anomalies += actor.written;
        }
    }

private:
    using Due = std::pair<std::int64_t, std::size_t>;
    TrafficModel m_model;
    std::vector<Actor> m_actors;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
};

// Splits `total` anomalies between the kinds by their shares, largest remainder first, so that
// counts are exact and every kind appears once there are as many anomalies as kinds.
std::array<std::size_t, anomalyKinds.size()> allocateKinds(std::size_t total)
{
    std::array<std::size_t, anomalyKinds.size()> counts{};
    std::array<std::size_t, anomalyKinds.size()> remainders{};
    std::size_t given = 0;
    for (std::size_t kind = 0; kind < counts.size(); ++kind) {
        counts[kind] = total * kindSharePercent[kind] / 100;
        remainders[kind] = total * kindSharePercent[kind] % 100;
        given += counts[kind];
    }
    while (given < total) {
        std::size_t best = 0;
        for (std::size_t kind = 1; kind < counts.size(); ++kind)
            if (remainders[kind] > remainders[best])
                best = kind;
        ++counts[best];
        remainders[best] = 0;
        ++given;
    }
    return counts;
}

} // namespace

void GeneratorParams::validate() const
{
    if (rows < 1)
        throw ParameterError("rows must be at least 1");
    if (rows > maxRows)
        throw ParameterError("rows must be at most 1000000000 (got " + std::to_string(rows) + ")");
    if (!(behaviourRate >= 0.0 && behaviourRate <= 0.2)) {
        std::array<char, 32> text{};
        const auto end = std::to_chars(text.data(), text.data() + text.size(), behaviourRate).ptr;
        throw ParameterError("behaviourRate must be between 0 and 0.2 (got " + std::string(text.data(), end) + ")");
    }
    if (!(anomalyRate >= 0.0 && anomalyRate <= 0.5)) {
        std::array<char, 32> text{};
        const auto end = std::to_chars(text.data(), text.data() + text.size(), anomalyRate).ptr;
        throw ParameterError("anomalyRate must be between 0 and 0.5 (got " + std::string(text.data(), end) + ")");
    }
}

GeneratorResult generateTraffic(std::ostream& out, const GeneratorParams& params, const Progress& progress)
{
    params.validate();
    progress.check();
    progress.report("generate", 0.0);

    const std::size_t rows = params.rows;
    const auto anomalies
        = std::min(rows, static_cast<std::size_t>(std::llround(static_cast<double>(rows) * params.anomalyRate)));
    const auto kindCounts = allocateKinds(anomalies);

    GeneratorResult result;
    result.rows = rows;
    result.anomalies = anomalies;
    for (std::size_t kind = 0; kind < anomalyKinds.size(); ++kind)
        result.anomaliesByKind[std::string(anomalyKinds[kind].name)] = kindCounts[kind];

    // Anomalies are placed by sequential selection over "events": a single anomalous row, or a
    // whole flood burst written as consecutive rows. Each step takes an event with probability
    // events left / (events + normal rows left), which spreads them uniformly with exact counts.
    std::size_t floodRowsLeft = kindCounts[Flood];
    std::size_t burstsLeft = (floodRowsLeft + floodBurstMean - 1) / floodBurstMean;
    std::array<std::size_t, anomalyKinds.size()> eventsLeftByKind = kindCounts;
    eventsLeftByKind[Flood] = burstsLeft;
    std::size_t eventsLeft = 0;
    for (const std::size_t count : eventsLeftByKind)
        eventsLeft += count;
    std::size_t normalLeft = rows - anomalies;

    // Flood rows cluster at their burst's moment and do not advance the clock.
    Timeline timeline(rows - kindCounts[Flood]);
    std::uint64_t timelineIndex = 0;

    TrafficModel model(params);
    Random& random = model.random();
    BehaviourSchedule behaviour(params, normalLeft);
    RowWriter writer(out, params.label);
    writer.header();

    constexpr std::size_t checkEvery = 4096;
    constexpr std::size_t reportEvery = 1 << 16;
    std::size_t written = 0;
    const auto emit = [&](const Row& row) {
        writer.write(row);
        ++written;
        if (written % checkEvery == 0) {
            progress.check();
            if (written % reportEvery == 0)
                progress.report("generate", static_cast<double>(written) / static_cast<double>(rows));
        }
    };

    Row row;
    while (normalLeft + eventsLeft > 0) {
        std::uint64_t ticket = random.below(normalLeft + eventsLeft);
        if (ticket >= eventsLeft) {
            --normalLeft;
            const std::int64_t nominal = timeline.at(timelineIndex++);
            model.normal(row, nominal);
            behaviour.maybeReplace(row, startSeconds + nominal);
            emit(row);
            continue;
        }
        std::size_t kind = 0;
        while (ticket >= eventsLeftByKind[kind]) {
            ticket -= eventsLeftByKind[kind];
            ++kind;
        }
        --eventsLeftByKind[kind];
        --eventsLeft;
        if (kind == Flood) {
            // Burst sizes vary between half and one and a half times the mean still available.
            std::size_t size = floodRowsLeft;
            if (burstsLeft > 1) {
                const std::size_t mean = floodRowsLeft / burstsLeft;
                size = std::clamp<std::size_t>(mean / 2 + random.below(mean + 1), 1, floodRowsLeft - (burstsLeft - 1));
            }
            --burstsLeft;
            floodRowsLeft -= size;
            auto burst = model.startBurst(timeline.at(timelineIndex));
            for (std::size_t i = 0; i < size; ++i) {
                model.flood(row, burst);
                emit(row);
            }
            continue;
        }
        const std::int64_t nominal = timeline.at(timelineIndex++);
        switch (kind) {
        case Exfiltration:
            model.exfiltration(row, nominal);
            break;
        case LongSession:
            model.longSession(row, nominal);
            break;
        case ZeroLength:
            model.zeroLength(row, nominal);
            break;
        case RarePortKind:
            model.rarePort(row, nominal);
            break;
        default:
            model.oddCode(row, nominal);
            break;
        }
        emit(row);
    }
    writer.finish();
    behaviour.count(result);
    progress.report("generate", 1.0);
    return result;
}

} // namespace webthreat

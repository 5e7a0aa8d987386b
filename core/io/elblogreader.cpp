#include "core/io/elblogreader.h"

#include "core/util/errors.h"
#include "core/io/logtable.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <array>

namespace webthreat {

namespace {

enum class EntryKind : std::uint8_t { AlbAccess, NlbAccess, AlbConnection, Count };

// Field names as AWS documents them, in order. Entries may have fewer (older logs) or more
// (fields AWS adds at the end) than listed; kMinimumFields is what a usable entry needs.
constexpr std::array<std::string_view, 30> kAlbFields{"type",
                                                      "time",
                                                      "elb",
                                                      "client:port",
                                                      "target:port",
                                                      "request_processing_time",
                                                      "target_processing_time",
                                                      "response_processing_time",
                                                      "elb_status_code",
                                                      "target_status_code",
                                                      "received_bytes",
                                                      "sent_bytes",
                                                      "request",
                                                      "user_agent",
                                                      "ssl_cipher",
                                                      "ssl_protocol",
                                                      "target_group_arn",
                                                      "trace_id",
                                                      "domain_name",
                                                      "chosen_cert_arn",
                                                      "matched_rule_priority",
                                                      "request_creation_time",
                                                      "actions_executed",
                                                      "redirect_url",
                                                      "error_reason",
                                                      "target:port_list",
                                                      "target_status_code_list",
                                                      "classification",
                                                      "classification_reason",
                                                      "conn_trace_id"};
constexpr std::array<std::string_view, 22> kNlbFields{"type",
                                                      "version",
                                                      "time",
                                                      "elb",
                                                      "listener",
                                                      "client:port",
                                                      "destination:port",
                                                      "connection_time",
                                                      "tls_handshake_time",
                                                      "received_bytes",
                                                      "sent_bytes",
                                                      "incoming_tls_alert",
                                                      "chosen_cert_arn",
                                                      "chosen_cert_serial",
                                                      "tls_cipher",
                                                      "tls_protocol_version",
                                                      "tls_named_group",
                                                      "domain_name",
                                                      "alpn_fe_protocol",
                                                      "alpn_be_protocol",
                                                      "alpn_client_preference_list",
                                                      "tls_connection_creation_time"};
constexpr std::array<std::string_view, 12> kConnectionFields{"time",
                                                             "client_ip",
                                                             "client_port",
                                                             "listener_port",
                                                             "tls_protocol",
                                                             "tls_cipher",
                                                             "tls_handshake_latency",
                                                             "leaf_client_cert_subject",
                                                             "leaf_client_cert_validity",
                                                             "leaf_client_cert_serial_number",
                                                             "tls_verify_status",
                                                             "conn_trace_id"};

constexpr std::array<std::string_view, 6> kAlbTypes{"http", "https", "h2", "grpcs", "ws", "wss"};

bool isIsoTime(std::string_view text) noexcept
{
    return text.size() >= 19 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && parseTimestamp(text).has_value();
}

bool isDigits(std::string_view text) noexcept
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "192.0.2.1:2817" or "[2001:db8::1]:443" (also 2001:db8::1:443, split at the last colon).
bool splitHostPort(std::string_view text, std::string_view& host, std::int64_t& port) noexcept
{
    std::size_t colon;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return false;
        host = text.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            return false;
        host = text.substr(0, colon);
    }
    return parseWholeNumber(text.substr(colon + 1), 0, 65535, port) == nullptr;
}

class ElbParser final : public PieceParser {
public:
    explicit ElbParser(std::string file)
        : m_file(std::move(file))
        , m_table(m_file)
    {
        m_srcPortColumn = m_table.extraColumn("src_port");
    }

    // Every line stands on its own: any piece can be read apart.
    bool line(std::string_view text, std::int64_t number) override;
    std::unique_ptr<PieceParser> fork() const override
    {
        auto piece = std::make_unique<ElbParser>(m_file, m_table.fork());
        piece->m_srcPortColumn = m_srcPortColumn;
        piece->m_columns = m_columns;
        return piece;
    }
    void merge(PieceParser& piece) override
    {
        auto& from = static_cast<ElbParser&>(piece);
        m_table.append(from.m_table);
        for (std::size_t k = 0; k < m_entries.size(); ++k)
            m_entries[k] += from.m_entries[k];
        m_lines += from.m_lines;
    }
    void reserve(double growth) override { m_table.reserveGrowth(growth); }
    ReadResult finish(std::int64_t lines, std::uint64_t bytes);

    ElbParser(std::string file, LogTable table)
        : m_file(std::move(file))
        , m_table(std::move(table))
    {
    }

private:
    template <std::size_t N>
    void keepOthers(const std::array<std::string_view, N>& names, std::size_t kind);
    void setTime(Field field, std::string_view name, std::string_view text, std::int64_t line);
    void setWhole(Field field, std::string_view name, std::string_view text, std::int64_t maximum, std::int64_t line);
    void setClient(std::string_view name, std::string_view text, std::int64_t line);
    void setDestination(std::string_view name, std::string_view text, std::int64_t line);

    std::string m_file;
    LogTable m_table;
    std::vector<std::string_view> m_fields;
    std::string m_scratch;
    std::size_t m_srcPortColumn = 0;
    std::array<std::vector<std::size_t>, std::size_t(EntryKind::Count)> m_columns; // per kind, per field
    std::array<std::size_t, std::size_t(EntryKind::Count)> m_entries{};
    std::size_t m_withoutDestination = 0;
    std::int64_t m_firstWithoutDestination = 0;
    std::size_t m_lines = 0;
};

void ElbParser::setTime(Field field, std::string_view name, std::string_view text, std::int64_t line)
{
    if (text.empty() || text == "-")
        return;
    if (auto instant = parseTimestamp(text))
        m_table.setInteger(field, *instant);
    else
        m_table.invalidCell(name, line, text, "not a timestamp");
}

void ElbParser::setWhole(Field field, std::string_view name, std::string_view text, std::int64_t maximum,
                         std::int64_t line)
{
    if (text.empty() || text == "-")
        return;
    std::int64_t value = 0;
    if (const char* reason = parseWholeNumber(text, 0, maximum, value))
        m_table.invalidCell(name, line, text, reason);
    else
        m_table.setInteger(field, value);
}

void ElbParser::setClient(std::string_view name, std::string_view text, std::int64_t line)
{
    std::string_view host;
    std::int64_t port = 0;
    if (text == "-")
        return;
    if (!splitHostPort(text, host, port)) {
        m_table.invalidCell(name, line, text, "not address:port");
        return;
    }
    m_table.setText(Field::SrcIp, host);
    m_table.setText(m_srcPortColumn, std::to_string(port));
}

void ElbParser::setDestination(std::string_view name, std::string_view text, std::int64_t line)
{
    std::string_view host;
    std::int64_t port = 0;
    if (text == "-")
        return; // answered by the load balancer itself: counted in finish()
    if (!splitHostPort(text, host, port)) {
        m_table.invalidCell(name, line, text, "not address:port");
        return;
    }
    m_table.setText(Field::DstIp, host);
    m_table.setInteger(Field::DstPort, port);
}

// Every field of the entry that is not mapped onto the schema becomes a text column of its name.
template <std::size_t N>
void ElbParser::keepOthers(const std::array<std::string_view, N>& names, std::size_t kind)
{
    auto& columns = m_columns[kind];
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        if (i >= columns.size()) {
            const std::string name = i < N ? std::string(names[i]) : "field_" + std::to_string(i + 1);
            columns.push_back(m_table.extraColumn(name));
        }
        if (columns[i] == std::size_t(-1))
            continue;
        if (m_fields[i] != "-")
            m_table.setText(columns[i], m_fields[i]);
    }
}

bool ElbParser::line(std::string_view text, std::int64_t number)
{
    if (text.find_first_not_of(" \t") == std::string_view::npos) {
        ++m_table.report().blankLines;
        return true;
    }
    ++m_lines;
    if (!splitQuoted(text, m_fields, m_scratch, kMaxLogFields + 1)) {
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " has a quoted field that is never closed");
        return true;
    }
    if (m_fields.size() > kMaxLogFields) {
        // Each field past the known ones becomes a column: millions of blanks must not make millions.
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " has more than " + std::to_string(kMaxLogFields)
                                  + " fields");
        return true;
    }
    const std::string_view first = m_fields.front();
    EntryKind kind;
    std::size_t minimum;
    if (std::find(kAlbTypes.begin(), kAlbTypes.end(), first) != kAlbTypes.end()) {
        kind = EntryKind::AlbAccess;
        minimum = 13; // through the request line
    } else if (first == "tls") {
        kind = EntryKind::NlbAccess;
        minimum = 11; // through sent_bytes
    } else if (isIsoTime(first)) {
        kind = EntryKind::AlbConnection;
        minimum = 11; // through tls_verify_status
    } else {
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " starts with '" + shortenForMessage(first)
                                  + "', not an entry type (http, https, h2, grpcs, ws, wss, tls) or a time");
        return true;
    }
    if (m_fields.size() < minimum) {
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " has " + std::to_string(m_fields.size())
                                  + " fields, fewer than the " + std::to_string(minimum)
                                  + " an entry of its kind needs");
        return true;
    }
    const auto k = static_cast<std::size_t>(kind);
    ++m_entries[k];
    m_table.addRow(number);
    // Mapped fields are marked so keepOthers() skips them; the first entry of a kind sets this up.
    auto skip = [&](std::initializer_list<std::size_t> mapped) {
        auto& columns = m_columns[k];
        if (!columns.empty())
            return;
        const std::size_t count = kind == EntryKind::AlbAccess ? kAlbFields.size()
            : kind == EntryKind::NlbAccess                     ? kNlbFields.size()
                                                               : kConnectionFields.size();
        for (std::size_t i = 0; i < count; ++i) {
            const bool isMapped = std::find(mapped.begin(), mapped.end(), i) != mapped.end();
            const std::string_view name = kind == EntryKind::AlbAccess ? kAlbFields[i]
                : kind == EntryKind::NlbAccess                         ? kNlbFields[i]
                                                                       : kConnectionFields[i];
            columns.push_back(isMapped ? std::size_t(-1) : m_table.extraColumn(name));
        }
    };
    const auto& f = m_fields;
    auto at = [&](std::size_t i) { return i < f.size() ? f[i] : std::string_view(); };
    switch (kind) {
    case EntryKind::AlbAccess: {
        skip({0, 1, 2, 3, 4, 8, 10, 11, 21});
        std::string protocol(f[0]);
        std::transform(protocol.begin(), protocol.end(), protocol.begin(),
                       [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; });
        m_table.setText(Field::Protocol, protocol);
        setTime(Field::EndTime, kAlbFields[1], f[1], number);
        setTime(Field::Time, kAlbFields[1], f[1], number);
        if (f[2] != "-")
            m_table.setText(Field::SourceName, f[2]);
        setClient(kAlbFields[3], f[3], number);
        setDestination(kAlbFields[4], f[4], number);
        setWhole(Field::ResponseCode, kAlbFields[8], f[8], 999, number);
        setWhole(Field::BytesIn, kAlbFields[10], f[10], std::numeric_limits<std::int64_t>::max(), number);
        setWhole(Field::BytesOut, kAlbFields[11], f[11], std::numeric_limits<std::int64_t>::max(), number);
        setTime(Field::CreationTime, kAlbFields[21], at(21), number);
        m_table.setText(Field::SourceMeta, "AWS_ALB");
        keepOthers(kAlbFields, k);
        break;
    }
    case EntryKind::NlbAccess: {
        skip({0, 2, 3, 5, 6, 9, 10, 21});
        m_table.setText(Field::Protocol, "TLS");
        setTime(Field::EndTime, kNlbFields[2], f[2], number);
        setTime(Field::Time, kNlbFields[2], f[2], number);
        if (f[3] != "-")
            m_table.setText(Field::SourceName, f[3]);
        setClient(kNlbFields[5], f[5], number);
        setDestination(kNlbFields[6], f[6], number);
        setWhole(Field::BytesIn, kNlbFields[9], f[9], std::numeric_limits<std::int64_t>::max(), number);
        setWhole(Field::BytesOut, kNlbFields[10], f[10], std::numeric_limits<std::int64_t>::max(), number);
        setTime(Field::CreationTime, kNlbFields[21], at(21), number);
        m_table.setText(Field::SourceMeta, "AWS_NLB");
        keepOthers(kNlbFields, k);
        break;
    }
    case EntryKind::AlbConnection: {
        skip({0, 1, 2, 3});
        setTime(Field::CreationTime, kConnectionFields[0], f[0], number);
        setTime(Field::EndTime, kConnectionFields[0], f[0], number);
        setTime(Field::Time, kConnectionFields[0], f[0], number);
        if (f[1] != "-")
            m_table.setText(Field::SrcIp, f[1]);
        std::int64_t port = 0;
        if (f[2] != "-") {
            if (const char* reason = parseWholeNumber(f[2], 0, 65535, port))
                m_table.invalidCell(kConnectionFields[2], number, f[2], reason);
            else
                m_table.setText(m_srcPortColumn, f[2]);
        }
        setWhole(Field::DstPort, kConnectionFields[3], f[3], 65535, number);
        if (f[4] != "-")
            m_table.setText(Field::Protocol, "TLS");
        m_table.setText(Field::SourceMeta, "AWS_ALB");
        keepOthers(kConnectionFields, k);
        break;
    }
    case EntryKind::Count:
        break;
    }
    return true;
}

ReadResult ElbParser::finish(std::int64_t lines, std::uint64_t bytes)
{
    ReadReport& report = m_table.report();
    if (m_lines == 0)
        throw InputError(m_file, 0, "", "the file is empty: expected load-balancer log entries");
    if (m_table.rowCount() == 0)
        throw InputError(m_file, report.malformed.firstLines.front(), "",
                         "no line of the file is an ALB or NLB access-log or ALB connection-log entry ("
                             + std::to_string(report.malformed.count) + " line(s) could not be read)");
    ReadResult result = m_table.finish(lines, bytes, "load-balancer log entries");
    const TrafficTable& table = result.table;
    const Column& dst = table.column(Field::DstIp);
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        if (dst.text[row] == StringPool::kMissing && m_withoutDestination++ == 0)
            m_firstWithoutDestination = table.sourceLines[row];
    }
    if (m_withoutDestination > 0)
        result.report.warnings.push_back(
            std::to_string(m_withoutDestination) + " entries name no destination address (first on line "
            + std::to_string(m_firstWithoutDestination)
            + "): requests the load balancer answered itself (target '-': redirects, fixed responses, rejected "
              "requests) and connection-log entries; they have no dst_ip, so cleaning drops them");
    std::string kinds;
    const std::array<std::string_view, 3> names{"ALB access", "NLB access", "ALB connection"};
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (m_entries[k] > 0)
            kinds += (kinds.empty() ? "" : ", ") + std::to_string(m_entries[k]) + " " + std::string(names[k]);
    }
    result.report.format = "AWS load balancer logs (" + kinds + " entries)";
    result.report.expectedFields = kAlbFields.size();
    return result;
}

} // namespace

bool looksLikeElbEntry(std::string_view line) noexcept
{
    std::vector<std::string_view> fields;
    std::string scratch;
    if (!splitQuoted(line, fields, scratch) || fields.size() < 4)
        return false;
    if (std::find(kAlbTypes.begin(), kAlbTypes.end(), fields[0]) != kAlbTypes.end())
        return isIsoTime(fields[1]);
    if (fields[0] == "tls")
        return isIsoTime(fields[2]);
    return isIsoTime(fields[0]) && isIpAddress(fields[1]) && isDigits(fields[2]) && isDigits(fields[3]);
}

ReadResult readElbLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                      const ReadOptions& options, const Progress& progress)
{
    ElbParser parser(file);
    return readLogLinesInPieces(read, fraction, file, options, progress, "load-balancer logs", parser,
                                [&](std::int64_t lines, std::uint64_t bytes) { return parser.finish(lines, bytes); });
}

} // namespace webthreat

#include "core/io/vpcflowreader.h"

#include "core/util/errors.h"
#include "core/io/logtable.h"
#include "core/io/textcheck.h"

#include <algorithm>
#include <array>
#include <tuple>

namespace webthreat {

namespace {

// AWS's field order ("available fields" table): the default format is the first 14, the
// all-fields layout of a version is every field up to that version's last.
constexpr std::array<std::string_view, 40> kAllFields{
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes",
    "start", "end", "action", "log-status",
    // version 3
    "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
    // version 4
    "region", "az-id", "sublocation-type", "sublocation-id",
    // version 5
    "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
    // version 7
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn", "ecs-container-instance-id",
    "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn",
    "ecs-task-id",
    // version 8
    "reject-reason"};

struct Layout {
    int version;
    std::size_t fields;
};
// Headerless layouts: the default (version 2) and the all-fields layouts.
constexpr std::array<Layout, 6> kLayouts{{{2, 14}, {3, 21}, {4, 25}, {5, 29}, {7, 39}, {8, 40}}};

constexpr std::int64_t kLastEpochSecond = 253402300799; // 9999-12-31T23:59:59Z
constexpr std::int64_t kLongestInterval = 24 * 3600; // aggregation intervals are at most 10 minutes

// Header names as AWS writes them; some tools write account_id or ${account-id}.
std::string normaliseFieldName(std::string_view name)
{
    if (name.size() > 3 && name.substr(0, 2) == "${" && name.back() == '}')
        name = name.substr(2, name.size() - 3);
    std::string key(name);
    for (char& c : key) {
        if (c == '_')
            c = '-';
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return key;
}

bool isKnownField(std::string_view name) noexcept
{
    if (name.empty() || (name.front() >= '0' && name.front() <= '9'))
        return false; // values, not names: no field name starts with a digit
    const std::string key = normaliseFieldName(name);
    return std::find(kAllFields.begin(), kAllFields.end(), key) != kAllFields.end();
}

bool isDigits(std::string_view text) noexcept
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Where each mapped field sits in a layout (npos when the layout lacks it).
enum Slot : std::uint8_t {
    SlotSrcAddr,
    SlotDstAddr,
    SlotSrcPort,
    SlotDstPort,
    SlotProtocol,
    SlotPackets,
    SlotBytes,
    SlotStart,
    SlotEnd,
    SlotAction,
    SlotStatus,
    SlotInterface,
    SlotTcpFlags,
    SlotCount
};
constexpr std::array<std::string_view, SlotCount> kSlotNames{
    "srcaddr", "dstaddr", "srcport", "dstport",    "protocol",     "packets",  "bytes",
    "start",   "end",     "action",  "log-status", "interface-id", "tcp-flags"};

struct FieldLayout {
    std::vector<std::string> names; // as written in the header (or AWS's names)
    std::array<std::size_t, SlotCount> slots{}; // index into names, npos when absent
    std::vector<std::size_t> extraFields; // other fields, in file order
    std::vector<std::size_t> extraColumns; // their table columns
    std::string headerText; // the header line, to skip repeats of it
    std::string description;
};

FieldLayout makeLayout(std::vector<std::string> names)
{
    FieldLayout layout;
    layout.slots.fill(std::string::npos);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string key = normaliseFieldName(names[i]);
        const auto slot = std::find(kSlotNames.begin(), kSlotNames.end(), key);
        if (slot != kSlotNames.end()
            && layout.slots[static_cast<std::size_t>(slot - kSlotNames.begin())] == std::string::npos)
            layout.slots[static_cast<std::size_t>(slot - kSlotNames.begin())] = i;
        else
            layout.extraFields.push_back(i);
        names[i] = key;
    }
    layout.names = std::move(names);
    return layout;
}

// One record: one direction of a flow. Text is interned in the table's pool (0 = missing).
// 80 bytes: a log of a million connections holds about two million of these until they are rows.
constexpr std::uint32_t kNoPartner = 0xFFFFFFFFu;
struct FlowRecord {
    std::int64_t packets = kMissingInteger;
    std::int64_t bytes = kMissingInteger;
    std::int64_t start = kMissingInteger;
    std::int64_t end = kMissingInteger;
    std::uint32_t line = 0; // lines past 2^32 are refused (LogTable's sourceLines)
    std::uint32_t interfaceId = 0;
    std::uint32_t src = 0;
    std::uint32_t dst = 0;
    std::int32_t srcPort = -1;
    std::int32_t dstPort = -1;
    std::int16_t protocol = -1;
    std::int16_t tcpFlags = -1;
    std::uint32_t action = 0;
    std::uint32_t status = 0;
    std::uint32_t layout = 0;
    std::uint32_t extrasBegin = 0; // into the flat extras
    std::uint32_t partner = kNoPartner; // index of the record of the other direction
};
static_assert(sizeof(FlowRecord) == 80);

// The records in chunks, so that those already made rows are freed while the rest become rows:
// the table and all the records never have to be held at once.
class FlowRecords {
public:
    static constexpr std::size_t kChunkBits = 16;
    static constexpr std::size_t kChunk = std::size_t(1) << kChunkBits;

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    FlowRecord& operator[](std::size_t i) noexcept { return m_chunks[i >> kChunkBits][i & (kChunk - 1)]; }
    const FlowRecord& operator[](std::size_t i) const noexcept { return m_chunks[i >> kChunkBits][i & (kChunk - 1)]; }
    void push_back(const FlowRecord& record)
    {
        if ((m_size & (kChunk - 1)) == 0)
            m_chunks.emplace_back(); // grown as filled: a piece's few thousand records stay small
        m_chunks.back().push_back(record);
        ++m_size;
    }
    // Frees the chunks wholly before record i; they must not be read again.
    void releaseBefore(std::size_t i) noexcept
    {
        for (std::size_t chunk = m_released; chunk < (i >> kChunkBits); ++chunk)
            std::vector<FlowRecord>().swap(m_chunks[chunk]);
        m_released = std::max(m_released, i >> kChunkBits);
    }

private:
    std::vector<std::vector<FlowRecord>> m_chunks;
    std::size_t m_size = 0;
    std::size_t m_released = 0;
};

struct FlowKey {
    std::uint32_t interfaceId, src, dst;
    std::int32_t srcPort, dstPort, protocol;
    bool operator==(const FlowKey&) const = default;
};
struct FlowKeyHash {
    std::size_t operator()(const FlowKey& key) const noexcept
    {
        std::uint64_t h = key.interfaceId;
        for (std::uint64_t part :
             {std::uint64_t(key.src), std::uint64_t(key.dst), std::uint64_t(std::uint32_t(key.srcPort)),
              std::uint64_t(std::uint32_t(key.dstPort)), std::uint64_t(std::uint32_t(key.protocol))})
            h = (h ^ part) * 0x100000001b3ULL + (h >> 29);
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDULL; // the slot is taken from the high bits
        return static_cast<std::size_t>(h ^ (h >> 33));
    }
};

bool overlaps(const FlowRecord& a, const FlowRecord& b) noexcept
{
    // A missing time cannot rule a pair out.
    if (a.start == kMissingInteger || a.end == kMissingInteger || b.start == kMissingInteger
        || b.end == kMissingInteger)
        return true;
    return a.start <= b.end && b.start <= a.end;
}

class VpcFlowParser final : public PieceParser {
public:
    VpcFlowParser(std::string file, const Progress& progress)
        : m_file(std::move(file))
        , m_table(m_file)
        , m_progress(progress)
    {
    }

    // A fork stops at a header line, and reads nothing before the first layout is known.
    bool line(std::string_view text, std::int64_t number) override;
    std::unique_ptr<PieceParser> fork() const override;
    void merge(PieceParser& piece) override;
    ReadResult finish(std::int64_t lines, std::uint64_t bytes);

private:
    void startLayout(FieldLayout layout, std::int64_t line);
    void record(std::int64_t number);
    void pair();
    void emit(const FlowRecord* request, const FlowRecord* reply);
    std::int32_t port(std::size_t slot, std::int64_t line, int maximum);
    std::int64_t number(std::size_t slot, std::int64_t line, std::int64_t maximum);

    std::string m_file;
    LogTable m_table;
    const Progress& m_progress;
    std::vector<FieldLayout> m_layouts;
    std::vector<std::string_view> m_fields;
    FlowRecords m_records;
    std::vector<std::uint32_t> m_extras;
    std::size_t m_lastExtras = 0; // where the last record's extras begin
    std::uint32_t m_lastExtrasLayout = 0xFFFFFFFFu;
    std::size_t m_repeatedHeaders = 0;
    std::vector<std::int64_t> m_noData;
    std::vector<std::int64_t> m_skipData;
    std::size_t m_noDataCount = 0;
    std::size_t m_skipDataCount = 0;
    std::size_t m_pairs = 0;
    // Table columns of the mapped extras.
    std::size_t m_srcPortColumn = 0, m_directionColumn = 0, m_packetsInColumn = 0, m_packetsOutColumn = 0,
                m_actionColumn = 0, m_statusColumn = 0, m_tcpFlagsColumn = 0;
    bool m_haveTcpFlags = false;
    bool m_isFork = false;
    // Ids of the text every row names, interned at the first row emitted.
    std::array<std::uint32_t, 256> m_protocolIds{};
    std::array<std::uint32_t, 3> m_directionIds{};
    std::uint32_t m_metaId = 0;
};

std::unique_ptr<PieceParser> VpcFlowParser::fork() const
{
    if (m_layouts.empty())
        return nullptr;
    auto piece = std::make_unique<VpcFlowParser>(m_file, m_progress);
    piece->m_table = m_table.fork();
    piece->m_layouts = m_layouts; // column indices hold: the fork's table has the same columns
    piece->m_srcPortColumn = m_srcPortColumn;
    piece->m_directionColumn = m_directionColumn;
    piece->m_packetsInColumn = m_packetsInColumn;
    piece->m_packetsOutColumn = m_packetsOutColumn;
    piece->m_actionColumn = m_actionColumn;
    piece->m_statusColumn = m_statusColumn;
    piece->m_tcpFlagsColumn = m_tcpFlagsColumn;
    piece->m_haveTcpFlags = m_haveTcpFlags;
    piece->m_isFork = true;
    return piece;
}

void VpcFlowParser::merge(PieceParser& piece)
{
    auto& from = static_cast<VpcFlowParser&>(piece);
    const std::vector<std::uint32_t> ids = m_table.append(from.m_table);
    const auto extrasBefore = static_cast<std::uint32_t>(m_extras.size());
    for (std::size_t i = 0; i < from.m_records.size(); ++i) {
        FlowRecord flow = from.m_records[i];
        flow.interfaceId = ids[flow.interfaceId];
        flow.src = ids[flow.src];
        flow.dst = ids[flow.dst];
        flow.action = ids[flow.action];
        flow.status = ids[flow.status];
        flow.extrasBegin += extrasBefore;
        m_records.push_back(flow);
    }
    for (std::uint32_t id : from.m_extras)
        m_extras.push_back(ids[id]);
    m_repeatedHeaders += from.m_repeatedHeaders;
    for (auto [lines, count, fromLines, fromCount] :
         {std::tuple(&m_noData, &m_noDataCount, &from.m_noData, from.m_noDataCount),
          std::tuple(&m_skipData, &m_skipDataCount, &from.m_skipData, from.m_skipDataCount)}) {
        *count += fromCount;
        for (std::int64_t line : *fromLines) {
            if (lines->size() < MalformedRows::kKeptLines)
                lines->push_back(line);
        }
    }
}

void VpcFlowParser::startLayout(FieldLayout layout, std::int64_t line)
{
    for (std::size_t slot : {std::size_t(SlotSrcAddr), std::size_t(SlotDstAddr)}) {
        if (layout.slots[slot] == std::string::npos)
            throw InputError(m_file, line, std::string(kSlotNames[slot]),
                             "the VPC Flow Log header has no field '" + std::string(kSlotNames[slot])
                                 + "': without both addresses the records cannot be read as traffic");
    }
    if (m_layouts.empty()) {
        // Numbers as numbers: a text column would intern every distinct count and port.
        m_srcPortColumn = m_table.extraColumn("src_port", ColumnKind::Integer);
        m_directionColumn = m_table.extraColumn("direction");
        m_packetsInColumn = m_table.extraColumn("packets_in", ColumnKind::Integer);
        m_packetsOutColumn = m_table.extraColumn("packets_out", ColumnKind::Integer);
        m_actionColumn = m_table.extraColumn("action");
        m_statusColumn = m_table.extraColumn("log-status");
    }
    if (layout.slots[SlotTcpFlags] != std::string::npos && !m_haveTcpFlags) {
        m_tcpFlagsColumn = m_table.extraColumn("tcp-flags", ColumnKind::Integer);
        m_haveTcpFlags = true;
    }
    for (std::size_t field : layout.extraFields) {
        std::size_t column = m_table.extraColumn(layout.names[field]);
        if (m_table.kind(column) != ColumnKind::Text) // a header naming tcp-flags twice: the second as text
            column = m_table.extraColumn(layout.names[field] + " (repeated)");
        layout.extraColumns.push_back(column);
    }
    if (!m_layouts.empty())
        m_table.report().warnings.push_back(
            "line " + std::to_string(line) + " is a new header line: the records after it are read in its field order");
    m_layouts.push_back(std::move(layout));
}

bool VpcFlowParser::line(std::string_view text, std::int64_t number)
{
    splitBlanks(text, m_fields, kMaxLogFields + 1);
    if (m_fields.empty()) {
        ++m_table.report().blankLines;
        return true;
    }
    if (m_fields.size() > kMaxLogFields) {
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " has more than " + std::to_string(kMaxLogFields)
                                  + " fields");
        return true;
    }
    if (!m_layouts.empty() && text == m_layouts.back().headerText) {
        ++m_repeatedHeaders; // concatenated S3 files each start with the header
        return true;
    }
    // A header: the detector's test, or (first line, format chosen by the user) only field names,
    // so that a header lacking the addresses gets its own message.
    // A record's first value is never a field name: that one test keeps the rest off the hot path.
    const bool headerLike = isKnownField(m_fields.front());
    const bool onlyFieldNames = headerLike && m_layouts.empty()
        && std::all_of(m_fields.begin(), m_fields.end(), [](std::string_view f) { return isKnownField(f); });
    if (headerLike && (onlyFieldNames || looksLikeVpcFlowHeader(text))) {
        if (m_isFork)
            return false; // a new layout: read in order
        std::vector<std::string> names(m_fields.begin(), m_fields.end());
        m_table.report().header = names;
        FieldLayout layout = makeLayout(std::move(names));
        layout.headerText = std::string(text);
        layout.description = "custom field order from the header on line " + std::to_string(number) + ", "
            + std::to_string(layout.names.size()) + " fields";
        startLayout(std::move(layout), number);
        return true;
    }
    if (m_layouts.empty()) {
        if (m_isFork)
            return false;
        // No header: the record's version and field count must name one of AWS's own layouts.
        const auto layout = std::find_if(kLayouts.begin(), kLayouts.end(), [&](const Layout& l) {
            return l.fields == m_fields.size() && m_fields[0] == std::to_string(l.version);
        });
        if (layout == kLayouts.end())
            throw InputError(m_file, number, "",
                             "this VPC Flow Log record has " + std::to_string(m_fields.size())
                                 + " fields and no header line names them; records without a header must be in the "
                                   "default format (14 fields, version 2) or hold all fields up to their version "
                                   "(21, 25, 29, 39 or 40 fields for versions 3, 4, 5, 7, 8). For a custom format, add "
                                   "its field names as the first line, as S3 exports have");
        FieldLayout fields = makeLayout(
            std::vector<std::string>(kAllFields.begin(), kAllFields.begin() + static_cast<long>(layout->fields)));
        fields.description = layout->version == 2
            ? std::string("default format, version 2, no header")
            : "all fields of version " + std::to_string(layout->version) + ", no header";
        startLayout(std::move(fields), 0);
    }
    const FieldLayout& layout = m_layouts.back();
    if (m_fields.size() != layout.names.size()) {
        m_table.malformedLine(number, m_fields.size(),
                              "line " + std::to_string(number) + " has " + std::to_string(m_fields.size())
                                  + " fields where the format has " + std::to_string(layout.names.size()));
        return true;
    }
    record(number);
    return true;
}

std::int32_t VpcFlowParser::port(std::size_t slot, std::int64_t line, int maximum)
{
    const std::size_t at = m_layouts.back().slots[slot];
    if (at == std::string::npos || m_fields[at] == "-")
        return -1;
    std::int64_t value = 0;
    if (const char* reason = parseWholeNumber(m_fields[at], 0, maximum, value)) {
        m_table.invalidCell(kSlotNames[slot], line, m_fields[at], reason);
        return -1;
    }
    return static_cast<std::int32_t>(value);
}

std::int64_t VpcFlowParser::number(std::size_t slot, std::int64_t line, std::int64_t maximum)
{
    const std::size_t at = m_layouts.back().slots[slot];
    if (at == std::string::npos || m_fields[at] == "-")
        return kMissingInteger;
    std::int64_t value = 0;
    if (const char* reason = parseWholeNumber(m_fields[at], 0, maximum, value)) {
        m_table.invalidCell(kSlotNames[slot], line, m_fields[at], reason);
        return kMissingInteger;
    }
    return value;
}

void VpcFlowParser::record(std::int64_t number)
{
    const FieldLayout& layout = m_layouts.back();
    auto field = [&](std::size_t slot) -> std::string_view {
        const std::size_t at = layout.slots[slot];
        return at == std::string::npos || m_fields[at] == "-" ? std::string_view() : m_fields[at];
    };
    const std::string_view status = field(SlotStatus);
    if (status == "NODATA" || status == "SKIPDATA"
        || (field(SlotSrcAddr).empty() && field(SlotDstAddr).empty() && field(SlotBytes).empty())) {
        auto& lines = status == "SKIPDATA" ? m_skipData : m_noData;
        (status == "SKIPDATA" ? m_skipDataCount : m_noDataCount)++;
        if (lines.size() < MalformedRows::kKeptLines)
            lines.push_back(number);
        return;
    }
    FlowRecord flow;
    flow.line = static_cast<std::uint32_t>(number);
    flow.layout = static_cast<std::uint32_t>(m_layouts.size() - 1);
    flow.interfaceId = field(SlotInterface).empty() ? 0 : m_table.intern(field(SlotInterface));
    flow.src = field(SlotSrcAddr).empty() ? 0 : m_table.intern(field(SlotSrcAddr));
    flow.dst = field(SlotDstAddr).empty() ? 0 : m_table.intern(field(SlotDstAddr));
    flow.srcPort = port(SlotSrcPort, number, 65535);
    flow.dstPort = port(SlotDstPort, number, 65535);
    flow.protocol = static_cast<std::int16_t>(port(SlotProtocol, number, 255));
    flow.packets = this->number(SlotPackets, number, std::numeric_limits<std::int64_t>::max());
    flow.bytes = this->number(SlotBytes, number, std::numeric_limits<std::int64_t>::max());
    flow.start = this->number(SlotStart, number, kLastEpochSecond);
    flow.end = this->number(SlotEnd, number, kLastEpochSecond);
    if (flow.start != kMissingInteger && flow.end != kMissingInteger && flow.end - flow.start > kLongestInterval) {
        // An interval is at most minutes long: one of the two is damaged, most likely the shorter
        // (a digit lost, as in a truncated line). It is read as missing rather than as decades.
        const bool endShorter = field(SlotEnd).size() < field(SlotStart).size();
        const std::size_t slot = endShorter ? SlotEnd : SlotStart;
        m_table.invalidCell(kSlotNames[slot], number, field(slot),
                            endShorter ? "more than a day after start (a digit lost?)"
                                       : "more than a day before end (a digit lost?)");
        (endShorter ? flow.end : flow.start) = kMissingInteger;
    }
    flow.tcpFlags = static_cast<std::int16_t>(port(SlotTcpFlags, number, 255));
    flow.action = field(SlotAction).empty() ? 0 : m_table.intern(field(SlotAction));
    flow.status = status.empty() ? 0 : m_table.intern(status);
    // The other fields (version, account-id, vpc-id, ...) are mostly those of the record before:
    // then the record shares its run of ids rather than adding its own.
    const std::size_t begin = m_extras.size();
    for (std::size_t at : layout.extraFields)
        m_extras.push_back(m_fields[at] == "-" ? StringPool::kMissing : m_table.intern(m_fields[at]));
    const std::size_t count = layout.extraFields.size();
    if (m_lastExtrasLayout == flow.layout && m_lastExtras + count == begin
        && std::equal(m_extras.begin() + static_cast<std::ptrdiff_t>(begin), m_extras.end(),
                      m_extras.begin() + static_cast<std::ptrdiff_t>(m_lastExtras))) {
        m_extras.resize(begin);
    } else {
        m_lastExtras = begin;
        m_lastExtrasLayout = flow.layout;
    }
    flow.extrasBegin = static_cast<std::uint32_t>(m_lastExtras);
    m_records.push_back(flow);
}

// Pairs each record with the first earlier record of the reverse direction on the same interface
// whose interval overlaps its own. Records wait for their partner in a list per 5-tuple, threaded
// through the records (next[]), the lists found through one open-addressing table whose slot
// names a record carrying the 5-tuple: no allocation per flow (a map of vectors spent a quarter of
// the read in malloc and three times the file's size in memory at a million one-way flows).
void VpcFlowParser::pair()
{
    constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    constexpr std::uint32_t kMaxWaiting = 256; // per 5-tuple: bounds the work on one-way floods
    const std::size_t records = m_records.size();
    if (records >= kNone)
        throw InputError(m_file, 0, "", "the log has more flow records than the workbench can pair (4 294 967 294)");
    struct Waiting {
        std::uint32_t key = kNone; // a record with this 5-tuple; kNone: the slot is free
        std::uint32_t head = kNone; // the oldest record waiting, then next[] in arrival order
        std::uint32_t tail = kNone;
        std::uint32_t count = 0;
    };
    // A third more slots than records (the most 5-tuples there can be), any number of them: a
    // power of two would have doubled the table's memory at the worst sizes.
    const std::size_t capacity = records + records / 3 + 16;
    std::vector<Waiting> table(capacity);
    std::vector<std::uint32_t> next(records, kNone);
    const auto keyOf = [](const FlowRecord& flow, bool reversed) {
        return reversed ? FlowKey{flow.interfaceId, flow.dst, flow.src, flow.dstPort, flow.srcPort, flow.protocol}
                        : FlowKey{flow.interfaceId, flow.src, flow.dst, flow.srcPort, flow.dstPort, flow.protocol};
    };
    // The slot of a 5-tuple: its own, or the free one where it would go.
    const auto slotOf = [&](const FlowKey& key) -> Waiting& {
        const auto high = static_cast<std::uint64_t>(FlowKeyHash{}(key)) >> 32;
        std::size_t slot = static_cast<std::size_t>((high * capacity) >> 32); // below capacity < 2^32
        for (;; slot = slot + 1 == capacity ? 0 : slot + 1) {
            Waiting& entry = table[slot];
            if (entry.key == kNone || keyOf(m_records[entry.key], false) == key)
                return entry;
        }
    };
    for (std::size_t i = 0; i < records; ++i) {
        if ((i & 4095) == 0)
            m_progress.check();
        FlowRecord& flow = m_records[i];
        if (flow.src == 0 || flow.dst == 0)
            continue;
        Waiting& reverse = slotOf(keyOf(flow, true));
        if (reverse.key != kNone) {
            std::uint32_t before = kNone;
            std::uint32_t match = reverse.head;
            while (match != kNone && !overlaps(m_records[match], flow)) {
                before = match;
                match = next[match];
            }
            if (match != kNone) {
                flow.partner = match;
                m_records[match].partner = static_cast<std::uint32_t>(i);
                (before == kNone ? reverse.head : next[before]) = next[match];
                if (reverse.tail == match)
                    reverse.tail = before;
                --reverse.count;
                ++m_pairs;
                continue;
            }
        }
        Waiting& mine = slotOf(keyOf(flow, false));
        if (mine.key == kNone)
            mine.key = static_cast<std::uint32_t>(i);
        if (mine.count == kMaxWaiting) {
            // The oldest half gives up waiting.
            for (std::uint32_t dropped = 0; dropped < kMaxWaiting / 2; ++dropped)
                mine.head = next[mine.head];
            mine.count -= kMaxWaiting / 2;
        }
        const auto index = static_cast<std::uint32_t>(i);
        if (mine.count == 0)
            mine.head = index;
        else
            next[mine.tail] = index;
        mine.tail = index;
        ++mine.count;
    }
}

void VpcFlowParser::emit(const FlowRecord* request, const FlowRecord* reply)
{
    const FlowRecord& any = request ? *request : *reply;
    m_table.addRow(std::min(request ? request->line : reply->line, reply ? reply->line : request->line));
    const std::uint32_t client = request ? request->src : reply->dst;
    const std::uint32_t server = request ? request->dst : reply->src;
    const std::int32_t clientPort = request ? request->srcPort : reply->dstPort;
    const std::int32_t serverPort = request ? request->dstPort : reply->srcPort;
    m_table.setTextId(static_cast<std::size_t>(Field::SrcIp), client);
    m_table.setTextId(static_cast<std::size_t>(Field::DstIp), server);
    if (serverPort >= 0)
        m_table.setInteger(Field::DstPort, serverPort);
    if (clientPort >= 0)
        m_table.setInteger(m_srcPortColumn, clientPort);
    // A direction with no record had no packets on this interface in the interval.
    auto bytesOf = [](const FlowRecord* flow) { return flow ? flow->bytes : 0; };
    auto packetsOf = [](const FlowRecord* flow) { return flow ? flow->packets : 0; };
    m_table.setInteger(Field::BytesIn, bytesOf(request));
    m_table.setInteger(Field::BytesOut, bytesOf(reply));
    if (const std::int64_t packets = packetsOf(request); packets != kMissingInteger)
        m_table.setInteger(m_packetsInColumn, packets);
    if (const std::int64_t packets = packetsOf(reply); packets != kMissingInteger)
        m_table.setInteger(m_packetsOutColumn, packets);
    std::int64_t start = kMissingInteger;
    std::int64_t end = kMissingInteger;
    for (const FlowRecord* flow : {request, reply}) {
        if (!flow)
            continue;
        if (flow->start != kMissingInteger && (start == kMissingInteger || flow->start < start))
            start = flow->start;
        if (flow->end != kMissingInteger && (end == kMissingInteger || flow->end > end))
            end = flow->end;
    }
    if (start != kMissingInteger) {
        m_table.setInteger(Field::CreationTime, start * kMicrosPerSecond);
        m_table.setInteger(Field::Time, start * kMicrosPerSecond);
    }
    if (end != kMissingInteger)
        m_table.setInteger(Field::EndTime, end * kMicrosPerSecond);
    if (any.protocol >= 0) {
        // The same few names on every row: interned once each.
        std::uint32_t& id = m_protocolIds[static_cast<std::size_t>(any.protocol)];
        if (id == StringPool::kMissing)
            id = m_table.intern(ipProtocolName(any.protocol));
        m_table.setTextId(static_cast<std::size_t>(Field::Protocol), id);
    }
    if (m_directionIds[0] == StringPool::kMissing) {
        m_metaId = m_table.intern("AWS_VPC_Flow");
        m_directionIds = {m_table.intern("both"), m_table.intern("client to server"),
                          m_table.intern("server to client")};
    }
    m_table.setTextId(static_cast<std::size_t>(Field::SourceMeta), m_metaId);
    m_table.setTextId(static_cast<std::size_t>(Field::SourceName), any.interfaceId);
    m_table.setTextId(m_directionColumn, m_directionIds[request && reply ? 0 : request ? 1 : 2]);
    // Per-direction values: one when both agree, "client-to-server/server-to-client" when not.
    auto both = [&](std::uint32_t a, std::uint32_t b) -> std::uint32_t {
        if (a == b || b == 0)
            return a;
        if (a == 0)
            return b;
        return m_table.intern(std::string(m_table.text(a)) + "/" + std::string(m_table.text(b)));
    };
    m_table.setTextId(m_actionColumn, both(request ? request->action : 0, reply ? reply->action : 0));
    m_table.setTextId(m_statusColumn, both(request ? request->status : 0, reply ? reply->status : 0));
    if (m_haveTcpFlags) {
        std::int64_t flags = -1;
        for (const FlowRecord* flow : {request, reply}) {
            if (flow && flow->tcpFlags >= 0)
                flags = std::max<std::int64_t>(flags, 0) | flow->tcpFlags;
        }
        if (flags >= 0)
            m_table.setInteger(m_tcpFlagsColumn, flags);
    }
    // Other fields: the client-to-server record's when there is one.
    const FieldLayout& layout = m_layouts[any.layout];
    for (std::size_t k = 0; k < layout.extraColumns.size(); ++k)
        m_table.setTextId(layout.extraColumns[k], m_extras[any.extrasBegin + k]);
}

// Which of a record's two addresses is the server: the lower port's side; with equal or missing
// ports, undecided.
int serverSide(const FlowRecord& flow) noexcept // 1: dst is the server, -1: src is, 0: undecided
{
    if (flow.srcPort < 0 || flow.dstPort < 0 || flow.srcPort == flow.dstPort)
        return 0;
    return flow.dstPort < flow.srcPort ? 1 : -1;
}

ReadResult VpcFlowParser::finish(std::int64_t lines, std::uint64_t bytes)
{
    if (m_layouts.empty())
        throw InputError(m_file, 0, "", "the file is empty: expected VPC Flow Log records");
    pair();
    m_table.reserve(m_records.size() - m_pairs);
    for (std::size_t i = 0; i < m_records.size(); ++i) {
        if ((i & (FlowRecords::kChunk - 1)) == 0)
            m_records.releaseBefore(i); // a partner always comes after the record that names it
        const FlowRecord& flow = m_records[i];
        if (flow.partner != kNoPartner && flow.partner < i)
            continue; // emitted with its partner
        if (flow.partner == kNoPartner) {
            if (serverSide(flow) >= 0)
                emit(&flow, nullptr);
            else
                emit(nullptr, &flow);
            continue;
        }
        const FlowRecord& other = m_records[flow.partner];
        int side = serverSide(flow);
        if (side == 0) {
            // Equal ports (ICMP has none): the side that started first is the client.
            side = (flow.start == kMissingInteger || other.start == kMissingInteger || flow.start <= other.start) ? 1
                                                                                                                  : -1;
        }
        if (side > 0)
            emit(&flow, &other);
        else
            emit(&other, &flow);
    }
    ReadReport& report = m_table.report();
    report.format = "AWS VPC Flow Logs (" + m_layouts.front().description + ")";
    report.expectedFields = m_layouts.front().names.size();
    if (report.header.empty())
        report.header = m_layouts.front().names;
    report.recordsWithoutTraffic = m_noDataCount + m_skipDataCount;
    auto list = [](const std::vector<std::int64_t>& numbers, std::size_t count) {
        std::string text;
        for (std::int64_t n : numbers)
            text += (text.empty() ? "" : ", ") + std::to_string(n);
        return text + (count > numbers.size() ? ", ..." : "");
    };
    if (m_noDataCount > 0)
        report.warnings.push_back(
            std::to_string(m_noDataCount)
            + " NODATA record(s) (no traffic on the interface in the interval) are not rows: line(s) "
            + list(m_noData, m_noDataCount));
    if (m_skipDataCount > 0)
        report.warnings.push_back(std::to_string(m_skipDataCount)
                                  + " SKIPDATA record(s): AWS skipped flow records in these intervals, so traffic is "
                                    "missing from the log; line(s) "
                                  + list(m_skipData, m_skipDataCount));
    if (m_repeatedHeaders > 0)
        report.warnings.push_back(std::to_string(m_repeatedHeaders) + " repeated header line(s) skipped");
    report.warnings.push_back(std::to_string(m_records.size()) + " flow record(s) became "
                              + std::to_string(m_table.rowCount()) + " session row(s): " + std::to_string(m_pairs)
                              + " pair(s) of opposite directions joined; the client is src_ip, the server dst_ip");
    if (m_records.empty() && report.malformed.count > 0)
        throw InputError(m_file, report.malformed.firstLines.front(), "",
                         "no line of the file is a usable VPC Flow Log record ("
                             + std::to_string(report.malformed.count) + " line(s) have the wrong number of fields)");
    return m_table.finish(lines, bytes, "VPC Flow Log records of the format");
}

} // namespace

std::string ipProtocolName(int number)
{
    switch (number) {
    case 1:
        return "ICMP";
    case 2:
        return "IGMP";
    case 4:
        return "IPv4";
    case 6:
        return "TCP";
    case 17:
        return "UDP";
    case 41:
        return "IPv6";
    case 47:
        return "GRE";
    case 50:
        return "ESP";
    case 51:
        return "AH";
    case 58:
        return "ICMPv6";
    case 89:
        return "OSPF";
    case 132:
        return "SCTP";
    default:
        return std::to_string(number);
    }
}

bool looksLikeVpcFlowHeader(std::string_view line) noexcept
{
    std::vector<std::string_view> fields;
    splitBlanks(line, fields);
    if (fields.size() < 3)
        return false;
    bool src = false;
    bool dst = false;
    std::size_t known = 0;
    for (std::string_view field : fields) {
        const std::string key = normaliseFieldName(field);
        src |= key == "srcaddr";
        dst |= key == "dstaddr";
        known += isKnownField(field);
    }
    // Every name known, or both addresses named among mostly known names (newer fields may follow).
    return known == fields.size() ? (src || dst) : (src && dst && known * 4 >= fields.size() * 3);
}

bool looksLikeVpcFlowRecord(std::string_view line) noexcept
{
    std::vector<std::string_view> fields;
    splitBlanks(line, fields);
    const bool knownLayout = std::any_of(kLayouts.begin(), kLayouts.end(), [&](const Layout& l) {
        return l.fields == fields.size() && fields[0].size() == 1 && fields[0][0] == char('0' + l.version);
    });
    if (!knownLayout)
        return false;
    auto addressOrDash = [](std::string_view text) { return text == "-" || isIpAddress(text); };
    auto numberOrDash = [](std::string_view text) { return text == "-" || isDigits(text); };
    return addressOrDash(fields[3]) && addressOrDash(fields[4]) && numberOrDash(fields[10]) && numberOrDash(fields[11]);
}

ReadResult readVpcFlowLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                          const ReadOptions& options, const Progress& progress)
{
    VpcFlowParser parser(file, progress);
    return readLogLinesInPieces(read, fraction, file, options, progress, "VPC Flow Logs", parser,
                                [&](std::int64_t lines, std::uint64_t bytes) { return parser.finish(lines, bytes); });
}

} // namespace webthreat

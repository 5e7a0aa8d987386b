#include "core/stream/streamsummary.h"

#include "core/util/errors.h"
#include "core/util/hash.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace webthreat {

void StreamSummaryParams::validate() const
{
    if (suspiciousRows < 1)
        throw ParameterError("the streaming summary must keep at least 1 suspicious row");
    if (sampleRows < 1)
        throw ParameterError("the streaming summary's sample must hold at least 1 row");
}

namespace {

constexpr Instant kSecond = 1000000;
constexpr std::array<Instant, 4> kTimeGrains{kSecond, 60 * kSecond, 3600 * kSecond, 86400 * kSecond};

Instant floorDivide(Instant value, Instant divisor) noexcept
{
    const Instant quotient = value / divisor;
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

// An empty table with from's columns (names and kinds) and a pool of its own.
TrafficTable emptyLike(const TrafficTable& from)
{
    TrafficTable table;
    table.columns.clear();
    for (const Column& column : from.columns)
        table.columns.push_back(Column{column.name, column.kind, {}, {}, {}});
    return table;
}

// Appends from's rows (in the order given) to into, re-interning text in into's pool.
void appendRows(TrafficTable& into, const TrafficTable& from, const std::vector<std::uint32_t>& rows)
{
    std::vector<std::uint32_t> idOf(from.strings ? from.strings->size() : 1, std::numeric_limits<std::uint32_t>::max());
    idOf[StringPool::kMissing] = StringPool::kMissing;
    for (std::size_t c = 0; c < into.columns.size() && c < from.columns.size(); ++c) {
        const Column& source = from.columns[c];
        Column& target = into.columns[c];
        if (source.released) {
            target.resize(target.size() + rows.size());
            continue;
        }
        for (std::uint32_t row : rows) {
            if (source.kind == ColumnKind::Text) {
                std::uint32_t& id = idOf[source.text[row]];
                if (id == std::numeric_limits<std::uint32_t>::max())
                    id = into.strings->intern(from.strings->view(source.text[row]));
                target.text.push_back(id);
            } else if (source.kind == ColumnKind::Real) {
                target.reals.push_back(source.reals[row]);
            } else {
                target.integers.push_back(source.integers[row]);
            }
        }
    }
    for (std::uint32_t row : rows)
        into.sourceLines.push_back(from.sourceLines[row]);
}

// The cap rows with the smallest keys seen, kept as table rows: candidates are appended and the
// table is cut back to cap when it reaches twice that.
struct KeptRows {
    std::size_t cap = 0;
    TrafficTable table;
    bool started = false;
    std::vector<double> keys, scores;
    std::vector<std::uint64_t> rowIds;
    double bound = std::numeric_limits<double>::infinity(); // keys at or above it cannot be kept

    void offer(const TrafficTable& chunk, const std::vector<double>& chunkKeys, const std::vector<double>& chunkScores,
               std::uint64_t firstRow)
    {
        std::vector<std::uint32_t> taken;
        for (std::size_t row = 0; row < chunkKeys.size(); ++row) {
            if (chunkKeys[row] < bound)
                taken.push_back(static_cast<std::uint32_t>(row));
        }
        if (taken.empty())
            return;
        if (!started)
            table = emptyLike(chunk), started = true;
        appendRows(table, chunk, taken);
        for (std::uint32_t row : taken) {
            keys.push_back(chunkKeys[row]);
            scores.push_back(chunkScores[row]);
            rowIds.push_back(firstRow + row);
        }
        if (keys.size() >= 2 * cap)
            compact();
    }
    // Keeps the cap smallest keys (ties by row), in file order.
    void compact()
    {
        if (keys.size() <= cap)
            return;
        std::vector<std::uint32_t> order(keys.size());
        std::iota(order.begin(), order.end(), 0u);
        const auto smaller = [&](std::uint32_t a, std::uint32_t b) {
            return keys[a] < keys[b] || (keys[a] == keys[b] && rowIds[a] < rowIds[b]);
        };
        std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(cap - 1), order.end(), smaller);
        bound = keys[order[cap - 1]];
        order.resize(cap);
        // Rows with the bound's own key stay only when kept here; later ones with it are not taken.
        std::sort(order.begin(), order.end());
        TrafficTable kept = emptyLike(table);
        appendRows(kept, table, order);
        table = std::move(kept);
        std::vector<double> k, s;
        std::vector<std::uint64_t> r;
        for (std::uint32_t i : order)
            k.push_back(keys[i]), s.push_back(scores[i]), r.push_back(rowIds[i]);
        keys.swap(k), scores.swap(s), rowIds.swap(r);
    }
};

struct SourceTotals {
    std::uint64_t sessions = 0, bytesIn = 0, bytesOut = 0;
    Instant firstSeen = kMissingInteger, lastSeen = kMissingInteger;
    double lowestScore = std::numeric_limits<double>::quiet_NaN();
    std::unordered_map<std::uint32_t, std::uint64_t> countries; // by id in the summary's country pool
    std::unordered_map<std::int64_t, std::uint64_t> ports;
};

} // namespace

struct StreamSummary::Impl {
    StreamSummaryParams params;
    KeptRows suspicious, sample;
    std::unordered_map<std::string, SourceTotals> sources;
    StringPool countryNames;
    std::unordered_map<std::string, std::uint64_t> protocolRows;
    std::unordered_map<std::int64_t, std::uint64_t> portRows;
    // Timeline: exact span and common step, counts per key of grain.
    Instant first = kMissingInteger, last = kMissingInteger, anchor = kMissingInteger, step = 0;
    std::size_t grain = 0; // index in kTimeGrains
    std::unordered_map<Instant, std::pair<std::uint64_t, std::uint64_t>> perKey; // sessions, bytes
    std::size_t missingTimestamps = 0;
    std::vector<std::uint64_t> scoreBins = std::vector<std::uint64_t>(StreamView::kScoreBins, 0);
    std::uint64_t rows = 0;

    void addSources(const TrafficTable& table, const std::vector<double>& scores);
    void addTimes(const TrafficTable& table);
    void coarsen();
};

StreamSummary::StreamSummary(StreamSummaryParams params)
    : m(std::make_unique<Impl>())
{
    params.validate();
    m->params = params;
    m->suspicious.cap = params.suspiciousRows;
    m->sample.cap = params.sampleRows;
}

StreamSummary::~StreamSummary() = default;

void StreamSummary::Impl::addSources(const TrafficTable& table, const std::vector<double>& scores)
{
    const std::size_t distinct = table.strings ? table.strings->size() : 1;
    std::vector<SourceTotals*> totalsOf(distinct, nullptr);
    std::vector<std::uint32_t> countryOf(distinct, std::numeric_limits<std::uint32_t>::max());
    const auto& src = table.column(Field::SrcIp).text;
    const auto& country = table.column(Field::SrcIpCountryCode).text;
    const auto& port = table.column(Field::DstPort).integers;
    const auto& protocol = table.column(Field::Protocol).text;
    std::vector<std::uint64_t> protocolCounts(distinct, 0);
    const auto& in = table.column(Field::BytesIn).integers;
    const auto& out = table.column(Field::BytesOut).integers;
    const auto& created = table.column(Field::CreationTime).integers;
    for (std::size_t row = 0; row < scores.size(); ++row) {
        SourceTotals*& totals = totalsOf[src[row]];
        if (!totals)
            totals = &sources[std::string(table.strings->view(src[row]))];
        ++totals->sessions;
        if (in[row] != kMissingInteger && in[row] > 0)
            totals->bytesIn += static_cast<std::uint64_t>(in[row]);
        if (out[row] != kMissingInteger && out[row] > 0)
            totals->bytesOut += static_cast<std::uint64_t>(out[row]);
        if (created[row] != kMissingInteger) {
            totals->firstSeen = totals->firstSeen == kMissingInteger ? created[row] : std::min(totals->firstSeen, created[row]);
            totals->lastSeen = std::max(totals->lastSeen, created[row]);
        }
        if (!(scores[row] >= totals->lowestScore))
            totals->lowestScore = std::isnan(totals->lowestScore) ? scores[row] : std::min(totals->lowestScore, scores[row]);
        if (country[row] != StringPool::kMissing) {
            std::uint32_t& id = countryOf[country[row]];
            if (id == std::numeric_limits<std::uint32_t>::max())
                id = countryNames.intern(table.strings->view(country[row]));
            ++totals->countries[id];
        }
        if (port[row] != kMissingInteger) {
            ++totals->ports[port[row]];
            ++portRows[port[row]];
        }
        ++protocolCounts[protocol[row]];
    }
    for (std::size_t id = 1; id < distinct; ++id) {
        if (protocolCounts[id] > 0)
            protocolRows[std::string(table.strings->view(static_cast<std::uint32_t>(id)))] += protocolCounts[id];
    }
}

void StreamSummary::Impl::coarsen()
{
    while (perKey.size() > kMaxTimeKeys && grain + 1 < kTimeGrains.size()) {
        const Instant from = kTimeGrains[grain], to = kTimeGrains[++grain];
        std::unordered_map<Instant, std::pair<std::uint64_t, std::uint64_t>> coarser;
        for (const auto& entry : perKey) {
            auto& counts = coarser[floorDivide(entry.first * from, to)];
            counts.first += entry.second.first;
            counts.second += entry.second.second;
        }
        perKey.swap(coarser);
    }
}

void StreamSummary::Impl::addTimes(const TrafficTable& table)
{
    const auto& created = table.column(Field::CreationTime).integers;
    const auto& in = table.column(Field::BytesIn).integers;
    const auto& out = table.column(Field::BytesOut).integers;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        const Instant instant = created[row];
        if (instant == kMissingInteger) {
            ++missingTimestamps;
            continue;
        }
        if (anchor == kMissingInteger) {
            anchor = first = last = instant;
        } else {
            first = std::min(first, instant);
            last = std::max(last, instant);
            if (step != 1)
                step = std::gcd(step, instant > anchor ? instant - anchor : anchor - instant);
        }
        auto& counts = perKey[floorDivide(instant, kTimeGrains[grain])];
        ++counts.first;
        if (in[row] != kMissingInteger && in[row] > 0)
            counts.second += static_cast<std::uint64_t>(in[row]);
        if (out[row] != kMissingInteger && out[row] > 0)
            counts.second += static_cast<std::uint64_t>(out[row]);
    }
    coarsen();
}

void StreamSummary::add(const TrafficTable& table, const std::vector<double>& scores, std::uint64_t firstRow,
                        const std::vector<std::uint8_t>* allowed)
{
    if (scores.size() != table.rowCount())
        throw ParameterError("the streaming summary needs one score per row");
    if (allowed && allowed->size() != scores.size())
        throw ParameterError("the streaming summary needs the allow-list's match of every row");
    m->rows += scores.size();
    for (double score : scores) {
        const double position = std::clamp((score + 1.0) * static_cast<double>(StreamView::kScoreBins), 0.0,
                                           static_cast<double>(StreamView::kScoreBins - 1));
        ++m->scoreBins[static_cast<std::size_t>(position)];
    }
    if (allowed) { // a row a rule matches is never suspicious: its key is past every bound
        std::vector<double> keys(scores);
        for (std::size_t row = 0; row < keys.size(); ++row) {
            if ((*allowed)[row])
                keys[row] = std::numeric_limits<double>::infinity();
        }
        m->suspicious.offer(table, keys, scores, firstRow);
    } else {
        m->suspicious.offer(table, scores, scores, firstRow);
    }
    std::vector<double> keys(scores.size());
    for (std::size_t row = 0; row < keys.size(); ++row)
        keys[row] = static_cast<double>(mix64(m->params.seed ^ mix64(firstRow + row + 1)) >> 11) * 0x1.0p-53;
    m->sample.offer(table, keys, scores, firstRow);
    m->addSources(table, scores);
    m->addTimes(table);
}

namespace {

// The timeline buildTimeline makes for a file with these instants: it is fed a table of three rows
// with the same span and common step, then the kept counts are put in its buckets.
Timeline timelineOf(Instant first, Instant last, Instant step, std::size_t missing, Instant grain,
                    const std::unordered_map<Instant, std::pair<std::uint64_t, std::uint64_t>>& perKey, bool& exact)
{
    TrafficTable shape;
    std::vector<Instant> instants;
    if (first != kMissingInteger) {
        instants = {first, last};
        if (step > 0 && step < last - first)
            instants.push_back(first + step);
    }
    for (Column& column : shape.columns)
        column.resize(instants.size());
    shape.sourceLines.assign(instants.size(), 1);
    shape.column(Field::CreationTime).integers = instants;
    Timeline timeline = buildTimeline(shape);
    timeline.missingTimestamps = missing;
    std::fill(timeline.sessions.begin(), timeline.sessions.end(), 0);
    std::fill(timeline.bytes.begin(), timeline.bytes.end(), 0);
    exact = timeline.width.micros % grain == 0 && timeline.start % grain == 0;
    for (const auto& entry : perKey) {
        std::size_t bucket = timeline.bucketOf(std::max(entry.first * grain, first));
        bucket = std::min(bucket, timeline.bucketCount() - 1);
        timeline.sessions[bucket] += entry.second.first;
        timeline.bytes[bucket] += entry.second.second;
    }
    return timeline;
}

} // namespace

StreamView StreamSummary::finish(double threshold, std::uint64_t suspiciousTotal)
{
    StreamView view;
    view.rowsScored = m->rows;
    view.suspiciousTotal = suspiciousTotal;
    view.scoreBins = m->scoreBins;
    view.suspiciousScoreBins.assign(StreamView::kScoreBins, 0);
    KeptRows& suspicious = m->suspicious;
    suspicious.compact();
    std::vector<std::uint32_t> suspiciousRows;
    for (std::uint32_t i = 0; i < suspicious.scores.size(); ++i) {
        if (suspicious.scores[i] < threshold)
            suspiciousRows.push_back(i);
    }
    std::sort(suspiciousRows.begin(), suspiciousRows.end(), [&](std::uint32_t a, std::uint32_t b) {
        return suspicious.scores[a] < suspicious.scores[b]
            || (suspicious.scores[a] == suspicious.scores[b] && suspicious.rowIds[a] < suspicious.rowIds[b]);
    });
    view.suspiciousComplete = suspiciousRows.size() >= suspiciousTotal;
    std::unordered_set<std::uint64_t> shownIds;
    KeptRows& sample = m->sample;
    sample.compact();
    const TrafficTable& shape = suspicious.started ? suspicious.table : sample.table;
    view.table = emptyLike(shape);
    if (suspicious.started)
        appendRows(view.table, suspicious.table, suspiciousRows);
    for (std::uint32_t i : suspiciousRows) {
        view.scores.push_back(suspicious.scores[i]);
        shownIds.insert(suspicious.rowIds[i]);
    }
    view.suspiciousShown = suspiciousRows.size();
    std::vector<std::uint32_t> sampleRows;
    for (std::uint32_t i = 0; i < sample.rowIds.size(); ++i) {
        if (!shownIds.count(sample.rowIds[i]))
            sampleRows.push_back(i); // file order (compact keeps it)
    }
    if (sample.started)
        appendRows(view.table, sample.table, sampleRows);
    for (std::uint32_t i : sampleRows)
        view.scores.push_back(sample.scores[i]);
    view.sampleShown = sampleRows.size();

    view.timeline = timelineOf(m->first, m->last, m->step, m->missingTimestamps, kTimeGrains[m->grain], m->perKey,
                               view.timelineExact);
    view.timelineSuspicious.assign(view.timeline.bucketCount(), 0);
    std::unordered_map<std::string, std::uint64_t> suspiciousBySource;
    const auto& created = view.table.column(Field::CreationTime).integers;
    for (std::size_t row = 0; row < view.suspiciousShown; ++row) {
        ++suspiciousBySource[std::string(view.table.text(Field::SrcIp, row))];
        const double position = std::clamp((view.scores[row] + 1.0) * static_cast<double>(StreamView::kScoreBins), 0.0,
                                           static_cast<double>(StreamView::kScoreBins - 1));
        ++view.suspiciousScoreBins[static_cast<std::size_t>(position)];
        if (created[row] != kMissingInteger && view.timeline.bucketCount() > 0)
            ++view.timelineSuspicious[std::min(view.timeline.bucketOf(created[row]), view.timeline.bucketCount() - 1)];
    }
    for (auto& entry : m->sources) {
        SourceTotals& totals = entry.second;
        StreamSource source;
        source.srcIp = entry.first;
        source.sessions = totals.sessions;
        source.bytesIn = totals.bytesIn;
        source.bytesOut = totals.bytesOut;
        source.firstSeen = totals.firstSeen;
        source.lastSeen = totals.lastSeen;
        source.lowestScore = totals.lowestScore;
        const auto found = suspiciousBySource.find(entry.first);
        source.suspicious = found == suspiciousBySource.end() ? 0 : found->second;
        std::vector<std::pair<std::uint64_t, std::string>> countries;
        for (const auto& country : totals.countries)
            countries.emplace_back(country.second, std::string(m->countryNames.view(country.first)));
        std::sort(countries.begin(), countries.end(), [](const auto& a, const auto& b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        source.countryCount = static_cast<std::uint32_t>(countries.size());
        for (std::size_t i = 0; i < countries.size() && i < 3; ++i)
            source.topCountries[i] = countries[i].second;
        std::vector<std::pair<std::uint64_t, std::int64_t>> ports;
        for (const auto& port : totals.ports)
            ports.emplace_back(port.second, port.first);
        std::sort(ports.begin(), ports.end(), [](const auto& a, const auto& b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        source.portCount = static_cast<std::uint32_t>(ports.size());
        for (std::size_t i = 0; i < ports.size() && i < 3; ++i)
            source.topPorts[i] = ports[i].second;
        for (const auto& country : totals.countries)
            view.countryRows[std::string(m->countryNames.view(country.first))] += country.second;
        view.sources.push_back(std::move(source));
    }
    view.protocolRows = m->protocolRows;
    view.portRows = m->portRows;
    std::sort(view.sources.begin(), view.sources.end(), [](const StreamSource& a, const StreamSource& b) {
        return a.sessions > b.sessions || (a.sessions == b.sessions && a.srcIp < b.srcIp);
    });
    return view;
}

} // namespace webthreat

#include "core/output/export.h"

#include "core/output/atomicfile.h"
#include "core/context/contextreport.h"
#include "core/io/csvsniffer.h"
#include "core/output/json_internal.h"
#include "core/analysis/evaluation.h"
#include "core/behaviour/behaviour.h"
#include "core/detect/explain.h"
#include "core/model/modelfile.h"
#include "core/util/format.h"
#include "core/util/log.h"
#include "core/util/orderedblocks.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <cstdio>
#include <cstring>

namespace webthreat {

namespace {
// A spreadsheet runs a cell that starts so (CSV injection): such a cell is written after a quote.
constexpr bool startsFormula(std::string_view cell) noexcept
{
    if (cell.empty())
        return false;
    const char first = cell.front();
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

// A CSV reader would split the cell or trim it: it is written in quotes.
constexpr bool needsQuotes(std::string_view cell) noexcept
{
    if (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '))
        return true;
    for (char c : cell) {
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return true;
    }
    return false;
}
} // namespace

std::string neutraliseFormula(std::string_view cell)
{
    return startsFormula(cell) ? "'" + std::string(cell) : std::string(cell);
}

void appendSafeCsvField(std::string& out, std::string_view cell)
{
    if (startsFormula(cell))
        appendCsvField(out, neutraliseFormula(cell));
    else
        appendCsvField(out, cell);
}

void appendCsvField(std::string& out, std::string_view cell)
{
    if (!needsQuotes(cell)) {
        out.append(cell);
        return;
    }
    out.push_back('"');
    for (char c : cell) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

namespace {
// The detector features beyond the two engineered columns every scored CSV has (the categorical
// and per-source ones the analyst chose), so the file shows what the forest saw.
std::vector<Feature> extraScoredFeatures(const Analysis& analysis)
{
    std::vector<Feature> extra;
    if (!analysis.detection)
        return extra;
    for (Feature feature : analysis.detection->params.features) {
        // country_mismatch is among the enrichment's own columns already.
        if (featureInfo(feature).group != FeatureGroup::Notebook && feature != Feature::CountryMismatch)
            extra.push_back(feature);
    }
    return extra;
}
// A cell's text is written as it is unless a CSV reader would split it (comma, quote, line break,
// an edge space) or a spreadsheet would run it (a formula's first character).
constexpr bool plainCsvText(std::string_view text) noexcept
{
    return !startsFormula(text) && !needsQuotes(text);
}

// Whether each of the pool's texts is written as it is (plainCsvText), worked out once on every
// thread: most cells repeat a text (a country, a protocol, a rule name), and the formatting then
// reads a byte instead of scanning the cell again for each row.
std::vector<std::uint8_t> plainTexts(const StringPool& strings, unsigned threads)
{
    std::vector<std::uint8_t> plain(strings.size(), 1);
    constexpr std::size_t kTask = 65536;
    parallelFor((plain.size() + kTask - 1) / kTask, threads, [&](std::size_t task) {
        const std::size_t end = std::min(plain.size(), (task + 1) * kTask);
        for (std::size_t id = std::max<std::size_t>(1, task * kTask); id < end; ++id)
            plain[id] = plainCsvText(strings.view(static_cast<std::uint32_t>(id))) ? 1 : 0;
    });
    return plain;
}

// A row's text gathered in a small array and appended to the block's string once, rather than a
// std::string::append (a call, a capacity check, a terminator) for each cell and comma: that was a
// fifth of the formatting's time. A text longer than the array goes straight to the string.
class RowText {
public:
    explicit RowText(std::string& out) : m_out(out) {}
    RowText(const RowText&) = delete;
    RowText& operator=(const RowText&) = delete;
    ~RowText() { flush(); }

    void put(char c)
    {
        if (m_used == kSize)
            flush();
        m_local[m_used++] = c;
    }
    void put(std::string_view text)
    {
        if (text.size() > kSize - m_used) {
            flush();
            if (text.size() > kSize) {
                m_out.append(text);
                return;
            }
        }
        std::memcpy(m_local + m_used, text.data(), text.size());
        m_used += text.size();
    }
    // Room for n more characters (n <= 64): write them at the pointer, then say where they end.
    char* room(std::size_t n)
    {
        if (n > kSize - m_used)
            flush();
        return m_local + m_used;
    }
    void wrote(const char* end) { m_used = static_cast<std::size_t>(end - m_local); }
    // The string itself, for a cell written by a std::string appender (a quoted one: rare).
    std::string& string()
    {
        flush();
        return m_out;
    }

private:
    void flush()
    {
        m_out.append(m_local, m_used);
        m_used = 0;
    }
    static constexpr std::size_t kSize = 1024;
    std::string& m_out;
    std::size_t m_used = 0;
    char m_local[kSize];
};

// A number in its shortest exact form; NaN (missing) leaves the cell empty. std::to_chars takes
// about 450 instructions a double, and most of the scored CSV's numbers repeat (a frequency
// feature's few shares, whole-second durations, a beacon score of 0): each formatting thread keeps
// the texts of the last numbers it wrote in a small table by the value's bits, which the scores,
// each one of its own, pass through at the cost of a store.
void appendNumber(RowText& text, double value)
{
    if (std::isnan(value))
        return;
    struct Entry {
        std::uint64_t bits;
        std::uint8_t length; // 0: empty (to_chars writes at least one character)
        char text[23];
    };
    static_assert(sizeof(Entry) == 32);
    static thread_local Entry recent[1024]; // 32 KiB a thread
    const auto bits = std::bit_cast<std::uint64_t>(value);
    Entry& entry = recent[(bits * 0x9E3779B97F4A7C15ull) >> 54];
    if (entry.length != 0 && entry.bits == bits) {
        text.put(std::string_view(entry.text, entry.length));
        return;
    }
    char* at = text.room(32);
    char* end = std::to_chars(at, at + 32, value).ptr;
    text.wrote(end);
    const auto length = static_cast<std::size_t>(end - at);
    if (length <= sizeof entry.text) {
        entry.bits = bits;
        entry.length = static_cast<std::uint8_t>(length);
        std::memcpy(entry.text, at, length);
    }
}

// The row's cells of the table's own columns, comma-separated, as the scored CSV writes them.
// plain: plainTexts of the table's strings, or null to look at each text cell.
void appendTableCells(RowText& text, const TrafficTable& table, std::size_t row, const std::uint8_t* plain)
{
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c > 0)
            text.put(',');
        const Column& column = table.columns[c];
        // A missing cell stays empty; tested here, per kind, rather than through Column::isMissing,
        // a call per cell that was a tenth of the formatting's time.
        switch (column.kind) {
        case ColumnKind::Integer: {
            const std::int64_t value = column.integers[row];
            if (value == kMissingInteger)
                break;
            char* at = text.room(24);
            text.wrote(std::to_chars(at, at + 24, value).ptr);
            break;
        }
        case ColumnKind::Timestamp: {
            const std::int64_t value = column.integers[row];
            if (value == kMissingInteger)
                break;
            char* at = text.room(48);
            text.wrote(at + formatTimestamp(value, at));
            break;
        }
        case ColumnKind::Text: {
            const std::uint32_t id = column.text[row];
            if (id == StringPool::kMissing)
                break;
            const std::string_view cell = table.strings->view(id);
            if (plain ? plain[id] != 0 : plainCsvText(cell))
                text.put(cell);
            else
                appendSafeCsvField(text.string(), cell);
            break;
        }
        case ColumnKind::Real:
            appendNumber(text, column.reals[row]); // NaN (missing) appends nothing
            break;
        }
    }
}
// With enrichment: the database's answer for both addresses and whether the countries disagree
// (the file's own src_ip_country_code stays where it is, among the table's columns).
constexpr const char* kEnrichmentColumns[]
    = {"src_asn", "src_as_org", "src_country", "src_network_flags", "dst_asn", "dst_as_org", "dst_country",
       "dst_network_flags", "country_mismatch"};

void appendContextCells(std::string& buffer, const Enrichment& enrichment, const AddressContext& context)
{
    buffer.push_back(',');
    if (context.asn != 0) {
        char number[16];
        auto [end, error] = std::to_chars(number, number + sizeof number, context.asn);
        (void)error;
        buffer.append(number, end);
    }
    buffer.push_back(',');
    appendSafeCsvField(buffer, enrichment.organisation(context));
    buffer.push_back(',');
    buffer.append(context.countryCode());
    buffer.push_back(',');
    buffer.append(networkFlagsText(context.flags));
}

void appendEnrichmentCells(std::string& buffer, const Enrichment& enrichment, const TrafficTable& table,
                           std::size_t row)
{
    appendContextCells(buffer, enrichment, enrichment.source(table, row));
    appendContextCells(buffer, enrichment, enrichment.destination(table, row));
    buffer.append(enrichment.countryMismatch(table, row) ? ",1" : ",0");
}

// The scored CSV's header line, each name quoted as a cell would be.
// The cells after the engineered columns that both writers share: the extra features' values,
// the score and the verdict.
template <typename Values>
void appendScoreCells(RowText& text, const std::vector<Values>& extraValues, std::size_t row, double score,
                      bool suspicious)
{
    for (const Values& values : extraValues) {
        text.put(',');
        appendNumber(text, values[row]);
    }
    text.put(',');
    appendNumber(text, score);
    text.put(',');
    text.put(suspicious ? kSuspiciousLabel : kNormalLabel);
}

// The cells after the explanation that both writers share: whether an allow-list rule made the row
// normal (with one) and the threat lists the row's addresses are on (with lists).
void appendTriageCells(RowText& text, const Analysis& analysis, const std::vector<std::uint8_t>* suppressedRows,
                       std::size_t row, double score)
{
    if (suppressedRows)
        text.put((*suppressedRows)[row] && score < analysis.verdicts.threshold ? ",1" : ",0");
    if (analysis.threatMatches) {
        text.put(',');
        if (const std::uint64_t set = analysis.threatMatches->row(row))
            appendSafeCsvField(text.string(), analysis.threatMatches->names(set));
    }
}

void writeCsvHeader(AtomicFile& file, const std::vector<std::string>& names)
{
    std::string line;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            line.push_back(',');
        appendCsvField(line, names[i]);
    }
    line.push_back('\n');
    file.write(line);
}
} // namespace

std::vector<std::string> scoredCsvHeader(const Analysis& analysis)
{
    std::vector<std::string> header;
    for (const Column& column : analysis.data->table.columns)
        header.push_back(column.name);
    if (analysis.data->features.enrichment)
        header.insert(header.end(), std::begin(kEnrichmentColumns), std::end(kEnrichmentColumns));
    header.insert(header.end(), {"session_duration", "avg_packet_size", "beacon_score"});
    for (Feature feature : extraScoredFeatures(analysis))
        header.emplace_back(featureInfo(feature).name);
    header.insert(header.end(), {"anomaly_score", "anomaly_label"});
    header.insert(header.end(), {"top_feature", "top_feature_share", "explanation"});
    // With an allow-list: 1 where a rule moved a row below the threshold to Normal.
    if (analysis.suppression)
        header.emplace_back("suppressed");
    // With threat lists: the lists the row's src_ip or dst_ip is on, names joined by ';'.
    if (analysis.threatMatches)
        header.emplace_back("threat_lists");
    return header;
}

std::string explanationCells(const RowExplanation& explanation)
{
    std::string cells;
    char share[64];
    const bool credited = !explanation.features.empty() && explanation.features.front().credit > 0.0;
    cells.push_back(',');
    if (credited)
        cells.append(featureInfo(explanation.features.front().feature).name);
    cells.push_back(',');
    auto [end, error] = std::to_chars(share, share + sizeof share, credited ? explanation.features.front().credit : 0.0);
    (void)error;
    cells.append(share, end);
    cells.push_back(',');
    appendCsvField(cells, explanation.sentence);
    return cells;
}

void writeScoredCsv(const Analysis& analysis, const std::string& path, const Progress& progress, ExplainRows explain,
                    const BeaconResult* beacons, int threads)
{
    const TrafficTable& table = analysis.data->table;
    // Each stage's time in the debug log: where --out's time goes on a large file.
    auto started = std::chrono::steady_clock::now();
    auto stage = [&](const char* name) {
        const auto now = std::chrono::steady_clock::now();
        logger::core()->debug("scored CSV: {} {:.3f} s", name, std::chrono::duration<double>(now - started).count());
        started = now;
    };
    const FeatureSet features = detectorFeatures(*analysis.data, *analysis.detection);
    BeaconResult scored;
    if (!beacons)
        beacons = features.behaviour ? &features.behaviour->beacons : &(scored = scoreBeacons(table, {}, progress));
    const auto& scores = analysis.detection->scores.scores();
    // Read row by row (a count per port or code), not a vector of 8 bytes a row per column.
    std::vector<FeatureReader> extraValues;
    for (Feature feature : extraScoredFeatures(analysis))
        extraValues.emplace_back(table, features, feature);
    stage("beacons and extra columns");
    AtomicFile file(path);
    writeCsvHeader(file, scoredCsvHeader(analysis));
    // By default suspicious rows get their explanation and Normal rows leave the three cells
    // empty: explaining every row of a million-row file took 10 s more than the rest of the run
    // (a forest walk per row) and made the file half as large again, for sentences that say
    // little about rows the detector does not flag; ExplainRows::All asks for them anyway. Rows
    // are explained in batches, in file order, so memory stays bounded whatever their number;
    // the rows a batch covers are then formatted in blocks on every thread and written in order.
    const bool explainAll = explain == ExplainRows::All;
    const std::vector<std::uint8_t>* suppressedRows
        = analysis.suppression && analysis.suppression->rows.size() == table.rowCount() ? &analysis.suppression->rows
                                                                                       : nullptr;
    auto explained = [&](std::size_t row) { return explainAll || analysis.verdicts.isSuspicious(row); };
    constexpr std::size_t kBatchRows = 32768; // explained rows per batch
    constexpr std::size_t kRankFromRows = 2048;
    // Rows per formatted block: about 0.7 MB of text, of which twice the threads are in flight.
    constexpr std::size_t kBlockRows = 2048;
    std::vector<std::size_t> batchRows; // the batch's explained rows, ascending
    std::vector<std::string> batchCells; // their three explanation cells, with the leading commas
    const unsigned workers
        = resolveThreads(threads > 0 ? threads : analysis.detection->params.forest.threads);
    // More than one batch: rank every row's features once rather than count them for each batch.
    std::optional<FeatureRanks> ranks;
    std::size_t nextRow = 0; // first row not yet looked at for the next batch
    auto explainNextBatch = [&] {
        batchRows.clear();
        for (; nextRow < table.rowCount() && batchRows.size() < kBatchRows; ++nextRow) {
            if (explained(nextRow))
                batchRows.push_back(nextRow);
        }
        batchCells.assign(batchRows.size(), std::string());
        if (batchRows.empty() || !analysis.detection->forest)
            return;
        // Ranking costs a sort of each feature; explaining without ranks, a binary search among the
        // batch's values for every row and feature: past a few thousand explained rows ranking is
        // the cheaper (5,000 rows of 100,000: a third of the instructions), and the same counts.
        if (!ranks && (nextRow < table.rowCount() || batchRows.size() >= kRankFromRows)) {
            ranks = rankFeatures(*analysis.data, *analysis.detection, static_cast<int>(workers));
            stage("feature ranks");
        }
        const auto explanations = explainRows(*analysis.data, *analysis.detection, batchRows,
                                              static_cast<int>(workers), ranks ? &*ranks : nullptr);
        stage("explanations");
        for (std::size_t i = 0; i < explanations.size(); ++i)
            batchCells[i] = explanationCells(explanations[i]);
    };
    const Enrichment* enrichment = features.enrichment.get();
    const std::vector<std::uint8_t> plain = plainTexts(*table.strings, workers);
    stage("texts to quote");
    auto appendRow = [&](std::string& buffer, std::size_t row, std::size_t& explainedIndex) {
        RowText text(buffer);
        appendTableCells(text, table, row, plain.data());
        if (enrichment)
            appendEnrichmentCells(text.string(), *enrichment, table, row);
        text.put(',');
        appendNumber(text, features.sessionDuration[row]);
        text.put(',');
        appendNumber(text, features.avgPacketSize[row]);
        text.put(',');
        // 0 where the pair has too few sessions to call it a beacon (or the row no start time), as
        // the detector's pair_beacon_score reads it: every row has a number.
        if (row < beacons->pairOfRow.size() && beacons->pairOfRow[row] != BeaconResult::kNoPair)
            appendNumber(text, beacons->pairs[beacons->pairOfRow[row]].score);
        else
            text.put('0');
        appendScoreCells(text, extraValues, row, scores[row], analysis.verdicts.isSuspicious(row));
        if (explained(row)) {
            if (explainedIndex < batchCells.size() && !batchCells[explainedIndex].empty())
                text.put(batchCells[explainedIndex]);
            else
                text.put(",,,");
            ++explainedIndex;
        } else {
            text.put(",,,");
        }
        appendTriageCells(text, analysis, suppressedRows, row, scores[row]);
        text.put('\n');
    };
    const double rowCount = static_cast<double>(std::max<std::size_t>(1, table.rowCount()));
    std::size_t writtenRows = 0;
    while (writtenRows < table.rowCount()) {
        progress.check();
        // The rows up to the next batch's last explained row (or to the end) get their cells from it.
        explainNextBatch();
        const std::size_t first = writtenRows;
        const std::size_t end = nextRow;
        const std::size_t blocks = (end - first + kBlockRows - 1) / kBlockRows;
        writeOrderedBlocks(
            blocks, workers,
            [&](std::size_t block, std::string& buffer) {
                const std::size_t from = first + block * kBlockRows;
                const std::size_t to = std::min(end, from + kBlockRows);
                std::size_t explainedIndex = static_cast<std::size_t>(
                    std::lower_bound(batchRows.begin(), batchRows.end(), from) - batchRows.begin());
                buffer.reserve((to - from) * 384);
                for (std::size_t row = from; row < to; ++row)
                    appendRow(buffer, row, explainedIndex);
            },
            [&](std::string_view text) {
                file.write(text);
                progress.check();
                writtenRows = std::min(end, writtenRows + kBlockRows);
                progress.report("export", static_cast<double>(writtenRows) / rowCount);
            });
        writtenRows = end;
        stage("rows formatted and written");
    }
    file.commit();
    stage("commit");
    logger::core()->info("wrote {} scored rows to {}", table.rowCount(), path);
}

void appendScoredChunk(const Analysis& chunk, AtomicFile& file, bool withHeader, int threads,
                       const std::vector<std::string>* explained)
{
    const TrafficTable& table = chunk.data->table;
    const FeatureSet& features = chunk.data->features;
    const auto& scores = chunk.detection->scores.scores();
    std::vector<std::vector<double>> extraValues;
    for (Feature feature : extraScoredFeatures(chunk)) {
        for (const FeatureEncoding& encoding : *chunk.detection->encodings) {
            if (encoding.feature == feature)
                extraValues.push_back(encodedFeatureValues(table, features, encoding));
        }
    }
    if (withHeader)
        writeCsvHeader(file, scoredCsvHeader(chunk));
    const Enrichment* enrichment = features.enrichment.get();
    auto appendRow = [&](std::string& buffer, std::size_t row) {
        RowText text(buffer);
        appendTableCells(text, table, row, nullptr); // a chunk's texts: most are seen once or twice
        if (enrichment)
            appendEnrichmentCells(text.string(), *enrichment, table, row);
        text.put(',');
        appendNumber(text, features.sessionDuration[row]);
        text.put(',');
        appendNumber(text, features.avgPacketSize[row]);
        // beacon_score: empty, as for a pair of too few sessions; a pair's score needs all its
        // sessions, which a chunk does not hold (streaming does not score pairs in this version).
        text.put(',');
        appendScoreCells(text, extraValues, row, scores[row], chunk.verdicts.isSuspicious(row));
        if (explained && !(*explained)[row].empty())
            text.put((*explained)[row]);
        else
            text.put(",,,");
        appendTriageCells(text, chunk, chunk.suppression ? &chunk.suppression->rows : nullptr, row, scores[row]);
        text.put('\n');
    };
    // Blocks of rows formatted on every thread, written in order: the same bytes as one thread.
    constexpr std::size_t kBlockRows = 2048;
    const std::size_t rows = table.rowCount();
    writeOrderedBlocks(
        (rows + kBlockRows - 1) / kBlockRows,
        resolveThreads(threads > 0 ? threads : chunk.detection->params.forest.threads),
        [&](std::size_t block, std::string& buffer) {
            const std::size_t to = std::min(rows, (block + 1) * kBlockRows);
            buffer.reserve((to - block * kBlockRows) * 384);
            for (std::size_t row = block * kBlockRows; row < to; ++row)
                appendRow(buffer, row);
        },
        [&](std::string_view text) { file.write(text); });
}

namespace {

std::string percent(double share)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f %%", share * 100.0);
    return buffer;
}

std::string featureNames(const DetectorParams& params)
{
    std::string names;
    for (Feature feature : params.features)
        names += (names.empty() ? "" : ", ") + std::string(featureInfo(feature).name);
    return names;
}

Json entriesJson(const std::vector<FindingEntry>& entries)
{
    Json list = Json::array();
    for (const FindingEntry& entry : entries)
        list.push_back({{"value", entry.value},
                        {"suspicious", entry.count},
                        {"share", entry.share},
                        {"rows", entry.totalRows},
                        {"bytes_in", entry.bytesIn},
                        {"bytes_out", entry.bytesOut}});
    return list;
}

// An integer cell as a JSON number, null when missing.
Json cellJson(const TrafficTable& table, Field field, std::size_t row)
{
    const Column& column = table.column(field);
    if (column.isMissing(row))
        return nullptr;
    if (column.kind == ColumnKind::Integer)
        return column.integers[row];
    return column.number(row);
}

} // namespace

Json operatingPointJson(const OperatingPoint& point)
{
    return {{"threshold", point.threshold},
            {"flagged", point.flagged},
            {"true_positives", point.truePositives},
            {"false_positives", point.falsePositives},
            {"false_negatives", point.falseNegatives},
            {"true_negatives", point.trueNegatives},
            {"precision", point.precision},
            {"recall", point.recall},
            {"f1", point.f1}};
}

namespace {

Json evaluationJson(const Evaluation& evaluation, const ScoreIndex& scores, const Verdicts& verdicts)
{
    Json byContamination = Json::array();
    for (const ContaminationRow& row : evaluateContaminations(scores, evaluation)) {
        Json point = {{"contamination", row.contamination}};
        point.update(operatingPointJson(row.point));
        byContamination.push_back(std::move(point));
    }
    Json document = {{"truth_column", evaluation.truthColumn()},
                     {"attacks", evaluation.positives()},
                     {"normal", evaluation.negatives()},
                     {"roc_auc", evaluation.rocAuc()},
                     {"average_precision", evaluation.averagePrecision()},
                     {"at_threshold", operatingPointJson(evaluation.at(verdicts))},
                     {"by_contamination", std::move(byContamination)}};
    if (!evaluation.method().empty()) // streaming mode: how it was computed (exact)
        document["method"] = evaluation.method();
    return document;
}

void appendEntriesText(std::string& out, const char* title, const std::vector<FindingEntry>& entries)
{
    out += "  ";
    out += title;
    out += ":\n";
    if (entries.empty()) {
        out += "    (none)\n";
        return;
    }
    std::size_t width = 5;
    for (const auto& entry : entries)
        width = std::max(width, entry.value.size());
    for (const auto& entry : entries) {
        char line[512];
        std::snprintf(line, sizeof line,
                      "    %-*s %6zu suspicious (%s of suspicious; %zu rows in all)  in %s, out %s\n",
                      static_cast<int>(width), entry.value.c_str(), entry.count, percent(entry.share).c_str(),
                      entry.totalRows, formatBytes(static_cast<double>(entry.bytesIn)).c_str(),
                      formatBytes(static_cast<double>(entry.bytesOut)).c_str());
        out += line;
    }
}

} // namespace

std::string threatListsText(const std::vector<std::shared_ptr<const ThreatList>>& lists, const ThreatFindings& found)
{
    std::string out = "\nThreat lists: " + std::to_string(found.suspiciousRows) + " suspicious rows and "
        + std::to_string(found.rows) + " rows in all have src_ip or dst_ip on a list\n";
    for (std::size_t i = 0; i < found.lists.size() && i < lists.size(); ++i) {
        const ThreatList& list = *lists[i];
        out += "  " + found.lists[i].sentence() + "; " + std::to_string(list.entries.size())
            + (list.entries.size() == 1 ? " entry\n" : " entries\n");
        if (list.badLines == 0)
            continue;
        out += "    " + std::to_string(list.badLines) + (list.badLines == 1 ? " bad line of " : " bad lines of ")
            + std::to_string(list.lines)
            + " skipped in " + (list.path.empty() ? list.name : list.path) + ", first:\n";
        for (const ThreatListProblem& problem : list.problems)
            out += "      line " + std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": "
                + problem.message + "\n";
    }
    return out;
}

std::string analysisText(const Analysis& analysis, std::size_t suspiciousRowsShown)
{
    const PreparedData& data = *analysis.data;
    const Detection& detection = *analysis.detection;
    const Findings& findings = analysis.findings;
    std::string out;
    out += "File: " + data.file + " (" + formatBytes(static_cast<double>(data.readReport.bytes)) + ", "
        + std::to_string(data.readReport.rows) + " rows read)\n";
    if (data.readReport.sepLineDelimiter != '\0')
        out += "Delimiter: " + delimiterName(data.readReport.sepLineDelimiter) + " (from the sep= line)\n";
    out += "\nCleaning: " + std::to_string(data.cleanReport.rowsIn) + " rows in, "
        + std::to_string(data.cleanReport.rowsOut) + " rows out\n";
    for (const auto& step : data.cleanReport.steps)
        out += "  - " + step.description + "\n";
    std::vector<std::string> warnings = data.readReport.warnings;
    warnings.insert(warnings.end(), data.cleanReport.warnings.begin(), data.cleanReport.warnings.end());
    warnings.insert(warnings.end(), data.features.report.warnings.begin(), data.features.report.warnings.end());
    if (!warnings.empty()) {
        out += "\nWarnings:\n";
        for (const auto& warning : warnings)
            out += "  ! " + warning + "\n";
    }
    const auto& forest = detection.params.forest;
    if (detection.model)
        out += "\nModel: " + describeModel(*detection.model, detection.model->file)
            + "; not refitted: every row is scored by the saved forest\n";
    out += "\nDetector: Isolation Forest, " + std::to_string(forest.trees) + " trees, "
        + std::to_string(detection.effectiveMaxSamples) + " samples per tree, seed " + std::to_string(forest.seed)
        + "\n  features: " + featureNames(detection.params)
        + "\n  input scaling: " + std::string(inputScalingDescription(detection.params.scaling))
        + "\n  contamination: " + analysis.verdicts.contamination.toString() + ", threshold "
        + formatNumber(analysis.verdicts.threshold) + " (rows scoring below it are Suspicious)\n";
    if (detection.model)
        out += std::string("  threshold from: ")
            + (analysis.thresholdFromModel ? "the model (set on its training rows)" : "this file's scores") + "\n";
    if (analysis.drift)
        out += driftText(*analysis.drift);
    char line[256];
    std::snprintf(
        line, sizeof line, "\nSuspicious: %zu of %zu rows (%s)\n", findings.suspicious, findings.rows,
        percent(findings.rows ? static_cast<double>(findings.suspicious) / static_cast<double>(findings.rows) : 0.0)
            .c_str());
    out += line;
    if (analysis.suppression)
        out += "  and " + std::to_string(findings.suppressed) + " more below the threshold suppressed by the allow-list ("
            + std::to_string(analysis.suppression->activeRules) + (analysis.suppression->activeRules == 1 ? " rule)\n" : " rules)\n");
    if (analysis.threatMatches && analysis.threatMatches->index)
        out += threatListsText(analysis.threatMatches->index->lists(), analysis.threatFindings);
    out += "\nFindings among the suspicious rows:\n";
    appendEntriesText(out, "Source IPs", findings.sourceIps);
    appendEntriesText(out, "Countries", findings.countries);
    appendEntriesText(out, "Destination ports", findings.destinationPorts);
    appendEntriesText(out, "Protocols", findings.protocols);
    if (data.features.enrichment)
        out += contextText(summarizeContext(data.table, *data.features.enrichment, &analysis.verdicts));

    const TrafficTable& table = data.table;
    const std::size_t shown = std::min(suspiciousRowsShown, findings.suspiciousRows.size());
    out += "\nMost anomalous rows (" + std::to_string(shown) + " of " + std::to_string(findings.suspiciousRows.size())
        + "):\n";
    std::snprintf(line, sizeof line, "  %8s %10s %-16s %-7s %-8s %6s %12s %12s %10s\n", "line", "score", "src_ip",
                  "country", "protocol", "port", "bytes_in", "bytes_out", "duration");
    out += line;
    for (std::size_t i = 0; i < shown; ++i) {
        const std::size_t row = findings.suspiciousRows[i];
        std::snprintf(line, sizeof line, "  %8lld %10.4f %-16s %-7s %-8s %6s %12s %12s %9.0fs\n",
                      static_cast<long long>(table.sourceLines[row]), detection.scores.scores()[row],
                      std::string(table.text(Field::SrcIp, row)).c_str(),
                      std::string(table.text(Field::SrcIpCountryCode, row)).c_str(),
                      std::string(table.text(Field::Protocol, row)).c_str(),
                      table.cellText(static_cast<std::size_t>(Field::DstPort), row).c_str(),
                      table.cellText(static_cast<std::size_t>(Field::BytesIn), row).c_str(),
                      table.cellText(static_cast<std::size_t>(Field::BytesOut), row).c_str(),
                      data.features.sessionDuration[row]);
        out += line;
    }
    return out;
}

namespace {

Json threatListsJson(const Analysis& analysis)
{
    Json lists = Json::array();
    const auto& loaded = analysis.threatMatches->index->lists();
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        const ThreatList& list = *loaded[i];
        ThreatListCount count;
        if (i < analysis.threatFindings.lists.size())
            count = analysis.threatFindings.lists[i];
        lists.push_back({{"name", list.name},
                         {"path", list.path},
                         {"sha256", list.sha256},
                         {"format", list.format},
                         {"entries", list.entries.size()},
                         {"bad_lines_skipped", list.badLines},
                         {"rows", count.rows},
                         {"source_rows", count.sourceRows},
                         {"destination_rows", count.destinationRows},
                         {"sources", count.sources},
                         {"suspicious_rows", count.suspiciousRows},
                         {"suspicious_sources", count.suspiciousSources}});
    }
    return {{"lists", std::move(lists)},
            {"rows", analysis.threatFindings.rows},
            {"suspicious_rows", analysis.threatFindings.suspiciousRows},
            {"distinct_addresses", analysis.threatMatches->distinctAddresses}};
}

Json suppressionJson(const Suppression& suppression, std::size_t suppressed)
{
    Json rules = Json::array();
    for (std::size_t i = 0; i < suppression.rules.size(); ++i) {
        const SuppressionRule& rule = suppression.rules[i];
        rules.push_back({{"rule", rule.condition()},
                         {"field", ruleFieldName(rule.field)},
                         {"value", rule.value},
                         {"reason", rule.reason},
                         {"enabled", rule.enabled},
                         {"rows", i < suppression.rowsPerRule.size() ? suppression.rowsPerRule[i] : 0}});
    }
    return {{"rules", std::move(rules)},
            {"active_rules", suppression.activeRules},
            {"matched_rows", suppression.matchedRows},
            {"suppressed", suppressed}};
}

} // namespace

std::string analysisJson(const Analysis& analysis, std::size_t suspiciousRowsShown, const Evaluation* evaluation,
                         const std::string& evaluationProblem)
{
    const PreparedData& data = *analysis.data;
    const Detection& detection = *analysis.detection;
    const Findings& findings = analysis.findings;
    Json steps = Json::array();
    for (const auto& step : data.cleanReport.steps)
        steps.push_back({{"name", step.name}, {"rows", step.rowsAffected}, {"description", step.description}});
    std::vector<std::string> warnings = data.readReport.warnings;
    warnings.insert(warnings.end(), data.cleanReport.warnings.begin(), data.cleanReport.warnings.end());
    warnings.insert(warnings.end(), data.features.report.warnings.begin(), data.features.report.warnings.end());
    Json features = Json::array();
    for (Feature feature : detection.params.features)
        features.push_back(featureInfo(feature).name);
    const auto& forest = detection.params.forest;
    const Contamination& contamination = analysis.verdicts.contamination;

    Json document;
    document["file"] = data.file;
    document["bytes"] = data.readReport.bytes;
    document["read"]
        = {{"rows", data.readReport.rows},
           {"malformed_rows", data.readReport.malformed.count},
           {"repeated_header_lines", data.readReport.repeatedHeaders.count},
           {"repeated_header_first_lines", data.readReport.repeatedHeaders.firstLines},
           {"invalid_cells", data.readReport.invalidCellCount()},
           {"blank_lines", data.readReport.blankLines},
           {"delimiter_from_sep_line",
            data.readReport.sepLineDelimiter == '\0' ? Json(nullptr)
                                                     : Json(std::string(1, data.readReport.sepLineDelimiter))}};
    document["cleaning"]
        = {{"rows_in", data.cleanReport.rowsIn}, {"rows_out", data.cleanReport.rowsOut}, {"steps", std::move(steps)}};
    document["warnings"] = warnings;
    document["detector"] = {{"algorithm", "isolation_forest"},
                            {"trees", forest.trees},
                            {"max_samples", detection.effectiveMaxSamples},
                            {"seed", forest.seed},
                            {"features", std::move(features)},
                            {"scaling", inputScalingName(detection.params.scaling)},
                            {"contamination", contamination.automatic ? Json("auto") : Json(contamination.value)},
                            {"threshold", analysis.verdicts.threshold},
                            {"fit_seconds", detection.fitSeconds},
                            {"score_seconds", detection.scoreSeconds}};
    if (detection.model) {
        const ModelOrigin& origin = detection.model->origin;
        document["model"] = {{"file", detection.model->file},
                             {"trained_on", origin.file},
                             {"training_sha256", origin.sha256},
                             {"training_rows", origin.rows},
                             {"created", origin.created},
                             {"threshold_from", analysis.thresholdFromModel ? "model" : "this_file"}};
    }
    if (analysis.drift) {
        Json drift = Json::array();
        for (const FeatureDrift& f : analysis.drift->features) {
            Json entry{{"feature", featureInfo(f.feature).name}, {"large", f.large}};
            if (f.categorical) {
                entry["new_values"] = f.newCategories;
                entry["rows_with_new_values"] = f.newCategoryRows;
                entry["new_value_examples"] = f.newCategoryExamples;
            } else {
                entry["outside_training_range"] = f.outsideRange;
                entry["training_median"] = f.trainingMedian;
                entry["median"] = f.median;
                entry["median_shift_iqr"] = std::isfinite(f.medianShift) ? Json(f.medianShift) : Json(nullptr);
            }
            drift.push_back(std::move(entry));
        }
        document["drift"] = {{"features", std::move(drift)}, {"warnings", analysis.drift->warnings}};
    }
    document["rows"] = findings.rows;
    document["suspicious"] = findings.suspicious;
    document["suppressed"] = findings.suppressed;
    if (analysis.suppression)
        document["suppression"] = suppressionJson(*analysis.suppression, findings.suppressed);
    if (analysis.threatMatches && analysis.threatMatches->index)
        document["threat_lists"] = threatListsJson(analysis);
    document["findings"] = {{"source_ips", entriesJson(findings.sourceIps)},
                            {"countries", entriesJson(findings.countries)},
                            {"destination_ports", entriesJson(findings.destinationPorts)},
                            {"protocols", entriesJson(findings.protocols)}};
    if (data.features.enrichment)
        document["context"]
            = Json::parse(contextJson(summarizeContext(data.table, *data.features.enrichment, &analysis.verdicts)));

    const TrafficTable& table = data.table;
    const std::size_t shown = std::min(suspiciousRowsShown, findings.suspiciousRows.size());
    std::vector<RowExplanation> explanations;
    if (shown > 0 && analysis.detection->forest) {
        const std::vector<std::size_t> rows(findings.suspiciousRows.begin(),
                                            findings.suspiciousRows.begin() + static_cast<std::ptrdiff_t>(shown));
        explanations = explainRows(data, detection, rows, detection.params.forest.threads);
    }
    Json suspiciousRows = Json::array();
    for (std::size_t i = 0; i < shown; ++i) {
        const std::size_t row = findings.suspiciousRows[i];
        Json entry = {{"line", table.sourceLines[row]},
                      {"score", detection.scores.scores()[row]},
                      {"src_ip", table.text(Field::SrcIp, row)},
                      {"src_ip_country_code", table.text(Field::SrcIpCountryCode, row)},
                      {"protocol", table.text(Field::Protocol, row)},
                      {"dst_port", cellJson(table, Field::DstPort, row)},
                      {"bytes_in", cellJson(table, Field::BytesIn, row)},
                      {"bytes_out", cellJson(table, Field::BytesOut, row)},
                      {"session_duration", data.features.sessionDuration[row]},
                      {"avg_packet_size", data.features.avgPacketSize[row]}};
        if (analysis.threatMatches && analysis.threatMatches->row(row))
            entry["threat_lists"] = analysis.threatMatches->names(analysis.threatMatches->row(row));
        if (i < explanations.size()) {
            const RowExplanation& explanation = explanations[i];
            Json credit = Json::object();
            for (const auto& feature : explanation.features)
                credit[std::string(featureInfo(feature.feature).name)] = feature.credit;
            entry["path_length"] = explanation.pathLength;
            entry["feature_credit"] = std::move(credit);
            entry["explanation"] = explanation.sentence;
        }
        suspiciousRows.push_back(std::move(entry));
    }
    document["suspicious_rows"] = std::move(suspiciousRows);
    if (evaluation)
        document["evaluation"] = evaluationJson(*evaluation, detection.scores, analysis.verdicts);
    else if (!evaluationProblem.empty())
        document["evaluation"] = {{"problem", evaluationProblem}};
    return jsonDocument(document);
}

} // namespace webthreat

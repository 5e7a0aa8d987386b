#include "core/stream/streamanalysis.h"

#include "core/detect/explain.h"
#include "core/output/atomicfile.h"
#include "core/output/export.h"
#include "core/stream/chunksource.h"
#include "core/stream/cleanedspill.h"
#include "core/stream/duplicatefinder.h"
#include "core/stream/streamallowlist.h"
#include "core/stream/streamenrichment.h"
#include "core/stream/streamevaluation.h"
#include "core/stream/prefetchsource.h"
#include "core/util/errors.h"
#include "core/util/hash.h"
#include "core/util/log.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <random>
#include <unordered_map>

namespace webthreat {

void StreamParams::validate() const
{
    analysis.validate();
    if (chunkBytes < 4096)
        throw ParameterError("the streaming chunk must be at least 4096 bytes");
    if (sampleRows < 2)
        throw ParameterError("the streaming sample must hold at least 2 rows");
    if (medianValues < 1)
        throw ParameterError("the median's sample must hold at least 1 value");
    if (duplicateSetBytes != 0 && duplicateSetBytes < 4096)
        throw ParameterError("the duplicate set's limit must be at least 4096 bytes (or 0: a quarter of the budget)");
    // Pairs over time and the location database are not gathered chunk by chunk in this version.
    for (Feature feature : analysis.detector.features) {
        const FeatureInfo& info = featureInfo(feature);
        if (info.group == FeatureGroup::Behaviour || needsEnrichment(feature))
            throw ParameterError("the feature '" + std::string(info.name) + "' is not available in streaming mode yet ("
                                 + std::string(featureGroupTitle(info.group)) + "); choose others or analyse the file "
                                 "in memory");
    }
}

std::size_t StreamParams::effectiveDuplicateSetBytes() const
{
    if (duplicateSetBytes != 0)
        return duplicateSetBytes;
    const std::uint64_t budget = memoryBudget != 0 ? memoryBudget : std::uint64_t(chunkBytes) * 16;
    return static_cast<std::size_t>(std::max<std::uint64_t>(budget / 4, std::uint64_t(1) << 20));
}

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Each row's hash over every cell; text by its content, since every chunk has its own string pool.
std::vector<std::uint64_t> rowHashes(const TrafficTable& table)
{
    std::vector<std::uint64_t> textHash(table.strings ? table.strings->size() : 1, 0);
    for (std::size_t id = 1; id < textHash.size(); ++id)
        textHash[id] = mix64(std::hash<std::string_view>{}(table.strings->view(static_cast<std::uint32_t>(id))) + 1);
    std::vector<std::uint64_t> hashes(table.rowCount(), 0x243F6A8885A308D3ull);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const Column& column = table.columns[c];
        const std::uint64_t factor = (0x9E3779B97F4A7C15ull * (2 * c + 1)) | 1u;
        for (std::size_t row = 0; row < hashes.size(); ++row) {
            // A missing cell adds nothing: a log chunk has the extra columns seen so far, a later
            // one more, all missing in rows that do not name them (logchunkreader.h).
            if (c >= kFieldCount && column.isMissing(row))
                continue;
            std::uint64_t cell = 0;
            if (column.kind == ColumnKind::Text)
                cell = textHash[column.text[row]];
            else if (column.kind == ColumnKind::Real)
                cell = std::hash<double>{}(column.reals[row]);
            else
                cell = static_cast<std::uint64_t>(column.integers[row]);
            hashes[row] = mix64(hashes[row] ^ (cell * factor)) + c;
        }
    }
    return hashes;
}

// What pass 1 learns about the cleaned rows for the features, before the median is known: sums
// that depend on bytes_in are kept apart for rows where it is missing.
struct FeatureStatistics {
    std::size_t rows = 0;
    double bytesInSum = 0.0;
    std::size_t bytesInPresent = 0;
    double bytesOutSum = 0.0;
    std::size_t bytesOutPresent = 0;
    double durationSum = 0.0;
    std::size_t durations = 0;
    double rateSum = 0.0; // rows with bytes_in present
    std::size_t rates = 0;
    double missingInOutRate = 0.0; // rows lacking bytes_in: sum of bytes_out / duration
    double missingInInverse = 0.0; // and of 1 / duration
    std::size_t missingInRates = 0;
    std::array<std::vector<std::size_t>, 2> portCodeCounts; // dst_port, response.code in [0, 65536)
    std::array<std::unordered_map<std::int64_t, std::size_t>, 2> portCodeOthers;
    std::array<std::unordered_map<std::string, std::size_t>, 2> protocolCountryCounts;
    struct Source {
        double sessions = 0.0;
        double presentBytes = 0.0;
        std::size_t missingBytesIn = 0;
    };
    // Every source seen (id 0: the rows without one), and its counts by that id: a pool, whose
    // batched interning fetches a chunk's lookups together, where a map of strings missed the
    // cache once per source and chunk (half of pass 1's own time on 100,000 sources).
    StringPool sourceNames;
    std::vector<Source> sources;
    template <typename Visit>
    void forEachSource(Visit&& visit) const
    {
        for (std::size_t id = 0; id < sources.size(); ++id) {
            if (id == StringPool::kMissing && sources[id].sessions == 0.0)
                continue; // no row without a source
            visit(sourceNames.view(static_cast<std::uint32_t>(id)), sources[id]);
        }
    }
    std::size_t distinctSources() const
    {
        std::size_t count = 0;
        forEachSource([&](std::string_view, const Source&) { ++count; });
        return count;
    }

    FeatureStatistics()
    {
        for (auto& counts : portCodeCounts)
            counts.assign(65536, 0);
    }
    void add(const TrafficTable& table);
};

void FeatureStatistics::add(const TrafficTable& table)
{
    const auto& in = table.column(Field::BytesIn).integers;
    const auto& out = table.column(Field::BytesOut).integers;
    const auto& creation = table.column(Field::CreationTime).integers;
    const auto& end = table.column(Field::EndTime).integers;
    const std::size_t n = table.rowCount();
    rows += n;
    for (std::size_t row = 0; row < n; ++row) {
        if (in[row] != kMissingInteger)
            bytesInSum += static_cast<double>(in[row]), ++bytesInPresent;
        if (out[row] != kMissingInteger)
            bytesOutSum += static_cast<double>(out[row]), ++bytesOutPresent;
        if (creation[row] == kMissingInteger || end[row] == kMissingInteger)
            continue;
        const double duration = static_cast<double>(end[row] - creation[row]) / static_cast<double>(kMicrosPerSecond);
        durationSum += duration;
        ++durations;
        if (out[row] == kMissingInteger)
            continue;
        if (in[row] != kMissingInteger) {
            rateSum += duration == 0
                ? 0.0
                : (static_cast<double>(in[row]) + static_cast<double>(out[row])) / duration;
            ++rates;
        } else {
            if (duration != 0) {
                missingInOutRate += static_cast<double>(out[row]) / duration;
                missingInInverse += 1.0 / duration;
            }
            ++missingInRates;
        }
    }
    const std::array<Field, 2> integerFields{Field::DstPort, Field::ResponseCode};
    for (std::size_t f = 0; f < 2; ++f) {
        for (std::int64_t value : table.column(integerFields[f]).integers) {
            if (value >= 0 && value < 65536)
                ++portCodeCounts[f][static_cast<std::size_t>(value)];
            else
                ++portCodeOthers[f][value];
        }
    }
    // Text counts by the chunk's string ids first, then one map update per distinct value.
    const std::size_t distinct = table.strings ? table.strings->size() : 1;
    auto textOf = [&](std::size_t id) {
        return id == StringPool::kMissing ? std::string() : std::string(table.strings->view(static_cast<std::uint32_t>(id)));
    };
    const std::array<Field, 2> textFields{Field::Protocol, Field::SrcIpCountryCode};
    for (std::size_t f = 0; f < 2; ++f) {
        std::vector<std::size_t> counts(distinct, 0);
        for (std::uint32_t id : table.column(textFields[f]).text)
            ++counts[id];
        for (std::size_t id = 0; id < distinct; ++id) {
            if (counts[id] > 0)
                protocolCountryCounts[f][textOf(id)] += counts[id];
        }
    }
    std::vector<Source> perId(distinct);
    std::vector<std::uint8_t> seen(distinct, 0);
    const auto& sourceIds = table.column(Field::SrcIp).text;
    for (std::size_t row = 0; row < n; ++row) {
        Source& source = perId[sourceIds[row]];
        seen[sourceIds[row]] = 1;
        source.sessions += 1.0;
        if (in[row] != kMissingInteger)
            source.presentBytes += static_cast<double>(in[row]);
        else
            ++source.missingBytesIn;
        if (out[row] != kMissingInteger)
            source.presentBytes += static_cast<double>(out[row]);
    }
    std::vector<std::string_view> names;
    std::vector<std::uint32_t> chunkIds;
    for (std::size_t id = 0; id < distinct; ++id) {
        if (!seen[id])
            continue;
        names.push_back(id == StringPool::kMissing ? std::string_view() : table.strings->view(static_cast<std::uint32_t>(id)));
        chunkIds.push_back(static_cast<std::uint32_t>(id));
    }
    std::vector<std::uint32_t> fileIds(names.size());
    sourceNames.internAll(names.data(), names.size(), fileIds.data());
    sources.resize(sourceNames.size());
    for (std::size_t i = 0; i < chunkIds.size(); ++i) {
        Source& total = sources[fileIds[i]];
        const Source& chunk = perId[chunkIds[i]];
        total.sessions += chunk.sessions;
        total.presentBytes += chunk.presentBytes;
        total.missingBytesIn += chunk.missingBytesIn;
    }
}

// A reservoir (Algorithm R): the first capacity items in order, then each later item replaces a
// random one with probability capacity / seen. A stream no longer than capacity is kept whole,
// in order, which is what makes a small file's streaming run equal its in-memory run.
template <typename T>
class Reservoir {
public:
    Reservoir(std::size_t capacity, std::uint64_t seed)
        : m_capacity(capacity)
        , m_random(seed)
    {
    }
    // Where the next item goes: its slot, or nullptr when it is not kept.
    T* slotForNext()
    {
        const std::uint64_t seen = m_seen++;
        if (m_items.size() < m_capacity) {
            m_items.emplace_back();
            return &m_items.back();
        }
        const std::uint64_t slot = std::uniform_int_distribution<std::uint64_t>(0, seen)(m_random);
        return slot < m_capacity ? &m_items[static_cast<std::size_t>(slot)] : nullptr;
    }
    bool whole() const noexcept { return m_seen <= m_capacity; }
    std::vector<T>& items() noexcept { return m_items; }

private:
    std::size_t m_capacity;
    std::uint64_t m_seen = 0;
    std::mt19937_64 m_random;
    std::vector<T> m_items;
};

// A sampled cleaned row: what the features need (bytes_in before the median fill).
struct SampleRow {
    std::int64_t cells[6]; // bytes_in, bytes_out, creation_time, end_time, dst_port, response.code
    std::string text[4]; // src_ip, protocol, src_ip_country_code, dst_ip
    std::uint32_t line = 0;
};
constexpr std::array<Field, 6> kSampleIntegers{Field::BytesIn,  Field::BytesOut, Field::CreationTime,
                                               Field::EndTime,  Field::DstPort,  Field::ResponseCode};
constexpr std::array<Field, 4> kSampleTexts{Field::SrcIp, Field::Protocol, Field::SrcIpCountryCode, Field::DstIp};

} // namespace

namespace {

// One streaming run's state between its passes.
class Streamer {
public:
    Streamer(const std::string& path, const StreamParams& params, const Progress& progress)
        : m_path(path)
        , m_params(params)
        , m_progress(progress)
        , m_sample(params.sampleRows, params.analysis.detector.forest.seed)
        , m_medianSample(params.medianValues, params.analysis.detector.forest.seed + 1)
        , m_finder(DuplicateFinderParams{params.effectiveDuplicateSetBytes(), params.scratchDir, 0})
    {
        m_result.file = path;
        m_result.contamination = params.analysis.contamination;
    }
    StreamResult run();

private:
    CleanParams chunkCleaning() const
    {
        CleanParams clean = m_params.analysis.clean;
        clean.dropDuplicates = false; // across chunks, below
        clean.fillBytesInMedian = false; // with the whole file's median, below
        clean.keepOnly.clear();
        clean.threads = m_params.analysis.read.threads;
        return clean;
    }
    void dropDuplicates(TrafficTable& table, bool firstPass);
    void passOne();
    void gather(TrafficTable&& table);
    void gatherAgain();
    void finishPassOne();
    std::shared_ptr<FeatureEncodings> learnFileEncodings(const FeatureSet& sampleFeatures, const std::vector<Feature>& features,
                                                         InputScaling scaling);
    void fit();
    void useModel();
    using ChunkVisitor = std::function<void(const TrafficTable&, const std::vector<double>&, std::uint64_t)>;
    void scoredPass(const char* stage, const ChunkVisitor& visit);
    void findThreshold();
    void writeOut();

    std::string m_path;
    const StreamParams& m_params;
    const Progress& m_progress;
    StreamResult m_result;
    std::vector<std::uint64_t> m_duplicateBits; // by row read: 1 = an exact duplicate
    std::uint64_t m_rowsRead = 0;
    Reservoir<SampleRow> m_sample;
    Reservoir<std::int64_t> m_medianSample;
    DuplicateFinder m_finder;
    // Pass 1's cleaned chunks for the scoring passes (StreamParams::spillCleanedRows); null: they
    // read the file. m_spillColumns: every chunk's column count, equal when a log's chunks all had
    // the whole file's extra columns (else the spill is dropped: pass 2's chunks have them all).
    std::unique_ptr<CleanedSpill> m_spill;
    std::size_t m_spillColumns = 0;
    bool m_spillColumnsDiffer = false;
    std::string m_spillDropped; // why the spill was dropped (a note), empty when it was not
    void dropSpill(const OutputError& error);
    std::size_t m_missingBytesIn = 0;
    std::size_t m_duplicates = 0;
    std::uint64_t m_distinctRows = 0;
    std::size_t m_unaddressed = 0;
    std::size_t m_countriesChanged = 0;
    FeatureStatistics m_stats;
    TrafficTable m_sampleTable;
    double m_durationFill = 0.0;
    double m_rateFill = 0.0;
    std::shared_ptr<const IsolationForest> m_forest;
    std::vector<std::string> m_readerNotes; // how the chunk source differs from the whole file's read
    ChunkSource::ColumnLayout m_columnLayout; // a log's extra columns over the whole file
    std::shared_ptr<FeatureEncodings> m_encodings;
    // With a saved model: this file's own encodings, for the feature columns --out writes (the
    // in-memory score writes the file's own shares, and scores with the model's).
    std::shared_ptr<FeatureEncodings> m_fileEncodings;
    std::vector<double> m_sampleScores; // sorted

    // Threat lists: pass 2 looks each chunk's rows up and counts per list; the matched rows' scores
    // give the suspicious counts once the threshold is known.
    struct ListedRow {
        double score;
        std::uint64_t lists; // src_ip's or dst_ip's
        std::uint32_t source; // index in m_listedSources
        bool allowed; // an allow-list rule matches it: never suspicious
    };
    void countThreatLists(const TrafficTable& table, const std::vector<double>& scores);
    void finishThreatLists();
    std::vector<ListedRow> m_listed;
    std::unordered_map<std::string, std::uint32_t> m_listedSourceIds;
    std::vector<std::vector<std::uint32_t>> m_sourcesPerList; // per list: the listed rows' sources, sorted at the end

    // The allow-list: matched per chunk in pass 2 (and pass 3); the chunk's match while it is visited.
    std::unique_ptr<StreamedAllowList> m_allow;
    const std::vector<std::uint8_t>* m_chunkAllowed = nullptr;

    // The location database (--enrich): pass 1 notes whether the file has countries and fills them
    // from the database when it has none; a scored pass enriches its chunk when the countries are
    // filled or the rows are written (m_enrichChunks), for the visitor in m_chunkEnrichment.
    std::unique_ptr<StreamedEnrichment> m_enrich;
    std::unique_ptr<StreamedEvaluation> m_evaluation; // StreamParams::evaluate, in pass 2
    std::shared_ptr<const Enrichment> m_chunkEnrichment;
    std::size_t m_countriesFilled = 0;
    bool m_enrichChunks = false;
    std::string m_evaluationNote;
    // The explanations' average path length: -c log2(-score) summed over every row in file order, as
    // averagePathLength (core/detect/explain.h) sums it in memory.
    double m_pathSum = 0.0;
    // score --model: the drift measured in pass 2, valued with this file's own encodings.
    std::unique_ptr<DriftMeasure> m_drift;
    std::vector<std::vector<double>> numericValues(const TrafficTable& table) const;
    void finishDrift();
};

void Streamer::dropDuplicates(TrafficTable& table, bool firstPass)
{
    const std::size_t n = table.rowCount();
    const std::uint64_t first = m_rowsRead;
    m_rowsRead += n;
    if (!m_params.analysis.clean.dropDuplicates)
        return;
    if (firstPass) {
        // Duplicates of rows still in the set are marked now, those of spilled rows at pass 1's end.
        m_duplicateBits.resize((m_rowsRead + 63) / 64, 0);
        m_duplicates += m_finder.add(rowHashes(table), first, m_duplicateBits, m_progress);
    }
    std::vector<std::uint32_t> keep;
    keep.reserve(n);
    for (std::size_t row = 0; row < n; ++row) {
        const std::uint64_t index = first + row;
        if (!((m_duplicateBits[index / 64] >> (index % 64)) & 1u))
            keep.push_back(static_cast<std::uint32_t>(row));
    }
    if (keep.size() != n)
        table.keepRows(keep);
}

// The spill only saves the scoring passes a parse: a scratch folder that cannot be made or a disk
// that fills up drops it (its unlinked file goes with it) and they read the file again, with a
// note in the report, rather than stop a run that can finish without it.
void Streamer::dropSpill(const OutputError& error)
{
    logger::core()->warn("stream: {}; the scoring passes read the file again", error.what());
    m_spillDropped = std::string(error.what()) + ": the scoring passes read the file again";
    m_spill.reset();
}

void Streamer::passOne()
{
    // Nothing in the scoring passes needs the file itself: --out has a pass of its own that reads
    // it, and the location database's answers are looked up again per chunk from the file's rows.
    if (m_params.spillCleanedRows && m_params.out.empty() && !m_enrich) {
        try {
            m_spill = std::make_unique<CleanedSpill>(m_params.scratchDir);
        } catch (const OutputError& error) {
            dropSpill(error);
        }
    }
    const std::unique_ptr<ChunkSource> source = openPrefetchedChunkSource(m_path, m_params.analysis.read, m_params.chunkBytes);
    ChunkSource& reader = *source;
    m_result.compressed = reader.compressed();
    ReadResult chunk;
    while (reader.next(chunk, m_progress)) {
        ++m_result.chunks;
        if (m_result.chunks == 1 && m_enrich)
            m_enrich->noteAbsentColumns(chunk.report.absentColumns);
        if (m_result.chunks == 1 && m_params.analysis.clean.dropDuplicates && reader.fraction() > 0.0)
            // The whole file's rows, estimated from the first chunk's share of it.
            m_finder.setExpectedRows(static_cast<std::uint64_t>(static_cast<double>(chunk.table.rowCount()) / reader.fraction() * 1.05));
        dropDuplicates(chunk.table, true);
        gather(std::move(chunk.table));
        m_progress.report("pass 1", reader.fraction());
    }
    m_result.readReport = reader.report();
    m_result.textBytes = reader.textBytes();
    m_readerNotes = reader.notes();
    m_columnLayout = reader.extraColumns();
    if (m_spill && (m_spillColumnsDiffer || (!m_columnLayout.empty() && m_spill->chunks() > 0
                                             && m_spillColumns != kFieldCount + m_columnLayout.size()))) {
        logger::core()->info("stream: the chunks' columns differ (a log's fields seen late): pass 2 reads the file again");
        m_spill.reset();
    }
    m_result.duplicateHashes = m_finder.peakSetSize();
    m_distinctRows = m_rowsRead - m_duplicates;
    if (!m_finder.spilled())
        return;
    // The set spilled: the rows read after it were gathered before their duplicates were known.
    m_result.duplicatesSpilled = true;
    m_result.duplicatePartitions = m_finder.partitions();
    m_result.rowsBeforeSpill = m_finder.rowsAtSpill();
    m_result.scratchFolder = m_finder.scratchPath();
    m_result.lateDuplicates = m_finder.resolve(m_duplicateBits, m_progress);
    m_result.spilledBytes = m_finder.spilledBytes();
    m_duplicates += m_result.lateDuplicates;
    m_distinctRows -= m_result.lateDuplicates;
    if (m_result.lateDuplicates > 0)
        gatherAgain();
}

// One chunk's rows, duplicates dropped, into pass 1's statistics and samples.
void Streamer::gather(TrafficTable&& rows)
{
    for (std::int64_t value : rows.column(Field::BytesIn).integers) {
        if (value == kMissingInteger)
            ++m_missingBytesIn;
        else if (std::int64_t* slot = m_medianSample.slotForNext())
            *slot = value;
    }
    CleanResult cleaned = cleanTraffic(std::move(rows), chunkCleaning(), {});
    if (m_enrich) {
        m_enrich->noteCountries(cleaned.table);
        if (m_enrich->fillsCountries())
            m_enrich->enrich(cleaned.table, &m_countriesFilled);
    }
    for (const CleanStep& step : cleaned.report.steps) {
        if (step.name == "drop_missing_addresses")
            m_unaddressed += step.rowsAffected;
        else if (step.name == "upper_case_countries")
            m_countriesChanged += step.rowsAffected;
    }
    const TrafficTable& table = cleaned.table;
    m_stats.add(table);
    if (m_spill) {
        if (m_spill->chunks() > 0 && table.columns.size() != m_spillColumns)
            m_spillColumnsDiffer = true;
        m_spillColumns = table.columns.size();
        try {
            m_spill->append(table);
        } catch (const OutputError& error) {
            dropSpill(error);
        }
    }
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        SampleRow* slot = m_sample.slotForNext();
        if (!slot)
            continue;
        for (std::size_t i = 0; i < kSampleIntegers.size(); ++i)
            slot->cells[i] = table.column(kSampleIntegers[i]).integers[row];
        for (std::size_t i = 0; i < kSampleTexts.size(); ++i)
            slot->text[i] = table.text(kSampleTexts[i], row);
        slot->line = table.sourceLines[row];
    }
}

// Pass 1's statistics and samples gathered anew, from the start, with every duplicate known: the
// very state a run that knew them from the first row would have (the samples draw the same
// random numbers for the same rows).
void Streamer::gatherAgain()
{
    m_result.passOneReread = true;
    m_stats = FeatureStatistics();
    m_sample = Reservoir<SampleRow>(m_params.sampleRows, m_params.analysis.detector.forest.seed);
    m_medianSample = Reservoir<std::int64_t>(m_params.medianValues, m_params.analysis.detector.forest.seed + 1);
    m_missingBytesIn = 0;
    m_unaddressed = 0;
    m_countriesChanged = 0;
    m_countriesFilled = 0;
    m_rowsRead = 0;
    if (m_spill) {
        try {
            m_spill->clear();
        } catch (const OutputError& error) {
            dropSpill(error);
        }
        m_spillColumnsDiffer = false;
    }
    const std::unique_ptr<ChunkSource> source = openPrefetchedChunkSource(m_path, m_params.analysis.read, m_params.chunkBytes);
    ChunkSource& reader = *source;
    ReadResult chunk;
    while (reader.next(chunk, m_progress)) {
        dropDuplicates(chunk.table, false);
        gather(std::move(chunk.table));
        m_progress.report("pass 1 again", reader.fraction());
    }
}

// The median as cleaning computes it (pandas': the mean of the middle two, rounded), from the
// reservoir of present values: exact when it holds them all.
std::int64_t medianOf(std::vector<std::int64_t> present)
{
    const std::size_t middle = present.size() / 2;
    std::nth_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle), present.end());
    double median = static_cast<double>(present[middle]);
    if (present.size() % 2 == 0) {
        const auto below = *std::max_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle));
        median = (median + static_cast<double>(below)) / 2.0;
    }
    return static_cast<std::int64_t>(std::llround(median));
}

void fillBytesIn(TrafficTable& table, std::int64_t median)
{
    if (median == kMissingInteger)
        return;
    for (std::int64_t& value : table.column(Field::BytesIn).integers) {
        if (value == kMissingInteger)
            value = median;
    }
}
} // namespace

namespace {

void Streamer::finishPassOne()
{
    const bool hasPresent = !m_medianSample.items().empty();
    if (m_params.analysis.clean.fillBytesInMedian && m_missingBytesIn > 0 && hasPresent) {
        m_result.bytesInMedian = medianOf(m_medianSample.items());
        m_result.medianExact = m_medianSample.whole();
    }
    std::vector<std::int64_t>().swap(m_medianSample.items());
    CleanReport& report = m_result.cleanReport;
    report.rowsIn = m_result.readReport.rows;
    report.rowsOut = m_stats.rows;
    const CleanParams& clean = m_params.analysis.clean;
    if (clean.dropDuplicates)
        report.steps.push_back({"drop_duplicates",
                                std::to_string(m_duplicates) + " exact duplicate row(s) dropped (by 64-bit row hashes)",
                                m_duplicates});
    if (clean.fillBytesInMedian) {
        std::string description = "no missing bytes_in values";
        if (m_result.bytesInMedian != kMissingInteger)
            description = std::to_string(m_missingBytesIn) + " missing bytes_in value(s) filled with the median, "
                + std::to_string(m_result.bytesInMedian)
                + (m_result.medianExact ? "" : " (from a sample of " + std::to_string(m_params.medianValues) + " values)");
        else if (m_missingBytesIn > 0)
            description = "bytes_in is missing in every row: nothing to take a median of, left missing";
        report.steps.push_back({"fill_bytes_in_median", description,
                                m_result.bytesInMedian != kMissingInteger ? m_missingBytesIn : 0});
    }
    if (clean.dropMissingAddresses)
        report.steps.push_back({"drop_missing_addresses",
                                std::to_string(m_unaddressed) + " row(s) without src_ip or dst_ip dropped", m_unaddressed});
    if (clean.upperCaseCountries)
        report.steps.push_back({"upper_case_countries",
                                std::to_string(m_countriesChanged) + " country code(s) changed to upper case",
                                m_countriesChanged});

    // The sample as a table, in the order it was drawn (the file's order when it is whole).
    std::vector<SampleRow>& rows = m_sample.items();
    m_result.sampleRows = rows.size();
    m_result.sampleIsWholeFile = m_sample.whole();
    TrafficTable& table = m_sampleTable;
    for (Column& column : table.columns)
        column.resize(rows.size());
    table.sourceLines.resize(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t i = 0; i < kSampleIntegers.size(); ++i)
            table.column(kSampleIntegers[i]).integers[r] = rows[r].cells[i];
        for (std::size_t i = 0; i < kSampleTexts.size(); ++i)
            table.column(kSampleTexts[i]).text[r] = table.strings->intern(rows[r].text[i]);
        table.sourceLines[r] = rows[r].line;
    }
    std::vector<SampleRow>().swap(rows);
    fillBytesIn(table, m_result.bytesInMedian);
    m_result.distinctSources = m_stats.distinctSources();
}

// The encodings: from the sample itself when it is the whole file (exactly the in-memory run's),
// otherwise from pass 1's statistics (exact counts and shares; means summed in file order, with
// the rows lacking bytes_in added after the median is known).
// This file's encodings of features (and the derived features' fills for --out): from the sample
// itself when it is the whole file (exactly the in-memory run's), else from pass 1's statistics.
std::shared_ptr<FeatureEncodings> Streamer::learnFileEncodings(const FeatureSet& sampleFeatures,
                                                               const std::vector<Feature>& features, InputScaling scaling)
{
    const double median = m_result.bytesInMedian == kMissingInteger ? 0.0 : static_cast<double>(m_result.bytesInMedian);
    const bool filled = m_result.bytesInMedian != kMissingInteger;
    auto sourceValues = [&](Feature feature) {
        auto values = std::make_shared<std::unordered_map<std::string, double>>();
        if (m_result.sampleIsWholeFile) {
            const TrafficTable& t = m_sampleTable;
            const auto& in = t.column(Field::BytesIn).integers;
            const auto& out = t.column(Field::BytesOut).integers;
            for (std::size_t row = 0; row < t.rowCount(); ++row) {
                double& total = (*values)[std::string(t.text(Field::SrcIp, row))];
                if (feature == Feature::SourceSessions) {
                    total += 1.0;
                } else {
                    if (in[row] != kMissingInteger)
                        total += static_cast<double>(in[row]);
                    if (out[row] != kMissingInteger)
                        total += static_cast<double>(out[row]);
                }
            }
            return values;
        }
        values->reserve(m_stats.sources.size());
        m_stats.forEachSource([&](std::string_view source, const FeatureStatistics::Source& stats) {
            (*values)[std::string(source)] = feature == Feature::SourceSessions
                ? stats.sessions
                : stats.presentBytes + (filled ? static_cast<double>(stats.missingBytesIn) * median : 0.0);
        });
        return values;
    };
    FeatureEncodings encodings;
    if (m_result.sampleIsWholeFile) {
        encodings = learnEncodings(m_sampleTable, sampleFeatures, features, scaling);
        m_durationFill = sampleFeatures.sessionDuration.fill();
        m_rateFill = sampleFeatures.avgPacketSize.fill();
    } else {
        const FeatureStatistics& s = m_stats;
        const double rows = static_cast<double>(s.rows);
        m_durationFill = s.durations > 0 ? s.durationSum / static_cast<double>(s.durations) : 0.0;
        const std::size_t rates = s.rates + (filled ? s.missingInRates : 0);
        const double rateSum = s.rateSum + (filled ? median * s.missingInInverse + s.missingInOutRate : 0.0);
        m_rateFill = rates > 0 ? rateSum / static_cast<double>(rates) : 0.0;
        const std::size_t inPresent = s.bytesInPresent + (filled ? s.rows - s.bytesInPresent : 0);
        const double inSum = s.bytesInSum + (filled ? static_cast<double>(s.rows - s.bytesInPresent) * median : 0.0);
        for (Feature feature : features) {
            FeatureEncoding encoding;
            encoding.feature = feature;
            encoding.scale = effectiveScale(feature, scaling);
            if (feature == Feature::BytesIn)
                encoding.fill = inPresent > 0 ? inSum / static_cast<double>(inPresent) : 0.0;
            else if (feature == Feature::BytesOut)
                encoding.fill = s.bytesOutPresent > 0 ? s.bytesOutSum / static_cast<double>(s.bytesOutPresent) : 0.0;
            else if (feature == Feature::SessionDuration)
                encoding.fill = m_durationFill;
            else if (feature == Feature::AvgPacketSize)
                encoding.fill = m_rateFill;
            else if (feature == Feature::DstPortFrequency || feature == Feature::ResponseCodeFrequency) {
                const std::size_t f = feature == Feature::DstPortFrequency ? 0 : 1;
                for (std::size_t value = 0; value < 65536; ++value) {
                    if (s.portCodeCounts[f][value] > 0)
                        encoding.integerShares.emplace(static_cast<std::int64_t>(value),
                                                       static_cast<double>(s.portCodeCounts[f][value]) / rows);
                }
                for (const auto& [value, count] : s.portCodeOthers[f])
                    encoding.integerShares.emplace(value, static_cast<double>(count) / rows);
            } else if (feature == Feature::ProtocolFrequency || feature == Feature::CountryFrequency) {
                for (const auto& [value, count] : s.protocolCountryCounts[feature == Feature::ProtocolFrequency ? 0 : 1])
                    encoding.textShares.emplace(value, static_cast<double>(count) / rows);
            }
            encodings.push_back(std::move(encoding));
        }
    }
    for (FeatureEncoding& encoding : encodings) {
        if (encoding.feature == Feature::SourceSessions || encoding.feature == Feature::SourceTotalBytes)
            encoding.sourceValues = sourceValues(encoding.feature);
    }
    std::vector<FeatureStatistics::Source>().swap(m_stats.sources);
    m_stats.sourceNames = StringPool();
    return std::make_shared<FeatureEncodings>(std::move(encodings));
}

void Streamer::fit()
{
    const DetectorParams& detector = m_params.analysis.detector;
    const FeatureSet sampleFeatures = computeFeatures(m_sampleTable);
    m_encodings = learnFileEncodings(sampleFeatures, detector.features, detector.scaling);
    for (const FeatureEncoding& encoding : *m_encodings) {
        std::vector<double> values = encodedFeatureValues(m_sampleTable, sampleFeatures, encoding);
        m_result.training.push_back(describeDistribution(values));
    }
    const TableFeatureRows rows(m_sampleTable, sampleFeatures, *m_encodings);
    auto forest = std::make_shared<IsolationForest>();
    forest->fit(rows, detector.forest, m_progress);
    m_forest = forest;
    // The sample's scores set pass 2's window around the threshold; a whole-file sample needs none.
    if (!m_result.sampleIsWholeFile && !m_params.analysis.contamination.automatic) {
        m_sampleScores = m_forest->scoreSamples(rows, detector.forest.threads);
        std::sort(m_sampleScores.begin(), m_sampleScores.end());
    }
    auto detection = std::make_shared<Detection>();
    detection->params = detector;
    detection->forest = m_forest;
    detection->encodings = m_encodings;
    detection->effectiveMaxSamples = m_forest->maxSamples();
    m_result.detection = detection;
}

// `score --model` in streaming mode: the saved model's encodings and forest, nothing fitted, as
// scoreWithModel (core/pipeline.h). The feature columns written to --out are this file's own, as
// the in-memory score writes them.
void Streamer::useModel()
{
    const std::shared_ptr<const DetectorModel>& model = m_params.analysis.model;
    m_fileEncodings = learnFileEncodings(computeFeatures(m_sampleTable), model->features(), model->scaling);
    m_encodings = std::make_shared<FeatureEncodings>(model->encodings);
    m_forest = model->forest;
    const int threads = m_params.analysis.detector.forest.threads;
    auto detection = std::make_shared<Detection>();
    detection->params.features = model->features();
    detection->params.scaling = model->scaling;
    detection->params.forest.trees = model->trees;
    detection->params.forest.maxSamples = model->maxSamplesRequested;
    detection->params.forest.seed = model->seed;
    detection->params.forest.threads = threads;
    detection->effectiveMaxSamples = m_forest->maxSamples();
    detection->encodings = m_encodings;
    detection->forest = m_forest;
    detection->model = model;
    m_result.detection = detection;
    if (m_params.analysis.modelThreshold) {
        m_result.contamination = model->contamination;
        return;
    }
    // Re-thresholded on this file: the sample's scores set pass 2's window, as after a fit.
    if (!m_result.sampleIsWholeFile && !m_params.analysis.contamination.automatic) {
        const TableFeatureRows rows(m_sampleTable, FeatureSet{}, *m_encodings);
        m_sampleScores = m_forest->scoreSamples(rows, threads);
        std::sort(m_sampleScores.begin(), m_sampleScores.end());
    }
}
} // namespace

namespace {

// Reads the file again, cleans each chunk as pass 1 did, scores its rows and hands them on.
void Streamer::scoredPass(const char* stage, const ChunkVisitor& visit)
{
    ++m_result.passes;
    m_rowsRead = 0;
    std::unique_ptr<ChunkSource> source;
    if (m_spill) {
        // Pass 1's cleaned chunks, read back as they were, read ahead as the file would be.
        source = std::make_unique<CleanedSpillSource>(*m_spill);
        if (m_params.analysis.read.threads != 1)
            source = std::make_unique<PrefetchingChunkSource>(std::move(source));
    } else {
        source = openPrefetchedChunkSource(m_path, m_params.analysis.read, m_params.chunkBytes);
        source->startFrom(m_columnLayout); // every chunk with the whole file's columns, as pass 1 found them
    }
    ChunkSource& reader = *source;
    ReadResult chunk;
    std::uint64_t cleanedRows = 0;
    while (reader.next(chunk, m_progress)) {
        CleanResult cleaned;
        if (m_spill) {
            // Cleaned before the median fill, as pass 1 gathered them: filling first, as below,
            // changes nothing the cleaning looks at.
            cleaned.table = std::move(chunk.table);
            fillBytesIn(cleaned.table, m_result.bytesInMedian);
        } else {
            dropDuplicates(chunk.table, false);
            fillBytesIn(chunk.table, m_result.bytesInMedian);
            cleaned = cleanTraffic(std::move(chunk.table), chunkCleaning(), {});
        }
        m_chunkEnrichment.reset();
        if (m_enrich && (m_enrich->fillsCountries() || m_enrichChunks))
            m_chunkEnrichment = m_enrich->enrich(cleaned.table);
        const TrafficTable& table = cleaned.table;
        if (table.rowCount() > 0) {
            const TableFeatureRows rows(table, FeatureSet{}, *m_encodings);
            const std::vector<double> scores
                = m_forest->scoreSamples(rows, m_params.analysis.detector.forest.threads, m_progress);
            visit(table, scores, cleanedRows);
        }
        cleanedRows += table.rowCount();
        m_progress.report(stage, reader.fraction());
    }
}

StreamedRow streamedRow(const TrafficTable& table, std::size_t row, double score, std::uint64_t index)
{
    StreamedRow kept;
    kept.score = score;
    kept.row = index;
    kept.line = table.sourceLines[row];
    kept.srcIp = table.text(Field::SrcIp, row);
    kept.dstIp = table.text(Field::DstIp, row);
    kept.protocol = table.text(Field::Protocol, row);
    kept.country = table.text(Field::SrcIpCountryCode, row);
    kept.dstPort = table.column(Field::DstPort).integers[row];
    kept.bytesIn = table.column(Field::BytesIn).integers[row];
    kept.bytesOut = table.column(Field::BytesOut).integers[row];
    return kept;
}

// Scores below lo are counted, scores in [lo, hi] kept: the threshold is exact when its two order
// statistics fall in the window. A histogram of every score finds the bin to collect when they do not.
void Streamer::findThreshold()
{
    const Contamination& contamination = m_params.analysis.contamination;
    // A threshold known before scoring (automatic contamination's, a saved model's): one pass counts.
    const bool modelThreshold = m_params.analysis.model && m_params.analysis.modelThreshold;
    const bool fixed = contamination.automatic || modelThreshold;
    const double fixedAt = modelThreshold ? m_params.analysis.model->threshold : -0.5;
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    const double q = contamination.value;
    if (fixed) {
        lo = hi = fixedAt;
    } else if (!m_result.sampleIsWholeFile && !m_sampleScores.empty()) {
        const double s = static_cast<double>(m_sampleScores.size());
        const double margin = std::max(0.002, 6.0 * std::sqrt(q * (1.0 - q) / s));
        const auto at = [&](double share) {
            const double index = std::clamp(share, 0.0, 1.0) * (s - 1.0);
            return m_sampleScores[static_cast<std::size_t>(index)];
        };
        lo = q - margin <= 0.0 ? -std::numeric_limits<double>::infinity() : at(q - margin);
        hi = q + margin >= 1.0 ? std::numeric_limits<double>::infinity() : at(q + margin);
    }
    constexpr std::size_t kBins = 1 << 16;
    std::vector<std::size_t> histogram(kBins, 0);
    const auto binOf = [](double score) {
        return static_cast<std::size_t>(std::clamp((score + 1.0) * static_cast<double>(kBins), 0.0, kBins - 1.0));
    };
    std::size_t below = 0;
    std::vector<double> window;
    std::size_t total = 0;
    const std::size_t topN = std::max<std::size_t>(m_params.analysis.topN, 1);
    auto worse = [](const StreamedRow& a, const StreamedRow& b) {
        return a.score < b.score || (a.score == b.score && a.row < b.row);
    };
    std::priority_queue<StreamedRow, std::vector<StreamedRow>, decltype(worse)> top(worse);
    double minimum = std::numeric_limits<double>::infinity(), maximum = -minimum;
    scoredPass("pass 2", [&](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first) {
        m_chunkAllowed = nullptr;
        if (m_allow) { // the matched rows' scores placed as every score is, below
            m_chunkAllowed = &m_allow->match(table, true, m_progress.cancelFlag());
            m_allow->place(scores, [&](double score) { return score < lo ? -1 : score <= hi && !fixed ? 0 : 1; });
        }
        for (std::size_t row = 0; row < scores.size(); ++row) {
            const double score = scores[row];
            ++histogram[binOf(score)];
            minimum = std::min(minimum, score);
            maximum = std::max(maximum, score);
            if (score < lo)
                ++below;
            else if (score <= hi && !fixed)
                window.push_back(score);
            if ((!m_chunkAllowed || !(*m_chunkAllowed)[row]) && (top.size() < topN || score < top.top().score)) {
                top.push(streamedRow(table, row, score, first + row));
                if (top.size() > topN)
                    top.pop();
            }
        }
        total += scores.size();
        if (!m_params.out.empty()) {
            const double c = IsolationForest::averagePathLength(m_result.detection->effectiveMaxSamples);
            for (double score : scores)
                m_pathSum += -c * std::log2(-score);
        }
        if (m_drift)
            m_drift->add(table, numericValues(table));
        if (m_evaluation) {
            m_evaluation->add(table, scores);
            if (!m_params.truthColumn.empty() && !m_evaluation->problem().empty())
                throw ParameterError("--truth " + m_params.truthColumn + ": " + m_evaluation->problem());
        }
        if (m_result.threatIndex)
            countThreatLists(table, scores);
        if (m_params.onScored)
            m_params.onScored(table, scores, first, m_chunkAllowed);
    });
    m_result.rowsScored = total;
    m_result.minScore = total ? minimum : 0.0;
    m_result.maxScore = total ? maximum : 0.0;
    while (!top.empty()) {
        m_result.mostAnomalous.push_back(top.top());
        top.pop();
    }
    std::reverse(m_result.mostAnomalous.begin(), m_result.mostAnomalous.end());
    if (fixed) {
        m_result.threshold = fixedAt;
        m_result.suspiciousCount = below;
        return;
    }
    if (total == 0)
        return;
    const double virtualIndex = q * static_cast<double>(total - 1);
    const auto lower = static_cast<std::size_t>(std::floor(virtualIndex));
    const std::size_t upper = std::min(lower + 1, total - 1);
    if (lower < below || upper >= below + window.size()) {
        // Outside the window: one more pass keeps the bins that hold both order statistics.
        std::size_t seen = 0, binLower = 0, binUpper = 0, beforeLower = 0;
        for (std::size_t b = 0; b < kBins; ++b) {
            if (seen <= lower && lower < seen + histogram[b])
                binLower = b, beforeLower = seen;
            if (seen <= upper && upper < seen + histogram[b])
                binUpper = b;
            seen += histogram[b];
        }
        window.clear();
        below = 0;
        if (m_allow)
            m_allow->restartWindow();
        scoredPass("pass 3", [&](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t) {
            if (m_allow) {
                m_allow->match(table, false, m_progress.cancelFlag());
                m_allow->place(scores, [&](double score) {
                    const std::size_t bin = binOf(score);
                    return bin < binLower ? -1 : bin <= binUpper ? 0 : 1;
                });
            }
            for (double score : scores) {
                const std::size_t bin = binOf(score);
                if (bin < binLower)
                    ++below;
                else if (bin <= binUpper)
                    window.push_back(score);
            }
        });
        (void)beforeLower;
    }
    std::sort(window.begin(), window.end());
    const double a = window[lower - below];
    const double b = window[upper - below];
    const double t = virtualIndex - std::floor(virtualIndex);
    const double difference = b - a;
    // numpy's linear percentile, step for step, as ScoreIndex::thresholdFor.
    m_result.threshold = t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
    m_result.suspiciousCount
        = below + static_cast<std::size_t>(std::lower_bound(window.begin(), window.end(), m_result.threshold) - window.begin());
}
} // namespace

namespace {

void Streamer::countThreatLists(const TrafficTable& table, const std::vector<double>& scores)
{
    const ThreatMatches matches = matchThreatLists(table, m_result.threatIndex, m_progress.cancelFlag());
    ThreatFindings& found = m_result.threatFindings;
    const std::size_t lists = found.lists.size();
    for (std::size_t row = 0; row < scores.size(); ++row) {
        const std::uint64_t set = matches.row(row);
        if (set == 0)
            continue;
        ++found.rows;
        const std::string_view source = table.text(Field::SrcIp, row);
        const auto id = m_listedSourceIds.try_emplace(std::string(source), static_cast<std::uint32_t>(m_listedSourceIds.size()))
                            .first->second;
        for (std::size_t i = 0; i < lists; ++i) {
            const std::uint64_t bit = std::uint64_t(1) << i;
            if (!(set & bit))
                continue;
            ThreatListCount& count = found.lists[i];
            ++count.rows;
            count.sourceRows += (matches.src[row] & bit) ? 1 : 0;
            count.destinationRows += (matches.dst[row] & bit) ? 1 : 0;
            m_sourcesPerList[i].push_back(id);
        }
        if (m_listed.size() < StreamResult::kMaxListedRows)
            m_listed.push_back({scores[row], set, id, m_chunkAllowed && (*m_chunkAllowed)[row]});
        else
            m_result.threatSuspiciousCounted = false;
    }
    // A list's sources, made distinct as they come so that the lists stay as small as the sources.
    for (std::vector<std::uint32_t>& ids : m_sourcesPerList) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
}

void Streamer::finishThreatLists()
{
    ThreatFindings& found = m_result.threatFindings;
    std::vector<std::vector<std::uint32_t>> suspiciousSources(found.lists.size());
    for (std::size_t i = 0; i < found.lists.size(); ++i)
        found.lists[i].sources = m_sourcesPerList[i].size();
    if (!m_result.threatSuspiciousCounted) {
        m_result.notes.push_back("more than " + std::to_string(StreamResult::kMaxListedRows)
                                 + " rows are on a threat list: their suspicious counts per list are not counted in "
                                   "streaming mode (the rows per list are)");
        return;
    }
    for (const ListedRow& listed : m_listed) {
        if (!(listed.score < m_result.threshold) || listed.allowed)
            continue;
        ++found.suspiciousRows;
        for (std::size_t i = 0; i < found.lists.size(); ++i) {
            if (listed.lists & (std::uint64_t(1) << i)) {
                ++found.lists[i].suspiciousRows;
                suspiciousSources[i].push_back(listed.source);
            }
        }
    }
    for (std::size_t i = 0; i < found.lists.size(); ++i) {
        std::vector<std::uint32_t>& ids = suspiciousSources[i];
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        found.lists[i].suspiciousSources = ids.size();
    }
}

// A part of the file's values of the model's numeric features (the frequency features' left empty), as
// the file's own encodings give them (featureValues over the whole file in memory).
std::vector<std::vector<double>> Streamer::numericValues(const TrafficTable& table) const
{
    const FeatureEncodings& columns = *m_encodings;
    Detection valued;
    valued.encodings = m_fileEncodings ? m_fileEncodings : m_encodings;
    FeatureSet derived;
    derived.sessionDuration = DerivedFeature(DerivedFeature::Kind::SessionDuration, table, m_durationFill);
    derived.avgPacketSize = DerivedFeature(DerivedFeature::Kind::AvgPacketSize, table, m_rateFill);
    std::vector<std::vector<double>> values(columns.size());
    for (std::size_t f = 0; f < columns.size(); ++f) {
        if (!columns[f].isFrequency())
            values[f] = encodedInputValues(table, derived, valued, columns[f].feature);
    }
    return values;
}

void Streamer::finishDrift()
{
    const DetectorModel& model = *m_params.analysis.model;
    std::vector<std::vector<double>> values = numericValues(m_sampleTable);
    std::vector<double> medians(values.size(), 0.0);
    for (std::size_t column = 0; column < values.size(); ++column) {
        if (!model.encodings[column].isFrequency())
            medians[column] = describeDistribution(values[column]).median;
    }
    m_result.drift = std::make_shared<const DriftReport>(m_drift->finish(medians));
    m_result.driftMediansExact = m_result.sampleIsWholeFile;
    m_drift.reset();
}

// One more pass writes the scored CSV row by row, labelled at the threshold, atomically.
void Streamer::writeOut()
{
    AtomicFile file(m_params.out);
    bool header = true;
    m_enrichChunks = true; // the enrichment columns
    // The explanations place a row among the sample's values (every row's when it holds them all: the
    // in-memory ranks), valued with the encodings the file's feature columns are written with.
    const int threads = m_params.analysis.detector.forest.threads;
    std::optional<FeatureRanks> ranks;
    if (m_result.detection->forest && m_result.rowsScored > 0) {
        Detection valued = *m_result.detection;
        if (m_fileEncodings)
            valued.encodings = m_fileEncodings;
        FeatureSet sampleFeatures;
        sampleFeatures.sessionDuration = DerivedFeature(DerivedFeature::Kind::SessionDuration, m_sampleTable, m_durationFill);
        sampleFeatures.avgPacketSize = DerivedFeature(DerivedFeature::Kind::AvgPacketSize, m_sampleTable, m_rateFill);
        ranks = rankSampleFeatures(m_sampleTable, sampleFeatures, valued,
                                   m_pathSum / static_cast<double>(m_result.rowsScored), threads);
    }
    std::vector<std::size_t> explainedRows;
    std::vector<std::string> cells;
    scoredPass("write", [&](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t) {
        auto data = std::make_shared<PreparedData>();
        data->file = m_path;
        // The table is the pass's own, valid for this call: a copy costs one chunk.
        data->table = table;
        data->features.sessionDuration
            = DerivedFeature(DerivedFeature::Kind::SessionDuration, data->table, m_durationFill);
        data->features.avgPacketSize = DerivedFeature(DerivedFeature::Kind::AvgPacketSize, data->table, m_rateFill);
        data->features.enrichment = m_chunkEnrichment;
        auto detection = std::make_shared<Detection>(*m_result.detection);
        if (m_fileEncodings)
            detection->encodings = m_fileEncodings;
        detection->scores = ScoreIndex(scores);
        Analysis chunk;
        chunk.data = data;
        chunk.detection = detection;
        chunk.verdicts.threshold = m_result.threshold;
        chunk.verdicts.suspicious.resize(scores.size());
        if (m_result.suppression) // the suppressed column; the rows it marks are labelled normal
            chunk.suppression = std::make_shared<const Suppression>(
                matchRules(data->table, m_result.suppression->rules, m_progress.cancelFlag()));
        for (std::size_t row = 0; row < scores.size(); ++row)
            chunk.verdicts.suspicious[row]
                = scores[row] < m_result.threshold && !(chunk.suppression && chunk.suppression->rows[row]) ? 1 : 0;
        if (m_result.threatIndex) // the threat_lists column
            chunk.threatMatches = std::make_shared<const ThreatMatches>(
                matchThreatLists(data->table, m_result.threatIndex, m_progress.cancelFlag()));
        // Each suspicious row's explanation (every row's with explainAll), as writeScoredCsv writes them.
        explainedRows.clear();
        for (std::size_t row = 0; row < scores.size(); ++row) {
            if (m_params.explainAll || chunk.verdicts.suspicious[row])
                explainedRows.push_back(row);
        }
        cells.assign(scores.size(), std::string());
        // In batches: a row's explanation (its features and sentence, about 500 bytes) lives only until
        // its cells are made, so a chunk holds its rows' cells (about 150 bytes each) and one batch.
        constexpr std::size_t kBatchRows = 32768; // as writeScoredCsv
        for (std::size_t from = 0; ranks && from < explainedRows.size(); from += kBatchRows) {
            const std::vector<std::size_t> batch(explainedRows.begin() + static_cast<std::ptrdiff_t>(from),
                                                 explainedRows.begin()
                                                     + static_cast<std::ptrdiff_t>(std::min(explainedRows.size(), from + kBatchRows)));
            const std::vector<RowExplanation> explanations = explainRows(*data, *detection, batch, threads, &*ranks);
            for (std::size_t i = 0; i < explanations.size(); ++i)
                cells[batch[i]] = explanationCells(explanations[i]);
        }
        appendScoredChunk(chunk, file, header, 0, &cells);
        header = false;
    });
    file.commit();
}

std::string formatBytes(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}
StreamResult Streamer::run()
{
    auto started = std::chrono::steady_clock::now();
    if (m_params.analysis.clean.enricher)
        m_enrich = std::make_unique<StreamedEnrichment>(m_params.analysis.clean.enricher);
    passOne();
    if (m_enrich && m_stats.rows > 0 && m_enrich->fileHasCountries() == m_enrich->fillsCountries()) {
        // As in memory the database's countries fill the file's when no row has one: pass 1 gathers
        // again with the right choice when the first chunk's columns did not tell.
        m_enrich->fillCountries(!m_enrich->fileHasCountries());
        gatherAgain();
    }
    finishPassOne();
    if (m_countriesFilled > 0)
        m_result.cleanReport.steps.push_back(
            {"country_from_location_database",
             "filled src_ip_country_code, which the file lacks, from the location database for "
                 + std::to_string(m_countriesFilled) + " rows",
             m_countriesFilled});
    m_result.passes = m_result.passOneReread ? 2 : 1; // pass 1 read the file twice when late duplicates were found
    if (m_spill) {
        m_result.cleanedRowsSpilled = true;
        m_result.cleanedSpillBytes = m_spill->bytes();
        logger::core()->info("stream: pass 1 kept {} cleaned rows in {} chunk(s) in {} ({} bytes, removed at the end): the "
                             "scoring passes read them instead of the file", m_spill->rows(), m_spill->chunks(),
                             m_spill->path(), m_spill->bytes());
    }
    m_result.seconds[0] = secondsSince(started);
    const std::shared_ptr<const DetectorModel>& model = m_params.analysis.model;
    if (m_stats.rows < (model ? 1u : 2u))
        throw InputError(m_path, 0, "",
                         std::string(model ? "nothing to score" : "the detector needs at least two rows")
                             + ": after cleaning there are " + std::to_string(m_stats.rows) + " (" + std::to_string(m_result.readReport.rows) + " read)");
    started = std::chrono::steady_clock::now();
    if (model)
        useModel();
    else
        fit();
    m_result.seconds[1] = secondsSince(started);
    started = std::chrono::steady_clock::now();
    if (!m_params.analysis.threatLists.empty()) {
        m_result.threatIndex = std::make_shared<const ThreatIndex>(m_params.analysis.threatLists);
        for (const auto& list : m_params.analysis.threatLists)
            m_result.threatFindings.lists.push_back({list->name});
        m_sourcesPerList.resize(m_params.analysis.threatLists.size());
    }
    if (!m_params.analysis.allowRules.empty())
        m_allow = std::make_unique<StreamedAllowList>(m_params.analysis.allowRules);
    if (m_params.evaluate) {
        StreamedEvaluationParams evaluation;
        evaluation.truthColumn = m_params.truthColumn;
        evaluation.scratchDir = m_params.scratchDir;
        evaluation.runBytes = m_params.effectiveDuplicateSetBytes(); // the duplicate set is gone by then
        m_evaluation = std::make_unique<StreamedEvaluation>(evaluation);
    }
    if (model)
        m_drift = std::make_unique<DriftMeasure>(*model);
    findThreshold();
    m_spill.reset(); // the scoring passes are done: the scratch file goes
    if (m_drift)
        finishDrift();
    if (m_evaluation) {
        m_result.evaluation = m_evaluation->finish();
        m_result.evaluationProblem = m_evaluation->problem();
        if (!m_params.truthColumn.empty() && !m_result.evaluation)
            throw ParameterError("--truth " + m_params.truthColumn + ": " + m_result.evaluationProblem);
        if (m_result.evaluation)
            m_evaluationNote = "the evaluation against " + m_result.evaluation->truthColumn() + " is exact: every row's "
                "score and truth went to the scratch folder (9 bytes a row, " + formatBytes(m_evaluation->spilledBytes())
                + " written, removed) and were sorted in " + std::to_string(m_evaluation->runs())
                + " run(s) and merged: the same areas and operating points as in memory";
        m_evaluation.reset();
    }
    if (m_allow) {
        m_result.suppression = m_allow->totals();
        m_result.suppressedCount = m_allow->suppressedAt(m_result.threshold);
        m_result.suspiciousCount -= m_result.suppressedCount;
        m_allow.reset();
        m_chunkAllowed = nullptr;
    }
    if (m_result.threatIndex)
        finishThreatLists();
    m_result.seconds[2] = secondsSince(started);
    if (!m_params.out.empty()) {
        started = std::chrono::steady_clock::now();
        writeOut();
        m_result.seconds[3] = secondsSince(started);
    }
    std::vector<std::string>& notes = m_result.notes;
    notes.push_back("streamed in " + std::to_string(m_result.passes) + " passes of "
                    + std::to_string(m_result.chunks) + " chunk(s) (" + std::to_string(m_params.chunkBytes >> 10)
                    + " KiB of text each)");
    notes.insert(notes.end(), m_readerNotes.begin(), m_readerNotes.end());
    if (!m_spillDropped.empty())
        notes.push_back(m_spillDropped);
    if (model) {
        notes.push_back("scored with the saved model " + (model->file.empty() ? std::string("given") : model->file)
                        + ": its encodings and forest, nothing refitted, as in memory: the same scores");
        notes.push_back(m_params.analysis.modelThreshold
                            ? "labelled at the model's saved threshold: one scoring pass after the read-and-clean pass"
                            : "labelled at this file's contamination percentile, exact, as in memory");
        notes.push_back(std::string("the drift against the model's training data: new categories and rows outside the "
                                    "training range counted over every row; ")
                        + (m_result.driftMediansExact ? "the medians over every row, as in memory"
                                                      : "the medians those of the uniform sample of "
                                                            + std::to_string(m_result.sampleRows) + " rows"));
    } else if (m_result.sampleIsWholeFile)
        notes.push_back("the forest was fitted on every cleaned row, as in memory: the same scores and verdicts");
    else
        notes.push_back("the forest was fitted on a uniform sample of " + std::to_string(m_result.sampleRows)
                        + " of the " + std::to_string(m_stats.rows)
                        + " cleaned rows (each tree draws its rows from it); shares, per-source counts and totals are "
                          "exact over the whole file, means are summed in file order");
    if (!m_result.medianExact)
        notes.push_back("the bytes_in median is that of a uniform sample of " + std::to_string(m_params.medianValues)
                        + " values");
    if (m_params.analysis.clean.dropDuplicates) {
        notes.push_back("exact duplicates were found by 64-bit row hashes (" + std::to_string(m_distinctRows)
                        + " distinct rows: a collision, which would drop a distinct row, has odds about "
                        + "n^2 / 2^65)");
        if (m_result.duplicatesSpilled)
            notes.push_back("the duplicate set outgrew its " + std::to_string(m_params.effectiveDuplicateSetBytes() >> 10)
                            + " KiB after " + std::to_string(m_result.rowsBeforeSpill) + " rows and spilled to "
                            + std::to_string(m_result.duplicatePartitions) + " partition files ("
                            + formatBytes(m_result.spilledBytes) + " in " + m_result.scratchFolder
                            + ", removed), resolved one by one: " + std::to_string(m_result.lateDuplicates)
                            + " duplicate(s) found there"
                            + (m_result.passOneReread ? "; pass 1 read the file again to gather its statistics without them"
                                                      : ""));
    }
    if (m_result.suppression)
        notes.push_back("the allow-list's rules were matched chunk by chunk as pass 2 scored them; the threshold was "
                        "set on every row's score before suppression, as in memory; the most anomalous rows listed "
                        "leave out every row a rule matches");
    if (m_enrich) {
        notes.push_back("the location database (" + m_enrich->enricher().path() + ") was asked about each distinct "
                        "address once while a cache of " + std::to_string(m_enrich->maxCached()) + " addresses held it: "
                        + std::to_string(m_enrich->lookups()) + " lookups"
                        + (m_enrich->cacheClears() ? ", the cache emptied " + std::to_string(m_enrich->cacheClears()) + " time(s)" : std::string())
                        + (!m_enrich->fillsCountries() ? std::string()
                           : m_enrich->countriesFilledFromTheStart()
                           ? "; the file has no src_ip_country_code: the database's countries filled it in every pass"
                           : "; no row of the file has a src_ip_country_code: the database's countries filled it in every "
                             "pass (pass 1 read the file again with them)"));
        notes.push_back("the 'Who is on the other end' section (ASes, countries and flags of the suspicious rows) is not "
                        "computed in streaming mode; the scored CSV's columns carry every row's answers");
    }
    if (!m_evaluationNote.empty())
        notes.push_back(m_evaluationNote);
    if (!m_params.out.empty())
        notes.push_back(std::string("the scored CSV's explanations (") + (m_params.explainAll ? "every row's" : "the suspicious rows'")
                        + ") have the forest's own credits and the whole file's average path length; "
                        + (m_result.sampleIsWholeFile
                               ? "a row's place among the other rows (\"above 99.9 % of sessions\") is counted over every row, as in memory"
                               : "a row's place among the other rows (\"above 99.9 % of sessions\") is counted over the forest's uniform "
                                 "sample of " + std::to_string(m_result.sampleRows)
                                 + " rows, not every row: a share within about 0.1 percentage point of the whole file's "
                                   "(one standard error at most 0.5 / sqrt(sample rows))"));
    return std::move(m_result);
}

} // namespace

StreamResult analyzeStream(const std::string& path, const StreamParams& params, const Progress& progress)
{
    params.validate();
    Streamer streamer(path, params, progress);
    StreamResult result = streamer.run();
    logger::core()->info("stream: {} rows scored in {} passes, threshold {}, {} suspicious", result.rowsScored,
                         result.passes, result.threshold, result.suspiciousCount);
    return result;
}

std::string streamResultText(const StreamResult& r, std::size_t rowsShown)
{
    std::string out;
    char line[512];
    out += "File: " + r.file + " (" + formatBytes(r.textBytes) + " of text" + (r.compressed ? ", compressed" : "")
        + "), analysed in streaming mode\n";
    if (!r.readReport.format.empty())
        out += "Read as: " + r.readReport.format + "\n";
    std::snprintf(line, sizeof line, "Rows: %zu read, %zu after cleaning\n", r.readReport.rows, r.cleanReport.rowsOut);
    out += line;
    out += "Cleaning:\n";
    for (const CleanStep& step : r.cleanReport.steps)
        out += "  " + step.description + "\n";
    if (r.readReport.malformed.count > 0)
        out += "  " + std::to_string(r.readReport.malformed.count) + " malformed row(s) skipped\n";
    const DetectorParams& detector = r.detection->params;
    std::string features;
    for (Feature feature : detector.features)
        features += (features.empty() ? "" : ", ") + std::string(featureInfo(feature).name);
    std::snprintf(line, sizeof line, "Detector: Isolation Forest, %d trees, %d samples per tree, seed %llu, scaling %s\n",
                  detector.forest.trees, r.detection->effectiveMaxSamples,
                  static_cast<unsigned long long>(detector.forest.seed),
                  std::string(inputScalingName(detector.scaling)).c_str());
    out += line;
    out += "Features: " + features + "\n";
    std::snprintf(line, sizeof line, "Threshold: %.6f (contamination %s%s)\n", r.threshold,
                  r.contamination.toString().c_str(), r.thresholdExact ? ", exact percentile" : "");
    out += line;
    const double share = r.rowsScored ? 100.0 * static_cast<double>(r.suspiciousCount) / static_cast<double>(r.rowsScored) : 0.0;
    std::snprintf(line, sizeof line, "Suspicious: %zu of %zu rows (%.2f %%)\n", r.suspiciousCount, r.rowsScored, share);
    out += line;
    if (r.suppression)
        out += "  and " + std::to_string(r.suppressedCount) + " more below the threshold suppressed by the allow-list ("
            + std::to_string(r.suppression->activeRules) + (r.suppression->activeRules == 1 ? " rule)\n" : " rules)\n");
    if (r.threatIndex)
        out += threatListsText(r.threatIndex->lists(), r.threatFindings);
    out += "\nMost anomalous rows:\n     line     score  src_ip           dst_ip           port  protocol  country     bytes_in    bytes_out\n";
    for (std::size_t i = 0; i < r.mostAnomalous.size() && i < rowsShown; ++i) {
        const StreamedRow& row = r.mostAnomalous[i];
        std::snprintf(line, sizeof line, "%9lld  %.6f  %-15s  %-15s  %5lld  %-8s  %-7s  %11lld  %11lld\n",
                      static_cast<long long>(row.line), row.score, row.srcIp.c_str(), row.dstIp.c_str(),
                      static_cast<long long>(row.dstPort == kMissingInteger ? -1 : row.dstPort), row.protocol.c_str(),
                      row.country.c_str(), static_cast<long long>(row.bytesIn == kMissingInteger ? -1 : row.bytesIn),
                      static_cast<long long>(row.bytesOut == kMissingInteger ? -1 : row.bytesOut));
        out += line;
    }
    std::snprintf(line, sizeof line, "\nTime: pass 1 %.2f s, fit %.2f s, scoring pass(es) %.2f s, writing %.2f s\n",
                  r.seconds[0], r.seconds[1], r.seconds[2], r.seconds[3]);
    out += line;
    out += "\nStreaming mode:\n";
    for (const std::string& note : r.notes)
        out += "  " + note + "\n";
    return out;
}

} // namespace webthreat

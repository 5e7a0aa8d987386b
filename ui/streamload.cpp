#include "ui/streamload.h"

#include "core/stream/streamanalysis.h"
#include "core/stream/streamsummary.h"
#include "core/util/log.h"
#include "ui/displayformat.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace webthreat {

namespace {

// The Entities view's table for the shown rows, with every figure the whole file's: every source
// of the file is an entity (its address interned in the shown table's pool), shown rows point at
// theirs.
EntityTable streamedEntities(TrafficTable& table, const StreamView& view)
{
    EntityTable result;
    result.entities.reserve(view.sources.size());
    StringPool& strings = *table.strings;
    std::vector<std::uint32_t> ids;
    ids.reserve(view.sources.size());
    for (const StreamSource& source : view.sources) {
        EntityStats stats;
        stats.srcIp = strings.intern(source.srcIp);
        stats.sessions = source.sessions;
        stats.bytesIn = source.bytesIn;
        stats.bytesOut = source.bytesOut;
        stats.firstSeen = source.firstSeen;
        stats.lastSeen = source.lastSeen;
        stats.countryCount = source.countryCount;
        for (std::size_t i = 0; i < kEntityTopValues && i < source.topCountries.size(); ++i)
            stats.topCountries[i] = source.topCountries[i].empty() ? StringPool::kMissing
                                                                   : strings.intern(source.topCountries[i]);
        stats.portCount = source.portCount;
        for (std::size_t i = 0; i < kEntityTopValues && i < source.topPorts.size(); ++i)
            stats.topPorts[i] = source.topPorts[i];
        if (source.srcIp.empty())
            result.rowsWithoutSource = source.sessions;
        result.entities.push_back(stats);
    }
    result.entityOfIp.assign(strings.size(), EntityTable::kNoEntity);
    for (std::size_t e = 0; e < result.entities.size(); ++e)
        result.entityOfIp[result.entities[e].srcIp] = static_cast<std::uint32_t>(e);
    const auto& sources = table.column(Field::SrcIp).text;
    result.entityOfRow.resize(table.rowCount());
    for (std::size_t row = 0; row < table.rowCount(); ++row)
        result.entityOfRow[row] = result.entityFor(sources[row]);
    std::vector<std::uint32_t> order(result.entities.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return strings.view(result.entities[a].srcIp) < strings.view(result.entities[b].srcIp);
    });
    result.ipRank.resize(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        result.ipRank[order[i]] = static_cast<std::uint32_t>(i);
    return result;
}

// Findings counted on the shown rows hold every suspicious row (when none was past the cap); their
// "rows overall" are the whole file's.
void fileWideFindings(Findings& findings, const StreamView& view)
{
    findings.rows = view.rowsScored;
    std::unordered_map<std::string, std::uint64_t> sessions;
    for (const StreamSource& source : view.sources)
        sessions[source.srcIp] = source.sessions;
    const auto overall = [](std::vector<FindingEntry>& entries, const auto& counts) {
        for (FindingEntry& entry : entries) {
            const auto found = counts.find(entry.value);
            if (found != counts.end())
                entry.totalRows = found->second;
        }
    };
    overall(findings.sourceIps, sessions);
    overall(findings.countries, view.countryRows);
    overall(findings.protocols, view.protocolRows);
    for (FindingEntry& entry : findings.destinationPorts) {
        try {
            const auto found = view.portRows.find(std::stoll(entry.value));
            if (found != view.portRows.end())
                entry.totalRows = found->second;
        } catch (const std::exception&) {
            // a value that is not a port ("other"): left as counted
        }
    }
}

} // namespace

LoadResult streamLoad(const LoadRequest& request, const Progress& progress)
{
    const std::string path = request.path.toStdString();
    StreamParams params;
    params.analysis.read = request.read;
    params.analysis.read.memoryBudget = 0;
    params.analysis.clean = request.clean;
    params.analysis.detector = request.detector;
    params.analysis.contamination = request.contamination;
    params.chunkBytes = request.streamChunkBytes;
    StreamSummaryParams summaryParams;
    summaryParams.suspiciousRows = kStreamSuspiciousCap;
    summaryParams.sampleRows = params.sampleRows;
    StreamSummary summary(summaryParams);
    params.onScored = [&summary](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first) {
        summary.add(table, scores, first);
    };
    const StreamResult streamed = analyzeStream(path, params, progress);
    progress.check();
    StreamView view = summary.finish(streamed.threshold, streamed.suspiciousCount);

    auto info = std::make_shared<StreamInfo>();
    info->fileBytes = static_cast<std::uint64_t>(QFileInfo(request.path).size());
    info->rowsScored = view.rowsScored;
    info->suspiciousTotal = view.suspiciousTotal;
    info->suspiciousShown = view.suspiciousShown;
    info->sampleShown = view.sampleShown;
    info->suspiciousComplete = view.suspiciousComplete;
    info->timelineExact = view.timelineExact;
    info->thresholdExact = streamed.thresholdExact;
    info->passes = streamed.passes;
    info->scoreBins = view.scoreBins;
    info->suspiciousScoreBins = view.suspiciousScoreBins;
    info->notes = streamed.notes;

    auto data = std::make_shared<PreparedData>();
    data->file = path;
    data->readReport = streamed.readReport;
    data->cleanReport = streamed.cleanReport;
    data->readSeconds = streamed.seconds[0]; // pass 1 read and cleaned
    auto aggregates = std::make_shared<TrafficAggregates>();
    aggregates->entities = streamedEntities(view.table, view);
    aggregates->timeline = view.timeline;
    data->table = std::move(view.table);
    data->features = computeFeatures(data->table, progress);
    auto detection = std::make_shared<Detection>(*streamed.detection);
    detection->scores = ScoreIndex(view.scores);
    Analysis analysis = assessAt(data, detection, streamed.threshold, streamed.contamination, 10, aggregates);
    if (analysis.verdictAggregates) {
        // Counted on the shown rows, which hold every suspicious one; the most anomalous score of a
        // source and the timeline's suspicious rows are the whole file's.
        auto verdictAggregates = std::make_shared<VerdictAggregates>(*analysis.verdictAggregates);
        for (std::size_t e = 0; e < view.sources.size() && e < verdictAggregates->entities.lowestScore.size(); ++e)
            verdictAggregates->entities.lowestScore[e] = view.sources[e].lowestScore;
        verdictAggregates->timelineSuspicious = view.timelineSuspicious;
        analysis.verdictAggregates = std::move(verdictAggregates);
    }
    fileWideFindings(analysis.findings, view);

    LoadResult result;
    result.path = request.path;
    result.displayName = request.displayName;
    result.summary = std::make_shared<const DatasetSummary>(
        summarizeDataset(data->table, data->features, data->readReport, progress));
    result.snapshot = snapshotOf(std::move(analysis));
    result.streaming = std::move(info);
    applyAllowList(result.snapshot, request.allow);
    addChartBins(result.snapshot);
    logger::get("ui")->info("streamed {}: {} rows, {} suspicious, {} shown", path, view.rowsScored,
                            view.suspiciousTotal, result.snapshot.data->table.rowCount());
    return result;
}

QString streamBannerText(const StreamInfo& info)
{
    const QString suspicious = info.suspiciousComplete
        ? QObject::tr("the %1 suspicious rows").arg(formatCount(info.suspiciousShown))
        : QObject::tr("the %1 most anomalous of the %2 suspicious rows")
              .arg(formatCount(info.suspiciousShown), formatCount(info.suspiciousTotal));
    return QObject::tr("Streaming mode: showing %1 and a random sample of %2 of the file's %3 rows")
        .arg(suspicious, formatCount(info.sampleShown), formatCount(info.rowsScored));
}

} // namespace webthreat

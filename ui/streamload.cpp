#include "ui/streamload.h"

#include "core/stream/streamanalysis.h"
#include "core/stream/streamedanalysis.h"
#include "core/stream/streamsummary.h"
#include "core/util/log.h"

#include <QFileInfo>

namespace webthreat {

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
    params.onScored = [&summary](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first,
                                 const std::vector<std::uint8_t>* allowed) {
        summary.add(table, scores, first, allowed);
    };
    const StreamResult streamed = analyzeStream(path, params, progress);
    progress.check();
    StreamedAnalysis assembled = streamedAnalysis(path, streamed, summary.finish(streamed.threshold, streamed.suspiciousCount),
                                                  10, progress);

    auto info = std::make_shared<StreamInfo>();
    static_cast<StreamedRows&>(*info) = std::move(static_cast<StreamedRows&>(assembled));
    info->fileBytes = static_cast<std::uint64_t>(QFileInfo(request.path).size());
    Analysis analysis = std::move(assembled.analysis);
    const std::shared_ptr<const PreparedData> data = analysis.data;

    LoadResult result;
    result.path = request.path;
    result.displayName = request.displayName;
    result.summary = std::make_shared<const DatasetSummary>(
        summarizeDataset(data->table, data->features, data->readReport, progress));
    result.snapshot = snapshotOf(std::move(analysis));
    result.streaming = info;
    applyAllowList(result.snapshot, request.allow);
    addChartBins(result.snapshot);
    logger::get("ui")->info("streamed {}: {} rows, {} suspicious, {} shown", path, info->rowsScored,
                            info->suspiciousTotal, result.snapshot.data->table.rowCount());
    return result;
}

QString streamBannerText(const StreamInfo& info)
{
    return QString::fromStdString(streamedRowsSentence(info));
}

} // namespace webthreat

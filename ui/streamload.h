#pragma once

#include "core/stream/streamedanalysis.h"
#include "ui/analysisworker.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// What the window says about a file analysed in streaming mode (core/stream): the views hold its
// suspicious rows and a random sample, while entities, timeline and findings count every row.
struct StreamInfo : StreamedRows {
    std::uint64_t fileBytes = 0;
};

// Rows the window keeps in streaming mode (the table it shows is these rows and the sample).
inline constexpr std::size_t kStreamSuspiciousCap = 100000;

// Streams request.path (a plain or gzip CSV) through analyzeStream with a StreamSummary, and makes
// the snapshot the views show. Progress stages "pass 1", "fit", "pass 2", "pass 3"; throws as
// analyzeStream does. Runs on the worker.
LoadResult streamLoad(const LoadRequest& request, const Progress& progress);

// The banner's sentence: "Streaming mode: showing the 1 234 suspicious rows and a random sample of
// 262 144 of the file's 40 000 000 rows".
QString streamBannerText(const StreamInfo& info);

} // namespace webthreat

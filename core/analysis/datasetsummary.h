#pragma once

#include "core/detect/features.h"
#include "core/detect/threshold.h"
#include "core/io/readreport.h"
#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <optional>
#include <string>
#include <vector>

namespace webthreat {

// What pandas' shape / info() / isnull().sum() / describe() told the analyst about one column.
struct ColumnSummary {
    std::string name;
    std::string type; // "integer", "timestamp", "text", "real"
    std::string tooltip; // what the column means, where that is known
    std::size_t present = 0;
    std::size_t missing = 0;
    std::optional<std::size_t> distinct;
    // Numbers and timestamps: min / median / max (timestamps in seconds since the epoch, so the
    // first and last instant are min and max).
    bool numeric = false;
    bool timestamp = false;
    double minimum = 0.0;
    double median = 0.0;
    double maximum = 0.0;
    std::vector<std::string> topValues; // text: "value (count)", most frequent first
};

// One summary per column of the prepared data, computed once per load (off the GUI thread: median
// and distinct counts need a pass and a sort each, too slow for it at 1M rows).
struct DatasetSummary {
    std::size_t rows = 0;
    std::size_t fileColumns = 0; // columns read from the file
    std::vector<ColumnSummary> columns; // file columns (absent ones left out), then the features
};

// The cleaned table's columns (those the file had, see isAbsentColumn), then the two engineered
// features. Stage "summary". Throws CancelledError when progress is cancelled.
DatasetSummary summarizeDataset(const TrafficTable& table, const FeatureSet& features, const ReadReport& read,
                                const Progress& progress = {});

// The anomaly score's row of the summary, cheap from the already sorted scores.
ColumnSummary summarizeScores(const ScoreIndex& scores);

// Whether a schema column the file did not have should be left out of the views.
bool isAbsentColumn(const TrafficTable& table, const ReadReport& read, std::size_t columnIndex);

} // namespace webthreat

#pragma once

#include "core/pipeline.h"
#include "core/util/progress.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace webthreat {

// What pandas' shape / info() / isnull().sum() / describe() told the analyst about one column.
struct ColumnSummary {
    QString name;
    QString type;                       // "integer", "timestamp", "text", "real"
    QString tooltip;                    // what the column means, where that is known
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
    QStringList topValues;              // text: "value (count)", most frequent first
};

// One summary per column of the prepared data, computed once per load on the worker thread:
// median and distinct counts need a pass and a sort each, too slow for the GUI thread at 1M rows.
struct DatasetSummary {
    std::size_t rows = 0;
    std::size_t fileColumns = 0;        // columns read from the file
    std::vector<ColumnSummary> columns; // file columns (absent ones left out), then the features
};

// Throws CancelledError when progress is cancelled.
DatasetSummary summarizeDataset(const PreparedData& data, const Progress& progress = {});

// The anomaly score's row of the summary, cheap from the already sorted scores.
ColumnSummary summarizeScores(const ScoreIndex& scores);

// Whether a schema column the file did not have should be left out of the views.
bool isAbsentColumn(const PreparedData& data, std::size_t columnIndex);

} // namespace webthreat

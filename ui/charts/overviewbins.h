#pragma once

#include "ui/charts/chartbinning.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace webthreat {

struct Detection;
struct Verdicts;
struct PreparedData;

// What one Overview bar chart shows, counted and labelled but not yet turned into QtCharts
// objects: plain data, so the worker thread can make it while the GUI thread only builds the
// series from it. At a million rows the counting took about 200 ms on the GUI thread.
struct BarChartBins {
    enum class Axis { Positions, Categories };

    QString message; // non-empty: nothing to plot, show this instead
    Axis axis = Axis::Positions;
    std::vector<std::uint16_t> rowBins; // per table row; kNoBin is not counted
    int binCount = 0;
    QStringList descriptions; // per bin, for the hover tooltip
    QList<QPair<double, QString>> positionLabels; // Axis::Positions: labels at bar positions
    QStringList categoryLabels; // Axis::Categories: per bin, bottom-up
    QString axisTitle;
    double axisBreak = -1.0; // Axis::Positions: where the axis is not continuous (the 0 bin's gap), or < 0
    std::vector<std::uint64_t> totals; // rows per bin, Normal and Suspicious together
    double maxTotal = 0.0; // the largest bin's rows
};

// The six charts of the Overview tab for one (data, detection) pair.
struct OverviewBins {
    enum Chart { BytesIn, BytesOut, Scores, Protocols, Countries, Ports, ChartCount };

    const PreparedData* data = nullptr; // what they were made from (identity only)
    const Detection* detection = nullptr; // null: the score chart shows a message
    std::array<BarChartBins, ChartCount> charts;
    LinearBinning scoreBinning;
};

// The Normal/Suspicious split of every chart's bins for one set of verdicts: what a slider move
// changes, counted on the thread that computed the verdicts.
struct OverviewSplit {
    const OverviewBins* bins = nullptr; // the bins counted (identity only)
    const Verdicts* verdicts = nullptr; // null: no verdicts, every row Normal
    std::array<SplitCounts, OverviewBins::ChartCount> counts;
};

// What the Anomalies scatter needs from a whole table, made once per data on the worker: the
// normal rows' fixed sample and the axes' ranges over every row. A slider move then only walks
// the sample and the suspicious rows, not a million rows.
struct ScatterLayout {
    const PreparedData* data = nullptr; // what it was made from (identity only)
    std::vector<std::uint32_t> sampledRows; // rows kept by sampleRows, ascending
    double minIn = 0.0; // +infinity when every value is missing
    double maxIn = 0.0;
    double minOut = 0.0;
    double maxOut = 0.0;
    bool zeroIn = false; // a value at or below 0 is drawn at the floor
    bool zeroOut = false;
};

ScatterLayout computeScatterLayout(const PreparedData& data);

// The scatter's points for one set of verdicts: every suspicious row (most anomalous first) and
// the normal rows of the layout's sample. Made on the worker with the verdicts.
struct ScatterVerdictPoints {
    const ScatterLayout* layout = nullptr; // identity only
    const Verdicts* verdicts = nullptr; // null: no verdicts, every row Normal
    ScatterPoints normal;
    ScatterPoints suspicious;
    std::size_t normalTotal = 0; // normal rows in the table, drawn or not
    std::size_t normalRows = 0; // normal rows in the sample (before skipping missing bytes)
    std::size_t suspiciousRows = 0;
};

// detection and verdicts may be null (no detector run yet) or not match data.
ScatterVerdictPoints computeScatterPoints(const ScatterLayout& layout, const PreparedData& data,
                                          const Detection* detection, const Verdicts* verdicts);

// detection may be null, or not match data (its scores are then not charted).
OverviewBins computeOverviewBins(const PreparedData& data, const Detection* detection);
// verdicts null (or not for these rows): every row counts as Normal. With the bins' detection,
// only the suspicious rows (the ranking's prefix) are counted and Normal is the rest of each
// bin's total: a slider move at a million rows walks 50 000 rows, not six times a million.
OverviewSplit computeOverviewSplit(const OverviewBins& bins, const Verdicts* verdicts);
// The same for the view filter's rows only (kept: one byte per table row, 1 = keep): one pass
// over every row per chart.
OverviewSplit computeOverviewSplit(const OverviewBins& bins, const Verdicts* verdicts,
                                   const std::vector<std::uint8_t>& kept);

} // namespace webthreat

#pragma once

#include "ui/analysissnapshot.h"

#include <QList>
#include <QWidget>

#include <memory>
#include <vector>

namespace webthreat {

class ChartView;

// The Overview tab: histograms of bytes_in and bytes_out (log-spaced bins, log axis), counts by
// protocol, by source country (sorted, horizontal) and by destination port — split into Normal and
// Suspicious once the detector has run — and the score distribution with the threshold drawn on it.
class OverviewCharts : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewCharts)

public:
    explicit OverviewCharts(QWidget* parent = nullptr);
    ~OverviewCharts() override;

    static constexpr int kChartCount = 6;   // in chartViews() order

    // Rebuilds every chart from the snapshot (new data or new detection). An empty snapshot shows
    // a message in each chart, not a blank frame.
    void setSnapshot(const AnalysisSnapshot& snapshot);
    // The contamination moved: only the Normal/Suspicious split and the threshold line change.
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // The same for one chart (0 to kChartCount - 1), so that a window can rebuild the six in
    // separate events: each chart's relayout and first paint then come between, not all at once.
    void setSnapshot(const AnalysisSnapshot& snapshot, int chart);
    void updateVerdicts(const AnalysisSnapshot& snapshot, int chart);

    QList<ChartView*> chartViews() const;

private:
    struct Charts;
    std::unique_ptr<Charts> m_charts;
};

// The Anomalies tab's scatter: bytes_in against bytes_out on log axes, Normal and Suspicious in
// distinct colours, every suspicious point drawn, normal points sampled above a few tens of
// thousands; a tooltip with the row's details on hover; clicking a point emits rowClicked.
class AnomalyScatter : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnomalyScatter)

public:
    explicit AnomalyScatter(QWidget* parent = nullptr);
    ~AnomalyScatter() override;

    void setSnapshot(const AnalysisSnapshot& snapshot);
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // Only rows inside mask (one byte per table row, 1 = keep) are drawn: the Entities and
    // Timeline selection. The axes stay those of every row, so points do not move. Null draws all.
    void setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask);
    ChartView* chartView() const;

Q_SIGNALS:
    // row is an index into snapshot.data->table.
    void rowClicked(qsizetype row);

private:
    struct Plot;
    std::unique_ptr<Plot> m_plot;
};

} // namespace webthreat

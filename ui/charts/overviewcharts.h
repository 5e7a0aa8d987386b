#pragma once

#include "ui/analysissnapshot.h"
#include "ui/analysisview.h"

#include <QList>
#include <QWidget>

#include <memory>
#include <vector>

class QLabel;

namespace webthreat {

class ChartView;

// The Overview tab: histograms of bytes_in and bytes_out (log-spaced bins, log axis), counts by
// protocol, by source country (sorted, horizontal) and by destination port — split into Normal and
// Suspicious once the detector has run — and the score distribution with the threshold drawn on it.
// The Entities and Timeline selection narrows every count (the titles then say "filtered").
class OverviewCharts : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewCharts)

public:
    explicit OverviewCharts(QWidget* parent = nullptr);
    ~OverviewCharts() override;

    static constexpr int kChartCount = 6; // in chartViews() order

    // Rebuilds every chart from the snapshot (new data or new detection). An empty snapshot shows
    // a message in each chart, not a blank frame.
    void setSnapshot(const AnalysisSnapshot& snapshot);
    // The contamination moved: only the Normal/Suspicious split and the threshold line change.
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // The same for one chart (0 to kChartCount - 1), so that a window can rebuild the six in
    // separate events: each chart's relayout and first paint then come between, not all at once.
    void setSnapshot(const AnalysisSnapshot& snapshot, int chart);
    void updateVerdicts(const AnalysisSnapshot& snapshot, int chart);

    // As a tab: one part per chart.
    int partCount() const override { return kChartCount; }
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    // Every chart counts only the Entities and Timeline selection's rows (the bins stay).
    void setSelectionRows(const SelectionRows& filter) override;
    // A line above the charts: how many rows (suspicious among them) from how many sources are on
    // the loaded threat lists, inside the view filter; hidden without lists.
    void updateThreatLists(const ViewUpdate& update) override;
    QString threatListText() const; // as shown; empty when hidden

    QList<ChartView*> chartViews() const override;

private:
    void showThreatLists();

    struct Charts;
    std::unique_ptr<Charts> m_charts;
    QLabel* m_threatLists = nullptr;
    AnalysisSnapshot m_threatShown; // the snapshot the line counts
};

} // namespace webthreat

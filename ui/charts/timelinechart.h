#pragma once

#include "ui/analysisview.h"

#include "ui/analysissnapshot.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QComboBox;
class QLabel;

namespace webthreat {

class ChartView;

// The Timeline tab: sessions (or bytes) per time bucket, the suspicious sessions stacked in red at
// the bottom of each bucket and the suspicious share as a line on a second axis (0-100 %).
// Dragging across the plot selects a period (snapped to whole buckets) and emits periodSelected;
// the selected period stays shaded until cleared.
class TimelineChart : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineChart)

public:
    enum class Measure { Sessions, Bytes };
    Q_ENUM(Measure)

    explicit TimelineChart(QWidget* parent = nullptr);
    ~TimelineChart() override;

    void setSnapshot(const AnalysisSnapshot& snapshot);
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // As a tab: new data also drops the old data's selected period; the Entities selection is
    // drawn as its sources' sessions, the period shaded.
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int /*part*/) override { updateVerdicts(update.snapshot); }
    void setSelectionRows(const SelectionRows& filter) override;
    // The rows on a threat list, per bucket: crosses over the buckets that have any (of the
    // selected sources when the view filter names some; the period stays a shading).
    void updateThreatLists(const ViewUpdate& update) override;
    QList<ChartView*> chartViews() const override { return {chartView()}; }
    void setMeasure(Measure measure);
    Measure measure() const;

    // Shades [from, to) (µs since the epoch); nullopt removes the shading. Emits nothing.
    void setSelectedPeriod(const std::optional<std::pair<Instant, Instant>>& period);
    std::optional<std::pair<Instant, Instant>> selectedPeriod() const;
    // Selects buckets first..last (inclusive) as a drag over them would, and emits periodSelected.
    void selectBuckets(std::size_t first, std::size_t last);
    // What a drag from x to x (the view's pixel coordinates) selects, snapped to buckets.
    std::optional<std::pair<Instant, Instant>> periodForDrag(qreal fromX, qreal toX) const;

    // Draws the sessions of the rows inside mask (the selected sources) as a line over the
    // buckets; null removes it. One pass over the rows.
    void setSourceMask(std::shared_ptr<const std::vector<std::uint8_t>> mask, const QString& name = {});
    const std::vector<std::uint64_t>& sourceSessions() const;
    // Per bucket: the sessions on a threat list; empty without lists.
    const std::vector<std::uint64_t>& listedSessions() const;
    QString listedLegendName() const; // "On a threat list (12 sessions)"; empty when not drawn

    ChartView* chartView() const;
    QString axisTitle(Qt::Alignment side) const; // for tests: the axis titles as drawn
    QString dateFormat() const;

Q_SIGNALS:
    void periodSelected(qint64 fromMicros, qint64 toMicros);

private:
    struct Plot;
    std::unique_ptr<Plot> m_plot;
    void rebuild();
    void placeSelection();
    void countListed();
};

} // namespace webthreat

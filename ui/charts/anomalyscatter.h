#pragma once

#include "ui/analysissnapshot.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace webthreat {

class ChartView;

// The Anomalies tab's scatter: bytes_in against bytes_out on log axes, Normal and Suspicious in
// distinct colours, every suspicious point drawn, normal points sampled above a few tens of
// thousands; a tooltip with the row's details on hover; clicking a point emits rowClicked; the
// selected row ringed.
class AnomalyScatter : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnomalyScatter)

public:
    explicit AnomalyScatter(QWidget* parent = nullptr);
    ~AnomalyScatter() override;

    void setSnapshot(const AnalysisSnapshot& snapshot);
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // The analyst's marks: each marked row's point framed in its verdict's colour.
    void updateTriage(std::shared_ptr<const TableTriage> triage);
    qsizetype markedPointCount() const;
    // The threat lists' matches: every listed row inside the view filter is crossed (sampling
    // never leaves one out), with a legend entry "Threat list (N)"; none without matches.
    // A snapshot of other data than the one drawn is left for its setSnapshot.
    void updateThreatLists(const AnalysisSnapshot& snapshot);
    // The rows crossed, in drawing order (rows missing a byte count have no point).
    const std::vector<std::size_t>& listedPointRows() const;
    QString listedLegendName() const; // "Threat list (3)"; empty when hidden
    // Only rows inside mask (one byte per table row, 1 = keep) are drawn: the Entities and
    // Timeline selection. The axes stay those of every row, so points do not move. Null draws all.
    void setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask);
    // The selected row (an index into the table), ringed in front of every point, whether or
    // not its point is drawn (a normal row outside the sample); the axes widen when it lies
    // beyond them. nullopt removes the ring. New data drops it.
    void setSelectedRow(std::optional<std::size_t> row);
    std::optional<std::size_t> selectedRow() const;
    ChartView* chartView() const;

Q_SIGNALS:
    // row is an index into snapshot.data->table.
    void rowClicked(qsizetype row);

private:
    struct Plot;
    std::unique_ptr<Plot> m_plot;
};

} // namespace webthreat

#pragma once

#include "ui/analysisview.h"

#include <QList>
#include <QWidget>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

class QLabel;
class QSplitter;
class QTabWidget;
class QTableView;

namespace webthreat {

class AnomalyScatter;
class FindingsModel;
class SuspiciousRowsModel;

// The Anomalies tab: the scatter of bytes in against bytes out, the suspicious rows most
// anomalous first, and what they have in common (source IPs, countries, ports, protocols).
// Two parts: the lists, then the scatter.
class AnomaliesView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnomaliesView)

public:
    explicit AnomaliesView(QWidget* parent = nullptr);
    ~AnomaliesView() override;

    enum Part { ListsPart, ScatterPart, PartCount };
    int partCount() const override { return PartCount; }
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    void setSelectionRows(const SelectionRows& filter) override;
    void updateTriage(const ViewUpdate& update) override;
    void updateThreatLists(const ViewUpdate& update) override;
    QList<ChartView*> chartViews() const override;
    // The suspicious list's selected rows (indices into the table), or its current row.
    std::vector<std::size_t> selectedRows() const;
    QTableView* suspiciousTable() const { return m_suspiciousTable; }

    // The suspicious list's title, with the count for snapshot's verdicts.
    void showSuspiciousCount(const AnalysisSnapshot& snapshot);
    // Selects row (an index into the table) in the suspicious list, or clears the list's selection
    // when it is not listed.
    void selectSuspicious(std::size_t row);
    // Rings row (an index into the table) on the scatter, wherever it was selected.
    void showSelectedRow(std::size_t row);
    QList<QSplitter*> splitters() const { return m_splitters; }

Q_SIGNALS:
    // A point of the scatter was clicked (row indexes the table; negative: none).
    void scatterRowClicked(qsizetype row);
    // The current suspicious row, and one double-clicked, as indexes into the table.
    void suspiciousRowSelected(std::size_t row);
    void suspiciousRowActivated(std::size_t row);
    // The suspicious list's count changed.
    void countsChanged();

private:
    void showLists(const AnalysisSnapshot& snapshot, bool rebuild, bool dropViewFilter);
    void showFindings();

    AnomalyScatter* m_scatter = nullptr;
    QLabel* m_suspiciousTitle = nullptr;
    QLabel* m_findingsTitle = nullptr;
    QTableView* m_suspiciousTable = nullptr;
    SuspiciousRowsModel* m_suspiciousModel = nullptr;
    QTabWidget* m_findingsTabs = nullptr;
    std::array<FindingsModel*, 4> m_findingsModels{};
    std::array<QTableView*, 4> m_findingsTables{};
    QList<QSplitter*> m_splitters;
    AnalysisSnapshot m_shown; // what the lists show
    std::shared_ptr<const std::vector<std::uint8_t>> m_rowMask; // the view filter's rows; null: all
};

} // namespace webthreat

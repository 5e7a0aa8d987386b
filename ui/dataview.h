#pragma once

#include "ui/analysisview.h"

#include <QWidget>

#include <cstddef>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace webthreat {

class DataColumnLayout;
class TrafficProxyModel;
class TrafficTableModel;

// The Data tab: every cleaned row with its features, score and label, sortable, filtered by text
// in one column or all, by "Suspicious only", and by the Entities and Timeline selection.
// Two parts: the rows, then (after a load) the column widths.
class DataView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataView)

public:
    explicit DataView(QWidget* parent = nullptr);
    ~DataView() override;

    enum Part { RowsPart, ColumnsPart, PartCount };
    int partCount() const override { return PartCount; }
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    void updateTriage(const ViewUpdate& update) override;
    void updateThreatLists(const ViewUpdate& update) override;
    void setSelectionRows(const SelectionRows& filter) override;

    // The "n of m rows shown" line, for snapshot's rows.
    void showRowCounts(const AnalysisSnapshot& snapshot);
    // Rows shown and whether the tab's own text or Suspicious-only filter narrows them.
    std::size_t shownRowCount() const;
    bool hasOwnFilter() const;
    // Selects and scrolls to row (an index into the model's table). reveal clears the tab's own
    // filter when it hides the row. False when the row cannot be shown.
    bool selectRow(std::size_t row, bool reveal);
    void focusFilter();
    // The selected rows (indices into the model's table), in the order shown; the current row when
    // nothing is selected.
    std::vector<std::size_t> selectedRows() const;
    QTableView* tableView() const { return m_table; }

Q_SIGNALS:
    // The rows shown or their count changed (a filter, a sort, new data).
    void countsChanged();
    // The current row, as an index into the model's table.
    void rowSelected(std::size_t row);

private:
    void applyFilter();
    void updateFilterColumns();

    TrafficTableModel* m_model = nullptr;
    TrafficProxyModel* m_proxy = nullptr;
    QComboBox* m_triageFilter = nullptr;
    QTableView* m_table = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_filterColumn = nullptr;
    QCheckBox* m_suspiciousOnly = nullptr;
    QLabel* m_rowsShown = nullptr;
    QTimer* m_filterTimer = nullptr;
    DataColumnLayout* m_columns = nullptr;
};

} // namespace webthreat

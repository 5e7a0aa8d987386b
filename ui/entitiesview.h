#pragma once

#include "ui/analysisview.h"

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QLabel;
class QLineEdit;
class QTableView;

namespace webthreat {

class EntitiesModel;
class EntitiesProxyModel;

// The Entities tab: one row per source IP with its sessions, bytes, countries, ports and
// suspicious share; selecting sources narrows the other views to their rows. Two parts: the
// rows, then the column widths.
class EntitiesView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EntitiesView)

public:
    explicit EntitiesView(QWidget* parent = nullptr);
    ~EntitiesView() override;

    enum Part { RowsPart, ColumnsPart, PartCount };
    int partCount() const override { return PartCount; }
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    void setSelectionRows(const SelectionRows& filter) override;
    void updateTriage(const ViewUpdate& update) override;
    void updateThreatLists(const ViewUpdate& update) override;
    // The selected sources' addresses (src_ip as written), or the current row's.
    std::vector<std::string> selectedSourceIps() const;
    QTableView* tableView() const { return m_table; }

    // Clears the selection without asking for a new filter.
    void clearSelection();

Q_SIGNALS:
    // The analyst selected these sources (string ids of the model's table, sorted).
    void sourcesSelected(const std::vector<std::uint32_t>& ids);

private:
    void onSelectionChanged();
    // The line above the table: how many sources, and whether a period's figures show.
    void updateTitle(const AnalysisSnapshot& snapshot);

    EntitiesModel* m_model = nullptr;
    EntitiesProxyModel* m_proxy = nullptr;
    QLabel* m_title = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QTableView* m_table = nullptr;
    bool m_settingSelection = false; // the selection changes, but not by the analyst
};

} // namespace webthreat

#pragma once

#include "core/triage/mark.h"
#include "ui/analysissnapshot.h"

#include <QAbstractTableModel>

#include <memory>
#include <unordered_map>
#include <vector>

namespace webthreat {

// The Anomalies tab's list: the suspicious rows, most anomalous first (findings->suspiciousRows),
// with the columns an analyst reads first. Cells are read from the table on demand.
class SuspiciousRowsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SuspiciousRowsModel)

public:
    enum Column {
        Rank,
        Score,
        Started, // third: when is the first thing asked of a suspicious row, and the list is narrow
        Verdict, // the analyst's (snapshot.triage), coloured
        ThreatLists, // the threat lists src_ip or dst_ip is on (snapshot.threatMatches); empty and narrow without
        SourceIp,
        Country,
        BytesIn,
        BytesOut,
        Duration,
        DestinationPort,
        Protocol,
        Line,
        ColumnCount
    };
    enum Role {
        TableRowRole = Qt::UserRole + 1, // the row's index in the snapshot's table (qulonglong)
        SortKeyRole,
    };

    explicit SuspiciousRowsModel(QObject* parent = nullptr);

    void setSnapshot(const AnalysisSnapshot& snapshot);
    // Only the analyst's marks changed.
    void updateTriage(std::shared_ptr<const TableTriage> triage);
    // Only the threat lists' matches changed.
    void updateThreatLists(const AnalysisSnapshot& snapshot);
    // Only the suspicious rows inside mask (one byte per table row, 1 = keep) are listed, keeping
    // their rank among all suspicious rows; null lists every one. Positions below are in the
    // list as shown.
    void setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask);
    // The position of a table row in this list, or -1 when it is not listed.
    int positionOf(std::size_t tableRow) const;
    std::size_t tableRow(int position) const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuildShown();
    Mark mark(std::size_t row) const;
    std::size_t rankOf(int position) const;

    AnalysisSnapshot m_snapshot;
    std::shared_ptr<const std::vector<std::uint8_t>> m_rowMask;
    bool m_masked = false;
    std::vector<std::uint32_t> m_shown; // with a mask: ranks (positions in suspiciousRows) shown
    // Built on the first click-to-select, not per slider step.
    mutable std::unordered_map<std::size_t, int> m_positions;
};

} // namespace webthreat

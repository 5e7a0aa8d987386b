#pragma once

#include "ui/analysissnapshot.h"
#include "core/triage/workspace.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>
#include <vector>
#include <QSortFilterProxyModel>

namespace webthreat {

// The Entities tab: one row per source IP (the snapshot's TrafficAggregates), with its sessions,
// suspicious sessions (from the verdict aggregates), bytes, countries, ports, first and last
// seen and its most anomalous score. Cells are read from core's arrays on demand.
class EntitiesModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EntitiesModel)

public:
    enum Column {
        SourceIp,
        Verdict, // the analyst's verdict on the source (snapshot.triage), coloured
        Sessions,
        Suspicious,
        LowestScore, // right after Suspicious: the two columns a threshold change updates
        BytesIn,
        BytesOut,
        FirstSeen,
        LastSeen,
        InPeriod, // sessions in the Timeline's selected period; empty without one
        ThreatLists, // the threat lists the source is on (snapshot.threatMatches); after the times
        // Last: the widest, and the least often read; the times before them stay on screen at 1280x800.
        Countries,
        Ports,
        // The location database's autonomous system, organisation and country of the source; the
        // column exists only when the data was enriched (columnCount() is Network without it).
        Network,
        ColumnCount
    };
    enum Role {
        SortKeyRole = Qt::UserRole + 1, // a number to sort by (text: the IP's byte order rank)
        SourceIpIdRole, // the interned id of the source IP (uint)
    };

    explicit EntitiesModel(QObject* parent = nullptr);
    // Only the threat lists' matches changed.
    void updateThreatLists(const AnalysisSnapshot& snapshot);
    // The lists a row's source is on (names joined by ';'), empty when none.
    QString threatLists(int row) const;

    // New data or detection: resets the model.
    void setSnapshot(const AnalysisSnapshot& snapshot);
    // New verdicts only: the Suspicious and score columns change.
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // Only the analyst's marks changed: the verdict column.
    void updateTriage(std::shared_ptr<const TableTriage> triage);
    const AnalysisSnapshot& snapshot() const { return m_snapshot; }
    // The source's verdict (Mark::None when not marked).
    const SourceMark* sourceMark(int row) const;

    // The rows of the period selected on the Timeline (one byte per table row), or null for none.
    // While one is selected, sessions, suspicious sessions, bytes, first and last seen and the
    // lowest score are the period's (computed here, one pass over the rows, again when the
    // verdicts change); "In period" says how many of the source's sessions that is.
    void setPeriodRows(std::shared_ptr<const std::vector<std::uint8_t>> rows);
    bool hasPeriod() const { return m_period.has_value(); }
    std::uint32_t periodSessions(int row) const;

    std::uint32_t sourceIpId(int row) const;
    // The row of a source IP id, or -1.
    int rowOf(std::uint32_t sourceIpId) const;
    double sortKey(int row, int column) const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const EntityStats& stats(int row) const;
    // The selected period's figures for column (display or tooltip), or an invalid QVariant where
    // the whole file's are shown (countries and ports, and the columns a period does not change).
    QVariant periodData(int column, int role, std::size_t row, const EntityStats& entity) const;
    QString countriesText(const EntityStats& stats) const;
    QString portsText(const EntityStats& stats) const;

    void computePeriod();

    AnalysisSnapshot m_snapshot;
    // Rank of each source IP text in byte order, so that sorting by IP compares two numbers.
    std::vector<std::uint32_t> m_ipRank;
    std::shared_ptr<const std::vector<std::uint8_t>> m_periodRows;
    std::optional<EntityPeriod> m_period;
};

// Sorting (numeric, through EntitiesModel::sortKey) and a source-IP text filter for the Entities
// view. Not dynamic: a slider step re-sorts once, when sorted by a column the verdicts change.
class EntitiesProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EntitiesProxyModel)

public:
    explicit EntitiesProxyModel(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* sourceModel) override;
    void setIpFilter(const QString& text);
    void verdictsChanged();
    // The period changed: sources without a session in it are hidden (and re-shown without one).
    void periodChanged();

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    EntitiesModel* m_entities = nullptr;
    QString m_ipFilter;
};

} // namespace webthreat

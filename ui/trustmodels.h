#pragma once

#include "core/analysis/crosstab.h"
#include "ui/analysissnapshot.h"

#include <QAbstractTableModel>

namespace webthreat {

// One rules-against-the-model table: a row per value of rule_names or detection_types (and
// "(none)"), with the rows the model calls Normal and Suspicious, and a Total row last.
class CrossTabModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CrossTabModel)

public:
    enum Column { Value, Normal, Suspicious, Total, ColumnCount };
    explicit CrossTabModel(QObject* parent = nullptr);

    void setCrossTab(const CrossTab& tab);
    const CrossTab& crossTab() const { return m_tab; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    CrossTab m_tab;
};

// The rows whose verdict the last contamination change flipped, most anomalous first.
class ChangedVerdictsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangedVerdictsModel)

public:
    enum Column { Line, Change, Score, SourceIp, ColumnCount };
    explicit ChangedVerdictsModel(QObject* parent = nullptr);

    void setChanges(const AnalysisSnapshot& snapshot, VerdictChanges changes);
    void clear();
    std::size_t tableRow(int position) const;
    std::size_t newlySuspicious() const { return m_changes.newlySuspicious.size(); }
    std::size_t newlyNormal() const { return m_changes.newlyNormal.size(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    AnalysisSnapshot m_snapshot;
    VerdictChanges m_changes;
};

} // namespace webthreat

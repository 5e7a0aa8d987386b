#pragma once

#include "ui/traffictablemodel.h"

#include <QSortFilterProxyModel>

#include <memory>
#include <vector>

namespace webthreat {

// Sorting and filtering of the Data tab. Sorts numerically on TrafficTableModel::SortKeyRole
// (through the model's sortKey() fast path, so a million-row sort compares doubles, not
// QVariants); filters by text and by "suspicious only".
//
// dynamicSortFilter is off: a slider move changes every row's label at once, and re-sorting or
// re-filtering a million rows on each dataChanged would stall the window. The proxy re-filters
// when asked (verdictsChanged()), which the window does once per slider step.
class TrafficProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficProxyModel)

public:
    explicit TrafficProxyModel(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* sourceModel) override;

    // text is matched case-insensitively as a substring of the cells of column (a column name),
    // or of every column when column is empty.
    void setFilter(const QString& text, const QString& column = {});
    QString filterText() const { return m_filterText; }
    void setSuspiciousOnly(bool suspiciousOnly);
    bool suspiciousOnly() const { return m_suspiciousOnly; }

    // The verdicts changed under the rows: re-apply "suspicious only" and a sort by label.
    void verdictsChanged();

    // Rows outside mask (one byte per source row, 1 = keep) are hidden: the Entities and Timeline
    // views' selection. Null (or a mask of another size, for other data) hides nothing.
    void setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask);
    bool hasRowMask() const { return m_rowMask != nullptr; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    const RowFilter& currentFilter() const;
    void refilter();

    TrafficTableModel* m_traffic = nullptr;
    QString m_filterText;
    QString m_filterColumn;
    bool m_suspiciousOnly = false;
    std::shared_ptr<const std::vector<std::uint8_t>> m_rowMask;
    // Rebuilt lazily when the model's data changes under it (a new file keeps the filter text).
    mutable RowFilter m_filter;
    mutable bool m_filterValid = false;
};

} // namespace webthreat

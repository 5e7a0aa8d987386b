#pragma once

#include "ui/traffictablemodel.h"

#include <QAbstractProxyModel>

#include <cstdint>
#include <vector>

#include <memory>
#include <vector>

namespace webthreat {

// Sorting and filtering of the Data tab: filters by text and by "suspicious only", and sorts by
// TrafficTableModel::SortKeyRole, stably (equal keys keep the file's order), as a
// QSortFilterProxyModel would, but through its own flat row mapping. QSortFilterProxyModel sorts
// by calling lessThan() with two source indexes per comparison: about twenty million calls and
// 0.6 to 2 s on the GUI thread for a million rows. Here a sort asks core for the rows' order
// (stableSortOrder, a radix sort of the model's sort keys, tens of milliseconds), keeps it until
// the data (or, for the label column, the verdicts) change, and a filter then walks the rows in
// that order once.
//
// Nothing re-sorts or re-filters on dataChanged (a slider move changes every row's label at
// once): the proxy re-filters when asked (verdictsChanged()), which the window does once per
// slider step.
class TrafficProxyModel : public QAbstractProxyModel {
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

    // -1 when unsorted (the file's order).
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Re-filters and re-sorts every row (what QSortFilterProxyModel::invalidate() did).
    void invalidate();

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex& index) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QItemSelection mapSelectionToSource(const QItemSelection& selection) const override;
    QItemSelection mapSelectionFromSource(const QItemSelection& selection) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const;
    void invalidateFilter() { invalidate(); }

private:
    const RowFilter& currentFilter() const;
    void refilter();
    // Fills m_proxyToSource and m_sourceToProxy from the filter and the sort order, without
    // signals; callers wrap it in a layout change or a reset.
    void rebuildMapping();
    const std::vector<std::uint32_t>* sortedRows();
    void onSourceDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles);
    void onSourceHeaderDataChanged(Qt::Orientation orientation, int first, int last);
    void onSourceReset();

    TrafficTableModel* m_traffic = nullptr;
    QString m_filterText;
    QString m_filterColumn;
    bool m_suspiciousOnly = false;
    std::shared_ptr<const std::vector<std::uint8_t>> m_rowMask;
    // Rebuilt lazily when the model's data changes under it (a new file keeps the filter text).
    mutable RowFilter m_filter;
    mutable bool m_filterValid = false;

    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    // The source rows in sort order, for m_orderColumn and m_orderDescending; empty when stale.
    std::vector<std::uint32_t> m_order;
    int m_orderColumn = -1;
    bool m_orderDescending = false;

    std::vector<int> m_proxyToSource;
    std::vector<int> m_sourceToProxy;   // -1 for a row filtered out
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace webthreat

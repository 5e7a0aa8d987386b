#pragma once

#include "ui/traffictablemodel.h"

#include <QAbstractProxyModel>

#include <atomic>
#include <cstdint>
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
//
// A text filter is searched by core (rowsMatchingText: each distinct string once, timestamps
// through tables, no formatting per cell) and the rows then filtered in one pass. Over more than
// backgroundSearchRows() rows the search runs on a pool thread, so typing never holds the GUI
// thread: the rows shown stay those of the previous filter until it ends (none for new data),
// searchingChanged() says so, and a newer filter or new data cancels it.
class TrafficProxyModel : public QAbstractProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficProxyModel)

public:
    explicit TrafficProxyModel(QObject* parent = nullptr);
    ~TrafficProxyModel() override;

    void setSourceModel(QAbstractItemModel* sourceModel) override;

    // text is matched case-insensitively as a substring of the cells of column (a column name),
    // or of every column when column is empty.
    void setFilter(const QString& text, const QString& column = {});
    QString filterText() const { return m_filterText; }
    // The text filter's search runs in the background over tables of more rows than this.
    void setBackgroundSearchRows(std::size_t rows) { m_backgroundRows = rows; }
    std::size_t backgroundSearchRows() const { return m_backgroundRows; }
    // A background search is under way: the rows shown are not yet the filter's.
    bool isSearching() const { return m_searching; }
    // A sort over more than backgroundSearchRows() rows runs on a pool thread too: the rows keep
    // their order until it ends (new data shows no row until then).
    bool isSorting() const { return m_sorting; }
    void setSuspiciousOnly(bool suspiciousOnly);
    bool suspiciousOnly() const { return m_suspiciousOnly; }

    // The analyst's triage filter: which marked rows are shown.
    enum class MarkFilter {
        Any, // every row, marked or not
        UnreviewedSuspicious, // suspicious rows with no verdict yet: what is left to go through
        Malicious,
        NeedsReview,
        Benign,
        Marked, // any verdict
        OnThreatList, // src_ip or dst_ip on a loaded threat list (not a verdict, but the same "which rows" choice)
    };
    void setMarkFilter(MarkFilter filter);
    MarkFilter markFilter() const { return m_markFilter; }

    // The threat lists matched again: re-apply "on a threat list".
    void threatListsChanged();
    // The verdicts changed under the rows: re-apply "suspicious only" and a sort by label.
    void verdictsChanged();
    // The analyst's marks changed: re-apply the triage filter and a sort by verdict or note.
    void triageChanged();

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

Q_SIGNALS:
    void searchingChanged(bool searching);
    // false: the rows are in their new order already (and searchingChanged(false): filtered).
    void sortingChanged(bool sorting);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const;
    void invalidateFilter() { invalidate(); }

private:
    // Finds the rows matching the filter text in the current data: at once (false) or on a pool
    // thread (true; refilter() follows when it ends). Cancels a search under way.
    bool search();
    void cancelSearch();
    void setSearching(bool searching);
    void refilter();
    // Fills m_proxyToSource and m_sourceToProxy from the filter and the sort order, without
    // signals; callers wrap it in a layout change or a reset.
    void rebuildMapping();
    // The order to show the rows in: null for the file's order; *pending when the rows are new
    // and their order is still being made (no row is shown then).
    const std::vector<std::uint32_t>* sortedRows(bool* pending);
    bool hasWantedOrder() const;
    bool needsBackgroundSort() const;
    void sortInBackground();
    void forgetOrder();
    void setSorting(bool sorting);
    void onSourceDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles);
    void onSourceHeaderDataChanged(Qt::Orientation orientation, int first, int last);
    void onSourceReset();

    TrafficTableModel* m_traffic = nullptr;
    QString m_filterText;
    QString m_filterColumn;
    bool m_suspiciousOnly = false;
    MarkFilter m_markFilter = MarkFilter::Any;
    std::shared_ptr<const std::vector<std::uint8_t>> m_rowMask;

    // The text filter the rows shown were filtered by, with the rows whose cells match it; not
    // valid while a search for new data runs (no row is shown then).
    struct AppliedFilter {
        bool valid = false;
        RowFilter filter;
        std::shared_ptr<const std::vector<std::uint8_t>> cells; // null: no cell searched
        std::weak_ptr<const PreparedData> data;
    };
    AppliedFilter m_applied;
    std::size_t m_backgroundRows = 100000;
    bool m_searching = false;
    quint64 m_search = 0; // the newest search; older ones are ignored
    std::shared_ptr<std::atomic<bool>> m_searchCancel; // the running one's

    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    // The source rows in sort order, for m_orderColumn and m_orderDescending; empty for other
    // rows, not current when the verdicts changed under a label order.
    std::vector<std::uint32_t> m_order;
    int m_orderColumn = -1;
    bool m_orderDescending = false;
    bool m_orderCurrent = false;
    bool m_sorting = false;
    int m_sortingColumn = -1;
    bool m_sortingDescending = false;
    quint64 m_sortRequest = 0; // the newest sort; older ones are ignored

    std::vector<int> m_proxyToSource;
    std::vector<int> m_sourceToProxy; // -1 for a row filtered out
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace webthreat

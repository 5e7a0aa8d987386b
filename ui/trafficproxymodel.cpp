#include "ui/trafficproxymodel.h"

#include "core/util/log.h"
#include "core/table/sortorder.h"
#include "ui/backgroundtask.h"

#include <QItemSelection>
#include <QThread>

#include <algorithm>

namespace webthreat {

TrafficProxyModel::TrafficProxyModel(QObject* parent)
    : QAbstractProxyModel(parent)
{
}

TrafficProxyModel::~TrafficProxyModel()
{
    cancelSearch();
}

void TrafficProxyModel::setSourceModel(QAbstractItemModel* sourceModel)
{
    beginResetModel();
    for (const QMetaObject::Connection& connection : std::as_const(m_sourceConnections))
        disconnect(connection);
    m_sourceConnections.clear();
    m_traffic = qobject_cast<TrafficTableModel*>(sourceModel);
    forgetOrder();
    QAbstractProxyModel::setSourceModel(sourceModel);
    if (sourceModel) {
        // This proxy only ever sees whole-table changes: a model reset for new data, dataChanged
        // for new verdicts. Anything structural is followed by a reset here too.
        auto resetting = [this] {
            beginResetModel();
            // New data has new rows: the order is stale (and the filter's matches, see onSourceReset).
            forgetOrder();
        };
        auto reset = [this] { onSourceReset(); };
        QAbstractItemModel* source = sourceModel;
        m_sourceConnections = {
            connect(source, &QAbstractItemModel::modelAboutToBeReset, this, resetting),
            connect(source, &QAbstractItemModel::modelReset, this, reset),
            connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, resetting),
            connect(source, &QAbstractItemModel::layoutChanged, this, reset),
            connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, resetting),
            connect(source, &QAbstractItemModel::rowsInserted, this, reset),
            connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, resetting),
            connect(source, &QAbstractItemModel::rowsRemoved, this, reset),
            connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this, resetting),
            connect(source, &QAbstractItemModel::columnsInserted, this, reset),
            connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this, resetting),
            connect(source, &QAbstractItemModel::columnsRemoved, this, reset),
            connect(source, &QAbstractItemModel::dataChanged, this, &TrafficProxyModel::onSourceDataChanged),
            connect(source, &QAbstractItemModel::headerDataChanged, this,
                    &TrafficProxyModel::onSourceHeaderDataChanged),
        };
    }
    search();
    rebuildMapping();
    endResetModel();
}

void TrafficProxyModel::onSourceReset()
{
    // The filter text stays; its matches are found again in the new rows.
    search();
    rebuildMapping();
    endResetModel();
}

void TrafficProxyModel::onSourceDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight,
                                            const QList<int>& roles)
{
    // Rows are not re-sorted or re-filtered here (see the class comment): the same rows show
    // new values. The source only sends whole ranges, so the proxy passes on its whole range.
    Q_UNUSED(topLeft);
    Q_UNUSED(bottomRight);
    if (m_proxyToSource.empty() || columnCount() == 0)
        return;
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), roles);
}

void TrafficProxyModel::onSourceHeaderDataChanged(Qt::Orientation orientation, int first, int last)
{
    if (orientation == Qt::Horizontal) {
        Q_EMIT headerDataChanged(orientation, first, last);
    } else if (!m_proxyToSource.empty()) {
        Q_EMIT headerDataChanged(orientation, 0, rowCount() - 1);
    }
}

void TrafficProxyModel::setFilter(const QString& text, const QString& column)
{
    if (text == m_filterText && column == m_filterColumn)
        return;
    m_filterText = text;
    m_filterColumn = column;
    if (search())
        return; // the rows change when the search ends
    refilter();
}

bool TrafficProxyModel::search()
{
    cancelSearch();
    RowFilter filter = m_traffic ? m_traffic->makeFilter(m_filterText, m_filterColumn) : RowFilter{};
    const std::shared_ptr<const PreparedData> data = m_traffic ? m_traffic->snapshot().data : nullptr;
    if (!filter.searchesCells() || !data) {
        m_applied = {true, std::move(filter), nullptr, data};
        setSearching(false);
        return false;
    }
    if (data->table.rowCount() <= m_backgroundRows) {
        auto cells = std::make_shared<const std::vector<std::uint8_t>>(rowsMatchingText(data->table, filter.cells));
        m_applied = {true, std::move(filter), std::move(cells), data};
        setSearching(false);
        return false;
    }
    // Until the search ends the rows shown are the previous filter's; for other data, none.
    if (m_applied.data.lock() != data)
        m_applied.valid = false;
    const quint64 request = m_search;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_searchCancel = cancel;
    using Matches = std::shared_ptr<const std::vector<std::uint8_t>>;
    TextFilter cells = filter.cells;
    // A core is left to the GUI thread: with every core searching (and a sort beside), its
    // repaints took three times as long.
    cells.threads = std::max(1, QThread::idealThreadCount() - 1);
    runInBackground<Matches>(
        this,
        [data, cells = std::move(cells), cancel] {
            return std::make_shared<const std::vector<std::uint8_t>>(
                rowsMatchingText(data->table, cells, cancel.get()));
        },
        [this, request, data, filter = std::move(filter)](BackgroundResult<Matches> result) mutable {
            if (request != m_search)
                return; // a newer filter or other data: cancelled
            m_searchCancel.reset();
            if (result.value) {
                m_applied = {true, std::move(filter), std::move(*result.value), data};
            } else {
                logger::get("ui")->warn("the Data tab's filter failed: {}", result.error);
                m_applied = {}; // shows no row rather than rows the filter did not check
            }
            refilter();
            setSearching(false);
        });
    setSearching(true);
    return true;
}

void TrafficProxyModel::cancelSearch()
{
    ++m_search;
    if (m_searchCancel)
        m_searchCancel->store(true);
    m_searchCancel.reset();
}

void TrafficProxyModel::setSearching(bool searching)
{
    if (searching == m_searching)
        return;
    m_searching = searching;
    Q_EMIT searchingChanged(searching);
}

void TrafficProxyModel::setSuspiciousOnly(bool suspiciousOnly)
{
    if (suspiciousOnly == m_suspiciousOnly)
        return;
    m_suspiciousOnly = suspiciousOnly;
    refilter();
}

void TrafficProxyModel::setMarkFilter(MarkFilter filter)
{
    if (filter == m_markFilter)
        return;
    m_markFilter = filter;
    refilter();
}

void TrafficProxyModel::triageChanged()
{
    if (!m_traffic)
        return;
    const bool sortedByTriage = m_sortColumn >= 0 && m_sortColumn < m_traffic->columnCount()
        && (m_traffic->columnSource(m_sortColumn) == TrafficTableModel::ColumnSource::Verdict
            || m_traffic->columnSource(m_sortColumn) == TrafficTableModel::ColumnSource::Note);
    if (m_orderColumn >= 0 && m_orderColumn < m_traffic->columnCount()
        && (m_traffic->columnSource(m_orderColumn) == TrafficTableModel::ColumnSource::Verdict
            || m_traffic->columnSource(m_orderColumn) == TrafficTableModel::ColumnSource::Note))
        m_orderCurrent = false;
    if (sortedByTriage && needsBackgroundSort()) {
        ++m_sortRequest;
        setSorting(false);
        sortInBackground();
        return;
    }
    // A marked row leaves "unreviewed suspicious" at once: what is left to review stays in view.
    if (m_markFilter != MarkFilter::Any || sortedByTriage)
        refilter();
}

void TrafficProxyModel::setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask)
{
    if (mask == m_rowMask)
        return;
    m_rowMask = std::move(mask);
    refilter();
}

void TrafficProxyModel::threatListsChanged()
{
    if (m_markFilter == MarkFilter::OnThreatList)
        refilter();
}

void TrafficProxyModel::verdictsChanged()
{
    const bool sortedByLabel = m_traffic && m_sortColumn >= 0
        && m_sortColumn == m_traffic->columnFor(TrafficTableModel::ColumnSource::Label);
    // An order by label is stale; it still orders the rows shown until the new one is made.
    if (m_orderColumn >= 0 && m_traffic && m_orderColumn < m_traffic->columnCount()
        && m_traffic->columnSource(m_orderColumn) == TrafficTableModel::ColumnSource::Label)
        m_orderCurrent = false;
    if (sortedByLabel && needsBackgroundSort()) {
        // A label order still being made is for the old verdicts: make it again. The rows are
        // re-filtered (suspicious only) with the new order when it comes.
        ++m_sortRequest;
        setSorting(false);
        sortInBackground();
        return;
    }
    if (m_suspiciousOnly || sortedByLabel || m_markFilter == MarkFilter::UnreviewedSuspicious)
        refilter();
}

void TrafficProxyModel::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder && (hasWantedOrder() || m_sorting))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (needsBackgroundSort()) {
        sortInBackground(); // the rows move when it ends
        return;
    }
    refilter();
}

bool TrafficProxyModel::hasWantedOrder() const
{
    if (!m_traffic || m_sortColumn < 0 || m_sortColumn >= m_traffic->columnCount())
        return true; // no order wanted
    return m_orderCurrent && m_orderColumn == m_sortColumn && m_orderDescending == (m_sortOrder == Qt::DescendingOrder)
        && m_order.size() == static_cast<std::size_t>(m_traffic->rowCount());
}

bool TrafficProxyModel::needsBackgroundSort() const
{
    return !hasWantedOrder() && static_cast<std::size_t>(m_traffic->rowCount()) > m_backgroundRows;
}

void TrafficProxyModel::sortInBackground()
{
    const int column = m_sortColumn;
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    if (m_sorting && m_sortingColumn == column && m_sortingDescending == descending)
        return; // that order is being made
    const quint64 request = ++m_sortRequest;
    m_sortingColumn = column;
    m_sortingDescending = descending;
    // The model's keys are made here (a tight loop over one column) and copied for the pool thread,
    // which does the sort itself.
    auto keys = std::make_shared<const std::vector<double>>(m_traffic->sortKeys(column));
    using Order = std::shared_ptr<std::vector<std::uint32_t>>;
    runInBackground<Order>(
        this,
        [keys, descending] { return std::make_shared<std::vector<std::uint32_t>>(stableSortOrder(*keys, descending)); },
        [this, request, column, descending](BackgroundResult<Order> result) {
            if (request != m_sortRequest)
                return; // another order or other data was asked for since
            if (!result.value) {
                logger::get("ui")->warn("sorting the Data tab failed: {}", result.error);
                setSorting(false);
                return;
            }
            m_order = std::move(**result.value);
            m_orderColumn = column;
            m_orderDescending = descending;
            m_orderCurrent = true;
            // The rows first, then the news that the sort ended: whoever counts the rows on
            // sortingChanged(false) must find them in place (it found none of new data's rows).
            refilter();
            setSorting(false);
        });
    setSorting(true);
}

void TrafficProxyModel::forgetOrder()
{
    m_order.clear();
    m_orderCurrent = false;
    ++m_sortRequest; // a sort under way was for the old rows
    setSorting(false);
}

void TrafficProxyModel::setSorting(bool sorting)
{
    if (sorting == m_sorting)
        return;
    m_sorting = sorting;
    Q_EMIT sortingChanged(sorting);
}

void TrafficProxyModel::invalidate()
{
    refilter();
}

void TrafficProxyModel::refilter()
{
    // Rows move and leave: a layout change, with persistent indexes (the view's selection and
    // current row) carried to where their rows now are, or dropped when filtered out.
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList persistent = persistentIndexList();
    QList<QPair<int, int>> sourceCells;
    sourceCells.reserve(persistent.size());
    for (const QModelIndex& proxyIndex : persistent) {
        const QModelIndex source = mapToSource(proxyIndex);
        sourceCells.append({source.isValid() ? source.row() : -1, proxyIndex.column()});
    }
    rebuildMapping();
    QModelIndexList moved;
    moved.reserve(persistent.size());
    for (const auto& [sourceRow, column] : std::as_const(sourceCells)) {
        const int proxyRow = sourceRow >= 0 && static_cast<std::size_t>(sourceRow) < m_sourceToProxy.size()
            ? m_sourceToProxy[static_cast<std::size_t>(sourceRow)]
            : -1;
        moved.append(proxyRow >= 0 ? index(proxyRow, column) : QModelIndex());
    }
    changePersistentIndexList(persistent, moved);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

const std::vector<std::uint32_t>* TrafficProxyModel::sortedRows(bool* pending)
{
    *pending = false;
    if (hasWantedOrder())
        return m_traffic && m_sortColumn >= 0 && m_sortColumn < m_traffic->columnCount() ? &m_order : nullptr;
    const auto rows = static_cast<std::size_t>(m_traffic->rowCount());
    if (rows <= m_backgroundRows) {
        const bool descending = m_sortOrder == Qt::DescendingOrder;
        m_order = stableSortOrder(m_traffic->sortKeys(m_sortColumn), descending);
        m_orderColumn = m_sortColumn;
        m_orderDescending = descending;
        m_orderCurrent = true;
        return &m_order;
    }
    sortInBackground();
    // Until it ends, the order the rows had (these rows, another column); for new rows, none.
    if (m_order.size() == rows)
        return &m_order;
    *pending = true;
    return nullptr;
}

void TrafficProxyModel::rebuildMapping()
{
    QAbstractItemModel* source = sourceModel();
    const int rows = source ? source->rowCount() : 0;
    m_sourceToProxy.assign(static_cast<std::size_t>(rows), -1);
    m_proxyToSource.clear();
    m_proxyToSource.reserve(static_cast<std::size_t>(rows));
    bool pending = false;
    const std::vector<std::uint32_t>* order = sortedRows(&pending);
    if (pending)
        return; // new rows not sorted yet: none is shown until they are
    const bool filtering
        = m_suspiciousOnly || m_markFilter != MarkFilter::Any || !m_applied.valid || !m_applied.filter.isEmpty() || !m_traffic || m_rowMask;
    const QModelIndex root;
    for (int position = 0; position < rows; ++position) {
        const int row = order ? static_cast<int>((*order)[static_cast<std::size_t>(position)]) : position;
        if (filtering && !filterAcceptsRow(row, root))
            continue;
        m_sourceToProxy[static_cast<std::size_t>(row)] = static_cast<int>(m_proxyToSource.size());
        m_proxyToSource.push_back(row);
    }
}

bool TrafficProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    Q_UNUSED(sourceParent);
    if (!m_traffic)
        return true;
    const auto row = static_cast<std::size_t>(sourceRow);
    if (m_rowMask && m_rowMask->size() == static_cast<std::size_t>(m_traffic->rowCount()) && !(*m_rowMask)[row])
        return false;
    if (m_suspiciousOnly && !m_traffic->isSuspicious(sourceRow))
        return false;
    if (m_markFilter != MarkFilter::Any) {
        const Mark mark = m_traffic->mark(sourceRow);
        switch (m_markFilter) {
        case MarkFilter::UnreviewedSuspicious:
            if (mark != Mark::None || !m_traffic->isSuspicious(sourceRow))
                return false;
            break;
        case MarkFilter::Malicious:
            if (mark != Mark::Malicious)
                return false;
            break;
        case MarkFilter::NeedsReview:
            if (mark != Mark::NeedsReview)
                return false;
            break;
        case MarkFilter::Benign:
            if (mark != Mark::Benign)
                return false;
            break;
        case MarkFilter::Marked:
            if (mark == Mark::None)
                return false;
            break;
        case MarkFilter::OnThreatList:
            if (!m_traffic->onThreatList(sourceRow))
                return false;
            break;
        case MarkFilter::Any:
            break;
        }
    }
    if (!m_applied.valid)
        return false; // the filter's rows in these data are still being searched
    if (m_applied.filter.isEmpty())
        return true;
    if (m_applied.cells && row < m_applied.cells->size() && (*m_applied.cells)[row])
        return true;
    return m_traffic->labelMatches(sourceRow, m_applied.filter);
}

QModelIndex TrafficProxyModel::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex TrafficProxyModel::parent(const QModelIndex& child) const
{
    Q_UNUSED(child);
    return {};
}

QModelIndex TrafficProxyModel::sibling(int row, int column, const QModelIndex& index) const
{
    return index.isValid() ? this->index(row, column) : QModelIndex();
}

int TrafficProxyModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_proxyToSource.size());
}

int TrafficProxyModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool TrafficProxyModel::hasChildren(const QModelIndex& parent) const
{
    return !parent.isValid() && rowCount() > 0 && columnCount() > 0;
}

QModelIndex TrafficProxyModel::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel() || proxyIndex.model() != this
        || static_cast<std::size_t>(proxyIndex.row()) >= m_proxyToSource.size())
        return {};
    return sourceModel()->index(m_proxyToSource[static_cast<std::size_t>(proxyIndex.row())], proxyIndex.column());
}

QModelIndex TrafficProxyModel::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != sourceModel()
        || static_cast<std::size_t>(sourceIndex.row()) >= m_sourceToProxy.size())
        return {};
    const int row = m_sourceToProxy[static_cast<std::size_t>(sourceIndex.row())];
    return row >= 0 ? index(row, sourceIndex.column()) : QModelIndex();
}

QItemSelection TrafficProxyModel::mapSelectionToSource(const QItemSelection& selection) const
{
    // Row by row: a contiguous proxy range is scattered in the source once sorted.
    QItemSelection mapped;
    for (const QItemSelectionRange& range : selection) {
        for (int row = range.top(); row <= range.bottom(); ++row) {
            const QModelIndex left = mapToSource(index(row, range.left()));
            const QModelIndex right = mapToSource(index(row, range.right()));
            if (left.isValid() && right.isValid())
                mapped.append(QItemSelectionRange(left, right));
        }
    }
    return mapped;
}

QItemSelection TrafficProxyModel::mapSelectionFromSource(const QItemSelection& selection) const
{
    QItemSelection mapped;
    for (const QItemSelectionRange& range : selection) {
        for (int row = range.top(); row <= range.bottom(); ++row) {
            const QModelIndex left = mapFromSource(sourceModel()->index(row, range.left()));
            const QModelIndex right = mapFromSource(sourceModel()->index(row, range.right()));
            if (left.isValid() && right.isValid())
                mapped.append(QItemSelectionRange(left, right));
        }
    }
    return mapped;
}

} // namespace webthreat

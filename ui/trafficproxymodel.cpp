#include "ui/trafficproxymodel.h"

namespace webthreat {

TrafficProxyModel::TrafficProxyModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TrafficTableModel::SortKeyRole);
    setDynamicSortFilter(false);
}

void TrafficProxyModel::setSourceModel(QAbstractItemModel* sourceModel)
{
    m_traffic = qobject_cast<TrafficTableModel*>(sourceModel);
    m_filterValid = false;
    QSortFilterProxyModel::setSourceModel(sourceModel);
    if (sourceModel) {
        // New data has new strings: the prepared filter must be rebuilt for them.
        connect(sourceModel, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_filterValid = false; });
    }
}

void TrafficProxyModel::setFilter(const QString& text, const QString& column)
{
    if (text == m_filterText && column == m_filterColumn)
        return;
    m_filterText = text;
    m_filterColumn = column;
    m_filterValid = false;
    refilter();
}

void TrafficProxyModel::setSuspiciousOnly(bool suspiciousOnly)
{
    if (suspiciousOnly == m_suspiciousOnly)
        return;
    m_suspiciousOnly = suspiciousOnly;
    refilter();
}

void TrafficProxyModel::setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask)
{
    if (mask == m_rowMask)
        return;
    m_rowMask = std::move(mask);
    refilter();
}

void TrafficProxyModel::verdictsChanged()
{
    const bool sortedByLabel = m_traffic && sortColumn() >= 0
        && sortColumn() == m_traffic->columnFor(TrafficTableModel::ColumnSource::Label);
    if (m_suspiciousOnly || sortedByLabel)
        refilter();
}

void TrafficProxyModel::refilter()
{
    // A full rebuild (filter, then one sort), not invalidateFilter(): that one removes and inserts
    // rows interval by interval, which is quadratic when a million rows change at once, and
    // appends re-admitted rows unsorted when dynamic sorting is off.
    invalidate();
}

const RowFilter& TrafficProxyModel::currentFilter() const
{
    if (m_traffic && (!m_filterValid || !m_traffic->isCurrent(m_filter))) {
        m_filter = m_traffic->makeFilter(m_filterText, m_filterColumn);
        m_filterValid = true;
    }
    return m_filter;
}

bool TrafficProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_traffic)
        return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
    if (m_rowMask && m_rowMask->size() == static_cast<std::size_t>(m_traffic->rowCount())
        && !(*m_rowMask)[static_cast<std::size_t>(sourceRow)])
        return false;
    if (m_suspiciousOnly && !m_traffic->isSuspicious(sourceRow))
        return false;
    if (m_filterText.trimmed().isEmpty())
        return true;
    return m_traffic->rowMatches(sourceRow, currentFilter());
}

bool TrafficProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (!m_traffic || left.column() != right.column())
        return QSortFilterProxyModel::lessThan(left, right);
    const std::vector<double>& keys = m_traffic->sortKeys(left.column());
    // The proxy's sort is stable: equal keys keep the file's order.
    return keys[static_cast<std::size_t>(left.row())] < keys[static_cast<std::size_t>(right.row())];
}

} // namespace webthreat

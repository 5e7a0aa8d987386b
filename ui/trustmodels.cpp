#include "ui/trustmodels.h"

#include "ui/charts/chartstyle.h"
#include "ui/displayformat.h"

#include <QBrush>
#include <QFont>

namespace webthreat {

CrossTabModel::CrossTabModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void CrossTabModel::setCrossTab(const CrossTab& tab)
{
    // Same values in the same order (the slider moved): only the counts change.
    bool sameRows = tab.rows.size() == m_tab.rows.size();
    for (std::size_t i = 0; sameRows && i < tab.rows.size(); ++i)
        sameRows = tab.rows[i].value == m_tab.rows[i].value && tab.rows[i].none == m_tab.rows[i].none;
    if (sameRows && tab.column == m_tab.column) {
        m_tab = tab;
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_tab = tab;
    endResetModel();
}

int CrossTabModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || m_tab.rows.empty() ? 0 : static_cast<int>(m_tab.rows.size()) + 1;
}

int CrossTabModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CrossTabModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const bool totalRow = index.row() == static_cast<int>(m_tab.rows.size());
    const std::size_t normal = totalRow ? m_tab.normal : m_tab.rows[static_cast<std::size_t>(index.row())].normal;
    const std::size_t suspicious
        = totalRow ? m_tab.suspicious : m_tab.rows[static_cast<std::size_t>(index.row())].suspicious;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Value:
            return totalRow ? tr("Total")
                            : QString::fromStdString(m_tab.rows[static_cast<std::size_t>(index.row())].value);
        case Normal:
            return formatCount(normal);
        case Suspicious:
            return formatCount(suspicious);
        case Total:
            return formatCount(normal + suspicious);
        }
        return {};
    case Qt::UserRole: // the number, for sorting and tests
        switch (index.column()) {
        case Normal:
            return static_cast<qulonglong>(normal);
        case Suspicious:
            return static_cast<qulonglong>(suspicious);
        case Total:
            return static_cast<qulonglong>(normal + suspicious);
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Value ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                       : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (totalRow) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Suspicious && suspicious > 0)
            return QBrush(chartstyle::suspiciousColor());
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Value && !totalRow && m_tab.rows[static_cast<std::size_t>(index.row())].none)
            return tr("Rows with no %1 value").arg(QString::fromStdString(m_tab.column));
        return {};
    }
    return {};
}

QVariant CrossTabModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Value:
        return QString::fromStdString(m_tab.column.empty() ? std::string("value") : m_tab.column);
    case Normal:
        return tr("Normal");
    case Suspicious:
        return tr("Suspicious");
    case Total:
        return tr("Rows");
    }
    return {};
}

ChangedVerdictsModel::ChangedVerdictsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ChangedVerdictsModel::setChanges(const AnalysisSnapshot& snapshot, VerdictChanges changes)
{
    beginResetModel();
    m_snapshot = snapshot;
    m_changes = std::move(changes);
    endResetModel();
}

void ChangedVerdictsModel::clear()
{
    setChanges({}, {});
}

std::size_t ChangedVerdictsModel::tableRow(int position) const
{
    const auto index = static_cast<std::size_t>(position);
    return index < m_changes.newlySuspicious.size() ? m_changes.newlySuspicious[index]
                                                    : m_changes.newlyNormal[index - m_changes.newlySuspicious.size()];
}

int ChangedVerdictsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_snapshot.hasDetection() ? 0 : static_cast<int>(m_changes.size());
}

int ChangedVerdictsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChangedVerdictsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::size_t row = tableRow(index.row());
    const bool nowSuspicious = static_cast<std::size_t>(index.row()) < m_changes.newlySuspicious.size();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Line:
            return static_cast<qlonglong>(m_snapshot.data->table.sourceLines[row]);
        case Change:
            return nowSuspicious ? tr("Normal \u2192 Suspicious") : tr("Suspicious \u2192 Normal");
        case Score:
            return QString::number(m_snapshot.detection->scores.scores()[row], 'f', 4);
        case SourceIp:
            return fromUtf8View(m_snapshot.data->table.text(Field::SrcIp, row));
        }
        return {};
    case Qt::UserRole:
        return static_cast<qulonglong>(row);
    case Qt::ForegroundRole:
        if (index.column() == Change)
            return QBrush(nowSuspicious ? chartstyle::suspiciousColor() : chartstyle::normalColor());
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Line || index.column() == Score ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                 : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

QVariant ChangedVerdictsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Line:
        return tr("Line");
    case Change:
        return tr("Verdict");
    case Score:
        return tr("Score");
    case SourceIp:
        return tr("src_ip");
    }
    return {};
}

} // namespace webthreat

#include "ui/suspiciousrowsmodel.h"

#include "ui/displayformat.h"

#include <cmath>

namespace webthreat {

SuspiciousRowsModel::SuspiciousRowsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SuspiciousRowsModel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    m_positions.clear();
    endResetModel();
}

int SuspiciousRowsModel::positionOf(std::size_t tableRow) const
{
    if (!m_snapshot.findings)
        return -1;
    if (m_positions.empty()) {
        const auto& rows = m_snapshot.findings->suspiciousRows;
        m_positions.reserve(rows.size());
        for (std::size_t position = 0; position < rows.size(); ++position)
            m_positions.emplace(rows[position], static_cast<int>(position));
    }
    const auto found = m_positions.find(tableRow);
    return found == m_positions.end() ? -1 : found->second;
}

std::size_t SuspiciousRowsModel::tableRow(int position) const
{
    return m_snapshot.findings->suspiciousRows[static_cast<std::size_t>(position)];
}

int SuspiciousRowsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.findings || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_snapshot.findings->suspiciousRows.size());
}

int SuspiciousRowsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SuspiciousRowsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::size_t row = tableRow(index.row());
    const TrafficTable& table = m_snapshot.data->table;
    const auto integer = [&](Field field) -> QVariant {
        const std::int64_t value = table.column(field).integers[row];
        return value == kMissingInteger ? QVariant(QString()) : QVariant(QString::number(value));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Rank: return index.row() + 1;
        case Score: return QString::number(m_snapshot.detection->scores.scores()[row], 'f', 4);
        case SourceIp: return fromUtf8View(table.text(Field::SrcIp, row));
        case Country: return fromUtf8View(table.text(Field::SrcIpCountryCode, row));
        // Compact units keep the list narrow beside the scatter; the tooltip has the exact count.
        case BytesIn: return formatBytesText(table.column(Field::BytesIn).number(row));
        case BytesOut: return formatBytesText(table.column(Field::BytesOut).number(row));
        case Duration: return QStringLiteral("%1 s").arg(formatValue(m_snapshot.data->features.sessionDuration[row]));
        case DestinationPort: return integer(Field::DstPort);
        case Protocol: return fromUtf8View(table.text(Field::Protocol, row));
        case Started: return formatInstantShort(table.column(Field::CreationTime).number(row));
        case Line: return QString::number(table.sourceLines[row]);
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case BytesIn: return tr("%1 bytes").arg(integer(Field::BytesIn).toString());
        case BytesOut: return tr("%1 bytes").arg(integer(Field::BytesOut).toString());
        case Started: return QString::fromStdString(table.cellText(static_cast<std::size_t>(Field::CreationTime), row));
        default: return {};
        }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case SourceIp:
        case Country:
        case Protocol:
        case Started: return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        default: return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        }
    case TableRowRole: return static_cast<qulonglong>(row);
    case SortKeyRole:
        switch (index.column()) {
        case Rank: return index.row();
        case Score: return m_snapshot.detection->scores.scores()[row];
        case BytesIn: return table.column(Field::BytesIn).number(row);
        case BytesOut: return table.column(Field::BytesOut).number(row);
        case Duration: return m_snapshot.data->features.sessionDuration[row];
        case DestinationPort: return table.column(Field::DstPort).number(row);
        case Started: return table.column(Field::CreationTime).number(row);
        case Line: return static_cast<qlonglong>(table.sourceLines[row]);
        default: return data(index, Qt::DisplayRole);
        }
    default: return {};
    }
}

QVariant SuspiciousRowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Rank: return tr("#");
        case Score: return tr("Score");
        case SourceIp: return tr("Source IP");
        case Country: return tr("Country");
        case BytesIn: return tr("Bytes in");
        case BytesOut: return tr("Bytes out");
        case Duration: return tr("Duration");
        case DestinationPort: return tr("Port");
        case Protocol: return tr("Protocol");
        case Started: return tr("Started");
        case Line: return tr("Line");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Rank: return tr("1 is the most anomalous row");
        case Score: return tr("Isolation Forest score: lower is more anomalous");
        case Line: return tr("The row's line in the input file");
        default: return {};
        }
    }
    return {};
}

} // namespace webthreat

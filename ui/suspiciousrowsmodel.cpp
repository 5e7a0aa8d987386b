#include "ui/suspiciousrowsmodel.h"

#include "ui/displayformat.h"
#include "ui/triagestyle.h"
#include "core/triage/tabletriage.h"

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
    rebuildShown();
    endResetModel();
}

void SuspiciousRowsModel::setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask)
{
    beginResetModel();
    m_rowMask = std::move(mask);
    m_positions.clear();
    rebuildShown();
    endResetModel();
}

void SuspiciousRowsModel::rebuildShown()
{
    m_shown.clear();
    m_masked = false;
    if (!m_rowMask || !m_snapshot.findings || !m_snapshot.data
        || m_rowMask->size() != m_snapshot.data->table.rowCount())
        return;
    m_masked = true;
    const auto& rows = m_snapshot.findings->suspiciousRows;
    for (std::size_t rank = 0; rank < rows.size(); ++rank) {
        if ((*m_rowMask)[rows[rank]])
            m_shown.push_back(static_cast<std::uint32_t>(rank));
    }
}

std::size_t SuspiciousRowsModel::rankOf(int position) const
{
    return m_masked ? m_shown[static_cast<std::size_t>(position)] : static_cast<std::size_t>(position);
}

int SuspiciousRowsModel::positionOf(std::size_t tableRow) const
{
    if (!m_snapshot.findings)
        return -1;
    if (m_positions.empty()) {
        const auto& rows = m_snapshot.findings->suspiciousRows;
        const int shown = rowCount();
        m_positions.reserve(static_cast<std::size_t>(shown));
        for (int position = 0; position < shown; ++position)
            m_positions.emplace(rows[rankOf(position)], position);
    }
    const auto found = m_positions.find(tableRow);
    return found == m_positions.end() ? -1 : found->second;
}

std::size_t SuspiciousRowsModel::tableRow(int position) const
{
    return m_snapshot.findings->suspiciousRows[rankOf(position)];
}

int SuspiciousRowsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.findings || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_masked ? m_shown.size() : m_snapshot.findings->suspiciousRows.size());
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
        case Rank:
            return static_cast<qulonglong>(rankOf(index.row()) + 1);
        case Score:
            return QString::number(m_snapshot.detection->scores.scores()[row], 'f', 4);
        case SourceIp:
            return fromUtf8View(table.text(Field::SrcIp, row));
        case Country:
            return fromUtf8View(table.text(Field::SrcIpCountryCode, row));
        // Compact units keep the list narrow beside the scatter; the tooltip has the exact count.
        case BytesIn:
            return formatBytesText(table.column(Field::BytesIn).number(row));
        case BytesOut:
            return formatBytesText(table.column(Field::BytesOut).number(row));
        case Duration:
            return QStringLiteral("%1 s").arg(formatValue(m_snapshot.data->features.sessionDuration[row]));
        case DestinationPort:
            return integer(Field::DstPort);
        case Protocol:
            return fromUtf8View(table.text(Field::Protocol, row));
        case Started:
            return formatInstantShort(table.column(Field::CreationTime).number(row));
        case Line:
            return QString::number(table.sourceLines[row]);
        case Verdict: {
            const std::string_view label = markLabel(mark(row));
            return QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
        }
        case ThreatLists:
            return m_snapshot.threatMatches && row < m_snapshot.threatMatches->src.size()
                ? QString::fromStdString(m_snapshot.threatMatches->names(m_snapshot.threatMatches->row(row)))
                : QString();
        default:
            return {};
        }
    case Qt::BackgroundRole:
        if (index.column() == Verdict && mark(row) != Mark::None)
            return markColor(mark(row));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Verdict && mark(row) != Mark::None)
            return markTextColor(mark(row));
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Verdict: {
            if (!m_snapshot.triage || mark(row) == Mark::None)
                return tr("Not reviewed: M Malicious, B Benign, R Needs review");
            QString text = markText(*m_snapshot.triage, row);
            if (const std::string* note = m_snapshot.triage->note(row))
                text += QStringLiteral("\n") + QString::fromStdString(*note);
            return text;
        }
        case BytesIn:
            return tr("%1 bytes").arg(integer(Field::BytesIn).toString());
        case BytesOut:
            return tr("%1 bytes").arg(integer(Field::BytesOut).toString());
        case Started:
            return QString::fromStdString(table.cellText(static_cast<std::size_t>(Field::CreationTime), row));
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case SourceIp:
        case Country:
        case Protocol:
        case Started:
        case ThreatLists:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        default:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        }
    case TableRowRole:
        return static_cast<qulonglong>(row);
    case SortKeyRole:
        switch (index.column()) {
        case Rank:
            return static_cast<qulonglong>(rankOf(index.row()));
        case Score:
            return m_snapshot.detection->scores.scores()[row];
        case BytesIn:
            return table.column(Field::BytesIn).number(row);
        case BytesOut:
            return table.column(Field::BytesOut).number(row);
        case Duration:
            return m_snapshot.data->features.sessionDuration[row];
        case DestinationPort:
            return table.column(Field::DstPort).number(row);
        case Started:
            return table.column(Field::CreationTime).number(row);
        case Line:
            return static_cast<qlonglong>(table.sourceLines[row]);
        case Verdict:
            return static_cast<int>(mark(row));
        default:
            return data(index, Qt::DisplayRole);
        }
    default:
        return {};
    }
}

void SuspiciousRowsModel::updateTriage(std::shared_ptr<const TableTriage> triage)
{
    m_snapshot.triage = std::move(triage);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Verdict), index(rowCount() - 1, Verdict));
}

void SuspiciousRowsModel::updateThreatLists(const AnalysisSnapshot& snapshot)
{
    m_snapshot.threatMatches = snapshot.threatMatches;
    m_snapshot.threatFindings = snapshot.threatFindings;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, ThreatLists), index(rowCount() - 1, ThreatLists));
}

Mark SuspiciousRowsModel::mark(std::size_t row) const
{
    return m_snapshot.triage ? m_snapshot.triage->mark(row) : Mark::None;
}

QVariant SuspiciousRowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Rank:
            return tr("#");
        case Score:
            return tr("Score");
        case SourceIp:
            return tr("Source IP");
        case Country:
            return tr("Country");
        case BytesIn:
            return tr("Bytes in");
        case BytesOut:
            return tr("Bytes out");
        case Duration:
            return tr("Duration");
        case DestinationPort:
            return tr("Port");
        case Protocol:
            return tr("Protocol");
        case Started:
            return tr("Started");
        case Line:
            return tr("Line");
        case Verdict:
            return tr("Verdict");
        case ThreatLists:
            return tr("Lists");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Rank:
            return tr("1 is the most anomalous row");
        case Score:
            return tr("Isolation Forest score: lower is more anomalous");
        case Line:
            return tr("The row's line in the input file");
        case ThreatLists:
            return tr("The threat lists the row's source or destination address is on");
        default:
            return {};
        }
    }
    return {};
}

} // namespace webthreat

#include "ui/entitiesmodel.h"

#include "ui/displayformat.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace webthreat {

EntitiesModel::EntitiesModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void EntitiesModel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    m_ipRank.clear();
    if (m_periodSessions.size() != (m_snapshot.aggregates ? m_snapshot.aggregates->entities.entities.size() : 0))
        m_periodSessions.clear();
    // Sorting by IP uses the order the worker computed with the aggregates.
    if (m_snapshot.aggregates)
        m_ipRank = m_snapshot.aggregates->entities.ipRank;
    endResetModel();
}

void EntitiesModel::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    if (snapshot.aggregates != m_snapshot.aggregates) {
        setSnapshot(snapshot);
        return;
    }
    m_snapshot = snapshot;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Suspicious), index(rowCount() - 1, LowestScore));
}

const EntityStats& EntitiesModel::stats(int row) const
{
    return m_snapshot.aggregates->entities.entities[static_cast<std::size_t>(row)];
}

void EntitiesModel::setPeriodSessions(std::vector<std::uint32_t> sessions)
{
    m_periodSessions = std::move(sessions);
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, InPeriod), index(rowCount() - 1, InPeriod));
        Q_EMIT headerDataChanged(Qt::Horizontal, InPeriod, InPeriod);
    }
}

std::uint32_t EntitiesModel::periodSessions(int row) const
{
    return m_periodSessions.empty() ? 0 : m_periodSessions[static_cast<std::size_t>(row)];
}

std::uint32_t EntitiesModel::sourceIpId(int row) const
{
    return stats(row).srcIp;
}

int EntitiesModel::rowOf(std::uint32_t sourceIpId) const
{
    if (!m_snapshot.aggregates)
        return -1;
    const std::uint32_t entity = m_snapshot.aggregates->entities.entityFor(sourceIpId);
    return entity == EntityTable::kNoEntity ? -1 : static_cast<int>(entity);
}

int EntitiesModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.aggregates || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_snapshot.aggregates->entities.entities.size());
}

int EntitiesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EntitiesModel::countriesText(const EntityStats& entity) const
{
    if (entity.countryCount == 0)
        return tr("(none)");
    QStringList names;
    for (std::uint32_t id : entity.topCountries) {
        if (id != StringPool::kMissing)
            names << fromUtf8View(m_snapshot.data->table.strings->view(id));
    }
    QString text = names.join(QStringLiteral(", "));
    if (entity.countryCount > names.size())
        text += tr(" +%1").arg(entity.countryCount - static_cast<std::uint32_t>(names.size()));
    return text;
}

QString EntitiesModel::portsText(const EntityStats& entity) const
{
    if (entity.portCount == 0)
        return tr("(none)");
    QStringList ports;
    for (std::int64_t port : entity.topPorts) {
        if (port != kMissingInteger)
            ports << QString::number(port);
    }
    QString text = ports.join(QStringLiteral(", "));
    if (entity.portCount > ports.size())
        text += tr(" +%1").arg(entity.portCount - static_cast<std::uint32_t>(ports.size()));
    return text;
}

double EntitiesModel::sortKey(int row, int column) const
{
    const EntityStats& entity = stats(row);
    const VerdictAggregates* verdicts = m_snapshot.verdictAggregates.get();
    const auto instant = [](Instant value) {
        // Missing sorts last in ascending order.
        return value == kMissingInteger ? std::numeric_limits<double>::infinity() : static_cast<double>(value);
    };
    switch (column) {
    case SourceIp: return m_ipRank.empty() ? row : m_ipRank[static_cast<std::size_t>(row)];
    case Sessions: return static_cast<double>(entity.sessions);
    case Suspicious: return verdicts ? verdicts->entities.suspicious[static_cast<std::size_t>(row)] : 0.0;
    case BytesIn: return static_cast<double>(entity.bytesIn);
    case BytesOut: return static_cast<double>(entity.bytesOut);
    case Countries: return entity.countryCount;
    case Ports: return entity.portCount;
    case FirstSeen: return instant(entity.firstSeen);
    case LastSeen: return instant(entity.lastSeen);
    case LowestScore: {
        const double score = verdicts ? verdicts->entities.lowestScore[static_cast<std::size_t>(row)] : std::nan("");
        return std::isnan(score) ? std::numeric_limits<double>::infinity() : score;
    }
    case InPeriod: return periodSessions(row);
    default: return 0.0;
    }
}

QVariant EntitiesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const EntityStats& entity = stats(row);
    const VerdictAggregates* verdicts = m_snapshot.verdictAggregates.get();
    const auto instantText = [](Instant value) {
        return value == kMissingInteger ? QString() : formatInstantShort(static_cast<double>(value) / 1e6);
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SourceIp:
            return entity.srcIp == StringPool::kMissing ? tr("(missing)") : fromUtf8View(m_snapshot.data->table.strings->view(entity.srcIp));
        case Sessions: return formatCount(entity.sessions);
        case Suspicious: {
            if (!verdicts)
                return QString();
            const std::uint32_t suspicious = verdicts->entities.suspicious[static_cast<std::size_t>(row)];
            return suspicious == 0 ? QStringLiteral("0")
                                   : QStringLiteral("%1 (%2)").arg(formatCount(suspicious),
                                                                   formatPercent(static_cast<double>(suspicious) / static_cast<double>(entity.sessions), 0));
        }
        case BytesIn: return formatBytesText(static_cast<double>(entity.bytesIn));
        case BytesOut: return formatBytesText(static_cast<double>(entity.bytesOut));
        case Countries: return countriesText(entity);
        case Ports: return portsText(entity);
        case FirstSeen: return instantText(entity.firstSeen);
        case LastSeen: return instantText(entity.lastSeen);
        case InPeriod: return m_periodSessions.empty() ? QString() : formatCount(periodSessions(row));
        case LowestScore: {
            const double score = verdicts ? verdicts->entities.lowestScore[static_cast<std::size_t>(row)] : std::nan("");
            return std::isnan(score) ? QString() : QString::number(score, 'f', 4);
        }
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case BytesIn: return tr("%1 bytes received from this source").arg(formatCount(entity.bytesIn));
        case BytesOut: return tr("%1 bytes sent to this source").arg(formatCount(entity.bytesOut));
        case Countries: return tr("%n distinct country code(s); the most frequent first", nullptr, static_cast<int>(entity.countryCount));
        case Ports: return tr("%n distinct destination port(s); the most used first", nullptr, static_cast<int>(entity.portCount));
        case FirstSeen:
        case LastSeen: {
            const Instant value = index.column() == FirstSeen ? entity.firstSeen : entity.lastSeen;
            return value == kMissingInteger ? tr("No session of this source has a creation_time")
                                            : QString::fromStdString(formatTimestamp(value));
        }
        default: return {};
        }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case SourceIp:
        case Countries:
        case Ports:
        case FirstSeen:
        case LastSeen: return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        default: return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        }
    case SortKeyRole: return sortKey(row, index.column());
    case SourceIpIdRole: return static_cast<uint>(entity.srcIp);
    default: return {};
    }
}

QVariant EntitiesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case SourceIp: return tr("Source IP");
        case Sessions: return tr("Sessions");
        case Suspicious: return tr("Suspicious");
        case BytesIn: return tr("Bytes in");
        case BytesOut: return tr("Bytes out");
        case Countries: return tr("Countries");
        case Ports: return tr("Ports");
        case FirstSeen: return tr("First seen (UTC)");
        case LastSeen: return tr("Last seen (UTC)");
        case InPeriod: return tr("In period");
        case LowestScore: return tr("Lowest score");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Sessions: return tr("Rows from this source IP in the file");
        case Suspicious: return tr("Its sessions labelled Suspicious at the current contamination, and their share");
        case Countries: return tr("Country codes its sessions carry, most frequent first; +N more");
        case Ports: return tr("Destination ports it used, most used first; +N more");
        case FirstSeen: return tr("Its earliest creation_time");
        case LastSeen: return tr("Its latest creation_time");
        case LowestScore: return tr("The most anomalous Isolation Forest score among its sessions (lower is more anomalous)");
        case InPeriod: return tr("Its sessions in the period selected on the Timeline; sources without any are hidden");
        default: return {};
        }
    }
    return {};
}

EntitiesProxyModel::EntitiesProxyModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(EntitiesModel::SortKeyRole);
    setDynamicSortFilter(false);
}

void EntitiesProxyModel::setSourceModel(QAbstractItemModel* sourceModel)
{
    m_entities = qobject_cast<EntitiesModel*>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void EntitiesProxyModel::setIpFilter(const QString& text)
{
    if (text == m_ipFilter)
        return;
    m_ipFilter = text;
    invalidate();
}

void EntitiesProxyModel::periodChanged()
{
    invalidate();
}

void EntitiesProxyModel::verdictsChanged()
{
    if (sortColumn() == EntitiesModel::Suspicious || sortColumn() == EntitiesModel::LowestScore)
        invalidate();
}

bool EntitiesProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (!m_entities || left.column() != right.column())
        return QSortFilterProxyModel::lessThan(left, right);
    return m_entities->sortKey(left.row(), left.column()) < m_entities->sortKey(right.row(), right.column());
}

bool EntitiesProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_entities && m_entities->hasPeriod() && m_entities->periodSessions(sourceRow) == 0)
        return false;
    if (m_ipFilter.trimmed().isEmpty() || !m_entities)
        return true;
    const QString ip = m_entities->index(sourceRow, EntitiesModel::SourceIp, sourceParent).data().toString();
    return ip.contains(m_ipFilter.trimmed(), Qt::CaseInsensitive);
}

} // namespace webthreat

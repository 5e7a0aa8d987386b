#include "ui/entitiesmodel.h"

#include "core/context/ipenricher.h"
#include "core/util/text.h"

#include "ui/displayformat.h"
#include "ui/triagestyle.h"

#include "core/triage/tabletriage.h"

#include <QColor>

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
    computePeriod();
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
    if (m_period) {
        computePeriod();
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    } else if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, Suspicious), index(rowCount() - 1, LowestScore));
    }
}

void EntitiesModel::computePeriod()
{
    m_period.reset();
    if (!m_periodRows || !m_snapshot.hasData() || !m_snapshot.aggregates
        || m_periodRows->size() != m_snapshot.data->table.rowCount())
        return;
    m_period = entitiesInPeriod(m_snapshot.aggregates->entities, m_snapshot.data->table, *m_periodRows,
                                m_snapshot.verdicts.get(),
                                m_snapshot.detection ? &m_snapshot.detection->scores.scores() : nullptr);
}

const EntityStats& EntitiesModel::stats(int row) const
{
    return m_snapshot.aggregates->entities.entities[static_cast<std::size_t>(row)];
}

void EntitiesModel::setPeriodRows(std::shared_ptr<const std::vector<std::uint8_t>> rows)
{
    m_periodRows = std::move(rows);
    computePeriod();
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
    }
}

std::uint32_t EntitiesModel::periodSessions(int row) const
{
    return m_period ? m_period->sessions[static_cast<std::size_t>(row)] : 0;
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
    if (parent.isValid())
        return 0;
    return m_snapshot.data && m_snapshot.data->features.enrichment ? ColumnCount : Network;
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

void EntitiesModel::updateThreatLists(const AnalysisSnapshot& snapshot)
{
    m_snapshot.threatMatches = snapshot.threatMatches;
    m_snapshot.threatFindings = snapshot.threatFindings;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, ThreatLists), index(rowCount() - 1, ThreatLists));
}

QString EntitiesModel::threatLists(int row) const
{
    const ThreatMatches* matches = m_snapshot.threatMatches.get();
    if (!matches || !matches->index || row < 0 || row >= rowCount() || stats(row).srcIp == StringPool::kMissing)
        return {};
    // One binary search in the merged table: no per-source copy of the matches.
    const std::string_view ip = m_snapshot.data->table.strings->view(stats(row).srcIp);
    return QString::fromStdString(matches->names(matches->index->lookup(trim(ip, kWhitespace))));
}

void EntitiesModel::updateTriage(std::shared_ptr<const TableTriage> triage)
{
    m_snapshot.triage = std::move(triage);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Verdict), index(rowCount() - 1, Verdict));
}

const SourceMark* EntitiesModel::sourceMark(int row) const
{
    if (!m_snapshot.triage || row < 0 || row >= rowCount())
        return nullptr;
    const auto it = m_snapshot.triage->sources.find(stats(row).srcIp);
    return it == m_snapshot.triage->sources.end() ? nullptr : &it->second;
}

double EntitiesModel::sortKey(int row, int column) const
{
    const EntityStats& entity = stats(row);
    const VerdictAggregates* verdicts = m_snapshot.verdictAggregates.get();
    const auto instant = [](Instant value) {
        // Missing sorts last in ascending order.
        return value == kMissingInteger ? std::numeric_limits<double>::infinity() : static_cast<double>(value);
    };
    const auto at = static_cast<std::size_t>(row);
    if (m_period) {
        switch (column) {
        case Sessions:
        case InPeriod:
            return m_period->sessions[at];
        case Suspicious:
            return m_period->suspicious[at];
        case BytesIn:
            return static_cast<double>(m_period->bytesIn[at]);
        case BytesOut:
            return static_cast<double>(m_period->bytesOut[at]);
        case FirstSeen:
            return instant(m_period->firstSeen[at]);
        case LastSeen:
            return instant(m_period->lastSeen[at]);
        case LowestScore:
            return std::isnan(m_period->lowestScore[at]) ? std::numeric_limits<double>::infinity()
                                                         : m_period->lowestScore[at];
        default:
            break;
        }
    }
    switch (column) {
    case SourceIp:
        return m_ipRank.empty() ? row : m_ipRank[at];
    case Verdict: {
        const SourceMark* mark = sourceMark(row);
        return mark && mark->mark != Mark::None ? static_cast<double>(mark->mark)
                                                : std::numeric_limits<double>::infinity();
    }
    case ThreatLists: {
        const ThreatMatches* matches = m_snapshot.threatMatches.get();
        if (!matches || !matches->index || entity.srcIp == StringPool::kMissing)
            return std::numeric_limits<double>::infinity();
        const std::uint64_t set
            = matches->index->lookup(trim(m_snapshot.data->table.strings->view(entity.srcIp), kWhitespace));
        return set == 0 ? std::numeric_limits<double>::infinity() : static_cast<double>(set);
    }
    case Sessions:
        return static_cast<double>(entity.sessions);
    case Suspicious:
        return verdicts ? verdicts->entities.suspicious[at] : 0.0;
    case BytesIn:
        return static_cast<double>(entity.bytesIn);
    case BytesOut:
        return static_cast<double>(entity.bytesOut);
    case Countries:
        return entity.countryCount;
    case Ports:
        return entity.portCount;
    case Network: {
        const Enrichment* enrichment = m_snapshot.data->features.enrichment.get();
        const std::uint32_t asn = enrichment ? enrichment->ofString(entity.srcIp).asn : 0;
        return asn ? static_cast<double>(asn) : std::numeric_limits<double>::infinity();
    }
    case FirstSeen:
        return instant(entity.firstSeen);
    case LastSeen:
        return instant(entity.lastSeen);
    case LowestScore: {
        const double score = verdicts ? verdicts->entities.lowestScore[at] : std::nan("");
        return std::isnan(score) ? std::numeric_limits<double>::infinity() : score;
    }
    case InPeriod:
        return periodSessions(row);
    default:
        return 0.0;
    }
}

namespace {

QString instantText(Instant value)
{
    return value == kMissingInteger ? QString() : formatInstantShort(static_cast<double>(value) / 1e6);
}

QString suspiciousText(std::uint64_t suspicious, std::uint64_t sessions)
{
    return suspicious == 0 || sessions == 0
        ? QStringLiteral("0")
        : QStringLiteral("%1 (%2)").arg(
            formatCount(suspicious), formatPercent(static_cast<double>(suspicious) / static_cast<double>(sessions), 0));
}

} // namespace

QVariant EntitiesModel::periodData(int column, int role, std::size_t at, const EntityStats& entity) const
{
    // The period's figures; countries and ports stay the whole file's.
    const VerdictAggregates* verdicts = m_snapshot.verdictAggregates.get();
    const EntityPeriod& period = *m_period;
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Sessions:
            return formatCount(period.sessions[at]);
        case Suspicious:
            return verdicts ? suspiciousText(period.suspicious[at], period.sessions[at]) : QString();
        case BytesIn:
            return formatBytesText(static_cast<double>(period.bytesIn[at]));
        case BytesOut:
            return formatBytesText(static_cast<double>(period.bytesOut[at]));
        case FirstSeen:
            return instantText(period.firstSeen[at]);
        case LastSeen:
            return instantText(period.lastSeen[at]);
        case LowestScore:
            return std::isnan(period.lowestScore[at]) ? QString() : QString::number(period.lowestScore[at], 'f', 4);
        case InPeriod:
            return tr("%1 of %2").arg(formatCount(period.sessions[at]), formatCount(entity.sessions));
        default:
            return {};
        }
    }
    switch (column) {
    case BytesIn:
        return tr("%1 bytes received from this source in the period").arg(formatCount(period.bytesIn[at]));
    case BytesOut:
        return tr("%1 bytes sent to this source in the period").arg(formatCount(period.bytesOut[at]));
    case Countries:
    case Ports:
        return tr("Over the whole file, not only the period");
    case FirstSeen:
    case LastSeen: {
        const Instant value = column == FirstSeen ? period.firstSeen[at] : period.lastSeen[at];
        return value == kMissingInteger ? tr("No session of this source in the period has a creation_time")
                                        : QString::fromStdString(formatTimestamp(value));
    }
    case InPeriod:
        return tr("Its sessions in the period, of all its sessions in the file");
    default:
        return {};
    }
}

QVariant EntitiesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const EntityStats& entity = stats(row);
    const VerdictAggregates* verdicts = m_snapshot.verdictAggregates.get();
    const auto at = static_cast<std::size_t>(row);
    if (m_period && (role == Qt::DisplayRole || role == Qt::ToolTipRole)) {
        if (QVariant value = periodData(index.column(), role, at, entity); value.isValid())
            return value;
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SourceIp:
            return entity.srcIp == StringPool::kMissing
                ? tr("(missing)")
                : fromUtf8View(m_snapshot.data->table.strings->view(entity.srcIp));
        case Verdict: {
            const SourceMark* mark = sourceMark(row);
            if (!mark || mark->mark == Mark::None)
                return QString();
            const std::string_view label = markLabel(mark->mark);
            return QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
        }
        case ThreatLists:
            return threatLists(row);
        case Sessions:
            return formatCount(entity.sessions);
        case Suspicious:
            return verdicts ? suspiciousText(verdicts->entities.suspicious[at], entity.sessions) : QString();
        case BytesIn:
            return formatBytesText(static_cast<double>(entity.bytesIn));
        case BytesOut:
            return formatBytesText(static_cast<double>(entity.bytesOut));
        case Countries:
            return countriesText(entity);
        case Ports:
            return portsText(entity);
        case Network: {
            const Enrichment* enrichment = m_snapshot.data->features.enrichment.get();
            return enrichment ? QString::fromStdString(enrichment->describe(enrichment->ofString(entity.srcIp)))
                              : QString();
        }
        case FirstSeen:
            return instantText(entity.firstSeen);
        case LastSeen:
            return instantText(entity.lastSeen);
        case InPeriod:
            return QString(); // a period's figures are returned above
        case LowestScore: {
            const double score
                = verdicts ? verdicts->entities.lowestScore[static_cast<std::size_t>(row)] : std::nan("");
            return std::isnan(score) ? QString() : QString::number(score, 'f', 4);
        }
        default:
            return {};
        }
    case Qt::BackgroundRole:
    case Qt::ForegroundRole:
        // A source on a threat list is written in red where the eye starts (the Lists column is far right).
        if (index.column() == SourceIp && role == Qt::ForegroundRole && !threatLists(row).isEmpty())
            return QColor(0xC6, 0x28, 0x28);
        if (index.column() == Verdict) {
            const SourceMark* mark = sourceMark(row);
            if (mark && mark->mark != Mark::None)
                return role == Qt::BackgroundRole ? markColor(mark->mark) : markTextColor(mark->mark);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case SourceIp: {
            const QString lists = threatLists(row);
            return lists.isEmpty() ? QVariant() : QVariant(tr("On threat lists: %1").arg(lists));
        }
        case Verdict: {
            const SourceMark* mark = sourceMark(row);
            if (!mark)
                return tr("Not reviewed: M Malicious, B Benign, R Needs review (applies to every file)");
            QString text = mark->fileSha256 == m_snapshot.triage->fileSha256
                ? tr("Set on this file")
                : tr("From an earlier file: %1").arg(QString::fromStdString(mark->fileName));
            if (!mark->note.empty())
                text += QStringLiteral("\n") + QString::fromStdString(mark->note);
            return text;
        }
        case BytesIn:
            return tr("%1 bytes received from this source").arg(formatCount(entity.bytesIn));
        case BytesOut:
            return tr("%1 bytes sent to this source").arg(formatCount(entity.bytesOut));
        case Countries:
            return tr("%n distinct country code(s); the most frequent first", nullptr,
                      static_cast<int>(entity.countryCount));
        case Ports:
            return tr("%n distinct destination port(s); the most used first", nullptr,
                      static_cast<int>(entity.portCount));
        case FirstSeen:
        case LastSeen: {
            const Instant value = index.column() == FirstSeen ? entity.firstSeen : entity.lastSeen;
            return value == kMissingInteger ? tr("No session of this source has a creation_time")
                                            : QString::fromStdString(formatTimestamp(value));
        }
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case SourceIp:
        case ThreatLists:
        case Countries:
        case Ports:
        case Network:
        case FirstSeen:
        case LastSeen:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        default:
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        }
    case SortKeyRole:
        return sortKey(row, index.column());
    case SourceIpIdRole:
        return static_cast<uint>(entity.srcIp);
    default:
        return {};
    }
}

QVariant EntitiesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (role == Qt::DisplayRole && m_period) {
        // While a period is selected these columns are its figures: the headers say so.
        switch (section) {
        case Sessions:
            return tr("Sessions (period)");
        case Suspicious:
            return tr("Suspicious (period)");
        case BytesIn:
            return tr("Bytes in (period)");
        case BytesOut:
            return tr("Bytes out (period)");
        case FirstSeen:
            return tr("First seen (period, UTC)");
        case LastSeen:
            return tr("Last seen (period, UTC)");
        case LowestScore:
            return tr("Lowest score (period)");
        default:
            break;
        }
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case SourceIp:
            return tr("Source IP");
        case Verdict:
            return tr("Verdict");
        case ThreatLists:
            return tr("Lists");
        case Sessions:
            return tr("Sessions");
        case Suspicious:
            return tr("Suspicious");
        case BytesIn:
            return tr("Bytes in");
        case BytesOut:
            return tr("Bytes out");
        case Countries:
            return tr("Countries");
        case Ports:
            return tr("Ports");
        case Network:
            return tr("Network");
        case FirstSeen:
            return tr("First seen (UTC)");
        case LastSeen:
            return tr("Last seen (UTC)");
        case InPeriod:
            return tr("In period");
        case LowestScore:
            return tr("Lowest score");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ThreatLists:
            return tr("The threat lists this source address is on (Context > Load Threat List)");
        case Sessions:
            return tr("Rows from this source IP in the file");
        case Suspicious:
            return tr("Its sessions labelled Suspicious at the current contamination, and their share");
        case Countries:
            return tr("Country codes its sessions carry, most frequent first; +N more");
        case Ports:
            return tr("Destination ports it used, most used first; +N more");
        case Network:
            return tr("Its autonomous system, organisation, country and flags, from the location database %1")
                .arg(QString::fromStdString(m_snapshot.data->features.enrichment->databasePath));
        case FirstSeen:
            return tr("Its earliest creation_time");
        case LastSeen:
            return tr("Its latest creation_time");
        case LowestScore:
            return tr("The most anomalous Isolation Forest score among its sessions (lower is more anomalous)");
        case InPeriod:
            return tr("Its sessions in the period selected on the Timeline, of all its sessions; sources without any "
                      "are hidden, and the other figures are the period's");
        default:
            return {};
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

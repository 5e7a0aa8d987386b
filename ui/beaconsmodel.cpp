#include "ui/beaconsmodel.h"

#include "core/behaviour/behaviour.h"
#include "core/behaviour/behaviourreport.h"
#include "ui/charts/chartstyle.h"
#include "ui/displayformat.h"

#include "core/context/threatlist.h"

#include <QColor>
#include <QCoreApplication>

#include <cmath>

namespace webthreat {

namespace {

QString spoken(double seconds)
{
    return QString::fromStdString(spokenDuration(seconds));
}

QString share(double value)
{
    return QString::number(value, 'f', 2);
}

QVariant rightAligned()
{
    return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
}

} // namespace

QString pairDestinationName(const StringPool& strings, std::uint32_t dstIp, std::int64_t dstPort)
{
    const QString address = dstIp == StringPool::kMissing
        ? QCoreApplication::translate("webthreat::BeaconsModel", "(none)")
        : fromUtf8View(strings.view(dstIp));
    return dstPort == kMissingInteger ? address : QStringLiteral("%1:%2").arg(address).arg(dstPort);
}

QString pairName(const StringPool& strings, const PairFilter& pair)
{
    return QStringLiteral("%1 \u2192 %2")
        .arg(fromUtf8View(strings.view(pair.srcIp)), pairDestinationName(strings, pair.dstIp, pair.dstPort));
}

// --- BeaconsModel ---------------------------------------------------------------------------

BeaconsModel::BeaconsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void BeaconsModel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    endResetModel();
}

void BeaconsModel::updateThreatLists(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data != m_snapshot.data)
        return;
    m_snapshot.threatMatches = snapshot.threatMatches;
    m_snapshot.threatFindings = snapshot.threatFindings;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Source), index(rowCount() - 1, Lists));
}

bool BeaconsModel::hasThreatLists() const
{
    return m_snapshot.threatMatches && m_snapshot.data
        && m_snapshot.threatMatches->src.size() == m_snapshot.data->table.rowCount();
}

std::uint64_t BeaconsModel::listsOf(const BeaconPair& pair, bool src) const
{
    if (!hasThreatLists() || !m_snapshot.behaviour)
        return 0;
    // Every row of a pair has the same two addresses: its first row speaks for it.
    const auto& rows = m_snapshot.behaviour->beacons.pairRows;
    if (pair.rowsBegin >= rows.size())
        return 0;
    const std::size_t row = rows[pair.rowsBegin];
    const ThreatMatches& matches = *m_snapshot.threatMatches;
    return src ? matches.src[row] : matches.dst[row];
}

QString BeaconsModel::listsText(const BeaconPair& pair) const
{
    const std::uint64_t set = listsOf(pair, true) | listsOf(pair, false);
    return set == 0 ? QString() : QString::fromStdString(m_snapshot.threatMatches->names(set));
}

QString BeaconsModel::listsTooltip(const BeaconPair& pair) const
{
    const StringPool& strings = *m_snapshot.data->table.strings;
    QStringList lines;
    if (const std::uint64_t set = listsOf(pair, true))
        lines << tr("The source %1 is on %2")
                     .arg(fromUtf8View(strings.view(pair.srcIp)),
                          QString::fromStdString(m_snapshot.threatMatches->names(set)));
    if (const std::uint64_t set = listsOf(pair, false))
        lines << tr("The destination %1 is on %2")
                     .arg(fromUtf8View(strings.view(pair.dstIp)),
                          QString::fromStdString(m_snapshot.threatMatches->names(set)));
    return lines.isEmpty() ? columnExplanation(Lists) : lines.join(QLatin1Char('\n'));
}

const BeaconPair* BeaconsModel::pairAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_snapshot.behaviour->beacons.pairs[static_cast<std::size_t>(row)];
}

PairFilter BeaconsModel::filterOf(const BeaconPair& pair) const
{
    return PairFilter{pair.srcIp, pair.dstIp, pair.dstPort};
}

int BeaconsModel::rowOf(const PairFilter& pair) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (filterOf(*pairAt(row)) == pair)
            return row;
    }
    return -1;
}

int BeaconsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.behaviour || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_snapshot.behaviour->beacons.pairs.size());
}

int BeaconsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BeaconsModel::display(const BeaconPair& pair, int column) const
{
    const StringPool& strings = *m_snapshot.data->table.strings;
    switch (column) {
    case Source:
        return fromUtf8View(strings.view(pair.srcIp));
    case Destination:
        return pairDestinationName(strings, pair.dstIp, pair.dstPort);
    case Sessions:
        return formatCount(pair.sessions);
    case Beat:
        return spoken(pair.medianIntervalSeconds);
    case Score:
        return share(pair.score);
    case Timing:
        return share(pair.parts.timing);
    case Sizes:
        return share(pair.parts.sizes);
    case Coverage:
        return share(pair.parts.coverage);
    case Lists:
        return listsText(pair);
    default:
        return {};
    }
}

QVariant BeaconsModel::sortKey(const BeaconPair& pair, int column) const
{
    switch (column) {
    case Source:
    case Destination:
    case Lists:
        return display(pair, column);
    case Sessions:
        return static_cast<qulonglong>(pair.sessions);
    case Beat:
        return pair.medianIntervalSeconds;
    case Score:
        return pair.score;
    case Timing:
        return pair.parts.timing;
    case Sizes:
        return pair.parts.sizes;
    case Coverage:
        return pair.parts.coverage;
    default:
        return {};
    }
}

QVariant BeaconsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BeaconPair* pair = pairAt(index.row());
    if (!pair)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(*pair, index.column());
    case SortKeyRole:
        return sortKey(*pair, index.column());
    case PairIndexRole:
        return static_cast<uint>(index.row());
    case Qt::ToolTipRole:
        if (index.column() == Beat || index.column() == Score)
            return QString::fromStdString(beaconSentence(*pair));
        if (index.column() == Lists)
            return listsTooltip(*pair);
        return columnExplanation(index.column());
    case Qt::TextAlignmentRole:
        return index.column() <= Destination || index.column() == Lists ? QVariant() : rightAligned();
    case Qt::ForegroundRole:
        // The pairs worth a look stand out; the rest read as context.
        if (index.column() == Score && pair->score < kReportedBeaconScore)
            return QColor(Qt::gray);
        // An address on a threat list in the lists' colour, as the scatter and timeline cross it.
        if ((index.column() == Source && listsOf(*pair, true) != 0)
            || (index.column() == Destination && listsOf(*pair, false) != 0) || index.column() == Lists)
            return chartstyle::threatListColor();
        return {};
    default:
        return {};
    }
}

QString BeaconsModel::columnExplanation(int column)
{
    switch (column) {
    case Source:
        return tr("The address that opens the sessions (src_ip).");
    case Destination:
        return tr("The address and, where the data has one, the port the sessions go to (dst_ip:dst_port).");
    case Sessions:
        return tr("How many sessions the pair has; pairs with fewer than %1 are not scored.")
            .arg(BeaconParams{}.minSessions);
    case Beat:
        return tr("The median time between one session's start and the next, missed beats folded in.");
    case Score:
        return tr("How beacon-like the pair is, 0 to 1: half timing, a quarter sizes, a quarter coverage.");
    case Timing:
        return tr("Interval regularity, 0 to 1: 1 when the sessions start at an even beat (small spread and skew "
                  "of the intervals), lower with jitter or many missed beats.");
    case Sizes:
        return tr("Size regularity, 0 to 1: 1 when every session carries about the same bytes in + out.");
    case Coverage:
        return tr("Coverage, 0 to 1: the share of the beats the pair's span and beat promise that did happen.");
    case Lists:
        return tr("The threat lists (Context > Load Threat List) the source or the destination is on.");
    default:
        return {};
    }
}

QVariant BeaconsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole)
        return columnExplanation(section);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Source:
        return tr("Source");
    case Destination:
        return tr("Destination");
    case Sessions:
        return tr("Sessions");
    case Beat:
        return tr("Median interval");
    case Score:
        return tr("Score");
    case Timing:
        return tr("Interval regularity");
    case Sizes:
        return tr("Size regularity");
    case Coverage:
        return tr("Coverage");
    case Lists:
        return tr("Lists");
    default:
        return {};
    }
}

// --- FanOutModel ----------------------------------------------------------------------------

FanOutModel::FanOutModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void FanOutModel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    endResetModel();
}

const SourceActivity* FanOutModel::sourceAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_snapshot.behaviour->fanOut.sources[static_cast<std::size_t>(row)];
}

int FanOutModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.behaviour || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_snapshot.behaviour->fanOut.sources.size());
}

int FanOutModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FanOutModel::cell(const SourceActivity& source, int column, bool sortKey) const
{
    const FanOutResult& fanOut = m_snapshot.behaviour->fanOut;
    const SourceWindow& peak = fanOut.windows[source.peakWindow];
    const auto count = [sortKey](std::uint64_t value) -> QVariant {
        return sortKey ? QVariant(static_cast<qulonglong>(value)) : QVariant(formatCount(value));
    };
    switch (column) {
    case Source:
        return fromUtf8View(m_snapshot.data->table.strings->view(source.srcIp));
    case PeakWindow:
        if (sortKey)
            return static_cast<qlonglong>(peak.start);
        return formatInstantShort(static_cast<double>(peak.start) / 1e6);
    case Ports:
        return count(peak.distinctPorts);
    case Hosts:
        return count(peak.distinctHosts);
    case WindowSessions:
        return count(peak.sessions);
    case Failed:
        return count(peak.failed);
    case VolumeRatio:
        if (sortKey)
            return source.maxVolumeRatio;
        return QStringLiteral("\u00d7%1").arg(source.maxVolumeRatio, 0, 'f', source.maxVolumeRatio < 10.0 ? 1 : 0);
    case ScanScore:
        return sortKey ? QVariant(source.scanScore) : QVariant(share(source.scanScore));
    default:
        return {};
    }
}

QVariant FanOutModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SourceActivity* source = sourceAt(index.row());
    if (!source)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return cell(*source, index.column(), false);
    case SortKeyRole:
        return cell(*source, index.column(), true);
    case Qt::ToolTipRole: {
        const FanOutResult& fanOut = m_snapshot.behaviour->fanOut;
        if (index.column() >= Ports && index.column() <= Failed)
            return QString::fromStdString(
                fanOutSentence(fanOut.windows[source->peakWindow], fanOut.params.windowSeconds));
        return columnExplanation(index.column());
    }
    case Qt::TextAlignmentRole:
        return index.column() <= PeakWindow ? QVariant() : rightAligned();
    default:
        return {};
    }
}

QString FanOutModel::columnExplanation(int column)
{
    switch (column) {
    case Source:
        return tr("The address that opens the sessions (src_ip).");
    case PeakWindow:
        return tr("The start (UTC) of the source's 5-minute window with the most distinct ports or hosts.");
    case Ports:
        return tr("Distinct destination ports the source touched in that window.");
    case Hosts:
        return tr("Distinct destination addresses the source touched in that window.");
    case WindowSessions:
        return tr("The source's sessions in that window.");
    case Failed:
        return tr("Sessions in that window that were refused or failed (REJECT, a failed Zeek conn_state, HTTP "
                  "4xx/5xx).");
    case VolumeRatio:
        return tr("The source's busiest window's sessions over its own median per active window: x10 and more is "
                  "a burst.");
    case ScanScore:
        return tr("How scan-like the source is, 0 to 1: grows with the window's fan-out, more when its sessions "
                  "failed.");
    default:
        return {};
    }
}

QVariant FanOutModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole)
        return columnExplanation(section);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Source:
        return tr("Source");
    case PeakWindow:
        return tr("Busiest window (UTC)");
    case Ports:
        return tr("Ports");
    case Hosts:
        return tr("Hosts");
    case WindowSessions:
        return tr("Sessions");
    case Failed:
        return tr("Failed");
    case VolumeRatio:
        return tr("Rate over own median");
    case ScanScore:
        return tr("Scan score");
    default:
        return {};
    }
}

} // namespace webthreat

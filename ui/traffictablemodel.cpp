#include "ui/traffictablemodel.h"

#include "core/context/ipenricher.h"
#include "core/detect/features.h"
#include "core/io/timestamp.h"
#include "core/analysis/datasetsummary.h"
#include "ui/displayformat.h"
#include "ui/palettechoice.h"
#include "ui/triagestyle.h"
#include "core/triage/tabletriage.h"

#include <QColor>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace webthreat {

namespace {

constexpr double kMissingSortKey = std::numeric_limits<double>::infinity();

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// The location database's columns, named as in the scored CSV (core/output/export.cpp).
enum ContextColumn : std::size_t {
    kSrcAsn, kSrcAsOrg, kSrcCountry, kSrcFlags, kDstAsn, kDstAsOrg, kDstCountry, kDstFlags, kCountryMismatch,
    kContextColumnCount
};
constexpr const char* kContextColumnNames[kContextColumnCount]
    = {"src_asn", "src_as_org", "src_country", "src_network_flags", "dst_asn", "dst_as_org", "dst_country",
       "dst_network_flags", "country_mismatch"};

} // namespace

TrafficTableModel::TrafficTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void TrafficTableModel::setSnapshot(const AnalysisSnapshot& snapshot)
{
    beginResetModel();
    const bool sameData = snapshot.data == m_snapshot.data;
    m_snapshot = snapshot;
    if (!sameData)
        m_textRanks.clear();
    m_keysColumn = -1;
    m_keys.clear();
    buildColumns();
    endResetModel();
}

void TrafficTableModel::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data != m_snapshot.data || snapshot.detection != m_snapshot.detection) {
        setSnapshot(snapshot);
        return;
    }
    m_snapshot = snapshot;
    if (m_keysColumn >= 0 && columnSource(m_keysColumn) == ColumnSource::Label)
        m_keysColumn = -1;
    const int rows = rowCount();
    if (rows == 0)
        return;
    // Every row's tint may have changed, and the label column's text: one signal for the lot.
    Q_EMIT dataChanged(index(0, 0), index(rows - 1, columnCount() - 1),
                       {Qt::DisplayRole, Qt::BackgroundRole, SortKeyRole, SuspiciousRole});
}

void TrafficTableModel::updateTriage(std::shared_ptr<const TableTriage> triage)
{
    m_snapshot.triage = std::move(triage);
    for (const ColumnSource source : {ColumnSource::Verdict, ColumnSource::Note}) {
        if (m_keysColumn >= 0 && columnSource(m_keysColumn) == source)
            m_keysColumn = -1;
    }
    const int rows = rowCount();
    const int verdict = columnFor(ColumnSource::Verdict);
    const int note = columnFor(ColumnSource::Note);
    if (rows == 0 || verdict < 0 || note < 0)
        return;
    Q_EMIT dataChanged(index(0, std::min(verdict, note)), index(rows - 1, std::max(verdict, note)));
}

bool TrafficTableModel::updateThreatLists(const AnalysisSnapshot& snapshot)
{
    const bool hadColumn = columnFor(ColumnSource::ThreatLists) >= 0;
    if (snapshot.data != m_snapshot.data || hadColumn != (snapshot.threatMatches != nullptr)) {
        // The column comes or goes: a reset (the view lays its columns out again).
        AnalysisSnapshot merged = m_snapshot.data == snapshot.data ? m_snapshot : snapshot;
        merged.threatMatches = snapshot.threatMatches;
        merged.threatFindings = snapshot.threatFindings;
        setSnapshot(merged);
        return true;
    }
    m_snapshot.threatMatches = snapshot.threatMatches;
    m_snapshot.threatFindings = snapshot.threatFindings;
    const int column = columnFor(ColumnSource::ThreatLists);
    if (m_keysColumn == column)
        m_keysColumn = -1;
    if (column >= 0 && rowCount() > 0)
        Q_EMIT dataChanged(index(0, column), index(rowCount() - 1, column));
    return false;
}

bool TrafficTableModel::onThreatList(int row) const
{
    const ThreatMatches* matches = m_snapshot.threatMatches.get();
    return matches && row >= 0 && static_cast<std::size_t>(row) < matches->src.size()
        && matches->row(static_cast<std::size_t>(row)) != 0;
}

Mark TrafficTableModel::mark(int row) const
{
    return m_snapshot.triage && row >= 0 ? m_snapshot.triage->mark(static_cast<std::size_t>(row)) : Mark::None;
}

void TrafficTableModel::buildColumns()
{
    m_columns.clear();
    if (!m_snapshot.data)
        return;
    const TrafficTable& table = m_snapshot.data->table;
    for (std::size_t column = 0; column < table.columnCount(); ++column) {
        if (!isAbsentColumn(m_snapshot.data->table, m_snapshot.data->readReport, column))
            m_columns.push_back({ColumnSource::Table, column});
    }
    if (m_snapshot.data->features.enrichment) {
        for (std::size_t which = 0; which < kContextColumnCount; ++which)
            m_columns.push_back({ColumnSource::Context, which});
    }
    m_columns.push_back({ColumnSource::SessionDuration, 0});
    m_columns.push_back({ColumnSource::AvgPacketSize, 0});
    m_columns.push_back({ColumnSource::Score, 0});
    m_columns.push_back({ColumnSource::Label, 0});
    m_columns.push_back({ColumnSource::Verdict, 0});
    m_columns.push_back({ColumnSource::Note, 0});
    if (m_snapshot.threatMatches)
        m_columns.push_back({ColumnSource::ThreatLists, 0});
}

int TrafficTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_snapshot.data)
        return 0;
    return static_cast<int>(m_snapshot.data->table.rowCount());
}

int TrafficTableModel::columnCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return static_cast<int>(m_columns.size());
}

int TrafficTableModel::columnFor(ColumnSource source) const
{
    for (std::size_t column = 0; column < m_columns.size(); ++column) {
        if (m_columns[column].source == source)
            return static_cast<int>(column);
    }
    return -1;
}

TrafficTableModel::ColumnSource TrafficTableModel::columnSource(int column) const
{
    return m_columns[static_cast<std::size_t>(column)].source;
}

QString TrafficTableModel::columnName(int column) const
{
    if (column < 0 || column >= columnCount())
        return {};
    const ColumnRef& ref = m_columns[static_cast<std::size_t>(column)];
    switch (ref.source) {
    case ColumnSource::Table:
        return QString::fromStdString(m_snapshot.data->table.columns[ref.tableColumn].name);
    case ColumnSource::SessionDuration:
        return fromView(featureInfo(Feature::SessionDuration).name);
    case ColumnSource::AvgPacketSize:
        return fromView(featureInfo(Feature::AvgPacketSize).name);
    case ColumnSource::Score:
        return QStringLiteral("anomaly_score");
    case ColumnSource::Label:
        return QStringLiteral("anomaly_label");
    case ColumnSource::Verdict:
        return QStringLiteral("verdict");
    case ColumnSource::Note:
        return QStringLiteral("note");
    case ColumnSource::Context:
        return QString::fromLatin1(kContextColumnNames[ref.tableColumn]);
    case ColumnSource::ThreatLists:
        return QStringLiteral("threat_lists");
    }
    return {};
}

QVariant TrafficTableModel::contextCell(std::size_t which, std::size_t row) const
{
    const PreparedData& data = *m_snapshot.data;
    const Enrichment& enrichment = *data.features.enrichment;
    if (which == kCountryMismatch)
        return enrichment.countryMismatch(data.table, row) ? QStringLiteral("1") : QStringLiteral("0");
    const AddressContext& context
        = which < kDstAsn ? enrichment.source(data.table, row) : enrichment.destination(data.table, row);
    switch (which < kDstAsn ? which : which - kDstAsn) {
    case kSrcAsn:
        return context.asn ? QString::number(context.asn) : QString();
    case kSrcAsOrg:
        return fromView(enrichment.organisation(context));
    case kSrcCountry:
        return fromView(context.countryCode());
    case kSrcFlags:
        return QString::fromStdString(networkFlagsText(context.flags));
    }
    return {};
}

double TrafficTableModel::contextSortKey(std::size_t which, std::size_t row) const
{
    const PreparedData& data = *m_snapshot.data;
    const Enrichment& enrichment = *data.features.enrichment;
    if (which == kCountryMismatch)
        return enrichment.countryMismatch(data.table, row) ? 1.0 : 0.0;
    const AddressContext& context
        = which < kDstAsn ? enrichment.source(data.table, row) : enrichment.destination(data.table, row);
    switch (which < kDstAsn ? which : which - kDstAsn) {
    case kSrcAsn:
        return context.asn ? static_cast<double>(context.asn) : kMissingSortKey;
    case kSrcAsOrg:
        // Organisations are kept in order of first appearance: sort them together, not by name.
        return context.organisation ? static_cast<double>(context.organisation) : kMissingSortKey;
    case kSrcCountry:
        return context.country[0] ? static_cast<double>(context.country[0] * 256 + context.country[1])
                                  : kMissingSortKey;
    case kSrcFlags:
        return context.flags ? static_cast<double>(context.flags) : kMissingSortKey;
    }
    return kMissingSortKey;
}

bool TrafficTableModel::isSuspicious(int row) const
{
    return m_snapshot.verdicts && row >= 0 && static_cast<std::size_t>(row) < m_snapshot.verdicts->suspicious.size()
        && m_snapshot.verdicts->isSuspicious(static_cast<std::size_t>(row));
}

const std::vector<std::uint32_t>& TrafficTableModel::textRanks() const
{
    if (m_textRanks.empty() && m_snapshot.data) {
        const StringPool& pool = *m_snapshot.data->table.strings;
        std::vector<std::uint32_t> ids(pool.size());
        std::iota(ids.begin(), ids.end(), 0u);
        std::sort(ids.begin(), ids.end(),
                  [&pool](std::uint32_t a, std::uint32_t b) { return pool.view(a) < pool.view(b); });
        m_textRanks.resize(ids.size());
        for (std::size_t rank = 0; rank < ids.size(); ++rank)
            m_textRanks[ids[rank]] = static_cast<std::uint32_t>(rank);
    }
    return m_textRanks;
}

double TrafficTableModel::sortKey(int row, int column) const
{
    const auto r = static_cast<std::size_t>(row);
    const ColumnRef& ref = m_columns[static_cast<std::size_t>(column)];
    const PreparedData& data = *m_snapshot.data;
    switch (ref.source) {
    case ColumnSource::Table: {
        const Column& source = data.table.columns[ref.tableColumn];
        if (source.isMissing(r))
            return kMissingSortKey;
        if (source.kind == ColumnKind::Text)
            return static_cast<double>(textRanks()[source.text[r]]);
        return source.number(r);
    }
    case ColumnSource::SessionDuration: {
        const double value = data.features.sessionDuration[r];
        return std::isnan(value) ? kMissingSortKey : value;
    }
    case ColumnSource::AvgPacketSize: {
        const double value = data.features.avgPacketSize[r];
        return std::isnan(value) ? kMissingSortKey : value;
    }
    case ColumnSource::Score:
        return m_snapshot.detection ? m_snapshot.detection->scores.scores()[r] : kMissingSortKey;
    case ColumnSource::Label:
        return m_snapshot.verdicts ? (isSuspicious(row) ? 1.0 : 0.0) : kMissingSortKey;
    case ColumnSource::Verdict: {
        const Mark value = mark(row);
        return value == Mark::None ? kMissingSortKey : static_cast<double>(value);
    }
    case ColumnSource::Note: {
        const std::string* note = m_snapshot.triage ? m_snapshot.triage->note(r) : nullptr;
        return note ? 1.0 : kMissingSortKey; // noted rows together
    }
    case ColumnSource::Context:
        return contextSortKey(ref.tableColumn, r);
    case ColumnSource::ThreatLists: {
        // Rows on the same lists together, rows on none last.
        const std::uint64_t set = m_snapshot.threatMatches && r < m_snapshot.threatMatches->src.size()
            ? m_snapshot.threatMatches->row(r)
            : 0;
        return set == 0 ? kMissingSortKey : static_cast<double>(set);
    }
    }
    return kMissingSortKey;
}

const std::vector<double>& TrafficTableModel::sortKeys(int column) const
{
    if (column == m_keysColumn)
        return m_keys;
    const auto rows = static_cast<std::size_t>(rowCount());
    m_keys.resize(rows);
    m_keysColumn = column;
    if (rows == 0)
        return m_keys;
    // One tight loop per kind of column (the same keys sortKey() gives): a million rows in a
    // few milliseconds rather than a switch per row.
    const ColumnRef& ref = m_columns[static_cast<std::size_t>(column)];
    const PreparedData& data = *m_snapshot.data;
    const auto numbers = [&](const auto& values) {
        for (std::size_t row = 0; row < rows; ++row)
            m_keys[row] = std::isnan(values[row]) ? kMissingSortKey : values[row];
    };
    switch (ref.source) {
    case ColumnSource::Table: {
        const Column& source = data.table.columns[ref.tableColumn];
        switch (source.kind) {
        case ColumnKind::Integer:
        case ColumnKind::Timestamp:
            for (std::size_t row = 0; row < rows; ++row) {
                const std::int64_t value = source.integers[row];
                m_keys[row] = value == kMissingInteger ? kMissingSortKey : static_cast<double>(value);
            }
            return m_keys;
        case ColumnKind::Text: {
            const std::vector<std::uint32_t>& ranks = textRanks();
            for (std::size_t row = 0; row < rows; ++row) {
                const std::uint32_t id = source.text[row];
                m_keys[row] = id == StringPool::kMissing ? kMissingSortKey : static_cast<double>(ranks[id]);
            }
            return m_keys;
        }
        case ColumnKind::Real:
            break;
        }
        break;
    }
    case ColumnSource::SessionDuration:
        numbers(data.features.sessionDuration);
        return m_keys;
    case ColumnSource::AvgPacketSize:
        numbers(data.features.avgPacketSize);
        return m_keys;
    case ColumnSource::Score:
        if (m_snapshot.detection) {
            std::copy(m_snapshot.detection->scores.scores().begin(), m_snapshot.detection->scores.scores().end(),
                      m_keys.begin());
            return m_keys;
        }
        break;
    case ColumnSource::Label:
    case ColumnSource::Verdict:
    case ColumnSource::Note:
    case ColumnSource::Context:
    case ColumnSource::ThreatLists:
        break;
    }
    for (std::size_t row = 0; row < rows; ++row)
        m_keys[row] = sortKey(static_cast<int>(row), column);
    return m_keys;
}

QVariant TrafficTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto row = static_cast<std::size_t>(index.row());
    const ColumnRef& ref = m_columns[static_cast<std::size_t>(index.column())];
    const PreparedData& data = *m_snapshot.data;

    switch (role) {
    case Qt::DisplayRole:
        switch (ref.source) {
        case ColumnSource::Table: {
            const Column& column = data.table.columns[ref.tableColumn];
            if (column.isMissing(row))
                return QString();
            switch (column.kind) {
            case ColumnKind::Integer:
                return QString::number(column.integers[row]);
            case ColumnKind::Timestamp: {
                char buffer[40];
                const std::size_t length = formatTimestamp(column.integers[row], buffer);
                return QString::fromLatin1(buffer, static_cast<qsizetype>(length));
            }
            case ColumnKind::Text:
                return fromView(data.table.strings->view(column.text[row]));
            case ColumnKind::Real:
                return QString::number(column.reals[row], 'g', 10);
            }
            return {};
        }
        case ColumnSource::SessionDuration:
            return QString::number(data.features.sessionDuration[row], 'f', 1);
        case ColumnSource::AvgPacketSize:
            return QString::number(data.features.avgPacketSize[row], 'f', 1);
        case ColumnSource::Score:
            return m_snapshot.detection ? QString::number(m_snapshot.detection->scores.scores()[row], 'f', 4)
                                        : QString();
        case ColumnSource::Label:
            if (!m_snapshot.verdicts)
                return QString();
            return fromView(isSuspicious(index.row()) ? kSuspiciousLabel : kNormalLabel);
        case ColumnSource::Verdict:
            return m_snapshot.triage ? markText(*m_snapshot.triage, row) : QString();
        case ColumnSource::Note: {
            const std::string* note = m_snapshot.triage ? m_snapshot.triage->note(row) : nullptr;
            return note ? QString::fromStdString(*note) : QString();
        }
        case ColumnSource::Context:
            return contextCell(ref.tableColumn, row);
        case ColumnSource::ThreatLists: {
            const ThreatMatches* matches = m_snapshot.threatMatches.get();
            return matches && row < matches->src.size() ? QString::fromStdString(matches->names(matches->row(row)))
                                                        : QString();
        }
        }
        return {};
    case Qt::TextAlignmentRole: {
        const bool numeric = ref.source == ColumnSource::SessionDuration || ref.source == ColumnSource::AvgPacketSize
            || ref.source == ColumnSource::Score
            || (ref.source == ColumnSource::Context
                && (ref.tableColumn == kSrcAsn || ref.tableColumn == kDstAsn || ref.tableColumn == kCountryMismatch))
            || (ref.source == ColumnSource::Table
                && (data.table.columns[ref.tableColumn].kind == ColumnKind::Integer
                    || data.table.columns[ref.tableColumn].kind == ColumnKind::Real));
        return QVariant::fromValue(
            Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter));
    }
    case Qt::BackgroundRole:
        if (ref.source == ColumnSource::Verdict && mark(index.row()) != Mark::None)
            return markColor(mark(index.row()));
        if (isSuspicious(index.row()))
            return isDarkPalette() ? QColor(0x5c, 0x24, 0x22) : QColor(255, 221, 221);
        return {};
    case Qt::ForegroundRole:
        if (ref.source == ColumnSource::Verdict && mark(index.row()) != Mark::None)
            return markTextColor(mark(index.row()));
        // The tint is set here, not by the palette, so the text colour must be too: dark on the
        // light tint, light on the dark one, whatever the rest of the table uses.
        if (isSuspicious(index.row()))
            return isDarkPalette() ? QColor(0xff, 0xe2, 0xde) : QColor(60, 0, 0);
        return {};
    case SortKeyRole:
        return sortKey(index.row(), index.column());
    case SuspiciousRole:
        return isSuspicious(index.row());
    case SourceLineRole:
        return QVariant::fromValue<qint64>(data.table.sourceLines[row]);
    case MarkRole:
        return static_cast<int>(mark(index.row()));
    default:
        return {};
    }
}

QVariant TrafficTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (section < 0 || section >= rowCount())
            return {};
        const std::int64_t line = m_snapshot.data->table.sourceLines[static_cast<std::size_t>(section)];
        switch (role) {
        case Qt::DisplayRole:
            return QString::number(line);
        case Qt::ToolTipRole:
            return tr("Line %1 of the file").arg(line);
        default:
            return {};
        }
    }
    if (section < 0 || section >= columnCount())
        return {};
    const ColumnRef& ref = m_columns[static_cast<std::size_t>(section)];
    switch (role) {
    case Qt::DisplayRole:
        return columnName(section);
    case Qt::ToolTipRole:
        switch (ref.source) {
        case ColumnSource::Table: {
            const Column& column = m_snapshot.data->table.columns[ref.tableColumn];
            return plainTooltip(
                tr("%1 (%2, from the file)").arg(columnName(section), fromView(columnKindName(column.kind))));
        }
        case ColumnSource::SessionDuration:
            return tr("session_duration (s): %1").arg(fromView(featureInfo(Feature::SessionDuration).description));
        case ColumnSource::AvgPacketSize:
            return tr("avg_packet_size (bytes/s): %1").arg(fromView(featureInfo(Feature::AvgPacketSize).description));
        case ColumnSource::Score:
            return tr("The Isolation Forest's score: in [-1, 0), lower is more anomalous.");
        case ColumnSource::Label:
            return tr("Suspicious where the score is below the threshold set by the contamination.");
        case ColumnSource::Verdict:
            return tr("Your verdict on the row (M Malicious, B Benign, R Needs review, 0 clears), or on its source "
                      "address; kept in the triage workspace.");
        case ColumnSource::Note:
            return tr("Your note on the row, or on its source address (N to write one).");
        case ColumnSource::Context:
            return plainTooltip(tr("%1: from the location database %2, not from the file")
                                    .arg(columnName(section),
                                         QString::fromStdString(m_snapshot.data->features.enrichment->databasePath)));
        case ColumnSource::ThreatLists:
            return tr("The threat lists the row's src_ip or dst_ip is on (Context > Load Threat List).");
        }
        return {};
    default:
        return {};
    }
}

RowFilter TrafficTableModel::makeFilter(const QString& text, const QString& column) const
{
    RowFilter filter;
    filter.needle = lowerAscii(text.trimmed().toStdString());
    for (int candidate = 0; candidate < columnCount() && !column.isEmpty(); ++candidate) {
        if (columnName(candidate) == column)
            filter.column = candidate;
    }
    if (filter.needle.empty())
        return filter;
    filter.cells.needle = filter.needle;
    for (int candidate = 0; candidate < columnCount(); ++candidate) {
        if (filter.column >= 0 && candidate != filter.column)
            continue;
        const ColumnRef& ref = m_columns[static_cast<std::size_t>(candidate)];
        // Computed numbers (features, score) are found by sorting, not by typing their digits.
        if (ref.source == ColumnSource::Table)
            filter.cells.columns.push_back(ref.tableColumn);
        else if (ref.source == ColumnSource::Label)
            filter.searchesLabel = true;
    }
    filter.matchesSuspicious = containsIgnoringAsciiCase(kSuspiciousLabel, filter.needle);
    filter.matchesNormal = containsIgnoringAsciiCase(kNormalLabel, filter.needle);
    return filter;
}

bool TrafficTableModel::labelMatches(int row, const RowFilter& filter) const
{
    if (!filter.searchesLabel || !m_snapshot.verdicts)
        return false;
    return isSuspicious(row) ? filter.matchesSuspicious : filter.matchesNormal;
}

} // namespace webthreat

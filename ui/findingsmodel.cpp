#include "ui/findingsmodel.h"

#include "ui/displayformat.h"

namespace webthreat {

FindingsModel::FindingsModel(Category category, QObject* parent)
    : QAbstractTableModel(parent)
    , m_category(category)
{
}

void FindingsModel::setFindings(std::shared_ptr<const Findings> findings)
{
    beginResetModel();
    m_findings = std::move(findings);
    endResetModel();
}

QString FindingsModel::categoryTitle() const
{
    switch (m_category) {
    case Category::SourceIps:
        return tr("Source IPs");
    case Category::Countries:
        return tr("Countries");
    case Category::DestinationPorts:
        return tr("Destination ports");
    case Category::Protocols:
        return tr("Protocols");
    }
    return {};
}

const std::vector<FindingEntry>* FindingsModel::entries() const
{
    if (!m_findings)
        return nullptr;
    switch (m_category) {
    case Category::SourceIps:
        return &m_findings->sourceIps;
    case Category::Countries:
        return &m_findings->countries;
    case Category::DestinationPorts:
        return &m_findings->destinationPorts;
    case Category::Protocols:
        return &m_findings->protocols;
    }
    return nullptr;
}

int FindingsModel::rowCount(const QModelIndex& parent) const
{
    const auto* list = entries();
    if (parent.isValid() || !list)
        return 0;
    return static_cast<int>(list->size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FindingEntry& entry = (*entries())[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Value:
            return entry.value.empty() ? tr("(missing)") : QString::fromStdString(entry.value);
        case Count:
            return formatCount(entry.count);
        case Share:
            return formatPercent(entry.share);
        case TotalRows:
            return formatCount(entry.totalRows);
        case BytesIn:
            return formatBytesText(static_cast<double>(entry.bytesIn));
        case BytesOut:
            return formatBytesText(static_cast<double>(entry.bytesOut));
        default:
            return {};
        }
    case SortKeyRole:
        switch (index.column()) {
        case Value:
            return QString::fromStdString(entry.value);
        case Count:
            return static_cast<qulonglong>(entry.count);
        case Share:
            return entry.share;
        case TotalRows:
            return static_cast<qulonglong>(entry.totalRows);
        case BytesIn:
            return static_cast<qlonglong>(entry.bytesIn);
        case BytesOut:
            return static_cast<qlonglong>(entry.bytesOut);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Count || index.column() == Share || index.column() == TotalRows)
            return tr("%1 of the %2 suspicious rows; %3 rows overall have this value")
                .arg(formatCount(entry.count), formatCount(m_findings->suspicious), formatCount(entry.totalRows));
        if (index.column() == BytesIn || index.column() == BytesOut)
            return tr("%1 bytes, summed over its suspicious rows")
                .arg(formatCount(
                    static_cast<std::uint64_t>(index.column() == BytesIn ? entry.bytesIn : entry.bytesOut)));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Value)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    default:
        return {};
    }
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Value:
            switch (m_category) {
            case Category::SourceIps:
                return tr("Source IP");
            case Category::Countries:
                return tr("Country");
            case Category::DestinationPorts:
                return tr("Port");
            case Category::Protocols:
                return tr("Protocol");
            }
            return {};
        case Count:
            return tr("Suspicious");
        case Share:
            return tr("Share");
        case TotalRows:
            return tr("All rows");
        case BytesIn:
            return tr("Bytes in");
        case BytesOut:
            return tr("Bytes out");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Count:
            return tr("Suspicious rows with this value");
        case Share:
            return tr("Share of all suspicious rows");
        case TotalRows:
            return tr("Rows with this value, suspicious or not");
        case BytesIn:
            return tr("Bytes received in its suspicious rows");
        case BytesOut:
            return tr("Bytes sent in its suspicious rows");
        default:
            return {};
        }
    }
    return {};
}

} // namespace webthreat

#include "ui/summarymodel.h"

#include "ui/displayformat.h"
#include "ui/palettechoice.h"

#include <QColor>
#include <QStringList>

namespace webthreat {

SummaryModel::SummaryModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void SummaryModel::setSummary(std::shared_ptr<const DatasetSummary> summary, std::optional<ColumnSummary> score)
{
    beginResetModel();
    m_summary = std::move(summary);
    m_score = m_summary ? std::move(score) : std::nullopt;
    endResetModel();
}

int SummaryModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_summary)
        return 0;
    return static_cast<int>(m_summary->columns.size()) + (m_score ? 1 : 0);
}

int SummaryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ColumnSummary& SummaryModel::row(int index) const
{
    const auto position = static_cast<std::size_t>(index);
    return position < m_summary->columns.size() ? m_summary->columns[position] : *m_score;
}

namespace {
QString joined(const std::vector<std::string>& values, const QString& separator)
{
    QStringList list;
    for (const std::string& value : values)
        list << QString::fromStdString(value);
    return list.join(separator);
}
} // namespace

QVariant SummaryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ColumnSummary& summary = row(index.row());
    // Minutes are enough to read a time range at a glance; the tooltip has the exact instant.
    const auto number
        = [&summary](double value) { return summary.timestamp ? formatInstantShort(value) : formatValue(value); };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(summary.name);
        case Type:
            return QString::fromStdString(summary.type);
        case Present:
            return formatCount(summary.present);
        case Missing:
            return formatCount(summary.missing);
        case Distinct:
            return summary.distinct ? formatCount(*summary.distinct) : QString();
        case Minimum:
            return summary.numeric ? number(summary.minimum) : QString();
        case Median:
            return summary.numeric ? number(summary.median) : QString();
        case Maximum:
            return summary.numeric ? number(summary.maximum) : QString();
        case TopValues:
            return joined(summary.topValues, QStringLiteral(", "));
        default:
            return {};
        }
    case SortKeyRole:
        switch (index.column()) {
        case Present:
            return static_cast<qulonglong>(summary.present);
        case Missing:
            return static_cast<qulonglong>(summary.missing);
        case Distinct:
            return summary.distinct ? QVariant(static_cast<qulonglong>(*summary.distinct)) : QVariant();
        case Minimum:
            return summary.numeric ? QVariant(summary.minimum) : QVariant();
        case Median:
            return summary.numeric ? QVariant(summary.median) : QVariant();
        case Maximum:
            return summary.numeric ? QVariant(summary.maximum) : QVariant();
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(summary.tooltip);
        case TopValues:
            return plainTooltip(joined(summary.topValues, QStringLiteral("\n")));
        case Minimum:
        case Median:
        case Maximum:
            if (summary.numeric && summary.timestamp)
                return formatInstant(index.column() == Minimum      ? summary.minimum
                                         : index.column() == Median ? summary.median
                                                                    : summary.maximum);
            if (index.column() != Median && summary.numeric && summary.name.starts_with("bytes"))
                return formatBytesText(index.column() == Minimum ? summary.minimum : summary.maximum);
            return {};
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() >= Present && index.column() <= Maximum)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
    case Qt::ForegroundRole:
        // Missing values are what cleaning acts on: make them stand out.
        if (index.column() == Missing && summary.missing > 0)
            return isDarkPalette() ? QColor(0xff, 0x8a, 0x80) : QColor(176, 0, 32);
        return {};
    default:
        return {};
    }
}

QVariant SummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name:
            return tr("Column");
        case Type:
            return tr("Type");
        case Present:
            return tr("Non-missing");
        case Missing:
            return tr("Missing");
        case Distinct:
            return tr("Distinct");
        case Minimum:
            return tr("Min / first");
        case Median:
            return tr("Median");
        case Maximum:
            return tr("Max / last");
        case TopValues:
            return tr("Most frequent");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Present:
            return tr("Cells with a value (pandas: count)");
        case Missing:
            return tr("Empty or unparseable cells after cleaning (pandas: isnull().sum())");
        case Distinct:
            return tr("Different values (pandas: nunique)");
        case Minimum:
            return tr("Smallest value; the first instant for timestamps");
        case Median:
            return tr("The middle value (pandas: 50%)");
        case Maximum:
            return tr("Largest value; the last instant for timestamps");
        case TopValues:
            return tr("The three most frequent values of a text column, with their counts");
        default:
            return {};
        }
    }
    return {};
}

} // namespace webthreat

#include "ui/datacolumnlayout.h"

#include "ui/traffictablemodel.h"
#include "ui/viewwidgets.h"

#include <QHeaderView>
#include <QTableView>

#include <utility>

namespace webthreat {

DataColumnLayout::DataColumnLayout(QTableView* view, const TrafficTableModel* model, QObject* parent)
    : QObject(parent)
    , m_view(view)
    , m_header(view->horizontalHeader())
    , m_model(model)
{
    connect(m_header, &QHeaderView::sectionMoved, this, &DataColumnLayout::onSectionMoved);
    connect(m_header, &QHeaderView::sectionResized, this, &DataColumnLayout::onSectionResized);
}

DataColumnLayout::~DataColumnLayout() = default;

QString DataColumnLayout::layoutKey() const
{
    QStringList names;
    for (int column = 0; column < m_model->columnCount(); ++column)
        names << m_model->columnName(column);
    return names.join(QChar(0x1f));
}

QStringList DataColumnLayout::defaultOrder() const
{
    // The verdict first: label and score lead the Data tab (the model keeps the scored CSV's
    // column order; only the view's order differs).
    QStringList order;
    if (m_model->snapshot().hasDetection()) {
        // The threat lists (when loaded) beside the verdict: both say who the row is about.
        for (const auto source : {TrafficTableModel::ColumnSource::Label, TrafficTableModel::ColumnSource::Verdict,
                                  TrafficTableModel::ColumnSource::ThreatLists, TrafficTableModel::ColumnSource::Score}) {
            const int column = m_model->columnFor(source);
            if (column >= 0)
                order << m_model->columnName(column);
        }
    }
    for (int column = 0; column < m_model->columnCount(); ++column) {
        if (!order.contains(m_model->columnName(column)))
            order << m_model->columnName(column);
    }
    return order;
}

QStringList DataColumnLayout::visualOrder() const
{
    QStringList order;
    for (int visual = 0; visual < m_header->count(); ++visual)
        order << m_model->columnName(m_header->logicalIndex(visual));
    return order;
}

void DataColumnLayout::arrange(const QStringList& order)
{
    QHash<QString, int> logical;
    for (int column = 0; column < m_model->columnCount(); ++column)
        logical.insert(m_model->columnName(column), column);
    int visual = 0;
    for (const QString& name : order) {
        const int column = logical.value(name, -1);
        if (column < 0 || column >= m_header->count())
            continue;
        m_header->moveSection(m_header->visualIndex(column), visual++);
    }
}

void DataColumnLayout::apply()
{
    m_applying = true;
    m_key = layoutKey();
    const auto found = m_layouts.constFind(m_key);
    arrange(found != m_layouts.cend() && !found->order.isEmpty() ? found->order : defaultOrder());
    m_applying = false;
}

void DataColumnLayout::fitWidths()
{
    m_applying = true;
    fitColumns(m_view);
    const auto found = m_layouts.constFind(m_key);
    if (found != m_layouts.cend()) {
        for (int column = 0; column < m_model->columnCount(); ++column) {
            const auto width = found->widths.constFind(m_model->columnName(column));
            if (width != found->widths.cend())
                m_header->resizeSection(column, *width);
        }
    }
    m_applying = false;
}

void DataColumnLayout::onSectionMoved()
{
    if (m_applying || m_key.isEmpty())
        return;
    m_layouts[m_key].order = visualOrder();
}

void DataColumnLayout::onSectionResized(int logical, int oldSize, int newSize)
{
    Q_UNUSED(oldSize);
    if (m_applying || m_key.isEmpty() || logical < 0 || logical >= m_model->columnCount() || newSize <= 0)
        return;
    m_layouts[m_key].widths.insert(m_model->columnName(logical), newSize);
}

} // namespace webthreat

#include "ui/entitiesview.h"

#include "ui/displayformat.h"
#include "ui/entitiesmodel.h"
#include "ui/viewwidgets.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScopedValueRollback>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace webthreat {

EntitiesView::EntitiesView(QWidget* parent)
    : QWidget(parent)
    , m_model(new EntitiesModel(this))
    , m_proxy(new EntitiesProxyModel(this))
{
    setObjectName(QStringLiteral("entitiesTab"));
    m_model->setObjectName(QStringLiteral("entitiesModel"));
    m_proxy->setObjectName(QStringLiteral("entitiesProxy"));
    m_proxy->setSourceModel(m_model);

    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_title = new QLabel(tr("Source IPs"), this);
    m_title->setObjectName(QStringLiteral("entitiesTitle"));
    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("entitiesFilterEdit"));
    m_filterEdit->setPlaceholderText(tr("Find a source IP..."));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setMaximumWidth(260);
    bar->addWidget(m_title, 1);
    bar->addWidget(m_filterEdit);
    layout->addLayout(bar);

    m_table = makeTableView(this, QStringLiteral("entitiesView"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Busiest sources first until the analyst sorts otherwise.
    m_table->sortByColumn(EntitiesModel::Sessions, Qt::DescendingOrder);
    m_table->setToolTip(tr("Select one or more sources (Ctrl/Shift+click) to show only their rows in the Data "
                           "tab, the suspicious list and the timeline's filter bar"));
    layout->addWidget(m_table, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &EntitiesView::onSelectionChanged);
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &EntitiesProxyModel::setIpFilter);
}

EntitiesView::~EntitiesView() = default;

void EntitiesView::setSnapshot(const ViewUpdate& update, int part)
{
    if (part == ColumnsPart) {
        // Measuring a hundred thousand sources' cells takes a frame or so: a part of its own.
        fitColumns(m_table);
        return;
    }
    if (update.dropViewFilter() && m_model->hasPeriod())
        m_model->setPeriodRows(nullptr);
    // The proxy sorts again by the view's sort column after the reset.
    m_model->setSnapshot(update.snapshot);
    // Who the source is reads best beside it: the Network column (with the location database only,
    // last in the model) is shown right after the verdict.
    if (m_model->columnCount() > EntitiesModel::Network) {
        QHeaderView* header = m_table->horizontalHeader();
        header->moveSection(header->visualIndex(EntitiesModel::Network), EntitiesModel::Verdict + 1);
    }
    updateTitle(update.snapshot);
    if (update.viewFilter.hasSources()) {
        // A refit resets the model: show the sources the filter still holds as selected again.
        const QScopedValueRollback guard(m_settingSelection, true);
        QItemSelection selection;
        for (std::uint32_t id : update.viewFilter.sourceIps) {
            const int row = m_model->rowOf(id);
            const QModelIndex index = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
            if (index.isValid())
                selection.select(index, index);
        }
        m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
}

void EntitiesView::updateVerdicts(const ViewUpdate& update, int part)
{
    if (part != RowsPart)
        return;
    m_model->updateVerdicts(update.snapshot);
    m_proxy->verdictsChanged();
}

void EntitiesView::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_model->snapshot().data)
        return;
    m_model->updateThreatLists(update.snapshot);
    m_table->resizeColumnToContents(EntitiesModel::ThreatLists);
}

void EntitiesView::updateTriage(const ViewUpdate& update)
{
    if (update.snapshot.data != m_model->snapshot().data)
        return;
    m_model->updateTriage(update.snapshot.triage);
    const int width = m_table->columnWidth(EntitiesModel::Verdict);
    m_table->resizeColumnToContents(EntitiesModel::Verdict);
    if (m_table->columnWidth(EntitiesModel::Verdict) < width)
        m_table->setColumnWidth(EntitiesModel::Verdict, width);
}

std::vector<std::string> EntitiesView::selectedSourceIps() const
{
    std::vector<std::string> ips;
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() && m_table->currentIndex().isValid())
        rows.append(m_table->currentIndex());
    const auto& data = m_model->snapshot().data;
    if (!data)
        return ips;
    for (const QModelIndex& index : std::as_const(rows)) {
        const QModelIndex source = m_proxy->mapToSource(index);
        const std::uint32_t id = m_model->sourceIpId(source.row());
        if (id != StringPool::kMissing)
            ips.emplace_back(data->table.strings->view(id));
    }
    return ips;
}

void EntitiesView::setSelectionRows(const SelectionRows& filter)
{
    // The list shows the sources active in the period, with the period's figures. The sources
    // selected here are not applied to the list itself.
    if (!filter.periodRows && !m_model->hasPeriod())
        return;
    // Sources hidden by the period leave the selection; the filter keeps them (AND gives none of
    // their rows anyway), so hiding them must not ask for a new filter.
    const QScopedValueRollback guard(m_settingSelection, true);
    m_model->setPeriodRows(filter.periodRows);
    m_proxy->periodChanged();
    // The headers say "(period)" now, or no longer: widen what would cut them off.
    QHeaderView* header = m_table->horizontalHeader();
    for (int column = 0; column < header->count(); ++column) {
        if (header->sectionSize(column) < header->sectionSizeHint(column))
            header->resizeSection(column, header->sectionSizeHint(column));
    }
    updateTitle(filter.snapshot);
}

void EntitiesView::clearSelection()
{
    const QScopedValueRollback guard(m_settingSelection, true);
    m_table->clearSelection();
}

void EntitiesView::onSelectionChanged()
{
    if (m_settingSelection)
        return;
    std::vector<std::uint32_t> ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        ids.push_back(index.data(EntitiesModel::SourceIpIdRole).toUInt());
    std::sort(ids.begin(), ids.end());
    Q_EMIT sourcesSelected(ids);
}

void EntitiesView::updateTitle(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.aggregates) {
        m_title->setText(tr("Source IPs"));
        return;
    }
    const QString count = formatCount(snapshot.aggregates->entities.entities.size());
    m_title->setText(
        m_model->hasPeriod()
            ? tr("%1 of %2 source IPs active in the Timeline's period, with the period's figures (countries and ports: "
                 "the whole file)")
                  .arg(formatCount(static_cast<std::uint64_t>(m_proxy->rowCount())), count)
            : tr("%1 source IPs; select one or more to show only their rows in the other views").arg(count));
}

} // namespace webthreat

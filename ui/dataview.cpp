#include "ui/dataview.h"

#include "ui/datacolumnlayout.h"
#include "ui/displayformat.h"
#include "ui/viewwidgets.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace webthreat {

DataView::DataView(QWidget* parent)
    : QWidget(parent)
    , m_model(new TrafficTableModel(this))
    , m_proxy(new TrafficProxyModel(this))
{
    setObjectName(QStringLiteral("dataTab"));
    m_model->setObjectName(QStringLiteral("trafficModel"));
    m_proxy->setObjectName(QStringLiteral("trafficProxy"));
    m_proxy->setSourceModel(m_model);

    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter rows (%1): IP, country, port, protocol, date...")
                                         .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText)));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Shows the rows containing this text (case-insensitive) in the chosen column. "
                                "Numbers (ports, bytes, response codes) match whole: 443 finds port 443, not "
                                "1443 or 14430 bytes. Computed columns (features, score) are not searched: sort "
                                "by them instead; \"Suspicious only\" shows the detector's rows."));
    m_filterColumn = new QComboBox(this);
    m_filterColumn->setObjectName(QStringLiteral("filterColumn"));
    m_filterColumn->setToolTip(tr("The column the filter searches"));
    m_filterColumn->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_suspiciousOnly = new QCheckBox(tr("Suspicious &only"), this);
    m_suspiciousOnly->setObjectName(QStringLiteral("suspiciousOnly"));
    m_suspiciousOnly->setToolTip(tr("Show only the rows the detector labels Suspicious at the current contamination"));
    m_triageFilter = new QComboBox(this);
    m_triageFilter->setObjectName(QStringLiteral("triageFilter"));
    m_triageFilter->setToolTip(tr("Your verdicts: show every row, only the suspicious rows you have not reviewed yet, "
                                  "or the rows with one verdict"));
    m_triageFilter->addItem(tr("Any verdict"), static_cast<int>(TrafficProxyModel::MarkFilter::Any));
    m_triageFilter->addItem(tr("Unreviewed suspicious"),
                            static_cast<int>(TrafficProxyModel::MarkFilter::UnreviewedSuspicious));
    m_triageFilter->addItem(tr("Malicious only"), static_cast<int>(TrafficProxyModel::MarkFilter::Malicious));
    m_triageFilter->addItem(tr("Needs review only"), static_cast<int>(TrafficProxyModel::MarkFilter::NeedsReview));
    m_triageFilter->addItem(tr("Benign only"), static_cast<int>(TrafficProxyModel::MarkFilter::Benign));
    m_triageFilter->addItem(tr("Any marked"), static_cast<int>(TrafficProxyModel::MarkFilter::Marked));
    m_triageFilter->addItem(tr("On a threat list"), static_cast<int>(TrafficProxyModel::MarkFilter::OnThreatList));
    m_triageFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_rowsShown = new QLabel(this);
    m_rowsShown->setObjectName(QStringLiteral("rowsShown"));
    bar->addWidget(m_filterEdit, 1);
    bar->addWidget(new QLabel(tr("in"), this));
    bar->addWidget(m_filterColumn);
    bar->addWidget(m_suspiciousOnly);
    bar->addWidget(m_triageFilter);
    bar->addStretch();
    bar->addWidget(m_rowsShown);
    layout->addLayout(bar);

    m_table = makeTableView(this, QStringLiteral("dataView"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->verticalHeader()->setToolTip(tr("Line in the file"));
    m_columns = new DataColumnLayout(m_table, m_model, this);
    layout->addWidget(m_table, 1);

    // Typing is coalesced: a million-row filter runs once the analyst pauses, not per key.
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);
    connect(m_filterTimer, &QTimer::timeout, this, &DataView::applyFilter);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterEdit, &QLineEdit::returnPressed, this, &DataView::applyFilter);
    connect(m_filterColumn, &QComboBox::currentIndexChanged, this, &DataView::applyFilter);
    // A filter or a sort over a large table runs in the background: the count follows its end.
    connect(m_proxy, &TrafficProxyModel::searchingChanged, this, &DataView::countsChanged);
    connect(m_proxy, &TrafficProxyModel::sortingChanged, this, &DataView::countsChanged);
    connect(m_suspiciousOnly, &QCheckBox::toggled, this, [this](bool checked) {
        m_proxy->setSuspiciousOnly(checked);
        Q_EMIT countsChanged();
    });
    connect(m_triageFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setMarkFilter(static_cast<TrafficProxyModel::MarkFilter>(m_triageFilter->currentData().toInt()));
        Q_EMIT countsChanged();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid())
                    return;
                const QModelIndex source = m_proxy->mapToSource(current);
                if (source.isValid())
                    Q_EMIT rowSelected(static_cast<std::size_t>(source.row()));
            });
}

DataView::~DataView() = default;

void DataView::setSnapshot(const ViewUpdate& update, int part)
{
    if (part == ColumnsPart) {
        // After a load only: a refit keeps the widths the analyst may have set.
        if (update.afterLoad)
            m_columns->fitWidths();
        return;
    }
    if (update.dropViewFilter() && m_proxy->hasRowMask())
        m_proxy->setRowMask(nullptr);
    m_columns->beginReset();
    m_model->setSnapshot(update.snapshot);
    m_columns->apply();
    updateFilterColumns();
    const int sortColumn = m_proxy->sortColumn();
    if (sortColumn >= 0 && sortColumn < m_model->columnCount())
        m_proxy->sort(sortColumn, m_proxy->sortOrder());
    Q_EMIT countsChanged();
}

void DataView::updateVerdicts(const ViewUpdate& update, int part)
{
    if (part != RowsPart)
        return;
    m_model->updateVerdicts(update.snapshot);
    m_proxy->verdictsChanged();
    Q_EMIT countsChanged();
}

void DataView::updateTriage(const ViewUpdate& update)
{
    if (update.snapshot.data != m_model->snapshot().data)
        return; // the rows part brings the new data's marks with it
    m_model->updateTriage(update.snapshot.triage);
    m_proxy->triageChanged();
    Q_EMIT countsChanged();
}

void DataView::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_model->snapshot().data)
        return; // the rows part brings the new data's matches with it
    m_columns->beginReset();
    const bool reset = m_model->updateThreatLists(update.snapshot);
    m_columns->apply();
    if (reset) {
        updateFilterColumns();
        const int sortColumn = m_proxy->sortColumn();
        if (sortColumn >= 0 && sortColumn < m_model->columnCount())
            m_proxy->sort(sortColumn, m_proxy->sortOrder());
    }
    m_proxy->threatListsChanged();
    Q_EMIT countsChanged();
}

std::vector<std::size_t> DataView::selectedRows() const
{
    std::vector<std::size_t> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex& index : selected) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (source.isValid())
            rows.push_back(static_cast<std::size_t>(source.row()));
    }
    if (rows.empty()) {
        const QModelIndex source = m_proxy->mapToSource(m_table->currentIndex());
        if (source.isValid())
            rows.push_back(static_cast<std::size_t>(source.row()));
    }
    return rows;
}

void DataView::setSelectionRows(const SelectionRows& filter)
{
    m_proxy->setRowMask(filter.rows);
}

void DataView::showRowCounts(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.hasData()) {
        m_rowsShown->clear();
        return;
    }
    const std::size_t rows = snapshot.data->table.rowCount();
    if (m_proxy->isSearching())
        m_rowsShown->setText(tr("Searching %1 rows...").arg(formatCount(rows)));
    else if (m_proxy->isSorting())
        m_rowsShown->setText(tr("Sorting %1 rows...").arg(formatCount(rows)));
    else
        m_rowsShown->setText(tr("%1 of %2 rows shown")
                                 .arg(formatCount(static_cast<std::uint64_t>(m_proxy->rowCount())), formatCount(rows)));
}

std::size_t DataView::shownRowCount() const
{
    return static_cast<std::size_t>(m_proxy->rowCount());
}

bool DataView::hasOwnFilter() const
{
    return !m_filterEdit->text().trimmed().isEmpty() || m_suspiciousOnly->isChecked()
        || m_triageFilter->currentIndex() > 0;
}

bool DataView::selectRow(std::size_t row, bool reveal)
{
    QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(static_cast<int>(row), 0));
    if (!proxyIndex.isValid() && reveal) {
        // Filtered out: clear the filter so the row the analyst asked for can be shown.
        m_filterEdit->clear();
        m_suspiciousOnly->setChecked(false);
        m_triageFilter->setCurrentIndex(0);
        applyFilter();
        proxyIndex = m_proxy->mapFromSource(m_model->index(static_cast<int>(row), 0));
    }
    if (!proxyIndex.isValid())
        return false;
    m_table->selectionModel()->setCurrentIndex(proxyIndex,
                                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(proxyIndex, QAbstractItemView::PositionAtCenter);
    return true;
}

void DataView::focusFilter()
{
    m_filterEdit->setFocus(Qt::ShortcutFocusReason);
    m_filterEdit->selectAll();
}

void DataView::applyFilter()
{
    m_filterTimer->stop();
    m_proxy->setFilter(m_filterEdit->text(), m_filterColumn->currentData().toString());
    Q_EMIT countsChanged();
}

void DataView::updateFilterColumns()
{
    const QSignalBlocker block(m_filterColumn);
    const QString previous = m_filterColumn->currentData().toString();
    m_filterColumn->clear();
    m_filterColumn->addItem(tr("all columns"), QString());
    for (int column = 0; column < m_model->columnCount(); ++column) {
        const auto source = m_model->columnSource(column);
        if (source == TrafficTableModel::ColumnSource::Table || source == TrafficTableModel::ColumnSource::Label)
            m_filterColumn->addItem(m_model->columnName(column), m_model->columnName(column));
    }
    const int index = m_filterColumn->findData(previous);
    m_filterColumn->setCurrentIndex(index >= 0 ? index : 0);
}

} // namespace webthreat

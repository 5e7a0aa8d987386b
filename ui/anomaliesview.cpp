#include "ui/anomaliesview.h"

#include "core/analysis/findings.h"
#include "core/pipeline.h"

#include "ui/charts/anomalyscatter.h"
#include "ui/displayformat.h"
#include "ui/findingsmodel.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/viewwidgets.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace webthreat {

AnomaliesView::AnomaliesView(QWidget* parent)
    : QWidget(parent)
    , m_suspiciousModel(new SuspiciousRowsModel(this))
{
    setObjectName(QStringLiteral("anomaliesTab"));
    m_suspiciousModel->setObjectName(QStringLiteral("suspiciousModel"));
    const std::array categories{FindingsModel::Category::SourceIps, FindingsModel::Category::Countries,
                                FindingsModel::Category::DestinationPorts, FindingsModel::Category::Protocols};
    for (std::size_t i = 0; i < categories.size(); ++i) {
        m_findingsModels[i] = new FindingsModel(categories[i], this);
        m_findingsModels[i]->setObjectName(QStringLiteral("findingsModel%1").arg(i));
    }

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("anomaliesSplitter"));
    layout->addWidget(splitter);
    m_scatter = new AnomalyScatter(splitter);
    m_scatter->setObjectName(QStringLiteral("anomalyScatter"));
    connect(m_scatter, &AnomalyScatter::rowClicked, this, &AnomaliesView::scatterRowClicked);

    auto* right = new QSplitter(Qt::Vertical, splitter);
    right->setObjectName(QStringLiteral("anomaliesRightSplitter"));

    auto* suspiciousBox = new QWidget(right);
    auto* suspiciousLayout = new QVBoxLayout(suspiciousBox);
    suspiciousLayout->setContentsMargins(0, 0, 0, 0);
    m_suspiciousTitle = titleLabel(tr("Suspicious rows, most anomalous first"), suspiciousBox);
    suspiciousLayout->addWidget(m_suspiciousTitle);
    m_suspiciousTable = makeTableView(suspiciousBox, QStringLiteral("suspiciousView"));
    m_suspiciousTable->setModel(m_suspiciousModel);
    m_suspiciousTable->verticalHeader()->hide();
    // Several rows at once: the analyst marks a run of them with one key.
    m_suspiciousTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_suspiciousTable->setToolTip(tr("Double-click a row to show it in the Data tab"));
    connect(m_suspiciousTable, &QTableView::activated, this, [this](const QModelIndex& index) {
        if (index.isValid())
            Q_EMIT suspiciousRowActivated(m_suspiciousModel->tableRow(index.row()));
    });
    connect(m_suspiciousTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    Q_EMIT suspiciousRowSelected(m_suspiciousModel->tableRow(current.row()));
            });
    suspiciousLayout->addWidget(m_suspiciousTable);

    auto* findingsBox = new QWidget(right);
    auto* findingsLayout = new QVBoxLayout(findingsBox);
    findingsLayout->setContentsMargins(0, 0, 0, 0);
    m_findingsTitle = titleLabel(tr("What the suspicious rows have in common"), findingsBox);
    findingsLayout->addWidget(m_findingsTitle);
    // One tab per list: each table gets the full width, so values, counts and bytes all fit.
    m_findingsTabs = new QTabWidget(findingsBox);
    m_findingsTabs->setObjectName(QStringLiteral("findingsTabs"));
    m_findingsTabs->setDocumentMode(true);
    for (std::size_t i = 0; i < m_findingsModels.size(); ++i) {
        QTableView* view = makeTableView(m_findingsTabs, QStringLiteral("findingsView%1").arg(i));
        view->setModel(m_findingsModels[i]);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        m_findingsTables[i] = view;
        m_findingsTabs->addTab(view, m_findingsModels[i]->categoryTitle());
    }
    findingsLayout->addWidget(m_findingsTabs, 1);

    right->addWidget(suspiciousBox);
    right->addWidget(findingsBox);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    splitter->addWidget(m_scatter);
    splitter->addWidget(right);
    // The tables' size hints are wide; without explicit sizes the scatter would get a sliver.
    // Wide enough for the legend's three entries (Normal, Suspicious, Threat list) uncut in a
    // 1280-pixel window with the docks open.
    splitter->setSizes({600, 640});
    right->setSizes({400, 300});
    m_splitters << splitter << right;
}

AnomaliesView::~AnomaliesView() = default;

void AnomaliesView::setSnapshot(const ViewUpdate& update, int part)
{
    if (part == ListsPart) {
        showLists(update.snapshot, true, update.dropViewFilter());
        return;
    }
    if (update.dropViewFilter())
        m_scatter->setRowMask(nullptr);
    m_scatter->setSnapshot(update.snapshot);
}

void AnomaliesView::updateVerdicts(const ViewUpdate& update, int part)
{
    if (part == ListsPart)
        showLists(update.snapshot, false, update.dropViewFilter());
    else
        m_scatter->updateVerdicts(update.snapshot);
}

void AnomaliesView::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_shown.data)
        return;
    m_suspiciousModel->updateThreatLists(update.snapshot);
    m_shown.threatMatches = update.snapshot.threatMatches;
    m_shown.threatFindings = update.snapshot.threatFindings;
    m_suspiciousTable->resizeColumnToContents(SuspiciousRowsModel::ThreatLists);
    m_scatter->updateThreatLists(update.snapshot);
}

void AnomaliesView::updateTriage(const ViewUpdate& update)
{
    if (update.snapshot.data != m_shown.data)
        return; // the lists and scatter bring the new data's marks when their parts come
    m_suspiciousModel->updateTriage(update.snapshot.triage);
    m_shown.triage = update.snapshot.triage;
    // The column was fitted while it was empty: widen it to the verdicts now shown.
    const int width = m_suspiciousTable->columnWidth(SuspiciousRowsModel::Verdict);
    m_suspiciousTable->resizeColumnToContents(SuspiciousRowsModel::Verdict);
    if (m_suspiciousTable->columnWidth(SuspiciousRowsModel::Verdict) < width)
        m_suspiciousTable->setColumnWidth(SuspiciousRowsModel::Verdict, width);
    m_scatter->updateTriage(update.snapshot.triage);
}

std::vector<std::size_t> AnomaliesView::selectedRows() const
{
    std::vector<std::size_t> rows;
    const QModelIndexList selected = m_suspiciousTable->selectionModel()->selectedRows();
    for (const QModelIndex& index : selected)
        rows.push_back(m_suspiciousModel->tableRow(index.row()));
    const QModelIndex current = m_suspiciousTable->currentIndex();
    if (rows.empty() && current.isValid())
        rows.push_back(m_suspiciousModel->tableRow(current.row()));
    return rows;
}

void AnomaliesView::showLists(const AnalysisSnapshot& snapshot, bool rebuild, bool dropViewFilter)
{
    if (dropViewFilter) {
        m_suspiciousModel->setRowMask(nullptr);
        m_rowMask = nullptr;
    }
    m_suspiciousModel->setSnapshot(snapshot);
    m_shown = snapshot;
    showFindings();
    if (rebuild) {
        fitColumns(m_suspiciousTable);
        for (QTableView* view : m_findingsTables)
            fitColumns(view);
    }
    Q_EMIT countsChanged();
}

void AnomaliesView::setSelectionRows(const SelectionRows& filter)
{
    m_suspiciousModel->setRowMask(filter.rows);
    m_scatter->setRowMask(filter.rows);
    m_rowMask = filter.rows;
    m_shown = filter.snapshot;
    showFindings();
    Q_EMIT countsChanged();
}

void AnomaliesView::showFindings()
{
    // What the suspicious rows have in common, among the selected sources and period only: one
    // pass over the rows per list (a few milliseconds at a million).
    std::shared_ptr<const Findings> findings = m_shown.findings;
    if (m_rowMask && findings && m_shown.hasDetection() && m_rowMask->size() == m_shown.data->table.rowCount())
        findings = std::make_shared<const Findings>(computeFindings(
            m_shown.data->table, m_shown.detection->scores, *m_shown.verdicts, AnalysisParams{}.topN, m_rowMask.get()));
    for (FindingsModel* model : m_findingsModels)
        model->setFindings(findings);
    m_findingsTitle->setText(findings != m_shown.findings ? tr("What the suspicious rows have in common (filtered)")
                                                          : tr("What the suspicious rows have in common"));
}

QList<ChartView*> AnomaliesView::chartViews() const
{
    if (ChartView* view = m_scatter->chartView())
        return {view};
    return {};
}

void AnomaliesView::showSuspiciousCount(const AnalysisSnapshot& snapshot)
{
    if (!snapshot.hasDetection()) {
        m_suspiciousTitle->setText(tr("Suspicious rows, most anomalous first"));
        return;
    }
    const std::size_t suspicious = snapshot.verdicts->suspiciousCount;
    const auto listed = static_cast<std::size_t>(m_suspiciousModel->rowCount());
    if (listed != suspicious) // the Entities or Timeline selection narrows the list
        m_suspiciousTitle->setText(tr("%1 of %2 suspicious rows (filtered), most anomalous first")
                                       .arg(formatCount(listed), formatCount(suspicious)));
    else
        m_suspiciousTitle->setText(tr("%1 suspicious rows, most anomalous first").arg(formatCount(suspicious)));
}

void AnomaliesView::showSelectedRow(std::size_t row)
{
    m_scatter->setSelectedRow(row);
}

void AnomaliesView::selectSuspicious(std::size_t row)
{
    const int position = m_suspiciousModel->positionOf(row);
    if (position >= 0) {
        const QModelIndex index = m_suspiciousModel->index(position, 0);
        m_suspiciousTable->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_suspiciousTable->scrollTo(index, QAbstractItemView::PositionAtCenter);
    } else {
        m_suspiciousTable->clearSelection();
    }
}

} // namespace webthreat

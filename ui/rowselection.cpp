#include "ui/rowselection.h"

#include "ui/anomaliesview.h"
#include "ui/dataview.h"
#include "ui/detailpanel.h"
#include "ui/resultpresenter.h"
#include "ui/trustview.h"

#include <QTabWidget>

namespace webthreat {

RowSelection::RowSelection(const ResultPresenter* presenter, QTabWidget* tabs, DataView* data, AnomaliesView* anomalies,
                           TrustView* trust, DetailPanel* detail, QObject* parent)
    : QObject(parent)
    , m_presenter(presenter)
    , m_tabs(tabs)
    , m_data(data)
    , m_anomalies(anomalies)
    , m_detail(detail)
{
    connect(m_anomalies, &AnomaliesView::scatterRowClicked, this, &RowSelection::onScatterRowClicked);
    connect(m_data, &DataView::rowSelected, this, &RowSelection::showPicked);
    connect(m_anomalies, &AnomaliesView::suspiciousRowSelected, this, &RowSelection::showPicked);
    connect(m_anomalies, &AnomaliesView::scatterRowClicked, this, [this](qsizetype row) {
        if (row >= 0)
            showPicked(static_cast<std::size_t>(row));
    });
    connect(trust, &TrustView::rowSelected, this, [this](qulonglong row) { selectRow(static_cast<std::size_t>(row)); });
    connect(m_anomalies, &AnomaliesView::suspiciousRowActivated, this, [this](std::size_t row) {
        if (m_presenter->showsCurrentRows(m_anomalies, AnomaliesView::ListsPart))
            selectTableRow(row, true);
    });
}

RowSelection::~RowSelection() = default;

void RowSelection::selectRow(std::size_t row)
{
    // row indexes the current table: the Data tab and the Row details must be showing it.
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (!shown.hasData() || row >= shown.data->table.rowCount()
        || !m_presenter->showsCurrentRows(m_data, DataView::RowsPart) || !m_presenter->showsCurrentRows(m_detail))
        return;
    selectTableRow(row, false);
    showPicked(row);
}

void RowSelection::showPicked(std::size_t row)
{
    m_detail->showRow(row);
    // The scatter rings the row only when it shows the current rows (else the index means
    // another table's row).
    if (m_presenter->showsCurrentRows(m_anomalies, AnomaliesView::ScatterPart))
        m_anomalies->showSelectedRow(row);
}

void RowSelection::onScatterRowClicked(qsizetype row)
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (!shown.hasData() || row < 0 || static_cast<std::size_t>(row) >= shown.data->table.rowCount()
        || !m_presenter->showsCurrentRows(m_anomalies, AnomaliesView::ScatterPart)
        || !m_presenter->showsCurrentRows(m_anomalies, AnomaliesView::ListsPart))
        return;
    m_anomalies->selectSuspicious(static_cast<std::size_t>(row));
    selectTableRow(static_cast<std::size_t>(row), false);
    Q_EMIT message(tr("Row from line %1 selected").arg(shown.data->table.sourceLines[static_cast<std::size_t>(row)]));
}

void RowSelection::selectTableRow(std::size_t row, bool switchToData)
{
    if (!m_presenter->showsCurrentRows(m_data, DataView::RowsPart) || !m_data->selectRow(row, switchToData))
        return;
    if (switchToData)
        m_tabs->setCurrentWidget(m_data);
}

} // namespace webthreat

#pragma once

#include <QObject>

#include <cstddef>

class QTabWidget;

namespace webthreat {

class AnomaliesView;
class DataView;
class DetailPanel;
class ResultPresenter;
class TrustView;

// Picking a row anywhere shows it everywhere: the Data tab's current row, a suspicious row, a
// point of the scatter or a changed verdict on the Trust tab selects it in the Data tab,
// explains it in Row details and rings it on the scatter. A view that still shows the previous
// data names a row of that data, so its picks are ignored until the presenter has brought it to
// the current data.
class RowSelection : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RowSelection)

public:
    RowSelection(const ResultPresenter* presenter, QTabWidget* tabs, DataView* data, AnomaliesView* anomalies,
                 TrustView* trust, DetailPanel* detail, QObject* parent = nullptr);
    ~RowSelection() override;

    // Selects row (an index into the current table) in the Data tab and explains it.
    void selectRow(std::size_t row);

Q_SIGNALS:
    // A status line for the row picked on the scatter.
    void message(const QString& text);

private:
    void onScatterRowClicked(qsizetype row);
    // A row was picked in a view: explained in Row details and ringed on the scatter.
    void showPicked(std::size_t row);
    void selectTableRow(std::size_t row, bool switchToData);

    const ResultPresenter* m_presenter = nullptr;
    QTabWidget* m_tabs = nullptr;
    DataView* m_data = nullptr;
    AnomaliesView* m_anomalies = nullptr;
    DetailPanel* m_detail = nullptr;
};

} // namespace webthreat

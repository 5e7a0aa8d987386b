#pragma once

#include "ui/analysisview.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QTableView;
class QTextBrowser;

namespace webthreat {

class SummaryModel;

// The Summary tab: the file's headline, one row per column (what pandas' describe() would say),
// and the reading and cleaning report.
class SummaryView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SummaryView)

public:
    explicit SummaryView(QWidget* parent = nullptr);
    ~SummaryView() override;

    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;

    QSplitter* splitter() const { return m_splitter; }

private:
    void showReport(const ViewUpdate& update);

    QLabel* m_header = nullptr;
    QSplitter* m_splitter = nullptr;
    QTableView* m_table = nullptr;
    QTextBrowser* m_report = nullptr;
    SummaryModel* m_model = nullptr;
};

} // namespace webthreat

#pragma once

#include <QObject>

class QTabWidget;

namespace webthreat {

class BeaconsView;
class ResultPresenter;
class ViewFilterController;

// The Beacons tab's wiring, apart from the window's frame: it makes the view, puts it among the
// tabs at tabIndex, has the presenter bring it to each result, and turns a picked pair into the
// view filter (the bar above the tabs shows it and clears it).
class BeaconsWorkflow : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BeaconsWorkflow)

public:
    BeaconsWorkflow(QTabWidget* tabs, int tabIndex, ResultPresenter* presenter, ViewFilterController* filter,
                    QObject* parent = nullptr);
    ~BeaconsWorkflow() override;

    BeaconsView* view() const { return m_view; }

private:
    BeaconsView* m_view = nullptr;
};

} // namespace webthreat

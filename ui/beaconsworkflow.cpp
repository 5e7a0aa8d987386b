#include "ui/beaconsworkflow.h"

#include "ui/beaconsview.h"
#include "ui/resultpresenter.h"
#include "ui/viewfiltercontroller.h"

#include <QTabWidget>

namespace webthreat {

BeaconsWorkflow::BeaconsWorkflow(QTabWidget* tabs, int tabIndex, ResultPresenter* presenter,
                                 ViewFilterController* filter, QObject* parent)
    : QObject(parent)
    , m_view(new BeaconsView(tabs))
{
    setObjectName(QStringLiteral("beaconsWorkflow"));
    tabs->insertTab(tabIndex, m_view, tr("&Beacons"));
    presenter->addView(m_view, tabIndex);
    connect(m_view, &BeaconsView::pairSelected, filter, [presenter, filter, this](const PairFilter& pair) {
        // The ids come from the view's model: they must be the current data's.
        if (presenter->snapshot().hasData() && presenter->showsCurrentRows(m_view))
            filter->setPair(pair);
    });
}

BeaconsWorkflow::~BeaconsWorkflow() = default;

} // namespace webthreat

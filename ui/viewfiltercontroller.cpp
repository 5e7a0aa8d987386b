#include "ui/viewfiltercontroller.h"

#include "core/analysis/entities.h"
#include "core/analysis/timeline.h"
#include "ui/beaconsmodel.h"
#include "ui/displayformat.h"
#include "ui/resultpresenter.h"

#include <utility>

namespace webthreat {

namespace {

using RowMask = std::shared_ptr<const std::vector<std::uint8_t>>;

RowMask makeMask(std::vector<std::uint8_t> rows)
{
    return std::make_shared<const std::vector<std::uint8_t>>(std::move(rows));
}

} // namespace

ViewFilterController::ViewFilterController(const ResultPresenter* presenter, QObject* parent)
    : QObject(parent)
    , m_presenter(presenter)
{
}

ViewFilterController::~ViewFilterController() = default;

void ViewFilterController::setFilter(const ViewFilter& filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    m_filterData = m_presenter->snapshot().data.get();
    apply();
}

void ViewFilterController::setSources(std::vector<std::uint32_t> ids)
{
    ViewFilter filter = m_filter;
    filter.sourceIps = std::move(ids);
    setFilter(filter);
}

void ViewFilterController::setPeriod(qint64 fromMicros, qint64 toMicros)
{
    ViewFilter filter = m_filter;
    filter.from = fromMicros;
    filter.to = toMicros;
    setFilter(filter);
}

void ViewFilterController::setPair(const PairFilter& pair)
{
    ViewFilter filter = m_filter;
    filter.pair = pair;
    setFilter(filter);
}

void ViewFilterController::clear()
{
    m_filter = {};
    apply();
}

void ViewFilterController::forgetIfDataChanged()
{
    if (m_presenter->snapshot().data.get() == m_filterData)
        return;
    m_filter = {};
    m_filterData = m_presenter->snapshot().data.get();
}

void ViewFilterController::apply()
{
    const AnalysisSnapshot& snapshot = m_presenter->snapshot();
    SelectionRows rows{snapshot, m_filter, {}, {}, {}, {}};
    // The Entities view lists the sources active in the period, with the period's figures.
    if (m_filter.hasPeriod() && snapshot.hasData() && snapshot.aggregates)
        rows.periodRows = makeMask(rowsInTimeRange(snapshot.data->table, *m_filter.from, *m_filter.to));
    // One pass over the rows (a few milliseconds at a million), then the proxies refilter as they
    // do for the text filter.
    if (m_filter.isActive() && snapshot.hasData())
        rows.rows = makeMask(filterRows(snapshot.data->table, m_filter));
    // The timeline shows the whole span with the selected sources' sessions over it (the period
    // is its own shading), so it gets the sources' rows only.
    if ((m_filter.hasSources() || m_filter.hasPair()) && snapshot.hasData()) {
        ViewFilter who = m_filter;
        who.from.reset();
        who.to.reset();
        rows.sourceRows = m_filter.hasPeriod() ? makeMask(filterRows(snapshot.data->table, who)) : rows.rows;
        rows.sourcesName = m_filter.hasPair()
            ? tr("Sessions of %1").arg(pairName(*snapshot.data->table.strings, *m_filter.pair))
            : m_filter.sourceIps.size() == 1
            ? tr("Sessions from %1").arg(fromUtf8View(snapshot.data->table.strings->view(m_filter.sourceIps.front())))
            : tr("Sessions from the %1 selected sources").arg(m_filter.sourceIps.size());
    }
    for (AnalysisView* view : m_presenter->views())
        view->setSelectionRows(rows);
    Q_EMIT changed();
}

} // namespace webthreat

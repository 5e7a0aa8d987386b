#pragma once

#include "core/analysis/viewfilter.h"

#include <QObject>

#include <cstdint>
#include <vector>

namespace webthreat {

class ResultPresenter;
struct PreparedData;

// Who and when: the sources selected on the Entities tab and the period dragged on the Timeline,
// combined with AND, narrow the rows the other views show. Holds the filter for the data it was
// set on and hands each view of the presenter its rows.
class ViewFilterController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewFilterController)

public:
    explicit ViewFilterController(const ResultPresenter* presenter, QObject* parent = nullptr);
    ~ViewFilterController() override;

    const ViewFilter& filter() const { return m_filter; }
    // Applies filter to the presenter's current data (nothing when it is the filter already).
    void setFilter(const ViewFilter& filter);
    void setSources(std::vector<std::uint32_t> ids);
    void setPeriod(qint64 fromMicros, qint64 toMicros);
    // A connection pair from the Beacons tab (string ids of the presenter's data).
    void setPair(const PairFilter& pair);
    void clear();
    // New data: the selected sources' ids belonged to the old file, so the filter is dropped
    // (each view drops its part when the presenter shows it the new data).
    void forgetIfDataChanged();

Q_SIGNALS:
    // The views show the new filter's rows.
    void changed();

private:
    void apply();

    const ResultPresenter* m_presenter = nullptr;
    ViewFilter m_filter;
    const PreparedData* m_filterData = nullptr; // the data m_filter's ids belong to
};

} // namespace webthreat

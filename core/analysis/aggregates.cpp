#include "core/analysis/aggregates.h"

namespace webthreat {

std::shared_ptr<const TrafficAggregates> aggregateTraffic(const TrafficTable& table, const Progress& progress)
{
    auto aggregates = std::make_shared<TrafficAggregates>();
    aggregates->entities = aggregateEntities(table, progress);
    aggregates->timeline = buildTimeline(table, progress);
    return aggregates;
}

std::shared_ptr<const VerdictAggregates> assessAggregates(const TrafficAggregates& aggregates,
                                                          const TrafficTable& table, const Verdicts& verdicts,
                                                          const std::vector<double>& scores)
{
    auto perThreshold = std::make_shared<VerdictAggregates>();
    perThreshold->entities = assessEntities(aggregates.entities, verdicts, scores);
    perThreshold->timelineSuspicious = timelineSuspicious(aggregates.timeline, table, verdicts);
    return perThreshold;
}

} // namespace webthreat

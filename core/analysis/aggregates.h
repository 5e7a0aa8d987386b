#pragma once

#include "core/analysis/entities.h"
#include "core/analysis/timeline.h"
#include "core/detect/threshold.h"
#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace webthreat {

// Who and when, computed once per load: the Entities and Timeline views' data.
struct TrafficAggregates {
    EntityTable entities;
    Timeline timeline;
};

// Their detector part, recomputed per threshold (one pass over the rows) with the verdicts.
struct VerdictAggregates {
    EntityVerdicts entities;
    std::vector<std::uint64_t> timelineSuspicious; // per timeline bucket
};

// The entities and timeline of table (a pass or two over the rows). Stages "entities", "timeline".
std::shared_ptr<const TrafficAggregates> aggregateTraffic(const TrafficTable& table, const Progress& progress = {});

// The per-threshold part of aggregates for verdicts over table's rows (scores: one per row).
std::shared_ptr<const VerdictAggregates> assessAggregates(const TrafficAggregates& aggregates,
                                                          const TrafficTable& table, const Verdicts& verdicts,
                                                          const std::vector<double>& scores);

} // namespace webthreat

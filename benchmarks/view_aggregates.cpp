// What the Entities and Timeline views and the new detector features cost at scale: generates N
// rows (core's generator, seed 1), prepares them as the workbench does, then times each step the
// worker runs (median of several runs). Prints figures; never passes or fails on them.
//
//   view_aggregates [--rows N] [--runs K]

#include "core/io/csvreader.h"
#include "core/analysis/entities.h"
#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/analysis/timeline.h"
#include "core/analysis/viewfilter.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

double medianMs(int runs, const std::function<void()>& body)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        body();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t rows = 1000000;
    int runs = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--rows")
            rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (option == "--runs")
            runs = std::atoi(argv[i + 1]);
    }
    GeneratorParams generator;
    generator.rows = rows;
    generator.seed = 1;
    std::ostringstream text;
    generateTraffic(text, generator);
    auto data = prepareTable(readTrafficCsvText(text.str(), "generated.csv"));
    const TrafficTable& table = data->table;
    auto detection = detect(*data, DetectorParams());
    const Verdicts verdicts = applyThreshold(detection->scores, Contamination::fromValue(0.05));

    std::printf("%zu rows (%zu after cleaning), median of %d runs, 1 thread\n\n", rows, table.rowCount(), runs);
    std::printf("| step | ms |\n|---|---|\n");
    EntityTable entities;
    std::printf("| aggregateEntities (per load) | %.1f |\n",
                medianMs(runs, [&] { entities = aggregateEntities(table); }));
    std::printf("| distinct sources | %zu |\n", entities.entities.size());
    Timeline timeline;
    std::printf("| buildTimeline (per load) | %.1f |\n", medianMs(runs, [&] { timeline = buildTimeline(table); }));
    std::printf("| timeline buckets | %zu of %s |\n", timeline.bucketCount(), timeline.width.label.c_str());
    std::printf("| assessEntities (per slider move) | %.1f |\n", medianMs(runs, [&] {
                    const EntityVerdicts assessed = assessEntities(entities, verdicts, detection->scores.scores());
                    if (assessed.suspicious.empty() && !entities.entities.empty())
                        std::abort();
                }));
    std::printf("| timelineSuspicious (per slider move) | %.1f |\n", medianMs(runs, [&] {
                    if (timelineSuspicious(timeline, table, verdicts).size() != timeline.bucketCount())
                        std::abort();
                }));
    ViewFilter filter;
    filter.sourceIps = {entities.entities.front().srcIp};
    filter.from = timeline.first;
    filter.to = timeline.first + (timeline.last - timeline.first) / 2;
    std::printf("| filterRows, one source AND half the span (per selection) | %.1f |\n",
                medianMs(runs, [&] { filterRows(table, filter); }));
    for (Feature feature : {Feature::DstPortFrequency, Feature::ProtocolFrequency, Feature::ResponseCodeFrequency,
                            Feature::CountryFrequency, Feature::SrcIpPrivate, Feature::SourceSessions,
                            Feature::SourceTotalBytes, Feature::BytesOut}) {
        std::printf("| featureValues(%s) | %.1f |\n", std::string(featureInfo(feature).name).c_str(),
                    medianMs(runs, [&] { featureValues(table, data->features, feature); }));
    }
    return 0;
}

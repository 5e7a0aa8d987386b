// Issue 20: what the offline IP enrichment costs against `webthreat analyze`'s own time, at 1 M
// generated rows (benchdata.h's file, made once and kept). In the same run: analyzeFile as the
// command line runs it, without and with the location database, and the enrichment alone (every
// distinct src_ip and dst_ip looked up once) on 1 and 2 threads, then the ratio of the enrichment
// to analyze. Prints figures; never passes or fails on them.
//
//   bench_enrich [--rows N] [--runs K] [--cache-dir DIR] [--location-db FILE]

#include "benchmarks/benchdata.h"
#include "core/context/ipenricher.h"
#include "core/pipeline.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace webthreat;

namespace {
double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
} // namespace

int main(int argc, char** argv)
{
    std::size_t rows = 1000000;
    int runs = 3;
    std::string cacheDir = "bench-data";
    std::string database;
    for (int i = 1; i < argc; ++i) {
        std::string option = argv[i];
        std::string value;
        if (const auto equals = option.find('='); equals != std::string::npos) {
            value = option.substr(equals + 1);
            option.resize(equals);
        } else if (i + 1 < argc) {
            value = argv[++i];
        }
        if (option == "--rows")
            rows = std::strtoull(value.c_str(), nullptr, 10);
        else if (option == "--runs")
            runs = std::atoi(value.c_str());
        else if (option == "--cache-dir")
            cacheDir = value;
        else if (option == "--location-db")
            database = value;
    }
    std::string problem;
    const auto enricher = IpEnricher::tryOpen(database, problem);
    if (!enricher) {
        std::printf("%s: nothing to measure\n", problem.c_str());
        return 0;
    }
    const auto path = bench::generatedDataFile(cacheDir, rows).string();

    std::vector<double> plain, enriched, enrichInside;
    std::size_t cleanedRows = 0;
    std::shared_ptr<const PreparedData> data;
    for (int run = 0; run < runs; ++run) {
        AnalysisParams params; // as `webthreat analyze FILE`: default detector, all cores
        auto started = std::chrono::steady_clock::now();
        {
            const Analysis analysis = analyzeFile(path, params);
            plain.push_back(secondsSince(started));
            cleanedRows = analysis.data->table.rowCount();
        }
        params.clean.enricher = enricher; // as `webthreat analyze FILE --enrich`
        started = std::chrono::steady_clock::now();
        const Analysis analysis = analyzeFile(path, params);
        enriched.push_back(secondsSince(started));
        enrichInside.push_back(analysis.data->features.enrichment->seconds);
        data = analysis.data;
    }
    const Enrichment& enrichment = *data->features.enrichment;
    std::vector<double> oneThread, twoThreads;
    for (int run = 0; run < runs; ++run) {
        oneThread.push_back(enricher->enrich(data->table, 1)->seconds);
        twoThreads.push_back(enricher->enrich(data->table, 2)->seconds);
    }
    const double analyzeSeconds = bench::median(plain);
    const double enrichSeconds = bench::median(enrichInside);
    std::printf("%s rows (%s after cleaning), %s distinct addresses (%s in a known network, %zu AS names); "
                "median of %d runs; database %s\n\n",
                groupedCount(rows).c_str(), groupedCount(cleanedRows).c_str(),
                groupedCount(enrichment.distinctAddresses).c_str(), groupedCount(enrichment.knownAddresses).c_str(),
                enrichment.organisations.size() - 1, runs, enricher->path().c_str());
    std::vector<bench::TableRow> table;
    table.push_back({"analyze (read, clean, features, fit, score, findings)", bench::fixed(analyzeSeconds, 2) + " s", "",
                     ""});
    table.push_back({"analyze --enrich", bench::fixed(bench::median(enriched), 2) + " s", "", ""});
    table.push_back({"enrichment inside it (all cores)", bench::fixed(enrichSeconds * 1000.0, 0) + " ms",
                     "< 10 % of analyze",
                     bench::fixed(100.0 * enrichSeconds / analyzeSeconds, 1) + " % of analyze"});
    table.push_back({"enrichment alone, 1 thread", bench::fixed(bench::median(oneThread) * 1000.0, 0) + " ms", "",
                     bench::fixed(100.0 * bench::median(oneThread) / analyzeSeconds, 1) + " % of analyze"});
    table.push_back({"enrichment alone, 2 threads", bench::fixed(bench::median(twoThreads) * 1000.0, 0) + " ms", "",
                     bench::fixed(100.0 * bench::median(twoThreads) / analyzeSeconds, 1) + " % of analyze"});
    table.push_back({"per distinct address, 1 thread",
                     bench::fixed(1e6 * bench::median(oneThread) / static_cast<double>(enrichment.distinctAddresses), 2)
                         + " us",
                     "", ""});
    bench::printMarkdownTable({"step", "time", "target", "ratio"}, table);
    return 0;
}

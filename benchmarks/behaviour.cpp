// Issue 21: the behaviour aggregates on `webthreat generate --rows N --label` (seed 42, the
// command's defaults; the file is made once in the cache directory and kept). Prints
//  - the time of the pair pass (scoreBeacons) and of the window pass (aggregateFanOut) at 1 and 2
//    threads, median of several runs, after reading and cleaning;
//  - the ROC AUC of the beacon score for beacon pairs against ordinary pairs (every row normal)
//    with as many sessions, of the scan score for scanning sources against ordinary sources, of
//    the volume ratio for bursting sources;
//  - the default detector's per-row ROC AUC on each new kind against the normal rows, and that
//    of the per-row behaviour features.
// AUC is the Mann-Whitney count (ties half). Prints figures; never passes or fails on them.
//
//   behaviour [--rows N] [--runs K] [--cache-dir DIR]

#include "benchmarks/benchdata.h"
#include "core/behaviour/behaviour.h"
#include "core/pipeline.h"

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

// The chance that a random positive scores higher than a random negative, ties half.
double rocAuc(const std::vector<double>& positives, std::vector<double> negatives)
{
    if (positives.empty() || negatives.empty())
        return std::nan("");
    std::sort(negatives.begin(), negatives.end());
    double wins = 0;
    for (const double p : positives) {
        const auto below = std::lower_bound(negatives.begin(), negatives.end(), p) - negatives.begin();
        const auto notAbove = std::upper_bound(negatives.begin(), negatives.end(), p) - negatives.begin();
        wins += static_cast<double>(below) + 0.5 * static_cast<double>(notAbove - below);
    }
    return wins / (static_cast<double>(positives.size()) * static_cast<double>(negatives.size()));
}

double cpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Median wall and CPU time (all threads) of body, in ms. On a machine shared with other work the
// wall time overstates; the CPU time over the threads is what idle cores would take at best.
std::pair<double, double> medianMs(int runs, const std::function<void()>& body)
{
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = cpuMs();
        body();
        cpu.push_back(cpuMs() - cpuStart);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return {bench::median(wall), bench::median(cpu)};
}

// Each row's attack kind ("" for a normal row).
std::vector<std::string> kindsOf(const TrafficTable& table)
{
    std::vector<std::string> kinds(table.rowCount());
    const auto column = table.findColumn("attack_kind");
    if (!column)
        return kinds;
    for (std::size_t row = 0; row < kinds.size(); ++row)
        kinds[row] = std::string(table.strings->view(table.columns[*column].text[row]));
    return kinds;
}

// What kinds a group of rows holds: "" when all normal, the kind when all one kind, else the
// kinds joined by '+' ("+burst+odd_code": normal rows, burst rows and odd_code rows).
template <typename Rows>
std::string kindOfRows(const Rows& rows, const std::vector<std::string>& kinds)
{
    std::set<std::string> seen;
    for (const auto row : rows)
        seen.insert(kinds[row]);
    if (seen.size() == 1)
        return *seen.begin();
    std::string joined;
    for (const std::string& kind : seen)
        joined += (joined.empty() && kind.empty() ? "" : "+") + kind;
    return joined;
}

void printBeaconAuc(const BeaconResult& beacons, const std::vector<std::string>& kinds)
{
    std::vector<double> positives;
    std::vector<std::pair<std::size_t, double>> ordinary; // (sessions, score)
    std::size_t fewest = SIZE_MAX;
    std::size_t most = 0;
    for (const BeaconPair& pair : beacons.pairs) {
        const std::string kind = kindOfRows(beacons.rowsOf(pair), kinds);
        if (kind == "beacon") {
            positives.push_back(pair.score);
            fewest = std::min(fewest, pair.sessions);
            most = std::max(most, pair.sessions);
        } else if (kind.empty()) {
            ordinary.emplace_back(pair.sessions, pair.score);
        }
    }
    std::vector<double> all;
    std::vector<double> asMany;
    for (const auto& [sessions, score] : ordinary) {
        all.push_back(score);
        if (sessions >= fewest && sessions <= most)
            asMany.push_back(score);
    }
    std::printf("| beacon pairs: beacon score | %zu beacon pairs (%zu to %zu sessions) | %zu ordinary pairs of %zu+ sessions "
                "| %.4f |\n",
                positives.size(), fewest, most, all.size(), beacons.params.minSessions, rocAuc(positives, all));
    std::printf("| beacon pairs: beacon score | the same | %zu ordinary pairs of %zu to %zu sessions | %.4f |\n",
                asMany.size(), fewest, most, rocAuc(positives, asMany));
    std::size_t top = 0;
    while (top < beacons.pairs.size() && kindOfRows(beacons.rowsOf(beacons.pairs[top]), kinds) == "beacon")
        ++top;
    const double lowest = positives.empty() ? 0.0 : *std::min_element(positives.begin(), positives.end());
    const double highest = all.empty() ? 0.0 : *std::max_element(all.begin(), all.end());
    std::printf("| beacon pairs ranked first | %zu of %zu | lowest beacon score %.3f | highest ordinary %.3f |\n", top,
                positives.size(), lowest, highest);
}

void printSourceAuc(const FanOutResult& fanOut, const std::vector<std::string>& kinds)
{
    // A source's rows: its windows' rows.
    std::vector<std::vector<std::uint32_t>> rowsOfSource(fanOut.sources.size());
    for (std::size_t row = 0; row < fanOut.windowOfRow.size(); ++row)
        if (const SourceWindow window = fanOut.rowWindow(row); window.sessions > 0)
            rowsOfSource[window.source].push_back(static_cast<std::uint32_t>(row));
    for (const std::string target : {"scan", "burst"}) {
        std::vector<double> positives;
        std::vector<std::pair<std::size_t, double>> ordinary;
        std::size_t fewest = SIZE_MAX;
        for (std::size_t s = 0; s < fanOut.sources.size(); ++s) {
            const SourceActivity& source = fanOut.sources[s];
            const double score = target == "scan" ? source.scanScore : source.maxVolumeRatio;
            const std::string kind = kindOfRows(rowsOfSource[s], kinds);
            // A bursting source is an ordinary one with a burst: some of its rows are normal (and
            // a few may be odd_code, which keeps ordinary sources).
            if (kind == target || ("+" + kind + "+").find("+" + target + "+") != std::string::npos) {
                positives.push_back(score);
                fewest = std::min(fewest, source.sessions);
            } else if (kind.empty()) {
                ordinary.emplace_back(source.sessions, score);
            }
        }
        std::vector<double> all;
        std::vector<double> asMany;
        for (const auto& [sessions, score] : ordinary) {
            all.push_back(score);
            if (sessions >= fewest)
                asMany.push_back(score);
        }
        const char* what = target == "scan" ? "scanning sources: scan score" : "bursting sources: max volume ratio";
        std::printf("| %s | %zu sources | %zu ordinary sources | %.4f |\n", what, positives.size(), all.size(),
                    rocAuc(positives, all));
        std::printf("| %s | the same | %zu ordinary sources of %zu+ sessions | %.4f |\n", what, asMany.size(), fewest,
                    rocAuc(positives, asMany));
    }
}

void printRowAuc(const PreparedData& data, const BehaviourResult& behaviour, const std::vector<std::string>& kinds)
{
    const auto detection = detect(data, DetectorParams());
    // The default features and the three Behaviour ones (issue 21's optional detector inputs).
    DetectorParams behaviourInputs;
    for (Feature feature : {Feature::PairBeaconScore, Feature::SourceFanOut, Feature::SourceVolumeRatio})
        behaviourInputs.features.push_back(feature);
    const auto started = std::chrono::steady_clock::now();
    const auto behaving = detect(data, behaviourInputs);
    std::printf("\ndetect with the default and the three behaviour features: %.0f ms (behaviour computed in it)\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    const auto features = behaviourRowFeatures(behaviour, data.table.rowCount());
    const std::vector<std::pair<const char*, std::function<double(std::size_t)>>> scorers{
        {"default detector (anomaly score, lower = more anomalous, negated)",
         [&](std::size_t row) { return -detection->scores.scores()[row]; }},
        {"default + pair_beacon_score, source_fan_out, source_volume_ratio (negated score)",
         [&](std::size_t row) { return -behaving->scores.scores()[row]; }},
        {"beacon_score", [&](std::size_t row) { return features.beaconScore[row]; }},
        {"fan-out", [&](std::size_t row) { return features.fanOut[row]; }},
        {"volume ratio", [&](std::size_t row) { return features.volumeRatio[row]; }},
    };
    std::printf("\n| per-row ROC AUC against the normal rows | beacon | scan | burst | the row kinds | all attacks |\n"
                "|---|---|---|---|---|---|\n");
    for (const auto& [name, score] : scorers) {
        std::map<std::string, std::vector<double>> byKind;
        std::vector<double> rowKinds;
        std::vector<double> attacks;
        for (std::size_t row = 0; row < kinds.size(); ++row) {
            const double value = score(row);
            byKind[kinds[row]].push_back(value);
            if (!kinds[row].empty())
                attacks.push_back(value);
            if (!kinds[row].empty() && kinds[row] != "beacon" && kinds[row] != "scan" && kinds[row] != "burst")
                rowKinds.push_back(value);
        }
        std::printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f |\n", name, rocAuc(byKind["beacon"], byKind[""]),
                    rocAuc(byKind["scan"], byKind[""]), rocAuc(byKind["burst"], byKind[""]),
                    rocAuc(rowKinds, byKind[""]), rocAuc(attacks, byKind[""]));
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t rows = 1000000;
    int runs = 7;
    std::string cacheDir = "bench-data";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--rows")
            rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (option == "--runs")
            runs = std::atoi(argv[i + 1]);
        else if (option == "--cache-dir")
            cacheDir = argv[i + 1];
    }
    const auto path = bench::generatedDataFile(cacheDir, rows);
    const auto data = prepareData(path.string());
    const TrafficTable& table = data->table;
    std::printf("%s rows (%s after cleaning), median of %d runs\n\n", groupedCount(rows).c_str(),
                groupedCount(table.rowCount()).c_str(), runs);
    std::printf("| step | 1 thread: wall ms | CPU ms | 2 threads: wall ms | CPU ms |\n|---|---|---|---|---|\n");
    BehaviourResult behaviour;
    for (const char* step : {"pairs (scoreBeacons)", "windows (aggregateFanOut)", "both (analyzeBehaviour)"}) {
        std::pair<double, double> ms[2];
        for (int threads = 1; threads <= 2; ++threads) {
            BehaviourParams params;
            params.beacons.threads = params.fanOut.threads = threads;
            const std::string name = step;
            ms[threads - 1] = medianMs(runs, [&] {
                if (name.starts_with("pairs"))
                    behaviour.beacons = scoreBeacons(table, params.beacons);
                else if (name.starts_with("windows"))
                    behaviour.fanOut = aggregateFanOut(table, params.fanOut);
                else
                    behaviour = analyzeBehaviour(table, params);
            });
        }
        std::printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", step, ms[0].first, ms[0].second, ms[1].first,
                    ms[1].second);
    }
    std::printf("\n%zu pairs seen, %zu scored (%zu+ sessions); %zu sources, %zu source windows, %zu scanning\n\n",
                behaviour.beacons.pairsSeen, behaviour.beacons.pairs.size(), behaviour.beacons.params.minSessions,
                behaviour.fanOut.sources.size(), behaviour.fanOut.windows.size(), behaviour.fanOut.scanning().size());

    const std::vector<std::string> kinds = kindsOf(table);
    std::printf("| ranking | positives | negatives | ROC AUC |\n|---|---|---|---|\n");
    printBeaconAuc(behaviour.beacons, kinds);
    printSourceAuc(behaviour.fanOut, kinds);
    printRowAuc(*data, behaviour, kinds);
    return 0;
}

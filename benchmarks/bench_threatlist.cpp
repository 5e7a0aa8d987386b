// What threat lists cost (issue 20): loading a list of N random CIDRs (parse the text, build the
// merged range table), one lookup against the linear scan the tests check it with, and matching
// every row of a generated table (core's generator, seed 42) with the cache per distinct address,
// beside what reading and preparing that table costs. Median of several runs. Prints figures and
// ratios; never passes or fails on them.
//
//   bench_threatlist [--cidrs N] [--rows N] [--runs K]

#include "core/context/threatlist.h"
#include "core/io/csvreader.h"
#include "core/pipeline.h"
#include "core/util/random.h"
#include "generator/generator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

// The thread's CPU time: on a shared machine the wall clock also counts the other processes'
// turns; the CPU time is what the work itself costs (both are printed for the load).
double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double g_lastCpuMs = 0.0; // the CPU time of the run medianMs returned the wall time of

double medianMs(int runs, const std::function<void()>& body)
{
    std::vector<std::pair<double, double>> times;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const double cpu = threadCpuMs();
        body();
        times.emplace_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
                           threadCpuMs() - cpu);
    }
    std::sort(times.begin(), times.end());
    g_lastCpuMs = times[times.size() / 2].second;
    return times[times.size() / 2].first;
}

// count entries: 90 % IPv4 (/16../32, most /24../32 as real block lists are), 10 % IPv6 (/32../128),
// with comments and a Spamhaus-style note on some lines, as a downloaded list has.
std::string randomList(std::size_t count, std::uint64_t seed)
{
    std::uint64_t state = seed;
    std::string text = "# generated list for bench_threatlist\n";
    text.reserve(count * 24);
    char line[96];
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t r = splitMix64(state);
        const std::uint64_t s = splitMix64(state);
        if (r % 10 != 0) {
            const int prefix
                = (s >> 40) % 32 == 0 ? 16 + static_cast<int>((s >> 48) % 8) : 24 + static_cast<int>((s >> 48) % 9);
            std::snprintf(line, sizeof line, "%u.%u.%u.%u/%d%s\n", static_cast<unsigned>(r >> 8 & 0xFF),
                          static_cast<unsigned>(r >> 16 & 0xFF), static_cast<unsigned>(r >> 24 & 0xFF),
                          static_cast<unsigned>(r >> 32 & 0xFF), prefix, i % 16 == 0 ? " ; SBL12345" : "");
        } else {
            std::snprintf(line, sizeof line, "2001:db8:%x:%x::%x/%d\n", static_cast<unsigned>(r >> 8 & 0xFFFF),
                          static_cast<unsigned>(r >> 24 & 0xFFFF), static_cast<unsigned>(r >> 40 & 0xFFFF),
                          32 + static_cast<int>(s % 97));
        }
        text += line;
    }
    return text;
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t cidrs = 1000000;
    std::size_t rows = 1000000;
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--cidrs")
            cidrs = std::strtoull(argv[i + 1], nullptr, 10);
        else if (option == "--rows")
            rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (option == "--runs")
            runs = std::atoi(argv[i + 1]);
    }

    const std::string listText = randomList(cidrs, 20);
    std::printf("Loading a list of %zu random CIDRs (%.1f MB of text), median of %d runs, 1 thread\n\n", cidrs,
                static_cast<double>(listText.size()) / 1e6, runs);
    std::printf("| step | wall ms | CPU ms | figure |\n|---|---|---|---|\n");
    std::shared_ptr<const ThreatList> list;
    const double parseMs = medianMs(runs, [&] {
        list = std::make_shared<const ThreatList>(parseThreatList(listText, "bench.txt"));
    });
    const double parseCpu = g_lastCpuMs;
    std::shared_ptr<const ThreatIndex> index;
    const double indexMs = medianMs(runs, [&] {
        index = std::make_shared<const ThreatIndex>(std::vector<std::shared_ptr<const ThreatList>>{list});
    });
    const double indexCpu = g_lastCpuMs;
    std::printf("| parse | %.0f | %.0f | %.2f M entries/s (CPU) |\n", parseMs, parseCpu,
                static_cast<double>(cidrs) / parseCpu / 1e3);
    std::printf("| merged range table | %.0f | %.0f | %zu IPv4 + %zu IPv6 ranges |\n", indexMs, indexCpu,
                index->rangesV4(), index->rangesV6());
    std::printf("| load in all | %.0f | %.0f | %.2f of the 1 s budget (CPU) |\n\n", parseMs + indexMs,
                parseCpu + indexCpu, (parseCpu + indexCpu) / 1000.0);

    // One lookup: the table against the linear scan the tests compare it with.
    std::vector<IpNumber> probes;
    std::uint64_t state = 7;
    for (int i = 0; i < 1000000; ++i) {
        const std::uint64_t r = splitMix64(state);
        IpNumber number;
        number.high = 0;
        number.low = (0xFFFFull << 32) | (r & 0xFFFFFFFFull);
        probes.push_back(number);
    }
    std::uint64_t hits = 0;
    medianMs(runs, [&] {
        hits = 0;
        for (const IpNumber& probe : probes)
            hits += index->lookup(probe) != 0;
    });
    const double lookupMs = g_lastCpuMs;
    const std::vector<std::shared_ptr<const ThreatList>> lists{list};
    const std::size_t scanned = 200;
    std::uint64_t scanHits = 0;
    medianMs(1, [&] {
        for (std::size_t i = 0; i < scanned; ++i)
            scanHits += lookupByScan(lists, probes[i]) != 0;
    });
    const double scanMs = g_lastCpuMs;
    const double lookupNs = lookupMs * 1e6 / static_cast<double>(probes.size());
    const double scanNs = scanMs * 1e6 / static_cast<double>(scanned);
    std::printf("| lookup | CPU ns per address | figure |\n|---|---|---|\n");
    std::printf("| merged table, binary search | %.0f | %.1f M lookups/s, %.1f %% of random IPv4 on the list |\n",
                lookupNs, 1e3 / lookupNs, 100.0 * static_cast<double>(hits) / static_cast<double>(probes.size()));
    std::printf("| linear scan (the tests' reference) | %.0f | %.0fx slower |\n\n", scanNs, scanNs / lookupNs);

    GeneratorParams generator;
    generator.rows = rows;
    generator.seed = 42;
    std::ostringstream text;
    generateTraffic(text, generator);
    const std::string csv = text.str();
    std::shared_ptr<const PreparedData> data;
    medianMs(1, [&] { data = prepareTable(readTrafficCsvText(csv, "generated.csv")); });
    const double prepareMs = g_lastCpuMs; // several threads: their CPU time, not this thread's alone
    const TrafficTable& table = data->table;
    ThreatMatches matches;
    medianMs(runs, [&] { matches = matchThreatLists(table, index); });
    const double matchMs = g_lastCpuMs;
    const double addresses = 2.0 * static_cast<double>(table.rowCount());
    std::printf("Matching a generated table of %zu rows (%zu distinct src/dst addresses) against the list\n\n",
                table.rowCount(), matches.distinctAddresses);
    std::printf("| step | CPU ms | figure |\n|---|---|---|\n");
    std::printf("| read, clean and features (this thread) | %.0f | |\n", prepareMs);
    std::printf("| matchThreatLists | %.1f | %.1f M addresses/s (src and dst of every row); %zu rows on the list; "
                "%.1f %% of the read |\n",
                matchMs, addresses / matchMs / 1e3, matches.matchedRows, 100.0 * matchMs / prepareMs);
    return 0;
}

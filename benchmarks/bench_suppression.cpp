// What the allow-list costs (issue 19): generates N rows (core's generator, seed 42, as
// `webthreat generate --label`), prepares and scores them once, then times matchRules for 20
// rules of every kind, and for 1,000 and 100,000 address rules, and assess() at 5 % without and
// with the suppression (median of several runs). Prints figures; never passes or fails on them.
//
//   bench_suppression [--rows N] [--runs K]

#include "core/io/csvreader.h"
#include "core/pipeline.h"
#include "core/triage/suppression.h"
#include "generator/generator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
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

// The k most frequent values of a text column.
std::vector<std::string> frequent(const TrafficTable& table, Field field, std::size_t k)
{
    std::map<std::uint32_t, std::size_t> counts;
    for (const std::uint32_t id : table.column(field).text)
        if (id != StringPool::kMissing)
            ++counts[id];
    std::vector<std::pair<std::size_t, std::uint32_t>> ordered;
    for (const auto& [id, count] : counts)
        ordered.emplace_back(count, id);
    std::sort(ordered.rbegin(), ordered.rend());
    std::vector<std::string> values;
    for (std::size_t i = 0; i < std::min(k, ordered.size()); ++i)
        values.emplace_back(table.strings->view(ordered[i].second));
    return values;
}

// Twenty rules of every kind, on values the data has.
std::vector<SuppressionRule> twentyRules(const TrafficTable& table)
{
    std::string text;
    const auto sources = frequent(table, Field::SrcIp, 6);
    const auto destinations = frequent(table, Field::DstIp, 2);
    for (std::size_t i = 0; i < 4 && i < sources.size(); ++i)
        text += "src_ip " + sources[i] + " # source " + std::to_string(i) + "\n";
    text += "src_ip 10.0.0.0/8\nsrc_ip 192.168.0.0/16\nsrc_ip 2001:db8::/32\n";
    for (const std::string& destination : destinations)
        text += "dst_ip " + destination + "\n";
    text += "dst_port 123 # NTP\ndst_port 8000-8080\ndst_port 3389\n";
    text += "protocol ICMP\nprotocol irc\n";
    text += "country NL\ncountry zz\n";
    text += "rule_names Port Scan\n";
    if (sources.size() > 5 && !destinations.empty())
        text += "pair " + sources[5] + " -> " + destinations[0] + "\n";
    text += "dst_ip 172.16.0.0/12\nsrc_ip 203.0.113.0/24 # TEST-NET-3\n";
    return parseRules(text, "bench.rules");
}

// count address rules: /32s spread over the IPv4 space, with the data's five most frequent sources among them.
std::vector<SuppressionRule> manyAddressRules(const TrafficTable& table, std::size_t count)
{
    std::vector<SuppressionRule> rules;
    rules.reserve(count);
    for (const std::string& source : frequent(table, Field::SrcIp, 5))
        rules.push_back(parseRule("src_ip " + source));
    for (std::uint32_t i = 0; rules.size() < count; ++i) {
        const std::uint32_t address = 0x0B000000u + i * 2654435761u % 0xD0000000u;
        rules.push_back(parseRule("src_ip " + std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255)
                                  + "." + std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255)
                                  + "/" + std::to_string(24 + i % 9)));
    }
    return rules;
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
    generator.seed = 42;
    generator.label = true;
    std::ostringstream text;
    generateTraffic(text, generator);
    auto data = prepareTable(readTrafficCsvText(text.str(), "generated.csv"));
    const TrafficTable& table = data->table;
    auto detection = detect(*data, DetectorParams());
    const Contamination contamination = Contamination::fromValue(0.05);

    std::printf("%zu rows (%zu after cleaning, %zu distinct strings), median of %d runs, 1 thread\n\n", rows,
                table.rowCount(), table.strings->size(), runs);
    std::printf("| step | ms | rows matched | suspicious suppressed at 5 %% |\n|---|---|---|---|\n");
    const Analysis plain = assess(data, detection, contamination);
    const double plainMs = medianMs(runs, [&] {
        if (assess(data, detection, contamination).findings.rows != table.rowCount())
            std::abort();
    });
    std::printf("| assess at 5 %%, no allow-list | %.1f | | |\n", plainMs);
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    for (const auto& entry : {std::pair{std::string("matchRules, 20 rules of every kind"), twentyRules(table)},
                                      std::pair{std::string("matchRules, 1,000 address rules"),
                                                manyAddressRules(table, 1000)},
                                      std::pair{std::string("matchRules, 100,000 address rules"),
                                                manyAddressRules(table, 100000)}}) {
        const std::string& name = entry.first;
        const std::vector<SuppressionRule>& rules = entry.second;
        std::shared_ptr<const Suppression> suppression;
        const double matchMs = medianMs(runs, [&] {
            suppression = std::make_shared<const Suppression>(matchRules(table, rules));
        });
        const Analysis allowed = assess(data, detection, contamination, 10, {}, suppression);
        std::printf("| %s | %.1f | %zu | %zu of %zu |\n", name.c_str(), matchMs, suppression->matchedRows,
                    allowed.findings.suppressed, plain.findings.suspicious);
        if (rules.size() == 20) {
            const double assessMs = medianMs(runs, [&] {
                if (assess(data, detection, contamination, 10, {}, suppression).findings.suppressed
                    != allowed.findings.suppressed)
                    std::abort();
            });
            std::printf("| assess at 5 %%, with the 20 rules' suppression | %.1f | | |\n", assessMs);
        }
    }
    return 0;
}

// How much the categorical and per-source features help the detector find anomalies that only the
// categorical columns reveal. Generates labelled traffic (core's generator) for several seeds,
// fits the Isolation Forest with three feature sets, and prints the ROC AUC per anomaly kind:
// anomalies of one kind against the normal rows, ranked by anomaly score (the Mann-Whitney count:
// the chance that a random anomaly scores as more anomalous than a random normal row, ties half).
// Prints figures; never passes or fails on them.
//
//   feature_auc [--rows N] [--seeds K] [--anomaly-rate R]

#include "core/io/csvreader.h"
#include "generator/generator.h"
#include "core/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

struct FeatureSetChoice {
    const char* name;
    std::vector<Feature> features;
};

// AUC of anomalies (scores of positives) against normal rows: lower score = more anomalous.
double rocAuc(std::vector<double> positives, std::vector<double> negatives)
{
    if (positives.empty() || negatives.empty())
        return std::nan("");
    std::sort(negatives.begin(), negatives.end());
    double wins = 0.0;
    for (double score : positives) {
        const auto lower = std::lower_bound(negatives.begin(), negatives.end(), score);
        const auto upper = std::upper_bound(negatives.begin(), negatives.end(), score);
        // Negatives scoring higher (more normal) than this anomaly count as wins, ties as half.
        wins += static_cast<double>(negatives.end() - upper) + 0.5 * static_cast<double>(upper - lower);
    }
    return wins / (static_cast<double>(positives.size()) * static_cast<double>(negatives.size()));
}

struct Stats {
    std::vector<double> values;
    void add(double value) { values.push_back(value); }
    double mean() const
    {
        double sum = 0.0;
        for (double v : values)
            sum += v;
        return values.empty() ? std::nan("") : sum / static_cast<double>(values.size());
    }
    double spread() const
    {
        if (values.size() < 2)
            return 0.0;
        const double m = mean();
        double sum = 0.0;
        for (double v : values)
            sum += (v - m) * (v - m);
        return std::sqrt(sum / static_cast<double>(values.size() - 1));
    }
};

} // namespace

int main(int argc, char** argv)
{
    std::size_t rows = 100000;
    int seeds = 5;
    double anomalyRate = 0.02;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--rows")
            rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (option == "--seeds")
            seeds = std::atoi(argv[i + 1]);
        else if (option == "--anomaly-rate")
            anomalyRate = std::atof(argv[i + 1]);
    }

    const std::vector<Feature> four = defaultFeatures();
    std::vector<Feature> categorical = four;
    categorical.insert(categorical.end(), {Feature::DstPortFrequency, Feature::ProtocolFrequency,
                                           Feature::ResponseCodeFrequency, Feature::CountryFrequency, Feature::SrcIpPrivate});
    std::vector<Feature> all;
    for (const FeatureInfo& info : availableFeatures())
        all.push_back(info.feature);
    std::vector<Feature> portAndCode = four;
    portAndCode.insert(portAndCode.end(), {Feature::DstPortFrequency, Feature::ResponseCodeFrequency});
    const std::vector<FeatureSetChoice> choices{
        {"notebook 4", four},
        {"4 + port, code", portAndCode},
        {"4 + categorical", categorical},
        {"all 11", all},
    };

    // kind -> feature set -> AUC per seed
    std::map<std::string, std::vector<Stats>> auc;
    std::map<std::string, std::size_t> kindRows;
    const auto started = std::chrono::steady_clock::now();
    for (int seed = 1; seed <= seeds; ++seed) {
        GeneratorParams generator;
        generator.rows = rows;
        generator.seed = static_cast<std::uint64_t>(seed);
        generator.anomalyRate = anomalyRate;
        generator.label = true;
        std::ostringstream text;
        generateTraffic(text, generator);
        auto data = prepareTable(readTrafficCsvText(text.str(), "generated.csv"));
        const TrafficTable& table = data->table;
        const auto kindColumn = table.findColumn("attack_kind");
        if (!kindColumn) {
            std::fprintf(stderr, "the generated table has no attack_kind column\n");
            return 1;
        }
        const Column& kinds = table.columns[*kindColumn];
        for (std::size_t c = 0; c < choices.size(); ++c) {
            DetectorParams params;
            params.features = choices[c].features;
            const auto detection = detect(*data, params);
            const std::vector<double>& scores = detection->scores.scores();
            std::map<std::string, std::vector<double>> byKind;
            std::vector<double> normal;
            std::vector<double> anomalies;
            for (std::size_t row = 0; row < table.rowCount(); ++row) {
                const std::string_view kind = table.strings->view(kinds.text[row]);
                if (kind.empty()) {
                    normal.push_back(scores[row]);
                } else {
                    byKind[std::string(kind)].push_back(scores[row]);
                    anomalies.push_back(scores[row]);
                }
            }
            byKind["(all anomalies)"] = anomalies;
            for (const auto& [kind, positives] : byKind) {
                auto& perSet = auc[kind];
                perSet.resize(choices.size());
                perSet[c].add(rocAuc(positives, normal));
                if (c == 0)
                    kindRows[kind] += positives.size();
            }
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::printf("ROC AUC per anomaly kind against normal rows: %zu generated rows, anomaly rate %.3g, seeds 1..%d,\n"
                "Isolation Forest 100 trees x 256 samples, seed 42; mean +- standard deviation over the seeds\n\n",
                rows, anomalyRate, seeds);
    std::printf("| %-17s | %9s |", "anomaly kind", "rows");
    for (const auto& choice : choices)
        std::printf(" %-17s |", choice.name);
    std::printf("\n|%s|%s|", std::string(19, '-').c_str(), std::string(11, '-').c_str());
    for (std::size_t c = 0; c < choices.size(); ++c)
        std::printf("%s|", std::string(19, '-').c_str());
    std::printf("\n");
    for (const auto& [kind, perSet] : auc) {
        std::printf("| %-17s | %9zu |", kind.c_str(), kindRows[kind]);
        for (const Stats& stats : perSet) {
            char cell[32];
            std::snprintf(cell, sizeof cell, "%.3f +- %.3f", stats.mean(), stats.spread());
            std::printf(" %-17s |", cell);
        }
        std::printf("\n");
    }
    std::printf("\n(%.1f s)\n", seconds);
    return 0;
}

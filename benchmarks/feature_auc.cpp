// Which detector inputs find which anomalies: generates labelled traffic (core's generator) for
// several seeds, fits the Isolation Forest with several feature sets, each with the inputs raw
// (--scale none) and scaled (--scale auto: log1p for the heavy-tailed ones), and prints the ROC
// AUC per anomaly kind: anomalies of one kind against the normal rows, ranked by anomaly score (the
// Mann-Whitney count: the chance that a random anomaly scores as more anomalous than a random
// normal row, ties half). Cells are the median over the seeds with the lowest figure beside
// it. Prints figures; never passes or fails on them.
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

struct Choice {
    std::string name;
    std::vector<Feature> features;
    InputScaling scaling = InputScaling::None;
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
    double median() const
    {
        if (values.empty())
            return std::nan("");
        std::vector<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        const std::size_t n = sorted.size();
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
    double minimum() const { return values.empty() ? std::nan("") : *std::min_element(values.begin(), values.end()); }
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

    const std::vector<Feature> four = notebookFeatures();
    auto plus = [&](std::vector<Feature> more) {
        std::vector<Feature> set = four;
        set.insert(set.end(), more.begin(), more.end());
        return set;
    };
    std::vector<Feature> all;
    for (const FeatureInfo& info : availableFeatures()) {
        if (!needsEnrichment(info.feature)) // generated addresses carry no network signal (issue 20)
            all.push_back(info.feature);
    }
    const std::vector<std::pair<std::string, std::vector<Feature>>> sets{
        {"notebook 4", four},
        {"4 + port, code", plus({Feature::DstPortFrequency, Feature::ResponseCodeFrequency})},
        {"4 + port, code, source",
         plus({Feature::DstPortFrequency, Feature::ResponseCodeFrequency, Feature::SourceSessions,
               Feature::SourceTotalBytes})},
        {"4 + port, proto, code, source",
         plus({Feature::DstPortFrequency, Feature::ProtocolFrequency, Feature::ResponseCodeFrequency,
               Feature::SourceSessions, Feature::SourceTotalBytes})},
        {"4 + categorical",
         plus({Feature::DstPortFrequency, Feature::ProtocolFrequency, Feature::ResponseCodeFrequency,
               Feature::CountryFrequency, Feature::SrcIpPrivate})},
        {"all 11", all},
    };
    std::vector<Choice> choices;
    for (const auto& [name, features] : sets) {
        for (InputScaling scaling : {InputScaling::None, InputScaling::Auto})
            choices.push_back({name + (scaling == InputScaling::Auto ? ", scaled" : ", raw"), features, scaling});
    }
    const std::vector<Feature> recommended = DetectorParams{}.features;
    const InputScaling recommendedScaling = DetectorParams{}.scaling;

    // kind -> choice -> AUC per seed
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
            params.scaling = choices[c].scaling;
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
                auto& perChoice = auc[kind];
                perChoice.resize(choices.size());
                perChoice[c].add(rocAuc(positives, normal));
                if (c == 0)
                    kindRows[kind] += positives.size();
            }
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::printf("ROC AUC per anomaly kind against normal rows: %zu generated rows, anomaly rate %.3g, seeds 1..%d,\n"
                "Isolation Forest 100 trees x 256 samples, seed 42; median over the seeds (the lowest in brackets)\n"
                "One table per feature set: raw inputs (--scale none) against scaled (--scale auto).\n",
                rows, anomalyRate, seeds);
    for (std::size_t c = 0; c < choices.size(); c += 2) {
        const bool isDefault = choices[c].features == recommended;
        std::printf("\n%s%s\n\n", sets[c / 2].first.c_str(),
                    isDefault
                        ? (recommendedScaling == InputScaling::Auto ? " (the default: scaled)" : " (the default: raw)")
                        : "");
        std::printf("| %-15s | %7s | %-15s | %-15s |\n", "anomaly kind", "rows", "raw", "scaled");
        std::printf("|%s|%s:|%s|%s|\n", std::string(17, '-').c_str(), std::string(8, '-').c_str(),
                    std::string(17, '-').c_str(), std::string(17, '-').c_str());
        for (const auto& [kind, perChoice] : auc) {
            std::printf("| %-15s | %7zu |", kind.c_str(), kindRows[kind]);
            for (std::size_t s = c; s < c + 2; ++s) {
                char cell[32];
                std::snprintf(cell, sizeof cell, "%.3f (%.3f)", perChoice[s].median(), perChoice[s].minimum());
                std::printf(" %-15s |", cell);
            }
            std::printf("\n");
        }
    }
    std::printf("\n(%.1f s)\n", seconds);
    return 0;
}

// Issue 19: what the analyst's verdicts add to a slider move and to a change of marks, at 100 k,
// 1 M and 10 M rows with 1 % of them reviewed (a third Malicious). A slider move re-counts the
// marked rows against the threshold (checkTriage); a change of marks re-evaluates over the
// reviewed rows (evaluateAgainstTriage and its contamination table). Figures, never a verdict.
#include "core/analysis/evaluation.h"
#include "core/detect/threshold.h"
#include "core/triage/tabletriage.h"

#include <string>

#include <chrono>
#include <cstdio>
#include <random>

using namespace webthreat;

namespace {

template <typename Work>
double bestMilliseconds(Work&& work, int repeats = 5)
{
    double best = 1e300;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        best = std::min(best,
                        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}

// What a mark costs the window: laying the workspace's marks over the rows again (layTriage, on
// the GUI thread after each change), with 1 % of rows marked and 1,000 source verdicts.
void layTriageCost()
{
    std::printf("\n| rows | row marks | source marks | layTriage |\n|---:|---:|---:|---:|\n");
    for (const std::size_t rows : {std::size_t(100'000), std::size_t(1'000'000), std::size_t(10'000'000)}) {
        TrafficTable table;
        std::vector<std::uint32_t> ips;
        for (int i = 0; i < 50'000; ++i)
            ips.push_back(table.strings->intern("10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256)
                                                + "." + std::to_string(i % 256)));
        std::mt19937_64 random(7);
        std::uniform_int_distribution<std::size_t> ip(0, ips.size() - 1);
        Column& sources = table.column(Field::SrcIp);
        sources.text.resize(rows);
        table.sourceLines.resize(rows);
        for (std::size_t row = 0; row < rows; ++row) {
            sources.text[row] = ips[ip(random)];
            table.sourceLines[row] = static_cast<std::uint32_t>(row + 2);
        }
        const std::string sha(64, 'a');
        std::vector<RowMark> rowMarks;
        for (std::size_t i = 0; i < rows / 100; ++i)
            rowMarks.push_back({sha, static_cast<std::uint32_t>(2 + i * 100), Mark::Malicious, "note", 0});
        std::vector<SourceMark> sourceMarks;
        for (int i = 0; i < 1000; ++i)
            sourceMarks.push_back({std::string(table.strings->view(ips[static_cast<std::size_t>(i) * 50])), Mark::Benign,
                                   {}, sha, "file.csv", 0});
        std::size_t sink = 0;
        const double lay = bestMilliseconds([&] { sink += layTriage(table, sha, rowMarks, sourceMarks).reviewed(); }, 3);
        std::printf("| %zu | %zu | %zu | %.2f ms |\n", rows, rowMarks.size(), sourceMarks.size(), lay);
        if (sink == 0)
            std::printf("(nothing marked)\n");
    }
}

} // namespace

int main()
{
    std::printf("| rows | reviewed | applyThreshold (a slider move today) | checkTriage | ratio | "
                "evaluateAgainstTriage + table |\n|---:|---:|---:|---:|---:|---:|\n");
    for (const std::size_t rows : {std::size_t(100'000), std::size_t(1'000'000), std::size_t(10'000'000)}) {
        std::mt19937_64 random(42);
        std::uniform_real_distribution<double> score(-0.8, -0.3);
        std::vector<double> values(rows);
        for (double& value : values)
            value = score(random);
        const ScoreIndex scores(std::move(values));
        TableTriage triage;
        triage.marks.assign(rows, Mark::None);
        std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
        for (std::size_t i = 0; i < rows / 100; ++i)
            triage.marks[pick(random)] = i % 3 == 0 ? Mark::Malicious : Mark::Benign;
        for (const Mark mark : triage.marks)
            ++triage.counts[static_cast<int>(mark)];
        const Contamination contamination = Contamination::fromValue(0.05);
        Verdicts verdicts;
        const double threshold = bestMilliseconds([&] { verdicts = applyThreshold(scores, contamination); });
        std::size_t sink = 0;
        const double check = bestMilliseconds([&] { sink += checkTriage(scores, verdicts, triage).maliciousMissed; });
        const double evaluate = bestMilliseconds([&] {
            const Evaluation evaluation = evaluateAgainstTriage(scores, triage);
            sink += evaluateContaminations(scores, evaluation, triage).size();
        });
        std::printf("| %zu | %zu | %.2f ms | %.2f ms | %.2f | %.2f ms |\n", rows, triage.reviewed(), threshold, check,
                    check / threshold, evaluate);
        if (sink == 0)
            std::printf("(nothing missed)\n");
    }
    layTriageCost();
    return 0;
}

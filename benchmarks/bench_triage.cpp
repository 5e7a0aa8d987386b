// Issue 19: what the analyst's verdicts add to a slider move and to a change of marks, at 100 k,
// 1 M and 10 M rows with 1 % of them reviewed (a third Malicious). A slider move re-counts the
// marked rows against the threshold (checkTriage); a change of marks re-evaluates over the
// reviewed rows (evaluateAgainstTriage and its contamination table). Figures, never a verdict.
#include "core/analysis/evaluation.h"
#include "core/detect/threshold.h"
#include "core/triage/tabletriage.h"

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
    return 0;
}

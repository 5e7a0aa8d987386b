#pragma once

#include "core/analysis/evaluation.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// The evaluation against a ground-truth column in streaming mode, exact: pass 2 hands each scored
// chunk over; its rows' scores and truth go to a scratch file (9 bytes a row); at the end they are
// sorted in runs that fit a memory bound and merged (ties in file order, as ScoreIndex ranks them),
// and the merged order feeds Evaluation's ranked constructor: the same areas, curves and operating
// points as in memory, from the same scores. Memory: the run being sorted (runBytes), one buffer
// per run while merging, and the evaluation's ranked truth (1 bit a row, plus 4 bytes per 64 rows).
struct StreamedEvaluationParams {
    std::string truthColumn; // --truth; empty: the first of truthColumnNames() the file has
    std::string scratchDir; // empty: $TMPDIR, else /tmp
    std::size_t runBytes = std::size_t(64) << 20; // records sorted in memory at a time
};

class StreamedEvaluation {
public:
    explicit StreamedEvaluation(StreamedEvaluationParams params);
    ~StreamedEvaluation();
    StreamedEvaluation(const StreamedEvaluation&) = delete;
    StreamedEvaluation& operator=(const StreamedEvaluation&) = delete;

    // One chunk of cleaned rows, in file order, and their scores. The first chunk decides the column
    // (as readGroundTruth or findGroundTruth would on the whole table); a row whose value is not a
    // truth value stops the evaluation with problem() (the first such row in the file, as in memory).
    void add(const TrafficTable& table, const std::vector<double>& scores);
    // Why there is no evaluation ("" while there may be one): the in-memory lookup's sentence.
    const std::string& problem() const noexcept { return m_problem; }
    // After the last chunk: sorts, merges and evaluates; the operating points at the verdicts and the
    // usual contaminations (thresholds over every row's score, as ScoreIndex::thresholdFor). Null
    // with problem() when the column is missing, unusable or has only one class. Throws OutputError
    // when the scratch folder cannot be written.
    std::shared_ptr<const Evaluation> finish(const EvaluationParams& params = {});
    std::uint64_t spilledBytes() const noexcept { return m_spilledBytes; }
    std::size_t runs() const noexcept { return m_runs; }

private:
    struct State;
    StreamedEvaluationParams m_params;
    std::unique_ptr<State> m;
    std::string m_problem;
    bool m_decided = false; // the column is known (or the problem)
    std::string m_column;
    std::size_t m_positives = 0;
    std::size_t m_negatives = 0;
    std::uint64_t m_spilledBytes = 0;
    std::size_t m_runs = 0;
};

} // namespace webthreat

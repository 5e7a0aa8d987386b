#pragma once

#include "core/analysis/evaluation.h"
#include "core/model/drift.h"
#include "core/pipeline.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// `webthreat analyze` over a file larger than memory: the in-memory pipeline's steps, done in passes
// over a CSV (plain or gzip) read in chunks (core/stream/chunkreader.h), in memory bounded by the
// chunk size, the sample and the distinct values rather than by the file.
//  Pass 1 reads and cleans each chunk (exact duplicates by 64-bit row hashes kept in a hash set,
//    8 bytes and a bit a row, spilled by hash prefix to a scratch folder past a share of the budget
//    and resolved partition by partition at the pass's end; duplicates found then, late, make pass 1
//    read the file again so its statistics are those of the rows kept; the bytes_in median from a reservoir of values, exact when every
//    value fits in it), and gathers the features' statistics: means, exact frequency tables, exact
//    per-source counts and byte totals (a map by source), and a reservoir sample of the cleaned
//    rows for the forest.
//  The forest is fitted on the sample.
//  Pass 2 reads again, cleans the same way (the duplicates are known by row number), scores every
//    row, and keeps the scores near the threshold (a window set from the sample's scores), so the
//    percentile is exact; when the threshold falls outside the window a third pass collects the
//    scores of the one histogram bin that holds it.
//    With evaluate, every row's score and truth go to a scratch file, sorted and merged at the end
//    (core/stream/streamevaluation.h): the exact evaluation. With a saved model, the drift is counted.
//  With an output file, one more pass writes it row by row with the labels and explanations (a row
//    placed among the sample's values: among every row's when the sample holds them all).
// When the sample holds every cleaned row (a file no larger than sampleRows), the fit, the
// encodings and therefore every score and verdict are those of the in-memory run.
struct StreamParams {
    AnalysisParams analysis; // read options, cleaning, detector, contamination, topN
    std::size_t chunkBytes = std::size_t(64) << 20; // text per chunk
    std::size_t sampleRows = std::size_t(1) << 18; // the forest's reservoir (262,144 rows)
    std::size_t medianValues = std::size_t(1) << 20; // the bytes_in median's reservoir
    std::uint64_t memoryBudget = 0; // what the run may use; 0: 16 chunks
    // The in-memory duplicate set's limit (0: a quarter of the budget); past it the set spills to
    // partition files in a private folder under scratchDir (core/stream/duplicatefinder.h).
    std::size_t duplicateSetBytes = 0;
    std::string scratchDir; // empty: $TMPDIR, else /tmp
    std::string out; // when set, the scored CSV (writeScoredCsv's columns)
    bool explainAll = false; // --out explains every row, not only the suspicious ones
    // Pass 1 keeps its cleaned chunks in a scratch file (core/stream/cleanedspill.h, about a third of
    // a CSV's size, under scratchDir, removed at the end) and the scoring passes read them back instead
    // of reading, parsing and cleaning the file again: the same tables, so the same scores, verdicts
    // and counts. Used when nothing in those passes needs more than the cleaned rows: no out (its
    // own pass reads the file) and no location database; false: every pass reads the file.
    bool spillCleanedRows = true;
    // Evaluate against a ground-truth column (core/stream/streamevaluation.h), exact: truthColumn
    // names it (a missing or unusable one throws ParameterError "--truth NAME: ..." as in memory), or
    // empty: the first of truthColumnNames() the file has, if any (else evaluationProblem says why).
    bool evaluate = false;
    std::string truthColumn;
    // Called in pass 2 with each chunk's cleaned rows, their scores, the index of its first row
    // among the file's cleaned rows and, with an allow-list, its match (per row 1 = an enabled rule
    // matches: the row is never suspicious; null without one) (the workbench's StreamSummary,
    // core/stream/streamsummary.h).
    std::function<void(const TrafficTable&, const std::vector<double>&, std::uint64_t, const std::vector<std::uint8_t>*)>
        onScored;

    void validate() const;
    std::size_t effectiveDuplicateSetBytes() const;
};

// One of the most anomalous rows, kept as it was read (the table itself is never whole).
struct StreamedRow {
    double score = 0.0;
    std::uint64_t row = 0; // 0-based among the cleaned rows
    std::int64_t line = 0; // in the file
    std::string srcIp, dstIp, protocol, country;
    std::int64_t dstPort = kMissingInteger;
    std::int64_t bytesIn = kMissingInteger;
    std::int64_t bytesOut = kMissingInteger;
};

struct StreamResult {
    std::string file;
    ReadReport readReport; // the chunks' reports added up
    CleanReport cleanReport;
    std::uint64_t textBytes = 0; // decompressed
    bool compressed = false;
    std::size_t chunks = 0; // per pass
    std::size_t sampleRows = 0; // rows the forest was fitted on
    bool sampleIsWholeFile = false; // the run equals the in-memory one
    bool medianExact = true;
    std::int64_t bytesInMedian = kMissingInteger;
    std::size_t distinctSources = 0;
    std::size_t duplicateHashes = 0; // rows in the duplicate set at its fullest
    // When the duplicate set outgrew its limit: partitions at the first level, rows read before the
    // spill, duplicates found by resolving the partitions (after pass 1 had gathered its statistics:
    // pass 1 was then read again without them), bytes written to the scratch folder.
    bool duplicatesSpilled = false;
    std::size_t duplicatePartitions = 0;
    std::uint64_t rowsBeforeSpill = 0;
    std::uint64_t lateDuplicates = 0;
    std::uint64_t spilledBytes = 0;
    std::string scratchFolder;
    bool passOneReread = false;
    // Pass 1's cleaned chunks went to a scratch file (StreamParams::spillCleanedRows) that the
    // scoring passes read instead of the file: its size.
    bool cleanedRowsSpilled = false;
    std::uint64_t cleanedSpillBytes = 0;
    std::shared_ptr<const Detection> detection; // forest, encodings, params; scores empty
    // After a fit: each detector feature's distribution over the forest's sample, as the encodings
    // give its values (a saved model's drift baseline; the in-memory run's when the sample holds
    // every row).
    std::vector<FeatureDistribution> training;
    Contamination contamination;
    double threshold = 0.0;
    bool thresholdExact = true;
    std::size_t rowsScored = 0;
    std::size_t suspiciousCount = 0;
    double minScore = 0.0, maxScore = 0.0;
    std::vector<StreamedRow> mostAnomalous; // topN, most anomalous first
    // With threat lists (AnalysisParams::threatLists): every row's src_ip and dst_ip looked up in
    // pass 2, counted per list over the whole file; the suspicious counts from the matched rows'
    // scores (kept while fewer than kMaxListedRows rows match, else not counted: threatSuspiciousCounted).
    std::shared_ptr<const ThreatIndex> threatIndex;
    ThreatFindings threatFindings;
    bool threatSuspiciousCounted = true;
    static constexpr std::size_t kMaxListedRows = std::size_t(1) << 22;
    // With an allow-list (AnalysisParams::allowRules, core/stream/streamallowlist.h): each rule's rows
    // over the whole file (Suppression::rows empty) and the rows below the threshold its rules moved
    // to normal. As in memory the threshold is set before suppression: suspiciousCount, the threat
    // lists' suspicious counts, mostAnomalous and --out's labels leave the suppressed rows out.
    std::shared_ptr<const Suppression> suppression;
    std::size_t suppressedCount = 0;
    // With a saved model (score --model): the file's drift from the model's training data, as
    // measureDrift (core/model/drift.h) gives it in memory: the new categories and the rows outside
    // the training range counted over every row in pass 2; the medians the forest's sample's, exact
    // when it holds every row (driftMediansExact).
    std::shared_ptr<const DriftReport> drift;
    bool driftMediansExact = true;
    // With StreamParams::evaluate: the evaluation, or why there is none (the in-memory sentence).
    std::shared_ptr<const Evaluation> evaluation;
    std::string evaluationProblem;
    int passes = 0;
    double seconds[4] = {0, 0, 0, 0}; // pass 1, fit, pass 2 (+3), output
    // How this run differs from the in-memory one, in sentences for the report and provenance.
    std::vector<std::string> notes;
};

// Throws InputError (file, line) as the CSV reader does, ParameterError for bad params,
// CancelledError when progress is cancelled. Progress stages: "pass 1", "duplicates" (resolving a spilled
// duplicate set), "pass 1 again" (when late duplicates were found), "pass 2", "pass 3", "write".
StreamResult analyzeStream(const std::string& path, const StreamParams& params, const Progress& progress = {});

// The result as the text report `webthreat analyze` prints in streaming mode.
std::string streamResultText(const StreamResult& result, std::size_t rowsShown);

} // namespace webthreat

#pragma once

#include "core/analysis/timeline.h"
#include "core/table/traffictable.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace webthreat {

// What the workbench shows of a file analysed in streaming mode (core/stream/streamanalysis.h):
// fed once per scored chunk of pass 2 (StreamParams::onScored) with the chunk's cleaned rows and
// their scores, then finished once the threshold is known. Memory is bounded by the two caps (rows
// kept as table rows, twice each cap at most while a chunk is added), the distinct sources and the
// timeline's keys (at most kMaxTimeKeys), whatever the file's size.
struct StreamSummaryParams {
    std::size_t suspiciousRows = 100000; // the most anomalous rows kept (all the suspicious ones when fewer)
    std::size_t sampleRows = std::size_t(1) << 18; // a uniform random sample of the cleaned rows
    std::uint64_t seed = 42;

    void validate() const;
};

// One source address over the whole file.
struct StreamSource {
    std::string srcIp; // empty: rows without a source
    std::uint64_t sessions = 0;
    std::uint64_t bytesIn = 0; // sums of the values present
    std::uint64_t bytesOut = 0;
    Instant firstSeen = kMissingInteger;
    Instant lastSeen = kMissingInteger;
    std::uint64_t suspicious = 0; // at the threshold (of the kept rows when not suspiciousComplete)
    double lowestScore = 0.0; // NaN when none kept
    std::uint32_t countryCount = 0;
    std::array<std::string, 3> topCountries; // most sessions first; empty when unused
    std::uint32_t portCount = 0;
    std::array<std::int64_t, 3> topPorts{kMissingInteger, kMissingInteger, kMissingInteger};
};

// The finished summary.
struct StreamView {
    // The suspicious rows (most anomalous first, up to the cap), then the sample's other rows in
    // file order; scores one per row; rows below suspiciousShown are the suspicious ones.
    TrafficTable table;
    std::vector<double> scores;
    std::size_t suspiciousShown = 0;
    std::size_t sampleShown = 0; // sample rows after the suspicious ones (a suspicious sample row is shown once)
    std::uint64_t rowsScored = 0; // every cleaned row of the file
    std::uint64_t suspiciousTotal = 0; // below the threshold in the whole file
    bool suspiciousComplete = true; // every suspicious row is in table (none was past the cap)
    std::vector<StreamSource> sources; // most sessions first, ties by address
    // Rows per value over the whole file (the findings' "rows overall").
    std::unordered_map<std::string, std::uint64_t> countryRows, protocolRows;
    std::unordered_map<std::int64_t, std::uint64_t> portRows;
    Timeline timeline; // every row's (buildTimeline's buckets for the whole file)
    std::vector<std::uint64_t> timelineSuspicious; // per bucket (of the kept suspicious rows)
    bool timelineExact = true; // false when the buckets' alignment did not fall on the kept keys
    // Scores of every row in kScoreBins equal bins over [-1, 0] (lower = more anomalous).
    static constexpr std::size_t kScoreBins = 100;
    std::vector<std::uint64_t> scoreBins;
    std::vector<std::uint64_t> suspiciousScoreBins;
};

class StreamSummary {
public:
    explicit StreamSummary(StreamSummaryParams params = {});
    ~StreamSummary();
    StreamSummary(const StreamSummary&) = delete;
    StreamSummary& operator=(const StreamSummary&) = delete;

    // A chunk of cleaned rows and their scores; firstRow: the index of its first row among the
    // file's cleaned rows. allowed (with an allow-list: per row 1 = a rule matches, StreamParams::
    // onScored): those rows are never suspicious, so they are not kept among the suspicious rows
    // (they may still be in the sample, as normal rows).
    void add(const TrafficTable& table, const std::vector<double>& scores, std::uint64_t firstRow,
             const std::vector<std::uint8_t>* allowed = nullptr);
    // Rows with a score below threshold are suspicious (suspiciousTotal of them in the file).
    StreamView finish(double threshold, std::uint64_t suspiciousTotal);

    static constexpr std::size_t kMaxTimeKeys = std::size_t(1) << 17;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace webthreat

#pragma once

#include "core/util/progress.h"
#include "core/table/traffictable.h"

#include <string>
#include <memory>
#include <vector>

namespace webthreat {

class IpEnricher;

struct CleanParams {
    bool dropDuplicates = true; // drop rows equal to an earlier row in every column
    bool fillBytesInMedian = true; // fill missing bytes_in with the median of the present values
    bool dropMissingAddresses = true; // drop rows lacking src_ip or dst_ip
    bool upperCaseCountries = true; // "us" and "Us" become "US"
    int threads = 0; // for finding duplicates; 0 = all cores (the result is the same)
    // Not cleaning but done here, when the duplicates are known (finding them compares every
    // column): when not empty, the cells of columns not named here (case-insensitive) are
    // released (Column::released) to save memory. bytes_in, bytes_out, creation_time and
    // end_time, which the features need, are always kept.
    std::vector<std::string> keepOnly;
    // Not cleaning either: after it, prepareTable looks up the addresses of the cleaned rows in this
    // location database (core/context/ipenricher.h) into FeatureSet::enrichment. Null: no enrichment.
    std::shared_ptr<const IpEnricher> enricher;

    void validate() const { }
};

// One rule's effect, for the cleaning report.
struct CleanStep {
    std::string name; // short, stable: "drop_duplicates"
    std::string description; // what it did, in the analyst's words
    std::size_t rowsAffected = 0;
};

struct CleanReport {
    std::size_t rowsIn = 0;
    std::size_t rowsOut = 0;
    std::vector<CleanStep> steps;
    std::vector<std::string> warnings;
};

struct CleanResult {
    TrafficTable table;
    CleanReport report;
};

// The notebook's cleaning, in its order: drop exact duplicates, fill missing bytes_in with the
// median, drop rows lacking src_ip or dst_ip, upper-case country codes. (Timestamps are parsed by
// the reader.) Works in place on the table it is given (move a table in to avoid a copy); the
// result shares its strings.
CleanResult cleanTraffic(TrafficTable table, const CleanParams& params = {}, const Progress& progress = {});

} // namespace webthreat

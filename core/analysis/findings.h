#pragma once

#include "core/detect/threshold.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// One value of a column among the suspicious rows: "203.0.113.7 sent 12 of the 15 suspicious".
struct FindingEntry {
    std::string value; // as shown: an IP, a country code, a port, a protocol
    std::size_t count = 0; // suspicious rows with this value
    double share = 0.0; // count / all suspicious rows
    std::size_t totalRows = 0; // rows with this value overall, suspicious or not
    std::int64_t bytesIn = 0; // summed over its suspicious rows
    std::int64_t bytesOut = 0;
};

struct Findings {
    std::size_t rows = 0;
    std::size_t suspicious = 0;
    // Rows below the threshold that the allow-list moved to normal (Verdicts::suppressedCount):
    // in none of the lists.
    std::size_t suppressed = 0;
    double threshold = 0.0;
    Contamination contamination;
    std::vector<FindingEntry> sourceIps; // most suspicious rows first
    std::vector<FindingEntry> countries;
    std::vector<FindingEntry> destinationPorts;
    std::vector<FindingEntry> protocols;
    std::vector<std::size_t> suspiciousRows; // most anomalous first
};

// What the notebook's last step asked the analyst to read off by eye. topN limits each list
// (0 = no limit); suspiciousRows is always complete.
// rows (one byte per table row, 1 = keep; null or another size: every row) narrows it to those
// rows: the workbench's Entities and Timeline selection. Counts, shares, totalRows, suspicious
// and suspiciousRows are then the kept rows' only, and rows is how many were kept.
Findings computeFindings(const TrafficTable& table, const ScoreIndex& scores, const Verdicts& verdicts,
                         std::size_t topN = 10, const std::vector<std::uint8_t>* rows = nullptr);

} // namespace webthreat

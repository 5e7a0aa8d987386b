#pragma once

#include "core/context/ipenricher.h"
#include "core/detect/threshold.h"

#include <string>
#include <vector>

namespace webthreat {

// One autonomous system among the suspicious rows' sources.
struct SuspiciousAs {
    std::uint32_t asn = 0; // 0: sources the database knows no AS for (private, unrouted)
    std::string organisation;
    std::string country; // the database's country of its first suspicious source; "" for asn 0
    std::size_t suspiciousRows = 0;
    std::size_t sources = 0; // distinct suspicious src_ip in it
};

// "Who is on the other end": the suspicious rows' sources by autonomous system, and the rows whose
// file country and database country disagree or whose network the database flags.
struct ContextSummary {
    std::string databasePath;
    std::size_t distinctAddresses = 0;
    std::size_t knownAddresses = 0;
    double seconds = 0.0;
    std::vector<SuspiciousAs> topAs; // by suspicious rows, then AS number
    std::size_t suspiciousAsCount = 0; // distinct ASes among suspicious sources (0 counted)
    std::size_t countryMismatchRows = 0;
    std::size_t countryMismatchSuspicious = 0;
    std::size_t flaggedRows = 0; // source network anonymous proxy, satellite or drop list
    std::size_t flaggedSuspicious = 0;
};

// verdicts may be null (no detection): then only the whole-file counts are filled.
ContextSummary summarizeContext(const TrafficTable& table, const Enrichment& enrichment, const Verdicts* verdicts,
                                std::size_t top = 10);
// The report's section, starting with a blank line and "Who is on the other end".
std::string contextText(const ContextSummary& summary);
// The same facts as one JSON object (text), for analysisJson.
std::string contextJson(const ContextSummary& summary);

} // namespace webthreat

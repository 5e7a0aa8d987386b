#include "core/context/contextreport.h"

#include "core/output/json_internal.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace webthreat {

ContextSummary summarizeContext(const TrafficTable& table, const Enrichment& enrichment, const Verdicts* verdicts,
                                std::size_t top)
{
    ContextSummary summary;
    summary.databasePath = enrichment.databasePath;
    summary.distinctAddresses = enrichment.distinctAddresses;
    summary.knownAddresses = enrichment.knownAddresses;
    summary.seconds = enrichment.seconds;
    constexpr std::uint8_t kFlagged = kAnonymousProxy | kSatelliteProvider | kDropList;
    std::unordered_map<std::uint32_t, SuspiciousAs> byAsn;
    std::vector<std::uint8_t> sourceSeen(table.strings->size(), 0);
    const auto& sources = table.column(Field::SrcIp).text;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        const AddressContext& source = enrichment.source(table, row);
        const bool suspicious = verdicts && verdicts->isSuspicious(row);
        const bool mismatch = enrichment.countryMismatch(table, row);
        const bool flagged = (source.flags & kFlagged) != 0;
        summary.countryMismatchRows += mismatch;
        summary.flaggedRows += flagged;
        if (!suspicious)
            continue;
        summary.countryMismatchSuspicious += mismatch;
        summary.flaggedSuspicious += flagged;
        SuspiciousAs& as = byAsn[source.asn];
        if (as.suspiciousRows++ == 0) {
            as.asn = source.asn;
            as.organisation = std::string(enrichment.organisation(source));
            if (source.asn != 0)
                as.country = std::string(source.countryCode());
        }
        if (!sourceSeen[sources[row]]) {
            sourceSeen[sources[row]] = 1;
            ++as.sources;
        }
    }
    summary.suspiciousAsCount = byAsn.size();
    for (auto& entry : byAsn)
        summary.topAs.push_back(std::move(entry.second));
    std::sort(summary.topAs.begin(), summary.topAs.end(), [](const SuspiciousAs& a, const SuspiciousAs& b) {
        return a.suspiciousRows != b.suspiciousRows ? a.suspiciousRows > b.suspiciousRows : a.asn < b.asn;
    });
    if (summary.topAs.size() > top)
        summary.topAs.resize(top);
    return summary;
}

std::string contextText(const ContextSummary& summary)
{
    std::string out = "\nWho is on the other end (location database " + summary.databasePath + "):\n";
    char line[320];
    std::snprintf(line, sizeof line, "  %zu distinct addresses, %zu of them in a known network; looked up in %.2f s\n",
                  summary.distinctAddresses, summary.knownAddresses, summary.seconds);
    out += line;
    if (!summary.topAs.empty()) {
        std::snprintf(line, sizeof line, "  Suspicious rows by the source's autonomous system (%zu ASes):\n",
                      summary.suspiciousAsCount);
        out += line;
        std::snprintf(line, sizeof line, "  %10s %8s  %-10s %-7s %s\n", "rows", "sources", "AS", "country",
                      "organisation");
        out += line;
        for (const SuspiciousAs& as : summary.topAs) {
            const std::string asText = as.asn ? "AS" + std::to_string(as.asn) : "(none)";
            std::snprintf(line, sizeof line, "  %10zu %8zu  %-10s %-7s %s\n", as.suspiciousRows, as.sources,
                          asText.c_str(), as.country.empty() ? "-" : as.country.c_str(),
                          as.asn == 0                 ? "no AS known (private or unrouted addresses)"
                              : as.organisation.empty() ? "(no name in the database)"
                                                        : as.organisation.c_str());
            out += line;
        }
    }
    std::snprintf(line, sizeof line,
                  "  Country differs from the file's src_ip_country_code: %zu rows (%zu suspicious)\n"
                  "  Source network an anonymous proxy, satellite provider or on a drop list: %zu rows (%zu "
                  "suspicious)\n",
                  summary.countryMismatchRows, summary.countryMismatchSuspicious, summary.flaggedRows,
                  summary.flaggedSuspicious);
    out += line;
    return out;
}

std::string contextJson(const ContextSummary& summary)
{
    Json ases = Json::array();
    for (const SuspiciousAs& as : summary.topAs)
        ases.push_back({{"asn", as.asn == 0 ? Json(nullptr) : Json(as.asn)},
                        {"organisation", as.organisation},
                        {"country", as.country},
                        {"suspicious_rows", as.suspiciousRows},
                        {"sources", as.sources}});
    const Json document{{"database", summary.databasePath},
                        {"distinct_addresses", summary.distinctAddresses},
                        {"known_addresses", summary.knownAddresses},
                        {"seconds", summary.seconds},
                        {"suspicious_as_count", summary.suspiciousAsCount},
                        {"suspicious_by_as", std::move(ases)},
                        {"country_mismatch_rows", summary.countryMismatchRows},
                        {"country_mismatch_suspicious", summary.countryMismatchSuspicious},
                        {"flagged_rows", summary.flaggedRows},
                        {"flagged_suspicious", summary.flaggedSuspicious}};
    return document.dump();
}

} // namespace webthreat

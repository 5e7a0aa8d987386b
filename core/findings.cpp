#include "core/findings.h"

#include <algorithm>
#include <unordered_map>

namespace webthreat {

namespace {

struct Tally {
    std::size_t count = 0;
    std::size_t totalRows = 0;
    std::int64_t bytesIn = 0;
    std::int64_t bytesOut = 0;
};

std::int64_t bytesOrZero(std::int64_t value) noexcept
{
    return value == kMissingInteger ? 0 : value;
}

// Tallies one column by a key per row (a string id or a number); key -1 means missing.
template<typename KeyOf, typename NameOf>
std::vector<FindingEntry> tally(const TrafficTable& table, const Verdicts& verdicts, std::size_t topN,
                                KeyOf keyOf, NameOf nameOf)
{
    std::unordered_map<std::int64_t, Tally> counts;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        Tally& entry = counts[keyOf(row)];
        ++entry.totalRows;
        if (verdicts.isSuspicious(row)) {
            ++entry.count;
            entry.bytesIn += bytesOrZero(bytesIn[row]);
            entry.bytesOut += bytesOrZero(bytesOut[row]);
        }
    }
    std::vector<std::pair<std::int64_t, Tally>> ordered;
    for (const auto& [key, entry] : counts) {
        if (entry.count > 0)
            ordered.emplace_back(key, entry);
    }
    std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        if (a.second.count != b.second.count)
            return a.second.count > b.second.count;
        const std::int64_t bytesA = a.second.bytesIn + a.second.bytesOut;
        const std::int64_t bytesB = b.second.bytesIn + b.second.bytesOut;
        if (bytesA != bytesB)
            return bytesA > bytesB;
        return a.first < b.first;
    });
    if (topN > 0 && ordered.size() > topN)
        ordered.resize(topN);
    std::vector<FindingEntry> entries;
    for (const auto& [key, entry] : ordered) {
        entries.push_back(FindingEntry{nameOf(key), entry.count,
                                       verdicts.suspiciousCount > 0
                                           ? static_cast<double>(entry.count) / static_cast<double>(verdicts.suspiciousCount)
                                           : 0.0,
                                       entry.totalRows, entry.bytesIn, entry.bytesOut});
    }
    return entries;
}

} // namespace

Findings computeFindings(const TrafficTable& table, const ScoreIndex& scores, const Verdicts& verdicts, std::size_t topN)
{
    Findings findings;
    findings.rows = table.rowCount();
    findings.suspicious = verdicts.suspiciousCount;
    findings.threshold = verdicts.threshold;
    findings.contamination = verdicts.contamination;

    auto textTally = [&](Field field) {
        const auto& ids = table.column(field).text;
        return tally(
            table, verdicts, topN, [&](std::size_t row) { return static_cast<std::int64_t>(ids[row]); },
            [&](std::int64_t key) {
                return key == StringPool::kMissing ? std::string("(missing)")
                                                   : std::string(table.strings->view(static_cast<std::uint32_t>(key)));
            });
    };
    findings.sourceIps = textTally(Field::SrcIp);
    findings.countries = textTally(Field::SrcIpCountryCode);
    findings.protocols = textTally(Field::Protocol);
    const auto& ports = table.column(Field::DstPort).integers;
    findings.destinationPorts = tally(
        table, verdicts, topN, [&](std::size_t row) { return ports[row] == kMissingInteger ? -1 : ports[row]; },
        [](std::int64_t key) { return key < 0 ? std::string("(missing)") : std::to_string(key); });

    const auto& ranked = scores.rankedRows();
    findings.suspiciousRows.reserve(verdicts.suspiciousCount);
    for (std::size_t i = 0; i < verdicts.suspiciousCount && i < ranked.size(); ++i)
        findings.suspiciousRows.push_back(ranked[i]);
    return findings;
}

} // namespace webthreat

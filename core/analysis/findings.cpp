#include "core/analysis/findings.h"

#include <algorithm>

namespace webthreat {

namespace {

constexpr std::int64_t kPortKeys = 65536;

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

// Tallies one column by a key per row (a string id or a number; -1 means missing). Only the
// suspicious rows are walked for the counts (among the first belowThreshold() of the ranking, 5 % of the
// file at the default contamination); the one pass over every row counts totalRows for the values
// that made the list, through a dense slot per key, with no hashing.
// kept: the rows counted (null: every row); suspiciousKept: how many suspicious rows it keeps.
struct RowScope {
    const std::vector<std::uint8_t>* kept = nullptr;
    std::size_t suspiciousKept = 0;
    bool keeps(std::size_t row) const noexcept { return !kept || (*kept)[row] != 0; }
};

template <typename KeyOf, typename NameOf>
std::vector<FindingEntry> tally(const TrafficTable& table, const ScoreIndex& scores, const Verdicts& verdicts,
                                std::size_t topN, std::size_t keyRange, const RowScope& scope, KeyOf keyOf,
                                NameOf nameOf)
{
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    const auto& ranked = scores.rankedRows();
    // Rows below the threshold lead the ranking; those the allow-list suppressed are skipped.
    const std::size_t below = std::min(verdicts.belowThreshold(), ranked.size());

    // Dense by key + 1 (slot 0 is "missing"): keys are string ids or ports, both small and dense.
    std::vector<std::uint32_t> slotOf(keyRange + 1, 0);
    std::vector<std::pair<std::int64_t, Tally>> ordered;
    for (std::size_t i = 0; i < below; ++i) {
        const std::size_t row = ranked[i];
        if (!scope.keeps(row) || !verdicts.isSuspicious(row))
            continue;
        const std::int64_t key = keyOf(row);
        std::uint32_t& slot = slotOf[static_cast<std::size_t>(key + 1)];
        if (slot == 0) {
            ordered.emplace_back(key, Tally{});
            slot = static_cast<std::uint32_t>(ordered.size());
        }
        Tally& entry = ordered[slot - 1].second;
        ++entry.count;
        entry.bytesIn += bytesOrZero(bytesIn[row]);
        entry.bytesOut += bytesOrZero(bytesOut[row]);
    }
    const auto byCountThenBytes = [](const auto& a, const auto& b) {
        if (a.second.count != b.second.count)
            return a.second.count > b.second.count;
        const std::int64_t bytesA = a.second.bytesIn + a.second.bytesOut;
        const std::int64_t bytesB = b.second.bytesIn + b.second.bytesOut;
        if (bytesA != bytesB)
            return bytesA > bytesB;
        return a.first < b.first;
    };
    if (topN > 0 && ordered.size() > topN) {
        std::partial_sort(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(topN), ordered.end(),
                          byCountThenBytes);
        for (std::size_t i = topN; i < ordered.size(); ++i)
            slotOf[static_cast<std::size_t>(ordered[i].first + 1)] = 0;
        ordered.resize(topN);
    } else {
        std::sort(ordered.begin(), ordered.end(), byCountThenBytes);
    }
    for (std::size_t i = 0; i < ordered.size(); ++i)
        slotOf[static_cast<std::size_t>(ordered[i].first + 1)] = static_cast<std::uint32_t>(i + 1);
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        if (!scope.keeps(row))
            continue;
        if (const std::uint32_t slot = slotOf[static_cast<std::size_t>(keyOf(row) + 1)])
            ++ordered[slot - 1].second.totalRows;
    }

    std::vector<FindingEntry> entries;
    entries.reserve(ordered.size());
    for (const auto& [key, entry] : ordered) {
        entries.push_back(FindingEntry{nameOf(key), entry.count,
                                       scope.suspiciousKept > 0 ? static_cast<double>(entry.count)
                                               / static_cast<double>(scope.suspiciousKept)
                                                                : 0.0,
                                       entry.totalRows, entry.bytesIn, entry.bytesOut});
    }
    return entries;
}

} // namespace

Findings computeFindings(const TrafficTable& table, const ScoreIndex& scores, const Verdicts& verdicts,
                         std::size_t topN, const std::vector<std::uint8_t>* rows)
{
    Findings findings;
    RowScope scope{rows && rows->size() == table.rowCount() ? rows : nullptr, verdicts.suspiciousCount};
    const auto& ranked = scores.rankedRows();
    findings.suspiciousRows.reserve(verdicts.suspiciousCount);
    for (std::size_t i = 0; i < verdicts.belowThreshold() && i < ranked.size(); ++i) {
        if (scope.keeps(ranked[i]) && verdicts.isSuspicious(ranked[i]))
            findings.suspiciousRows.push_back(ranked[i]);
    }
    if (scope.kept)
        scope.suspiciousKept = findings.suspiciousRows.size();
    findings.rows = scope.kept ? static_cast<std::size_t>(std::count_if(scope.kept->begin(), scope.kept->end(),
                                                                        [](std::uint8_t keep) { return keep != 0; }))
                               : table.rowCount();
    findings.suspicious = scope.suspiciousKept;
    findings.suppressed = verdicts.suppressedCount;
    findings.threshold = verdicts.threshold;
    findings.contamination = verdicts.contamination;

    auto textTally = [&](Field field) {
        const auto& ids = table.column(field).text;
        return tally(
            table, scores, verdicts, topN, table.strings->size(), scope,
            [&](std::size_t row) {
                return ids[row] == StringPool::kMissing ? std::int64_t(-1) : static_cast<std::int64_t>(ids[row]);
            },
            [&](std::int64_t key) {
                return key < 0 ? std::string("(missing)")
                               : std::string(table.strings->view(static_cast<std::uint32_t>(key)));
            });
    };
    findings.sourceIps = textTally(Field::SrcIp);
    findings.countries = textTally(Field::SrcIpCountryCode);
    findings.protocols = textTally(Field::Protocol);
    const auto& ports = table.column(Field::DstPort).integers;
    // Readers refuse ports outside 0..65535 (they become missing), so a port is its own dense key.
    findings.destinationPorts = tally(
        table, scores, verdicts, topN, kPortKeys, scope,
        [&](std::size_t row) { return ports[row] >= 0 && ports[row] < kPortKeys ? ports[row] : std::int64_t(-1); },
        [](std::int64_t key) { return key < 0 ? std::string("(missing)") : std::to_string(key); });
    return findings;
}

} // namespace webthreat

#pragma once

#include <QImage>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace webthreat {

struct AnalysisSnapshot;
struct ThreatMatches;

// The rows with src_ip or dst_ip on a threat list, ascending, and only those inside mask (one
// byte per table row, 1 = keep) when it is given and fits. One pass over the matches: the views
// call it when the lists or the view filter change, never per paint.
std::vector<std::uint32_t> listedRows(const ThreatMatches& matches, const std::vector<std::uint8_t>* mask = nullptr);

// The listed rows of snapshot (empty without matches, or matches of other data).
std::vector<std::uint32_t> listedRows(const AnalysisSnapshot& snapshot,
                                      const std::vector<std::uint8_t>* mask = nullptr);

// "abuse-ip;tor-exits": the lists row's src_ip or dst_ip is on; empty when none or no matches.
QString listNames(const ThreatMatches* matches, std::size_t row);

// The cross every chart marks a listed row with (chartstyle::threatListColor on a halo of the
// card's colour), size pixels square: a point of the scatter, a legend entry.
QImage threatListMarker(int size, qreal devicePixelRatio = 1.0);

// What the listed rows inside mask come to, for a sentence: rows, their suspicious ones (0 without
// verdicts) and their distinct sources.
struct ListedCount {
    std::size_t rows = 0;
    std::size_t suspiciousRows = 0;
    std::size_t sources = 0;
};
ListedCount countListed(const AnalysisSnapshot& snapshot, const std::vector<std::uint32_t>& rows);

} // namespace webthreat

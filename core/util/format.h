#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace webthreat {

// Numbers, counts and sizes as the analyst reads them: what the explanations, the text and JSON
// reports, the provenance and the views all write the same way.

// A number with the shortest exact decimal form: 0.05, 600, 1.5e+07. NaN is the empty string.
std::string formatNumber(double value);
// 5000 -> "5,000": counts as the analyst reads them.
std::string groupedCount(std::uint64_t count);
// 25207794 -> "25.2 MB" (decimal units, as network tools count).
std::string formatBytes(double bytes);
// 3221225472 -> "3.0 GiB" (binary units, as memory is counted).
std::string formatGiB(std::uint64_t bytes);
// 0.023 -> "2.3 %" (decimals 1), "2.30 %" (decimals 2): a share written as a percentage.
std::string formatShare(double share, int decimals = 1);
// A contamination share as the Detector panel's box shows it, and so everywhere: 0.023 -> "2.30 %".
std::string formatContaminationShare(double share);

} // namespace webthreat

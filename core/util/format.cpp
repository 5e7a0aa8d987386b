#include "core/util/format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace webthreat {

std::string formatNumber(double value)
{
    if (std::isnan(value))
        return {};
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)error;
    return std::string(buffer, end);
}

std::string groupedCount(std::uint64_t count)
{
    std::string digits = std::to_string(count);
    for (std::size_t at = digits.size(); at > 3; at -= 3)
        digits.insert(at - 3, 1, ',');
    return digits;
}

std::string formatBytes(double bytes)
{
    static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    double value = bytes;
    while (std::fabs(value) >= 1000.0 && unit < 5) {
        value /= 1000.0;
        ++unit;
    }
    char buffer[64];
    if (unit == 0)
        std::snprintf(buffer, sizeof buffer, "%.0f %s", value, kUnits[unit]);
    else
        std::snprintf(buffer, sizeof buffer, "%.1f %s", value, kUnits[unit]);
    return buffer;
}

std::string formatGiB(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1u << 30));
    return text;
}

std::string formatShare(double share, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f %%", decimals, share * 100.0);
    return text;
}

std::string formatContaminationShare(double share)
{
    return formatShare(share, 2);
}

} // namespace webthreat

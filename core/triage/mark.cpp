#include "core/triage/mark.h"

#include <string>

namespace webthreat {

std::string_view markName(Mark mark) noexcept
{
    switch (mark) {
    case Mark::Malicious: return "malicious";
    case Mark::Benign: return "benign";
    case Mark::NeedsReview: return "needs_review";
    case Mark::None: break;
    }
    return "";
}

std::string_view markLabel(Mark mark) noexcept
{
    switch (mark) {
    case Mark::Malicious: return "Malicious";
    case Mark::Benign: return "Benign";
    case Mark::NeedsReview: return "Needs review";
    case Mark::None: break;
    }
    return "";
}

std::optional<Mark> parseMark(std::string_view text) noexcept
{
    std::string key;
    for (char c : text) {
        if (c == ' ' || c == '-' || c == '_')
            continue;
        key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (key.empty() || key == "none" || key == "cleared")
        return Mark::None;
    if (key == "malicious")
        return Mark::Malicious;
    if (key == "benign")
        return Mark::Benign;
    if (key == "needsreview")
        return Mark::NeedsReview;
    return std::nullopt;
}

} // namespace webthreat

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace webthreat {

// An analyst's verdict on a row or on a source address. None: not reviewed, or cleared.
enum class Mark : std::uint8_t {
    None = 0,
    Malicious = 1,
    Benign = 2,
    NeedsReview = 3,
};

// "malicious", "benign", "needs_review"; "" for None. What files (workspace, exports) store.
std::string_view markName(Mark mark) noexcept;
// "Malicious", "Benign", "Needs review"; "" for None. What the views show.
std::string_view markLabel(Mark mark) noexcept;
// A name or a label, ignoring ASCII case and '_'/' '/'-' differences ("Needs review", "needs-review").
// "" and "none"/"cleared" are None. nullopt for anything else.
std::optional<Mark> parseMark(std::string_view text) noexcept;

} // namespace webthreat

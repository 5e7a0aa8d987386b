#pragma once

#include "core/table/traffictable.h"
#include "core/triage/mark.h"
#include "core/triage/workspace.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace webthreat {

// Where a row's mark comes from.
enum class MarkOrigin : std::uint8_t {
    None = 0,
    Row = 1, // set on the row itself
    Source = 2, // its source address's verdict, set on this file
    EarlierFile = 3, // its source address's verdict, set on another file ("from an earlier file")
};

// The analyst's marks laid over one table's rows: a row's own mark wins over its source's. An
// immutable snapshot like the rest of the views' data; a change makes a new one.
struct TableTriage {
    std::string fileSha256;
    std::vector<Mark> marks; // per table row: the effective mark
    std::vector<MarkOrigin> origins; // per table row
    std::unordered_map<std::uint32_t, std::string> notes; // by table row: the row's note, else its source's
    std::unordered_map<std::uint32_t, SourceMark> sources; // by interned src_ip id: the source verdicts present
    std::size_t counts[4] = {0, 0, 0, 0}; // rows per Mark value

    bool empty() const noexcept { return counts[1] + counts[2] + counts[3] == 0; }
    Mark mark(std::size_t row) const noexcept { return row < marks.size() ? marks[row] : Mark::None; }
    std::size_t count(Mark mark) const noexcept { return counts[static_cast<int>(mark)]; }
    std::size_t reviewed() const noexcept { return counts[1] + counts[2]; } // malicious or benign
    const std::string* note(std::size_t row) const;
};

// Lays row marks (of fileSha256, by source line) and source marks (by src_ip) over table.
TableTriage layTriage(const TrafficTable& table, const std::string& fileSha256, const std::vector<RowMark>& rowMarks,
                      const std::vector<SourceMark>& sourceMarks);

} // namespace webthreat

#include "core/triage/tabletriage.h"

#include <algorithm>
#include <string_view>

namespace webthreat {

const std::string* TableTriage::note(std::size_t row) const
{
    const auto it = notes.find(static_cast<std::uint32_t>(row));
    return it == notes.end() ? nullptr : &it->second;
}

TableTriage layTriage(const TrafficTable& table, const std::string& fileSha256, const std::vector<RowMark>& rowMarks,
                      const std::vector<SourceMark>& sourceMarks)
{
    TableTriage triage;
    triage.fileSha256 = fileSha256;
    const std::size_t rows = table.rowCount();
    triage.marks.assign(rows, Mark::None);
    triage.origins.assign(rows, MarkOrigin::None);

    // Source verdicts by interned id: one lookup per distinct address, not per row.
    const Column& sources = table.column(Field::SrcIp);
    if (!sourceMarks.empty() && sources.text.size() == rows) {
        for (const SourceMark& mark : sourceMarks) {
            const std::uint32_t id = table.strings->find(mark.ip);
            if (id != StringPool::kMissing && (mark.mark != Mark::None || !mark.note.empty()))
                triage.sources.emplace(id, mark);
        }
        if (!triage.sources.empty()) {
            // A dense table by interned id: one array read per row, not a hash lookup (a mark
            // re-lays every row on the GUI thread).
            std::vector<const SourceMark*> byId(table.strings->size(), nullptr);
            for (const auto& [id, mark] : triage.sources)
                byId[id] = &mark;
            for (std::size_t row = 0; row < rows; ++row) {
                const SourceMark* mark = byId[sources.text[row]];
                if (!mark)
                    continue;
                triage.marks[row] = mark->mark;
                triage.origins[row] = mark->fileSha256 == fileSha256 ? MarkOrigin::Source : MarkOrigin::EarlierFile;
                if (!mark->note.empty())
                    triage.notes[static_cast<std::uint32_t>(row)] = mark->note;
            }
        }
    }

    // Row marks by source line. The readers keep the file's order, so sourceLines ascend; a table
    // made otherwise is searched through a map.
    const auto& lines = table.sourceLines;
    const bool ascending = std::is_sorted(lines.begin(), lines.end());
    std::unordered_map<std::uint32_t, std::size_t> rowOfLine;
    if (!ascending && !rowMarks.empty())
        for (std::size_t row = 0; row < lines.size(); ++row)
            rowOfLine.emplace(lines[row], row);
    for (const RowMark& mark : rowMarks) {
        if (mark.fileSha256 != fileSha256)
            continue;
        std::size_t row = 0;
        if (ascending) {
            const auto it = std::lower_bound(lines.begin(), lines.end(), mark.line);
            if (it == lines.end() || *it != mark.line)
                continue;
            row = static_cast<std::size_t>(it - lines.begin());
        } else {
            const auto it = rowOfLine.find(mark.line);
            if (it == rowOfLine.end())
                continue;
            row = it->second;
        }
        if (mark.mark != Mark::None) {
            triage.marks[row] = mark.mark;
            triage.origins[row] = MarkOrigin::Row;
        }
        if (!mark.note.empty())
            triage.notes[static_cast<std::uint32_t>(row)] = mark.note;
    }
    for (const Mark mark : triage.marks)
        ++triage.counts[static_cast<int>(mark)];
    return triage;
}

} // namespace webthreat

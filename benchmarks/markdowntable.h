#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace webthreat::bench {

// value with a fixed number of decimals, for table cells.
inline std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// One row of the benchmarks' result tables: what was measured, its figure, the target, the margin.
using TableRow = std::array<std::string, 4>;

// Prints a Markdown table with each column padded to its widest cell, so it reads as well in a
// terminal as in BENCHMARKS.md.
inline void printMarkdownTable(const TableRow& header, const std::vector<TableRow>& rows, std::ostream& out = std::cout)
{
    std::array<std::size_t, 4> widths{};
    for (std::size_t c = 0; c < widths.size(); ++c) {
        widths[c] = header[c].size();
        for (const TableRow& row : rows)
            widths[c] = std::max(widths[c], row[c].size());
    }
    auto line = [&](const TableRow& cells) {
        out << "|";
        for (std::size_t c = 0; c < cells.size(); ++c)
            out << " " << cells[c] << std::string(widths[c] - cells[c].size(), ' ') << " |";
        out << "\n";
    };
    line(header);
    line({std::string(widths[0], '-'), std::string(widths[1], '-'), std::string(widths[2], '-'),
          std::string(widths[3], '-')});
    for (const TableRow& row : rows)
        line(row);
    out << std::flush;
}

} // namespace webthreat::bench

#pragma once

// Test input for the streaming path: generated traffic with what cleaning must handle across chunk
// boundaries - exact duplicates far from their originals, missing bytes_in, rows without a source,
// lower-case countries, quoted fields holding commas and line ends.
#include "generator/generator.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace webthreat::testing {

inline std::string messyTraffic(std::size_t rows, std::uint64_t seed = 7)
{
    GeneratorParams params;
    params.rows = rows;
    params.seed = seed;
    std::ostringstream generated;
    generateTraffic(generated, params);
    std::istringstream in(generated.str());
    std::string header;
    std::getline(in, header);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    std::string out = header + "\n";
    std::vector<std::string> duplicates;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = lines[i];
        if (line.find('"') == std::string::npos) {
            std::vector<std::string> cells;
            std::size_t start = 0;
            for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
                cells.push_back(line.substr(start, comma - start));
            cells.push_back(line.substr(start));
            if (i % 97 == 3)
                cells[0].clear(); // bytes_in
            if (i % 211 == 5)
                cells[4].clear(); // src_ip
            if (i % 13 == 1)
                for (char& c : cells[5])
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (i % 37 == 2)
                cells[10] = "\"multi\nline, rule\"";
            line.clear();
            for (std::size_t c = 0; c < cells.size(); ++c)
                line += (c ? "," : "") + cells[c];
        }
        out += line + "\n";
        if (i % 50 == 7)
            duplicates.push_back(line);
    }
    for (const std::string& line : duplicates)
        out += line + "\n";
    return out;
}

// A scored CSV's rows, split on commas and line ends outside quotes (the quotes kept in the cells:
// both files compared re-quote the same way).
inline std::vector<std::vector<std::string>> csvRows(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted;
        if (c == ',' && !quoted) {
            row.push_back(cell), cell.clear();
        } else if (c == '\n' && !quoted) {
            row.push_back(cell), cell.clear();
            rows.push_back(std::move(row)), row.clear();
        } else {
            cell.push_back(c);
        }
    }
    return rows;
}

inline bool writeText(const std::string& path, const std::string& text)
{
    std::ofstream file(path, std::ios::binary);
    file << text;
    return bool(file);
}

} // namespace webthreat::testing

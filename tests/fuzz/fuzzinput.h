// What the focused fuzz targets share: the input as a stream of bytes, and reading options that
// vary with the input without taking bytes from it (so real files seed the corpus as they are).
#pragma once

#include "core/io/decompress.h"
#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/errors.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace fuzzing {

// The bytes of text, handed out as a file would hand them out.
class MemoryStream {
public:
    explicit MemoryStream(std::string_view text)
        : m_text(text)
    {
    }
    webthreat::ByteReader reader()
    {
        return [this](char* into, std::size_t capacity) {
            const std::size_t take = std::min(capacity, m_text.size() - m_offset);
            std::memcpy(into, m_text.data() + m_offset, take);
            m_offset += take;
            return take;
        };
    }
    double fraction() const
    {
        return m_text.empty() ? 1.0 : static_cast<double>(m_offset) / static_cast<double>(m_text.size());
    }

private:
    std::string_view m_text;
    std::size_t m_offset = 0;
};

// One thread, a small block and a small record limit picked from the input's length and last byte,
// so records are cut by block ends and refused as too long at every place (carried across blocks,
// in the header, inside one block) as the fuzzer grows and changes inputs.
inline webthreat::ReadOptions smallReadOptions(std::string_view text)
{
    webthreat::ReadOptions options;
    options.threads = 1;
    options.memoryBudget = 32u << 20;
    const unsigned last = text.empty() ? 0u : static_cast<unsigned char>(text.back());
    options.blockBytes = 64 + (text.size() * 31 + last) % 2048;
    options.maxRecordBytes = 64 + (last * 97 + text.size()) % 8192;
    return options;
}

// A log reader's outcome on text in words: every cell, line number and count of its table and
// report, or the message it refused with.
inline std::string outcomeOf(
    std::string_view text, int threads,
    const std::function<webthreat::ReadResult(const webthreat::ByteReader&, const std::function<double()>&,
                                              const webthreat::ReadOptions&)>& read)
{
    webthreat::ReadOptions options = smallReadOptions(text);
    options.threads = threads;
    MemoryStream stream(text);
    std::string said;
    try {
        const webthreat::ReadResult result = read(stream.reader(), [&] { return stream.fraction(); }, options);
        const webthreat::ReadReport& report = result.report;
        said = report.format + "|" + std::to_string(report.lines) + "|" + std::to_string(report.bytes) + "|"
            + std::to_string(report.blankLines) + "|" + std::to_string(report.malformed.count) + "|"
            + std::to_string(report.invalidCellCount()) + "\n";
        for (const std::string& warning : report.warnings)
            said += warning + "\n";
        for (std::uint32_t line : result.table.sourceLines)
            said += std::to_string(line) + ",";
        for (std::size_t c = 0; c < result.table.columnCount(); ++c) {
            said += "\n" + result.table.columns[c].name + ":";
            for (std::size_t row = 0; row < result.table.rowCount(); ++row)
                said += result.table.cellText(c, row) + "\t";
        }
    } catch (const webthreat::Error& error) {
        said = std::string("refused: ") + error.what();
    }
    return said;
}

// The log readers read blocks in pieces on several threads (readLogLinesInPieces): one thread and
// three must give the same table and report, or the same refusal. A difference is a finding.
inline void requireSameOnThreads(
    std::string_view text,
    const std::function<webthreat::ReadResult(const webthreat::ByteReader&, const std::function<double()>&,
                                              const webthreat::ReadOptions&)>& read)
{
    if (outcomeOf(text, 1, read) != outcomeOf(text, 3, read))
        std::abort();
}

} // namespace fuzzing

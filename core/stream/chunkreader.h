#pragma once

#include "core/stream/chunksource.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace webthreat {

class TextSource;

// A traffic CSV (plain or compressed in any way textsource.h reads, recognised by its magic bytes) read as a sequence of tables of about
// chunkBytes of text each, so that memory stays bounded whatever the file's size. Each chunk is cut
// at a record boundary (a line end outside quotes) and parsed by the CSV reader itself
// (readTrafficCsvText with the file's header line before it), so the streaming path has no parser
// of its own: every rule of csvreader.h applies to every chunk. Rows' sourceLines are the file's
// lines, and an InputError from a chunk names the file's line. Line numbers count LF line ends (a
// file whose records end in a lone CR is read, but its lines are counted as one).
class CsvChunkReader final : public ChunkSource {
public:
    CsvChunkReader(const std::string& path, ReadOptions options, std::size_t chunkBytes = std::size_t(64) << 20);
    // Reads text already opened (openChunkSource looked at its start to choose the format).
    CsvChunkReader(std::unique_ptr<TextSource> text, ReadOptions options, std::size_t chunkBytes);
    CsvChunkReader(const CsvChunkReader&) = delete;
    CsvChunkReader& operator=(const CsvChunkReader&) = delete;
    ~CsvChunkReader() override;

    // Reads the next chunk into chunk; false at the end of the file (chunk left empty).
    bool next(ReadResult& chunk, const Progress& progress = {}) override;

    // The file's size on disk, and how much of it is consumed, in [0, 1].
    std::uint64_t fileBytes() const noexcept;
    double fraction() const noexcept override;
    // Text bytes (decompressed) handed to the parser so far, header excluded.
    std::uint64_t textBytes() const noexcept override { return m_textBytes; }
    bool compressed() const noexcept override;
    // The chunks' reports added up: rows, lines, blank lines, malformed rows and the first
    // chunk's header, absent and extra columns.
    const ReadReport& report() const noexcept override { return m_report; }

private:
    std::size_t readRaw(char* into, std::size_t capacity);
    bool fill(std::size_t wanted);
    std::size_t recordEnd();
    void takeHeader();
    void addReport(const ReadReport& chunk);
    void describeFormat();

    std::string m_path;
    ReadOptions m_options;
    std::size_t m_chunkBytes;
    std::unique_ptr<TextSource> m_text;
    std::uint64_t m_textBytes = 0;
    bool m_eof = false;
    // The header record with its line end (nothing without a header), then text read but not yet
    // handed out, from m_bodyStart, which is a record boundary.
    std::string m_pending;
    std::size_t m_bodyStart = 0;
    std::int64_t m_headerLines = 0;
    std::int64_t m_nextLine = 1; // the file's line where m_pending starts
    bool m_started = false;
    std::size_t m_scanned = 0; // recordEnd's progress through m_pending
    bool m_scanQuoted = false;
    std::size_t m_scanEnd = 0;
    ReadReport m_report;
    std::string m_readAs; // the first chunk's report.format
};

} // namespace webthreat

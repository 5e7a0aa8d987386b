#pragma once

#include "core/stream/chunksource.h"

#include <cstdint>
#include <memory>
#include <string>

namespace webthreat {

class TextSource;

// A VPC Flow Log, load-balancer log or Zeek conn.log (TSV or JSON lines), plain or compressed, read
// as a sequence of tables of about chunkBytes of text each. A chunk is cut at a line end (LF) and
// parsed by the format's own reader (readVpcFlowLog, readElbLog, readZeekConnLog) over that text,
// so every rule and error of the reader applies. The layout a header set carries over: each later
// chunk is parsed with the header lines in force re-fed before it (VPC: the last header line seen;
// Zeek TSV: the last of each '#' meta line, #separator, #fields, #types, ...), and line numbers are
// shifted back to the file's (rows' sourceLines, malformed and invalid cells' lines, and the line
// of an InputError). Warnings are the first chunk's; counts add up over every chunk. Every chunk
// has the extra columns seen so far (ChunkSource::extraColumns), in the whole file's order.
// What differs from the whole file's read: a VPC Flow Log's two directions of a flow are joined
// into one row only when both records are in the same chunk (notes() says so); a chunk is not cut
// between two records of a flow written one after the other.
class LogChunkReader final : public ChunkSource {
public:
    LogChunkReader(std::unique_ptr<TextSource> text, InputFormat format, ReadOptions options,
                   std::size_t chunkBytes = std::size_t(64) << 20);
    LogChunkReader(const LogChunkReader&) = delete;
    LogChunkReader& operator=(const LogChunkReader&) = delete;
    ~LogChunkReader() override;

    bool next(ReadResult& chunk, const Progress& progress = {}) override;
    double fraction() const noexcept override;
    std::uint64_t textBytes() const noexcept override { return m_textBytes; }
    bool compressed() const noexcept override;
    const ReadReport& report() const noexcept override { return m_report; }
    std::vector<std::string> notes() const override;
    InputFormat format() const noexcept { return m_format; }
    ColumnLayout extraColumns() const override { return m_columns; }
    void startFrom(const ColumnLayout& layout) override;

private:
    bool fill(std::size_t wanted);
    std::size_t cutPoint(const Progress& progress);
    std::size_t keepPairTogether(std::size_t cut);
    ReadResult parse(std::string_view prefix, std::string_view body, const Progress& progress) const;
    ReadResult parseChunk(std::string_view body, const Progress& progress);
    void keepHeaderLines(std::string_view body);
    void keepWitness(std::string_view body, std::int64_t wanted);
    void addReport(const ReadReport& chunk);
    void describeFormat();
    void conform(TrafficTable& table);

    std::unique_ptr<TextSource> m_text;
    InputFormat m_format;
    ReadOptions m_options;
    std::size_t m_chunkBytes;
    std::string m_path;
    std::string m_pending; // text read but not yet handed out; starts at a line start
    bool m_eof = false;
    bool m_first = true;
    std::int64_t m_nextLine = 1; // the file's line where m_pending starts
    std::uint64_t m_textBytes = 0;
    std::size_t m_chunks = 0;
    // The header lines in force, re-fed before each later chunk: keys ("#fields", or "" for a VPC
    // header) and lines, in the order first seen.
    std::vector<std::pair<std::string, std::string>> m_header;
    // A line that made a row, for a later chunk of only unusable lines (see parseChunk).
    std::string m_witness;
    ReadReport m_report;
    std::string m_readAs; // the first chunk's report.format
    ColumnLayout m_columns; // the extra columns seen so far (or given), first seen first
};

} // namespace webthreat

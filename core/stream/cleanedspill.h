#pragma once

#include "core/stream/chunksource.h"
#include "core/table/traffictable.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webthreat {

// Pass 1's cleaned chunks kept on disk for pass 2 (core/stream/streamanalysis.h), so that pass 2
// reads them back instead of reading, parsing and cleaning the file again (the parse was about
// half of each pass). A chunk is stored whole and exactly: every column (its cells, or its one
// value when uniform), the row's lines and the chunk's string pool in id order, so the table read
// back is the one written, ids and all, and every score, verdict and count made from it is the
// re-parse's. Integer and timestamp cells are stored as offsets from the chunk's least value in the
// fewest bytes that hold them (a port in 2, a byte count in 4), text ids in as few bytes as the
// pool needs: 61 bytes a row of the generated CSV's 211 (0.29 bytes per byte).
// The file is made in the scratch folder (scratchDir; empty: $TMPDIR, else /tmp) and unlinked at
// once, so it goes when the spill is destroyed or the process ends, however it ends. A write that
// fails (a full disk) throws OutputError naming the file; memory holds one chunk's bytes at a time.
class CleanedSpill {
public:
    explicit CleanedSpill(const std::string& scratchDir);
    ~CleanedSpill();
    CleanedSpill(const CleanedSpill&) = delete;
    CleanedSpill& operator=(const CleanedSpill&) = delete;

    // Adds a chunk after the ones already stored.
    void append(const TrafficTable& table);
    // Forgets every chunk (pass 1 gathering again from the start).
    void clear();
    std::size_t chunks() const noexcept { return m_offsets.size() - 1; }
    std::uint64_t bytes() const noexcept { return m_offsets.back(); }
    std::uint64_t rows() const noexcept { return m_rows; }
    // The chunk-th chunk as it was appended (buffer: room for its bytes, kept by the caller).
    void read(std::size_t chunk, TrafficTable& table, std::vector<unsigned char>& buffer) const;
    // Where the file was made (it has no name once made: for messages).
    const std::string& path() const noexcept { return m_path; }

    // A table's encoding and its decoding, apart from the file (for tests).
    static void encode(const TrafficTable& table, std::vector<unsigned char>& bytes);
    static void decode(const unsigned char* bytes, std::size_t size, TrafficTable& table);

private:
    std::string m_path;
    int m_fd = -1;
    std::vector<std::uint64_t> m_offsets{0}; // where each chunk starts, and the end
    std::uint64_t m_rows = 0;
    std::vector<unsigned char> m_buffer;
};

// The spill's chunks in order, as a chunk source (so that PrefetchingChunkSource reads the next one
// while the caller scores the current one). Each chunk's table is the cleaned one pass 1 stored; its
// report is empty (pass 1 added the file's up). The spill must outlive the source and not change.
class CleanedSpillSource final : public ChunkSource {
public:
    explicit CleanedSpillSource(const CleanedSpill& spill)
        : m_spill(spill)
    {
    }
    bool next(ReadResult& chunk, const Progress& progress = {}) override;
    double fraction() const noexcept override
    {
        return m_spill.chunks() ? static_cast<double>(m_next) / static_cast<double>(m_spill.chunks()) : 1.0;
    }
    std::uint64_t textBytes() const noexcept override { return 0; }
    bool compressed() const noexcept override { return false; }
    const ReadReport& report() const noexcept override { return m_report; }

private:
    const CleanedSpill& m_spill;
    std::size_t m_next = 0;
    std::vector<unsigned char> m_buffer;
    ReadReport m_report;
};

} // namespace webthreat

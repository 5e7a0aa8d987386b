#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace webthreat {

// A traffic file of any format the in-memory path reads, handed out as a sequence of tables of
// about chunkBytes of text each, so that memory stays bounded whatever the file's size. Each chunk
// is parsed by the format's own reader: rows' sourceLines and every error's line are the file's.
class ChunkSource {
public:
    virtual ~ChunkSource() = default;
    // Reads the next chunk into chunk; false at the end of the file (chunk left empty).
    virtual bool next(ReadResult& chunk, const Progress& progress = {}) = 0;
    // How much of the file on disk is consumed, in [0, 1].
    virtual double fraction() const noexcept = 0;
    // Text bytes (decompressed) handed to the parser so far, re-fed headers excluded.
    virtual std::uint64_t textBytes() const noexcept = 0;
    virtual bool compressed() const noexcept = 0;
    // The chunks' reports added up.
    virtual const ReadReport& report() const noexcept = 0;
    // How reading in chunks differs from reading the file whole, in sentences (none for CSV).
    virtual std::vector<std::string> notes() const { return {}; }

    // The extra columns (past the schema's) seen so far, in the order the whole file's read has them
    // (first seen first). A log's records may name different fields (Zeek's JSON leaves unset ones
    // out, a load-balancer log mixes kinds of entry), so chunks differ in their extra columns: each
    // chunk is handed out with those seen so far, in that order, the ones it lacks all missing.
    using ColumnLayout = std::vector<std::pair<std::string, ColumnKind>>;
    virtual ColumnLayout extraColumns() const { return {}; }
    // Starts from a layout known from an earlier pass over the same file, so that every chunk has
    // the whole file's extra columns (a CSV's are its header's: nothing to do).
    virtual void startFrom(const ColumnLayout& layout) { (void)layout; }
};

// The chunk source for path (FILE:MEMBER for an archive's member): its packing by magic bytes, its
// format chosen as readTrafficFile chooses it (options.format, a CSV layout given, else detected).
// CSV goes to CsvChunkReader, the log formats to LogChunkReader. Throws InputError as the
// in-memory readers do (a file that cannot be opened, a corrupt archive, a format nothing fits).
std::unique_ptr<ChunkSource> openChunkSource(const std::string& path, const ReadOptions& options,
                                             std::size_t chunkBytes = std::size_t(64) << 20);

} // namespace webthreat

#pragma once

#include "core/stream/chunksource.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

namespace webthreat {

// A chunk source that reads and parses the next chunk on a thread of its own while the caller
// cleans, hashes or scores the one it was handed, so that the read and the parse no longer leave a
// core idle between chunks. At most one chunk is read ahead: two chunks' tables are alive at once
// (the caller's and the next), never more.
// The chunks, their rows, lines, reports and errors are exactly the wrapped source's, in the same
// order: an error met reading chunk k is thrown by the call to next() that would have returned it,
// after chunks 0..k-1 were handed out. Cancel (the progress's flag) stops the read-ahead within one
// chunk's parse.
// report(), notes() and extraColumns() are the wrapped source's once next() has returned false (the
// thread has ended then); fraction() and textBytes() are those of the last chunk handed out.
// startFrom() must come before the first next().
class PrefetchingChunkSource final : public ChunkSource {
public:
    explicit PrefetchingChunkSource(std::unique_ptr<ChunkSource> source);
    PrefetchingChunkSource(const PrefetchingChunkSource&) = delete;
    PrefetchingChunkSource& operator=(const PrefetchingChunkSource&) = delete;
    ~PrefetchingChunkSource() override;

    bool next(ReadResult& chunk, const Progress& progress = {}) override;
    double fraction() const noexcept override { return m_fraction; }
    std::uint64_t textBytes() const noexcept override { return m_textBytes; }
    bool compressed() const noexcept override { return m_compressed; }
    const ReadReport& report() const noexcept override { return m_source->report(); }
    std::vector<std::string> notes() const override { return m_source->notes(); }
    ColumnLayout extraColumns() const override { return m_source->extraColumns(); }
    void startFrom(const ColumnLayout& layout) override;

private:
    struct Slot {
        ReadResult chunk;
        bool more = false;
        double fraction = 0.0;
        std::uint64_t textBytes = 0;
        std::exception_ptr error;
    };
    void readAhead(const std::atomic<bool>* cancel);
    void stop();

    std::unique_ptr<ChunkSource> m_source;
    bool m_compressed = false;
    double m_fraction = 0.0;
    std::uint64_t m_textBytes = 0;
    bool m_ended = false;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    Slot m_slot;
    bool m_full = false; // m_slot holds a chunk not yet handed out
    bool m_stop = false;
};

// openChunkSource's source, read ahead on a thread of its own unless threads is 1 (the caller asked
// for one core).
std::unique_ptr<ChunkSource> openPrefetchedChunkSource(const std::string& path, const ReadOptions& options,
                                                       std::size_t chunkBytes);

} // namespace webthreat

#include "core/stream/prefetchsource.h"

#include <stdexcept>
#include <utility>

namespace webthreat {

PrefetchingChunkSource::PrefetchingChunkSource(std::unique_ptr<ChunkSource> source)
    : m_source(std::move(source))
    , m_compressed(m_source->compressed())
{
}

PrefetchingChunkSource::~PrefetchingChunkSource()
{
    stop();
}

void PrefetchingChunkSource::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PrefetchingChunkSource::startFrom(const ColumnLayout& layout)
{
    if (m_thread.joinable() || m_ended)
        throw std::logic_error("PrefetchingChunkSource::startFrom after the first chunk");
    m_source->startFrom(layout);
}

// The thread's loop: wait until the slot is empty (the caller took the last chunk: only then is the
// next one read, so that no more than one chunk waits), read one, hand it over.
void PrefetchingChunkSource::readAhead(const std::atomic<bool>* cancel)
{
    const Progress progress({}, cancel);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return !m_full || m_stop; });
            if (m_stop)
                return;
        }
        Slot slot;
        try {
            slot.more = m_source->next(slot.chunk, progress);
            slot.fraction = m_source->fraction();
            slot.textBytes = m_source->textBytes();
        } catch (...) {
            slot.error = std::current_exception();
            slot.more = false;
        }
        const bool more = slot.more;
        {
            const std::lock_guard lock(m_mutex);
            m_slot = std::move(slot);
            m_full = true;
        }
        m_changed.notify_all();
        if (!more)
            return;
    }
}

bool PrefetchingChunkSource::next(ReadResult& chunk, const Progress& progress)
{
    chunk = {};
    if (m_ended)
        return false;
    progress.check();
    if (!m_thread.joinable())
        m_thread = std::thread([this, cancel = progress.cancelFlag()] { readAhead(cancel); });
    Slot slot;
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_full; });
        slot = std::move(m_slot);
        m_slot = {};
        m_full = false;
    }
    m_changed.notify_all(); // the thread reads the next chunk while this one is used
    if (!slot.more) {
        m_ended = true;
        m_thread.join(); // it has returned: the wrapped source's reports are settled
        if (slot.error)
            std::rethrow_exception(slot.error);
        return false;
    }
    chunk = std::move(slot.chunk);
    m_fraction = slot.fraction;
    m_textBytes = slot.textBytes;
    return true;
}

std::unique_ptr<ChunkSource> openPrefetchedChunkSource(const std::string& path, const ReadOptions& options,
                                                       std::size_t chunkBytes)
{
    std::unique_ptr<ChunkSource> source = openChunkSource(path, options, chunkBytes);
    if (options.threads == 1)
        return source;
    return std::make_unique<PrefetchingChunkSource>(std::move(source));
}

} // namespace webthreat

#include "core/util/orderedblocks.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace webthreat {

void writeOrderedBlocks(std::size_t blocks, unsigned threads,
                        const std::function<void(std::size_t block, std::string& buffer)>& format,
                        const std::function<void(std::string_view text)>& write)
{
    if (blocks == 0)
        return;
    threads = static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, blocks));
    if (threads == 1) {
        std::string buffer;
        for (std::size_t block = 0; block < blocks; ++block) {
            buffer.clear();
            format(block, buffer);
            write(buffer);
        }
        return;
    }

    // Block b is formatted into slot b % window; a worker takes block b only once block
    // b - window has been written, so a slot has one owner at a time.
    const std::size_t window = 2 * static_cast<std::size_t>(threads);
    std::vector<std::string> slots(window);
    std::vector<char> ready(window, 0);
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next = 0; // the next block a worker takes
    std::size_t written = 0; // blocks handed to write
    bool failed = false;
    std::exception_ptr firstError;
    auto fail = [&](std::exception_ptr error) {
        std::lock_guard lock(mutex);
        if (!firstError)
            firstError = std::move(error);
        failed = true;
        changed.notify_all();
    };

    auto worker = [&] {
        for (;;) {
            std::size_t block = 0;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return failed || next >= blocks || next < written + window; });
                if (failed || next >= blocks)
                    return;
                block = next++;
            }
            std::string& buffer = slots[block % window];
            try {
                buffer.clear();
                format(block, buffer);
            } catch (...) {
                fail(std::current_exception());
                return;
            }
            std::lock_guard lock(mutex);
            ready[block % window] = 1;
            changed.notify_all();
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned i = 0; i < threads; ++i)
        pool.emplace_back(worker);
    for (std::size_t block = 0; block < blocks; ++block) {
        const std::size_t slot = block % window;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return failed || ready[slot] != 0; });
            if (failed)
                break;
        }
        try {
            write(slots[slot]);
        } catch (...) {
            fail(std::current_exception());
            break;
        }
        std::lock_guard lock(mutex);
        ready[slot] = 0;
        written = block + 1;
        changed.notify_all();
    }
    for (std::thread& thread : pool)
        thread.join();
    if (firstError)
        std::rethrow_exception(firstError);
}

} // namespace webthreat

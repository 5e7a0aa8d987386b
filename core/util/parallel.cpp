#include "core/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace webthreat {

void parallelFor(std::size_t tasks, unsigned threads, const std::function<void(std::size_t)>& body)
{
    if (tasks == 0)
        return;
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::min<std::size_t>(tasks, 1024))));
    if (threads == 1) {
        for (std::size_t task = 0; task < tasks; ++task)
            body(task);
        return;
    }

    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr firstError;
    std::mutex errorMutex;

    auto worker = [&] {
        for (;;) {
            if (failed.load(std::memory_order_relaxed))
                return;
            const std::size_t task = next.fetch_add(1, std::memory_order_relaxed);
            if (task >= tasks)
                return;
            try {
                body(task);
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!firstError)
                    firstError = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
            }
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back(worker);
    worker();
    for (auto& thread : pool)
        thread.join();
    if (firstError)
        std::rethrow_exception(firstError);
}

} // namespace webthreat

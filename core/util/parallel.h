#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace webthreat {

// Number of worker threads to use: requested > 0 is taken as is, otherwise all cores.
inline unsigned resolveThreads(int requested)
{
    if (requested > 0)
        return static_cast<unsigned>(requested);
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1u : cores;
}

// Runs body(task) for task in [0, tasks) on up to `threads` threads; tasks are handed out in
// order by a shared counter. The first exception thrown by any task is rethrown here after all
// threads have stopped; remaining tasks are skipped once one has failed.
void parallelFor(std::size_t tasks, unsigned threads, const std::function<void(std::size_t)>& body);

} // namespace webthreat

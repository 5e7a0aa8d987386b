#pragma once

#include "core/util/errors.h"

#include <atomic>
#include <functional>
#include <string_view>

namespace webthreat {

// How a long core operation reports progress and learns it should stop. Both parts are optional.
// Loops call check() often (at least every few milliseconds of work) so cancel answers within
// a tenth of a second; report() is cheap to call often too.
class Progress {
public:
    using Callback = std::function<void(std::string_view stage, double fraction)>;

    Progress() = default;
    Progress(Callback callback, const std::atomic<bool>* cancel)
        : m_callback(std::move(callback))
        , m_cancel(cancel)
    {
    }

    bool cancelled() const noexcept { return m_cancel && m_cancel->load(std::memory_order_relaxed); }
    // Throws CancelledError when the user asked to stop.
    void check() const
    {
        if (cancelled())
            throw CancelledError();
    }
    // fraction in [0, 1] of the named stage. Safe to call from the thread that owns this object only.
    void report(std::string_view stage, double fraction) const
    {
        if (m_callback)
            m_callback(stage, fraction);
    }
    const std::atomic<bool>* cancelFlag() const noexcept { return m_cancel; }

private:
    Callback m_callback;
    const std::atomic<bool>* m_cancel = nullptr;
};

} // namespace webthreat

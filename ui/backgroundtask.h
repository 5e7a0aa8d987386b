#pragma once

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace webthreat {

// The pool the workbench's own background jobs run on. Not Qt's global pool: Qt converts and
// scales large images on that one while painting, and waits for it, so a search or sort of a
// million rows queued there held a repaint for 40 to 60 ms. Owned by the application (ended with it).
inline QThreadPool* backgroundThreadPool()
{
    static QThreadPool* const pool = [] {
        auto* created = new QThreadPool(QCoreApplication::instance());
        created->setObjectName(QStringLiteral("webthreatBackground"));
        created->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        return created;
    }();
    return pool;
}

// Runs work() on backgroundThreadPool() and calls done(result) on receiver's thread when it is
// finished. For short read-only jobs over immutable snapshots (explaining one row, grouping a
// column) that must not block the GUI thread but need no progress or cancel. When receiver is
// destroyed first, done is never called (the watcher goes with it); the work itself runs to the
// end. An exception in work() arrives as a result without a value and its message in *error.
template <typename Result>
struct BackgroundResult {
    std::optional<Result> value;
    std::string error;
};

template <typename Result, typename Work, typename Done>
void runInBackground(QObject* receiver, Work work, Done done)
{
    auto promise = std::make_shared<QPromise<BackgroundResult<Result>>>();
    auto* watcher = new QFutureWatcher<BackgroundResult<Result>>(receiver);
    QObject::connect(watcher, &QFutureWatcherBase::finished, receiver, [watcher, done = std::move(done)]() mutable {
        watcher->deleteLater();
        if (watcher->future().resultCount() > 0)
            done(watcher->result());
    });
    watcher->setFuture(promise->future());
    promise->start();
    backgroundThreadPool()->start([promise, work = std::move(work)]() mutable {
        BackgroundResult<Result> result;
        try {
            result.value.emplace(work());
        } catch (const std::exception& error) {
            result.error = error.what();
        }
        promise->addResult(std::move(result));
        promise->finish();
    });
}

} // namespace webthreat

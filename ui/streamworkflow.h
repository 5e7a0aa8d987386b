#pragma once

#include "core/detect/threshold.h"
#include "core/io/readoptions.h"
#include "core/pipeline.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

class QLabel;
class QTabWidget;
class QWidget;

namespace webthreat {

class AnalysisController;
class StatusLine;
struct LoadResult;
struct StreamInfo;

// A file too large for the window's memory: instead of refusing it, the window says so and offers
// streaming mode (ui/streamload.h); once streamed, the Data tab says what it shows, the views that
// hold only the shown rows say "sample" in their tab titles, and the detector panel is off (the
// slider and a refit would need every row's score), and so are refitting and exporting the rows
// (the window's updateActions). A load in memory turns all of that back.
class StreamWorkflow : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamWorkflow)

public:
    StreamWorkflow(QWidget* window, AnalysisController* controller, StatusLine* status, QTabWidget* tabs,
                   QWidget* dataView, QWidget* detectorPanel);

    // The window's memory budget: WEBTHREAT_MEMORY_BUDGET (bytes, or a number with K, M or G,
    // powers of 1024) when set, else what the machine has available (0: unknown).
    static std::uint64_t memoryBudget();
    // When path (any format, plain, compressed or an archive's member) is too large for the budget, asks whether to stream it (the
    // dialog "streamingOffer") and returns true: the load is then this workflow's.
    bool offer(const QString& path, const QString& displayName, const ReadOptions& read,
               const DetectorParams& detector, const Contamination& contamination);
    // The shown result was streamed.
    bool isStreaming() const { return m_info != nullptr; }
    // What the window says of the streamed result shown; null when it was read whole.
    std::shared_ptr<const StreamInfo> info() const { return m_info; }
    // In streaming mode, the detector panel's count of flagged rows as the whole file's (after the
    // window has put the shown rows' there).
    void showFlagged();

Q_SIGNALS:
    // A load finished, streamed or not (the window's actions and status counts follow).
    void modeChanged();

private:
    void onLoadFinished(const LoadResult& result);
    void showMode();

    QWidget* m_window;
    AnalysisController* m_controller;
    StatusLine* m_status;
    QTabWidget* m_tabs;
    QWidget* m_detectorPanel;
    QLabel* m_banner = nullptr;
    std::shared_ptr<const StreamInfo> m_info;
};

} // namespace webthreat

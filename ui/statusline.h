#pragma once

#include "ui/analysiscontroller.h"
#include "ui/analysissnapshot.h"

#include <QObject>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

namespace webthreat {

// The status bar: what is shown and how it was cleaned, the row and suspicious counts, and while
// a job runs its progress with a Cancel button.
struct StreamInfo;

class StatusLine : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusLine)

public:
    // Fills bar; cancel is the button's action.
    StatusLine(QStatusBar* bar, QAction* cancel, QObject* parent = nullptr);
    ~StatusLine() override;

    // The file shown (displayName) and its counts, or how to begin when there is no data.
    void showResult(const AnalysisSnapshot& snapshot, const QString& displayName);
    // The shown result was streamed (ui/streamload.h): the counts are then the whole file's, with
    // how many rows are shown; null for a file read whole.
    void setStreamed(std::shared_ptr<const StreamInfo> info) { m_streamed = std::move(info); }
    void setMessage(const QString& text);
    // What a failed or cancelled job means for the analyst: the previous data stays shown.
    void showFailure(AnalysisController::JobKind kind, const QString& message);
    void showCancelled(AnalysisController::JobKind kind);
    void setBusy(bool busy);
    void setProgress(const QString& stage, double fraction);

private:
    QLabel* m_text = nullptr;
    QLabel* m_counts = nullptr;
    std::shared_ptr<const StreamInfo> m_streamed;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
};

} // namespace webthreat

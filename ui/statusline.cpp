#include "ui/statusline.h"

#include "ui/streamload.h"

#include "ui/displayformat.h"
#include "ui/reporttext.h"

#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace webthreat {

namespace {

// The status bar's message beside its permanent counts: a long one (an error naming file, line
// and columns) is elided in the middle, keeping its start and end, never cut at the counts; the
// whole text is the tooltip (and in the error's dialog and the Log).
class ElidingLabel : public QLabel {
public:
    using QLabel::QLabel;

    QSize minimumSizeHint() const override { return {0, QLabel::minimumSizeHint().height()}; }
    QSize sizeHint() const override { return {0, QLabel::sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        const QRect area = contentsRect();
        const QString shown = fontMetrics().elidedText(text(), Qt::ElideMiddle, area.width());
        painter.setPen(palette().color(foregroundRole()));
        painter.drawText(area, Qt::AlignLeft | Qt::AlignVCenter, shown);
    }
};

} // namespace

StatusLine::StatusLine(QStatusBar* bar, QAction* cancel, QObject* parent)
    : QObject(parent)
{
    QWidget* window = bar->window();
    m_text = new ElidingLabel(window);
    m_text->setObjectName(QStringLiteral("statusText"));
    m_text->setTextFormat(Qt::PlainText);
    m_counts = new QLabel(window);
    m_counts->setObjectName(QStringLiteral("countsText"));
    m_counts->setTextFormat(Qt::PlainText);
    m_progress = new QProgressBar(window);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1000);
    m_progress->setFixedWidth(260);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancel = new QToolButton(window);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setDefaultAction(cancel);
    m_cancel->hide();
    bar->addWidget(m_text, 1);
    bar->addPermanentWidget(m_counts);
    bar->addPermanentWidget(m_progress);
    bar->addPermanentWidget(m_cancel);
}

StatusLine::~StatusLine() = default;

void StatusLine::showResult(const AnalysisSnapshot& snapshot, const QString& displayName)
{
    if (!snapshot.hasData()) {
        setMessage(tr("Open a traffic CSV (Ctrl+O) or the sample dataset to begin."));
        m_counts->clear();
        return;
    }
    setMessage(QStringLiteral("%1: %2").arg(displayName, cleaningStatusText(*snapshot.data)));
    const std::size_t rows = snapshot.data->table.rowCount();
    if (m_streamed && snapshot.hasDetection() && rows == m_streamed->suspiciousShown + m_streamed->sampleShown) {
        const StreamInfo& info = *m_streamed;
        m_counts->setText(tr("Streamed: %1 rows, %2 suspicious (%3); %4 shown")
                              .arg(formatCount(info.rowsScored), formatCount(info.suspiciousTotal),
                                   formatPercent(info.rowsScored > 0 ? static_cast<double>(info.suspiciousTotal)
                                                         / static_cast<double>(info.rowsScored)
                                                                     : 0.0),
                                   formatCount(rows)));
        return;
    }
    if (snapshot.hasDetection()) {
        const std::size_t suspicious = snapshot.verdicts->suspiciousCount;
        m_counts->setText(
            tr("%1 rows, %2 suspicious (%3)")
                .arg(formatCount(rows), formatCount(suspicious),
                     formatPercent(rows > 0 ? static_cast<double>(suspicious) / static_cast<double>(rows) : 0.0)));
    } else {
        m_counts->setText(tr("%1 rows, no scores").arg(formatCount(rows)));
    }
}

void StatusLine::setMessage(const QString& text)
{
    m_text->setText(text);
    m_text->setToolTip(text);
}

void StatusLine::showFailure(AnalysisController::JobKind kind, const QString& message)
{
    using JobKind = AnalysisController::JobKind;
    setMessage((kind == JobKind::Load         ? tr("Could not open the file: %1")
                    : kind == JobKind::Detect ? tr("The detector failed: %1")
                                              : tr("Export failed: %1"))
                   .arg(message));
}

void StatusLine::showCancelled(AnalysisController::JobKind kind)
{
    switch (kind) {
    case AnalysisController::JobKind::Load:
        setMessage(tr("Loading cancelled; the previous data is still shown."));
        break;
    case AnalysisController::JobKind::Detect:
        setMessage(tr("Detector run cancelled; the previous scores are still shown."));
        break;
    case AnalysisController::JobKind::Export:
        setMessage(tr("Export cancelled; nothing was written."));
        break;
    case AnalysisController::JobKind::None:
        break;
    }
}

void StatusLine::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy)
        m_progress->setValue(0);
}

void StatusLine::setProgress(const QString& stage, double fraction)
{
    m_progress->setValue(static_cast<int>(fraction * 1000.0));
    m_progress->setFormat(stage.isEmpty() ? tr("Starting...") : tr("%1... %p%").arg(stage));
}

} // namespace webthreat

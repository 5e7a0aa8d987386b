#include "ui/streamworkflow.h"

#include "core/io/inputformat.h"
#include "core/stream/streamanalysis.h"
#include "core/util/memorybudget.h"
#include "ui/analysiscontroller.h"
#include "ui/displayformat.h"
#include "ui/statusline.h"
#include "ui/streamload.h"

#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace webthreat {

namespace {

// The tabs that hold only the shown rows (the suspicious ones and the sample), by their titles.
constexpr const char* kSampleTabs[] = {"Summary", "Overview", "Anomalies", "Beacons"};

QString plainTitle(QString title)
{
    return title.remove(QLatin1Char('&')).section(QLatin1String(" ("), 0, 0);
}

} // namespace

StreamWorkflow::StreamWorkflow(QWidget* window, AnalysisController* controller, StatusLine* status, QTabWidget* tabs,
                               QWidget* dataView, QWidget* detectorPanel)
    : QObject(window)
    , m_window(window)
    , m_controller(controller)
    , m_status(status)
    , m_tabs(tabs)
    , m_detectorPanel(detectorPanel)
{
    m_banner = new QLabel(dataView);
    m_banner->setObjectName(QStringLiteral("streamingBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::RichText);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #3d3000; border: 1px solid #e0c860; "
                                           "padding: 6px; }"));
    m_banner->hide();
    if (auto* layout = qobject_cast<QVBoxLayout*>(dataView->layout()))
        layout->insertWidget(0, m_banner);
    connect(controller, &AnalysisController::loadFinished, this, &StreamWorkflow::onLoadFinished);
}

std::uint64_t StreamWorkflow::memoryBudget()
{
    const QByteArray text = qgetenv("WEBTHREAT_MEMORY_BUDGET").trimmed().toUpper();
    if (!text.isEmpty()) {
        std::uint64_t factor = 1;
        QByteArray digits = text;
        const char unit = text.back();
        if (unit == 'K' || unit == 'M' || unit == 'G') {
            factor = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1024 * 1024 * 1024;
            digits.chop(1);
        }
        bool ok = false;
        const qulonglong value = digits.toULongLong(&ok);
        if (ok && value > 0)
            return value * factor;
    }
    return availableMemoryBytes();
}

bool StreamWorkflow::offer(const QString& path, const QString& displayName, const ReadOptions& read,
                           const DetectorParams& detector, const Contamination& contamination)
{
    if (path.startsWith(QLatin1String(":/")))
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false; // the reader names the problem
    const QByteArray head = file.read(64 * 1024);
    const bool compressed = head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1F
        && static_cast<unsigned char>(head[1]) == 0x8B;
    if (!compressed) {
        const InputFormat format = detectFormat(std::string_view(head.constData(), static_cast<std::size_t>(head.size())),
                                                read.delimiter)
                                       .format;
        if (format != InputFormat::TrafficCsv && format != InputFormat::Auto)
            return false;
    }
    const std::uint64_t budget = memoryBudget();
    const std::uint64_t size = static_cast<std::uint64_t>(file.size());
    const std::uint64_t text = compressed ? size * 8 : size; // gzip's text is known only once read
    const std::uint64_t needed = MemoryBudget(budget, read.blockBytes).neededFor(text);
    if (budget == 0 || needed <= budget)
        return false;

    auto* box = new QMessageBox(QMessageBox::Question, tr("File Larger Than Memory"),
                                tr("%1 is %2%3; analysing it in memory would need about %4, and %5 is available.")
                                    .arg(displayName, formatBytesText(static_cast<double>(size)),
                                         compressed ? tr(" (compressed; its text is estimated at 8 times that)")
                                                    : QString(),
                                         formatBytesText(static_cast<double>(needed)),
                                         formatBytesText(static_cast<double>(budget))),
                                QMessageBox::Cancel, m_window);
    box->setObjectName(QStringLiteral("streamingOffer"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(
        tr("<p>Streaming mode reads the file in chunks, two or three times, and keeps bounded summaries in "
           "memory.</p><p><b>It shows</b> every row in the findings, the Entities and Timeline tabs and the "
           "counts; the Data tab holds the suspicious rows (up to %1) and a random sample of %2 rows, and the "
           "Summary, Overview and Anomalies tabs are drawn from those rows only.</p><p><b>It does not</b> keep "
           "every row: the contamination slider, refitting and beaconing are off until you open a file that "
           "fits.</p>")
            .arg(formatCount(kStreamSuspiciousCap), formatCount(StreamParams{}.sampleRows)));
    QPushButton* stream = box->addButton(tr("Analyse in Streaming Mode"), QMessageBox::AcceptRole);
    stream->setObjectName(QStringLiteral("streamingAccept"));
    box->setDefaultButton(stream);
    const std::size_t chunkBytes = static_cast<std::size_t>(std::clamp<std::uint64_t>(budget / 16, 64 << 10, 64 << 20));
    connect(box, &QMessageBox::finished, this, [=, this] {
        if (box->clickedButton() != stream) {
            m_status->setMessage(tr("%1 was not opened: it is larger than the memory available").arg(displayName));
            return;
        }
        m_status->setMessage(tr("Streaming %1...").arg(displayName));
        m_controller->loadStream(path, read, detector, contamination, displayName, chunkBytes);
    });
    box->open();
    return true;
}

void StreamWorkflow::onLoadFinished(const LoadResult& result)
{
    m_info = result.streaming;
    m_status->setStreamed(m_info);
    showMode();
    Q_EMIT modeChanged();
}

void StreamWorkflow::showFlagged()
{
    auto* flagged = m_detectorPanel->findChild<QLabel*>(QStringLiteral("flaggedCount"));
    if (!m_info || !flagged)
        return;
    const StreamInfo& info = *m_info;
    const double share = info.rowsScored > 0
        ? static_cast<double>(info.suspiciousTotal) / static_cast<double>(info.rowsScored)
        : 0.0;
    flagged->setText(tr("%1 of the file's %2 rows flagged (%3), streamed in %4 passes")
                         .arg(formatCount(info.suspiciousTotal), formatCount(info.rowsScored), formatPercent(share))
                         .arg(info.passes));
}

void StreamWorkflow::showMode()
{
    const bool streaming = m_info != nullptr;
    for (int i = 0; i < m_tabs->count(); ++i) {
        const QString title = m_tabs->tabText(i);
        const QString plain = plainTitle(title);
        if (std::none_of(std::begin(kSampleTabs), std::end(kSampleTabs),
                         [&](const char* name) { return plain == QLatin1String(name); }))
            continue;
        const QString base = title.section(QLatin1String(" ("), 0, 0);
        m_tabs->setTabText(i, streaming ? tr("%1 (sample)").arg(base) : base);
        m_tabs->setTabToolTip(i, streaming ? tr("Streaming mode: drawn from the suspicious rows and the random "
                                                "sample only, not from every row of the file")
                                           : QString());
    }
    m_detectorPanel->setEnabled(!streaming);
    m_detectorPanel->setToolTip(streaming ? tr("Streaming mode: the detector's settings are those the file was "
                                               "streamed with. The contamination slider and a refit would need "
                                               "every row's score in memory; open a file that fits to change them.")
                                          : QString());
    m_banner->setVisible(streaming);
    if (!streaming)
        return;
    showFlagged();
    const StreamInfo& info = *m_info;
    QString text = QStringLiteral("<b>%1.</b> ").arg(streamBannerText(info).toHtmlEscaped());
    text += tr("Findings, Entities, Timeline and the counts are the whole file's; the Summary, Overview and "
               "Anomalies tabs are drawn from the rows shown here. Selecting a period or sources narrows the "
               "views to the rows shown. The contamination slider and refitting are off (the detector needs "
               "every row's score in memory).");
    if (!info.suspiciousComplete)
        text += tr(" More rows are suspicious than the window keeps: per-source and per-period suspicious "
                   "counts are of the rows kept.");
    if (!info.timelineExact)
        text += tr(" The timeline's buckets are approximate.");
    m_banner->setText(text);
}

} // namespace webthreat

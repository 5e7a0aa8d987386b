#include "ui/screenshottaker.h"

#include "ui/detailpanel.h"
#include "ui/threatlistworkflow.h"
#include "ui/trustview.h"
#include "ui/importdialog.h"

#include <QDir>
#include <QAbstractButton>
#include <QFileInfo>
#include <QImage>
#include <QMessageBox>
#include <QPixmap>
#include <QSaveFile>
#include <QTimer>

namespace webthreat {

ScreenshotTaker::ScreenshotTaker(ScreenshotOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

ScreenshotTaker::~ScreenshotTaker() = default;

std::optional<MainWindow::Tab> ScreenshotTaker::tabByName(const QString& name)
{
    const QString key = name.trimmed().toLower();
    if (key == QLatin1String("overview"))
        return MainWindow::Tab::Overview;
    if (key == QLatin1String("anomalies"))
        return MainWindow::Tab::Anomalies;
    if (key == QLatin1String("data"))
        return MainWindow::Tab::Data;
    if (key == QLatin1String("summary"))
        return MainWindow::Tab::Summary;
    if (key == QLatin1String("trust"))
        return MainWindow::Tab::Trust;
    if (key == QLatin1String("entities"))
        return MainWindow::Tab::Entities;
    if (key == QLatin1String("timeline"))
        return MainWindow::Tab::Timeline;
    if (key == QLatin1String("beacons"))
        return MainWindow::Tab::Beacons;
    return std::nullopt;
}

void ScreenshotTaker::start()
{
    m_window = std::make_unique<MainWindow>();
    // Laid out and painted like a shown window, but never mapped on a screen.
    m_window->setAttribute(Qt::WA_DontShowOnScreen);
    m_window->resize(m_options.size);
    m_window->showTab(m_options.tab);
    m_window->show();
    connect(m_window.get(), &MainWindow::analysisReady, this, &ScreenshotTaker::capture);
    connect(m_window.get(), &MainWindow::loadFailed, this, [this](const QString& message) {
        if (m_done)
            return;
        m_done = true;
        Q_EMIT finished(Outcome::BadInput, message);
    });
    if (m_options.input.isEmpty())
        m_window->openSample();
    else
        m_window->openFile(m_options.input);
    // A file larger than the memory budget (WEBTHREAT_MEMORY_BUDGET) is offered in streaming mode:
    // the picture is of the streamed result.
    if (auto* offer = m_window->findChild<QMessageBox*>(QStringLiteral("streamingOffer"))) {
        offer->setAttribute(Qt::WA_DontShowOnScreen);
        if (auto* accept = offer->findChild<QAbstractButton*>(QStringLiteral("streamingAccept")))
            accept->click();
    }
    // A file in another layout opens the import dialog instead of loading: that is the picture.
    if (auto* dialog = m_window->findChild<ImportDialog*>()) {
        dialog->setAttribute(Qt::WA_DontShowOnScreen);
        capture();
    }
}

void ScreenshotTaker::capture()
{
    if (m_done)
        return;
    m_window->showTab(m_options.tab);
    const AnalysisSnapshot& snapshot = m_window->snapshot();
    m_waiting = 1; // released below, once every wait is connected
    if (snapshot.hasDetection()) {
        auto* trust = m_window->findChild<TrustView*>(QStringLiteral("trustView"));
        if (!trust->isReady()) {
            ++m_waiting;
            connect(trust, &TrustView::ready, this, &ScreenshotTaker::partReady, Qt::SingleShotConnection);
        }
        auto* lists = m_window->findChild<ThreatListWorkflow*>();
        if (lists && !m_options.threatLists.isEmpty() && !m_listsLoaded) {
            // Read and matched on their worker: the picture waits for every list's marks.
            m_listsLoaded = true;
            ++m_waiting;
            connect(lists, &ThreatListWorkflow::failed, this, [this](const QString&, const QString& message) {
                if (m_done)
                    return;
                m_done = true;
                Q_EMIT finished(Outcome::BadInput, message);
            });
            auto waiting = std::make_shared<QMetaObject::Connection>();
            *waiting = connect(lists, &ThreatListWorkflow::matched, this, [this, lists, waiting] {
                if (lists->busy())
                    return;
                disconnect(*waiting);
                partReady();
            });
            for (const QString& spec : m_options.threatLists)
                lists->loadListForSession(spec);
        }
        if (snapshot.findings && !snapshot.findings->suspiciousRows.empty()) {
            ++m_waiting;
            connect(m_window->findChild<DetailPanel*>(QStringLiteral("detailPanel")), &DetailPanel::explained, this,
                    &ScreenshotTaker::partReady, Qt::SingleShotConnection);
            m_window->selectRow(snapshot.findings->suspiciousRows.front());
        }
    }
    partReady();
}

void ScreenshotTaker::partReady()
{
    if (--m_waiting > 0)
        return;
    // Let the views lay out for the new data (posted layout requests) before rendering.
    QTimer::singleShot(0, this, [this] { QTimer::singleShot(0, this, &ScreenshotTaker::render); });
}

void ScreenshotTaker::render()
{
    if (m_done)
        return;
    m_done = true;
    QWidget* target = m_window.get();
    if (auto* dialog = m_window->findChild<ImportDialog*>())
        target = dialog;
    const QImage image = target->grab().toImage();
    QSaveFile file(m_options.output);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        Q_EMIT finished(Outcome::OutputFailed,
                        tr("cannot write the screenshot %1: %2")
                            .arg(QDir::toNativeSeparators(m_options.output), file.errorString()));
        return;
    }
    Q_EMIT finished(Outcome::Written,
                    tr("%1 (%2x%3) written")
                        .arg(QDir::toNativeSeparators(QFileInfo(m_options.output).absoluteFilePath()))
                        .arg(image.width())
                        .arg(image.height()));
}

} // namespace webthreat

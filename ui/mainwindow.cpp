#include "ui/mainwindow.h"

#include "core/util/log.h"
#include "ui/anomaliesview.h"
#include "ui/beaconsworkflow.h"
#include "ui/bundledresources.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/timelinechart.h"
#include "ui/dataview.h"
#include "ui/detailpanel.h"
#include "ui/detectorpanel.h"
#include "ui/dockbuilder.h"
#include "ui/entitiesview.h"
#include "ui/fileimporter.h"
#include "ui/gettingstarted.h"
#include "ui/helpdialogs.h"
#include "ui/logpanel.h"
#include "ui/modelworkflow.h"
#include "ui/threatlistworkflow.h"
#include "ui/triageworkflow.h"
#include "ui/reporttext.h"
#include "ui/resultexporter.h"
#include "ui/resultpresenter.h"
#include "ui/rowselection.h"
#include "ui/statusline.h"
#include "ui/streamworkflow.h"
#include "ui/summaryview.h"
#include "ui/trustview.h"
#include "ui/viewfilterbar.h"
#include "ui/viewfiltercontroller.h"
#include "ui/windowactions.h"
#include "ui/workbenchsettings.h"

#include <QAction>
#include <QCoreApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QTabWidget>
#include <QUrl>

#include <utility>

namespace webthreat {

namespace {

QString appTitle()
{
    return QCoreApplication::translate("webthreat::MainWindow", "Web Threat Workbench");
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    initBundledResources();
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(appTitle());
    setAcceptDrops(true);

    m_controller = new AnalysisController(this);
    m_settings = new WorkbenchSettings(this);
    m_actions = std::make_unique<WindowActions>(this);
    createViews();
    createDocks();
    m_presenter = new ResultPresenter(m_tabs, this);
    // Brought up to date in this order after the tab in front: the dock, then the most looked-at tabs.
    m_presenter->addView(m_detailPanel, -1);
    m_presenter->addView(m_overview, int(Tab::Overview));
    m_presenter->addView(m_anomaliesView, int(Tab::Anomalies));
    m_presenter->addView(m_dataView, int(Tab::Data));
    m_presenter->addView(m_summaryView, int(Tab::Summary));
    m_presenter->addView(m_entitiesView, int(Tab::Entities));
    m_presenter->addView(m_timeline, int(Tab::Timeline));
    m_presenter->addView(m_trustView, int(Tab::Trust));
    m_viewFilter = new ViewFilterController(m_presenter, this);
    m_presenter->setViewFilter(&m_viewFilter->filter());
    new BeaconsWorkflow(m_tabs, int(Tab::Beacons), m_presenter, m_viewFilter, this); // the tab after Timeline
    m_exporter = new ResultExporter(this, m_presenter, m_controller, m_settings, this);
    m_exporter->setObjectName(QStringLiteral("resultExporter"));
    m_exporter->attachCharts();
    m_importer = new FileImporter(this, m_settings, this);
    m_importer->setObjectName(QStringLiteral("fileImporter"));
    m_settings->setWindow(this, m_tabs, QList<QSplitter*>{m_summaryView->splitter()} + m_anomaliesView->splitters(),
                          m_detectorPanel);
    m_status = new StatusLine(statusBar(), m_actions->cancel, this);
    connectActions();
    connectSelection();

    connect(m_controller, &AnalysisController::busyChanged, this, &MainWindow::onBusyChanged);
    connect(m_controller, &AnalysisController::progressChanged, m_status, &StatusLine::setProgress);
    connect(m_controller, &AnalysisController::loadFinished, this, &MainWindow::onLoadFinished);
    connect(m_controller, &AnalysisController::detectionFinished, this, &MainWindow::onDetectionFinished);
    connect(m_controller, &AnalysisController::jobFailed, this, &MainWindow::onJobFailed);
    connect(m_controller, &AnalysisController::jobCancelled, this, &MainWindow::onJobCancelled);
    connect(m_controller, &AnalysisController::exportFinished, this, [this](const QString& path, qulonglong rows) {
        updateStatusText();
        m_exporter->onWritten(path, rows);
        refitIfSettingsChanged();
    });
    connect(m_controller, &AnalysisController::assessed, this, &MainWindow::onAssessed);
    connect(m_presenter, &ResultPresenter::shown, this, &MainWindow::onShown);

    m_contamination = m_detectorPanel->contamination();
    resize(1280, 800);
    // The empty views, all at once: there is nothing to lay out yet.
    showDetectorState();
    m_presenter->showAllNow();
    updateStatusText();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);
    m_summaryView = new SummaryView(m_tabs);
    m_dataView = new DataView(m_tabs);
    m_overview = new OverviewCharts(m_tabs);
    m_overview->setObjectName(QStringLiteral("overviewCharts"));
    m_anomaliesView = new AnomaliesView(m_tabs);
    m_entitiesView = new EntitiesView(m_tabs);
    m_timeline = new TimelineChart(m_tabs);
    m_timeline->setObjectName(QStringLiteral("timelineChart"));
    m_trustView = new TrustView(m_tabs);
    m_trustView->setObjectName(QStringLiteral("trustView"));
    m_tabs->addTab(m_summaryView, tr("&Summary"));
    m_tabs->addTab(m_dataView, tr("&Data"));
    m_tabs->addTab(m_overview, tr("&Overview"));
    m_tabs->addTab(m_anomaliesView, tr("&Anomalies"));
    m_tabs->addTab(m_entitiesView, tr("&Entities"));
    m_tabs->addTab(m_timeline, tr("&Timeline"));
    m_tabs->addTab(m_trustView, tr("T&rust"));
    m_viewFilterBar = new ViewFilterBar(this);
    setCentralWidget(m_viewFilterBar->placeAbove(m_tabs));
}

void MainWindow::createDocks()
{
    auto [detectorDock, detector] = makeDock<DetectorPanel>(this, tr("Detector"), QStringLiteral("detector"), true,
                                                            tr("&Detector Panel"), QKeySequence(Qt::CTRL | Qt::Key_D));
    detectorDock->setMinimumWidth(260);
    addDockWidget(Qt::RightDockWidgetArea, detectorDock);
    m_detectorPanel = detector;
    connect(m_detectorPanel, &DetectorPanel::contaminationChanged, this, &MainWindow::onContaminationChanged);
    connect(m_detectorPanel, &DetectorPanel::runRequested, this, &MainWindow::runDetector);
    connect(m_detectorPanel, &DetectorPanel::cancelRequested, this, &MainWindow::cancelJob);
    // A slider drag is one change for the Trust tab's changed verdicts, however many steps it took.
    connect(m_detectorPanel, &DetectorPanel::contaminationDragStarted, this,
            [this] { m_trustView->beginContaminationDrag(snapshot().detection, snapshot().verdicts); });
    connect(m_detectorPanel, &DetectorPanel::contaminationDragFinished, this,
            [this] { m_trustView->endContaminationDrag(m_detectorPanel->contamination()); });

    // Under the detector panel: the two together are what the analyst tunes and reads.
    auto [detailDock, detail] = makeDock<DetailPanel>(this, tr("Row details"), QStringLiteral("detail"), true,
                                                      tr("Row &Details"), QKeySequence(Qt::CTRL | Qt::Key_I));
    addDockWidget(Qt::RightDockWidgetArea, detailDock);
    splitDockWidget(detectorDock, detailDock, Qt::Vertical);
    // The detector panel scrolls; the explanation needs the height more.
    resizeDocks({detectorDock, detailDock}, {400, 340}, Qt::Vertical);
    resizeDocks({detectorDock}, {290}, Qt::Horizontal);
    m_detailPanel = detail;

    // Under the tabs only: the detector panel keeps the window's full height. Hidden until asked
    // for: most sessions never need it, and the charts need the height.
    auto [logDock, log] = makeDock<LogPanel>(this, tr("Log"), QStringLiteral("log"), false, tr("&Log"),
                                             QKeySequence(Qt::CTRL | Qt::Key_L));
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    logDock->hide();
    m_logPanel = log;
    m_docks = {detectorDock, logDock, detailDock};
}

void MainWindow::connectActions()
{
    connect(m_actions->open, &QAction::triggered, this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Open Traffic File"), m_settings->startFolder(),
                                           tr("Traffic files (*.csv *.CSV *.log *.txt *.json *.gz *.bz2 *.xz *.zst *.zip *.tar *.tgz);;CSV "
                                              "files (*.csv *.CSV);;AWS and Zeek logs (*.log *.txt *.json *.gz);;All files (*)"));
        if (path.isEmpty())
            return;
        m_settings->rememberFolder(path);
        openFile(path);
    });
    connect(m_actions->openSample, &QAction::triggered, this, &MainWindow::openSample);
    connect(m_actions->import, &QAction::triggered, m_importer, &FileImporter::chooseFile);
    m_exporter->connectActions(*m_actions, [this] { return chartInFront(); });
    connect(m_actions->quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actions->run, &QAction::triggered, this, &MainWindow::runDetector);
    connect(m_actions->cancel, &QAction::triggered, this, &MainWindow::cancelJob);
    connect(m_actions->find, &QAction::triggered, this, [this] {
        showTab(Tab::Data);
        m_dataView->focusFilter();
    });
    for (int i = 0; i < m_actions->tabs.size(); ++i)
        connect(m_actions->tabs[i], &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    connect(m_actions->shortcuts, &QAction::triggered, this,
            [this] { showShortcutsDialog(this, m_actions->withShortcuts(m_docks) + m_triage->actions()); });
    connect(m_actions->about, &QAction::triggered, this, [this] { showAboutDialog(this); });
    connect(m_actions->gettingStarted, &QAction::triggered, this,
            [this] { GettingStartedDialog::showFor(this, *m_actions); });
    m_settings->setRecentMenu(m_actions->fillMenuBar(menuBar(), m_docks));
    m_models = new ModelWorkflow(this, m_controller, m_presenter, *m_actions, m_status);
    m_streaming = new StreamWorkflow(this, m_controller, m_status, m_tabs, m_dataView, m_detectorPanel);
    connect(m_streaming, &StreamWorkflow::modeChanged, this, [this] {
        m_exporter->setStreamed(m_streaming->info());
        updateActions(), updateStatusText();
    });
    m_triage = new TriageWorkflow(this, m_controller, m_presenter, {m_tabs, m_dataView, m_anomaliesView, m_entitiesView},
                                  m_status);
    connect(m_triage, &TriageWorkflow::failed, this, &MainWindow::showError);
    connect(new ThreatListWorkflow(this, m_presenter), &ThreatListWorkflow::failed, this, &MainWindow::showError);
    connect(m_settings, &WorkbenchSettings::openRequested, this, &MainWindow::openFile);
}

void MainWindow::connectSelection()
{
    // Any way of picking a row explains it.
    m_rowSelection
        = new RowSelection(m_presenter, m_tabs, m_dataView, m_anomaliesView, m_trustView, m_detailPanel, this);
    connect(m_rowSelection, &RowSelection::message, m_status, &StatusLine::setMessage);
    connect(m_dataView, &DataView::countsChanged, this, &MainWindow::updateStatusText);
    connect(m_anomaliesView, &AnomaliesView::countsChanged, this, &MainWindow::updateStatusText);

    // Who and when: the selection of sources and of a period narrows the other views.
    connect(m_entitiesView, &EntitiesView::sourcesSelected, this, [this](const std::vector<std::uint32_t>& ids) {
        // The ids come from the Entities model: they must be the current data's.
        if (snapshot().hasData() && m_presenter->showsCurrentRows(m_entitiesView, EntitiesView::RowsPart))
            m_viewFilter->setSources(ids);
    });
    connect(m_timeline, &TimelineChart::periodSelected, m_viewFilter, &ViewFilterController::setPeriod);
    connect(m_viewFilterBar, &ViewFilterBar::clearRequested, this, &MainWindow::clearViewFilter);
    connect(m_viewFilter, &ViewFilterController::changed, this, [this] {
        updateStatusText(); // and the filter bar with it
        Q_EMIT viewFilterChanged();
    });

    connect(m_importer, &FileImporter::openWith, this, &MainWindow::openFileWith);
    connect(m_importer, &FileImporter::noted, this,
            [this](const QString& note) { statusBar()->showMessage(note, 20000); });
    connect(m_importer, &FileImporter::failed, this, [this](const QString& message) {
        m_lastError = message;
        showError(tr("Cannot import the file"), m_lastError);
        Q_EMIT loadFailed(m_lastError);
    });
    connect(m_exporter, &ResultExporter::status, m_status, &StatusLine::setMessage);
    connect(m_exporter, &ResultExporter::finished, this, &MainWindow::exportFinished);
    connect(m_exporter, &ResultExporter::failed, this, [this](const QString& title, const QString& message) {
        showError(title, message);
        Q_EMIT exportFailed(message);
    });
    connect(m_exporter, &ResultExporter::refused, this, [this](const QString& message) {
        m_lastError = message;
        Q_EMIT exportFailed(message);
    });
}

void MainWindow::restoreSettings()
{
    m_settings->restore();
    m_contamination = m_detectorPanel->contamination();
}

void MainWindow::saveSettings() const
{
    m_settings->save();
}

QStringList MainWindow::recentFiles() const
{
    return m_settings->recentFiles();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    m_controller->cancel();
    event->accept();
}

void MainWindow::setLogRelay(LogRelay* relay)
{
    m_logPanel->setRelay(relay);
}

void MainWindow::openFile(const QString& path)
{
    if (m_importer->offerImport(path))
        return;
    startLoad(path, QFileInfo(path).fileName());
}

void MainWindow::openFileWith(const QString& path, const ReadOptions& options)
{
    startLoad(path, QFileInfo(path).fileName(), options);
}

void MainWindow::openSample()
{
    startLoad(QString::fromLatin1(kSampleResource), tr("Sample dataset (sample_traffic.csv)"));
}

void MainWindow::startLoad(const QString& path, const QString& displayName, const ReadOptions& read)
{
    m_lastError.clear();
    m_importer->clearNote();
    m_loadingPath = path;
    m_status->setMessage(tr("Opening %1...").arg(displayName));
    if (m_streaming->offer(path, displayName, read, m_detectorPanel->detectorParams(), m_contamination))
        return;
    m_controller->load(path, read, m_detectorPanel->detectorParams(), m_contamination, displayName);
}

void MainWindow::runDetector()
{
    const AnalysisSnapshot& shown = snapshot();
    if (!shown.hasData() || m_streaming->isStreaming())
        return; // streaming mode: the shown rows are not the file's (the detector panel says so)
    if (m_controller->currentJob() == AnalysisController::JobKind::Load
        || m_controller->currentJob() == AnalysisController::JobKind::Export)
        return; // the load will fit with the panel's settings anyway; an export must not be cut short
    m_controller->detect(shown.data, m_detectorPanel->detectorParams(), m_contamination, shown.aggregates,
                         shown.behaviour);
}

void MainWindow::cancelJob()
{
    m_controller->cancel();
}

bool MainWindow::isBusy() const
{
    return m_controller->isBusy();
}

const AnalysisSnapshot& MainWindow::snapshot() const
{
    return m_presenter->snapshot();
}

QString MainWindow::currentFile() const
{
    return m_presenter->file().path;
}

void MainWindow::onBusyChanged(bool busy)
{
    m_status->setBusy(busy);
    updateActions();
    Q_EMIT busyChanged(busy);
}

void MainWindow::onLoadFinished(const LoadResult& result)
{
    m_presenter->showLoad(
        result.snapshot,
        {result.summary, result.fingerprint, result.path, result.displayName, result.detectionProblem, result.seconds});
    // The contamination may have moved while the load ran: the slider wins (re-labelled on the
    // worker; verdictsApplied follows analysisReady).
    const AnalysisSnapshot& shown = snapshot();
    if (shown.detection && !shown.thresholdFromModel && !(shown.verdicts->contamination == m_contamination))
        m_controller->assess(shown, m_contamination);
    m_settings->addRecentFile(result.path);
    if (!result.path.startsWith(QLatin1String(":/")))
        m_settings->rememberFolder(result.path);
    setWindowTitle(QStringLiteral("%1 \u2014 %2").arg(result.displayName, appTitle()));
    showDetectorState();
}

void MainWindow::refitIfSettingsChanged()
{
    // The panel's settings changed while a load or export ran (a refit could not start then):
    // with "refit automatically" on, catch up now rather than leave the scores stale.
    if (!m_detectorPanel->autoRefit() || m_controller->isBusy() || !snapshot().detection || m_controller->model())
        return;
    if (!sameModel(m_detectorPanel->detectorParams(), snapshot().detection->params))
        runDetector();
}

void MainWindow::onDetectionFinished(const AnalysisSnapshot& result)
{
    if (result.data != snapshot().data)
        return; // a detection for data that has since been replaced
    m_presenter->showDetection(result);
    if (!result.thresholdFromModel && !(result.verdicts->contamination == m_contamination))
        m_controller->assess(result, m_contamination);
    showDetectorState();
}

void MainWindow::onJobFailed(AnalysisController::JobKind kind, const QString& message)
{
    using JobKind = AnalysisController::JobKind;
    if (kind == JobKind::None)
        return;
    m_lastError = message;
    logger::get("ui")->warn("{}", message.toStdString());
    if (kind == JobKind::Load)
        m_settings->forgetIfMissing(m_loadingPath); // a recent file that has gone away leaves the list
    updateStatusText();
    const bool load = kind == JobKind::Load;
    const bool detect = kind == JobKind::Detect;
    m_status->showFailure(kind, message);
    showError(load ? tr("Cannot Open File") : detect ? tr("Detector Failed") : tr("Export Failed"), message);
    if (load)
        Q_EMIT loadFailed(message);
    else if (detect)
        Q_EMIT detectionFailed(message);
    else
        Q_EMIT exportFailed(message);
    if (kind == JobKind::Export)
        refitIfSettingsChanged();
}

void MainWindow::onJobCancelled(AnalysisController::JobKind kind)
{
    updateStatusText();
    m_status->showCancelled(kind);
    if (kind == AnalysisController::JobKind::Export)
        refitIfSettingsChanged();
    Q_EMIT jobCancelled();
}

void MainWindow::showError(const QString& title, const QString& message)
{
    // Window-modal but not blocking: the event loop (and the worker's signals) keep running.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorMessage"));
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::setContamination(const Contamination& contamination)
{
    m_detectorPanel->setContamination(contamination);
}

void MainWindow::onContaminationChanged(const Contamination& contamination)
{
    m_contamination = contamination;
    const AnalysisSnapshot& shown = snapshot();
    if (!shown.detection)
        return;
    // The count is a binary search in the sorted scores: show it at once, while dragging.
    const ScoreIndex& scores = shown.detection->scores;
    const double threshold = scores.thresholdFor(contamination);
    m_detectorPanel->showFlagged(scores.countBelow(threshold), scores.size(), threshold);
    // Findings hash every row (tens of milliseconds at a million rows): computed off this thread,
    // the newest request winning while one is under way. Sent even when it matches what is shown,
    // since an older request still in flight may be about to replace that.
    m_controller->assess(shown, contamination);
}

void MainWindow::onAssessed(const AnalysisSnapshot& assessed)
{
    // Labels for scores the window no longer shows (a new file or refit arrived meanwhile).
    const AnalysisSnapshot& shown = snapshot();
    if (assessed.data != shown.data || assessed.detection != shown.detection || !assessed.verdicts)
        return;
    m_presenter->showVerdicts(assessed);
    const Verdicts& verdicts = *assessed.verdicts;
    m_detectorPanel->showFlagged(verdicts.suspiciousCount, verdicts.suspicious.size(), verdicts.threshold);
}

void MainWindow::showDetectorState()
{
    m_viewFilter->forgetIfDataChanged();
    const AnalysisSnapshot& shown = snapshot();
    if (shown.detection) {
        const Verdicts& verdicts = *shown.verdicts;
        m_detectorPanel->showFlagged(verdicts.suspiciousCount, verdicts.suspicious.size(), verdicts.threshold,
                                     shown.thresholdFromModel);
        m_streaming->showFlagged();
        m_detectorPanel->setFittedParams(shown.detection->params, detectionDetailsText(*shown.detection));
    } else {
        m_detectorPanel->showNoScores(shown.hasData() ? tr("No scores: %1").arg(m_presenter->file().detectionProblem)
                                                      : tr("No data loaded yet."));
        m_detectorPanel->setFittedParams(std::nullopt);
    }
    m_viewFilterBar->showFilter(m_viewFilter->filter(), shown, m_dataView->shownRowCount(), m_dataView->hasOwnFilter());
    updateActions();
}

void MainWindow::onShown(bool ready, bool afterLoad, bool verdicts)
{
    updateStatusText();
    updateActions();
    if (ready) {
        const QString problem = m_presenter->file().detectionProblem;
        if (afterLoad && !problem.isEmpty())
            Q_EMIT detectionFailed(problem);
        Q_EMIT analysisReady();
        if (afterLoad)
            refitIfSettingsChanged();
    }
    if (verdicts)
        Q_EMIT verdictsApplied();
}

void MainWindow::updateStatusText()
{
    const AnalysisSnapshot& shown = snapshot();
    m_status->showResult(shown, m_presenter->file().displayName);
    m_dataView->showRowCounts(shown);
    if (!shown.hasData())
        return;
    m_anomaliesView->showSuspiciousCount(shown);
    m_viewFilterBar->showFilter(m_viewFilter->filter(), shown, m_dataView->shownRowCount(), m_dataView->hasOwnFilter());
}

void MainWindow::updateActions()
{
    const bool busy = m_controller->isBusy();
    const bool hasData = snapshot().hasData();
    const bool hasScores = snapshot().hasDetection();
    const bool loading = m_controller->currentJob() == AnalysisController::JobKind::Load;
    const bool exporting = m_controller->currentJob() == AnalysisController::JobKind::Export;
    // Charts and tables half-way to a new snapshot are not exported.
    const bool showing = m_presenter->isShowing();
    // Streamed: the rows shown are not the file's, so neither refit nor write them as if they were.
    const bool streamed = m_streaming && m_streaming->isStreaming();
    m_actions->run->setEnabled(hasData && !loading && !exporting && !streamed);
    m_actions->cancel->setEnabled(busy);
    m_actions->exportCsv->setEnabled(hasScores && !busy && !showing && !streamed);
    m_actions->exportReport->setEnabled(hasScores && !busy && !showing); // streamed: it says what it is of
    m_exporter->updateCaseAction(hasData && !busy && !showing);
    m_actions->exportChart->setEnabled(hasData && !showing);
    m_actions->exportAllCharts->setEnabled(hasData && !showing);
    m_detectorPanel->setBusy(busy, hasData && !loading && !exporting);
}

void MainWindow::selectRow(std::size_t row)
{
    m_rowSelection->selectRow(row);
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(static_cast<int>(tab));
}

MainWindow::Tab MainWindow::currentTab() const
{
    return static_cast<Tab>(m_tabs->currentIndex());
}

const ViewFilter& MainWindow::viewFilter() const
{
    return m_viewFilter->filter();
}

void MainWindow::setViewFilter(const ViewFilter& filter)
{
    m_viewFilter->setFilter(filter);
}

void MainWindow::clearViewFilter()
{
    // Clearing the entity selection must not set the filter again, source by source.
    m_entitiesView->clearSelection();
    m_viewFilter->clear();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    const QString path = urls.first().toLocalFile();
    m_settings->rememberFolder(path);
    openFile(path);
}

ChartView* MainWindow::chartInFront() const
{
    switch (currentTab()) {
    case Tab::Anomalies:
        return m_anomaliesView->chartViews().value(0);
    case Tab::Timeline:
        return m_timeline->chartView();
    case Tab::Overview: {
        // The chart the analyst last clicked (focus) or is pointing at.
        ChartView* chart = nullptr;
        for (ChartView* view : m_overview->chartViews()) {
            if (view->hasFocus() || view->underMouse())
                chart = view;
        }
        return chart;
    }
    default:
        return nullptr;
    }
}

} // namespace webthreat

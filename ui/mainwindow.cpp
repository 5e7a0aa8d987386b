#include "ui/mainwindow.h"

#include "core/util/log.h"
#include "ui/anomaliesview.h"
#include "ui/bundledresources.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/timelinechart.h"
#include "ui/dataview.h"
#include "ui/detailpanel.h"
#include "ui/detectorpanel.h"
#include "ui/displayformat.h"
#include "ui/entitiesview.h"
#include "ui/fileimporter.h"
#include "ui/helpdialogs.h"
#include "ui/logpanel.h"
#include "ui/reporttext.h"
#include "ui/resultexporter.h"
#include "ui/resultpresenter.h"
#include "ui/summaryview.h"
#include "ui/trustview.h"
#include "ui/viewfilterbar.h"
#include "ui/viewfiltercontroller.h"
#include "ui/workbenchsettings.h"

#include <QAction>
#include <QCoreApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <utility>

namespace webthreat {

namespace {

QString appTitle()
{
    return QCoreApplication::translate("webthreat::MainWindow", "Web Threat Workbench");
}

// A dock holding a new Panel named name + "Panel" (the dock name + "Dock"), in a scroll area when
// it is taller than the dock may be; View > toggleText shows and hides it.
template <typename Panel>
std::pair<QDockWidget*, Panel*> makeDock(QMainWindow* window, const QString& title, const QString& name, bool scrolls,
                                         const QString& toggleText, const QKeySequence& shortcut)
{
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(name + QStringLiteral("Dock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
    auto* panel = new Panel(dock);
    panel->setObjectName(name + QStringLiteral("Panel"));
    if (scrolls) {
        auto* scroll = new QScrollArea(dock);
        scroll->setWidget(panel);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        dock->setWidget(scroll);
    } else {
        dock->setWidget(panel);
    }
    dock->toggleViewAction()->setText(toggleText);
    dock->toggleViewAction()->setShortcut(shortcut);
    return {dock, panel};
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
    createActions();
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
    m_exporter = new ResultExporter(this, m_presenter, m_controller, m_settings, this);
    m_exporter->addProvenanceToPngs();
    m_importer = new FileImporter(this, m_settings, this);
    m_settings->setWindow(this, m_tabs, QList<QSplitter*>{m_summaryView->splitter()} + m_anomaliesView->splitters(), m_detectorPanel);
    createMenus();
    createStatusBar();
    connectSelection();

    connect(m_controller, &AnalysisController::busyChanged, this, &MainWindow::onBusyChanged);
    connect(m_controller, &AnalysisController::progressChanged, this, [this](const QString& stage, double fraction) {
        m_progress->setValue(static_cast<int>(fraction * 1000.0));
        m_progress->setFormat(stage.isEmpty() ? tr("Starting...") : tr("%1... %p%").arg(stage));
    });
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

// --- Construction ------------------------------------------------------------------------------

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
    // The view filter's bar sits above the tabs: whichever tab is shown, the analyst sees that
    // the rows are narrowed and can clear it.
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_viewFilterBar = new ViewFilterBar(central);
    centralLayout->addWidget(m_viewFilterBar);
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
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

QAction* MainWindow::makeAction(const QString& text, const QKeySequence& shortcut, const QString& toolTip)
{
    auto* action = new QAction(text, this);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    if (!toolTip.isEmpty())
        action->setToolTip(toolTip);
    return action;
}

void MainWindow::createActions()
{
    m_openAction = makeAction(tr("&Open..."), QKeySequence::Open, tr("Open a traffic CSV file"));
    m_openAction->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    connect(m_openAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Traffic File"), m_settings->startFolder(),
            tr("Traffic files (*.csv *.CSV *.log *.txt *.gz);;CSV files (*.csv *.CSV);;AWS logs (*.log *.txt *.gz);;All files (*)"));
        if (path.isEmpty())
            return;
        m_settings->rememberFolder(path);
        openFile(path);
    });
    m_openSampleAction = makeAction(tr("Open &Sample Dataset"), {},
                                    tr("Open the bundled synthetic traffic (5,000 rows with injected attacks)"));
    connect(m_openSampleAction, &QAction::triggered, this, &MainWindow::openSample);
    m_importAction = makeAction(tr("&Import CSV..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                                tr("Open a CSV of another layout: choose its delimiter, timestamp format and which "
                                   "column is which"));
    connect(m_importAction, &QAction::triggered, this, &MainWindow::importFileDialog);
    m_exportChartAction = makeAction(tr("Export &Chart..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                                     tr("Save the current chart as a PNG image"));
    connect(m_exportChartAction, &QAction::triggered, this, [this] { m_exporter->exportChartDialog(chartInFront()); });
    m_exportAllChartsAction = makeAction(tr("Export &All Charts..."), {}, tr("Save every chart as a PNG image (2x) into a folder"));
    connect(m_exportAllChartsAction, &QAction::triggered, this, [this] { m_exporter->exportAllChartsDialog(); });
    m_exportCsvAction = makeAction(tr("Export Scored C&SV..."), QKeySequence::Save,
                                   tr("Write every row with its features, anomaly score and label"));
    m_exportCsvAction->setIcon(QIcon::fromTheme(QStringLiteral("document-save")));
    connect(m_exportCsvAction, &QAction::triggered, this, [this] { m_exporter->exportScoredCsvDialog(); });
    // Ctrl+R is Refresh (run the detector) on Linux desktops; a report is what Print would make.
    m_exportReportAction = makeAction(tr("Export &Report..."), QKeySequence::Print,
                                      tr("Write a report to hand on (PDF or one self-contained HTML page): summary, "
                                         "provenance, findings, the most anomalous rows with why, charts"));
    connect(m_exportReportAction, &QAction::triggered, this, [this] { m_exporter->exportReportDialog(); });
    m_quitAction = makeAction(tr("&Quit"), QKeySequence::Quit, {});
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_runAction = makeAction(tr("&Run Detector"), QKeySequence::Refresh, tr("Refit the Isolation Forest with the panel's settings"));
    connect(m_runAction, &QAction::triggered, this, &MainWindow::runDetector);
    m_cancelAction = makeAction(tr("&Cancel"), QKeySequence::Cancel, tr("Stop the running load, fit or export; the current results stay"));
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelJob);
    m_findAction = makeAction(tr("&Filter Rows"), QKeySequence::Find, {});
    connect(m_findAction, &QAction::triggered, this, [this] {
        showTab(Tab::Data);
        m_dataView->focusFilter();
    });
    const QStringList tabNames{tr("Summary"), tr("Data"), tr("Overview"), tr("Anomalies"), tr("Entities"), tr("Timeline"), tr("Trust")};
    for (int i = 0; i < tabNames.size(); ++i) {
        QAction* action = makeAction(tabNames[i], QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)), {});
        connect(action, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
        m_tabActions << action;
    }
    m_shortcutsAction = makeAction(tr("&Keyboard Shortcuts"), QKeySequence::HelpContents, {});
    connect(m_shortcutsAction, &QAction::triggered, this, [this] {
        QList<QAction*> actions{m_openAction, m_importAction, m_exportCsvAction, m_exportReportAction, m_exportChartAction,
                                m_runAction,  m_cancelAction, m_findAction};
        for (QDockWidget* dock : m_docks)
            actions << dock->toggleViewAction();
        actions << m_shortcutsAction << m_quitAction << m_tabActions;
        showShortcutsDialog(this, actions);
    });
    m_aboutAction = makeAction(tr("&About Web Threat Workbench"), {}, {});
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, [this] { showAboutDialog(this); });
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(m_openSampleAction);
    file->addAction(m_importAction);
    file->addSeparator();
    file->addActions({m_exportChartAction, m_exportAllChartsAction, m_exportCsvAction, m_exportReportAction});
    file->addSeparator();
    file->addAction(m_quitAction);
    m_settings->setRecentMenu(m_recentMenu);
    connect(m_settings, &WorkbenchSettings::openRequested, this, &MainWindow::openFile);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_tabActions);
    view->addSeparator();
    view->addAction(m_findAction);
    view->addActions({m_docks[0]->toggleViewAction(), m_docks[1]->toggleViewAction(), m_docks[2]->toggleViewAction()});

    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    analysis->addActions({m_runAction, m_cancelAction});

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addActions({m_shortcutsAction, m_aboutAction});
}

void MainWindow::createStatusBar()
{
    m_statusText = new QLabel(this);
    m_statusText->setObjectName(QStringLiteral("statusText"));
    m_statusText->setTextFormat(Qt::PlainText);
    m_countsText = new QLabel(this);
    m_countsText->setObjectName(QStringLiteral("countsText"));
    m_countsText->setTextFormat(Qt::PlainText);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1000);
    m_progress->setFixedWidth(260);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setDefaultAction(m_cancelAction);
    m_cancelButton->hide();
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_countsText);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
}

void MainWindow::connectSelection()
{
    // Any way of picking a row explains it: the Data tab's current row, the suspicious rows, the
    // scatter, the changed verdicts on the Trust tab.
    connect(m_anomaliesView, &AnomaliesView::scatterRowClicked, this, &MainWindow::onScatterRowClicked);
    connect(m_dataView, &DataView::rowSelected, m_detailPanel, &DetailPanel::showRow);
    connect(m_anomaliesView, &AnomaliesView::suspiciousRowSelected, m_detailPanel, &DetailPanel::showRow);
    connect(m_anomaliesView, &AnomaliesView::scatterRowClicked, this, [this](qsizetype row) {
        if (row >= 0)
            m_detailPanel->showRow(static_cast<std::size_t>(row));
    });
    connect(m_trustView, &TrustView::rowSelected, this, [this](qulonglong row) { selectRow(static_cast<std::size_t>(row)); });
    connect(m_anomaliesView, &AnomaliesView::suspiciousRowActivated, this, [this](std::size_t row) {
        if (m_presenter->showsCurrentRows(m_anomaliesView, AnomaliesView::ListsPart))
            selectTableRow(row, true);
    });
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
    connect(m_importer, &FileImporter::noted, this, [this](const QString& note) { statusBar()->showMessage(note, 20000); });
    connect(m_importer, &FileImporter::failed, this, [this](const QString& message) {
        m_lastError = message;
        showError(tr("Cannot import the file"), m_lastError);
        Q_EMIT loadFailed(m_lastError);
    });
    connect(m_exporter, &ResultExporter::status, m_statusText, &QLabel::setText);
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

// --- Settings ---------------------------------------------------------------------------------

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

// --- Opening and running --------------------------------------------------------------------

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

void MainWindow::importFileDialog()
{
    m_importer->chooseFile();
}

ImportDialog* MainWindow::showImportDialog(const QString& path)
{
    return m_importer->showDialog(path);
}

QString MainWindow::importNote() const
{
    return m_importer->note();
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
    m_statusText->setText(tr("Opening %1...").arg(displayName));
    m_controller->load(path, read, m_detectorPanel->detectorParams(), m_contamination, displayName);
}

void MainWindow::runDetector()
{
    const AnalysisSnapshot& shown = snapshot();
    if (!shown.hasData())
        return;
    if (m_controller->currentJob() == AnalysisController::JobKind::Load
        || m_controller->currentJob() == AnalysisController::JobKind::Export)
        return; // the load will fit with the panel's settings anyway; an export must not be cut short
    m_controller->detect(shown.data, m_detectorPanel->detectorParams(), m_contamination, shown.aggregates);
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
    m_progress->setVisible(busy);
    m_cancelButton->setVisible(busy);
    if (busy)
        m_progress->setValue(0);
    updateActions();
    Q_EMIT busyChanged(busy);
}

void MainWindow::onLoadFinished(const LoadResult& result)
{
    m_presenter->showLoad(result.snapshot, {result.summary, result.fingerprint, result.path, result.displayName,
                                            result.detectionProblem, result.seconds});
    // The contamination may have moved while the load ran: the slider wins (re-labelled on the
    // worker; verdictsApplied follows analysisReady).
    const AnalysisSnapshot& shown = snapshot();
    if (shown.detection && !(shown.verdicts->contamination == m_contamination))
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
    if (!m_detectorPanel->autoRefit() || m_controller->isBusy() || !snapshot().detection)
        return;
    if (!sameModel(m_detectorPanel->detectorParams(), snapshot().detection->params))
        runDetector();
}

void MainWindow::onDetectionFinished(const AnalysisSnapshot& result)
{
    if (result.data != snapshot().data)
        return; // a detection for data that has since been replaced
    m_presenter->showDetection(result);
    if (!(result.verdicts->contamination == m_contamination))
        m_controller->assess(result, m_contamination);
    showDetectorState();
}

void MainWindow::onJobFailed(AnalysisController::JobKind kind, const QString& message)
{
    m_lastError = message;
    logger::get("ui")->warn("{}", message.toStdString());
    updateStatusText();
    switch (kind) {
    case AnalysisController::JobKind::Load:
        // A recent file that has gone away leaves the list.
        m_settings->forgetIfMissing(m_loadingPath);
        m_statusText->setText(tr("Could not open the file: %1").arg(message));
        showError(tr("Cannot Open File"), message);
        Q_EMIT loadFailed(message);
        break;
    case AnalysisController::JobKind::Detect:
        m_statusText->setText(tr("The detector failed: %1").arg(message));
        showError(tr("Detector Failed"), message);
        Q_EMIT detectionFailed(message);
        break;
    case AnalysisController::JobKind::Export:
        m_statusText->setText(tr("Export failed: %1").arg(message));
        showError(tr("Export Failed"), message);
        Q_EMIT exportFailed(message);
        refitIfSettingsChanged();
        break;
    case AnalysisController::JobKind::None: break;
    }
}

void MainWindow::onJobCancelled(AnalysisController::JobKind kind)
{
    updateStatusText();
    switch (kind) {
    case AnalysisController::JobKind::Load: m_statusText->setText(tr("Loading cancelled; the previous data is still shown.")); break;
    case AnalysisController::JobKind::Detect: m_statusText->setText(tr("Detector run cancelled; the previous scores are still shown.")); break;
    case AnalysisController::JobKind::Export:
        m_statusText->setText(tr("Export cancelled; nothing was written."));
        refitIfSettingsChanged();
        break;
    case AnalysisController::JobKind::None: break;
    }
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

// --- Contamination ---------------------------------------------------------------------------

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

// --- Showing the result ------------------------------------------------------------------------

void MainWindow::showDetectorState()
{
    m_viewFilter->forgetIfDataChanged();
    const AnalysisSnapshot& shown = snapshot();
    if (shown.detection) {
        const Verdicts& verdicts = *shown.verdicts;
        m_detectorPanel->showFlagged(verdicts.suspiciousCount, verdicts.suspicious.size(), verdicts.threshold);
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
    if (!shown.hasData()) {
        m_statusText->setText(tr("Open a traffic CSV (Ctrl+O) or the sample dataset to begin."));
        m_countsText->clear();
        m_dataView->showRowCounts(shown);
        return;
    }
    m_statusText->setText(QStringLiteral("%1: %2").arg(m_presenter->file().displayName, cleaningStatusText(*shown.data)));
    const std::size_t rows = shown.data->table.rowCount();
    if (shown.hasDetection()) {
        const std::size_t suspicious = shown.verdicts->suspiciousCount;
        m_countsText->setText(tr("%1 rows, %2 suspicious (%3)")
                                  .arg(formatCount(rows), formatCount(suspicious),
                                       formatPercent(rows > 0 ? static_cast<double>(suspicious) / static_cast<double>(rows) : 0.0)));
    } else {
        m_countsText->setText(tr("%1 rows, no scores").arg(formatCount(rows)));
    }
    m_anomaliesView->showSuspiciousCount(shown);
    m_dataView->showRowCounts(shown);
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
    m_runAction->setEnabled(hasData && !loading && !exporting);
    m_cancelAction->setEnabled(busy);
    m_exportCsvAction->setEnabled(hasScores && !busy && !showing);
    m_exportReportAction->setEnabled(hasScores && !busy && !showing);
    m_exportChartAction->setEnabled(hasData && !showing);
    m_exportAllChartsAction->setEnabled(hasData && !showing);
    m_detectorPanel->setBusy(busy, hasData && !loading && !exporting);
}

// --- Selection across views ------------------------------------------------------------------

void MainWindow::onScatterRowClicked(qsizetype row)
{
    // A click on a scatter that still shows the previous data names a row of that data.
    const AnalysisSnapshot& shown = snapshot();
    if (!shown.hasData() || row < 0 || static_cast<std::size_t>(row) >= shown.data->table.rowCount()
        || !m_presenter->showsCurrentRows(m_anomaliesView, AnomaliesView::ScatterPart)
        || !m_presenter->showsCurrentRows(m_anomaliesView, AnomaliesView::ListsPart))
        return;
    m_anomaliesView->selectSuspicious(static_cast<std::size_t>(row));
    selectTableRow(static_cast<std::size_t>(row), false);
    m_statusText->setText(tr("Row from line %1 selected").arg(shown.data->table.sourceLines[static_cast<std::size_t>(row)]));
}

void MainWindow::selectRow(std::size_t row)
{
    // row indexes the current table: the Data tab and the Row details must be showing it.
    const AnalysisSnapshot& shown = snapshot();
    if (!shown.hasData() || row >= shown.data->table.rowCount() || !m_presenter->showsCurrentRows(m_dataView, DataView::RowsPart)
        || !m_presenter->showsCurrentRows(m_detailPanel))
        return;
    selectTableRow(row, false);
    m_detailPanel->showRow(row);
}

void MainWindow::selectTableRow(std::size_t row, bool switchToData)
{
    if (!m_presenter->showsCurrentRows(m_dataView, DataView::RowsPart) || !m_dataView->selectRow(row, switchToData))
        return;
    if (switchToData)
        showTab(Tab::Data);
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

// --- Drag and drop ---------------------------------------------------------------------------

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

// --- Exporting -------------------------------------------------------------------------------

ChartView* MainWindow::chartInFront() const
{
    switch (currentTab()) {
    case Tab::Anomalies: return m_anomaliesView->chartViews().value(0);
    case Tab::Timeline: return m_timeline->chartView();
    case Tab::Overview: {
        // The chart the analyst last clicked (focus) or is pointing at.
        ChartView* chart = nullptr;
        for (ChartView* view : m_overview->chartViews()) {
            if (view->hasFocus() || view->underMouse())
                chart = view;
        }
        return chart;
    }
    default: return nullptr;
    }
}

QStringList MainWindow::exportAllCharts(const QString& folder, double scale, QString* error)
{
    return m_exporter->exportAllCharts(folder, scale, error);
}

void MainWindow::exportScoredCsv(const QString& path)
{
    m_exporter->exportScoredCsv(path);
}

void MainWindow::exportReport(const QString& path)
{
    m_exporter->exportReport(path);
}

Provenance MainWindow::currentProvenance() const
{
    return m_exporter->provenance();
}

} // namespace webthreat

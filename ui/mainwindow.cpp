#include "ui/mainwindow.h"

#include "core/io/csvsniffer.h"
#include "core/util/log.h"
#include "ui/backgroundtask.h"
#include "ui/bundledresources.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "core/analysis/crosstab.h"
#include "ui/detailpanel.h"
#include "ui/charts/timelinechart.h"
#include "ui/detectorpanel.h"
#include "ui/displayformat.h"
#include "ui/entitiesmodel.h"
#include "ui/importdialog.h"
#include "ui/logpanel.h"
#include "ui/report/reportbuilder.h"
#include "ui/reporttext.h"
#include "ui/summarymodel.h"
#include "ui/suspiciousrowsmodel.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"
#include "ui/trustview.h"

#include <Eigen/Core>
#include <spdlog/version.h>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QScopedValueRollback>
#include <QUrl>
#include <QVBoxLayout>

namespace webthreat {

namespace {

constexpr int kMaxRecentFiles = 10;
constexpr int kMaxColumnWidth = 260;

QString appTitle()
{
    return QCoreApplication::translate("webthreat::MainWindow", "Web Threat Workbench");
}

QTableView* makeTableView(QWidget* parent, const QString& objectName)
{
    auto* view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(false);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // Uniform rows: the view never asks a million rows for their height.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    // Column widths from the first rows only: measuring a thousand cells per column on every load
    // of a million-row file costs a tenth of a second on the GUI thread.
    view->horizontalHeader()->setResizeContentsPrecision(64);
    return view;
}

void fitColumns(QTableView* view)
{
    view->resizeColumnsToContents();
    for (int column = 0; column < view->horizontalHeader()->count(); ++column) {
        if (view->columnWidth(column) > kMaxColumnWidth)
            view->setColumnWidth(column, kMaxColumnWidth);
    }
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
    m_trafficModel = new TrafficTableModel(this);
    m_trafficProxy = new TrafficProxyModel(this);
    m_trafficProxy->setSourceModel(m_trafficModel);
    m_summaryModel = new SummaryModel(this);
    m_suspiciousModel = new SuspiciousRowsModel(this);
    const std::array categories{FindingsModel::Category::SourceIps, FindingsModel::Category::Countries,
                                FindingsModel::Category::DestinationPorts, FindingsModel::Category::Protocols};
    for (std::size_t i = 0; i < categories.size(); ++i)
        m_findingsModels[i] = new FindingsModel(categories[i], this);
    m_entitiesModel = new EntitiesModel(this);
    m_entitiesProxy = new EntitiesProxyModel(this);
    m_entitiesProxy->setSourceModel(m_entitiesModel);

    createActions();

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createSummaryTab(), tr("&Summary"));
    m_tabs->addTab(createDataTab(), tr("&Data"));
    m_overview = new OverviewCharts(m_tabs);
    m_overview->setObjectName(QStringLiteral("overviewCharts"));
    m_tabs->addTab(m_overview, tr("&Overview"));
    m_tabs->addTab(createAnomaliesTab(), tr("&Anomalies"));
    m_tabs->addTab(createEntitiesTab(), tr("&Entities"));
    m_tabs->addTab(createTimelineTab(), tr("&Timeline"));
    m_tabs->addTab(createTrustTab(), tr("T&rust"));
    // The view filter's bar sits above the tabs: whichever tab is shown, the analyst sees that
    // the rows are narrowed and can clear it.
    auto* central = new QWidget(this);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(createViewFilterBar());
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    createDetectorDock();
    createDetailDock();
    createLogDock();
    createMenus();
    createStatusBar();

    connect(m_controller, &AnalysisController::busyChanged, this, &MainWindow::onBusyChanged);
    connect(m_controller, &AnalysisController::progressChanged, this, &MainWindow::onProgress);
    connect(m_controller, &AnalysisController::loadFinished, this, &MainWindow::onLoadFinished);
    connect(m_controller, &AnalysisController::detectionFinished, this, &MainWindow::onDetectionFinished);
    connect(m_controller, &AnalysisController::jobFailed, this, &MainWindow::onJobFailed);
    connect(m_controller, &AnalysisController::jobCancelled, this, &MainWindow::onJobCancelled);
    connect(m_controller, &AnalysisController::exportFinished, this, &MainWindow::onExportFinished);

    connect(m_controller, &AnalysisController::assessed, this, &MainWindow::onAssessed);
    // Every PNG a chart exports (menu, context menu, Export All) says where its data came from.
    for (ChartView* view : allChartViews())
        view->setPngTextProvider([this] { return pngProvenanceText(); });

    m_partTimer = new QTimer(this);
    m_partTimer->setSingleShot(true);
    m_partTimer->setInterval(0);
    connect(m_partTimer, &QTimer::timeout, this, &MainWindow::showNextPart);

    m_contamination = m_detectorPanel->contamination();
    resize(1280, 800);
    // The empty views, all at once: there is nothing to lay out yet.
    showSnapshot();
    for (int part = nextStalePart(); part >= 0; part = nextStalePart())
        showPart(part);
    m_partTimer->stop();
    updateStatusText();
    updateActions();
}

MainWindow::~MainWindow() = default;

// --- Construction ------------------------------------------------------------------------------

void MainWindow::createActions()
{
    m_openAction = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open..."), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(tr("Open a traffic CSV file"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openFileDialog);

    m_openSampleAction = new QAction(tr("Open &Sample Dataset"), this);
    m_openSampleAction->setToolTip(tr("Open the bundled synthetic traffic (5,000 rows with injected attacks)"));
    connect(m_openSampleAction, &QAction::triggered, this, &MainWindow::openSample);

    m_importAction = new QAction(tr("&Import CSV..."), this);
    m_importAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_importAction->setToolTip(tr("Open a CSV of another layout: choose its delimiter, timestamp format and which "
                                  "column is which"));
    connect(m_importAction, &QAction::triggered, this, &MainWindow::importFileDialog);

    m_exportChartAction = new QAction(tr("Export &Chart..."), this);
    m_exportChartAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_exportChartAction->setToolTip(tr("Save the current chart as a PNG image"));
    connect(m_exportChartAction, &QAction::triggered, this, &MainWindow::exportChartDialog);

    m_exportAllChartsAction = new QAction(tr("Export &All Charts..."), this);
    m_exportAllChartsAction->setToolTip(tr("Save every chart as a PNG image (2x) into a folder"));
    connect(m_exportAllChartsAction, &QAction::triggered, this, &MainWindow::exportAllChartsDialog);

    m_exportCsvAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("Export Scored C&SV..."), this);
    m_exportCsvAction->setShortcut(QKeySequence::Save);
    m_exportCsvAction->setToolTip(tr("Write every row with its features, anomaly score and label"));
    connect(m_exportCsvAction, &QAction::triggered, this, &MainWindow::exportScoredCsvDialog);

    m_exportReportAction = new QAction(tr("Export &Report..."), this);
    // Ctrl+R is Refresh (run the detector) on Linux desktops; a report is what Print would make.
    m_exportReportAction->setShortcut(QKeySequence::Print);
    m_exportReportAction->setToolTip(tr("Write a report to hand on (PDF or one self-contained HTML page): summary, "
                                        "provenance, findings, the most anomalous rows with why, charts"));
    connect(m_exportReportAction, &QAction::triggered, this, &MainWindow::exportReportDialog);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_runAction = new QAction(tr("&Run Detector"), this);
    m_runAction->setShortcut(QKeySequence::Refresh);
    m_runAction->setToolTip(tr("Refit the Isolation Forest with the panel's settings"));
    connect(m_runAction, &QAction::triggered, this, &MainWindow::runDetector);

    m_cancelAction = new QAction(tr("&Cancel"), this);
    m_cancelAction->setShortcut(QKeySequence::Cancel);
    m_cancelAction->setToolTip(tr("Stop the running load, fit or export; the current results stay"));
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelJob);

    m_findAction = new QAction(tr("&Filter Rows"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, [this] {
        showTab(Tab::Data);
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });

    const QStringList tabNames{tr("Summary"), tr("Data"), tr("Overview"), tr("Anomalies"), tr("Entities"), tr("Timeline"), tr("Trust")};
    for (int i = 0; i < tabNames.size(); ++i) {
        auto* action = new QAction(tabNames[i], this);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
        m_tabActions << action;
    }

    m_shortcutsAction = new QAction(tr("&Keyboard Shortcuts"), this);
    m_shortcutsAction->setShortcut(QKeySequence::HelpContents);
    connect(m_shortcutsAction, &QAction::triggered, this, &MainWindow::showShortcuts);
    m_aboutAction = new QAction(tr("&About Web Threat Workbench"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(m_openSampleAction);
    file->addAction(m_importAction);
    file->addSeparator();
    file->addAction(m_exportChartAction);
    file->addAction(m_exportAllChartsAction);
    file->addAction(m_exportCsvAction);
    file->addAction(m_exportReportAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    updateRecentMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QAction* action : m_tabActions)
        view->addAction(action);
    view->addSeparator();
    view->addAction(m_findAction);
    view->addAction(m_detectorDock->toggleViewAction());
    view->addAction(m_logDock->toggleViewAction());
    view->addAction(m_detailDock->toggleViewAction());

    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    analysis->addAction(m_runAction);
    analysis->addAction(m_cancelAction);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_shortcutsAction);
    help->addAction(m_aboutAction);
}

QWidget* MainWindow::createSummaryTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_summaryHeader = new QLabel(page);
    m_summaryHeader->setObjectName(QStringLiteral("summaryHeader"));
    m_summaryHeader->setTextFormat(Qt::RichText);
    m_summaryHeader->setWordWrap(true);
    m_summaryHeader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summaryHeader);

    auto* splitter = new QSplitter(Qt::Vertical, page);
    splitter->setObjectName(QStringLiteral("summarySplitter"));
    m_summaryView = makeTableView(splitter, QStringLiteral("summaryView"));
    m_summaryView->setModel(m_summaryModel);
    m_summaryView->verticalHeader()->hide();
    m_summaryView->horizontalHeader()->setStretchLastSection(true);

    auto* reportBox = new QGroupBox(tr("Reading and cleaning report"), splitter);
    auto* reportLayout = new QVBoxLayout(reportBox);
    m_reportView = new QTextBrowser(reportBox);
    m_reportView->setObjectName(QStringLiteral("cleaningReport"));
    m_reportView->setOpenLinks(false);
    reportLayout->addWidget(m_reportView);
    splitter->addWidget(m_summaryView);
    splitter->addWidget(reportBox);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({460, 230});
    m_splitters << splitter;
    layout->addWidget(splitter, 1);
    return page;
}

QWidget* MainWindow::createDataTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* bar = new QHBoxLayout;
    m_filterEdit = new QLineEdit(page);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter rows (%1): IP, country, port, protocol, date, Suspicious...")
                                         .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText)));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Shows the rows containing this text (case-insensitive) in the chosen column. "
                                "Computed columns (features, score) are not searched: sort by them instead."));
    m_filterColumn = new QComboBox(page);
    m_filterColumn->setObjectName(QStringLiteral("filterColumn"));
    m_filterColumn->setToolTip(tr("The column the filter searches"));
    m_filterColumn->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_suspiciousOnly = new QCheckBox(tr("Suspicious &only"), page);
    m_suspiciousOnly->setObjectName(QStringLiteral("suspiciousOnly"));
    m_suspiciousOnly->setToolTip(tr("Show only the rows the detector labels Suspicious at the current contamination"));
    m_rowsShown = new QLabel(page);
    m_rowsShown->setObjectName(QStringLiteral("rowsShown"));
    bar->addWidget(m_filterEdit, 1);
    bar->addWidget(new QLabel(tr("in"), page));
    bar->addWidget(m_filterColumn);
    bar->addWidget(m_suspiciousOnly);
    bar->addStretch();
    bar->addWidget(m_rowsShown);
    layout->addLayout(bar);

    m_dataView = makeTableView(page, QStringLiteral("dataView"));
    m_dataView->setModel(m_trafficProxy);
    m_dataView->setSortingEnabled(true);
    m_dataView->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_dataView->verticalHeader()->setToolTip(tr("Line in the file"));
    layout->addWidget(m_dataView, 1);

    // Typing is coalesced: a million-row filter runs once the analyst pauses, not per key.
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);
    connect(m_filterTimer, &QTimer::timeout, this, &MainWindow::applyFilter);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterEdit, &QLineEdit::returnPressed, this, &MainWindow::applyFilter);
    connect(m_filterColumn, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    // A filter or a sort over a large table runs in the background: the count follows its end.
    connect(m_trafficProxy, &TrafficProxyModel::searchingChanged, this, [this] { updateStatusText(); });
    connect(m_trafficProxy, &TrafficProxyModel::sortingChanged, this, [this] { updateStatusText(); });
    connect(m_suspiciousOnly, &QCheckBox::toggled, this, [this](bool checked) {
        m_trafficProxy->setSuspiciousOnly(checked);
        updateStatusText();
    });
    return page;
}

QWidget* MainWindow::createAnomaliesTab()
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("anomaliesSplitter"));
    m_scatter = new AnomalyScatter(splitter);
    m_scatter->setObjectName(QStringLiteral("anomalyScatter"));
    connect(m_scatter, &AnomalyScatter::rowClicked, this, &MainWindow::onScatterRowClicked);

    auto* right = new QSplitter(Qt::Vertical, splitter);
    right->setObjectName(QStringLiteral("anomaliesRightSplitter"));

    auto* suspiciousBox = new QWidget(right);
    auto* suspiciousLayout = new QVBoxLayout(suspiciousBox);
    suspiciousLayout->setContentsMargins(0, 0, 0, 0);
    m_suspiciousTitle = new QLabel(tr("Suspicious rows, most anomalous first"), suspiciousBox);
    QFont titleFont = m_suspiciousTitle->font();
    titleFont.setBold(true);
    m_suspiciousTitle->setFont(titleFont);
    suspiciousLayout->addWidget(m_suspiciousTitle);
    m_suspiciousView = makeTableView(suspiciousBox, QStringLiteral("suspiciousView"));
    m_suspiciousView->setModel(m_suspiciousModel);
    m_suspiciousView->verticalHeader()->hide();
    m_suspiciousView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_suspiciousView->setToolTip(tr("Double-click a row to show it in the Data tab"));
    connect(m_suspiciousView, &QTableView::activated, this, &MainWindow::onSuspiciousActivated);
    suspiciousLayout->addWidget(m_suspiciousView);

    auto* findingsBox = new QWidget(right);
    auto* findingsLayout = new QVBoxLayout(findingsBox);
    findingsLayout->setContentsMargins(0, 0, 0, 0);
    auto* findingsTitle = new QLabel(tr("What the suspicious rows have in common"), findingsBox);
    findingsTitle->setFont(titleFont);
    findingsLayout->addWidget(findingsTitle);
    // One tab per list: each table gets the full width, so values, counts and bytes all fit.
    m_findingsTabs = new QTabWidget(findingsBox);
    m_findingsTabs->setObjectName(QStringLiteral("findingsTabs"));
    m_findingsTabs->setDocumentMode(true);
    for (std::size_t i = 0; i < m_findingsModels.size(); ++i) {
        QTableView* view = makeTableView(m_findingsTabs, QStringLiteral("findingsView%1").arg(i));
        view->setModel(m_findingsModels[i]);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        m_findingsViews[i] = view;
        m_findingsTabs->addTab(view, m_findingsModels[i]->categoryTitle());
    }
    findingsLayout->addWidget(m_findingsTabs, 1);

    right->addWidget(suspiciousBox);
    right->addWidget(findingsBox);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    splitter->addWidget(m_scatter);
    splitter->addWidget(right);
    // The tables' size hints are wide; without explicit sizes the scatter would get a sliver.
    splitter->setSizes({520, 720});
    right->setSizes({400, 300});
    m_splitters << splitter << right;
    return splitter;
}

void MainWindow::createDetectorDock()
{
    m_detectorDock = new QDockWidget(tr("Detector"), this);
    m_detectorDock->setObjectName(QStringLiteral("detectorDock"));
    m_detectorDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                                | QDockWidget::DockWidgetFloatable);
    m_detectorPanel = new DetectorPanel(m_detectorDock);
    m_detectorPanel->setObjectName(QStringLiteral("detectorPanel"));
    auto* scroll = new QScrollArea(m_detectorDock);
    scroll->setWidget(m_detectorPanel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_detectorDock->setWidget(scroll);
    m_detectorDock->setMinimumWidth(260);
    addDockWidget(Qt::RightDockWidgetArea, m_detectorDock);
    m_detectorDock->toggleViewAction()->setText(tr("&Detector Panel"));
    m_detectorDock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));

    connect(m_detectorPanel, &DetectorPanel::contaminationChanged, this, &MainWindow::onContaminationChanged);
    connect(m_detectorPanel, &DetectorPanel::runRequested, this, &MainWindow::runDetector);
    connect(m_detectorPanel, &DetectorPanel::cancelRequested, this, &MainWindow::cancelJob);
}

void MainWindow::createLogDock()
{
    m_logDock = new QDockWidget(tr("Log"), this);
    m_logDock->setObjectName(QStringLiteral("logDock"));
    m_logDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                           | QDockWidget::DockWidgetFloatable);
    m_logPanel = new LogPanel(m_logDock);
    m_logPanel->setObjectName(QStringLiteral("logPanel"));
    m_logDock->setWidget(m_logPanel);
    // Under the tabs only: the detector panel keeps the window's full height.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    // Hidden until asked for: most sessions never need it, and the charts need the height.
    m_logDock->hide();
    m_logDock->toggleViewAction()->setText(tr("&Log"));
    m_logDock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
}

void MainWindow::setLogRelay(LogRelay* relay)
{
    m_logPanel->setRelay(relay);
}

void MainWindow::createDetailDock()
{
    m_detailDock = new QDockWidget(tr("Row details"), this);
    m_detailDock->setObjectName(QStringLiteral("detailDock"));
    m_detailDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                              | QDockWidget::DockWidgetFloatable);
    m_detailPanel = new DetailPanel(m_detailDock);
    m_detailPanel->setObjectName(QStringLiteral("detailPanel"));
    auto* scroll = new QScrollArea(m_detailDock);
    scroll->setWidget(m_detailPanel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_detailDock->setWidget(scroll);
    // Under the detector panel: the two together are what the analyst tunes and reads.
    addDockWidget(Qt::RightDockWidgetArea, m_detailDock);
    splitDockWidget(m_detectorDock, m_detailDock, Qt::Vertical);
    // The detector panel scrolls; the explanation needs the height more.
    resizeDocks({m_detectorDock, m_detailDock}, {400, 340}, Qt::Vertical);
    resizeDocks({m_detectorDock}, {290}, Qt::Horizontal);
    m_detailDock->toggleViewAction()->setText(tr("Row &Details"));
    m_detailDock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));

    // Any way of picking a row explains it: the Data tab's current row, the suspicious rows, the
    // scatter, the changed verdicts on the Trust tab.
    connect(m_dataView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (!current.isValid())
            return;
        const QModelIndex source = m_trafficProxy->mapToSource(current);
        if (source.isValid())
            m_detailPanel->showRow(static_cast<std::size_t>(source.row()));
    });
    connect(m_suspiciousView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    m_detailPanel->showRow(m_suspiciousModel->tableRow(current.row()));
            });
    connect(m_scatter, &AnomalyScatter::rowClicked, this, [this](qsizetype row) {
        if (row >= 0)
            m_detailPanel->showRow(static_cast<std::size_t>(row));
    });
    connect(m_trustView, &TrustView::rowSelected, this, [this](qulonglong row) { selectRow(static_cast<std::size_t>(row)); });
}

QWidget* MainWindow::createTrustTab()
{
    m_trustView = new TrustView(this);
    m_trustView->setObjectName(QStringLiteral("trustView"));
    return m_trustView;
}

void MainWindow::selectRow(std::size_t row)
{
    // row indexes m_snapshot's table: the Data tab and the Row details must be showing it.
    if (!m_snapshot.hasData() || row >= m_snapshot.data->table.rowCount() || showsOtherRows(DataModelPart)
        || showsOtherRows(DetailPart))
        return;
    selectTableRow(row, false);
    m_detailPanel->showRow(row);
}

void MainWindow::showChangedVerdicts(const std::shared_ptr<const Verdicts>& before)
{
    // The rows between the two thresholds in score order: O(changed rows), whatever the file size.
    if (!before || !m_snapshot.hasDetection())
        return;
    m_trustView->showChanges(m_snapshot, changedVerdicts(m_snapshot.detection->scores, *before, *m_snapshot.verdicts));
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

// --- Settings ---------------------------------------------------------------------------------

void MainWindow::restoreSettings()
{
    m_persistSettings = true;
    QSettings settings;
    if (const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray(); !state.isEmpty())
        restoreState(state);
    for (QSplitter* splitter : m_splitters) {
        const QByteArray state = settings.value(QStringLiteral("window/splitters/") + splitter->objectName()).toByteArray();
        if (!state.isEmpty())
            splitter->restoreState(state);
    }
    m_tabs->setCurrentIndex(std::clamp(settings.value(QStringLiteral("window/tab"), 0).toInt(), 0, m_tabs->count() - 1));
    m_recentFiles = settings.value(QStringLiteral("files/recent")).toStringList();
    while (m_recentFiles.size() > kMaxRecentFiles)
        m_recentFiles.removeLast();
    m_lastFolder = settings.value(QStringLiteral("files/lastFolder")).toString();
    m_detectorPanel->restoreSettings(settings);
    m_contamination = m_detectorPanel->contamination();
    updateRecentMenu();
}

void MainWindow::saveSettings() const
{
    if (!m_persistSettings)
        return;
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    for (QSplitter* splitter : m_splitters)
        settings.setValue(QStringLiteral("window/splitters/") + splitter->objectName(), splitter->saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
    settings.setValue(QStringLiteral("files/lastFolder"), m_lastFolder);
    m_detectorPanel->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    m_controller->cancel();
    event->accept();
}

void MainWindow::addRecentFile(const QString& path)
{
    if (path.startsWith(QLatin1String(":/")))
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_recentFiles.removeAll(absolute);
    m_recentFiles.prepend(absolute);
    while (m_recentFiles.size() > kMaxRecentFiles)
        m_recentFiles.removeLast();
    updateRecentMenu();
    if (m_persistSettings) {
        QSettings settings;
        settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
    }
}

void MainWindow::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (int i = 0; i < m_recentFiles.size(); ++i) {
        const QString path = m_recentFiles[i];
        QString text = QFileInfo(path).fileName();
        text.replace(QLatin1Char('&'), QLatin1String("&&"));
        QAction* action = m_recentMenu->addAction(i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(text) : text);
        action->setToolTip(plainTooltip(QDir::toNativeSeparators(path)));
        action->setStatusTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { openFile(path); });
    }
    if (!m_recentFiles.isEmpty()) {
        m_recentMenu->addSeparator();
        QAction* clear = m_recentMenu->addAction(tr("&Clear List"));
        connect(clear, &QAction::triggered, this, [this] {
            m_recentFiles.clear();
            updateRecentMenu();
            if (m_persistSettings) {
                QSettings settings;
                settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
            }
        });
    }
    m_recentMenu->setEnabled(!m_recentFiles.isEmpty());
}

QString MainWindow::startFolder() const
{
    if (!m_lastFolder.isEmpty() && QFileInfo(m_lastFolder).isDir())
        return m_lastFolder;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

void MainWindow::rememberFolder(const QString& path)
{
    const QFileInfo info(path);
    m_lastFolder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

// --- Opening and running --------------------------------------------------------------------

void MainWindow::openFileDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Traffic File"), startFolder(),
                                                      tr("Traffic files (*.csv *.CSV *.log *.txt *.gz);;CSV files (*.csv *.CSV);;"
                                                         "AWS logs (*.log *.txt *.gz);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    openFile(path);
}

void MainWindow::openFile(const QString& path)
{
    if (offerImport(path))
        return;
    startLoad(path, QFileInfo(path).fileName());
}

void MainWindow::openSample()
{
    startLoad(QString::fromLatin1(kSampleResource), tr("Sample dataset (sample_traffic.csv)"));
}

void MainWindow::startLoad(const QString& path, const QString& displayName, const ReadOptions& read)
{
    m_lastError.clear();
    m_importNote.clear();
    m_loadingPath = path;
    m_statusText->setText(tr("Opening %1...").arg(displayName));
    m_controller->load(path, read, m_detectorPanel->detectorParams(), m_contamination, displayName);
}

// --- Importing other CSV layouts --------------------------------------------------------------

bool MainWindow::offerImport(const QString& path)
{
    if (path.startsWith(QLatin1String(":/")))
        return false;
    // The first 64 KB only: small enough for the GUI thread, as the dialog's preview is.
    const ImportCheck check = checkImport(path.toStdString());
    if (!check.needsImport)
        return false;
    logger::get("ui")->info("{} needs an import mapping: {}", path.toStdString(), check.why);
    if (const auto saved = savedImportOptions(QString::fromStdString(check.sniff.headerSignature))) {
        openFileWith(path, *saved);
        logger::get("ui")->info("applied the saved import mapping {} to {}", check.sniff.headerSignature, path.toStdString());
        m_importNote = tr("Applied the saved mapping for this layout \u2014 File \u25B8 Import CSV\u2026 to change it");
        statusBar()->showMessage(m_importNote, 20000);
        return true;
    }
    showImportDialog(path);
    return true;
}

ImportDialog* MainWindow::showImportDialog(const QString& path)
{
    try {
        std::string sample = readCsvSample(path.toStdString(), SniffParams{}.sampleBytes);
        const SniffResult sniff = sniffCsvText(sample, {}, path.toStdString());
        const auto saved = savedImportOptions(QString::fromStdString(sniff.headerSignature));
        auto* dialog = new ImportDialog(QFileInfo(path).fileName(), std::move(sample), saved, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, path] { openFileWith(path, dialog->readOptions()); });
        dialog->open();
        return dialog;
    } catch (const Error& error) {
        m_lastError = QString::fromStdString(error.what());
        showError(tr("Cannot import the file"), m_lastError);
        Q_EMIT loadFailed(m_lastError);
        return nullptr;
    }
}

void MainWindow::openFileWith(const QString& path, const ReadOptions& options)
{
    startLoad(path, QFileInfo(path).fileName(), options);
}

void MainWindow::importFileDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import CSV"), startFolder(),
                                                      tr("CSV and text files (*.csv *.CSV *.tsv *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    showImportDialog(path);
}

void MainWindow::runDetector()
{
    if (!m_snapshot.hasData())
        return;
    if (m_controller->currentJob() == AnalysisController::JobKind::Load
        || m_controller->currentJob() == AnalysisController::JobKind::Export)
        return; // the load will fit with the panel's settings anyway; an export must not be cut short
    m_controller->detect(m_snapshot.data, m_detectorPanel->detectorParams(), m_contamination, m_snapshot.aggregates);
}

void MainWindow::cancelJob()
{
    m_controller->cancel();
}

bool MainWindow::isBusy() const
{
    return m_controller->isBusy();
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

void MainWindow::onProgress(const QString& stage, double fraction)
{
    m_progress->setValue(static_cast<int>(fraction * 1000.0));
    m_progress->setFormat(stage.isEmpty() ? tr("Starting...") : tr("%1... %p%").arg(stage));
}

void MainWindow::onLoadFinished(const LoadResult& result)
{
    retire(m_snapshot);
    m_snapshot = result.snapshot;
    m_summary = result.summary;
    m_fingerprint = result.fingerprint;
    m_currentPath = result.path;
    m_displayName = result.displayName;
    m_detectionProblem = result.detectionProblem;
    m_loadSeconds = result.seconds;
    // The contamination may have moved while the load ran: the slider wins (re-labelled on the
    // worker; verdictsApplied follows analysisReady).
    if (m_snapshot.detection && !(m_snapshot.verdicts->contamination == m_contamination))
        m_controller->assess(m_snapshot, m_contamination);
    addRecentFile(result.path);
    if (!result.path.startsWith(QLatin1String(":/")))
        rememberFolder(result.path);
    setWindowTitle(QStringLiteral("%1 \u2014 %2").arg(m_displayName, appTitle()));
    m_fitDataColumns = true;
    m_readyPending = true;
    m_loadPending = true;
    showSnapshot();
}

void MainWindow::refitIfSettingsChanged()
{
    // The panel's settings changed while a load or export ran (a refit could not start then):
    // with "refit automatically" on, catch up now rather than leave the scores stale.
    if (!m_detectorPanel->autoRefit() || m_controller->isBusy() || !m_snapshot.detection)
        return;
    if (!sameModel(m_detectorPanel->detectorParams(), m_snapshot.detection->params))
        runDetector();
}

void MainWindow::onDetectionFinished(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data != m_snapshot.data)
        return; // a detection for data that has since been replaced
    retire(m_snapshot);
    m_snapshot = snapshot;
    m_detectionProblem.clear();
    if (!(m_snapshot.verdicts->contamination == m_contamination))
        m_controller->assess(m_snapshot, m_contamination);
    m_readyPending = true;
    showSnapshot();
}

void MainWindow::onJobFailed(AnalysisController::JobKind kind, const QString& message)
{
    m_lastError = message;
    logger::get("ui")->warn("{}", message.toStdString());
    switch (kind) {
    case AnalysisController::JobKind::Load:
        // A recent file that has gone away leaves the list.
        if (m_recentFiles.contains(m_loadingPath) && !QFileInfo::exists(m_loadingPath)) {
            m_recentFiles.removeAll(m_loadingPath);
            updateRecentMenu();
            if (m_persistSettings) {
                QSettings settings;
                settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
            }
        }
        updateStatusText();
        m_statusText->setText(tr("Could not open the file: %1").arg(message));
        showError(tr("Cannot Open File"), message);
        Q_EMIT loadFailed(message);
        break;
    case AnalysisController::JobKind::Detect:
        updateStatusText();
        m_statusText->setText(tr("The detector failed: %1").arg(message));
        showError(tr("Detector Failed"), message);
        Q_EMIT detectionFailed(message);
        break;
    case AnalysisController::JobKind::Export:
        updateStatusText();
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
    // The count is a binary search in the sorted scores: show it at once, while dragging.
    if (m_snapshot.detection) {
        const ScoreIndex& scores = m_snapshot.detection->scores;
        const double threshold = scores.thresholdFor(contamination);
        m_detectorPanel->showFlagged(scores.countBelow(threshold), scores.size(), threshold);
    }
    // Findings hash every row (tens of milliseconds at a million rows): computed off this thread,
    // the newest request winning while one is under way. Sent even when it matches what is shown,
    // since an older request still in flight may be about to replace that.
    if (m_snapshot.detection)
        m_controller->assess(m_snapshot, contamination);
}

void MainWindow::onAssessed(const AnalysisSnapshot& snapshot)
{
    // Labels for scores the window no longer shows (a new file or refit arrived meanwhile).
    if (snapshot.data != m_snapshot.data || snapshot.detection != m_snapshot.detection || !snapshot.verdicts)
        return;
    m_snapshot = snapshot;
    m_verdictsPending = true;
    showVerdicts();
}

// --- Showing the snapshot ------------------------------------------------------------------------

void MainWindow::showSnapshot()
{
    if (m_snapshot.data.get() != m_viewFilterData) {
        // New data: the selected sources' ids belonged to the old file. Each view drops its
        // part of the filter when its turn comes (showPart).
        m_viewFilter = {};
        m_viewFilterData = m_snapshot.data.get();
    }
    if (m_snapshot.detection) {
        const Verdicts& verdicts = *m_snapshot.verdicts;
        m_detectorPanel->showFlagged(verdicts.suspiciousCount, verdicts.suspicious.size(), verdicts.threshold);
        m_detectorPanel->setFittedParams(m_snapshot.detection->params, detectionDetailsText(*m_snapshot.detection));
    } else {
        m_detectorPanel->showNoScores(m_snapshot.hasData() ? tr("No scores: %1").arg(m_detectionProblem)
                                                           : tr("No data loaded yet."));
        m_detectorPanel->setFittedParams(std::nullopt);
    }
    updateViewFilterBar();
    if (!m_partTimer->isActive())
        m_showClock.start();
    m_partTimer->start();
    updateActions();
}

void MainWindow::showVerdicts()
{
    const Verdicts& verdicts = *m_snapshot.verdicts;
    m_detectorPanel->showFlagged(verdicts.suspiciousCount, verdicts.suspicious.size(), verdicts.threshold);
    if (!m_partTimer->isActive())
        m_showClock.start();
    m_partTimer->start();
}

std::optional<MainWindow::Tab> MainWindow::tabOfPart(int part)
{
    switch (part) {
    case DetailPart: return std::nullopt;   // a dock: in view whatever the tab
    case DataModelPart:
    case DataColumnsPart: return Tab::Data;
    case SuspiciousPart:
    case ScatterPart: return Tab::Anomalies;
    case EntitiesPart:
    case EntitiesColumnsPart: return Tab::Entities;
    case TimelinePart: return Tab::Timeline;
    case TrustPart: return Tab::Trust;
    case SummaryPart: return Tab::Summary;
    default: return Tab::Overview;
    }
}

bool MainWindow::isPartStale(int part) const
{
    const ShownPart& shown = m_shown[static_cast<std::size_t>(part)];
    return !shown.valid || shown.data != m_snapshot.data || shown.detection != m_snapshot.detection
        || shown.verdicts != m_snapshot.verdicts;
}

bool MainWindow::showsOtherRows(int part) const
{
    const ShownPart& shown = m_shown[static_cast<std::size_t>(part)];
    return !shown.valid || shown.data != m_snapshot.data;
}

bool MainWindow::viewsPending() const
{
    return nextStalePart() >= 0;
}

int MainWindow::nextStalePart() const
{
    // What the analyst is looking at first (the tab in front, then the Row details dock), then
    // the other tabs, the most looked-at first. The Data and Entities columns are fitted after
    // their models (they come later in either order).
    const Tab current = currentTab();
    for (int part = 0; part < ViewPartCount; ++part) {
        if (tabOfPart(part) == current && isPartStale(part))
            return part;
    }
    static constexpr std::array order{
        int(DetailPart),       int(OverviewPart0),     int(OverviewPart0 + 1), int(OverviewPart0 + 2),
        int(OverviewPart0 + 3), int(OverviewPart0 + 4), int(OverviewPart0 + 5), int(SuspiciousPart),
        int(ScatterPart),      int(DataModelPart),     int(DataColumnsPart),   int(SummaryPart),
        int(EntitiesPart),     int(EntitiesColumnsPart), int(TimelinePart),    int(TrustPart),
    };
    static_assert(order.size() == ViewPartCount);
    for (const int part : order) {
        if (isPartStale(part))
            return part;
    }
    return -1;
}

void MainWindow::showNextPart()
{
    const int part = nextStalePart();
    if (part >= 0) {
        QElapsedTimer timer;
        timer.start();
        showPart(part);
        logger::get("ui")->trace("view part {} shown in {:.1f} ms", part, static_cast<double>(timer.nsecsElapsed()) / 1e6);
        if (qEnvironmentVariableIsSet("WT_PARTS")) fprintf(stderr, "  PART %d %.2f\n", part, timer.nsecsElapsed()/1e6);
        ++m_partsShown;
    }
    if (viewsPending()) {
        // A timer, not a posted call: the relayout and repaint this part caused, a click or a
        // key are handled before the next part.
        m_partTimer->start();
        return;
    }
    finishShowing();
}

void MainWindow::showPart(int part)
{
    ShownPart& shown = m_shown[static_cast<std::size_t>(part)];
    const bool newData = !shown.valid || shown.data != m_snapshot.data;
    // New data or a new detection rebuilds the part; new verdicts alone only relabel it.
    const bool rebuild = newData || shown.detection != m_snapshot.detection;
    const std::shared_ptr<const Verdicts> before = shown.verdicts;
    // New data drops the old data's view filter (showSnapshot cleared it); one the analyst has
    // set since, for the new data, stays.
    const bool dropViewFilter = newData && !m_viewFilter.isActive();
    switch (part) {
    case DetailPart:
        if (rebuild)
            m_detailPanel->setSnapshot(m_snapshot);
        else
            m_detailPanel->updateVerdicts(m_snapshot);
        break;
    case DataModelPart:
        if (rebuild) {
            if (dropViewFilter && m_trafficProxy->hasRowMask())
                m_trafficProxy->setRowMask(nullptr);
            m_trafficModel->setSnapshot(m_snapshot);
            updateFilterColumns();
            // The verdict first: label and score lead the Data tab (the model keeps the scored
            // CSV's column order; only the view's order changes, and a reset restores the model's).
            QHeaderView* header = m_dataView->horizontalHeader();
            const int label = m_trafficModel->columnFor(TrafficTableModel::ColumnSource::Label);
            const int score = m_trafficModel->columnFor(TrafficTableModel::ColumnSource::Score);
            if (label >= 0 && score >= 0 && m_snapshot.detection) {
                header->moveSection(header->visualIndex(label), 0);
                header->moveSection(header->visualIndex(score), 1);
            }
            const int sortColumn = m_trafficProxy->sortColumn();
            if (sortColumn >= 0 && sortColumn < m_trafficModel->columnCount())
                m_trafficProxy->sort(sortColumn, m_trafficProxy->sortOrder());
        } else {
            m_trafficModel->updateVerdicts(m_snapshot);
            m_trafficProxy->verdictsChanged();
        }
        updateStatusText();
        break;
    case DataColumnsPart:
        // After a load only: a refit keeps the widths the analyst may have set.
        if (rebuild && m_fitDataColumns) {
            fitColumns(m_dataView);
            m_fitDataColumns = false;
        }
        break;
    case SuspiciousPart:
        if (dropViewFilter)
            m_suspiciousModel->setRowMask(nullptr);
        m_suspiciousModel->setSnapshot(m_snapshot);
        for (FindingsModel* model : m_findingsModels)
            model->setFindings(m_snapshot.findings);
        if (rebuild) {
            fitColumns(m_suspiciousView);
            for (QTableView* view : m_findingsViews)
                fitColumns(view);
        }
        updateStatusText();
        break;
    case ScatterPart:
        if (rebuild) {
            if (dropViewFilter)
                m_scatter->setRowMask(nullptr);
            m_scatter->setSnapshot(m_snapshot);
        } else {
            m_scatter->updateVerdicts(m_snapshot);
        }
        break;
    case EntitiesPart:
        if (rebuild) {
            if (dropViewFilter && m_entitiesModel->hasPeriod())
                m_entitiesModel->setPeriodRows(nullptr);
            // The proxy sorts again by the view's sort column after the reset.
            m_entitiesModel->setSnapshot(m_snapshot);
            updateEntitiesTitle();
            if (m_viewFilter.hasSources()) {
                // A refit resets the model: show the sources the filter still holds as selected again.
                const QScopedValueRollback guard(m_clearingViewFilter, true);
                QItemSelection selection;
                for (std::uint32_t id : m_viewFilter.sourceIps) {
                    const int row = m_entitiesModel->rowOf(id);
                    const QModelIndex index = row < 0 ? QModelIndex() : m_entitiesProxy->mapFromSource(m_entitiesModel->index(row, 0));
                    if (index.isValid())
                        selection.select(index, index);
                }
                m_entitiesView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            }
        } else {
            m_entitiesModel->updateVerdicts(m_snapshot);
            m_entitiesProxy->verdictsChanged();
        }
        break;
    case EntitiesColumnsPart:
        // Measuring a hundred thousand sources' cells takes a frame or so: a part of its own.
        if (rebuild)
            fitColumns(m_entitiesView);
        break;
    case TimelinePart:
        if (rebuild) {
            if (dropViewFilter)
                m_timeline->setSelectedPeriod(std::nullopt);
            m_timeline->setSnapshot(m_snapshot);
        } else {
            m_timeline->updateVerdicts(m_snapshot);
        }
        break;
    case TrustPart:
        if (rebuild) {
            m_trustView->setSnapshot(m_snapshot);
        } else {
            m_trustView->updateVerdicts(m_snapshot);
            showChangedVerdicts(before);
        }
        break;
    case SummaryPart:
        if (rebuild)
            updateSummary();
        break;
    default:
        if (rebuild)
            m_overview->setSnapshot(m_snapshot, part - OverviewPart0);
        else
            m_overview->updateVerdicts(m_snapshot, part - OverviewPart0);
        break;
    }
    shown = {true, m_snapshot.data, m_snapshot.detection, m_snapshot.verdicts};
}

void MainWindow::finishShowing()
{
    updateStatusText();
    updateActions();
    if (!m_retired.empty()) {
        // Every view has let go of the replaced data by now: free it off this thread.
        std::vector<AnalysisSnapshot> retired;
        retired.swap(m_retired);
        backgroundThreadPool()->start([retired = std::move(retired)]() mutable { retired.clear(); });
    }
    logger::get("ui")->debug("views updated in {} parts over {} ms", m_partsShown, m_showClock.elapsed());
    m_partsShown = 0;
    const bool ready = std::exchange(m_readyPending, false);
    const bool load = std::exchange(m_loadPending, false);
    const bool verdicts = std::exchange(m_verdictsPending, false);
    if (ready) {
        if (load && !m_detectionProblem.isEmpty())
            Q_EMIT detectionFailed(m_detectionProblem);
        Q_EMIT analysisReady();
        if (load)
            refitIfSettingsChanged();
    }
    if (verdicts)
        Q_EMIT verdictsApplied();
}

void MainWindow::retire(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data || snapshot.detection)
        m_retired.push_back(snapshot);
}

void MainWindow::updateSummary()
{
    if (!m_snapshot.hasData() || !m_summary) {
        m_summaryModel->setSummary(nullptr);
        m_summaryHeader->setText(
            tr("<p><span style='font-size:large; font-weight:600'>No data loaded</span><br>"
               "Open a traffic CSV with <b>File &gt; Open</b> (%1), drop one on this window, or try "
               "<b>File &gt; Open Sample Dataset</b>.</p>")
                .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText).toHtmlEscaped()));
        m_reportView->clear();
        return;
    }
    std::optional<ColumnSummary> score;
    if (m_snapshot.scoreSummary)
        score = *m_snapshot.scoreSummary;  // made on the worker
    else if (m_snapshot.detection)
        score = summarizeScores(m_snapshot.detection->scores);
    m_summaryModel->setSummary(m_summary, score);
    fitColumns(m_summaryView);
    m_summaryHeader->setText(datasetHeadlineHtml(m_displayName, *m_snapshot.data, *m_summary, m_loadSeconds));
    m_reportView->setHtml(webthreat::cleaningReportHtml(*m_snapshot.data, m_detectionProblem));
}

QString MainWindow::cleaningReportHtml() const
{
    return m_reportView->toHtml();
}

void MainWindow::updateStatusText()
{
    if (!m_snapshot.hasData()) {
        m_statusText->setText(tr("Open a traffic CSV (Ctrl+O) or the sample dataset to begin."));
        m_countsText->clear();
        m_rowsShown->clear();
        return;
    }
    m_statusText->setText(QStringLiteral("%1: %2").arg(m_displayName, cleaningStatusText(*m_snapshot.data)));
    const std::size_t rows = m_snapshot.data->table.rowCount();
    if (m_snapshot.hasDetection()) {
        const std::size_t suspicious = m_snapshot.verdicts->suspiciousCount;
        m_countsText->setText(tr("%1 rows, %2 suspicious (%3)")
                                  .arg(formatCount(rows), formatCount(suspicious),
                                       formatPercent(rows > 0 ? static_cast<double>(suspicious) / static_cast<double>(rows) : 0.0)));
        const auto listed = static_cast<std::size_t>(m_suspiciousModel->rowCount());
        if (listed != suspicious) // the Entities or Timeline selection narrows the list
            m_suspiciousTitle->setText(tr("%1 of %2 suspicious rows (filtered), most anomalous first")
                                           .arg(formatCount(listed), formatCount(suspicious)));
        else
            m_suspiciousTitle->setText(tr("%1 suspicious rows, most anomalous first").arg(formatCount(suspicious)));
    } else {
        m_countsText->setText(tr("%1 rows, no scores").arg(formatCount(rows)));
        m_suspiciousTitle->setText(tr("Suspicious rows, most anomalous first"));
    }
    if (m_trafficProxy->isSearching())
        m_rowsShown->setText(tr("Searching %1 rows...").arg(formatCount(rows)));
    else if (m_trafficProxy->isSorting())
        m_rowsShown->setText(tr("Sorting %1 rows...").arg(formatCount(rows)));
    else
        m_rowsShown->setText(tr("%1 of %2 rows shown")
                                 .arg(formatCount(static_cast<std::uint64_t>(m_trafficProxy->rowCount())), formatCount(rows)));
    updateViewFilterBar();
}

void MainWindow::updateActions()
{
    const bool busy = m_controller->isBusy();
    const bool hasData = m_snapshot.hasData();
    const bool hasScores = m_snapshot.hasDetection();
    const bool loading = m_controller->currentJob() == AnalysisController::JobKind::Load;
    const bool exporting = m_controller->currentJob() == AnalysisController::JobKind::Export;
    // Charts and tables half-way to a new snapshot are not exported.
    const bool showing = m_partTimer && m_partTimer->isActive();
    m_runAction->setEnabled(hasData && !loading && !exporting);
    m_cancelAction->setEnabled(busy);
    m_exportCsvAction->setEnabled(hasScores && !busy && !showing);
    m_exportReportAction->setEnabled(hasScores && !busy && !showing);
    m_exportChartAction->setEnabled(hasData && !showing);
    m_exportAllChartsAction->setEnabled(hasData && !showing);
    m_detectorPanel->setBusy(busy, hasData && !loading && !exporting);
}

void MainWindow::updateFilterColumns()
{
    const QSignalBlocker block(m_filterColumn);
    const QString previous = m_filterColumn->currentData().toString();
    m_filterColumn->clear();
    m_filterColumn->addItem(tr("all columns"), QString());
    for (int column = 0; column < m_trafficModel->columnCount(); ++column) {
        const auto source = m_trafficModel->columnSource(column);
        if (source == TrafficTableModel::ColumnSource::Table || source == TrafficTableModel::ColumnSource::Label)
            m_filterColumn->addItem(m_trafficModel->columnName(column), m_trafficModel->columnName(column));
    }
    const int index = m_filterColumn->findData(previous);
    m_filterColumn->setCurrentIndex(index >= 0 ? index : 0);
}

void MainWindow::applyFilter()
{
    m_filterTimer->stop();
    m_trafficProxy->setFilter(m_filterEdit->text(), m_filterColumn->currentData().toString());
    updateStatusText();
}

// --- Selection across views ------------------------------------------------------------------

void MainWindow::onScatterRowClicked(qsizetype row)
{
    // A click on a scatter that still shows the previous data names a row of that data.
    if (!m_snapshot.hasData() || row < 0 || static_cast<std::size_t>(row) >= m_snapshot.data->table.rowCount()
        || showsOtherRows(ScatterPart) || showsOtherRows(SuspiciousPart))
        return;
    const int position = m_suspiciousModel->positionOf(static_cast<std::size_t>(row));
    if (position >= 0) {
        const QModelIndex index = m_suspiciousModel->index(position, 0);
        m_suspiciousView->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_suspiciousView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    } else {
        m_suspiciousView->clearSelection();
    }
    selectTableRow(static_cast<std::size_t>(row), false);
    m_statusText->setText(tr("Row from line %1 selected").arg(m_snapshot.data->table.sourceLines[static_cast<std::size_t>(row)]));
}

void MainWindow::onSuspiciousActivated(const QModelIndex& index)
{
    if (!index.isValid() || showsOtherRows(SuspiciousPart))
        return;
    selectTableRow(m_suspiciousModel->tableRow(index.row()), true);
}

void MainWindow::selectTableRow(std::size_t row, bool switchToData)
{
    if (showsOtherRows(DataModelPart))
        return;
    QModelIndex proxyIndex = m_trafficProxy->mapFromSource(m_trafficModel->index(static_cast<int>(row), 0));
    if (!proxyIndex.isValid() && switchToData) {
        // Filtered out: clear the filter so the row the analyst asked for can be shown.
        m_filterEdit->clear();
        m_suspiciousOnly->setChecked(false);
        applyFilter();
        proxyIndex = m_trafficProxy->mapFromSource(m_trafficModel->index(static_cast<int>(row), 0));
    }
    if (!proxyIndex.isValid())
        return;
    m_dataView->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_dataView->scrollTo(proxyIndex, QAbstractItemView::PositionAtCenter);
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

FindingsModel* MainWindow::findingsModel(FindingsModel::Category category) const
{
    for (FindingsModel* model : m_findingsModels) {
        if (model->category() == category)
            return model;
    }
    return nullptr;
}

// --- Who and when: entities, timeline and the view filter --------------------------------------

QWidget* MainWindow::createEntitiesTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* bar = new QHBoxLayout;
    m_entitiesTitle = new QLabel(tr("Source IPs"), page);
    m_entitiesTitle->setObjectName(QStringLiteral("entitiesTitle"));
    m_entitiesFilterEdit = new QLineEdit(page);
    m_entitiesFilterEdit->setObjectName(QStringLiteral("entitiesFilterEdit"));
    m_entitiesFilterEdit->setPlaceholderText(tr("Find a source IP..."));
    m_entitiesFilterEdit->setClearButtonEnabled(true);
    m_entitiesFilterEdit->setMaximumWidth(260);
    bar->addWidget(m_entitiesTitle, 1);
    bar->addWidget(m_entitiesFilterEdit);
    layout->addLayout(bar);

    m_entitiesView = makeTableView(page, QStringLiteral("entitiesView"));
    m_entitiesView->setModel(m_entitiesProxy);
    m_entitiesView->setSortingEnabled(true);
    m_entitiesView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_entitiesView->verticalHeader()->hide();
    m_entitiesView->horizontalHeader()->setStretchLastSection(true);
    // Busiest sources first until the analyst sorts otherwise.
    m_entitiesView->sortByColumn(EntitiesModel::Sessions, Qt::DescendingOrder);
    m_entitiesView->setToolTip(tr("Select one or more sources (Ctrl/Shift+click) to show only their rows in the Data "
                                  "tab, the suspicious list and the timeline's filter bar"));
    layout->addWidget(m_entitiesView, 1);
    connect(m_entitiesView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onEntitySelectionChanged);
    connect(m_entitiesFilterEdit, &QLineEdit::textChanged, m_entitiesProxy, &EntitiesProxyModel::setIpFilter);
    return page;
}

QWidget* MainWindow::createTimelineTab()
{
    m_timeline = new TimelineChart(this);
    m_timeline->setObjectName(QStringLiteral("timelineChart"));
    connect(m_timeline, &TimelineChart::periodSelected, this, &MainWindow::onPeriodSelected);
    return m_timeline;
}

QWidget* MainWindow::createViewFilterBar()
{
    m_viewFilterBar = new QFrame(this);
    m_viewFilterBar->setObjectName(QStringLiteral("viewFilterBar"));
    m_viewFilterBar->setAutoFillBackground(true);
    QPalette tinted = m_viewFilterBar->palette();
    QColor highlight = tinted.color(QPalette::Highlight);
    highlight.setAlpha(40);
    tinted.setColor(QPalette::Window, highlight);
    m_viewFilterBar->setPalette(tinted);
    auto* layout = new QHBoxLayout(m_viewFilterBar);
    layout->setContentsMargins(8, 3, 8, 3);
    m_viewFilterText = new QLabel(m_viewFilterBar);
    m_viewFilterText->setObjectName(QStringLiteral("viewFilterText"));
    m_viewFilterText->setTextFormat(Qt::PlainText);
    auto* clear = new QPushButton(tr("Clear"), m_viewFilterBar);
    clear->setObjectName(QStringLiteral("viewFilterClear"));
    clear->setToolTip(tr("Show every row again"));
    connect(clear, &QPushButton::clicked, this, &MainWindow::clearViewFilter);
    layout->addWidget(m_viewFilterText, 1);
    layout->addWidget(clear);
    m_viewFilterBar->hide();
    return m_viewFilterBar;
}

void MainWindow::onEntitySelectionChanged()
{
    // The ids come from the Entities model: they must be m_snapshot's.
    if (m_clearingViewFilter || !m_snapshot.hasData() || showsOtherRows(EntitiesPart))
        return;
    std::vector<std::uint32_t> ids;
    for (const QModelIndex& index : m_entitiesView->selectionModel()->selectedRows())
        ids.push_back(index.data(EntitiesModel::SourceIpIdRole).toUInt());
    std::sort(ids.begin(), ids.end());
    ViewFilter filter = m_viewFilter;
    filter.sourceIps = std::move(ids);
    setViewFilter(filter);
}

void MainWindow::onPeriodSelected(qint64 fromMicros, qint64 toMicros)
{
    ViewFilter filter = m_viewFilter;
    filter.from = fromMicros;
    filter.to = toMicros;
    setViewFilter(filter);
}

void MainWindow::setViewFilter(const ViewFilter& filter)
{
    if (filter == m_viewFilter)
        return;
    m_viewFilter = filter;
    m_viewFilterData = m_snapshot.data.get();
    applyViewFilter();
}

void MainWindow::clearViewFilter()
{
    {
        // Clearing the entity selection must not set the filter again, source by source.
        const QScopedValueRollback guard(m_clearingViewFilter, true);
        m_entitiesView->clearSelection();
    }
    m_viewFilter = {};
    applyViewFilter();
}

void MainWindow::updateEntitiesTitle()
{
    if (!m_snapshot.aggregates) {
        m_entitiesTitle->setText(tr("Source IPs"));
        return;
    }
    const QString count = formatCount(m_snapshot.aggregates->entities.entities.size());
    m_entitiesTitle->setText(
        m_entitiesModel->hasPeriod()
            ? tr("%1 of %2 source IPs active in the Timeline's period, with the period's figures (countries and ports: the whole file)")
                  .arg(formatCount(static_cast<std::uint64_t>(m_entitiesProxy->rowCount())), count)
            : tr("%1 source IPs; select one or more to show only their rows in the other views").arg(count));
}

void MainWindow::applyViewFilter()
{
    // The Entities view lists the sources active in the period, with the period's figures. The
    // sources selected there are not applied to the list itself.
    {
        std::shared_ptr<const std::vector<std::uint8_t>> inPeriod;
        if (m_viewFilter.hasPeriod() && m_snapshot.hasData() && m_snapshot.aggregates)
            inPeriod = std::make_shared<const std::vector<std::uint8_t>>(
                rowsInTimeRange(m_snapshot.data->table, *m_viewFilter.from, *m_viewFilter.to));
        if (inPeriod || m_entitiesModel->hasPeriod()) {
            // Sources hidden by the period leave the selection; the filter keeps them (AND gives
            // none of their rows anyway), so hiding them must not re-enter this function.
            const QScopedValueRollback guard(m_clearingViewFilter, true);
            m_entitiesModel->setPeriodRows(std::move(inPeriod));
            m_entitiesProxy->periodChanged();
            // The headers say "(period)" now, or no longer: widen what would cut them off.
            QHeaderView* header = m_entitiesView->horizontalHeader();
            for (int column = 0; column < header->count(); ++column) {
                if (header->sectionSize(column) < header->sectionSizeHint(column))
                    header->resizeSection(column, header->sectionSizeHint(column));
            }
            updateEntitiesTitle();
        }
    }
    // One pass over the rows (a few milliseconds at a million), then the proxies refilter as they
    // do for the text filter.
    std::shared_ptr<const std::vector<std::uint8_t>> mask;
    if (m_viewFilter.isActive() && m_snapshot.hasData())
        mask = std::make_shared<const std::vector<std::uint8_t>>(filterRows(m_snapshot.data->table, m_viewFilter));
    m_trafficProxy->setRowMask(mask);
    m_suspiciousModel->setRowMask(mask);
    m_scatter->setRowMask(mask);
    // The timeline shows the whole span with the selected sources' sessions over it (the period
    // is its own shading), so it gets the sources' rows only.
    std::shared_ptr<const std::vector<std::uint8_t>> sources;
    QString sourcesName;
    if (m_viewFilter.hasSources() && m_snapshot.hasData()) {
        sources = m_viewFilter.hasPeriod()
            ? std::make_shared<const std::vector<std::uint8_t>>(rowsFromSources(m_snapshot.data->table, m_viewFilter.sourceIps))
            : mask;
        sourcesName = m_viewFilter.sourceIps.size() == 1
            ? tr("Sessions from %1").arg(fromUtf8View(m_snapshot.data->table.strings->view(m_viewFilter.sourceIps.front())))
            : tr("Sessions from the %1 selected sources").arg(m_viewFilter.sourceIps.size());
    }
    if (sources != nullptr || !m_timeline->sourceSessions().empty())
        m_timeline->setSourceMask(sources, sourcesName);
    m_timeline->setSelectedPeriod(m_viewFilter.hasPeriod()
                                      ? std::optional(std::make_pair(*m_viewFilter.from, *m_viewFilter.to))
                                      : std::nullopt);
    updateStatusText(); // and the filter bar with it
    Q_EMIT viewFilterChanged();
}

void MainWindow::updateViewFilterBar()
{
    if (!m_viewFilter.isActive() || !m_snapshot.hasData()) {
        m_viewFilterBar->hide();
        m_viewFilterText->clear();
        return;
    }
    QStringList parts;
    if (m_viewFilter.hasSources()) {
        const StringPool& strings = *m_snapshot.data->table.strings;
        QStringList names;
        for (std::size_t i = 0; i < std::min<std::size_t>(m_viewFilter.sourceIps.size(), 3); ++i)
            names << fromUtf8View(strings.view(m_viewFilter.sourceIps[i]));
        QString sources = names.join(QStringLiteral(", "));
        if (m_viewFilter.sourceIps.size() > 3)
            sources += tr(" and %1 more").arg(m_viewFilter.sourceIps.size() - 3);
        parts << tr("source %1").arg(sources);
    }
    if (m_viewFilter.hasPeriod())
        parts << tr("%1 to %2 UTC")
                     .arg(formatInstantShort(static_cast<double>(*m_viewFilter.from) / 1e6),
                          formatInstantShort(static_cast<double>(*m_viewFilter.to) / 1e6));
    const auto shown = static_cast<std::size_t>(m_trafficProxy->rowCount());
    const bool otherFilters = !m_filterEdit->text().trimmed().isEmpty() || m_suspiciousOnly->isChecked();
    m_viewFilterText->setText(tr("Filtered to %1 \u2014 %2 of %3 rows in the Data tab%4")
                                  .arg(parts.join(tr(" and ")), formatCount(shown),
                                       formatCount(m_snapshot.data->table.rowCount()),
                                       otherFilters ? tr(" (with its own filter)") : QString()));
    m_viewFilterBar->show();
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
    rememberFolder(path);
    openFile(path);
}

// --- Exporting -------------------------------------------------------------------------------

QList<ChartView*> MainWindow::allChartViews() const
{
    QList<ChartView*> views = m_overview->chartViews();
    if (ChartView* scatter = m_scatter->chartView())
        views << scatter;
    views << m_timeline->chartView();
    views << m_trustView->chartViews();
    return views;
}

void MainWindow::exportChartDialog()
{
    ChartView* chart = nullptr;
    if (currentTab() == Tab::Anomalies) {
        chart = m_scatter->chartView();
    } else if (currentTab() == Tab::Timeline) {
        chart = m_timeline->chartView();
    } else if (currentTab() == Tab::Overview) {
        // The chart the analyst last clicked (focus) or is pointing at.
        for (ChartView* view : m_overview->chartViews()) {
            if (view->hasFocus() || view->underMouse())
                chart = view;
        }
    }
    const QList<ChartView*> views = allChartViews();
    if (!chart) {
        QStringList titles;
        for (ChartView* view : views)
            titles << view->title();
        bool ok = false;
        const QString choice = QInputDialog::getItem(this, tr("Export Chart"), tr("Chart to export:"), titles, 0, false, &ok);
        if (!ok)
            return;
        chart = views.value(static_cast<int>(titles.indexOf(choice)));
        if (!chart)
            return;
    }
    const QString suggested = QDir(startFolder()).filePath(chart->fileStem() + QStringLiteral(".png"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Chart as PNG"), suggested, tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    QString error;
    if (chart->exportPng(path, 2.0, &error)) {
        logger::get("ui")->info("exported the chart '{}' to {}", chart->title().toStdString(), path.toStdString());
        m_statusText->setText(tr("Chart saved to %1").arg(QDir::toNativeSeparators(path)));
        Q_EMIT exportFinished(path);
    } else {
        logger::get("ui")->warn("{}", error.toStdString());
        showError(tr("Export Failed"), error);
        Q_EMIT exportFailed(error);
    }
}

QStringList MainWindow::exportAllCharts(const QString& folder, double scale, QString* error)
{
    QStringList written;
    if (!QDir().mkpath(folder)) {
        if (error)
            *error = tr("Cannot create the folder %1").arg(QDir::toNativeSeparators(folder));
        return written;
    }
    const QDir dir(folder);
    for (ChartView* view : allChartViews()) {
        const QString path = dir.filePath(view->fileStem() + QStringLiteral(".png"));
        QString problem;
        if (view->exportPng(path, scale, &problem)) {
            written << path;
        } else {
            logger::get("ui")->warn("{}", problem.toStdString());
            if (error && error->isEmpty())
                *error = problem;
        }
    }
    logger::get("ui")->info("exported {} chart(s) to {}", written.size(), folder.toStdString());
    return written;
}

void MainWindow::exportAllChartsDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export All Charts to Folder"), startFolder());
    if (folder.isEmpty())
        return;
    rememberFolder(folder);
    QStringList existing;
    for (ChartView* view : allChartViews()) {
        const QString name = view->fileStem() + QStringLiteral(".png");
        if (QFileInfo::exists(QDir(folder).filePath(name)))
            existing << name;
    }
    if (!existing.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Replace Files?"),
            tr("%n chart file(s) already exist in %1:\n%2\n\nReplace them?", nullptr, static_cast<int>(existing.size()))
                .arg(QDir::toNativeSeparators(folder), existing.join(QLatin1Char('\n'))),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
    }
    QString error;
    const QStringList written = exportAllCharts(folder, 2.0, &error);
    if (!error.isEmpty()) {
        showError(tr("Export Failed"), error);
        Q_EMIT exportFailed(error);
        return;
    }
    m_statusText->setText(tr("%n chart(s) saved to %1", nullptr, static_cast<int>(written.size()))
                              .arg(QDir::toNativeSeparators(folder)));
    Q_EMIT exportFinished(folder);
}

void MainWindow::exportScoredCsvDialog()
{
    if (!m_snapshot.hasDetection())
        return;
    QString stem = QFileInfo(m_currentPath).completeBaseName();
    if (stem.isEmpty())
        stem = QStringLiteral("traffic");
    const QString suggested = QDir(startFolder()).filePath(stem + QStringLiteral("_scored.csv"));
    // The file dialog asks before replacing an existing file.
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Scored CSV"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    exportScoredCsv(path);
}

void MainWindow::exportScoredCsv(const QString& path)
{
    if (!m_snapshot.hasDetection()) {
        const QString message = tr("There are no scores to export yet: open a file and let the detector run.");
        m_lastError = message;
        Q_EMIT exportFailed(message);
        return;
    }
    m_statusText->setText(tr("Writing %1...").arg(QDir::toNativeSeparators(path)));
    m_reportPath.clear();
    m_controller->exportScoredCsv(m_snapshot, path, std::make_shared<const Provenance>(currentProvenance()));
}

Provenance MainWindow::currentProvenance() const
{
    if (!m_snapshot.hasData())
        return {};
    InputFingerprint input;
    if (m_fingerprint)
        input = *m_fingerprint;
    else
        input.name = m_displayName.toStdString();
    return makeProvenance(*m_snapshot.data, m_snapshot.detection.get(), m_snapshot.verdicts.get(), std::move(input),
                          "webthreat-workbench");
}

QList<QPair<QString, QString>> MainWindow::pngProvenanceText() const
{
    if (!m_snapshot.hasData())
        return {{QStringLiteral("Software"), QStringLiteral("webthreat-workbench " WEBTHREAT_VERSION)}};
    return provenancePngText(currentProvenance());
}

void MainWindow::exportReportDialog()
{
    if (!m_snapshot.hasDetection())
        return;
    QString stem = QFileInfo(m_displayName).completeBaseName();
    if (stem.isEmpty())
        stem = QStringLiteral("traffic");
    const QString pdfFilter = tr("PDF report (*.pdf)");
    const QString htmlFilter = tr("HTML report, one self-contained page (*.html)");
    QString filter = pdfFilter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export Report"),
                                                QDir(startFolder()).filePath(stem + QStringLiteral("_report.pdf")),
                                                pdfFilter + QStringLiteral(";;") + htmlFilter, &filter);
    if (path.isEmpty())
        return;
    // The format follows the file's suffix; a name without one gets the chosen filter's.
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == htmlFilter ? QStringLiteral(".html") : QStringLiteral(".pdf");
    rememberFolder(path);
    exportReport(path);
}

void MainWindow::exportReport(const QString& path)
{
    if (!m_snapshot.hasDetection() || !m_snapshot.findings) {
        const QString message = tr("There is nothing to report yet: open a file and let the detector run.");
        m_lastError = message;
        Q_EMIT exportFailed(message);
        return;
    }
    ReportInput input;
    input.snapshot = m_snapshot;
    input.provenance = currentProvenance();
    input.title = m_displayName;
    input.detectionProblem = m_detectionProblem;
    // Charts are widgets: rendered here, a few at a fixed size. Encoding them and laying out and
    // writing the pages happen on the worker.
    QElapsedTimer timer;
    timer.start();
    input.charts = renderReportCharts(allChartViews());
    logger::get("ui")->info("rendered {} chart(s) for the report in {} ms", input.charts.size(), timer.elapsed());
    m_statusText->setText(tr("Writing the report %1...").arg(QDir::toNativeSeparators(path)));
    m_reportPath = path;
    m_controller->exportReport(input, path);
}

void MainWindow::onExportFinished(const QString& path, qulonglong rows)
{
    updateStatusText();
    if (!m_reportPath.isEmpty() && path == m_reportPath) {
        m_reportPath.clear();
        logger::get("ui")->info("wrote the report {}", path.toStdString());
        m_statusText->setText(tr("Report written to %1").arg(QDir::toNativeSeparators(path)));
        Q_EMIT exportFinished(path);
        refitIfSettingsChanged();
        return;
    }
    m_statusText->setText(tr("%1 scored rows written to %2 (provenance in %3)")
                              .arg(formatCount(rows), QDir::toNativeSeparators(path),
                                   QFileInfo(QString::fromStdString(provenanceSidecarPath(path.toStdString()))).fileName()));
    Q_EMIT exportFinished(path);
    refitIfSettingsChanged();
}

// --- Help ------------------------------------------------------------------------------------

void MainWindow::showAbout()
{
    const QString text =
        tr("<h3>Web Threat Workbench %1</h3>"
           "<p>Find suspicious web-traffic interactions with an Isolation Forest: open a CSV of traffic records, "
           "clean it, explore it in charts and tables, and export the rows the detector flags.</p>"
           "<p>Built with Qt %2 (running on %3), Eigen %4.%5.%6 and spdlog %7.%8.%9.</p>"
           "<p>Licence: see the LICENSE file distributed with the program.</p>")
            .arg(QStringLiteral(WEBTHREAT_VERSION), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()))
            .arg(EIGEN_WORLD_VERSION)
            .arg(EIGEN_MAJOR_VERSION)
            .arg(EIGEN_MINOR_VERSION)
            .arg(SPDLOG_VER_MAJOR)
            .arg(SPDLOG_VER_MINOR)
            .arg(SPDLOG_VER_PATCH);
    QMessageBox::about(this, tr("About Web Threat Workbench"), text);
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* table = new QTableWidget(&dialog);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QList<QAction*> actions{m_openAction, m_importAction, m_exportCsvAction, m_exportReportAction, m_exportChartAction, m_runAction, m_cancelAction,
                            m_findAction, m_detectorDock->toggleViewAction(), m_logDock->toggleViewAction(),
                            m_detailDock->toggleViewAction(),
                            m_shortcutsAction, m_quitAction};
    actions << m_tabActions;
    for (QAction* action : actions) {
        if (action->shortcut().isEmpty())
            continue;
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(action->text().remove(QLatin1Char('&'))));
        table->setItem(row, 1, new QTableWidgetItem(action->shortcut().toString(QKeySequence::NativeText)));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(420, 380);
    dialog.exec();
}

} // namespace webthreat

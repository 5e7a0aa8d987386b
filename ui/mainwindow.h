#pragma once

#include "ui/analysiscontroller.h"
#include "core/analysis/viewfilter.h"
#include "ui/findingsmodel.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSplitter;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QTimer;
class QToolButton;

namespace webthreat {

class AnomalyScatter;
class ChartView;
class DetailPanel;
class DetectorPanel;
class EntitiesModel;
class EntitiesProxyModel;
class TimelineChart;
class ImportDialog;
class LogPanel;
class LogRelay;
class OverviewCharts;
class SummaryModel;
class SuspiciousRowsModel;
class TrafficProxyModel;
class TrafficTableModel;
class TrustView;

// The workbench window: open a traffic CSV, read its summary and cleaning report, browse and
// filter the rows, look at the charts, tune the detector and export what was found. All loading,
// fitting and CSV writing runs on the AnalysisController's thread; this class only swaps
// immutable snapshots into its models and charts.
class MainWindow : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Tab { Summary, Data, Overview, Anomalies, Entities, Timeline, Trust };
    Q_ENUM(Tab)

    static constexpr const char* kSampleResource = ":/sample/sample_traffic.csv";

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Reads the window's geometry, splitters, detector parameters, recent files and last folder
    // from QSettings, and saves them again when the window closes. Without it (screenshots,
    // most tests) the window starts from defaults and leaves the settings alone.
    void restoreSettings();
    void saveSettings() const;

    // What File > Open, Open Recent, drag and drop and the command line call. Cancels a load
    // already running. The window swaps to the new data only when it has been read, cleaned and
    // scored; a failure leaves the previous data in place and says what went wrong.
    void openFile(const QString& path);
    // Opens path with these reader options (an imported layout), without asking.
    void openFileWith(const QString& path, const ReadOptions& options);
    // File > Import CSV...: the import dialog for any file, prefilled with its saved mapping.
    void importFileDialog();
    // Shows the import dialog for path (non-modal; it loads the file when accepted). Returns it,
    // or nullptr with the reason in lastError() when the file cannot be sniffed.
    ImportDialog* showImportDialog(const QString& path);
    // What opening the last file said about its layout ("Applied the saved mapping ..."), if anything.
    QString importNote() const { return m_importNote; }
    void openSample();
    void runDetector();
    void cancelJob();
    void setContamination(const Contamination& contamination);
    // Writes the scored CSV on the worker; exportFinished or exportFailed follows.
    void exportScoredCsv(const QString& path);
    // Writes the report (HTML, or PDF when path ends in .pdf) on the worker: charts are rendered
    // here at a fixed size, the page assembled and written there. exportFinished or exportFailed follows.
    void exportReport(const QString& path);
    // Where the data shown came from and how it was scored, for everything exported (PNG text
    // chunks, the scored CSV's sidecar, the report). Cheap: the input's SHA-256 was computed
    // during the load, on the worker. hasDetector is false before the detector has run.
    Provenance currentProvenance() const;
    // Writes every chart into folder as fileStem().png at scale; existing files are replaced
    // (the menu asks first). Returns the files written; *error names the first failure.
    QStringList exportAllCharts(const QString& folder, double scale = 2.0, QString* error = nullptr);
    void showTab(Tab tab);
    Tab currentTab() const;

    const AnalysisSnapshot& snapshot() const { return m_snapshot; }
    QString currentFile() const { return m_currentPath; }
    bool isBusy() const;
    QString lastError() const { return m_lastError; }
    QString cleaningReportHtml() const;
    QStringList recentFiles() const { return m_recentFiles; }

    TrafficTableModel* trafficModel() const { return m_trafficModel; }
    TrafficProxyModel* trafficProxy() const { return m_trafficProxy; }
    SummaryModel* summaryModel() const { return m_summaryModel; }
    SuspiciousRowsModel* suspiciousModel() const { return m_suspiciousModel; }
    FindingsModel* findingsModel(FindingsModel::Category category) const;
    DetectorPanel* detectorPanel() const { return m_detectorPanel; }
    OverviewCharts* overviewCharts() const { return m_overview; }
    AnomalyScatter* anomalyScatter() const { return m_scatter; }
    QTableView* dataView() const { return m_dataView; }
    QTableView* suspiciousView() const { return m_suspiciousView; }
    QLineEdit* filterEdit() const { return m_filterEdit; }
    QCheckBox* suspiciousOnlyCheck() const { return m_suspiciousOnly; }
    QList<ChartView*> allChartViews() const;

    // Who and when: the Entities and Timeline tabs, and the filter they set on the other views
    // (the Data tab, the suspicious rows list, the scatter's highlight). Sources and period
    // combine with AND; the bar above the tabs says what is shown and clears it.
    EntitiesModel* entitiesModel() const { return m_entitiesModel; }
    EntitiesProxyModel* entitiesProxy() const { return m_entitiesProxy; }
    QTableView* entitiesView() const { return m_entitiesView; }
    TimelineChart* timelineChart() const { return m_timeline; }
    const ViewFilter& viewFilter() const { return m_viewFilter; }
    void setViewFilter(const ViewFilter& filter);
    // The Entities tab's line above the table: how many sources, and whether a period's figures show.
    void updateEntitiesTitle();
    void clearViewFilter();
    QLabel* viewFilterLabel() const { return m_viewFilterText; }
    QWidget* viewFilterBar() const { return m_viewFilterBar; }

    // The Log dock shows what relay passes on (the application's relay, or a test's); without one
    // the panel says logging is not connected. The relay must outlive the window.
    void setLogRelay(LogRelay* relay);
    LogPanel* logPanel() const { return m_logPanel; }
    QDockWidget* logDock() const { return m_logDock; }
    // Why the selected row scored as it did (the Row details dock), and the Trust tab.
    DetailPanel* detailPanel() const { return m_detailPanel; }
    QDockWidget* detailDock() const { return m_detailDock; }
    TrustView* trustView() const { return m_trustView; }
    // Selects row (an index into the cleaned table) in the Data tab and explains it in Row details.
    void selectRow(std::size_t row);

Q_SIGNALS:
    // A load or detector run finished and every view shows its result.
    void analysisReady();
    // The contamination moved and every view shows the new verdicts (no refit).
    void verdictsApplied();
    void loadFailed(const QString& message);
    void detectionFailed(const QString& message);
    void jobCancelled();
    void busyChanged(bool busy);
    void exportFinished(const QString& path);
    void exportFailed(const QString& message);
    // The Entities or Timeline selection changed what the other views show.
    void viewFilterChanged();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    QWidget* createSummaryTab();
    QWidget* createDataTab();
    QWidget* createAnomaliesTab();
    QWidget* createEntitiesTab();
    QWidget* createTimelineTab();
    QWidget* createViewFilterBar();
    void onEntitySelectionChanged();
    void onPeriodSelected(qint64 fromMicros, qint64 toMicros);
    void applyViewFilter();
    void updateViewFilterBar();
    void createDetectorDock();
    void createLogDock();
    void createDetailDock();
    QWidget* createTrustTab();
    void showChangedVerdicts(const std::shared_ptr<const Verdicts>& before);
    void createStatusBar();

    void startLoad(const QString& path, const QString& displayName, const ReadOptions& read = {});
    // A file whose layout needs the import dialog gets it (or its saved mapping) instead of a
    // refusal from the reader. True when it took over opening path.
    bool offerImport(const QString& path);
    void onBusyChanged(bool busy);
    void onProgress(const QString& stage, double fraction);
    void onLoadFinished(const LoadResult& result);
    void onDetectionFinished(const AnalysisSnapshot& snapshot);
    void onJobFailed(AnalysisController::JobKind kind, const QString& message);
    void onJobCancelled(AnalysisController::JobKind kind);
    void onExportFinished(const QString& path, qulonglong rows);
    void onContaminationChanged(const Contamination& contamination);
    void onAssessed(const AnalysisSnapshot& snapshot);
    void refitIfSettingsChanged();
    void onScatterRowClicked(qsizetype row);
    void onSuspiciousActivated(const QModelIndex& index);
    void applyFilter();

    // New data, a new detection or new verdicts in m_snapshot: every view is brought to it a
    // part per event (see ViewPart), the visible tab's parts first, so that the GUI thread
    // answers clicks and repaints between them. analysisReady and verdictsApplied follow the
    // last part. Nothing is captured per request: each part, when its turn comes, shows what
    // m_snapshot holds then, so a newer snapshot simply supersedes an update under way.
    void showSnapshot();
    void showVerdicts();
    // What each part shows; a part is stale when that differs from m_snapshot.
    enum ViewPart : int {
        DetailPart,
        DataModelPart,
        DataColumnsPart,
        SuspiciousPart,
        ScatterPart,
        EntitiesPart,
        EntitiesColumnsPart,
        TimelinePart,
        TrustPart,
        SummaryPart,
        OverviewPart0,   // one part per Overview chart
        ViewPartCount = OverviewPart0 + 6,
    };
    struct ShownPart {
        bool valid = false;
        std::shared_ptr<const PreparedData> data;
        std::shared_ptr<const Detection> detection;
        std::shared_ptr<const Verdicts> verdicts;
    };
    static std::optional<Tab> tabOfPart(int part);
    bool isPartStale(int part) const;
    // The part still shows another table's rows (row numbers from it mean other rows).
    bool showsOtherRows(int part) const;
    bool viewsPending() const;
    int nextStalePart() const;              // -1 when every part is current
    void showPart(int part);
    void showNextPart();
    void finishShowing();
    // The snapshot being replaced: its last references are dropped on a pool thread once every
    // view has let go of it (freeing a million rows' columns takes several milliseconds).
    void retire(const AnalysisSnapshot& snapshot);
    void updateSummary();
    void updateStatusText();
    void updateActions();
    void updateFilterColumns();
    void selectTableRow(std::size_t row, bool switchToData);
    void showError(const QString& title, const QString& message);

    void openFileDialog();
    void exportChartDialog();
    void exportAllChartsDialog();
    void exportScoredCsvDialog();
    void exportReportDialog();
    QList<QPair<QString, QString>> pngProvenanceText() const;
    void showAbout();
    void showShortcuts();
    void addRecentFile(const QString& path);
    void updateRecentMenu();
    QString startFolder() const;
    void rememberFolder(const QString& path);

    AnalysisController* m_controller = nullptr;
    AnalysisSnapshot m_snapshot;
    std::array<ShownPart, ViewPartCount> m_shown;
    QTimer* m_partTimer = nullptr;
    bool m_readyPending = false;            // emit analysisReady when every part is current
    bool m_verdictsPending = false;         // emit verdictsApplied then
    bool m_loadPending = false;             // ... after a load: with detectionFailed, a catch-up refit
    bool m_fitDataColumns = false;          // a load (not a refit): fit the Data tab's columns
    int m_partsShown = 0;
    QElapsedTimer m_showClock;
    std::vector<AnalysisSnapshot> m_retired;
    std::shared_ptr<const DatasetSummary> m_summary;
    std::shared_ptr<const InputFingerprint> m_fingerprint;
    QString m_reportPath;                   // the report being written, to word its status message
    QString m_currentPath;
    QString m_loadingPath;
    QString m_displayName;
    QString m_detectionProblem;
    double m_loadSeconds = 0.0;
    QString m_lastError;
    Contamination m_contamination;
    bool m_persistSettings = false;
    QStringList m_recentFiles;
    QString m_lastFolder;
    QString m_importNote;

    // Views
    QTabWidget* m_tabs = nullptr;
    QLabel* m_summaryHeader = nullptr;
    QTableView* m_summaryView = nullptr;
    QTextBrowser* m_reportView = nullptr;
    QTableView* m_dataView = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_filterColumn = nullptr;
    QCheckBox* m_suspiciousOnly = nullptr;
    QLabel* m_rowsShown = nullptr;
    QTimer* m_filterTimer = nullptr;
    OverviewCharts* m_overview = nullptr;
    AnomalyScatter* m_scatter = nullptr;
    QTableView* m_suspiciousView = nullptr;
    QLabel* m_suspiciousTitle = nullptr;
    QTabWidget* m_findingsTabs = nullptr;
    std::array<QTableView*, 4> m_findingsViews{};
    QList<QSplitter*> m_splitters;
    QDockWidget* m_detectorDock = nullptr;
    DetectorPanel* m_detectorPanel = nullptr;
    QDockWidget* m_logDock = nullptr;
    LogPanel* m_logPanel = nullptr;
    QDockWidget* m_detailDock = nullptr;
    DetailPanel* m_detailPanel = nullptr;
    TrustView* m_trustView = nullptr;

    QTableView* m_entitiesView = nullptr;
    QLineEdit* m_entitiesFilterEdit = nullptr;
    QLabel* m_entitiesTitle = nullptr;
    TimelineChart* m_timeline = nullptr;
    QWidget* m_viewFilterBar = nullptr;
    QLabel* m_viewFilterText = nullptr;
    ViewFilter m_viewFilter;
    const PreparedData* m_viewFilterData = nullptr;   // the data m_viewFilter's ids belong to
    bool m_clearingViewFilter = false;

    // Models
    EntitiesModel* m_entitiesModel = nullptr;
    EntitiesProxyModel* m_entitiesProxy = nullptr;
    TrafficTableModel* m_trafficModel = nullptr;
    TrafficProxyModel* m_trafficProxy = nullptr;
    SummaryModel* m_summaryModel = nullptr;
    SuspiciousRowsModel* m_suspiciousModel = nullptr;
    std::array<FindingsModel*, 4> m_findingsModels{};

    // Status bar
    QLabel* m_statusText = nullptr;
    QLabel* m_countsText = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelButton = nullptr;

    // Actions
    QAction* m_openAction = nullptr;
    QAction* m_openSampleAction = nullptr;
    QAction* m_importAction = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_exportChartAction = nullptr;
    QAction* m_exportAllChartsAction = nullptr;
    QAction* m_exportCsvAction = nullptr;
    QAction* m_exportReportAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QAction* m_findAction = nullptr;
    QList<QAction*> m_tabActions;
    QAction* m_aboutAction = nullptr;
    QAction* m_shortcutsAction = nullptr;
};

} // namespace webthreat

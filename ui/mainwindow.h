#pragma once

#include "ui/analysiscontroller.h"
#include "core/analysis/viewfilter.h"

#include <QMainWindow>

#include <cstddef>
#include <memory>

class QDockWidget;
class QTabWidget;

namespace webthreat {

class AnomaliesView;
class ChartView;
class DataView;
class DetailPanel;
class DetectorPanel;
class EntitiesView;
class FileImporter;
class LogPanel;
class LogRelay;
class ModelWorkflow;
class StreamWorkflow;
class TriageWorkflow;
class OverviewCharts;
class ResultExporter;
class ResultPresenter;
class RowSelection;
class StatusLine;
class SummaryView;
class TimelineChart;
class TrustView;
class ViewFilterBar;
class ViewFilterController;
class WorkbenchSettings;
struct WindowActions;

// The workbench window, a frame: it creates the tabs (each an AnalysisView), the docks and the
// actions and wires them. Loading, fitting and writing run on the AnalysisController's thread;
// the ResultPresenter brings the views to each new result, the ViewFilterController narrows them
// to the Entities and Timeline selection, the ResultExporter writes charts, CSV and report, the
// FileImporter maps other CSV layouts and WorkbenchSettings remembers the session.
// Tests reach the widgets by their object names.
class MainWindow : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Tab { Summary, Data, Overview, Anomalies, Entities, Timeline, Beacons, Trust };
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
    // Opens path with these reader options (an imported layout, see the FileImporter
    // "fileImporter"), without asking.
    void openFileWith(const QString& path, const ReadOptions& options);
    void openSample();
    void runDetector();
    void cancelJob();
    void setContamination(const Contamination& contamination);
    void showTab(Tab tab);
    Tab currentTab() const;

    const AnalysisSnapshot& snapshot() const;
    QString currentFile() const;
    bool isBusy() const;
    QString lastError() const { return m_lastError; }
    // Detector > Apply Model..., Save Model... (its file-level entry points, for tests).
    ModelWorkflow* models() const { return m_models; }
    QStringList recentFiles() const;

    // Who and when: the Entities and Timeline selection narrows the other views (the Data tab,
    // the suspicious rows list, the scatter's highlight). Sources and period combine with AND;
    // the bar above the tabs says what is shown and clears it.
    const ViewFilter& viewFilter() const;
    void setViewFilter(const ViewFilter& filter);
    void clearViewFilter();

    // The Log dock shows what relay passes on (the application's relay, or a test's); without one
    // the panel says logging is not connected. The relay must outlive the window.
    void setLogRelay(LogRelay* relay);
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
    // A chart, the scored CSV or the report (the ResultExporter, "resultExporter") was written,
    // or could not be; a refusal (nothing to export yet) also sets lastError().
    void exportFinished(const QString& path);
    void exportFailed(const QString& message);
    // The Entities or Timeline selection changed what the other views show.
    void viewFilterChanged();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createViews();
    void createDocks();
    void connectActions();
    void connectSelection();

    void startLoad(const QString& path, const QString& displayName, const ReadOptions& read = {});
    void onBusyChanged(bool busy);
    void onLoadFinished(const LoadResult& result);
    void onDetectionFinished(const AnalysisSnapshot& snapshot);
    void onJobFailed(AnalysisController::JobKind kind, const QString& message);
    void onJobCancelled(AnalysisController::JobKind kind);
    void onContaminationChanged(const Contamination& contamination);
    void onAssessed(const AnalysisSnapshot& snapshot);
    void onShown(bool ready, bool afterLoad, bool verdicts);
    void refitIfSettingsChanged();

    // New data or a new detection is being shown: the detector panel and the actions follow.
    void showDetectorState();
    void updateStatusText();
    void updateActions();
    void showError(const QString& title, const QString& message);
    ChartView* chartInFront() const;

    AnalysisController* m_controller = nullptr;
    ResultPresenter* m_presenter = nullptr;
    ViewFilterController* m_viewFilter = nullptr;
    ResultExporter* m_exporter = nullptr;
    RowSelection* m_rowSelection = nullptr;
    FileImporter* m_importer = nullptr;
    WorkbenchSettings* m_settings = nullptr;
    Contamination m_contamination;
    QString m_loadingPath;
    QString m_lastError;

    // Views
    QTabWidget* m_tabs = nullptr;
    ViewFilterBar* m_viewFilterBar = nullptr;
    SummaryView* m_summaryView = nullptr;
    DataView* m_dataView = nullptr;
    OverviewCharts* m_overview = nullptr;
    AnomaliesView* m_anomaliesView = nullptr;
    EntitiesView* m_entitiesView = nullptr;
    TimelineChart* m_timeline = nullptr;
    TrustView* m_trustView = nullptr;
    DetectorPanel* m_detectorPanel = nullptr;
    DetailPanel* m_detailPanel = nullptr;
    LogPanel* m_logPanel = nullptr;
    QList<QDockWidget*> m_docks; // detector, row details, log

    std::unique_ptr<WindowActions> m_actions;
    StatusLine* m_status = nullptr;
    ModelWorkflow* m_models = nullptr; // Detector > Apply Model..., Save Model...
    StreamWorkflow* m_streaming = nullptr; // files larger than memory
    TriageWorkflow* m_triage = nullptr; // verdicts, notes, the allow-list
};

} // namespace webthreat

#pragma once

#include "core/output/provenance.h"
#include "ui/charts/chartview.h"
#include "ui/report/reportbuilder.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QSize>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QPrinter;
class QWidget;

namespace webthreat {

class AnalysisController;
class ChartView;
class ResultPresenter;
class WorkbenchSettings;
struct StreamInfo;
struct WindowActions;

// Everything the window writes out: one chart or all of them as PNG, the scored CSV with its
// provenance sidecar, and the report (PDF or HTML). Files are written on the controller's worker;
// charts are widgets, so they are rendered here. Every PNG says where its data came from.
class ResultExporter : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultExporter)

public:
    // Dialogs open over window; the presenter holds what is shown, its views the charts.
    ResultExporter(QWidget* window, const ResultPresenter* presenter, AnalysisController* controller,
                   WorkbenchSettings* settings, QObject* parent = nullptr);
    ~ResultExporter() override;

    // Every chart of the presenter's views, in their order; each PNG they export (menu, context
    // menu, Export All) carries the provenance, and their context menus' "Export as PNG..."
    // opens exportChartDialog, as the menu does.
    QList<ChartView*> chartViews() const;
    void attachCharts();
    // File > Export Chart (preselecting chartInFront()), Export All Charts, Export Scored CSV,
    // Export Report, Export Case and Print Report.
    void connectActions(const WindowActions& actions, std::function<ChartView*()> chartInFront);
    // Where the data shown came from and how it was scored. Cheap: the input's SHA-256 was
    // computed during the load, on the worker. hasDetector is false before the detector has run.
    Provenance provenance() const;
    // The result shown was streamed (ui/streamload.h): the provenance counts the whole file's rows and
    // says what the report's rows and charts are drawn from. Null: read whole.
    void setStreamed(std::shared_ptr<const StreamInfo> info) { m_streamed = std::move(info); }

    // File > Export Chart and a chart's context menu: one dialog (ChartExportDialog) that offers
    // every chart, inFront first (the one clicked or in front), the size (1600x1000 unless the
    // analyst chose another this session) and the subtitle; then where to save it, starting in
    // the export folder (WorkbenchSettings::exportFolder).
    void exportChartDialog(ChartView* inFront);
    // Writes chart to path as options say; status() or failed() tell how it went.
    bool exportChart(ChartView* chart, const ChartExportOptions& options, const QString& path);
    // "traffic.csv · contamination 5.00 % · threshold score 0.612 · 183 of 5,000 rows suspicious",
    // what an exported chart shows under its title; empty before a file is open.
    QString chartSubtitle() const;
    void exportAllChartsDialog();
    // Writes every chart into folder as fileStem().png as options say (the dialog passes the
    // size chosen last in the chart export dialog, 1600x1000 at first, and the subtitle);
    // existing files are replaced. Returns the files written; *error names the first failure.
    QStringList exportAllCharts(const QString& folder, const ChartExportOptions& options, QString* error = nullptr);
    // The size and subtitle the chart export dialog was left with this session.
    ChartExportOptions sessionChartOptions() const;
    void exportScoredCsvDialog();
    void exportScoredCsv(const QString& path);
    void exportReportDialog();
    void exportReport(const QString& path);
    // File > Export Case: where to save it (HTML, or JSON by the filter or a .json suffix), then
    // exportCase. exportCase writes on the worker every row marked Malicious (casebuilder.h);
    // refused() when none is.
    void exportCaseDialog();
    void exportCase(const QString& path);
    // Enables File > Export Case when idle (nothing loading, exporting or half-shown) and a row is
    // marked Malicious. The window calls it with its other actions' state; a change of marks
    // should call it too.
    void updateCaseAction(bool idle);
    // File > Print Report: QPrintDialog, then the report's pages (as the PDF's) on its printer.
    void printReportDialog();
    // Prints the report on printer (a PDF file printer in tests); false (and failed()) when there
    // is nothing to print.
    bool printReport(QPrinter* printer);
    // The controller wrote path (rows scored rows, or the report).
    void onWritten(const QString& path, qulonglong rows);

Q_SIGNALS:
    void status(const QString& text);
    void finished(const QString& path);
    // Writing failed: say so in a message box.
    void failed(const QString& title, const QString& message);
    // There is nothing to write yet.
    void refused(const QString& message);

private:
    QList<QPair<QString, QString>> pngText() const;
    // What the report shows now (charts rendered here, on the GUI thread); nullopt with a message
    // (refused()) when there is nothing to report.
    std::optional<ReportInput> reportInput();
    // Where a save dialog starts: the last folder, source's base name (or "traffic") + suffix.
    QString suggestedPath(const QString& source, const QString& suffix) const;

    QWidget* m_window = nullptr;
    const ResultPresenter* m_presenter = nullptr;
    AnalysisController* m_controller = nullptr;
    WorkbenchSettings* m_settings = nullptr;
    QString m_reportPath; // the report being written, to word its status message
    QString m_casePath; // the case being written, and its rows
    std::size_t m_caseRows = 0;
    QAction* m_caseAction = nullptr;
    // The chart export dialog's choices this session.
    int m_chartSizePreset = 0;
    QSize m_chartCustomSize;
    bool m_chartSubtitle = true;
    std::shared_ptr<const StreamInfo> m_streamed;
};

} // namespace webthreat

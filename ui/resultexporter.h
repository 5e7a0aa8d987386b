#pragma once

#include "core/output/provenance.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QStringList>

class QWidget;

namespace webthreat {

class AnalysisController;
class ChartView;
class ResultPresenter;
class WorkbenchSettings;

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
    // menu, Export All) carries the provenance.
    QList<ChartView*> chartViews() const;
    void addProvenanceToPngs();
    // Where the data shown came from and how it was scored. Cheap: the input's SHA-256 was
    // computed during the load, on the worker. hasDetector is false before the detector has run.
    Provenance provenance() const;

    // File > Export Chart: inFront when the tab in front shows one chart (or the one clicked),
    // otherwise the analyst picks one.
    void exportChartDialog(ChartView* inFront);
    void exportAllChartsDialog();
    // Writes every chart into folder as fileStem().png at scale; existing files are replaced.
    // Returns the files written; *error names the first failure.
    QStringList exportAllCharts(const QString& folder, double scale = 2.0, QString* error = nullptr);
    void exportScoredCsvDialog();
    void exportScoredCsv(const QString& path);
    void exportReportDialog();
    void exportReport(const QString& path);
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
    // Where a save dialog starts: the last folder, source's base name (or "traffic") + suffix.
    QString suggestedPath(const QString& source, const QString& suffix) const;

    QWidget* m_window = nullptr;
    const ResultPresenter* m_presenter = nullptr;
    AnalysisController* m_controller = nullptr;
    WorkbenchSettings* m_settings = nullptr;
    QString m_reportPath; // the report being written, to word its status message
};

} // namespace webthreat

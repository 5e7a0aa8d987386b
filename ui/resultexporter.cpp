#include "ui/resultexporter.h"

#include "core/stream/streamedanalysis.h"
#include "core/util/log.h"
#include "ui/analysiscontroller.h"
#include "ui/chartexportdialog.h"
#include "ui/charts/chartview.h"
#include "ui/displayformat.h"
#include "ui/report/casebuilder.h"
#include "ui/report/reportbuilder.h"
#include "ui/resultpresenter.h"
#include "ui/streamload.h"
#include "ui/windowactions.h"
#include "ui/workbenchsettings.h"

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QGuiApplication>
#include <QMessageBox>
#include <QPrintDialog>
#include <QPrinter>

namespace webthreat {

ResultExporter::ResultExporter(QWidget* window, const ResultPresenter* presenter, AnalysisController* controller,
                               WorkbenchSettings* settings, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_presenter(presenter)
    , m_controller(controller)
    , m_settings(settings)
{
}

ResultExporter::~ResultExporter() = default;

QList<ChartView*> ResultExporter::chartViews() const
{
    QList<ChartView*> views;
    for (const AnalysisView* view : m_presenter->views())
        views << view->chartViews();
    return views;
}

void ResultExporter::attachCharts()
{
    for (ChartView* view : chartViews()) {
        view->setPngTextProvider([this] { return pngText(); });
        connect(view, &ChartView::exportRequested, this, &ResultExporter::exportChartDialog);
        connect(view, &ChartView::copied, this,
                [this](const QString& title) { Q_EMIT status(tr("Chart \"%1\" copied to the clipboard").arg(title)); });
    }
}

QString ResultExporter::chartSubtitle() const
{
    const AnalysisSnapshot& snapshot = m_presenter->snapshot();
    if (!snapshot.hasData())
        return {};
    QStringList parts{m_presenter->file().displayName};
    if (snapshot.hasDetection()) {
        const Verdicts& verdicts = *snapshot.verdicts;
        parts << tr("contamination %1").arg(formatContamination(verdicts.contamination))
              << tr("threshold score %1").arg(QString::number(verdicts.threshold, 'f', 3))
              << tr("%1 of %2 rows suspicious")
                     .arg(formatCount(verdicts.suspiciousCount), formatCount(verdicts.suspicious.size()));
        if (snapshot.detection->model)
            parts << tr("saved model");
    }
    return parts.join(QStringLiteral(" · "));
}

Provenance ResultExporter::provenance() const
{
    const AnalysisSnapshot& snapshot = m_presenter->snapshot();
    if (!snapshot.hasData())
        return {};
    InputFingerprint input;
    if (m_presenter->file().fingerprint)
        input = *m_presenter->file().fingerprint;
    else
        input.name = m_presenter->file().displayName.toStdString();
    Provenance provenance = makeProvenance(*snapshot.data, snapshot.detection.get(), snapshot.verdicts.get(),
                                           std::move(input), "webthreat-workbench");
    if (m_streamed) {
        provenance.rows = m_streamed->rowsScored;
        provenance.suspicious = m_streamed->suspiciousTotal;
        provenance.streaming = streamedReportNotes(*m_streamed);
    }
    return provenance;
}

QString ResultExporter::suggestedPath(const QString& source, const QString& suffix) const
{
    QString stem = QFileInfo(source).completeBaseName();
    if (stem.isEmpty())
        stem = QStringLiteral("traffic");
    return QDir(m_settings->exportFolder(m_presenter->file().path)).filePath(stem + suffix);
}

QList<QPair<QString, QString>> ResultExporter::pngText() const
{
    if (!m_presenter->snapshot().hasData())
        return {{QStringLiteral("Software"), QStringLiteral("webthreat-workbench " WEBTHREAT_VERSION)}};
    return provenancePngText(provenance());
}

void ResultExporter::exportChartDialog(ChartView* inFront)
{
    const QList<ChartView*> views = chartViews();
    if (views.isEmpty())
        return;
    ChartExportDialog dialog(views, inFront, chartSubtitle(), m_window);
    dialog.setObjectName(QStringLiteral("chartExportDialog"));
    dialog.restoreChoices(m_chartSizePreset, m_chartCustomSize, m_chartSubtitle);
    if (dialog.exec() != QDialog::Accepted || !dialog.chart())
        return;
    m_chartSizePreset = dialog.presetIndex();
    m_chartCustomSize = dialog.customSize();
    m_chartSubtitle = dialog.subtitleEnabled();
    ChartView* chart = dialog.chart();
    const QString suggested = QDir(m_settings->exportFolder(m_presenter->file().path))
                                  .filePath(chart->fileStem() + QStringLiteral(".png"));
    QString path
        = QFileDialog::getSaveFileName(m_window, tr("Export Chart as PNG"), suggested, tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".png");
    exportChart(chart, dialog.options(), path);
}

bool ResultExporter::exportChart(ChartView* chart, const ChartExportOptions& options, const QString& path)
{
    QString error;
    if (!chart->exportPng(path, options, &error)) {
        logger::get("ui")->warn("{}", error.toStdString());
        Q_EMIT failed(tr("Export Failed"), error);
        return false;
    }
    m_settings->rememberExportFolder(path);
    logger::get("ui")->info("exported the chart '{}' to {}", chart->title().toStdString(), path.toStdString());
    Q_EMIT status(tr("Chart saved to %1").arg(QDir::toNativeSeparators(path)));
    Q_EMIT finished(path);
    return true;
}

ChartExportOptions ResultExporter::sessionChartOptions() const
{
    ChartExportOptions options;
    const QList<ChartExportDialog::SizePreset> presets = ChartExportDialog::presets();
    const bool custom = m_chartSizePreset == presets.size() - 1;
    options.pixels = custom ? m_chartCustomSize : presets.value(m_chartSizePreset).pixels;
    if (m_chartSubtitle)
        options.subtitle = chartSubtitle();
    return options;
}

QStringList ResultExporter::exportAllCharts(const QString& folder, const ChartExportOptions& options, QString* error)
{
    QStringList written;
    if (!QDir().mkpath(folder)) {
        if (error)
            *error = tr("Cannot create the folder %1").arg(QDir::toNativeSeparators(folder));
        return written;
    }
    const QDir dir(folder);
    for (ChartView* view : chartViews()) {
        const QString path = dir.filePath(view->fileStem() + QStringLiteral(".png"));
        QString problem;
        if (view->exportPng(path, options, &problem)) {
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

void ResultExporter::exportAllChartsDialog()
{
    const QString folder
        = QFileDialog::getExistingDirectory(m_window, tr("Export All Charts to Folder"),
                                            m_settings->exportFolder(m_presenter->file().path));
    if (folder.isEmpty())
        return;
    m_settings->rememberExportFolder(folder);
    QStringList existing;
    for (ChartView* view : chartViews()) {
        const QString name = view->fileStem() + QStringLiteral(".png");
        if (QFileInfo::exists(QDir(folder).filePath(name)))
            existing << name;
    }
    if (!existing.isEmpty()) {
        const auto answer = QMessageBox::question(
            m_window, tr("Replace Files?"),
            tr("%n chart file(s) already exist in %1:\n%2\n\nReplace them?", nullptr, static_cast<int>(existing.size()))
                .arg(QDir::toNativeSeparators(folder), existing.join(QLatin1Char('\n'))),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
    }
    QString error;
    const QStringList written = exportAllCharts(folder, sessionChartOptions(), &error);
    if (!error.isEmpty()) {
        Q_EMIT failed(tr("Export Failed"), error);
        return;
    }
    Q_EMIT status(
        tr("%n chart(s) saved to %1", nullptr, static_cast<int>(written.size())).arg(QDir::toNativeSeparators(folder)));
    Q_EMIT finished(folder);
}

void ResultExporter::exportScoredCsvDialog()
{
    if (!m_presenter->snapshot().hasDetection())
        return;
    const QString suggested = suggestedPath(m_presenter->file().path, QStringLiteral("_scored.csv"));
    // The file dialog asks before replacing an existing file.
    const QString path
        = QFileDialog::getSaveFileName(m_window, tr("Export Scored CSV"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    m_settings->rememberExportFolder(path);
    exportScoredCsv(path);
}

void ResultExporter::exportScoredCsv(const QString& path)
{
    if (!m_presenter->snapshot().hasDetection()) {
        Q_EMIT refused(tr("There are no scores to export yet: open a file and let the detector run."));
        return;
    }
    Q_EMIT status(tr("Writing %1...").arg(QDir::toNativeSeparators(path)));
    m_reportPath.clear();
    m_controller->exportScoredCsv(m_presenter->snapshot(), path, std::make_shared<const Provenance>(provenance()));
}

void ResultExporter::exportReportDialog()
{
    if (!m_presenter->snapshot().hasDetection())
        return;
    const QString pdfFilter = tr("PDF report (*.pdf)");
    const QString htmlFilter = tr("HTML report, one self-contained page (*.html)");
    QString filter = pdfFilter;
    QString path = QFileDialog::getSaveFileName(
        m_window, tr("Export Report"), suggestedPath(m_presenter->file().displayName, QStringLiteral("_report.pdf")),
        pdfFilter + QStringLiteral(";;") + htmlFilter, &filter);
    if (path.isEmpty())
        return;
    // The format follows the file's suffix; a name without one gets the chosen filter's.
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == htmlFilter ? QStringLiteral(".html") : QStringLiteral(".pdf");
    m_settings->rememberExportFolder(path);
    exportReport(path);
}

std::optional<ReportInput> ResultExporter::reportInput()
{
    const AnalysisSnapshot& snapshot = m_presenter->snapshot();
    if (!snapshot.hasDetection() || !snapshot.findings) {
        Q_EMIT refused(tr("There is nothing to report yet: open a file and let the detector run."));
        return std::nullopt;
    }
    ReportInput input;
    input.snapshot = snapshot;
    input.provenance = provenance();
    input.title = m_presenter->file().displayName;
    input.detectionProblem = m_presenter->file().detectionProblem;
    // Charts are widgets: rendered here, a few at a fixed size.
    QElapsedTimer timer;
    timer.start();
    input.charts = renderReportCharts(chartViews());
    logger::get("ui")->info("rendered {} chart(s) for the report in {} ms", input.charts.size(), timer.elapsed());
    return input;
}

void ResultExporter::exportReport(const QString& path)
{
    std::optional<ReportInput> input = reportInput();
    if (!input)
        return;
    // Encoding the charts and laying out and writing the pages happen on the worker.
    Q_EMIT status(tr("Writing the report %1...").arg(QDir::toNativeSeparators(path)));
    m_reportPath = path;
    m_controller->exportReport(*input, path);
}

void ResultExporter::exportCaseDialog()
{
    const std::size_t rows = caseRowCount(m_presenter->snapshot());
    if (rows == 0) {
        Q_EMIT refused(tr("There is no case to export yet: mark the rows of the case Malicious first."));
        return;
    }
    const QString htmlFilter = tr("HTML case, one self-contained page (*.html)");
    const QString jsonFilter = tr("JSON case, every column of every row (*.json)");
    QString filter = htmlFilter;
    QString path = QFileDialog::getSaveFileName(
        m_window, tr("Export Case (%n row(s) marked Malicious)", nullptr, static_cast<int>(rows)),
        suggestedPath(m_presenter->file().displayName, QStringLiteral("_case.html")),
        htmlFilter + QStringLiteral(";;") + jsonFilter, &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == jsonFilter ? QStringLiteral(".json") : QStringLiteral(".html");
    m_settings->rememberExportFolder(path);
    exportCase(path);
}

void ResultExporter::exportCase(const QString& path)
{
    const AnalysisSnapshot& snapshot = m_presenter->snapshot();
    const std::size_t rows = caseRowCount(snapshot);
    if (rows == 0) {
        Q_EMIT refused(tr("There is no case to export yet: mark the rows of the case Malicious first."));
        return;
    }
    ReportInput input;
    input.document = ReportInput::Document::Case;
    input.snapshot = snapshot;
    input.provenance = provenance();
    input.title = m_presenter->file().displayName;
    input.detectionProblem = m_presenter->file().detectionProblem;
    // Explaining the rows and writing happen on the worker, as for the report.
    Q_EMIT status(tr("Writing the case %1...").arg(QDir::toNativeSeparators(path)));
    m_reportPath.clear();
    m_casePath = path;
    m_caseRows = rows;
    m_controller->exportReport(input, path);
}

void ResultExporter::updateCaseAction(bool idle)
{
    if (m_caseAction)
        m_caseAction->setEnabled(idle && caseRowCount(m_presenter->snapshot()) > 0);
}

void ResultExporter::printReportDialog()
{
    if (!m_presenter->snapshot().hasDetection())
        return;
    QPrinter printer(QPrinter::HighResolution);
    printer.setDocName(tr("Web traffic report: %1").arg(m_presenter->file().displayName));
    QPrintDialog dialog(&printer, m_window);
    dialog.setWindowTitle(tr("Print Report"));
    if (dialog.exec() != QDialog::Accepted)
        return;
    printReport(&printer);
}

bool ResultExporter::printReport(QPrinter* printer)
{
    std::optional<ReportInput> input = reportInput();
    if (!input)
        return false;
    try {
        // Laid out and painted here: a printer is a paint device of the GUI thread. A report is
        // a few pages (200 rows at most), a fraction of a second.
        QGuiApplication::setOverrideCursor(Qt::WaitCursor);
        webthreat::printReport(*input, printer);
        QGuiApplication::restoreOverrideCursor();
    } catch (const std::exception& error) {
        QGuiApplication::restoreOverrideCursor();
        Q_EMIT failed(tr("Print Failed"), QString::fromStdString(error.what()));
        return false;
    }
    const QString where = printer->outputFileName().isEmpty()
                              ? printer->printerName()
                              : QDir::toNativeSeparators(printer->outputFileName());
    logger::get("ui")->info("printed the report on {}", where.toStdString());
    Q_EMIT status(tr("Report sent to %1").arg(where));
    return true;
}

void ResultExporter::connectActions(const WindowActions& actions, std::function<ChartView*()> chartInFront)
{
    connect(actions.exportChart, &QAction::triggered, this,
            [this, inFront = std::move(chartInFront)] { exportChartDialog(inFront()); });
    connect(actions.exportAllCharts, &QAction::triggered, this, &ResultExporter::exportAllChartsDialog);
    connect(actions.exportCsv, &QAction::triggered, this, &ResultExporter::exportScoredCsvDialog);
    connect(actions.exportReport, &QAction::triggered, this, &ResultExporter::exportReportDialog);
    connect(actions.printReport, &QAction::triggered, this, &ResultExporter::printReportDialog);
    m_caseAction = actions.exportCase;
    connect(actions.exportCase, &QAction::triggered, this, &ResultExporter::exportCaseDialog);
}

void ResultExporter::onWritten(const QString& path, qulonglong rows)
{
    if (!m_casePath.isEmpty() && path == m_casePath) {
        m_casePath.clear();
        logger::get("ui")->info("wrote the case {} ({} rows)", path.toStdString(), m_caseRows);
        Q_EMIT status((m_caseRows == 1 ? tr("Case written to %1 (%2 row marked Malicious)")
                                       : tr("Case written to %1 (%2 rows marked Malicious)"))
                          .arg(QDir::toNativeSeparators(path), formatCount(static_cast<std::uint64_t>(m_caseRows))));
        Q_EMIT finished(path);
        return;
    }
    if (!m_reportPath.isEmpty() && path == m_reportPath) {
        m_reportPath.clear();
        logger::get("ui")->info("wrote the report {}", path.toStdString());
        Q_EMIT status(tr("Report written to %1").arg(QDir::toNativeSeparators(path)));
        Q_EMIT finished(path);
        return;
    }
    Q_EMIT status(tr("%1 scored rows written to %2 (provenance in %3)")
                      .arg(formatCount(rows), QDir::toNativeSeparators(path),
                           QFileInfo(QString::fromStdString(provenanceSidecarPath(path.toStdString()))).fileName()));
    Q_EMIT finished(path);
}

} // namespace webthreat

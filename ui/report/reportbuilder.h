#pragma once

#include "core/util/progress.h"
#include "core/behaviour/behaviour.h"
#include "core/output/provenance.h"
#include "ui/analysissnapshot.h"

#include <QImage>
#include <QList>
#include <QPair>
#include <QSize>
#include <QString>

class QPagedPaintDevice;

namespace webthreat {

class ChartView;

// One chart as the report shows it, rendered on the GUI thread (Qt Charts are widgets) and
// encoded and placed anywhere.
struct ReportChart {
    QString name; // the chart's file stem: "bytes_in_histogram"
    QString title;
    QImage image; // null when omitted
    QString omitted; // non-empty: the chart had nothing to draw, and this says why ("No ground truth ...")
};

// Every chart is laid out at this size (logical pixels) and rendered at twice it, so charts in
// the report look alike whatever the window's size, and fit an A4 page's text width.
inline constexpr QSize kReportChartSize{600, 340};

// GUI thread only: renders views at kReportChartSize (the window's own charts, nothing rebuilt).
QList<ReportChart> renderReportCharts(const QList<ChartView*>& views, double scale = 2.0);
// GUI thread only: builds the window's charts for snapshot offscreen and renders them (for the
// command line, which has no window). Needs a QApplication.
QList<ReportChart> renderReportCharts(const AnalysisSnapshot& snapshot, double scale = 2.0);

// The PNG text chunks that say where an exported image came from: Software, Source, Description,
// Creation Time and webthreat:provenance (the provenance JSON).
QList<QPair<QString, QString>> provenancePngText(const Provenance& provenance);

// What one report shows. Everything here is immutable or implicitly shared, so a ReportInput
// can be handed to the worker thread.
struct ReportInput {
    AnalysisSnapshot snapshot; // needs data; without a detection the report says so
    Provenance provenance;
    QString title; // the input's display name
    QString detectionProblem; // why there are no scores, if there are none
    QList<ReportChart> charts;
    std::size_t maxRows = 200; // suspicious rows listed (the most anomalous first), and marked rows
    // The "Behaviour over time" section's beacon pairs and scanning sources; when null, the
    // detection's (a Behaviour feature was chosen) or computed while the report is built (about
    // 0.3 s at 1 M rows; stages "beacons", "fan-out").
    std::shared_ptr<const BehaviourResult> behaviour;
    // Report: the report; Case: the case to hand on (ui/report/casebuilder.h; HTML, or JSON by a
    // .json suffix), written by the same writeReport.
    enum class Document { Report, Case } document = Document::Report;
};

// Any thread. The report as one self-contained HTML page: inline CSS, charts as PNG data: URIs,
// the provenance also as JSON in a <script type="application/json">. Every value from the file
// is HTML-escaped. progress: stage "report", cancel polled while the rows are explained.
QByteArray reportHtml(const ReportInput& input, const Progress& progress = {});

enum class ReportFormat { Html, Pdf };
// By the file's suffix: .pdf is a PDF, anything else HTML.
ReportFormat reportFormatForPath(const QString& path);

// Any thread. Write the report atomically (QSaveFile); the PDF is the same content laid out on
// A4 pages with page numbers (QTextDocument + QPdfWriter). Throw OutputError naming the file,
// CancelledError (nothing written) when progress is cancelled before the file is written.
void writeReportHtml(const ReportInput& input, const QString& path, const Progress& progress = {});
void writeReportPdf(const ReportInput& input, const QString& path, const Progress& progress = {});
// writeReport writes input.document: the report, or the case (writeCase).
void writeReport(const ReportInput& input, const QString& path, const Progress& progress = {});
// GUI thread (a printer is the GUI's paint device). The PDF's pages on device (a QPrinter from
// QPrintDialog): the same document, its margins and page numbers.
void printReport(const ReportInput& input, QPagedPaintDevice* device, const Progress& progress = {});

} // namespace webthreat

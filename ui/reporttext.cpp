#include "ui/reporttext.h"

#include "core/analysis/datasetsummary.h"
#include "core/io/csvsniffer.h"
#include "core/model/modelfile.h"
#include "ui/displayformat.h"
#include "ui/palettechoice.h"

#include <QCoreApplication>
#include <QStringList>

namespace webthreat {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("webthreat::ReportText", text);
}

// Problems in red and warnings in amber, dark enough on a light page and light enough on a dark
// one (--palette dark, a dark desktop): the report is HTML, so the palette does not reach them.
QString problemColor(bool forPaper = false)
{
    return !forPaper && isDarkPalette() ? QStringLiteral("#ff8a80") : QStringLiteral("#b00020");
}

QString warningColor(bool forPaper = false)
{
    return !forPaper && isDarkPalette() ? QStringLiteral("#ffc266") : QStringLiteral("#8a5a00");
}

QString escaped(const std::string& text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}

QString lineList(const std::vector<std::int64_t>& lines, std::size_t total)
{
    QStringList numbers;
    for (std::int64_t line : lines)
        numbers << QString::number(line);
    QString text = numbers.join(QStringLiteral(", "));
    if (total > lines.size())
        text += tr(", ...");
    return text;
}

std::string exampleList(const std::vector<std::string>& examples)
{
    std::string list;
    for (const std::string& example : examples)
        list += (list.empty() ? "" : ", ") + example;
    return list;
}

} // namespace

QString datasetHeadlineHtml(const QString& displayName, const PreparedData& data, const DatasetSummary& summary,
                            double loadSeconds)
{
    const ReadReport& read = data.readReport;
    QString html = QStringLiteral("<p><span style='font-size:large; font-weight:600'>%1</span><br>")
                       .arg(displayName.toHtmlEscaped());
    html += tr("<b>%1 rows &times; %2 columns</b> after cleaning, plus the engineered session_duration and "
               "avg_packet_size and, once the detector has run, the anomaly score.")
                .arg(formatCount(summary.rows), formatCount(summary.fileColumns));
    html += QStringLiteral("<br>");
    html += tr("%1 rows read (%2 in %3); loaded, cleaned and analysed in %4.")
                .arg(formatCount(read.rows), formatBytesText(static_cast<double>(read.bytes)),
                     formatDuration(data.readSeconds), formatDuration(loadSeconds));
    const std::size_t problems = read.malformed.count + read.invalidCellCount();
    if (problems > 0) {
        html += (QStringLiteral("<br><span style='color:") + problemColor() + QStringLiteral("'>"))
            + tr("%1 malformed row(s) skipped and %2 invalid cell(s) read as missing: see the report below.")
                  .arg(formatCount(read.malformed.count), formatCount(read.invalidCellCount()))
            + QStringLiteral("</span>");
    }
    html += QStringLiteral("</p>");
    return html;
}

QString cleaningReportHtml(const PreparedData& data, const QString& detectionProblem, bool forPaper)
{
    const ReadReport& read = data.readReport;
    const CleanReport& clean = data.cleanReport;
    QString html;
    if (!detectionProblem.isEmpty()) {
        html += (QStringLiteral("<p style='color:") + problemColor(forPaper) + QStringLiteral("'><b>%1</b> %2</p>"))
                    .arg(tr("The detector could not run on this data:"), detectionProblem.toHtmlEscaped());
    }

    html += QStringLiteral("<h3>%1</h3><ul>").arg(tr("Reading"));
    html += QStringLiteral("<li>%1</li>")
                .arg(tr("%1 data rows read from %2 lines (%3)")
                         .arg(formatCount(read.rows),
                              formatCount(static_cast<std::uint64_t>(std::max<std::int64_t>(read.lines, 0))),
                              formatBytesText(static_cast<double>(read.bytes))));
    if (read.sepLineDelimiter != '\0') {
        html += QStringLiteral("<li>%1</li>")
                    .arg(tr("delimiter from the sep= line: %1")
                             .arg(QString::fromStdString(delimiterName(read.sepLineDelimiter))));
    }
    if (read.blankLines > 0)
        html += QStringLiteral("<li>%1</li>").arg(tr("%1 blank line(s) skipped").arg(formatCount(read.blankLines)));
    if (read.malformed.count > 0) {
        html += (QStringLiteral("<li style='color:") + problemColor(forPaper) + QStringLiteral("'>%1</li>"))
                    .arg(tr("%1 malformed row(s) skipped (expected %2 fields); lines %3")
                             .arg(formatCount(read.malformed.count), formatCount(read.expectedFields),
                                  lineList(read.malformed.firstLines, read.malformed.count)));
    } else {
        html += QStringLiteral("<li>%1</li>").arg(tr("no malformed rows"));
    }
    if (read.repeatedHeaders.count > 0) {
        html += QStringLiteral("<li>%1</li>")
                    .arg(tr("%1 repeated header line(s) skipped (files joined into one?); lines %2")
                             .arg(formatCount(read.repeatedHeaders.count),
                                  lineList(read.repeatedHeaders.firstLines, read.repeatedHeaders.count)));
    }
    if (read.invalidCells.empty())
        html += QStringLiteral("<li>%1</li>").arg(tr("no invalid cells"));
    for (const InvalidCells& cells : read.invalidCells) {
        html += (QStringLiteral("<li style='color:") + problemColor(forPaper) + QStringLiteral("'>%1</li>"))
                    .arg(tr("%1 invalid cell(s) in <b>%2</b>, read as missing (first: \"%3\", %4); lines %5")
                             .arg(formatCount(cells.count), escaped(cells.column), escaped(cells.firstValue),
                                  escaped(cells.reason), lineList(cells.firstLines, cells.count)));
    }
    if (!read.absentColumns.empty()) {
        QStringList names;
        for (const std::string& name : read.absentColumns)
            names << escaped(name);
        html += QStringLiteral("<li>%1</li>")
                    .arg(tr("optional columns not in the file: %1").arg(names.join(QStringLiteral(", "))));
    }
    if (!read.extraColumns.empty()) {
        QStringList names;
        for (const std::string& name : read.extraColumns)
            names << escaped(name);
        html += QStringLiteral("<li>%1</li>")
                    .arg(tr("extra columns kept as text: %1").arg(names.join(QStringLiteral(", "))));
    }
    html += QStringLiteral("</ul>");

    html += QStringLiteral("<h3>%1</h3><ul>").arg(tr("Cleaning"));
    html += QStringLiteral("<li>%1</li>")
                .arg(tr("%1 rows in, %2 rows out").arg(formatCount(clean.rowsIn), formatCount(clean.rowsOut)));
    for (const CleanStep& step : clean.steps) {
        html += QStringLiteral("<li><code>%1</code>: %2</li>").arg(escaped(step.name), escaped(step.description));
    }
    html += QStringLiteral("</ul>");

    const FeatureReport& features = data.features.report;
    std::vector<std::string> warnings = read.warnings;
    warnings.insert(warnings.end(), clean.warnings.begin(), clean.warnings.end());
    warnings.insert(warnings.end(), features.warnings.begin(), features.warnings.end());
    html += QStringLiteral("<h3>%1</h3><ul>").arg(tr("Features"));
    html += QStringLiteral("<li>%1</li>")
                .arg(tr("session_duration = end_time - creation_time (s); avg_packet_size = (bytes_in + bytes_out) / "
                        "session_duration (really bytes per second)"));
    html
        += QStringLiteral("<li>%1</li>")
               .arg(tr("%1 zero-length session(s) (avg_packet_size 0), %2 negative duration(s), %3 missing duration(s) "
                       "filled with the mean")
                        .arg(formatCount(features.zeroDurations), formatCount(features.negativeDurations),
                             formatCount(features.missingDurations)));
    html += QStringLiteral("</ul>");
    if (!warnings.empty()) {
        html += QStringLiteral("<h3>%1</h3><ul>").arg(tr("Warnings"));
        for (const std::string& warning : warnings)
            html += (QStringLiteral("<li style='color:") + warningColor(forPaper) + QStringLiteral("'>%1</li>"))
                        .arg(escaped(warning));
        html += QStringLiteral("</ul>");
    }
    return html;
}

QString cleaningStatusText(const PreparedData& data)
{
    const ReadReport& read = data.readReport;
    const CleanReport& clean = data.cleanReport;
    QStringList parts;
    parts << tr("%1 rows read, %2 kept").arg(formatCount(read.rows), formatCount(clean.rowsOut));
    for (const CleanStep& step : clean.steps) {
        if (step.rowsAffected > 0)
            parts << QString::fromStdString(step.description);
    }
    if (read.malformed.count > 0)
        parts << tr("%1 malformed row(s) skipped").arg(formatCount(read.malformed.count));
    if (read.repeatedHeaders.count > 0)
        parts << tr("%1 repeated header line(s) skipped").arg(formatCount(read.repeatedHeaders.count));
    if (read.invalidCellCount() > 0)
        parts << tr("%1 invalid cell(s)").arg(formatCount(read.invalidCellCount()));
    return parts.join(QStringLiteral("; "));
}

QString detectionDetailsText(const Detection& detection)
{
    const DetectorParams& params = detection.params;
    if (detection.model)
        return tr("Scored with the model %1: %2 trees, %3 samples per tree, %4 feature(s), inputs %5; not refitted, "
                  "scored in %6.")
            .arg(QString::fromStdString(describeModel(*detection.model, detection.model->file)),
                 formatCount(static_cast<std::uint64_t>(params.forest.trees)),
                 formatCount(static_cast<std::uint64_t>(detection.effectiveMaxSamples)),
                 QString::number(params.features.size()),
                 params.scaling == InputScaling::Auto ? tr("scaled") : tr("raw"),
                 formatDuration(detection.scoreSeconds));
    return tr("Fitted: %1 trees, %2 samples per tree, seed %3, %4 feature(s), inputs %5; fit in %6, scored in %7.")
        .arg(formatCount(static_cast<std::uint64_t>(params.forest.trees)),
             formatCount(static_cast<std::uint64_t>(detection.effectiveMaxSamples)),
             QString::number(params.forest.seed), QString::number(params.features.size()),
             params.scaling == InputScaling::Auto ? tr("scaled") : tr("raw"), formatDuration(detection.fitSeconds),
             formatDuration(detection.scoreSeconds));
}

QString modelDriftHtml(const Detection& detection, const DriftReport& drift, bool thresholdFromModel, bool forPaper)
{
    if (!detection.model)
        return {};
    const DetectorModel& model = *detection.model;
    QString html = tr("<h3>Model</h3><p>Scored with <b>%1</b>; not refitted. Its threshold, %2, %3.</p>")
                       .arg(escaped(describeModel(model, model.file)), formatValue(model.threshold),
                            thresholdFromModel
                                ? tr("labels the rows (set at contamination %1 on its training rows)")
                                      .arg(formatContamination(model.contamination))
                                : tr("was replaced by this file's own percentile when the slider moved"));
    if (drift.large()) {
        html += tr("<p style='color:%1'><b>The data has drifted from what the model was trained on; its scores may "
                   "mislead.</b></p><ul>")
                    .arg(warningColor(forPaper));
        for (const std::string& warning : drift.warnings)
            html += QStringLiteral("<li>%1</li>").arg(escaped(warning));
        html += QStringLiteral("</ul>");
    } else {
        html += tr("<p>The data sits within what the model was trained on.</p>");
    }
    html += tr("<table cellspacing='0' cellpadding='3'><tr><th align='left'>Feature</th><th align='left'>Against "
               "the training data</th></tr>");
    for (const FeatureDrift& f : drift.features) {
        QString against;
        if (f.categorical)
            against = f.newCategories == 0
                ? tr("no value unseen in training")
                : tr("%1 new value(s) on %2 of rows (%3)")
                      .arg(formatCount(f.newCategories), formatPercent(f.newCategoryRows),
                           escaped(exampleList(f.newCategoryExamples)));
        else
            against = tr("%1 of rows outside the training range; median %2 (training %3)")
                          .arg(formatPercent(f.outsideRange), formatValue(f.median), formatValue(f.trainingMedian));
        html += QStringLiteral("<tr><td>%1</td><td%2>%3</td></tr>")
                    .arg(escaped(std::string(featureInfo(f.feature).label)),
                         f.large ? QStringLiteral(" style='color:%1'").arg(warningColor(forPaper)) : QString(),
                         against);
    }
    return html + QStringLiteral("</table>");
}

} // namespace webthreat

#pragma once

#include "ui/analysissnapshot.h"

#include <QString>

namespace webthreat {

struct DatasetSummary;

// The texts that tell the analyst what a load did. Everything taken from the file (names,
// values, warnings quoting cells) is HTML-escaped: a cell must never become markup.

// "sample_traffic.csv: 5,000 rows x 18 columns (...)" as rich text for the Summary header.
QString datasetHeadlineHtml(const QString& displayName, const PreparedData& data, const DatasetSummary& summary,
                            double loadSeconds);
// The reader's and cleaning's report: each rule's effect, malformed rows and invalid cells with
// their lines, warnings. forPaper: colours for a white page (exported reports) whatever the palette.
QString cleaningReportHtml(const PreparedData& data, const QString& detectionProblem, bool forPaper = false);
// One line for the status bar: rows read, kept and what cleaning changed.
QString cleaningStatusText(const PreparedData& data);
// "100 trees, 256 samples per tree, seed 42, 4 features; fit 0.05 s, scored in 0.02 s"
QString detectionDetailsText(const Detection& detection);
// With a saved model: which model, whose threshold labels the rows, and how the data sits against
// the model's training data, feature by feature (a warning first when the drift is large).
// forPaper picks colours for print.
QString modelDriftHtml(const Detection& detection, const DriftReport& drift, bool thresholdFromModel,
                       bool forPaper = false);

} // namespace webthreat

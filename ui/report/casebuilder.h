#pragma once

#include "core/util/progress.h"
#include "ui/report/reportbuilder.h"

#include <QByteArray>
#include <QString>

namespace webthreat {

// A case to hand on (issue #19): every row marked Malicious (by its own verdict or its source's),
// with its note, score, explanation and every column; the source verdicts; the allow-list; and
// the provenance. From a ReportInput with snapshot.triage (charts and maxRows are not used).

// Rows marked Malicious in snapshot: what a case lists (0 without triage).
std::size_t caseRowCount(const AnalysisSnapshot& snapshot);

// Any thread. One self-contained HTML page in the report's style; every value HTML-escaped, the
// provenance also as JSON in a <script type="application/json" id="webthreat-provenance">.
QByteArray caseHtml(const ReportInput& input, const Progress& progress = {});
// Any thread. {"format": "webthreat-case", "version": 1, "title", "created", "contamination",
// "threshold", "evaluation", "rows": [{"line", "columns": {name: value}, "score", "suspicious",
// "suppressed", "verdict", "verdict_origin", "note", "explanation": {"sentence", "top_features",
// "features": [...]}}], "sources": [...], "allow_list": [...], "suppressed", "provenance": {...}}.
QByteArray caseJson(const ReportInput& input, const Progress& progress = {});

enum class CaseFormat { Html, Json };
// By the file's suffix: .json is JSON, anything else HTML.
CaseFormat caseFormatForPath(const QString& path);
// Any thread. Writes the case atomically (QSaveFile). Throws OutputError naming the file (also
// when no row is marked Malicious), CancelledError (nothing written) when progress is cancelled.
void writeCase(const ReportInput& input, const QString& path, const Progress& progress = {});

} // namespace webthreat

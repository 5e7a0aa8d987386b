#pragma once

#include "core/detect/explain.h"
#include "core/output/provenance.h"
#include "core/triage/mark.h"

#include <QString>
#include <QStringList>

#include <string_view>

namespace webthreat {

struct SuppressionRule;

// The pieces the report and the case document share (ui/report/reportbuilder.h,
// ui/report/casebuilder.h): one style, one way to escape, to state a provenance and to explain a row.
namespace reporthtml {

QString tr(const char* text); // in the context "webthreat::Report"
QString esc(const QString& text);
QString esc(std::string_view text); // UTF-8

// One stylesheet for the browser and for QTextDocument; the second only for browsers (a readable
// line length on a wide screen).
const char* styleSheet();
const char* screenStyleSheet();

// The Provenance section: input file, size, SHA-256, program, when, and the command that
// reproduces the scores.
QString provenanceSection(const Provenance& provenance);
// The provenance as JSON in a <script type="application/json" id="webthreat-provenance">, '<'
// escaped so no value can close the element.
QString provenanceScript(const Provenance& provenance);

// The explanation's sentence, ending with a full stop (#18).
QString explanationSentence(const RowExplanation& explanation);
// "bytes_out 62 %", for the (at most count) features credited with a positive share, most first.
QStringList topFeatures(const RowExplanation& explanation, int count = 2);
// The sentence and the top features, escaped: what the report shows under a row.
QString explanationHtml(const RowExplanation& explanation);

// "src_ip 10.0.0.0/8": a rule's condition, written from its fields (as SuppressionRule::condition).
QString ruleCondition(const SuppressionRule& rule);

} // namespace reporthtml
} // namespace webthreat

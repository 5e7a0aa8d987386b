#pragma once

#include "core/pipeline.h"
#include "core/util/format.h" // the scored CSV's and the reports' number formats

#include <string>
#include <string_view>

namespace webthreat {

// A text cell made safe for spreadsheets: a cell a spreadsheet would read as a formula (starting
// with =, +, -, @, a tab or a carriage return) gets a leading apostrophe. Numeric columns are
// never passed through this, so negative numbers stay numbers.
std::string neutraliseFormula(std::string_view cell);
// Appends cell to out as one RFC 4180 field, quoted when it must be.
void appendCsvField(std::string& out, std::string_view cell);
// appendCsvField(out, neutraliseFormula(cell)) without a copy of cells that need no apostrophe.
void appendSafeCsvField(std::string& out, std::string_view cell);

// The scored CSV's header: the schema's columns, the file's extra columns, then
// session_duration, avg_packet_size, beacon_score (the row's pair's beacon score in [0, 1],
// core/behaviour/beacons.h; 0 where the pair has fewer than BeaconParams::minSessions sessions
// or the row has no start time, as the detector's pair_beacon_score; empty in streaming mode), the
// chosen categorical, per-source and behaviour features, anomaly_score, anomaly_label, and for
// Suspicious rows their explanation: top_feature (the feature most credited with isolating the row
// early; empty when none was), top_feature_share (that credit, 0..1) and explanation (the sentence, see
// core/explain.h). Normal rows leave these three empty.
std::vector<std::string> scoredCsvHeader(const Analysis& analysis);

// Writes every row with its features, score and label, and the suspicious rows' explanations,
// atomically (OutputError on failure).
// Which rows of the scored CSV carry top_feature, top_feature_share and explanation.
enum class ExplainRows : std::uint8_t {
    Suspicious, // the default: the rows an analyst reads (at 1 M rows and 5 %: about 1.5 s more)
    All, // every row (at 1 M rows: about 10 s more and a file half as large again)
};

// beacons: the table's beacon pairs when the caller has them already; otherwise the detection's
// (a Behaviour feature was chosen) or scoreBeacons on the table (stage "beacons").
// threads: explanations are computed, and blocks of rows formatted, on this many threads (0: the
// detection's forest.threads); the file is the same bytes whatever the number.
struct BeaconResult;
void writeScoredCsv(const Analysis& analysis, const std::string& path, const Progress& progress = {},
                    ExplainRows explain = ExplainRows::Suspicious, const BeaconResult* beacons = nullptr,
                    int threads = 0);

class AtomicFile;
// The streaming path's scored CSV (core/stream), one chunk's rows at a time: writeScoredCsv's
// columns, with the extra feature columns from the detection's encodings (whole-file shares and
// per-source values) and the three explanation cells from `explained` (per row, explanationCells'
// text; empty or null: the cells left empty), which the caller computes against the whole file
// (core/detect/explain.h, FeatureRanks::partOfFile).
// threads: rows are formatted in blocks on this many threads (0: the detection's forest.threads).
void appendScoredChunk(const Analysis& chunk, AtomicFile& file, bool withHeader, int threads = 0,
                       const std::vector<std::string>* explained = nullptr);
struct RowExplanation;
// A row's top_feature, top_feature_share and explanation cells, each with its leading comma.
std::string explanationCells(const RowExplanation& explanation);

class Evaluation;

// The analysis as a readable report (cleaning, detector settings, count suspicious, findings)
// and as JSON; the same facts in both. The JSON ends with an "evaluation" member when the analysis
// was evaluated against ground truth, or {"problem": ...} when evaluationProblem says why it could not be.
std::string analysisText(const Analysis& analysis, std::size_t suspiciousRowsShown = 20);
// "Threat lists: 12 suspicious rows and 40 rows in all have src_ip or dst_ip on a list" and a
// sentence per list (with its skipped bad lines), as analysisText writes it.
std::string threatListsText(const std::vector<std::shared_ptr<const ThreatList>>& lists, const ThreatFindings& found);
std::string analysisJson(const Analysis& analysis, std::size_t suspiciousRowsShown = 100,
                         const Evaluation* evaluation = nullptr, const std::string& evaluationProblem = {});

} // namespace webthreat

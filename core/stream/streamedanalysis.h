#pragma once

#include "core/context/ipenricher.h"
#include "core/output/provenance.h"
#include "core/pipeline.h"
#include "core/stream/streamanalysis.h"
#include "core/stream/streamsummary.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// What a streamed run kept of the file and how it differs from an in-memory run: the counts the
// views, the JSON and the report state (the workbench's StreamInfo adds the file's size).
struct StreamedRows {
    std::uint64_t rowsScored = 0; // every cleaned row of the file
    std::uint64_t suspiciousTotal = 0; // suspicious rows in the whole file
    std::size_t suspiciousShown = 0; // of them, in the kept table
    std::size_t sampleShown = 0; // sample rows after them
    bool suspiciousComplete = true; // every suspicious row is in the table
    bool timelineExact = true;
    bool thresholdExact = true;
    int passes = 0;
    std::vector<std::uint64_t> scoreBins; // StreamView::kScoreBins over [-1, 0], every row
    std::vector<std::uint64_t> suspiciousScoreBins;
    std::vector<std::string> notes; // how the run differs from an in-memory one
};

// A file analysed in streaming mode, as an Analysis the views, the JSON and the report take: its
// table is the rows a StreamSummary kept (the suspicious rows, most anomalous first, up to a cap,
// then a uniform sample), while the entities, the timeline, the findings' "rows overall" and the
// counts are the whole file's. With an allow-list (StreamResult::suppression; the summary fed each
// chunk's match) the suppression's rows are the kept rows' and its counts per rule, matched rows and
// suppressed rows the whole file's. Shared by the workbench's streaming mode (ui/streamload) and
// `webthreat analyze --stream --json/--report`.
struct StreamedAnalysis : StreamedRows {
    Analysis analysis;
};

// Assembles the analysis from what analyzeStream returned and what its StreamSummary kept (view is
// consumed). topN: the findings' rows listed. Progress stage "features" (the kept rows' features).
// enricher (--enrich): the kept rows looked up (bounded by the summary's caps; their countries filled
// as every pass filled them), so the context ("Who is on the other end") is drawn from them, as the
// notes say.
StreamedAnalysis streamedAnalysis(const std::string& path, const StreamResult& streamed, StreamView view,
                                  std::size_t topN = 10, const Progress& progress = {},
                                  std::shared_ptr<const IpEnricher> enricher = nullptr);

// "Streaming mode: showing the 1 234 suspicious rows and a random sample of 262 144 of the file's
// 40 000 000 rows" (the workbench's banner, the report's and the JSON's note).
std::string streamedRowsSentence(const StreamedRows& rows);

// analysisJson's document for the streamed analysis, with a "streaming" object: the rows shown
// sentence, rows_scored, suspicious_total, suspicious_listed_complete, passes, threshold_exact and
// the notes. rowsShown: the suspicious rows listed (--top). evaluation (StreamResult::evaluation) or
// evaluationProblem: the "evaluation" member, as analysisJson writes it for the whole file's verdicts.
std::string streamedAnalysisJson(const StreamedAnalysis& streamed, std::size_t rowsShown,
                                 const Evaluation* evaluation = nullptr, const std::string& evaluationProblem = {});

// What a report or provenance says of a streamed analysis, first the rows sentence and what is drawn
// from them, then the run's notes.
std::vector<std::string> streamedReportNotes(const StreamedRows& rows);

// The model `analyze --stream --save-model` saves: the fitted forest and the whole file's encodings,
// the sample's feature distributions as the drift baseline, the threshold; origin.rows counts every
// cleaned row. Equal to the in-memory run's model when the sample holds every row. With a saved
// model (score --model), that model. ParameterError when nothing was fitted.
DetectorModel streamedModel(const StreamResult& streamed, const InputFingerprint& input, std::string program);

} // namespace webthreat

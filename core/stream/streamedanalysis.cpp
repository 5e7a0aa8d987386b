#include "core/stream/streamedanalysis.h"

#include "core/analysis/entities.h"
#include "core/analysis/evaluation.h"
#include "core/detect/features.h"
#include "core/output/export.h"
#include "core/output/json_internal.h"
#include "core/triage/suppression.h"
#include "core/util/errors.h"
#include "core/util/format.h"

#include <unordered_map>

namespace webthreat {

namespace {

// The Entities view's table for the shown rows, with every figure the whole file's: every source
// of the file is an entity (its address interned in the shown table's pool), shown rows point at
// theirs.
EntityTable streamedEntities(TrafficTable& table, const StreamView& view)
{
    EntityTable result;
    result.entities.reserve(view.sources.size());
    StringPool& strings = *table.strings;
    std::vector<std::uint32_t> ids;
    ids.reserve(view.sources.size());
    for (const StreamSource& source : view.sources) {
        EntityStats stats;
        stats.srcIp = strings.intern(source.srcIp);
        stats.sessions = source.sessions;
        stats.bytesIn = source.bytesIn;
        stats.bytesOut = source.bytesOut;
        stats.firstSeen = source.firstSeen;
        stats.lastSeen = source.lastSeen;
        stats.countryCount = source.countryCount;
        for (std::size_t i = 0; i < kEntityTopValues && i < source.topCountries.size(); ++i)
            stats.topCountries[i] = source.topCountries[i].empty() ? StringPool::kMissing
                                                                   : strings.intern(source.topCountries[i]);
        stats.portCount = source.portCount;
        for (std::size_t i = 0; i < kEntityTopValues && i < source.topPorts.size(); ++i)
            stats.topPorts[i] = source.topPorts[i];
        if (source.srcIp.empty())
            result.rowsWithoutSource = source.sessions;
        result.entities.push_back(stats);
    }
    result.entityOfIp.assign(strings.size(), EntityTable::kNoEntity);
    for (std::size_t e = 0; e < result.entities.size(); ++e)
        result.entityOfIp[result.entities[e].srcIp] = static_cast<std::uint32_t>(e);
    const auto& sources = table.column(Field::SrcIp).text;
    result.entityOfRow.resize(table.rowCount());
    for (std::size_t row = 0; row < table.rowCount(); ++row)
        result.entityOfRow[row] = result.entityFor(sources[row]);
    rankByAddress(strings, result);
    return result;
}

// Findings counted on the shown rows hold every suspicious row (when none was past the cap); their
// "rows overall" are the whole file's.
void fileWideFindings(Findings& findings, const StreamView& view)
{
    findings.rows = view.rowsScored;
    findings.suspicious = view.suspiciousTotal; // the shown rows hold them all, or the most anomalous
    std::unordered_map<std::string, std::uint64_t> sessions;
    for (const StreamSource& source : view.sources)
        sessions[source.srcIp] = source.sessions;
    const auto overall = [](std::vector<FindingEntry>& entries, const auto& counts) {
        for (FindingEntry& entry : entries) {
            const auto found = counts.find(entry.value);
            if (found != counts.end())
                entry.totalRows = found->second;
        }
    };
    overall(findings.sourceIps, sessions);
    overall(findings.countries, view.countryRows);
    overall(findings.protocols, view.protocolRows);
    for (FindingEntry& entry : findings.destinationPorts) {
        try {
            const auto found = view.portRows.find(std::stoll(entry.value));
            if (found != view.portRows.end())
                entry.totalRows = found->second;
        } catch (const std::exception&) {
            // a value that is not a port ("other"): left as counted
        }
    }
}

} // namespace

StreamedAnalysis streamedAnalysis(const std::string& path, const StreamResult& streamed, StreamView view,
                                  std::size_t topN, const Progress& progress, std::shared_ptr<const IpEnricher> enricher)
{
    StreamedAnalysis result;
    result.rowsScored = view.rowsScored;
    result.suspiciousTotal = view.suspiciousTotal;
    result.suspiciousShown = view.suspiciousShown;
    result.sampleShown = view.sampleShown;
    result.suspiciousComplete = view.suspiciousComplete;
    result.timelineExact = view.timelineExact;
    result.thresholdExact = streamed.thresholdExact;
    result.passes = streamed.passes;
    result.scoreBins = view.scoreBins;
    result.suspiciousScoreBins = view.suspiciousScoreBins;
    result.notes = streamed.notes;

    auto data = std::make_shared<PreparedData>();
    data->file = path;
    data->readReport = streamed.readReport;
    data->cleanReport = streamed.cleanReport;
    data->readSeconds = streamed.seconds[0]; // pass 1 read and cleaned
    auto aggregates = std::make_shared<TrafficAggregates>();
    aggregates->entities = streamedEntities(view.table, view);
    aggregates->timeline = view.timeline;
    data->table = std::move(view.table);
    data->features = computeFeatures(data->table, progress);
    if (enricher) {
        data->features.enrichment = enricher->enrich(data->table, 0, progress);
        std::erase_if(result.notes, [](const std::string& note) { return note.rfind("the 'Who is on the other end'", 0) == 0; });
        result.notes.push_back(
            std::string("the 'Who is on the other end' section (the JSON's context) is drawn from the rows kept: ")
            + (result.suspiciousComplete ? "they hold every suspicious row, so its suspicious ASes and rows are the whole file's; "
                                         : "its suspicious ASes and rows are those of the suspicious rows kept; ")
            + "its counts of addresses, mismatched countries and flagged networks are the kept rows'");
    }
    auto detection = std::make_shared<Detection>(*streamed.detection);
    detection->scores = ScoreIndex(view.scores);
    std::shared_ptr<const Suppression> suppression;
    if (streamed.suppression) {
        // The kept rows' own match moves those below the threshold to normal (the suspicious rows
        // kept are none of them: StreamSummary::add); the rows per rule, the matched rows and the
        // active rules are the whole file's.
        Suppression kept = matchRules(data->table, streamed.suppression->rules, progress.cancelFlag());
        kept.rowsPerRule = streamed.suppression->rowsPerRule;
        kept.matchedRows = streamed.suppression->matchedRows;
        kept.activeRules = streamed.suppression->activeRules;
        suppression = std::make_shared<const Suppression>(std::move(kept));
    }
    Analysis analysis
        = assessAt(data, detection, streamed.threshold, streamed.contamination, topN, aggregates, std::move(suppression));
    if (analysis.verdictAggregates) {
        // Counted on the shown rows, which hold every suspicious one; the most anomalous score of a
        // source and the timeline's suspicious rows are the whole file's.
        auto verdictAggregates = std::make_shared<VerdictAggregates>(*analysis.verdictAggregates);
        for (std::size_t e = 0; e < view.sources.size() && e < verdictAggregates->entities.lowestScore.size(); ++e)
            verdictAggregates->entities.lowestScore[e] = view.sources[e].lowestScore;
        verdictAggregates->timelineSuspicious = view.timelineSuspicious;
        analysis.verdictAggregates = std::move(verdictAggregates);
    }
    fileWideFindings(analysis.findings, view);
    if (streamed.suppression) // the whole file's suppressed rows, as the JSON and the report state them
        analysis.verdicts.suppressedCount = analysis.findings.suppressed = streamed.suppressedCount;
    if (streamed.threatIndex) {
        // The kept rows' marks (the threat_lists of the rows listed), the whole file's counts.
        auto matches = std::make_shared<ThreatMatches>(
            matchThreatLists(analysis.data->table, streamed.threatIndex, progress.cancelFlag()));
        attachThreatMatches(analysis, std::move(matches));
        analysis.threatFindings = streamed.threatFindings;
    }
    result.analysis = std::move(analysis);
    return result;
}

std::string streamedRowsSentence(const StreamedRows& rows)
{
    const std::string suspicious = rows.suspiciousComplete
        ? "the " + groupedCount(rows.suspiciousShown) + " suspicious rows"
        : "the " + groupedCount(rows.suspiciousShown) + " most anomalous of the " + groupedCount(rows.suspiciousTotal)
            + " suspicious rows";
    return "Streaming mode: showing " + suspicious + " and a random sample of " + groupedCount(rows.sampleShown)
        + " of the file's " + groupedCount(rows.rowsScored) + " rows";
}

std::string streamedAnalysisJson(const StreamedAnalysis& streamed, std::size_t rowsShown, const Evaluation* evaluation,
                                 const std::string& evaluationProblem)
{
    Json document = Json::parse(analysisJson(streamed.analysis, rowsShown, evaluation, evaluationProblem));
    if (evaluation) {
        // At the whole file's verdicts (the kept table may hold fewer suspicious rows than the file).
        const OperatingPoint point
            = evaluation->at(static_cast<std::size_t>(streamed.suspiciousTotal), streamed.analysis.verdicts.threshold);
        document["evaluation"]["at_threshold"] = operatingPointJson(point);
    }
    document["streaming"] = {{"rows_shown", streamedRowsSentence(streamed)},
                             {"rows_scored", streamed.rowsScored},
                             {"suspicious_total", streamed.suspiciousTotal},
                             {"suspicious_kept", streamed.suspiciousShown},
                             {"suspicious_kept_complete", streamed.suspiciousComplete},
                             {"sample_kept", streamed.sampleShown},
                             {"passes", streamed.passes},
                             {"threshold_exact", streamed.thresholdExact},
                             {"notes", streamed.notes}};
    return jsonDocument(document);
}

std::vector<std::string> streamedReportNotes(const StreamedRows& rows)
{
    std::vector<std::string> result{
        streamedRowsSentence(rows)
        + ". The counts, findings, entities and timeline are the whole file's; the suspicious rows listed and the "
          "charts are drawn from the rows kept, and the behaviour over time (beacons, scans) is not computed, as a "
          "pair's score needs all its sessions at once."};
    result.insert(result.end(), rows.notes.begin(), rows.notes.end());
    return result;
}

DetectorModel streamedModel(const StreamResult& streamed, const InputFingerprint& input, std::string program)
{
    if (!streamed.detection || !streamed.detection->forest || !streamed.detection->encodings)
        throw ParameterError("there is no detector to save");
    const Detection& detection = *streamed.detection;
    if (detection.model) {
        DetectorModel kept = *detection.model;
        kept.file.clear();
        return kept;
    }
    DetectorModel model;
    model.encodings = *detection.encodings;
    model.training = streamed.training;
    model.scaling = detection.params.scaling;
    model.trees = detection.params.forest.trees;
    model.maxSamplesRequested = detection.params.forest.maxSamples;
    model.seed = detection.params.forest.seed;
    model.forest = detection.forest;
    model.contamination = streamed.contamination;
    model.threshold = streamed.threshold;
    model.origin.file = input.name.empty() ? streamed.file : input.name;
    model.origin.sha256 = input.sha256;
    model.origin.bytes = input.bytes;
    model.origin.rowsRead = streamed.readReport.rows;
    model.origin.rows = streamed.rowsScored;
    model.origin.program = std::move(program);
    model.origin.version = WEBTHREAT_VERSION;
    model.origin.created = utcNowIso8601();
    return model;
}

} // namespace webthreat

#include "core/output/provenance.h"

#include "core/context/ipenricher.h"

#include "core/io/archive.h"
#include "core/output/atomicfile.h"
#include "core/output/json_internal.h"
#include "core/util/format.h"
#include "core/output/sha256.h"
#include "core/io/timestamp.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <sys/stat.h>

namespace webthreat {

namespace {

// A word the shell passes through unchanged; anything else is single-quoted.
std::string shellQuoted(std::string_view word)
{
    bool plain = !word.empty();
    for (char c : word) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/'
            || c == '.' || c == '_' || c == '-' || c == ',' || c == ':' || c == '=' || c == '+' || c == '%';
        if (!safe)
            plain = false;
    }
    if (plain)
        return std::string(word);
    std::string out = "'";
    for (char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out.push_back(c);
    }
    return out + "'";
}

std::string fileName(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string delimiterName(char delimiter)
{
    if (delimiter == '\t')
        return "\\t";
    return std::string(1, delimiter);
}

} // namespace

std::string utcNowIso8601()
{
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    return formatTimestamp(static_cast<Instant>(now.time_since_epoch().count()) * kMicrosPerSecond);
}

InputFingerprint fingerprintFile(const std::string& path, const Progress& progress)
{
    InputFingerprint fingerprint;
    // A member of an archive (capture.zip:traffic.csv) is fingerprinted by the archive's bytes.
    const ArchivePath where = splitArchivePath(path);
    const std::string member = where.member.empty() ? std::string() : ":" + where.member;
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(where.file, error);
    fingerprint.path = error ? path : absolute.lexically_normal().string() + member;
    fingerprint.name = fileName(where.file) + member;
    struct stat status { };
    if (::stat(where.file.c_str(), &status) == 0) {
        fingerprint.bytes = static_cast<std::uint64_t>(status.st_size);
        fingerprint.modified = formatTimestamp(static_cast<Instant>(status.st_mtim.tv_sec) * kMicrosPerSecond);
    }
    fingerprint.sha256 = sha256FileHex(where.file, progress);
    return fingerprint;
}

InputFingerprint fingerprintBytes(std::string_view bytes, const std::string& name)
{
    InputFingerprint fingerprint;
    fingerprint.name = name;
    fingerprint.bytes = bytes.size();
    fingerprint.sha256 = sha256Hex(bytes);
    return fingerprint;
}

Provenance makeProvenance(const PreparedData& data, const Detection* detection, const Verdicts* verdicts,
                          InputFingerprint input, std::string program, const ReadOptions& read)
{
    Provenance p;
    p.input = std::move(input);
    p.rowsRead = data.readReport.rows;
    p.malformedRows = data.readReport.malformed.count;
    p.repeatedHeaders = data.readReport.repeatedHeaders.count;
    p.repeatedHeaderLines = data.readReport.repeatedHeaders.firstLines;
    p.invalidCells = data.readReport.invalidCellCount();
    p.blankLines = data.readReport.blankLines;
    p.delimiter = read.delimiter;
    if (data.readReport.sepLineDelimiter != '\0') {
        p.delimiter = data.readReport.sepLineDelimiter;
        p.delimiterFromSepLine = true;
    }
    p.rowsIn = data.cleanReport.rowsIn;
    p.rowsOut = data.cleanReport.rowsOut;
    p.cleanSteps = data.cleanReport.steps;
    p.rows = data.table.rowCount();
    if (data.features.enrichment) {
        p.locationDatabase = data.features.enrichment->databasePath;
        p.locationDatabaseCreated = data.features.enrichment->databaseCreatedAt;
    }
    if (detection && verdicts) {
        p.hasDetector = true;
        for (Feature feature : detection->params.features)
            p.features.emplace_back(featureInfo(feature).name);
        p.scaling = detection->params.scaling;
        p.trees = detection->params.forest.trees;
        p.maxSamplesRequested = detection->params.forest.maxSamples;
        p.maxSamples = detection->effectiveMaxSamples;
        p.seed = detection->params.forest.seed;
        p.contamination = verdicts->contamination;
        p.threshold = verdicts->threshold;
        p.suspicious = verdicts->suspiciousCount;
        p.suppressed = verdicts->suppressedCount;
        if (detection->model) {
            std::error_code error;
            const auto absolute = std::filesystem::absolute(detection->model->file, error);
            p.model = error ? detection->model->file : absolute.string();
            p.modelTrainedOn = detection->model->origin.file;
            p.modelTrainingSha256 = detection->model->origin.sha256;
            p.modelThreshold = verdicts->threshold == detection->model->threshold
                && verdicts->contamination == detection->model->contamination;
        }
    }
    p.program = std::move(program);
    p.version = WEBTHREAT_VERSION;
    p.created = utcNowIso8601();
    return p;
}

Provenance makeProvenance(const Analysis& analysis, InputFingerprint input, std::string program,
                          const ReadOptions& read)
{
    Provenance p = makeProvenance(*analysis.data, analysis.detection.get(),
                                  analysis.detection ? &analysis.verdicts : nullptr, std::move(input),
                                  std::move(program), read);
    if (analysis.suppression)
        p.allowRules = analysis.suppression->activeRules;
    if (analysis.threatMatches && analysis.threatMatches->index)
        addThreatListProvenance(p, analysis.threatMatches->index->lists(), analysis.threatFindings);
    return p;
}

void addThreatListProvenance(Provenance& p, const std::vector<std::shared_ptr<const ThreatList>>& lists,
                             const ThreatFindings& found)
{
    for (std::size_t i = 0; i < lists.size(); ++i) {
        const ThreatList& list = *lists[i];
        p.threatLists.push_back({list.name, list.path, list.sha256, list.column, list.skipBadLines, list.entries.size(),
                                 list.badLines, i < found.lists.size() ? found.lists[i].rows : 0});
    }
}

std::string rerunCommand(const Provenance& p)
{
    std::string features;
    for (const auto& name : p.features)
        features += (features.empty() ? "" : ",") + name;
    std::string command = "webthreat analyze " + shellQuoted(p.input.path.empty() ? p.input.name : p.input.path);
    if (!p.hasDetector)
        return command;
    std::string inputs; // the allow-lists, the threat lists and the location database
    for (const std::string& file : p.allowFiles)
        inputs += " --allow " + shellQuoted(file);
    for (const Provenance::ThreatListFile& list : p.threatLists)
        if (!list.path.empty()) {
            ThreatListSpec spec;
            spec.path = list.path;
            spec.options.name = list.name;
            spec.options.column = list.column;
            inputs += " --threat-list " + shellQuoted(threatListSpecText(spec));
        }
    if (std::any_of(p.threatLists.begin(), p.threatLists.end(),
                    [](const Provenance::ThreatListFile& list) { return list.skipBadLines; }))
        inputs += " --threat-list-skip-bad";
    if (!p.locationDatabase.empty())
        inputs += " --location-db " + shellQuoted(p.locationDatabase);
    if (!p.model.empty()) {
        command = "webthreat score " + shellQuoted(p.input.path.empty() ? p.input.name : p.input.path) + " --model "
            + shellQuoted(p.model);
        return (p.modelThreshold ? command : command + " --contamination " + p.contamination.toString()) + inputs;
    }
    command += " --features " + shellQuoted(features);
    // Always written, so the command means the same after the default changes.
    command += " --scale " + std::string(inputScalingName(p.scaling));
    command += " --trees " + std::to_string(p.trees);
    command += " --max-samples " + std::to_string(p.maxSamples);
    command += " --seed " + std::to_string(p.seed);
    command += " --contamination " + p.contamination.toString();
    // A streamed run fitted on its sample: streaming again draws the same sample.
    if (!p.streaming.empty())
        command += " --stream";
    return command + inputs;
}

std::string provenanceJson(const Provenance& p)
{
    Json steps = Json::array();
    for (const CleanStep& step : p.cleanSteps)
        steps.push_back({{"name", step.name}, {"rows", step.rowsAffected}, {"description", step.description}});
    Json document;
    document["format"] = "webthreat-provenance";
    document["format_version"] = 1;
    document["program"] = {{"name", p.program}, {"version", p.version}};
    document["created"] = p.created;
    document["input"] = {{"name", p.input.name},
                         {"path", p.input.path},
                         {"bytes", p.input.bytes},
                         {"sha256", p.input.sha256},
                         {"modified", p.input.modified.empty() ? Json(nullptr) : Json(p.input.modified)}};
    document["read"] = {{"rows", p.rowsRead},
                        {"malformed_rows", p.malformedRows},
                        {"repeated_header_lines", p.repeatedHeaders},
                        {"repeated_header_first_lines", p.repeatedHeaderLines},
                        {"invalid_cells", p.invalidCells},
                        {"blank_lines", p.blankLines},
                        {"delimiter", std::string(1, p.delimiter)},
                        {"delimiter_from_sep_line", p.delimiterFromSepLine}};
    document["cleaning"] = {{"rows_in", p.rowsIn},
                            {"rows_out", p.rowsOut},
                            {"drop_duplicates", p.clean.dropDuplicates},
                            {"fill_bytes_in_median", p.clean.fillBytesInMedian},
                            {"drop_missing_addresses", p.clean.dropMissingAddresses},
                            {"upper_case_countries", p.clean.upperCaseCountries},
                            {"steps", std::move(steps)}};
    if (!p.hasDetector) {
        document["detector"] = nullptr;
        document["result"] = {{"rows", p.rows}, {"suspicious", nullptr}};
    } else {
        document["detector"]
            = {{"algorithm", "isolation_forest"},
               {"features", p.features},
               {"scaling", inputScalingName(p.scaling)},
               {"trees", p.trees},
               {"max_samples", p.maxSamples},
               {"max_samples_requested", p.maxSamplesRequested},
               {"seed", p.seed},
               {"contamination", p.contamination.automatic ? Json("auto") : Json(p.contamination.value)},
               {"threshold", p.threshold}};
        if (!p.model.empty())
            document["detector"]["model"] = {{"file", p.model},
                                             {"trained_on", p.modelTrainedOn},
                                             {"training_sha256", p.modelTrainingSha256},
                                             {"threshold_from", p.modelThreshold ? "model" : "this_file"}};
        document["result"] = {{"rows", p.rows}, {"suspicious", p.suspicious}, {"suppressed", p.suppressed}};
    }
    if (p.allowRules > 0 || !p.allowFiles.empty())
        document["allow_list"] = {{"rules", p.allowRules}, {"files", p.allowFiles}};
    if (!p.streaming.empty())
        document["streaming"] = {{"notes", p.streaming}};
    if (!p.threatLists.empty()) {
        Json lists = Json::array();
        for (const Provenance::ThreatListFile& list : p.threatLists)
            lists.push_back({{"name", list.name},
                             {"path", list.path},
                             {"sha256", list.sha256},
                             {"column", list.column},
                             {"skip_bad_lines", list.skipBadLines},
                             {"entries", list.entries},
                             {"bad_lines_skipped", list.badLines},
                             {"matched_rows", list.matchedRows}});
        document["threat_lists"] = std::move(lists);
    }
    if (!p.locationDatabase.empty())
        document["location_database"] = {{"file", p.locationDatabase}, {"created", p.locationDatabaseCreated}};
    document["rerun"] = rerunCommand(p);
    return jsonDocument(document);
}

namespace {

// "2 repeated header lines skipped (lines 4, 9), " or nothing.
std::string repeatedHeadersText(const Provenance& p)
{
    if (p.repeatedHeaders == 0)
        return {};
    std::string lines;
    for (std::int64_t line : p.repeatedHeaderLines)
        lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    return std::to_string(p.repeatedHeaders) + " repeated header lines skipped (lines " + lines
        + (p.repeatedHeaders > p.repeatedHeaderLines.size() ? ", ..." : "") + "), ";
}

} // namespace

std::string provenanceText(const Provenance& p)
{
    std::string out;
    out += "Input: " + p.input.name + " (" + std::to_string(p.input.bytes) + " bytes, "
        + formatBytes(static_cast<double>(p.input.bytes)) + ")\n";
    if (!p.input.path.empty())
        out += "Path: " + p.input.path + "\n";
    out += "SHA-256: " + p.input.sha256 + "\n";
    if (!p.input.modified.empty())
        out += "Modified: " + p.input.modified + "\n";
    out += "Read: " + std::to_string(p.rowsRead) + " rows, " + std::to_string(p.malformedRows)
        + " malformed rows skipped, " + repeatedHeadersText(p) + std::to_string(p.invalidCells) + " invalid cells, "
        + std::to_string(p.blankLines) + " blank lines; delimiter '" + delimiterName(p.delimiter) + "'"
        + (p.delimiterFromSepLine ? " (from the sep= line)" : "") + "\n";
    out += "Cleaning: " + std::to_string(p.rowsIn) + " rows in, " + std::to_string(p.rowsOut) + " rows out\n";
    for (const CleanStep& step : p.cleanSteps)
        out += "  " + step.name + ": " + std::to_string(step.rowsAffected) + " rows (" + step.description + ")\n";
    std::string features;
    for (const auto& name : p.features)
        features += (features.empty() ? "" : ", ") + name;
    if (!p.hasDetector) {
        out += "Detector: not run (" + std::to_string(p.rows) + " rows, no scores)\n";
        out += "Program: " + p.program + " " + p.version + "\nCreated: " + p.created + "\n";
        return out;
    }
    out += "Detector: Isolation Forest, " + std::to_string(p.trees) + " trees, " + std::to_string(p.maxSamples)
        + " samples per tree (requested "
        + (p.maxSamplesRequested ? std::to_string(p.maxSamplesRequested) : std::string("auto")) + "), seed "
        + std::to_string(p.seed) + "\n";
    out += "Features: " + features + "\n";
    out += "Input scaling: " + std::string(inputScalingDescription(p.scaling)) + "\n";
    out += "Contamination: " + p.contamination.toString() + ", threshold " + formatNumber(p.threshold) + "; "
        + std::to_string(p.suspicious) + " of " + std::to_string(p.rows) + " rows Suspicious\n";
    for (const std::string& note : p.streaming)
        out += "Streaming mode: " + note + "\n";
    for (const Provenance::ThreatListFile& list : p.threatLists)
        out += "Threat list: " + list.name + ", " + std::to_string(list.entries) + " entries"
            + (list.badLines ? " (" + std::to_string(list.badLines) + " bad lines skipped)" : "") + ", "
            + std::to_string(list.matchedRows) + " rows matched; " + (list.path.empty() ? "no file" : list.path)
            + (list.sha256.empty() ? "" : ", SHA-256 " + list.sha256) + "\n";
    out += "Program: " + p.program + " " + p.version + "\n";
    out += "Created: " + p.created + "\n";
    out += "Reproduce: " + rerunCommand(p) + "\n";
    return out;
}

std::string provenanceSummary(const Provenance& p)
{
    if (!p.hasDetector)
        return p.input.name + " (SHA-256 " + p.input.sha256.substr(0, 16) + "...), " + std::to_string(p.rows)
            + " rows after cleaning, no detector run";
    return p.input.name + " (SHA-256 " + p.input.sha256.substr(0, 16) + "...), Isolation Forest "
        + std::to_string(p.trees) + " trees, " + std::to_string(p.maxSamples) + " samples, seed "
        + std::to_string(p.seed) + ", scaling " + std::string(inputScalingName(p.scaling)) + ", contamination "
        + p.contamination.toString() + ", threshold " + formatNumber(p.threshold) + "; " + std::to_string(p.suspicious)
        + " of " + std::to_string(p.rows) + " rows Suspicious";
}

std::string provenanceSidecarPath(const std::string& csvPath)
{
    return csvPath + ".provenance.json";
}

void writeProvenanceSidecar(const Provenance& provenance, const std::string& csvPath)
{
    // --out /dev/null keeps nothing, and /dev/null.provenance.json would litter /dev.
    if (isDeviceOrPipe(csvPath))
        return;
    writeFileAtomically(provenanceSidecarPath(csvPath), provenanceJson(provenance));
}

} // namespace webthreat

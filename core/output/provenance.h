#pragma once

#include "core/pipeline.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// Which file an analysis read, precisely enough to find it again and to know it is the same file.
struct InputFingerprint {
    std::string name; // the file name without its folder
    std::string path; // absolute path; empty for data that has no file (the bundled sample)
    std::uint64_t bytes = 0;
    std::string sha256; // lower-case hex of the file's bytes
    std::string modified; // last modification, ISO-8601 UTC; empty when unknown
};

// Streams the file through SHA-256 (progress stage "fingerprint", cancel polled between blocks).
// Throws InputError naming the file when it cannot be read.
InputFingerprint fingerprintFile(const std::string& path, const Progress& progress = {});
// For bytes that are not a file on disk (a Qt resource): name only, no path or time.
InputFingerprint fingerprintBytes(std::string_view bytes, const std::string& name);

// Everything needed to say where an exported result came from and to reproduce it: the input,
// what reading and cleaning did, the detector's settings, the threshold, and who made it when.
// Re-running `webthreat analyze` with rerunArguments() on the same file gives the same scores.
struct Provenance {
    InputFingerprint input;

    // Reading
    std::size_t rowsRead = 0;
    std::size_t malformedRows = 0;
    std::size_t repeatedHeaders = 0; // header lines repeated inside the file, skipped
    std::vector<std::int64_t> repeatedHeaderLines; // the first few
    std::size_t invalidCells = 0;
    std::size_t blankLines = 0;
    char delimiter = ',';
    bool delimiterFromSepLine = false; // the file's first line "sep=X" set it

    // Cleaning
    CleanParams clean;
    std::size_t rowsIn = 0;
    std::size_t rowsOut = 0;
    std::vector<CleanStep> cleanSteps;

    // Detector and threshold (hasDetector false: the data was loaded but never scored)
    bool hasDetector = false;
    std::vector<std::string> features; // detector inputs, by name, in order
    InputScaling scaling = InputScaling::None; // how they were shaped before the forest
    int trees = 0;
    int maxSamplesRequested = 0; // as asked (0 = automatic)
    int maxSamples = 0; // as used
    std::uint64_t seed = 0;
    Contamination contamination;
    double threshold = 0.0; // rows scoring below it are Suspicious
    std::size_t rows = 0;
    std::size_t suspicious = 0;
    // Scored with a saved model rather than fitted here: where the model was loaded from, the
    // training file and its SHA-256 as the model says, whether its threshold labelled the rows.
    std::string model;
    std::string modelTrainedOn;
    std::string modelTrainingSha256;
    bool modelThreshold = false;
    // The allow-list: rows below the threshold its rules moved to Normal (Verdicts::suppressedCount),
    // its enabled rules, and the rules files it was read from (the command line's --allow; the
    // rerun command repeats them).
    std::size_t suppressed = 0;
    std::size_t allowRules = 0;
    std::vector<std::string> allowFiles;
    // The threat lists the rows were looked up in (--threat-list; the rerun command repeats them).
    struct ThreatListFile {
        std::string name;
        std::string path;
        std::string sha256;
        std::string column; // a CSV's column; empty for plain text
        bool skipBadLines = false;
        std::size_t entries = 0;
        std::size_t badLines = 0;
        std::size_t matchedRows = 0; // rows with src_ip or dst_ip on it
    };
    std::vector<ThreatListFile> threatLists;

    // Streaming mode (core/stream): how the run differed from the in-memory one, a sentence each;
    // empty for an in-memory run.
    std::vector<std::string> streaming;
    // The location database the addresses were enriched from (issue 20); empty without enrichment.
    std::string locationDatabase;
    std::int64_t locationDatabaseCreated = 0; // its build time, seconds since the epoch

    // Who and when
    std::string program; // "webthreat" or "webthreat-workbench"
    std::string version; // the program's version
    std::string created; // ISO-8601 UTC, when the export was made
};

// The provenance of one analysis; created is now. read is the ReadOptions the file was read with
// (only the delimiter is recorded: threads and memory budget do not change the result).
// detection and verdicts may be null (data without scores): the detector part is left out.
Provenance makeProvenance(const PreparedData& data, const Detection* detection, const Verdicts* verdicts,
                          InputFingerprint input, std::string program, const ReadOptions& read = {});
Provenance makeProvenance(const Analysis& analysis, InputFingerprint input, std::string program,
                          const ReadOptions& read = {});
// The threat lists loaded and the rows each matched (found: per list, in lists' order).
void addThreatListProvenance(Provenance& p, const std::vector<std::shared_ptr<const ThreatList>>& lists,
                             const ThreatFindings& found);

// The `webthreat analyze` command that reproduces the scores (without the detector options when
// there is no detector): the input's path (or name) and
// every detector option, shell-quoted.
std::string rerunCommand(const Provenance& provenance);

// One JSON object (format "webthreat-provenance", version 1); every field of Provenance.
std::string provenanceJson(const Provenance& provenance);
// The same facts as readable lines ("Input: traffic.csv, 25.2 MB, SHA-256 ab12...").
std::string provenanceText(const Provenance& provenance);
// One line for short fields (a PNG's Description): file, hash prefix, detector, threshold.
std::string provenanceSummary(const Provenance& provenance);

// Where the sidecar of a scored CSV goes: the CSV's own path with ".provenance.json" appended
// ("scored.csv" -> "scored.csv.provenance.json"), so it sorts next to its CSV and no other export
// can claim the same name.
std::string provenanceSidecarPath(const std::string& csvPath);
// Writes provenanceJson to provenanceSidecarPath(csvPath) atomically (OutputError on failure);
// nothing when csvPath is a device or pipe (--out /dev/null).
void writeProvenanceSidecar(const Provenance& provenance, const std::string& csvPath);

// The current time as ISO-8601 UTC, to the second: "2024-04-25T23:00:00Z".
std::string utcNowIso8601();

} // namespace webthreat

#include "app/cli.h"

#include "core/context/ipenricher.h"

#include "app/logging.h"
#include "core/output/atomicfile.h"
#include "core/analysis/evaluation.h"
#include "core/behaviour/behaviourreport.h"
#include "core/io/layoutflags.h"
#include "core/output/export.h"
#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/io/decompress.h"
#include "core/stream/streamanalysis.h"
#include "core/stream/streamedanalysis.h"
#include "core/stream/textsource.h"
#include "core/io/archive.h"
#include "core/util/memorybudget.h"
#include "core/output/provenance.h"
#include "core/model/modelfile.h"
#include "core/model/sqlexport.h"
#include "core/model/onnxexport.h"
#include "core/triage/suppression.h"
#include "core/context/threatlist.h"
#include "core/util/format.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <cstring>
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

namespace webthreat {

namespace {

std::atomic<bool> g_interrupted{false};
ReportWriter g_reportWriter = nullptr;

extern "C" void onInterrupt(int)
{
    g_interrupted.store(true);
}

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr std::size_t kHelpWidth = 100; // columns of help text
constexpr std::size_t kOptionColumn = 26; // where option descriptions start

// text's words in lines of at most width characters (a longer word stands alone); '\n' in text
// starts a new line.
std::vector<std::string> wrapWords(std::string_view text, std::size_t width)
{
    std::vector<std::string> lines;
    while (true) {
        const std::size_t newline = text.find('\n');
        std::string_view paragraph = text.substr(0, newline);
        std::string line;
        while (!paragraph.empty()) {
            const std::size_t space = paragraph.find(' ');
            const std::string_view word = paragraph.substr(0, space);
            if (!line.empty() && line.size() + 1 + word.size() > width) {
                lines.push_back(std::move(line));
                line.clear();
            }
            line += (line.empty() ? "" : " ") + std::string(word);
            paragraph = space == std::string_view::npos ? std::string_view() : paragraph.substr(space + 1);
        }
        lines.push_back(std::move(line));
        if (newline == std::string_view::npos)
            return lines;
        text = text.substr(newline + 1);
    }
}

// CLI11's help, with option descriptions wrapped to the help's width, and for a command its long
// description on its own page (the command list shows the short one).
class HelpFormatter : public CLI::Formatter {
public:
    HelpFormatter() { column_width(kOptionColumn); }
    std::map<const CLI::App*, std::string> longDescriptions;

    std::string make_description(const CLI::App* app) const override
    {
        const auto found = longDescriptions.find(app);
        return found != longDescriptions.end() ? found->second + "\n\n" : CLI::Formatter::make_description(app);
    }
    std::string make_option_desc(const CLI::Option* option) const override
    {
        std::string text;
        for (const std::string& line : wrapWords(option->get_description(), kHelpWidth - kOptionColumn))
            text += (text.empty() ? "" : "\n") + line;
        return text;
    }
};

// The detector features by group with their descriptions, from core's list so that help never
// drifts from what --features accepts.
std::string featureHelp()
{
    constexpr std::size_t nameWidth = 30;
    constexpr std::size_t lineWidth = 100;
    std::string out = "\nDetector features (--features LIST, comma-separated; * = in the default set):\n";
    const std::vector<Feature> defaults = defaultFeatures();
    for (const FeatureGroup group : {FeatureGroup::Notebook, FeatureGroup::Categorical, FeatureGroup::PerSource,
                                     FeatureGroup::Behaviour, FeatureGroup::Context}) {
        out += "  " + std::string(featureGroupTitle(group)) + ":\n";
        for (const FeatureInfo& info : availableFeatures()) {
            if (info.group != group)
                continue;
            const bool isDefault = std::find(defaults.begin(), defaults.end(), info.feature) != defaults.end();
            std::string line = (isDefault ? "  * " : "    ") + std::string(info.name);
            line.resize(std::max(line.size() + 1, nameWidth), ' ');
            std::string_view words = info.description;
            while (!words.empty()) {
                const std::size_t space = words.find(' ');
                const std::string_view word = words.substr(0, space);
                if (line.size() + word.size() > lineWidth && line.size() > nameWidth) {
                    line.pop_back(); // the space after the last word
                    out += line + "\n";
                    line.assign(nameWidth, ' ');
                }
                line += word;
                line += ' ';
                words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
            }
            while (!line.empty() && line.back() == ' ')
                line.pop_back();
            out += line + "\n";
        }
    }
    return out;
}

std::string featureList(const std::vector<Feature>& features)
{
    std::string list;
    for (Feature feature : features)
        list += (list.empty() ? "" : ",") + std::string(featureInfo(feature).name);
    return list;
}

std::string featureNameList()
{
    std::string out = "\nDetector features for analyze --features (webthreat help analyze describes each):\n";
    std::string line = " ";
    const auto& features = availableFeatures();
    for (std::size_t i = 0; i < features.size(); ++i) {
        const std::string name = " " + std::string(features[i].name) + (i + 1 < features.size() ? "," : "");
        if (line.size() + name.size() > 100) {
            out += line + "\n";
            line = " ";
        }
        line += name;
    }
    return out + line + "\n";
}

// Validators. CLI11 reports a failed check as "--name: message"; runCli shows it as
// "--name message", so each message is the rest of a sentence that starts with the option's name.
template <typename Integer>
CLI::Validator wholeNumber(Integer minimum, Integer maximum)
{
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            Integer value{};
            auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size())
                return "needs a whole number, got '" + text + "'";
            if (value < minimum || value > maximum)
                return "must be between " + std::to_string(minimum) + " and " + std::to_string(maximum) + ", got "
                    + text;
            return {};
        },
        "");
}

CLI::Validator realNumber()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            double value = 0;
            auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size())
                return "needs a number, got '" + text + "'";
            return {};
        },
        "");
}

CLI::Validator logLevel()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return isLogLevel(text) ? std::string()
                                    : "must be one of trace, debug, info, warn, error, off; got '" + text + "'";
        },
        "");
}

CLI::Validator oneOf(std::string first, std::string second)
{
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            return text == first || text == second ? std::string()
                                                   : "must be '" + first + "' or '" + second + "'; got '" + text + "'";
        },
        "");
}

constexpr const char* kMainDescription = "webthreat - find suspicious web-traffic sessions with an Isolation Forest\n";

constexpr const char* kMainFooter
    = R"(Exit status: 0 success, 2 usage error, 3 bad input file, 4 output not written, 130 interrupted.
Logging: --log-level LEVEL or WEBTHREAT_LOG=LEVEL (trace, debug, info, warn, error, off) on stderr.

Example:
  webthreat analyze traffic.csv --contamination 0.05 --out scored.csv --report report.pdf)";

constexpr const char* kAnalyzeDescription =
    R"(Reads a CloudWatch-style traffic CSV (columns matched by header name, any order), an AWS VPC Flow
Log (default or custom field order; the two directions of a connection become one session) or an
ALB/NLB access log or ALB connection log, plain or compressed (gzip, bzip2, xz, zstd) or in a zip or
tar archive (FILE.zip:NAME chooses a member when it holds several); the format is detected from the
first lines. Then cleans it (drops exact duplicates, fills missing bytes_in with the median, drops
rows without src_ip or dst_ip, upper-cases country codes), computes session_duration and
avg_packet_size, fits an Isolation Forest and labels each row Normal or Suspicious.)";

constexpr const char* kAnalyzeFooter
    = R"(--out and --report fingerprint the input (SHA-256: 0.1 to 0.35 s per 200 MB). The provenance's
"rerun" command reproduces the same scores from the same file.

Examples:
  webthreat analyze traffic.csv --contamination 2% --out scored.csv --json
  webthreat analyze traffic.csv --report findings.pdf
  webthreat analyze vpc-flow-logs.log.gz --out scored.csv
  webthreat analyze traffic.csv --preset notebook     (the notebook's four features, raw)
  webthreat analyze export.csv --delimiter ';' --timestamp-format dmy \
      --map 'Source Address=src_ip' --map 'Dest=dst_ip' --map 'Bytes Received=bytes_in' ...
  webthreat analyze flows.tsv --detect-layout)";

constexpr const char* kScoreDescription =
    R"(Reads and cleans FILE as analyze does, then scores every row with a model saved by
`analyze --save-model` or the workbench: the model's forest, the encodings it learnt from its training
data (a category never seen there counts as the rarest) and its threshold, unless --contamination
re-thresholds on this file. Nothing is refitted: a file scored with the model saved from it gets the
very scores of the run that saved it. The report adds how the file drifted from the training data.
A file larger than --memory-budget (or any file with --stream) is scored in streaming mode: one pass
reads and cleans it, one more scores it at the model's threshold (with --contamination, the exact
percentile of this file's scores, which may take a third pass); the same scores and verdicts as in
memory, and the drift report (new values and rows outside the training range counted over every row,
the medians from the sample: the in-memory ones when it holds every row).)";

constexpr const char* kScoreFooter = R"(Examples:
  webthreat analyze monday.csv --save-model baseline.json
  webthreat score tuesday.csv --model baseline.json --out tuesday-scored.csv
  webthreat score tuesday.csv --model baseline.json --contamination 2% --json
  webthreat score flows-2026-12.log.zst --model baseline.json --stream --out scored.csv)";

constexpr const char* kGenerateDescription =
    R"(Writes deterministic synthetic web traffic in the CloudWatch schema: many source IPs and countries,
several protocols, ports and response codes, diurnal timing, heavy-tailed byte counts, and injected
anomalies (exfiltration, floods of tiny sessions, very long and zero-length sessions, rare ports,
odd response codes). From 50,000 rows at the default --behaviour-rate, 1 % of the rows are the
behavioural kinds, visible only across many rows: beacon (one pair calling home on a timer with
near-constant sizes), scan (one source touching hundreds of ports or hosts, mostly refused) and
burst (an ordinary source sending many times its usual sessions within minutes). With --label,
attack_kind names each row's kind: exfiltration, flood, long_session, zero_length, rare_port,
odd_code, beacon, scan or burst.)";

constexpr const char* kGenerateFooter = R"(Example:
  webthreat generate --rows 1000000 --label --out traffic-1m.csv)";

constexpr const char* kExportDescription =
    R"(Writes a model saved by `analyze --save-model` (or the workbench) in a form other systems run, so
that new data is scored where it lives. --sql: one SQL query that scores a table (Athena/Trino, Spark SQL, DuckDB, SQLite, ANSI): it reads a table with the
traffic schema's columns, text or typed, computes each feature as webthreat does (the model's frozen
encodings, fills and scales, the bytes_in median fill, country codes upper-cased) and walks the forest,
returning the schema's columns plus anomaly_score and is_suspicious, within 1e-9 of `webthreat score`.
The forest is written as CASE expressions, or, for athena when those would pass Athena's 262,144-byte
query limit, as a table of nodes (a CSV written beside the query) joined level by level. Cleaning's row filters (exact duplicates, rows
without src_ip or dst_ip) are not applied: see docs/scoring-at-scale.md.
--onnx: an ONNX model (ai.onnx opset 13, ai.onnx.ml opset 2) for onnxruntime, Spark (SynapseML) or
BigQuery ML, with one input per feature (the cleaned table's raw columns; NaN or -1 or "" when
missing) and the outputs anomaly_score and is_suspicious; it passes the ONNX checker before it is
written, and keeps the model's provenance in its metadata: docs/onnx-export.md.)";

constexpr const char* kExportFooter = R"(Examples:
  webthreat analyze week.csv --save-model baseline.json
  webthreat export-model baseline.json --sql score.sql --dialect athena --table logs.traffic
  webthreat export-model baseline.json --sql score.sql --dialect athena --table logs.traffic \
      --nodes-table logs.forest --nodes-csv forest.csv
  webthreat export-model baseline.json --sql score.sql --dialect sqlite
  sqlite3 traffic.db '.import --csv today.csv traffic' && sqlite3 -csv -header traffic.db < score.sql
  webthreat export-model baseline.json --onnx baseline.onnx)";

constexpr const char* kLayoutGroup = "Other CSV layouts (what File > Import CSV... does in the workbench)";

// What `analyze` was given, as declared below.
struct AnalyzeCommand {
    std::string file;
    std::string format = "auto";
    std::string contamination = "0.05";
    std::optional<std::string> features;
    std::optional<std::string> scale;
    std::string preset = "default";
    int threads = 0;
    std::size_t top = 10;
    std::string out, report, truth;
    std::string explain = "suspicious";
    std::string saveModel; // analyze: write the fitted detector here
    std::string model; // score: the saved detector to score with
    bool contaminationGiven = false; // score: re-threshold on the file instead of the model's threshold
    bool force = false, json = false;
    bool behaviour = true; // analyze: the behaviour section (beacon pairs, scanning sources)
    std::string memoryBudget; // analyze: SIZE; empty = half the memory available
    std::string scratch; // streaming: where the duplicate set spills; empty = $TMPDIR, else /tmp
    bool stream = false; // analyze: stream whatever the file's size
    bool reparse = false; // streaming: the scoring passes read the file again, not pass 1's cleaned rows
    std::vector<std::string> allow; // --allow: rules files, their rules combined
    bool enrich = false; // --enrich: the location database's answers for every address
    std::string locationDb; // --location-db: its path (implies --enrich)
    std::string enrichmentProblem; // why enrichment asked for is off, said once on stderr
    std::vector<std::string> threatLists; // --threat-list: [NAME=]FILE[:COLUMN]
    bool threatListSkipBad = false; // --threat-list-skip-bad
    std::string logLevel;
    LayoutFlags layout;
    AnalysisParams params;
};

// What `export-model` was given.
struct ExportCommand {
    std::string model;
    std::string sql; // where to write the query
    std::string onnx; // where to write the ONNX model
    std::string dialect = "ansi";
    std::string table = "traffic";
    std::string forest = "auto";
    std::string nodesTable, nodesCsv; // the forest's nodes kept in a table of their own
    bool underscoreColumns = false;
    std::string extraColumns; // comma-separated
    bool force = false;
    std::string logLevel;
};

struct GenerateCommand {
    std::string out;
    bool force = false;
    std::string logLevel;
    GeneratorParams params;
};

// The whole command line, declared: commands, their options with help text, value names and checks.
struct CommandLine {
    std::shared_ptr<HelpFormatter> formatter = std::make_shared<HelpFormatter>();
    CLI::App app{kMainDescription, "webthreat"};
    CLI::App* analyze = nullptr;
    CLI::App* score = nullptr;
    CLI::App* generate = nullptr;
    CLI::App* exportModel = nullptr;
    CLI::App* help = nullptr;
    CLI::App* version = nullptr;
    AnalyzeCommand a;
    GenerateCommand g;
    ExportCommand e;
    std::string helpTopic;
    bool showVersion = false;

    CommandLine()
    {
        app.formatter(formatter);
        app.set_help_flag("-h,--help", "show this help and exit");
        app.footer(std::string(kMainFooter) + "\n" + featureNameList());
        app.add_flag("-v,--version", showVersion, "print the version and exit")->disable_flag_override();
        app.allow_extras(); // an unknown command is named in runCli's own words
        app.require_subcommand(0, 1);
        // An option given twice keeps its last value (--map collects every one).
        app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        declareAnalyze();
        declareScore();
        declareGenerate();
        declareExport();
        help = app.add_subcommand("help", "this text, or a command's options");
        help->add_option("COMMAND", helpTopic, "analyze, score, export-model or generate");
        version = app.add_subcommand("version", "print the version")->group("");
    }

    void declareAnalyze()
    {
        analyze = app.add_subcommand("analyze", "clean FILE, score every row, print the findings");
        CLI::App& c = *analyze;
        formatter->longDescriptions[analyze] = kAnalyzeDescription;
        c.footer(std::string(kAnalyzeFooter) + "\n" + featureHelp());
        c.allow_extras();
        declareInput(c);
        c.add_option("--contamination", a.contamination,
                     "expected share of anomalies: 0.05, 5%, or auto (default 0.05)")
            ->option_text("C");
        c.add_option("--trees", a.params.detector.forest.trees, "trees in the forest, 1 to 10000 (default 100)")
            ->option_text("N")
            ->check(wholeNumber<int>(1, 10000));
        c.add_option("--max-samples", a.params.detector.forest.maxSamples,
                     "rows drawn per tree; 0 = min(256, rows) (default 0)")
            ->option_text("N")
            ->check(wholeNumber<int>(0, 1 << 30));
        c.add_option("--seed", a.params.detector.forest.seed,
                     "random seed; the same seed gives the same scores (default 42)")
            ->option_text("S")
            ->check(wholeNumber<std::uint64_t>(0, UINT64_MAX));
        c.add_option("--features", a.features,
                     "comma-separated detector inputs (default " + featureList(defaultFeatures())
                         + "; all are listed below)")
            ->option_text("LIST");
        c.add_option("--preset", a.preset,
                     "notebook = the notebook's detector: " + featureList(notebookFeatures())
                         + " with --scale none, exactly scikit-learn on the raw values; default = the measured default "
                           "(--features and --scale, when given, override the preset's)")
            ->option_text("NAME")
            ->check(oneOf("notebook", "default"));
        c.add_option(
             "--scale", a.scale,
             "how the detector's inputs are shaped before the forest: auto = log1p for bytes, durations, rates, "
             "counts and per-source totals (a row odd for being small is isolated as readily as one odd for "
             "being large), shares and flags as they are; none = the raw values, exactly scikit-learn's and the "
             "notebook's behaviour (default "
                 + std::string(inputScalingName(DetectorParams{}.scaling)) + ")")
            ->option_text("MODE")
            ->check(oneOf("auto", "none"));
        declareStreaming(c, "analyse");
        c.add_option("--save-model", a.saveModel,
                     "write the fitted detector to FILE (JSON: forest, encodings, threshold, training provenance) "
                     "for `webthreat score` and the workbench's Detector > Apply Model...")
            ->option_text("FILE");
        c.add_flag("--behaviour,!--no-behaviour", a.behaviour,
                   "the Behaviour over time section: beacon pairs and scanning sources (the text's section, --json's "
                   "\"beacons\" and \"scans\"; default on, about 0.3 s and 60 MB more at 1 M rows); --no-behaviour "
                   "leaves it out (--out's beacon_score column is still filled)");
        declareOutputs(c);
    }

    void declareInput(CLI::App& c)
    {
        c.add_option("FILE", a.file, "the traffic file to read")->type_name("")->required();
        c.add_option("--format", a.format,
                     "auto, csv, vpc-flow, elb or zeek: read FILE as this format instead of detecting it (default auto)")
            ->option_text("F");
        c.add_option("--threads", a.threads, "worker threads; 0 = all cores (default 0)")
            ->option_text("T")
            ->check(wholeNumber<int>(0, 1024));
        c.add_flag("--enrich", a.enrich,
                   "look up every address's country, autonomous system and flags (anonymous proxy, satellite, "
                   "anycast, drop list) in the offline location database (libloc-database): columns src_asn, "
                   "src_as_org, src_country, dst_... and country_mismatch in --out, and a \"Who is on the other "
                   "end\" section. A missing database turns it off with one message")
            ->disable_flag_override();
        c.add_option("--location-db", a.locationDb,
                     "the location database for --enrich (implies it; default $WEBTHREAT_LOCATION_DB, else "
                     "/var/lib/location/database.db)")
            ->option_text("FILE");
    }

    // What analyze and score share after the detector: outputs, evaluation, logging, CSV layouts.
    void declareOutputs(CLI::App& c)
    {
        c.add_option(
             "--out", a.out,
             "write every row with its features, score and label to FILE (CSV), and its provenance to "
             "FILE.provenance.json (input name, size and SHA-256, cleaning counts, detector settings, threshold, "
             "version, time)")
            ->option_text("FILE");
        c.add_option(
             "--explain", a.explain,
             "which rows of --out get top_feature, top_feature_share and explanation: suspicious (default) or all "
             "(at 1 M rows about 10 s more, file 45 % larger)")
            ->option_text("WHICH")
            ->check(oneOf("suspicious", "all"));
        c.add_option(
             "--report", a.report,
             "write a report to hand on: FILE.html (one self-contained page, charts embedded) or FILE.pdf (A4); "
             "summary, provenance, findings, the 200 most anomalous rows with why, charts, cleaning report")
            ->option_text("FILE");
        c.add_flag("--force", a.force, "overwrite --out and --report if they exist")->disable_flag_override();
        c.add_flag("--json", a.json, "print the report as JSON instead of text")->disable_flag_override();
        c.add_option("--top", a.top, "rows and values listed in the findings (default 10)")
            ->option_text("N")
            ->check(wholeNumber<std::size_t>(1, 1000000));
        c.add_option(
             "--truth", a.truth,
             "the ground-truth column to evaluate the detector against (values 1/0, true/false, yes/no, "
             "attack/normal, suspicious/normal, malicious/benign). Without it a column named is_attack, label or "
             "is_suspicious is used when present. The report then adds ROC AUC, average precision, precision, "
             "recall and F1 at the threshold and at contaminations 1, 2, 5, 10, 20 %.")
            ->option_text("COLUMN");
        c.add_option("--allow", a.allow,
                     "an allow-list: rows its rules match are not flagged (they leave the suspicious rows, the "
                     "findings and the report, and are counted as suppressed). One rule a line, FIELD VALUE "
                     "[# reason], FIELD one of src_ip, dst_ip (address or CIDR), dst_port (port or range "
                     "8000-8080), protocol, src_ip_country_code, rule_names, pair (SOURCE -> DESTINATION); "
                     "# starts a comment. Repeat for several files")
            ->option_text("FILE")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false);
        c.add_option("--threat-list", a.threatLists,
                     "a threat list: rows whose src_ip or dst_ip is on it are marked (scored CSV column "
                     "threat_lists) and counted per list in the report. Plain text, one IPv4/IPv6 address, CIDR or "
                     "range FIRST-LAST a line, # or ; starts a comment (Spamhaus DROP, FireHOL .netset), or a CSV "
                     "with FILE:COLUMN (a header name or a 1-based number). NAME=FILE names it (default: the file's "
                     "stem). A bad line refuses the file with file:line:column. Repeat for several lists")
            ->option_text("[NAME=]FILE[:COLUMN]")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false);
        c.add_flag("--threat-list-skip-bad", a.threatListSkipBad,
                   "skip a threat list's bad lines instead of refusing the file; the report counts them and names "
                   "the first few with their lines")
            ->disable_flag_override();
        c.add_option("--log-level", a.logLevel, "trace, debug, info, warn, error, off (default warn)")
            ->option_text("LEVEL")
            ->check(logLevel());

        c.add_option("--delimiter", a.layout.delimiter, "field separator: , ; | tab or any one character (default ,)")
            ->option_text("D")
            ->group(kLayoutGroup);
        c.add_option("--quote", a.layout.quote, "quote character: \" ' or none (default \")")
            ->option_text("Q")
            ->group(kLayoutGroup);
        c.add_flag("--no-header", a.layout.noHeader,
                   "the first line is data; columns are named column_1, column_2, ...")
            ->disable_flag_override()
            ->group(kLayoutGroup);
        c.add_option("--timestamp-format", a.layout.timestampFormat,
                     "how every timestamp column is written (default iso):\n"
                     "iso       2024-04-25T23:00:00Z (also epoch seconds)\n"
                     "epoch-s   1714086000          epoch-ms  1714086000000\n"
                     "dmy       25/04/2024 23:00:00  mdy       04/25/2024 23:00:00\n"
                     "ymd       2024/04/25 23:00:00  dmy-dots  25.04.2024 23:00:00")
            ->option_text("F")
            ->group(kLayoutGroup);
        c.add_option(
             "--map", a.layout.maps,
             "read the file column COLUMN (its header text, column_N without a header, or #N for the N-th "
             "column) as the schema field FIELD, or 'extra' (keep as text) or 'ignore'; repeat for each column. "
             "Columns not named are matched by header name as usual, or kept as extra.")
            ->option_text("COLUMN=FIELD")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false)
            ->group(kLayoutGroup);
        c.add_flag("--detect-layout", a.layout.detectLayout,
                   "guess the delimiter, quote, header, timestamp format and the column mapping as the import dialog "
                   "does; the options above override it")
            ->disable_flag_override()
            ->group(kLayoutGroup);
    }

    // --memory-budget and --stream, for analyze ("analyse") and score ("score").
    void declareStreaming(CLI::App& c, const std::string& verb)
    {
        c.add_option("--memory-budget", a.memoryBudget,
                     "memory the run may use: bytes or 512K, 512M, 2G, 1T (default half the memory available). A "
                     "file that would need more (about 0.7 bytes per byte of text; a compressed file's text "
                     "estimated at 8 times its size) is " + verb + "d in streaming mode instead of refused: any format "
                     "(CSV, VPC Flow Logs, ALB/NLB logs, Zeek conn.log) and packing (gzip, bzip2, xz, zstd, a zip or "
                     "tar member)")
            ->option_text("SIZE");
        c.add_option("--scratch", a.scratch,
                     "folder for streaming mode's scratch files (default $TMPDIR, else /tmp): past a quarter of the "
                     "budget the duplicate set spills there, about 16 bytes a row; a ground truth's exact evaluation "
                     "writes 9 bytes a row there; pass 1 keeps the cleaned rows there for the scoring pass (about a third of a "
                     "CSV's size; see --reparse); removed when the run ends")
            ->option_text("DIR");
        c.add_flag("--stream", a.stream,
                   verb + " in streaming mode whatever the file's size: passes over the file read in chunks, memory "
                   "bounded by the budget, the sample and the distinct sources (see the README's \"Files larger "
                   "than memory\"); --allow, --enrich, --explain all (a row placed among the sample's values) and "
                   "--truth (exact: scores and truth sorted on disk, 9 bytes a row) stream too")
            ->disable_flag_override();
        c.add_flag("--reparse", a.reparse,
                   "streaming mode: the scoring pass reads, parses and cleans the file again instead of reading "
                   "the cleaned rows pass 1 keeps in the scratch folder (about a third of a CSV's size, removed when "
                   "the run ends; not kept with --out or --enrich, whose passes read the file): for a scratch "
                   "folder without room. The results are the same either way")
            ->disable_flag_override();
    }

    void declareScore()
    {
        score = app.add_subcommand("score", "score FILE with a saved model, without refitting");
        CLI::App& c = *score;
        formatter->longDescriptions[score] = kScoreDescription;
        c.footer(kScoreFooter);
        c.allow_extras();
        declareInput(c);
        c.add_option("--model", a.model, "the model file saved by analyze --save-model or the workbench (required)")
            ->option_text("M.json")
            ->required();
        c.add_option("--contamination", a.contamination,
                     "re-threshold on this file's scores at this share (0.05, 5%, auto) instead of using the "
                     "model's threshold")
            ->option_text("C");
        declareStreaming(c, "score");
        declareOutputs(c);
    }

    void declareGenerate()
    {
        generate = app.add_subcommand("generate", "write realistic synthetic traffic in the same schema");
        CLI::App& c = *generate;
        formatter->longDescriptions[generate] = kGenerateDescription;
        c.footer(kGenerateFooter);
        c.allow_extras();
        c.add_option("--rows", g.params.rows, "data rows to write (required)")
            ->option_text("N")
            ->required()
            ->check(wholeNumber<std::size_t>(1, 1000000000));
        c.add_option("--out", g.out, "where to write the CSV (required; written atomically)")
            ->option_text("FILE")
            ->required();
        c.add_option("--seed", g.params.seed, "random seed (default 42)")
            ->option_text("S")
            ->check(wholeNumber<std::uint64_t>(0, UINT64_MAX));
        c.add_option("--anomaly-rate", g.params.anomalyRate, "share of injected anomalies, 0 to 0.5 (default 0.02)")
            ->option_text("R")
            ->check(realNumber());
        c.add_option("--behaviour-rate", g.params.behaviourRate,
                     "share of rows replaced by the behavioural kinds beacon, scan and burst, 0 to 0.2 (default 0.01; "
                     "none when it comes to fewer than 500 rows)")
            ->option_text("R")
            ->check(realNumber());
        c.add_flag("--label", g.params.label, "add ground-truth columns is_attack (0/1) and attack_kind")
            ->disable_flag_override();
        c.add_flag("--force", g.force, "overwrite --out if it exists")->disable_flag_override();
        c.add_option("--log-level", g.logLevel, "trace, debug, info, warn, error, off (default warn)")
            ->option_text("LEVEL")
            ->check(logLevel());
    }

    void declareExport()
    {
        exportModel = app.add_subcommand("export-model", "write a saved model as SQL or ONNX, to score where the data lives");
        CLI::App& c = *exportModel;
        formatter->longDescriptions[exportModel] = kExportDescription;
        c.footer(kExportFooter);
        c.allow_extras();
        c.add_option("MODEL", e.model, "the model file saved by analyze --save-model or the workbench")
            ->type_name("")
            ->required();
        c.add_option("--sql", e.sql, "write the scoring query to FILE (written atomically)")->option_text("FILE");
        c.add_option("--dialect", e.dialect, "ansi, athena (also trino), spark, duckdb or sqlite (default ansi)")
            ->option_text("D");
        c.add_option("--table", e.table,
                     "the table to read: name, schema.name or catalog.schema.name (default traffic)")
            ->option_text("NAME");
        c.add_option("--forest", e.forest,
                     "auto, case or table: the forest as CASE expressions or as a node table joined per level "
                     "(default auto: case; for athena past its 262,144-byte query limit, a table of nodes read "
                     "from TABLE_forest and written to OUT-nodes.csv)")
            ->option_text("FORM");
        c.add_option("--extra-columns", e.extraColumns,
                     "more columns of the table to return after the schema's, comma-separated (an id, a partition)")
            ->option_text("LIST");
        c.add_flag("--underscore-columns", e.underscoreColumns,
                   "the table names response.code, source.meta and source.name with underscores "
                   "(response_code, ...), as Athena and Hive tables must")
            ->disable_flag_override();
        c.add_option("--nodes-table", e.nodesTable,
                     "read the forest's nodes from this table instead of writing them into the query (a few KB "
                     "whatever the forest: the way past Athena's limit)")
            ->option_text("NAME");
        c.add_option("--nodes-csv", e.nodesCsv, "write the nodes for --nodes-table to FILE (CSV with a header)")
            ->option_text("FILE");
        c.add_option("--onnx", e.onnx, "write the model as ONNX to this file (written atomically)")
            ->option_text("OUT.onnx");
        c.add_flag("--force", e.force, "overwrite --sql, --nodes-csv and --onnx if they exist")
            ->disable_flag_override();
        c.add_option("--log-level", e.logLevel, "trace, debug, info, warn, error, off (default warn)")
            ->option_text("LEVEL")
            ->check(logLevel());
    }

    std::string mainHelp() const
    {
        return app.get_formatter()->make_help(&app, "webthreat", CLI::AppFormatMode::Normal);
    }

    // Parses args (without the program name). CLI11's errors become UsageErrors in our words;
    // --help is left to the caller (CLI::CallForHelp).
    void parse(const std::vector<std::string>& args)
    {
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them last first
        try {
            app.parse(reversed);
        } catch (const CLI::RequiredError&) {
            for (CLI::App* command : {analyze, score, generate, exportModel}) {
                if (!command->parsed())
                    continue;
                refuseLeftovers(*command);
                for (const CLI::Option* option : command->get_options()) {
                    if (option->get_required() && option->count() == 0)
                        throw UsageError(missingArgument(*command, *option));
                }
            }
            throw;
        } catch (const CLI::ValidationError& error) {
            throw UsageError(sentence(error.what()));
        } catch (const CLI::ArgumentMismatch& error) {
            // "--seed: 1 required UINT missing", "--json was given a disallowed flag override"
            const std::string what = error.what();
            const std::string name = what.substr(0, what.find_first_of(": "));
            if (what.find("flag override") != std::string::npos)
                throw UsageError((name.front() == '-' ? "" : "--") + name + " takes no value");
            if (what.size() > 8 && what.compare(what.size() - 8, 8, " missing") == 0)
                throw UsageError(name + " needs a value");
            throw UsageError(what);
        } catch (const CLI::CallForHelp&) {
            throw;
        } catch (const CLI::CallForAllHelp&) {
            throw;
        } catch (const CLI::ParseError& error) {
            throw UsageError(error.what());
        }
        if (!app.remaining().empty())
            throw UsageError("unknown command '" + app.remaining().front()
                             + "' (commands: analyze, score, export-model, generate, help)");
        for (CLI::App* command : {analyze, score, generate, exportModel}) {
            if (command->parsed())
                refuseLeftovers(*command);
        }
    }

    // What a command says when a required argument is missing.
    static std::string missingArgument(const CLI::App& command, const CLI::Option& option)
    {
        const std::string name = command.get_name();
        if (option.get_name() == "MODEL")
            return name + " needs the model file to read (see: webthreat help " + name + ")";
        if (option.get_name() == "FILE")
            return name + " needs the traffic file to read (see: webthreat help " + name + ")";
        return name + " needs " + option.get_name() + " " + option.get_option_text();
    }

    // "--trees: needs a whole number" as "--trees needs a whole number".
    static std::string sentence(std::string message)
    {
        if (message.rfind("--", 0) == 0) {
            const auto colon = message.find(": ");
            if (colon != std::string::npos)
                message.erase(colon, 1);
        }
        return message;
    }

    // What a command left unparsed: unknown options, or positionals beyond FILE.
    static void refuseLeftovers(const CLI::App& command)
    {
        const std::vector<std::string> left = command.remaining();
        for (const std::string& arg : left) {
            if (arg.size() > 1 && arg.front() == '-')
                throw UsageError("unknown option " + arg.substr(0, arg.find('=')) + " for '" + command.get_name()
                                 + "' (see: webthreat help " + command.get_name() + ")");
        }
        if (!left.empty() && command.get_name() == "export-model")
            throw UsageError("export-model reads one model file; got " + std::to_string(1 + left.size()));
        if (!left.empty() && command.get_name() != "generate")
            throw UsageError(command.get_name() + " reads one file; got " + std::to_string(1 + left.size()));
        if (!left.empty())
            throw UsageError("generate takes no file argument; name the output with --out FILE");
    }
};

void setUpLogging(const std::string& level)
{
    LoggingOptions logging;
    logging.level = level;
    try {
        initLogging(logging);
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("WEBTHREAT_LOG: ") + error.what());
    }
}

void refuseOverwrite(const std::string& path, bool force)
{
    std::error_code error;
    if (!force && std::filesystem::exists(path, error))
        throw OutputError(path + ": the file exists; use --force to overwrite it");
}

// --allow: every file's rules, in order. A bad rule is bad input (InputError: file, line, column).
void readAllowLists(AnalyzeCommand& a)
{
    for (const std::string& path : a.allow) {
        std::vector<SuppressionRule> rules = readRulesFile(path);
        if (a.params.allowRules.size() + rules.size() > kMaxRules)
            throw InputError(path, 0, "", "the allow-lists hold more than " + std::to_string(kMaxRules) + " rules");
        a.params.allowRules.insert(a.params.allowRules.end(), std::make_move_iterator(rules.begin()),
                                   std::make_move_iterator(rules.end()));
    }
}

// --enrich and --location-db, or a chosen feature (or the model's) that reads the location database:
// opens it. A missing database turns enrichment off with one message, unless a feature needs it.
void openLocationDatabase(AnalyzeCommand& a)
{
    const auto& features = a.params.detector.features;
    const auto needing = std::find_if(features.begin(), features.end(), needsEnrichment);
    if (!a.enrich && a.locationDb.empty() && needing == features.end())
        return;
    if (needing == features.end()) {
        a.params.clean.enricher = IpEnricher::tryOpen(a.locationDb, a.enrichmentProblem);
        return;
    }
    try {
        a.params.clean.enricher = IpEnricher::open(a.locationDb);
    } catch (const InputError& error) {
        throw InputError(error.file(), 0, "",
                         std::string(a.params.model ? "the model uses the feature '" : "the feature '")
                             + std::string(featureInfo(*needing).name)
                             + "', which needs the IP location database: " + error.problem());
    }
}

// --threat-list: every list, read whole. A bad line is bad input (InputError: file, line, column).
void readThreatLists(AnalyzeCommand& a)
{
    if (a.threatLists.size() > kMaxThreatLists)
        throw UsageError("--threat-list: at most " + std::to_string(kMaxThreatLists) + " lists");
    for (const std::string& text : a.threatLists) {
        ThreatListSpec spec = parseThreatListSpec(text);
        spec.options.skipBadLines = a.threatListSkipBad;
        ThreatList list;
        try {
            list = readThreatList(spec.path, spec.options);
        } catch (const ParameterError& error) {
            throw UsageError("--threat-list " + text + ": " + error.what());
        }
        std::error_code error;
        const auto absolute = std::filesystem::absolute(spec.path, error);
        if (!error)
            list.path = absolute.string(); // provenance and the rerun command find it from anywhere
        a.params.threatLists.push_back(std::make_shared<const ThreatList>(std::move(list)));
    }
}

// The command's options as analysis parameters; a bad value is a UsageError. Returns the line
// describing a CSV layout given by flags (empty without them).
std::string analysisParams(AnalyzeCommand& a)
{
    AnalysisParams& params = a.params;
    params.read.threads = params.detector.forest.threads = a.threads;
    try {
        params.contamination = Contamination::parse(a.contamination);
        params.read.format = inputFormatByName(a.format);
        if (a.preset == "notebook") {
            const DetectorParams notebook = DetectorParams::notebook();
            params.detector.features = notebook.features;
            params.detector.scaling = notebook.scaling;
        }
        if (a.features) {
            params.detector.features.clear();
            std::string_view list = *a.features;
            while (!list.empty()) {
                const auto comma = list.find(',');
                const std::string_view name = list.substr(0, comma);
                if (!name.empty())
                    params.detector.features.push_back(featureByName(name));
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        }
        if (a.scale)
            params.detector.scaling = inputScalingByName(*a.scale);
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    // --delimiter, --quote, --no-header, --timestamp-format, --map and --detect-layout (core/io/layoutflags).
    std::string layoutLine;
    if (a.layout.any()) {
        const CsvLayout layout = layoutFromFlags(a.layout, a.file);
        layout.applyTo(params.read);
        layoutLine = describeLayout(layout);
    }
    readAllowLists(a);
    readThreatLists(a);
    if (!a.model.empty()) {
        params.model = loadModel(a.model);
        params.modelThreshold = !a.contaminationGiven;
        params.detector.features = params.model->features();
        params.detector.scaling = params.model->scaling;
    }
    try {
        params.validate();
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    openLocationDatabase(a);
    return layoutLine;
}

// The text report names sources, countries, protocols and ports, shows the most anomalous rows by
// those and their bytes, and evaluates against the ground truth: after cleaning (whose duplicate
// test compares every column) the other columns are let go, about 40 MB at a million rows.
// Writing a file or JSON keeps every column.
void keepOnlyWhatTheTextNeeds(AnalyzeCommand& a, const std::string* truthName)
{
    std::vector<std::string>& keep = a.params.clean.keepOnly;
    for (Field field : {Field::SrcIp, Field::SrcIpCountryCode, Field::Protocol, Field::DstPort})
        keep.emplace_back(fieldInfo(field).name);
    for (Feature feature : a.params.detector.features) {
        if (feature == Feature::ResponseCodeFrequency)
            keep.emplace_back(fieldInfo(Field::ResponseCode).name);
    }
    for (const SuppressionRule& rule : a.params.allowRules) {
        if (rule.field == RuleField::DstIp || rule.field == RuleField::Pair)
            keep.emplace_back(fieldInfo(Field::DstIp).name);
        if (rule.field == RuleField::RuleNames)
            keep.emplace_back(fieldInfo(Field::RuleNames).name);
    }
    if (truthName)
        keep.push_back(*truthName);
    // The behaviour section (beacons, scans): destinations and failed sessions (creation_time is kept).
    for (const char* name : {"dst_ip", "response.code", "action", "conn_state"})
        keep.emplace_back(name);
    for (std::string_view name : truthColumnNames())
        keep.emplace_back(name);
}

// What the text report says after the results: where --out, --report and --save-model were written.
void writtenText(const AnalyzeCommand& a, std::ostream& out)
{
    if (!a.out.empty())
        out << "\nScored rows written to " << a.out
            << (isDeviceOrPipe(a.out) ? std::string() : " (provenance in " + provenanceSidecarPath(a.out) + ")") << "\n";
    if (!a.report.empty())
        out << "Report written to " << a.report << "\n";
    if (!a.saveModel.empty())
        out << "Model written to " << a.saveModel << " (score other files with: webthreat score FILE --model "
            << a.saveModel << ")\n";
}

// The allow-lists' paths in the provenance (its rerun command repeats them), absolute where possible.
void addAllowFiles(Provenance& provenance, const AnalyzeCommand& a)
{
    for (const std::string& path : a.allow) {
        std::error_code error;
        const auto absolute = std::filesystem::absolute(path, error);
        provenance.allowFiles.push_back(error ? path : absolute.string());
    }
}

// --out, --report and --save-model, each written whole or not at all.
// beacons: the file's beacon pairs when analyze has them already (the scored CSV's beacon_score).
void writeOutputs(const AnalyzeCommand& a, const Analysis& analysis, const Progress& progress, std::ostream& out,
                  const BeaconResult* beacons = nullptr)
{
    if (a.out.empty() && a.report.empty() && a.saveModel.empty())
        return;
    // What was exported says where it came from: one fingerprint for the CSV, the report and the
    // model. The input's SHA-256 is read on its own thread while the scored CSV is written (it
    // only polls cancel: progress is reported by the writer).
    std::future<InputFingerprint> fingerprint;
    if (!a.out.empty()) {
        const Progress cancelOnly({}, progress.cancelFlag());
        fingerprint = std::async(std::launch::async, [&a, cancelOnly] { return fingerprintFile(a.file, cancelOnly); });
        try {
            writeScoredCsv(analysis, a.out, progress, a.explain == "all" ? ExplainRows::All : ExplainRows::Suspicious,
                           beacons);
        } catch (...) {
            fingerprint.wait();
            throw;
        }
    }
    const InputFingerprint input = fingerprint.valid() ? fingerprint.get() : fingerprintFile(a.file, progress);
    if (!a.out.empty() || !a.report.empty()) {
        Provenance provenance = makeProvenance(analysis, input, "webthreat", a.params.read);
        addAllowFiles(provenance, a);
        if (!a.out.empty())
            writeProvenanceSidecar(provenance, a.out);
        if (!a.report.empty())
            g_reportWriter(analysis, provenance, a.report);
    }
    if (!a.saveModel.empty())
        saveModel(makeModel(analysis, input, "webthreat"), a.saveModel);
    if (!a.json)
        writtenText(a, out);
}

// "Allow-list: 12 suspicious rows suppressed by 2 rules (office.rules)" and each rule's count
// (suppressed: the rows below the threshold the rules moved to normal). In memory and streamed.
std::string allowListText(const AnalyzeCommand& a, const Suppression* matched, std::size_t suppressed)
{
    if (!matched)
        return {};
    const Suppression& suppression = *matched;
    std::string files;
    for (const std::string& path : a.allow)
        files += (files.empty() ? "" : ", ") + path;
    std::string out = "\nAllow-list: " + std::to_string(suppressed) + " suspicious rows suppressed by "
        + std::to_string(suppression.activeRules) + (suppression.activeRules == 1 ? " rule" : " rules") + " (" + files
        + "); " + std::to_string(suppression.matchedRows) + " rows match a rule\n";
    out += "  rows matched  rule\n";
    char count[32];
    for (std::size_t i = 0; i < suppression.rules.size(); ++i) {
        std::snprintf(count, sizeof count, "  %12zu  ", suppression.rowsPerRule[i]);
        out += count + suppression.rules[i].line() + "\n";
    }
    return out;
}

// --memory-budget: bytes, or a number with K, M, G or T (powers of 1024). A bad value is a UsageError.
std::uint64_t parseMemorySize(const std::string& text)
{
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [rest, error] = std::from_chars(text.data(), end, value);
    std::string suffix(rest, end);
    for (char& c : suffix)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!suffix.empty() && suffix.back() == 'B')
        suffix.pop_back();
    if (!suffix.empty() && suffix.back() == 'I')
        suffix.pop_back();
    const std::map<std::string, int> shifts{{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}};
    const auto shift = shifts.find(suffix);
    if (error != std::errc() || rest == text.data() || shift == shifts.end() || value == 0
        || value > (UINT64_MAX >> shift->second))
        throw UsageError("--memory-budget must be a size such as 512M, 2G or a number of bytes; got '" + text + "'");
    return value << shift->second;
}

// Whether FILE's text is compressed (its text is then estimated at 8 times its size). Every format
// and packing the in-memory path reads streams (core/stream/chunksource.h). Throws InputError as the
// reader would (a zip of several files without FILE:MEMBER, a corrupt archive).
bool compressedInput(const std::string& path)
{
    return TextSource(path).compressed();
}

// `analyze` in streaming mode (core/stream): the text report (or --json), --out written as it goes,
// and --report from the rows a StreamSummary keeps (core/stream/streamedanalysis.h).
int analyzeStreaming(AnalyzeCommand& a, std::uint64_t budget, const std::string& layoutLine, const std::string& why,
                     std::ostream& out)
{
    StreamParams params;
    params.analysis = a.params;
    params.analysis.topN = a.top;
    params.analysis.clean.keepOnly.clear();
    // A sixteenth of the budget per chunk of text (the table of a chunk takes about as much again,
    // and two are alive while one is cleaned), between 64 KiB and 64 MiB.
    params.chunkBytes = static_cast<std::size_t>(std::clamp<std::uint64_t>(budget / 16, 64 << 10, 64 << 20));
    // A quarter of the budget for the duplicate set, then it spills. Without --memory-budget the default
    // (half the memory available) decides whether to stream; once streaming, the run holds itself to at
    // most 1 GiB, as the workbench does (64 MiB chunks, a 256 MiB duplicate set): a 20 GB file's set
    // would otherwise stay in memory (2.1 GB) where spilling costs about nothing (BENCHMARKS).
    params.memoryBudget = a.memoryBudget.empty() ? std::min<std::uint64_t>(budget, kDefaultStreamingBudget) : budget;
    params.scratchDir = a.scratch;
    params.spillCleanedRows = !a.reparse;
    params.out = a.out;
    params.explainAll = a.explain == "all";
    // The ground truth, named or found by its name, evaluated exactly in pass 2 (a named column that is
    // missing or unusable is an error, as in memory).
    params.evaluate = true;
    params.truthColumn = a.truth;
    // --json and --report need the rows: the suspicious ones (up to a cap) and a sample, kept as pass 2
    // scores them, bounded whatever the file's size.
    const bool keepRows = a.json || !a.report.empty();
    std::optional<StreamSummary> summary;
    if (keepRows) {
        StreamSummaryParams kept; // the sample: the charts', and what explanations compare a row with
        kept.sampleRows = params.sampleRows;
        summary.emplace(kept);
        params.onScored = [&summary](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first,
                                     const std::vector<std::uint8_t>* allowed) {
            summary->add(table, scores, first, allowed);
        };
    }
    const Progress progress({}, &g_interrupted);
    const StreamResult result = analyzeStream(a.file, params, progress);
    std::optional<StreamedAnalysis> streamed;
    if (keepRows)
        streamed.emplace(streamedAnalysis(a.file, result, summary->finish(result.threshold, result.suspiciousCount),
                                          a.top, progress, a.params.clean.enricher));
    if (streamed) // score --model: the drift, in the JSON and the report as in memory
        streamed->analysis.drift = result.drift;
    // What was exported says where it came from: one fingerprint for the CSV, the report and the model.
    std::optional<InputFingerprint> input;
    if (!a.out.empty() || !a.report.empty() || !a.saveModel.empty())
        input = fingerprintFile(a.file, progress);
    std::optional<Provenance> provenance;
    if (!a.out.empty() || !a.report.empty()) {
        // The sidecar and the report as for an in-memory run, with what streaming did differently.
        PreparedData data;
        data.file = a.file;
        data.readReport = result.readReport;
        data.cleanReport = result.cleanReport;
        if (const auto& enricher = a.params.clean.enricher) { // the location database named, as in memory
            auto named = std::make_shared<Enrichment>();
            named->databasePath = enricher->path();
            named->databaseCreatedAt = enricher->createdAt();
            data.features.enrichment = named;
        }
        Verdicts verdicts;
        verdicts.contamination = result.contamination;
        verdicts.threshold = result.threshold;
        verdicts.suspiciousCount = result.suspiciousCount;
        verdicts.suppressedCount = result.suppressedCount;
        provenance = makeProvenance(data, result.detection.get(), &verdicts, *input, "webthreat", a.params.read);
        provenance->clean = a.params.clean;
        provenance->rows = result.rowsScored;
        provenance->suspicious = result.suspiciousCount;
        provenance->streaming = result.notes;
        if (result.suppression)
            provenance->allowRules = result.suppression->activeRules;
        addAllowFiles(*provenance, a);
        if (result.threatIndex)
            addThreatListProvenance(*provenance, result.threatIndex->lists(), result.threatFindings);
        if (!a.out.empty())
            writeProvenanceSidecar(*provenance, a.out);
    }
    if (!a.report.empty()) {
        Provenance reported = *provenance;
        reported.streaming = streamedReportNotes(*streamed);
        g_reportWriter(streamed->analysis, reported, a.report);
    }
    if (!a.saveModel.empty())
        saveModel(streamedModel(result, *input, "webthreat"), a.saveModel);
    // As in memory: a column found by its name but unusable is reported, a file without one says nothing.
    const bool truthUnusable = !result.evaluation && result.evaluationProblem.rfind("column ", 0) == 0;
    if (a.json) {
        out << streamedAnalysisJson(*streamed, a.top, result.evaluation.get(),
                                    truthUnusable ? result.evaluationProblem : std::string());
        return kExitOk;
    }
    out << layoutLine << why << streamResultText(result, a.top)
        << (result.drift ? driftText(*result.drift) : std::string())
        << allowListText(a, result.suppression.get(), result.suppressedCount);
    if (result.evaluation) {
        Verdicts verdicts; // the whole file's
        verdicts.contamination = result.contamination;
        verdicts.threshold = result.threshold;
        verdicts.suspiciousCount = result.suspiciousCount;
        verdicts.suppressedCount = result.suppressedCount;
        out << evaluationText(*result.evaluation, ScoreIndex(), verdicts);
    } else if (truthUnusable) {
        out << "\nEvaluation: not available: " << result.evaluationProblem << "\n";
    }
    writtenText(a, out);
    return kExitOk;
}

// Whether to stream: --stream, or a file whose text needs more than the budget.
// Returns the sentence saying why ("" when the file is read whole).
std::string streamingReason(const AnalyzeCommand& a, std::uint64_t budget)
{
    if (a.stream)
        return "Streaming mode (--stream).\n";
    std::error_code error;
    const std::uint64_t size = std::filesystem::file_size(splitArchivePath(a.file).file, error);
    if (error)
        return {}; // the reader names the problem
    bool compressed = false;
    try {
        compressed = compressedInput(a.file);
    } catch (const InputError&) {
        return {}; // the reader names the problem
    }
    const std::uint64_t text = compressed ? size * 8 : size;
    const std::uint64_t needed = MemoryBudget(budget, a.params.read.blockBytes).neededFor(text);
    if (needed <= budget)
        return {};
    char line[200];
    std::snprintf(line, sizeof line, "Streaming mode: the file would need about %.0f MB in memory, more than the "
                  "budget of %.0f MB.\n", static_cast<double>(needed) / 1e6, static_cast<double>(budget) / 1e6);
    return line;
}

int analyze(AnalyzeCommand& a, std::ostream& out, std::ostream& err)
{
    setUpLogging(a.logLevel);
    const std::string layoutLine = analysisParams(a);
    if (!a.enrichmentProblem.empty())
        err << "webthreat: " << a.enrichmentProblem << "\n";
    AnalysisParams& params = a.params;
    for (const std::string* path : {&a.out, &a.saveModel})
        if (!path->empty())
            refuseOverwrite(*path, a.force);
    if (!a.report.empty()) {
        if (!g_reportWriter)
            throw UsageError("--report needs the Qt workbench, and this build of webthreat was made without it");
        refuseOverwrite(a.report, a.force);
    }
    // --memory-budget and --stream (analyze, and score with a saved model).
    {
        const bool budgetGiven = !a.memoryBudget.empty();
        const std::uint64_t budget = budgetGiven ? parseMemorySize(a.memoryBudget) : availableMemoryBytes() / 2;
        if (budgetGiven)
            params.read.memoryBudget = budget;
        if (const std::string why = streamingReason(a, budget == 0 ? UINT64_MAX : budget); !why.empty())
            return analyzeStreaming(a, budget == 0 ? (std::uint64_t(1) << 30) : budget, layoutLine, why, out);
    }
    const std::string* truthName = a.truth.empty() ? nullptr : &a.truth;
    if (a.out.empty() && a.report.empty() && !a.json)
        keepOnlyWhatTheTextNeeds(a, truthName);
    params.topN = a.top;
    const Progress progress({}, &g_interrupted);
    Analysis analysis = analyzeFile(a.file, params, progress);
    const std::shared_ptr<const PreparedData>& data = analysis.data;
    const std::shared_ptr<const Detection>& detection = analysis.detection;
    // The behaviour section: the detector's, when a Behaviour feature made it compute them; kept
    // in the analysis so that the report does not compute it a second time.
    std::shared_ptr<const BehaviourResult> behaviour = detection->behaviour;
    if (!behaviour && a.behaviour)
        behaviour = std::make_shared<const BehaviourResult>(analyzeBehaviour(data->table, {}, progress));
    analysis.behaviour = behaviour;
    const BeaconResult* beacons = behaviour ? &behaviour->beacons : nullptr;
    // The ground truth, when the file has one or one is named: a named column that is missing or
    // unusable is a usage error; a column found by its name but unusable is only reported.
    const TruthLookup truth = truthName ? readGroundTruth(data->table, *truthName) : findGroundTruth(data->table);
    if (truthName && !truth.truth)
        throw UsageError("--truth " + *truthName + ": " + truth.problem);
    std::optional<Evaluation> evaluation;
    if (truth.truth)
        evaluation.emplace(detection->scores, *truth.truth);
    const bool truthUnusable = !truth.truth && truth.problem.rfind("column ", 0) == 0;
    if (a.json) {
        writeOutputs(a, analysis, progress, out, beacons);
        const std::string document = analysisJson(analysis, a.top, evaluation ? &*evaluation : nullptr,
                                                  truthUnusable ? truth.problem : std::string());
        out << (behaviour ? withBehaviourJson(document, *behaviour, data->table) : document);
        return kExitOk;
    }
    std::ostringstream written;
    writeOutputs(a, analysis, progress, written, beacons);
    out << layoutLine << analysisText(analysis, a.top)
        << allowListText(a, analysis.suppression.get(), analysis.verdicts.suppressedCount)
        << (behaviour ? behaviourText(*behaviour, data->table) : std::string());
    if (evaluation)
        out << evaluationText(*evaluation, detection->scores, analysis.verdicts);
    else if (truthUnusable)
        out << "\nEvaluation: not available: " << truth.problem << "\n";
    out << written.str();
    return kExitOk;
}

// export-model --sql: the model as one query, written whole or not at all.
void exportSql(const ExportCommand& e, std::ostream& out, std::ostream& err)
{
    SqlExportParams params;
    try {
        params.dialect = sqlDialectByName(e.dialect);
        if (e.forest == "case")
            params.form = SqlForestForm::Case;
        else if (e.forest == "table")
            params.form = SqlForestForm::Table;
        else if (e.forest != "auto")
            throw UsageError("--forest must be auto, case or table; got '" + e.forest + "'");
        params.table = e.table;
        params.modelFile = e.model;
        if (!e.nodesCsv.empty() && e.nodesTable.empty())
            throw UsageError("--nodes-csv needs --nodes-table NAME: the table the query reads the nodes from");
        params.nodesTable = e.nodesTable;
        params.underscoreColumns = e.underscoreColumns;
        for (std::size_t start = 0; start < e.extraColumns.size();) {
            const std::size_t comma = std::min(e.extraColumns.find(',', start), e.extraColumns.size());
            if (comma > start)
                params.extraColumns.push_back(e.extraColumns.substr(start, comma - start));
            start = comma + 1;
        }
        params.validate();
    } catch (const ParameterError& error) {
        throw UsageError(std::string(error.what()));
    }
    const std::shared_ptr<const DetectorModel> model = loadModel(e.model);
    const SqlExport exported = exportModelSql(*model, params);
    // The nodes' CSV is written when asked for, or when Athena's limit moved the nodes to a table.
    std::string nodesCsv = e.nodesCsv;
    if (nodesCsv.empty() && e.nodesTable.empty() && !exported.nodesCsv.empty()) {
        const std::filesystem::path sql(e.sql);
        nodesCsv = (sql.parent_path() / (sql.stem().string() + "-nodes.csv")).string();
    }
    refuseOverwrite(e.sql, e.force);
    if (!nodesCsv.empty())
        refuseOverwrite(nodesCsv, e.force);
    if (!nodesCsv.empty())
        writeFileAtomically(nodesCsv, forestNodesCsv(*model));
    writeFileAtomically(e.sql, exported.sql);
    for (const std::string& warning : exported.warnings)
        err << "webthreat: warning: " << warning << "\n";
    out << "SQL (" << sqlDialectName(params.dialect) << ", forest as "
        << (exported.form == SqlForestForm::Case ? "CASE expressions" : "a node table") << ", " << exported.sql.size()
        << " bytes) written to " << e.sql << "\n";
    if (!nodesCsv.empty())
        out << "The forest's nodes, for the table " << exported.nodesTable << " the query reads, written to "
            << nodesCsv << " (CSV with a header: load it as that table first)\n";
}

int generate(GenerateCommand& g, std::ostream& out)
{
    setUpLogging(g.logLevel);
    try {
        g.params.validate();
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    refuseOverwrite(g.out, g.force);

    AtomicFile file(g.out);
    AtomicFileBuffer buffer(file);
    std::ostream stream(&buffer);
    const GeneratorResult result = generateTraffic(stream, g.params, Progress({}, &g_interrupted));
    stream.flush();
    file.commit();
    out << "Wrote " << result.rows << " rows (" << result.anomalies << " injected anomalies";
    for (const auto& [kind, count] : result.anomaliesByKind)
        out << ", " << count << " " << kind;
    out << ") to " << g.out << "\n";
    return kExitOk;
}

// export-model --onnx: the saved model, checked on load, as an ONNX graph.
void exportOnnx(const ExportCommand& e, std::ostream& out)
{
    refuseOverwrite(e.onnx, e.force);
    const std::shared_ptr<const DetectorModel> model = loadModel(e.model);
    const OnnxExport written = writeOnnxModel(*model, e.onnx, std::filesystem::path(e.model).filename().string());
    out << "Wrote " << e.onnx << " (ONNX, " << formatBytes(static_cast<double>(written.bytes.size())) << ", "
        << written.treeNodes << " tree nodes in " << model->forest->treeCount() << " trees)\n  inputs:";
    for (const OnnxInput& input : written.inputs)
        out << " " << input.name << " (" << input.type << ")";
    out << "\n  outputs: anomaly_score (double), is_suspicious (bool: anomaly_score < "
        << formatNumber(model->threshold) << ")\n";
}

// export-model: the model file as SQL, as ONNX, or both.
int exportModel(const ExportCommand& e, std::ostream& out, std::ostream& err)
{
    setUpLogging(e.logLevel);
    if (e.sql.empty() && e.onnx.empty())
        throw UsageError("export-model needs --sql FILE (a query that scores a table) or --onnx OUT.onnx (an ONNX "
                         "model), or both");
    if (!e.sql.empty())
        exportSql(e, out, err);
    if (!e.onnx.empty())
        exportOnnx(e, out);
    return kExitOk;
}

} // namespace

void setReportWriter(ReportWriter writer)
{
    g_reportWriter = writer;
}

int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    try {
        CommandLine cli;
        if (args.empty()) {
            err << cli.mainHelp();
            return kExitUsage;
        }
        try {
            cli.parse(args);
        } catch (const CLI::CallForHelp&) {
            out << cli.app.help();
            return kExitOk;
        }
        if (cli.showVersion || cli.version->parsed()) {
            out << "webthreat " << WEBTHREAT_VERSION << "\n";
            return kExitOk;
        }
        if (cli.help->parsed()) {
            if (cli.helpTopic == "analyze" || cli.helpTopic == "score" || cli.helpTopic == "generate"
                || cli.helpTopic == "export-model")
                out << (cli.helpTopic == "analyze"        ? cli.analyze
                            : cli.helpTopic == "score"    ? cli.score
                            : cli.helpTopic == "generate" ? cli.generate
                                                          : cli.exportModel)
                           ->help("webthreat");
            else
                out << cli.mainHelp();
            return kExitOk;
        }
        if (cli.analyze->parsed())
            return analyze(cli.a, out, err);
        if (cli.score->parsed()) {
            cli.a.contaminationGiven = cli.score->get_option("--contamination")->count() > 0;
            return analyze(cli.a, out, err);
        }
        if (cli.generate->parsed())
            return generate(cli.g, out);
        if (cli.exportModel->parsed())
            return exportModel(cli.e, out, err);
        err << cli.mainHelp();
        return kExitUsage;
    } catch (const UsageError& error) {
        err << "webthreat: " << error.what() << "\n";
        return kExitUsage;
    } catch (const InputError& error) {
        err << "webthreat: " << error.what() << "\n";
        return kExitBadInput;
    } catch (const OutputError& error) {
        err << "webthreat: " << error.what() << "\n";
        return kExitOutput;
    } catch (const CancelledError&) {
        err << "webthreat: interrupted; no output was written\n";
        return kExitCancelled;
    } catch (const ParameterError& error) {
        err << "webthreat: " << error.what() << "\n";
        return kExitUsage;
    } catch (const std::bad_alloc&) {
        err << "webthreat: out of memory\n";
        return kExitFailure;
    } catch (const std::exception& error) {
        err << "webthreat: internal error: " << error.what() << "\n";
        return kExitFailure;
    }
}

} // namespace webthreat

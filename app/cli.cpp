#include "app/cli.h"

#include "app/logging.h"
#include "core/output/atomicfile.h"
#include "core/analysis/evaluation.h"
#include "core/io/csvsniffer.h"
#include "core/output/export.h"
#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/output/provenance.h"

#include <atomic>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

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

constexpr const char* kMainHelp = R"(webthreat - find suspicious web-traffic sessions with an Isolation Forest

Usage:
  webthreat analyze FILE [options]      clean FILE, score every row, print the findings
  webthreat generate --rows N --out FILE [options]
                                        write realistic synthetic traffic in the same schema
  webthreat help [COMMAND]              this text, or a command's options
  webthreat --version

Exit status: 0 success, 2 usage error, 3 bad input file, 4 output not written, 130 interrupted.
Logging: --log-level LEVEL or WEBTHREAT_LOG=LEVEL (trace, debug, info, warn, error, off) on stderr.

Example:
  webthreat analyze traffic.csv --contamination 0.05 --out scored.csv --report report.pdf
)";

constexpr const char* kAnalyzeHelp = R"(Usage: webthreat analyze FILE [options]

Reads a CloudWatch-style traffic CSV (columns matched by header name, any order), an AWS VPC Flow
Log (default or custom field order; the two directions of a connection become one session) or an
ALB/NLB access log or ALB connection log, gzip-compressed or not; the format is detected from the
first lines. Then cleans it (drops exact duplicates, fills missing bytes_in with the median, drops
rows without src_ip or dst_ip, upper-cases country codes), computes session_duration and
avg_packet_size, fits an Isolation Forest and labels each row Normal or Suspicious.

Options:
  --format F          auto, csv, vpc-flow or elb: read FILE as this format instead of detecting
                      it (default auto)
  --contamination C   expected share of anomalies: 0.05, 5%, or auto (default 0.05)
  --trees N           trees in the forest (default 100)
  --max-samples N     rows drawn per tree; 0 = min(256, rows) (default 0)
  --seed S            random seed; the same seed gives the same scores (default 42)
  --threads T         worker threads; 0 = all cores (default 0)
  --features LIST     comma-separated detector inputs (default
                      bytes_in,bytes_out,session_duration,avg_packet_size; all are listed
                      below)
  --out FILE          write every row with its features, score and label to FILE (CSV), and
                      its provenance to FILE.provenance.json (input name, size and SHA-256,
                      cleaning counts, detector settings, threshold, version, time)
  --explain WHICH     which rows of --out get top_feature, top_feature_share and explanation:
                      suspicious (default) or all (at 1 M rows about 10 s more, file 45 % larger)
  --report FILE       write a report to hand on: FILE.html (one self-contained page, charts
                      embedded) or FILE.pdf (A4); summary, provenance, findings, the 200 most
                      anomalous rows with why, charts, cleaning report
  --force             overwrite --out and --report if they exist
  --json              print the report as JSON instead of text
  --top N             rows and values listed in the findings (default 10)
  --truth COLUMN      the ground-truth column to evaluate the detector against (values 1/0,
                      true/false, yes/no, attack/normal, suspicious/normal, malicious/benign).
                      Without it a column named is_attack, label or is_suspicious is used when
                      present. The report then adds ROC AUC, average precision, precision,
                      recall and F1 at the threshold and at contaminations 1, 2, 5, 10, 20 %.
  --log-level LEVEL   trace, debug, info, warn, error, off (default warn)

Other CSV layouts (what File > Import CSV... does in the workbench):
  --delimiter D       field separator: , ; | tab or any one character (default ,)
  --quote Q           quote character: " ' or none (default ")
  --no-header         the first line is data; columns are named column_1, column_2, ...
  --timestamp-format F  how every timestamp column is written (default iso):
                      iso       2024-04-25T23:00:00Z (also epoch seconds)
                      epoch-s   1714086000          epoch-ms  1714086000000
                      dmy       25/04/2024 23:00:00  mdy       04/25/2024 23:00:00
                      ymd       2024/04/25 23:00:00  dmy-dots  25.04.2024 23:00:00
  --map COLUMN=FIELD  read the file column COLUMN (its header text, column_N without a
                      header, or #N for the N-th column) as the schema field FIELD, or
                      'extra' (keep as text) or 'ignore'; repeat for each column. Columns
                      not named are matched by header name as usual, or kept as extra.
  --detect-layout     guess the delimiter, quote, header, timestamp format and the column
                      mapping as the import dialog does; the options above override it

--out and --report fingerprint the input (SHA-256: 0.1 to 1.3 s per 200 MB). The provenance's
"rerun" command reproduces the same scores from the same file.

Examples:
  webthreat analyze traffic.csv --contamination 2% --out scored.csv --json
  webthreat analyze traffic.csv --report findings.pdf
  webthreat analyze vpc-flow-logs.log.gz --out scored.csv
  webthreat analyze export.csv --delimiter ';' --timestamp-format dmy \
      --map 'Source Address=src_ip' --map 'Dest=dst_ip' --map 'Bytes Received=bytes_in' ...
  webthreat analyze flows.tsv --detect-layout
)";

constexpr const char* kGenerateHelp = R"(Usage: webthreat generate --rows N --out FILE [options]

Writes deterministic synthetic web traffic in the CloudWatch schema: many source IPs and countries,
several protocols, ports and response codes, diurnal timing, heavy-tailed byte counts, and injected
anomalies (exfiltration, floods of tiny sessions, very long and zero-length sessions, rare ports,
odd response codes).

Options:
  --rows N            data rows to write (required)
  --out FILE          where to write the CSV (required; written atomically)
  --seed S            random seed (default 42)
  --anomaly-rate R    share of injected anomalies, 0 to 0.5 (default 0.02)
  --label             add ground-truth columns is_attack (0/1) and attack_kind
  --force             overwrite --out if it exists
  --log-level LEVEL   trace, debug, info, warn, error, off (default warn)

Example:
  webthreat generate --rows 1000000 --label --out traffic-1m.csv
)";

// The detector features by group with their descriptions, from core's list so that help never
// drifts from what --features accepts.
std::string featureHelp()
{
    constexpr std::size_t nameWidth = 30;
    constexpr std::size_t lineWidth = 100;
    std::string out = "\nDetector features (--features LIST, comma-separated):\n";
    for (const FeatureGroup group : {FeatureGroup::Notebook, FeatureGroup::Categorical, FeatureGroup::PerSource}) {
        out += "  " + std::string(featureGroupTitle(group)) + (group == FeatureGroup::Notebook ? " (the default)" : "") + ":\n";
        for (const FeatureInfo& info : availableFeatures()) {
            if (info.group != group)
                continue;
            std::string line = "    " + std::string(info.name);
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

// Options of one command: name -> takes a value.
using OptionSpec = std::map<std::string, bool>;

struct ParsedArgs {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;   // the last value of each option
    std::vector<std::pair<std::string, std::string>> all; // every valued option in order (--map repeats)
    std::set<std::string> flags;
};

ParsedArgs parseArgs(const std::vector<std::string>& args, std::size_t from, const OptionSpec& spec, const char* command)
{
    ParsedArgs parsed;
    for (std::size_t i = from; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
            std::string name = arg.substr(2);
            std::optional<std::string> inlineValue;
            if (auto equals = name.find('='); equals != std::string::npos) {
                inlineValue = name.substr(equals + 1);
                name = name.substr(0, equals);
            }
            auto found = spec.find(name);
            if (found == spec.end())
                throw UsageError(std::string("unknown option --") + name + " for '" + command + "' (see: webthreat help " + command + ")");
            if (found->second) {
                if (inlineValue) {
                    parsed.values[name] = *inlineValue;
                } else {
                    if (i + 1 >= args.size())
                        throw UsageError("--" + name + " needs a value");
                    parsed.values[name] = args[++i];
                }
                parsed.all.emplace_back(name, parsed.values[name]);
            } else {
                if (inlineValue)
                    throw UsageError("--" + name + " takes no value");
                parsed.flags.insert(name);
            }
        } else if (arg == "-h") {
            parsed.flags.insert("help");
        } else {
            parsed.positional.push_back(arg);
        }
    }
    return parsed;
}

template<typename Integer>
Integer parseWhole(const std::string& option, const std::string& text, Integer minimum, Integer maximum)
{
    Integer value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw UsageError("--" + option + " needs a whole number, got '" + text + "'");
    if (value < minimum || value > maximum)
        throw UsageError("--" + option + " must be between " + std::to_string(minimum) + " and " + std::to_string(maximum)
                         + ", got " + text);
    return value;
}

double parseReal(const std::string& option, const std::string& text)
{
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw UsageError("--" + option + " needs a number, got '" + text + "'");
    return value;
}

void setUpLogging(const ParsedArgs& parsed)
{
    LoggingOptions logging;
    if (auto level = parsed.values.find("log-level"); level != parsed.values.end()) {
        if (!isLogLevel(level->second))
            throw UsageError("--log-level must be one of trace, debug, info, warn, error, off; got '" + level->second + "'");
        logging.level = level->second;
    }
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

std::string shown(char c)
{
    return c == '\t' ? std::string("tab") : c == '\0' ? std::string("none") : std::string(1, c);
}

// --delimiter, --quote, --no-header, --timestamp-format, --map and --detect-layout into read.
// With --map or --detect-layout the file's first lines are sniffed for its column names.
// Returns a one-line description of the layout when it is not the default one.
std::string applyLayoutOptions(const ParsedArgs& parsed, const std::string& path, ReadOptions& read)
{
    SniffParams sniffParams;
    if (auto found = parsed.values.find("delimiter"); found != parsed.values.end()) {
        const std::string& text = found->second;
        if (text == "tab" || text == "\\t" || text == "\t")
            sniffParams.delimiterOverride = '\t';
        else if (text.size() == 1)
            sniffParams.delimiterOverride = text.front();
        else
            throw UsageError("--delimiter needs one character or 'tab', got '" + text + "'");
    }
    if (auto found = parsed.values.find("quote"); found != parsed.values.end()) {
        const std::string& text = found->second;
        if (text == "none")
            sniffParams.quoteOverride = '\0';
        else if (text == "\"" || text == "'")
            sniffParams.quoteOverride = text.front();
        else
            throw UsageError("--quote must be \", ' or none; got '" + text + "'");
    }
    if (parsed.flags.count("no-header"))
        sniffParams.hasHeaderOverride = false;
    if (auto found = parsed.values.find("timestamp-format"); found != parsed.values.end()) {
        sniffParams.timestampFormatOverride = timestampFormatByName(found->second);
        if (!sniffParams.timestampFormatOverride)
            throw UsageError("--timestamp-format must be one of iso, epoch-s, epoch-ms, dmy, mdy, ymd, dmy-dots; got '"
                             + found->second + "'");
    }
    std::vector<std::pair<std::string, std::string>> maps;
    for (const auto& [name, text] : parsed.all) {
        if (name != "map")
            continue;
        const auto equals = text.rfind('=');
        if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
            throw UsageError("--map needs COLUMN=FIELD, got '" + text + "'");
        maps.emplace_back(text.substr(0, equals), text.substr(equals + 1));
    }
    const bool detect = parsed.flags.count("detect-layout") > 0;
    if (!detect) {
        // Nothing is guessed: what is not given keeps its default.
        sniffParams.delimiterOverride = sniffParams.delimiterOverride.value_or(read.delimiter);
        sniffParams.quoteOverride = sniffParams.quoteOverride.value_or(read.quote);
        sniffParams.hasHeaderOverride = sniffParams.hasHeaderOverride.value_or(read.hasHeader);
        sniffParams.timestampFormatOverride = sniffParams.timestampFormatOverride.value_or(read.timestampFormat);
        read.delimiter = *sniffParams.delimiterOverride;
        read.quote = *sniffParams.quoteOverride;
        read.hasHeader = *sniffParams.hasHeaderOverride;
        read.timestampFormat = *sniffParams.timestampFormatOverride;
        if (sniffParams.quoteOverride == sniffParams.delimiterOverride)
            throw UsageError("--quote cannot be the delimiter");
        if (maps.empty()) {
            const bool given = parsed.values.count("delimiter") || parsed.values.count("quote")
                || parsed.flags.count("no-header") || parsed.values.count("timestamp-format");
            if (!given)
                return {};
            return "Layout: delimiter " + shown(read.delimiter) + ", quote " + shown(read.quote) + ", "
                + (read.hasHeader ? "header line" : "no header") + ", timestamps "
                + std::string(timestampFormatName(read.timestampFormat)) + "; columns matched by header name\n";
        }
    }
    const SniffResult sniff = sniffCsvFile(path, sniffParams);
    read.delimiter = sniff.delimiter;
    read.quote = sniff.quote;
    read.hasHeader = sniff.hasHeader;
    read.timestampFormat = sniff.timestampFormat;

    // One entry per file column, by index.
    std::vector<ColumnMapping> columns = sniff.readOptions().columnMap;
    std::vector<bool> named(columns.size(), false);
    auto lower = [](std::string text) {
        for (char& c : text)
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        return text;
    };
    for (const auto& [column, target] : maps) {
        std::optional<std::size_t> index;
        if (column.size() > 1 && column.front() == '#') {
            std::size_t number = 0;
            auto [end, error] = std::from_chars(column.data() + 1, column.data() + column.size(), number);
            if (error != std::errc() || end != column.data() + column.size() || number == 0)
                throw UsageError("--map '" + column + "=" + target + "': #N needs a column number from 1");
            if (number > columns.size())
                throw InputError(path, 0, "", "--map names column #" + std::to_string(number) + " but the file has "
                                                  + std::to_string(columns.size()) + " column(s)");
            index = number - 1;
        }
        for (std::size_t c = 0; c < sniff.columns.size() && !index; ++c) {
            if (sniff.columns[c].name == column)
                index = c;
        }
        for (std::size_t c = 0; c < sniff.columns.size() && !index; ++c) {
            if (lower(sniff.columns[c].name) == lower(column))
                index = c;
        }
        if (!index) {
            std::string names;
            for (const auto& sniffed : sniff.columns)
                names += (names.empty() ? "'" : ", '") + sniffed.name + "'";
            throw InputError(path, 0, column, "--map names the column '" + column + "', which the file does not have (columns: "
                                                  + names + ")");
        }
        ColumnMapping mapping;
        mapping.index = *index;
        if (target == "extra") {
            mapping.action = ColumnMapping::Action::Extra;
        } else if (target == "ignore") {
            mapping.action = ColumnMapping::Action::Ignore;
        } else if (auto field = fieldForHeader(target)) {
            mapping.field = *field;
            // The field goes to this column only: whoever had it by guess or header keeps its text.
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (!named[c] && columns[c].action == ColumnMapping::Action::ToField && columns[c].field == *field)
                    columns[c].action = ColumnMapping::Action::Extra;
            }
        } else {
            std::string fields;
            for (Field f : allFields())
                fields += (fields.empty() ? "" : ", ") + std::string(fieldInfo(f).name);
            throw UsageError("--map '" + column + "=" + target + "': '" + target + "' is not a schema field (" + fields
                             + ", or extra, ignore)");
        }
        columns[*index] = mapping;
        named[*index] = true;
    }
    if (!detect) {
        // Columns --map does not name are matched by header name, as without --map.
        std::vector<bool> taken(kFieldCount, false);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (named[c] && columns[c].action == ColumnMapping::Action::ToField)
                taken[static_cast<std::size_t>(columns[c].field)] = true;
        }
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (named[c])
                continue;
            const auto field = sniff.hasHeader ? fieldForHeader(sniff.columns[c].name) : std::nullopt;
            if (field && !taken[static_cast<std::size_t>(*field)]) {
                columns[c] = ColumnMapping::byIndex(c, *field);
                taken[static_cast<std::size_t>(*field)] = true;
            } else {
                columns[c].action = ColumnMapping::Action::Extra;
            }
        }
    }
    read.columnMap = std::move(columns);

    std::string layout = "Layout: delimiter " + shown(read.delimiter) + ", quote " + shown(read.quote) + ", "
        + (read.hasHeader ? "header line" : "no header") + ", timestamps "
        + std::string(timestampFormatName(read.timestampFormat)) + "; columns:";
    for (const ColumnMapping& mapping : read.columnMap) {
        layout += " '" + sniff.columns[mapping.index].name + "'=";
        layout += mapping.action == ColumnMapping::Action::ToField ? std::string(fieldInfo(mapping.field).name)
            : mapping.action == ColumnMapping::Action::Ignore     ? "ignore"
                                                                  : "extra";
    }
    return layout + "\n";
}

int analyze(const std::vector<std::string>& args, std::ostream& out)
{
    const OptionSpec spec{{"contamination", true}, {"trees", true}, {"max-samples", true}, {"seed", true},
                          {"threads", true},       {"features", true}, {"out", true},       {"force", false},
                          {"json", false},         {"top", true},      {"log-level", true}, {"help", false},
                          {"truth", true},
                          {"explain", true},
                          {"report", true},
                          {"format", true},
                          {"delimiter", true},     {"quote", true},    {"no-header", false},
                          {"timestamp-format", true}, {"map", true},   {"detect-layout", false}};
    const ParsedArgs parsed = parseArgs(args, 1, spec, "analyze");
    if (parsed.flags.count("help")) {
        out << kAnalyzeHelp << featureHelp();
        return kExitOk;
    }
    if (parsed.positional.size() != 1)
        throw UsageError(parsed.positional.empty() ? "analyze needs the traffic file to read (see: webthreat help analyze)"
                                                   : "analyze reads one file; got " + std::to_string(parsed.positional.size()));
    setUpLogging(parsed);

    AnalysisParams params;
    auto value = [&](const char* name) -> const std::string* {
        auto found = parsed.values.find(name);
        return found == parsed.values.end() ? nullptr : &found->second;
    };
    try {
        if (auto text = value("contamination"))
            params.contamination = Contamination::parse(*text);
        if (auto text = value("format"))
            params.read.format = inputFormatByName(*text);
        if (auto text = value("features")) {
            params.detector.features.clear();
            std::string_view list = *text;
            while (!list.empty()) {
                const auto comma = list.find(',');
                const std::string_view name = list.substr(0, comma);
                if (!name.empty())
                    params.detector.features.push_back(featureByName(name));
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        }
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    if (auto text = value("trees"))
        params.detector.forest.trees = parseWhole<int>("trees", *text, 1, 10000);
    if (auto text = value("max-samples"))
        params.detector.forest.maxSamples = parseWhole<int>("max-samples", *text, 0, 1 << 30);
    if (auto text = value("seed"))
        params.detector.forest.seed = parseWhole<std::uint64_t>("seed", *text, 0, UINT64_MAX);
    if (auto text = value("threads")) {
        params.detector.forest.threads = parseWhole<int>("threads", *text, 0, 1024);
        params.read.threads = params.detector.forest.threads;
    }
    std::size_t top = 10;
    if (auto text = value("top"))
        top = parseWhole<std::size_t>("top", *text, 1, 1000000);
    const std::string layout = applyLayoutOptions(parsed, parsed.positional.front(), params.read);
    try {
        params.validate();
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    ExplainRows explain = ExplainRows::Suspicious;
    if (auto text = value("explain")) {
        if (*text == "all")
            explain = ExplainRows::All;
        else if (*text != "suspicious")
            throw UsageError("--explain must be 'suspicious' or 'all'; got '" + *text + "'");
    }
    const std::string* outPath = value("out");
    if (outPath)
        refuseOverwrite(*outPath, parsed.flags.count("force") > 0);
    const std::string* reportPath = value("report");
    if (reportPath) {
        if (!g_reportWriter)
            throw UsageError("--report needs the Qt workbench, and this build of webthreat was made without it");
        refuseOverwrite(*reportPath, parsed.flags.count("force") > 0);
    }

    const std::string* truthName = value("truth");
    if (!outPath && !reportPath && parsed.flags.count("json") == 0) {
        // The text report names sources, countries, protocols and ports, shows the most anomalous
        // rows by those and their bytes, and evaluates against the ground truth: after cleaning
        // (whose duplicate test compares every column) the other columns are let go, about 40 MB
        // at a million rows. Writing a file or JSON keeps every column.
        std::vector<std::string>& keep = params.clean.keepOnly;
        for (Field field : {Field::SrcIp, Field::SrcIpCountryCode, Field::Protocol, Field::DstPort})
            keep.emplace_back(fieldInfo(field).name);
        for (Feature feature : params.detector.features) {
            if (feature == Feature::ResponseCodeFrequency)
                keep.emplace_back(fieldInfo(Field::ResponseCode).name);
        }
        if (truthName)
            keep.push_back(*truthName);
        for (std::string_view name : truthColumnNames())
            keep.emplace_back(name);
    }
    const Progress progress({}, &g_interrupted);
    auto data = prepareData(parsed.positional.front(), params.read, params.clean, progress);
    auto detection = detect(*data, params.detector, progress);
    const Analysis analysis = assess(data, detection, params.contamination, top);
    // The ground truth, when the file has one or one is named: a named column that is missing or
    // unusable is a usage error; a column found by its name but unusable is only reported.
    const TruthLookup truth = truthName ? readGroundTruth(data->table, *truthName) : findGroundTruth(data->table);
    if (truthName && !truth.truth)
        throw UsageError("--truth " + *truthName + ": " + truth.problem);
    std::optional<Evaluation> evaluation;
    if (truth.truth)
        evaluation.emplace(detection->scores, *truth.truth);
    const bool truthUnusable = !truth.truth && truth.problem.rfind("column ", 0) == 0;
    if (outPath || reportPath) {
        // What was exported says where it came from: one provenance for the CSV and the report.
        const Provenance provenance =
            makeProvenance(analysis, fingerprintFile(parsed.positional.front(), progress), "webthreat", params.read);
        if (outPath) {
            writeScoredCsv(analysis, *outPath, progress, explain);
            writeProvenanceSidecar(provenance, *outPath);
        }
        if (reportPath)
            g_reportWriter(analysis, provenance, *reportPath);
    }
    if (parsed.flags.count("json")) {
        out << analysisJson(analysis, top, evaluation ? &*evaluation : nullptr, truthUnusable ? truth.problem : std::string());
    } else {
        out << layout << analysisText(analysis, top);
        if (evaluation)
            out << evaluationText(*evaluation, detection->scores, analysis.verdicts);
        else if (truthUnusable)
            out << "\nEvaluation: not available: " << truth.problem << "\n";
        if (outPath)
            out << "\nScored rows written to " << *outPath << " (provenance in " << provenanceSidecarPath(*outPath) << ")\n";
        if (reportPath)
            out << "Report written to " << *reportPath << "\n";
    }
    return kExitOk;
}

int generate(const std::vector<std::string>& args, std::ostream& out)
{
    const OptionSpec spec{{"rows", true},  {"seed", true},  {"anomaly-rate", true}, {"label", false},
                          {"out", true},   {"force", false}, {"log-level", true},   {"help", false}};
    const ParsedArgs parsed = parseArgs(args, 1, spec, "generate");
    if (parsed.flags.count("help")) {
        out << kGenerateHelp;
        return kExitOk;
    }
    if (!parsed.positional.empty())
        throw UsageError("generate takes no file argument; name the output with --out FILE");
    setUpLogging(parsed);
    GeneratorParams params;
    auto rows = parsed.values.find("rows");
    if (rows == parsed.values.end())
        throw UsageError("generate needs --rows N");
    params.rows = parseWhole<std::size_t>("rows", rows->second, 1, 1000000000);
    auto outPath = parsed.values.find("out");
    if (outPath == parsed.values.end())
        throw UsageError("generate needs --out FILE");
    if (auto seed = parsed.values.find("seed"); seed != parsed.values.end())
        params.seed = parseWhole<std::uint64_t>("seed", seed->second, 0, UINT64_MAX);
    if (auto rate = parsed.values.find("anomaly-rate"); rate != parsed.values.end())
        params.anomalyRate = parseReal("anomaly-rate", rate->second);
    params.label = parsed.flags.count("label") > 0;
    try {
        params.validate();
    } catch (const ParameterError& error) {
        throw UsageError(error.what());
    }
    refuseOverwrite(outPath->second, parsed.flags.count("force") > 0);

    AtomicFile file(outPath->second);
    AtomicFileBuffer buffer(file);
    std::ostream stream(&buffer);
    const GeneratorResult result = generateTraffic(stream, params, Progress({}, &g_interrupted));
    stream.flush();
    file.commit();
    out << "Wrote " << result.rows << " rows (" << result.anomalies << " injected anomalies";
    for (const auto& [kind, count] : result.anomaliesByKind)
        out << ", " << count << " " << kind;
    out << ") to " << outPath->second << "\n";
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
        if (args.empty()) {
            err << kMainHelp;
            return kExitUsage;
        }
        const std::string& command = args.front();
        if (command == "--help" || command == "-h") {
            out << kMainHelp << featureNameList();
            return kExitOk;
        }
        if (command == "--version" || command == "-v" || command == "version") {
            out << "webthreat " << WEBTHREAT_VERSION << "\n";
            return kExitOk;
        }
        if (command == "help") {
            const std::string topic = args.size() > 1 ? args[1] : "";
            if (topic == "analyze")
                out << kAnalyzeHelp << featureHelp();
            else
                out << (topic == "generate" ? kGenerateHelp : kMainHelp) << (topic == "generate" ? "" : featureNameList());
            return kExitOk;
        }
        if (command == "analyze")
            return analyze(args, out);
        if (command == "generate")
            return generate(args, out);
        throw UsageError("unknown command '" + command + "' (commands: analyze, generate, help)");
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

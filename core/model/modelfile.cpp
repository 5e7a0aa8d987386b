#include "core/model/modelfile.h"

#include "core/output/atomicfile.h"
#include "core/output/json_internal.h"
#include "core/util/errors.h"
#include "core/util/format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace webthreat {

// --- Making and writing -------------------------------------------------------------------------

DetectorModel makeModel(const Analysis& analysis, const InputFingerprint& input, std::string program)
{
    if (!analysis.detection)
        throw ParameterError("there is no detector to save: " + analysis.detectionProblem);
    const Detection& detection = *analysis.detection;
    if (detection.model) {
        DetectorModel kept = *detection.model;
        kept.file.clear();
        return kept;
    }
    const PreparedData& data = *analysis.data;
    const FeatureSet features = detectorFeatures(data, detection);
    DetectorModel model;
    model.encodings = detection.encodings
        ? *detection.encodings
        : learnEncodings(data.table, features, detection.params.features, detection.params.scaling);
    for (Feature feature : detection.params.features) {
        std::vector<double> values = featureValues(data.table, features, feature);
        model.training.push_back(describeDistribution(values));
    }
    model.scaling = detection.params.scaling;
    model.trees = detection.params.forest.trees;
    model.maxSamplesRequested = detection.params.forest.maxSamples;
    model.seed = detection.params.forest.seed;
    model.forest = detection.forest;
    model.contamination = analysis.verdicts.contamination;
    model.threshold = analysis.verdicts.threshold;
    model.origin.file = input.name.empty() ? data.file : input.name;
    model.origin.sha256 = input.sha256;
    model.origin.bytes = input.bytes;
    model.origin.rowsRead = data.readReport.rows;
    model.origin.rows = data.table.rowCount();
    model.origin.program = std::move(program);
    model.origin.version = WEBTHREAT_VERSION;
    model.origin.created = utcNowIso8601();
    return model;
}

namespace {
std::string_view scaleName(FeatureScale scale)
{
    return scale == FeatureScale::Log1p ? "log1p" : "linear";
}

// A split threshold (a float) as the shortest decimal that reads back as the same float through a
// double, so the file stays small and the forest reads exactly the thresholds it was grown with.
double thresholdNumber(float threshold)
{
    char text[32];
    const auto written = std::to_chars(text, text + sizeof text - 1, threshold);
    *written.ptr = '\0';
    const double shortest = std::strtod(text, nullptr);
    return static_cast<float>(shortest) == threshold ? shortest : static_cast<double>(threshold);
}

Json treeJson(const IsolationForest::Tree& tree)
{
    Json feature = Json::array(), threshold = Json::array(), left = Json::array(), pathLength = Json::array();
    for (std::size_t node = 0; node < tree.nodes.size(); ++node) {
        const IsolationForest::Tree::Node& n = tree.nodes[node];
        const bool leaf = std::isinf(n.threshold) && n.left == node;
        feature.push_back(leaf ? -1 : static_cast<int>(n.feature));
        threshold.push_back(leaf ? 0.0 : thresholdNumber(n.threshold));
        left.push_back(leaf ? -1 : static_cast<int>(n.left));
        pathLength.push_back(leaf ? tree.pathLength[node] : 0.0);
    }
    return Json{{"nodes", tree.nodes.size()},
                {"feature", std::move(feature)},
                {"threshold", std::move(threshold)},
                {"left", std::move(left)},
                {"path_length", std::move(pathLength)}};
}

Json encodingJson(const FeatureEncoding& encoding, const FeatureDistribution& training)
{
    Json json{{"name", featureInfo(encoding.feature).name}, {"scale", scaleName(encoding.scale)}};
    if (encoding.hasFill())
        json["fill"] = encoding.fill;
    if (encoding.isFrequency()) {
        Json shares = Json::array();
        for (const auto& [value, share] : encoding.integerShares)
            shares.push_back(Json::array({value == kMissingInteger ? Json() : Json(value), share}));
        for (const auto& [value, share] : encoding.textShares)
            shares.push_back(Json::array({value.empty() ? Json() : Json(value), share}));
        json["shares"] = std::move(shares);
        json["unseen_share"] = FeatureEncoding::unseenShare;
    }
    json["training"] = Json{{"min", training.minimum},
                            {"q1", training.lowerQuartile},
                            {"median", training.median},
                            {"q3", training.upperQuartile},
                            {"max", training.maximum}};
    return json;
}
} // namespace

std::string modelDocument(const DetectorModel& model)
{
    Json features = Json::array();
    for (std::size_t i = 0; i < model.encodings.size(); ++i)
        features.push_back(encodingJson(model.encodings[i], model.training[i]));
    Json trees = Json::array();
    for (const IsolationForest::Tree& tree : model.forest->trees())
        trees.push_back(treeJson(tree));
    const int maxSamples = model.forest->maxSamples();
    const Json document{
        {"format", kModelFormat},
        {"version", kModelVersion},
        {"created", model.origin.created},
        {"program", model.origin.program},
        {"program_version", model.origin.version},
        {"training",
         {{"file", model.origin.file},
          {"sha256", model.origin.sha256},
          {"bytes", model.origin.bytes},
          {"rows_read", model.origin.rowsRead},
          {"rows", model.origin.rows}}},
        {"detector",
         {{"scaling", inputScalingName(model.scaling)},
          {"trees", model.forest->treeCount()},
          {"max_samples", maxSamples},
          {"max_samples_requested", model.maxSamplesRequested},
          {"seed", model.seed},
          {"depth_limit", model.forest->depthLimit()},
          {"average_path_length", IsolationForest::averagePathLength(maxSamples)}}},
        {"threshold",
         {{"score", model.threshold},
          {"contamination", model.contamination.automatic ? Json("auto") : Json(model.contamination.value)}}},
        {"features", std::move(features)}};
    // The trees come last, one line each: indented node by node they would take 13 lines per node
    // and twice the bytes, and nobody reads them by eye.
    std::string text = jsonDocument(document);
    text.resize(text.size() - 3); // "\n}\n"
    text += ",\n  \"trees\": [";
    for (std::size_t i = 0; i < trees.size(); ++i)
        text += (i == 0 ? "\n    " : ",\n    ") + trees[i].dump(-1, ' ', false, Json::error_handler_t::replace);
    text += "\n  ]\n}\n";
    return text;
}

void saveModel(const DetectorModel& model, const std::string& path)
{
    writeFileAtomically(path, modelDocument(model));
}

// --- Reading and checking -----------------------------------------------------------------------

namespace {
// Reads one document, naming the field of every problem: "features[2].scale: ...".
class ModelReader {
public:
    explicit ModelReader(std::string file)
        : m_file(std::move(file))
    {
    }

    [[noreturn]] void fail(const std::string& where, const std::string& problem) const
    {
        throw InputError(m_file, 0, "", (where.empty() ? "" : where + ": ") + problem);
    }

    const Json& member(const Json& object, const std::string& where, const char* key) const
    {
        const auto found = object.find(key);
        if (found == object.end())
            fail(where, std::string("the field '") + key + "' is missing");
        return *found;
    }
    const Json& object(const Json& parent, const std::string& where, const char* key) const
    {
        const Json& value = member(parent, where, key);
        if (!value.is_object())
            fail(path(where, key), "must be an object");
        return value;
    }
    const Json& array(const Json& parent, const std::string& where, const char* key) const
    {
        const Json& value = member(parent, where, key);
        if (!value.is_array())
            fail(path(where, key), "must be an array");
        return value;
    }
    std::string text(const Json& parent, const std::string& where, const char* key) const
    {
        const Json& value = member(parent, where, key);
        if (!value.is_string())
            fail(path(where, key), "must be text");
        return value.get<std::string>();
    }
    double number(const Json& value, const std::string& where) const
    {
        if (!value.is_number())
            fail(where, "must be a number");
        const double number = value.get<double>();
        if (!std::isfinite(number))
            fail(where, "must be a finite number");
        return number;
    }
    double number(const Json& parent, const std::string& where, const char* key) const
    {
        return number(member(parent, where, key), path(where, key));
    }
    std::int64_t integer(const Json& value, const std::string& where, std::int64_t minimum, std::int64_t maximum) const
    {
        if (!value.is_number_integer())
            fail(where, "must be a whole number");
        const std::string range = "must be " + std::to_string(minimum) + " to " + std::to_string(maximum) + ", not ";
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(maximum))
            fail(where, range + std::to_string(value.get<std::uint64_t>()));
        const std::int64_t number = value.get<std::int64_t>();
        if (number < minimum || number > maximum)
            fail(where, range + std::to_string(number));
        return number;
    }
    std::int64_t integer(const Json& parent, const std::string& where, const char* key, std::int64_t minimum,
                         std::int64_t maximum) const
    {
        return integer(member(parent, where, key), path(where, key), minimum, maximum);
    }

    static std::string path(const std::string& where, const char* key)
    {
        return where.empty() ? std::string(key) : where + "." + key;
    }
    static std::string path(const std::string& where, std::size_t index)
    {
        return where + "[" + std::to_string(index) + "]";
    }
    const std::string& file() const noexcept { return m_file; }

private:
    std::string m_file;
};

FeatureScale readScale(const ModelReader& reader, const Json& json, const std::string& where)
{
    const std::string scale = reader.text(json, where, "scale");
    if (scale == "linear")
        return FeatureScale::Linear;
    if (scale == "log1p")
        return FeatureScale::Log1p;
    reader.fail(ModelReader::path(where, "scale"), "is 'linear' or 'log1p', not '" + scale + "'");
}

void readShares(const ModelReader& reader, const Json& json, const std::string& where, FeatureEncoding& encoding)
{
    const Json& shares = reader.array(json, where, "shares");
    const bool integers
        = encoding.feature == Feature::DstPortFrequency || encoding.feature == Feature::ResponseCodeFrequency;
    for (std::size_t i = 0; i < shares.size(); ++i) {
        const std::string at = ModelReader::path(ModelReader::path(where, "shares"), i);
        const Json& pair = shares[i];
        if (!pair.is_array() || pair.size() != 2)
            reader.fail(at, "must be a pair [value, share]");
        const double share = reader.number(pair[1], at + "[1]");
        if (share < 0.0 || share > 1.0)
            reader.fail(at + "[1]", "a share is 0 to 1, not " + formatNumber(share));
        bool added = false;
        if (integers) {
            const std::int64_t value = pair[0].is_null()
                ? kMissingInteger
                : reader.integer(pair[0], at + "[0]", std::numeric_limits<std::int64_t>::min() + 1,
                                 std::numeric_limits<std::int64_t>::max());
            added = encoding.integerShares.emplace(value, share).second;
        } else {
            if (!pair[0].is_null() && !pair[0].is_string())
                reader.fail(at + "[0]", "must be text, or null for a missing value");
            added = encoding.textShares.emplace(pair[0].is_null() ? std::string() : pair[0].get<std::string>(), share)
                        .second;
        }
        if (!added)
            reader.fail(at, "the value is listed twice");
    }
}

FeatureDistribution readDistribution(const ModelReader& reader, const Json& json, const std::string& where)
{
    const Json& training = reader.object(json, where, "training");
    const std::string at = ModelReader::path(where, "training");
    FeatureDistribution d;
    d.minimum = reader.number(training, at, "min");
    d.lowerQuartile = reader.number(training, at, "q1");
    d.median = reader.number(training, at, "median");
    d.upperQuartile = reader.number(training, at, "q3");
    d.maximum = reader.number(training, at, "max");
    if (!(d.minimum <= d.lowerQuartile && d.lowerQuartile <= d.median && d.median <= d.upperQuartile
          && d.upperQuartile <= d.maximum))
        reader.fail(at, "min, q1, median, q3 and max must not decrease");
    return d;
}

void readFeatures(const ModelReader& reader, const Json& document, DetectorModel& model)
{
    const Json& features = reader.array(document, "", "features");
    if (features.empty() || features.size() > availableFeatures().size())
        reader.fail("features", "lists 1 to " + std::to_string(availableFeatures().size()) + " features, not "
                                    + std::to_string(features.size()));
    for (std::size_t i = 0; i < features.size(); ++i) {
        const std::string where = ModelReader::path("features", i);
        const Json& json = features[i];
        if (!json.is_object())
            reader.fail(where, "must be an object");
        FeatureEncoding encoding;
        try {
            encoding.feature = featureByName(reader.text(json, where, "name"));
        } catch (const ParameterError& error) {
            reader.fail(where + ".name", error.what());
        }
        for (const FeatureEncoding& earlier : model.encodings) {
            if (earlier.feature == encoding.feature)
                reader.fail(where + ".name", "the feature is listed twice");
        }
        encoding.scale = readScale(reader, json, where);
        if (encoding.hasFill())
            encoding.fill = reader.number(json, where, "fill");
        if (encoding.isFrequency())
            readShares(reader, json, where, encoding);
        model.training.push_back(readDistribution(reader, json, where));
        model.encodings.push_back(std::move(encoding));
    }
}

IsolationForest::Tree readTree(const ModelReader& reader, const Json& json, const std::string& where,
                               std::size_t featureCount)
{
    if (!json.is_object())
        reader.fail(where, "must be an object");
    const auto nodes = static_cast<std::size_t>(reader.integer(json, where, "nodes", 1, 65535));
    const Json& feature = reader.array(json, where, "feature");
    const Json& threshold = reader.array(json, where, "threshold");
    const Json& left = reader.array(json, where, "left");
    const Json& pathLength = reader.array(json, where, "path_length");
    for (const auto& [name, list] : {std::pair<const char*, const Json*>{"feature", &feature},
                                     {"threshold", &threshold},
                                     {"left", &left},
                                     {"path_length", &pathLength}}) {
        if (list->size() != nodes)
            reader.fail(ModelReader::path(where, name), "has " + std::to_string(list->size()) + " entries for "
                                                           + std::to_string(nodes) + " nodes");
    }
    IsolationForest::Tree tree;
    tree.nodes.resize(nodes);
    tree.pathLength.resize(nodes, 0.0);
    for (std::size_t node = 0; node < nodes; ++node) {
        const auto f = reader.integer(feature[node], ModelReader::path(where + ".feature", node), -1,
                                      static_cast<std::int64_t>(featureCount) - 1);
        const auto l = reader.integer(left[node], ModelReader::path(where + ".left", node), -1,
                                      static_cast<std::int64_t>(nodes) - 1);
        if ((f < 0) != (l < 0))
            reader.fail(ModelReader::path(where, "feature") + "[" + std::to_string(node) + "]",
                        "a leaf has feature -1 and left -1; a split has neither");
        if (f < 0) {
            const double length = reader.number(pathLength[node], ModelReader::path(where + ".path_length", node));
            tree.nodes[node] = {std::numeric_limits<float>::infinity(), 0, static_cast<std::uint16_t>(node)};
            tree.pathLength[node] = length;
            continue;
        }
        const double value = reader.number(threshold[node], ModelReader::path(where + ".threshold", node));
        if (std::fabs(value) > std::numeric_limits<float>::max())
            reader.fail(ModelReader::path(where + ".threshold", node), "is beyond a float's range");
        tree.nodes[node] = {static_cast<float>(value), static_cast<std::uint16_t>(f), static_cast<std::uint16_t>(l)};
    }
    return tree;
}

void readForest(const ModelReader& reader, const Json& document, DetectorModel& model)
{
    const Json& detector = reader.object(document, "", "detector");
    try {
        model.scaling = inputScalingByName(reader.text(detector, "detector", "scaling"));
    } catch (const ParameterError& error) {
        reader.fail("detector.scaling", error.what());
    }
    const auto trees = static_cast<int>(reader.integer(detector, "detector", "trees", 1, 10000));
    const auto maxSamples = static_cast<int>(reader.integer(detector, "detector", "max_samples", 1, 32768));
    model.trees = trees;
    model.maxSamplesRequested
        = static_cast<int>(reader.integer(detector, "detector", "max_samples_requested", 0, 32768));
    const Json& seed = reader.member(detector, "detector", "seed");
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<std::int64_t>() >= 0))
        reader.fail("detector.seed", "must be a whole number, at least 0");
    model.seed = seed.get<std::uint64_t>();
    const Json& list = reader.array(document, "", "trees");
    if (list.size() != static_cast<std::size_t>(trees))
        reader.fail("trees", "lists " + std::to_string(list.size()) + " trees; detector.trees says "
                                 + std::to_string(trees));
    std::vector<IsolationForest::Tree> grown;
    grown.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i)
        grown.push_back(readTree(reader, list[i], ModelReader::path("trees", i), model.encodings.size()));
    try {
        model.forest = std::make_shared<const IsolationForest>(IsolationForest::fromTrees(
            std::move(grown), maxSamples, static_cast<Eigen::Index>(model.encodings.size())));
    } catch (const ParameterError& error) {
        reader.fail("trees", error.what());
    }
}

void readHeader(const ModelReader& reader, const Json& document)
{
    if (!document.is_object())
        reader.fail("", "not a webthreat model: the file is JSON but not an object");
    const auto format = document.find("format");
    if (format == document.end() || !format->is_string() || format->get<std::string>() != kModelFormat)
        reader.fail("", "not a webthreat model: \"format\" is not \"webthreat-model\"");
    const Json& version = reader.member(document, "", "version");
    if (!version.is_number_integer())
        reader.fail("version", "must be a whole number");
    if (version.get<std::int64_t>() > kModelVersion)
        reader.fail("version", "the model is of format version " + std::to_string(version.get<std::int64_t>())
                                   + ", written by a newer webthreat; this one reads version "
                                   + std::to_string(kModelVersion));
    if (version.get<std::int64_t>() < 1)
        reader.fail("version", "must be 1 or more, not " + std::to_string(version.get<std::int64_t>()));
}

void readOrigin(const ModelReader& reader, const Json& document, DetectorModel& model)
{
    model.origin.created = reader.text(document, "", "created");
    model.origin.program = reader.text(document, "", "program");
    model.origin.version = reader.text(document, "", "program_version");
    const Json& training = reader.object(document, "", "training");
    model.origin.file = reader.text(training, "training", "file");
    model.origin.sha256 = reader.text(training, "training", "sha256");
    constexpr std::int64_t most = std::numeric_limits<std::int64_t>::max();
    model.origin.bytes = static_cast<std::uint64_t>(reader.integer(training, "training", "bytes", 0, most));
    model.origin.rowsRead = static_cast<std::size_t>(reader.integer(training, "training", "rows_read", 0, most));
    model.origin.rows = static_cast<std::size_t>(reader.integer(training, "training", "rows", 1, most));
}

void readThreshold(const ModelReader& reader, const Json& document, DetectorModel& model)
{
    const Json& threshold = reader.object(document, "", "threshold");
    model.threshold = reader.number(threshold, "threshold", "score");
    if (model.threshold < -1.0 || model.threshold > 0.0)
        reader.fail("threshold.score", "an anomaly score is -1 to 0, not " + formatNumber(model.threshold));
    const Json& contamination = reader.member(threshold, "threshold", "contamination");
    if (contamination.is_string() && contamination.get<std::string>() == "auto") {
        model.contamination = Contamination::autoOffset();
        return;
    }
    model.contamination = Contamination::fromValue(reader.number(contamination, "threshold.contamination"));
    try {
        model.contamination.validate();
    } catch (const ParameterError& error) {
        reader.fail("threshold.contamination", error.what());
    }
}

// Where a byte offset is, as 1-based line and column.
std::pair<std::int64_t, std::int64_t> lineAndColumn(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    std::int64_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}
} // namespace

std::shared_ptr<const DetectorModel> parseModel(std::string_view text, const std::string& file)
{
    const ModelReader reader(file);
    Json document;
    try {
        document = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& error) {
        // nlohmann's byte is one past the offending character.
        const auto [line, column] = lineAndColumn(text, error.byte > 0 ? error.byte - 1 : 0);
        std::string what = error.what();
        if (const auto colon = what.rfind(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
        throw InputError(file, line, "",
                         "column " + std::to_string(column) + ": not a valid model file, malformed JSON (" + what + ")");
    } catch (const Json::exception& error) {
        // A number too large for a double ("1e999"): nlohmann says which, not where.
        std::string what = error.what();
        if (const auto bracket = what.find("] "); bracket != std::string::npos)
            what = what.substr(bracket + 2);
        throw InputError(file, 0, "", "not a valid model file: " + what);
    }
    readHeader(reader, document);
    auto model = std::make_shared<DetectorModel>();
    readOrigin(reader, document, *model);
    readThreshold(reader, document, *model);
    readFeatures(reader, document, *model);
    readForest(reader, document, *model);
    model->file = file;
    return model;
}

std::shared_ptr<const DetectorModel> loadModel(const std::string& path)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error)
        throw InputError(path, 0, "", "cannot read the model file: " + error.message());
    if (size > kMaxModelFileBytes)
        throw InputError(path, 0, "", "the file is " + formatBytes(static_cast<double>(size))
                                          + "; a model file is at most " + formatGiB(kMaxModelFileBytes));
    std::ifstream stream(path, std::ios::binary);
    if (!stream)
        throw InputError(path, 0, "", "cannot open the model file");
    std::ostringstream bytes;
    bytes << stream.rdbuf();
    if (stream.bad())
        throw InputError(path, 0, "", "reading the model file failed");
    return parseModel(bytes.str(), path);
}

std::string describeModel(const DetectorModel& model, const std::string& modelFile)
{
    const std::string name = std::filesystem::path(modelFile).filename().string();
    return name + ", trained on " + model.origin.file + " (" + model.origin.created.substr(0, 10) + ", "
        + groupedCount(model.origin.rows) + " rows)";
}

} // namespace webthreat

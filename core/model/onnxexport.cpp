#include "core/model/onnxexport.h"

#include "core/output/atomicfile.h"
#include "core/util/errors.h"
#include "core/util/format.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace webthreat {

namespace {

constexpr const char* kMlDomain = "ai.onnx.ml";
constexpr const char* kBatch = "N"; // the symbolic row count of every input and output

// The graph's input for a feature: a frequency feature takes the raw category it counts.
std::string inputName(Feature feature)
{
    switch (feature) {
    case Feature::DstPortFrequency:
        return "dst_port";
    case Feature::ResponseCodeFrequency:
        return "response_code";
    case Feature::ProtocolFrequency:
        return "protocol";
    case Feature::CountryFrequency:
        return "src_ip_country_code";
    default:
        return std::string(featureInfo(feature).name);
    }
}

bool isIntegerCategory(Feature feature)
{
    return feature == Feature::DstPortFrequency || feature == Feature::ResponseCodeFrequency;
}

bool isTextCategory(Feature feature)
{
    return feature == Feature::ProtocolFrequency || feature == Feature::CountryFrequency;
}

onnx::TensorProto_DataType elementType(Feature feature)
{
    if (isIntegerCategory(feature))
        return onnx::TensorProto_DataType_INT64;
    if (isTextCategory(feature))
        return onnx::TensorProto_DataType_STRING;
    return onnx::TensorProto_DataType_DOUBLE;
}

// What an input holds, for tools that show the graph (Netron, onnxruntime's session metadata).
std::string inputDescription(const FeatureEncoding& encoding)
{
    const FeatureInfo& info = featureInfo(encoding.feature);
    std::string text(info.description);
    if (isIntegerCategory(encoding.feature)) {
        text += " Input: the raw value, " + std::to_string(kOnnxMissingInteger)
            + " when missing; the graph maps it to its share of the training rows (0 when never seen there).";
    } else if (isTextCategory(encoding.feature)) {
        text += " Input: the text as the cleaned table has it (country codes upper-case), \"\" when missing; the "
                "graph maps it to its share of the training rows (0 when never seen there).";
    } else if (encoding.hasFill()) {
        text += " Input: NaN when missing, given the training rows' mean " + formatNumber(encoding.fill) + ".";
    } else {
        text += " Input: NaN is taken as 0.";
    }
    if (encoding.scale == FeatureScale::Log1p)
        text += " Scaled sign(x) log(1 + |x|) inside the graph.";
    return text;
}

void setType(onnx::ValueInfoProto& value, onnx::TensorProto_DataType type)
{
    onnx::TypeProto_Tensor& tensor = *value.mutable_type()->mutable_tensor_type();
    tensor.set_elem_type(type);
    tensor.mutable_shape()->add_dim()->set_dim_param(kBatch);
}

// Adds nodes and constants to a graph; every node is named after its one output.
class GraphBuilder {
public:
    explicit GraphBuilder(onnx::GraphProto& graph)
        : m_graph(graph)
    {
    }

    onnx::NodeProto& node(const char* op, std::initializer_list<std::string> inputs, const std::string& output,
                          const char* domain = nullptr)
    {
        onnx::NodeProto& node = *m_graph.add_node();
        node.set_op_type(op);
        node.set_name(output);
        if (domain)
            node.set_domain(domain);
        for (const std::string& input : inputs)
            node.add_input(input);
        node.add_output(output);
        return node;
    }

    std::string doubleConstant(const std::string& name, double value)
    {
        onnx::TensorProto& tensor = *m_graph.add_initializer();
        tensor.set_name(name);
        tensor.set_data_type(onnx::TensorProto_DataType_DOUBLE);
        tensor.add_double_data(value);
        return name;
    }

    std::string int64Constant(const std::string& name, std::int64_t value)
    {
        onnx::TensorProto& tensor = *m_graph.add_initializer();
        tensor.set_name(name);
        tensor.set_data_type(onnx::TensorProto_DataType_INT64);
        tensor.add_dims(1);
        tensor.add_int64_data(value);
        return name;
    }

private:
    onnx::GraphProto& m_graph;
};

onnx::AttributeProto& attribute(onnx::NodeProto& node, const char* name, onnx::AttributeProto_AttributeType type)
{
    onnx::AttributeProto& attribute = *node.add_attribute();
    attribute.set_name(name);
    attribute.set_type(type);
    return attribute;
}

void setInt(onnx::NodeProto& node, const char* name, std::int64_t value)
{
    attribute(node, name, onnx::AttributeProto_AttributeType_INT).set_i(value);
}

void setFloat(onnx::NodeProto& node, const char* name, float value)
{
    attribute(node, name, onnx::AttributeProto_AttributeType_FLOAT).set_f(value);
}

void setString(onnx::NodeProto& node, const char* name, const std::string& value)
{
    attribute(node, name, onnx::AttributeProto_AttributeType_STRING).set_s(value);
}

google::protobuf::RepeatedField<std::int64_t>& ints(onnx::NodeProto& node, const char* name)
{
    return *attribute(node, name, onnx::AttributeProto_AttributeType_INTS).mutable_ints();
}

google::protobuf::RepeatedField<float>& floats(onnx::NodeProto& node, const char* name)
{
    return *attribute(node, name, onnx::AttributeProto_AttributeType_FLOATS).mutable_floats();
}

google::protobuf::RepeatedPtrField<std::string>& strings(onnx::NodeProto& node, const char* name)
{
    return *attribute(node, name, onnx::AttributeProto_AttributeType_STRINGS).mutable_strings();
}

// The value the forest sees for a share, as TableFeatureRows makes it: scaled in double, then
// rounded to float.
float encodedShare(const FeatureEncoding& encoding, double share)
{
    return static_cast<float>(scaleFeatureValue(encoding.scale, share));
}

// A category to its frozen share: LabelEncoder, unseen values to the unseen share.
std::string categoryColumn(GraphBuilder& graph, const FeatureEncoding& encoding, const std::string& input)
{
    onnx::NodeProto& encoder = graph.node("LabelEncoder", {input}, input + ".share", kMlDomain);
    if (isIntegerCategory(encoding.feature)) {
        auto& keys = ints(encoder, "keys_int64s");
        auto& values = floats(encoder, "values_floats");
        for (const auto& [value, share] : encoding.integerShares) {
            if (value == kMissingInteger) {
                keys.Add(kOnnxMissingInteger);
            } else if (value < 0) {
                throw ParameterError("the model's " + std::string(featureInfo(encoding.feature).name)
                                     + " has the category " + std::to_string(value)
                                     + ", below 0: ONNX export gives -1 to a missing value and takes no negative one");
            } else {
                keys.Add(value);
            }
            values.Add(encodedShare(encoding, share));
        }
    } else {
        auto& keys = strings(encoder, "keys_strings");
        auto& values = floats(encoder, "values_floats");
        for (const auto& [value, share] : encoding.textShares) {
            keys.Add()->assign(value);
            values.Add(encodedShare(encoding, share));
        }
    }
    setFloat(encoder, "default_float", encodedShare(encoding, FeatureEncoding::unseenShare));
    return input + ".share";
}

// A number: NaN to the fill, log1p where the encoding says, in double; then rounded to float.
std::string numericColumn(GraphBuilder& graph, const FeatureEncoding& encoding, const std::string& input)
{
    const std::string fill = graph.doubleConstant(input + ".fill", encoding.hasFill() ? encoding.fill : 0.0);
    graph.node("IsNaN", {input}, input + ".missing");
    std::string value = graph.node("Where", {input + ".missing", fill, input}, input + ".filled").output(0);
    if (encoding.scale == FeatureScale::Log1p) {
        const std::string one = graph.doubleConstant(input + ".one", 1.0);
        graph.node("Abs", {value}, input + ".magnitude");
        graph.node("Add", {input + ".magnitude", one}, input + ".magnitude_plus_one");
        graph.node("Log", {input + ".magnitude_plus_one"}, input + ".log1p_magnitude");
        graph.node("Sign", {value}, input + ".sign");
        value = graph.node("Mul", {input + ".sign", input + ".log1p_magnitude"}, input + ".log1p").output(0);
    }
    onnx::NodeProto& cast = graph.node("Cast", {value}, input + ".float");
    setInt(cast, "to", onnx::TensorProto_DataType_FLOAT);
    return input + ".float";
}

// How finely the forest's path lengths are split (see addForest): the largest k for which every
// sum of trees whole multiples of 2^-k, each at most the longest path, stays below 2^24, where
// float holds every such multiple exactly.
int exactSumBits(const IsolationForest& forest)
{
    double longest = 0.0;
    for (const IsolationForest::Tree& tree : forest.trees()) {
        for (std::size_t n = 0; n < tree.nodes.size(); ++n) {
            if (tree.nodes[n].left == n)
                longest = std::max(longest, tree.pathLength[n]);
        }
    }
    const double bound = static_cast<double>(forest.treeCount()) * (std::floor(longest) + 1.0);
    int bits = 0;
    while (bits < 30 && bound * std::ldexp(1.0, bits + 1) <= std::ldexp(1.0, 24))
        ++bits;
    return bits;
}

// The forest, as a TreeEnsembleRegressor that sums each leaf's path length. The ensemble adds in
// float, which over 100 trees loses about 1e-4 of a path sum near 1,000 (2e-7 of a score); so
// each leaf gives two targets, its path length rounded down to a multiple of 2^-k, whose sums
// float keeps exactly (exactSumBits), and the remainder below 2^-k, whose sum is small enough
// for float's error to be some 1e-11. The score adds the two in double. Returns the node count.
std::size_t addForest(GraphBuilder& graph, const IsolationForest& forest, const std::string& input,
                      const std::string& output)
{
    const double quantum = std::ldexp(1.0, -exactSumBits(forest));
    onnx::NodeProto& node = graph.node("TreeEnsembleRegressor", {input}, output, kMlDomain);
    setInt(node, "n_targets", 2);
    setString(node, "aggregate_function", "SUM");
    setString(node, "post_transform", "NONE");
    auto& base = floats(node, "base_values");
    base.Add(0.0F);
    base.Add(0.0F);
    auto& treeIds = ints(node, "nodes_treeids");
    auto& nodeIds = ints(node, "nodes_nodeids");
    auto& featureIds = ints(node, "nodes_featureids");
    auto& values = floats(node, "nodes_values");
    auto& modes = strings(node, "nodes_modes");
    auto& trueIds = ints(node, "nodes_truenodeids");
    auto& falseIds = ints(node, "nodes_falsenodeids");
    auto& targetTrees = ints(node, "target_treeids");
    auto& targetNodes = ints(node, "target_nodeids");
    auto& targetIds = ints(node, "target_ids");
    auto& weights = floats(node, "target_weights");
    std::size_t count = 0;
    const auto& trees = forest.trees();
    for (std::size_t t = 0; t < trees.size(); ++t) {
        const IsolationForest::Tree& tree = trees[t];
        for (std::size_t n = 0; n < tree.nodes.size(); ++n) {
            const IsolationForest::Tree::Node& split = tree.nodes[n];
            treeIds.Add(static_cast<std::int64_t>(t));
            nodeIds.Add(static_cast<std::int64_t>(n));
            if (split.left == n) { // a leaf points to itself (isolationforest.h)
                featureIds.Add(0);
                values.Add(0.0F);
                modes.Add()->assign("LEAF");
                trueIds.Add(0);
                falseIds.Add(0);
                const double coarse = std::floor(tree.pathLength[n] / quantum) * quantum;
                for (std::int64_t target : {0, 1}) {
                    targetTrees.Add(static_cast<std::int64_t>(t));
                    targetNodes.Add(static_cast<std::int64_t>(n));
                    targetIds.Add(target);
                }
                weights.Add(static_cast<float>(coarse));
                weights.Add(static_cast<float>(tree.pathLength[n] - coarse));
            } else { // left when x <= threshold, as the forest's float(x) > threshold goes right
                featureIds.Add(split.feature);
                values.Add(split.threshold);
                modes.Add()->assign("BRANCH_LEQ");
                trueIds.Add(split.left);
                falseIds.Add(split.left + 1);
            }
        }
        count += tree.nodes.size();
    }
    return count;
}

// In double: the path sum (the two targets added), score = -2^(-(sum / (trees * c))) and
// is_suspicious = score < threshold.
void addScore(GraphBuilder& graph, const DetectorModel& model, const std::string& pathSums)
{
    const double denominator = static_cast<double>(model.forest->treeCount())
        * IsolationForest::averagePathLength(model.forest->maxSamples());
    onnx::NodeProto& cast = graph.node("Cast", {pathSums}, "path_sum_parts_double");
    setInt(cast, "to", onnx::TensorProto_DataType_DOUBLE);
    onnx::NodeProto& sum
        = graph.node("ReduceSum", {"path_sum_parts_double", graph.int64Constant("parts_axis", 1)}, "path_sum");
    setInt(sum, "keepdims", 0);
    graph.node("Div", {"path_sum", graph.doubleConstant("trees_times_c", denominator)}, "mean_path_over_c");
    graph.node("Neg", {"mean_path_over_c"}, "score_exponent");
    graph.node("Pow", {graph.doubleConstant("two", 2.0), "score_exponent"}, "score_magnitude");
    graph.node("Neg", {"score_magnitude"}, "anomaly_score");
    graph.node("Less", {"anomaly_score", graph.doubleConstant("threshold", model.threshold)}, "is_suspicious");
}

void addMetadata(onnx::ModelProto& proto, const DetectorModel& model, std::string_view sourceFile)
{
    const auto add = [&](const char* key, std::string value) {
        onnx::StringStringEntryProto& entry = *proto.add_metadata_props();
        entry.set_key(key);
        entry.set_value(std::move(value));
    };
    std::string features, inputs;
    for (const FeatureEncoding& encoding : model.encodings) {
        features += (features.empty() ? "" : ",") + std::string(featureInfo(encoding.feature).name);
        inputs += (inputs.empty() ? "" : ",") + inputName(encoding.feature);
    }
    add("format", "webthreat-onnx");
    add("model_file", std::string(sourceFile));
    add("training_file", model.origin.file);
    add("training_sha256", model.origin.sha256);
    add("training_bytes", std::to_string(model.origin.bytes));
    add("training_rows_read", std::to_string(model.origin.rowsRead));
    add("training_rows", std::to_string(model.origin.rows));
    add("created", model.origin.created);
    add("program", model.origin.program + " " + model.origin.version);
    add("threshold", formatNumber(model.threshold));
    add("contamination", model.contamination.toString());
    add("features", features);
    add("inputs", inputs);
    add("scaling", std::string(inputScalingName(model.scaling)));
    add("trees", std::to_string(model.forest->treeCount()));
    add("max_samples", std::to_string(model.forest->maxSamples()));
    add("seed", std::to_string(model.seed));
    add("average_path_length", formatNumber(IsolationForest::averagePathLength(model.forest->maxSamples())));
    add("missing_integer", std::to_string(kOnnxMissingInteger));
}

std::string modelDescription(const DetectorModel& model)
{
    return "Isolation Forest of " + std::to_string(model.forest->treeCount()) + " trees ("
        + std::to_string(model.forest->maxSamples()) + " samples each) over " + std::to_string(model.encodings.size())
        + " features, trained on " + model.origin.file + " (" + std::to_string(model.origin.rows) + " rows, "
        + model.origin.created
        + "). anomaly_score is scikit-learn's score_samples, in [-1, 0), lower = more "
          "anomalous; is_suspicious is anomaly_score < "
        + formatNumber(model.threshold) + " (contamination " + model.contamination.toString()
        + " of the training rows). Inputs as the product's cleaned table has them: docs/onnx-export.md.";
}
} // namespace

std::vector<OnnxInput> onnxInputs(const DetectorModel& model)
{
    std::vector<OnnxInput> inputs;
    for (const FeatureEncoding& encoding : model.encodings) {
        const onnx::TensorProto_DataType type = elementType(encoding.feature);
        inputs.push_back({inputName(encoding.feature),
                          type == onnx::TensorProto_DataType_INT64        ? "int64"
                              : type == onnx::TensorProto_DataType_STRING ? "string"
                                                                          : "double",
                          encoding.feature});
    }
    return inputs;
}

OnnxExport exportOnnx(const DetectorModel& model, std::string_view sourceFile)
{
    if (!model.forest || !model.forest->fitted() || model.encodings.empty())
        throw ParameterError("the model has no fitted forest to export");
    onnx::ModelProto proto;
    proto.set_ir_version(kOnnxIrVersion);
    proto.set_producer_name("webthreat");
    proto.set_producer_version(WEBTHREAT_VERSION);
    proto.set_domain("io.github.webthreat");
    proto.set_model_version(1);
    proto.set_doc_string(modelDescription(model));
    onnx::OperatorSetIdProto& standard = *proto.add_opset_import();
    standard.set_domain("");
    standard.set_version(kOnnxOpset);
    onnx::OperatorSetIdProto& ml = *proto.add_opset_import();
    ml.set_domain(kMlDomain);
    ml.set_version(kOnnxMlOpset);
    addMetadata(proto, model, sourceFile);

    onnx::GraphProto& graphProto = *proto.mutable_graph();
    graphProto.set_name("webthreat_isolation_forest");
    GraphBuilder graph(graphProto);
    OnnxExport result;
    result.inputs = onnxInputs(model);
    const std::string axis = graph.int64Constant("feature_axis", 1);
    std::vector<std::string> columns;
    for (std::size_t i = 0; i < model.encodings.size(); ++i) {
        const FeatureEncoding& encoding = model.encodings[i];
        const std::string& name = result.inputs[i].name;
        onnx::ValueInfoProto& input = *graphProto.add_input();
        input.set_name(name);
        input.set_doc_string(inputDescription(encoding));
        setType(input, elementType(encoding.feature));
        const std::string column
            = encoding.isFrequency() ? categoryColumn(graph, encoding, name) : numericColumn(graph, encoding, name);
        columns.push_back(graph.node("Unsqueeze", {column, axis}, name + ".column").output(0));
    }
    onnx::NodeProto& concat = graph.node("Concat", {}, "features");
    for (const std::string& column : columns)
        concat.add_input(column);
    setInt(concat, "axis", 1);
    result.treeNodes = addForest(graph, *model.forest, "features", "path_sum_parts");
    addScore(graph, model, "path_sum_parts");

    onnx::ValueInfoProto& score = *graphProto.add_output();
    score.set_name("anomaly_score");
    score.set_doc_string("scikit-learn's score_samples: in [-1, 0), lower = more anomalous");
    setType(score, onnx::TensorProto_DataType_DOUBLE);
    onnx::ValueInfoProto& verdict = *graphProto.add_output();
    verdict.set_name("is_suspicious");
    verdict.set_doc_string("anomaly_score < " + formatNumber(model.threshold) + ", the model's threshold");
    setType(verdict, onnx::TensorProto_DataType_BOOL);
    result.graphNodes = static_cast<std::size_t>(graphProto.node_size());

    try {
        onnx::checker::check_model(proto);
    } catch (const onnx::checker::ValidationError& error) {
        throw std::logic_error(std::string("the ONNX model made from the model fails the ONNX checker: ")
                               + error.what());
    }
    if (!proto.SerializeToString(&result.bytes))
        throw std::logic_error("the ONNX model could not be serialized");
    return result;
}

OnnxExport writeOnnxModel(const DetectorModel& model, const std::string& path, std::string_view sourceFile)
{
    OnnxExport result = exportOnnx(model, sourceFile);
    writeFileAtomically(path, result.bytes);
    return result;
}

} // namespace webthreat

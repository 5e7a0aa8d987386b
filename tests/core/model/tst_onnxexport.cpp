#include "core/model/modelfile.h"
#include "core/model/onnxexport.h"
#include "core/io/trafficfile.h"
#include "core/output/provenance.h"
#include "core/util/errors.h"
#include "generator/generator.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

using namespace webthreat;

namespace {

constexpr float kLeaf = std::numeric_limits<float>::infinity();

// Two features (bytes_in, log1p, filled with 1000 when missing; dst_port's shares, 443 and 80 and
// missing) and two trees: one split on bytes_in at 5, one on dst_port's share at 0.3 then bytes_in.
DetectorModel tinyModel()
{
    DetectorModel model;
    FeatureEncoding bytes;
    bytes.feature = Feature::BytesIn;
    bytes.scale = FeatureScale::Log1p;
    bytes.fill = 1000.0;
    FeatureEncoding port;
    port.feature = Feature::DstPortFrequency;
    port.integerShares = {{kMissingInteger, 0.125}, {80, 0.25}, {443, 0.625}};
    model.encodings = {bytes, port};
    model.training.resize(2);
    model.trees = 2;
    model.seed = 42;
    IsolationForest::Tree first;
    first.nodes = {{5.0F, 0, 1}, {kLeaf, 0, 1}, {kLeaf, 0, 2}};
    first.pathLength = {0.0, 1.0 + IsolationForest::averagePathLength(3), 1.0};
    IsolationForest::Tree second;
    second.nodes = {{0.3F, 1, 1}, {kLeaf, 0, 1}, {7.25F, 0, 3}, {kLeaf, 0, 3}, {kLeaf, 0, 4}};
    second.pathLength = {0.0, 1.0, 0.0, 2.0, 2.0};
    model.forest = std::make_shared<const IsolationForest>(IsolationForest::fromTrees({first, second}, 4, 2));
    model.contamination = Contamination::fromValue(0.05);
    model.threshold = -0.625;
    model.origin.file = "monday.csv";
    model.origin.sha256 = std::string(64, 'a');
    model.origin.rows = 4;
    model.origin.rowsRead = 5;
    model.origin.created = "2026-12-01T10:00:00Z";
    model.origin.program = "webthreat";
    model.origin.version = "0.1.0";
    return model;
}

onnx::ModelProto parsed(const std::string& bytes)
{
    onnx::ModelProto proto;
    if (!proto.ParseFromString(bytes))
        throw std::runtime_error("the exported bytes are not a ModelProto");
    return proto;
}

const onnx::NodeProto* nodeByOp(const onnx::ModelProto& proto, const std::string& op, int occurrence = 0)
{
    for (const onnx::NodeProto& node : proto.graph().node()) {
        if (node.op_type() == op && occurrence-- == 0)
            return &node;
    }
    return nullptr;
}

const onnx::AttributeProto* attributeOf(const onnx::NodeProto& node, const std::string& name)
{
    for (const onnx::AttributeProto& attribute : node.attribute()) {
        if (attribute.name() == name)
            return &attribute;
    }
    return nullptr;
}

std::map<std::string, std::string> metadata(const onnx::ModelProto& proto)
{
    std::map<std::string, std::string> entries;
    for (const onnx::StringStringEntryProto& entry : proto.metadata_props())
        entries[entry.key()] = entry.value();
    return entries;
}

std::vector<std::string> opTypes(const onnx::ModelProto& proto)
{
    std::vector<std::string> ops;
    for (const onnx::NodeProto& node : proto.graph().node())
        ops.push_back(node.op_type());
    return ops;
}

// A model fitted on generated traffic through the product's own pipeline.
DetectorModel fittedModel(const std::string& text, const DetectorParams& detector)
{
    AnalysisParams params;
    params.detector = detector;
    params.detector.forest.trees = 30;
    params.detector.forest.threads = 1;
    params.read.threads = 1;
    const Analysis analysis = analyzeTable(readTrafficBytes(text, "generated.csv"), params);
    return makeModel(analysis, fingerprintBytes(text, "generated.csv"), "webthreat");
}

// Generated traffic (seed 7), as CSV text.
std::string generated(std::size_t rows)
{
    std::ostringstream text;
    generateTraffic(text, GeneratorParams{.rows = rows, .seed = 7});
    return text.str();
}

// A tensor's name, element type and shape [N].
void checkTensor(const onnx::ValueInfoProto& value, const std::string& name, onnx::TensorProto_DataType type)
{
    QCOMPARE(value.name(), name);
    QCOMPARE(value.type().tensor_type().elem_type(), int(type));
    QCOMPARE(value.type().tensor_type().shape().dim_size(), 1);
    QCOMPARE(value.type().tensor_type().shape().dim(0).dim_param(), std::string("N"));
    QVERIFY(!value.doc_string().empty());
}

} // namespace

class TestOnnxExport : public QObject {
    Q_OBJECT

private slots:
    void exportedFileParsesBackAndPassesTheChecker();
    void inputsOutputsAndOpsets();
    void tinyModelNodes();
    void forestTargetsSumExactlyInFloat();
    void metadataKeepsTheProvenance();
    void textCategoriesMapToTheirShares();
    void negativeCategoryIsRefused();
    void unwritableFolderIsAnOutputError();
    void fittedModelsTreesReproduceTheProductsScores_data();
    void fittedModelsTreesReproduceTheProductsScores();
};

void TestOnnxExport::exportedFileParsesBackAndPassesTheChecker()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("tiny.onnx").toStdString();
    const OnnxExport written = writeOnnxModel(tinyModel(), path, "tiny.json");
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(bytes.size(), written.bytes.size());
    QVERIFY(bytes == written.bytes);
    const onnx::ModelProto proto = parsed(bytes);
    onnx::checker::check_model(proto); // throws onnx::checker::ValidationError
    onnx::checker::check_model(path);
    QCOMPARE(written.treeNodes, std::size_t(8));
    QCOMPARE(written.graphNodes, std::size_t(proto.graph().node_size()));
}

void TestOnnxExport::inputsOutputsAndOpsets()
{
    const onnx::ModelProto proto = parsed(exportOnnx(tinyModel()).bytes);
    QCOMPARE(proto.ir_version(), kOnnxIrVersion);
    QCOMPARE(proto.producer_name(), std::string("webthreat"));
    std::map<std::string, std::int64_t> opsets;
    for (const onnx::OperatorSetIdProto& opset : proto.opset_import())
        opsets[opset.domain()] = opset.version();
    QCOMPARE(opsets, (std::map<std::string, std::int64_t>{{"", 13}, {"ai.onnx.ml", 2}}));

    const auto& inputs = proto.graph().input();
    QCOMPARE(inputs.size(), 2);
    checkTensor(inputs[0], "bytes_in", onnx::TensorProto_DataType_DOUBLE);
    checkTensor(inputs[1], "dst_port", onnx::TensorProto_DataType_INT64);
    const auto& outputs = proto.graph().output();
    QCOMPARE(outputs.size(), 2);
    checkTensor(outputs[0], "anomaly_score", onnx::TensorProto_DataType_DOUBLE);
    checkTensor(outputs[1], "is_suspicious", onnx::TensorProto_DataType_BOOL);

    const std::vector<OnnxInput> listed = onnxInputs(tinyModel());
    QCOMPARE(listed.size(), std::size_t(2));
    QCOMPARE(listed[1].type, std::string("int64"));
}

void TestOnnxExport::tinyModelNodes()
{
    const onnx::ModelProto proto = parsed(exportOnnx(tinyModel()).bytes);
    // bytes_in: NaN to the fill, sign(x) log(1 + |x|) in double, then float; dst_port: its share;
    // each made a column, the columns joined, the forest, the score and the verdict.
    const std::vector<std::string> expected{"IsNaN",
                                            "Where",
                                            "Abs",
                                            "Add",
                                            "Log",
                                            "Sign",
                                            "Mul",
                                            "Cast",
                                            "Unsqueeze",
                                            "LabelEncoder",
                                            "Unsqueeze",
                                            "Concat",
                                            "TreeEnsembleRegressor",
                                            "Cast",
                                            "ReduceSum",
                                            "Div",
                                            "Neg",
                                            "Pow",
                                            "Neg",
                                            "Less"};
    QCOMPARE(opTypes(proto), expected);

    std::map<std::string, const onnx::TensorProto*> constants;
    for (const onnx::TensorProto& tensor : proto.graph().initializer())
        constants[tensor.name()] = &tensor;
    const onnx::NodeProto& where = *nodeByOp(proto, "Where");
    QCOMPARE(where.input(0), std::string("bytes_in.missing"));
    QCOMPARE(constants.at(where.input(1))->double_data(0), 1000.0);
    QCOMPARE(where.input(2), std::string("bytes_in"));

    const onnx::NodeProto& encoder = *nodeByOp(proto, "LabelEncoder");
    QCOMPARE(encoder.domain(), std::string("ai.onnx.ml"));
    QCOMPARE(encoder.input(0), std::string("dst_port"));
    const auto& keys = attributeOf(encoder, "keys_int64s")->ints();
    const auto& values = attributeOf(encoder, "values_floats")->floats();
    QCOMPARE(std::vector<std::int64_t>(keys.begin(), keys.end()), (std::vector<std::int64_t>{-1, 80, 443}));
    QCOMPARE(std::vector<float>(values.begin(), values.end()), (std::vector<float>{0.125F, 0.25F, 0.625F}));
    QCOMPARE(attributeOf(encoder, "default_float")->f(), 0.0F);

    const onnx::NodeProto& concat = *nodeByOp(proto, "Concat");
    QCOMPARE(concat.input_size(), 2);
    QCOMPARE(attributeOf(concat, "axis")->i(), std::int64_t(1));

    const onnx::NodeProto& forest = *nodeByOp(proto, "TreeEnsembleRegressor");
    QCOMPARE(forest.domain(), std::string("ai.onnx.ml"));
    QCOMPARE(attributeOf(forest, "aggregate_function")->s(), std::string("SUM"));
    QCOMPARE(attributeOf(forest, "post_transform")->s(), std::string("NONE"));
    QCOMPARE(attributeOf(forest, "n_targets")->i(), std::int64_t(2));
    const auto list = [&](const char* name) {
        const auto& ints = attributeOf(forest, name)->ints();
        return std::vector<std::int64_t>(ints.begin(), ints.end());
    };
    QCOMPARE(list("nodes_treeids"), (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 1, 1}));
    QCOMPARE(list("nodes_nodeids"), (std::vector<std::int64_t>{0, 1, 2, 0, 1, 2, 3, 4}));
    QCOMPARE(list("nodes_featureids"), (std::vector<std::int64_t>{0, 0, 0, 1, 0, 0, 0, 0}));
    QCOMPARE(list("nodes_truenodeids"), (std::vector<std::int64_t>{1, 0, 0, 1, 0, 3, 0, 0}));
    QCOMPARE(list("nodes_falsenodeids"), (std::vector<std::int64_t>{2, 0, 0, 2, 0, 4, 0, 0}));
    const auto& thresholds = attributeOf(forest, "nodes_values")->floats();
    QCOMPARE(std::vector<float>(thresholds.begin(), thresholds.end()),
             (std::vector<float>{5.0F, 0, 0, 0.3F, 0, 7.25F, 0, 0}));
    const auto& modes = attributeOf(forest, "nodes_modes")->strings();
    QCOMPARE(
        std::vector<std::string>(modes.begin(), modes.end()),
        (std::vector<std::string>{"BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"}));
    // Two targets per leaf: leaves (0,1), (0,2), (1,1), (1,3), (1,4).
    QCOMPARE(list("target_treeids"), (std::vector<std::int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
    QCOMPARE(list("target_nodeids"), (std::vector<std::int64_t>{1, 1, 2, 2, 1, 1, 3, 3, 4, 4}));
    QCOMPARE(list("target_ids"), (std::vector<std::int64_t>{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));

    const double denominator = 2.0 * IsolationForest::averagePathLength(4);
    const onnx::NodeProto& div = *nodeByOp(proto, "Div");
    QCOMPARE(constants.at(div.input(1))->double_data(0), denominator);
    const onnx::NodeProto& pow = *nodeByOp(proto, "Pow");
    QCOMPARE(constants.at(pow.input(0))->double_data(0), 2.0);
    const onnx::NodeProto& less = *nodeByOp(proto, "Less");
    QCOMPARE(less.input(0), std::string("anomaly_score"));
    QCOMPARE(constants.at(less.input(1))->double_data(0), -0.625);
    QCOMPARE(less.output(0), std::string("is_suspicious"));
}

void TestOnnxExport::forestTargetsSumExactlyInFloat()
{
    // Each leaf's two weights add up to its path length, the first a whole multiple of a power of
    // two small enough that any sum of one leaf per tree is exact in float.
    const DetectorModel model = tinyModel();
    const onnx::ModelProto proto = parsed(exportOnnx(model).bytes);
    const onnx::NodeProto& forest = *nodeByOp(proto, "TreeEnsembleRegressor");
    const auto& weights = attributeOf(forest, "target_weights")->floats();
    const auto& trees = attributeOf(forest, "target_treeids")->ints();
    const auto& nodes = attributeOf(forest, "target_nodeids")->ints();
    QCOMPARE(weights.size(), 10);
    for (int i = 0; i < weights.size(); i += 2) {
        const auto& tree = model.forest->trees()[static_cast<std::size_t>(trees[i])];
        const double pathLength = tree.pathLength[static_cast<std::size_t>(nodes[i])];
        const double coarse = weights[i];
        const double fine = weights[i + 1];
        QVERIFY(std::fabs(coarse + fine - pathLength) < 1e-15 + 1e-7 * std::fabs(fine));
        QVERIFY(fine >= 0.0);
        QCOMPARE(std::ldexp(coarse, 21), std::floor(std::ldexp(coarse, 21))); // 2 trees * 3 * 2^21 <= 2^24
    }
}

void TestOnnxExport::metadataKeepsTheProvenance()
{
    const onnx::ModelProto proto = parsed(exportOnnx(tinyModel(), "tiny.json").bytes);
    const auto entries = metadata(proto);
    QCOMPARE(entries.at("training_file"), std::string("monday.csv"));
    QCOMPARE(entries.at("training_sha256"), std::string(64, 'a'));
    QCOMPARE(entries.at("training_rows"), std::string("4"));
    QCOMPARE(entries.at("training_rows_read"), std::string("5"));
    QCOMPARE(entries.at("created"), std::string("2026-12-01T10:00:00Z"));
    QCOMPARE(entries.at("threshold"), std::string("-0.625"));
    QCOMPARE(entries.at("contamination"), std::string("0.05"));
    QCOMPARE(entries.at("features"), std::string("bytes_in,dst_port_frequency"));
    QCOMPARE(entries.at("inputs"), std::string("bytes_in,dst_port"));
    QCOMPARE(entries.at("model_file"), std::string("tiny.json"));
    QCOMPARE(entries.at("trees"), std::string("2"));
    QCOMPARE(entries.at("max_samples"), std::string("4"));
    QCOMPARE(entries.at("missing_integer"), std::string("-1"));
    QVERIFY(proto.doc_string().find("monday.csv") != std::string::npos);
}

void TestOnnxExport::textCategoriesMapToTheirShares()
{
    DetectorModel model = tinyModel();
    FeatureEncoding protocol;
    protocol.feature = Feature::ProtocolFrequency;
    protocol.textShares = {{"", 0.5}, {"TCP", 0.375}, {"UDP", 0.125}};
    model.encodings[1] = protocol;
    const onnx::ModelProto proto = parsed(exportOnnx(model).bytes);
    onnx::checker::check_model(proto);
    checkTensor(proto.graph().input(1), "protocol", onnx::TensorProto_DataType_STRING);
    const onnx::NodeProto& encoder = *nodeByOp(proto, "LabelEncoder");
    const auto& keys = attributeOf(encoder, "keys_strings")->strings();
    QCOMPARE(std::vector<std::string>(keys.begin(), keys.end()), (std::vector<std::string>{"", "TCP", "UDP"}));
    const auto& values = attributeOf(encoder, "values_floats")->floats();
    QCOMPARE(std::vector<float>(values.begin(), values.end()), (std::vector<float>{0.5F, 0.375F, 0.125F}));
    QCOMPARE(onnxInputs(model)[1].type, std::string("string"));
}

void TestOnnxExport::negativeCategoryIsRefused()
{
    DetectorModel model = tinyModel();
    model.encodings[1].integerShares[-5] = 0.0625;
    try {
        exportOnnx(model);
        QFAIL("a negative port was accepted");
    } catch (const ParameterError& error) {
        QVERIFY(std::string(error.what()).find("-5") != std::string::npos);
    }
}

void TestOnnxExport::unwritableFolderIsAnOutputError()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("missing-folder/model.onnx").toStdString();
    QVERIFY_THROWS_EXCEPTION(OutputError, writeOnnxModel(tinyModel(), path));
}

void TestOnnxExport::fittedModelsTreesReproduceTheProductsScores_data()
{
    QTest::addColumn<bool>("notebook");
    QTest::newRow("default detector") << false;
    QTest::newRow("notebook preset") << true;
}

// The exported ensemble walked here as TreeEnsembleRegressor defines it (BRANCH_LEQ: true when x
// <= value), its two targets summed in float as onnxruntime does, then the graph's arithmetic in
// double: the product's scores within 1e-12, with no ONNX runtime needed.
void TestOnnxExport::fittedModelsTreesReproduceTheProductsScores()
{
    QFETCH(bool, notebook);
    const std::string text = generated(2000);
    const DetectorModel model = fittedModel(text, notebook ? DetectorParams::notebook() : DetectorParams{});
    const onnx::ModelProto proto = parsed(exportOnnx(model).bytes);
    onnx::checker::check_model(proto);
    QCOMPARE(proto.graph().input_size(), int(model.encodings.size()));

    const onnx::NodeProto& forest = *nodeByOp(proto, "TreeEnsembleRegressor");
    const auto ints = [&](const char* name) { return attributeOf(forest, name)->ints(); };
    const auto& treeIds = ints("nodes_treeids");
    const auto& nodeIds = ints("nodes_nodeids");
    const auto& featureIds = ints("nodes_featureids");
    const auto& trueIds = ints("nodes_truenodeids");
    const auto& falseIds = ints("nodes_falsenodeids");
    const auto& values = attributeOf(forest, "nodes_values")->floats();
    const auto& modes = attributeOf(forest, "nodes_modes")->strings();
    std::map<std::pair<std::int64_t, std::int64_t>, int> at; // (tree, node) -> attribute index
    for (int i = 0; i < treeIds.size(); ++i)
        at[{treeIds[i], nodeIds[i]}] = i;
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<float, float>> leaf;
    const auto& weights = attributeOf(forest, "target_weights")->floats();
    const auto& targetTrees = ints("target_treeids");
    const auto& targetNodes = ints("target_nodeids");
    const auto& targetIds = ints("target_ids");
    for (int i = 0; i < weights.size(); ++i) {
        auto& pair = leaf[{targetTrees[i], targetNodes[i]}];
        (targetIds[i] == 0 ? pair.first : pair.second) = weights[i];
    }

    auto data = prepareTable(readTrafficBytes(text, "generated.csv"));
    const auto detection = scoreWithModel(*data, std::make_shared<const DetectorModel>(model), 1);
    const TableFeatureRows rows(data->table, data->features, model.encodings);
    const auto columns = static_cast<std::size_t>(rows.columns());
    std::vector<float> x(static_cast<std::size_t>(rows.rows()) * columns);
    rows.fill(0, rows.rows(), x.data());
    const double denominator
        = model.forest->treeCount() * IsolationForest::averagePathLength(model.forest->maxSamples());
    double worst = 0.0;
    for (std::size_t row = 0; row < static_cast<std::size_t>(rows.rows()); ++row) {
        float coarse = 0.0F, fine = 0.0F;
        for (int tree = 0; tree < model.forest->treeCount(); ++tree) {
            int index = at.at({tree, 0});
            while (modes[index] != "LEAF") {
                const float value = x[row * columns + static_cast<std::size_t>(featureIds[index])];
                index = at.at({tree, value <= values[index] ? trueIds[index] : falseIds[index]});
            }
            const auto& weight = leaf.at({tree, nodeIds[index]});
            coarse += weight.first;
            fine += weight.second;
        }
        const double score = -std::pow(2.0, -((double(coarse) + double(fine)) / denominator));
        worst = std::max(worst, std::fabs(score - detection->scores.scores()[row]));
    }
    QVERIFY2(worst < 1e-12, qPrintable(QString("largest score difference %1").arg(worst)));
}

QTEST_APPLESS_MAIN(TestOnnxExport)
#include "tst_onnxexport.moc"

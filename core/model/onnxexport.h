#pragma once

#include "core/detect/model.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// A saved model as an ONNX graph (`webthreat export-model M.json --onnx OUT.onnx`), for
// onnxruntime, Spark (SynapseML) or BigQuery ML: it scores one row at a time exactly as the
// product scores a cleaned table, from the raw columns (docs/onnx-export.md). Built on Debian's
// libonnx (the protobuf schema and onnx::checker), in a library of its own so that core does not
// depend on protobuf.
//
// The graph: one input per model feature, [N]; numeric ones as double with NaN for missing
// (given the model's frozen fill), the categories raw (ports and response codes as int64 with
// kOnnxMissingInteger for missing, protocols and country codes as text with "" for missing) and
// mapped to their training share by ai.onnx.ml LabelEncoder; log1p where the model's encoding
// says so, computed in double and rounded to float as the product does; Concat to [N, F]; an
// ai.onnx.ml TreeEnsembleRegressor summing each tree's leaf path length (in two parts, so that
// its float sums are exact to about 1e-11); then in double anomaly_score = -2^(-(sum / (trees *
// c(maxSamples)))) [N] and is_suspicious = anomaly_score < threshold [N] (bool).

inline constexpr std::int64_t kOnnxIrVersion = 7;
inline constexpr std::int64_t kOnnxOpset = 13; // ai.onnx
inline constexpr std::int64_t kOnnxMlOpset = 2; // ai.onnx.ml: LabelEncoder 2, TreeEnsembleRegressor 1
// A missing dst_port or response_code (the readers take ports 0 to 65535 and codes 0 to 999).
inline constexpr std::int64_t kOnnxMissingInteger = -1;

// One input of the graph: a column of the table to score.
struct OnnxInput {
    std::string name; // "bytes_in", "dst_port", "protocol", ...
    std::string type; // "double", "int64" or "string"
    Feature feature = Feature::BytesIn;
};

// The graph's input for each of the model's features, in the model's order.
std::vector<OnnxInput> onnxInputs(const DetectorModel& model);

struct OnnxExport {
    std::string bytes; // the serialized ModelProto
    std::vector<OnnxInput> inputs;
    std::size_t graphNodes = 0;
    std::size_t treeNodes = 0; // over all trees
};

// The model as ONNX, after onnx::checker::check_model passed it. sourceFile (the model file's
// name) goes into the provenance kept in the model's metadata. Throws ParameterError when the
// model cannot be expressed (a port or code below 0 among its categories).
OnnxExport exportOnnx(const DetectorModel& model, std::string_view sourceFile = {});

// exportOnnx written to path atomically. Throws OutputError naming the file.
OnnxExport writeOnnxModel(const DetectorModel& model, const std::string& path, std::string_view sourceFile = {});

} // namespace webthreat

#pragma once

#include "core/detect/model.h"
#include "core/output/provenance.h"
#include "core/pipeline.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace webthreat {

// The model file: JSON, {"format": "webthreat-model", "version": 1, ...}, described field by
// field in docs/model-format.md. A model file is input from outside like any CSV: loading checks
// every field and refuses a bad file, or one of a newer version, naming what is wrong and where.
inline constexpr std::string_view kModelFormat = "webthreat-model";
inline constexpr int kModelVersion = 1;
// Larger files are refused before they are read: 10,000 trees of 32,768 samples stay far below.
inline constexpr std::uint64_t kMaxModelFileBytes = 1ull << 30;

// The model of an analysis whose forest was fitted on its own rows (or the model it was scored
// with, unchanged). input names the training file; program is "webthreat" or
// "webthreat-workbench". Throws ParameterError when the analysis has no detection.
DetectorModel makeModel(const Analysis& analysis, const InputFingerprint& input, std::string program);

// The model as the file's text (two-space indented JSON, newline at the end).
std::string modelDocument(const DetectorModel& model);
// Writes the model file atomically. Throws OutputError naming the file.
void saveModel(const DetectorModel& model, const std::string& path);

// Reads a model file's text; file names it in messages. Throws InputError naming the file, the
// line and column for malformed JSON, and the field (e.g. "trees[3].left[17]") for a bad value.
std::shared_ptr<const DetectorModel> parseModel(std::string_view text, const std::string& file);
// Reads a model file. Throws InputError (unreadable, too large, malformed, invalid).
std::shared_ptr<const DetectorModel> loadModel(const std::string& path);

// One line for reports and the window: "model.json, trained on week.csv (2026-12-01, 10,000 rows)".
std::string describeModel(const DetectorModel& model, const std::string& modelFile);

} // namespace webthreat

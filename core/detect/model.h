#pragma once

#include "core/detect/features.h"
#include "core/detect/isolationforest.h"
#include "core/detect/threshold.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// How one input was distributed over the training rows (raw values, after the mean fill, before
// scaling): what new data is compared with to say whether a model has gone stale.
struct FeatureDistribution {
    double minimum = 0.0;
    double lowerQuartile = 0.0;
    double median = 0.0;
    double upperQuartile = 0.0;
    double maximum = 0.0;
};

// Where a model was trained, as its file says it.
struct ModelOrigin {
    std::string file; // the training file's name
    std::string sha256; // of its bytes, lower-case hex; empty when it had no file (the sample)
    std::uint64_t bytes = 0;
    std::size_t rowsRead = 0; // data rows read
    std::size_t rows = 0; // rows after cleaning: what the forest was fitted on
    std::string program; // "webthreat" or "webthreat-workbench"
    std::string version;
    std::string created; // ISO-8601 UTC
};

// A fitted detector that can score other data exactly as it scored its training rows: the forest,
// each input's frozen encoding and scale, the threshold as a score and the contamination it came
// from, and the training data's distributions for the drift report. Immutable once made; saved
// and loaded by core/model/modelfile.
struct DetectorModel {
    FeatureEncodings encodings; // one per forest column, in order
    std::vector<FeatureDistribution> training; // one per forest column
    InputScaling scaling = InputScaling::Auto; // as chosen at training (each encoding has its scale)
    int trees = 0;
    int maxSamplesRequested = 0; // 0 = automatic
    std::uint64_t seed = 0;
    std::shared_ptr<const IsolationForest> forest;
    Contamination contamination; // what set the threshold on the training rows
    double threshold = 0.0; // rows scoring below it are Suspicious
    ModelOrigin origin;
    std::string file; // the file it was loaded from; empty when made in this run

    std::vector<Feature> features() const;
};

// The distribution of values (sorted in place); all zero when empty.
FeatureDistribution describeDistribution(std::vector<double>& values);

} // namespace webthreat

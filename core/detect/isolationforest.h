#pragma once

#include "core/util/progress.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace webthreat {

// The detector's input: one row per traffic record, one column per feature. Row-major float,
// as scikit-learn converts its input to float32 before fitting or scoring.
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows of detector input made on demand, so that the forest never needs every row's features in
// memory at once: fitting gathers each tree's sample, scoring fills one block of rows at a time.
// The forest calls these from several threads at once.
class FeatureRows {
public:
    virtual ~FeatureRows() = default;
    virtual Eigen::Index rows() const = 0;
    virtual Eigen::Index columns() const = 0;
    // Writes rows [begin, begin + count) to out, row-major: count * columns() floats.
    virtual void fill(Eigen::Index begin, Eigen::Index count, float* out) const = 0;
    // Writes the listed rows to out, row-major, in the order listed.
    virtual void gather(const Eigen::Index* rows, Eigen::Index count, float* out) const = 0;
};

// A matrix already in memory, as FeatureRows.
class MatrixRows final : public FeatureRows {
public:
    explicit MatrixRows(const FeatureMatrix& matrix)
        : m_matrix(matrix)
    {
    }
    Eigen::Index rows() const override { return m_matrix.rows(); }
    Eigen::Index columns() const override { return m_matrix.cols(); }
    void fill(Eigen::Index begin, Eigen::Index count, float* out) const override;
    void gather(const Eigen::Index* rows, Eigen::Index count, float* out) const override;

private:
    const FeatureMatrix& m_matrix;
};

struct IsolationForestParams {
    int trees = 100; // scikit-learn's n_estimators
    int maxSamples = 0; // rows drawn per tree without replacement; 0 = min(256, rows);
        // at most 32768 (the tree's compact node format)
    std::uint64_t seed = 42; // same seed, same scores, whatever the thread count
    int threads = 0; // 0 = all cores

    // Throws ParameterError naming the parameter and its allowed range.
    void validate() const;
};

// An Isolation Forest with scikit-learn's semantics (IsolationForest with max_features=1.0,
// bootstrap=False): each tree is grown on maxSamples rows drawn without replacement, splitting on a
// random non-constant feature at a uniform random threshold, to a depth limit of
// ceil(log2(maxSamples)). A row's path length is the depth of its leaf plus c(leaf size);
// scoreSamples() = -2^(-mean path / c(maxSamples)), lower meaning more anomalous.
class IsolationForest {
public:
    // Fits on all rows of data. Throws ParameterError for bad params, InputError when data has
    // fewer than two rows or no columns, CancelledError when progress is cancelled.
    void fit(const FeatureMatrix& data, const IsolationForestParams& params, const Progress& progress = {});
    // The same from rows made on demand: only the sampled rows are ever materialised (checked
    // finite there; scoreSamples checks every row it is given).
    void fit(const FeatureRows& data, const IsolationForestParams& params, const Progress& progress = {});

    // scikit-learn's score_samples for every row: in [-1, 0), lower = more anomalous. Rows are
    // scored in parallel; the result is bit-identical for any thread count. data must have the
    // same number of columns as the matrix the forest was fitted on.
    std::vector<double> scoreSamples(const FeatureMatrix& data, int threads = 0, const Progress& progress = {}) const;
    // The same from rows made on demand, one block of 512 rows per thread at a time. Throws
    // InputError naming the row and feature when a value is not finite.
    std::vector<double> scoreSamples(const FeatureRows& data, int threads = 0, const Progress& progress = {}) const;

    // Which features isolated one row (row points at featureCount() values). In every tree, each
    // split on the row's path credits the feature it tested with (c(maxSamples) - path length) /
    // splits on the path, when the row was isolated sooner than an average row would be; a tree
    // that isolated it later credits nothing. credit gets one share per feature, summing to 1
    // (all 0 when no tree isolated the row early). Returns the row's mean path length.
    double attributePath(const float* row, std::vector<double>& credit) const;
    // attributePath of count rows (row r at rows + r * featureCount()), the same numbers to the bit:
    // credits row-major (count x featureCount()), each row's mean path length in pathLengths. Walks
    // eight rows through a tree in step, so one row's wait for its next node overlaps the others'
    // (a single walk is a chain of dependent loads); a third of the explanations' time.
    void attributePaths(const float* rows, std::size_t count, double* credits, double* pathLengths) const;

    bool fitted() const noexcept;
    int treeCount() const noexcept;
    int maxSamples() const noexcept; // the effective value used in fit
    int depthLimit() const noexcept; // ceil(log2(maxSamples))
    Eigen::Index featureCount() const noexcept;

    // c(n): the average path length of an unsuccessful search in a binary search tree of n points,
    // as scikit-learn's _average_path_length: 0 for n <= 1, 1 for n == 2, otherwise
    // 2 (ln(n - 1) + Euler's gamma) - 2 (n - 1) / n.
    static double averagePathLength(double n) noexcept;

    // Implementation detail, public so the .cpp may define it freely. Defined here rather than
    // forward-declared so the forest keeps its implicit copy, move and destructor.
    struct Tree {
        // 8 bytes, so a 256-sample tree (at most 511 nodes) stays in L1 while a block of rows walks
        // it, and each field is a plain load. The children of a node are adjacent (left, then
        // right), so a step is `left + (x > threshold)` with no branch. A leaf points to itself
        // with an infinite threshold, so a walk can take a fixed number of steps without testing
        // for leaves. 16-bit indices are why maxSamples is at most 32768.
        struct Node {
            float threshold;
            std::uint16_t feature;
            std::uint16_t left;
        };
        std::vector<Node> nodes; // nodes[0] is the root
        std::vector<double> pathLength; // per node; for a leaf, its depth + c(leaf size)
        int depth = 0; // depth of the deepest leaf
    };

    // A forest made from trees grown elsewhere (a saved model): maxSamples as in fit, features
    // the column count. Checks every tree's shape: at most 65,535 nodes, children after their
    // parent and inside the tree, one parent per node, finite thresholds, features in range,
    // leaves (infinite threshold, pointing to themselves) with a finite path length, no leaf
    // deeper than ceil(log2(maxSamples)). Throws ParameterError naming the tree and node. Each
    // tree's depth is computed here.
    static IsolationForest fromTrees(std::vector<Tree> trees, int maxSamples,
                                     Eigen::Index features);

    // The trees, for saving and exporting a model.
    const std::vector<Tree>& trees() const noexcept { return m_trees; }

private:
    // blockOf(begin, count, buffer) returns the block's rows, row-major: in place, or filled into
    // buffer (room for 512 rows).
    template <typename BlockOf>
    std::vector<double> scoreBlocks(Eigen::Index rows, Eigen::Index columns, int threads, const Progress& progress,
                                    BlockOf blockOf) const;

    std::vector<Tree> m_trees;
    int m_maxSamples = 0;
    int m_depthLimit = 0;
    Eigen::Index m_features = 0;
};

} // namespace webthreat

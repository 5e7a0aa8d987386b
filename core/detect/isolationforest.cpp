// Why this forest is ours and not a library's (issue 14 keeps our own code only for a measured
// reason): it follows scikit-learn's IsolationForest semantics (sampling, c(n), offset_, float32 splits)
// and tests/core/tst_isolationforest checks it against scikit-learn 1.2.1's scores on the reference data
// (Spearman rank correlation at least 0.9, as many rows flagged at contamination 0.05). Its trees are
// flat arrays of 8-byte nodes scored in interleaved 16-lane blocks (or, with AVX-512, laid out breadth
// first and walked 16 rows to a register by permutes), and every row's score is computed by one thread
// in one order, so the scores are bit-identical at any thread count and either walk (BENCHMARKS.md: 1 M
// and 10 M rows at 1 and 2 threads; "The forest's walk with AVX-512") and cost 135-155 ns a row on two
// cores; no C++ library we could take from Debian gives that reproducibility, scikit-learn's semantics
// and that speed together.
#include "core/detect/isolationforest.h"

#include "core/util/errors.h"
#include "core/util/parallel.h"
#include "core/util/random.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define WEBTHREAT_WIDE_WALK 1
#endif

namespace webthreat {

namespace {

constexpr int kMaxTrees = 10000;
constexpr int kAutoMaxSamples = 256;
// A tree has at most 2 maxSamples - 1 nodes, and Tree::Node indexes them in 16 bits.
constexpr int kMaxMaxSamples = 32768;
constexpr Eigen::Index kMaxFeatures = 65536;
// scikit-learn's FEATURE_THRESHOLD: a feature whose range in a node is at most this is constant.
constexpr float kConstantTolerance = 1e-7f;
// Rows scored together against one tree: enough to reuse the tree from L1 many times, small
// enough that the accumulators stay in L1 too and that cancel is seen every fraction of a ms.
constexpr Eigen::Index kBlockRows = 512;
// Rows walked in lockstep through one tree, so their independent load chains overlap: a step is
// latency-bound for one row. 16 measured fastest (12 and 8 are 7 % and 30 % slower; 20 and more
// spill registers and lose a third).
constexpr int kLanes = 16;

// A stream per tree from the seed (core/util/random.h): rejection sampling for unbiased indices.
using Random = Xoshiro256;

// The maxSamples distinct row indices of one tree, drawn without replacement from [0, rows).
std::vector<Eigen::Index> drawSample(Eigen::Index rows, Eigen::Index count, Random& random)
{
    std::vector<Eigen::Index> sample;
    if (count == rows) {
        // Which rows a tree sees matters, their order does not: no random numbers needed.
        sample.resize(static_cast<std::size_t>(rows));
        std::iota(sample.begin(), sample.end(), Eigen::Index{0});
        return sample;
    }
    if (count * 4 >= rows) {
        // Partial Fisher-Yates: the index array costs at most four times the sample.
        std::vector<Eigen::Index> all(static_cast<std::size_t>(rows));
        std::iota(all.begin(), all.end(), Eigen::Index{0});
        for (Eigen::Index i = 0; i < count; ++i) {
            const auto j = i + static_cast<Eigen::Index>(random.below(static_cast<std::uint64_t>(rows - i)));
            std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
        }
        all.resize(static_cast<std::size_t>(count));
        return all;
    }
    // Floyd's algorithm: memory and time in the sample size, not the row count (256 of 10 M rows).
    const std::size_t tableSize = std::bit_ceil(static_cast<std::size_t>(count) * 2);
    const unsigned shift = 64 - static_cast<unsigned>(std::countr_zero(tableSize));
    std::vector<Eigen::Index> table(tableSize, -1);
    auto insert = [&](Eigen::Index value) {
        std::size_t slot
            = static_cast<std::size_t>((static_cast<std::uint64_t>(value) * 0x9E3779B97F4A7C15ull) >> shift);
        for (;; slot = (slot + 1) & (tableSize - 1)) {
            if (table[slot] == value)
                return false;
            if (table[slot] < 0) {
                table[slot] = value;
                return true;
            }
        }
    };
    sample.reserve(static_cast<std::size_t>(count));
    for (Eigen::Index j = rows - count; j < rows; ++j) {
        const auto candidate = static_cast<Eigen::Index>(random.below(static_cast<std::uint64_t>(j) + 1));
        if (insert(candidate)) {
            sample.push_back(candidate);
        } else {
            insert(j);
            sample.push_back(j);
        }
    }
    return sample;
}

// Grows one tree on its sample, the way scikit-learn's ExtraTreeRegressor(max_features=1,
// splitter='random') does inside IsolationForest.
class TreeBuilder {
public:
    // sampleRows: the sample's values, row-major (size rows of features values).
    TreeBuilder(const float* sampleRows, Eigen::Index size, int features, int depthLimit, Random& random)
        : m_features(features)
        , m_size(size)
        , m_depthLimit(depthLimit)
        , m_random(random)
        , m_values(static_cast<std::size_t>(m_size * features))
        , m_order(static_cast<std::size_t>(size))
        , m_candidates(static_cast<std::size_t>((depthLimit + 1) * m_features))
    {
        // Column-major copy of the sample: the min/max scans in a node read one feature.
        for (Eigen::Index j = 0; j < m_size; ++j)
            for (int f = 0; f < m_features; ++f)
                m_values[static_cast<std::size_t>(f * m_size + j)] = sampleRows[j * m_features + f];
        std::iota(m_order.begin(), m_order.end(), 0);
        std::iota(m_candidates.begin(), m_candidates.begin() + m_features, 0);
    }

    IsolationForest::Tree build()
    {
        m_tree.nodes.reserve(static_cast<std::size_t>(2 * m_size - 1));
        m_tree.pathLength.reserve(static_cast<std::size_t>(2 * m_size - 1));
        addNode();
        grow(0, 0, static_cast<int>(m_size), 0, m_features);
        return std::move(m_tree);
    }

private:
    std::uint16_t addNode()
    {
        m_tree.nodes.push_back({});
        m_tree.pathLength.push_back(0.0);
        return static_cast<std::uint16_t>(m_tree.nodes.size() - 1);
    }

    void makeLeaf(std::uint16_t node, int size, int depth)
    {
        m_tree.nodes[node] = {std::numeric_limits<float>::infinity(), 0, node};
        m_tree.pathLength[node] = depth + IsolationForest::averagePathLength(size);
        m_tree.depth = std::max(m_tree.depth, depth);
    }

    // candidateCount features at the start of this depth's row of m_candidates are not known to be
    // constant in this node; a feature found constant here stays constant in the children.
    void grow(std::uint16_t node, int start, int end, int depth, int candidateCount)
    {
        const int size = end - start;
        if (depth >= m_depthLimit || size <= 1) {
            makeLeaf(node, size, depth);
            return;
        }
        int* candidates = m_candidates.data() + depth * m_features;
        while (candidateCount > 0) {
            const int pick = static_cast<int>(m_random.below(static_cast<std::uint64_t>(candidateCount)));
            const int feature = candidates[pick];
            const float* column = m_values.data() + static_cast<std::ptrdiff_t>(feature) * m_size;
            float low = column[m_order[static_cast<std::size_t>(start)]];
            float high = low;
            for (int i = start + 1; i < end; ++i) {
                const float value = column[m_order[static_cast<std::size_t>(i)]];
                low = std::min(low, value);
                high = std::max(high, value);
            }
            if (high <= low + kConstantTolerance) {
                candidates[pick] = candidates[--candidateCount];
                continue;
            }

            const float threshold = drawThreshold(low, high);
            const auto middle = std::partition(m_order.begin() + start, m_order.begin() + end,
                                               [&](int row) { return column[row] <= threshold; });
            const int split = static_cast<int>(middle - m_order.begin());

            const std::uint16_t left = addNode();
            addNode();
            m_tree.nodes[node] = {threshold, static_cast<std::uint16_t>(feature), left};
            int* childCandidates = candidates + m_features;
            std::copy_n(candidates, candidateCount, childCandidates);
            grow(left, start, split, depth + 1, candidateCount);
            // The left subtree reused the child row; the right child starts from this node's list.
            std::copy_n(candidates, candidateCount, childCandidates);
            grow(static_cast<std::uint16_t>(left + 1), split, end, depth + 1, candidateCount);
            return;
        }
        makeLeaf(node, size, depth); // every feature is constant here
    }

    // Uniform in [low, high) as scikit-learn draws it (in double), then rounded down to a float:
    // for a float x, x <= rounded exactly when x <= the double, so rows split the same way.
    float drawThreshold(float low, float high)
    {
        double threshold = low + (static_cast<double>(high) - low) * m_random.unit();
        if (threshold >= high)
            threshold = low;
        float rounded = static_cast<float>(threshold);
        if (static_cast<double>(rounded) > threshold)
            rounded = std::nextafter(rounded, low);
        return rounded;
    }

    int m_features;
    Eigen::Index m_size;
    int m_depthLimit;
    Random& m_random;
    std::vector<float> m_values;
    std::vector<int> m_order;
    std::vector<int> m_candidates; // (depthLimit + 1) rows of m_features
    IsolationForest::Tree m_tree;
};

// A float is NaN or infinite exactly when its exponent bits are all ones. Testing the bits
// vectorizes (5 times faster than std::isfinite on a million rows), and fit checks every row.
bool allFinite(const float* values, Eigen::Index count) noexcept
{
    std::uint32_t nonFinite = 0;
    for (Eigen::Index i = 0; i < count; ++i)
        nonFinite |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(values[i]) & 0x7f800000u) == 0x7f800000u);
    return nonFinite == 0;
}

int ceilLog2(int n) noexcept
{
    return static_cast<int>(std::bit_width(static_cast<unsigned>(n) - 1u));
}

// Walks Lanes rows through a tree in lockstep for exactly tree.depth steps (leaves loop on
// themselves) and adds each row's path length to its accumulator. Columns > 0 fixes the row
// stride at compile time, so each lane's row offset folds into the load's displacement and the
// lanes' node indices stay in registers.
template <int Lanes, int Columns>
void walkLanes(const IsolationForest::Tree& tree, const float* rows, Eigen::Index stride, double* pathSums)
{
    const Eigen::Index rowStride = Columns > 0 ? Columns : stride;
    const IsolationForest::Tree::Node* nodes = tree.nodes.data();
    std::array<std::uint32_t, Lanes> index{};
    for (int step = 0; step < tree.depth; ++step) {
        for (int lane = 0; lane < Lanes; ++lane) {
            const IsolationForest::Tree::Node& node = nodes[index[lane]];
            const float value = rows[lane * rowStride + node.feature];
            index[lane] = node.left + (value > node.threshold ? 1u : 0u);
        }
    }
    for (int lane = 0; lane < Lanes; ++lane)
        pathSums[lane] += tree.pathLength[index[lane]];
}

template <int Columns>
void walkBlock(const std::vector<IsolationForest::Tree>& trees, const float* rows, Eigen::Index count,
               Eigen::Index stride, double* pathSums)
{
    // Tree-major inside the block keeps each tree in L1; every row still sums its trees in
    // tree order, so the result does not depend on blocks or threads.
    for (const IsolationForest::Tree& tree : trees) {
        Eigen::Index row = 0;
        for (; row + kLanes <= count; row += kLanes)
            walkLanes<kLanes, Columns>(tree, rows + row * stride, stride, pathSums + row);
        for (; row < count; ++row)
            walkLanes<1, Columns>(tree, rows + row * stride, stride, pathSums + row);
    }
}

// The traffic features are a handful of columns: give the common counts a compile-time stride.
void walkBlock(const std::vector<IsolationForest::Tree>& trees, const float* rows, Eigen::Index count,
               Eigen::Index stride, double* pathSums)
{
    switch (stride) {
    case 1:
        return walkBlock<1>(trees, rows, count, stride, pathSums);
    case 2:
        return walkBlock<2>(trees, rows, count, stride, pathSums);
    case 3:
        return walkBlock<3>(trees, rows, count, stride, pathSums);
    case 4:
        return walkBlock<4>(trees, rows, count, stride, pathSums);
    case 5:
        return walkBlock<5>(trees, rows, count, stride, pathSums);
    case 6:
        return walkBlock<6>(trees, rows, count, stride, pathSums);
    case 7:
        return walkBlock<7>(trees, rows, count, stride, pathSums);
    case 8:
        return walkBlock<8>(trees, rows, count, stride, pathSums);
    default:
        return walkBlock<0>(trees, rows, count, stride, pathSums);
    }
}

// The trees again, laid out for the AVX-512 walk (walkWide): each tree as a complete binary tree
// of `depth` levels, breadth first, a leaf above the last level carried down as a split no row
// takes (threshold +infinity, always left). Level l's thresholds and features are 2^l entries (at
// least 16, one register), so a step looks a node up by permuting registers rather than loading
// each row's node; leafLengths are a tree's 2^depth path lengths. Made for each scoreSamples call
// (100 trees take some 50 microseconds), so the forest's copies and saved models know nothing of it.
struct WideTrees {
    int depth = -1; // -1: the wide walk does not apply
    std::size_t treeStride = 0; // thresholds and features per tree
    std::vector<float> thresholds;
    std::vector<std::int32_t> features;
    std::vector<double> leafLengths;
};

// The wide walk's limits: 8 levels (a 256-row sample's depth limit) keep a tree's tables at 304
// entries; 8 features are a register each beside the lookups.
constexpr int kWideMaxDepth = 8;
constexpr int kWideMaxFeatures = 8;

// Where level l's entries start in a tree's wide tables: levels below 5 take one 16-entry register
// each, level l >= 5 takes 2^l.
constexpr std::size_t wideLevelOffset(int level) noexcept
{
    return level <= 5 ? std::size_t(16) * static_cast<std::size_t>(level)
                      : std::size_t(80) + (std::size_t(1) << level) - 32;
}

#ifdef WEBTHREAT_WIDE_WALK
bool wideWalkAvailable() noexcept
{
    static const bool available = [] {
        // WEBTHREAT_WIDE_WALK=0 forces the scalar walk (to compare the two; the scores are the same).
        if (const char* setting = std::getenv("WEBTHREAT_WIDE_WALK"); setting && setting[0] == '0')
            return false;
        return __builtin_cpu_supports("avx512f") != 0;
    }();
    return available;
}

// Walks Groups registers of 16 rows (groups g0 .. g0 + Groups - 1 of the block's columns) through
// one tree, and adds each row's path length to its sum. The groups are independent, so one's chain
// of permute, select and compare overlaps the others' (one group alone waits on its own latency).
template <int Columns, int Groups>
__attribute__((target("avx512f"))) inline void walkWideGroups(const float (*columns)[Columns][16], int depth,
                                                              const float* thresholds, const std::int32_t* features,
                                                              const double* lengths, double* sums)
{
    const __m512i one = _mm512_set1_epi32(1);
    __m512i pos[Groups];
    for (int g = 0; g < Groups; ++g)
        pos[g] = _mm512_setzero_si512();
    for (int level = 0; level < depth; ++level) {
        const std::size_t offset = wideLevelOffset(level);
        const std::int32_t* levelThresholds = reinterpret_cast<const std::int32_t*>(thresholds + offset);
        const std::int32_t* levelFeatures = features + offset;
        __m512i threshold[Groups];
        __m512i feature[Groups];
        for (int g = 0; g < Groups; ++g)
            threshold[g] = feature[g] = _mm512_setzero_si512(); // all set below; GCC cannot tell
        if (level <= 4) {
            // The zero-masked forms with every lane set: GCC 12 warns of the plain forms' undefined
            // source.
            const __m512i t = _mm512_loadu_si512(levelThresholds);
            const __m512i f = _mm512_loadu_si512(levelFeatures);
            for (int g = 0; g < Groups; ++g) {
                threshold[g] = _mm512_maskz_permutexvar_epi32(0xffff, pos[g], t);
                feature[g] = _mm512_maskz_permutexvar_epi32(0xffff, pos[g], f);
            }
        } else {
            const int chunks = 1 << (level - 5);
            for (int c = 0; c < chunks; ++c) {
                const __m512i tLow = _mm512_loadu_si512(levelThresholds + 32 * c);
                const __m512i tHigh = _mm512_loadu_si512(levelThresholds + 32 * c + 16);
                const __m512i fLow = _mm512_loadu_si512(levelFeatures + 32 * c);
                const __m512i fHigh = _mm512_loadu_si512(levelFeatures + 32 * c + 16);
                for (int g = 0; g < Groups; ++g) {
                    const __m512i t = _mm512_permutex2var_epi32(tLow, pos[g], tHigh);
                    const __m512i f = _mm512_permutex2var_epi32(fLow, pos[g], fHigh);
                    if (c == 0) {
                        threshold[g] = t;
                        feature[g] = f;
                    } else {
                        const __mmask16 here = _mm512_cmpeq_epi32_mask(_mm512_maskz_srli_epi32(0xffff, pos[g], 5),
                                                                       _mm512_set1_epi32(c));
                        threshold[g] = _mm512_mask_mov_epi32(threshold[g], here, t);
                        feature[g] = _mm512_mask_mov_epi32(feature[g], here, f);
                    }
                }
            }
        }
        for (int g = 0; g < Groups; ++g) {
            __m512 value = _mm512_load_ps(columns[g][0]);
            for (int k = 1; k < Columns; ++k)
                value = _mm512_mask_mov_ps(value, _mm512_cmpeq_epi32_mask(feature[g], _mm512_set1_epi32(k)),
                                           _mm512_load_ps(columns[g][k]));
            const __mmask16 right = _mm512_cmp_ps_mask(value, _mm512_castsi512_ps(threshold[g]), _CMP_GT_OQ);
            pos[g] = _mm512_add_epi32(pos[g], pos[g]);
            pos[g] = _mm512_mask_add_epi32(pos[g], right, pos[g], one);
        }
    }
    alignas(64) std::int32_t leaf[16];
    for (int g = 0; g < Groups; ++g) {
        _mm512_store_si512(leaf, pos[g]);
        for (int lane = 0; lane < 16; ++lane)
            sums[g * 16 + lane] += lengths[leaf[lane]];
    }
}

// Walks a block's rows through every tree, 16 rows to a register, four registers at a time, for
// the forest's wide depth: at each level a lane's node is looked up in the level's tables by
// permutes, its row's value for the node's feature picked from the block's columns, and pos
// becomes 2 pos + (value > threshold). The comparison is walkLanes's, and each row adds its
// trees' path lengths in tree order with the same double additions, so the scores are the same
// to the last bit. Rows past the last 16 go through walkBlock.
template <int Columns>
__attribute__((target("avx512f"))) void walkWide(const WideTrees& wide,
                                                  const std::vector<IsolationForest::Tree>& trees, const float* rows,
                                                  Eigen::Index count, double* pathSums)
{
    constexpr int kGroups = 4;
    const Eigen::Index groups = count / 16;
    // The block's columns, 16 rows at a time: columns[g][k] is feature k of rows 16 g to 16 g + 15.
    alignas(64) float columns[kBlockRows / 16][Columns][16];
    for (Eigen::Index g = 0; g < groups; ++g)
        for (int lane = 0; lane < 16; ++lane)
            for (int k = 0; k < Columns; ++k)
                columns[g][k][lane] = rows[(g * 16 + lane) * Columns + k];

    const std::size_t leaves = std::size_t(1) << wide.depth;
    for (std::size_t tree = 0; tree < trees.size(); ++tree) {
        const float* thresholds = wide.thresholds.data() + tree * wide.treeStride;
        const std::int32_t* features = wide.features.data() + tree * wide.treeStride;
        const double* lengths = wide.leafLengths.data() + tree * leaves;
        Eigen::Index g = 0;
        for (; g + kGroups <= groups; g += kGroups)
            walkWideGroups<Columns, kGroups>(columns + g, wide.depth, thresholds, features, lengths,
                                             pathSums + g * 16);
        for (; g < groups; ++g)
            walkWideGroups<Columns, 1>(columns + g, wide.depth, thresholds, features, lengths, pathSums + g * 16);
    }
    if (groups * 16 < count)
        walkBlock(trees, rows + groups * 16 * Columns, count - groups * 16, Columns, pathSums + groups * 16);
}

// The wide walk when it applies (the CPU has AVX-512, the forest's trees and columns are within
// its limits); false when the caller should walk the block itself.
bool walkBlockWide(const WideTrees& wide, const std::vector<IsolationForest::Tree>& trees,
                   const float* rows, Eigen::Index count, Eigen::Index stride, double* pathSums)
{
    if (wide.depth < 0 || !wideWalkAvailable())
        return false;
    switch (stride) {
    case 1:
        walkWide<1>(wide, trees, rows, count, pathSums);
        return true;
    case 2:
        walkWide<2>(wide, trees, rows, count, pathSums);
        return true;
    case 3:
        walkWide<3>(wide, trees, rows, count, pathSums);
        return true;
    case 4:
        walkWide<4>(wide, trees, rows, count, pathSums);
        return true;
    case 5:
        walkWide<5>(wide, trees, rows, count, pathSums);
        return true;
    case 6:
        walkWide<6>(wide, trees, rows, count, pathSums);
        return true;
    case 7:
        walkWide<7>(wide, trees, rows, count, pathSums);
        return true;
    case 8:
        walkWide<8>(wide, trees, rows, count, pathSums);
        return true;
    default:
        return false;
    }
}
#else
bool wideWalkAvailable() noexcept
{
    return false;
}

bool walkBlockWide(const WideTrees&, const std::vector<IsolationForest::Tree>&, const float*,
                   Eigen::Index, Eigen::Index, double*)
{
    return false;
}
#endif

// Fills one tree's wide tables from node (at level, position pos in it) down.
void fillWide(const IsolationForest::Tree& tree, std::uint32_t node, int level, std::uint32_t pos, int depth,
              float* thresholds, std::int32_t* features, double* leafLengths)
{
    const IsolationForest::Tree::Node& n = tree.nodes[node];
    const bool leaf = n.left == node;
    if (level == depth) {
        leafLengths[pos] = tree.pathLength[node];
        return;
    }
    const std::size_t at = wideLevelOffset(level) + pos;
    thresholds[at] = n.threshold; // a leaf's is +infinity: every row goes left, to the same leaf
    features[at] = leaf ? 0 : n.feature;
    const std::uint32_t left = leaf ? node : n.left;
    const std::uint32_t right = leaf ? node : static_cast<std::uint32_t>(n.left) + 1;
    fillWide(tree, left, level + 1, 2 * pos, depth, thresholds, features, leafLengths);
    fillWide(tree, right, level + 1, 2 * pos + 1, depth, thresholds, features, leafLengths);
}

// The wide layout of trees with features columns, or depth -1 where the wide walk does not apply
// (no AVX-512, trees deeper than 8 levels, over 8 features, or too few rows to be worth it).
WideTrees makeWide(const std::vector<IsolationForest::Tree>& trees, Eigen::Index features, Eigen::Index rows)
{
    WideTrees wide;
    if (!wideWalkAvailable() || rows < 64)
        return wide;
    int depth = 0;
    for (const IsolationForest::Tree& tree : trees)
        depth = std::max(depth, tree.depth);
    if (depth > kWideMaxDepth || features > kWideMaxFeatures)
        return wide;
    wide.depth = depth;
    wide.treeStride = wideLevelOffset(depth);
    const std::size_t leaves = std::size_t(1) << depth;
    wide.thresholds.assign(trees.size() * wide.treeStride, std::numeric_limits<float>::infinity());
    wide.features.assign(trees.size() * wide.treeStride, 0);
    wide.leafLengths.assign(trees.size() * leaves, 0.0);
    for (std::size_t t = 0; t < trees.size(); ++t)
        fillWide(trees[t], 0, 0, 0, depth, wide.thresholds.data() + t * wide.treeStride,
                 wide.features.data() + t * wide.treeStride, wide.leafLengths.data() + t * leaves);
    return wide;
}

} // namespace

void IsolationForestParams::validate() const
{
    if (trees < 1 || trees > kMaxTrees)
        throw ParameterError("trees must be between 1 and " + std::to_string(kMaxTrees) + ", got "
                             + std::to_string(trees));
    if (maxSamples != 0 && (maxSamples < 2 || maxSamples > kMaxMaxSamples))
        throw ParameterError("maxSamples must be 0 (automatic: min(256, rows)) or between 2 and "
                             + std::to_string(kMaxMaxSamples) + ", got " + std::to_string(maxSamples));
    if (threads < 0)
        throw ParameterError("threads must be 0 (all cores) or a positive count, got " + std::to_string(threads));
}

double IsolationForest::averagePathLength(double n) noexcept
{
    if (n <= 1.0)
        return 0.0;
    if (n == 2.0)
        return 1.0;
    constexpr double eulerGamma = 0.5772156649015329;
    return 2.0 * (std::log(n - 1.0) + eulerGamma) - 2.0 * (n - 1.0) / n;
}

void MatrixRows::fill(Eigen::Index begin, Eigen::Index count, float* out) const
{
    std::copy_n(m_matrix.data() + begin * m_matrix.cols(), count * m_matrix.cols(), out);
}

void MatrixRows::gather(const Eigen::Index* rows, Eigen::Index count, float* out) const
{
    const Eigen::Index columns = m_matrix.cols();
    for (Eigen::Index i = 0; i < count; ++i)
        std::copy_n(m_matrix.data() + rows[i] * columns, columns, out + i * columns);
}

namespace {

void checkShape(Eigen::Index rows, Eigen::Index columns)
{
    if (rows < 2)
        throw InputError("", 0, "", "the detector needs at least two rows, got " + std::to_string(rows));
    if (columns < 1)
        throw InputError("", 0, "", "the detector needs at least one feature column, got none");
    if (columns > kMaxFeatures)
        throw InputError("", 0, "",
                         "the detector takes at most " + std::to_string(kMaxFeatures) + " feature columns, got "
                             + std::to_string(columns));
}

// scikit-learn rejects NaN and infinity too; an infinite value would also break the leaf marker.
// rowOf maps a position in values (in rows of columns) to the row number the analyst sees.
template <typename RowOf>
void checkFinite(const float* values, Eigen::Index rows, Eigen::Index columns, RowOf rowOf)
{
    if (allFinite(values, rows * columns))
        return;
    for (Eigen::Index i = 0; i < rows * columns; ++i) {
        if (!std::isfinite(values[i]))
            throw InputError("", 0, "",
                             "the detector needs finite numbers, but feature " + std::to_string(i % columns + 1)
                                 + " of row " + std::to_string(rowOf(i / columns) + 1) + " is "
                                 + std::to_string(values[i]));
    }
}

} // namespace

void IsolationForest::fit(const FeatureMatrix& data, const IsolationForestParams& params, const Progress& progress)
{
    params.validate();
    checkShape(data.rows(), data.cols());
    // Every row, not only the sampled ones: a matrix fitted on is usually scored next.
    const Eigen::Index blockRows = std::max<Eigen::Index>(1, (Eigen::Index{1} << 20) / data.cols());
    for (Eigen::Index begin = 0; begin < data.rows(); begin += blockRows) {
        progress.check();
        const Eigen::Index count = std::min(blockRows, data.rows() - begin);
        checkFinite(data.data() + begin * data.cols(), count, data.cols(),
                    [&](Eigen::Index row) { return begin + row; });
    }
    fit(MatrixRows(data), params, progress);
}

void IsolationForest::fit(const FeatureRows& data, const IsolationForestParams& params, const Progress& progress)
{
    params.validate();
    const Eigen::Index rows = data.rows();
    const Eigen::Index columns = data.columns();
    checkShape(rows, columns);

    // Like scikit-learn, a maxSamples above the row count means all rows.
    const Eigen::Index wanted = params.maxSamples == 0 ? kAutoMaxSamples : params.maxSamples;
    const int maxSamples = static_cast<int>(std::min<Eigen::Index>(wanted, rows));
    const int depthLimit = ceilLog2(maxSamples);

    std::vector<Tree> trees(static_cast<std::size_t>(params.trees));
    std::atomic<int> grown{0};
    double reported = 0.0;
    const auto caller = std::this_thread::get_id();
    parallelFor(trees.size(), resolveThreads(params.threads), [&](std::size_t index) {
        progress.check();
        Random random(params.seed, index);
        const auto sample = drawSample(rows, maxSamples, random);
        std::vector<float> sampleRows(sample.size() * static_cast<std::size_t>(columns));
        data.gather(sample.data(), static_cast<Eigen::Index>(sample.size()), sampleRows.data());
        checkFinite(sampleRows.data(), static_cast<Eigen::Index>(sample.size()), columns,
                    [&](Eigen::Index j) { return sample[static_cast<std::size_t>(j)]; });
        trees[index] = TreeBuilder(sampleRows.data(), static_cast<Eigen::Index>(sample.size()),
                                   static_cast<int>(columns), depthLimit, random)
                           .build();
        const int done = grown.fetch_add(1, std::memory_order_relaxed) + 1;
        if (std::this_thread::get_id() == caller) {
            const double fraction = static_cast<double>(done) / params.trees;
            if (fraction - reported >= 0.01) {
                reported = fraction;
                progress.report("fit", fraction);
            }
        }
    });
    progress.report("fit", 1.0);

    m_trees = std::move(trees);
    m_maxSamples = maxSamples;
    m_depthLimit = depthLimit;
    m_features = columns;
}

std::vector<double> IsolationForest::scoreSamples(const FeatureMatrix& data, int threads,
                                                  const Progress& progress) const
{
    // The matrix's own rows are walked in place, with no copy.
    const float* values = data.data();
    const Eigen::Index stride = data.cols();
    return scoreBlocks(data.rows(), data.cols(), threads, progress,
                       [&](Eigen::Index begin, Eigen::Index, float*) { return values + begin * stride; });
}

std::vector<double> IsolationForest::scoreSamples(const FeatureRows& data, int threads, const Progress& progress) const
{
    return scoreBlocks(data.rows(), data.columns(), threads, progress,
                       [&](Eigen::Index begin, Eigen::Index count, float* buffer) -> const float* {
                           data.fill(begin, count, buffer);
                           checkFinite(buffer, count, data.columns(), [&](Eigen::Index row) { return begin + row; });
                           return buffer;
                       });
}

template <typename BlockOf>
std::vector<double> IsolationForest::scoreBlocks(Eigen::Index rows, Eigen::Index columns, int threads,
                                                 const Progress& progress, BlockOf blockOf) const
{
    if (!fitted())
        throw std::logic_error("IsolationForest::scoreSamples called before fit");
    if (columns != m_features)
        throw InputError("", 0, "",
                         "the detector was fitted on " + std::to_string(m_features) + " features but got "
                             + std::to_string(columns));
    if (threads < 0)
        throw ParameterError("threads must be 0 (all cores) or a positive count, got " + std::to_string(threads));

    std::vector<double> scores(static_cast<std::size_t>(rows));
    if (rows == 0)
        return scores;

    // scikit-learn divides the summed path lengths once by trees * c(maxSamples).
    const double denominator = static_cast<double>(m_trees.size()) * averagePathLength(m_maxSamples);
    const auto blocks = static_cast<std::size_t>((rows + kBlockRows - 1) / kBlockRows);
    const WideTrees wide = makeWide(m_trees, columns, rows);

    std::atomic<std::size_t> scored{0};
    double reported = 0.0;
    const auto caller = std::this_thread::get_id();
    parallelFor(blocks, resolveThreads(threads), [&](std::size_t block) {
        progress.check();
        const Eigen::Index begin = static_cast<Eigen::Index>(block) * kBlockRows;
        const Eigen::Index count = std::min(kBlockRows, rows - begin);
        thread_local std::vector<float> buffer;
        buffer.resize(static_cast<std::size_t>(kBlockRows * columns));
        const float* blockValues = blockOf(begin, count, buffer.data());
        std::array<double, kBlockRows> pathSums{};
        if (!walkBlockWide(wide, m_trees, blockValues, count, columns, pathSums.data()))
            walkBlock(m_trees, blockValues, count, columns, pathSums.data());
        for (Eigen::Index row = 0; row < count; ++row)
            scores[static_cast<std::size_t>(begin + row)]
                = -std::exp2(-(pathSums[static_cast<std::size_t>(row)] / denominator));

        const std::size_t done = scored.fetch_add(1, std::memory_order_relaxed) + 1;
        if (std::this_thread::get_id() == caller) {
            const double fraction = static_cast<double>(done) / static_cast<double>(blocks);
            if (fraction - reported >= 0.01) {
                reported = fraction;
                progress.report("score", fraction);
            }
        }
    });
    progress.report("score", 1.0);
    return scores;
}

double IsolationForest::attributePath(const float* row, std::vector<double>& credit) const
{
    if (m_trees.empty())
        throw std::logic_error("IsolationForest::attributePath called before fit");
    credit.assign(static_cast<std::size_t>(m_features), 0.0);
    const double average = averagePathLength(m_maxSamples);
    double pathSum = 0.0;
    std::vector<std::uint16_t> used;
    for (const Tree& tree : m_trees) {
        used.clear();
        std::uint32_t index = 0;
        for (;;) {
            const Tree::Node& node = tree.nodes[index];
            if (node.left == index)
                break; // a leaf points to itself
            used.push_back(node.feature);
            index = node.left + (row[node.feature] > node.threshold ? 1u : 0u);
        }
        const double pathLength = tree.pathLength[index];
        pathSum += pathLength;
        const double sooner = average - pathLength;
        if (sooner <= 0.0 || used.empty())
            continue;
        const double perSplit = sooner / static_cast<double>(used.size());
        for (std::uint16_t feature : used)
            credit[feature] += perSplit;
    }
    double total = 0.0;
    for (double share : credit)
        total += share;
    if (total > 0.0) {
        for (double& share : credit)
            share /= total;
    }
    return pathSum / static_cast<double>(m_trees.size());
}

void IsolationForest::attributePaths(const float* rows, std::size_t count, double* credits, double* pathLengths) const
{
    if (m_trees.empty())
        throw std::logic_error("IsolationForest::attributePaths called before fit");
    const auto features = static_cast<std::size_t>(m_features);
    const double average = averagePathLength(m_maxSamples);
    constexpr std::size_t kLanes = 8;
    constexpr std::size_t kMaxSplits = 16; // fit and fromTrees keep a tree's depth to ceil(log2(32768)) = 15
    if (std::any_of(m_trees.begin(), m_trees.end(), [](const Tree& tree) { return tree.depth > int(kMaxSplits); })) {
        std::vector<double> credit;
        for (std::size_t r = 0; r < count; ++r) {
            pathLengths[r] = attributePath(rows + r * features, credit);
            std::copy(credit.begin(), credit.end(), credits + r * features);
        }
        return;
    }
    std::uint16_t used[kLanes][kMaxSplits + 1];
    std::size_t splits[kLanes];
    std::uint32_t index[kLanes];
    double pathSum[kLanes];
    for (std::size_t first = 0; first < count; first += kLanes) {
        const std::size_t lanes = std::min(kLanes, count - first);
        const float* row[kLanes];
        for (std::size_t lane = 0; lane < lanes; ++lane) {
            row[lane] = rows + (first + lane) * features;
            pathSum[lane] = 0.0;
            std::fill_n(credits + (first + lane) * features, features, 0.0);
        }
        for (const Tree& tree : m_trees) {
            const auto depth = static_cast<std::size_t>(tree.depth);
            for (std::size_t lane = 0; lane < lanes; ++lane) {
                index[lane] = 0;
                splits[lane] = 0;
            }
            // depth steps take every row to its leaf; a leaf points to itself with an infinite
            // threshold, so a row that got there stays, and only splits are counted.
            for (std::size_t step = 0; step < depth; ++step) {
                for (std::size_t lane = 0; lane < lanes; ++lane) {
                    const Tree::Node& node = tree.nodes[index[lane]];
                    used[lane][splits[lane]] = node.feature;
                    splits[lane] += node.left != index[lane] ? 1 : 0;
                    index[lane] = node.left + (row[lane][node.feature] > node.threshold ? 1u : 0u);
                }
            }
            for (std::size_t lane = 0; lane < lanes; ++lane) {
                const double pathLength = tree.pathLength[index[lane]];
                pathSum[lane] += pathLength;
                const double sooner = average - pathLength;
                if (sooner <= 0.0 || splits[lane] == 0)
                    continue;
                const double perSplit = sooner / static_cast<double>(splits[lane]);
                double* credit = credits + (first + lane) * features;
                for (std::size_t s = 0; s < splits[lane]; ++s)
                    credit[used[lane][s]] += perSplit;
            }
        }
        for (std::size_t lane = 0; lane < lanes; ++lane) {
            double* credit = credits + (first + lane) * features;
            double total = 0.0;
            for (std::size_t f = 0; f < features; ++f)
                total += credit[f];
            if (total > 0.0) {
                for (std::size_t f = 0; f < features; ++f)
                    credit[f] /= total;
            }
            pathLengths[first + lane] = pathSum[lane] / static_cast<double>(m_trees.size());
        }
    }
}

bool IsolationForest::fitted() const noexcept
{
    return !m_trees.empty();
}

int IsolationForest::treeCount() const noexcept
{
    return static_cast<int>(m_trees.size());
}

int IsolationForest::maxSamples() const noexcept
{
    return m_maxSamples;
}

int IsolationForest::depthLimit() const noexcept
{
    return m_depthLimit;
}

Eigen::Index IsolationForest::featureCount() const noexcept
{
    return m_features;
}

} // namespace webthreat

namespace webthreat {

namespace {
// Checks one tree made elsewhere and computes its depth; throws ParameterError naming the node.
void checkTree(IsolationForest::Tree& tree, std::size_t index, int depthLimit, Eigen::Index features)
{
    const auto where = [&](std::size_t node) {
        return "tree " + std::to_string(index) + ", node " + std::to_string(node) + ": ";
    };
    const std::size_t size = tree.nodes.size();
    if (size == 0 || size > 65535)
        throw ParameterError("tree " + std::to_string(index) + " has " + std::to_string(size)
                             + " nodes; a tree has 1 to 65,535");
    if (tree.pathLength.size() != size)
        throw ParameterError("tree " + std::to_string(index) + " has " + std::to_string(tree.pathLength.size())
                             + " path lengths for " + std::to_string(size) + " nodes");
    std::vector<int> depth(size, -1);
    depth[0] = 0;
    tree.depth = 0;
    for (std::size_t node = 0; node < size; ++node) {
        const IsolationForest::Tree::Node& n = tree.nodes[node];
        if (depth[node] < 0)
            throw ParameterError(where(node) + "no node leads to it");
        if (std::isinf(n.threshold) && n.threshold > 0 && n.left == node) {
            if (!std::isfinite(tree.pathLength[node]) || tree.pathLength[node] < 0)
                throw ParameterError(where(node) + "a leaf's path length must be a finite number, at least 0");
            tree.depth = std::max(tree.depth, depth[node]);
            continue;
        }
        if (!std::isfinite(n.threshold))
            throw ParameterError(where(node) + "the split's threshold is not a finite number");
        if (static_cast<Eigen::Index>(n.feature) >= features)
            throw ParameterError(where(node) + "splits on feature " + std::to_string(n.feature) + " of "
                                 + std::to_string(features));
        if (n.left <= node || static_cast<std::size_t>(n.left) + 1 >= size)
            throw ParameterError(where(node) + "its children " + std::to_string(n.left) + " and "
                                 + std::to_string(n.left + 1) + " must come after it, inside the tree's "
                                 + std::to_string(size) + " nodes");
        for (std::size_t child : {static_cast<std::size_t>(n.left), static_cast<std::size_t>(n.left) + 1}) {
            if (depth[child] >= 0)
                throw ParameterError(where(child) + "has two parents");
            depth[child] = depth[node] + 1;
            if (depth[child] > depthLimit)
                throw ParameterError(where(child) + "is at depth " + std::to_string(depth[child])
                                     + ", deeper than the forest's limit of " + std::to_string(depthLimit));
        }
    }
}
} // namespace

IsolationForest IsolationForest::fromTrees(std::vector<Tree> trees, int maxSamples, Eigen::Index features)
{
    if (trees.empty() || trees.size() > 10000)
        throw ParameterError("a forest has 1 to 10,000 trees, not " + std::to_string(trees.size()));
    if (maxSamples < 1 || maxSamples > 32768)
        throw ParameterError("max samples is 1 to 32,768, not " + std::to_string(maxSamples));
    if (features < 1 || features > 65535)
        throw ParameterError("a forest has 1 to 65,535 features, not " + std::to_string(features));
    const int depthLimit = ceilLog2(maxSamples);
    for (std::size_t index = 0; index < trees.size(); ++index)
        checkTree(trees[index], index, depthLimit, features);
    IsolationForest forest;
    forest.m_trees = std::move(trees);
    forest.m_maxSamples = maxSamples;
    forest.m_depthLimit = depthLimit;
    forest.m_features = features;
    return forest;
}

} // namespace webthreat

#include "ui/charts/chartbinning.h"

#include "core/table/stringpool.h"
#include "core/table/traffictable.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <unordered_map>

namespace webthreat {

namespace {

// log10 of exact powers of ten can land a hair below the integer; this keeps 1000 in the bin
// that starts at 1000.
constexpr double kEdgeTolerance = 1e-9;

int stepOf(double value, int binsPerDecade) noexcept
{
    return static_cast<int>(std::floor(std::log10(value) * binsPerDecade + kEdgeTolerance));
}

} // namespace

std::uint16_t LogBinning::binOf(double value) const noexcept
{
    if (std::isnan(value) || value < 0.0)
        return kNoBin;
    if (value == 0.0)
        return zeroBin ? 0 : kNoBin;
    if (positiveBins <= 0)
        return kNoBin;
    const int bin = std::clamp(stepOf(value, binsPerDecade) - firstStep, 0, positiveBins - 1);
    return static_cast<std::uint16_t>(firstPositiveBin() + bin);
}

double LogBinning::lowerEdge(int bin) const noexcept
{
    return std::pow(10.0, static_cast<double>(firstStep + bin - firstPositiveBin()) / binsPerDecade);
}

double LogBinning::upperEdge(int bin) const noexcept
{
    return lowerEdge(bin + 1);
}

double LogBinning::position(double value) const noexcept
{
    return firstPositiveBin() + (std::log10(value) * binsPerDecade - firstStep) - 0.5;
}

LogBinning LogBinning::forRange(double minPositive, double maxValue, bool hasZeros, int binsPerDecade)
{
    LogBinning binning;
    binning.zeroBin = hasZeros;
    binning.binsPerDecade = std::max(1, binsPerDecade);
    if (minPositive > 0.0 && maxValue >= minPositive) {
        binning.firstStep = stepOf(minPositive, binning.binsPerDecade);
        // The last bin must hold maxValue itself, so it ends one step above maxValue's step.
        binning.positiveBins = stepOf(maxValue, binning.binsPerDecade) + 1 - binning.firstStep;
    }
    return binning;
}

LogBinning LogBinning::forValues(Cells<std::int64_t>::View values, int maxBins)
{
    bool hasZeros = false;
    std::int64_t minPositive = std::numeric_limits<std::int64_t>::max();
    std::int64_t maxValue = 0;
    for (const std::int64_t value : values) {
        if (value == kMissingInteger || value < 0)
            continue;
        if (value == 0) {
            hasZeros = true;
            continue;
        }
        minPositive = std::min(minPositive, value);
        maxValue = std::max(maxValue, value);
    }
    if (maxValue == 0)
        return forRange(0.0, 0.0, hasZeros, 1);
    for (const int perDecade : {10, 5, 4, 2}) {
        const LogBinning candidate
            = forRange(static_cast<double>(minPositive), static_cast<double>(maxValue), hasZeros, perDecade);
        if (candidate.positiveBins <= maxBins)
            return candidate;
    }
    return forRange(static_cast<double>(minPositive), static_cast<double>(maxValue), hasZeros, 1);
}

std::uint16_t LinearBinning::binOf(double value) const noexcept
{
    if (std::isnan(value))
        return kNoBin;
    const double step = std::floor((value - start) / width + kEdgeTolerance);
    return static_cast<std::uint16_t>(std::clamp(step, 0.0, static_cast<double>(bins - 1)));
}

LinearBinning LinearBinning::forRange(double minValue, double maxValue, int targetBins)
{
    LinearBinning binning;
    const double span = maxValue - minValue;
    // One value only: a bin a hundredth of its size (or 0.01) wide, so that it still reads.
    const double rough = span > 0.0 ? span / std::max(1, targetBins) : std::max(std::fabs(minValue) * 0.01, 0.01);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    binning.width = 10.0 * magnitude;
    for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (factor * magnitude >= rough * (1.0 - kEdgeTolerance)) {
            binning.width = factor * magnitude;
            break;
        }
    }
    binning.start = std::floor(minValue / binning.width + kEdgeTolerance) * binning.width;
    binning.bins
        = std::max(1, static_cast<int>(std::floor((maxValue - binning.start) / binning.width + kEdgeTolerance)) + 1);
    return binning;
}

namespace {

// Ranks keys by count (ties by the caller's order) and assigns each row its category.
template <typename Less>
CategoryBreakdown rankCategories(const std::vector<std::uint32_t>& rowKeys, std::vector<std::uint64_t> keyCounts,
                                 std::size_t topN, Less keyLess, const std::vector<QString>& keyLabels)
{
    std::vector<std::uint32_t> order;
    for (std::uint32_t key = 0; key < keyCounts.size(); ++key) {
        if (keyCounts[key] > 0)
            order.push_back(key);
    }
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return keyCounts[a] != keyCounts[b] ? keyCounts[a] > keyCounts[b] : keyLess(a, b);
    });

    // "Other (1 value)" would hide a value for nothing: the cap applies from two values over it.
    const std::size_t shown = order.size() <= topN + 1 ? order.size() : topN;
    CategoryBreakdown breakdown;
    breakdown.hasOther = shown < order.size();
    const std::size_t otherIndex = shown;
    std::vector<std::uint16_t> keyCategory(keyCounts.size(), static_cast<std::uint16_t>(otherIndex));
    for (std::size_t i = 0; i < shown; ++i) {
        keyCategory[order[i]] = static_cast<std::uint16_t>(i);
        breakdown.labels.append(keyLabels[order[i]]);
        breakdown.totals.push_back(keyCounts[order[i]]);
    }
    if (breakdown.hasOther) {
        std::uint64_t otherRows = 0;
        for (std::size_t i = shown; i < order.size(); ++i)
            otherRows += keyCounts[order[i]];
        const std::size_t otherValues = order.size() - shown;
        breakdown.labels.append(QStringLiteral("Other (%1)").arg(otherValues));
        breakdown.otherValues = otherValues;
        breakdown.totals.push_back(otherRows);
    }
    breakdown.rowCategory.resize(rowKeys.size());
    for (std::size_t row = 0; row < rowKeys.size(); ++row)
        breakdown.rowCategory[row] = keyCategory[rowKeys[row]];
    return breakdown;
}

QString missingLabel()
{
    return QStringLiteral("(missing)");
}

} // namespace

CategoryBreakdown categorizeText(const Column& column, const StringPool& strings, std::size_t topN)
{
    // Interned ids are dense, so a vector indexed by id counts without hashing.
    std::vector<std::uint64_t> counts(strings.size(), 0);
    std::vector<std::uint32_t> rowKeys(column.text.size());
    for (std::size_t row = 0; row < column.text.size(); ++row) {
        const std::uint32_t id = column.text[row];
        rowKeys[row] = id;
        ++counts[id];
    }
    std::vector<QString> labels(strings.size());
    for (std::uint32_t id = 0; id < strings.size(); ++id) {
        if (counts[id] == 0)
            continue;
        const std::string_view text = strings.view(id);
        labels[id] = id == StringPool::kMissing ? missingLabel()
                                                : QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    }
    return rankCategories(
        rowKeys, std::move(counts), topN, [&](std::uint32_t a, std::uint32_t b) { return labels[a] < labels[b]; },
        labels);
}

CategoryBreakdown categorizeIntegers(Cells<std::int64_t>::View values, std::size_t topN)
{
    std::unordered_map<std::int64_t, std::uint32_t> keyOf;
    std::vector<std::int64_t> keyValues;
    std::vector<std::uint64_t> counts;
    std::vector<std::uint32_t> rowKeys(values.size());
    for (std::size_t row = 0; row < values.size(); ++row) {
        const auto [it, inserted] = keyOf.try_emplace(values[row], static_cast<std::uint32_t>(keyValues.size()));
        if (inserted) {
            keyValues.push_back(values[row]);
            counts.push_back(0);
        }
        rowKeys[row] = it->second;
        ++counts[it->second];
    }
    std::vector<QString> labels(keyValues.size());
    for (std::size_t key = 0; key < keyValues.size(); ++key)
        labels[key] = keyValues[key] == kMissingInteger ? missingLabel() : QString::number(keyValues[key]);
    // Missing sorts after every real value among equals.
    return rankCategories(
        rowKeys, std::move(counts), topN,
        [&](std::uint32_t a, std::uint32_t b) {
            const auto rank
                = [](std::int64_t v) { return v == kMissingInteger ? std::numeric_limits<std::int64_t>::max() : v; };
            return rank(keyValues[a]) < rank(keyValues[b]);
        },
        labels);
}

SplitCounts countSplit(std::span<const std::uint16_t> rowBins, int binCount, std::span<const std::uint8_t> suspicious,
                       std::span<const std::uint8_t> kept)
{
    const auto bins = static_cast<std::size_t>(std::max(binCount, 0));
    // Plain integer counters first: QList<qreal> increments would be slower and lose exactness
    // beyond 2^53 rows, which no one has, but integers are also what the test compares.
    std::vector<std::uint64_t> normal(bins, 0);
    std::vector<std::uint64_t> flagged(bins, 0);
    const bool split = suspicious.size() == rowBins.size();
    const bool narrowed = kept.size() == rowBins.size();
    for (std::size_t row = 0; row < rowBins.size(); ++row) {
        const std::uint16_t bin = rowBins[row];
        if (bin >= bins || (narrowed && kept[row] == 0))
            continue;
        if (split && suspicious[row] != 0)
            ++flagged[bin];
        else
            ++normal[bin];
    }
    SplitCounts counts;
    counts.normal.reserve(static_cast<qsizetype>(bins));
    counts.suspicious.reserve(static_cast<qsizetype>(bins));
    for (std::size_t bin = 0; bin < bins; ++bin) {
        counts.normal.append(static_cast<qreal>(normal[bin]));
        counts.suspicious.append(static_cast<qreal>(flagged[bin]));
        counts.normalTotal += normal[bin];
        counts.suspiciousTotal += flagged[bin];
    }
    return counts;
}

std::vector<std::uint8_t> sampleRows(std::size_t rows, std::size_t target, std::uint64_t seed)
{
    std::vector<std::uint8_t> keep(rows, 1);
    if (rows <= target)
        return keep;
    // Knuth's selection sampling: exactly target rows, spread evenly in expectation, and the
    // same rows every time (mt19937_64's sequence is fixed by the standard).
    std::mt19937_64 generator(seed);
    std::size_t needed = target;
    for (std::size_t row = 0; row < rows; ++row) {
        const std::size_t remaining = rows - row;
        const double u = static_cast<double>(generator() >> 11) * 0x1.0p-53;
        if (static_cast<double>(remaining) * u < static_cast<double>(needed)) {
            --needed;
        } else {
            keep[row] = 0;
        }
    }
    return keep;
}

qsizetype ScatterPoints::rowOf(qsizetype index) const
{
    if (index < 0 || index >= points.size())
        return -1;
    return static_cast<qsizetype>(rows[static_cast<std::size_t>(index)]);
}

qsizetype ScatterPoints::countAt(qsizetype index) const
{
    if (index < 0 || index >= points.size())
        return 0;
    return std::count(points.cbegin(), points.cend(), points[index]);
}

ScatterPoints buildScatterPoints(Cells<std::int64_t>::View bytesIn, Cells<std::int64_t>::View bytesOut,
                                 std::span<const std::size_t> rows, std::size_t* skipped)
{
    ScatterPoints result;
    result.points.reserve(static_cast<qsizetype>(rows.size()));
    result.rows.reserve(rows.size());
    std::size_t left = 0;
    for (const std::size_t row : rows) {
        const std::int64_t in = bytesIn[row];
        const std::int64_t out = bytesOut[row];
        if (in == kMissingInteger || out == kMissingInteger) {
            ++left;
            continue;
        }
        result.points.append(QPointF(std::max(static_cast<double>(in), kScatterFloor),
                                     std::max(static_cast<double>(out), kScatterFloor)));
        result.rows.push_back(row);
    }
    if (skipped)
        *skipped = left;
    return result;
}

} // namespace webthreat

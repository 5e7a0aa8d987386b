#pragma once

// The counting behind the charts: bins, categories, Normal/Suspicious splits and the scatter's
// sample. Plain functions over core's columns so that they can be tested on hand-made inputs and
// so that a moved threshold only recounts precomputed per-row indices.

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include "core/table/cells.h"

#include <cstdint>
#include <span>
#include <vector>

namespace webthreat {

struct Column;
class StringPool;

// A row that falls in no bin or category (missing value, negative bytes): not counted.
inline constexpr std::uint16_t kNoBin = 0xFFFF;

// Log-spaced bins for heavy-tailed non-negative values (bytes). Positive bins have edges at
// 10^(k / binsPerDecade), so decades fall on bin edges and can be labelled there. Zero has no
// logarithm: when zeros exist they get bin 0, bin 1 is left empty as a visual gap, and the
// positive bins follow.
struct LogBinning {
    bool zeroBin = false;
    int binsPerDecade = 1;
    int firstStep = 0; // the first positive bin starts at 10^(firstStep / binsPerDecade)
    int positiveBins = 0;

    int firstPositiveBin() const noexcept { return zeroBin ? 2 : 0; }
    int binCount() const noexcept { return firstPositiveBin() + positiveBins; }
    // kNoBin for NaN and negative values.
    std::uint16_t binOf(double value) const noexcept;
    // Edges of a positive bin (bin >= firstPositiveBin()).
    double lowerEdge(int bin) const noexcept;
    double upperEdge(int bin) const noexcept;
    // Where a positive value lies on the bar axis, on which bin i spans [i - 0.5, i + 0.5].
    double position(double value) const noexcept;

    // The bins covering [minPositive, maxValue] (minPositive <= 0 when there are only zeros).
    static LogBinning forRange(double minPositive, double maxValue, bool hasZeros, int binsPerDecade);
    // The finest of 10, 5, 4, 2 or 1 bins per decade that keeps at most maxBins positive bins.
    // Missing values (kMissingInteger) and negative values are ignored.
    static LogBinning forValues(Cells<std::int64_t>::View values, int maxBins = 36);
};

// Equal-width bins with a round width (1, 2, 2.5 or 5 times a power of ten) whose edges are
// multiples of it: for the anomaly scores.
struct LinearBinning {
    double start = 0.0;
    double width = 1.0;
    int bins = 1;

    // Values outside the range go to the first or last bin; NaN to kNoBin.
    std::uint16_t binOf(double value) const noexcept;
    double position(double value) const noexcept { return (value - start) / width - 0.5; }
    double lowerEdge(int bin) const noexcept { return start + width * bin; }
    double upperEdge(int bin) const noexcept { return start + width * (bin + 1); }

    static LinearBinning forRange(double minValue, double maxValue, int targetBins);
};

// The categories of one column, most rows first, capped at topN plus "Other (N)" for the N
// remaining values (only when N >= 2: one more value is simply shown).
struct CategoryBreakdown {
    QStringList labels;
    std::vector<std::uint64_t> totals; // rows per label
    std::vector<std::uint16_t> rowCategory; // per row: an index into labels (never kNoBin)
    bool hasOther = false;
    std::size_t otherValues = 0; // distinct values folded into "Other"
};

// Text column (protocol, country): a missing cell is the category "(missing)". Ties in count
// are broken alphabetically so that the order is stable.
CategoryBreakdown categorizeText(const Column& column, const StringPool& strings, std::size_t topN);
// Integer column (destination port): ties broken by value.
CategoryBreakdown categorizeIntegers(Cells<std::int64_t>::View values, std::size_t topN);
inline CategoryBreakdown categorizeIntegers(const std::vector<std::int64_t>& values, std::size_t topN)
{
    return categorizeIntegers(Cells<std::int64_t>::View(values), topN);
}

// Rows per bin, split by verdict. suspicious may be empty (no detection yet): every row counts
// as Normal. kept (one byte per row, 0 = left out; empty: every row) narrows the count to the
// view filter's rows.
struct SplitCounts {
    QList<qreal> normal;
    QList<qreal> suspicious;
    std::uint64_t normalTotal = 0;
    std::uint64_t suspiciousTotal = 0;
};
SplitCounts countSplit(std::span<const std::uint16_t> rowBins, int binCount, std::span<const std::uint8_t> suspicious,
                       std::span<const std::uint8_t> kept = {});

// A deterministic sample of about target of rows rows (selection sampling with a fixed seed):
// 1 = keep. Every row is kept when rows <= target. The same inputs give the same sample.
std::vector<std::uint8_t> sampleRows(std::size_t rows, std::size_t target, std::uint64_t seed = 42);

// The scatter draws bytes on log axes, where 0 has no place: it is drawn at this floor instead.
inline constexpr double kScatterFloor = 1.0;

// The points of one scatter series and the table row behind each, in drawing order.
struct ScatterPoints {
    QList<QPointF> points;
    std::vector<std::size_t> rows;

    // The table row behind the point at index (the scatter's click and hover report indices);
    // -1 when index is out of range.
    qsizetype rowOf(qsizetype index) const;
    // How many points sit exactly where the point at index does (duplicated byte counts).
    qsizetype countAt(qsizetype index) const;
};

// Builds the points for the given rows, in that order; rows missing either byte count are left
// out (skipped counts them).
ScatterPoints buildScatterPoints(Cells<std::int64_t>::View bytesIn, Cells<std::int64_t>::View bytesOut,
                                 std::span<const std::size_t> rows, std::size_t* skipped = nullptr);

} // namespace webthreat

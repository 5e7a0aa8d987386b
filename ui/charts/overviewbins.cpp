#include "ui/charts/overviewbins.h"

#include "core/pipeline.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/overviewcharts.h"

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {

// Enough to name the protocols, countries and ports that matter in a real export, while a
// 1000x650 grid still gives each bar a line of its own.
constexpr std::size_t kTopCategories = 15;

QString tr(const char* text)
{
    return OverviewCharts::tr(text);
}

QString scoreText(double score, int decimals = 3)
{
    return QString::number(score, 'f', decimals);
}

// Fills totals and maxTotal from rowBins.
void countTotals(BarChartBins& chart)
{
    chart.totals.assign(static_cast<std::size_t>(std::max(chart.binCount, 0)), 0);
    for (const std::uint16_t bin : chart.rowBins) {
        if (bin < chart.totals.size())
            ++chart.totals[bin];
    }
    chart.maxTotal
        = chart.totals.empty() ? 0.0 : static_cast<double>(*std::max_element(chart.totals.begin(), chart.totals.end()));
}

BarChartBins bytesBins(Cells<std::int64_t>::View values, const QString& what)
{
    BarChartBins chart;
    const LogBinning binning = LogBinning::forValues(values);
    std::size_t missing = 0;
    for (const std::int64_t value : values)
        missing += value == kMissingInteger || value < 0;
    if (binning.binCount() == 0) {
        chart.message = tr("No %1 values to chart").arg(what.toLower());
        return chart;
    }

    QList<QPair<double, QString>>& labels = chart.positionLabels;
    if (binning.zeroBin) {
        chart.descriptions << tr("0 bytes") << QString();
        labels.append({0.0, QStringLiteral("0")});
        // 0 has no place on a log scale: it stands apart, past a break, not a decade below the rest.
        chart.axisBreak = 1.0;
    }
    for (int bin = binning.firstPositiveBin(); bin < binning.binCount(); ++bin) {
        chart.descriptions << tr("%1 to %2 bytes")
                                  .arg(chartstyle::compactNumber(binning.lowerEdge(bin)),
                                       chartstyle::compactNumber(binning.upperEdge(bin)));
    }
    if (binning.positiveBins > 0) {
        const double lowLog = static_cast<double>(binning.firstStep) / binning.binsPerDecade;
        const double highLog = static_cast<double>(binning.firstStep + binning.positiveBins) / binning.binsPerDecade;
        const int firstDecade = static_cast<int>(std::ceil(lowLog - 1e-9));
        const int lastDecade = static_cast<int>(std::floor(highLog + 1e-9));
        // About six labels fit under a third of a laptop screen; skip decades beyond that.
        const int stride = std::max(1, (lastDecade - firstDecade + 6) / 6);
        int decades = 0;
        for (int decade = firstDecade; decade <= lastDecade; decade += stride) {
            const double value = std::pow(10.0, decade);
            const double position = binning.position(value);
            // Keep clear of the "0" label of the zero bin.
            if (binning.zeroBin && position < 2.6)
                continue;
            labels.append({position, chartstyle::compactNumber(value)});
            ++decades;
        }
        if (decades < 2) {
            // A narrow range crosses no decade (or one): label the ends of the positive bins instead.
            const int first = binning.firstPositiveBin();
            const int last = binning.binCount() - 1;
            labels.append({first - 0.5, chartstyle::compactNumber(binning.lowerEdge(first))});
            labels.append({last + 0.5, chartstyle::compactNumber(binning.upperEdge(last))});
            std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        }
    }

    chart.axisTitle = binning.zeroBin ? tr("%1 (log scale, 0 set apart)").arg(what) : tr("%1 (log scale)").arg(what);
    if (missing > 0)
        chart.axisTitle += tr(", %1 missing not shown").arg(chartstyle::groupedCount(missing));
    chart.binCount = binning.binCount();
    chart.rowBins.assign(values.size(), kNoBin);
    for (std::size_t row = 0; row < values.size(); ++row) {
        if (values[row] != kMissingInteger)
            chart.rowBins[row] = binning.binOf(static_cast<double>(values[row]));
    }
    countTotals(chart);
    return chart;
}

BarChartBins categoryBins(CategoryBreakdown breakdown, const QString& what)
{
    BarChartBins chart;
    chart.axis = BarChartBins::Axis::Categories;
    const int count = static_cast<int>(breakdown.labels.size());
    if (count == 0) {
        chart.message = tr("No %1 values to chart").arg(what.toLower());
        return chart;
    }
    // Horizontal bars are laid out bottom-up; reverse them so the largest is on top.
    for (int i = count - 1; i >= 0; --i) {
        chart.categoryLabels << breakdown.labels[i];
        const bool other = breakdown.hasOther && i == count - 1;
        chart.descriptions << (other ? tr("%1 other values").arg(breakdown.otherValues) : breakdown.labels[i]);
    }
    chart.rowBins = std::move(breakdown.rowCategory);
    for (std::uint16_t& bin : chart.rowBins)
        bin = static_cast<std::uint16_t>(count - 1 - bin);
    chart.binCount = count;
    chart.axisTitle = what;
    countTotals(chart);
    return chart;
}

BarChartBins scoreBins(const Detection& detection, LinearBinning& scoreBinning)
{
    BarChartBins chart;
    if (detection.scores.size() == 0) {
        chart.message = tr("No scores to chart");
        return chart;
    }
    const double low = detection.scores.minimum();
    const double high = detection.scores.maximum();
    // Rice's rule, bounded: a few hundred rows get a dozen bins, a million get fifty.
    const int targetBins
        = std::clamp(static_cast<int>(2.0 * std::cbrt(static_cast<double>(detection.scores.size()))), 12, 50);
    scoreBinning = LinearBinning::forRange(low, high, targetBins);

    chart.rowBins.resize(detection.scores.size());
    const std::vector<double>& rowScores = detection.scores.scores();
    for (std::size_t row = 0; row < rowScores.size(); ++row)
        chart.rowBins[row] = scoreBinning.binOf(rowScores[row]);

    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(scoreBinning.width) + 1e-9)) + 1);
    for (int bin = 0; bin < scoreBinning.bins; ++bin) {
        chart.descriptions << tr("Score %1 to %2")
                                  .arg(scoreText(scoreBinning.lowerEdge(bin), decimals),
                                       scoreText(scoreBinning.upperEdge(bin), decimals));
    }

    // Round tick values a few bins apart, labelled with as many decimals as the step needs.
    const double span = scoreBinning.width * scoreBinning.bins;
    double tickStep = scoreBinning.width;
    for (const int multiple : {1, 2, 4, 5, 10, 20, 25, 50}) {
        tickStep = scoreBinning.width * multiple;
        if (span / tickStep <= 5.0)
            break;
    }
    const int tickDecimals
        = std::max(0,
                   static_cast<int>(-std::floor(std::log10(tickStep) + 1e-9))
                       + (std::fabs(tickStep / std::pow(10.0, std::floor(std::log10(tickStep))) - 2.5) < 1e-6 ? 1 : 0));
    const double firstTick = std::ceil(scoreBinning.start / tickStep - 1e-9) * tickStep;
    for (double tick = firstTick; tick <= scoreBinning.start + span + 1e-9; tick += tickStep)
        chart.positionLabels.append(
            {scoreBinning.position(tick), scoreText(std::fabs(tick) < 1e-12 ? 0.0 : tick, tickDecimals)});

    chart.axisTitle = tr("Anomaly score (lower = more anomalous)");
    chart.binCount = scoreBinning.bins;
    countTotals(chart);
    return chart;
}

} // namespace

OverviewBins computeOverviewBins(const PreparedData& data, const Detection* detection)
{
    OverviewBins bins;
    bins.data = &data;
    const TrafficTable& table = data.table;
    if (detection && detection->scores.size() == table.rowCount())
        bins.detection = detection;
    bins.charts[OverviewBins::BytesIn] = bytesBins(table.column(Field::BytesIn).integers, tr("Bytes in"));
    bins.charts[OverviewBins::BytesOut] = bytesBins(table.column(Field::BytesOut).integers, tr("Bytes out"));
    bins.charts[OverviewBins::Protocols]
        = categoryBins(categorizeText(table.column(Field::Protocol), *table.strings, kTopCategories), tr("Protocol"));
    bins.charts[OverviewBins::Countries] = categoryBins(
        categorizeText(table.column(Field::SrcIpCountryCode), *table.strings, kTopCategories), tr("Source country"));
    bins.charts[OverviewBins::Ports] = categoryBins(
        categorizeIntegers(table.column(Field::DstPort).integers, kTopCategories), tr("Destination port"));
    if (bins.detection)
        bins.charts[OverviewBins::Scores] = scoreBins(*bins.detection, bins.scoreBinning);
    else
        bins.charts[OverviewBins::Scores].message = tr("Run the detector to see anomaly scores");
    return bins;
}

namespace {

// A split of bins with no counts yet: verdicts kept (and *suspicious their flags) when they are
// for the bins' rows.
OverviewSplit emptySplit(const OverviewBins& bins, const Verdicts* verdicts, std::span<const std::uint8_t>* suspicious)
{
    OverviewSplit split;
    split.bins = &bins;
    const std::size_t rows = bins.data ? bins.data->table.rowCount() : 0;
    if (verdicts && verdicts->suspicious.size() == rows) {
        split.verdicts = verdicts;
        *suspicious = verdicts->suspicious;
    }
    return split;
}

} // namespace

OverviewSplit computeOverviewSplit(const OverviewBins& bins, const Verdicts* verdicts)
{
    std::span<const std::uint8_t> suspicious;
    OverviewSplit split = emptySplit(bins, verdicts, &suspicious);
    const std::size_t rows = bins.data ? bins.data->table.rowCount() : 0;
    // The suspicious rows are the first suspiciousCount of the ranking (applyThreshold marks
    // exactly those); checked as they are walked, with the full count as the fallback.
    std::vector<std::uint32_t> flaggedRows;
    if (split.verdicts && bins.detection && bins.detection->scores.size() == rows) {
        const std::vector<std::uint32_t>& ranked = bins.detection->scores.rankedRows();
        const std::size_t count = std::min(verdicts->suspiciousCount, ranked.size());
        flaggedRows.assign(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count));
        const bool prefix = std::all_of(flaggedRows.begin(), flaggedRows.end(),
                                        [&](std::uint32_t row) { return verdicts->isSuspicious(row); });
        if (!prefix)
            flaggedRows.clear();
    }
    const bool fromRanking = !flaggedRows.empty() || (split.verdicts && verdicts->suspiciousCount == 0);
    for (std::size_t chart = 0; chart < bins.charts.size(); ++chart) {
        const BarChartBins& source = bins.charts[chart];
        if (!source.message.isEmpty())
            continue;
        if (!fromRanking || source.totals.size() != static_cast<std::size_t>(source.binCount)) {
            split.counts[chart] = countSplit(source.rowBins, source.binCount, suspicious);
            continue;
        }
        std::vector<std::uint64_t> flagged(source.totals.size(), 0);
        for (const std::uint32_t row : flaggedRows) {
            const std::uint16_t bin = source.rowBins[row];
            if (bin < flagged.size())
                ++flagged[bin];
        }
        SplitCounts& counts = split.counts[chart];
        for (std::size_t bin = 0; bin < flagged.size(); ++bin) {
            const std::uint64_t normal = source.totals[bin] - flagged[bin];
            counts.normal.append(static_cast<qreal>(normal));
            counts.suspicious.append(static_cast<qreal>(flagged[bin]));
            counts.normalTotal += normal;
            counts.suspiciousTotal += flagged[bin];
        }
    }
    return split;
}

OverviewSplit computeOverviewSplit(const OverviewBins& bins, const Verdicts* verdicts,
                                   const std::vector<std::uint8_t>& kept)
{
    std::span<const std::uint8_t> suspicious;
    OverviewSplit split = emptySplit(bins, verdicts, &suspicious);
    for (std::size_t chart = 0; chart < bins.charts.size(); ++chart) {
        const BarChartBins& source = bins.charts[chart];
        if (source.message.isEmpty())
            split.counts[chart] = countSplit(source.rowBins, source.binCount, suspicious, kept);
    }
    return split;
}

} // namespace webthreat

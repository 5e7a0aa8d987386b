#include "ui/charts/overviewcharts.h"

#include "ui/charts/chartbinning.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/splitbarchart.h"
#include "ui/charts/workbenchchart.h"

#include <QBarCategoryAxis>
#include <QCategoryAxis>
#include <QGridLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QPointer>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {

// Enough to name the protocols, countries and ports that matter in a real export, while a
// 1000x650 grid still gives each bar a line of its own.
constexpr std::size_t kTopCategories = 15;

QString noDataMessage() { return QObject::tr("Open a CSV file to see charts"); }
QString noRowsMessage() { return QObject::tr("No rows to chart: none are left after cleaning"); }

// A linear axis over bar positions (bar i spans [i - 0.5, i + 0.5]) whose labels sit at chosen
// positions: log-spaced bins get decade labels, score bins round score values.
QCategoryAxis* makePositionAxis(int binCount, const QList<QPair<double, QString>>& labels, const QString& title)
{
    auto* axis = new QCategoryAxis;
    chartstyle::styleAxis(axis, title);
    // One or two bins (every row the same size) would otherwise swell into a slab across the
    // whole plot; empty room either side keeps them looking like bars of a histogram.
    constexpr int minimumSpan = 7;
    const double padding = std::max(0, minimumSpan - std::max(binCount, 1)) / 2.0;
    const double low = -0.5 - padding;
    const double high = std::max(binCount, 1) - 0.5 + padding;
    axis->setRange(low, high);
    // A label exactly at the axis start needs a category that ends there, and a category's end
    // must lie beyond the start value: start a hair earlier.
    axis->setStartValue(low - 1e-6);
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    double last = low - 1.0;
    for (const auto& [position, text] : labels) {
        if (position < low - 1e-9 || position > high + 1e-9 || position <= last || axis->categoriesLabels().contains(text))
            continue;
        axis->append(text, position);
        last = position;
    }
    return axis;
}

std::vector<std::uint16_t> rowBinsOf(const std::vector<std::int64_t>& values, const LogBinning& binning)
{
    std::vector<std::uint16_t> bins(values.size(), kNoBin);
    for (std::size_t row = 0; row < values.size(); ++row) {
        if (values[row] != kMissingInteger)
            bins[row] = binning.binOf(static_cast<double>(values[row]));
    }
    return bins;
}

QString scoreText(double score, int decimals = 3) { return QString::number(score, 'f', decimals); }

} // namespace

struct OverviewCharts::Charts {
    explicit Charts(OverviewCharts* owner);

    void showMessage(const QString& text);
    void setBytes(SplitBarChart& chart, const std::vector<std::int64_t>& values, const QString& what);
    void setCategories(SplitBarChart& chart, CategoryBreakdown breakdown, const QString& what);
    void setScores(const Detection& detection);
    void applyVerdicts(const AnalysisSnapshot& snapshot);

    ChartView* bytesInView;
    ChartView* bytesOutView;
    ChartView* scoreView;
    ChartView* protocolView;
    ChartView* countryView;
    ChartView* portView;
    SplitBarChart bytesIn;
    SplitBarChart bytesOut;
    SplitBarChart scores;
    SplitBarChart protocols;
    SplitBarChart countries;
    SplitBarChart ports;
    LinearBinning scoreBinning;
    QPointer<QLineSeries> thresholdLine;

    // What the charts were built from: updateVerdicts rebuilds when these are not the same.
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const Detection> detection;
};

OverviewCharts::Charts::Charts(OverviewCharts* owner)
    : bytesInView(new ChartView(QStringLiteral("bytes_in_histogram"), tr("Bytes in"), owner))
    , bytesOutView(new ChartView(QStringLiteral("bytes_out_histogram"), tr("Bytes out"), owner))
    , scoreView(new ChartView(QStringLiteral("score_histogram"), tr("Anomaly scores"), owner))
    , protocolView(new ChartView(QStringLiteral("protocol_counts"), tr("Rows by protocol"), owner))
    , countryView(new ChartView(QStringLiteral("country_counts"), tr("Rows by source country"), owner))
    , portView(new ChartView(QStringLiteral("port_counts"), tr("Rows by destination port"), owner))
    , bytesIn(bytesInView, SplitBarChart::Orientation::Vertical)
    , bytesOut(bytesOutView, SplitBarChart::Orientation::Vertical)
    , scores(scoreView, SplitBarChart::Orientation::Vertical)
    , protocols(protocolView, SplitBarChart::Orientation::Horizontal)
    , countries(countryView, SplitBarChart::Orientation::Horizontal)
    , ports(portView, SplitBarChart::Orientation::Horizontal)
{
}

void OverviewCharts::Charts::showMessage(const QString& text)
{
    for (SplitBarChart* chart : {&bytesIn, &bytesOut, &scores, &protocols, &countries, &ports})
        chart->showMessage(text);
}

void OverviewCharts::Charts::setBytes(SplitBarChart& chart, const std::vector<std::int64_t>& values,
                                      const QString& what)
{
    const LogBinning binning = LogBinning::forValues(values);
    std::size_t missing = 0;
    for (const std::int64_t value : values)
        missing += value == kMissingInteger || value < 0;
    if (binning.binCount() == 0) {
        chart.showMessage(tr("No %1 values to chart").arg(what.toLower()));
        return;
    }

    QStringList descriptions;
    QList<QPair<double, QString>> labels;
    if (binning.zeroBin) {
        descriptions << tr("0 bytes") << QString();
        labels.append({0.0, QStringLiteral("0")});
    }
    for (int bin = binning.firstPositiveBin(); bin < binning.binCount(); ++bin) {
        descriptions << tr("%1 to %2 bytes")
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
            std::sort(labels.begin(), labels.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
        }
    }

    QString axisTitle = tr("%1 (log scale)").arg(what);
    if (missing > 0)
        axisTitle += tr(", %1 missing not shown").arg(chartstyle::groupedCount(missing));
    QCategoryAxis* axis = makePositionAxis(binning.binCount(), labels, axisTitle);
    chart.setRows(rowBinsOf(values, binning), binning.binCount(), descriptions, axis, tr("Rows"));
}

void OverviewCharts::Charts::setCategories(SplitBarChart& chart, CategoryBreakdown breakdown, const QString& what)
{
    const int count = static_cast<int>(breakdown.labels.size());
    if (count == 0) {
        chart.showMessage(tr("No %1 values to chart").arg(what.toLower()));
        return;
    }
    // Horizontal bars are laid out bottom-up; reverse them so the largest is on top.
    QStringList labels;
    QStringList descriptions;
    for (int i = count - 1; i >= 0; --i) {
        labels << breakdown.labels[i];
        const bool other = breakdown.hasOther && i == count - 1;
        descriptions << (other ? tr("%1 other values").arg(breakdown.otherValues) : breakdown.labels[i]);
    }
    std::vector<std::uint16_t> rowBins = std::move(breakdown.rowCategory);
    for (std::uint16_t& bin : rowBins)
        bin = static_cast<std::uint16_t>(count - 1 - bin);

    auto* axis = new QBarCategoryAxis;
    chartstyle::styleAxis(axis, what);
    axis->append(labels);
    chart.setRows(std::move(rowBins), count, descriptions, axis, tr("Rows"));
    chart.chart()->setUnelidedCategoryLabels(axis);
}

void OverviewCharts::Charts::setScores(const Detection& detection)
{
    if (detection.scores.size() == 0) {
        scores.showMessage(tr("No scores to chart"));
        return;
    }
    const double low = detection.scores.minimum();
    const double high = detection.scores.maximum();
    // Rice's rule, bounded: a few hundred rows get a dozen bins, a million get fifty.
    const int targetBins = std::clamp(static_cast<int>(2.0 * std::cbrt(static_cast<double>(detection.scores.size()))), 12, 50);
    scoreBinning = LinearBinning::forRange(low, high, targetBins);

    std::vector<std::uint16_t> rowBins(detection.scores.size());
    const std::vector<double>& rowScores = detection.scores.scores();
    for (std::size_t row = 0; row < rowScores.size(); ++row)
        rowBins[row] = scoreBinning.binOf(rowScores[row]);

    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(scoreBinning.width) + 1e-9)) + 1);
    QStringList descriptions;
    for (int bin = 0; bin < scoreBinning.bins; ++bin) {
        descriptions << tr("Score %1 to %2")
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
    const int tickDecimals = std::max(0, static_cast<int>(-std::floor(std::log10(tickStep) + 1e-9)) +
                                             (std::fabs(tickStep / std::pow(10.0, std::floor(std::log10(tickStep))) - 2.5) < 1e-6 ? 1 : 0));
    QList<QPair<double, QString>> labels;
    const double firstTick = std::ceil(scoreBinning.start / tickStep - 1e-9) * tickStep;
    for (double tick = firstTick; tick <= scoreBinning.start + span + 1e-9; tick += tickStep)
        labels.append({scoreBinning.position(tick), scoreText(std::fabs(tick) < 1e-12 ? 0.0 : tick, tickDecimals)});

    QCategoryAxis* axis = makePositionAxis(scoreBinning.bins, labels, tr("Anomaly score (lower = more anomalous)"));
    scores.setRows(std::move(rowBins), scoreBinning.bins, descriptions, axis, tr("Rows"));

    auto* line = new QLineSeries;
    line->setName(tr("Threshold"));
    QPen pen(chartstyle::thresholdColor());
    pen.setWidthF(1.5);
    pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    WorkbenchChart* chart = scores.chart();
    chart->addSeries(line);
    line->attachAxis(axis);
    line->attachAxis(scores.countAxis());
    // The label beside the line says what it is; a legend entry would only repeat it.
    for (QLegendMarker* marker : chart->legend()->markers(line))
        marker->setVisible(false);
    thresholdLine = line;
}

void OverviewCharts::Charts::applyVerdicts(const AnalysisSnapshot& snapshot)
{
    const std::size_t rows = data ? data->table.rowCount() : 0;
    std::span<const std::uint8_t> suspicious;
    if (snapshot.hasDetection() && snapshot.verdicts->suspicious.size() == rows)
        suspicious = snapshot.verdicts->suspicious;
    for (SplitBarChart* chart : {&bytesIn, &bytesOut, &scores, &protocols, &countries, &ports})
        chart->setSplit(suspicious);

    if (!thresholdLine || !snapshot.hasDetection())
        return;
    const double threshold = snapshot.verdicts->threshold;
    const double top = scores.countAxis()->max();
    const double position = std::clamp(scoreBinning.position(threshold), -0.5, scoreBinning.bins - 0.5);
    thresholdLine->replace(QList<QPointF>{{position, 0.0}, {position, top}});
    scores.chart()->setMarkerLabel(tr("threshold %1\n%2 suspicious")
                                       .arg(scoreText(threshold),
                                            chartstyle::groupedCount(snapshot.verdicts->suspiciousCount)),
                                   thresholdLine, QPointF(position, top));
}

OverviewCharts::OverviewCharts(QWidget* parent)
    : QWidget(parent)
    , m_charts(std::make_unique<Charts>(this))
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    // Distributions on top (what is unusual), categories below (where it comes from).
    grid->addWidget(m_charts->bytesInView, 0, 0);
    grid->addWidget(m_charts->bytesOutView, 0, 1);
    grid->addWidget(m_charts->scoreView, 0, 2);
    grid->addWidget(m_charts->protocolView, 1, 0);
    grid->addWidget(m_charts->countryView, 1, 1);
    grid->addWidget(m_charts->portView, 1, 2);
    for (int i = 0; i < 3; ++i)
        grid->setColumnStretch(i, 1);
    for (int i = 0; i < 2; ++i)
        grid->setRowStretch(i, 1);
    m_charts->showMessage(noDataMessage());
}

OverviewCharts::~OverviewCharts() = default;

void OverviewCharts::setSnapshot(const AnalysisSnapshot& snapshot)
{
    Charts& charts = *m_charts;
    charts.data = snapshot.data;
    charts.detection = snapshot.hasDetection() ? snapshot.detection : nullptr;
    charts.thresholdLine = nullptr;
    if (!snapshot.hasData()) {
        charts.showMessage(noDataMessage());
        return;
    }
    const TrafficTable& table = snapshot.data->table;
    if (table.rowCount() == 0) {
        charts.showMessage(noRowsMessage());
        return;
    }

    charts.setBytes(charts.bytesIn, table.column(Field::BytesIn).integers, tr("Bytes in"));
    charts.setBytes(charts.bytesOut, table.column(Field::BytesOut).integers, tr("Bytes out"));
    charts.setCategories(charts.protocols, categorizeText(table.column(Field::Protocol), *table.strings, kTopCategories),
                         tr("Protocol"));
    charts.setCategories(charts.countries,
                         categorizeText(table.column(Field::SrcIpCountryCode), *table.strings, kTopCategories),
                         tr("Source country"));
    charts.setCategories(charts.ports, categorizeIntegers(table.column(Field::DstPort).integers, kTopCategories),
                         tr("Destination port"));
    if (charts.detection && charts.detection->scores.size() == table.rowCount())
        charts.setScores(*charts.detection);
    else
        charts.scores.showMessage(tr("Run the detector to see anomaly scores"));

    charts.applyVerdicts(snapshot);
}

void OverviewCharts::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    Charts& charts = *m_charts;
    const auto detection = snapshot.hasDetection() ? snapshot.detection : nullptr;
    // Only the threshold may differ; anything else is a new snapshot and needs new bins.
    if (snapshot.data != charts.data || detection != charts.detection) {
        setSnapshot(snapshot);
        return;
    }
    if (!charts.data || charts.data->table.rowCount() == 0)
        return;
    charts.applyVerdicts(snapshot);
}

QList<ChartView*> OverviewCharts::chartViews() const
{
    return {m_charts->bytesInView, m_charts->bytesOutView, m_charts->scoreView,
            m_charts->protocolView, m_charts->countryView, m_charts->portView};
}

} // namespace webthreat

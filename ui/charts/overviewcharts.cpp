#include "ui/charts/overviewcharts.h"

#include "ui/charts/chartbinning.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewbins.h"
#include "ui/charts/splitbarchart.h"
#include "ui/charts/workbenchchart.h"
#include "ui/displayformat.h"
#include "ui/threatmarks.h"

#include <QBarCategoryAxis>
#include <QCategoryAxis>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QAbstractBarSeries>
#include <QLineSeries>
#include <QPen>
#include <QPointer>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {

QString noDataMessage()
{
    return QObject::tr("Open a CSV file to see charts");
}
QString noRowsMessage()
{
    return QObject::tr("No rows to chart: none are left after cleaning");
}

QString scoreText(double score, int decimals = 3)
{
    return QString::number(score, 'f', decimals);
}

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
        if (position < low - 1e-9 || position > high + 1e-9 || position <= last
            || axis->categoriesLabels().contains(text))
            continue;
        axis->append(text, position);
        last = position;
    }
    return axis;
}

} // namespace

struct OverviewCharts::Charts {
    explicit Charts(OverviewCharts* owner);

    void showMessage(const QString& text);
    void show(SplitBarChart& chart, const BarChartBins& bins);
    void addThresholdLine();
    // Makes data, detection and bins those of snapshot (a no-op when they already are). False
    // when there is nothing to chart: message says why.
    bool prepare(const AnalysisSnapshot& snapshot, QString* message);
    void applyVerdicts(const AnalysisSnapshot& snapshot, int chart);
    std::array<SplitBarChart*, OverviewBins::ChartCount> byIndex()
    {
        return {&bytesIn, &bytesOut, &scores, &protocols, &countries, &ports};
    }

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
    // The bins shown: the snapshot's (made on the worker) or, without them, made here.
    std::shared_ptr<const OverviewBins> bins;
    // A split counted here (a snapshot without one), kept for the other charts' calls.
    std::shared_ptr<const OverviewSplit> split;
    std::shared_ptr<const Verdicts> splitVerdicts; // what split was counted for
    // The view filter's rows (null: every row), and the split counted over them.
    std::shared_ptr<const std::vector<std::uint8_t>> mask;
    std::shared_ptr<const OverviewSplit> maskedSplit;
    std::shared_ptr<const std::vector<std::uint8_t>> maskedFor;
    std::shared_ptr<const Verdicts> maskedVerdicts;
    AnalysisSnapshot shown; // the last snapshot applied, to recount for a new filter
    // What each chart was last built from: a chart whose bins are not the current ones is
    // rebuilt, not only re-split, when the verdicts change.
    struct Built {
        bool valid = false;
        std::shared_ptr<const PreparedData> data;
        std::shared_ptr<const OverviewBins> bins;
    };
    std::array<Built, OverviewBins::ChartCount> built;
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

void OverviewCharts::Charts::show(SplitBarChart& chart, const BarChartBins& bins)
{
    if (!bins.message.isEmpty()) {
        chart.showMessage(bins.message);
        return;
    }
    if (bins.axis == BarChartBins::Axis::Positions) {
        chart.setBins(bins.binCount, bins.descriptions,
                      makePositionAxis(bins.binCount, bins.positionLabels, bins.axisTitle), tr("Rows"), bins.maxTotal);
        if (bins.axisBreak >= 0.0)
            chart.setAxisBreak(bins.axisBreak);
        return;
    }
    auto* axis = new QBarCategoryAxis;
    chartstyle::styleAxis(axis, bins.axisTitle);
    axis->append(bins.categoryLabels);
    chart.setBins(bins.binCount, bins.descriptions, axis, tr("Rows"), bins.maxTotal);
    chart.chart()->setUnelidedCategoryLabels(axis);
}

void OverviewCharts::Charts::addThresholdLine()
{
    auto* line = new QLineSeries;
    line->setName(tr("Threshold"));
    QPen pen(chartstyle::thresholdColor());
    pen.setWidthF(1.5);
    pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    WorkbenchChart* chart = scores.chart();
    chart->addSeries(line);
    for (QAbstractAxis* axis : chart->axes(Qt::Horizontal))
        line->attachAxis(axis);
    line->attachAxis(scores.countAxis());
    // The label beside the line says what it is; a legend entry would only repeat it.
    for (QLegendMarker* marker : chart->legend()->markers(line))
        marker->setVisible(false);
    thresholdLine = line;
}

bool OverviewCharts::Charts::prepare(const AnalysisSnapshot& snapshot, QString* message)
{
    const auto snapshotDetection = snapshot.hasDetection() ? snapshot.detection : nullptr;
    if (!snapshot.hasData() || snapshot.data->table.rowCount() == 0) {
        data = snapshot.data;
        detection = snapshotDetection;
        bins = nullptr;
        split = nullptr;
        splitVerdicts = nullptr;
        *message = snapshot.hasData() ? noRowsMessage() : noDataMessage();
        return false;
    }
    if (bins && data == snapshot.data && detection == snapshotDetection)
        return true;
    data = snapshot.data;
    detection = snapshotDetection;
    split = nullptr;
    splitVerdicts = nullptr;
    const TrafficTable& table = data->table;
    const Detection* usable = detection && detection->scores.size() == table.rowCount() ? detection.get() : nullptr;
    bins = snapshot.overviewBins;
    if (!bins || bins->data != data.get() || bins->detection != usable)
        bins = std::make_shared<const OverviewBins>(computeOverviewBins(*data, usable));
    scoreBinning = bins->scoreBinning;
    return true;
}

void OverviewCharts::Charts::applyVerdicts(const AnalysisSnapshot& snapshot, int chart)
{
    const std::size_t rows = data ? data->table.rowCount() : 0;
    const Verdicts* verdicts = nullptr;
    if (snapshot.hasDetection() && snapshot.verdicts->suspicious.size() == rows)
        verdicts = snapshot.verdicts.get();
    if (!bins)
        return;
    // The worker counted the split with the verdicts; count here only when it did not, once for
    // the six charts.
    std::shared_ptr<const OverviewSplit> counted = snapshot.overviewSplit;
    if (!counted || counted->bins != bins.get() || counted->verdicts != verdicts) {
        const auto wanted = verdicts ? snapshot.verdicts : nullptr;
        if (!split || split->bins != bins.get() || splitVerdicts != wanted) {
            split = std::make_shared<const OverviewSplit>(computeOverviewSplit(*bins, verdicts));
            splitVerdicts = wanted;
        }
        counted = split;
    }
    const bool filtered = mask && mask->size() == rows;
    if (filtered) {
        const auto wanted = verdicts ? snapshot.verdicts : nullptr;
        if (!maskedSplit || maskedSplit->bins != bins.get() || maskedFor != mask || maskedVerdicts != wanted) {
            maskedSplit = std::make_shared<const OverviewSplit>(computeOverviewSplit(*bins, verdicts, *mask));
            maskedFor = mask;
            maskedVerdicts = wanted;
        }
        counted = maskedSplit;
    }
    shown = snapshot;
    const auto charts = byIndex();
    const auto index = static_cast<std::size_t>(chart);
    SplitBarChart& target = *charts[index];
    const ChartView* view = target.view();
    target.chart()->setTitle(filtered ? tr("%1 (filtered)").arg(view->title()) : view->title());
    if (bins->charts[index].message.isEmpty()) {
        const SplitCounts& counts = counted->counts[index];
        double largest = 0.0;
        for (qsizetype bin = 0; bin < counts.normal.size() && bin < counts.suspicious.size(); ++bin)
            largest = std::max(largest, counts.normal[bin] + counts.suspicious[bin]);
        // Filtered bars are scaled to their own largest, so a few hundred rows are not a sliver.
        target.setCountMaximum(filtered ? largest : target.maxTotal());
        target.setSplitCounts(counts, verdicts != nullptr);
    }

    if (chart != OverviewBins::Scores || !thresholdLine || !snapshot.hasDetection())
        return;
    const double threshold = snapshot.verdicts->threshold;
    const double top = scores.countAxis()->max();
    const double position = std::clamp(scoreBinning.position(threshold), -0.5, scoreBinning.bins - 0.5);
    thresholdLine->replace(QList<QPointF>{{position, 0.0}, {position, top}});
    // The bars, so that the label is placed where it hides none of them.
    QList<QRectF> bars;
    const SplitCounts& shownCounts = counted->counts[index];
    const double half = scores.series() ? scores.series()->barWidth() / 2.0 : 0.5;
    for (qsizetype bin = 0; bin < shownCounts.normal.size() && bin < shownCounts.suspicious.size(); ++bin) {
        const double total = shownCounts.normal[bin] + shownCounts.suspicious[bin];
        if (total > 0.0)
            bars << QRectF(QPointF(double(bin) - half, total), QPointF(double(bin) + half, 0.0));
    }
    scores.chart()->setMarkerLabel(tr("threshold %1\n%2 suspicious")
                                       .arg(scoreText(threshold),
                                            chartstyle::groupedCount(filtered ? counted->counts[index].suspiciousTotal
                                                                              : snapshot.verdicts->suspiciousCount)),
                                   thresholdLine, QPointF(position, top), bars);
}

OverviewCharts::OverviewCharts(QWidget* parent)
    : QWidget(parent)
    , m_charts(std::make_unique<Charts>(this))
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(4);
    m_threatLists = new QLabel(this);
    m_threatLists->setObjectName(QStringLiteral("overviewThreatLists"));
    m_threatLists->setTextFormat(Qt::RichText);
    m_threatLists->setWordWrap(true);
    m_threatLists->setContentsMargins(6, 2, 6, 0);
    m_threatLists->hide();
    outer->addWidget(m_threatLists);
    auto* grid = new QGridLayout;
    outer->addLayout(grid, 1);
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
    for (int chart = 0; chart < kChartCount; ++chart)
        setSnapshot(snapshot, chart);
}

void OverviewCharts::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    for (int chart = 0; chart < kChartCount; ++chart)
        updateVerdicts(snapshot, chart);
}

void OverviewCharts::setSnapshot(const AnalysisSnapshot& snapshot, int chart)
{
    static_assert(kChartCount == OverviewBins::ChartCount);
    if (chart < 0 || chart >= kChartCount)
        return;
    Charts& charts = *m_charts;
    SplitBarChart& target = *charts.byIndex()[static_cast<std::size_t>(chart)];
    QString message;
    const bool chartable = charts.prepare(snapshot, &message);
    charts.built[static_cast<std::size_t>(chart)] = {true, snapshot.data, charts.bins};
    if (!chartable) {
        target.showMessage(message);
        return;
    }
    charts.show(target, charts.bins->charts[static_cast<std::size_t>(chart)]);
    if (chart == OverviewBins::Scores) {
        charts.thresholdLine = nullptr;
        if (charts.bins->charts[OverviewBins::Scores].message.isEmpty())
            charts.addThresholdLine();
    }
    charts.applyVerdicts(snapshot, chart);
}

void OverviewCharts::updateVerdicts(const AnalysisSnapshot& snapshot, int chart)
{
    if (chart < 0 || chart >= kChartCount)
        return;
    Charts& charts = *m_charts;
    QString message;
    const bool chartable = charts.prepare(snapshot, &message);
    // Only the threshold may differ; anything else is a new snapshot and needs new bins.
    const Charts::Built& built = charts.built[static_cast<std::size_t>(chart)];
    if (!built.valid || built.data != snapshot.data || built.bins != charts.bins) {
        setSnapshot(snapshot, chart);
        return;
    }
    if (chartable)
        charts.applyVerdicts(snapshot, chart);
}

void OverviewCharts::setSnapshot(const ViewUpdate& update, int part)
{
    if (update.dropViewFilter())
        m_charts->mask = nullptr;
    setSnapshot(update.snapshot, part);
    if (part == 0) {
        m_threatShown = update.snapshot;
        showThreatLists();
    }
}

void OverviewCharts::updateVerdicts(const ViewUpdate& update, int part)
{
    updateVerdicts(update.snapshot, part);
    if (part == 0) {
        m_threatShown = update.snapshot;
        showThreatLists(); // the suspicious ones among them change with the threshold
    }
}

void OverviewCharts::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_threatShown.data)
        return;
    m_threatShown.threatMatches = update.snapshot.threatMatches;
    m_threatShown.threatFindings = update.snapshot.threatFindings;
    showThreatLists();
}

QString OverviewCharts::threatListText() const
{
    return m_threatLists->isVisibleTo(this) ? m_threatLists->text() : QString();
}

void OverviewCharts::showThreatLists()
{
    const AnalysisSnapshot& shown = m_threatShown;
    if (!shown.data || !shown.threatMatches || shown.threatMatches->src.size() != shown.data->table.rowCount()) {
        m_threatLists->clear();
        m_threatLists->hide();
        return;
    }
    const std::vector<std::uint8_t>* mask
        = m_charts->mask && m_charts->mask->size() == shown.data->table.rowCount() ? m_charts->mask.get() : nullptr;
    const ListedCount count = countListed(shown, listedRows(shown, mask));
    const QString color = chartstyle::threatListColor().name();
    QString text;
    if (count.rows == 0) {
        text = tr("<span style=\"color:%1; font-weight:bold\">&times;</span> <b>Threat lists:</b> no row%2 has an "
                  "address on a "
                  "loaded list.")
                   .arg(color, mask ? tr(" of the filter") : QString());
    } else {
        const QString suspicious = shown.hasDetection()
            ? tr(" (%1)").arg(countNoun(count.suspiciousRows, tr("suspicious"), tr("suspicious")))
            : QString();
        text
            = tr("<span style=\"color:%1; font-weight:bold\">&times;</span> <b>On threat lists:</b> %2%3 from %4%5; "
                 "the Data "
                 "tab's \"On a threat list\" filter shows them.")
                  .arg(color, countNoun(count.rows, tr("row"), tr("rows")), suspicious,
                       countNoun(count.sources, tr("source"), tr("sources")), mask ? tr(", in the filter") : QString());
    }
    m_threatLists->setText(text);
    m_threatLists->show();
}

void OverviewCharts::setSelectionRows(const SelectionRows& filter)
{
    Charts& charts = *m_charts;
    charts.mask = filter.rows;
    showThreatLists();
    // Recounted at once for the snapshot the charts show; one of other data waits for its turn.
    if (!charts.bins || charts.shown.data != charts.data)
        return;
    for (int chart = 0; chart < kChartCount; ++chart) {
        if (charts.built[static_cast<std::size_t>(chart)].valid)
            charts.applyVerdicts(charts.shown, chart);
    }
}

QList<ChartView*> OverviewCharts::chartViews() const
{
    return {m_charts->bytesInView,  m_charts->bytesOutView, m_charts->scoreView,
            m_charts->protocolView, m_charts->countryView,  m_charts->portView};
}

} // namespace webthreat

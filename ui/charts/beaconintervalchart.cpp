#include "ui/charts/beaconintervalchart.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/workbenchchart.h"

#include <QAreaSeries>
#include <QCoreApplication>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("webthreat::BeaconsView", text);
}

} // namespace

IntervalBins binIntervals(const std::vector<double>& intervalsSeconds, int binsPerDecade)
{
    IntervalBins bins;
    if (intervalsSeconds.empty())
        return bins;
    const auto [lowest, highest] = std::minmax_element(intervalsSeconds.begin(), intervalsSeconds.end());
    const double low = std::max(*lowest, kMinIntervalSeconds);
    const double high = std::max(*highest, low);
    // Whole decades around the values, so the axis' labels fall on 1, 10, 100 ...
    const double firstDecade = std::floor(std::log10(low));
    const double lastDecade = std::max(std::ceil(std::log10(high) + 1e-9), firstDecade + 1.0);
    const int count = static_cast<int>(lastDecade - firstDecade) * binsPerDecade;
    bins.edges.reserve(static_cast<std::size_t>(count) + 1);
    for (int i = 0; i <= count; ++i)
        bins.edges.push_back(std::pow(10.0, firstDecade + static_cast<double>(i) / binsPerDecade));
    bins.counts.assign(static_cast<std::size_t>(count), 0.0);
    for (double interval : intervalsSeconds) {
        const double value = std::max(interval, kMinIntervalSeconds);
        const double position = (std::log10(value) - firstDecade) * binsPerDecade;
        const int bin = std::clamp(static_cast<int>(std::floor(position)), 0, count - 1);
        bins.counts[static_cast<std::size_t>(bin)] += 1.0;
    }
    bins.maxCount = *std::max_element(bins.counts.begin(), bins.counts.end());
    return bins;
}

void showIntervalHistogram(WorkbenchChart* chart, const std::vector<double>& intervalsSeconds, double beatSeconds,
                           const QString& beatText)
{
    chart->clearSeriesAndAxes();
    chart->clearMarkerLabel();
    if (intervalsSeconds.empty()) {
        chart->setMessage(tr("Select a pair to see the intervals between its sessions."));
        return;
    }
    chart->setMessage({});
    const IntervalBins bins = binIntervals(intervalsSeconds);

    auto* xAxis = new QLogValueAxis;
    xAxis->setBase(10.0);
    xAxis->setRange(bins.edges.front(), bins.edges.back());
    xAxis->setMinorTickCount(-1);
    xAxis->setLabelFormat(bins.edges.front() < 1.0 ? QStringLiteral("%g") : QStringLiteral("%.0f"));
    chartstyle::styleAxis(xAxis, tr("Interval between session starts (seconds, log scale)"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->setAxisTitleChoices(
        xAxis, {tr("Interval between session starts (seconds, log scale)"), tr("Interval (s, log scale)")});
    auto* yAxis = new QValueAxis;
    chartstyle::styleAxis(yAxis, tr("Intervals (linear scale)"));
    chartstyle::setCountRange(yAxis, bins.maxCount);
    chart->addAxis(yAxis, Qt::AlignLeft);

    // A step outline: each bin a flat top between its edges.
    QList<QPointF> steps;
    steps.reserve(static_cast<qsizetype>(bins.counts.size() * 2 + 2));
    steps << QPointF(bins.edges.front(), 0.0);
    for (std::size_t bin = 0; bin < bins.counts.size(); ++bin) {
        steps << QPointF(bins.edges[bin], bins.counts[bin]) << QPointF(bins.edges[bin + 1], bins.counts[bin]);
    }
    steps << QPointF(bins.edges.back(), 0.0);
    auto* upper = new QLineSeries;
    upper->replace(steps);
    auto* area = new QAreaSeries(upper);
    area->setName(tr("Intervals"));
    area->setColor(chartstyle::normalColor());
    area->setBorderColor(chartstyle::normalColor().darker(115));
    chart->addSeries(area);
    area->attachAxis(xAxis);
    area->attachAxis(yAxis);

    if (beatSeconds > 0.0) {
        const double beat = std::clamp(beatSeconds, bins.edges.front(), bins.edges.back());
        const double top = yAxis->max();
        auto* line = new QLineSeries;
        line->setName(tr("Median interval"));
        line->replace(QList<QPointF>{QPointF(beat, 0.0), QPointF(beat, top)});
        QPen pen(chartstyle::thresholdColor(), 1.5, Qt::DashLine);
        line->setPen(pen);
        chart->addSeries(line);
        line->attachAxis(xAxis);
        line->attachAxis(yAxis);
        chart->setMarkerLabel(tr("median %1").arg(beatText), line, QPointF(beat, top));
    }
    chart->legend()->hide();
}

} // namespace webthreat

#include "ui/charts/timelinechart.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/workbenchchart.h"
#include "ui/displayformat.h"
#include "ui/threatmarks.h"

#include "core/context/threatlist.h"

#include <QAreaSeries>
#include <QComboBox>
#include <QDateTime>
#include <QCategoryAxis>
#include <QGraphicsRectItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

namespace webthreat {

namespace {

constexpr qint64 kMsSecond = 1000;
constexpr qint64 kMsMinute = 60 * kMsSecond;
constexpr qint64 kMsHour = 60 * kMsMinute;
constexpr qint64 kMsDay = 24 * kMsHour;
constexpr qint64 kMsWeek = 7 * kMsDay;
constexpr qint64 kMsYear = 365 * kMsDay;
constexpr qint64 kMsFirstMonday = 4 * kMsDay; // 1970-01-05
constexpr int kMaxTicks = 9;

// Tick spacing for the time axis: QDateTimeAxis spreads its ticks evenly over its range, so the
// range is widened to whole multiples of a round interval and the ticks land on round times.
constexpr std::array<qint64, 25> kTickIntervals{
    kMsSecond,     5 * kMsSecond,  10 * kMsSecond, 15 * kMsSecond, 30 * kMsSecond, kMsMinute,   2 * kMsMinute,
    5 * kMsMinute, 10 * kMsMinute, 15 * kMsMinute, 30 * kMsMinute, kMsHour,        2 * kMsHour, 3 * kMsHour,
    6 * kMsHour,   12 * kMsHour,   kMsDay,         2 * kMsDay,     kMsWeek,        2 * kMsWeek, 4 * kMsWeek,
    13 * kMsWeek,  kMsYear,        5 * kMsYear,    100 * kMsYear,
};

qint64 floorTo(qint64 value, qint64 step, qint64 origin)
{
    const qint64 shifted = value - origin;
    qint64 quotient = shifted / step;
    if (shifted % step != 0 && shifted < 0)
        --quotient;
    return origin + quotient * step;
}

struct TimeAxisPlan {
    qint64 low = 0; // UTC ms
    qint64 high = 0;
    int ticks = 2;
    qint64 interval = 0;
    QString format;
};

TimeAxisPlan planTimeAxis(qint64 low, qint64 high)
{
    TimeAxisPlan plan;
    high = std::max(high, low + kMsSecond);
    for (qint64 interval : kTickIntervals) {
        const qint64 origin = interval % kMsWeek == 0 ? kMsFirstMonday : 0;
        const qint64 from = floorTo(low, interval, origin);
        qint64 to = floorTo(high, interval, origin);
        if (to < high)
            to += interval;
        const qint64 ticks = (to - from) / interval + 1;
        if (ticks <= kMaxTicks || interval == kTickIntervals.back()) {
            plan.low = from;
            plan.high = to;
            plan.ticks = static_cast<int>(std::max<qint64>(ticks, 2));
            plan.interval = interval;
            const qint64 span = to - from;
            if (interval < kMsMinute)
                plan.format = QStringLiteral("HH:mm:ss");
            else if (interval < kMsDay)
                plan.format = span <= kMsDay ? QStringLiteral("HH:mm") : QStringLiteral("MMM d HH:mm");
            else if (interval < kMsYear)
                plan.format = span < kMsYear ? QStringLiteral("ddd MMM d") : QStringLiteral("yyyy-MM-dd");
            else
                plan.format = QStringLiteral("yyyy");
            if (interval >= kMsDay && interval < kMsYear && span >= 4 * kMsWeek)
                plan.format = span < kMsYear ? QStringLiteral("MMM d") : QStringLiteral("yyyy-MM-dd");
            return plan;
        }
    }
    return plan;
}

// The chart's x values are shifted by the local offset (taken once, at the data's start), a
// convention kept from a date-time axis that showed local time; the labels are written in UTC.
qint64 localShift(qint64 utcMs)
{
    return static_cast<qint64>(QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC).toLocalTime().offsetFromUtc())
        * kMsSecond;
}

// The view: a drag across the plot selects a period.
class TimelineView : public ChartView {
public:
    TimelineView(QWidget* parent)
        : ChartView(QStringLiteral("timeline"), QObject::tr("Traffic over time"), parent)
    {
        setMouseTracking(false);
    }

    std::function<void(qreal from, qreal to)> onDragged;
    std::function<void(qreal from, qreal to)> onDragging;

protected:
    void mousePressEvent(QMouseEvent* event) override
    {
        if (event->button() == Qt::LeftButton && chart()->plotArea().contains(event->position())) {
            m_dragFrom = event->position().x();
            m_dragging = true;
            event->accept();
            return;
        }
        ChartView::mousePressEvent(event);
    }
    void mouseMoveEvent(QMouseEvent* event) override
    {
        if (m_dragging) {
            if (onDragging)
                onDragging(m_dragFrom, event->position().x());
            event->accept();
            return;
        }
        ChartView::mouseMoveEvent(event);
    }
    void mouseReleaseEvent(QMouseEvent* event) override
    {
        if (m_dragging && event->button() == Qt::LeftButton) {
            m_dragging = false;
            if (onDragged)
                onDragged(m_dragFrom, event->position().x());
            event->accept();
            return;
        }
        ChartView::mouseReleaseEvent(event);
    }

private:
    qreal m_dragFrom = 0;
    bool m_dragging = false;
};

// Where each bucket of the timeline sits on the chart's time axis.
struct TimelineFrame {
    const Timeline& timeline;
    const std::vector<std::uint64_t>* suspicious; // per bucket; null without verdicts
    qint64 startMs = 0;
    qint64 widthMs = 0;
    qint64 shiftMs = 0; // UTC shown as local time, see localShift
    QCategoryAxis* timeAxis = nullptr;

    qreal x(qint64 utcMs) const { return static_cast<qreal>(utcMs - shiftMs); }
    qint64 bucketStart(std::size_t bucket) const { return startMs + static_cast<qint64>(bucket) * widthMs; }
};

// The time axis: round times labelled in UTC. It runs from the data's first bucket to its last,
// not to the round times around them (a whole empty day past the data read as a quiet day),
// unless fewer than two round times fall inside; then it widens to the plan's.
QCategoryAxis* makeTimeAxis(const TimelineFrame& frame, const TimeAxisPlan& plan, qint64 endMs)
{
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    qint64 low = frame.startMs;
    qint64 high = endMs;
    int inside = 0;
    for (qint64 tick = plan.low; plan.interval > 0 && tick <= plan.high; tick += plan.interval)
        inside += tick >= low && tick <= high;
    if (inside < 2) {
        low = plan.low;
        high = plan.high;
    }
    axis->setRange(frame.x(low), frame.x(high));
    // A label exactly at the axis start needs a category that ends there: start a hair earlier.
    axis->setStartValue(frame.x(low) - 1.0);
    for (qint64 tick = plan.low; plan.interval > 0 && tick <= plan.high; tick += plan.interval) {
        if (tick < low || tick > high)
            continue;
        const QString label = QDateTime::fromMSecsSinceEpoch(tick, Qt::UTC).toString(plan.format);
        if (!axis->categoriesLabels().contains(label))
            axis->append(label, frame.x(tick));
    }
    return axis;
}

// The value axis and the series the selection shading is anchored to.
struct TimelineSeries {
    QAbstractAxis* valueAxis = nullptr;
    QAbstractSeries* anchor = nullptr;
};

// Bytes per bucket: one step line on a log axis.
TimelineSeries addBytesLine(WorkbenchChart* chart, const TimelineFrame& frame, const QList<QPointF>& totalPoints,
                            double minPositive, double maxValue, const QString& unit)
{
    auto* axis = new QLogValueAxis;
    axis->setBase(10.0);
    const double low = std::isfinite(minPositive) ? std::pow(10.0, std::floor(std::log10(minPositive))) : 1.0;
    const double high = std::pow(10.0, std::ceil(std::log10(std::max(maxValue, low * 10.0)) + 0.0001));
    axis->setRange(low, high);
    axis->setMinorTickCount(-1);
    chartstyle::styleAxis(axis, TimelineChart::tr("Bytes in + out per %1 (log scale)").arg(unit));
    chart->addAxis(axis, Qt::AlignLeft);
    chart->setCompactDecadeLabels(axis);
    auto* line = new QLineSeries;
    line->setName(TimelineChart::tr("Bytes in + out"));
    line->replace(totalPoints);
    QPen pen(chartstyle::normalColor(), 1.6);
    line->setPen(pen);
    chart->addSeries(line);
    line->attachAxis(frame.timeAxis);
    line->attachAxis(axis);
    return {axis, line};
}

// Sessions per bucket: normal stacked on suspicious, on a linear axis.
TimelineSeries addSessionAreas(WorkbenchChart* chart, const TimelineFrame& frame, const QList<QPointF>& totalPoints,
                               const QList<QPointF>& suspiciousPoints, double maxValue, const QString& unit)
{
    auto* axis = new QValueAxis;
    chartstyle::styleAxis(axis, TimelineChart::tr("Sessions per %1 (linear scale)").arg(unit));
    chartstyle::setCountRange(axis, maxValue);
    chart->addAxis(axis, Qt::AlignLeft);
    auto* upper = new QLineSeries;
    upper->replace(totalPoints);
    QLineSeries* lower = nullptr;
    if (frame.suspicious) {
        lower = new QLineSeries;
        lower->replace(suspiciousPoints);
    }
    // Normal on top of suspicious: the red band at the bottom is the suspicious sessions.
    auto* normalArea = new QAreaSeries(upper, lower);
    normalArea->setName(frame.suspicious ? TimelineChart::tr("Normal sessions") : TimelineChart::tr("Sessions"));
    normalArea->setColor(chartstyle::normalColor());
    normalArea->setBorderColor(chartstyle::normalColor().darker(115));
    chart->addSeries(normalArea);
    normalArea->attachAxis(frame.timeAxis);
    normalArea->attachAxis(axis);
    if (frame.suspicious) {
        auto* top = new QLineSeries;
        top->replace(suspiciousPoints);
        auto* suspiciousArea = new QAreaSeries(top);
        suspiciousArea->setName(TimelineChart::tr("Suspicious sessions"));
        suspiciousArea->setColor(chartstyle::suspiciousColor());
        suspiciousArea->setBorderColor(chartstyle::suspiciousColor().darker(115));
        chart->addSeries(suspiciousArea);
        suspiciousArea->attachAxis(frame.timeAxis);
        suspiciousArea->attachAxis(axis);
    }
    return {axis, normalArea};
}

// The suspicious share of each bucket's sessions, on a right-hand percent axis.
void addSuspiciousShare(WorkbenchChart* chart, const TimelineFrame& frame)
{
    const Timeline& timeline = frame.timeline;
    auto* shareAxis = new QValueAxis;
    shareAxis->setRange(0.0, 100.0);
    shareAxis->setTickCount(6);
    shareAxis->setLabelFormat(QStringLiteral("%.0f %%"));
    chartstyle::styleAxis(shareAxis, TimelineChart::tr("Suspicious share of sessions"));
    shareAxis->setGridLineVisible(false);
    chart->addAxis(shareAxis, Qt::AlignRight);
    // One line per run of buckets that have sessions: an empty bucket has no share, and a
    // line across a gap would invent one. Points are drawn, so a lone bucket shows too.
    QList<QList<QPointF>> runs(1);
    for (std::size_t b = 0; b < timeline.bucketCount(); ++b) {
        if (timeline.sessions[b] == 0) {
            if (!runs.back().isEmpty())
                runs.append(QList<QPointF>());
            continue;
        }
        const qint64 middle = frame.bucketStart(b) + frame.widthMs / 2;
        runs.back() << QPointF(frame.x(middle),
                               100.0 * static_cast<double>((*frame.suspicious)[b])
                                   / static_cast<double>(timeline.sessions[b]));
    }
    if (runs.back().isEmpty() && runs.size() > 1)
        runs.removeLast();
    QPen pen(chartstyle::thresholdColor(), 1.4);
    for (qsizetype i = 0; i < runs.size(); ++i) {
        auto* share = new QLineSeries;
        share->setName(TimelineChart::tr("Suspicious share (right axis)"));
        share->replace(runs[i]);
        share->setPen(pen);
        // A lone bucket would be invisible as a line: a point marks it. Runs stay plain lines.
        share->setPointsVisible(runs[i].size() == 1);
        share->setMarkerSize(5.0);
        chart->addSeries(share);
        share->attachAxis(frame.timeAxis);
        share->attachAxis(shareAxis);
        if (i > 0) {
            for (QLegendMarker* marker : chart->legend()->markers(share))
                marker->setVisible(false);
        }
    }
}

} // namespace

struct TimelineChart::Plot {
    TimelineView* view = nullptr;
    QComboBox* measure = nullptr;
    QLabel* hint = nullptr;
    AnalysisSnapshot snapshot;
    qint64 shiftMs = 0;
    QAbstractSeries* anchorSeries = nullptr; // maps values to positions for the shading
    QGraphicsRectItem* selection = nullptr;
    std::optional<std::pair<Instant, Instant>> period;
    QString dateFormat;
    std::shared_ptr<const std::vector<std::uint8_t>> sourceMask;
    QString sourceName;
    std::vector<std::uint64_t> sourceSessions; // per bucket, for sourceMask
    // Per bucket, the rows on a threat list (inside sourceMask); empty without lists.
    std::vector<std::uint64_t> listedSessions;
    std::vector<double> listedBytes;
    QString listedName; // the legend's entry as drawn; empty when none

    WorkbenchChart* chart() const { return static_cast<WorkbenchChart*>(view->chart()); }
};

TimelineChart::TimelineChart(QWidget* parent)
    : QWidget(parent)
    , m_plot(std::make_unique<Plot>())
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 0);
    bar->addWidget(new QLabel(tr("Show:"), this));
    m_plot->measure = new QComboBox(this);
    m_plot->measure->setObjectName(QStringLiteral("timelineMeasure"));
    m_plot->measure->addItem(tr("Sessions per bucket (linear scale)"));
    m_plot->measure->addItem(tr("Bytes in + out per bucket (log scale)"));
    bar->addWidget(m_plot->measure);
    m_plot->hint = new QLabel(tr("Drag across the chart to show only that period in every view."), this);
    m_plot->hint->setObjectName(QStringLiteral("timelineHint"));
    bar->addWidget(m_plot->hint, 1);
    layout->addLayout(bar);

    m_plot->view = new TimelineView(this);
    m_plot->view->setObjectName(QStringLiteral("timelineView"));
    layout->addWidget(m_plot->view, 1);
    chartstyle::styleChart(m_plot->chart());

    m_plot->selection = new QGraphicsRectItem(m_plot->chart());
    QColor shade = palette().color(QPalette::Highlight);
    shade.setAlpha(55);
    m_plot->selection->setBrush(shade);
    QColor edge = palette().color(QPalette::Highlight);
    m_plot->selection->setPen(QPen(edge, 1));
    m_plot->selection->setZValue(50);
    m_plot->selection->hide();

    m_plot->view->onDragging = [this](qreal from, qreal to) {
        const QRectF area = m_plot->chart()->plotArea();
        const qreal left = std::clamp(std::min(from, to), area.left(), area.right());
        const qreal right = std::clamp(std::max(from, to), area.left(), area.right());
        m_plot->selection->setRect(QRectF(left, area.top(), right - left, area.height()));
        m_plot->selection->show();
    };
    m_plot->view->onDragged = [this](qreal from, qreal to) {
        const auto period = periodForDrag(from, to);
        if (!period) {
            placeSelection();
            return;
        }
        m_plot->period = period;
        placeSelection();
        Q_EMIT periodSelected(period->first, period->second);
    };
    connect(m_plot->measure, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(m_plot->chart(), &QChart::plotAreaChanged, this, [this] { placeSelection(); });
    rebuild();
}

TimelineChart::~TimelineChart() = default;

ChartView* TimelineChart::chartView() const
{
    return m_plot->view;
}

void TimelineChart::setSnapshot(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data != m_plot->snapshot.data) {
        m_plot->period.reset();
        m_plot->sourceMask.reset();
        m_plot->sourceSessions.clear();
    }
    m_plot->snapshot = snapshot;
    countListed();
    rebuild();
}

void TimelineChart::setSourceMask(std::shared_ptr<const std::vector<std::uint8_t>> mask, const QString& name)
{
    m_plot->sourceMask = std::move(mask);
    m_plot->sourceName = name;
    m_plot->sourceSessions.clear();
    const AnalysisSnapshot& snapshot = m_plot->snapshot;
    if (m_plot->sourceMask && snapshot.data && snapshot.aggregates)
        m_plot->sourceSessions
            = timelineSessions(snapshot.aggregates->timeline, snapshot.data->table, *m_plot->sourceMask);
    countListed();
    rebuild();
}

const std::vector<std::uint64_t>& TimelineChart::listedSessions() const
{
    return m_plot->listedSessions;
}

QString TimelineChart::listedLegendName() const
{
    return m_plot->listedName;
}

void TimelineChart::countListed()
{
    m_plot->listedSessions.clear();
    m_plot->listedBytes.clear();
    const AnalysisSnapshot& snapshot = m_plot->snapshot;
    if (!snapshot.data || !snapshot.aggregates || !snapshot.threatMatches
        || snapshot.threatMatches->src.size() != snapshot.data->table.rowCount())
        return;
    // Only the listed rows are walked into buckets: they are few.
    const Timeline& timeline = snapshot.aggregates->timeline;
    const TrafficTable& table = snapshot.data->table;
    const auto& creation = table.column(Field::CreationTime).integers;
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    m_plot->listedSessions.assign(timeline.bucketCount(), 0);
    m_plot->listedBytes.assign(timeline.bucketCount(), 0.0);
    for (const std::uint32_t row : listedRows(snapshot, m_plot->sourceMask.get())) {
        const std::size_t bucket = timeline.bucketOf(creation[row]);
        if (bucket >= timeline.bucketCount())
            continue;
        ++m_plot->listedSessions[bucket];
        for (const std::int64_t value : {bytesIn[row], bytesOut[row]})
            if (value != kMissingInteger && value > 0)
                m_plot->listedBytes[bucket] += static_cast<double>(value);
    }
}

void TimelineChart::updateThreatLists(const ViewUpdate& update)
{
    if (update.snapshot.data != m_plot->snapshot.data)
        return; // the new data's turn brings its matches
    m_plot->snapshot.threatMatches = update.snapshot.threatMatches;
    m_plot->snapshot.threatFindings = update.snapshot.threatFindings;
    countListed();
    rebuild();
}

const std::vector<std::uint64_t>& TimelineChart::sourceSessions() const
{
    return m_plot->sourceSessions;
}

void TimelineChart::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    // A couple of hundred buckets: rebuilding is cheaper than patching four series.
    const bool sameMatches
        = snapshot.threatMatches == m_plot->snapshot.threatMatches && snapshot.data == m_plot->snapshot.data;
    m_plot->snapshot = snapshot;
    if (!sameMatches)
        countListed();
    rebuild();
}

void TimelineChart::setMeasure(Measure measure)
{
    m_plot->measure->setCurrentIndex(measure == Measure::Sessions ? 0 : 1);
}

TimelineChart::Measure TimelineChart::measure() const
{
    return m_plot->measure->currentIndex() == 0 ? Measure::Sessions : Measure::Bytes;
}

QString TimelineChart::dateFormat() const
{
    return m_plot->dateFormat;
}

QString TimelineChart::axisTitle(Qt::Alignment side) const
{
    const auto axes = m_plot->chart()->axes(side == Qt::AlignBottom ? Qt::Horizontal : Qt::Vertical);
    for (QAbstractAxis* axis : axes) {
        if (axis->alignment() == side)
            return axis->titleText();
    }
    return {};
}

void TimelineChart::rebuild()
{
    WorkbenchChart* chart = m_plot->chart();
    chart->clearSeriesAndAxes();
    m_plot->anchorSeries = nullptr;
    m_plot->listedName.clear();
    const AnalysisSnapshot& snapshot = m_plot->snapshot;
    if (!snapshot.data || !snapshot.aggregates) {
        chart->setMessage(tr("Open a CSV file to see its traffic over time."));
        placeSelection();
        return;
    }
    const Timeline& timeline = snapshot.aggregates->timeline;
    if (timeline.bucketCount() == 0) {
        chart->setMessage(tr("No row has a creation_time, so there is no timeline to draw."));
        placeSelection();
        return;
    }
    chart->setMessage({});
    const bool bytesMode = measure() == Measure::Bytes;
    TimelineFrame frame{timeline,
                        snapshot.verdictAggregates
                                && snapshot.verdictAggregates->timelineSuspicious.size() == timeline.bucketCount()
                            ? &snapshot.verdictAggregates->timelineSuspicious
                            : nullptr};
    frame.widthMs = timeline.width.micros / 1000;
    frame.startMs = timeline.start / 1000;
    const qint64 endMs = frame.startMs + static_cast<qint64>(timeline.bucketCount()) * frame.widthMs;
    m_plot->shiftMs = localShift(frame.startMs);
    frame.shiftMs = m_plot->shiftMs;

    QString title = tr("Traffic over time: %1 buckets").arg(QString::fromStdString(timeline.width.label));
    if (timeline.missingTimestamps > 0)
        title += tr(" (%1 rows without creation_time left out)").arg(formatCount(timeline.missingTimestamps));
    chart->setTitle(title);

    const TimeAxisPlan plan = planTimeAxis(frame.startMs, endMs);
    frame.timeAxis = makeTimeAxis(frame, plan, endMs);
    m_plot->dateFormat = plan.format;
    chartstyle::styleAxis(frame.timeAxis, tr("Time (UTC)"));
    chart->addAxis(frame.timeAxis, Qt::AlignBottom);

    const std::size_t buckets = timeline.bucketCount();
    QList<QPointF> totalPoints;
    QList<QPointF> suspiciousPoints;
    totalPoints.reserve(static_cast<qsizetype>(2 * buckets));
    double maxValue = 0.0;
    double minPositive = std::numeric_limits<double>::infinity();
    for (std::size_t b = 0; b < buckets; ++b) {
        const qint64 from = frame.bucketStart(b);
        const double value
            = bytesMode ? static_cast<double>(timeline.bytes[b]) : static_cast<double>(timeline.sessions[b]);
        maxValue = std::max(maxValue, value);
        if (value > 0)
            minPositive = std::min(minPositive, value);
        // Steps: each bucket is a flat top from its start to its end.
        const double shown = bytesMode ? std::max(value, 1.0) : value;
        totalPoints << QPointF(frame.x(from), shown) << QPointF(frame.x(from + frame.widthMs), shown);
        if (frame.suspicious && !bytesMode) {
            const double s = static_cast<double>((*frame.suspicious)[b]);
            suspiciousPoints << QPointF(frame.x(from), s) << QPointF(frame.x(from + frame.widthMs), s);
        }
    }

    const QString unit = QString::fromStdString(timeline.width.label);
    const TimelineSeries series = bytesMode
        ? addBytesLine(chart, frame, totalPoints, minPositive, maxValue, unit)
        : addSessionAreas(chart, frame, totalPoints, suspiciousPoints, maxValue, unit);
    m_plot->anchorSeries = series.anchor;
    if (!bytesMode && m_plot->sourceSessions.size() == buckets) {
        // The selected sources' sessions, as a step line over the stacked areas.
        QList<QPointF> steps;
        steps.reserve(static_cast<qsizetype>(2 * buckets));
        for (std::size_t b = 0; b < buckets; ++b) {
            const qint64 from = frame.bucketStart(b);
            const double value = static_cast<double>(m_plot->sourceSessions[b]);
            steps << QPointF(frame.x(from), value) << QPointF(frame.x(from + frame.widthMs), value);
        }
        auto* line = new QLineSeries;
        line->setName(m_plot->sourceName.isEmpty() ? tr("Selected sources") : m_plot->sourceName);
        line->replace(steps);
        QPen pen(palette().color(QPalette::Highlight).darker(130), 2.0);
        line->setPen(pen);
        chart->addSeries(line);
        line->attachAxis(frame.timeAxis);
        line->attachAxis(series.valueAxis);
    }
    if (m_plot->listedSessions.size() == buckets) {
        // A cross over each bucket with listed rows, at their sessions (or bytes): a handful in a
        // bucket of thousands would vanish as a band, a cross stays in sight.
        QList<QPointF> crosses;
        std::uint64_t total = 0;
        for (std::size_t b = 0; b < buckets; ++b) {
            total += m_plot->listedSessions[b];
            if (m_plot->listedSessions[b] == 0)
                continue;
            const double value
                = bytesMode ? std::max(m_plot->listedBytes[b], 1.0) : static_cast<double>(m_plot->listedSessions[b]);
            crosses << QPointF(frame.x(frame.bucketStart(b) + frame.widthMs / 2), value);
        }
        constexpr int markerSize = 13;
        auto* listed = new QScatterSeries;
        listed->setObjectName(QStringLiteral("threatListedSessions"));
        m_plot->listedName = tr("On a threat list (%1)").arg(countNoun(total, tr("session"), tr("sessions")));
        listed->setName(m_plot->listedName);
        listed->setColor(chartstyle::threatListColor());
        listed->setBorderColor(chartstyle::threatListColor());
        listed->setMarkerSize(markerSize);
        listed->setLightMarker(threatListMarker(markerSize, 2.0));
        listed->replace(crosses);
        chart->addSeries(listed);
        listed->attachAxis(frame.timeAxis);
        listed->attachAxis(series.valueAxis);
        for (QLegendMarker* marker : chart->legend()->markers(listed))
            marker->setShape(QLegend::MarkerShapeFromSeries);
    }
    if (frame.suspicious)
        addSuspiciousShare(chart, frame);
    chart->legend()->setVisible(true);
    placeSelection();
}

std::optional<std::pair<Instant, Instant>> TimelineChart::periodForDrag(qreal fromX, qreal toX) const
{
    const AnalysisSnapshot& snapshot = m_plot->snapshot;
    if (!snapshot.aggregates || !m_plot->anchorSeries || snapshot.aggregates->timeline.bucketCount() == 0)
        return std::nullopt;
    const Timeline& timeline = snapshot.aggregates->timeline;
    WorkbenchChart* chart = m_plot->chart();
    const QRectF area = chart->plotArea();
    const qreal left = std::clamp(std::min(fromX, toX), area.left(), area.right());
    const qreal right = std::clamp(std::max(fromX, toX), area.left(), area.right());
    const auto toInstant = [&](qreal px) {
        const QPointF value = chart->mapToValue(QPointF(px, area.center().y()), m_plot->anchorSeries);
        return static_cast<Instant>((static_cast<qint64>(std::llround(value.x())) + m_plot->shiftMs) * 1000);
    };
    const Instant from = toInstant(left);
    const Instant to = toInstant(right);
    const auto bucketOf = [&](Instant instant) -> std::ptrdiff_t {
        if (instant < timeline.start)
            return -1;
        return static_cast<std::ptrdiff_t>((instant - timeline.start) / timeline.width.micros);
    };
    const auto last = static_cast<std::ptrdiff_t>(timeline.bucketCount()) - 1;
    const std::ptrdiff_t first = std::clamp<std::ptrdiff_t>(bucketOf(from), 0, last);
    const std::ptrdiff_t final = std::clamp<std::ptrdiff_t>(bucketOf(to), 0, last);
    if (bucketOf(to) < 0 || bucketOf(from) > last)
        return std::nullopt; // wholly outside the data
    return std::make_pair(timeline.bucketStart(static_cast<std::size_t>(first)),
                          timeline.bucketStart(static_cast<std::size_t>(final) + 1));
}

void TimelineChart::selectBuckets(std::size_t first, std::size_t last)
{
    const AnalysisSnapshot& snapshot = m_plot->snapshot;
    if (!snapshot.aggregates || snapshot.aggregates->timeline.bucketCount() == 0)
        return;
    const Timeline& timeline = snapshot.aggregates->timeline;
    last = std::min(last, timeline.bucketCount() - 1);
    first = std::min(first, last);
    m_plot->period = std::make_pair(timeline.bucketStart(first), timeline.bucketStart(last + 1));
    placeSelection();
    Q_EMIT periodSelected(m_plot->period->first, m_plot->period->second);
}

void TimelineChart::setSelectedPeriod(const std::optional<std::pair<Instant, Instant>>& period)
{
    m_plot->period = period;
    placeSelection();
}

std::optional<std::pair<Instant, Instant>> TimelineChart::selectedPeriod() const
{
    return m_plot->period;
}

void TimelineChart::placeSelection()
{
    if (!m_plot->period || !m_plot->anchorSeries) {
        m_plot->selection->hide();
        return;
    }
    WorkbenchChart* chart = m_plot->chart();
    const QRectF area = chart->plotArea();
    const auto px = [&](Instant instant) {
        const qreal value = static_cast<qreal>(instant / 1000 - m_plot->shiftMs);
        return chart->mapToPosition(QPointF(value, 1.0), m_plot->anchorSeries).x();
    };
    const qreal left = std::clamp(px(m_plot->period->first), area.left(), area.right());
    const qreal right = std::clamp(px(m_plot->period->second), area.left(), area.right());
    m_plot->selection->setRect(QRectF(left, area.top(), std::max<qreal>(right - left, 1.0), area.height()));
    m_plot->selection->show();
}

void TimelineChart::setSnapshot(const ViewUpdate& update, int /*part*/)
{
    if (update.dropViewFilter())
        setSelectedPeriod(std::nullopt);
    setSnapshot(update.snapshot);
}

void TimelineChart::setSelectionRows(const SelectionRows& filter)
{
    if (filter.sourceRows != nullptr || !sourceSessions().empty())
        setSourceMask(filter.sourceRows, filter.sourcesName);
    setSelectedPeriod(filter.filter.hasPeriod() ? std::optional(std::make_pair(*filter.filter.from, *filter.filter.to))
                                                : std::nullopt);
}

} // namespace webthreat

#include "ui/charts/anomalyscatter.h"

#include "ui/charts/chartbinning.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewbins.h"
#include "ui/charts/pointcloud.h"
#include "ui/charts/workbenchchart.h"
#include "ui/threatmarks.h"
#include "ui/triagestyle.h"

#include "core/context/threatlist.h"
#include "core/triage/tabletriage.h"

#include <QCursor>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {

// Drawing a million points would take long and show no more than a fair sample of them does.
// Normal rows beyond this are sampled; suspicious rows are always all drawn.
constexpr std::size_t kNormalPointBudget = 20000;
constexpr qsizetype kCrowdedSuspicious = 3000;
constexpr int kNormalLayer = 0;
constexpr int kSuspiciousLayer = 1;
constexpr int kListedLayer = 2; // rows on a threat list, crossed over either
constexpr int kListedMarkerSize = 13;

// Log axes from the decade at or below the smallest value to the decade above the largest,
// nudged outwards when a value sits on an edge decade, so that its marker (zeros drawn at 1,
// for one) is not cut in half by the plot border.
void setDecadeRange(QLogValueAxis* axis, double low, double high)
{
    constexpr double nudge = 0.12;
    // A column with no values at all (every bytes_in missing) leaves low at infinity; Qt Charts
    // recurses without end on an infinite log range, so fall back to one decade above the floor.
    if (!std::isfinite(low))
        low = kScatterFloor;
    if (!std::isfinite(high) || high < low)
        high = low;
    const double lowLog = std::log10(std::max(low, kScatterFloor));
    const double highLog = std::log10(std::max(high, kScatterFloor));
    double lowEdge = std::floor(lowLog);
    double highEdge = std::ceil(highLog);
    if (highEdge <= lowEdge)
        highEdge = lowEdge + 1.0;
    if (lowLog - lowEdge < nudge / 2.0)
        lowEdge -= nudge;
    if (highEdge - highLog < nudge / 2.0)
        highEdge += nudge;
    axis->setRange(std::pow(10.0, lowEdge), std::pow(10.0, highEdge));
}

QString rowTooltip(const PreparedData& data, const Detection* detection, bool suspicious, std::size_t row,
                   qsizetype sharing, const QString& lists)
{
    const TrafficTable& table = data.table;
    const auto text = [&](Field field) {
        const std::string_view view = table.text(field, row);
        return QString::fromUtf8(view.data(), static_cast<qsizetype>(view.size())).toHtmlEscaped();
    };
    const auto integer = [&](Field field) {
        const std::int64_t value = table.column(field).integers[row];
        return value == kMissingInteger
            ? QStringLiteral("(missing)")
            : chartstyle::groupedCount(static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0)));
    };
    QStringList lines;
    const auto add = [&](const QString& name, const QString& value) {
        lines << QStringLiteral("<tr><td>%1</td><td>&nbsp;%2</td></tr>").arg(name, value);
    };
    add(QStringLiteral("src_ip"), text(Field::SrcIp));
    add(QStringLiteral("country"), text(Field::SrcIpCountryCode));
    add(QStringLiteral("protocol"), text(Field::Protocol));
    const std::int64_t port = table.column(Field::DstPort).integers[row];
    add(QStringLiteral("dst_port"), port == kMissingInteger ? QStringLiteral("(missing)") : QString::number(port));
    add(QStringLiteral("bytes_in"), integer(Field::BytesIn));
    add(QStringLiteral("bytes_out"), integer(Field::BytesOut));
    if (row < data.features.sessionDuration.size())
        add(QStringLiteral("duration"), QStringLiteral("%1 s").arg(data.features.sessionDuration[row], 0, 'f', 0));
    if (detection && row < detection->scores.size())
        add(QStringLiteral("score"), QString::number(detection->scores.scores()[row], 'f', 4));
    const QString label = detection ? (suspicious ? QStringLiteral("Suspicious") : QStringLiteral("Normal"))
                                    : QStringLiteral("not scored yet");
    add(QStringLiteral("label"), label);
    if (!lists.isEmpty())
        add(QStringLiteral("threat lists"),
            QStringLiteral("<b>%1</b>").arg(lists.toHtmlEscaped().replace(QLatin1Char(';'), QStringLiteral(", "))));

    QString html = QStringLiteral("<b>Row %1</b>").arg(row + 1);
    if (row < table.sourceLines.size())
        html += QStringLiteral(" (line %1)").arg(table.sourceLines[row]);
    html += QStringLiteral("<table cellspacing=\"0\">") + lines.join(QString()) + QStringLiteral("</table>");
    if (sharing > 1)
        html += QStringLiteral("<i>%1 more rows at this point</i>").arg(sharing - 1);
    return html;
}

} // namespace

struct AnomalyScatter::Plot {
    ChartView* view = nullptr;
    PointCloudItem* cloud = nullptr;
    // The two series carry the legend entries, names and colours and tie the axes to the chart;
    // their points are drawn by the cloud (see PointCloudItem for why).
    QScatterSeries* normalSeries = nullptr;
    QScatterSeries* suspiciousSeries = nullptr;
    QScatterSeries* selectedSeries = nullptr; // the legend's entry for the ring
    QScatterSeries* listedSeries = nullptr; // the legend's entry for the threat lists' crosses
    QLogValueAxis* axisX = nullptr;
    QLogValueAxis* axisY = nullptr;
    std::optional<std::size_t> selected; // the selected row, ringed
    ScatterPoints normalPoints;
    ScatterPoints suspiciousPoints;
    ScatterPoints listedPoints;
    std::size_t shownSuspicious = 0; // the suspicious rows drawn
    std::shared_ptr<const ThreatMatches> threats; // the threat lists' matches for data, or null
    std::shared_ptr<const Verdicts> labelled; // the verdicts fill() labelled the points with, or null
    std::shared_ptr<const ScatterLayout> layout;
    std::size_t rowCount = 0;
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const Detection> detection;
    std::shared_ptr<const std::vector<std::uint8_t>> mask; // the view filter; null: every row
    AnalysisSnapshot shown; // what fill() drew, to redraw on a new mask
    std::shared_ptr<const TableTriage> triage; // the analyst's marks, framed

    bool inMask(std::size_t row) const { return !mask || (*mask)[row] != 0; }
    WorkbenchChart* chart() const { return static_cast<WorkbenchChart*>(view->chart()); }
    void clear();
    void build();
    void fill(const AnalysisSnapshot& snapshot);
    void showMarks();
    void showListed();
    const ScatterPoints& pointsOf(int layer) const
    {
        return layer == kListedLayer ? listedPoints : layer == kSuspiciousLayer ? suspiciousPoints : normalPoints;
    }
    bool isSuspicious(std::size_t row) const
    {
        return labelled && detection && row < labelled->suspicious.size() && labelled->isSuspicious(row);
    }
    void showTooltip(int layer, qsizetype index) const;
    void showSelection();
    void showSelectionEntry();
};

void AnomalyScatter::Plot::clear()
{
    WorkbenchChart* target = chart();
    target->clearSeriesAndAxes();
    normalSeries = nullptr;
    suspiciousSeries = nullptr;
    selectedSeries = nullptr;
    listedSeries = nullptr;
    axisX = nullptr;
    axisY = nullptr;
    cloud->setHighlight(std::nullopt);
    normalPoints = {};
    suspiciousPoints = {};
    listedPoints = {};
    cloud->setAxes(nullptr, nullptr);
    cloud->setLayerPoints(kNormalLayer, {});
    cloud->setLayerPoints(kSuspiciousLayer, {});
    cloud->setLayerPoints(kListedLayer, {});
}

void AnomalyScatter::Plot::showTooltip(int layer, qsizetype index) const
{
    const ScatterPoints& points = pointsOf(layer);
    const qsizetype row = points.rowOf(index);
    if (row < 0 || !data) {
        QToolTip::hideText();
        return;
    }
    const auto at = static_cast<std::size_t>(row);
    QToolTip::showText(
        QCursor::pos(),
        rowTooltip(*data, detection.get(), isSuspicious(at), at, points.countAt(index), listNames(threats.get(), at)),
        view);
}

void AnomalyScatter::Plot::build()
{
    // The axes cover every row, not only the drawn ones, so they stay put as the threshold moves.
    const double minIn = layout->minIn;
    const double maxIn = layout->maxIn;
    const double minOut = layout->minOut;
    const double maxOut = layout->maxOut;
    const bool zeroIn = layout->zeroIn;
    const bool zeroOut = layout->zeroOut;

    WorkbenchChart* target = chart();
    auto* axisX = new QLogValueAxis;
    auto* axisY = new QLogValueAxis;
    const QString zeroNote = tr(", 0 shown as 1");
    chartstyle::styleAxis(axisX, tr("Bytes in (log scale%1)").arg(zeroIn ? zeroNote : QString()));
    chartstyle::styleAxis(axisY, tr("Bytes out (log scale%1)").arg(zeroOut ? zeroNote : QString()));
    for (QLogValueAxis* axis : {axisX, axisY}) {
        axis->setBase(10.0);
        axis->setMinorTickCount(8);
        axis->setMinorGridLineVisible(true);
    }
    setDecadeRange(axisX, minIn, maxIn);
    setDecadeRange(axisY, minOut, maxOut);
    target->addAxis(axisX, Qt::AlignBottom);
    target->addAxis(axisY, Qt::AlignLeft);

    target->setCompactDecadeLabels(axisX);
    target->setCompactDecadeLabels(axisY);

    QColor normal = chartstyle::normalColor();
    normal.setAlpha(150); // overlapping normal points read as density
    const QColor suspicious = chartstyle::suspiciousColor();
    cloud->setLayerStyle(kNormalLayer, normal, Qt::transparent, 5.0);
    cloud->setAxes(axisX, axisY);

    normalSeries = new QScatterSeries;
    suspiciousSeries = new QScatterSeries;
    normalSeries->setColor(chartstyle::normalColor());
    normalSeries->setBorderColor(chartstyle::normalColor());
    suspiciousSeries->setColor(suspicious);
    suspiciousSeries->setBorderColor(suspicious.darker(150));
    selectedSeries = new QScatterSeries;
    selectedSeries->setObjectName(QStringLiteral("selectedRow"));
    selectedSeries->setColor(Qt::transparent);
    selectedSeries->setPen(QPen(chartstyle::selectionColor(), 2.0));
    listedSeries = new QScatterSeries;
    listedSeries->setObjectName(QStringLiteral("threatListedRows"));
    listedSeries->setColor(chartstyle::threatListColor());
    listedSeries->setBorderColor(chartstyle::threatListColor());
    for (QScatterSeries* series : {normalSeries, suspiciousSeries, listedSeries, selectedSeries}) {
        series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        target->addSeries(series);
        series->attachAxis(axisX);
        series->attachAxis(axisY);
    }
    // The legend shows the cross the points carry, not a dot of the colour.
    const QImage cross = threatListMarker(kListedMarkerSize, 2.0);
    listedSeries->setMarkerSize(kListedMarkerSize);
    listedSeries->setLightMarker(cross);
    for (QLegendMarker* marker : target->legend()->markers(listedSeries))
        marker->setShape(QLegend::MarkerShapeFromSeries);
    cloud->setLayerMarker(kListedLayer, cross);
    this->axisX = axisX;
    this->axisY = axisY;
}

void AnomalyScatter::Plot::showSelection()
{
    if (!selectedSeries)
        return;
    std::optional<QPointF> at;
    const std::size_t row = selected.value_or(0);
    const bool valid = selected && data && row < rowCount;
    if (valid) {
        const std::int64_t in = data->table.column(Field::BytesIn).integers[row];
        const std::int64_t out = data->table.column(Field::BytesOut).integers[row];
        if (in != kMissingInteger && out != kMissingInteger)
            at = QPointF(std::max(static_cast<double>(in), kScatterFloor),
                         std::max(static_cast<double>(out), kScatterFloor));
    }
    cloud->setHighlight(at);
    // Off the axes' range (they cover every row, but a row's bytes may lie beyond a range set
    // since): the axis widens to the decade that holds it.
    if (at && (at->x() < axisX->min() || at->x() > axisX->max()))
        setDecadeRange(axisX, std::min(at->x(), axisX->min()), std::max(at->x(), axisX->max()));
    if (at && (at->y() < axisY->min() || at->y() > axisY->max()))
        setDecadeRange(axisY, std::min(at->y(), axisY->min()), std::max(at->y(), axisY->max()));
    const quint64 line = valid && row < data->table.sourceLines.size() ? data->table.sourceLines[row] : 0;
    // Short: a third legend entry shares a third of a laptop screen with the counts (the ring in
    // the legend says it is the selection; Row details names it in full).
    selectedSeries->setName(at ? tr("Line %1").arg(line) : tr("Line %1: no bytes to plot").arg(line));
    selectedSeries->setVisible(valid);
    showSelectionEntry();
}

void AnomalyScatter::Plot::showSelectionEntry()
{
    // Four entries do not fit a third of a laptop screen: beside the threat lists' entry the
    // selected row goes without one (its ring is plain, and Row details names it).
    const bool listed = listedSeries && listedSeries->isVisible();
    for (QLegendMarker* marker : chart()->legend()->markers(selectedSeries))
        marker->setVisible(selectedSeries->isVisible() && !listed);
}

void AnomalyScatter::Plot::fill(const AnalysisSnapshot& snapshot)
{
    const Verdicts* verdicts
        = detection != nullptr && snapshot.hasDetection() && snapshot.verdicts->suspicious.size() == rowCount
        ? snapshot.verdicts.get()
        : nullptr;
    shown = snapshot;
    labelled = verdicts ? snapshot.verdicts : nullptr;
    if (mask && mask->size() != rowCount)
        mask = nullptr;
    bool detected = false;
    std::size_t normalTotal = 0;
    std::size_t normalDrawn = 0;
    std::size_t suspiciousDrawn = 0;
    if (!mask) {
        // The worker made the points with the verdicts; make them here only when it did not.
        std::shared_ptr<const ScatterVerdictPoints> made = snapshot.scatterPoints;
        if (!made || made->layout != layout.get() || made->verdicts != verdicts)
            made = std::make_shared<const ScatterVerdictPoints>(
                computeScatterPoints(*layout, *data, detection.get(), verdicts));
        detected = made->verdicts != nullptr;
        normalPoints = made->normal;
        suspiciousPoints = made->suspicious;
        normalTotal = made->normalTotal;
        normalDrawn = made->normalRows;
        suspiciousDrawn = made->suspiciousRows;
    } else {
        // The view filter is the analyst's choice of the moment: its rows are picked here. A
        // filter to a few sources keeps all of their rows; a wide one draws the sample's.
        detected = verdicts != nullptr;
        const std::size_t maskedRows
            = static_cast<std::size_t>(std::count(mask->begin(), mask->end(), std::uint8_t(1)));
        const bool sampleMasked = maskedRows > kNormalPointBudget;
        std::vector<std::size_t> normalRows;
        std::vector<std::size_t> suspiciousRows;
        if (detected) {
            // Most anomalous first: where points coincide, the tooltip and a click name that row.
            for (const std::uint32_t row : detection->scores.rankedRows()) {
                if (verdicts->isSuspicious(row) && inMask(row))
                    suspiciousRows.push_back(row);
            }
        }
        for (std::size_t row = 0; row < rowCount; ++row) {
            if ((detected && verdicts->isSuspicious(row)) || !inMask(row))
                continue;
            ++normalTotal;
            if (!sampleMasked)
                normalRows.push_back(row);
        }
        if (sampleMasked) {
            for (const std::uint32_t row : layout->sampledRows) {
                if (inMask(row) && !(detected && verdicts->isSuspicious(row)))
                    normalRows.push_back(row);
            }
        }
        const auto& bytesIn = data->table.column(Field::BytesIn).integers;
        const auto& bytesOut = data->table.column(Field::BytesOut).integers;
        normalPoints = buildScatterPoints(bytesIn, bytesOut, normalRows);
        suspiciousPoints = buildScatterPoints(bytesIn, bytesOut, suspiciousRows);
        normalDrawn = normalRows.size();
        suspiciousDrawn = suspiciousRows.size();
    }
    cloud->setLayerPoints(kNormalLayer, normalPoints.points);
    cloud->setLayerPoints(kSuspiciousLayer, suspiciousPoints.points);
    // Every suspicious row is drawn while normal rows are sampled, so when there are thousands
    // smaller, borderless markers keep them from looking like the bulk of the traffic.
    const QColor suspicious = chartstyle::suspiciousColor();
    if (suspiciousPoints.points.size() > kCrowdedSuspicious)
        cloud->setLayerStyle(kSuspiciousLayer, suspicious, Qt::transparent, 5.0);
    else
        cloud->setLayerStyle(kSuspiciousLayer, suspicious, suspicious.darker(150), 7.0);

    const bool isSample = normalDrawn < normalTotal;
    const QString normalName = detected ? tr("Normal") : tr("Rows");
    // The legend gives every entry the same width: the sample's figures go in the title, or
    // "Normal (sample of 19,005 of 190,000)" is cut in a third of a laptop screen.
    normalSeries->setName(tr("%1 (%2)").arg(normalName, chartstyle::groupedCount(normalTotal)));
    shownSuspicious = suspiciousDrawn; // named in showListed
    suspiciousSeries->setVisible(detected);
    for (QLegendMarker* marker : chart()->legend()->markers(suspiciousSeries))
        marker->setVisible(detected);
    QString title = tr("Bytes in vs bytes out");
    if (isSample) {
        const auto every = static_cast<std::uint64_t>(
            std::llround(static_cast<double>(normalTotal) / static_cast<double>(std::max<std::size_t>(normalDrawn, 1))));
        title += tr(" (1 in %1 normal rows drawn)").arg(chartstyle::groupedCount(std::max<std::uint64_t>(every, 2)));
    }
    if (mask)
        title += tr(", filtered");
    chart()->setTitle(title);
    showSelection();
    showMarks();
    showListed();
}

void AnomalyScatter::Plot::showListed()
{
    // Every listed row inside the filter, whether its point is in the sample or not: the lists
    // hold few rows, and an analyst who loaded one looks for each of them.
    if (!data)
        return;
    std::vector<std::size_t> rows;
    if (threats && threats->src.size() == rowCount) {
        for (const std::uint32_t row : listedRows(*threats, mask.get()))
            rows.push_back(row);
    }
    listedPoints = buildScatterPoints(data->table.column(Field::BytesIn).integers,
                                      data->table.column(Field::BytesOut).integers, rows);
    cloud->setLayerPoints(kListedLayer, listedPoints.points);
    if (!listedSeries || !suspiciousSeries)
        return;
    const bool visible = threats != nullptr;
    // "all" says that, unlike the normal rows, none of them is left out by sampling; with the
    // threat lists' entry beside it there is no room for the word in a third of a laptop screen.
    const QString suspicious = chartstyle::groupedCount(shownSuspicious);
    suspiciousSeries->setName(shownSuspicious == 0 ? tr("Suspicious (0)")
                                  : visible        ? tr("Suspicious (%1)").arg(suspicious)
                                                   : tr("Suspicious (all %1)").arg(suspicious));
    // Short, like the others: the tooltip and the Overview say the rest.
    listedSeries->setName(rows.size() == listedPoints.rows.size()
                              ? tr("Threat list (%1)").arg(chartstyle::groupedCount(rows.size()))
                              : tr("Threat list (%1, %2 no bytes)")
                                    .arg(chartstyle::groupedCount(rows.size()))
                                    .arg(chartstyle::groupedCount(rows.size() - listedPoints.rows.size())));
    listedSeries->setVisible(visible);
    for (QLegendMarker* marker : chart()->legend()->markers(listedSeries))
        marker->setVisible(visible);
    if (selectedSeries)
        showSelectionEntry();
}

ScatterLayout computeScatterLayout(const PreparedData& data)
{
    ScatterLayout layout;
    layout.data = &data;
    const TrafficTable& table = data.table;
    const std::size_t rows = table.rowCount();
    const std::vector<std::uint8_t> sampled = sampleRows(rows, kNormalPointBudget);
    layout.sampledRows.reserve(std::min(rows, kNormalPointBudget));
    for (std::size_t row = 0; row < rows; ++row) {
        if (sampled[row])
            layout.sampledRows.push_back(static_cast<std::uint32_t>(row));
    }
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    layout.maxIn = kScatterFloor;
    layout.maxOut = kScatterFloor;
    layout.minIn = std::numeric_limits<double>::infinity();
    layout.minOut = std::numeric_limits<double>::infinity();
    for (std::size_t row = 0; row < rows; ++row) {
        if (bytesIn[row] != kMissingInteger) {
            const double value = std::max(static_cast<double>(bytesIn[row]), kScatterFloor);
            layout.zeroIn = layout.zeroIn || bytesIn[row] <= 0;
            layout.minIn = std::min(layout.minIn, value);
            layout.maxIn = std::max(layout.maxIn, value);
        }
        if (bytesOut[row] != kMissingInteger) {
            const double value = std::max(static_cast<double>(bytesOut[row]), kScatterFloor);
            layout.zeroOut = layout.zeroOut || bytesOut[row] <= 0;
            layout.minOut = std::min(layout.minOut, value);
            layout.maxOut = std::max(layout.maxOut, value);
        }
    }
    return layout;
}

ScatterVerdictPoints computeScatterPoints(const ScatterLayout& layout, const PreparedData& data,
                                          const Detection* detection, const Verdicts* verdicts)
{
    ScatterVerdictPoints made;
    made.layout = &layout;
    const TrafficTable& table = data.table;
    const std::size_t rowCount = table.rowCount();
    if (detection && verdicts && verdicts->suspicious.size() == rowCount && detection->scores.size() == rowCount)
        made.verdicts = verdicts;
    std::vector<std::size_t> normalRows;
    std::vector<std::size_t> suspiciousRows;
    normalRows.reserve(layout.sampledRows.size());
    if (made.verdicts) {
        suspiciousRows.reserve(verdicts->suspiciousCount);
        // Most anomalous first: where points coincide, the tooltip and a click name that row.
        // The suspicious rows lead the ranking, so the walk stops once it has them all.
        for (const std::uint32_t row : detection->scores.rankedRows()) {
            if (suspiciousRows.size() == verdicts->suspiciousCount)
                break;
            if (verdicts->isSuspicious(row))
                suspiciousRows.push_back(row);
        }
    }
    // Only the sample is walked: a slider move costs the sample and the suspicious rows.
    made.normalTotal = rowCount - suspiciousRows.size();
    for (const std::uint32_t row : layout.sampledRows) {
        if (!made.verdicts || !verdicts->isSuspicious(row))
            normalRows.push_back(row);
    }
    made.normalRows = normalRows.size();
    made.suspiciousRows = suspiciousRows.size();
    const auto& bytesIn = table.column(Field::BytesIn).integers;
    const auto& bytesOut = table.column(Field::BytesOut).integers;
    made.normal = buildScatterPoints(bytesIn, bytesOut, normalRows);
    made.suspicious = buildScatterPoints(bytesIn, bytesOut, suspiciousRows);
    return made;
}

AnomalyScatter::AnomalyScatter(QWidget* parent)
    : QWidget(parent)
    , m_plot(std::make_unique<Plot>())
{
    m_plot->view = new ChartView(QStringLiteral("anomaly_scatter"), tr("Bytes in vs bytes out"), this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot->view);
    m_plot->chart()->legend()->hide();
    m_plot->chart()->legend()->setMarkerShape(QLegend::MarkerShapeCircle);
    m_plot->chart()->setMessage(tr("Open a CSV file to see the scatter"));

    m_plot->cloud = new PointCloudItem(m_plot->chart());
    connect(m_plot->cloud, &PointCloudItem::hovered, this, [this](int layer, qsizetype index) {
        if (index < 0)
            QToolTip::hideText();
        else
            m_plot->showTooltip(layer, index);
    });
    connect(m_plot->cloud, &PointCloudItem::clicked, this, [this](int layer, qsizetype index) {
        const qsizetype row = m_plot->pointsOf(layer).rowOf(index);
        if (row >= 0)
            Q_EMIT rowClicked(row);
    });
}

AnomalyScatter::~AnomalyScatter()
{
    // The cloud lives in the chart, which QWidget deletes after m_plot is gone; its signals
    // must not reach the lambdas that use m_plot in between.
    disconnect(m_plot->cloud, nullptr, this, nullptr);
}

void AnomalyScatter::setRowMask(std::shared_ptr<const std::vector<std::uint8_t>> mask)
{
    if (mask == m_plot->mask)
        return;
    m_plot->mask = std::move(mask);
    if (m_plot->data && m_plot->rowCount > 0 && m_plot->normalSeries)
        m_plot->fill(m_plot->shown);
}

void AnomalyScatter::setSnapshot(const AnalysisSnapshot& snapshot)
{
    Plot& plot = *m_plot;
    plot.clear();
    if (snapshot.data != plot.data)
        plot.selected.reset(); // a row of other data
    plot.data = snapshot.data;
    plot.triage = snapshot.triage;
    plot.threats = snapshot.threatMatches;
    plot.labelled = nullptr;
    plot.cloud->setMarkedPoints({});
    plot.detection = snapshot.hasDetection() ? snapshot.detection : nullptr;
    plot.chart()->setTitle(tr("Bytes in vs bytes out"));
    if (!snapshot.hasData()) {
        plot.rowCount = 0;
        plot.chart()->legend()->hide();
        plot.chart()->setMessage(tr("Open a CSV file to see the scatter"));
        return;
    }
    plot.rowCount = snapshot.data->table.rowCount();
    if (plot.rowCount == 0) {
        plot.chart()->legend()->hide();
        plot.chart()->setMessage(tr("No rows to plot: none are left after cleaning"));
        return;
    }
    if (plot.detection && plot.detection->scores.size() != plot.rowCount)
        plot.detection = nullptr;
    plot.chart()->setMessage(QString());
    plot.chart()->legend()->show();
    // Made on the worker with the snapshot; made here only for a snapshot without it.
    plot.layout = snapshot.scatterLayout;
    if (!plot.layout || plot.layout->data != snapshot.data.get())
        plot.layout = std::make_shared<const ScatterLayout>(computeScatterLayout(*snapshot.data));
    plot.build();
    plot.fill(snapshot);
}

void AnomalyScatter::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    Plot& plot = *m_plot;
    const auto detection = snapshot.hasDetection() ? snapshot.detection : nullptr;
    if (snapshot.data != plot.data || detection != plot.detection || !plot.normalSeries) {
        setSnapshot(snapshot);
        return;
    }
    plot.fill(snapshot);
}

void AnomalyScatter::updateTriage(std::shared_ptr<const TableTriage> triage)
{
    Plot& plot = *m_plot;
    plot.triage = std::move(triage);
    plot.showMarks();
}

void AnomalyScatter::updateThreatLists(const AnalysisSnapshot& snapshot)
{
    Plot& plot = *m_plot;
    if (snapshot.data != plot.data)
        return;
    plot.threats = snapshot.threatMatches;
    if (plot.data && plot.rowCount > 0 && plot.normalSeries)
        plot.showListed();
}

const std::vector<std::size_t>& AnomalyScatter::listedPointRows() const
{
    return m_plot->listedPoints.rows;
}

QString AnomalyScatter::listedLegendName() const
{
    const QScatterSeries* series = m_plot->listedSeries;
    return series && series->isVisible() ? series->name() : QString();
}

qsizetype AnomalyScatter::markedPointCount() const
{
    return m_plot->cloud->markedCount();
}

void AnomalyScatter::Plot::showMarks()
{
    QList<PointCloudItem::Marked> points;
    if (triage && data && !triage->empty() && triage->marks.size() == rowCount) {
        const auto& in = data->table.column(Field::BytesIn).integers;
        const auto& out = data->table.column(Field::BytesOut).integers;
        for (std::size_t row = 0; row < rowCount; ++row) {
            const Mark mark = triage->marks[row];
            if (mark == Mark::None || !inMask(row) || in[row] == kMissingInteger || out[row] == kMissingInteger)
                continue;
            points.append({QPointF(std::max(static_cast<double>(in[row]), kScatterFloor),
                                   std::max(static_cast<double>(out[row]), kScatterFloor)),
                           markColor(mark)});
        }
    }
    cloud->setMarkedPoints(std::move(points));
}

void AnomalyScatter::setSelectedRow(std::optional<std::size_t> row)
{
    m_plot->selected = row;
    m_plot->showSelection();
}

std::optional<std::size_t> AnomalyScatter::selectedRow() const
{
    return m_plot->selected;
}

ChartView* AnomalyScatter::chartView() const
{
    return m_plot->view;
}

} // namespace webthreat

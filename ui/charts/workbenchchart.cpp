#include "ui/charts/workbenchchart.h"

#include "ui/charts/chartstyle.h"

#include <QAbstractSeries>
#include <QBarCategoryAxis>
#include <QBrush>
#include <QGraphicsRectItem>
#include <QGraphicsSceneResizeEvent>
#include <QFontMetricsF>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QTextDocument>
#include <QTextOption>
#include <QLogValueAxis>
#include <QPen>

#include <algorithm>
#include <optional>
#include <utility>
#include <cmath>

namespace webthreat {

namespace {
// Above the series and axes (whose z values are small), so overlays are never hidden.
constexpr qreal kOverlayZ = 100.0;
} // namespace

WorkbenchChart::WorkbenchChart(QGraphicsItem* parent)
    : QChart(parent)
{
    chartstyle::styleChart(this);

    m_message = new QGraphicsTextItem(this);
    QFont messageFont = chartstyle::axisTitleFont();
    messageFont.setPointSizeF(10.0);
    m_message->setFont(messageFont);
    m_message->setDefaultTextColor(chartstyle::mutedTextColor());
    m_message->document()->setDefaultTextOption(QTextOption(Qt::AlignHCenter));
    m_message->setZValue(kOverlayZ);
    m_message->hide();

    m_markerBox = new QGraphicsRectItem(this);
    m_markerBox->setBrush(chartstyle::overlayColor());
    m_markerBox->setPen(Qt::NoPen);
    m_markerBox->setZValue(kOverlayZ);
    m_markerText = new QGraphicsSimpleTextItem(m_markerBox);
    QFont markerFont = chartstyle::labelFont();
    markerFont.setBold(true);
    m_markerText->setFont(markerFont);
    m_markerText->setBrush(chartstyle::thresholdColor());
    m_markerBox->hide();

    connect(this, &QChart::plotAreaChanged, this, &WorkbenchChart::placeOverlays);
}

void WorkbenchChart::setMessage(const QString& text)
{
    m_message->setPlainText(text);
    m_message->setVisible(!text.isEmpty());
    placeOverlays();
}

QString WorkbenchChart::message() const
{
    return m_message->isVisible() ? m_message->toPlainText() : QString();
}

void WorkbenchChart::setMarkerLabel(const QString& text, QAbstractSeries* series, QPointF anchor, QList<QRectF> data)
{
    m_markerText->setText(text);
    m_markerSeries = series;
    m_markerAnchor = anchor;
    m_markerData = std::move(data);
    m_markerBox->setVisible(series != nullptr && !text.isEmpty());
    placeOverlays();
}

void WorkbenchChart::clearMarkerLabel()
{
    m_markerSeries = nullptr;
    m_markerText->setText(QString());
    m_markerBox->hide();
}

QString WorkbenchChart::markerLabel() const
{
    return m_markerBox->isVisible() ? m_markerText->text() : QString();
}

void WorkbenchChart::clearSeriesAndAxes()
{
    removeAllSeries();
    for (QAbstractAxis* axis : axes()) {
        removeAxis(axis);
        delete axis;
    }
    addAxisLabels(nullptr, AxisLabels::Kind::Decades); // forgets the deleted axes' labels
}

void WorkbenchChart::setCompactDecadeLabels(QLogValueAxis* axis)
{
    if (axis) {
        // About as wide as "100M", so the room the layout reserves fits the compact labels.
        axis->setLabelFormat(QStringLiteral("%.0e"));
        connect(axis, &QLogValueAxis::rangeChanged, this, &WorkbenchChart::placeOverlays, Qt::UniqueConnection);
    }
    addAxisLabels(axis, AxisLabels::Kind::Decades);
}

void WorkbenchChart::setUnelidedCategoryLabels(QBarCategoryAxis* axis)
{
    addAxisLabels(axis, AxisLabels::Kind::Categories);
}

void WorkbenchChart::addAxisLabels(QAbstractAxis* axis, AxisLabels::Kind kind)
{
    // Drop entries whose axis was removed from the chart (and deleted) since, and any earlier
    // entry for this axis.
    for (qsizetype i = m_axisLabels.size() - 1; i >= 0; --i) {
        if (!m_axisLabels[i].axis || m_axisLabels[i].axis == axis) {
            qDeleteAll(m_axisLabels[i].items);
            m_axisLabels.removeAt(i);
        }
    }
    if (!axis)
        return;
    // The axis keeps laying out its own labels, invisibly, so that their room stays reserved.
    axis->setLabelsColor(Qt::transparent);
    m_axisLabels.append(AxisLabels{axis, kind, {}, {}});
    placeOverlays();
}

QStringList WorkbenchChart::overlayLabels(QAbstractAxis* axis) const
{
    QStringList texts;
    for (const AxisLabels& labels : m_axisLabels) {
        if (labels.axis == axis)
            texts << labels.texts;
    }
    return texts;
}

QStringList WorkbenchChart::shownOverlayLabels(QAbstractAxis* axis) const
{
    QStringList texts;
    for (const AxisLabels& labels : m_axisLabels) {
        if (labels.axis != axis)
            continue;
        for (const QGraphicsSimpleTextItem* item : labels.items) {
            if (item->isVisible())
                texts << item->text();
        }
    }
    return texts;
}

qsizetype WorkbenchChart::labelStride(const AxisLabels& labels, const QList<QPair<double, QString>>& wanted,
                                      qreal extent, bool horizontal) const
{
    if (labels.kind != AxisLabels::Kind::Categories || wanted.size() < 2 || extent <= 0.0)
        return 1;
    const QFontMetricsF metrics(labels.axis->labelsFont());
    qreal needed = metrics.height(); // a line per name along a vertical axis
    if (horizontal) {
        needed = 0.0;
        for (const auto& label : wanted)
            needed = std::max(needed, metrics.horizontalAdvance(label.second));
        needed += metrics.averageCharWidth();
    }
    const qreal band = extent / static_cast<qreal>(wanted.size());
    return std::max<qsizetype>(1, static_cast<qsizetype>(std::ceil(needed / band - 1e-9)));
}

void WorkbenchChart::placeAxisLabels(AxisLabels& labels)
{
    QAbstractAxis* axis = labels.axis;
    const QRectF plot = plotArea();
    // Each label: where along the axis (0 = start, 1 = end) and its text.
    QList<QPair<double, QString>> wanted;
    if (labels.kind == AxisLabels::Kind::Decades) {
        const auto* logAxis = static_cast<QLogValueAxis*>(axis);
        const double low = std::log10(logAxis->min());
        const double high = std::log10(logAxis->max());
        if (high > low) {
            for (int decade = static_cast<int>(std::ceil(low - 1e-9)); decade <= std::floor(high + 1e-9); ++decade)
                wanted.append({(decade - low) / (high - low), chartstyle::compactNumber(std::pow(10.0, decade))});
        }
    } else {
        // A bar category axis spans [-0.5, n - 0.5]: category i sits at the middle of band i.
        const QStringList categories = static_cast<QBarCategoryAxis*>(axis)->categories();
        for (qsizetype i = 0; i < categories.size(); ++i)
            wanted.append({(static_cast<double>(i) + 0.5) / static_cast<double>(categories.size()), categories[i]});
    }
    labels.texts.clear();
    for (const auto& label : std::as_const(wanted))
        labels.texts << label.second;
    // Not laid out yet (a hidden chart): nothing to place until the plot area exists.
    if (plot.isEmpty() || !axis->isVisible())
        wanted.clear();

    while (labels.items.size() < wanted.size()) {
        auto* item = new QGraphicsSimpleTextItem(this);
        item->setFont(axis->labelsFont());
        item->setBrush(chartstyle::textColor());
        item->setZValue(kOverlayZ);
        labels.items.append(item);
    }
    const bool horizontal = axis->orientation() == Qt::Horizontal;
    // Qt Charts draws its labels about this far from the plot edge (tick length plus padding).
    constexpr qreal gap = 7.0;
    const qsizetype stride = labelStride(labels, wanted, horizontal ? plot.width() : plot.height(), horizontal);
    const qsizetype last = wanted.size() - 1;
    for (qsizetype i = 0; i < labels.items.size(); ++i) {
        QGraphicsSimpleTextItem* item = labels.items[i];
        // Too little room for every category name (a squeezed chart): every stride-th, counted
        // from the last (the largest bar, on top), so names never overlap; hovering names any bar.
        // The bottom name (often "Other") stays too: an unnamed long bar would puzzle.
        const bool shown = i == last || i == 0 || ((last - i) % stride == 0 && i >= stride);
        if (i >= wanted.size() || !shown) {
            item->hide();
            continue;
        }
        item->setText(wanted[i].second);
        const QRectF box = item->boundingRect();
        const double share = wanted[i].first;
        if (horizontal) {
            const qreal x = plot.left() + share * plot.width();
            item->setPos(x - box.width() / 2.0, plot.bottom() + gap - 2.0);
        } else {
            const qreal y = plot.bottom() - share * plot.height();
            item->setPos(plot.left() - gap - box.width(), y - box.height() / 2.0);
        }
        item->show();
    }
}

void WorkbenchChart::resizeEvent(QGraphicsSceneResizeEvent* event)
{
    QChart::resizeEvent(event);
    placeOverlays();
}

void WorkbenchChart::setAxisTitleChoices(QAbstractAxis* axis, const QStringList& choices)
{
    m_axisTitles.removeIf([axis](const AxisTitle& title) { return !title.axis || title.axis == axis; });
    if (!axis || choices.isEmpty())
        return;
    m_axisTitles.append({axis, choices});
    placeAxisTitle(m_axisTitles.last());
}

void WorkbenchChart::placeAxisTitle(const AxisTitle& title)
{
    if (!title.axis)
        return;
    const QRectF plot = plotArea();
    const qreal extent = title.axis->orientation() == Qt::Horizontal ? plot.width() : plot.height();
    const QFontMetricsF metrics(title.axis->titleFont());
    QString chosen = title.choices.last();
    for (const QString& choice : title.choices) {
        if (extent <= 0.0 || metrics.horizontalAdvance(choice) <= extent) {
            chosen = choice;
            break;
        }
    }
    if (title.axis->titleText() != chosen)
        title.axis->setTitleText(chosen);
}

void WorkbenchChart::placeOverlays()
{
    for (const AxisTitle& title : std::as_const(m_axisTitles))
        placeAxisTitle(title);
    for (qsizetype i = m_axisLabels.size() - 1; i >= 0; --i) {
        if (m_axisLabels[i].axis) {
            placeAxisLabels(m_axisLabels[i]);
        } else {
            // The axis was removed from the chart and deleted: its labels go with it.
            qDeleteAll(m_axisLabels[i].items);
            m_axisLabels.removeAt(i);
        }
    }
    if (m_message->isVisible()) {
        const QRectF area = rect();
        // As wide as the text needs, wrapped where the chart is narrower.
        m_message->setTextWidth(-1);
        m_message->setTextWidth(std::min(m_message->document()->idealWidth(), std::max(area.width() - 24.0, 80.0)));
        const QRectF box = m_message->boundingRect();
        m_message->setPos(area.center().x() - box.width() / 2.0, area.center().y() - box.height() / 2.0);
    }
    if (m_markerBox->isVisible() && m_markerSeries && m_markerSeries->chart() == this)
        placeMarkerLabel();
}

void WorkbenchChart::placeMarkerLabel()
{
    const QRectF plot = plotArea();
    const QPointF at = mapToPosition(m_markerAnchor, m_markerSeries);
    const QRectF text = m_markerText->boundingRect();
    constexpr qreal pad = 3.0;
    const QSizeF boxSize(text.width() + 2 * pad, text.height() + 2 * pad);
    const qreal top = plot.top() + 2.0;
    QList<QRectF> covered;
    for (const QRectF& value : std::as_const(m_markerData))
        covered << QRectF(mapToPosition(value.topLeft(), m_markerSeries),
                          mapToPosition(value.bottomRight(), m_markerSeries))
                       .normalized();
    // How much of the data a label at x would hide; inside the plot only.
    const auto hidden = [&](qreal x) {
        const QRectF box(QPointF(x, top), boxSize);
        qreal area = 0.0;
        for (const QRectF& bar : std::as_const(covered))
            area += (box & bar).width() * (box & bar).height();
        return area;
    };
    const auto inside = [&](qreal x) { return x >= plot.left() && x + boxSize.width() <= plot.right(); };
    // Beside the line, right then left, then ever further from it: the first place that hides
    // nothing; failing that (bars up to the top everywhere), the one that hides least.
    const qreal right = at.x() + 4.0;
    const qreal left = at.x() - 4.0 - boxSize.width();
    std::optional<qreal> chosen;
    std::optional<qreal> least;
    qreal leastHidden = 0.0;
    for (qreal step = 0.0; step <= plot.width() && !chosen; step += 4.0) {
        for (const qreal x : {right + step, left - step}) {
            if (!inside(x))
                continue;
            const qreal area = hidden(x);
            if (area <= 0.0) {
                chosen = x;
                break;
            }
            if (!least || area < leastHidden) {
                least = x;
                leastHidden = area;
            }
        }
    }
    const qreal x = chosen.value_or(least.value_or(right + boxSize.width() > plot.right() ? left : right));
    m_markerBox->setRect(QRectF(QPointF(0, 0), boxSize));
    m_markerText->setPos(pad, pad);
    m_markerBox->setPos(std::max(x, plot.left()), top);
}

} // namespace webthreat

#include "ui/charts/pointcloud.h"

#include "ui/charts/chartstyle.h"

#include <QChart>
#include <QGraphicsSceneHoverEvent>
#include <QGraphicsSceneMouseEvent>
#include <QLogValueAxis>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {
// Above the chart's series and grid (Qt Charts uses z 0..5 for those), below its legend.
constexpr qreal kCloudZ = 5.5;
// A few pixels of slack so that a small marker is not fiddly to hit.
constexpr qreal kHitSlack = 2.0;
constexpr qreal kRingRadius = 9.0;
} // namespace

PointCloudItem::PointCloudItem(QChart* chart)
    : QGraphicsObject(chart)
    , m_chart(chart)
{
    setZValue(kCloudZ);
    setAcceptHoverEvents(true);
    setAcceptedMouseButtons(Qt::LeftButton);
    setFlag(QGraphicsItem::ItemClipsToShape, true);
    connect(chart, &QChart::plotAreaChanged, this, &PointCloudItem::geometryChanged);
    m_plot = chart->plotArea();
}

void PointCloudItem::setAxes(QLogValueAxis* x, QLogValueAxis* y)
{
    for (QLogValueAxis* axis : {m_axisX.data(), m_axisY.data()}) {
        if (axis)
            disconnect(axis, nullptr, this, nullptr);
    }
    m_axisX = x;
    m_axisY = y;
    for (QLogValueAxis* axis : {x, y}) {
        if (axis)
            connect(axis, &QLogValueAxis::rangeChanged, this, &PointCloudItem::geometryChanged);
    }
    update();
}

void PointCloudItem::setLayerStyle(int layer, const QColor& fill, const QColor& border, qreal diameter)
{
    Layer& target = m_layers.at(static_cast<std::size_t>(layer));
    target.fill = fill;
    target.border = border;
    target.diameter = diameter;
    target.marker = QPixmap();
    update();
}

void PointCloudItem::setLayerMarker(int layer, const QImage& marker)
{
    Layer& target = m_layers.at(static_cast<std::size_t>(layer));
    target.image = marker;
    target.diameter = marker.deviceIndependentSize().width() - 2.0;
    target.marker = QPixmap();
    update();
}

void PointCloudItem::setLayerPoints(int layer, const QList<QPointF>& values)
{
    Layer& target = m_layers.at(static_cast<std::size_t>(layer));
    target.logX.resize(static_cast<std::size_t>(values.size()));
    target.logY.resize(static_cast<std::size_t>(values.size()));
    for (qsizetype i = 0; i < values.size(); ++i) {
        target.logX[static_cast<std::size_t>(i)] = static_cast<float>(std::log10(values[i].x()));
        target.logY[static_cast<std::size_t>(i)] = static_cast<float>(std::log10(values[i].y()));
    }
    m_hovered.reset();
    m_pressed.reset();
    update();
}

void PointCloudItem::setMarkedPoints(QList<Marked> points)
{
    m_marked = std::move(points);
    update();
}

void PointCloudItem::setHighlight(std::optional<QPointF> value)
{
    m_highlight = value;
    update();
}

qsizetype PointCloudItem::pointCount(int layer) const
{
    return static_cast<qsizetype>(m_layers.at(static_cast<std::size_t>(layer)).logX.size());
}

PointCloudItem::Mapping PointCloudItem::mapping() const
{
    Mapping map;
    if (!m_axisX || !m_axisY || m_plot.isEmpty())
        return map;
    const double minX = std::log10(m_axisX->min());
    const double maxX = std::log10(m_axisX->max());
    const double minY = std::log10(m_axisY->min());
    const double maxY = std::log10(m_axisY->max());
    if (!(maxX > minX) || !(maxY > minY))
        return map;
    map.left = m_plot.left();
    map.bottom = m_plot.bottom();
    map.scaleX = m_plot.width() / (maxX - minX);
    map.scaleY = m_plot.height() / (maxY - minY);
    map.minX = minX;
    map.minY = minY;
    return map;
}

QPointF PointCloudItem::positionOf(int layer, qsizetype index) const
{
    const Layer& source = m_layers.at(static_cast<std::size_t>(layer));
    const Mapping map = mapping();
    const auto i = static_cast<std::size_t>(index);
    return {map.left + (source.logX[i] - map.minX) * map.scaleX, map.bottom - (source.logY[i] - map.minY) * map.scaleY};
}

std::optional<PointCloudItem::Hit> PointCloudItem::pointAt(QPointF position) const
{
    const Mapping map = mapping();
    if (map.scaleX == 0.0 || !m_plot.adjusted(-kHitSlack, -kHitSlack, kHitSlack, kHitSlack).contains(position))
        return std::nullopt;
    for (int layer = kLayers - 1; layer >= 0; --layer) {
        const Layer& source = m_layers[static_cast<std::size_t>(layer)];
        const double reach = source.diameter / 2.0 + kHitSlack;
        double best = reach * reach;
        std::optional<Hit> hit;
        for (std::size_t i = 0; i < source.logX.size(); ++i) {
            const double dx = map.left + (source.logX[i] - map.minX) * map.scaleX - position.x();
            const double dy = map.bottom - (source.logY[i] - map.minY) * map.scaleY - position.y();
            const double distance = dx * dx + dy * dy;
            // Strictly closer only: of coincident points the first (most anomalous) wins.
            if (distance < best) {
                best = distance;
                hit = Hit{layer, static_cast<qsizetype>(i)};
            }
        }
        if (hit)
            return hit;
    }
    return std::nullopt;
}

QRectF PointCloudItem::boundingRect() const
{
    return m_plot;
}

void PointCloudItem::geometryChanged()
{
    if (m_chart->plotArea() != m_plot) {
        prepareGeometryChange();
        m_plot = m_chart->plotArea();
    }
    update();
}

const QPixmap& PointCloudItem::markerFor(Layer& layer, qreal ratio)
{
    if (!layer.image.isNull()) {
        if (layer.marker.isNull())
            layer.marker = QPixmap::fromImage(layer.image);
        return layer.marker;
    }
    if (layer.marker.isNull() || layer.markerRatio != ratio) {
        const qreal size = layer.diameter + 2.0;
        layer.marker
            = QPixmap(QSize(static_cast<int>(std::ceil(size * ratio)), static_cast<int>(std::ceil(size * ratio))));
        layer.marker.setDevicePixelRatio(ratio);
        layer.marker.fill(Qt::transparent);
        QPainter painter(&layer.marker);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setBrush(layer.fill);
        painter.setPen(layer.border.alpha() == 0 ? QPen(Qt::NoPen) : QPen(layer.border, 1.0));
        painter.drawEllipse(QRectF(1.0, 1.0, layer.diameter, layer.diameter));
        layer.markerRatio = ratio;
    }
    return layer.marker;
}

void PointCloudItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const Mapping map = mapping();
    if (map.scaleX == 0.0)
        return;
    painter->save();
    painter->setClipRect(m_plot);
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    for (Layer& layer : m_layers) {
        if (layer.logX.empty())
            continue;
        const QPixmap& marker = markerFor(layer, ratio);
        const qreal half = (layer.diameter + 2.0) / 2.0;
        for (std::size_t i = 0; i < layer.logX.size(); ++i) {
            const double x = map.left + (layer.logX[i] - map.minX) * map.scaleX;
            const double y = map.bottom - (layer.logY[i] - map.minY) * map.scaleY;
            painter->drawPixmap(QPointF(x - half, y - half), marker);
        }
    }
    if (!m_marked.isEmpty()) {
        // A diamond, not a ring: it reads as "marked", apart from the selected row's circle.
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setBrush(Qt::NoBrush);
        constexpr qreal r = 7.0;
        for (const Marked& mark : std::as_const(m_marked)) {
            if (mark.value.x() <= 0.0 || mark.value.y() <= 0.0)
                continue;
            const QPointF at(map.left + (std::log10(mark.value.x()) - map.minX) * map.scaleX,
                             map.bottom - (std::log10(mark.value.y()) - map.minY) * map.scaleY);
            const QPointF diamond[4] = {at + QPointF(0, -r), at + QPointF(r, 0), at + QPointF(0, r), at + QPointF(-r, 0)};
            painter->setPen(QPen(chartstyle::overlayColor(), 4.0));
            painter->drawPolygon(diamond, 4);
            painter->setPen(QPen(mark.color, 2.0));
            painter->drawPolygon(diamond, 4);
        }
    }
    if (m_highlight && m_highlight->x() > 0.0 && m_highlight->y() > 0.0) {
        // A ring in the text colour on a halo of the card's: it reads on the red and blue markers
        // and on the card itself, in either palette.
        const QPointF at(map.left + (std::log10(m_highlight->x()) - map.minX) * map.scaleX,
                         map.bottom - (std::log10(m_highlight->y()) - map.minY) * map.scaleY);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(chartstyle::overlayColor(), 5.0));
        painter->drawEllipse(at, kRingRadius, kRingRadius);
        painter->setPen(QPen(chartstyle::selectionColor(), 2.5));
        painter->drawEllipse(at, kRingRadius, kRingRadius);
    }
    painter->restore();
}

void PointCloudItem::hoverMoveEvent(QGraphicsSceneHoverEvent* event)
{
    const std::optional<Hit> hit = pointAt(event->pos());
    const bool same = hit.has_value() == m_hovered.has_value()
        && (!hit || (hit->layer == m_hovered->layer && hit->index == m_hovered->index));
    if (!same) {
        m_hovered = hit;
        if (hit)
            Q_EMIT hovered(hit->layer, hit->index);
        else
            Q_EMIT hovered(0, -1);
    }
    QGraphicsObject::hoverMoveEvent(event);
}

void PointCloudItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event)
{
    if (m_hovered) {
        m_hovered.reset();
        Q_EMIT hovered(0, -1);
    }
    QGraphicsObject::hoverLeaveEvent(event);
}

void PointCloudItem::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    m_pressed = pointAt(event->pos());
    if (m_pressed)
        event->accept();
    else
        event->ignore();
}

void PointCloudItem::mouseReleaseEvent(QGraphicsSceneMouseEvent* event)
{
    const std::optional<Hit> released = pointAt(event->pos());
    if (m_pressed && released && released->layer == m_pressed->layer && released->index == m_pressed->index)
        Q_EMIT clicked(released->layer, released->index);
    m_pressed.reset();
    QGraphicsObject::mouseReleaseEvent(event);
}

} // namespace webthreat

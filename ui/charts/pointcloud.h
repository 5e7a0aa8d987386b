#pragma once

#include <QColor>
#include <QGraphicsObject>
#include <QImage>
#include <QList>
#include <QPixmap>
#include <QPointF>
#include <QPointer>

#include <array>
#include <optional>
#include <vector>

class QChart;
class QLogValueAxis;

namespace webthreat {

// Scatter points drawn by one graphics item over a chart's plot area, on two log axes.
// QScatterSeries makes one QGraphicsItem per point: filling 20 000 points takes over a second
// and each slider move as long again. This item stamps a pre-rendered marker per point (tens of
// milliseconds for tens of thousands), and finds the point under the mouse itself.
class PointCloudItem : public QGraphicsObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PointCloudItem)

public:
    static constexpr int kLayers = 3; // drawn in order: later layers on top

    explicit PointCloudItem(QChart* chart);

    void setAxes(QLogValueAxis* x, QLogValueAxis* y);
    void setLayerStyle(int layer, const QColor& fill, const QColor& border, qreal diameter);
    // A layer stamped with marker (its device pixel ratio set) instead of a dot; hit within
    // its size.
    void setLayerMarker(int layer, const QImage& marker);
    // Values in axis units (bytes); each must be positive, as on any log axis.
    void setLayerPoints(int layer, const QList<QPointF>& values);
    qsizetype pointCount(int layer) const;
    // A ring around one point (in axis units), drawn in front of every layer: the selected row.
    // nullopt removes it.
    void setHighlight(std::optional<QPointF> value);
    std::optional<QPointF> highlight() const { return m_highlight; }
    // Points the analyst marked (axis units), each framed by a diamond in its verdict's colour,
    // in front of the layers and behind the highlight; not hit-tested (the point under it is).
    struct Marked {
        QPointF value;
        QColor color;
    };
    void setMarkedPoints(QList<Marked> points);
    qsizetype markedCount() const { return m_marked.size(); }

    struct Hit {
        int layer = 0;
        qsizetype index = 0;
    };
    // The top-most point whose marker covers position (chart coordinates), if any.
    std::optional<Hit> pointAt(QPointF position) const;
    // Where a point is drawn, in chart coordinates.
    QPointF positionOf(int layer, qsizetype index) const;

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

Q_SIGNALS:
    // index -1: the mouse left the point it was on.
    void hovered(int layer, qsizetype index);
    void clicked(int layer, qsizetype index);

protected:
    void hoverMoveEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

private:
    struct Layer {
        std::vector<float> logX; // log10 of the values: mapping to pixels is then affine
        std::vector<float> logY;
        QColor fill;
        QColor border;
        qreal diameter = 6.0;
        QPixmap marker; // cached per device pixel ratio
        QImage image; // setLayerMarker's; null: a dot of fill and border
        qreal markerRatio = 0.0;
    };
    struct Mapping {
        double left = 0, bottom = 0, scaleX = 0, scaleY = 0, minX = 0, minY = 0;
    };
    Mapping mapping() const;
    void geometryChanged();
    const QPixmap& markerFor(Layer& layer, qreal ratio);

    QChart* m_chart;
    QPointer<QLogValueAxis> m_axisX;
    QPointer<QLogValueAxis> m_axisY;
    std::array<Layer, kLayers> m_layers;
    QRectF m_plot;
    std::optional<QPointF> m_highlight;
    QList<Marked> m_marked;
    std::optional<Hit> m_hovered;
    std::optional<Hit> m_pressed;
};

} // namespace webthreat

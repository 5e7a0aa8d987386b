#pragma once

#include <QChart>
#include <QList>
#include <QRectF>
#include <QPointer>
#include <QPointF>
#include <QString>
#include <QStringList>

class QAbstractAxis;
class QAbstractSeries;
class QBarCategoryAxis;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QGraphicsTextItem;
class QLogValueAxis;

namespace webthreat {

// A chart that can say why it has nothing to show ("Open a CSV file to see charts") instead of
// an empty frame, and can keep a label beside a marker line (the threshold) wherever resizing
// moves the plot area. Both are scene items, so exports include them.
class WorkbenchChart : public QChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkbenchChart)

public:
    explicit WorkbenchChart(QGraphicsItem* parent = nullptr);

    // Shows text centred in the chart; an empty text removes it. The caller removes the series.
    void setMessage(const QString& text);
    QString message() const;

    // A label at the top of the plot beside the point anchor of series (in the series' value
    // coordinates): just right of it, else just left, else as near as it can be where it covers
    // none of data (rectangles in the same coordinates: the bars), so it never hides one.
    void setMarkerLabel(const QString& text, QAbstractSeries* series, QPointF anchor, QList<QRectF> data = {});
    void clearMarkerLabel();
    QString markerLabel() const;

    // QLogValueAxis formats labels with printf only ("10000000"); this draws "10M" at each
    // decade instead. The axis must belong to this chart.
    void setCompactDecadeLabels(QLogValueAxis* axis);
    // Qt elides every category label to "..." once its band is slightly shorter than the text's
    // line height, which 13 bars in a third of a laptop screen already are: this draws the
    // category names itself, centred on their bars.
    void setUnelidedCategoryLabels(QBarCategoryAxis* axis);
    // For both: the axis keeps its own labels, transparent, so the layout still reserves their
    // room; nullptr forgets the labels of axes deleted since.
    // The first of choices (longest first) that fits along axis's side of the plot becomes its
    // title, chosen again whenever the plot is resized; the last when none fits.
    void setAxisTitleChoices(QAbstractAxis* axis, const QStringList& choices);
    // Removes every series and deletes every axis, with the labels drawn for them: what a chart
    // does before it is built again for new data.
    void clearSeriesAndAxes();
    // The texts drawn for axis, in axis order (for tests).
    QStringList overlayLabels(QAbstractAxis* axis) const;
    // Those of them shown: fewer when the plot is too short for a line per category name.
    QStringList shownOverlayLabels(QAbstractAxis* axis) const;

protected:
    void resizeEvent(QGraphicsSceneResizeEvent* event) override;

private:
    void placeOverlays();
    void placeMarkerLabel();

    QGraphicsTextItem* m_message = nullptr; // plain text, wrapped to the chart's width
    QGraphicsRectItem* m_markerBox = nullptr;
    QGraphicsSimpleTextItem* m_markerText = nullptr;
    QPointer<QAbstractSeries> m_markerSeries;
    QPointF m_markerAnchor;
    QList<QRectF> m_markerData;

    struct AxisLabels {
        enum class Kind { Decades, Categories };
        QPointer<QAbstractAxis> axis;
        Kind kind = Kind::Decades;
        QList<QGraphicsSimpleTextItem*> items;
        QStringList texts;
    };
    void addAxisLabels(QAbstractAxis* axis, AxisLabels::Kind kind);
    void placeAxisLabels(AxisLabels& labels);
    // 1 to show every label along extent (the plot's length), n to show every n-th.
    qsizetype labelStride(const AxisLabels& labels, const QList<QPair<double, QString>>& wanted, qreal extent,
                          bool horizontal) const;
    QList<AxisLabels> m_axisLabels;
    struct AxisTitle {
        QPointer<QAbstractAxis> axis;
        QStringList choices;
    };
    void placeAxisTitle(const AxisTitle& title);
    QList<AxisTitle> m_axisTitles;
};

} // namespace webthreat

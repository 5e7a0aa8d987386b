#pragma once

#include <QChart>
#include <QPointer>
#include <QPointF>
#include <QString>
#include <QStringList>

class QAbstractSeries;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
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

    // A label at the top of the plot, just right of the point anchor of series (in the series'
    // value coordinates); flipped to the left side when it would run out of the plot.
    void setMarkerLabel(const QString& text, QAbstractSeries* series, QPointF anchor);
    void clearMarkerLabel();
    QString markerLabel() const;

    // QLogValueAxis formats labels with printf only ("10000000"); this draws "10M" at each
    // decade instead. The axis keeps its own labels, made transparent, so that the layout still
    // reserves their room. The axis must belong to this chart.
    void setCompactDecadeLabels(QLogValueAxis* axis);
    QStringList compactDecadeLabels(QLogValueAxis* axis) const;

protected:
    void resizeEvent(QGraphicsSceneResizeEvent* event) override;

private:
    void placeOverlays();

    QGraphicsSimpleTextItem* m_message = nullptr;
    QGraphicsRectItem* m_markerBox = nullptr;
    QGraphicsSimpleTextItem* m_markerText = nullptr;
    QPointer<QAbstractSeries> m_markerSeries;
    QPointF m_markerAnchor;

    struct DecadeLabels {
        QPointer<QLogValueAxis> axis;
        QList<QGraphicsSimpleTextItem*> items;
    };
    void placeDecadeLabels(DecadeLabels& labels);
    QList<DecadeLabels> m_decadeLabels;
};

} // namespace webthreat

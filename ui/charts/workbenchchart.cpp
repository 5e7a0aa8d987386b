#include "ui/charts/workbenchchart.h"

#include "ui/charts/chartstyle.h"

#include <QAbstractSeries>
#include <QBrush>
#include <QGraphicsRectItem>
#include <QGraphicsSceneResizeEvent>
#include <QGraphicsSimpleTextItem>
#include <QPen>

namespace webthreat {

namespace {
// Above the series and axes (whose z values are small), so overlays are never hidden.
constexpr qreal kOverlayZ = 100.0;
} // namespace

WorkbenchChart::WorkbenchChart(QGraphicsItem* parent)
    : QChart(parent)
{
    chartstyle::styleChart(this);

    m_message = new QGraphicsSimpleTextItem(this);
    QFont messageFont = chartstyle::axisTitleFont();
    messageFont.setPointSizeF(10.0);
    m_message->setFont(messageFont);
    m_message->setBrush(chartstyle::mutedTextColor());
    m_message->setZValue(kOverlayZ);
    m_message->hide();

    m_markerBox = new QGraphicsRectItem(this);
    m_markerBox->setBrush(QColor(255, 255, 255, 225));
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
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    placeOverlays();
}

QString WorkbenchChart::message() const
{
    return m_message->isVisible() ? m_message->text() : QString();
}

void WorkbenchChart::setMarkerLabel(const QString& text, QAbstractSeries* series, QPointF anchor)
{
    m_markerText->setText(text);
    m_markerSeries = series;
    m_markerAnchor = anchor;
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

void WorkbenchChart::resizeEvent(QGraphicsSceneResizeEvent* event)
{
    QChart::resizeEvent(event);
    placeOverlays();
}

void WorkbenchChart::placeOverlays()
{
    if (m_message->isVisible()) {
        const QRectF box = m_message->boundingRect();
        const QRectF area = rect();
        m_message->setPos(area.center().x() - box.width() / 2.0, area.center().y() - box.height() / 2.0);
    }
    if (m_markerBox->isVisible() && m_markerSeries && m_markerSeries->chart() == this) {
        const QRectF plot = plotArea();
        const QPointF at = mapToPosition(m_markerAnchor, m_markerSeries);
        const QRectF text = m_markerText->boundingRect();
        constexpr qreal pad = 3.0;
        const QSizeF boxSize(text.width() + 2 * pad, text.height() + 2 * pad);
        qreal x = at.x() + 4.0;
        if (x + boxSize.width() > plot.right())
            x = at.x() - 4.0 - boxSize.width();
        m_markerBox->setRect(QRectF(QPointF(0, 0), boxSize));
        m_markerText->setPos(pad, pad);
        m_markerBox->setPos(std::max(x, plot.left()), plot.top() + 2.0);
    }
}

} // namespace webthreat

#include "ui/charts/workbenchchart.h"

#include "ui/charts/chartstyle.h"

#include <QAbstractSeries>
#include <QBrush>
#include <QGraphicsRectItem>
#include <QGraphicsSceneResizeEvent>
#include <QGraphicsSimpleTextItem>
#include <QLogValueAxis>
#include <QPen>

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

void WorkbenchChart::setCompactDecadeLabels(QLogValueAxis* axis)
{
    // Drop entries whose axis was removed from the chart (and deleted) since.
    for (qsizetype i = m_decadeLabels.size() - 1; i >= 0; --i) {
        if (!m_decadeLabels[i].axis || m_decadeLabels[i].axis == axis) {
            qDeleteAll(m_decadeLabels[i].items);
            m_decadeLabels.removeAt(i);
        }
    }
    if (!axis)
        return;
    // Same width as "1e+06" roughly, so the reserved room fits "100M".
    axis->setLabelFormat(QStringLiteral("%.0e"));
    axis->setLabelsColor(Qt::transparent);
    m_decadeLabels.append(DecadeLabels{axis, {}});
    connect(axis, &QLogValueAxis::rangeChanged, this, &WorkbenchChart::placeOverlays, Qt::UniqueConnection);
    placeOverlays();
}

QStringList WorkbenchChart::compactDecadeLabels(QLogValueAxis* axis) const
{
    QStringList texts;
    for (const DecadeLabels& labels : m_decadeLabels) {
        if (labels.axis == axis) {
            for (const QGraphicsSimpleTextItem* item : labels.items)
                texts << item->text();
        }
    }
    return texts;
}

void WorkbenchChart::placeDecadeLabels(DecadeLabels& labels)
{
    QLogValueAxis* axis = labels.axis;
    const double low = std::log10(axis->min());
    const double high = std::log10(axis->max());
    const QRectF plot = plotArea();
    if (!(high > low) || plot.isEmpty() || !axis->isVisible()) {
        for (QGraphicsSimpleTextItem* item : labels.items)
            item->hide();
        return;
    }
    const int first = static_cast<int>(std::ceil(low - 1e-9));
    const int last = static_cast<int>(std::floor(high + 1e-9));
    const qsizetype count = std::max(0, last - first + 1);
    while (labels.items.size() < count) {
        auto* item = new QGraphicsSimpleTextItem(this);
        item->setFont(axis->labelsFont());
        item->setBrush(chartstyle::textColor());
        item->setZValue(kOverlayZ);
        labels.items.append(item);
    }
    const bool horizontal = axis->orientation() == Qt::Horizontal;
    // Qt Charts draws its labels this far from the plot edge (tick length plus padding).
    constexpr qreal gap = 7.0;
    for (qsizetype i = 0; i < labels.items.size(); ++i) {
        QGraphicsSimpleTextItem* item = labels.items[i];
        if (i >= count) {
            item->hide();
            continue;
        }
        const int decade = first + static_cast<int>(i);
        item->setText(chartstyle::compactNumber(std::pow(10.0, decade)));
        const QRectF box = item->boundingRect();
        const double share = (decade - low) / (high - low);
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

void WorkbenchChart::placeOverlays()
{
    for (qsizetype i = m_decadeLabels.size() - 1; i >= 0; --i) {
        if (m_decadeLabels[i].axis) {
            placeDecadeLabels(m_decadeLabels[i]);
        } else {
            // The axis was removed from the chart and deleted: its labels go with it.
            qDeleteAll(m_decadeLabels[i].items);
            m_decadeLabels.removeAt(i);
        }
    }
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

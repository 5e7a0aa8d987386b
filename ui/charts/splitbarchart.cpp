#include "ui/charts/splitbarchart.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/workbenchchart.h"

#include <QAbstractAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QCursor>
#include <QHorizontalStackedBarSeries>
#include <QLegend>
#include <QLineSeries>
#include <QLegendMarker>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QToolTip>

#include <algorithm>

namespace webthreat {

SplitBarChart::SplitBarChart(ChartView* view, Orientation orientation)
    : m_view(view)
    , m_orientation(orientation)
{
}

WorkbenchChart* SplitBarChart::chart() const noexcept
{
    return static_cast<WorkbenchChart*>(m_view->chart());
}

void SplitBarChart::clearPlot()
{
    WorkbenchChart* target = chart();
    target->clearMarkerLabel();
    target->clearSeriesAndAxes();
    m_series = nullptr;
    m_normal = nullptr;
    m_suspicious = nullptr;
    m_marks = nullptr;
    m_axisBreak = nullptr;
    m_countAxis = nullptr;
}

void SplitBarChart::showMessage(const QString& text)
{
    clearPlot();
    m_rowBins.clear();
    m_binCount = 0;
    m_binDescriptions.clear();
    m_counts = {};
    m_maxTotal = 0.0;
    chart()->legend()->hide();
    chart()->setMessage(text);
}

void SplitBarChart::setRows(std::vector<std::uint16_t> rowBins, int binCount, QStringList binDescriptions,
                            QAbstractAxis* binAxis, const QString& countTitle)
{
    const SplitCounts totals = countSplit(rowBins, binCount, {});
    const double maxTotal
        = totals.normal.isEmpty() ? 0.0 : *std::max_element(totals.normal.cbegin(), totals.normal.cend());
    setBins(binCount, std::move(binDescriptions), binAxis, countTitle, maxTotal);
    m_rowBins = std::move(rowBins);
}

void SplitBarChart::setBins(int binCount, QStringList binDescriptions, QAbstractAxis* binAxis,
                            const QString& countTitle, double maxTotal)
{
    clearPlot();
    WorkbenchChart* target = chart();
    target->setMessage(QString());
    m_rowBins.clear();
    m_binCount = binCount;
    m_binDescriptions = std::move(binDescriptions);
    m_maxTotal = maxTotal;

    m_normal = new QBarSet(QStringLiteral("Normal"));
    m_suspicious = new QBarSet(QStringLiteral("Suspicious"));
    chartstyle::styleBarSet(m_normal, chartstyle::normalColor());
    chartstyle::styleBarSet(m_suspicious, chartstyle::suspiciousColor());
    if (m_orientation == Orientation::Vertical)
        m_series = new QStackedBarSeries;
    else
        m_series = new QHorizontalStackedBarSeries;
    m_series->append(QList<QBarSet*>{m_normal, m_suspicious});
    // Histogram bars touch, as bins do; category bars keep a gap, and a lone category does not
    // swell into a slab filling the whole plot.
    if (m_orientation == Orientation::Vertical)
        m_series->setBarWidth(0.92);
    else
        m_series->setBarWidth(m_binCount <= 2 ? 0.35 : 0.75);
    target->addSeries(m_series);

    m_countAxis = new QCategoryAxis;
    m_countTitle = countTitle;
    chartstyle::styleAxis(m_countAxis, countTitle);
    chartstyle::setCountRange(m_countAxis, m_maxTotal);
    const Qt::Alignment binSide = m_orientation == Orientation::Vertical ? Qt::AlignBottom : Qt::AlignLeft;
    const Qt::Alignment countSide = m_orientation == Orientation::Vertical ? Qt::AlignLeft : Qt::AlignBottom;
    target->addAxis(binAxis, binSide);
    target->addAxis(m_countAxis, countSide);
    m_series->attachAxis(binAxis);
    m_series->attachAxis(m_countAxis);
    binAxis->setGridLineVisible(m_orientation == Orientation::Vertical);

    // At a million rows a bin of 30 suspicious rows is a fraction of a pixel tall. A red diamond
    // centred on the baseline (the plot clips it to a triangle) says they are there.
    m_marks = new QScatterSeries;
    m_marks->setName(QStringLiteral("Few suspicious"));
    m_marks->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
    m_marks->setMarkerSize(10.0);
    m_marks->setColor(chartstyle::suspiciousColor());
    m_marks->setBorderColor(chartstyle::suspiciousColor());
    target->addSeries(m_marks);
    m_marks->attachAxis(binAxis);
    m_marks->attachAxis(m_countAxis);
    for (QLegendMarker* marker : target->legend()->markers(m_marks))
        marker->setVisible(false);

    QObject::connect(m_series, &QAbstractBarSeries::hovered, target,
                     [this](bool status, int index, QBarSet*) { showTooltip(status, index); });
}

void SplitBarChart::setCountMaximum(double maxTotal)
{
    if (m_countAxis)
        chartstyle::setCountRange(m_countAxis, maxTotal);
    if (m_axisBreak && m_countAxis)
        m_axisBreak->replace(1, QPointF(m_axisBreak->at(1).x(), m_countAxis->max()));
}

void SplitBarChart::setAxisBreak(double position)
{
    if (!m_series || m_orientation != Orientation::Vertical)
        return;
    auto* line = new QLineSeries;
    line->setName(QStringLiteral("Axis break"));
    QPen pen(chartstyle::mutedTextColor());
    pen.setWidthF(1.0);
    pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    // From the baseline to the top of the count axis (setCountMaximum keeps it there).
    line->append(position, 0.0);
    line->append(position, m_countAxis->max());
    m_axisBreak = line;
    WorkbenchChart* target = chart();
    target->addSeries(line);
    for (QAbstractAxis* axis : m_series->attachedAxes())
        line->attachAxis(axis);
    for (QLegendMarker* marker : target->legend()->markers(line))
        marker->setVisible(false);
}

void SplitBarChart::setSplit(std::span<const std::uint8_t> suspicious)
{
    if (!m_series)
        return;
    setSplitCounts(countSplit(m_rowBins, m_binCount, suspicious), !suspicious.empty());
}

void SplitBarChart::setSplitCounts(SplitCounts counts, bool detected)
{
    const auto bins = static_cast<qsizetype>(m_binCount);
    if (!m_series || counts.normal.size() != bins || counts.suspicious.size() != bins)
        return;
    m_detected = detected;
    m_counts = std::move(counts);
    // One call per set: QBarSet has no bulk replace, so clear and append the whole list.
    m_normal->remove(0, m_normal->count());
    m_normal->append(m_counts.normal);
    m_suspicious->remove(0, m_suspicious->count());
    m_suspicious->append(m_counts.suspicious);

    // A bar thinner than about a pixel of a typical plot looks empty; mark it when it
    // holds suspicious rows. (A visible bar with a thin red cap needs no mark: its tooltip says.)
    const double visible = m_countAxis->max() * 0.005;
    QList<QPointF> marks;
    for (qsizetype bin = 0; bin < m_counts.suspicious.size(); ++bin) {
        const qreal flagged = m_counts.suspicious[bin];
        if (flagged > 0.0 && flagged + m_counts.normal[bin] < visible) {
            const auto position = static_cast<qreal>(bin);
            marks.append(m_orientation == Orientation::Vertical ? QPointF(position, 0.0) : QPointF(0.0, position));
        }
    }
    m_marks->replace(marks);
    // The count axis explains the marks when there are any. Not the legend: it gives every entry
    // the same width, and a third entry cuts the counts of the other two in a third of a laptop screen.
    const bool explain = m_detected && !marks.isEmpty();
    chart()->setAxisTitleChoices(m_countAxis,
                                 explain ? QStringList{QStringLiteral("%1 (\u25C6 few suspicious)").arg(m_countTitle),
                                                       QStringLiteral("%1 (\u25C6 few)").arg(m_countTitle)}
                                         : QStringList{m_countTitle});

    QLegend* legend = chart()->legend();
    if (m_detected) {
        m_normal->setLabel(QStringLiteral("Normal (%1)").arg(chartstyle::groupedCount(m_counts.normalTotal)));
        m_suspicious->setLabel(
            QStringLiteral("Suspicious (%1)").arg(chartstyle::groupedCount(m_counts.suspiciousTotal)));
        legend->show();
    } else {
        m_normal->setLabel(QStringLiteral("Rows"));
        m_suspicious->setLabel(QStringLiteral("Suspicious"));
        legend->hide();
    }
}

void SplitBarChart::showTooltip(bool hovering, int index)
{
    if (!hovering || index < 0 || index >= m_binCount) {
        QToolTip::hideText();
        return;
    }
    // Plain text only: category names come from the data file.
    QString text = m_binDescriptions.value(index);
    const auto bin = static_cast<qsizetype>(index);
    const auto normal = static_cast<std::uint64_t>(m_counts.normal.value(bin));
    const auto flagged = static_cast<std::uint64_t>(m_counts.suspicious.value(bin));
    if (m_detected) {
        text += QStringLiteral("\nNormal: %1\nSuspicious: %2")
                    .arg(chartstyle::groupedCount(normal), chartstyle::groupedCount(flagged));
    } else {
        text += QStringLiteral("\nRows: %1").arg(chartstyle::groupedCount(normal));
    }
    QToolTip::showText(QCursor::pos(), text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")), m_view);
}

} // namespace webthreat

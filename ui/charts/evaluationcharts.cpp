#include "ui/charts/evaluationcharts.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/workbenchchart.h"

#include <QHBoxLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

namespace webthreat {

namespace {

WorkbenchChart* chartOf(ChartView* view)
{
    return static_cast<WorkbenchChart*>(view->chart());
}

QValueAxis* unitAxis(const QString& title)
{
    auto* axis = new QValueAxis;
    chartstyle::styleAxis(axis, title);
    axis->setRange(0.0, 1.0);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.1f"));
    return axis;
}

QLineSeries* line(const QList<QPointF>& points, const QColor& color, qreal width, Qt::PenStyle style,
                  const QString& name)
{
    auto* series = new QLineSeries;
    series->replace(points);
    QPen pen(color, width);
    pen.setStyle(style);
    series->setPen(pen);
    series->setName(name);
    return series;
}

QScatterSeries* marker()
{
    auto* series = new QScatterSeries;
    series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    series->setMarkerSize(11.0);
    series->setColor(chartstyle::suspiciousColor());
    series->setBorderColor(chartstyle::textColor());
    return series;
}

// Builds one chart: the reference line, the curve, the marker; axes from 0 to 1.
QScatterSeries* buildChart(WorkbenchChart* chart, const QString& xTitle, const QString& yTitle, QLineSeries* reference,
                           QLineSeries* curve)
{
    chart->clearSeriesAndAxes();
    chart->setMessage({});
    auto* x = unitAxis(xTitle);
    auto* y = unitAxis(yTitle);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    QScatterSeries* point = marker();
    for (QAbstractSeries* series : {static_cast<QAbstractSeries*>(reference), static_cast<QAbstractSeries*>(curve),
                                    static_cast<QAbstractSeries*>(point)}) {
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    chart->legend()->setVisible(true);
    return point;
}

} // namespace

EvaluationCharts::EvaluationCharts(QWidget* parent)
    : QWidget(parent)
    , m_rocView(new ChartView(QStringLiteral("roc_curve"), tr("ROC curve"), this))
    , m_prView(new ChartView(QStringLiteral("precision_recall_curve"), tr("Precision-recall curve"), this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_rocView, 1);
    layout->addWidget(m_prView, 1);
    for (ChartView* view : {m_rocView, m_prView}) {
        view->setMinimumSize(260, 220);
        chartstyle::styleChart(view->chart());
    }
    setEvaluation(nullptr, tr("No ground truth to evaluate against"));
}

QList<ChartView*> EvaluationCharts::chartViews() const
{
    return {m_rocView, m_prView};
}

void EvaluationCharts::setEvaluation(std::shared_ptr<const Evaluation> evaluation, const QString& message)
{
    m_evaluation = std::move(evaluation);
    m_rocMarker = nullptr;
    m_prMarker = nullptr;
    if (!m_evaluation) {
        for (ChartView* view : {m_rocView, m_prView}) {
            WorkbenchChart* chart = chartOf(view);
            chart->clearSeriesAndAxes();
            chart->setTitle(view->title());
            chart->legend()->setVisible(false);
            chart->setMessage(message);
        }
        return;
    }
    QList<QPointF> roc;
    for (const CurvePoint& point : m_evaluation->rocCurve())
        roc.append(QPointF(point.x, point.y));
    QList<QPointF> pr;
    for (const CurvePoint& point : m_evaluation->precisionRecallCurve())
        pr.append(QPointF(point.x, point.y));
    const double prevalence = static_cast<double>(m_evaluation->positives())
        / static_cast<double>(m_evaluation->positives() + m_evaluation->negatives());

    WorkbenchChart* rocChart = chartOf(m_rocView);
    rocChart->setTitle(tr("ROC: area %1").arg(m_evaluation->rocAuc(), 0, 'f', 3));
    m_rocMarker
        = buildChart(rocChart, tr("False-positive rate"), tr("Recall (attacks flagged)"),
                     line({{0.0, 0.0}, {1.0, 1.0}}, chartstyle::mutedTextColor(), 1.0, Qt::DashLine, tr("Chance")),
                     line(roc, chartstyle::normalColor(), 2.0, Qt::SolidLine, tr("Detector")));
    WorkbenchChart* prChart = chartOf(m_prView);
    prChart->setTitle(tr("Precision-recall: AP %1").arg(m_evaluation->averagePrecision(), 0, 'f', 3));
    m_prMarker = buildChart(
        prChart, tr("Recall (attacks flagged)"), tr("Precision"),
        line({{0.0, prevalence}, {1.0, prevalence}}, chartstyle::mutedTextColor(), 1.0, Qt::DashLine, tr("Chance")),
        line(pr, chartstyle::normalColor(), 2.0, Qt::SolidLine, tr("Detector")));
}

void EvaluationCharts::setOperatingPoint(const OperatingPoint& point, const QString& contamination)
{
    if (!m_evaluation || !m_rocMarker || !m_prMarker)
        return;
    m_rocMarker->replace({QPointF(point.falsePositiveRate, point.recall)});
    m_rocMarker->setName(tr("At %1").arg(contamination));
    m_prMarker->replace({QPointF(point.recall, point.precision)});
    m_prMarker->setName(tr("At %1").arg(contamination));
}

QPointF EvaluationCharts::rocMarker() const
{
    return m_rocMarker && m_rocMarker->count() > 0 ? m_rocMarker->at(0) : QPointF(-1, -1);
}

QPointF EvaluationCharts::precisionRecallMarker() const
{
    return m_prMarker && m_prMarker->count() > 0 ? m_prMarker->at(0) : QPointF(-1, -1);
}

} // namespace webthreat

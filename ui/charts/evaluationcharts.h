#pragma once

#include "core/analysis/evaluation.h"

#include <QWidget>

#include <memory>

class QLineSeries;
class QScatterSeries;

namespace webthreat {

class ChartView;

// The ROC and precision-recall curves of the scores against a ground truth, side by side, each
// with a marker at the current threshold that moves with the contamination slider.
class EvaluationCharts : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EvaluationCharts)

public:
    explicit EvaluationCharts(QWidget* parent = nullptr);

    // nullptr shows message in both charts instead of curves.
    void setEvaluation(std::shared_ptr<const Evaluation> evaluation, const QString& message = {});
    void setOperatingPoint(const OperatingPoint& point, const QString& contamination);

    ChartView* rocView() const { return m_rocView; }
    ChartView* precisionRecallView() const { return m_prView; }
    QList<ChartView*> chartViews() const;
    // Where the markers are, (false-positive rate, recall) and (recall, precision); for tests.
    QPointF rocMarker() const;
    QPointF precisionRecallMarker() const;

private:
    ChartView* m_rocView = nullptr;
    ChartView* m_prView = nullptr;
    QScatterSeries* m_rocMarker = nullptr;
    QScatterSeries* m_prMarker = nullptr;
    std::shared_ptr<const Evaluation> m_evaluation;
};

} // namespace webthreat

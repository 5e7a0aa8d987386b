#pragma once

#include "ui/charts/chartbinning.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <span>
#include <vector>

class QAbstractAxis;
class QAbstractBarSeries;
class QBarSet;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace webthreat {

class ChartView;
class WorkbenchChart;

// One bar chart of the Overview whose bars count rows split into Normal and Suspicious: the
// byte and score histograms (vertical) and the category counts (horizontal). The bin of every
// row is computed once in setRows(); a moved threshold only recounts them in setSplit().
class SplitBarChart {
public:
    enum class Orientation { Vertical, Horizontal };

    SplitBarChart(ChartView* view, Orientation orientation);
    SplitBarChart(const SplitBarChart&) = delete;
    SplitBarChart& operator=(const SplitBarChart&) = delete;

    ChartView* view() const noexcept { return m_view; }
    WorkbenchChart* chart() const noexcept;

    // Nothing to plot: removes the series and axes and shows text in the middle.
    void showMessage(const QString& text);

    // New rows: rebuilds the series. rowBins holds each row's bin (kNoBin: not counted);
    // binDescriptions names each bin for the hover tooltip ("1K-1.6K bytes", "HTTPS").
    // binAxis runs along the bars' categories (x for vertical bars), countTitle names the other.
    void setRows(std::vector<std::uint16_t> rowBins, int binCount, QStringList binDescriptions, QAbstractAxis* binAxis,
                 const QString& countTitle);

    // Recounts the split; suspicious empty means no detection yet: every row is drawn as one
    // neutral "Rows" set and the legend is hidden.
    void setSplit(std::span<const std::uint8_t> suspicious);

    // The same two steps with the counting done elsewhere (the worker thread, see
    // OverviewBins): setBins builds the series for binCount bins whose largest holds maxTotal
    // rows; setSplitCounts shows counts made for those bins (detected false: no verdicts yet).
    // setSplit() cannot be used after setBins, which keeps no per-row bins.
    void setBins(int binCount, QStringList binDescriptions, QAbstractAxis* binAxis, const QString& countTitle,
                 double maxTotal);
    void setSplitCounts(SplitCounts counts, bool detected);
    // The count axis for bars whose largest holds maxTotal rows: maxTotal() for every row, less
    // for the view filter's rows.
    void setCountMaximum(double maxTotal);
    // A dashed line across the plot at a bin position, for an axis that is not continuous there
    // (the log axis's 0 bin, set apart from the decades by an empty bin). Call after setBins.
    void setAxisBreak(double position);

    const SplitCounts& counts() const noexcept { return m_counts; }
    QAbstractBarSeries* series() const noexcept { return m_series; }
    // Bins whose suspicious rows are too few to see at the chart's scale, marked on the baseline.
    QScatterSeries* fewSuspiciousMarks() const noexcept { return m_marks; }
    QValueAxis* countAxis() const noexcept { return m_countAxis; }
    // The largest bar's total, normal and suspicious together: it does not change with the split.
    double maxTotal() const noexcept { return m_maxTotal; }

private:
    void clearPlot();
    void showTooltip(bool hovering, int index);

    ChartView* m_view = nullptr;
    Orientation m_orientation;
    QAbstractBarSeries* m_series = nullptr;
    QBarSet* m_normal = nullptr;
    QBarSet* m_suspicious = nullptr;
    QScatterSeries* m_marks = nullptr;
    QLineSeries* m_axisBreak = nullptr; // see setAxisBreak
    QValueAxis* m_countAxis = nullptr;
    std::vector<std::uint16_t> m_rowBins;
    int m_binCount = 0;
    QStringList m_binDescriptions;
    QString m_countTitle;
    SplitCounts m_counts;
    double m_maxTotal = 0.0;
    bool m_detected = false;
};

} // namespace webthreat

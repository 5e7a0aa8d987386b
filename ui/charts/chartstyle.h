#pragma once

#include <QColor>
#include <QFont>
#include <QString>

#include <cstdint>

class QAbstractAxis;
class QAbstractBarSeries;
class QBarSet;
class QChart;
class QValueAxis;

namespace webthreat::chartstyle {

// One palette for every chart and the scatter, so that "red" means Suspicious wherever the analyst
// looks. Normal is deliberately quiet; the eye should land on the anomalies.
QColor normalColor(); // calm steel blue
QColor suspiciousColor(); // strong red-orange
QColor thresholdColor(); // near-black, drawn dashed
QColor selectionColor(); // the ring around the selected row: the text colour, on a halo of the card's
QColor textColor();
QColor mutedTextColor();
QColor gridColor();
QColor backgroundColor(); // the chart card: white, or the palette's base when it is dark
QColor overlayColor(); // the card's colour, slightly translucent, behind labels over the plot
// Rows on the analyst's threat lists ("known bad"): a violet apart from the verdicts' red and
// blue and the triage marks' dark red, green and amber, drawn as a cross (see threatmarks.h).
QColor threatListColor();

QFont titleFont();
QFont axisTitleFont();
QFont labelFont();

// Margins, fonts, no animation (animations would make exports and tests see half-drawn bars).
void styleChart(QChart* chart);
void styleAxis(QAbstractAxis* axis, const QString& title);
void styleBarSet(QBarSet* set, const QColor& color);

// Sets a count axis to [0, a round maximum] with round tick steps, so that moving the threshold
// (which keeps every bar's total) never makes the axis jump.
void setCountRange(QValueAxis* axis, double maxCount);

// Compact numbers for axis labels and legends: 950, 1.2K, 25M, 3G.
QString compactNumber(double value);
// Thousands grouped for tooltips and legends: 1,234,567.
QString groupedCount(std::uint64_t count);

} // namespace webthreat::chartstyle

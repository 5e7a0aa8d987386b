#include "ui/charts/chartstyle.h"

#include <QAbstractAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLocale>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace webthreat::chartstyle {

QColor normalColor() { return QColor(0x6b, 0x8c, 0xae); }
QColor suspiciousColor() { return QColor(0xe0, 0x3e, 0x1f); }
QColor thresholdColor() { return QColor(0x26, 0x2b, 0x33); }
QColor textColor() { return QColor(0x26, 0x2b, 0x33); }
QColor mutedTextColor() { return QColor(0x5f, 0x66, 0x70); }
QColor gridColor() { return QColor(0xe3, 0xe6, 0xea); }

QFont titleFont()
{
    QFont font;
    font.setPointSizeF(10.0);
    font.setBold(true);
    return font;
}

QFont axisTitleFont()
{
    QFont font;
    font.setPointSizeF(8.5);
    return font;
}

QFont labelFont()
{
    QFont font;
    font.setPointSizeF(8.0);
    return font;
}

void styleChart(QChart* chart)
{
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTheme(QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(6, 4, 8, 4));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setTitleFont(titleFont());
    chart->setTitleBrush(textColor());
    chart->legend()->setFont(labelFont());
    chart->legend()->setLabelColor(textColor());
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeRectangle);
}

void styleAxis(QAbstractAxis* axis, const QString& title)
{
    axis->setTitleText(title);
    axis->setTitleFont(axisTitleFont());
    axis->setTitleBrush(mutedTextColor());
    axis->setLabelsFont(labelFont());
    axis->setLabelsColor(textColor());
    axis->setGridLineColor(gridColor());
    axis->setMinorGridLineColor(gridColor().lighter(104));
    axis->setLinePenColor(QColor(0xb0, 0xb6, 0xbe));
}

void styleBarSet(QBarSet* set, const QColor& color)
{
    set->setColor(color);
    set->setBorderColor(color);
    // A cosmetic outline keeps a bar of one row visible at a million rows, where its fill would be
    // thinner than a pixel.
    QPen pen(color);
    pen.setWidthF(0.0);
    set->setPen(pen);
}

namespace {

double niceStep(double roughStep)
{
    if (roughStep <= 1.0)
        return 1.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(roughStep)));
    for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        // Counts are whole: a step of 2.5 only from 25 upwards.
        if (factor == 2.5 && magnitude < 10.0)
            continue;
        if (factor * magnitude >= roughStep)
            return factor * magnitude;
    }
    return 10.0 * magnitude;
}

} // namespace

void setCountRange(QValueAxis* axis, double maxCount)
{
    const double step = niceStep(std::max(maxCount, 1.0) / 4.0);
    const int steps = std::max(1, static_cast<int>(std::ceil(std::max(maxCount, 1.0) / step - 1e-9)));
    const double top = step * steps;
    axis->setRange(0.0, top);
    if (auto* categories = qobject_cast<QCategoryAxis*>(axis)) {
        // A category axis lets large counts read "250K" instead of "250000".
        for (const QString& label : categories->categoriesLabels())
            categories->remove(label);
        categories->setStartValue(-top * 1e-6);
        categories->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        for (int i = 0; i <= steps; ++i)
            categories->append(compactNumber(step * i), step * i);
    } else {
        axis->setTickCount(steps + 1);
        axis->setLabelFormat(QStringLiteral("%.0f"));
    }
}

QString compactNumber(double value)
{
    const double magnitude = std::fabs(value);
    struct Unit {
        double scale;
        const char* suffix;
    };
    static constexpr Unit units[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "K"}};
    for (const Unit& unit : units) {
        if (magnitude >= unit.scale) {
            const double scaled = value / unit.scale;
            // One decimal only where it carries information: 1.5K, but 15K and 150K.
            const bool oneDecimal = std::fabs(scaled) < 10.0 && std::fabs(scaled - std::round(scaled)) > 0.05;
            return QString::number(scaled, 'f', oneDecimal ? 1 : 0) + QLatin1String(unit.suffix);
        }
    }
    if (magnitude > 0.0 && magnitude < 1.0)
        return QString::number(value, 'g', 2);
    return QString::number(std::round(value), 'f', 0);
}

QString groupedCount(std::uint64_t count)
{
    return QLocale(QLocale::English).toString(static_cast<qulonglong>(count));
}

} // namespace webthreat::chartstyle

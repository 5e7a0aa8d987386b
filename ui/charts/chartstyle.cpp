#include "ui/charts/chartstyle.h"

#include "ui/palettechoice.h"

#include <QAbstractAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QGuiApplication>
#include <QLegend>
#include <QLocale>
#include <QPalette>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace webthreat::chartstyle {

// The series colours stay the same in both palettes, so Suspicious is the same red everywhere;
// text, grid and background follow the application's palette (--palette dark, a dark desktop).
QColor normalColor()
{
    return QColor(0x6b, 0x8c, 0xae);
}
QColor suspiciousColor()
{
    return QColor(0xe0, 0x3e, 0x1f);
}
QColor thresholdColor()
{
    return isDarkPalette() ? QColor(0xe3, 0xe6, 0xea) : QColor(0x26, 0x2b, 0x33);
}
QColor selectionColor()
{
    return textColor();
}
QColor textColor()
{
    return isDarkPalette() ? QColor(0xd5, 0xd9, 0xdf) : QColor(0x26, 0x2b, 0x33);
}
QColor mutedTextColor()
{
    return isDarkPalette() ? QColor(0xa3, 0xaa, 0xb4) : QColor(0x5f, 0x66, 0x70);
}
QColor gridColor()
{
    return isDarkPalette() ? QColor(0x38, 0x3d, 0x44) : QColor(0xe3, 0xe6, 0xea);
}
QColor backgroundColor()
{
    return isDarkPalette() ? QGuiApplication::palette().color(QPalette::Base) : QColor(Qt::white);
}
QColor threatListColor()
{
    return isDarkPalette() ? QColor(0xc0, 0x84, 0xfc) : QColor(0x7e, 0x22, 0xce);
}
QColor overlayColor()
{
    QColor color = backgroundColor();
    color.setAlpha(225);
    return color;
}

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
    chart->setBackgroundBrush(backgroundColor());
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0);
    // The right margin leaves room for the last count label, which Qt Charts centres on the
    // plot's right edge.
    chart->setMargins(QMargins(6, 4, 14, 4));
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
    // Minor lines part way from the grid towards the card, so that on either palette they recede
    // behind the major ones instead of turning a log plot into a mesh.
    const QColor grid = gridColor();
    const QColor card = backgroundColor();
    const auto towardsCard = [](int from, int to) { return from + (to - from) * 45 / 100; };
    axis->setMinorGridLineColor(QColor(towardsCard(grid.red(), card.red()), towardsCard(grid.green(), card.green()),
                                       towardsCard(grid.blue(), card.blue())));
    axis->setLinePenColor(isDarkPalette() ? QColor(0x5c, 0x63, 0x6c) : QColor(0xb0, 0xb6, 0xbe));
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

void setCountRange(QValueAxis* axis, double maxCount)
{
    // 5 % headroom, so that the largest bar never touches the plot's edge; then the lowest round
    // top reachable in three to six round steps (1, 2, 2.5 or 5 times a power of ten; counts are
    // whole, so no step below 1 and no 2.5 below 25). Equal tops prefer fewer, larger steps.
    const double wanted = std::max(maxCount, 1.0) * 1.05;
    // Fallback for tiny counts, where no round step gives three or more: steps of one.
    double step = 1.0;
    int steps = std::max(2, static_cast<int>(std::ceil(wanted)));
    double top = std::numeric_limits<double>::infinity();
    const int firstPower = std::max(0, static_cast<int>(std::floor(std::log10(wanted / 6.0))));
    for (int power = firstPower; power <= firstPower + 1; ++power) {
        const double magnitude = std::pow(10.0, power);
        for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
            const double candidate = factor * magnitude;
            if (factor == 2.5 && candidate < 25.0)
                continue;
            const int count = static_cast<int>(std::ceil(wanted / candidate - 1e-9));
            if (count < 3 || count > 6)
                continue;
            const double candidateTop = candidate * count;
            if (candidateTop < top - 1e-9 || (std::fabs(candidateTop - top) < 1e-9 && candidate > step)) {
                top = candidateTop;
                step = candidate;
                steps = count;
            }
        }
    }
    if (!std::isfinite(top))
        top = step * steps;
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

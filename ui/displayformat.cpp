#include "ui/displayformat.h"

#include "core/output/export.h"
#include "core/io/timestamp.h"
#include "core/detect/threshold.h"
#include "core/util/format.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace webthreat {

namespace {
const QLocale& english()
{
    static const QLocale locale(QLocale::English, QLocale::UnitedStates);
    return locale;
}
} // namespace

QString formatCount(std::uint64_t count)
{
    return english().toString(static_cast<qulonglong>(count));
}

QString formatPercent(double share, int decimals)
{
    return QString::fromStdString(formatShare(share, decimals));
}

QString formatContamination(const Contamination& contamination)
{
    return contamination.automatic ? QStringLiteral("auto")
                                   : QString::fromStdString(formatContaminationShare(contamination.value));
}

QString formatBytesText(double bytes)
{
    if (std::isnan(bytes))
        return QString();
    return QString::fromStdString(formatBytes(bytes));
}

QString formatValue(double value)
{
    if (std::isnan(value))
        return QString();
    if (value == std::floor(value) && std::abs(value) < 1e15)
        return english().toString(static_cast<qlonglong>(value));
    const double magnitude = std::abs(value);
    if (magnitude >= 1e9 || magnitude < 1e-4)
        return QString::number(value, 'g', 4);
    // Four significant digits, at least one decimal, no trailing zeros beyond that.
    const int decimals = magnitude >= 1000 ? 1 : magnitude >= 1 ? 3 : 4;
    QString text = english().toString(value, 'f', decimals);
    while (text.endsWith(QLatin1Char('0')) && !text.endsWith(QLatin1String(".0")))
        text.chop(1);
    return text;
}

QString formatInstant(double secondsSinceEpoch)
{
    if (std::isnan(secondsSinceEpoch))
        return QString();
    return QString::fromStdString(
        formatTimestamp(static_cast<Instant>(std::llround(secondsSinceEpoch * kMicrosPerSecond))));
}

QString formatInstantShort(double secondsSinceEpoch)
{
    QString text = formatInstant(secondsSinceEpoch);
    // 2024-04-25T23:00:00Z -> 2024-04-25 23:00
    if (text.size() >= 16) {
        text.truncate(16);
        text[10] = QLatin1Char(' ');
    }
    return text;
}

QString formatDuration(double seconds)
{
    if (seconds < 1.0)
        return QStringLiteral("%1 ms").arg(std::max<qint64>(std::llround(seconds * 1000.0), seconds > 0.0 ? 1 : 0));
    return QStringLiteral("%1 s").arg(seconds, 0, 'f', seconds < 10.0 ? 2 : 1);
}

QString plainTooltip(const QString& text)
{
    if (text.isEmpty())
        return text;
    return QStringLiteral("<p style='white-space:pre'>%1</p>").arg(text.toHtmlEscaped());
}

QString fromUtf8View(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString countNoun(std::uint64_t count, const QString& singular, const QString& plural)
{
    return formatCount(count) + QLatin1Char(' ') + (count == 1 ? singular : plural);
}

} // namespace webthreat

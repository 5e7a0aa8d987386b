#include "ui/triagestyle.h"

#include "core/triage/tabletriage.h"

#include <QCoreApplication>

namespace webthreat {

QColor markColor(Mark mark)
{
    switch (mark) {
    case Mark::Malicious: return QColor(0x9b, 0x11, 0x1e);
    case Mark::Benign: return QColor(0x2e, 0x7d, 0x32);
    case Mark::NeedsReview: return QColor(0xf2, 0xa9, 0x00);
    case Mark::None: break;
    }
    return {};
}

QColor markTextColor(Mark mark)
{
    return mark == Mark::NeedsReview ? QColor(0x20, 0x16, 0x00) : QColor(Qt::white);
}

QString markText(const TableTriage& triage, std::size_t row)
{
    const Mark mark = triage.mark(row);
    if (mark == Mark::None)
        return {};
    const std::string_view name = markLabel(mark);
    const QString label = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    switch (row < triage.origins.size() ? triage.origins[row] : MarkOrigin::None) {
    case MarkOrigin::Source:
        return QCoreApplication::translate("webthreat::Triage", "%1 (source)").arg(label);
    case MarkOrigin::EarlierFile:
        return QCoreApplication::translate("webthreat::Triage", "%1 (source, from an earlier file)").arg(label);
    default:
        return label;
    }
}

QString markShortcutText(Mark mark)
{
    switch (mark) {
    case Mark::Malicious: return QStringLiteral("M");
    case Mark::Benign: return QStringLiteral("B");
    case Mark::NeedsReview: return QStringLiteral("R");
    case Mark::None: break;
    }
    return QStringLiteral("0");
}

} // namespace webthreat

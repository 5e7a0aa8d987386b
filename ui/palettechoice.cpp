#include "ui/palettechoice.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace webthreat {

std::optional<PaletteChoice> paletteChoiceByName(const QString& name)
{
    const QString key = name.trimmed().toLower();
    if (key == QLatin1String("system"))
        return PaletteChoice::System;
    if (key == QLatin1String("light"))
        return PaletteChoice::Light;
    if (key == QLatin1String("dark"))
        return PaletteChoice::Dark;
    return std::nullopt;
}

QPalette lightPalette()
{
    // Fusion's own palette is the light one Qt designs and tests; no need to invent another.
    if (QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"))) {
        QPalette palette = fusion->standardPalette();
        delete fusion;
        return palette;
    }
    return QPalette(QColor(0xef, 0xef, 0xef));
}

QPalette darkPalette()
{
    // Neutral greys with a slight blue, text well above 7:1 contrast on the base, and disabled
    // text still legible; the highlight is the same hue as the charts' Normal bars, brighter.
    const QColor window(0x2d, 0x30, 0x35);
    const QColor base(0x1f, 0x22, 0x26);
    const QColor text(0xe3, 0xe6, 0xea);
    const QColor disabledText(0x80, 0x86, 0x8e);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, QColor(0x27, 0x2a, 0x2f));
    palette.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3e, 0x44));
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x93, 0x9c));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x36, 0x3a, 0x40));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, QColor(0x4a, 0x4f, 0x56));
    palette.setColor(QPalette::Midlight, QColor(0x3d, 0x41, 0x47));
    palette.setColor(QPalette::Mid, QColor(0x28, 0x2b, 0x2f));
    palette.setColor(QPalette::Dark, QColor(0x18, 0x1a, 0x1d));
    palette.setColor(QPalette::Shadow, QColor(0x0b, 0x0c, 0x0e));
    palette.setColor(QPalette::Highlight, QColor(0x3f, 0x6f, 0xa8));
    palette.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    palette.setColor(QPalette::Link, QColor(0x7d, 0xb4, 0xf0));
    palette.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xf0));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x45, 0x4a, 0x51));
    palette.setColor(QPalette::Disabled, QPalette::HighlightedText, disabledText);
    palette.setColor(QPalette::Disabled, QPalette::Base, window);
    return palette;
}

void applyPaletteChoice(PaletteChoice choice)
{
    if (choice == PaletteChoice::System)
        return;
    QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setPalette(choice == PaletteChoice::Dark ? darkPalette() : lightPalette());
}

bool isDarkPalette(const QPalette& palette)
{
    // Window text lighter than the window is what "dark theme" means, whatever the exact greys.
    return palette.color(QPalette::WindowText).lightness() > palette.color(QPalette::Window).lightness();
}

bool isDarkPalette()
{
    return isDarkPalette(QGuiApplication::palette());
}

} // namespace webthreat

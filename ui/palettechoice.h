#pragma once

#include <QString>

#include <optional>

class QPalette;

namespace webthreat {

// `webthreat-workbench --palette light|dark|system`: for desktops whose theme does not reach Qt
// (a dark desktop showing a glaring window, or the reverse), and for checking screenshots in both.
enum class PaletteChoice { System, Light, Dark };

// "system", "light" or "dark" (any case, spaces trimmed); nullopt for anything else.
std::optional<PaletteChoice> paletteChoiceByName(const QString& name);

// Light and Dark switch the application to the Fusion style with that palette (Fusion draws
// every control from the palette, unlike native styles); System leaves style and palette alone.
// Call before any window is created: charts and tables pick their colours from the palette.
void applyPaletteChoice(PaletteChoice choice);

QPalette lightPalette();
QPalette darkPalette();

// Whether text is light on dark in this palette: what the charts and tinted rows follow.
bool isDarkPalette(const QPalette& palette);
// The application's palette (the GUI's current one).
bool isDarkPalette();

} // namespace webthreat

#pragma once

#include <QList>

class QAction;
class QWidget;

namespace webthreat {

// Help > About: the version and what the program was built with.
void showAboutDialog(QWidget* parent);
// Help > Keyboard Shortcuts: the actions that have one, in the order given.
void showShortcutsDialog(QWidget* parent, const QList<QAction*>& actions);

} // namespace webthreat

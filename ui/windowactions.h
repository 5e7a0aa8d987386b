#pragma once

#include <QList>

class QAction;
class QDockWidget;
class QMenu;
class QMenuBar;
class QObject;

namespace webthreat {

// The main window's actions with their texts, standard shortcuts and tooltips, and the menu bar
// they make. The window connects them.
struct WindowActions {
    explicit WindowActions(QObject* parent);

    // File, View (tabs, filter, the docks' toggles), Analysis and Help; returns File > Open Recent.
    // Also makes the Detector menu's Apply Recent Model submenu (recentModels).
    QMenu* fillMenuBar(QMenuBar* bar, const QList<QDockWidget*>& docks);
    // Every action with a shortcut, in the order Help > Keyboard Shortcuts lists them.
    QList<QAction*> withShortcuts(const QList<QDockWidget*>& docks) const;

    QAction* open = nullptr;
    QAction* openSample = nullptr;
    QAction* import = nullptr;
    QAction* exportChart = nullptr;
    QAction* exportAllCharts = nullptr;
    QAction* exportCsv = nullptr;
    QAction* exportReport = nullptr;
    QAction* exportCase = nullptr; // disabled until a row is marked Malicious (ResultExporter)
    QAction* printReport = nullptr;
    QAction* quit = nullptr;
    QAction* run = nullptr;
    QAction* cancel = nullptr;
    QAction* applyModel = nullptr;
    QAction* saveModel = nullptr;
    QAction* forgetModel = nullptr;
    QMenu* recentModels = nullptr; // made by fillMenuBar
    QAction* find = nullptr;
    QList<QAction*> tabs; // Ctrl+1 ... in tab order
    QAction* gettingStarted = nullptr;
    QAction* shortcuts = nullptr;
    QAction* about = nullptr;
};

} // namespace webthreat

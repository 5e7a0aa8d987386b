#pragma once

#include <QAction>
#include <QDockWidget>
#include <QKeySequence>
#include <QMainWindow>
#include <QScrollArea>

#include <utility>

namespace webthreat {

// A dock for window holding a new Panel: the panel is named name + "Panel", the dock name + "Dock";
// a panel taller than the dock may be scrolls; View > toggleText (shortcut) shows and hides it.
// The caller places the dock.
template <typename Panel>
std::pair<QDockWidget*, Panel*> makeDock(QMainWindow* window, const QString& title, const QString& name, bool scrolls,
                                         const QString& toggleText, const QKeySequence& shortcut)
{
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(name + QStringLiteral("Dock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetFloatable);
    auto* panel = new Panel(dock);
    panel->setObjectName(name + QStringLiteral("Panel"));
    if (scrolls) {
        auto* scroll = new QScrollArea(dock);
        scroll->setWidget(panel);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        dock->setWidget(scroll);
    } else {
        dock->setWidget(panel);
    }
    dock->toggleViewAction()->setText(toggleText);
    dock->toggleViewAction()->setShortcut(shortcut);
    return {dock, panel};
}

} // namespace webthreat

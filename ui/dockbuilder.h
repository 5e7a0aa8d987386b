#pragma once

#include <QAction>
#include <QDockWidget>
#include <QKeySequence>
#include <QEvent>
#include <QMainWindow>
#include <QScrollArea>
#include <QScrollBar>

#include <algorithm>
#include <utility>

namespace webthreat {

// A scroll area that scrolls only vertically and is never narrower than its panel needs: with the
// horizontal bar off, QScrollArea would otherwise clip the panel's right edge (spin box arrows, the
// end of a slider's scale) whenever the dock is narrower than the panel's minimum width. It asks
// for a new size whenever the panel's layout changes (rows of check boxes added after a load).
class PanelScrollArea : public QScrollArea {
public:
    explicit PanelScrollArea(QWidget* parent)
        : QScrollArea(parent)
    {
        setWidgetResizable(true);
        setFrameShape(QFrame::NoFrame);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    }

    void setPanel(QWidget* panel)
    {
        setWidget(panel);
        panel->installEventFilter(this);
    }

    QSize minimumSizeHint() const override
    {
        QSize size = QScrollArea::minimumSizeHint();
        if (widget() != nullptr)
            size.setWidth(std::max(size.width(),
                                   widget()->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width()
                                       + 2 * frameWidth()));
        return size;
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == widget() && event->type() == QEvent::LayoutRequest)
            updateGeometry();
        return QScrollArea::eventFilter(watched, event);
    }
};

// A dock for window holding a new Panel: the panel is named name + "Panel", the dock name + "Dock";
// a panel taller than the dock may be scrolls; View > toggleText (shortcut) shows and hides it.
// The caller places the dock.
template <typename Panel>
std::pair<QDockWidget*, Panel*> makeDock(QMainWindow* window, const QString& title, const QString& name, bool scrolls,
                                         const QString& toggleText, const QKeySequence& shortcut)
{
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(name + QStringLiteral("Dock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                      | QDockWidget::DockWidgetFloatable);
    auto* panel = new Panel(dock);
    panel->setObjectName(name + QStringLiteral("Panel"));
    if (scrolls) {
        auto* scroll = new PanelScrollArea(dock);
        scroll->setPanel(panel);
        dock->setWidget(scroll);
    } else {
        dock->setWidget(panel);
    }
    dock->toggleViewAction()->setText(toggleText);
    dock->toggleViewAction()->setShortcut(shortcut);
    return {dock, panel};
}

} // namespace webthreat

#pragma once

#include <QDialog>
#include <QList>

class QPushButton;

namespace webthreat {

class MainWindow;
struct WindowActions;

// Help > Getting Started: the path a new analyst takes, Open -> Overview -> Anomalies -> Row
// details -> Export, one step a line with a button that does it in the window. Not modal: it
// stays beside the window while the analyst follows it, and closes with Escape.
class GettingStartedDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GettingStartedDialog)

public:
    GettingStartedDialog(MainWindow* window, const WindowActions& actions);

    // Shows the window's one tour, making it on first use.
    static GettingStartedDialog* showFor(MainWindow* window, const WindowActions& actions);

private:
    // The steps that need data are enabled once the window has some.
    void updateSteps();

    MainWindow* m_window = nullptr;
    QList<QPushButton*> m_needData;
};

} // namespace webthreat

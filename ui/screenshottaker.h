#pragma once

#include "ui/mainwindow.h"

#include <QObject>
#include <QSize>
#include <QStringList>

#include <memory>
#include <optional>

namespace webthreat {

struct ScreenshotOptions {
    QString output; // the PNG to write
    QString input; // a CSV; empty for the bundled sample
    MainWindow::Tab tab = MainWindow::Tab::Overview;
    QStringList threatLists; // loaded (not remembered) and matched before the picture
    QSize size{1280, 800};
};

// `webthreat-workbench --screenshot OUT.png [FILE]`: loads and analyses FILE in a window that is
// laid out but never shown on screen, shows the chosen tab, selects the most anomalous row (so
// Row details has something to show) and renders the window to a PNG once the views computed in
// the background are filled. A FILE in another layout renders the import dialog it opens instead.
class ScreenshotTaker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTaker)

public:
    enum class Outcome { Written, BadInput, OutputFailed };
    Q_ENUM(Outcome)

    explicit ScreenshotTaker(ScreenshotOptions options, QObject* parent = nullptr);
    ~ScreenshotTaker() override;

    // "overview", "anomalies", "data", "summary" or "trust"; nullopt for anything else.
    static std::optional<MainWindow::Tab> tabByName(const QString& name);

    void start();
    MainWindow* window() const { return m_window.get(); }

Q_SIGNALS:
    // message says what was written or what went wrong.
    void finished(webthreat::ScreenshotTaker::Outcome outcome, const QString& message);

private:
    void capture();
    void partReady();
    void render();

    ScreenshotOptions m_options;
    std::unique_ptr<MainWindow> m_window;
    bool m_done = false;
    int m_waiting = 0; // background parts (row explanation, Trust tab, threat lists) not yet shown
    bool m_listsLoaded = false;
};

} // namespace webthreat

#pragma once

#include <QList>
#include <QObject>
#include <QStringList>

class QMainWindow;
class QMenu;
class QSplitter;
class QTabWidget;

namespace webthreat {

class DetectorPanel;

// What the workbench remembers between sessions in QSettings: the window's geometry, docks,
// splitters and tab, the detector's parameters, the recent files (File > Open Recent) and the
// last folder. Until restore() is called (screenshots, most tests) nothing is read or written.
class WorkbenchSettings : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkbenchSettings)

public:
    static constexpr int kMaxRecentFiles = 10;

    explicit WorkbenchSettings(QObject* parent = nullptr);
    ~WorkbenchSettings() override;

    // The window parts whose state is kept; they must outlive this object.
    void setWindow(QMainWindow* window, QTabWidget* tabs, QList<QSplitter*> splitters, DetectorPanel* detector);
    void restore();
    void save() const;

    // File > Open Recent lists the recent files (most recent first); picking one emits openRequested.
    void setRecentMenu(QMenu* menu);
    QStringList recentFiles() const { return m_recentFiles; }
    void addRecentFile(const QString& path);
    // A recent file that failed to open and has gone away leaves the list.
    void forgetIfMissing(const QString& path);
    // Where file dialogs start: the last folder used, or the documents folder where it exists
    // (a fresh account may have none), or the home folder.
    QString startFolder() const;
    void rememberFolder(const QString& path);
    // Where an export dialog starts: the folder of the last export (kept between sessions) if it
    // still exists and is writable, else dataPath's folder if writable (the data may sit on a
    // read-only share), else startFolder().
    QString exportFolder(const QString& dataPath) const;
    void rememberExportFolder(const QString& path);

Q_SIGNALS:
    void openRequested(const QString& path);

private:
    void setRecentFiles(QStringList files);
    void updateRecentMenu();

    QMainWindow* m_window = nullptr;
    QTabWidget* m_tabs = nullptr;
    QList<QSplitter*> m_splitters;
    DetectorPanel* m_detector = nullptr;
    QMenu* m_recentMenu = nullptr;
    bool m_persist = false;
    QStringList m_recentFiles;
    QString m_lastFolder;
    QString m_lastExportFolder;
};

} // namespace webthreat

#include "ui/workbenchsettings.h"

#include "core/io/archive.h"
#include "ui/detectorpanel.h"
#include "ui/displayformat.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>

#include <algorithm>

namespace webthreat {

WorkbenchSettings::WorkbenchSettings(QObject* parent)
    : QObject(parent)
{
}

WorkbenchSettings::~WorkbenchSettings() = default;

void WorkbenchSettings::setWindow(QMainWindow* window, QTabWidget* tabs, QList<QSplitter*> splitters,
                                  DetectorPanel* detector)
{
    m_window = window;
    m_tabs = tabs;
    m_splitters = std::move(splitters);
    m_detector = detector;
}

void WorkbenchSettings::restore()
{
    m_persist = true;
    QSettings settings;
    if (const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
        !geometry.isEmpty()) {
        m_window->restoreGeometry(geometry);
    } else if (const QScreen* screen = m_window->screen()) {
        // First start: a 1280x800 window and its frame do not fit a 1280x800 laptop screen (the
        // status bar would sit below its edge); on a screen that small the window fills it.
        const QRect room = screen->availableGeometry();
        if (room.width() < m_window->width() + 40 || room.height() < m_window->height() + 80)
            m_window->setWindowState(m_window->windowState() | Qt::WindowMaximized);
    }
    if (const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray(); !state.isEmpty())
        m_window->restoreState(state);
    for (QSplitter* splitter : m_splitters) {
        const QByteArray state
            = settings.value(QStringLiteral("window/splitters/") + splitter->objectName()).toByteArray();
        if (!state.isEmpty())
            splitter->restoreState(state);
    }
    m_tabs->setCurrentIndex(
        std::clamp(settings.value(QStringLiteral("window/tab"), 0).toInt(), 0, m_tabs->count() - 1));
    m_recentFiles = settings.value(QStringLiteral("files/recent")).toStringList();
    while (m_recentFiles.size() > kMaxRecentFiles)
        m_recentFiles.removeLast();
    m_lastFolder = settings.value(QStringLiteral("files/lastFolder")).toString();
    m_lastExportFolder = settings.value(QStringLiteral("files/lastExportFolder")).toString();
    m_detector->restoreSettings(settings);
    updateRecentMenu();
}

void WorkbenchSettings::save() const
{
    if (!m_persist)
        return;
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), m_window->saveGeometry());
    settings.setValue(QStringLiteral("window/state"), m_window->saveState());
    for (QSplitter* splitter : m_splitters)
        settings.setValue(QStringLiteral("window/splitters/") + splitter->objectName(), splitter->saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
    settings.setValue(QStringLiteral("files/lastFolder"), m_lastFolder);
    settings.setValue(QStringLiteral("files/lastExportFolder"), m_lastExportFolder);
    m_detector->saveSettings(settings);
}

void WorkbenchSettings::setRecentMenu(QMenu* menu)
{
    m_recentMenu = menu;
    updateRecentMenu();
}

void WorkbenchSettings::addRecentFile(const QString& path)
{
    if (path.startsWith(QLatin1String(":/")))
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = m_recentFiles;
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    setRecentFiles(std::move(files));
}

void WorkbenchSettings::forgetIfMissing(const QString& path)
{
    // A member of an archive (capture.zip:traffic.csv) has gone away when its archive has.
    if (!m_recentFiles.contains(path)
        || QFileInfo::exists(QString::fromStdString(splitArchivePath(path.toStdString()).file)))
        return;
    QStringList files = m_recentFiles;
    files.removeAll(path);
    setRecentFiles(std::move(files));
}

void WorkbenchSettings::setRecentFiles(QStringList files)
{
    m_recentFiles = std::move(files);
    updateRecentMenu();
    if (m_persist) {
        QSettings settings;
        settings.setValue(QStringLiteral("files/recent"), m_recentFiles);
    }
}

void WorkbenchSettings::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (int i = 0; i < m_recentFiles.size(); ++i) {
        const QString path = m_recentFiles[i];
        QString text = QFileInfo(path).fileName();
        text.replace(QLatin1Char('&'), QLatin1String("&&"));
        QAction* action = m_recentMenu->addAction(i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(text) : text);
        action->setToolTip(plainTooltip(QDir::toNativeSeparators(path)));
        action->setStatusTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT openRequested(path); });
    }
    if (!m_recentFiles.isEmpty()) {
        m_recentMenu->addSeparator();
        QAction* clear = m_recentMenu->addAction(tr("&Clear List"));
        connect(clear, &QAction::triggered, this, [this] { setRecentFiles({}); });
    }
    m_recentMenu->setEnabled(!m_recentFiles.isEmpty());
}

QString WorkbenchSettings::startFolder() const
{
    if (!m_lastFolder.isEmpty() && QFileInfo(m_lastFolder).isDir())
        return m_lastFolder;
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!documents.isEmpty() && QFileInfo(documents).isDir())
        return documents;
    return QDir::homePath();
}

namespace {

bool writableFolder(const QString& folder)
{
    const QFileInfo info(folder);
    return !folder.isEmpty() && info.isDir() && info.isWritable();
}

} // namespace

QString WorkbenchSettings::exportFolder(const QString& dataPath) const
{
    if (writableFolder(m_lastExportFolder))
        return m_lastExportFolder;
    if (!dataPath.isEmpty()) {
        const QString dataFolder = QFileInfo(dataPath).absolutePath();
        if (writableFolder(dataFolder))
            return dataFolder;
    }
    return startFolder();
}

void WorkbenchSettings::rememberExportFolder(const QString& path)
{
    const QFileInfo info(path);
    m_lastExportFolder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    rememberFolder(path);
}

void WorkbenchSettings::rememberFolder(const QString& path)
{
    const QFileInfo info(path);
    m_lastFolder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

} // namespace webthreat

#pragma once

#include "ui/mainwindow.h"

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

namespace webthreat::test {

// How long a window test waits for a file to be read and scored.
inline constexpr int kLoadTimeoutMs = 120000;

inline QString referenceCsv()
{
    return QStringLiteral(WEBTHREAT_REFERENCE_CSV);
}

// Settings in settingsDir (never the analyst's own), under the test's application name.
inline bool isolateSettings(const QTemporaryDir& settingsDir, const QString& application)
{
    QStandardPaths::setTestModeEnabled(true);
    if (!settingsDir.isValid())
        return false;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("webthreat-tests"));
    QCoreApplication::setApplicationName(application);
    // The triage workspace too (TriageController::defaultWorkspacePath).
    qputenv("WEBTHREAT_WORKSPACE", QDir(settingsDir.path()).filePath(QStringLiteral("workspace.sqlite")).toLocal8Bit());
    return true;
}

// Opens path (or, when empty, the bundled sample) and waits until the window has shown it.
inline bool openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy ready(&window, &MainWindow::analysisReady);
    if (path.isEmpty())
        window.openSample();
    else
        window.openFile(path);
    return ready.wait(kLoadTimeoutMs);
}

} // namespace webthreat::test

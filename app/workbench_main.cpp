// webthreat-workbench: the desktop window. Start-up only: platform choice, command line,
// logging, settings; everything else lives in ui/.
#include "app/allocator.h"
#include "app/cli.h"
#include "app/logging.h"
#include "ui/bundledresources.h"
#include "ui/logrelay.h"
#include "ui/mainwindow.h"
#include "ui/palettechoice.h"
#include "ui/screenshottaker.h"
#include "ui/threatlistworkflow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace {

// Qt's own warnings (and qDebug from any library) go to the same log as ours.
void forwardQtMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    auto logger = spdlog::get("ui");
    const QByteArray text = message.toLocal8Bit();
    if (!logger) {
        std::fprintf(stderr, "%s\n", text.constData());
        return;
    }
    spdlog::level::level_enum level = spdlog::level::info;
    switch (type) {
    case QtDebugMsg:
        level = spdlog::level::debug;
        break;
    case QtInfoMsg:
        level = spdlog::level::info;
        break;
    case QtWarningMsg:
        // The offscreen platform (screenshots, tests) cannot resize windows to their hints; that is
        // expected there, not a problem to warn about.
        level = message.contains(QLatin1String("propagateSizeHints")) ? spdlog::level::debug : spdlog::level::warn;
        break;
    case QtCriticalMsg:
        level = spdlog::level::err;
        break;
    case QtFatalMsg:
        level = spdlog::level::critical;
        break;
    }
    const char* category = context.category && std::strcmp(context.category, "default") != 0 ? context.category : "qt";
    logger->log(level, "[{}] {}", category, text.constData());
    if (type == QtFatalMsg)
        logger->flush();
}

// Decided before QApplication exists: without a display, --screenshot (and --help, --version)
// still work by drawing into memory (the offscreen platform) instead of failing to connect to an
// X server.
void chooseHeadlessPlatform(int argc, char** argv)
{
    bool windowless = false;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (std::strcmp(arg, "--screenshot") == 0 || std::strncmp(arg, "--screenshot=", 13) == 0
            || std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0 || std::strcmp(arg, "--help-all") == 0
            || std::strcmp(arg, "--version") == 0 || std::strcmp(arg, "-v") == 0)
            windowless = true;
    }
    if (windowless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
}

void printError(const QString& message)
{
    std::fprintf(stderr, "webthreat-workbench: %s\n", message.toLocal8Bit().constData());
}

void setApplicationIdentity()
{
    QApplication::setOrganizationName(QStringLiteral("webthreat"));
    QApplication::setApplicationName(QStringLiteral("webthreat-workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("Web Threat Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(WEBTHREAT_VERSION));
    // Matches packaging/io.github.webthreat.Workbench.desktop, so Wayland shows its icon and name.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.webthreat.Workbench"));
}

// The window's command line.
struct WorkbenchOptions {
    QCommandLineOption screenshot{
        QStringLiteral("screenshot"),
        QStringLiteral("Load and analyse FILE (the bundled sample if none), render the window at 1280x800 to OUT.png "
                       "without showing it, and exit."),
        QStringLiteral("OUT.png")};
    QCommandLineOption tab{QStringLiteral("tab"),
                           QStringLiteral("The tab the screenshot shows: overview (default), anomalies, "
                                          "data, summary, entities, timeline, beacons or trust. The most "
                                          "anomalous row is selected, so Row details shows why it was flagged."),
                           QStringLiteral("TAB"), QStringLiteral("overview")};
    QCommandLineOption logLevel{
        QStringLiteral("log-level"),
        QStringLiteral("trace, debug, info, warn (default), error or off. Overrides the WEBTHREAT_LOG variable."),
        QStringLiteral("LEVEL")};
    QCommandLineOption palette{
        QStringLiteral("palette"),
        QStringLiteral("light, dark or system (default): light and dark use the Fusion style with that palette, "
                       "for desktops whose theme does not reach the window, and for screenshots."),
        QStringLiteral("PALETTE"), QStringLiteral("system")};
    QCommandLineOption threatList{
        QStringLiteral("threat-list"),
        QStringLiteral("Load a threat list as Context > Load Threat List does ([NAME=]LIST[:COLUMN], repeatable): "
                       "rows whose src_ip or dst_ip is on it are marked in every view, and the list is remembered "
                       "for the next start like one loaded from the menu (with --screenshot: marked in the picture, "
                       "not remembered)."),
        QStringLiteral("LIST")};
};

void describeCommandLine(QCommandLineParser& parser, const WorkbenchOptions& options)
{
    parser.setApplicationDescription(
        QStringLiteral("Find suspicious web-traffic interactions with an Isolation Forest: open a CSV of traffic "
                       "records, clean it, explore it in charts and flag the anomalous rows.\n\n"
                       "Examples:\n"
                       "  webthreat-workbench traffic.csv\n"
                       "  webthreat-workbench --screenshot overview.png --tab anomalies traffic.csv"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A traffic CSV to open."),
                                 QStringLiteral("[FILE]"));
    parser.addOption(options.screenshot);
    parser.addOption(options.tab);
    parser.addOption(options.logLevel);
    parser.addOption(options.palette);
    parser.addOption(options.threatList);
}

// Logging to stderr and to a file in the application's data folder. An exit code when the level
// is not one.
std::optional<int> setUpLogging(const QString& level)
{
    webthreat::LoggingOptions logging;
    logging.level = level.toStdString();
    if (!logging.level.empty() && !webthreat::isLogLevel(logging.level)) {
        printError(QStringLiteral("unknown log level '%1' (use trace, debug, info, warn, error or off)").arg(level));
        return webthreat::kExitUsage;
    }
    const QString logFolder = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    if (!logFolder.isEmpty() && QDir().mkpath(logFolder))
        logging.logFile = QDir(logFolder).filePath(QStringLiteral("webthreat-workbench.log")).toStdString();
    try {
        webthreat::initLogging(logging);
    } catch (const std::invalid_argument& error) {
        printError(QString::fromLocal8Bit(error.what()));
        return webthreat::kExitUsage;
    }
    return std::nullopt;
}

void setWindowIcon()
{
    webthreat::initBundledResources();
    QIcon icon;
    for (const char* name :
         {":/icons/webthreat-16.png", ":/icons/webthreat-32.png", ":/icons/webthreat-64.png", ":/icons/webthreat.png"})
        icon.addFile(QString::fromLatin1(name));
    QApplication::setWindowIcon(icon);
}

// --screenshot: renders the window into OUT.png without showing it, and exits with the outcome.
int takeScreenshot(QApplication& app, const QString& output, const QString& tabName, const QString& file,
                   const QStringList& threatLists)
{
    const auto tab = webthreat::ScreenshotTaker::tabByName(tabName);
    if (!tab) {
        printError(QStringLiteral("unknown tab '%1' (use overview, anomalies, data, summary, entities, timeline, beacons "
                                  "or trust)")
                       .arg(tabName));
        return webthreat::kExitUsage;
    }
    webthreat::ScreenshotOptions options;
    options.output = output;
    options.input = file;
    options.tab = *tab;
    options.threatLists = threatLists;
    webthreat::ScreenshotTaker taker(options);
    QObject::connect(&taker, &webthreat::ScreenshotTaker::finished, &app,
                     [](webthreat::ScreenshotTaker::Outcome outcome, const QString& message) {
                         switch (outcome) {
                         case webthreat::ScreenshotTaker::Outcome::Written:
                             std::fprintf(stdout, "%s\n", message.toLocal8Bit().constData());
                             QCoreApplication::exit(webthreat::kExitOk);
                             break;
                         case webthreat::ScreenshotTaker::Outcome::BadInput:
                             printError(message);
                             QCoreApplication::exit(webthreat::kExitBadInput);
                             break;
                         case webthreat::ScreenshotTaker::Outcome::OutputFailed:
                             printError(message);
                             QCoreApplication::exit(webthreat::kExitOutput);
                             break;
                         }
                     });
    QTimer::singleShot(0, &taker, &webthreat::ScreenshotTaker::start);
    return app.exec();
}

int showWindow(QApplication& app, webthreat::LogRelay& logRelay, const QString& file, const QStringList& threatLists)
{
    webthreat::MainWindow window;
    window.setLogRelay(&logRelay);
    window.restoreSettings();
    window.show();
    if (auto* lists = window.findChild<webthreat::ThreatListWorkflow*>()) {
        // A list remembered from an earlier start is read again by the window: not twice.
        const QStringList remembered = QSettings().value(QStringLiteral("threatLists/files")).toStringList();
        for (QString spec : threatLists) {
            // Remembered as an absolute path, so that the next start finds it from any folder.
            if (QFileInfo::exists(spec))
                spec = QFileInfo(spec).absoluteFilePath();
            if (!spec.isEmpty() && !remembered.contains(spec))
                lists->loadList(spec);
        }
    }
    if (!file.isEmpty()) {
        window.openFile(QFileInfo(file).absoluteFilePath());
    } else {
        // The first start shows the bundled sample, so there is something to look at at once.
        QSettings settings;
        if (!settings.value(QStringLiteral("files/sampleShown"), false).toBool()) {
            settings.setValue(QStringLiteral("files/sampleShown"), true);
            window.openSample();
        }
    }
    return app.exec();
}

} // namespace

int main(int argc, char** argv)
{
    webthreat::configureAllocator();
    chooseHeadlessPlatform(argc, argv);
    QApplication app(argc, argv);
    setApplicationIdentity();

    QCommandLineParser parser;
    const WorkbenchOptions options;
    describeCommandLine(parser, options);
    parser.process(app);

    const auto palette = webthreat::paletteChoiceByName(parser.value(options.palette));
    if (!palette) {
        printError(
            QStringLiteral("unknown palette '%1' (use light, dark or system)").arg(parser.value(options.palette)));
        return webthreat::kExitUsage;
    }
    // Before any window: charts and tinted rows take their colours from the palette when built.
    webthreat::applyPaletteChoice(*palette);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        printError(QStringLiteral("give at most one FILE (got %1); see --help").arg(positional.size()));
        return webthreat::kExitUsage;
    }
    const QString file = positional.value(0);

    if (const auto failed = setUpLogging(parser.value(options.logLevel)))
        return *failed;
    // Created before any window and destroyed after every one: the Log panel's source. Attached
    // before the first worker thread exists, as spdlog's sink lists are not guarded.
    webthreat::LogRelay logRelay;
    webthreat::attachLogRelay(&logRelay);
    qInstallMessageHandler(forwardQtMessage);
    spdlog::get("app")->info("webthreat-workbench {} on Qt {} ({})", WEBTHREAT_VERSION, qVersion(),
                             QApplication::platformName().toStdString());
    setWindowIcon();

    if (parser.isSet(options.screenshot))
        return takeScreenshot(app, parser.value(options.screenshot), parser.value(options.tab), file,
                              parser.values(options.threatList));
    return showWindow(app, logRelay, file, parser.values(options.threatList));
}

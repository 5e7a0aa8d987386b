#include "app/clireport.h"

#include "app/cli.h"

#include "core/util/errors.h"
#include "core/util/log.h"
#include "ui/report/reportbuilder.h"

#include <QApplication>

#include <memory>

namespace webthreat {

namespace {

// Qt's own messages go to the "ui" logger. Its warnings while rendering offscreen (no
// XDG_RUNTIME_DIR, platform hints) are about the environment, not the report: info level, so the
// command's stderr stays for what the user must act on (see --log-level).
void forwardQtMessage(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    const auto level = type == QtCriticalMsg || type == QtFatalMsg ? spdlog::level::err
        : type == QtDebugMsg                                       ? spdlog::level::debug
                                                                   : spdlog::level::info;
    logger::get("ui")->log(level, "[qt] {}", message.toStdString());
}

} // namespace

void writeCliReport(const Analysis& analysis, const Provenance& provenance, const std::string& path)
{
    // Charts are widgets: they need a QApplication, and one needs a platform. With no display
    // (a server, CI, ssh) the offscreen platform renders the same images.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "webthreat";
    static char* argv[] = {name, nullptr};
    std::unique_ptr<QApplication> app;
    if (!QCoreApplication::instance()) {
        qInstallMessageHandler(forwardQtMessage);
        app = std::make_unique<QApplication>(argc, argv);
    }

    ReportInput input;
    input.snapshot.data = analysis.data;
    input.snapshot.detection = analysis.detection;
    input.snapshot.verdicts = std::make_shared<const Verdicts>(analysis.verdicts);
    input.snapshot.findings = std::make_shared<const Findings>(analysis.findings);
    input.snapshot.drift = analysis.drift;
    input.snapshot.suppression = analysis.suppression;
    if (analysis.threatMatches) {
        input.snapshot.threatMatches = analysis.threatMatches;
        input.snapshot.threatFindings = std::make_shared<const ThreatFindings>(analysis.threatFindings);
    }
    input.snapshot.thresholdFromModel = analysis.thresholdFromModel;
    input.behaviour = analysis.behaviour; // the CLI's, when it computed them
    input.provenance = provenance;
    input.title = QString::fromStdString(provenance.input.name);
    input.charts = renderReportCharts(input.snapshot);
    writeReport(input, QString::fromStdString(path));
}

} // namespace webthreat

// The module's one entry point, looked up by name with dlsym (app/reportmodule.cpp).
extern "C" __attribute__((visibility("default"))) webthreat::ReportWriter webthreat_report_writer()
{
    return &webthreat::writeCliReport;
}

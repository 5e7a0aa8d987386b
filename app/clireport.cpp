#include "app/clireport.h"

#include "core/errors.h"
#include "ui/report/reportbuilder.h"

#include <QApplication>
#include <QFileInfo>

#include <memory>

namespace webthreat {

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
    if (!QCoreApplication::instance())
        app = std::make_unique<QApplication>(argc, argv);

    ReportInput input;
    input.snapshot.data = analysis.data;
    input.snapshot.detection = analysis.detection;
    input.snapshot.verdicts = std::make_shared<const Verdicts>(analysis.verdicts);
    input.snapshot.findings = std::make_shared<const Findings>(analysis.findings);
    input.provenance = provenance;
    input.title = QString::fromStdString(provenance.input.name);
    input.charts = renderReportCharts(input.snapshot);
    writeReport(input, QString::fromStdString(path));
}

} // namespace webthreat

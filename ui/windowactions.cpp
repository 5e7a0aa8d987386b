#include "ui/windowactions.h"

#include <QAction>
#include <QCoreApplication>
#include <QDockWidget>
#include <QIcon>
#include <QMenu>
#include <QMenuBar>

namespace webthreat {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("webthreat::MainWindow", text);
}

QAction* makeAction(QObject* parent, const QString& text, const QKeySequence& shortcut = {},
                    const QString& toolTip = {})
{
    auto* action = new QAction(text, parent);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    if (!toolTip.isEmpty())
        action->setToolTip(toolTip);
    return action;
}

} // namespace

WindowActions::WindowActions(QObject* parent)
{
    open = makeAction(parent, tr("&Open..."), QKeySequence::Open, tr("Open a traffic CSV file"));
    open->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    openSample = makeAction(parent, tr("Open &Sample Dataset"), {},
                            tr("Open the bundled synthetic traffic (5,000 rows with injected attacks)"));
    import = makeAction(parent, tr("&Import CSV..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                        tr("Open a CSV of another layout: choose its delimiter, timestamp format and which "
                           "column is which"));
    exportChart = makeAction(parent, tr("Export &Chart..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                             tr("Save the current chart as a PNG image"));
    exportAllCharts
        = makeAction(parent, tr("Export &All Charts..."), {}, tr("Save every chart as a PNG image (2x) into a folder"));
    exportCsv = makeAction(parent, tr("Export Scored C&SV..."), QKeySequence::Save,
                           tr("Write every row with its features, anomaly score and label"));
    exportCsv->setIcon(QIcon::fromTheme(QStringLiteral("document-save")));
    // Ctrl+R is Refresh (run the detector) on Linux desktops, and Ctrl+P is Print, nothing else.
    exportReport = makeAction(parent, tr("Export &Report..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                              tr("Write a report to hand on (PDF or one self-contained HTML page): summary, "
                                 "provenance, findings, the most anomalous rows with why, charts"));
    exportCase = makeAction(parent, tr("Export Ca&se..."), {},
                            tr("Write the case to hand on (one HTML page or JSON): every row you marked Malicious "
                               "with its note and why it scored so, your source verdicts, the allow-list and the "
                               "provenance"));
    exportCase->setEnabled(false);
    printReport = makeAction(parent, tr("&Print Report..."), QKeySequence::Print,
                             tr("Print the report (the same pages as the PDF) on a printer you choose"));
    printReport->setIcon(QIcon::fromTheme(QStringLiteral("document-print")));
    quit = makeAction(parent, tr("&Quit"), QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    run = makeAction(parent, tr("&Run Detector"), QKeySequence::Refresh,
                     tr("Refit the Isolation Forest with the panel's settings"));
    cancel = makeAction(parent, tr("&Cancel"), QKeySequence::Cancel,
                        tr("Stop the running load, fit or export; the current results stay"));
    applyModel = makeAction(parent, tr("&Apply Model..."), {},
                            tr("Score the data with a saved model instead of fitting: its forest, encodings and "
                               "threshold; files opened afterwards are scored with it too"));
    saveModel = makeAction(parent, tr("&Save Model..."), {},
                           tr("Keep this detector in a file (forest, encodings, threshold, training provenance) to "
                              "score tomorrow's logs with it, here or with webthreat score"));
    forgetModel = makeAction(parent, tr("&Fit on Each File Again"), {},
                             tr("Stop using the applied model and refit the forest on the data shown"));
    find = makeAction(parent, tr("&Filter Rows"), QKeySequence::Find);
    const QStringList tabNames{tr("Summary"),  tr("Data"),     tr("Overview"), tr("Anomalies"),
                               tr("Entities"), tr("Timeline"), tr("Beacons"), tr("Trust")};
    for (int i = 0; i < tabNames.size(); ++i)
        tabs << makeAction(parent, tabNames[i], QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    gettingStarted = makeAction(parent, tr("&Getting Started"), {},
                                tr("Open, Overview, Anomalies, Row details, Export: the path through the window"));
    shortcuts = makeAction(parent, tr("&Keyboard Shortcuts"), QKeySequence::HelpContents);
    about = makeAction(parent, tr("&About Web Threat Workbench"));
    about->setMenuRole(QAction::AboutRole);
}

QMenu* WindowActions::fillMenuBar(QMenuBar* bar, const QList<QDockWidget*>& docks)
{
    QMenu* file = bar->addMenu(tr("&File"));
    file->addAction(open);
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    file->addActions({openSample, import});
    file->addSeparator();
    file->addActions({exportChart, exportAllCharts, exportCsv, exportReport, exportCase, printReport});
    file->addSeparator();
    file->addAction(quit);

    QMenu* view = bar->addMenu(tr("&View"));
    view->addActions(tabs);
    view->addSeparator();
    view->addAction(find);
    for (QDockWidget* dock : docks)
        view->addAction(dock->toggleViewAction());

    QMenu* detector = bar->addMenu(tr("&Detector"));
    detector->addActions({run, cancel});
    detector->addSeparator();
    detector->addAction(applyModel);
    recentModels = detector->addMenu(tr("Apply Recent &Model"));
    detector->addActions({saveModel, forgetModel});
    bar->addMenu(tr("&Help"))->addActions({gettingStarted, shortcuts, about});
    return recent;
}

QList<QAction*> WindowActions::withShortcuts(const QList<QDockWidget*>& docks) const
{
    QList<QAction*> actions{open, import, exportCsv, exportReport, printReport, exportChart, run, cancel, find};
    for (QDockWidget* dock : docks)
        actions << dock->toggleViewAction();
    actions << shortcuts << quit << tabs;
    return actions;
}

} // namespace webthreat

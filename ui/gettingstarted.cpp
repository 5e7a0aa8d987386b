#include "ui/gettingstarted.h"

#include "ui/mainwindow.h"
#include "ui/windowactions.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <functional>

namespace webthreat {

namespace {

struct Step {
    QString title;
    QString text;
    QString button;
    std::function<void()> act;
    bool needsData = true;
};

} // namespace

GettingStartedDialog::GettingStartedDialog(MainWindow* window, const WindowActions& actions)
    : QDialog(window)
    , m_window(window)
{
    setObjectName(QStringLiteral("gettingStarted"));
    setWindowTitle(tr("Getting Started"));
    setAttribute(Qt::WA_DeleteOnClose, false);

    const auto show = [window](MainWindow::Tab tab) { return [window, tab] { window->showTab(tab); }; };
    QAction* exportReport = actions.exportReport;
    const QList<Step> steps{
        {tr("Open"),
         tr("Open a traffic export (File \u25B8 Open, Ctrl+O): CloudWatch-style CSV, VPC Flow Logs, load-balancer "
            "logs, also compressed or in a zip. It is read, cleaned and scored at once; the bundled sample is a "
            "quick start. A CSV too large for memory is offered in streaming mode: every row is scored and "
            "counted, and the Data tab shows the suspicious rows and a random sample."),
         tr("Open the Sample"), [window] { window->openSample(); }, false},
        {tr("Overview"),
         tr("Bytes, scores, protocols, countries and ports at a glance: red is what the detector flags. The "
            "Contamination slider flags more or fewer rows at once, without refitting."),
         tr("Show Overview"), show(MainWindow::Tab::Overview)},
        {tr("Anomalies"),
         tr("The suspicious rows, most anomalous first, what they have in common (sources, countries, ports), and "
            "bytes in against bytes out."),
         tr("Show Anomalies"), show(MainWindow::Tab::Anomalies)},
        {tr("Row details"),
         tr("Select a row anywhere to see why it was isolated: the features that set it apart, in bytes, seconds "
            "and shares of the data."),
         tr("Explain the Top Row"),
         [window] {
             window->showTab(MainWindow::Tab::Anomalies);
             const AnalysisSnapshot& snapshot = window->snapshot();
             if (snapshot.findings && !snapshot.findings->suspiciousRows.empty())
                 window->selectRow(snapshot.findings->suspiciousRows.front());
         }},
        {tr("Export"),
         tr("Hand it on: a chart (Ctrl+Shift+E), the scored rows as CSV (Ctrl+S) or a report as PDF or HTML "
            "(Ctrl+Shift+R). Each says which file, settings and threshold it came from."),
         tr("Export Report..."), [exportReport] { exportReport->trigger(); }},
    };

    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Five steps from a log export to findings you can hand on; about a minute."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    grid->setVerticalSpacing(12);
    for (int i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        auto* number = new QLabel(QStringLiteral("<b>%1</b>").arg(i + 1), this);
        auto* text = new QLabel(QStringLiteral("<b>%1</b><br>%2").arg(step.title.toHtmlEscaped(),
                                                                       step.text.toHtmlEscaped()),
                                this);
        text->setWordWrap(true);
        auto* button = new QPushButton(step.button, this);
        button->setObjectName(QStringLiteral("gettingStartedStep%1").arg(i + 1));
        button->setAutoDefault(false);
        connect(button, &QPushButton::clicked, this, step.act);
        if (step.needsData)
            m_needData << button;
        grid->addWidget(number, i, 0, Qt::AlignTop);
        grid->addWidget(text, i, 1);
        grid->addWidget(button, i, 2, Qt::AlignTop);
    }
    layout->addLayout(grid);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    // Wrapped text: as tall as the steps need at this width, no taller.
    constexpr int width = 660;
    resize(width, layout->hasHeightForWidth() ? layout->totalHeightForWidth(width) : sizeHint().height());

    connect(window, &MainWindow::analysisReady, this, &GettingStartedDialog::updateSteps);
    connect(window, &MainWindow::busyChanged, this, &GettingStartedDialog::updateSteps);
    updateSteps();
}

GettingStartedDialog* GettingStartedDialog::showFor(MainWindow* window, const WindowActions& actions)
{
    auto* dialog = window->findChild<GettingStartedDialog*>(QStringLiteral("gettingStarted"));
    if (!dialog)
        dialog = new GettingStartedDialog(window, actions);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

void GettingStartedDialog::updateSteps()
{
    const bool haveData = m_window->snapshot().hasData() && !m_window->isBusy();
    for (QPushButton* button : std::as_const(m_needData)) {
        button->setEnabled(haveData);
        button->setToolTip(haveData ? QString() : tr("Open a file or the sample first (step 1)."));
    }
}

} // namespace webthreat

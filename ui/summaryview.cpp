#include "ui/summaryview.h"

#include "core/analysis/datasetsummary.h"
#include "ui/reporttext.h"
#include "ui/summarymodel.h"
#include "ui/viewwidgets.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace webthreat {

SummaryView::SummaryView(QWidget* parent)
    : QWidget(parent)
    , m_model(new SummaryModel(this))
{
    setObjectName(QStringLiteral("summaryTab"));
    m_model->setObjectName(QStringLiteral("summaryModel"));
    auto* layout = new QVBoxLayout(this);
    m_header = selectableLabel(this, QStringLiteral("summaryHeader"), Qt::RichText);
    layout->addWidget(m_header);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("summarySplitter"));
    m_table = makeTableView(m_splitter, QStringLiteral("summaryView"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto* reportBox = new QGroupBox(tr("Reading and cleaning report"), m_splitter);
    auto* reportLayout = new QVBoxLayout(reportBox);
    m_report = new QTextBrowser(reportBox);
    m_report->setObjectName(QStringLiteral("cleaningReport"));
    m_report->setOpenLinks(false);
    reportLayout->addWidget(m_report);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(reportBox);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({460, 230});
    layout->addWidget(m_splitter, 1);
}

SummaryView::~SummaryView() = default;

void SummaryView::setSnapshot(const ViewUpdate& update, int /*part*/)
{
    const AnalysisSnapshot& snapshot = update.snapshot;
    const LoadedFile& file = update.file;
    if (!snapshot.hasData() || !file.summary) {
        m_model->setSummary(nullptr);
        m_header->setText(
            tr("<p><span style='font-size:large; font-weight:600'>No data loaded</span><br>"
               "Open a traffic CSV with <b>File &gt; Open</b> (%1), drop one on this window, or try "
               "<b>File &gt; Open Sample Dataset</b>.</p>")
                .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText).toHtmlEscaped()));
        m_report->clear();
        return;
    }
    std::optional<ColumnSummary> score;
    if (snapshot.scoreSummary)
        score = *snapshot.scoreSummary; // made on the worker
    else if (snapshot.detection)
        score = summarizeScores(snapshot.detection->scores);
    m_model->setSummary(file.summary, score);
    fitColumns(m_table);
    m_header->setText(datasetHeadlineHtml(file.displayName, *snapshot.data, *file.summary, file.seconds));
    showReport(update);
}

void SummaryView::updateVerdicts(const ViewUpdate& update, int /*part*/)
{
    // Only a saved model's paragraph depends on the threshold: whether the model's still labels the rows.
    if (update.snapshot.drift && update.snapshot.hasData())
        showReport(update);
}

void SummaryView::showReport(const ViewUpdate& update)
{
    const AnalysisSnapshot& snapshot = update.snapshot;
    QString report = cleaningReportHtml(*snapshot.data, update.file.detectionProblem);
    if (snapshot.detection && snapshot.drift)
        report = modelDriftHtml(*snapshot.detection, *snapshot.drift, snapshot.thresholdFromModel) + report;
    m_report->setHtml(report);
}

} // namespace webthreat

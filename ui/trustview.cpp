#include "ui/trustview.h"

#include "ui/backgroundtask.h"
#include "ui/charts/chartview.h"
#include "ui/charts/evaluationcharts.h"
#include "ui/displayformat.h"
#include "ui/trustmodels.h"
#include "ui/viewwidgets.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace webthreat {

struct TrustView::Base {
    std::shared_ptr<const PreparedData> data;
    std::shared_ptr<const Detection> detection;
    CrossTabulator rules;
    CrossTabulator types;
    TruthLookup truth; // truth.truth is dropped once evaluated
    std::shared_ptr<const Evaluation> evaluation;
    std::vector<ContaminationRow> byContamination;
};

namespace {

QTableView* tableView(QWidget* parent, const QString& objectName)
{
    auto* view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->horizontalHeader()->setStretchLastSection(true);
    // Column widths from the first rows only: a slider move lists tens of thousands of changed
    // rows at a million, and measuring a thousand of them took 13 ms on the GUI thread per move.
    view->horizontalHeader()->setResizeContentsPrecision(64);
    view->setWordWrap(false);
    return view;
}

} // namespace

TrustView::TrustView(QWidget* parent)
    : QWidget(parent)
{
    m_rulesModel = new CrossTabModel(this);
    m_typesModel = new CrossTabModel(this);
    m_changedModel = new ChangedVerdictsModel(this);

    auto* layout = new QHBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("trustSplitter"));
    layout->addWidget(splitter);

    // Left: the rules against the model, and the rows the slider flipped.
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(titleLabel(tr("Rules against the model"), left));
    m_rulesSummary = selectableLabel(left, QStringLiteral("rulesSummary"));
    auto* rulesView = tableView(left, QStringLiteral("rulesView"));
    rulesView->setModel(m_rulesModel);
    m_typesSummary = selectableLabel(left, QStringLiteral("detectionTypesSummary"));
    auto* typesView = tableView(left, QStringLiteral("detectionTypesView"));
    typesView->setModel(m_typesModel);
    for (QTableView* view : {rulesView, typesView}) {
        view->setMaximumHeight(view->verticalHeader()->defaultSectionSize() * 6
                               + view->horizontalHeader()->sizeHint().height() + 4);
        // The value (a rule's name) gets the room; the counts are short.
        view->horizontalHeader()->setSectionResizeMode(CrossTabModel::Value, QHeaderView::Stretch);
        for (int column = CrossTabModel::Normal; column < CrossTabModel::ColumnCount; ++column)
            view->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
        view->horizontalHeader()->setStretchLastSection(false);
    }
    leftLayout->addWidget(m_rulesSummary);
    leftLayout->addWidget(rulesView);
    leftLayout->addWidget(m_typesSummary);
    leftLayout->addWidget(typesView);
    leftLayout->addSpacing(6);
    leftLayout->addWidget(titleLabel(tr("Verdicts changed by the last contamination move"), left));
    m_changesText = selectableLabel(left, QStringLiteral("changesText"));
    leftLayout->addWidget(m_changesText);
    m_changedView = tableView(left, QStringLiteral("changedVerdictsView"));
    m_changedView->setModel(m_changedModel);
    m_changedView->setToolTip(tr("Select a row to see it in the Row details panel and the Data tab"));
    leftLayout->addWidget(m_changedView, 1);
    connect(m_changedView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    Q_EMIT rowSelected(static_cast<qulonglong>(m_changedModel->tableRow(current.row())));
            });

    // Right: the evaluation against a ground truth.
    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto* truthBar = new QHBoxLayout;
    truthBar->addWidget(titleLabel(tr("Evaluation against a ground truth"), right));
    truthBar->addStretch(1);
    truthBar->addWidget(new QLabel(tr("Truth column:"), right));
    m_truthCombo = new QComboBox(right);
    m_truthCombo->setObjectName(QStringLiteral("truthCombo"));
    m_truthCombo->setToolTip(tr("The column saying which rows really were attacks (1/0, true/false, yes/no, "
                                "attack/normal, suspicious/normal, malicious/benign); automatic takes the first of "
                                "is_attack, label and is_suspicious the file has"));
    m_truthCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    truthBar->addWidget(m_truthCombo);
    rightLayout->addLayout(truthBar);
    connect(m_truthCombo, &QComboBox::activated, this,
            [this](int index) { setTruthColumn(m_truthCombo->itemData(index).toString()); });
    m_evaluationText = selectableLabel(right, QStringLiteral("evaluationText"));
    rightLayout->addWidget(m_evaluationText);
    m_charts = new EvaluationCharts(right);
    m_charts->setObjectName(QStringLiteral("evaluationCharts"));
    rightLayout->addWidget(m_charts, 1);
    m_contaminationTable = new QTableWidget(0, 6, right);
    m_contaminationTable->setObjectName(QStringLiteral("contaminationTable"));
    m_contaminationTable->setHorizontalHeaderLabels(
        {tr("Contamination"), tr("Flagged"), tr("Precision"), tr("Recall"), tr("F1"), tr("Attacks missed")});
    m_contaminationTable->verticalHeader()->hide();
    m_contaminationTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_contaminationTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_contaminationTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_contaminationTable->verticalHeader()->setDefaultSectionSize(m_contaminationTable->fontMetrics().height() + 6);
    m_contaminationTable->setFixedHeight(m_contaminationTable->verticalHeader()->defaultSectionSize() * 5
                                         + m_contaminationTable->horizontalHeader()->sizeHint().height() + 4);
    rightLayout->addWidget(m_contaminationTable);

    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({480, 720});
    refresh();
}

TrustView::~TrustView() = default;

std::shared_ptr<const Evaluation> TrustView::evaluation() const
{
    return m_base ? m_base->evaluation : nullptr;
}

QString TrustView::rulesSummary() const
{
    return m_rulesSummary->text();
}

QString TrustView::evaluationText() const
{
    return m_evaluationText->text();
}

QString TrustView::changesText() const
{
    return m_changesText->text();
}

QList<ChartView*> TrustView::chartViews() const
{
    return m_charts->chartViews();
}

void TrustView::setSnapshot(const AnalysisSnapshot& snapshot)
{
    const bool newData = snapshot.data != m_snapshot.data;
    const bool sameScores = !newData && snapshot.detection == m_snapshot.detection;
    m_snapshot = snapshot;
    if (newData) {
        const QSignalBlocker block(m_truthCombo);
        m_truthCombo->clear();
        // Short: the panel beside it is a third of a laptop screen; the tooltip names the columns.
        m_truthCombo->addItem(tr("automatic"), QString());
        if (snapshot.data) {
            for (const std::string& name : extraColumnNames(snapshot.data->table))
                m_truthCombo->addItem(QString::fromStdString(name), QString::fromStdString(name));
        }
        const int keep = m_truthCombo->findData(m_truthColumn);
        m_truthCombo->setCurrentIndex(keep >= 0 ? keep : 0);
        if (keep < 0)
            m_truthColumn.clear();
    }
    if (!sameScores) {
        // A drag's starting verdicts label the old scores; steps after the refit compare step by step.
        m_dragDetection.reset();
        m_dragBase.reset();
        m_dragEnd.reset();
        m_changedModel->clear();
        m_changesText->setText(tr("Move the contamination slider: the rows whose verdict flips are listed here."));
        m_base.reset();
        compute();
    }
    refresh();
}

void TrustView::updateVerdicts(const AnalysisSnapshot& snapshot)
{
    m_snapshot = snapshot;
    refresh();
}

void TrustView::showChanges(const AnalysisSnapshot& snapshot, VerdictChanges changes, const Contamination& before)
{
    const std::size_t up = changes.newlySuspicious.size();
    const std::size_t down = changes.newlyNormal.size();
    m_changedModel->setChanges(snapshot, std::move(changes));
    const QString from = formatContamination(before);
    const QString to = formatContamination(snapshot.verdicts->contamination);
    if (up + down == 0)
        m_changesText->setText(tr("The last move (contamination %1 to %2) changed no verdict.").arg(from, to));
    else if (up > 0)
        m_changesText->setText(tr("%1 rows became Suspicious as the contamination moved from %2 to %3 (listed most "
                                  "anomalous first): the edge cases between the two thresholds.")
                                   .arg(formatCount(up), from, to));
    else
        m_changesText->setText(tr("%1 rows became Normal as the contamination moved from %2 to %3 (listed most "
                                  "anomalous first): the edge cases between the two thresholds.")
                                   .arg(formatCount(down), from, to));
    m_changedView->resizeColumnsToContents();
}

void TrustView::setTruthColumn(const QString& column)
{
    m_truthColumn = column;
    const int index = m_truthCombo->findData(column);
    if (index >= 0 && index != m_truthCombo->currentIndex()) {
        const QSignalBlocker block(m_truthCombo);
        m_truthCombo->setCurrentIndex(index);
    }
    m_base.reset();
    compute();
    refresh();
}

void TrustView::compute()
{
    const quint64 request = ++m_request;
    if (!m_snapshot.hasDetection())
        return;
    auto data = m_snapshot.data;
    auto detection = m_snapshot.detection;
    const std::string truthColumn = m_truthColumn.toStdString();
    runInBackground<std::shared_ptr<const Base>>(
        this,
        [data, detection, truthColumn] {
            auto base = std::make_shared<Base>();
            base->data = data;
            base->detection = detection;
            base->rules = CrossTabulator(data->table, Field::RuleNames);
            base->types = CrossTabulator(data->table, Field::DetectionTypes);
            base->truth
                = truthColumn.empty() ? findGroundTruth(data->table) : readGroundTruth(data->table, truthColumn);
            if (base->truth.truth) {
                base->evaluation = std::make_shared<const Evaluation>(detection->scores, *base->truth.truth);
                base->byContamination = evaluateContaminations(detection->scores, *base->evaluation);
                base->truth.truth.reset(); // the evaluation keeps what it needs
            }
            return std::shared_ptr<const Base>(std::move(base));
        },
        [this, request](const BackgroundResult<std::shared_ptr<const Base>>& result) {
            if (request != m_request || !result.value)
                return;
            m_base = *result.value;
            refresh();
            Q_EMIT ready();
        });
}

void TrustView::refresh()
{
    const bool current = m_base && m_snapshot.hasDetection() && m_base->data == m_snapshot.data
        && m_base->detection == m_snapshot.detection;
    if (!current) {
        m_rulesModel->setCrossTab({});
        m_typesModel->setCrossTab({});
        const QString waiting = !m_snapshot.hasData() ? tr("Open a file to compare the rules with the model.")
            : !m_snapshot.hasDetection()              ? tr("The detector has not scored this data.")
                                                      : tr("Counting...");
        m_rulesSummary->setText(waiting);
        m_typesSummary->clear();
        m_evaluationText->setText(!m_snapshot.hasDetection() ? QString() : tr("Evaluating..."));
        m_charts->setEvaluation(nullptr, m_snapshot.hasDetection() ? tr("Evaluating...") : tr("No scores to evaluate"));
        m_contaminationTable->setRowCount(0);
        return;
    }
    const Verdicts& verdicts = *m_snapshot.verdicts;
    const CrossTab rules = m_base->rules.tabulate(m_snapshot.detection->scores, verdicts);
    const CrossTab types = m_base->types.tabulate(m_snapshot.detection->scores, verdicts);
    m_rulesModel->setCrossTab(rules);
    m_typesModel->setCrossTab(types);
    m_rulesSummary->setText(QString::fromStdString(rules.summary()));
    m_typesSummary->setText(QString::fromStdString(types.summary()));

    const QString contamination = formatContamination(verdicts.contamination);
    if (!m_base->evaluation) {
        m_charts->setEvaluation(nullptr, tr("No ground truth to evaluate against"));
        m_contaminationTable->setRowCount(0);
        m_charts->hide();
        m_contaminationTable->hide();
        m_evaluationText->setText(
            tr("No evaluation: %1. To get one, add a column is_attack (1 for an attack, 0 for normal traffic) to the "
               "file, choose another column above, or generate labelled traffic with: webthreat generate --label.")
                .arg(QString::fromStdString(m_base->truth.problem)));
        return;
    }
    const Evaluation& evaluation = *m_base->evaluation;
    m_charts->show();
    m_contaminationTable->show();
    if (m_charts->rocMarker() == QPointF(-1, -1)) {
        m_charts->setEvaluation(m_base->evaluation);
        m_contaminationTable->setRowCount(static_cast<int>(m_base->byContamination.size()));
        for (int i = 0; i < static_cast<int>(m_base->byContamination.size()); ++i) {
            const ContaminationRow& row = m_base->byContamination[static_cast<std::size_t>(i)];
            const QStringList cells{formatContamination(Contamination::fromValue(row.contamination)),
                                    formatCount(row.point.flagged),
                                    QString::number(row.point.precision, 'f', 3),
                                    QString::number(row.point.recall, 'f', 3),
                                    QString::number(row.point.f1, 'f', 3),
                                    formatCount(row.point.falseNegatives)};
            for (int c = 0; c < cells.size(); ++c) {
                auto* item = new QTableWidgetItem(cells[c]);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                m_contaminationTable->setItem(i, c, item);
            }
        }
    }
    const OperatingPoint point = evaluation.at(verdicts);
    m_charts->setOperatingPoint(point, contamination);
    m_evaluationText->setText(
        tr("Against %1 (%2 attacks, %3 normal rows): ROC area %4, average precision %5. At contamination %6 "
           "(threshold %7) the detector flags %8 rows: precision %9, recall %10, F1 %11 "
           "(%12 true positives, %13 false positives, %14 attacks missed, %15 true negatives).")
            .arg(QString::fromStdString(evaluation.truthColumn()), formatCount(evaluation.positives()),
                 formatCount(evaluation.negatives()), QString::number(evaluation.rocAuc(), 'f', 3),
                 QString::number(evaluation.averagePrecision(), 'f', 3), contamination,
                 QString::number(verdicts.threshold, 'f', 4), formatCount(point.flagged),
                 QString::number(point.precision, 'f', 3))
            .arg(QString::number(point.recall, 'f', 3), QString::number(point.f1, 'f', 3),
                 formatCount(point.truePositives), formatCount(point.falsePositives), formatCount(point.falseNegatives),
                 formatCount(point.trueNegatives)));
}

void TrustView::setSnapshot(const ViewUpdate& update, int /*part*/)
{
    setSnapshot(update.snapshot);
}

void TrustView::updateVerdicts(const ViewUpdate& update, int /*part*/)
{
    const AnalysisSnapshot& snapshot = update.snapshot;
    updateVerdicts(snapshot);
    // The rows between the two thresholds in score order: O(changed rows), whatever the file size.
    // During a slider drag, against the verdicts in force before it began: each step shown alone
    // would list only the rows its last few pixels flipped.
    const bool inDrag = m_dragBase && m_dragDetection == snapshot.detection;
    const std::shared_ptr<const Verdicts> before = inDrag ? m_dragBase : update.previousVerdicts;
    if (before && snapshot.hasDetection())
        showChanges(snapshot, changedVerdicts(snapshot.detection->scores, *before, *snapshot.verdicts),
                    before->contamination);
    if (m_dragEnd && snapshot.verdicts && snapshot.verdicts->contamination == *m_dragEnd)
        endContaminationDrag(*m_dragEnd);
}

void TrustView::beginContaminationDrag(std::shared_ptr<const Detection> detection,
                                       std::shared_ptr<const Verdicts> before)
{
    m_dragDetection = std::move(detection);
    m_dragBase = std::move(before);
    m_dragEnd.reset();
}

void TrustView::endContaminationDrag(const Contamination& end)
{
    // The drag is over once the verdicts for where it ended are shown; the last step's may still
    // be on their way, and must be compared with the verdicts before the drag too.
    if (m_snapshot.verdicts && m_snapshot.detection == m_dragDetection && m_snapshot.verdicts->contamination == end) {
        m_dragDetection.reset();
        m_dragBase.reset();
        m_dragEnd.reset();
    } else {
        m_dragEnd = end;
    }
}

} // namespace webthreat

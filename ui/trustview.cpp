#include "ui/trustview.h"

#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"
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

// Not a column name a CSV header can hold: the combo's data for "Your verdicts".
const QString TrustView::kVerdictsTruth = QStringLiteral("\u0001verdicts");

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
                                "is_attack, label and is_suspicious the file has, else your verdicts once a row is "
                                "marked Malicious and one Benign. Your verdicts count only the rows marked Malicious "
                                "(attacks) or Benign (normal)."));
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
    m_triageText = selectableLabel(right, QStringLiteral("triageText"));
    m_triageText->setToolTip(tr("Where the rows you marked fall against the threshold the slider sets"));
    m_triageText->hide();
    rightLayout->addWidget(m_triageText);
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
    if (evaluatesVerdicts())
        return m_verdictsEvaluation;
    return m_base ? m_base->evaluation : nullptr;
}

bool TrustView::evaluatesVerdicts() const
{
    if (m_truthColumn == kVerdictsTruth)
        return true;
    const TableTriage* triage = m_snapshot.triage.get();
    return m_truthColumn.isEmpty() && m_base && !m_base->evaluation && triage && triage->count(Mark::Malicious) > 0
        && triage->count(Mark::Benign) > 0;
}

QString TrustView::triageText() const
{
    return m_triageText->isHidden() ? QString() : m_triageText->text();
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
        updateVerdictsChoice();
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
    updateVerdictsChoice();
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
    const bool verdictsOnly = m_truthColumn == kVerdictsTruth; // no column to read
    const std::string truthColumn = verdictsOnly ? std::string() : m_truthColumn.toStdString();
    runInBackground<std::shared_ptr<const Base>>(
        this,
        [data, detection, truthColumn, verdictsOnly] {
            auto base = std::make_shared<Base>();
            base->data = data;
            base->detection = detection;
            base->rules = CrossTabulator(data->table, Field::RuleNames);
            base->types = CrossTabulator(data->table, Field::DetectionTypes);
            if (verdictsOnly)
                base->truth.problem = "your verdicts are the truth";
            else
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
        showEvaluation(nullptr, {});
        m_charts->setEvaluation(nullptr, m_snapshot.hasDetection() ? tr("Evaluating...") : tr("No scores to evaluate"));
        m_triageText->hide();
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
    const std::optional<TriageCheck> check = refreshTriageText();
    const bool againstVerdicts = evaluatesVerdicts();
    if (againstVerdicts
        && (m_verdictsTriage != m_snapshot.triage || m_verdictsDetection != m_snapshot.detection
            || (!m_verdictsEvaluation && m_verdictsProblem.isEmpty())))
        evaluateVerdicts();
    const std::shared_ptr<const Evaluation> shown = againstVerdicts ? m_verdictsEvaluation : m_base->evaluation;
    if (!shown) {
        showEvaluation(nullptr, {});
        m_contaminationTable->hide();
        if (againstVerdicts) {
            // The charts stay, saying what to mark: the analyst is a click away from curves.
            m_charts->setEvaluation(nullptr, m_verdictsProblem);
            m_charts->show();
            m_evaluationText->setText(tr("No evaluation against your verdicts yet: %1.").arg(m_verdictsProblem));
            return;
        }
        m_charts->setEvaluation(nullptr, tr("No ground truth to evaluate against"));
        m_charts->hide();
        m_evaluationText->setText(
            tr("No evaluation: %1. To get one, add a column is_attack (1 for an attack, 0 for normal traffic) to the "
               "file, choose another column above, mark rows Malicious and Benign (your verdicts), or generate "
               "labelled traffic with: webthreat generate --label.")
                .arg(QString::fromStdString(m_base->truth.problem)));
        return;
    }
    const Evaluation& evaluation = *shown;
    m_charts->show();
    m_contaminationTable->show();
    if (shown != m_shownEvaluation)
        showEvaluation(shown, againstVerdicts ? m_verdictsByContamination : m_base->byContamination);
    // Against the verdicts the curves rank the reviewed rows only: the marker counts those below
    // the threshold.
    const OperatingPoint point
        = againstVerdicts && check ? evaluation.at(check->reviewedBelow, verdicts.threshold) : evaluation.at(verdicts);
    m_charts->setOperatingPoint(point, contamination);
    if (againstVerdicts) {
        m_evaluationText->setText(
            tr("Against your verdicts (%1 rows marked malicious, %2 benign; unreviewed and Needs review rows left "
               "out): ROC area %3, average precision %4. At contamination %5 (threshold %6) the detector flags %7 of "
               "them: precision %8, recall %9, F1 %10 (%11 malicious flagged, %12 benign flagged, %13 malicious "
               "missed, %14 benign not flagged).")
                .arg(formatCount(evaluation.positives()), formatCount(evaluation.negatives()),
                     QString::number(evaluation.rocAuc(), 'f', 3),
                     QString::number(evaluation.averagePrecision(), 'f', 3), contamination,
                     QString::number(verdicts.threshold, 'f', 4), formatCount(point.flagged),
                     QString::number(point.precision, 'f', 3), QString::number(point.recall, 'f', 3))
                .arg(QString::number(point.f1, 'f', 3), formatCount(point.truePositives),
                     formatCount(point.falsePositives), formatCount(point.falseNegatives),
                     formatCount(point.trueNegatives)));
        return;
    }
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

void TrustView::showEvaluation(const std::shared_ptr<const Evaluation>& evaluation,
                               const std::vector<ContaminationRow>& byContamination)
{
    m_shownEvaluation = evaluation;
    m_contaminationTable->setRowCount(0);
    if (!evaluation)
        return;
    m_charts->setEvaluation(evaluation);
    m_contaminationTable->setRowCount(static_cast<int>(byContamination.size()));
    for (int i = 0; i < static_cast<int>(byContamination.size()); ++i) {
        const ContaminationRow& row = byContamination[static_cast<std::size_t>(i)];
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

void TrustView::evaluateVerdicts()
{
    m_verdictsTriage = m_snapshot.triage;
    m_verdictsDetection = m_snapshot.detection;
    m_verdictsEvaluation.reset();
    m_verdictsByContamination.clear();
    m_verdictsProblem.clear();
    const TableTriage* triage = m_snapshot.triage.get();
    const std::size_t malicious = triage ? triage->count(Mark::Malicious) : 0;
    const std::size_t benign = triage ? triage->count(Mark::Benign) : 0;
    if (malicious == 0 || benign == 0) {
        m_verdictsProblem = malicious + benign == 0
            ? tr("mark at least one row Malicious and one Benign to draw the ROC curve")
            : tr("mark at least one row %1 to draw the ROC curve")
                  .arg(malicious == 0 ? fromUtf8View(markLabel(Mark::Malicious))
                                      : fromUtf8View(markLabel(Mark::Benign)));
        return;
    }
    if (!m_snapshot.hasDetection() || triage->marks.size() != m_snapshot.detection->scores.size()) {
        m_verdictsProblem = tr("the marks are not for these scores");
        return;
    }
    const ScoreIndex& scores = m_snapshot.detection->scores;
    m_verdictsEvaluation = std::make_shared<const Evaluation>(evaluateAgainstTriage(scores, *triage));
    m_verdictsByContamination = evaluateContaminations(scores, *m_verdictsEvaluation, *triage);
}

std::optional<TriageCheck> TrustView::refreshTriageText()
{
    const TableTriage* triage = m_snapshot.triage.get();
    if (!m_snapshot.hasDetection() || !triage || triage->reviewed() == 0
        || triage->marks.size() != m_snapshot.verdicts->suspicious.size()) {
        m_triageText->clear();
        m_triageText->hide();
        return std::nullopt;
    }
    const std::vector<std::uint8_t>* suppressed
        = m_snapshot.suppression && !m_snapshot.showSuppressed ? &m_snapshot.suppression->rows : nullptr;
    const TriageCheck check = checkTriage(m_snapshot.detection->scores, *m_snapshot.verdicts, *triage, suppressed);
    m_triageText->setText(QString::fromStdString(triageCheckSentence(check, m_snapshot.verdicts->contamination)));
    m_triageText->show();
    return check;
}

void TrustView::updateVerdictsChoice()
{
    const std::size_t reviewed = m_snapshot.triage ? m_snapshot.triage->reviewed() : 0;
    const int index = m_truthCombo->findData(kVerdictsTruth);
    const QSignalBlocker block(m_truthCombo);
    if (reviewed == 0 && m_truthColumn != kVerdictsTruth) {
        if (index >= 0)
            m_truthCombo->removeItem(index);
        return;
    }
    const QString text = tr("Your verdicts (%1 reviewed)").arg(formatCount(reviewed));
    if (index >= 0)
        m_truthCombo->setItemText(index, text);
    else
        m_truthCombo->insertItem(1, text, kVerdictsTruth); // after "automatic", before the columns
    if (m_truthColumn == kVerdictsTruth)
        m_truthCombo->setCurrentIndex(m_truthCombo->findData(kVerdictsTruth));
}

void TrustView::updateTriage(const ViewUpdate& update)
{
    // New data's marks come with its snapshot (setSnapshot); taking the new snapshot here would
    // make the tab think it already shows the new data.
    if (update.snapshot.data != m_snapshot.data || update.snapshot.detection != m_snapshot.detection)
        return;
    m_snapshot.triage = update.snapshot.triage;
    updateVerdictsChoice();
    refresh();
}

void TrustView::setTriage(const AnalysisSnapshot& snapshot)
{
    m_snapshot = snapshot;
    updateVerdictsChoice();
    refresh();
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

#pragma once

#include "core/analysis/crosstab.h"
#include "core/analysis/evaluation.h"
#include "ui/analysissnapshot.h"
#include "ui/analysisview.h"

#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QTableView;
class QTableWidget;

namespace webthreat {

class ChangedVerdictsModel;
class ChartView;
class CrossTabModel;
class EvaluationCharts;

// The Trust tab: how far to trust the verdicts. Rules against the model (rule_names and
// detection_types against Normal/Suspicious), the evaluation against a ground-truth column when
// the file has one (ROC and precision-recall curves, the metrics at the threshold and over
// contaminations), and the rows the last contamination move flipped. The analyst's own verdicts
// (issue #19) are a truth too: "Your verdicts (N reviewed)" in the truth combo evaluates against the
// rows marked Malicious (attacks) and Benign (normal) only; "automatic" takes them when the file
// has no usable truth column and at least one row of each is marked. Under the charts a sentence
// says where the marked rows fall against the threshold ("At 5 % you would miss 2 rows you marked
// malicious; at 6.3 % none."). The verdicts' evaluation is over the reviewed rows only, made on
// the GUI thread when the marks change (a pass over the marks and a sort of the reviewed scores). Grouping the columns and
// reading the truth are O(rows) and run on Qt's thread pool once per data or detector run; moving
// the slider only re-counts the flagged rows.
class TrustView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrustView)

public:
    explicit TrustView(QWidget* parent = nullptr);
    ~TrustView() override;

    void setSnapshot(const AnalysisSnapshot& snapshot);
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // As a tab: the same, and new verdicts also list the rows they flipped.
    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    // The marks changed: the verdicts' evaluation and the sentence under the charts follow.
    void updateTriage(const ViewUpdate& update) override;
    void setTriage(const AnalysisSnapshot& snapshot);
    // The rows that changed verdict between before (the contamination they were labelled at) and
    // the current snapshot's verdicts.
    void showChanges(const AnalysisSnapshot& snapshot, VerdictChanges changes, const Contamination& before);
    // A drag of the contamination slider began with before in force over detection's scores: until
    // the verdicts for the contamination it ends at (endContaminationDrag) are shown, the changed
    // verdicts are those between before and the verdicts shown, not those of the last step alone.
    void beginContaminationDrag(std::shared_ptr<const Detection> detection, std::shared_ptr<const Verdicts> before);
    void endContaminationDrag(const Contamination& end);
    // "" = find is_attack, label or is_suspicious (else your verdicts); kVerdictsTruth = your
    // verdicts; otherwise the column to use.
    void setTruthColumn(const QString& column);
    static const QString kVerdictsTruth;
    // The evaluation shown is against the analyst's verdicts.
    bool evaluatesVerdicts() const;

    bool isReady() const { return m_base != nullptr; }
    CrossTabModel* rulesModel() const { return m_rulesModel; }
    CrossTabModel* detectionTypesModel() const { return m_typesModel; }
    ChangedVerdictsModel* changedModel() const { return m_changedModel; }
    QTableView* changedView() const { return m_changedView; }
    EvaluationCharts* evaluationCharts() const { return m_charts; }
    std::shared_ptr<const Evaluation> evaluation() const;
    QComboBox* truthCombo() const { return m_truthCombo; }
    QString rulesSummary() const;
    QString evaluationText() const;
    QString changesText() const;
    // Where the marked rows fall against the threshold; empty without reviewed rows.
    QString triageText() const;
    QList<ChartView*> chartViews() const override;

Q_SIGNALS:
    // The analyst selected a row in the changed-verdicts table.
    void rowSelected(qulonglong row);
    // The grouping and the evaluation for the current snapshot are shown.
    void ready();

private:
    struct Base;
    void compute();
    void refresh();
    // The evaluation against the verdicts (verdict mode), or nullptr with what is missing.
    void evaluateVerdicts();
    // The sentence under the charts; the check it says, when there are reviewed rows.
    std::optional<TriageCheck> refreshTriageText();
    void showEvaluation(const std::shared_ptr<const Evaluation>& evaluation,
                        const std::vector<ContaminationRow>& byContamination);
    void updateVerdictsChoice();

    AnalysisSnapshot m_snapshot;
    std::shared_ptr<const Base> m_base;
    quint64 m_request = 0;
    QString m_truthColumn;
    // The verdicts in force when the slider was pressed, and the scores they label; null between drags.
    std::shared_ptr<const Detection> m_dragDetection;
    std::shared_ptr<const Verdicts> m_dragBase;
    std::optional<Contamination> m_dragEnd; // set once the slider is released

    CrossTabModel* m_rulesModel = nullptr;
    CrossTabModel* m_typesModel = nullptr;
    ChangedVerdictsModel* m_changedModel = nullptr;
    QLabel* m_rulesSummary = nullptr;
    QLabel* m_typesSummary = nullptr;
    QLabel* m_changesText = nullptr;
    QTableView* m_changedView = nullptr;
    QComboBox* m_truthCombo = nullptr;
    QLabel* m_evaluationText = nullptr;
    QLabel* m_triageText = nullptr;
    // Against the verdicts: for m_verdictsTriage over m_verdictsDetection's scores.
    std::shared_ptr<const TableTriage> m_verdictsTriage;
    std::shared_ptr<const Detection> m_verdictsDetection;
    std::shared_ptr<const Evaluation> m_verdictsEvaluation;
    std::vector<ContaminationRow> m_verdictsByContamination;
    QString m_verdictsProblem; // why there is no m_verdictsEvaluation
    std::shared_ptr<const Evaluation> m_shownEvaluation; // in the charts and the table
    EvaluationCharts* m_charts = nullptr;
    QTableWidget* m_contaminationTable = nullptr;
};

} // namespace webthreat

#pragma once

#include "ui/analysisview.h"

#include "core/detect/explain.h"
#include "ui/analysissnapshot.h"

#include <QWidget>

#include <memory>
#include <optional>

class QLabel;

namespace webthreat {

class CreditBars;
class ExplainerSlot;

// The Row details dock: for the selected row, its score and verdict, why the forest isolated it
// (the sentence) and a small bar chart of each feature's credit with the row's value and where it
// stands among all rows. Explaining a row walks every row once per feature, so it runs on Qt's
// thread pool; a result for a row that is no longer selected (or for older scores) is dropped.
class DetailPanel : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailPanel)

public:
    explicit DetailPanel(QWidget* parent = nullptr);
    ~DetailPanel() override;

    // New data or a new detector run: the shown row is explained again against the new scores.
    void setSnapshot(const AnalysisSnapshot& snapshot);
    // The contamination moved: only the verdict line changes.
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // As a dock beside the tabs: the same.
    void setSnapshot(const ViewUpdate& update, int /*part*/) override { setSnapshot(update.snapshot); }
    void updateVerdicts(const ViewUpdate& update, int /*part*/) override { updateVerdicts(update.snapshot); }
    void updateTriage(const ViewUpdate& update) override;
    void updateThreatLists(const ViewUpdate& update) override;
    void showRow(std::size_t row);
    void clearRow();

    std::optional<std::size_t> currentRow() const { return m_row; }
    const std::optional<RowExplanation>& explanation() const { return m_explanation; }
    QString headline() const;
    QString sentence() const;
    bool isExplaining() const { return m_pending; }

Q_SIGNALS:
    // The explanation of row is shown.
    void explained(qulonglong row);

private:
    void requestExplanation();
    void showHeadline();
    void showPlaceholder(const QString& text);

    AnalysisSnapshot m_snapshot;
    std::shared_ptr<ExplainerSlot> m_explainer;
    std::optional<std::size_t> m_row;
    std::optional<RowExplanation> m_explanation;
    quint64 m_request = 0;
    bool m_pending = false;

    QLabel* m_headline = nullptr;
    QLabel* m_sentence = nullptr;
    QLabel* m_barsTitle = nullptr;
    CreditBars* m_bars = nullptr;
};

} // namespace webthreat

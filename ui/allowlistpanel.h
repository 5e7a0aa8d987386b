#pragma once

#include "core/triage/suppression.h"
#include "core/triage/workspace.h"

#include <QDialog>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace webthreat {

// One rule written or changed by hand: a field, a value and a reason, checked by core's parser as
// it is typed (the message says what is wrong, OK stays off until it is right).
class RuleDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RuleDialog)

public:
    explicit RuleDialog(QWidget* parent = nullptr, const std::optional<SuppressionRule>& rule = {});
    // The rule as typed; nullopt while it does not parse.
    std::optional<SuppressionRule> rule() const;
    QString problem() const;

private:
    void check();

    QComboBox* m_field = nullptr;
    QLineEdit* m_value = nullptr;
    QLineEdit* m_reason = nullptr;
    QLabel* m_problem = nullptr;
    QPushButton* m_ok = nullptr;
    bool m_enabled = true;
};

// The Allow-list dock: the suppression rules kept in the workspace, each with its reason and the
// rows it matches in the data shown; add, change, switch off or remove a rule (each an undo step),
// load or save a rules file as the command line's --allow reads it, and show the suppressed rows.
class AllowListPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AllowListPanel)

public:
    explicit AllowListPanel(QWidget* parent = nullptr);

    // The rules (from the workspace) and what they match in the data shown (null: not known yet).
    void setRules(const std::vector<StoredRule>& rules, std::shared_ptr<const Suppression> suppression,
                  std::size_t suppressedSuspicious);
    bool showSuppressed() const;
    void setShowSuppressed(bool show);

Q_SIGNALS:
    void addRequested();
    void editRequested(std::int64_t id);
    void removeRequested(std::int64_t id);
    void enabledChanged(std::int64_t id, bool enabled);
    void showSuppressedChanged(bool show);
    void loadRequested();
    void saveRequested();

private:
    std::int64_t currentId() const;

    QTableWidget* m_table = nullptr;
    QLabel* m_summary = nullptr;
    QCheckBox* m_show = nullptr;
    QPushButton* m_edit = nullptr;
    QPushButton* m_remove = nullptr;
    bool m_filling = false;
};

} // namespace webthreat

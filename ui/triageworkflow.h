#pragma once

#include "core/triage/mark.h"

#include <QObject>
#include <QString>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMainWindow;
class QMenu;
class QPushButton;
class QTabWidget;

namespace webthreat {

class AllowListPanel;
class AnalysisController;
class AnomaliesView;
class DataView;
class EntitiesView;
class ResultPresenter;
class StatusLine;
class TriageController;
struct AnalysisSnapshot;
struct TableTriage;

// The analyst's triage in the window: the Triage menu (M Malicious, B Benign, R Needs review,
// 0 clear, N note, on the rows selected in Data or the suspicious list or on the sources selected
// in Entities; Ctrl+Z undoes), the Allow-list dock, the bar above the tabs that says how many
// suspicious rows the allow-list hides (with a switch to show them), and File > Export Triage /
// Import Triage. Marks live in the TriageController's workspace; the presenter shows them.
class TriageWorkflow : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TriageWorkflow)

public:
    struct Views {
        QTabWidget* tabs = nullptr;
        DataView* data = nullptr;
        AnomaliesView* anomalies = nullptr;
        EntitiesView* entities = nullptr;
    };
    // Adds its menu, dock and bar to window (after its menus and central widget exist).
    TriageWorkflow(QMainWindow* window, AnalysisController* controller, ResultPresenter* presenter,
                   const Views& views, StatusLine* status);
    ~TriageWorkflow() override;

    TriageController* triage() const { return m_triage; }
    QDockWidget* dock() const { return m_dock; }
    QList<QAction*> actions() const;

    // What the menu entries do, for tests: mark what is selected in the focused view.
    void markSelection(Mark mark);
    void exportTriageTo(const QString& path);
    void importTriageFrom(const QString& path);
    void loadRulesFrom(const QString& path);
    void saveRulesTo(const QString& path);

Q_SIGNALS:
    // A triage file or rules file could not be read or written: title and message for the window.
    void failed(const QString& title, const QString& message);

private:
    enum class Target { None, Rows, Sources };
    Target selectionTarget() const;
    void writeNote();
    void allowSource();
    void onTriageChanged(const std::shared_ptr<const TableTriage>& triage);
    void onRulesChanged();
    void onShown();
    void updateBar();
    void editRule(std::int64_t id);
    void addRule();
    QString startFolder() const;

    QMainWindow* m_window;
    AnalysisController* m_controller;
    ResultPresenter* m_presenter;
    Views m_views;
    StatusLine* m_status;
    TriageController* m_triage = nullptr;
    AllowListPanel* m_panel = nullptr;
    QDockWidget* m_dock = nullptr;
    QWidget* m_bar = nullptr;
    QLabel* m_barText = nullptr;
    QPushButton* m_barShow = nullptr;
    QAction* m_malicious = nullptr;
    QAction* m_benign = nullptr;
    QAction* m_review = nullptr;
    QAction* m_clear = nullptr;
    QAction* m_note = nullptr;
    QAction* m_allowSource = nullptr;
    QAction* m_undo = nullptr;
    QAction* m_redo = nullptr;
    QAction* m_exportTriage = nullptr;
    QAction* m_importTriage = nullptr;
};

} // namespace webthreat

#pragma once

#include <QObject>
#include <QStringList>

#include <memory>

class QMenu;
class QWidget;

namespace webthreat {

class AnalysisController;
class ResultPresenter;
class StatusLine;
struct DetectorModel;
struct WindowActions;

// Detector > Apply Model..., Apply Recent Model, Save Model... and Fit on Each File Again: a
// detector kept in a file and applied to the data shown and to every file opened after it, until
// the analyst fits again. Reading, scoring and writing run on the worker; failures reach the
// window through the controller's jobFailed like any other job's.
class ModelWorkflow : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelWorkflow)

public:
    static constexpr int kMaxRecentModels = 8;

    ModelWorkflow(QWidget* window, AnalysisController* controller, ResultPresenter* presenter,
                  const WindowActions& actions, StatusLine* status);

    QStringList recentModels() const { return m_recent; }
    // What the file dialogs would do, for tests and the recent list.
    void applyModelFile(const QString& path);
    void saveModelFile(const QString& path);

Q_SIGNALS:
    // The saved model file was written; the path as given.
    void modelSaved(const QString& path);

private:
    void chooseModelToApply();
    void chooseWhereToSave();
    void fitAgain();
    void onModelChanged(const std::shared_ptr<const DetectorModel>& model);
    void remember(const QString& path);
    void updateRecentMenu();
    void updateActions();
    QString startFolder() const;

    QWidget* m_window;
    AnalysisController* m_controller;
    ResultPresenter* m_presenter;
    const WindowActions& m_actions;
    StatusLine* m_status;
    QStringList m_recent;
};

} // namespace webthreat

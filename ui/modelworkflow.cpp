#include "ui/modelworkflow.h"

#include "core/model/modelfile.h"
#include "core/util/log.h"
#include "ui/analysiscontroller.h"
#include "ui/resultpresenter.h"
#include "ui/statusline.h"
#include "ui/windowactions.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace webthreat {

namespace {
const QString kRecentKey = QStringLiteral("models/recent");
const QString kFolderKey = QStringLiteral("models/folder");
const QString kFilter = QObject::tr("Webthreat models (*.json);;All files (*)");
} // namespace

ModelWorkflow::ModelWorkflow(QWidget* window, AnalysisController* controller, ResultPresenter* presenter,
                             const WindowActions& actions, StatusLine* status)
    : QObject(window)
    , m_window(window)
    , m_controller(controller)
    , m_presenter(presenter)
    , m_actions(actions)
    , m_status(status)
    , m_recent(QSettings().value(kRecentKey).toStringList())
{
    connect(actions.applyModel, &QAction::triggered, this, &ModelWorkflow::chooseModelToApply);
    connect(actions.saveModel, &QAction::triggered, this, &ModelWorkflow::chooseWhereToSave);
    connect(actions.forgetModel, &QAction::triggered, this, &ModelWorkflow::fitAgain);
    connect(controller, &AnalysisController::modelChanged, this, &ModelWorkflow::onModelChanged);
    connect(controller, &AnalysisController::modelSaved, this, [this](const QString& path) {
        remember(path);
        m_status->setMessage(tr("Model saved to %1: score other files with Detector > Apply Model... or "
                                "webthreat score FILE --model %2")
                                 .arg(QDir::toNativeSeparators(path), QFileInfo(path).fileName()));
        Q_EMIT modelSaved(path);
    });
    connect(controller, &AnalysisController::busyChanged, this, &ModelWorkflow::updateActions);
    connect(presenter, &ResultPresenter::shown, this, &ModelWorkflow::updateActions);
    updateRecentMenu();
    updateActions();
}

void ModelWorkflow::applyModelFile(const QString& path)
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (!shown.hasData() || m_controller->isBusy())
        return;
    m_status->setMessage(tr("Scoring with the model %1...").arg(QFileInfo(path).fileName()));
    m_controller->applyModel(shown.data, path, shown.aggregates, shown.behaviour);
}

void ModelWorkflow::saveModelFile(const QString& path)
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (!shown.hasDetection() || m_controller->isBusy())
        return;
    m_controller->saveModel(shown, m_presenter->file().fingerprint, path);
}

void ModelWorkflow::chooseModelToApply()
{
    const QString path
        = QFileDialog::getOpenFileName(m_window, tr("Apply a Saved Model"), startFolder(), kFilter);
    if (path.isEmpty())
        return;
    QSettings().setValue(kFolderKey, QFileInfo(path).absolutePath());
    applyModelFile(path);
}

void ModelWorkflow::chooseWhereToSave()
{
    const LoadedFile& file = m_presenter->file();
    const QString base = file.displayName.isEmpty() ? QStringLiteral("model") : QFileInfo(file.displayName).completeBaseName();
    const QString suggested = QDir(startFolder()).filePath(base + QStringLiteral("-model.json"));
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save the Detector as a Model"), suggested, kFilter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".json");
    QSettings().setValue(kFolderKey, QFileInfo(path).absolutePath());
    saveModelFile(path);
}

void ModelWorkflow::fitAgain()
{
    m_controller->forgetModel();
    m_actions.run->trigger(); // fits with the panel's settings
}

void ModelWorkflow::onModelChanged(const std::shared_ptr<const DetectorModel>& model)
{
    if (model) {
        remember(QString::fromStdString(model->file));
        m_status->setMessage(tr("Scored with the model %1; files opened now are scored with it too")
                                 .arg(QString::fromStdString(describeModel(*model, model->file))));
        logger::get("ui")->info("applied the model {}", model->file);
    } else {
        m_status->setMessage(tr("No model applied: the forest is fitted on each file"));
    }
    updateActions();
}

void ModelWorkflow::remember(const QString& path)
{
    if (path.isEmpty())
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_recent.removeAll(absolute);
    m_recent.prepend(absolute);
    while (m_recent.size() > kMaxRecentModels)
        m_recent.removeLast();
    QSettings().setValue(kRecentKey, m_recent);
    updateRecentMenu();
}

void ModelWorkflow::updateRecentMenu()
{
    QMenu* menu = m_actions.recentModels;
    if (!menu)
        return;
    menu->clear();
    for (const QString& path : m_recent) {
        QAction* action = menu->addAction(QFileInfo(path).fileName());
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { applyModelFile(path); });
    }
    if (m_recent.isEmpty())
        menu->addAction(tr("(none yet)"))->setEnabled(false);
    updateActions();
}

void ModelWorkflow::updateActions()
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    const bool idle = !m_controller->isBusy();
    m_actions.applyModel->setEnabled(idle && shown.hasData());
    if (m_actions.recentModels)
        m_actions.recentModels->setEnabled(idle && shown.hasData() && !m_recent.isEmpty());
    m_actions.saveModel->setEnabled(idle && shown.hasDetection());
    m_actions.forgetModel->setEnabled(idle && m_controller->model() != nullptr);
}

QString ModelWorkflow::startFolder() const
{
    const QString remembered = QSettings().value(kFolderKey).toString();
    return !remembered.isEmpty() && QFileInfo(remembered).isDir() ? remembered : QDir::homePath();
}

} // namespace webthreat

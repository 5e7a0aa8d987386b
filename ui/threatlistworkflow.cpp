#include "ui/threatlistworkflow.h"

#include "core/util/log.h"
#include "ui/displayformat.h"
#include "ui/resultpresenter.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

namespace webthreat {

namespace {
const QString kListsKey = QStringLiteral("threatLists/files");
const QString kFolderKey = QStringLiteral("threatLists/folder");
} // namespace

ThreatListWorkflow::ThreatListWorkflow(QMainWindow* window, ResultPresenter* presenter)
    : QObject(window)
    , m_window(window)
    , m_presenter(presenter)
{
    qRegisterMetaType<ThreatListResult>();
    m_worker = new AnalysisWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AnalysisWorker::threatListsMatched, this, &ThreatListWorkflow::onMatched);
    connect(m_worker, &AnalysisWorker::failed, this, &ThreatListWorkflow::onFailed);
    connect(m_worker, &AnalysisWorker::cancelled, this, [this](JobId job) { onFailed(job, {}); });
    m_thread.setObjectName(QStringLiteral("threat lists"));
    m_thread.start();

    m_load = new QAction(tr("&Load Threat List..."), this);
    m_load->setObjectName(QStringLiteral("loadThreatList"));
    m_load->setStatusTip(tr("Mark the rows whose source or destination address is on a list of IPs and CIDRs (plain "
                            "text, Spamhaus DROP, FireHOL .netset, or a CSV column)"));
    m_manage = new QAction(tr("&Threat Lists..."), this);
    m_manage->setObjectName(QStringLiteral("manageThreatLists"));
    m_manage->setStatusTip(tr("The loaded threat lists: entries, matches; remove one"));
    m_removeAll = new QAction(tr("&Remove All Threat Lists"), this);
    m_removeAll->setObjectName(QStringLiteral("removeThreatLists"));
    connect(m_load, &QAction::triggered, this, &ThreatListWorkflow::chooseList);
    connect(m_manage, &QAction::triggered, this, &ThreatListWorkflow::showListsDialog);
    connect(m_removeAll, &QAction::triggered, this, &ThreatListWorkflow::removeAll);

    auto* menu = new QMenu(tr("&Context"), window);
    menu->setObjectName(QStringLiteral("contextMenu"));
    menu->addActions({m_load, m_manage, m_removeAll});
    // Before Help, the last menu.
    QMenuBar* bar = window->menuBar();
    const QList<QAction*> menus = bar->actions();
    bar->insertMenu(menus.isEmpty() ? nullptr : menus.last(), menu);

    m_status = new QLabel(window);
    m_status->setObjectName(QStringLiteral("threatListStatus"));
    window->statusBar()->addPermanentWidget(m_status);
    m_status->hide();

    connect(presenter, &ResultPresenter::shown, this, &ThreatListWorkflow::onShown);
    for (const QString& spec : QSettings().value(kListsKey).toStringList())
        m_toRead.push_back(spec);
    updateStatus();
    next();
}

ThreatListWorkflow::~ThreatListWorkflow()
{
    if (m_cancel)
        m_cancel->store(true);
    m_thread.quit();
    m_thread.wait();
}

QList<QAction*> ThreatListWorkflow::actions() const
{
    return {m_load, m_manage, m_removeAll};
}

void ThreatListWorkflow::loadList(const QString& spec)
{
    m_toRead.push_back(spec);
    next();
}

void ThreatListWorkflow::loadListForSession(const QString& spec)
{
    m_sessionOnly.append(spec);
    loadList(spec);
}

void ThreatListWorkflow::removeList(const QString& name)
{
    for (std::size_t i = 0; i < m_lists.size(); ++i)
        if (QString::fromStdString(m_lists[i]->name) == name) {
            m_lists.erase(m_lists.begin() + static_cast<std::ptrdiff_t>(i));
            m_specs.removeAt(static_cast<qsizetype>(i));
            break;
        }
    remember();
    request({}, true);
}

void ThreatListWorkflow::removeAll()
{
    m_lists.clear();
    m_specs.clear();
    remember();
    request({}, true);
}

void ThreatListWorkflow::chooseList()
{
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Load a Threat List"), QSettings().value(kFolderKey).toString(),
        tr("Lists of IPs and CIDRs (*.txt *.netset *.ipset *.list *.csv *.tsv);;All files (*)"));
    if (path.isEmpty())
        return;
    QSettings().setValue(kFolderKey, QFileInfo(path).absolutePath());
    QString spec = path;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv")) {
        bool ok = false;
        const QString column = QInputDialog::getText(
            m_window, tr("Threat List Column"),
            tr("The column holding the addresses in %1 (its header name, or its number from 1):")
                .arg(QFileInfo(path).fileName()),
            QLineEdit::Normal, QStringLiteral("ip"), &ok);
        if (!ok || column.trimmed().isEmpty())
            return;
        spec += QLatin1Char(':') + column.trimmed();
    }
    loadList(spec);
}

void ThreatListWorkflow::showListsDialog()
{
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Threat Lists"));
    dialog.setObjectName(QStringLiteral("threatListsDialog"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* list = new QListWidget(&dialog);
    list->setObjectName(QStringLiteral("threatLists"));
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    for (std::size_t i = 0; i < m_lists.size(); ++i) {
        QString text = QString::fromStdString(m_lists[i]->summary());
        if (shown.threatFindings && i < shown.threatFindings->lists.size())
            text += QStringLiteral("\n    ") + QString::fromStdString(shown.threatFindings->lists[i].sentence());
        if (!m_lists[i]->path.empty())
            text += QStringLiteral("\n    ") + QString::fromStdString(m_lists[i]->path);
        auto* item = new QListWidgetItem(text, list);
        item->setData(Qt::UserRole, QString::fromStdString(m_lists[i]->name));
    }
    if (m_lists.empty())
        list->addItem(tr("No threat list is loaded: Context > Load Threat List..."));
    layout->addWidget(list);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    QPushButton* remove = buttons->addButton(tr("&Remove"), QDialogButtonBox::ActionRole);
    remove->setEnabled(!m_lists.empty());
    connect(remove, &QPushButton::clicked, &dialog, [this, list] {
        if (QListWidgetItem* item = list->currentItem(); item && item->data(Qt::UserRole).isValid()) {
            removeList(item->data(Qt::UserRole).toString());
            delete item;
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(620, 320);
    dialog.exec();
}

void ThreatListWorkflow::onShown(bool ready, bool afterLoad, bool verdicts)
{
    static_cast<void>(afterLoad);
    if (!ready && !verdicts)
        return;
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (!shown.hasData() || m_lists.empty())
        return;
    // New data, a refit or new verdicts: match (or only count) again.
    request({});
}

void ThreatListWorkflow::request(std::vector<ThreatListSpec> toRead, bool now)
{
    if (m_job != 0 && !now) {
        m_again = true; // the running job is for older verdicts: one more follows it
        return;
    }
    if (m_job != 0 && !m_reading.isEmpty() && toRead.empty()) {
        // The lists changed under a list being read: read it again after this.
        m_toRead.push_front(m_reading);
        m_reading.clear();
    }
    if (m_cancel)
        m_cancel->store(true);
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    ThreatListRequest request;
    request.job = m_job = ++m_lastJob;
    request.data = shown.data;
    request.verdicts = shown.hasDetection() ? shown.verdicts : nullptr;
    request.lists = m_lists;
    request.toRead = std::move(toRead);
    if (m_matchedData == shown.data.get())
        request.known = m_matches;
    request.cancel = m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_again = false;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request] { worker->matchThreatLists(request); }, Qt::QueuedConnection);
}

void ThreatListWorkflow::next()
{
    if (!m_reading.isEmpty() || m_toRead.empty())
        return;
    m_reading = m_toRead.front();
    m_toRead.pop_front();
    m_status->setText(tr("Reading the threat list %1...").arg(QFileInfo(m_reading).fileName()));
    m_status->show();
    request({parseThreatListSpec(m_reading.toStdString())}, true);
}

void ThreatListWorkflow::onMatched(JobId job, const ThreatListResult& result)
{
    if (job != m_job)
        return;
    m_job = 0;
    if (!m_reading.isEmpty()) {
        m_specs.append(m_reading);
        m_reading.clear();
        remember();
    }
    m_lists = result.lists; // with the one just read
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (result.data == shown.data) {
        m_matches = result.matches;
        m_matchedData = result.data.get();
        m_presenter->showThreatLists(result.data, result.matches, result.findings);
    }
    updateStatus();
    Q_EMIT matched();
    if (!m_toRead.empty())
        next();
    else if (m_again || result.lists != m_lists || (shown.hasData() && result.data != shown.data && !m_lists.empty()))
        request({}, true);
}

void ThreatListWorkflow::onFailed(JobId job, const QString& message)
{
    if (job != m_job)
        return;
    m_job = 0;
    const QString spec = m_reading;
    m_reading.clear();
    if (!message.isEmpty()) {
        logger::get("ui")->warn("threat list {}: {}", spec.toStdString(), message.toStdString());
        Q_EMIT failed(tr("Threat List Not Loaded"), spec.isEmpty() ? message
                                                                   : tr("%1\n\nThe list was not loaded; the lists "
                                                                        "already loaded stay.")
                                                                         .arg(message));
    }
    // A remembered list that can no longer be read is forgotten (the message said why).
    remember();
    updateStatus();
    if (!m_toRead.empty())
        next();
    else if (m_again)
        request({}, true);
}

void ThreatListWorkflow::remember()
{
    QStringList kept = m_specs;
    kept.removeIf([this](const QString& spec) { return m_sessionOnly.contains(spec); });
    QSettings().setValue(kListsKey, kept);
}

QString ThreatListWorkflow::statusText() const
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (m_lists.empty())
        return {};
    if (!shown.threatFindings || !shown.threatMatches)
        return tr("Threat lists: %n loaded", nullptr, static_cast<int>(m_lists.size()));
    const ThreatFindings& findings = *shown.threatFindings;
    // The list with the most suspicious rows, in the words; the tooltip has every list.
    const ThreatListCount* top = nullptr;
    for (const ThreatListCount& count : findings.lists)
        if (!top || count.suspiciousRows > top->suspiciousRows)
            top = &count;
    if (!top || top->suspiciousRows == 0)
        return tr("Threat lists: no suspicious row (%1 rows in all)").arg(findings.rows);
    QString text = tr("Threat lists: %1 from %2 on '%3'")
                       .arg(countNoun(top->suspiciousRows, tr("suspicious row"), tr("suspicious rows")),
                            countNoun(top->suspiciousSources, tr("source"), tr("sources")),
                            QString::fromStdString(top->name));
    if (findings.lists.size() > 1)
        text += tr(", %1 on any list").arg(findings.suspiciousRows);
    return text;
}

void ThreatListWorkflow::updateStatus()
{
    if (!m_reading.isEmpty())
        return;
    const QString text = statusText();
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
    QString tip;
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (shown.threatFindings)
        for (const ThreatListCount& count : shown.threatFindings->lists)
            tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + QString::fromStdString(count.sentence());
    m_status->setToolTip(tip);
    m_removeAll->setEnabled(!m_lists.empty());
}

} // namespace webthreat

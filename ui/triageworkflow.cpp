#include "ui/triageworkflow.h"

#include "core/output/atomicfile.h"
#include "core/pipeline.h"
#include "core/triage/tabletriage.h"
#include "core/triage/workspace.h"
#include "core/util/errors.h"
#include "ui/allowlistpanel.h"
#include "ui/analysiscontroller.h"
#include "ui/anomaliesview.h"
#include "ui/dataview.h"
#include "ui/displayformat.h"
#include "ui/dockbuilder.h"
#include "ui/entitiesview.h"
#include "ui/resultexporter.h"
#include "ui/resultpresenter.h"
#include "ui/statusline.h"
#include "ui/triagecontroller.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace webthreat {

namespace {

const QString kFolderKey = QStringLiteral("triage/folder");
constexpr qint64 kMaxTriageFileBytes = 256LL * 1024 * 1024;

QAction* makeTriageAction(QObject* parent, const QString& text, const QKeySequence& shortcut, const QString& tip,
                          const QString& name)
{
    auto* action = new QAction(text, parent);
    action->setShortcut(shortcut);
    action->setStatusTip(tip);
    action->setToolTip(tip);
    action->setObjectName(name);
    return action;
}

bool inside(const QWidget* widget, const QWidget* container)
{
    for (; widget; widget = widget->parentWidget()) {
        if (widget == container)
            return true;
    }
    return false;
}

// Reads a whole text file for the triage importers, refusing one too large to be triage.
std::string readSmallFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw InputError(path.toStdString(), 0, "", "cannot be read: " + file.errorString().toStdString());
    if (file.size() > kMaxTriageFileBytes)
        throw InputError(path.toStdString(), 0, "", "is larger than 256 MiB: not a triage or rules file");
    const QByteArray bytes = file.readAll();
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

} // namespace

TriageWorkflow::TriageWorkflow(QMainWindow* window, AnalysisController* controller, ResultPresenter* presenter,
                               const Views& views, StatusLine* status)
    : QObject(window)
    , m_window(window)
    , m_controller(controller)
    , m_presenter(presenter)
    , m_views(views)
    , m_status(status)
    , m_triage(new TriageController(this))
{
    m_triage->setObjectName(QStringLiteral("triageController"));
    setObjectName(QStringLiteral("triageWorkflow"));

    m_malicious = makeTriageAction(this, tr("Mark &Malicious"), Qt::Key_M,
                                   tr("Mark the selected rows (or sources, in Entities) malicious"), "markMalicious");
    m_benign = makeTriageAction(this, tr("Mark &Benign"), Qt::Key_B,
                                tr("Mark the selected rows (or sources) benign: a false positive"), "markBenign");
    m_review = makeTriageAction(this, tr("Mark Needs &Review"), Qt::Key_R,
                                tr("Mark the selected rows (or sources) for a colleague's look"), "markNeedsReview");
    m_clear = makeTriageAction(this, tr("&Clear Verdict"), Qt::Key_0, tr("Take the verdict off the selection"),
                               "clearVerdict");
    m_note = makeTriageAction(this, tr("&Note..."), Qt::Key_N, tr("Write a note on the selected rows (or sources)"),
                              "writeNote");
    m_allowSource = makeTriageAction(this, tr("&Allow-list the Source..."), QKeySequence(Qt::SHIFT | Qt::Key_A),
                                     tr("Add a rule that suppresses every row of the selected rows' sources"),
                                     "allowSource");
    m_undo = m_triage->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undo->setShortcuts(QKeySequence::Undo);
    m_undo->setObjectName(QStringLiteral("undoTriage"));
    m_redo = m_triage->undoStack()->createRedoAction(this, tr("&Redo"));
    // Ctrl+Shift+Z and Ctrl+Y whatever the platform's theme binds (the offscreen one has only Ctrl+Y).
    QList<QKeySequence> redoKeys{QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)};
    for (const QKeySequence& key : QKeySequence::keyBindings(QKeySequence::Redo)) {
        if (!redoKeys.contains(key))
            redoKeys.append(key);
    }
    m_redo->setShortcuts(redoKeys);
    m_redo->setObjectName(QStringLiteral("redoTriage"));
    m_exportTriage = makeTriageAction(this, tr("Export &Triage..."), {},
                                      tr("Write your verdicts, notes and allow-list as JSON or CSV for a colleague"),
                                      "exportTriage");
    m_importTriage = makeTriageAction(this, tr("&Import Triage..."), {},
                                      tr("Merge a colleague's verdicts, notes and allow-list into your workspace"),
                                      "importTriage");

    connect(m_malicious, &QAction::triggered, this, [this] { markSelection(Mark::Malicious); });
    connect(m_benign, &QAction::triggered, this, [this] { markSelection(Mark::Benign); });
    connect(m_review, &QAction::triggered, this, [this] { markSelection(Mark::NeedsReview); });
    connect(m_clear, &QAction::triggered, this, [this] { markSelection(Mark::None); });
    connect(m_note, &QAction::triggered, this, &TriageWorkflow::writeNote);
    connect(m_allowSource, &QAction::triggered, this, &TriageWorkflow::allowSource);
    connect(m_exportTriage, &QAction::triggered, this, [this] {
        const QString suggested = QDir(startFolder()).filePath(QStringLiteral("triage.json"));
        QString path = QFileDialog::getSaveFileName(m_window, tr("Export Triage"), suggested,
                                                    tr("Triage JSON (*.json);;Triage CSV (*.csv)"));
        if (path.isEmpty())
            return;
        if (QFileInfo(path).suffix().isEmpty())
            path += QStringLiteral(".json");
        QSettings().setValue(kFolderKey, QFileInfo(path).absolutePath());
        exportTriageTo(path);
    });
    connect(m_importTriage, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(m_window, tr("Import Triage"), startFolder(),
                                                          tr("Triage (*.json *.csv);;All files (*)"));
        if (path.isEmpty())
            return;
        QSettings().setValue(kFolderKey, QFileInfo(path).absolutePath());
        importTriageFrom(path);
    });

    // Menus: Triage before Help; export and import in File, before Quit.
    QMenuBar* bar = window->menuBar();
    auto* menu = new QMenu(tr("T&riage"), bar);
    menu->setObjectName(QStringLiteral("triageMenu"));
    menu->addActions({m_malicious, m_benign, m_review, m_clear});
    menu->addSeparator();
    menu->addAction(m_note);
    menu->addAction(m_allowSource);
    menu->addSeparator();
    menu->addActions({m_undo, m_redo});
    const QList<QAction*> menus = bar->actions();
    bar->insertMenu(menus.isEmpty() ? nullptr : menus.last(), menu);
    if (!menus.isEmpty() && menus.first()->menu()) {
        QMenu* file = menus.first()->menu();
        const QList<QAction*> entries = file->actions();
        QAction* before = entries.size() >= 2 ? entries[entries.size() - 2] : nullptr; // the separator before Quit
        file->insertSeparator(before);
        file->insertActions(before, {m_exportTriage, m_importTriage});
    }
    for (QAction* action : actions())
        window->addAction(action);

    // The Allow-list dock, tabbed with Row details.
    auto [dock, panel] = makeDock<AllowListPanel>(window, tr("Allow-list"), QStringLiteral("allowList"), false,
                                                   tr("&Allow-list"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_dock = dock;
    m_panel = panel;
    window->addDockWidget(Qt::RightDockWidgetArea, dock);
    if (auto* detail = window->findChild<QDockWidget*>(QStringLiteral("detailDock")))
        window->tabifyDockWidget(detail, dock);
    if (menus.size() >= 2 && menus[1]->menu())
        menus[1]->menu()->addAction(dock->toggleViewAction());
    if (auto* detail = window->findChild<QDockWidget*>(QStringLiteral("detailDock")))
        detail->raise();

    // The bar above the tabs: how many suspicious rows the allow-list hides, and a switch.
    auto* frame = new QFrame(window);
    frame->setObjectName(QStringLiteral("suppressionBar"));
    frame->setAutoFillBackground(true);
    QPalette tinted = frame->palette();
    QColor tint(0x2e, 0x7d, 0x32);
    tint.setAlpha(40);
    tinted.setColor(QPalette::Window, tint);
    frame->setPalette(tinted);
    auto* barLayout = new QHBoxLayout(frame);
    barLayout->setContentsMargins(8, 3, 8, 3);
    m_barText = new QLabel(frame);
    m_barText->setObjectName(QStringLiteral("suppressionText"));
    m_barShow = new QPushButton(frame);
    m_barShow->setObjectName(QStringLiteral("suppressionShow"));
    auto* manage = new QPushButton(tr("Allow-list..."), frame);
    manage->setObjectName(QStringLiteral("suppressionManage"));
    barLayout->addWidget(m_barText, 1);
    barLayout->addWidget(m_barShow);
    barLayout->addWidget(manage);
    frame->hide();
    m_bar = frame;
    if (QWidget* central = window->takeCentralWidget()) {
        auto* holder = new QWidget(window);
        auto* layout = new QVBoxLayout(holder);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(0);
        layout->addWidget(frame);
        layout->addWidget(central, 1);
        window->setCentralWidget(holder);
    }
    connect(m_barShow, &QPushButton::clicked, this, [this] { m_panel->setShowSuppressed(!m_panel->showSuppressed()); });
    connect(manage, &QPushButton::clicked, this, [this] {
        m_dock->show();
        m_dock->raise();
    });

    connect(m_presenter, &ResultPresenter::dataLoaded, m_triage, &TriageController::setData);
    connect(m_triage, &TriageController::triageChanged, this, &TriageWorkflow::onTriageChanged);
    connect(m_triage, &TriageController::rulesChanged, this, &TriageWorkflow::onRulesChanged);
    connect(m_triage, &TriageController::problem, this,
            [this](const QString& message) { Q_EMIT failed(tr("Triage Workspace"), message); });
    connect(m_presenter, &ResultPresenter::shown, this, &TriageWorkflow::onShown);
    connect(m_panel, &AllowListPanel::addRequested, this, &TriageWorkflow::addRule);
    connect(m_panel, &AllowListPanel::editRequested, this, &TriageWorkflow::editRule);
    connect(m_panel, &AllowListPanel::removeRequested, m_triage, &TriageController::removeRule);
    connect(m_panel, &AllowListPanel::enabledChanged, this, [this](std::int64_t id, bool enabled) {
        for (const StoredRule& stored : m_triage->rules()) {
            if (stored.id != id)
                continue;
            SuppressionRule rule = stored.rule;
            rule.enabled = enabled;
            m_triage->updateRule(id, rule);
        }
    });
    connect(m_panel, &AllowListPanel::showSuppressedChanged, this, [this] { onRulesChanged(); });
    connect(m_panel, &AllowListPanel::loadRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(m_window, tr("Load Allow-list Rules"), startFolder(),
                                                          tr("Rules files (*.txt *.rules);;All files (*)"));
        if (!path.isEmpty())
            loadRulesFrom(path);
    });
    connect(m_panel, &AllowListPanel::saveRequested, this, [this] {
        QString path = QFileDialog::getSaveFileName(m_window, tr("Save Allow-list Rules"),
                                                    QDir(startFolder()).filePath(QStringLiteral("allow.txt")),
                                                    tr("Rules files (*.txt *.rules)"));
        if (!path.isEmpty())
            saveRulesTo(path);
    });

    // Opened now, so that the first load already has the allow-list; a message about a workspace
    // set aside waits until the window can show it.
    QStringList problems;
    auto collect = connect(m_triage, &TriageController::problem, this,
                           [&problems](const QString& message) { problems << message; });
    m_triage->openWorkspace(TriageController::defaultWorkspacePath());
    disconnect(collect);
    if (!problems.isEmpty())
        QTimer::singleShot(0, this, [this, problems] { Q_EMIT failed(tr("Triage Workspace"), problems.join("\n\n")); });
    onTriageChanged(m_triage->triage());
}

TriageWorkflow::~TriageWorkflow() = default;

QList<QAction*> TriageWorkflow::actions() const
{
    return {m_malicious, m_benign, m_review, m_clear, m_note, m_allowSource, m_undo, m_redo};
}

QString TriageWorkflow::startFolder() const
{
    const QString remembered = QSettings().value(kFolderKey).toString();
    return !remembered.isEmpty() && QFileInfo(remembered).isDir() ? remembered : QDir::homePath();
}

TriageWorkflow::Target TriageWorkflow::selectionTarget() const
{
    const QWidget* focus = QApplication::focusWidget();
    if (inside(focus, m_views.entities->tableView()))
        return Target::Sources;
    if (inside(focus, m_views.data->tableView()) || inside(focus, m_views.anomalies->suspiciousTable()))
        return Target::Rows;
    const QWidget* tab = m_views.tabs->currentWidget();
    if (tab == m_views.entities)
        return Target::Sources;
    if (tab == m_views.data || tab == m_views.anomalies)
        return Target::Rows;
    return Target::None;
}

namespace {

std::vector<std::size_t> rowsOf(const TriageWorkflow::Views& views)
{
    const QWidget* focus = QApplication::focusWidget();
    if (inside(focus, views.anomalies->suspiciousTable())
        || (!inside(focus, views.data->tableView()) && views.tabs->currentWidget() == views.anomalies))
        return views.anomalies->selectedRows();
    return views.data->selectedRows();
}

} // namespace

void TriageWorkflow::markSelection(Mark mark)
{
    if (!m_triage->hasWorkspace()) {
        m_status->setMessage(tr("Triage is off: the workspace could not be opened (see the log)"));
        return;
    }
    const std::string_view label = markLabel(mark);
    const QString word = mark == Mark::None ? tr("cleared")
                                            : QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
    switch (selectionTarget()) {
    case Target::Sources: {
        const std::vector<std::string> ips = m_views.entities->selectedSourceIps();
        if (ips.empty())
            break;
        m_triage->markSources(ips, mark);
        m_status->setMessage(tr("%1 %2, in this file and every other; %3 undoes")
                                 .arg(countNoun(ips.size(), tr("source"), tr("sources")), word,
                                      m_undo->shortcut().toString(QKeySequence::NativeText)));
        return;
    }
    case Target::Rows: {
        const std::vector<std::size_t> rows = rowsOf(m_views);
        if (rows.empty() || !m_triage->data())
            break;
        m_triage->markRows(rows, mark);
        m_status->setMessage(tr("%1 %2; %3 undoes")
                                 .arg(countNoun(rows.size(), tr("row"), tr("rows")), word,
                                      m_undo->shortcut().toString(QKeySequence::NativeText)));
        return;
    }
    case Target::None:
        break;
    }
    m_status->setMessage(tr("Select rows in the Data tab or the suspicious list, or sources in Entities, to mark them"));
}

void TriageWorkflow::writeNote()
{
    if (!m_triage->hasWorkspace())
        return;
    const Target target = selectionTarget();
    if (target == Target::Sources) {
        const std::vector<std::string> ips = m_views.entities->selectedSourceIps();
        if (ips.empty())
            return;
        QString current;
        for (const SourceMark& mark : m_triage->bundle().sourceMarks) {
            if (mark.ip == ips.front())
                current = QString::fromStdString(mark.note);
        }
        bool ok = false;
        const QString note = QInputDialog::getMultiLineText(
            m_window, tr("Note on Source"),
            tr("Note on %1 (%2), kept for every file:")
                .arg(countNoun(ips.size(), tr("source"), tr("sources")), QString::fromStdString(ips.front())),
            current, &ok);
        if (ok)
            m_triage->noteSources(ips, note);
        return;
    }
    if (target != Target::Rows)
        return;
    const std::vector<std::size_t> rows = rowsOf(m_views);
    if (rows.empty() || !m_triage->data())
        return;
    bool ok = false;
    const QString note = QInputDialog::getMultiLineText(
        m_window, tr("Note on Rows"),
        tr("Note on %1 (line %2):")
            .arg(countNoun(rows.size(), tr("row"), tr("rows")))
            .arg(m_triage->data()->table.sourceLines[rows.front()]),
        m_triage->noteOf(rows.front()), &ok);
    if (ok)
        m_triage->noteRows(rows, note);
}

void TriageWorkflow::allowSource()
{
    if (!m_triage->hasWorkspace() || !m_triage->data())
        return;
    std::set<std::string> ips;
    if (selectionTarget() == Target::Sources) {
        for (std::string& ip : m_views.entities->selectedSourceIps())
            ips.insert(std::move(ip));
    } else {
        const TrafficTable& table = m_triage->data()->table;
        for (const std::size_t row : rowsOf(m_views)) {
            const std::string_view ip = table.text(Field::SrcIp, row);
            if (!ip.empty())
                ips.emplace(ip);
        }
    }
    if (ips.empty()) {
        m_status->setMessage(tr("Select rows or sources first: their source addresses are allow-listed"));
        return;
    }
    bool ok = false;
    const QString reason = QInputDialog::getText(
        m_window, tr("Allow-list the Source"),
        tr("Why are %1 fine? (the reason is kept with the rule)").arg(QString::fromStdString(*ips.begin())
                                                                       + (ips.size() > 1 ? tr(" and %1 more").arg(ips.size() - 1)
                                                                                         : QString())),
        QLineEdit::Normal, {}, &ok);
    if (!ok)
        return;
    std::vector<SuppressionRule> rules;
    for (const StoredRule& stored : m_triage->rules())
        rules.push_back(stored.rule);
    QString cleaned = reason.trimmed();
    cleaned.remove(QLatin1Char('#'));
    for (const std::string& ip : ips) {
        try {
            rules.push_back(parseRule("src_ip " + ip + (cleaned.isEmpty() ? "" : " # " + cleaned.toStdString())));
        } catch (const Error& error) {
            Q_EMIT failed(tr("Cannot Allow-list the Source"), QString::fromStdString(error.what()));
            return;
        }
    }
    m_triage->setRules(rules, tr("Allow-list %1").arg(countNoun(ips.size(), tr("source"), tr("sources"))));
}

void TriageWorkflow::addRule()
{
    RuleDialog dialog(m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (const auto rule = dialog.rule())
        m_triage->addRule(*rule);
}

void TriageWorkflow::editRule(std::int64_t id)
{
    for (const StoredRule& stored : m_triage->rules()) {
        if (stored.id != id)
            continue;
        RuleDialog dialog(m_window, stored.rule);
        if (dialog.exec() != QDialog::Accepted)
            return;
        if (const auto rule = dialog.rule())
            m_triage->updateRule(id, *rule);
        return;
    }
}

void TriageWorkflow::onTriageChanged(const std::shared_ptr<const TableTriage>& triage)
{
    m_presenter->showTriage(triage);
    // File > Export Case follows the rows marked Malicious.
    if (auto* exporter = m_window->findChild<ResultExporter*>(QStringLiteral("resultExporter")))
        exporter->updateCaseAction(!m_controller->isBusy() && !m_presenter->isShowing());
    const bool can = m_triage->hasWorkspace();
    for (QAction* action : {m_malicious, m_benign, m_review, m_clear, m_note, m_allowSource})
        action->setEnabled(can);
    m_exportTriage->setEnabled(can);
    m_importTriage->setEnabled(can);
}

void TriageWorkflow::onRulesChanged()
{
    AllowList allow;
    allow.rules = m_triage->allowRules();
    allow.showSuppressed = m_panel->showSuppressed();
    m_controller->setAllowList(allow);
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    if (shown.hasDetection())
        m_controller->applyAllowList(shown);
    updateBar();
}

void TriageWorkflow::onShown()
{
    // A result made before the allow-list changed (a load that was already running) is labelled
    // again with the current one.
    const AllowList& allow = m_controller->allowList();
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    const auto rules = allow.hasRules() ? allow.rules : nullptr;
    if (shown.hasDetection() && (shown.allowRules != rules || (rules && shown.showSuppressed != allow.showSuppressed)))
        m_controller->applyAllowList(shown);
    updateBar();
}

void TriageWorkflow::updateBar()
{
    const AnalysisSnapshot& shown = m_presenter->snapshot();
    std::size_t suppressed = 0;
    if (shown.suppression && shown.hasDetection()) {
        if (!shown.showSuppressed) {
            suppressed = shown.verdicts->suppressedCount;
        } else {
            const auto& rows = shown.suppression->rows;
            const auto& suspicious = shown.verdicts->suspicious;
            for (std::size_t row = 0; row < rows.size() && row < suspicious.size(); ++row)
                suppressed += (rows[row] & suspicious[row]) ? 1 : 0;
        }
    }
    const std::size_t rules = shown.suppression ? shown.suppression->activeRules : 0;
    m_panel->setRules(m_triage->rules(), shown.suppression, suppressed);
    if (!shown.suppression || suppressed == 0) {
        m_bar->hide();
        return;
    }
    const QString ruleCount = countNoun(rules, tr("allow-list rule"), tr("allow-list rules"));
    m_barText->setText(shown.showSuppressed
                           ? tr("Showing %1 the allow-list would suppress (%2)")
                                 .arg(countNoun(suppressed, tr("suspicious row"), tr("suspicious rows")), ruleCount)
                           : tr("%1 suppressed by %2: every view shows the rest")
                                 .arg(countNoun(suppressed, tr("suspicious row"), tr("suspicious rows")), ruleCount));
    m_barShow->setText(shown.showSuppressed ? tr("Hide Them") : tr("Show Them"));
    m_bar->show();
}

void TriageWorkflow::exportTriageTo(const QString& path)
{
    try {
        const TriageBundle bundle = m_triage->bundle();
        const bool csv = QFileInfo(path).suffix().compare(QStringLiteral("csv"), Qt::CaseInsensitive) == 0;
        writeFileAtomically(path.toStdString(), csv ? triageToCsv(bundle) : triageToJson(bundle));
        m_status->setMessage(tr("Triage written to %1: %2 row verdicts, %3 source verdicts, %4 rules")
                                 .arg(QDir::toNativeSeparators(path))
                                 .arg(bundle.rowMarks.size())
                                 .arg(bundle.sourceMarks.size())
                                 .arg(bundle.rules.size()));
    } catch (const Error& error) {
        Q_EMIT failed(tr("Cannot Export Triage"), QString::fromStdString(error.what()));
    }
}

void TriageWorkflow::importTriageFrom(const QString& path)
{
    try {
        const TriageBundle bundle = readTriage(readSmallFile(path), QFileInfo(path).fileName().toStdString());
        m_triage->importBundle(bundle);
        m_status->setMessage(tr("Imported from %1: %2 row verdicts, %3 source verdicts, %4 rules")
                                 .arg(QFileInfo(path).fileName())
                                 .arg(bundle.rowMarks.size())
                                 .arg(bundle.sourceMarks.size())
                                 .arg(bundle.rules.size()));
    } catch (const Error& error) {
        Q_EMIT failed(tr("Cannot Import Triage"), QString::fromStdString(error.what()));
    }
}

void TriageWorkflow::loadRulesFrom(const QString& path)
{
    try {
        const std::vector<SuppressionRule> loaded
            = parseRules(readSmallFile(path), QFileInfo(path).fileName().toStdString());
        std::vector<SuppressionRule> rules;
        for (const StoredRule& stored : m_triage->rules())
            rules.push_back(stored.rule);
        std::size_t added = 0;
        for (const SuppressionRule& rule : loaded) {
            const bool known = std::any_of(rules.begin(), rules.end(),
                                           [&rule](const SuppressionRule& old) { return old.line() == rule.line(); });
            if (!known) {
                rules.push_back(rule);
                ++added;
            }
        }
        m_triage->setRules(rules, tr("Load rules from %1").arg(QFileInfo(path).fileName()));
        m_status->setMessage(tr("%1 rules added from %2 (%3 already there)")
                                 .arg(added)
                                 .arg(QFileInfo(path).fileName())
                                 .arg(loaded.size() - added));
    } catch (const Error& error) {
        Q_EMIT failed(tr("Cannot Load Rules"), QString::fromStdString(error.what()));
    }
}

void TriageWorkflow::saveRulesTo(const QString& path)
{
    try {
        std::vector<SuppressionRule> rules;
        for (const StoredRule& stored : m_triage->rules())
            rules.push_back(stored.rule);
        writeFileAtomically(path.toStdString(), writeRules(rules));
        m_status->setMessage(tr("%1 rules written to %2").arg(rules.size()).arg(QDir::toNativeSeparators(path)));
    } catch (const Error& error) {
        Q_EMIT failed(tr("Cannot Save Rules"), QString::fromStdString(error.what()));
    }
}

} // namespace webthreat

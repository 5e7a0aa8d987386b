#include "ui/triagecontroller.h"

#include "core/output/provenance.h"
#include "core/pipeline.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "ui/displayformat.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <map>

namespace webthreat {

// One undo step: marks (rows and sources) or the whole allow-list, before and after. The change
// is written before the command is pushed, so its first redo() does nothing.
class TriageCommand : public QUndoCommand {
public:
    TriageCommand(TriageController* controller, const QString& text)
        : m_controller(controller)
    {
        setText(text);
    }

    void redo() override
    {
        if (m_first) {
            m_first = false;
            return;
        }
        apply(m_rowsAfter, m_sourcesAfter, m_rulesAfter);
    }
    void undo() override { apply(m_rowsBefore, m_sourcesBefore, m_rulesBefore); }

    std::vector<RowMark> m_rowsBefore, m_rowsAfter;
    std::vector<SourceMark> m_sourcesBefore, m_sourcesAfter;
    bool m_rulesChange = false;
    std::vector<SuppressionRule> m_rulesBefore, m_rulesAfter;

private:
    void apply(const std::vector<RowMark>& rows, const std::vector<SourceMark>& sources,
               const std::vector<SuppressionRule>& rules)
    {
        if (m_rulesChange)
            m_controller->writeRules(rules);
        else
            m_controller->write(rows, sources);
    }

    TriageController* m_controller;
    bool m_first = true;
};

TriageController::TriageController(QObject* parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this))
    , m_poll(new QTimer(this))
{
    m_poll->setInterval(2000);
    connect(m_poll, &QTimer::timeout, this, &TriageController::refreshIfChanged);
}

TriageController::~TriageController() = default;

QString TriageController::defaultWorkspacePath()
{
    const QString overridden = qEnvironmentVariable("WEBTHREAT_WORKSPACE");
    if (!overridden.isEmpty())
        return overridden;
    // Tests never touch the analyst's workspace, nor each other's (they run in parallel).
    if (QStandardPaths::isTestModeEnabled())
        return QDir::temp().filePath(QStringLiteral("webthreat-test-workspace-%1.sqlite").arg(QCoreApplication::applicationPid()));
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/workspace.sqlite");
}

QString TriageController::workspacePath() const
{
    return m_workspace ? QString::fromStdString(m_workspace->path()) : QString();
}

bool TriageController::openWorkspace(const QString& path)
{
    m_workspace.reset();
    m_poll->stop();
    QDir().mkpath(QFileInfo(path).absolutePath());
    for (int attempt = 0; attempt < 2 && !m_workspace; ++attempt) {
        try {
            m_workspace = std::make_unique<Workspace>(path.toStdString());
        } catch (const InputError& error) {
            // Set aside by Workspace: say so, and start a fresh one at the same path. Any other
            // InputError (permissions, a lock held too long) leaves triage off.
            const bool setAside = std::string_view(error.what()).find("set aside") != std::string_view::npos;
            if (!setAside) {
                Q_EMIT problem(tr("Triage is off: %1").arg(QString::fromStdString(error.what())));
                return false;
            }
            Q_EMIT problem(QString::fromStdString(error.what()));
        } catch (const Error& error) {
            Q_EMIT problem(tr("Triage is off: the workspace %1 cannot be opened: %2")
                               .arg(QDir::toNativeSeparators(path), QString::fromStdString(error.what())));
            return false;
        }
    }
    if (!m_workspace)
        return false;
    m_undo->clear();
    reload();
    m_poll->start();
    return true;
}

void TriageController::setData(std::shared_ptr<const PreparedData> data,
                               std::shared_ptr<const InputFingerprint> fingerprint)
{
    m_data = std::move(data);
    m_sha256 = fingerprint ? fingerprint->sha256 : std::string();
    m_fileName = fingerprint ? fingerprint->name : std::string();
    // Undo steps name rows of the previous data's file by line: they stay valid (the workspace is
    // keyed by file), but undoing one would not show on these rows; start afresh.
    m_undo->clear();
    reload();
}

void TriageController::reload()
{
    if (!m_workspace) {
        relay();
        return;
    }
    try {
        m_rowMarks = m_sha256.empty() ? std::vector<RowMark>{} : m_workspace->rowMarks(m_sha256);
        m_sourceMarks = m_workspace->sourceMarks();
        m_rules = m_workspace->rules();
        m_workspace->changed();
    } catch (const Error& error) {
        Q_EMIT problem(tr("Could not read the triage workspace: %1").arg(QString::fromStdString(error.what())));
    }
    auto allow = std::make_shared<std::vector<SuppressionRule>>();
    for (const StoredRule& stored : m_rules)
        allow->push_back(stored.rule);
    const bool rulesDiffer = !m_allowRules || m_allowRules->size() != allow->size()
        || !std::equal(allow->begin(), allow->end(), m_allowRules->begin(),
                       [](const SuppressionRule& a, const SuppressionRule& b) {
                           return a.line() == b.line() && a.enabled == b.enabled;
                       });
    if (rulesDiffer) {
        m_allowRules = std::move(allow);
        Q_EMIT rulesChanged(m_allowRules);
    }
    relay();
}

void TriageController::relay()
{
    if (!m_data) {
        m_triage.reset();
    } else {
        m_triage = std::make_shared<const TableTriage>(layTriage(m_data->table, m_sha256, m_rowMarks, m_sourceMarks));
    }
    Q_EMIT triageChanged(m_triage);
}

void TriageController::refreshIfChanged()
{
    if (!m_workspace)
        return;
    try {
        if (m_workspace->changed())
            reload();
    } catch (const Error& error) {
        logger::get("ui")->warn("triage workspace: {}", error.what());
    }
}

bool TriageController::write(const std::vector<RowMark>& rows, const std::vector<SourceMark>& sources)
{
    if (!m_workspace)
        return false;
    try {
        if (!rows.empty())
            m_workspace->setRowMarks(rows);
        if (!sources.empty())
            m_workspace->setSourceMarks(sources);
    } catch (const Error& error) {
        Q_EMIT problem(tr("The verdict was not kept: %1").arg(QString::fromStdString(error.what())));
        reload();
        return false;
    }
    reload();
    return true;
}

bool TriageController::writeRules(const std::vector<SuppressionRule>& rules)
{
    if (!m_workspace)
        return false;
    try {
        m_workspace->setRules(rules);
    } catch (const Error& error) {
        Q_EMIT problem(tr("The allow-list was not kept: %1").arg(QString::fromStdString(error.what())));
        reload();
        return false;
    }
    reload();
    return true;
}

std::vector<RowMark> TriageController::rowMarksFor(const std::vector<std::size_t>& rows) const
{
    std::map<std::uint32_t, RowMark> byLine;
    for (const RowMark& mark : m_rowMarks)
        byLine.emplace(mark.line, mark);
    std::vector<RowMark> marks;
    if (!m_data)
        return marks;
    for (const std::size_t row : rows) {
        if (row >= m_data->table.rowCount())
            continue;
        const std::uint32_t line = m_data->table.sourceLines[row];
        const auto it = byLine.find(line);
        RowMark mark = it != byLine.end() ? it->second : RowMark{m_sha256, line, Mark::None, {}, 0};
        mark.updatedAt = 0;
        marks.push_back(std::move(mark));
    }
    return marks;
}

std::vector<SourceMark> TriageController::sourceMarksFor(const std::vector<std::string>& ips) const
{
    std::vector<SourceMark> marks;
    for (const std::string& ip : ips) {
        const auto it = std::find_if(m_sourceMarks.begin(), m_sourceMarks.end(),
                                     [&ip](const SourceMark& mark) { return mark.ip == ip; });
        SourceMark mark = it != m_sourceMarks.end() ? *it : SourceMark{ip, Mark::None, {}, m_sha256, m_fileName, 0};
        mark.updatedAt = 0;
        marks.push_back(std::move(mark));
    }
    return marks;
}

void TriageController::pushChange(const QString& text, std::vector<RowMark> before, std::vector<RowMark> after,
                                  std::vector<SourceMark> sourcesBefore, std::vector<SourceMark> sourcesAfter)
{
    if (before.empty() && sourcesBefore.empty())
        return;
    if (!write(after, sourcesAfter))
        return;
    auto* command = new TriageCommand(this, text);
    command->m_rowsBefore = std::move(before);
    command->m_rowsAfter = std::move(after);
    command->m_sourcesBefore = std::move(sourcesBefore);
    command->m_sourcesAfter = std::move(sourcesAfter);
    m_undo->push(command);
}

namespace {

QString markWord(Mark mark)
{
    const std::string_view label = markLabel(mark);
    return label.empty() ? QObject::tr("cleared") : QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()));
}

} // namespace

void TriageController::markRows(const std::vector<std::size_t>& rows, Mark mark)
{
    if (m_sha256.empty())
        return;
    std::vector<RowMark> before = rowMarksFor(rows);
    std::vector<RowMark> after = before;
    for (RowMark& row : after)
        row.mark = mark;
    pushChange(tr("Mark %1 %2").arg(countNoun(after.size(), tr("row"), tr("rows")), markWord(mark)), std::move(before),
               std::move(after), {}, {});
}

void TriageController::noteRows(const std::vector<std::size_t>& rows, const QString& note)
{
    if (m_sha256.empty())
        return;
    std::vector<RowMark> before = rowMarksFor(rows);
    std::vector<RowMark> after = before;
    for (RowMark& row : after)
        row.note = note.trimmed().toStdString();
    pushChange(tr("Note on %1").arg(countNoun(after.size(), tr("row"), tr("rows"))), std::move(before), std::move(after),
               {}, {});
}

void TriageController::markSources(const std::vector<std::string>& ips, Mark mark)
{
    std::vector<SourceMark> before = sourceMarksFor(ips);
    std::vector<SourceMark> after = before;
    for (SourceMark& source : after) {
        source.mark = mark;
        source.fileSha256 = m_sha256;
        source.fileName = m_fileName;
    }
    pushChange(tr("Mark %1 %2").arg(countNoun(after.size(), tr("source"), tr("sources")), markWord(mark)), {}, {},
               std::move(before), std::move(after));
}

void TriageController::noteSources(const std::vector<std::string>& ips, const QString& note)
{
    std::vector<SourceMark> before = sourceMarksFor(ips);
    std::vector<SourceMark> after = before;
    for (SourceMark& source : after)
        source.note = note.trimmed().toStdString();
    pushChange(tr("Note on %1").arg(countNoun(after.size(), tr("source"), tr("sources"))), {}, {}, std::move(before),
               std::move(after));
}

QString TriageController::noteOf(std::size_t row) const
{
    const std::string* note = m_triage ? m_triage->note(row) : nullptr;
    return note ? QString::fromStdString(*note) : QString();
}

void TriageController::setRules(const std::vector<SuppressionRule>& rules, const QString& what)
{
    std::vector<SuppressionRule> before;
    for (const StoredRule& stored : m_rules)
        before.push_back(stored.rule);
    if (!writeRules(rules))
        return;
    auto* command = new TriageCommand(this, what);
    command->m_rulesChange = true;
    command->m_rulesBefore = std::move(before);
    command->m_rulesAfter = rules;
    m_undo->push(command);
}

void TriageController::addRule(const SuppressionRule& rule)
{
    std::vector<SuppressionRule> rules;
    for (const StoredRule& stored : m_rules)
        rules.push_back(stored.rule);
    rules.push_back(rule);
    setRules(rules, tr("Add rule %1").arg(QString::fromStdString(rule.condition())));
}

void TriageController::updateRule(std::int64_t id, const SuppressionRule& rule)
{
    std::vector<SuppressionRule> rules;
    for (const StoredRule& stored : m_rules)
        rules.push_back(stored.id == id ? rule : stored.rule);
    setRules(rules, tr("Change rule %1").arg(QString::fromStdString(rule.condition())));
}

void TriageController::removeRule(std::int64_t id)
{
    std::vector<SuppressionRule> rules;
    QString removed;
    for (const StoredRule& stored : m_rules) {
        if (stored.id == id)
            removed = QString::fromStdString(stored.rule.condition());
        else
            rules.push_back(stored.rule);
    }
    setRules(rules, tr("Remove rule %1").arg(removed));
}

TriageBundle TriageController::bundle() const
{
    TriageBundle bundle;
    if (!m_workspace)
        return bundle;
    bundle.rowMarks = m_rowMarks;
    bundle.sourceMarks = m_sourceMarks;
    for (const StoredRule& stored : m_rules)
        bundle.rules.push_back(stored.rule);
    return bundle;
}

void TriageController::importBundle(const TriageBundle& bundle)
{
    if (!m_workspace)
        return;
    // Before: what the workspace holds now for the imported keys, so one undo takes it back.
    std::vector<RowMark> before;
    try {
        std::map<std::string, std::vector<RowMark>> byFile;
        for (const RowMark& mark : bundle.rowMarks) {
            auto [it, added] = byFile.try_emplace(mark.fileSha256);
            if (added)
                it->second = m_workspace->rowMarks(mark.fileSha256);
            const auto existing = std::find_if(it->second.begin(), it->second.end(),
                                               [&mark](const RowMark& old) { return old.line == mark.line; });
            before.push_back(existing != it->second.end() ? *existing : RowMark{mark.fileSha256, mark.line, {}, {}, 0});
        }
    } catch (const Error& error) {
        Q_EMIT problem(tr("Could not read the triage workspace: %1").arg(QString::fromStdString(error.what())));
        return;
    }
    std::vector<std::string> ips;
    for (const SourceMark& mark : bundle.sourceMarks)
        ips.push_back(mark.ip);
    std::vector<SourceMark> sourcesBefore = sourceMarksFor(ips);
    const bool marks = !bundle.rowMarks.empty() || !bundle.sourceMarks.empty();
    if (marks)
        pushChange(tr("Import triage"), std::move(before), bundle.rowMarks, std::move(sourcesBefore), bundle.sourceMarks);
    if (!bundle.rules.empty()) {
        std::vector<SuppressionRule> rules;
        for (const StoredRule& stored : m_rules)
            rules.push_back(stored.rule);
        for (const SuppressionRule& rule : bundle.rules) {
            const bool known = std::any_of(rules.begin(), rules.end(),
                                           [&rule](const SuppressionRule& old) { return old.line() == rule.line(); });
            if (!known)
                rules.push_back(rule);
        }
        setRules(rules, tr("Import allow-list"));
    }
}

} // namespace webthreat

#pragma once

#include "core/triage/mark.h"
#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"
#include "core/triage/workspace.h"

#include <QObject>
#include <QString>

#include <memory>
#include <string>
#include <vector>

class QTimer;
class QUndoStack;

namespace webthreat {

struct InputFingerprint;
struct PreparedData;

// The analyst's triage for the window: verdicts and notes on rows and source addresses, and the
// allow-list, kept in the Workspace (SQLite) and laid over the data shown as a TableTriage. Every
// change is one transaction and one undo step (Ctrl+Z), written before it is shown: a change the
// workspace refused (full disk) is reported and not shown. Marks another window writes to the
// same workspace come in when the window is activated or within two seconds.
class TriageController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TriageController)

public:
    explicit TriageController(QObject* parent = nullptr);
    ~TriageController() override;

    // The workspace file the workbench uses: the user's data location + "/workspace.sqlite"
    // (WEBTHREAT_WORKSPACE overrides it; tests set it).
    static QString defaultWorkspacePath();
    // Opens path. A file that is not a workspace is set aside and a fresh one made; message() then
    // says so (returned, and emitted through problem()). Returns false when no workspace could be
    // opened at all (triage is then off and the window says why).
    bool openWorkspace(const QString& path);
    bool hasWorkspace() const { return m_workspace != nullptr; }
    QString workspacePath() const;

    // The data now shown, and the file it came from (its SHA-256 keys the row marks).
    void setData(std::shared_ptr<const PreparedData> data, std::shared_ptr<const InputFingerprint> fingerprint);
    std::shared_ptr<const TableTriage> triage() const { return m_triage; }
    std::shared_ptr<const PreparedData> data() const { return m_data; }

    QUndoStack* undoStack() const { return m_undo; }

    // Table rows of the data shown. Mark::None clears. Each call is one undo step.
    void markRows(const std::vector<std::size_t>& rows, Mark mark);
    void noteRows(const std::vector<std::size_t>& rows, const QString& note);
    // Source addresses (src_ip text): the verdict applies to their rows in every file.
    void markSources(const std::vector<std::string>& ips, Mark mark);
    void noteSources(const std::vector<std::string>& ips, const QString& note);
    // The row's own note, else its source's.
    QString noteOf(std::size_t row) const;

    // The allow-list, in the order added.
    std::vector<StoredRule> rules() const { return m_rules; }
    std::shared_ptr<const std::vector<SuppressionRule>> allowRules() const { return m_allowRules; }
    void addRule(const SuppressionRule& rule);
    void updateRule(std::int64_t id, const SuppressionRule& rule);
    void removeRule(std::int64_t id);
    void setRules(const std::vector<SuppressionRule>& rules, const QString& what);

    // What is kept for export, and an import merged into the workspace (one undo step).
    TriageBundle bundle() const;
    void importBundle(const TriageBundle& bundle);

    // Reads the workspace again when another window changed it.
    void refreshIfChanged();

Q_SIGNALS:
    void triageChanged(std::shared_ptr<const webthreat::TableTriage> triage);
    void rulesChanged(std::shared_ptr<const std::vector<webthreat::SuppressionRule>> rules);
    // A change could not be written, or the workspace was set aside: shown to the analyst.
    void problem(const QString& message);

private:
    friend class TriageCommand;
    // Writes rows/sources/rules (one transaction each) and shows the result; false when refused.
    bool write(const std::vector<RowMark>& rows, const std::vector<SourceMark>& sources);
    bool writeRules(const std::vector<SuppressionRule>& rules);
    void reload();
    void relay();
    void pushChange(const QString& text, std::vector<RowMark> before, std::vector<RowMark> after,
                    std::vector<SourceMark> sourcesBefore, std::vector<SourceMark> sourcesAfter);
    std::vector<RowMark> rowMarksFor(const std::vector<std::size_t>& rows) const;
    std::vector<SourceMark> sourceMarksFor(const std::vector<std::string>& ips) const;

    std::unique_ptr<Workspace> m_workspace;
    QUndoStack* m_undo = nullptr;
    QTimer* m_poll = nullptr;
    std::shared_ptr<const PreparedData> m_data;
    std::string m_sha256;
    std::string m_fileName;
    std::vector<RowMark> m_rowMarks; // of m_sha256
    std::vector<SourceMark> m_sourceMarks;
    std::vector<StoredRule> m_rules;
    std::shared_ptr<const std::vector<SuppressionRule>> m_allowRules;
    std::shared_ptr<const TableTriage> m_triage;
};

} // namespace webthreat

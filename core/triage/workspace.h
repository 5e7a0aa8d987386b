#pragma once

#include "core/triage/mark.h"
#include "core/triage/suppression.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace webthreat {

// A verdict on one row of one input file: the file by its SHA-256, the row by its 1-based source
// line (TrafficTable::sourceLines), so it survives reopening, refits and other contaminations.
struct RowMark {
    std::string fileSha256; // lower-case hex
    std::uint32_t line = 0;
    Mark mark = Mark::None;
    std::string note;
    std::int64_t updatedAt = 0; // Unix seconds (set by the workspace when 0)
};

// A verdict on a source address: applies to its rows in every file.
struct SourceMark {
    std::string ip; // as written in src_ip
    Mark mark = Mark::None;
    std::string note;
    std::string fileSha256; // the file it was set on ("from an earlier file" when another)
    std::string fileName; // that file's name, for the message
    std::int64_t updatedAt = 0;
};

// A rule kept in the workspace, with its row id.
struct StoredRule {
    std::int64_t id = 0;
    SuppressionRule rule;
    std::int64_t createdAt = 0;
};

// The analyst's triage, kept in one SQLite file (WAL mode, each change one transaction): row and
// source verdicts with notes, and the allow-list. Two windows (or processes) may share one file:
// every write touches only the rows it changes, so neither loses the other's marks; changed()
// tells a reader to look again. Plain C++: the workbench passes the path (its data location).
// One object is used by one thread at a time; another thread or window opens its own. Writes wait
// up to 5 s for another writer, then throw OutputError (nothing of that change saved); reads throw
// InputError. Values that cannot be stored (a bad SHA-256, line 0, a note over 64 KiB or not UTF-8,
// a rule value with '#') throw ParameterError before anything is written.
class Workspace {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens path, creating it (and its folder) when missing. A file that is not a workspace
    // (corrupt, another program's database) or has a newer schema is never written to: it is
    // renamed aside to "<path>.unreadable-<UTC time>" and InputError is thrown naming both paths
    // and the reason; the caller may then open path again to start afresh.
    explicit Workspace(const std::string& path);
    ~Workspace();
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& path() const noexcept { return m_path; }

    std::vector<RowMark> rowMarks(const std::string& fileSha256) const;
    // Upserts marks in one transaction; a mark with Mark::None and an empty note is deleted.
    void setRowMarks(const std::vector<RowMark>& marks);

    std::vector<SourceMark> sourceMarks() const;
    // Upserts by ip in one transaction; Mark::None with an empty note deletes.
    void setSourceMarks(const std::vector<SourceMark>& marks);

    std::vector<StoredRule> rules() const; // in the order added
    std::int64_t addRule(const SuppressionRule& rule);
    void updateRule(std::int64_t id, const SuppressionRule& rule);
    void removeRule(std::int64_t id);
    // Replaces the whole allow-list in one transaction (undo, import).
    void setRules(const std::vector<SuppressionRule>& rules);

    // True when another connection wrote since the last call (PRAGMA data_version).
    bool changed();

private:
    std::string m_path;
    sqlite3* m_db = nullptr;
    std::int64_t m_dataVersion = 0;
};

// Triage handed to a colleague: File > Export Triage / Import Triage.
struct TriageBundle {
    std::vector<RowMark> rowMarks;
    std::vector<SourceMark> sourceMarks;
    std::vector<SuppressionRule> rules;
};

// JSON: {"format":"webthreat-triage","version":1,"rows":[...],"sources":[...],"rules":[...]}.
std::string triageToJson(const TriageBundle& bundle);
// CSV: one line per mark: kind,file_sha256,line,ip,mark,note,(rule) with a header.
std::string triageToCsv(const TriageBundle& bundle);
// Reads either (by content). Every field is checked; throws InputError with fileName, line and
// column (CSV) or the JSON path of the first bad value.
TriageBundle readTriage(std::string_view text, const std::string& fileName);

} // namespace webthreat

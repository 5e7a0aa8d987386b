#include "core/triage/workspace.h"

#include "core/triage/triagefields_internal.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <system_error>

// The workspace is SQLite through its C API (core has no Qt). What the file promises:
// - application_id marks it as ours ("WTWS"), user_version is its schema; another program's
//   database, a damaged file (quick_check) or a newer schema is set aside unchanged, never written.
// - WAL mode: a reader never blocks the writer, and a program killed mid-write leaves the last
//   committed transaction in place (the half-written one is discarded by the next open).
// - synchronous=FULL: the WAL is flushed to disk at each commit, so a mark the analyst saw saved
//   survives a power cut too, not only a crash of the program. A commit is one keypress's change,
//   or one import in one transaction, so the one fsync per commit costs nothing noticeable
//   (BENCHMARKS.md); NORMAL would only save that fsync at the risk of the last marks.
// - busy_timeout 5 s: two windows or processes wait for each other's transaction instead of failing.
// - Every change is one BEGIN IMMEDIATE transaction of bound statements touching only the rows it
//   changes, so neither of two writers loses the other's marks.
// - Every value read back is checked (Persisted state is input): a row that fails is skipped with a
//   warning in the log naming the table, its key and what is wrong, and left in the file as it is;
//   the rest of the analyst's work stays usable. The tables are STRICT and CHECK their values, so
//   only another program writing to the file can put such a row there.

namespace webthreat {

namespace {
constexpr int kApplicationId = 0x57545753; // "WTWS": a webthreat workspace
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS row_marks(
    file_sha256 TEXT NOT NULL CHECK (length(file_sha256) = 64),
    line INTEGER NOT NULL CHECK (line BETWEEN 1 AND 4294967295),
    mark TEXT NOT NULL CHECK (mark IN ('', 'malicious', 'benign', 'needs_review')),
    note TEXT NOT NULL,
    updated_at INTEGER NOT NULL CHECK (updated_at >= 0),
    PRIMARY KEY (file_sha256, line)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_marks(
    ip TEXT NOT NULL PRIMARY KEY CHECK (length(ip) > 0),
    mark TEXT NOT NULL CHECK (mark IN ('', 'malicious', 'benign', 'needs_review')),
    note TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    updated_at INTEGER NOT NULL CHECK (updated_at >= 0)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rules(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    field TEXT NOT NULL,
    value TEXT NOT NULL CHECK (length(value) > 0),
    reason TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at INTEGER NOT NULL CHECK (created_at >= 0)) STRICT;
)sql";

// What each table must answer; preparing these on open finds a table missing or lacking a column.
constexpr const char* kTableProbes[] = {
    "SELECT file_sha256, line, mark, note, updated_at FROM row_marks LIMIT 0",
    "SELECT ip, mark, note, file_sha256, file_name, updated_at FROM source_marks LIMIT 0",
    "SELECT id, field, value, reason, enabled, created_at FROM rules LIMIT 0",
};

// A failed SQLite call, turned into InputError or OutputError (naming the workspace) by the caller.
struct SqliteFailure {
    int code;
    std::string message;
};

[[noreturn]] void fail(sqlite3* db, int code)
{
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    // SQLite's "disk I/O error" says nothing of why: the system's reason does ("No space left on device").
    const int primary = code & 0xFF;
    if (db != nullptr && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN)) {
        if (const int error = sqlite3_system_errno(db); error != 0)
            message += ": " + std::generic_category().message(error);
    }
    throw SqliteFailure{code, message};
}

// A prepared statement with bound parameters, finalised when it goes.
class Statement {
public:
    Statement(sqlite3* db, const char* sql)
        : m_db(db)
    {
        if (const int code = sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr); code != SQLITE_OK)
            fail(db, code);
    }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text)
    {
        check(sqlite3_bind_text(m_statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
        return *this;
    }
    Statement& bind(int index, std::int64_t number)
    {
        check(sqlite3_bind_int64(m_statement, index, number));
        return *this;
    }
    // True while a row is there to read.
    bool step()
    {
        const int code = sqlite3_step(m_statement);
        if (code == SQLITE_ROW)
            return true;
        if (code != SQLITE_DONE)
            fail(m_db, code);
        return false;
    }
    // Runs a statement that returns no rows and makes it ready for the next bindings.
    void run()
    {
        while (step()) { }
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
    bool isInteger(int column) const { return sqlite3_column_type(m_statement, column) == SQLITE_INTEGER; }
    bool isText(int column) const { return sqlite3_column_type(m_statement, column) == SQLITE_TEXT; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }
    std::string text(int column) const
    {
        const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
        return bytes == nullptr
            ? std::string()
            : std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)));
    }

private:
    void check(int code)
    {
        if (code != SQLITE_OK)
            fail(m_db, code);
    }

    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
};

void execute(sqlite3* db, const char* sql)
{
    if (const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr); code != SQLITE_OK)
        fail(db, code);
}

std::int64_t queryInteger(sqlite3* db, const char* sql)
{
    Statement statement(db, sql);
    return statement.step() ? statement.integer(0) : 0;
}

std::string queryText(sqlite3* db, const char* sql)
{
    Statement statement(db, sql);
    return statement.step() ? statement.text(0) : std::string();
}

// Damage and "not a database" set the file aside; anything else (permissions, a busy lock, a
// folder that is not there) says so and leaves the file alone.
bool isDamage(int code) noexcept
{
    const int primary = code & 0xFF;
    return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT;
}

// What to look at when an existing file cannot be opened for a reason other than its contents.
std::string openHint(int code)
{
    switch (code & 0xFF) {
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return " (the workspace and its folder must be readable and writable: SQLite keeps its -wal and -shm files "
               "beside it)";
    case SQLITE_BUSY:
        return " (another program held it for over 5 seconds)";
    default:
        return "";
    }
}

std::string writeProblem(const SqliteFailure& failure)
{
    switch (failure.code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another window or program held the workspace for over 5 seconds";
    case SQLITE_READONLY:
        return "the workspace or its folder is read-only (" + failure.message + ")";
    case SQLITE_FULL:
        return "the disk is full (" + failure.message + ")";
    case SQLITE_IOERR:
        return "writing to the disk failed (" + failure.message + "; is the disk full?)";
    default:
        return failure.message;
    }
}

// What is wrong with an existing file, or nothing; fresh when it is empty (new, or created and
// never written).
struct Inspection {
    bool fresh = false;
    std::string problem;
};

Inspection inspectSnapshot(sqlite3* db)
{
    const std::int64_t applicationId = queryInteger(db, "PRAGMA application_id");
    const std::int64_t version = queryInteger(db, "PRAGMA user_version");
    const std::int64_t objects = queryInteger(db, "SELECT count(*) FROM sqlite_schema");
    if (applicationId == 0 && version == 0 && objects == 0)
        return {true, {}};
    if (applicationId != kApplicationId)
        return {false,
                applicationId == 0
                    ? "it is a SQLite database without the workspace's mark (another program's)"
                    : "it is another program's SQLite database (application_id " + std::to_string(applicationId) + ")"};
    if (version > Workspace::kSchemaVersion)
        return {false,
                "it was written by a newer version of the workbench (workspace schema " + std::to_string(version)
                    + "; this version reads up to " + std::to_string(Workspace::kSchemaVersion) + ")"};
    if (version < 1)
        return {false, "it is damaged (workspace schema " + std::to_string(version) + ")"};
    // The structure only: a row that breaks a CHECK is skipped when read, not worth the whole file.
    execute(db, "PRAGMA ignore_check_constraints = ON");
    const std::string check = queryText(db, "PRAGMA quick_check(1)");
    execute(db, "PRAGMA ignore_check_constraints = OFF");
    if (check != "ok")
        return {false, "it is damaged (SQLite's quick check: " + check + ")"};
    // Triggers or views would run on our writes or stand in for our tables: no workspace has any.
    if (queryInteger(db, "SELECT count(*) FROM sqlite_schema WHERE type IN ('trigger', 'view')") > 0)
        return {false, "it holds triggers or views, which no workspace has"};
    for (const char* probe : kTableProbes) {
        sqlite3_stmt* statement = nullptr;
        const int code = sqlite3_prepare_v2(db, probe, -1, &statement, nullptr);
        sqlite3_finalize(statement);
        if (code != SQLITE_OK)
            return {false, std::string("it is damaged (") + sqlite3_errmsg(db) + ")"};
    }
    return {};
}

// Reads in one transaction, so that every answer comes from one state of the file: read apart, a
// new workspace another program is creating could look half made (no mark yet, tables already
// there) and be set aside.
Inspection inspect(sqlite3* db)
{
    execute(db, "BEGIN");
    try {
        Inspection inspection = inspectSnapshot(db);
        execute(db, "COMMIT");
        return inspection;
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// "20261206T231236Z": a time for a file name (no ':').
std::string fileTime()
{
    std::string time = triage::formatUtc(triage::nowSeconds());
    std::erase(time, '-');
    std::erase(time, ':');
    return time;
}

// Renames the file (its -wal and -shm first, so that no stale log is left beside a new
// workspace) to a name nothing has, and throws the InputError that names both paths.
[[noreturn]] void setAside(const std::string& path, const std::string& problem)
{
    namespace fs = std::filesystem;
    const std::string base = path + ".unreadable-" + fileTime();
    std::string aside = base;
    std::error_code error;
    for (int n = 2; fs::exists(aside, error) || fs::exists(aside + "-wal", error); ++n)
        aside = base + "-" + std::to_string(n);
    const auto failed = [&] {
        return InputError(path, 0, "",
                          "the workspace cannot be used: " + problem + "; setting it aside as " + aside + " failed ("
                              + error.message() + "), so it was left as it is");
    };
    for (const char* sidecar : {"-wal", "-shm", "-journal"}) {
        if (fs::exists(path + sidecar, error)) {
            fs::rename(path + sidecar, aside + sidecar, error);
            if (error)
                throw failed();
        }
    }
    fs::rename(path, aside, error);
    if (error)
        throw failed();
    logger::core()->warn("workspace {} set aside as {}: {}", path, aside, problem);
    throw InputError(path, 0, "",
                     "the workspace cannot be used: " + problem + ". It was set aside unchanged as " + aside
                         + "; opening " + path + " again starts a new workspace");
}

struct Closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

Connection openConnection(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const bool existed = fs::exists(path, error);
    if (const fs::path folder = fs::path(path).parent_path(); !existed && !folder.empty()) {
        fs::create_directories(folder, error);
        if (error)
            throw OutputError(path + ": cannot create the workspace's folder " + folder.string() + ": "
                              + error.message());
    }
    sqlite3* raw = nullptr;
    const int code = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection db(raw);
    if (code != SQLITE_OK) {
        const std::string why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code);
        if (existed)
            throw InputError(path, 0, "", "cannot open the workspace: " + why);
        throw OutputError(path + ": cannot create the workspace: " + why);
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    // Until the file is known to be ours, closing must not checkpoint (write) into it.
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    return db;
}

// WAL and FULL for this connection; creates the tables in a new file. Two programs creating the
// same new workspace at once: the second finds the first's tables inside its own transaction.
void prepareConnection(sqlite3* db, bool fresh)
{
    std::string mode = queryText(db, "PRAGMA journal_mode");
    if (mode != "wal") {
        try {
            mode = queryText(db, "PRAGMA journal_mode = WAL");
        } catch (const SqliteFailure& failure) {
            // Another program made the same new file a WAL file first and holds it open: it is one now.
            if ((failure.code & 0xFF) != SQLITE_BUSY)
                throw;
            mode = queryText(db, "PRAGMA journal_mode");
        }
    }
    if (mode != "wal")
        logger::core()->warn("workspace: SQLite kept journal mode '{}' instead of WAL", mode);
    execute(db, "PRAGMA synchronous = FULL");
    if (fresh) {
        execute(db, "BEGIN IMMEDIATE");
        try {
            if (queryInteger(db, "PRAGMA application_id") == 0) {
                execute(db, kSchema);
                execute(db, ("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
                execute(db, ("PRAGMA user_version = " + std::to_string(Workspace::kSchemaVersion)).c_str());
            }
            execute(db, "COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
}

// One change, one transaction: all of it or nothing. SQLite's failures become OutputError naming
// the workspace; the body's own errors (a stale rule id) pass through after the rollback.
void inTransaction(sqlite3* db, const std::string& path, const char* what, const std::function<void()>& body)
{
    try {
        execute(db, "BEGIN IMMEDIATE");
        try {
            body();
            execute(db, "COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    } catch (const SqliteFailure& failure) {
        throw OutputError(path + ": cannot save " + what + " to the workspace: " + writeProblem(failure)
                          + "; nothing of this change was saved");
    }
}

// Reads through body, turning SQLite's failures into InputError naming the workspace.
template <typename Body>
auto reading(const std::string& path, Body body)
{
    try {
        return body();
    } catch (const SqliteFailure& failure) {
        throw InputError(path, 0, "", "cannot read the workspace: " + failure.message);
    }
}

bool validMark(Mark mark) noexcept
{
    return static_cast<int>(mark) <= static_cast<int>(Mark::NeedsReview);
}

// The stored text of a mark back as a Mark: exactly what markName writes.
std::optional<Mark> storedMark(const std::string& text) noexcept
{
    for (const Mark mark : {Mark::None, Mark::Malicious, Mark::Benign, Mark::NeedsReview})
        if (text == markName(mark))
            return mark;
    return std::nullopt;
}

// Counts the rows a read skipped and logs the first few (a damaged file could hold millions).
class SkipLog {
public:
    SkipLog(const std::string& path, const char* table)
        : m_path(path)
        , m_table(table)
    {
    }
    ~SkipLog()
    {
        if (m_skipped > kLogged)
            logger::core()->warn("workspace {}: {} rows of {} skipped in all", m_path, m_skipped, m_table);
    }
    SkipLog(const SkipLog&) = delete;
    SkipLog& operator=(const SkipLog&) = delete;

    void skip(const std::string& key, const std::string& problem)
    {
        if (++m_skipped <= kLogged)
            logger::core()->warn("workspace {}: {} row {} skipped: {}", m_path, m_table, key, problem);
    }

private:
    static constexpr std::size_t kLogged = 5;
    const std::string& m_path;
    const char* m_table;
    std::size_t m_skipped = 0;
};

// Reads the columns a mark row shares (mark, note, updated_at at first..first+2); why not, or "".
std::string readMarkColumns(const Statement& row, int first, Mark& mark, std::string& note, std::int64_t& updatedAt)
{
    if (!row.isText(first) || !row.isText(first + 1) || !row.isInteger(first + 2))
        return "a value of the wrong type";
    const auto parsed = storedMark(row.text(first));
    if (!parsed)
        return "mark '" + row.text(first) + "' is not a verdict";
    mark = *parsed;
    note = row.text(first + 1);
    if (const char* problem = triage::checkNote(note))
        return std::string("the note ") + problem;
    updatedAt = row.integer(first + 2);
    if (const char* problem = triage::checkTime(updatedAt))
        return std::string("updated_at ") + problem;
    return {};
}

void checkRule(const SuppressionRule& rule, const std::string& where)
{
    if (triage::fieldText(rule.field).empty())
        throw ParameterError(where + ": unknown rule field");
    if (const char* problem = triage::checkRuleValue(rule.value))
        throw ParameterError(where + ": the value " + problem);
    std::string problem;
    (void)triage::normaliseRuleValue(rule.field, rule.value, problem);
    if (!problem.empty())
        throw ParameterError(where + ": " + problem);
    if (const char* problem = triage::checkRuleReason(rule.reason))
        throw ParameterError(where + ": the reason " + problem);
}

void bindRule(Statement& statement, const SuppressionRule& rule)
{
    statement.bind(1, triage::fieldText(rule.field))
        .bind(2, rule.value)
        .bind(3, rule.reason)
        .bind(4, std::int64_t{rule.enabled ? 1 : 0});
}
} // namespace

Workspace::Workspace(const std::string& path)
    : m_path(path)
{
    Connection db = openConnection(path);
    Inspection inspection;
    try {
        inspection = inspect(db.get());
    } catch (const SqliteFailure& failure) {
        if (!isDamage(failure.code))
            throw InputError(path, 0, "", "cannot open the workspace: " + failure.message + openHint(failure.code));
        inspection.problem = (failure.code & 0xFF) == SQLITE_NOTADB ? "it is not a SQLite database"
                                                                    : "it is damaged (" + failure.message + ")";
    }
    if (!inspection.problem.empty()) {
        db.reset();
        setAside(path, inspection.problem);
    }
    try {
        prepareConnection(db.get(), inspection.fresh);
        m_dataVersion = queryInteger(db.get(), "PRAGMA data_version");
    } catch (const SqliteFailure& failure) {
        throw OutputError(path + ": cannot prepare the workspace: " + writeProblem(failure));
    }
    m_db = db.release();
}

Workspace::~Workspace()
{
    sqlite3_close_v2(m_db);
}

std::vector<RowMark> Workspace::rowMarks(const std::string& fileSha256) const
{
    if (!triage::isSha256(fileSha256))
        return {};
    const std::string sha = triage::lowerCase(fileSha256);
    return reading(m_path, [&] {
        Statement select(m_db,
                         "SELECT line, mark, note, updated_at FROM row_marks WHERE file_sha256 = ?1 ORDER BY line");
        select.bind(1, sha);
        SkipLog skipped(m_path, "row_marks");
        std::vector<RowMark> marks;
        while (select.step()) {
            RowMark mark;
            mark.fileSha256 = sha;
            const std::int64_t line = select.isInteger(0) ? select.integer(0) : 0;
            std::string problem = readMarkColumns(select, 1, mark.mark, mark.note, mark.updatedAt);
            if (problem.empty() && (line < 1 || line > triage::kMaxLine))
                problem = "line " + select.text(0) + " is not a line number";
            if (!problem.empty()) {
                skipped.skip(sha.substr(0, 12) + "... line " + select.text(0), problem);
                continue;
            }
            mark.line = static_cast<std::uint32_t>(line);
            marks.push_back(std::move(mark));
        }
        return marks;
    });
}

void Workspace::setRowMarks(const std::vector<RowMark>& marks)
{
    for (std::size_t i = 0; i < marks.size(); ++i) {
        const RowMark& mark = marks[i];
        const std::string where = "row mark " + std::to_string(i + 1);
        if (!triage::isSha256(mark.fileSha256))
            throw ParameterError(where + ": the file's SHA-256 is not 64 hexadecimal digits");
        if (mark.line == 0)
            throw ParameterError(where + ": line 0 is not a line number");
        if (!validMark(mark.mark))
            throw ParameterError(where + ": not a verdict");
        if (const char* problem = triage::checkNote(mark.note))
            throw ParameterError(where + ": the note " + problem);
        if (const char* problem = triage::checkTime(mark.updatedAt))
            throw ParameterError(where + ": the time " + problem);
    }
    inTransaction(m_db, m_path, "the row marks", [&] {
        Statement upsert(m_db,
                         "INSERT INTO row_marks(file_sha256, line, mark, note, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                         "ON CONFLICT (file_sha256, line) DO UPDATE SET mark = excluded.mark, "
                         "note = excluded.note, updated_at = excluded.updated_at");
        Statement remove(m_db, "DELETE FROM row_marks WHERE file_sha256 = ?1 AND line = ?2");
        const std::int64_t now = triage::nowSeconds();
        for (const RowMark& mark : marks) {
            const std::string sha = triage::lowerCase(mark.fileSha256);
            if (mark.mark == Mark::None && mark.note.empty()) {
                remove.bind(1, sha).bind(2, std::int64_t{mark.line}).run();
                continue;
            }
            upsert.bind(1, sha)
                .bind(2, std::int64_t{mark.line})
                .bind(3, markName(mark.mark))
                .bind(4, mark.note)
                .bind(5, mark.updatedAt != 0 ? mark.updatedAt : now)
                .run();
        }
    });
}

std::vector<SourceMark> Workspace::sourceMarks() const
{
    return reading(m_path, [&] {
        Statement select(m_db,
                         "SELECT ip, mark, note, updated_at, file_sha256, file_name FROM source_marks ORDER BY ip");
        SkipLog skipped(m_path, "source_marks");
        std::vector<SourceMark> marks;
        while (select.step()) {
            SourceMark mark;
            std::string problem = readMarkColumns(select, 1, mark.mark, mark.note, mark.updatedAt);
            if (problem.empty() && (!select.isText(0) || !select.isText(4) || !select.isText(5)))
                problem = "a value of the wrong type";
            mark.ip = select.text(0);
            mark.fileSha256 = select.text(4);
            mark.fileName = select.text(5);
            if (const char* why = triage::checkIp(mark.ip); problem.empty() && why != nullptr)
                problem = std::string("the address ") + why;
            if (problem.empty() && !mark.fileSha256.empty() && !triage::isSha256(mark.fileSha256))
                problem = "file_sha256 is not 64 hexadecimal digits";
            if (const char* why = triage::checkFileName(mark.fileName); problem.empty() && why != nullptr)
                problem = std::string("the file name ") + why;
            if (!problem.empty()) {
                skipped.skip("'" + mark.ip.substr(0, 64) + "'", problem);
                continue;
            }
            mark.fileSha256 = triage::lowerCase(mark.fileSha256);
            marks.push_back(std::move(mark));
        }
        return marks;
    });
}

void Workspace::setSourceMarks(const std::vector<SourceMark>& marks)
{
    for (std::size_t i = 0; i < marks.size(); ++i) {
        const SourceMark& mark = marks[i];
        const std::string where = "source mark " + std::to_string(i + 1);
        if (const char* problem = triage::checkIp(mark.ip))
            throw ParameterError(where + ": the address " + problem);
        if (!validMark(mark.mark))
            throw ParameterError(where + ": not a verdict");
        if (const char* problem = triage::checkNote(mark.note))
            throw ParameterError(where + ": the note " + problem);
        if (!mark.fileSha256.empty() && !triage::isSha256(mark.fileSha256))
            throw ParameterError(where + ": the file's SHA-256 is not 64 hexadecimal digits");
        if (const char* problem = triage::checkFileName(mark.fileName))
            throw ParameterError(where + ": the file name " + problem);
        if (const char* problem = triage::checkTime(mark.updatedAt))
            throw ParameterError(where + ": the time " + problem);
    }
    inTransaction(m_db, m_path, "the source marks", [&] {
        Statement upsert(m_db,
                         "INSERT INTO source_marks(ip, mark, note, file_sha256, file_name, updated_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (ip) DO UPDATE SET mark = excluded.mark, "
                         "note = excluded.note, file_sha256 = excluded.file_sha256, "
                         "file_name = excluded.file_name, updated_at = excluded.updated_at");
        Statement remove(m_db, "DELETE FROM source_marks WHERE ip = ?1");
        const std::int64_t now = triage::nowSeconds();
        for (const SourceMark& mark : marks) {
            if (mark.mark == Mark::None && mark.note.empty()) {
                remove.bind(1, mark.ip).run();
                continue;
            }
            upsert.bind(1, mark.ip)
                .bind(2, markName(mark.mark))
                .bind(3, mark.note)
                .bind(4, triage::lowerCase(mark.fileSha256))
                .bind(5, mark.fileName)
                .bind(6, mark.updatedAt != 0 ? mark.updatedAt : now)
                .run();
        }
    });
}

std::vector<StoredRule> Workspace::rules() const
{
    return reading(m_path, [&] {
        Statement select(m_db, "SELECT id, field, value, reason, enabled, created_at FROM rules ORDER BY id");
        SkipLog skipped(m_path, "rules");
        std::vector<StoredRule> rules;
        while (select.step()) {
            StoredRule stored;
            stored.id = select.integer(0);
            std::string problem;
            if (!select.isInteger(0) || !select.isText(1) || !select.isText(2) || !select.isText(3)
                || !select.isInteger(4) || !select.isInteger(5))
                problem = "a value of the wrong type";
            const auto field = triage::parseFieldText(select.text(1));
            if (problem.empty() && !field)
                problem = "unknown field '" + select.text(1).substr(0, 64) + "'";
            stored.rule.value = select.text(2);
            stored.rule.reason = select.text(3);
            if (const char* why = triage::checkRuleValue(stored.rule.value); problem.empty() && why != nullptr)
                problem = std::string("the value ") + why;
            if (const char* why = triage::checkRuleReason(stored.rule.reason); problem.empty() && why != nullptr)
                problem = std::string("the reason ") + why;
            if (problem.empty()) {
                std::string why;
                (void)triage::normaliseRuleValue(*field, stored.rule.value, why);
                if (!why.empty())
                    problem = "the value: " + why;
            }
            if (problem.empty() && select.integer(4) != 0 && select.integer(4) != 1)
                problem = "enabled is neither 0 nor 1";
            stored.createdAt = select.integer(5);
            if (const char* why = triage::checkTime(stored.createdAt); problem.empty() && why != nullptr)
                problem = std::string("created_at ") + why;
            if (!problem.empty()) {
                skipped.skip("id " + select.text(0), problem);
                continue;
            }
            stored.rule.field = *field;
            stored.rule.enabled = select.integer(4) == 1;
            rules.push_back(std::move(stored));
        }
        return rules;
    });
}

std::int64_t Workspace::addRule(const SuppressionRule& rule)
{
    checkRule(rule, "the rule");
    std::int64_t id = 0;
    inTransaction(m_db, m_path, "the rule", [&] {
        Statement insert(m_db,
                         "INSERT INTO rules(field, value, reason, enabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
        bindRule(insert, rule);
        insert.bind(5, triage::nowSeconds()).run();
        id = sqlite3_last_insert_rowid(m_db);
    });
    return id;
}

void Workspace::updateRule(std::int64_t id, const SuppressionRule& rule)
{
    checkRule(rule, "the rule");
    inTransaction(m_db, m_path, "the rule", [&] {
        Statement update(m_db, "UPDATE rules SET field = ?1, value = ?2, reason = ?3, enabled = ?4 WHERE id = ?5");
        bindRule(update, rule);
        update.bind(5, id).run();
        if (sqlite3_changes(m_db) == 0)
            throw ParameterError("the workspace has no rule " + std::to_string(id)
                                 + " (another window may have removed it); nothing was changed");
    });
}

void Workspace::removeRule(std::int64_t id)
{
    inTransaction(m_db, m_path, "the rules", [&] {
        Statement remove(m_db, "DELETE FROM rules WHERE id = ?1");
        remove.bind(1, id).run();
    });
}

void Workspace::setRules(const std::vector<SuppressionRule>& rules)
{
    for (std::size_t i = 0; i < rules.size(); ++i)
        checkRule(rules[i], "rule " + std::to_string(i + 1));
    inTransaction(m_db, m_path, "the rules", [&] {
        execute(m_db, "DELETE FROM rules");
        Statement insert(m_db,
                         "INSERT INTO rules(field, value, reason, enabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
        const std::int64_t now = triage::nowSeconds();
        for (const SuppressionRule& rule : rules) {
            bindRule(insert, rule);
            insert.bind(5, now).run();
        }
    });
}

bool Workspace::changed()
{
    const std::int64_t version = reading(m_path, [&] { return queryInteger(m_db, "PRAGMA data_version"); });
    const bool changed = version != m_dataVersion;
    m_dataVersion = version;
    return changed;
}

} // namespace webthreat

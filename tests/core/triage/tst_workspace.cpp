// core/triage/workspace: the analyst's triage kept in SQLite; nothing lost (killed mid-write, two
// writers, a damaged or newer file set aside unchanged).
#include "core/triage/workspace.h"
#include "core/util/errors.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>
#include <memory>

#include <sys/resource.h>
#include <unistd.h>

using namespace webthreat;

namespace {
const std::string kSha(64, 'a');
const std::string kOtherSha(64, 'b');

RowMark rowMark(std::uint32_t line, Mark mark, std::string note = {}, const std::string& sha = kSha)
{
    RowMark row;
    row.fileSha256 = sha;
    row.line = line;
    row.mark = mark;
    row.note = std::move(note);
    return row;
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

// A plain SQLite connection, to look at or damage the file as another program would.
class RawDatabase {
public:
    explicit RawDatabase(const QString& path)
    {
        if (sqlite3_open(path.toUtf8().constData(), &m_db) != SQLITE_OK)
            qFatal("cannot open %s", qPrintable(path));
    }
    ~RawDatabase() { sqlite3_close(m_db); }
    RawDatabase(const RawDatabase&) = delete;
    RawDatabase& operator=(const RawDatabase&) = delete;

    // Closing leaves the WAL as it is (as a killed program would), not checkpointed into the file.
    void keepWalOnClose() { sqlite3_db_config(m_db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr); }

    bool execute(const char* sql)
    {
        char* error = nullptr;
        const int code = sqlite3_exec(m_db, sql, nullptr, nullptr, &error);
        if (error != nullptr) {
            qWarning("%s: %s", sql, error);
            sqlite3_free(error);
        }
        return code == SQLITE_OK;
    }
    QString text(const char* sql)
    {
        sqlite3_stmt* statement = nullptr;
        QString value;
        if (sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW)
            value = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
        sqlite3_finalize(statement);
        return value;
    }

private:
    sqlite3* m_db = nullptr;
};

// The files beside path whose names start with its name and ".unreadable-".
QStringList setAsideFiles(const QString& path)
{
    const QFileInfo info(path);
    return QDir(info.absolutePath())
        .entryList({info.fileName() + QStringLiteral(".unreadable-*")}, QDir::Files, QDir::Name);
}

// The last "committed N" a writer printed.
long lastCommitted(const QByteArray& output)
{
    long last = 0;
    for (const QByteArray& line : output.split('\n'))
        if (line.startsWith("committed "))
            last = line.mid(10).toLong();
    return last;
}
} // namespace

class TestWorkspace : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowMarksRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("sub/folder/workspace.sqlite")).toStdString();
        {
            Workspace workspace(path); // creates the folders
            QCOMPARE(workspace.path(), path);
            QVERIFY(workspace.rowMarks(kSha).empty());
            RowMark dated = rowMark(9, Mark::NeedsReview, "ask Sam");
            dated.updatedAt = 1700000000;
            workspace.setRowMarks({rowMark(3, Mark::Malicious, "exfiltration, see ticket 42"), rowMark(5, Mark::Benign),
                                   dated, rowMark(7, Mark::None, "a note without a verdict"),
                                   rowMark(1, Mark::Malicious, {}, std::string(64, 'B'))});
        }
        Workspace workspace(path);
        const std::vector<RowMark> marks = workspace.rowMarks(kSha);
        QCOMPARE(marks.size(), std::size_t(4));
        QCOMPARE(marks[0].line, 3u);
        QCOMPARE(marks[0].mark, Mark::Malicious);
        QCOMPARE(marks[0].note, std::string("exfiltration, see ticket 42"));
        QVERIFY(marks[0].updatedAt > 1700000000); // set by the workspace
        QCOMPARE(marks[1].mark, Mark::Benign);
        QCOMPARE(marks[2].line, 7u);
        QCOMPARE(marks[2].mark, Mark::None);
        QCOMPARE(marks[2].note, std::string("a note without a verdict"));
        QCOMPARE(marks[3].updatedAt, std::int64_t(1700000000)); // kept as given
        // Upper-case hex is the same file.
        QCOMPARE(workspace.rowMarks(std::string(64, 'b')).size(), std::size_t(1));
        QCOMPARE(workspace.rowMarks(std::string(64, 'B')).at(0).fileSha256, std::string(64, 'b'));

        // None with an empty note deletes; changing a mark replaces it.
        workspace.setRowMarks(
            {rowMark(3, Mark::None), rowMark(7, Mark::None), rowMark(5, Mark::Malicious, "not our scanner")});
        const std::vector<RowMark> after = Workspace(path).rowMarks(kSha);
        QCOMPARE(after.size(), std::size_t(2));
        QCOMPARE(after[0].line, 5u);
        QCOMPARE(after[0].mark, Mark::Malicious);
        QCOMPARE(after[0].note, std::string("not our scanner"));
        QCOMPARE(after[1].line, 9u);
    }

    void sourceMarksRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("workspace.sqlite")).toStdString();
        {
            Workspace workspace(path);
            SourceMark scanner{"10.0.0.7", Mark::Benign, "our scanner", kSha, "monday.csv", 0};
            SourceMark exfil{"2001:db8::1", Mark::Malicious, "", kOtherSha, "tuesday.csv", 1700000000};
            workspace.setSourceMarks({scanner, exfil});
        }
        Workspace workspace(path);
        std::vector<SourceMark> marks = workspace.sourceMarks();
        QCOMPARE(marks.size(), std::size_t(2));
        QCOMPARE(marks[0].ip, std::string("10.0.0.7"));
        QCOMPARE(marks[0].mark, Mark::Benign);
        QCOMPARE(marks[0].note, std::string("our scanner"));
        QCOMPARE(marks[0].fileSha256, kSha);
        QCOMPARE(marks[0].fileName, std::string("monday.csv"));
        QVERIFY(marks[0].updatedAt > 0);
        QCOMPARE(marks[1].ip, std::string("2001:db8::1"));
        QCOMPARE(marks[1].updatedAt, std::int64_t(1700000000));
        workspace.setSourceMarks({SourceMark{"10.0.0.7", Mark::None, "", "", "", 0}});
        marks = Workspace(path).sourceMarks();
        QCOMPARE(marks.size(), std::size_t(1));
        QCOMPARE(marks[0].ip, std::string("2001:db8::1"));
    }

    void rulesRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("workspace.sqlite")).toStdString();
        std::int64_t ntp = 0;
        {
            Workspace workspace(path);
            workspace.addRule({RuleField::SrcIp, "10.0.0.0/8", "office NAT", true});
            ntp = workspace.addRule({RuleField::DstPort, "123", "NTP server", true});
            workspace.addRule({RuleField::Pair, "10.0.0.7 -> 10.0.0.5", "", false});
            workspace.updateRule(ntp, {RuleField::DstPort, "123", "NTP", false});
        }
        Workspace workspace(path);
        std::vector<StoredRule> rules = workspace.rules();
        QCOMPARE(rules.size(), std::size_t(3));
        QCOMPARE(rules[0].rule.field, RuleField::SrcIp);
        QCOMPARE(rules[0].rule.value, std::string("10.0.0.0/8"));
        QCOMPARE(rules[0].rule.reason, std::string("office NAT"));
        QVERIFY(rules[0].createdAt > 0);
        QCOMPARE(rules[1].id, ntp);
        QCOMPARE(rules[1].rule.reason, std::string("NTP"));
        QVERIFY(!rules[1].rule.enabled);
        QCOMPARE(rules[2].rule.field, RuleField::Pair);
        QCOMPARE(rules[2].rule.value, std::string("10.0.0.7 -> 10.0.0.5"));
        QVERIFY(!rules[2].rule.enabled);

        workspace.removeRule(ntp);
        QCOMPARE(workspace.rules().size(), std::size_t(2));
        // A rule another window removed cannot be updated: said, not silently lost.
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.updateRule(ntp, {RuleField::DstPort, "124", "", true}));

        workspace.setRules({{RuleField::Country, "NL", "", true}, {RuleField::Protocol, "UDP", "", true}});
        rules = Workspace(path).rules();
        QCOMPARE(rules.size(), std::size_t(2));
        QCOMPARE(rules[0].rule.field, RuleField::Country);
        QCOMPARE(rules[1].rule.value, std::string("UDP"));
        QVERIFY(rules[0].id > ntp); // ids are never reused
    }

    void badValuesAreRefusedBeforeAnythingIsWritten()
    {
        QTemporaryDir dir;
        Workspace workspace(dir.filePath(QStringLiteral("workspace.sqlite")).toStdString());
        // The good first mark is not written either: one change, all or nothing.
        QVERIFY_THROWS_EXCEPTION(
            ParameterError, workspace.setRowMarks({rowMark(1, Mark::Malicious), rowMark(2, Mark::Benign, {}, "abc")}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.setRowMarks({rowMark(0, Mark::Malicious)}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.setRowMarks({rowMark(1, Mark::Benign, "bad \xff note")}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.setRowMarks({rowMark(1, static_cast<Mark>(9))}));
        QVERIFY_THROWS_EXCEPTION(ParameterError,
                                 workspace.setSourceMarks({SourceMark{"", Mark::Benign, "", "", "", 0}}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.addRule({RuleField::SrcIp, "", "", true}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.addRule({RuleField::SrcIp, "10.0.0.1 # x", "", true}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.addRule({RuleField::SrcIp, "10.0.0.0/99", "", true}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.setRules({{RuleField::DstPort, "70000", "", true}}));
        QVERIFY_THROWS_EXCEPTION(ParameterError, workspace.addRule({RuleField::SrcIp, "10.0.0.1", "two\nlines", true}));
        QVERIFY(workspace.rowMarks(kSha).empty());
        QVERIFY(workspace.sourceMarks().empty());
        QVERIFY(workspace.rules().empty());
    }

    void theFileIsAWalWorkspace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        {
            Workspace workspace(path.toStdString());
        }
        RawDatabase raw(path);
        QCOMPARE(raw.text("PRAGMA journal_mode"), QStringLiteral("wal"));
        QCOMPARE(raw.text("PRAGMA application_id"), QString::number(0x57545753));
        QCOMPARE(raw.text("PRAGMA user_version"), QString::number(Workspace::kSchemaVersion));
        QCOMPARE(raw.text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY name)"),
                 QStringLiteral("row_marks,rules,source_marks"));
    }

    void twoWorkspacesOnOneFileLoseNothing()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("workspace.sqlite")).toStdString();
        Workspace first(path);
        Workspace second(path);
        QVERIFY(!first.changed());
        QVERIFY(!second.changed());
        first.setRowMarks({rowMark(1, Mark::Malicious)});
        QVERIFY(!first.changed()); // its own write is not news to it
        QVERIFY(second.changed());
        QVERIFY(!second.changed()); // said once
        second.setRowMarks({rowMark(2, Mark::Benign)});
        second.addRule({RuleField::DstPort, "123", "", true});
        QVERIFY(first.changed());
        for (std::uint32_t line = 3; line <= 200; ++line)
            (line % 2 == 0 ? first : second).setRowMarks({rowMark(line, Mark::NeedsReview)});
        QCOMPARE(first.rowMarks(kSha).size(), std::size_t(200));
        QCOMPARE(second.rowMarks(kSha).size(), std::size_t(200));
        QCOMPARE(first.rules().size(), std::size_t(1));
    }

    void aBadRowIsSkippedAndTheRestRead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        {
            Workspace workspace(path.toStdString());
            workspace.setRowMarks({rowMark(1, Mark::Malicious), rowMark(2, Mark::Benign)});
            workspace.addRule({RuleField::SrcIp, "10.0.0.1", "", true});
        }
        {
            // Another program writes around the tables' checks.
            RawDatabase raw(path);
            QVERIFY(raw.execute("PRAGMA ignore_check_constraints = ON"));
            const std::string sha = kSha;
            QVERIFY(raw.execute(
                ("INSERT INTO row_marks VALUES ('" + sha
                 + "', 3, 'evil', '', 0);"
                   "INSERT INTO row_marks VALUES ('"
                 + sha
                 + "', 0, 'benign', '', 0);"
                   "INSERT INTO row_marks VALUES ('"
                 + sha
                 + "', 4, 'benign', '', -5);"
                   "INSERT INTO source_marks VALUES ('', 'benign', '', '', '', 0);"
                   "INSERT INTO source_marks VALUES ('10.0.0.9', 'benign', '', 'xyz', '', 0);"
                   "INSERT INTO rules(field, value, reason, enabled, created_at) VALUES ('colour', 'red', '', 1, 0);"
                   "INSERT INTO rules(field, value, reason, enabled, created_at) VALUES ('src_ip', '10.0.0.2', '', 7, "
                   "0);"
                   "INSERT INTO rules(field, value, reason, enabled, created_at) VALUES ('dst_port', '99999', '', 1, "
                   "0);")
                    .c_str()));
        }
        Workspace workspace(path.toStdString());
        const std::vector<RowMark> marks = workspace.rowMarks(kSha);
        QCOMPARE(marks.size(), std::size_t(2));
        QCOMPARE(marks[0].line, 1u);
        QCOMPARE(marks[1].line, 2u);
        QVERIFY(workspace.sourceMarks().empty());
        QCOMPARE(workspace.rules().size(), std::size_t(1));
        // Skipped, not deleted: the file keeps what it held.
        QCOMPARE(RawDatabase(path).text("SELECT count(*) FROM row_marks"), QStringLiteral("5"));
    }

    void anUnusableFileIsSetAsideUnchanged_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("random bytes") << "random"
                                      << "it is not a SQLite database";
        QTest::newRow("truncated workspace") << "truncated"
                                             << "it is damaged";
        QTest::newRow("another program's database") << "other"
                                                    << "another program's SQLite database (application_id 42)";
        QTest::newRow("a database without a mark") << "unmarked"
                                                   << "without the workspace's mark";
        QTest::newRow("newer schema")
            << "newer"
            << "written by a newer version of the workbench (workspace schema 2; this version reads up to 1)";
        QTest::newRow("a trigger") << "trigger"
                                   << "triggers or views";
        QTest::newRow("a missing table") << "dropped"
                                         << "it is damaged (no such table: rules)";
    }

    void anUnusableFileIsSetAsideUnchanged()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        makeUnusable(kind, path);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal"))); // the whole file is in the main file
        const QByteArray before = contents(path);
        QVERIFY(before.size() > 0);

        QString message;
        try {
            Workspace workspace(path.toStdString());
            QFAIL("an unusable file was opened");
        } catch (const InputError& error) {
            message = QString::fromStdString(error.what());
            QCOMPARE(QString::fromStdString(error.file()), path);
        }
        const QStringList aside = setAsideFiles(path);
        QVERIFY2(!aside.isEmpty(), qPrintable(message));
        const QString asidePath = dir.filePath(aside.first());
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY2(message.startsWith(path + QStringLiteral(": ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("set aside unchanged as ") + asidePath), qPrintable(message));
        QVERIFY(QRegularExpression(QStringLiteral("\\.unreadable-\\d{8}T\\d{6}Z$")).match(asidePath).hasMatch());
        QCOMPARE(contents(asidePath), before); // byte for byte
        QVERIFY(!QFile::exists(path));

        // The path opens afresh; the set-aside file is left alone.
        Workspace fresh(path.toStdString());
        QVERIFY(fresh.rowMarks(kSha).empty());
        fresh.setRowMarks({rowMark(1, Mark::Benign)});
        QCOMPARE(contents(asidePath), before);
    }

    void aSetAsideFileKeepsItsWal()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        {
            Workspace workspace(path.toStdString());
            workspace.setRowMarks({rowMark(1, Mark::Malicious, "kept in the main file")});
        }
        {
            // A newer program's last change, still in the WAL when it stopped.
            RawDatabase raw(path);
            raw.keepWalOnClose();
            const std::string sql = "PRAGMA user_version = 2; INSERT INTO row_marks VALUES ('" + kSha
                + "', 2, 'benign', 'only in the WAL', 1)";
            QVERIFY(raw.execute(sql.c_str()));
        }
        const QByteArray main = contents(path);
        const QByteArray wal = contents(path + QStringLiteral("-wal"));
        QVERIFY(wal.size() > 0);
        QVERIFY_THROWS_EXCEPTION(InputError, Workspace(path.toStdString()));
        const QStringList aside = setAsideFiles(path);
        QCOMPARE(aside.size(), 3); // the file, its -wal and its -shm, under one name
        const QString asidePath = dir.filePath(aside.first());
        QCOMPARE(contents(asidePath), main);
        QCOMPARE(contents(asidePath + QStringLiteral("-wal")), wal);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
        // Whoever opens the set-aside file gets everything, the WAL's change included.
        RawDatabase raw(asidePath);
        QCOMPARE(raw.text("SELECT note FROM row_marks WHERE line = 2"), QStringLiteral("only in the WAL"));
    }

    void aFullDiskIsAnOutputErrorAndNothingHalfWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        Workspace workspace(path.toStdString());
        workspace.setRowMarks({rowMark(1, Mark::Benign)});
        // The disk fills up: no file may grow past 64 KiB more than the largest now (RLIMIT_FSIZE;
        // SIGXFSZ ignored so that the write fails with EFBIG instead of ending the test).
        const qint64 largest = std::max(QFileInfo(path).size(), QFileInfo(path + QStringLiteral("-wal")).size());
        rlimit before{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &before), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit full = before;
        full.rlim_cur = static_cast<rlim_t>(largest + 64 * 1024);
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &full), 0);
        std::vector<RowMark> marks;
        for (std::uint32_t line = 2; line <= 5000; ++line)
            marks.push_back(rowMark(line, Mark::Malicious, std::string(200, 'n')));
        QString message;
        try {
            workspace.setRowMarks(marks);
        } catch (const OutputError& error) {
            message = QString::fromStdString(error.what());
        }
        setrlimit(RLIMIT_FSIZE, &before);
        std::signal(SIGXFSZ, previousHandler);
        // A write cut short is SQLite's "disk I/O error" (a write past the disk's end, "database or disk is full").
        QVERIFY2(
            message.startsWith(path
                               + QStringLiteral(": cannot save the row marks to the workspace: writing to the disk "
                                                "failed (disk I/O error")),
            qPrintable(message));
        QVERIFY2(message.endsWith(QStringLiteral("; nothing of this change was saved")), qPrintable(message));
        QCOMPARE(workspace.rowMarks(kSha).size(), std::size_t(1));
        // With room again, the same change goes in whole.
        workspace.setRowMarks(marks);
        QCOMPARE(Workspace(path.toStdString()).rowMarks(kSha).size(), std::size_t(5000));
    }

    void aSecondSetAsideDoesNotReplaceTheFirst()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        for (const QByteArray& bytes : {QByteArray(5000, 'x'), QByteArray(7000, 'y')}) {
            writeBytes(path, bytes);
            QVERIFY_THROWS_EXCEPTION(InputError, Workspace(path.toStdString()));
        }
        const QStringList aside = setAsideFiles(path);
        QCOMPARE(aside.size(), 2);
        QCOMPARE(contents(dir.filePath(aside[0])).size() + contents(dir.filePath(aside[1])).size(), 12000);
    }

    void anEmptyFileBecomesAWorkspace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        writeBytes(path, {});
        Workspace workspace(path.toStdString());
        workspace.setRowMarks({rowMark(1, Mark::Benign)});
        QCOMPARE(Workspace(path.toStdString()).rowMarks(kSha).size(), std::size_t(1));
        QVERIFY(setAsideFiles(path).isEmpty());
    }

    void aHeldLockIsAnOutputErrorAndNothingHalfWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        Workspace workspace(path.toStdString());
        workspace.setRowMarks({rowMark(1, Mark::Benign)});
        RawDatabase other(path);
        QVERIFY(other.execute("BEGIN IMMEDIATE"));
        try {
            workspace.setRowMarks(
                {rowMark(1, Mark::Malicious), rowMark(2, Mark::Malicious)}); // waits 5 s, then gives up
            QFAIL("wrote through another's lock");
        } catch (const OutputError& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.startsWith(path + QStringLiteral(": cannot save the row marks")), qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("another window or program held the workspace")),
                     qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral("nothing of this change was saved")), qPrintable(message));
        }
        QVERIFY(other.execute("ROLLBACK"));
        const std::vector<RowMark> marks = workspace.rowMarks(kSha);
        QCOMPARE(marks.size(), std::size_t(1));
        QCOMPARE(marks[0].mark, Mark::Benign);
        workspace.setRowMarks({rowMark(2, Mark::Malicious)}); // and it writes again once the lock is gone
        QCOMPARE(workspace.rowMarks(kSha).size(), std::size_t(2));
    }

    void aReadOnlyFolderIsAnOutputError()
    {
        if (geteuid() == 0)
            QSKIP("root writes into read-only folders");
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        const std::string path = dir.filePath(QStringLiteral("workspace.sqlite")).toStdString();
        try {
            Workspace workspace(path);
            QFAIL("created a workspace in a read-only folder");
        } catch (const OutputError& error) {
            QVERIFY2(QString::fromStdString(error.what()).startsWith(QString::fromStdString(path)), error.what());
        }
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    void survivesBeingKilledMidWrite()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        QProcess writer;
        writer.start(QStringLiteral(WORKSPACE_WRITER), {path, QString::fromStdString(kSha)});
        QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));
        QByteArray output;
        // Until it has committed a good number of marks (each one a transaction with its fsync).
        while (lastCommitted(output) < 40) {
            QVERIFY2(writer.waitForReadyRead(20000), writer.readAllStandardError().constData());
            output += writer.readAllStandardOutput();
        }
        writer.kill(); // SIGKILL: no destructor, no checkpoint, in the middle of some write
        QVERIFY(writer.waitForFinished(10000));
        output += writer.readAllStandardOutput();
        const long committed = lastCommitted(output);
        QVERIFY(committed >= 40);

        {
            RawDatabase raw(path);
            QCOMPARE(raw.text("PRAGMA integrity_check"), QStringLiteral("ok"));
        }
        Workspace workspace(path.toStdString());
        const std::vector<RowMark> marks = workspace.rowMarks(kSha);
        QVERIFY2(marks.size() >= static_cast<std::size_t>(committed),
                 qPrintable(QStringLiteral("%1 marks kept of %2 committed").arg(marks.size()).arg(committed)));
        for (long line = 1; line <= committed; ++line) {
            QCOMPARE(marks[static_cast<std::size_t>(line - 1)].line, static_cast<std::uint32_t>(line));
            QCOMPARE(marks[static_cast<std::size_t>(line - 1)].note,
                     "written by workspace_writer, mark " + std::to_string(line));
        }
        QVERIFY(setAsideFiles(path).isEmpty());
    }

    void twoProcessesWritingAtOnceLoseNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("workspace.sqlite"));
        QProcess first;
        QProcess second;
        first.start(QStringLiteral(WORKSPACE_WRITER), {path, QString::fromStdString(kSha), QStringLiteral("300")});
        second.start(QStringLiteral(WORKSPACE_WRITER),
                     {path, QString::fromStdString(kOtherSha), QStringLiteral("300")});
        for (QProcess* writer : {&first, &second}) {
            QVERIFY(writer->waitForFinished(120000));
            QVERIFY2(writer->exitStatus() == QProcess::NormalExit && writer->exitCode() == 0,
                     writer->readAllStandardError().constData());
            QCOMPARE(lastCommitted(writer->readAllStandardOutput()), 300L);
        }
        Workspace workspace(path.toStdString());
        QCOMPARE(workspace.rowMarks(kSha).size(), std::size_t(300));
        QCOMPARE(workspace.rowMarks(kOtherSha).size(), std::size_t(300));
    }

    void processesCreatingOneNewWorkspaceAtOnceAllGetIt()
    {
        // Each round: four processes open the same path that does not exist yet, at once. None may
        // take the half-made file of another for a foreign one and set it aside.
        QTemporaryDir dir;
        for (int round = 0; round < 5; ++round) {
            const QString path = dir.filePath(QStringLiteral("new-%1.sqlite").arg(round));
            std::vector<std::unique_ptr<QProcess>> writers;
            for (int i = 0; i < 4; ++i) {
                writers.push_back(std::make_unique<QProcess>());
                writers.back()->start(QStringLiteral(WORKSPACE_WRITER),
                                      {path, QString(64, QChar(u'a' + i)), QStringLiteral("5")});
            }
            for (const auto& writer : writers) {
                QVERIFY(writer->waitForFinished(60000));
                QVERIFY2(writer->exitCode() == 0, writer->readAllStandardError().constData());
            }
            QVERIFY(setAsideFiles(path).isEmpty());
            Workspace workspace(path.toStdString());
            for (int i = 0; i < 4; ++i)
                QCOMPARE(workspace.rowMarks(std::string(64, static_cast<char>('a' + i))).size(), std::size_t(5));
        }
    }

private:
    // Makes at path a file the workspace must refuse, closed (no -wal beside it).
    static void makeUnusable(const QString& kind, const QString& path)
    {
        if (kind == QStringLiteral("random")) {
            QByteArray bytes(8192, '\0');
            QRandomGenerator generator(19);
            for (char& byte : bytes)
                byte = static_cast<char>(generator.bounded(256));
            writeBytes(path, bytes);
            return;
        }
        if (kind == QStringLiteral("other") || kind == QStringLiteral("unmarked")) {
            RawDatabase raw(path);
            QVERIFY(raw.execute(
                "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes VALUES (1, 'hello')"));
            if (kind == QStringLiteral("other"))
                QVERIFY(raw.execute("PRAGMA application_id = 42"));
            return;
        }
        {
            Workspace workspace(path.toStdString());
            std::vector<RowMark> marks;
            for (std::uint32_t line = 1; line <= 3000; ++line)
                marks.push_back(rowMark(line, Mark::Malicious, "a note long enough to fill some pages of the file"));
            workspace.setRowMarks(marks);
        }
        if (kind == QStringLiteral("truncated")) {
            const QByteArray whole = contents(path);
            writeBytes(path, whole.left(whole.size() / 3));
            return;
        }
        RawDatabase raw(path);
        if (kind == QStringLiteral("newer"))
            QVERIFY(raw.execute("PRAGMA user_version = 2"));
        else if (kind == QStringLiteral("trigger"))
            QVERIFY(raw.execute("CREATE TRIGGER wipe AFTER INSERT ON row_marks BEGIN DELETE FROM row_marks; END"));
        else if (kind == QStringLiteral("dropped"))
            QVERIFY(raw.execute("DROP TABLE rules"));
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"

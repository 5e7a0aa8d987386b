// core/triage/triageexchange: triage handed to a colleague as JSON or CSV, read back with every
// field checked (file, line and column for CSV; the JSON path for JSON).
#include "core/triage/workspace.h"
#include "core/util/errors.h"

#include <QFile>
#include <QTest>

using namespace webthreat;

namespace {
const std::string kSha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kHeader
    = "# webthreat-triage "
      "1\nkind,file_sha256,line,ip,mark,note,file_name,updated_at,rule_field,rule_value,rule_reason,rule_enabled\n";

TriageBundle sampleBundle()
{
    TriageBundle bundle;
    bundle.rowMarks = {
        {kSha, 12, Mark::Malicious, "exfiltration, \"big\" upload\nsecond line", 1786000000},
        {kSha, 13, Mark::Benign, "=1+2 is not a formula here", 0},
        {kSha, 14, Mark::NeedsReview, "'quoted' by the analyst", 1786000001},
        {kSha, 15, Mark::None, "a note alone: caf\xc3\xa9", 1786000002},
        {kSha, 4000000000u, Mark::Benign, "", 1786000003},
    };
    bundle.sourceMarks = {
        {"10.0.0.7", Mark::Benign, "our scanner", kSha, "monday, traffic.csv", 1786000004},
        {"2001:db8::1", Mark::Malicious, "-", "", "", 0},
    };
    bundle.rules = {
        {RuleField::SrcIp, "10.0.0.0/8", "office NAT", true},
        {RuleField::DstPort, "123", "", false},
        {RuleField::Pair, "10.0.0.7 -> 10.0.0.5", "health checker, \"hc\"", true},
        {RuleField::Country, "NL", "+31 office", true},
    };
    return bundle;
}

void compareBundles(const TriageBundle& actual, const TriageBundle& expected)
{
    QCOMPARE(actual.rowMarks.size(), expected.rowMarks.size());
    for (std::size_t i = 0; i < expected.rowMarks.size(); ++i) {
        QCOMPARE(actual.rowMarks[i].fileSha256, expected.rowMarks[i].fileSha256);
        QCOMPARE(actual.rowMarks[i].line, expected.rowMarks[i].line);
        QCOMPARE(actual.rowMarks[i].mark, expected.rowMarks[i].mark);
        QCOMPARE(actual.rowMarks[i].note, expected.rowMarks[i].note);
        QCOMPARE(actual.rowMarks[i].updatedAt, expected.rowMarks[i].updatedAt);
    }
    QCOMPARE(actual.sourceMarks.size(), expected.sourceMarks.size());
    for (std::size_t i = 0; i < expected.sourceMarks.size(); ++i) {
        QCOMPARE(actual.sourceMarks[i].ip, expected.sourceMarks[i].ip);
        QCOMPARE(actual.sourceMarks[i].mark, expected.sourceMarks[i].mark);
        QCOMPARE(actual.sourceMarks[i].note, expected.sourceMarks[i].note);
        QCOMPARE(actual.sourceMarks[i].fileSha256, expected.sourceMarks[i].fileSha256);
        QCOMPARE(actual.sourceMarks[i].fileName, expected.sourceMarks[i].fileName);
        QCOMPARE(actual.sourceMarks[i].updatedAt, expected.sourceMarks[i].updatedAt);
    }
    QCOMPARE(actual.rules.size(), expected.rules.size());
    for (std::size_t i = 0; i < expected.rules.size(); ++i) {
        QCOMPARE(actual.rules[i].field, expected.rules[i].field);
        QCOMPARE(actual.rules[i].value, expected.rules[i].value);
        QCOMPARE(actual.rules[i].reason, expected.rules[i].reason);
        QCOMPARE(actual.rules[i].enabled, expected.rules[i].enabled);
    }
}

// The error readTriage gives for text; fails the test when there is none.
InputError errorFor(const std::string& text)
{
    try {
        readTriage(text, "triage.csv");
    } catch (const InputError& error) {
        return error;
    }
    return InputError("", 0, "", "<no error>");
}
} // namespace

class TestTriageExchange : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonRoundTrip()
    {
        const TriageBundle bundle = sampleBundle();
        const std::string json = triageToJson(bundle);
        QVERIFY(json.find("\"format\": \"webthreat-triage\"") != std::string::npos);
        QVERIFY(json.find("\"version\": 1") != std::string::npos);
        QVERIFY(json.find("\"updated_at\": \"2026-08-06T") != std::string::npos); // UTC, readable
        compareBundles(readTriage(json, "triage.json"), bundle);
        // With a byte-order mark and blank lines first, it is still JSON.
        compareBundles(readTriage("\xEF\xBB\xBF\n  " + json, "triage.json"), bundle);
    }

    void csvRoundTrip()
    {
        const TriageBundle bundle = sampleBundle();
        const std::string csv = triageToCsv(bundle);
        QVERIFY(csv.rfind(kHeader, 0) == 0);
        // A cell a spreadsheet would run as a formula is written with an apostrophe first.
        QVERIFY(csv.find(",'=1+2 is not a formula here,") != std::string::npos);
        QVERIFY(csv.find(",'-,") != std::string::npos);
        compareBundles(readTriage(csv, "triage.csv"), bundle);
        // CRLF line ends (a spreadsheet's), and the version line padded with empty cells.
        std::string crlf;
        for (const char c : csv)
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        crlf.insert(crlf.find("\r\n"), ",,,,");
        const TriageBundle fromCrlf = readTriage(crlf, "triage.csv");
        QCOMPARE(fromCrlf.rowMarks.size(), bundle.rowMarks.size());
        QCOMPARE(fromCrlf.rowMarks[2].note, bundle.rowMarks[2].note);
        QCOMPARE(fromCrlf.rules.size(), bundle.rules.size());
    }

    void theCommittedSamplesReadAndAreWhatIsWritten_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("JSON") << QStringLiteral("sample.json");
        QTest::newRow("CSV") << QStringLiteral("sample.csv");
    }

    void theCommittedSamplesReadAndAreWhatIsWritten()
    {
        // Files written by version 1 stay readable, and version 1 is still written byte for byte the
        // same: a change to either form shows here (and needs a new version).
        QFETCH(QString, name);
        QFile file(QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/triage/") + name);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const std::string text = file.readAll().toStdString();
        compareBundles(readTriage(text, name.toStdString()), sampleBundle());
        const bool json = name.endsWith(QStringLiteral(".json"));
        QCOMPARE(json ? triageToJson(sampleBundle()) : triageToCsv(sampleBundle()), text);
    }

    void emptyBundles()
    {
        compareBundles(readTriage(triageToJson({}), "t.json"), {});
        compareBundles(readTriage(triageToCsv({}), "t.csv"), {});
    }

    void ruleValuesAreReadAsTheRulesParserReadsThem()
    {
        const TriageBundle bundle = readTriage(kHeader + "rule,,,,,,,,protocol, tcp ,,true\n", "t.csv");
        QCOMPARE(bundle.rules.at(0).value, std::string("TCP"));
    }

    void aNormalisedRuleValueReadsBackTheSame_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("address") << "src_ip"
                                 << "10.0.0.1";
        QTest::newRow("a /32") << "src_ip"
                               << "10.0.0.1/32";
        QTest::newRow("a CIDR with host bits") << "dst_ip"
                                               << "10.0.0.1/8";
        QTest::newRow("IPv6 upper case") << "src_ip"
                                         << "2001:DB8::/32";
        QTest::newRow("IPv4-mapped") << "src_ip"
                                     << "::ffff:10.0.0.1";
        QTest::newRow("port range") << "dst_port"
                                    << "8000-8080";
        QTest::newRow("protocol") << "protocol"
                                  << "tcp";
        QTest::newRow("country") << "country"
                                 << "nl";
        QTest::newRow("rule names") << "rule_names"
                                    << "Suspicious Web Traffic";
        QTest::newRow("pair without blanks") << "pair"
                                             << "10.0.0.7->10.0.0.5";
        QTest::newRow("pair of networks") << "pair"
                                          << "10.0.0.0/8 -> ::1";
    }

    void aNormalisedRuleValueReadsBackTheSame()
    {
        // What an import keeps is what the next export writes: reading it again changes nothing.
        QFETCH(QString, field);
        QFETCH(QString, value);
        const TriageBundle first = readTriage(
            kHeader + "rule,,,,,,,," + field.toStdString() + "," + value.toStdString() + ",,true\n", "t.csv");
        QCOMPARE(first.rules.size(), std::size_t(1));
        compareBundles(readTriage(triageToCsv(first), "again.csv"), first);
        compareBundles(readTriage(triageToJson(first), "again.json"), first);
    }

    void labelsAndUpperCaseAreRead()
    {
        const std::string upper(64, 'A');
        const TriageBundle bundle = readTriage(kHeader + "row," + upper + ",3,,Needs review,,,,,,,\n", "t.csv");
        QCOMPARE(bundle.rowMarks.at(0).mark, Mark::NeedsReview);
        QCOMPARE(bundle.rowMarks.at(0).fileSha256, std::string(64, 'a'));
    }

    void aBadCsvFieldIsNamedWithLineAndColumn_data()
    {
        QTest::addColumn<QByteArray>("lines"); // after the version line and the header
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("problem");
        const QByteArray sha = QByteArray::fromStdString(kSha);
        QTest::newRow("kind") << "mark," + sha + ",3,,benign,,,,,,," << 3 << "kind"
                              << "is not row, source or rule";
        QTest::newRow("sha") << QByteArray("row,abc,3,,benign,,,,,,,") << 3 << "file_sha256"
                             << "is not a SHA-256";
        QTest::newRow("line 0") << "row," + sha + ",0,,benign,,,,,,," << 3 << "line"
                                << "is not a line number";
        QTest::newRow("line text") << "row," + sha + ",x,,benign,,,,,,," << 3 << "line"
                                   << "not a whole number";
        QTest::newRow("line too large") << "row," + sha + ",4294967296,,benign,,,,,,," << 3 << "line"
                                        << "out of range";
        QTest::newRow("mark") << "row," + sha + ",3,,evil,,,,,,," << 3 << "mark"
                              << "is not a verdict";
        QTest::newRow("time") << "row," + sha + ",3,,benign,,,2026-02-30T00:00:00Z,,,," << 3 << "updated_at"
                              << "is not a UTC time";
        QTest::newRow("note not UTF-8") << "row," + sha + ",3,,benign,caf\xe9,,,,,," << 3 << "note"
                                        << "is not UTF-8";
        QTest::newRow("a shifted column") << "row," + sha + ",3,10.0.0.1,benign,,,,,,," << 3 << "ip"
                                          << "must be empty for a row line";
        QTest::newRow("ip empty") << QByteArray("source,,,,benign,,,,,,,") << 3 << "ip"
                                  << "is empty";
        QTest::newRow("source sha") << QByteArray("source,xyz,,10.0.0.1,benign,,,,,,,") << 3 << "file_sha256"
                                    << "is not a SHA-256";
        QTest::newRow("rule field") << QByteArray("rule,,,,,,,,colour,red,,true") << 3 << "rule_field"
                                    << "is not a rule field";
        QTest::newRow("rule value") << QByteArray("rule,,,,,,,,src_ip,,,true") << 3 << "rule_value"
                                    << "is empty";
        QTest::newRow("rule value #") << QByteArray("rule,,,,,,,,src_ip,10.0.0.1 # x,,true") << 3 << "rule_value"
                                      << "holds '#'";
        QTest::newRow("rule CIDR") << QByteArray("rule,,,,,,,,src_ip,10.0.0.0/99,,true") << 3 << "rule_value"
                                   << "10.0.0.0/99";
        QTest::newRow("rule port") << QByteArray("rule,,,,,,,,dst_port,70000,,true") << 3 << "rule_value"
                                   << "70000";
        QTest::newRow("rule enabled") << QByteArray("rule,,,,,,,,src_ip,10.0.0.1,,maybe") << 3 << "rule_enabled"
                                      << "is not true or false";
        QTest::newRow("after a multi-line note")
            << "row," + sha + ",3,,benign,\"two\nlines\",,,,,,\nrow," + sha + ",4,,evil,,,,,,," << 5 << "mark"
            << "is not a verdict";
        QTest::newRow("too few cells") << "row," + sha + ",3,,benign" << 3 << ""
                                       << "has 5 cells; the header has 12";
        QTest::newRow("unclosed quote") << "row," + sha + ",3,,benign,\"open,,,,,," << 3 << ""
                                        << "not closed";
        QTest::newRow("text after a quote") << "row," + sha + ",3,,benign,\"a\"b,,,,,," << 3 << ""
                                            << "column 6: text after a closing quote";
    }

    void aBadCsvFieldIsNamedWithLineAndColumn()
    {
        QFETCH(QByteArray, lines);
        QFETCH(int, line);
        QFETCH(QString, column);
        QFETCH(QString, problem);
        const InputError error = errorFor(kHeader + lines.toStdString() + "\n");
        QCOMPARE(QString::fromStdString(error.file()), QStringLiteral("triage.csv"));
        QCOMPARE(error.line(), std::int64_t(line));
        QCOMPARE(QString::fromStdString(error.column()), column);
        QVERIFY2(QString::fromStdString(error.problem()).contains(problem), error.what());
    }

    void aBadJsonFieldIsNamedByItsPath_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        const QString head = QStringLiteral("{\"format\": \"webthreat-triage\", \"version\": 1, ");
        const QString sha = QString::fromStdString(kSha);
        QTest::newRow("sha") << head + "\"rows\": [{\"file_sha256\": \"abc\", \"line\": 3, \"mark\": \"benign\"}]}"
                             << "rows[0].file_sha256: is not a SHA-256";
        QTest::newRow("line") << head + "\"rows\": [{\"file_sha256\": \"" + sha
                + "\", \"line\": 0, \"mark\": \"benign\"}]}"
                              << "rows[0].line: must be a line number";
        QTest::newRow("line text") << head + "\"rows\": [{\"file_sha256\": \"" + sha
                + "\", \"line\": \"3\", \"mark\": \"benign\"}]}"
                                   << "rows[0].line: must be a line number";
        QTest::newRow("missing mark") << head + "\"rows\": [{\"file_sha256\": \"" + sha + "\", \"line\": 3}]}"
                                      << "rows[0]: the field 'mark' is missing";
        QTest::newRow("misspelt field") << head + "\"rows\": [{\"file_sha256\": \"" + sha
                + "\", \"line\": 3, \"mark\": \"\", \"nots\": \"x\"}]}"
                                        << "rows[0]: has an unknown field 'nots'";
        QTest::newRow("second row's mark") << head + "\"rows\": [{\"file_sha256\": \"" + sha
                + "\", \"line\": 3, \"mark\": \"benign\"}, {\"file_sha256\": \"" + sha
                + "\", \"line\": 4, \"mark\": \"evil\"}]}"
                                           << "rows[1].mark: is not a verdict";
        QTest::newRow("time") << head
                + "\"sources\": [{\"ip\": \"10.0.0.1\", \"mark\": \"benign\", \"updated_at\": \"yesterday\"}]}"
                              << "sources[0].updated_at: is not a UTC time";
        QTest::newRow("ip") << head + "\"sources\": [{\"ip\": \"\", \"mark\": \"benign\"}]}"
                            << "sources[0].ip: is empty";
        QTest::newRow("rule field") << head + "\"rules\": [{\"field\": \"colour\", \"value\": \"red\"}]}"
                                    << "rules[0].field: is not a rule field";
        QTest::newRow("rule enabled") << head
                + "\"rules\": [{\"field\": \"src_ip\", \"value\": \"10.0.0.1\", \"enabled\": \"yes\"}]}"
                                      << "rules[0].enabled: must be true or false";
        QTest::newRow("rule address") << head
                + "\"rules\": [{\"field\": \"pair\", \"value\": \"10.0.0.7 -> nowhere\"}]}"
                                      << "rules[0].value: ";
        QTest::newRow("rows not an array") << head + "\"rows\": {}}"
                                           << "rows: must be an array";
        QTest::newRow("unknown member") << head + "\"colour\": 1}"
                                        << "the document: has an unknown field 'colour'";
        QTest::newRow("malformed") << QStringLiteral("{\"format\": \"webthreat-triage\",\n \"version\": 1,,}")
                                   << "triage.csv:2: column 15: not a triage file, malformed JSON";
    }

    void aBadJsonFieldIsNamedByItsPath()
    {
        QFETCH(QString, json);
        QFETCH(QString, message);
        const InputError error = errorFor(json.toStdString());
        QVERIFY2(QString::fromStdString(error.what()).contains(message), error.what());
        QVERIFY2(QString::fromStdString(error.what()).startsWith(QStringLiteral("triage.csv:")), error.what());
    }

    void unknownFormatsAndVersionsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("another JSON") << QByteArray("{\"format\": \"model\", \"version\": 1}")
                                      << "not a triage file (its \"format\" is not \"webthreat-triage\")";
        QTest::newRow("a newer JSON") << QByteArray("{\"format\": \"webthreat-triage\", \"version\": 2}")
                                      << "version: the file is version 2, newer than this program reads (1)";
        QTest::newRow("a newer CSV") << QByteArray("# webthreat-triage 2\nkind\n")
                                     << "the triage file is version '2'; this program reads version 1";
        QTest::newRow("a CSV without the version line")
            << QByteArray("kind,file_sha256,line,ip,mark,note,file_name,updated_at,rule_field,rule_value,rule_reason,"
                          "rule_enabled\n")
            << "not a triage file: it starts neither with '{' (JSON) nor with '# webthreat-triage 1' (CSV)";
        QTest::newRow("a traffic CSV") << QByteArray("timestamp,src_ip\n1,10.0.0.1\n") << "not a triage file";
        QTest::newRow("a wrong header") << QByteArray("# webthreat-triage 1\nkind,sha,line\n")
                                        << "column 2 of the header must be 'file_sha256'";
        QTest::newRow("empty") << QByteArray(" \n") << "the triage file is empty";
        QTest::newRow("UTF-16") << QByteArray("\xFF\xFE{\0") << "UTF-16";
    }

    void unknownFormatsAndVersionsAreRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const InputError error = errorFor(text.toStdString());
        QVERIFY2(QString::fromStdString(error.what()).contains(message), error.what());
    }
};

QTEST_GUILESS_MAIN(TestTriageExchange)
#include "tst_triageexchange.moc"

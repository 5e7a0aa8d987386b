// core/triage/suppression: the allow-list's rules file (every field, its normal form, its errors
// with line and column), which rows the rules match, and what suppression does to the verdicts and
// the findings.
#include "core/triage/suppression.h"

#include "core/analysis/crosstab.h"
#include "core/detect/threshold.h"
#include "core/io/csvreader.h"
#include "core/pipeline.h"
#include "core/util/errors.h"

#include <QTest>

#include <atomic>

using namespace webthreat;



namespace {

// Eight rows, one per line from line 2; the scores make rows 0..3 the most anomalous.
TrafficTable smallTable()
{
    return readTrafficCsvText(
               "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip,"
               "rule_names\n"
               "1,1,,,10.0.0.7,NL,TCP,123,10.0.0.5,Scan Rule\n" // row 0
               "2,2,,,10.1.2.3,US,udp,53,192.168.1.1,\n" // row 1
               "3,3,,,2001:db8::1,DE,HTTPS,8080,2001:db8:1::9,scan rule\n" // row 2
               "4,4,,,203.0.113.9,us,TCP,443,10.0.0.5,Other\n" // row 3
               "5,5,,,10.0.0.7,NL,TCP,8000,198.51.100.1,\n" // row 4
               "6,6,,,not-an-ip,FR,ICMP,,10.0.0.5,\n" // row 5
               "7,7,,,172.16.0.1,,TCP,65535,::ffff:10.0.0.5,\n" // row 6
               "8,8,,,2001:db8:ffff::2,JP,tcp,8081,2001:db8::1,\n", // row 7
               "small.csv")
        .table;
}

const std::vector<double> kScores{-0.9, -0.8, -0.7, -0.6, -0.2, -0.25, -0.22, -0.21};

std::vector<SuppressionRule> rulesOf(std::string_view text)
{
    return parseRules(text, "rules.txt");
}

std::vector<std::size_t> matchedRows(const Suppression& suppression)
{
    std::vector<std::size_t> rows;
    for (std::size_t row = 0; row < suppression.rows.size(); ++row)
        if (suppression.rows[row])
            rows.push_back(row);
    return rows;
}

} // namespace

class TestSuppression : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesEveryField_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<int>("field");
        QTest::addColumn<std::string>("value");
        QTest::addColumn<std::string>("reason");
        QTest::addColumn<std::string>("line");
        const auto row = [](const char* name, std::string text, RuleField field, std::string value, std::string reason,
                            std::string line) {
            QTest::newRow(name) << text << static_cast<int>(field) << value << reason << line;
        };
        row("src_ip address", "src_ip 10.0.0.7", RuleField::SrcIp, "10.0.0.7", "", "src_ip 10.0.0.7");
        row("src_ip CIDR", "src_ip 10.0.0.0/8 # office NAT", RuleField::SrcIp, "10.0.0.0/8", "office NAT",
            "src_ip 10.0.0.0/8 # office NAT");
        row("host bits cleared", "src_ip 10.1.2.3/8", RuleField::SrcIp, "10.0.0.0/8", "", "src_ip 10.0.0.0/8");
        row("/0", "dst_ip 0.0.0.0/0", RuleField::DstIp, "0.0.0.0/0", "", "dst_ip 0.0.0.0/0");
        row("/32", "dst_ip 192.168.1.1/32", RuleField::DstIp, "192.168.1.1/32", "", "dst_ip 192.168.1.1/32");
        row("IPv6 CIDR", "src_ip 2001:DB8:0:0::/32", RuleField::SrcIp, "2001:db8::/32", "", "src_ip 2001:db8::/32");
        row("IPv6 /128", "src_ip 2001:db8::1/128", RuleField::SrcIp, "2001:db8::1/128", "",
            "src_ip 2001:db8::1/128");
        row("IPv6 /0", "dst_ip ::/0", RuleField::DstIp, "::/0", "", "dst_ip ::/0");
        row("port", "dst_port 123 # NTP server", RuleField::DstPort, "123", "NTP server", "dst_port 123 # NTP server");
        row("port range", "dst_port 8000 - 8080", RuleField::DstPort, "8000-8080", "", "dst_port 8000-8080");
        row("port 0 and 65535", "dst_port 0-65535", RuleField::DstPort, "0-65535", "", "dst_port 0-65535");
        row("protocol upper-cased", "protocol tcp", RuleField::Protocol, "TCP", "", "protocol TCP");
        row("country", "src_ip_country_code nl", RuleField::Country, "NL", "", "src_ip_country_code NL");
        row("country alias", "country NL #  Dutch office ", RuleField::Country, "NL", "Dutch office",
            "src_ip_country_code NL # Dutch office");
        row("rule_names with blanks", "rule_names Scan Rule # known scanner", RuleField::RuleNames, "Scan Rule",
            "known scanner", "rule_names Scan Rule # known scanner");
        row("a # inside a value stays", "rule_names rule#2", RuleField::RuleNames, "rule#2", "", "rule_names rule#2");
        row("pair", "pair 10.0.0.7 -> 10.0.0.5 # backup job", RuleField::Pair, "10.0.0.7 -> 10.0.0.5", "backup job",
            "pair 10.0.0.7 -> 10.0.0.5 # backup job");
        row("pair of CIDRs, no blanks", "pair 10.0.0.0/24->2001:db8::/48", RuleField::Pair,
            "10.0.0.0/24 -> 2001:db8::/48", "", "pair 10.0.0.0/24 -> 2001:db8::/48");
        row("field name case, tabs", "\tSRC_IP\t10.0.0.7\t", RuleField::SrcIp, "10.0.0.7", "", "src_ip 10.0.0.7");
    }
    void parsesEveryField()
    {
        QFETCH(std::string, text);
        QFETCH(int, field);
        QFETCH(std::string, value);
        QFETCH(std::string, reason);
        QFETCH(std::string, line);
        const SuppressionRule rule = parseRule(text);
        QCOMPARE(static_cast<int>(rule.field), field);
        QCOMPARE(rule.value, value);
        QCOMPARE(rule.reason, reason);
        QVERIFY(rule.enabled);
        QCOMPARE(rule.line(), line);
        // line() reads back as the same rule.
        const SuppressionRule again = parseRule(rule.line());
        QCOMPARE(again.line(), line);
    }

    void refusesBadRulesNamingLineAndColumn_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("message");
        QTest::newRow("bad prefix") << std::string("# office\n\nsrc_ip 10.0.0.7\nsrc_ip 10.0.0.0/33\n")
                                    << std::string("rules.txt:4:8: '10.0.0.0/33' is not an address or CIDR: the prefix "
                                                   "length must be 0-32");
        QTest::newRow("bad IPv6 prefix") << std::string("dst_ip 2001:db8::/129")
                                         << std::string("rules.txt:1:8: '2001:db8::/129' is not an address or CIDR: "
                                                        "the prefix length must be 0-128");
        QTest::newRow("not an address")
            << std::string("src_ip 10.0.0.256")
            << std::string("rules.txt:1:8: '10.0.0.256' is not an address or CIDR: expected an IPv4 address "
                           "(10.0.0.7), an IPv6 address (2001:db8::7) or either with a prefix length (10.0.0.0/8)");
        QTest::newRow("unknown field")
            << std::string("src_ip 10.0.0.7\n  srcip 10.0.0.7\n")
            << std::string("rules.txt:2:3: unknown field 'srcip': expected src_ip, dst_ip, dst_port, protocol, "
                           "src_ip_country_code (or country), rule_names or pair");
        QTest::newRow("missing value") << std::string("dst_port   # NTP")
                                       << std::string("rules.txt:1:9: 'dst_port' needs a value: a port or a range "
                                                      "(123, 8000-8080)");
        QTest::newRow("port 70000") << std::string("\r\ndst_port 70000\r\n")
                                    << std::string("rules.txt:2:10: '70000' is not a port: a port is 0-65535");
        QTest::newRow("port not a number")
            << std::string("dst_port ntp")
            << std::string("rules.txt:1:10: 'ntp' is not a port: expected a port (123) or a range (8000-8080)");
        QTest::newRow("backwards range") << std::string("dst_port 9000-8000")
                                         << std::string("rules.txt:1:10: '9000-8000' is not a port range: it ends "
                                                        "before it starts");
        QTest::newRow("pair without arrow")
            << std::string("pair 10.0.0.7 10.0.0.5")
            << std::string("rules.txt:1:6: '10.0.0.7 10.0.0.5' is not a pair: expected SOURCE -> DESTINATION "
                           "(10.0.0.7 -> 10.0.0.5)");
        QTest::newRow("pair's bad destination")
            << std::string("pair 10.0.0.7 -> 10.0.0.0/40")
            << std::string("rules.txt:1:18: '10.0.0.0/40' is not an address or CIDR: the prefix length must be 0-32");
        QTest::newRow("country with a blank") << std::string("country N L")
                                              << std::string("rules.txt:1:9: 'N L' is not one src_ip_country_code "
                                                             "value: it holds a blank");
        QTest::newRow("line too long") << ("src_ip 10.0.0.7 # " + std::string(5000, 'x'))
                                       << std::string("rules.txt:1: the line is 5018 bytes long; a rule may be at "
                                                      "most 4096");
        QTest::newRow("UTF-16") << std::string("\xFF\xFEs\0r", 5)
                                << std::string("rules.txt:1: the file is UTF-16; save the rules as UTF-8 or ASCII "
                                               "text");
    }
    void refusesBadRulesNamingLineAndColumn()
    {
        QFETCH(std::string, text);
        QFETCH(std::string, message);
        try {
            rulesOf(text);
            QFAIL("no error");
        } catch (const InputError& error) {
            QCOMPARE(std::string(error.what()), message);
            QCOMPARE(error.file(), std::string("rules.txt"));
        }
    }

    void parseRuleThrowsParameterError()
    {
        QVERIFY_THROWS_EXCEPTION(ParameterError, parseRule("srcip 10.0.0.7"));
        QVERIFY_THROWS_EXCEPTION(ParameterError, parseRule("   "));
        QVERIFY_THROWS_EXCEPTION(ParameterError, parseRule("disabled"));
    }

    void skipsCommentsAndBlankLinesAndKeepsDisabledRules()
    {
        const auto rules = rulesOf("\xEF\xBB\xBF# allow-list\n\n   # indented comment\r\nsrc_ip 10.0.0.7 # a\n\t\n"
                                   "disabled dst_port 123 # not now\nprotocol ICMP");
        QCOMPARE(rules.size(), std::size_t(3));
        QCOMPARE(rules[0].line(), std::string("src_ip 10.0.0.7 # a"));
        QVERIFY(!rules[1].enabled);
        QCOMPARE(rules[1].line(), std::string("disabled dst_port 123 # not now"));
        QCOMPARE(rules[2].condition(), std::string("protocol ICMP"));
        // writeRules reads back as the same rules.
        const std::string written = writeRules(rules);
        const auto again = rulesOf(written);
        QCOMPARE(again.size(), rules.size());
        for (std::size_t i = 0; i < rules.size(); ++i)
            QCOMPARE(again[i].line(), rules[i].line());
        QVERIFY(rulesOf("").empty());
        QVERIFY(rulesOf("# only comments\n\n").empty());
    }

    void aReasonWithALineBreakStaysOneLine()
    {
        SuppressionRule rule;
        rule.field = RuleField::DstPort;
        rule.value = "123";
        rule.reason = "NTP\nsrc_ip 0.0.0.0/0";
        QCOMPARE(rule.line(), std::string("dst_port 123 # NTP src_ip 0.0.0.0/0"));
        QCOMPARE(rulesOf(writeRules({rule})).size(), std::size_t(1));
    }

    void refusesMoreThanTheRuleLimit()
    {
        std::string text;
        for (std::size_t i = 0; i <= kMaxRules; ++i)
            text += "dst_port " + std::to_string(i % 65536) + "\n";
        try {
            rulesOf(text);
            QFAIL("no error");
        } catch (const InputError& error) {
            QCOMPARE(error.line(), static_cast<std::int64_t>(kMaxRules + 1));
            QVERIFY(std::string(error.what()).find("more than 100000 rules") != std::string::npos);
        }
    }

    void readRulesFileNamesTheFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, readRulesFile("/nonexistent/rules.txt"));
    }

    void matchesEachFieldOnAHandMadeTable_data()
    {
        QTest::addColumn<std::string>("rules");
        QTest::addColumn<std::vector<std::size_t>>("rows");
        QTest::addColumn<std::vector<std::size_t>>("perRule");
        using Rows = std::vector<std::size_t>;
        QTest::newRow("src_ip address") << std::string("src_ip 10.0.0.7") << Rows{0, 4} << Rows{2};
        QTest::newRow("src_ip /8") << std::string("src_ip 10.0.0.0/8") << Rows{0, 1, 4} << Rows{3};
        QTest::newRow("src_ip /32") << std::string("src_ip 10.1.2.3/32") << Rows{1} << Rows{1};
        QTest::newRow("IPv4 /0: every IPv4 source") << std::string("src_ip 0.0.0.0/0") << Rows{0, 1, 3, 4, 6}
                                                    << Rows{5};
        QTest::newRow("IPv6 /32") << std::string("src_ip 2001:db8::/32") << Rows{2, 7} << Rows{2};
        QTest::newRow("IPv6 /128") << std::string("src_ip 2001:db8::1/128") << Rows{2} << Rows{1};
        QTest::newRow("IPv6 /0: every address") << std::string("src_ip ::/0") << Rows{0, 1, 2, 3, 4, 6, 7}
                                                << Rows{7};
        QTest::newRow("dst_ip, also IPv4-mapped") << std::string("dst_ip 10.0.0.5") << Rows{0, 3, 5, 6} << Rows{4};
        QTest::newRow("port") << std::string("dst_port 123") << Rows{0} << Rows{1};
        QTest::newRow("port range") << std::string("dst_port 8000-8080") << Rows{2, 4} << Rows{2};
        QTest::newRow("port 65535") << std::string("dst_port 65535") << Rows{6} << Rows{1};
        QTest::newRow("protocol, any case") << std::string("protocol Tcp") << Rows{0, 3, 4, 6, 7} << Rows{5};
        QTest::newRow("country, any case") << std::string("country US") << Rows{1, 3} << Rows{2};
        QTest::newRow("rule_names, whole cell, any case") << std::string("rule_names SCAN RULE") << Rows{0, 2}
                                                          << Rows{2};
        QTest::newRow("rule_names, not a part") << std::string("rule_names Scan") << Rows{} << Rows{0};
        QTest::newRow("pair") << std::string("pair 10.0.0.7 -> 10.0.0.5") << Rows{0} << Rows{1};
        QTest::newRow("pair of CIDRs") << std::string("pair 10.0.0.0/8 -> 0.0.0.0/0") << Rows{0, 1, 4} << Rows{3};
        QTest::newRow("pair one side only") << std::string("pair 203.0.113.9 -> 10.0.0.6") << Rows{} << Rows{0};
        QTest::newRow("several rules, a row counted once")
            << std::string("src_ip 10.0.0.7\nprotocol TCP\ndisabled country FR\ndst_port 53")
            << Rows{0, 1, 3, 4, 6, 7} << Rows{2, 5, 0, 1};
        QTest::newRow("a rule twice counts twice") << std::string("dst_port 443\ndst_port 400-500") << Rows{3}
                                                   << Rows{1, 1};
    }
    void matchesEachFieldOnAHandMadeTable()
    {
        QFETCH(std::string, rules);
        QFETCH(std::vector<std::size_t>, rows);
        QFETCH(std::vector<std::size_t>, perRule);
        const TrafficTable table = smallTable();
        QCOMPARE(table.rowCount(), std::size_t(8));
        const std::vector<SuppressionRule> parsed = rulesOf(rules);
        const Suppression suppression = matchRules(table, parsed);
        QCOMPARE(matchedRows(suppression), rows);
        QCOMPARE(suppression.matchedRows, rows.size());
        QCOMPARE(suppression.rowsPerRule, perRule);
        QCOMPARE(suppression.rules.size(), parsed.size());
        QCOMPARE(suppression.activeRules,
                 static_cast<std::size_t>(std::count_if(parsed.begin(), parsed.end(),
                                                        [](const SuppressionRule& rule) { return rule.enabled; })));
    }

    void noRulesMatchNothing()
    {
        const Suppression suppression = matchRules(smallTable(), {});
        QVERIFY(suppression.empty());
        QCOMPARE(suppression.rows.size(), std::size_t(8));
        QCOMPARE(suppression.activeRules, std::size_t(0));
    }

    void matchingPollsCancel()
    {
        const std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, matchRules(smallTable(), rulesOf("src_ip 10.0.0.7"), &cancel));
    }

    void applySuppressionMovesSuspiciousRowsToNormal()
    {
        const ScoreIndex scores(kScores);
        Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.5));
        QCOMPARE(verdicts.suspiciousCount, std::size_t(4)); // rows 0..3
        // Rows 0 and 4 match; only row 0 was suspicious.
        const Suppression suppression = matchRules(smallTable(), rulesOf("src_ip 10.0.0.7"));
        applySuppression(verdicts, suppression);
        QCOMPARE(verdicts.suspiciousCount, std::size_t(3));
        QCOMPARE(verdicts.suppressedCount, std::size_t(1));
        QCOMPARE(verdicts.belowThreshold(), std::size_t(4));
        QVERIFY(!verdicts.isSuspicious(0));
        QVERIFY(verdicts.isSuspicious(1));
        QVERIFY(!verdicts.isSuspicious(4));
        // Applying it again changes nothing.
        applySuppression(verdicts, suppression);
        QCOMPARE(verdicts.suspiciousCount, std::size_t(3));
        QCOMPARE(verdicts.suppressedCount, std::size_t(1));
        Suppression wrongSize = suppression;
        wrongSize.rows.pop_back();
        QVERIFY_THROWS_EXCEPTION(ParameterError, applySuppression(verdicts, wrongSize));
    }

    // The rows below the threshold lead the ranking, but the suppressed ones among them are not
    // counted by the cross-tables nor listed as changed when the threshold moves.
    void crossTabsAndChangesSkipSuppressedRows()
    {
        const TrafficTable table = smallTable();
        const ScoreIndex scores(kScores);
        const Suppression suppression = matchRules(table, rulesOf("src_ip 10.0.0.0/8"));
        Verdicts fewer = applyThreshold(scores, Contamination::fromValue(0.25)); // rows 0, 1
        Verdicts more = applyThreshold(scores, Contamination::fromValue(0.5)); // rows 0..3
        applySuppression(fewer, suppression);
        applySuppression(more, suppression);
        QCOMPARE(fewer.suspiciousCount, std::size_t(0));
        QCOMPARE(fewer.suppressedCount, std::size_t(2));
        const VerdictChanges up = changedVerdicts(scores, fewer, more);
        QCOMPARE(up.newlySuspicious, (std::vector<std::uint32_t>{2, 3}));
        QVERIFY(up.newlyNormal.empty());
        QCOMPARE(changedVerdicts(scores, more, fewer).newlyNormal, (std::vector<std::uint32_t>{2, 3}));
        const CrossTab tab = CrossTabulator(table, Field::RuleNames).tabulate(scores, more);
        QCOMPARE(tab.suspicious, std::size_t(2));
        QCOMPARE(tab.normal, std::size_t(6));
    }

    void assessWithSuppressionLeavesTheRowsOutOfTheFindings()
    {
        auto data = std::make_shared<PreparedData>();
        data->table = smallTable();
        auto detection = std::make_shared<Detection>();
        detection->scores = ScoreIndex(kScores);
        const auto suppression
            = std::make_shared<const Suppression>(matchRules(data->table, rulesOf("src_ip 10.0.0.0/8 # office")));

        const Analysis plain = assess(data, detection, Contamination::fromValue(0.5));
        QCOMPARE(plain.findings.suspicious, std::size_t(4));
        QCOMPARE(plain.findings.suppressed, std::size_t(0));
        QVERIFY(!plain.suppression);

        const Analysis allowed = assess(data, detection, Contamination::fromValue(0.5), 10, {}, suppression);
        QCOMPARE(allowed.verdicts.threshold, plain.verdicts.threshold); // the threshold does not move
        QCOMPARE(allowed.verdicts.suspiciousCount, std::size_t(2)); // rows 0 and 1 (10.x) suppressed
        QCOMPARE(allowed.findings.suspicious, std::size_t(2));
        QCOMPARE(allowed.findings.suppressed, std::size_t(2));
        QCOMPARE(allowed.findings.suspiciousRows, (std::vector<std::size_t>{2, 3}));
        QCOMPARE(allowed.suppression, suppression);
        for (const FindingEntry& entry : allowed.findings.sourceIps)
            QVERIFY(entry.value.rfind("10.", 0) != 0);
        QCOMPARE(allowed.findings.sourceIps.size(), std::size_t(2));
        QCOMPARE(allowed.findings.countries.size(), std::size_t(2)); // DE, us
        std::size_t counted = 0;
        for (const FindingEntry& entry : allowed.findings.protocols)
            counted += entry.count;
        QCOMPARE(counted, std::size_t(2));

        const Analysis at = assessAt(data, detection, plain.verdicts.threshold, plain.verdicts.contamination, 10, {},
                                     suppression);
        QCOMPARE(at.findings.suspiciousRows, allowed.findings.suspiciousRows);
        QCOMPARE(at.findings.suppressed, std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestSuppression)
#include "tst_suppression.moc"

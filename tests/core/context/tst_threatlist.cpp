// core/context/threatlist: list files (plain text in the common formats, CSV with a chosen column),
// their errors with file:line:column, lenient loading, the merged range table against a linear scan
// on random lists, and what matching a table finds per list.
#include "core/context/threatlist.h"

#include "core/detect/threshold.h"
#include "core/io/csvreader.h"
#include "core/util/errors.h"

#include <QTest>

#include <random>

using namespace webthreat;

Q_DECLARE_METATYPE(std::string)

namespace {

IpNumber ip(std::string_view text)
{
    IpNumber number;
    if (!parseIpNumber(text, &number))
        throw std::runtime_error("not an address in the test: " + std::string(text));
    return number;
}

std::shared_ptr<const ThreatList> listOf(std::string_view text, const std::string& name,
                                         const std::string& column = {})
{
    ThreatListOptions options;
    options.name = name;
    options.column = column;
    return std::make_shared<const ThreatList>(parseThreatList(text, name + ".txt", options));
}

std::vector<std::string> entryTexts(const ThreatList& list)
{
    std::vector<std::string> out;
    for (const IpRange& range : list.entries)
        out.push_back(ipRangeText(range));
    return out;
}

// A random network: mostly IPv4 (/0../32, nested and overlapping by construction: few distinct
// high bytes), some IPv6 (/0../128), some written as IPv4-mapped IPv6.
std::string randomEntry(std::mt19937_64& random)
{
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
    const int kind = pick(10);
    if (kind < 6) {
        const int prefix = pick(6) == 0 ? pick(33) : 16 + pick(17);
        return std::to_string(10 + pick(3)) + "." + std::to_string(pick(4)) + "." + std::to_string(pick(256)) + "."
            + std::to_string(pick(256)) + "/" + std::to_string(prefix);
    }
    if (kind < 8) {
        char text[80];
        std::snprintf(text, sizeof text, "2001:db8:%x:%x::%x/%d", pick(4), pick(4), pick(65536),
                      pick(8) == 0 ? pick(129) : 32 + pick(97));
        return text;
    }
    if (kind < 9)
        return "::ffff:10." + std::to_string(pick(4)) + "." + std::to_string(pick(256)) + ".0/"
            + std::to_string(96 + pick(33));
    const std::string second = std::to_string(pick(4));
    return "10." + second + "." + std::to_string(pick(256)) + ".1-10." + second + ".255.9";
}

std::string randomAddress(std::mt19937_64& random)
{
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
    const int kind = pick(6);
    if (kind < 3)
        return std::to_string(9 + pick(5)) + "." + std::to_string(pick(5)) + "." + std::to_string(pick(256)) + "."
            + std::to_string(pick(256));
    if (kind < 4)
        return "::ffff:10." + std::to_string(pick(4)) + "." + std::to_string(pick(256)) + "." + std::to_string(pick(256));
    char text[80];
    std::snprintf(text, sizeof text, "2001:db8:%x:%x::%x", pick(5), pick(5), pick(65536));
    return pick(10) == 0 ? std::string("::") : std::string(text);
}

} // namespace

class TestThreatList : public QObject {
    Q_OBJECT

private slots:
    void entries_data()
    {
        QTest::addColumn<std::string>("line");
        QTest::addColumn<std::string>("entry");
        QTest::newRow("address") << std::string("203.0.113.7") << std::string("203.0.113.7");
        QTest::newRow("cidr") << std::string("203.0.113.0/24") << std::string("203.0.113.0/24");
        QTest::newRow("host bits masked") << std::string("203.0.113.77/24") << std::string("203.0.113.0/24");
        QTest::newRow("slash 32") << std::string("203.0.113.7/32") << std::string("203.0.113.7");
        QTest::newRow("slash 0") << std::string("0.0.0.0/0") << std::string("0.0.0.0/0");
        QTest::newRow("ipv6") << std::string("2001:db8::/32") << std::string("2001:db8::/32");
        QTest::newRow("ipv6 /128") << std::string("2001:db8::7/128") << std::string("2001:db8::7");
        QTest::newRow("ipv6 /0") << std::string("::/0") << std::string("::/0");
        QTest::newRow("mapped") << std::string("::ffff:203.0.113.0/120") << std::string("203.0.113.0/24");
        QTest::newRow("range") << std::string("10.0.0.1-10.0.0.9") << std::string("10.0.0.1-10.0.0.9");
        QTest::newRow("range is a cidr") << std::string("10.0.0.0-10.0.0.255") << std::string("10.0.0.0/24");
        QTest::newRow("spamhaus drop") << std::string("1.10.16.0/20 ; SBL256894") << std::string("1.10.16.0/20");
        QTest::newRow("trailing comment") << std::string("  203.0.113.7   # scanner") << std::string("203.0.113.7");
        QTest::newRow("tab note (ipsum)") << std::string("203.0.113.7\t7") << std::string("203.0.113.7");
        QTest::newRow("crlf") << std::string("203.0.113.7\r") << std::string("203.0.113.7");
    }
    void entries()
    {
        QFETCH(std::string, line);
        QFETCH(std::string, entry);
        const auto list = listOf("# header\n\n" + line + "\n", "x");
        QCOMPARE(list->entries.size(), std::size_t{1});
        QCOMPARE(ipRangeText(list->entries[0]), entry);
        QCOMPARE(list->entries[0].line, std::uint32_t{3});
        QCOMPARE(list->commentLines, std::size_t{2});
    }

    void badLines_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("message");
        QTest::newRow("word") << std::string("10.0.0.1\n  evil.example.com\n")
                              << std::string("bad.txt:2:3: 'evil.example.com' is not an address, CIDR or range");
        QTest::newRow("prefix too long") << std::string("10.0.0.0/33\n")
                                         << std::string("bad.txt:1:10: '10.0.0.0/33' is not a CIDR: the prefix length "
                                                        "must be 0-32");
        QTest::newRow("ipv6 prefix") << std::string("\n\n2001:db8::/129\n")
                                     << std::string("bad.txt:3:12: '2001:db8::/129' is not a CIDR: the prefix length "
                                                    "must be 0-128");
        QTest::newRow("octet") << std::string("10.0.0.256\n") << std::string("bad.txt:1:1: '10.0.0.256' is not an");
        QTest::newRow("backwards range") << std::string("10.0.0.9-10.0.0.1\n")
                                         << std::string("bad.txt:1:10: '10.0.0.9-10.0.0.1' is not a range: it ends "
                                                        "before it starts");
        QTest::newRow("mixed range") << std::string("10.0.0.1-2001:db8::1\n")
                                     << std::string("bad.txt:1:10: '10.0.0.1-2001:db8::1' is not a range: it mixes");
        QTest::newRow("host name with a dash") << std::string("bad-host.example\n")
                                               << std::string("bad.txt:1:1: 'bad-host.example' is not an address, "
                                                              "CIDR or range");
        QTest::newRow("range to a bad address") << std::string("10.0.0.1-10.0.0.300\n")
                                                << std::string("bad.txt:1:10: '10.0.0.1-10.0.0.300' is not a range: "
                                                               "'10.0.0.300' is not an address");
        QTest::newRow("empty prefix") << std::string("10.0.0.0/\n") << std::string("bad.txt:1:10: '10.0.0.0/' is not a CIDR");
    }
    void badLines()
    {
        QFETCH(std::string, text);
        QFETCH(std::string, message);
        try {
            parseThreatList(text, "bad.txt");
            QFAIL("no error");
        } catch (const InputError& error) {
            QVERIFY2(std::string(error.what()).starts_with(message), error.what());
        }
    }

    void skipBadLinesCountsThem()
    {
        std::string text = "10.0.0.1\n";
        for (int i = 0; i < 8; ++i)
            text += "host" + std::to_string(i) + ".example\n";
        text += "10.0.0.2\n";
        ThreatListOptions options;
        options.skipBadLines = true;
        const ThreatList list = parseThreatList(text, "lenient.txt", options);
        QCOMPARE(list.entries.size(), std::size_t{2});
        QCOMPARE(list.badLines, std::size_t{8});
        QCOMPARE(list.problems.size(), kThreatListProblemsKept);
        QCOMPARE(list.problems[0].line, std::uint32_t{2});
        QCOMPARE(list.problems[0].column, std::uint32_t{1});
        QCOMPARE(list.problems[4].line, std::uint32_t{6});
        QCOMPARE(list.lines, std::size_t{10});
        QCOMPARE(list.summary(), std::string("lenient: 2 entries, 8 bad lines skipped"));
    }

    void fireholNetset()
    {
        const auto list = listOf("#\n# firehol_level1\n#\n# Maintainer      : FireHOL\n#\n0.0.0.0/8\n1.10.16.0/20\n"
                                 "223.254.0.0/16\n",
                                 "firehol_level1");
        QCOMPARE(entryTexts(*list), (std::vector<std::string>{"0.0.0.0/8", "1.10.16.0/20", "223.254.0.0/16"}));
    }

    void spamhausDrop()
    {
        const auto list = listOf("; Spamhaus DROP List 2024/01/01 - (c) 2024 The Spamhaus Project\n"
                                 "; Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\n"
                                 "1.10.16.0/20 ; SBL256894\n1.19.0.0/16 ; SBL434604\n",
                                 "drop");
        QCOMPARE(entryTexts(*list), (std::vector<std::string>{"1.10.16.0/20", "1.19.0.0/16"}));
        QCOMPARE(list->commentLines, std::size_t{2});
    }

    void csvByName()
    {
        // abuse.ch writes its header as a comment; quoted cells.
        const auto list = listOf("# Feodo Tracker\n# \"first_seen_utc\",\"dst_ip\",\"dst_port\"\n"
                                 "\"2024-01-01 00:00:00\",\"203.0.113.7\",\"443\"\n"
                                 "\"2024-01-02 00:00:00\",\"198.51.100.0/24\",\"8080\"\n",
                                 "feodo", "dst_ip");
        QCOMPARE(entryTexts(*list), (std::vector<std::string>{"203.0.113.7", "198.51.100.0/24"}));
        const auto plain = listOf("when;IP;why\n2024;203.0.113.7;scan\n2024;;none\n", "semi", "ip");
        QCOMPARE(entryTexts(*plain), (std::vector<std::string>{"203.0.113.7"}));
    }

    void csvByNumber()
    {
        const auto withHeader = listOf("name,address\nscanner,203.0.113.7\n", "n", "2");
        QCOMPARE(entryTexts(*withHeader), (std::vector<std::string>{"203.0.113.7"}));
        const auto noHeader = listOf("scanner,203.0.113.7\nc2,2001:db8::1\n", "n", "2");
        QCOMPARE(entryTexts(*noHeader), (std::vector<std::string>{"203.0.113.7", "2001:db8::1"}));
    }

    void csvErrors()
    {
        try {
            parseThreatList("a,b\n1,2\n", "l.csv", {"", "ip", false});
            QFAIL("no error");
        } catch (const InputError& error) {
            QCOMPARE(std::string(error.what()), std::string("l.csv:1:1: the header does not name the column 'ip'"));
        }
        try {
            parseThreatList("name,ip\nx,203.0.113.7\ny,\"bad\nz\n", "l.csv", {"", "ip", false});
            QFAIL("no error");
        } catch (const InputError& error) {
            QCOMPARE(std::string(error.what()), std::string("l.csv:3:3: a quoted cell is not closed on its line"));
        }
        try {
            parseThreatList("name,ip\nx,203.0.113.7\ny, nope\n", "l.csv", {"", "ip", false});
            QFAIL("no error");
        } catch (const InputError& error) {
            QVERIFY2(std::string(error.what()).starts_with("l.csv:3:4: 'nope' is not an address"), error.what());
        }
    }

    void spec()
    {
        const ThreatListSpec plain = parseThreatListSpec("/no/such/abuse.txt");
        QCOMPARE(plain.path, std::string("/no/such/abuse.txt"));
        QVERIFY(plain.options.column.empty());
        const ThreatListSpec named = parseThreatListSpec("tor=/no/such/exits.csv:ip");
        QCOMPARE(named.options.name, std::string("tor"));
        QCOMPARE(named.path, std::string("/no/such/exits.csv"));
        QCOMPARE(named.options.column, std::string("ip"));
        QCOMPARE(threatListSpecText(named), std::string("tor=/no/such/exits.csv:ip"));
    }

    void indexAgreesWithScan()
    {
        std::mt19937_64 random(20);
        for (int round = 0; round < 20; ++round) {
            std::vector<std::shared_ptr<const ThreatList>> lists;
            const int listCount = 1 + round % 4;
            for (int l = 0; l < listCount; ++l) {
                std::string text;
                const int entries = 1 + static_cast<int>(random() % 60);
                for (int e = 0; e < entries; ++e)
                    text += randomEntry(random) + "\n";
                lists.push_back(listOf(text, "list" + std::to_string(l)));
            }
            const ThreatIndex index(lists);
            for (int a = 0; a < 2000; ++a) {
                const std::string address = randomAddress(random);
                const std::uint64_t fast = index.lookup(address);
                const std::uint64_t slow = lookupByScan(lists, ip(address));
                if (fast != slow)
                    QFAIL(qPrintable(QString("round %1: %2: index %3, scan %4")
                                         .arg(round)
                                         .arg(QString::fromStdString(address))
                                         .arg(fast)
                                         .arg(slow)));
            }
        }
    }

    // A large list takes the other paths: the radix sort of its ends (65 536 or more) and the
    // /16 bucket table (4 096 ranges or more).
    void largeIndexAgreesWithScan()
    {
        std::mt19937_64 random(21);
        std::string text;
        std::vector<std::string> probes;
        const auto octet = [&] { return std::to_string(random() % 256); };
        for (int e = 0; e < 40000; ++e) {
            if (e % 400 == 0) {
                // Nested and overlapping: a /16 or a /20 over the /32s and /28s around it.
                text += octet() + "." + octet() + ".0.0/" + (e % 800 ? "16\n" : "20\n");
                continue;
            }
            // Spread over the whole IPv4 space: many disjoint ranges, in every /16.
            const std::string address = octet() + "." + octet() + "." + octet() + "." + octet();
            text += address + (e % 3 == 0 ? "/28\n" : "\n");
            if (e % 20 == 1)
                probes.push_back(address);
        }
        const std::vector<std::shared_ptr<const ThreatList>> lists{listOf(text, "large"),
                                                                    listOf("10.1.0.0/16\n10.2.3.0/24\n", "small")};
        const ThreatIndex index(lists);
        QVERIFY(index.rangesV4() >= 4096);
        for (int a = 0; a < 3000; ++a)
            probes.push_back(a % 2 ? randomAddress(random) : octet() + "." + octet() + "." + octet() + "." + octet());
        for (const std::string& address : probes)
            QCOMPARE(index.lookup(address), lookupByScan(lists, ip(address)));
    }

    void edges()
    {
        const auto everything4 = listOf("0.0.0.0/0\n", "all4");
        const auto everything6 = listOf("::/0\n", "all6");
        const auto one = listOf("255.255.255.255\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128\n::/128\n", "edges");
        const ThreatIndex index({everything4, everything6, one});
        QCOMPARE(index.lookup("0.0.0.0"), std::uint64_t{0b011});
        QCOMPARE(index.lookup("255.255.255.255"), std::uint64_t{0b111});
        QCOMPARE(index.lookup("::ffff:255.255.255.255"), std::uint64_t{0b111});
        QCOMPARE(index.lookup("::"), std::uint64_t{0b110});
        QCOMPARE(index.lookup("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), std::uint64_t{0b110});
        QCOMPARE(index.lookup("::1"), std::uint64_t{0b010});
        QCOMPARE(index.lookup("not an address"), std::uint64_t{0});
        const ThreatIndex empty({});
        QCOMPARE(empty.lookup("10.0.0.1"), std::uint64_t{0});
        QCOMPARE(empty.lookup("2001:db8::1"), std::uint64_t{0});
    }

    void duplicateNamesRefused()
    {
        QVERIFY_THROWS_EXCEPTION(ParameterError, ThreatIndex({listOf("10.0.0.1\n", "a"), listOf("10.0.0.2\n", "a")}));
    }

    void narrowest()
    {
        const auto list = listOf("10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n", "nested");
        const IpRange* entry = narrowestEntry(*list, ip("10.1.2.3"));
        QVERIFY(entry);
        QCOMPARE(ipRangeText(*entry), std::string("10.1.2.0/24"));
        QCOMPARE(entry->line, std::uint32_t{3});
        QCOMPARE(ipRangeText(*narrowestEntry(*list, ip("10.9.0.1"))), std::string("10.0.0.0/8"));
        QVERIFY(!narrowestEntry(*list, ip("11.0.0.1")));
    }

    void matchesAndFindings()
    {
        const TrafficTable table = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n"
                                                      "1,1,,,203.0.113.7,10.0.0.5\n" // abuse (src)
                                                      "2,2,,,203.0.113.7,10.0.0.6\n" // abuse (src)
                                                      "3,3,,,198.51.100.1,203.0.113.9\n" // abuse (dst)
                                                      "4,4,,,10.0.0.1,10.0.0.2\n" // none
                                                      "5,5,,,2001:db8::5,10.0.0.2\n" // tor
                                                      "6,6,,, 203.0.113.8 ,2001:db8::9\n", // abuse + tor
                                                      "t.csv")
                                       .table;
        const auto abuse = listOf("203.0.113.0/24\n", "abuse-ip");
        const auto tor = listOf("2001:db8::/64\n", "tor");
        const ThreatMatches matches = matchThreatLists(table, std::make_shared<const ThreatIndex>(
                                                                  std::vector<std::shared_ptr<const ThreatList>>{abuse, tor}));
        QCOMPARE(matches.matchedRows, std::size_t{5});
        QCOMPARE(matches.src, (std::vector<std::uint64_t>{1, 1, 0, 0, 2, 1}));
        QCOMPARE(matches.dst, (std::vector<std::uint64_t>{0, 0, 1, 0, 0, 2}));
        QCOMPARE(matches.names(matches.row(5)), std::string("abuse-ip;tor"));
        QCOMPARE(matches.names(0), std::string());

        Verdicts verdicts;
        verdicts.suspicious = {1, 1, 0, 1, 0, 1};
        verdicts.suspiciousCount = 4;
        const ThreatFindings findings = countThreatFindings(table, matches, &verdicts);
        QCOMPARE(findings.rows, std::size_t{5});
        QCOMPARE(findings.suspiciousRows, std::size_t{3});
        QCOMPARE(findings.lists.size(), std::size_t{2});
        const ThreatListCount& a = findings.lists[0];
        QCOMPARE(a.rows, std::size_t{4});
        QCOMPARE(a.sourceRows, std::size_t{3});
        QCOMPARE(a.destinationRows, std::size_t{1});
        QCOMPARE(a.sources, std::size_t{3});
        QCOMPARE(a.suspiciousRows, std::size_t{3});
        QCOMPARE(a.suspiciousSources, std::size_t{2});
        QCOMPARE(a.sentence(), std::string("3 suspicious rows from 2 sources on list 'abuse-ip' (4 rows in all, 3 sources)"));
        QCOMPARE(findings.lists[1].suspiciousRows, std::size_t{1});
        const ThreatFindings unscored = countThreatFindings(table, matches, nullptr);
        QCOMPARE(unscored.lists[0].suspiciousRows, std::size_t{0});
        QCOMPARE(unscored.lists[0].rows, std::size_t{4});
    }

    void matchingPollsCancel()
    {
        const TrafficTable table = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,1,,,10.0.0.1,10.0.0.2\n", "c.csv").table;
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 matchThreatLists(table, std::make_shared<const ThreatIndex>(
                                                             std::vector<std::shared_ptr<const ThreatList>>{}),
                                                  &cancel));
    }

    void readsFixtures()
    {
        const std::string dir = WEBTHREAT_TEST_DATA_DIR "/threatlists/";
        const ThreatList drop = readThreatList(dir + "spamhaus-drop.txt");
        QCOMPARE(drop.name, std::string("spamhaus-drop"));
        QVERIFY(drop.entries.size() >= 5);
        QCOMPARE(drop.sha256.size(), std::size_t{64});
        try {
            readThreatList(dir + "bad-line.txt");
            QFAIL("no error");
        } catch (const InputError& error) {
            QVERIFY2(std::string(error.what()).find("bad-line.txt:4:1: 'malware.example.net'") != std::string::npos,
                     error.what());
        }
        QVERIFY_THROWS_EXCEPTION(InputError, readThreatList(dir + "no-such-list.txt"));
        const ThreatList feodo = readThreatList(dir + "feodo.csv", {"", "dst_ip", false});
        QCOMPARE(entryTexts(feodo), (std::vector<std::string>{"203.0.113.7", "198.51.100.23", "2001:db8:bad::7"}));
        QCOMPARE(readThreatList(dir + "firehol-level1.netset").entries.size(), std::size_t{5});
        QCOMPARE(readThreatList(dir + "abuse-ip.txt").entries.size(), std::size_t{5});
    }
};

QTEST_GUILESS_MAIN(TestThreatList)
#include "tst_threatlist.moc"

// core/analysis/crosstab: the rules (rule_names, detection_types) against the model's verdicts.
#include "core/analysis/crosstab.h"
#include "core/io/csvreader.h"

#include <QTest>

using namespace webthreat;

namespace {
// Eight rows; rows 0..2 are the most anomalous. Rules: A, A, (none), B, A, B, C, C.
TrafficTable ruledTable()
{
    return readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,"
                              "dst_ip,rule_names\n"
                              "1,1,,,1.1.1.1,US,HTTPS,443,10.0.0.1,A\n"
                              "2,2,,,1.1.1.2,US,HTTPS,443,10.0.0.1,A\n"
                              "3,3,,,1.1.1.3,US,HTTPS,443,10.0.0.1,\n"
                              "4,4,,,1.1.1.4,US,HTTPS,443,10.0.0.1,B\n"
                              "5,5,,,1.1.1.5,US,HTTPS,443,10.0.0.1,A\n"
                              "6,6,,,1.1.1.6,US,HTTPS,443,10.0.0.1,B\n"
                              "7,7,,,1.1.1.7,US,HTTPS,443,10.0.0.1,C\n"
                              "8,8,,,1.1.1.8,US,HTTPS,443,10.0.0.1,C\n",
                              "rules.csv")
        .table;
}
const ScoreIndex kScores({-0.9, -0.8, -0.7, -0.3, -0.2, -0.25, -0.22, -0.21});
} // namespace

class TestCrossTab : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsEachRuleAgainstTheVerdicts()
    {
        const TrafficTable table = ruledTable();
        const CrossTabulator tabulator(table, Field::RuleNames);
        const Verdicts verdicts = applyThreshold(kScores, Contamination::fromValue(0.4));
        QCOMPARE(verdicts.suspiciousCount, std::size_t(3));
        const CrossTab tab = tabulator.tabulate(kScores, verdicts);
        QCOMPARE(tab.column, std::string("rule_names"));
        QVERIFY(tab.columnPresent);
        QCOMPARE(tab.rows.size(), std::size_t(4));
        QCOMPARE(tab.rows[0].value, std::string("A")); // most rows first
        QCOMPARE(tab.rows[0].suspicious, std::size_t(2));
        QCOMPARE(tab.rows[0].normal, std::size_t(1));
        QCOMPARE(tab.rows[1].value, std::string("B")); // ties keep the order of first appearance
        QCOMPARE(tab.rows[1].suspicious, std::size_t(0));
        QCOMPARE(tab.rows[1].normal, std::size_t(2));
        QCOMPARE(tab.rows[2].value, std::string("C"));
        QCOMPARE(tab.rows[3].value, std::string("(none)")); // last
        QVERIFY(tab.rows[3].none);
        QCOMPARE(tab.rows[3].suspicious, std::size_t(1));
        QCOMPARE(tab.suspicious, std::size_t(3));
        QCOMPARE(tab.normal, std::size_t(5));
        QCOMPARE(tab.ruledButNormal(), std::size_t(5));
        QCOMPARE(tab.ruledAndFlagged(), std::size_t(2));
        QCOMPARE(tab.flaggedWithoutRule(), std::size_t(1));
        QCOMPARE(tab.summary(),
                 std::string("The rules named 7 rows; the model flags 2 rows of them (28.6 %) and calls 5 rows Normal: "
                             "what the rules caught that the model did not. The model flags 1 row that no rule named: "
                             "what the model caught that the rules did not."));
    }

    void aMissingColumnHasNothingToCompare()
    {
        const TrafficTable table = ruledTable();
        const CrossTab tab = CrossTabulator(table, Field::DetectionTypes)
                                 .tabulate(kScores, applyThreshold(kScores, Contamination::fromValue(0.2)));
        QVERIFY(!tab.columnPresent);
        QCOMPARE(tab.rows.size(), std::size_t(1));
        QVERIFY(tab.rows[0].none);
        QCOMPARE(tab.rows[0].total(), std::size_t(8));
        QCOMPARE(tab.summary(),
                 std::string("The file has no detection_types values, so there is nothing to compare the model with."));
    }

    void changedVerdictsAreTheRowsBetweenTwoThresholds()
    {
        const Verdicts fewer = applyThreshold(kScores, Contamination::fromValue(0.1));
        const Verdicts more = applyThreshold(kScores, Contamination::fromValue(0.4));
        QCOMPARE(fewer.suspiciousCount, std::size_t(1));
        QCOMPARE(more.suspiciousCount, std::size_t(3));
        const VerdictChanges up = changedVerdicts(kScores, fewer, more);
        QCOMPARE(up.newlySuspicious, (std::vector<std::uint32_t>{1, 2}));
        QVERIFY(up.newlyNormal.empty());
        const VerdictChanges down = changedVerdicts(kScores, more, fewer);
        QCOMPARE(down.newlyNormal, (std::vector<std::uint32_t>{1, 2}));
        QCOMPARE(down.size(), std::size_t(2));
        QCOMPARE(changedVerdicts(kScores, more, more).size(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestCrossTab)
#include "tst_crosstab.moc"

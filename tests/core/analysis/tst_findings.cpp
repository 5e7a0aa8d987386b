#include "core/io/csvreader.h"
#include "core/analysis/findings.h"
#include "generator/generator.h"

#include <map>
#include <random>
#include <sstream>

#include <QTest>

using namespace webthreat;

class TestFindings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsAmongSuspicious()
    {
        const std::string text
            = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n"
              "100,1000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 0: suspicious
              "200,2000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 1: suspicious
              "300,3000,,,2.2.2.2,DE,SSH,22,10.0.0.1\n" // row 2: suspicious
              "400,4000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 3: normal
              "500,5000,,,3.3.3.3,FR,HTTP,,10.0.0.1\n"; // row 4: normal
        const TrafficTable table = readTrafficCsvText(text, "f.csv").table;
        const ScoreIndex scores({-0.8, -0.7, -0.9, -0.3, -0.2});
        const Verdicts verdicts = applyThreshold(scores, Contamination::autoOffset());
        QCOMPARE(verdicts.suspiciousCount, std::size_t(3));
        const Findings findings = computeFindings(table, scores, verdicts);
        QCOMPARE(findings.rows, std::size_t(5));
        QCOMPARE(findings.suspicious, std::size_t(3));
        QCOMPARE(findings.suspiciousRows, (std::vector<std::size_t>{2, 0, 1}));

        QCOMPARE(findings.sourceIps.size(), std::size_t(2));
        QCOMPARE(findings.sourceIps[0].value, std::string("1.1.1.1"));
        QCOMPARE(findings.sourceIps[0].count, std::size_t(2));
        QCOMPARE(findings.sourceIps[0].totalRows, std::size_t(3));
        QCOMPARE(findings.sourceIps[0].share, 2.0 / 3.0);
        QCOMPARE(findings.sourceIps[0].bytesIn, std::int64_t(300));
        QCOMPARE(findings.sourceIps[0].bytesOut, std::int64_t(3000));
        QCOMPARE(findings.sourceIps[1].value, std::string("2.2.2.2"));

        QCOMPARE(findings.countries[0].value, std::string("US"));
        QCOMPARE(findings.protocols[1].value, std::string("SSH"));
        QCOMPARE(findings.destinationPorts[0].value, std::string("443"));
        QCOMPARE(findings.destinationPorts[1].value, std::string("22"));

        // topN limits the lists, never the suspicious rows.
        const Findings top1 = computeFindings(table, scores, verdicts, 1);
        QCOMPARE(top1.sourceIps.size(), std::size_t(1));
        QCOMPARE(top1.suspiciousRows.size(), std::size_t(3));

        // Narrowed to rows 0, 2 and 3 (the workbench's view filter): counts, shares and totals
        // are those rows' only.
        const std::vector<std::uint8_t> kept{1, 0, 1, 1, 0};
        const Findings narrowed = computeFindings(table, scores, verdicts, 10, &kept);
        QCOMPARE(narrowed.rows, std::size_t(3));
        QCOMPARE(narrowed.suspicious, std::size_t(2));
        QCOMPARE(narrowed.suspiciousRows, (std::vector<std::size_t>{2, 0}));
        QCOMPARE(narrowed.sourceIps.size(), std::size_t(2));
        QCOMPARE(narrowed.sourceIps[0].count, std::size_t(1));
        QCOMPARE(narrowed.sourceIps[0].share, 0.5);
        QCOMPARE(narrowed.sourceIps[1].count, std::size_t(1));
        // 2.2.2.2 first: equal counts, more bytes (row 2: 3,300 against row 0: 1,100).
        QCOMPARE(narrowed.sourceIps[0].value, std::string("2.2.2.2"));
        QCOMPARE(narrowed.sourceIps[1].value, std::string("1.1.1.1"));
        QCOMPARE(narrowed.sourceIps[1].totalRows, std::size_t(2)); // rows 0 and 3
        // A mask of another size narrows nothing.
        const std::vector<std::uint8_t> otherData{1, 0};
        QCOMPARE(computeFindings(table, scores, verdicts, 10, &otherData).suspicious, std::size_t(3));
    }

    void missingValuesAreNamed()
    {
        const std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port\n"
                                 "1,1,,,1.1.1.1,10.0.0.1,\n1,1,,,1.1.1.1,10.0.0.1,80\n";
        const TrafficTable table = readTrafficCsvText(text, "f.csv").table;
        const ScoreIndex scores({-0.9, -0.1});
        const Findings findings = computeFindings(table, scores, applyThreshold(scores, Contamination::autoOffset()));
        QCOMPARE(findings.destinationPorts[0].value, std::string("(missing)"));
        QCOMPARE(findings.countries[0].value, std::string("(missing)"));
    }

    // Every list equals a plain tally over all rows with a map, on generated traffic with many
    // values, ties in the counts and a contamination that flags a few hundred rows.
    void equalsPlainTallyOnGeneratedTraffic_data()
    {
        QTest::addColumn<int>("topN");
        QTest::newRow("top 10") << 10;
        QTest::newRow("top 3") << 3;
        QTest::newRow("unlimited") << 0;
    }

    void equalsPlainTallyOnGeneratedTraffic()
    {
        QFETCH(int, topN);
        std::ostringstream csv;
        GeneratorParams params;
        params.rows = 6000;
        params.seed = 5;
        generateTraffic(csv, params);
        const TrafficTable table = readTrafficCsvText(csv.str(), "gen.csv").table;
        std::mt19937_64 random(9);
        std::uniform_real_distribution<double> unit(-1.0, 0.0);
        std::vector<double> raw(table.rowCount());
        for (double& score : raw)
            score = unit(random);
        const ScoreIndex scores(raw);
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.07));
        const Findings findings = computeFindings(table, scores, verdicts, static_cast<std::size_t>(topN));

        const auto& bytesIn = table.column(Field::BytesIn).integers;
        const auto& bytesOut = table.column(Field::BytesOut).integers;
        // Every value with a suspicious row, by name.
        auto expectedFor = [&](auto nameOf) {
            std::map<std::string, FindingEntry> byName;
            for (std::size_t row = 0; row < table.rowCount(); ++row) {
                FindingEntry& entry = byName[nameOf(row)];
                entry.value = nameOf(row);
                ++entry.totalRows;
                if (verdicts.isSuspicious(row)) {
                    ++entry.count;
                    entry.bytesIn += bytesIn[row] == kMissingInteger ? 0 : bytesIn[row];
                    entry.bytesOut += bytesOut[row] == kMissingInteger ? 0 : bytesOut[row];
                }
            }
            std::erase_if(byName, [](const auto& item) { return item.second.count == 0; });
            return byName;
        };
        // The list holds the right entries with the right figures, most suspicious rows (then most
        // bytes) first, and as many as asked; values tied on both may come in any order.
        auto compareLists
            = [&](const std::vector<FindingEntry>& actual, const std::map<std::string, FindingEntry>& expected) {
                  QCOMPARE(actual.size(), topN > 0 ? std::min<std::size_t>(topN, expected.size()) : expected.size());
                  for (std::size_t i = 0; i < actual.size(); ++i) {
                      const auto found = expected.find(actual[i].value);
                      QVERIFY2(found != expected.end(), actual[i].value.c_str());
                      QCOMPARE(actual[i].count, found->second.count);
                      QCOMPARE(actual[i].totalRows, found->second.totalRows);
                      QCOMPARE(actual[i].bytesIn, found->second.bytesIn);
                      QCOMPARE(actual[i].bytesOut, found->second.bytesOut);
                      if (i > 0) {
                          const FindingEntry& before = actual[i - 1];
                          QVERIFY(before.count > actual[i].count
                                  || (before.count == actual[i].count
                                      && before.bytesIn + before.bytesOut >= actual[i].bytesIn + actual[i].bytesOut));
                      }
                  }
                  // Nothing left out outranks what was listed.
                  if (!actual.empty()) {
                      for (const auto& [name, entry] : expected)
                          QVERIFY(entry.count <= actual.front().count);
                      std::size_t listedOrAbove = 0;
                      for (const auto& [name, entry] : expected)
                          listedOrAbove += entry.count > actual.back().count ? 1 : 0;
                      QVERIFY(listedOrAbove <= actual.size());
                  }
              };
        const auto& ips = table.column(Field::SrcIp).text;
        compareLists(findings.sourceIps,
                     expectedFor([&](std::size_t row) { return std::string(table.strings->view(ips[row])); }));
        const auto& ports = table.column(Field::DstPort).integers;
        compareLists(findings.destinationPorts,
                     expectedFor([&](std::size_t row) { return std::to_string(ports[row]); }));
        QVERIFY(findings.sourceIps.size() > 2);
        QCOMPARE(findings.suspicious, verdicts.suspiciousCount);
    }

    void noSuspiciousRows()
    {
        const std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,1,,,a,b\n2,2,,,a,b\n";
        const TrafficTable table = readTrafficCsvText(text, "f.csv").table;
        const ScoreIndex scores({-0.3, -0.2});
        const Findings findings = computeFindings(table, scores, applyThreshold(scores, Contamination::autoOffset()));
        QCOMPARE(findings.suspicious, std::size_t(0));
        QVERIFY(findings.sourceIps.empty());
        QVERIFY(findings.suspiciousRows.empty());
    }
};

QTEST_GUILESS_MAIN(TestFindings)
#include "tst_findings.moc"

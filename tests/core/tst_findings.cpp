#include "core/csvreader.h"
#include "core/findings.h"

#include <QTest>

using namespace webthreat;

class TestFindings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsAmongSuspicious()
    {
        const std::string text =
            "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n"
            "100,1000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 0: suspicious
            "200,2000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 1: suspicious
            "300,3000,,,2.2.2.2,DE,SSH,22,10.0.0.1\n"    // row 2: suspicious
            "400,4000,,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 3: normal
            "500,5000,,,3.3.3.3,FR,HTTP,,10.0.0.1\n";    // row 4: normal
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

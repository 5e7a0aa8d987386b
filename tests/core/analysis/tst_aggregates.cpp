// core/analysis/aggregates: the entities and timeline of a load, and their per-threshold part.
#include "core/analysis/aggregates.h"
#include "core/io/csvreader.h"

#include <QTest>

using namespace webthreat;

namespace {
// Three sources over two hours; 1.1.1.1 has three sessions.
TrafficTable table()
{
    return readTrafficCsvText(
               "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n"
               "100,1000,2024-04-25T23:00:00Z,,1.1.1.1,US,HTTPS,443,10.0.0.1\n"
               "200,2000,2024-04-25T23:30:00Z,,2.2.2.2,DE,HTTPS,443,10.0.0.1\n"
               "300,3000,2024-04-26T00:10:00Z,,1.1.1.1,US,HTTPS,22,10.0.0.1\n"
               "400,4000,2024-04-26T00:50:00Z,,1.1.1.1,CA,HTTPS,443,10.0.0.1\n"
               "500,5000,2024-04-26T00:55:00Z,,3.3.3.3,FR,HTTPS,80,10.0.0.1\n",
               "agg.csv")
        .table;
}
} // namespace

class TestAggregates : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void entitiesAndTimelineOfALoad()
    {
        const TrafficTable rows = table();
        const auto aggregates = aggregateTraffic(rows);
        const EntityTable& entities = aggregates->entities;
        QCOMPARE(entities.entities.size(), std::size_t(3));
        const EntityStats& busiest = entities.entities[0];
        QCOMPARE(rows.strings->view(busiest.srcIp), std::string_view("1.1.1.1"));
        QCOMPARE(busiest.sessions, std::uint64_t(3));
        QCOMPARE(busiest.bytesIn, std::uint64_t(800));
        QCOMPARE(busiest.bytesOut, std::uint64_t(8000));
        QCOMPARE(busiest.countryCount, std::uint32_t(2));
        QCOMPARE(busiest.portCount, std::uint32_t(2));
        QCOMPARE(busiest.topPorts[0], std::int64_t(443));
        QCOMPARE(entities.entityOfRow, (std::vector<std::uint32_t>{0, 1, 0, 0, 2}));
        // Ties in sessions go by first appearance: 2.2.2.2 (row 1) before 3.3.3.3 (row 4).
        QCOMPARE(rows.strings->view(entities.entities[1].srcIp), std::string_view("2.2.2.2"));
        QCOMPARE(entities.ipRank, (std::vector<std::uint32_t>{0, 1, 2}));

        const Timeline& timeline = aggregates->timeline;
        std::uint64_t sessions = 0;
        for (std::uint64_t count : timeline.sessions)
            sessions += count;
        QCOMPARE(sessions, std::uint64_t(5));
    }

    void verdictPartPerThreshold()
    {
        const TrafficTable rows = table();
        const auto aggregates = aggregateTraffic(rows);
        const ScoreIndex scores({-0.9, -0.2, -0.8, -0.3, -0.25});
        const Verdicts verdicts = applyThreshold(scores, Contamination::fromValue(0.3));
        QCOMPARE(verdicts.suspiciousCount, std::size_t(2)); // rows 0 and 2, both 1.1.1.1
        const auto perThreshold = assessAggregates(*aggregates, rows, verdicts, scores.scores());
        QCOMPARE(perThreshold->entities.suspicious, (std::vector<std::uint32_t>{2, 0, 0}));
        QCOMPARE(perThreshold->entities.lowestScore[0], -0.9);
        QCOMPARE(perThreshold->entities.lowestScore[1], -0.2);
        std::uint64_t suspicious = 0;
        for (std::uint64_t count : perThreshold->timelineSuspicious)
            suspicious += count;
        QCOMPARE(suspicious, std::uint64_t(2));
        QCOMPARE(perThreshold->timelineSuspicious.size(), aggregates->timeline.sessions.size());
    }
};

QTEST_GUILESS_MAIN(TestAggregates)
#include "tst_aggregates.moc"

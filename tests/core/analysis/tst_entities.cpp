#include "core/io/csvreader.h"
#include "core/analysis/entities.h"
#include "core/analysis/viewfilter.h"

#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {

Instant at(const char* text)
{
    return *parseTimestamp(text);
}

// Three sources: 1.1.1.1 four times (two countries, three ports), 2.2.2.2 twice, 3.3.3.3 once, and
// one row without a source.
const std::string kTraffic
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n"
      "100,1000,2024-04-25T10:00:05Z,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 0
      "300,3000,2024-04-25T09:00:00Z,,2.2.2.2,DE,SSH,22,10.0.0.1\n" // row 1
      "200,2000,2024-04-25T12:30:00Z,,1.1.1.1,US,HTTPS,443,10.0.0.1\n" // row 2
      "50,,2024-04-25T11:00:00Z,,1.1.1.1,NL,HTTP,80,10.0.0.1\n" // row 3: bytes_out missing
      "400,4000,,,1.1.1.1,US,TCP,4444,10.0.0.1\n" // row 4: no creation_time
      "500,5000,2024-04-26T00:00:00Z,,3.3.3.3,,HTTP,,10.0.0.1\n" // row 5: no country, no port
      "60,600,2024-04-25T08:00:00Z,,2.2.2.2,DE,SSH,22,10.0.0.1\n" // row 6
      "7,70,2024-04-25T08:30:00Z,,,FR,HTTP,80,10.0.0.1\n"; // row 7: no source

std::string text(const TrafficTable& table, std::uint32_t id)
{
    return std::string(table.strings->view(id));
}

} // namespace

class TestEntities : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aggregatesPerSource()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        QCOMPARE(table.rowCount(), std::size_t(8));
        const EntityTable entities = aggregateEntities(table);

        QCOMPARE(entities.entities.size(), std::size_t(4));
        QCOMPARE(entities.rowsWithoutSource, std::size_t(1));
        // Most sessions first; equal counts (3.3.3.3 and the missing source, one each) by first row.
        const EntityStats& first = entities.entities[0];
        QCOMPARE(text(table, first.srcIp), std::string("1.1.1.1"));
        QCOMPARE(first.sessions, std::uint64_t(4));
        QCOMPARE(first.bytesIn, std::uint64_t(750));
        QCOMPARE(first.bytesOut, std::uint64_t(7000));
        QCOMPARE(first.firstSeen, at("2024-04-25T10:00:05Z"));
        QCOMPARE(first.lastSeen, at("2024-04-25T12:30:00Z"));
        QCOMPARE(first.countryCount, std::uint32_t(2));
        QCOMPARE(text(table, first.topCountries[0]), std::string("US"));
        QCOMPARE(text(table, first.topCountries[1]), std::string("NL"));
        QCOMPARE(first.topCountries[2], StringPool::kMissing);
        QCOMPARE(first.portCount, std::uint32_t(3));
        QCOMPARE(first.topPorts[0], std::int64_t(443));
        QCOMPARE(first.topPorts[1], std::int64_t(80)); // ties (80 and 4444 once each) by value
        QCOMPARE(first.topPorts[2], std::int64_t(4444));

        const EntityStats& second = entities.entities[1];
        QCOMPARE(text(table, second.srcIp), std::string("2.2.2.2"));
        QCOMPARE(second.sessions, std::uint64_t(2));
        QCOMPARE(second.bytesIn, std::uint64_t(360));
        QCOMPARE(second.bytesOut, std::uint64_t(3600));
        QCOMPARE(second.firstSeen, at("2024-04-25T08:00:00Z"));
        QCOMPARE(second.lastSeen, at("2024-04-25T09:00:00Z"));
        QCOMPARE(second.countryCount, std::uint32_t(1));
        QCOMPARE(second.portCount, std::uint32_t(1));
        QCOMPARE(second.topPorts[1], kMissingInteger);

        const EntityStats& third = entities.entities[2];
        QCOMPARE(text(table, third.srcIp), std::string("3.3.3.3"));
        QCOMPARE(third.countryCount, std::uint32_t(0));
        QCOMPARE(third.portCount, std::uint32_t(0));
        QCOMPARE(third.topPorts[0], kMissingInteger);
        QCOMPARE(third.firstSeen, third.lastSeen);

        QCOMPARE(entities.entities[3].srcIp, StringPool::kMissing);
        QCOMPARE(entities.entities[3].bytesIn, std::uint64_t(7));

        QCOMPARE(entities.entityOfRow, (std::vector<std::uint32_t>{0, 1, 0, 0, 0, 2, 1, 3}));
        QCOMPARE(entitySessionsIn(entities, {1, 1, 0, 1, 0, 0, 1, 1}), (std::vector<std::uint32_t>{2, 2, 0, 1}));
        QCOMPARE(entities.entityFor(table.strings->find("2.2.2.2")), std::uint32_t(1));
        QCOMPARE(entities.entityFor(table.strings->find("US")), EntityTable::kNoEntity);
    }

    // A period's figures: rows 0, 3 and 4 of 1.1.1.1 (4 has no creation_time, 3 no bytes_out),
    // row 1 of 2.2.2.2; none of 3.3.3.3.
    void figuresInAPeriod()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        const EntityTable entities = aggregateEntities(table);
        const std::vector<std::uint8_t> mask{1, 1, 0, 1, 1, 0, 0, 0};
        const std::vector<double> scores{-0.8, -0.3, -0.7, -0.2, -0.9, -0.6, -0.4, -0.45};
        Verdicts verdicts;
        verdicts.suspicious = {1, 0, 1, 0, 1, 1, 0, 0};
        const EntityPeriod period = entitiesInPeriod(entities, table, mask, &verdicts, &scores);
        QCOMPARE(period.sessions, (std::vector<std::uint32_t>{3, 1, 0, 0}));
        QCOMPARE(period.bytesIn, (std::vector<std::uint64_t>{550, 300, 0, 0}));
        QCOMPARE(period.bytesOut, (std::vector<std::uint64_t>{5000, 3000, 0, 0}));
        QCOMPARE(period.firstSeen[0], at("2024-04-25T10:00:05Z"));
        QCOMPARE(period.lastSeen[0], at("2024-04-25T11:00:00Z"));
        QCOMPARE(period.firstSeen[2], kMissingInteger);
        QCOMPARE(period.suspicious, (std::vector<std::uint32_t>{2, 0, 0, 0}));
        QCOMPARE(period.lowestScore[0], -0.9);
        QCOMPARE(period.lowestScore[1], -0.3);
        QVERIFY(std::isnan(period.lowestScore[2]));
        // Without verdicts or scores, those stay empty-valued; a mask of another size gives nothing.
        const EntityPeriod bare = entitiesInPeriod(entities, table, mask, nullptr, nullptr);
        QCOMPARE(bare.suspicious, (std::vector<std::uint32_t>{0, 0, 0, 0}));
        QVERIFY(std::isnan(bare.lowestScore[0]));
        QCOMPARE(entitiesInPeriod(entities, table, {1, 1}, nullptr, nullptr).sessions,
                 (std::vector<std::uint32_t>{0, 0, 0, 0}));
    }

    void verdictsPerSource()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        const EntityTable entities = aggregateEntities(table);
        const std::vector<double> scores{-0.8, -0.3, -0.7, -0.2, -0.9, -0.6, -0.4, -0.45};
        const ScoreIndex index(scores);
        Verdicts verdicts = applyThreshold(index, Contamination::autoOffset());
        QCOMPARE(verdicts.suspiciousCount, std::size_t(4)); // rows 0, 2, 4, 5
        const EntityVerdicts assessed = assessEntities(entities, verdicts, scores);
        QCOMPARE(assessed.suspicious, (std::vector<std::uint32_t>{3, 0, 1, 0}));
        QCOMPARE(assessed.lowestScore, (std::vector<double>{-0.9, -0.4, -0.6, -0.45}));

        // Another threshold: only the counts change.
        verdicts = applyThreshold(index, Contamination::fromValue(0.125));
        QCOMPARE(assessEntities(entities, verdicts, scores).suspicious, (std::vector<std::uint32_t>{1, 0, 0, 0}));

        // No detection yet: zeros and NaN.
        const EntityVerdicts none = assessEntities(entities, Verdicts{}, {});
        QCOMPARE(none.suspicious, (std::vector<std::uint32_t>{0, 0, 0, 0}));
        QVERIFY(std::isnan(none.lowestScore[0]));
    }

    void emptyTable()
    {
        const TrafficTable table
            = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n", "e.csv").table;
        const EntityTable entities = aggregateEntities(table);
        QVERIFY(entities.entities.empty());
        QVERIFY(entities.entityOfRow.empty());
    }

    void filterBySourceAndPeriod()
    {
        const TrafficTable table = readTrafficCsvText(kTraffic, "t.csv").table;
        ViewFilter filter;
        QCOMPARE(filterRows(table, filter), (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 1, 1}));
        filter.sourceIps = {table.strings->find("1.1.1.1")};
        QCOMPARE(filterRows(table, filter), (std::vector<std::uint8_t>{1, 0, 1, 1, 1, 0, 0, 0}));
        filter.sourceIps.push_back(table.strings->find("3.3.3.3"));
        QCOMPARE(filterRows(table, filter), (std::vector<std::uint8_t>{1, 0, 1, 1, 1, 1, 0, 0}));
        // AND with a period [08:30, 11:00): the end is excluded, rows without a time are out.
        filter.from = at("2024-04-25T08:30:00Z");
        filter.to = at("2024-04-25T11:00:00Z");
        QCOMPARE(filterRows(table, filter), (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 0}));
        filter.sourceIps.clear();
        QCOMPARE(filterRows(table, filter), (std::vector<std::uint8_t>{1, 1, 0, 0, 0, 0, 0, 1}));
    }
};

QTEST_GUILESS_MAIN(TestEntities)
#include "tst_entities.moc"

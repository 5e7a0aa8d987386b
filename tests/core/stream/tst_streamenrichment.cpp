// core/stream/streamenrichment: a chunk's enrichment gives IpEnricher::enrich's answers whatever the
// cache held before, looks each distinct address up once while the cache holds it, and stays within
// its bound (emptied when full); the country fill fills only when asked, and counts the rows.
#include "core/stream/streamenrichment.h"

#include <QFile>
#include <QTest>

using namespace webthreat;

namespace {
TrafficTable addresses(const std::vector<std::pair<std::string, std::string>>& rows)
{
    TrafficTable table;
    for (Column& column : table.columns)
        column.resize(rows.size());
    table.sourceLines.resize(rows.size());
    for (std::size_t row = 0; row < rows.size(); ++row) {
        table.column(Field::SrcIp).text[row] = table.strings->intern(rows[row].first);
        table.column(Field::DstIp).text[row] = table.strings->intern(rows[row].second);
        table.sourceLines[row] = static_cast<std::uint32_t>(row + 2);
    }
    return table;
}

void compareAnswers(const Enrichment& a, const Enrichment& b, const TrafficTable& table)
{
    for (std::size_t row = 0; row < table.rowCount(); ++row) {
        for (bool source : {true, false}) {
            const AddressContext& x = source ? a.source(table, row) : a.destination(table, row);
            const AddressContext& y = source ? b.source(table, row) : b.destination(table, row);
            QCOMPARE(x.asn, y.asn);
            QCOMPARE(x.countryCode(), y.countryCode());
            QCOMPARE(x.flags, y.flags);
            QCOMPARE(a.organisation(x), b.organisation(y));
        }
    }
}
} // namespace

class TestStreamEnrichment : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        if (!QFile::exists("/var/lib/location/database.db"))
            QSKIP("libloc-database is not installed");
    }

    void sameAnswersWithinTheCacheBound()
    {
        const auto enricher = IpEnricher::open("/var/lib/location/database.db");
        StreamedEnrichment streamed(enricher, 3);
        TrafficTable first = addresses({{"8.8.8.8", "10.0.0.5"}, {"8.8.4.4", "1.1.1.1"}, {"8.8.8.8", "1.1.1.1"}});
        auto chunk = streamed.enrich(first);
        compareAnswers(*chunk, *enricher->enrich(first), first);
        QCOMPARE(chunk->distinctAddresses, std::size_t(4));
        QCOMPARE(streamed.lookups(), std::size_t(4)); // 8.8.8.8 and 1.1.1.1 once each
        QCOMPARE(streamed.cacheClears(), std::size_t(1)); // the fourth address found the cache full
        // A later chunk, its own string ids: the same answers, from the cache where it holds them.
        // The cache holds 1.1.1.1 only (emptied when the fourth address came).
        TrafficTable second = addresses({{"1.1.1.1", "8.8.4.4"}, {"5.188.10.10", "10.0.0.5"}});
        chunk = streamed.enrich(second);
        compareAnswers(*chunk, *enricher->enrich(second), second);
        QCOMPARE(streamed.lookups(), std::size_t(7)); // 1.1.1.1 from the cache
        QCOMPARE(streamed.cacheClears(), std::size_t(2));
        // Countries: filled only when asked.
        QVERIFY(!streamed.fillsCountries());
        std::size_t filled = 0;
        streamed.enrich(second, &filled);
        QCOMPARE(filled, std::size_t(0));
        QCOMPARE(second.text(Field::SrcIpCountryCode, 0), std::string_view());
        streamed.noteCountries(second);
        QVERIFY(!streamed.fileHasCountries());
        streamed.fillCountries();
        streamed.enrich(second, &filled);
        QCOMPARE(filled, std::size_t(2));
        QCOMPARE(second.text(Field::SrcIpCountryCode, 0), std::string_view("AU")); // as the database says
        QCOMPARE(second.text(Field::SrcIpCountryCode, 1), std::string_view("RU"));
        TrafficTable unknown = addresses({{"192.168.1.20", "10.0.0.5"}});
        streamed.enrich(unknown, &filled);
        QCOMPARE(filled, std::size_t(2)); // a private address has no country
        streamed.noteCountries(second);
        QVERIFY(streamed.fileHasCountries());
    }
};

QTEST_GUILESS_MAIN(TestStreamEnrichment)
#include "tst_streamenrichment.moc"

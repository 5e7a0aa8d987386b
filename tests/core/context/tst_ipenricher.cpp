#include "core/context/ipenricher.h"
#include "core/detect/features.h"
#include "core/io/csvreader.h"
#include "core/pipeline.h"
#include "core/util/errors.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace webthreat;

namespace {
// Debian's libloc-database (Oct 2022 build); the tests below use networks whose owner has not
// changed in years. Answers checked with libloc itself (the `location` tool is not packaged here).
const std::string kDatabase = "/var/lib/location/database.db";

std::shared_ptr<const IpEnricher> openOrSkip()
{
    return std::filesystem::exists(kDatabase) ? IpEnricher::open(kDatabase) : nullptr;
}

// A small file: 8.8.8.8 three times, 1.1.1.1 twice, one private source, one IPv6 source.
const char* kCsv = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,dst_ip,dst_port\n"
                   "100,200,2024-04-25T10:00:00Z,2024-04-25T10:00:05Z,8.8.8.8,US,10.0.0.5,443\n"
                   "110,210,2024-04-25T10:01:00Z,2024-04-25T10:01:05Z,8.8.8.8,US,10.0.0.5,443\n"
                   "120,220,2024-04-25T10:02:00Z,2024-04-25T10:02:05Z,8.8.8.8,DE,10.0.0.6,443\n"
                   "130,230,2024-04-25T10:03:00Z,2024-04-25T10:03:05Z,1.1.1.1,au,10.0.0.5,443\n"
                   "140,240,2024-04-25T10:04:00Z,2024-04-25T10:04:05Z,1.1.1.1,,8.8.8.8,443\n"
                   "150,250,2024-04-25T10:05:00Z,2024-04-25T10:05:05Z,192.168.1.20,US,10.0.0.5,443\n"
                   "160,260,2024-04-25T10:06:00Z,2024-04-25T10:06:05Z,2001:4860:4860::8888,US,10.0.0.5,443\n";

std::shared_ptr<const PreparedData> prepared(const std::shared_ptr<const IpEnricher>& enricher, int threads = 0)
{
    CleanParams clean;
    clean.enricher = enricher;
    clean.threads = threads;
    return prepareTable(readTrafficCsvText(kCsv, "hand.csv"), clean);
}

void writeTruncated(const std::string& path, std::size_t bytes)
{
    std::ifstream in(kDatabase, std::ios::binary);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::vector<char> buffer(bytes);
    in.read(buffer.data(), static_cast<std::streamsize>(bytes));
    out.write(buffer.data(), in.gcount());
}
} // namespace

class TestIpEnricher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        if (!std::filesystem::exists(kDatabase))
            QSKIP("libloc-database is not installed (/var/lib/location/database.db)");
    }

    void knownAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<uint>("asn");
        QTest::addColumn<QString>("organisation");
        QTest::addColumn<QString>("country");
        QTest::addColumn<int>("flags");
        QTest::newRow("google dns") << "8.8.8.8" << 15169u << "GOOGLE" << "US" << int(kAnycast);
        QTest::newRow("cloudflare dns") << "1.1.1.1" << 13335u << "CLOUDFLARENET" << "AU" << int(kAnycast);
        QTest::newRow("andrews & arnold") << "81.2.69.142" << 20712u << "Andrews & Arnold Ltd" << "GB" << 0;
        QTest::newRow("on the drop list") << "5.188.10.10" << 34665u << "Petersburg Internet Network ltd." << "RU"
                                          << int(kDropList);
        QTest::newRow("ipv6 google dns") << "2001:4860:4860::8888" << 15169u << "GOOGLE" << "US" << 0;
        QTest::newRow("ipv6 google ie") << "2a00:1450:4001:80b::200e" << 15169u << "GOOGLE" << "IE" << 0;
    }
    void knownAddresses()
    {
        QFETCH(QString, address);
        QFETCH(uint, asn);
        QFETCH(QString, organisation);
        QFETCH(QString, country);
        QFETCH(int, flags);
        const auto enricher = openOrSkip();
        std::string name;
        const AddressContext context = enricher->lookup(address.toStdString(), &name);
        QCOMPARE(context.asn, asn);
        QCOMPARE(QString::fromStdString(name), organisation);
        QCOMPARE(QString::fromStdString(std::string(context.countryCode())), country);
        QCOMPARE(int(context.flags), flags);
    }

    void privateAndInvalidAddressesHaveNoAs_data()
    {
        QTest::addColumn<QString>("address");
        for (const char* address : {"10.0.0.1", "192.168.1.20", "172.16.4.4", "127.0.0.1", "fe80::1", "::1",
                                    "fd00::7", "not an address", "", "999.1.1.1"})
            QTest::newRow(address) << address;
    }
    void privateAndInvalidAddressesHaveNoAs()
    {
        QFETCH(QString, address);
        const AddressContext context = openOrSkip()->lookup(address.toStdString());
        QCOMPARE(context.asn, 0u);
        QVERIFY(!context.known());
        QVERIFY(context.countryCode().empty());
    }

    void tableEnrichmentLooksUpEachAddressOnce()
    {
        const auto enricher = openOrSkip();
        const auto data = prepared(enricher);
        const Enrichment& enrichment = *data->features.enrichment;
        // src: 8.8.8.8, 1.1.1.1, 192.168.1.20, 2001:...; dst: 10.0.0.5, 10.0.0.6 (8.8.8.8 again).
        QCOMPARE(enrichment.distinctAddresses, std::size_t(6));
        QCOMPARE(enrichment.knownAddresses, std::size_t(3));
        const TrafficTable& table = data->table;
        QCOMPARE(table.rowCount(), std::size_t(7));
        // The cache answers as a lookup does, for every row and both columns.
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            for (const Field field : {Field::SrcIp, Field::DstIp}) {
                std::string name;
                const AddressContext expected = enricher->lookup(table.text(field, row), &name);
                const AddressContext& got = field == Field::SrcIp ? enrichment.source(table, row)
                                                                  : enrichment.destination(table, row);
                QCOMPARE(got.asn, expected.asn);
                QCOMPARE(got.countryCode(), expected.countryCode());
                QCOMPARE(got.flags, expected.flags);
                QCOMPARE(std::string(enrichment.organisation(got)), name);
            }
        }
        // Repeated addresses share one entry; the AS's name is kept once for both Google addresses.
        QCOMPARE(&enrichment.source(table, 0), &enrichment.source(table, 2));
        QCOMPARE(&enrichment.source(table, 0), &enrichment.destination(table, 4));
        QCOMPARE(enrichment.source(table, 0).organisation, enrichment.source(table, 6).organisation);
        QCOMPARE(enrichment.describe(enrichment.source(table, 0)), std::string("AS15169 GOOGLE, US; anycast"));
        QCOMPARE(enrichment.describe(enrichment.source(table, 5)), std::string());
    }

    void sameAnswersOnOneThreadAndMany()
    {
        const auto enricher = openOrSkip();
        const auto one = prepared(enricher, 1);
        const auto many = prepared(enricher, 4);
        const Enrichment& a = *one->features.enrichment;
        const Enrichment& b = *many->features.enrichment;
        for (std::size_t row = 0; row < one->table.rowCount(); ++row) {
            QCOMPARE(a.source(one->table, row).asn, b.source(many->table, row).asn);
            QCOMPARE(a.destination(one->table, row).countryCode(), b.destination(many->table, row).countryCode());
        }
    }

    void countryMismatchComparesTheFilesCountry()
    {
        const auto data = prepared(openOrSkip());
        const Enrichment& enrichment = *data->features.enrichment;
        const std::vector<bool> expected{false, false, true, false, false, false, false};
        // Row 3's "au" is upper-cased by cleaning and agrees; row 4 has no country; row 5 is private.
        for (std::size_t row = 0; row < expected.size(); ++row)
            QCOMPARE(enrichment.countryMismatch(data->table, row), bool(expected[row]));
    }

    void contextFeatures()
    {
        const auto data = prepared(openOrSkip());
        const auto asn = featureValues(data->table, data->features, Feature::SourceAsnFrequency);
        // AS15169: rows 0, 1, 2 and the IPv6 row 6; AS13335: rows 3, 4; no AS: row 5.
        const std::vector<double> expectedAsn{4 / 7.0, 4 / 7.0, 4 / 7.0, 2 / 7.0, 2 / 7.0, 1 / 7.0, 4 / 7.0};
        for (std::size_t row = 0; row < expectedAsn.size(); ++row)
            QCOMPARE(asn[row], expectedAsn[row]);
        const auto mismatch = featureValues(data->table, data->features, Feature::CountryMismatch);
        QCOMPARE(mismatch, (std::vector<double>{0, 0, 1, 0, 0, 0, 0}));
        // Anycast is not a reason for suspicion (every CDN is anycast): none of these is flagged.
        const auto flagged = featureValues(data->table, data->features, Feature::SourceNetworkFlagged);
        QCOMPARE(flagged, (std::vector<double>(7, 0.0)));
    }

    void contextFeatureWithoutDatabaseSaysSo()
    {
        const auto data = prepared(nullptr);
        QVERIFY(!data->features.enrichment);
        try {
            featureValues(data->table, data->features, Feature::SourceAsnFrequency);
            QFAIL("no error");
        } catch (const ParameterError& error) {
            QVERIFY2(std::string(error.what()).find("'src_asn_frequency' needs the IP location database")
                         != std::string::npos,
                     error.what());
        }
        DetectorParams params;
        params.features = {Feature::BytesIn, Feature::CountryMismatch};
        QVERIFY_THROWS_EXCEPTION(ParameterError, detect(*data, params));
    }

    void missingDatabaseNamesThePath()
    {
        const std::string path = "/nonexistent/dir/location.db";
        QVERIFY_THROWS_EXCEPTION(InputError, IpEnricher::open(path));
        std::string problem;
        QVERIFY(!IpEnricher::tryOpen(path, problem));
        QVERIFY2(problem.rfind("IP enrichment is off: " + path, 0) == 0, problem.c_str());
        QVERIFY2(problem.find("No such file") != std::string::npos, problem.c_str());
    }

    void damagedDatabaseIsRefused_data()
    {
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << qint64(0) << "not a location database";
        QTest::newRow("magic only") << qint64(8) << "shorter than its header";
        QTest::newRow("half a header") << qint64(100) << "shorter than its header";
        QTest::newRow("header only") << qint64(5000) << "is truncated: its";
        QTest::newRow("one megabyte") << qint64(1000000) << "is truncated: its";
        QTest::newRow("last bytes cut") << qint64(std::filesystem::file_size(kDatabase) - 1000) << "is truncated";
    }
    void damagedDatabaseIsRefused()
    {
        QFETCH(qint64, bytes);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const std::string path = dir.filePath("cut.db").toStdString();
        writeTruncated(path, static_cast<std::size_t>(bytes));
        std::string problem;
        QVERIFY(!IpEnricher::tryOpen(path, problem));
        QVERIFY2(problem.find(path) != std::string::npos, problem.c_str());
        QVERIFY2(problem.find(says.toStdString()) != std::string::npos, problem.c_str());
    }

    void notADatabase()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("notes.txt").toStdString();
        std::ofstream(path) << "this is not a location database, it is long enough to pass the magic check\n";
        std::string problem;
        QVERIFY(!IpEnricher::tryOpen(path, problem));
        QVERIFY2(problem.find("not a location database") != std::string::npos, problem.c_str());
    }

    void environmentOverridesTheDefaultPath()
    {
        ::setenv("WEBTHREAT_LOCATION_DB", "/somewhere/else.db", 1);
        QCOMPARE(IpEnricher::defaultPath(), std::string("/somewhere/else.db"));
        ::unsetenv("WEBTHREAT_LOCATION_DB");
        QCOMPARE(IpEnricher::defaultPath(), kDatabase);
    }

    void flagsText()
    {
        QCOMPARE(networkFlagsText(0), std::string());
        QCOMPARE(networkFlagsText(kAnonymousProxy | kDropList), std::string("anonymous proxy; drop list"));
    }
};

QTEST_GUILESS_MAIN(TestIpEnricher)
#include "tst_ipenricher.moc"

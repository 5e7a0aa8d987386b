#include "core/io/csvreader.h"
#include "core/detect/features.h"

#include <QTest>

using namespace webthreat;

namespace {
TrafficTable table(const std::string& rows)
{
    return readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,dst_ip\n" + rows,
                              "hand.csv").table;
}
} // namespace

class TestFeatures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void features()
    {
        const TrafficTable input = table("100,500,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,a,US,b\n"
                                         "100,500,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,a,US,c\n"
                                         "10,20,2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,a,US,d\n"
                                         "10,20,,2024-01-01T00:00:00Z,a,US,e\n"
                                         "1,,2024-01-01T00:00:00Z,2024-01-01T00:00:01.5Z,a,US,f\n");
        const FeatureSet set = computeFeatures(input);
        // 600 s; 0 s; -10 s (warned); missing -> mean of (600, 0, -10, 1.5); 1.5 s.
        QCOMPARE(set.sessionDuration[0], 600.0);
        QCOMPARE(set.sessionDuration[1], 0.0);
        QCOMPARE(set.sessionDuration[2], -10.0);
        QCOMPARE(set.sessionDuration[3], (600.0 + 0.0 - 10.0 + 1.5) / 4.0);
        QCOMPARE(set.sessionDuration[4], 1.5);
        QCOMPARE(set.avgPacketSize[0], 1.0);   // 600 bytes / 600 s
        QCOMPARE(set.avgPacketSize[1], 0.0);   // zero duration: 0, as the notebook chose
        QCOMPARE(set.avgPacketSize[2], -3.0);  // 30 bytes / -10 s
        // Rows 3 (no duration) and 4 (no bytes_out) are the mean of the others.
        QCOMPARE(set.avgPacketSize[3], (1.0 + 0.0 - 3.0) / 3.0);
        QCOMPARE(set.avgPacketSize[4], (1.0 + 0.0 - 3.0) / 3.0);
        QCOMPARE(set.report.negativeDurations, std::size_t(1));
        QCOMPARE(set.report.zeroDurations, std::size_t(1));
        QCOMPARE(set.report.missingDurations, std::size_t(1));
        QCOMPARE(set.report.missingBytesOut, std::size_t(1));
        QVERIFY(set.report.warnings.size() >= 2);

        const FeatureMatrix matrix = buildFeatureMatrix(input, set, defaultFeatures());
        QCOMPARE(matrix.rows(), Eigen::Index(5));
        QCOMPARE(matrix.cols(), Eigen::Index(4));
        QCOMPARE(matrix(0, 0), 100.0f);
        QCOMPARE(matrix(0, 1), 500.0f);
        QCOMPARE(matrix(0, 2), 600.0f);
        QCOMPARE(matrix(4, 1), float((500.0 + 500.0 + 20.0 + 20.0) / 4.0)); // bytes_out mean fill
        QVERIFY_THROWS_EXCEPTION(ParameterError, buildFeatureMatrix(input, set, {}));
        QCOMPARE(featureByName("avg_packet_size"), Feature::AvgPacketSize);
        QVERIFY_THROWS_EXCEPTION(ParameterError, featureByName("bogus"));
    }

    void categoricalFrequencies()
    {
        // Five rows: port 443 three times, 80 once, missing once; codes 200 x3, 418 x1, 99999 x1.
        const TrafficTable input = readTrafficCsvText(
            "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,dst_ip\n"
            "100,1000,,,10.0.0.7,US,HTTPS,200,443,d\n"
            "200,2000,,,1.2.3.4,US,HTTPS,200,443,d\n"
            "300,,,,1.2.3.4,DE,HTTPS,418,80,d\n"
            "400,4000,,,1.2.3.4,US,IRC,200,443,d\n"
            "500,5000,,,fd00::1,,HTTP,99999,,d\n",
            "cat.csv").table;
        const FeatureSet set = computeFeatures(input);
        QCOMPARE(featureValues(input, set, Feature::DstPortFrequency), (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::ResponseCodeFrequency), (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::ProtocolFrequency), (std::vector<double>{0.6, 0.6, 0.6, 0.2, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::CountryFrequency), (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::SrcIpPrivate), (std::vector<double>{1, 0, 0, 0, 1}));
        QCOMPARE(featureValues(input, set, Feature::SourceSessions), (std::vector<double>{1, 3, 3, 3, 1}));
        // 1.2.3.4: 200 + 2000 + 300 (bytes_out missing) + 400 + 4000.
        QCOMPARE(featureValues(input, set, Feature::SourceTotalBytes), (std::vector<double>{1100, 6900, 6900, 6900, 5500}));

        // The matrix takes them in the order asked for, next to the notebook's.
        const FeatureMatrix matrix = buildFeatureMatrix(input, set, {Feature::DstPortFrequency, Feature::BytesIn, Feature::SourceSessions});
        QCOMPARE(matrix.cols(), Eigen::Index(3));
        QCOMPARE(matrix(2, 0), 0.2f);
        QCOMPARE(matrix(2, 1), 300.0f);
        QCOMPARE(matrix(2, 2), 3.0f);
    }

    void namesAndGroups()
    {
        const auto& all = availableFeatures();
        QCOMPARE(all.size(), std::size_t(11));
        for (std::size_t i = 0; i < all.size(); ++i) {
            // featureInfo indexes the list by the enum's value.
            QCOMPARE(static_cast<std::size_t>(all[i].feature), i);
            QCOMPARE(featureByName(all[i].name), all[i].feature);
            QVERIFY(!all[i].description.empty());
            QCOMPARE(all[i].group == FeatureGroup::Notebook, i < 4);
        }
        QCOMPARE(featureByName("dst_port_frequency"), Feature::DstPortFrequency);
        QCOMPARE(featureByName("source_total_bytes"), Feature::SourceTotalBytes);
        QCOMPARE(featureInfo(Feature::SrcIpPrivate).group, FeatureGroup::Categorical);
        QCOMPARE(featureInfo(Feature::SourceSessions).group, FeatureGroup::PerSource);
        // The defaults stay the notebook's four.
        QCOMPARE(defaultFeatures(), (std::vector<Feature>{Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration,
                                                          Feature::AvgPacketSize}));
        try {
            featureByName("port");
            QFAIL("no exception");
        } catch (const ParameterError& error) {
            QVERIFY(std::string(error.what()).find("dst_port_frequency") != std::string::npos);
        }
    }

    void privateAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("isPrivate");
        QTest::newRow("10/8") << "10.138.69.97" << true;
        QTest::newRow("172.16/12 low") << "172.16.0.1" << true;
        QTest::newRow("172.16/12 high") << "172.31.255.255" << true;
        QTest::newRow("172.32 is public") << "172.32.0.1" << false;
        QTest::newRow("172.15 is public") << "172.15.0.1" << false;
        QTest::newRow("192.168/16") << "192.168.1.20" << true;
        QTest::newRow("192.169 is public") << "192.169.1.20" << false;
        QTest::newRow("loopback") << "127.0.0.1" << true;
        QTest::newRow("link-local") << "169.254.10.1" << true;
        QTest::newRow("public v4") << "52.146.33.9" << false;
        QTest::newRow("blanks") << " 10.0.0.1 " << true;
        QTest::newRow("octet too big") << "10.0.0.256" << false;
        QTest::newRow("not an address") << "10.0.0" << false;
        QTest::newRow("v6 loopback") << "::1" << true;
        QTest::newRow("v6 ULA fd") << "fd12:3456::1" << true;
        QTest::newRow("v6 ULA fc") << "FC00::" << true;
        QTest::newRow("v6 link-local") << "fe80::1%eth0" << true;
        QTest::newRow("v6 febf link-local") << "febf::1" << true;
        QTest::newRow("v6 fec0 is not link-local") << "fec0::1" << false;
        QTest::newRow("v6 global") << "2001:db8::1" << false;
        QTest::newRow("v4-mapped private") << "::ffff:192.168.0.1" << true;
        QTest::newRow("v4-mapped public") << "::ffff:8.8.8.8" << false;
        QTest::newRow("empty") << "" << false;
    }
    void privateAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, isPrivate);
        QCOMPARE(isPrivateAddress(address.toStdString()), isPrivate);
    }
};

QTEST_GUILESS_MAIN(TestFeatures)
#include "tst_features.moc"

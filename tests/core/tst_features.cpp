#include "core/csvreader.h"
#include "core/features.h"

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
};

QTEST_GUILESS_MAIN(TestFeatures)
#include "tst_features.moc"

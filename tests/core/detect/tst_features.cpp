#include "core/io/csvreader.h"
#include "core/detect/features.h"
#include "core/util/errors.h"

#include <QTest>

#include <algorithm>

#include <cmath>
#include <limits>

using namespace webthreat;

namespace {
TrafficTable table(const std::string& rows)
{
    return readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,dst_ip\n" + rows,
                              "hand.csv")
        .table;
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
        QCOMPARE(set.avgPacketSize[0], 1.0); // 600 bytes / 600 s
        QCOMPARE(set.avgPacketSize[1], 0.0); // zero duration: 0, as the notebook chose
        QCOMPARE(set.avgPacketSize[2], -3.0); // 30 bytes / -10 s
        // Rows 3 (no duration) and 4 (no bytes_out) are the mean of the others.
        QCOMPARE(set.avgPacketSize[3], (1.0 + 0.0 - 3.0) / 3.0);
        QCOMPARE(set.avgPacketSize[4], (1.0 + 0.0 - 3.0) / 3.0);
        QCOMPARE(set.report.negativeDurations, std::size_t(1));
        QCOMPARE(set.report.zeroDurations, std::size_t(1));
        QCOMPARE(set.report.missingDurations, std::size_t(1));
        QCOMPARE(set.report.missingBytesOut, std::size_t(1));
        QVERIFY(set.report.warnings.size() >= 2);

        const FeatureMatrix matrix = buildFeatureMatrix(input, set, notebookFeatures());
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
        const TrafficTable input = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_"
                                                      "code,protocol,response.code,dst_port,dst_ip\n"
                                                      "100,1000,,,10.0.0.7,US,HTTPS,200,443,d\n"
                                                      "200,2000,,,1.2.3.4,US,HTTPS,200,443,d\n"
                                                      "300,,,,1.2.3.4,DE,HTTPS,418,80,d\n"
                                                      "400,4000,,,1.2.3.4,US,IRC,200,443,d\n"
                                                      "500,5000,,,fd00::1,,HTTP,99999,,d\n",
                                                      "cat.csv")
                                       .table;
        const FeatureSet set = computeFeatures(input);
        QCOMPARE(featureValues(input, set, Feature::DstPortFrequency), (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::ResponseCodeFrequency),
                 (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::ProtocolFrequency), (std::vector<double>{0.6, 0.6, 0.6, 0.2, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::CountryFrequency), (std::vector<double>{0.6, 0.6, 0.2, 0.6, 0.2}));
        QCOMPARE(featureValues(input, set, Feature::SrcIpPrivate), (std::vector<double>{1, 0, 0, 0, 1}));
        QCOMPARE(featureValues(input, set, Feature::SourceSessions), (std::vector<double>{1, 3, 3, 3, 1}));
        // 1.2.3.4: 200 + 2000 + 300 (bytes_out missing) + 400 + 4000.
        QCOMPARE(featureValues(input, set, Feature::SourceTotalBytes),
                 (std::vector<double>{1100, 6900, 6900, 6900, 5500}));

        // The matrix takes them in the order asked for, next to the notebook's.
        const FeatureMatrix matrix
            = buildFeatureMatrix(input, set, {Feature::DstPortFrequency, Feature::BytesIn, Feature::SourceSessions});
        QCOMPARE(matrix.cols(), Eigen::Index(3));
        QCOMPARE(matrix(2, 0), 0.2f);
        QCOMPARE(matrix(2, 1), 300.0f);
        QCOMPARE(matrix(2, 2), 3.0f);
    }

    void readerEqualsFeatureValues()
    {
        // FeatureReader (the scored CSV's and the explanations' way; featureValues reads through
        // it for these features) gives featureValues' doubles for every kind of feature, those it
        // counts per value (ports, codes, missing ones, texts) and those it holds by vector.
        const TrafficTable input = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_"
                                                      "code,protocol,response.code,dst_port,dst_ip\n"
                                                      "100,1000,2024-01-01T00:00:00Z,2024-01-01T00:00:07Z,10.0.0.7,US,HTTPS,200,443,d\n"
                                                      "200,2000,2024-01-01T00:00:00Z,,1.2.3.4,US,HTTPS,200,443,d\n"
                                                      ",,,,1.2.3.4,DE,HTTPS,418,80,d\n"
                                                      "400,4000,2024-01-01T00:00:00Z,2024-01-01T00:00:03Z,1.2.3.4,US,IRC,-7,70000,d\n"
                                                      "501,5000,,,fd00::1,,HTTP,99999,,d\n",
                                                      "reader.csv")
                                       .table;
        const FeatureSet set = computeFeatures(input);
        for (Feature feature : {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration, Feature::AvgPacketSize,
                                Feature::DstPortFrequency, Feature::ResponseCodeFrequency, Feature::ProtocolFrequency,
                                Feature::CountryFrequency, Feature::SourceSessions, Feature::SrcIpPrivate}) {
            const std::vector<double> expected = featureValues(input, set, feature);
            const FeatureReader reader(input, set, feature);
            QCOMPARE(reader.size(), expected.size());
            for (std::size_t row = 0; row < expected.size(); ++row) {
                // The same double: the scored CSV prints its shortest exact form.
                QVERIFY2(reader[row] == expected[row] || (std::isnan(reader[row]) && std::isnan(expected[row])),
                         qPrintable(QString("%1 row %2: %3 against %4")
                                        .arg(QString::fromStdString(std::string(featureInfo(feature).name)))
                                        .arg(row)
                                        .arg(reader[row], 0, 'g', 17)
                                        .arg(expected[row], 0, 'g', 17)));
            }
        }
        // The mean fill of the missing bytes_in: (100 + 200 + 400 + 501) / 4.
        QCOMPARE(FeatureReader(input, set, Feature::BytesIn)[2], 300.25);
        QCOMPARE(FeatureReader(input, set, Feature::BytesIn)[4], 501.0);
        // 7 s and 3 s sessions; the others without an end take the mean of those two.
        const FeatureReader duration(input, set, Feature::SessionDuration);
        QCOMPARE(duration[0], 7.0);
        QCOMPARE(duration[3], 3.0);
        QCOMPARE(duration[1], 5.0);
        QCOMPARE(FeatureReader(input, set, Feature::AvgPacketSize)[0], 1100.0 / 7.0);
        QCOMPARE(FeatureReader(input, set, Feature::ProtocolFrequency)[3], 0.2);
        QCOMPARE(FeatureReader(input, set, Feature::CountryFrequency)[4], 0.2);
        QCOMPARE(FeatureReader(input, set, Feature::DstPortFrequency)[0], 0.4);
        // -7 and 99999 are not response codes: read as missing, a value of its own (outside the
        // 65,536 slots, like any missing number), shared by those two rows.
        QCOMPARE(FeatureReader(input, set, Feature::ResponseCodeFrequency)[3], 0.4);
    }

    void namesAndGroups()
    {
        const auto& all = availableFeatures();
        QCOMPARE(all.size(), std::size_t(17));
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
        QCOMPARE(featureInfo(Feature::SourceFanOut).group, FeatureGroup::Behaviour);
        // The location database's three (issue 20), last, and only they need it.
        for (Feature feature : {Feature::SourceAsnFrequency, Feature::CountryMismatch, Feature::SourceNetworkFlagged}) {
            QCOMPARE(featureInfo(feature).group, FeatureGroup::Context);
            QVERIFY(needsEnrichment(feature));
        }
        QCOMPARE(std::count_if(all.begin(), all.end(), [](const FeatureInfo& info) { return needsEnrichment(info.feature); }),
                 3);
        // The notebook's four, and the default chosen by benchmarks/feature_auc: those and the
        // frequencies of dst_port and response.code.
        QCOMPARE(notebookFeatures(),
                 (std::vector<Feature>{Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration,
                                       Feature::AvgPacketSize}));
        QCOMPARE(
            defaultFeatures(),
            (std::vector<Feature>{Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration, Feature::AvgPacketSize,
                                  Feature::DstPortFrequency, Feature::ResponseCodeFrequency}));
        try {
            featureByName("port");
            QFAIL("no exception");
        } catch (const ParameterError& error) {
            QVERIFY(std::string(error.what()).find("dst_port_frequency") != std::string::npos);
        }
    }

    void everyFeatureDeclaresItsScale()
    {
        // log1p for non-negative heavy-tailed quantities, none for shares and flags in [0, 1].
        for (const FeatureInfo& info : availableFeatures()) {
            const bool heavyTailed = info.group == FeatureGroup::Notebook || info.group == FeatureGroup::PerSource
                || info.feature == Feature::SourceFanOut || info.feature == Feature::SourceVolumeRatio;
            QCOMPARE(info.scale, heavyTailed ? FeatureScale::Log1p : FeatureScale::Linear);
            QCOMPARE(effectiveScale(info.feature, InputScaling::Auto), info.scale);
            QCOMPARE(effectiveScale(info.feature, InputScaling::None), FeatureScale::Linear);
        }
        QCOMPARE(inputScalingByName("auto"), InputScaling::Auto);
        QCOMPARE(inputScalingByName("none"), InputScaling::None);
        QCOMPARE(inputScalingName(InputScaling::Auto), std::string_view("auto"));
        QCOMPARE(inputScalingName(InputScaling::None), std::string_view("none"));
        try {
            inputScalingByName("log");
            QFAIL("no exception");
        } catch (const ParameterError& error) {
            const std::string message = error.what();
            QVERIFY2(message.find("'log'") != std::string::npos && message.find("'auto'") != std::string::npos
                         && message.find("'none'") != std::string::npos,
                     error.what());
        }
    }

    void log1pScaling_data()
    {
        QTest::addColumn<double>("raw");
        QTest::addColumn<double>("scaled");
        const double inf = std::numeric_limits<double>::infinity();
        QTest::newRow("zero") << 0.0 << 0.0;
        QTest::newRow("one") << 1.0 << std::log(2.0);
        QTest::newRow("a megabyte") << 1e6 << std::log1p(1e6);
        QTest::newRow("tiny keeps its value") << 1e-12 << 1e-12;
        // Sign-preserving: a negative duration (end before start) stays negative and apart from 0.
        QTest::newRow("minus ten seconds") << -10.0 << -std::log1p(10.0);
        QTest::newRow("largest double stays finite")
            << std::numeric_limits<double>::max() << std::log1p(std::numeric_limits<double>::max());
        QTest::newRow("infinity passes through") << inf << inf;
        QTest::newRow("minus infinity passes through") << -inf << -inf;
    }

    void log1pScaling()
    {
        QFETCH(double, raw);
        QFETCH(double, scaled);
        QCOMPARE(scaleFeatureValue(FeatureScale::Log1p, raw), scaled);
        QCOMPARE(scaleFeatureValue(FeatureScale::Linear, raw), raw);
        if (std::isfinite(raw))
            QVERIFY(std::isfinite(scaleFeatureValue(FeatureScale::Log1p, raw)));
    }

    void log1pScalingKeepsOrderAndNaN()
    {
        QVERIFY(std::isnan(scaleFeatureValue(FeatureScale::Log1p, std::nan(""))));
        QVERIFY(std::signbit(scaleFeatureValue(FeatureScale::Log1p, -0.0)));
        // Monotone over the whole line: rows keep their order, so raw percentiles hold after scaling.
        const std::vector<double> ordered{-1e12, -1e3, -10.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 10.0, 1e3, 1e12, 1e300};
        for (std::size_t i = 1; i < ordered.size(); ++i)
            QVERIFY(scaleFeatureValue(FeatureScale::Log1p, ordered[i - 1])
                    < scaleFeatureValue(FeatureScale::Log1p, ordered[i]));
    }

    void scaledMatrixAndRowsMadeOnDemand()
    {
        const TrafficTable input
            = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,"
                                 "response.code,dst_port,dst_ip\n"
                                 "100,1000,2024-01-01T00:00:00Z,2024-01-01T00:10:00Z,10.0.0.7,US,HTTPS,200,443,d\n"
                                 "200,2000,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,1.2.3.4,US,HTTPS,200,443,d\n"
                                 "300,,2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,1.2.3.4,DE,HTTPS,418,80,d\n"
                                 "123456789,4000,,2024-01-01T00:00:00Z,1.2.3.4,US,IRC,200,443,d\n",
                                 "scale.csv")
                  .table;
        const FeatureSet set = computeFeatures(input);
        std::vector<Feature> all;
        for (const FeatureInfo& info : availableFeatures()) {
            if (!needsEnrichment(info.feature)) // no location database here (tests/core/context)
                all.push_back(info.feature);
        }
        const FeatureMatrix raw = buildFeatureMatrix(input, set, all);
        const FeatureMatrix none = buildFeatureMatrix(input, set, all, InputScaling::None);
        const FeatureMatrix scaled = buildFeatureMatrix(input, set, all, InputScaling::Auto);
        QVERIFY(none == raw); // none is the raw values, bit for bit
        for (std::size_t c = 0; c < all.size(); ++c) {
            const std::vector<double> values = featureValues(input, set, all[c]);
            for (std::size_t row = 0; row < values.size(); ++row) {
                const auto r = static_cast<Eigen::Index>(row);
                const auto col = static_cast<Eigen::Index>(c);
                QCOMPARE(raw(r, col), static_cast<float>(values[row]));
                // Scaled in double from the raw value (mean-filled first), then rounded to float.
                QCOMPARE(scaled(r, col), static_cast<float>(scaleFeatureValue(featureInfo(all[c]).scale, values[row])));
            }
        }
        // Row 2: duration -10 s scales to -log1p(10), not to 0 like the zero-length row 1.
        QCOMPARE(scaled(2, 2), static_cast<float>(-std::log1p(10.0)));
        QCOMPARE(scaled(1, 2), 0.0f);
        QCOMPARE(scaled(2, 4), raw(2, 4)); // dst_port_frequency is a share: as it is
        QCOMPARE(scaled(3, 0), static_cast<float>(std::log1p(123456789.0)));

        // The rows the forest reads give the same floats as the matrix, with and without scaling.
        for (InputScaling scaling : {InputScaling::None, InputScaling::Auto}) {
            const TableFeatureRows rows(input, set, all, scaling);
            const FeatureMatrix& expected = scaling == InputScaling::Auto ? scaled : raw;
            std::vector<float> filled(static_cast<std::size_t>(expected.size()));
            rows.fill(0, expected.rows(), filled.data());
            QVERIFY(std::equal(filled.begin(), filled.end(), expected.data()));
            const std::vector<Eigen::Index> order{3, 0, 2};
            std::vector<float> gathered(order.size() * all.size());
            rows.gather(order.data(), static_cast<Eigen::Index>(order.size()), gathered.data());
            for (std::size_t i = 0; i < order.size(); ++i)
                for (std::size_t c = 0; c < all.size(); ++c)
                    QCOMPARE(gathered[i * all.size() + c], expected(order[i], static_cast<Eigen::Index>(c)));
        }
    }

    void nonFiniteScaledInputIsRefusedByTheForest()
    {
        // Scaling never hides a broken value: a NaN or infinity reaches the forest as such and is
        // refused with its row and feature named, as it is without scaling.
        FeatureMatrix data(50, 2);
        for (Eigen::Index row = 0; row < data.rows(); ++row) {
            data(row, 0) = static_cast<float>(scaleFeatureValue(FeatureScale::Log1p, 100.0 * static_cast<double>(row)));
            data(row, 1) = static_cast<float>(row % 7);
        }
        data(17, 0)
            = static_cast<float>(scaleFeatureValue(FeatureScale::Log1p, std::numeric_limits<double>::infinity()));
        data(30, 1) = static_cast<float>(scaleFeatureValue(FeatureScale::Log1p, std::nan("")));
        IsolationForest forest;
        try {
            forest.fit(data, {});
            QFAIL("no exception");
        } catch (const InputError& error) {
            const std::string message = error.what();
            QVERIFY2(message.find("feature 1 of row 18 is inf") != std::string::npos, error.what());
        }
        data(17, 0) = 1.0f;
        try {
            forest.fit(data, {});
            QFAIL("no exception");
        } catch (const InputError& error) {
            QVERIFY2(std::string(error.what()).find("feature 2 of row 31") != std::string::npos, error.what());
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

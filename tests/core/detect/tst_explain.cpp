#include "core/io/csvreader.h"
#include "core/detect/explain.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace webthreat;

namespace {

// Normal rows around fixed centres; every anomaly pushes exactly one feature far out, in turn.
std::string makeTraffic(int rows, int anomalies, std::vector<std::pair<std::size_t, Feature>>& injected)
{
    std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n";
    std::uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    auto normal
        = [&] { return std::sqrt(-2.0 * std::log(uniform() + 1e-12)) * std::cos(6.283185307179586 * uniform()); };
    const long start = 1714000000;
    for (int i = 0; i < rows; ++i) {
        double bytesIn = 20000 * std::exp(0.2 * normal());
        double bytesOut = 10000 * std::exp(0.2 * normal());
        double duration = 300 * std::exp(0.2 * normal());
        const bool anomaly = i % (rows / anomalies) == 0 && static_cast<int>(injected.size()) < anomalies;
        if (anomaly) {
            switch (injected.size() % 3) {
            case 0:
                bytesIn *= 200;
                injected.push_back({static_cast<std::size_t>(i), Feature::BytesIn});
                break;
            case 1:
                bytesOut *= 200;
                injected.push_back({static_cast<std::size_t>(i), Feature::BytesOut});
                break;
            case 2:
                duration *= 200;
                injected.push_back({static_cast<std::size_t>(i), Feature::SessionDuration});
                break;
            }
        }
        text += std::to_string(std::llround(bytesIn)) + "," + std::to_string(std::llround(bytesOut)) + ","
            + std::to_string(start) + "," + std::to_string(start + std::llround(duration)) + ",198.51.100."
            + std::to_string(i % 250) + ",10.0.0.1\n";
    }
    return text;
}

} // namespace

class TestExplain : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void topFeatureIsTheInjectedOne()
    {
        std::vector<std::pair<std::size_t, Feature>> injected;
        const std::string text = makeTraffic(6000, 60, injected);
        auto data = prepareTable(readTrafficCsvText(text, "explain.csv"));
        DetectorParams params;
        params.features = {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration};
        auto detection = detect(*data, params);
        const Explainer explainer(data, detection);
        int right = 0;
        for (const auto& [row, feature] : injected) {
            const RowExplanation explanation = explainer.explain(row);
            right += explanation.features.front().feature == feature;
            QVERIFY(explanation.pathLength < explanation.averagePathLength);
            double total = 0.0;
            for (const auto& part : explanation.features)
                total += part.credit;
            QVERIFY(std::abs(total - 1.0) < 1e-9);
        }
        QVERIFY2(right >= static_cast<int>(injected.size() * 9 / 10),
                 qPrintable(QString("%1 of %2 right").arg(right).arg(injected.size())));
    }

    void sentenceSaysWhereTheValueStands()
    {
        std::vector<std::pair<std::size_t, Feature>> injected;
        const std::string text = makeTraffic(3000, 30, injected);
        auto data = prepareTable(readTrafficCsvText(text, "explain.csv"));
        auto detection = detect(*data, DetectorParams());
        const Explainer explainer(data, detection);
        const RowExplanation explanation = explainer.explain(injected[1].first); // a bytes_out anomaly
        const QString sentence = QString::fromStdString(explanation.sentence);
        QVERIFY2(sentence.startsWith("bytes_out ") || sentence.startsWith("avg_packet_size "), qPrintable(sentence));
        QVERIFY2(sentence.contains("is above 99."), qPrintable(sentence));
        QVERIFY2(sentence.contains("splits against"), qPrintable(sentence));
        QVERIFY(explanation.features.front().percentile > 0.99);
    }

    void manyRowsAtOnceMatchOneAtATime_data()
    {
        QTest::addColumn<int>("scaling");
        QTest::newRow("raw") << static_cast<int>(InputScaling::None);
        QTest::newRow("scaled") << static_cast<int>(InputScaling::Auto);
    }

    void manyRowsAtOnceMatchOneAtATime()
    {
        // explainRows places all values in one pass per feature; explain() counts per row. Every
        // row of a file with many tied values (durations are whole seconds) must agree.
        QFETCH(int, scaling);
        std::vector<std::pair<std::size_t, Feature>> injected;
        const std::string text = makeTraffic(1500, 15, injected);
        auto data = prepareTable(readTrafficCsvText(text, "explain.csv"));
        DetectorParams params;
        params.scaling = static_cast<InputScaling>(scaling);
        auto detection = detect(*data, params);
        const Explainer explainer(data, detection);
        std::vector<std::size_t> rows;
        for (std::size_t row = data->table.rowCount(); row-- > 0;)
            rows.push_back(row); // any order
        const auto together = explainRows(*data, *detection, rows, 2);
        // With every row's features ranked once (the scored CSV's blocks), the same again.
        const FeatureRanks ranks = rankFeatures(*data, *detection, 2);
        QCOMPARE(ranks.sorted.size(), params.features.size());
        const auto ranked = explainRows(*data, *detection, rows, 2, &ranks);
        QCOMPARE(together.size(), rows.size());
        QCOMPARE(ranked.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const RowExplanation alone = explainer.explain(rows[i]);
            QCOMPARE(ranked[i].sentence, alone.sentence);
            for (std::size_t f = 0; f < alone.features.size(); ++f) {
                QCOMPARE(ranked[i].features[f].feature, alone.features[f].feature);
                QCOMPARE(ranked[i].features[f].value, alone.features[f].value);
                QCOMPARE(ranked[i].features[f].credit, alone.features[f].credit);
                QCOMPARE(ranked[i].features[f].percentile, alone.features[f].percentile);
                QCOMPARE(ranked[i].features[f].above, alone.features[f].above);
            }
            QCOMPARE(together[i].row, rows[i]);
            QCOMPARE(together[i].sentence, alone.sentence);
            QCOMPARE(together[i].pathLength, alone.pathLength);
            for (std::size_t f = 0; f < alone.features.size(); ++f) {
                QCOMPARE(together[i].features[f].feature, alone.features[f].feature);
                QCOMPARE(together[i].features[f].credit, alone.features[f].credit);
                QCOMPARE(together[i].features[f].percentile, alone.features[f].percentile);
                QCOMPARE(together[i].features[f].above, alone.features[f].above);
            }
        }
    }

    // With log1p inputs the forest splits on log values, but the analyst reads bytes and seconds:
    // the value is the raw one and its percentile is counted over the raw values of all rows.
    void scaledExplanationsSpeakTheDatasOwnUnits()
    {
        std::vector<std::pair<std::size_t, Feature>> injected;
        const std::string text = makeTraffic(3000, 30, injected);
        auto data = prepareTable(readTrafficCsvText(text, "explain.csv"));
        DetectorParams params;
        params.scaling = InputScaling::Auto;
        params.features = {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration};
        auto detection = detect(*data, params);
        const Explainer explainer(data, detection);
        const FeatureMatrix raw = buildFeatureMatrix(data->table, data->features, params.features);
        const std::size_t row = injected[1].first; // bytes_out 200 times its usual size
        const RowExplanation explanation = explainer.explain(row);
        for (const FeatureExplanation& part : explanation.features) {
            const auto column = static_cast<Eigen::Index>(
                std::find(params.features.begin(), params.features.end(), part.feature) - params.features.begin());
            const float value = raw(static_cast<Eigen::Index>(row), column);
            QCOMPARE(part.value, static_cast<double>(value));
            std::size_t below = 0;
            for (Eigen::Index other = 0; other < raw.rows(); ++other)
                below += raw(other, column) < value;
            QCOMPARE(part.percentile, static_cast<double>(below) / static_cast<double>(raw.rows()));
        }
        const double bytesOut = static_cast<double>(data->table.column(Field::BytesOut).integers[row]);
        QVERIFY(bytesOut > 1e6);
        const QString sentence = QString::fromStdString(explanation.sentence);
        QVERIFY2(sentence.startsWith(QString::fromStdString(
                     "bytes_out " + describeFeatureValue(Feature::BytesOut, bytesOut) + " is above 99.")),
                 qPrintable(sentence));
        // The forest walked the row as it saw it (scaled): the path explains the row's score.
        const double c = IsolationForest::averagePathLength(detection->effectiveMaxSamples);
        QVERIFY(std::abs(-std::exp2(-explanation.pathLength / c) - detection->scores.scores()[row]) < 1e-12);
        // And the report's explanations (explainRows) say the same.
        const auto together = explainRows(*data, *detection, {row});
        QCOMPARE(together.front().sentence, explanation.sentence);
    }

    void describesValues()
    {
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::BytesOut, 4800000)), QString("4.8 MB"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SessionDuration, 600)), QString("600 s"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::DstPortFrequency, 0.0001)),
                 QString("0.01 % of sessions"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::CountryFrequency, 0.25)),
                 QString("25.0 % of sessions"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SrcIpPrivate, 1.0)), QString("private"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SrcIpPrivate, 0.0)), QString("public"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SourceSessions, 1.0)), QString("1 session"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SourceSessions, 5000.0)),
                 QString("5000 sessions"));
        QCOMPARE(QString::fromStdString(describeFeatureValue(Feature::SourceTotalBytes, 3.4e9)), QString("3.4 GB"));
    }

    void sortedValuesCountAsEveryRow()
    {
        // Held by distinct value (few values) or every row (many): the same counts as a binary
        // search over every row's value, -0 and +0 equal, and a NaN keeps every row.
        const std::vector<std::vector<float>> cases = {
            {},
            {5.0f},
            {-0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f, 2.5f, 2.5f, 9.0f},
            {1.0f, 2.0f, 3.0f, 4.0f, 5.0f},
            {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f},
            {1.0f, 1.0f, 2.0f, std::nanf("")},
        };
        const std::vector<float> probes = {-1.0f, -0.0f, 0.0f, 0.1f, 0.25f, 1.0f, 2.0f, 2.5f, 3.0f, 9.0f, 10.0f};
        for (const std::vector<float>& rows : cases) {
            const SortedValues sorted(rows);
            QCOMPARE(sorted.rows(), rows.size());
            for (float probe : probes) {
                const auto below = static_cast<std::size_t>(std::lower_bound(rows.begin(), rows.end(), probe) - rows.begin());
                const auto notAbove
                    = static_cast<std::size_t>(std::upper_bound(rows.begin(), rows.end(), probe) - rows.begin());
                QCOMPARE(sorted.below(probe), below);
                QCOMPARE(sorted.notAbove(probe), notAbove);
            }
        }
        // A million rows of a port's share: a few values, a few bytes.
        std::vector<float> shares(1000000);
        for (std::size_t i = 0; i < shares.size(); ++i)
            shares[i] = i < 990000 ? 0.99f : 0.00001f;
        std::sort(shares.begin(), shares.end());
        const SortedValues compact(shares);
        QVERIFY(compact.memoryBytes() < 64);
        QCOMPARE(compact.below(0.99f), std::size_t(10000));
        QCOMPARE(compact.notAbove(0.99f), std::size_t(1000000));
    }

    void categoricalSentenceNamesTheValue()
    {
        // 10,000 sessions to port 443 but one to 31337: the sentence names the port and its share.
        std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port,response.code\n";
        for (int i = 0; i < 10000; ++i)
            text += std::to_string(1000 + i % 97) + ",2000,,,198.51.100." + std::to_string(i % 200) + ",10.0.0.1,"
                + (i == 4321 ? "31337" : "443") + ",200\n";
        auto data = prepareTable(readTrafficCsvText(text, "ports.csv"));
        DetectorParams params;
        params.features = {Feature::DstPortFrequency};
        auto detection = detect(*data, params);
        const Explainer explainer(data, detection);
        const RowExplanation explanation = explainer.explain(4321);
        const QString sentence = QString::fromStdString(explanation.sentence);
        QVERIFY2(sentence.startsWith("dst_port 31337 is used by 0.01 % of sessions; isolated in "),
                 qPrintable(sentence));
        // The value as the forest saw it: a float.
        QCOMPARE(explanation.features.front().value, static_cast<double>(0.0001f));
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"

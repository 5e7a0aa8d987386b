// core/model/drift: a stale model says so, feature by feature.
#include "core/io/csvreader.h"
#include "core/model/drift.h"
#include "core/model/modelfile.h"
#include "core/pipeline.h"

#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {
// Rows of bytes_in, bytes_out, a 10-second session, a country and port 443.
std::string csv(const std::vector<std::pair<int, std::string>>& rows)
{
    std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
                       "dst_port,dst_ip\n";
    int i = 0;
    for (const auto& [bytes, country] : rows) {
        text += std::to_string(bytes) + "," + std::to_string(bytes) + ",2024-04-25T00:00:00Z,2024-04-25T00:00:10Z,"
            + "203.0.113." + std::to_string(++i % 250) + "," + country + ",HTTPS,200,443,10.0.0.1\n";
    }
    return text;
}

std::shared_ptr<const DetectorModel> trainedOn(const std::string& text)
{
    AnalysisParams params;
    params.detector.features = {Feature::BytesIn, Feature::CountryFrequency};
    params.detector.forest.trees = 10;
    const Analysis analysis = analyzeTable(readTrafficCsvText(text, "train.csv"), params);
    return std::make_shared<const DetectorModel>(makeModel(analysis, fingerprintBytes(text, "train.csv"), "test"));
}

DriftReport driftOf(const DetectorModel& model, const std::string& text)
{
    const auto data = prepareTable(readTrafficCsvText(text, "new.csv"));
    return measureDrift(model, data->table, data->features);
}
} // namespace

class TestDrift : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainingDataHasNoDrift()
    {
        std::vector<std::pair<int, std::string>> rows;
        for (int i = 0; i < 100; ++i)
            rows.emplace_back(1000 + i * 10, i % 2 ? "US" : "DE");
        const std::string text = csv(rows);
        const DriftReport drift = driftOf(*trainedOn(text), text);
        QVERIFY(!drift.large());
        QCOMPARE(drift.features.size(), std::size_t(2));
        QCOMPARE(drift.features[0].outsideRange, 0.0);
        QCOMPARE(drift.features[0].medianShift, 0.0);
        QCOMPARE(drift.features[1].newCategories, std::size_t(0));
        QVERIFY(driftText(drift).find("The data sits within what the model was trained on.") != std::string::npos);
    }

    // Bytes ten times larger: every row past the training maximum, the median moved by many
    // interquartile ranges; a country never seen in training on a fifth of the rows.
    void shiftedDataIsReported()
    {
        std::vector<std::pair<int, std::string>> training, later;
        for (int i = 0; i < 100; ++i) {
            training.emplace_back(1000 + i * 10, i % 2 ? "US" : "DE");
            later.emplace_back(20000 + i * 100, i % 5 == 0 ? "KP" : "US");
        }
        const DriftReport drift = driftOf(*trainedOn(csv(training)), csv(later));
        QVERIFY(drift.large());
        const FeatureDrift& bytes = drift.features[0];
        QCOMPARE(bytes.outsideRange, 1.0);
        QCOMPARE(bytes.trainingMedian, 1495.0);
        QCOMPARE(bytes.median, 24950.0);
        QVERIFY(bytes.medianShift > 40);
        QVERIFY(bytes.large);
        const FeatureDrift& country = drift.features[1];
        QVERIFY(country.categorical);
        QCOMPARE(country.newCategories, std::size_t(1));
        QCOMPARE(country.newCategoryRows, 0.2);
        QCOMPARE(country.newCategoryExamples, std::vector<std::string>{"KP"});
        QCOMPARE(drift.warnings.size(), std::size_t(3));
        QCOMPARE(drift.warnings[0], std::string("bytes_in: 100.0 % of rows lie outside the training range [1000, 1990]"));
        QCOMPARE(drift.warnings[2],
                 std::string("country_frequency: 20.0 % of rows have 1 value(s) never seen in training (KP)"));
        QVERIFY(driftText(drift).find("Warning: the data has drifted") != std::string::npos);
    }

    // Streaming mode's DriftMeasure, fed the file in three parts with the whole file's medians: the
    // report measureDrift makes of the whole table, warnings, counts and examples (in file order).
    void measuredInPartsAsWhole()
    {
        std::vector<std::pair<int, std::string>> training, later;
        for (int i = 0; i < 100; ++i) {
            training.emplace_back(1000 + i * 10, i % 2 ? "US" : "DE");
            later.emplace_back(i % 3 ? 1500 + i : 30000 + i, i % 7 == 0 ? "KP" : i % 11 == 0 ? "CU" : "US");
        }
        const auto model = trainedOn(csv(training));
        const auto data = prepareTable(readTrafficCsvText(csv(later), "new.csv"));
        const DriftReport whole = measureDrift(*model, data->table, data->features);
        QVERIFY(whole.large());
        DriftMeasure measure(*model);
        std::vector<double> medians(model->encodings.size(), 0.0);
        std::vector<std::vector<double>> all(model->encodings.size());
        for (std::size_t column = 0; column < all.size(); ++column) {
            if (!model->encodings[column].isFrequency()) {
                all[column] = featureValues(data->table, data->features, model->encodings[column].feature);
                std::vector<double> copy = all[column];
                medians[column] = describeDistribution(copy).median;
            }
        }
        for (std::uint32_t from : {0u, 30u, 55u}) {
            const std::uint32_t to = from == 0 ? 30u : from == 30 ? 55u : 100u;
            std::vector<std::uint32_t> rows;
            for (std::uint32_t row = from; row < to; ++row)
                rows.push_back(row);
            TrafficTable part = data->table;
            part.keepRows(rows);
            std::vector<std::vector<double>> values(all.size());
            for (std::size_t column = 0; column < all.size(); ++column) {
                if (!all[column].empty())
                    values[column].assign(all[column].begin() + from, all[column].begin() + to);
            }
            measure.add(part, values);
        }
        const DriftReport parts = measure.finish(medians);
        QCOMPARE(parts.warnings, whole.warnings);
        QCOMPARE(parts.features.size(), whole.features.size());
        for (std::size_t i = 0; i < whole.features.size(); ++i) {
            QCOMPARE(parts.features[i].outsideRange, whole.features[i].outsideRange);
            QCOMPARE(parts.features[i].median, whole.features[i].median);
            QCOMPARE(parts.features[i].newCategories, whole.features[i].newCategories);
            QCOMPARE(parts.features[i].newCategoryRows, whole.features[i].newCategoryRows);
            QCOMPARE(parts.features[i].newCategoryExamples, whole.features[i].newCategoryExamples);
            QCOMPARE(parts.features[i].large, whole.features[i].large);
        }
        QCOMPARE(driftText(parts), driftText(whole));
    }

    // A feature constant in training (range 0) whose median moves: an infinite shift, said plainly.
    void constantTrainingFeature()
    {
        std::vector<std::pair<int, std::string>> training, later;
        for (int i = 0; i < 50; ++i) {
            training.emplace_back(500, "US");
            later.emplace_back(600, "US");
        }
        const DriftReport drift = driftOf(*trainedOn(csv(training)), csv(later));
        QVERIFY(std::isinf(drift.features[0].medianShift));
        QVERIFY(drift.warnings[1].find("the training values barely varied") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestDrift)
#include "tst_drift.moc"

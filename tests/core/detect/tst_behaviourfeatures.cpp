// The Behaviour detector features (issue 21): the row's pair's beacon score, its source's fan-out in
// its window and its source's volume over its own usual, computed only when chosen, explained in
// the data's words, and recomputed on the new file when a saved model that has them scores it.
#include "core/behaviour/behaviour.h"
#include "core/detect/explain.h"
#include "core/io/csvreader.h"
#include "core/model/modelfile.h"
#include "core/output/provenance.h"
#include "core/pipeline.h"
#include "tests/core/behaviour/behaviourdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace webthreat;
using namespace webthreat::testdata;

namespace {

// Rows 0-29: 1.1.1.1 calls 10.0.0.1:443 every 60 s with 800 bytes (a beacon). Rows 30-69:
// 6.6.6.6 touches ports 1 to 40 of 10.0.0.5 within a minute. Then 60 ordinary rows: 20 sources,
// three sessions each at uneven times and sizes.
std::vector<Session> sessions(const std::string& beaconSource = "1.1.1.1", std::int64_t beaconInterval = 60)
{
    std::vector<Session> all = periodic(30, beaconInterval, beaconSource);
    for (int port = 1; port <= 40; ++port) {
        Session s;
        s.start = kBase + 3600 + port;
        s.src = "6.6.6.6";
        s.dst = "10.0.0.5";
        s.port = std::to_string(port);
        s.bytesIn = 40;
        s.bytesOut = 0;
        all.push_back(s);
    }
    for (int i = 0; i < 60; ++i) {
        Session s;
        s.start = kBase + 97 * i * i % 7200;
        s.src = "2.2.2." + std::to_string(i % 20);
        s.dst = "10.0.0." + std::to_string(i % 7);
        s.port = i % 3 == 0 ? "80" : "443";
        s.bytesIn = 1000 + 337 * (i % 11);
        s.bytesOut = 5000 + 1231 * (i % 13);
        all.push_back(s);
    }
    return all;
}

std::shared_ptr<const PreparedData> prepared(const std::vector<Session>& rows)
{
    ReadResult read;
    read.table = tableOf(rows);
    read.report.file = "behaviour.csv";
    return prepareTable(std::move(read));
}

DetectorParams withFeatures(std::vector<Feature> features)
{
    DetectorParams params;
    params.features = std::move(features);
    params.forest.trees = 50;
    return params;
}

} // namespace

class TestBehaviourFeatures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listedInTheirGroup()
    {
        const std::vector<std::pair<const char*, FeatureScale>> expected{
            {"pair_beacon_score", FeatureScale::Linear},
            {"source_fan_out", FeatureScale::Log1p},
            {"source_volume_ratio", FeatureScale::Log1p}};
        for (const auto& [name, scale] : expected) {
            const FeatureInfo& info = featureInfo(featureByName(name));
            QCOMPARE(info.group, FeatureGroup::Behaviour);
            QCOMPARE(info.scale, scale);
        }
        QCOMPARE(featureGroupTitle(FeatureGroup::Behaviour), std::string_view("Behaviour over time"));
        QVERIFY(!needsBehaviour(defaultFeatures()));
        QVERIFY(needsBehaviour({Feature::BytesIn, Feature::SourceFanOut}));
    }

    void computedOnlyWhenChosen()
    {
        const auto data = prepared(sessions());
        QVERIFY(!data->features.behaviour);
        QVERIFY(!detect(*data, withFeatures(defaultFeatures()))->behaviour);
        const auto detection
            = detect(*data, withFeatures({Feature::BytesIn, Feature::PairBeaconScore, Feature::SourceFanOut,
                                          Feature::SourceVolumeRatio}));
        QVERIFY(detection->behaviour);
        const FeatureSet features = detectorFeatures(*data, *detection);
        QCOMPARE(features.behaviour, detection->behaviour);
        // Rows as read: the beacon first, then the scanner (cleaning keeps every one).
        QCOMPARE(data->table.rowCount(), std::size_t(130));
        const auto beacon = featureValues(data->table, features, Feature::PairBeaconScore);
        const auto fanOut = featureValues(data->table, features, Feature::SourceFanOut);
        const auto volume = featureValues(data->table, features, Feature::SourceVolumeRatio);
        QCOMPARE(beacon[0], 1.0);
        QCOMPARE(beacon[29], 1.0);
        QCOMPARE(beacon[30], 0.0); // one session per scanned port: no pair to score
        QCOMPARE(beacon[100], 0.0); // three sessions a pair at most
        QCOMPARE(fanOut[30], 40.0);
        QCOMPARE(fanOut[0], 1.0);
        QCOMPARE(volume[30], 1.0); // the scanner's one window is its own baseline
        // Without a computed behaviour, featureValues computes it for the call: the same values.
        QCOMPARE(featureValues(data->table, data->features, Feature::SourceFanOut), fanOut);
    }

    void explanationsSpeakInTheDataUnits_data()
    {
        QTest::addColumn<int>("feature");
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("beacon") << int(Feature::PairBeaconScore) << 3
                                << "this pair calls every 60 s ±0 s with near-constant sizes (beacon score 1)";
        QTest::newRow("scan") << int(Feature::SourceFanOut) << 31 << "this source contacted 40 ports in 5 minutes";
    }
    void explanationsSpeakInTheDataUnits()
    {
        QFETCH(int, feature);
        QFETCH(int, row);
        QFETCH(QString, sentence);
        const auto data = prepared(sessions());
        const auto detection = detect(*data, withFeatures({static_cast<Feature>(feature)}));
        const Explainer explainer(data, detection);
        const RowExplanation one = explainer.explain(static_cast<std::size_t>(row));
        QVERIFY2(QString::fromStdString(one.sentence).startsWith(sentence + "; isolated in"), one.sentence.c_str());
        // The scored CSV's and the report's path gives the same sentence.
        const auto many = explainRows(*data, *detection, {static_cast<std::size_t>(row)});
        QCOMPARE(many.front().sentence, one.sentence);
    }

    void sentencesForEveryRow()
    {
        const auto data = prepared(sessions());
        const BehaviourResult behaviour = analyzeBehaviour(data->table);
        QCOMPARE(pairBeaconSentence(behaviour, 100),
                 std::string("this pair has fewer than 10 sessions: too few for a beacon score"));
        QCOMPARE(sourceVolumeSentence(behaviour, 31),
                 std::string("this source sent 1 times its usual number of sessions in 5 minutes"));
        QCOMPARE(sourceFanOutSentence(behaviour, 0), std::string("this source contacted 1 port in 5 minutes"));
        QCOMPARE(describeFeatureValue(Feature::PairBeaconScore, 0.934), std::string("0.93"));
        QCOMPARE(describeFeatureValue(Feature::SourceFanOut, 340), std::string("340 ports or hosts"));
        QCOMPARE(describeFeatureValue(Feature::SourceVolumeRatio, 40), std::string("40 x its usual"));
    }

    void aSavedModelRecomputesBehaviourOnTheNewFile()
    {
        const std::vector<Feature> chosen{Feature::BytesIn, Feature::BytesOut, Feature::PairBeaconScore,
                                          Feature::SourceFanOut, Feature::SourceVolumeRatio};
        const auto training = prepared(sessions());
        const auto detection = detect(*training, withFeatures(chosen));
        const Analysis trained = assess(training, detection, Contamination::fromValue(0.1));
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        saveModel(makeModel(trained, fingerprintBytes("x", "behaviour.csv"), "test"), path);
        const auto model = loadModel(path);
        QCOMPARE(model->features(), chosen);

        // Its own rows: the very scores the fitted forest gave.
        const Analysis again = applyModel(training, model);
        const auto& a = detection->scores.scores();
        const auto& b = again.detection->scores.scores();
        QCOMPARE(b.size(), a.size());
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);

        // A new file, the beacon now from 9.9.9.9 every 120 s: its behaviour is this file's.
        const auto other = prepared(sessions("9.9.9.9", 120));
        const Analysis scored = applyModel(other, model);
        QVERIFY(scored.detection->behaviour);
        const BehaviourResult own = analyzeBehaviour(other->table);
        const FeatureSet features = detectorFeatures(*other, *scored.detection);
        const auto beacon = featureValues(other->table, features, Feature::PairBeaconScore);
        for (std::size_t row = 0; row < other->table.rowCount(); ++row)
            QCOMPARE(beacon[row], own.beacons.scoreOfRow(row));
        QCOMPARE(scored.detection->behaviour->beacons.pairs.front().medianIntervalSeconds, 120.0);
        const Explainer explainer(other, scored.detection);
        QVERIFY(explainer.explain(0).sentence.size() > 0);
        QVERIFY(scored.drift);
    }
};

QTEST_GUILESS_MAIN(TestBehaviourFeatures)
#include "tst_behaviourfeatures.moc"

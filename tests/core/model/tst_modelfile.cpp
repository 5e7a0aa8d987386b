// core/model/modelfile: a detector kept in a file scores other data exactly as it scored its own,
// and a bad model file is refused naming what is wrong.
#include "core/io/csvreader.h"
#include "core/model/modelfile.h"
#include "core/pipeline.h"
#include "core/util/errors.h"
#include "generator/generator.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>
#include <sstream>

using namespace webthreat;

namespace {
std::string generated(std::size_t rows, std::uint64_t seed)
{
    GeneratorParams params;
    params.rows = rows;
    params.seed = seed;
    std::ostringstream text;
    generateTraffic(text, params);
    return text.str();
}

AnalysisParams params(const DetectorParams& detector)
{
    AnalysisParams p;
    p.detector = detector;
    p.detector.forest.trees = 30;
    p.contamination = Contamination::fromValue(0.05);
    return p;
}

std::vector<Feature> everyFeature()
{
    std::vector<Feature> all;
    for (const FeatureInfo& info : availableFeatures()) {
        // The location database's features need it when scoring: tests/app/tst_cli's enrichment().
        if (!needsEnrichment(info.feature))
            all.push_back(info.feature);
    }
    return all;
}

// A small model's document, to break in the refusal tests.
const std::string& smallModelText()
{
    static const std::string text = [] {
        AnalysisParams p = params(DetectorParams{});
        p.detector.forest.trees = 2;
        p.detector.forest.maxSamples = 8;
        const Analysis analysis = analyzeTable(readTrafficCsvText(generated(200, 3), "small.csv"), p);
        return modelDocument(makeModel(analysis, fingerprintBytes("x", "small.csv"), "test"));
    }();
    return text;
}

// text with the first run of characters from chars that follows prefix (and precedes suffix)
// replaced by with; text unchanged when there is none. (No std::regex: GCC 12 warns inside it
// under the sanitizers, and warnings are errors.)
std::string replaced(const std::string& text, const std::string& prefix, const std::string& chars,
                     const std::string& with, const std::string& suffix = "")
{
    const auto at = text.find(prefix);
    if (at == std::string::npos)
        return text;
    const auto start = at + prefix.size();
    const auto end = chars.empty() ? start : text.find_first_not_of(chars, start);
    if (end == std::string::npos || text.compare(end, suffix.size(), suffix) != 0)
        return text;
    return text.substr(0, at) + with + text.substr(end + suffix.size());
}

// The first frequency share in the document set to share.
std::string withFirstShare(const std::string& text, const std::string& share)
{
    const auto list = text.find("\"shares\": [");
    const auto pair = list == std::string::npos ? list : text.find('[', list + 11);
    const auto comma = pair == std::string::npos ? pair : text.find(',', pair);
    const auto start = comma == std::string::npos ? comma : text.find_first_not_of(" \n", comma + 1);
    if (start == std::string::npos)
        return text;
    const auto end = text.find_first_not_of("0123456789.e-", start);
    return text.substr(0, start) + share + text.substr(end);
}

// The generated CSV with every data row's dst_port (the ninth column; the generator writes no
// quoted commas) set to port.
std::string withPort(const std::string& csv, const std::string& port)
{
    std::istringstream in(csv);
    std::string out, line;
    bool header = true;
    while (std::getline(in, line)) {
        if (!header) {
            std::size_t start = 0;
            for (int i = 0; i < 8; ++i)
                start = line.find(',', start) + 1;
            line.replace(start, line.find(',', start) - start, port);
        }
        header = false;
        out += line + "\n";
    }
    return out;
}

std::string refusal(const std::string& text)
{
    try {
        parseModel(text, "bad.json");
    } catch (const InputError& error) {
        return error.what();
    }
    return "(accepted)";
}
} // namespace

class TestModelFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The promise: a file scored with the model saved from it gets bit-identical scores
    // and the same verdicts, for every feature set and both scalings.
    void savedModelScoresItsTrainingFileIdentically_data()
    {
        QTest::addColumn<int>("preset");
        QTest::newRow("default features, auto scaling") << 0;
        QTest::newRow("notebook preset (raw)") << 1;
        QTest::newRow("every feature, auto") << 2;
        QTest::newRow("every feature, none") << 3;
    }
    void savedModelScoresItsTrainingFileIdentically()
    {
        QFETCH(int, preset);
        DetectorParams detector = preset == 1 ? DetectorParams::notebook() : DetectorParams{};
        if (preset >= 2)
            detector.features = everyFeature();
        if (preset == 3)
            detector.scaling = InputScaling::None;
        const std::string csv = generated(3000, 11);
        const Analysis trained = analyzeTable(readTrafficCsvText(csv, "train.csv"), params(detector));

        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        saveModel(makeModel(trained, fingerprintBytes(csv, "train.csv"), "test"), path);
        AnalysisParams scoring = params(DetectorParams{});
        scoring.model = loadModel(path);
        const Analysis scored = analyzeTable(readTrafficCsvText(csv, "train.csv"), scoring);

        const auto& a = trained.detection->scores.scores();
        const auto& b = scored.detection->scores.scores();
        QCOMPARE(b.size(), a.size());
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
        QCOMPARE(scored.verdicts.threshold, trained.verdicts.threshold);
        QCOMPARE(scored.verdicts.suspicious, trained.verdicts.suspicious);
        QVERIFY(scored.thresholdFromModel);
        QVERIFY(scored.drift);
        QVERIFY2(!scored.drift->large(), scored.drift->warnings.empty() ? "" : scored.drift->warnings[0].c_str());
    }

    // Saving what was loaded writes the same document (apart from where it was loaded from).
    void documentRoundTrips()
    {
        const std::string& text = smallModelText();
        const auto model = parseModel(text, "m.json");
        QCOMPARE(modelDocument(*model), text);
        QCOMPARE(model->origin.file, std::string("small.csv"));
        QCOMPARE(model->origin.rows, std::size_t(200));
        QCOMPARE(model->forest->treeCount(), 2);
        QCOMPARE(model->forest->maxSamples(), 8);
        QVERIFY(text.rfind("{\n  \"format\": \"webthreat-model\",\n  \"version\": 1,", 0) == 0);
    }

    // Another file: the frozen shares and fills, not the new file's own. A port never seen in
    // training is the rarest value (share 0), so a row on it scores as anomalous as the forest allows
    // on that feature; re-thresholding on the file uses its own percentile.
    void otherFileUsesTheTrainingEncodings()
    {
        const std::string train = generated(2000, 1);
        const Analysis trained = analyzeTable(readTrafficCsvText(train, "train.csv"), params(DetectorParams{}));
        const auto model = std::make_shared<const DetectorModel>(
            makeModel(trained, fingerprintBytes(train, "train.csv"), "test"));
        QCOMPARE(model->encodings[4].feature, Feature::DstPortFrequency);
        QVERIFY(!model->encodings[4].integerShares.contains(31337));

        // Every row of the new file on port 31337: its own frequency would be 1, the model's is 0.
        const std::string other = withPort(generated(500, 2), "31337");
        AnalysisParams scoring = params(DetectorParams{});
        scoring.model = model;
        const Analysis scored = analyzeTable(readTrafficCsvText(other, "other.csv"), scoring);
        const PreparedData& data = *scored.data;
        const TableFeatureRows rows(data.table, data.features, model->encodings);
        std::vector<float> row(static_cast<std::size_t>(rows.columns()));
        rows.fill(0, 1, row.data());
        QCOMPARE(row[4], 0.0f);
        QCOMPARE(scored.verdicts.threshold, model->threshold);
        QVERIFY(scored.drift->large());
        QVERIFY(scored.drift->warnings[0].find("dst_port_frequency") != std::string::npos);
        QVERIFY(scored.drift->warnings[0].find("31337") != std::string::npos);

        scoring.modelThreshold = false;
        const Analysis rethresholded = analyzeTable(readTrafficCsvText(other, "other.csv"), scoring);
        QCOMPARE(rethresholded.verdicts.threshold,
                 rethresholded.detection->scores.thresholdFor(Contamination::fromValue(0.05)));
        QVERIFY(!rethresholded.thresholdFromModel);
    }

    void refusesBadModels_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("message");
        const std::string& good = smallModelText();
        QTest::newRow("not JSON") << std::string("{\n  \"format\": ,\n}") << std::string("bad.json:2: column 13: not a valid model file, malformed JSON");
        QTest::newRow("not a model") << std::string("{\"format\": \"something\"}")
                                     << std::string("not a webthreat model");
        QTest::newRow("newer version") << replaced(good, "\"version\": 1", "", "\"version\": 2")
                                       << std::string("version: the model is of format version 2, written by a newer webthreat; this one reads version 1");
        QTest::newRow("unknown feature") << replaced(good, "\"name\": \"bytes_in\"", "", "\"name\": \"bytes_sideways\"")
                                         << std::string("features[0].name: unknown feature 'bytes_sideways'");
        QTest::newRow("scale") << replaced(good, "\"scale\": \"log1p\"", "", "\"scale\": \"cube\"")
                               << std::string("features[0].scale: is 'linear' or 'log1p', not 'cube'");
        QTest::newRow("fill not a number") << replaced(good, "\"fill\": ", "0123456789.e+", "\"fill\": \"lots\"")
                                           << std::string("features[0].fill: must be a number");
        QTest::newRow("share above 1") << withFirstShare(good, "1.5")
                                       << std::string("a share is 0 to 1, not 1.5");
        QTest::newRow("tree count") << replaced(good, "\"trees\": 2,", "", "\"trees\": 3,")
                                    << std::string("trees: lists 2 trees; detector.trees says 3");
        QTest::newRow("child out of range") << replaced(good, "\"left\":[1,", "", "\"left\":[900,")
                                            << std::string("trees[0].left[0]: must be -1 to ");
        QTest::newRow("child before parent") << replaced(good, "\"left\":[1,", "", "\"left\":[0,")
                                             << std::string("trees: tree 0, node 0: its children 0 and 1 must come after it");
        QTest::newRow("threshold not finite") << replaced(good, "\"threshold\":[", "-0123456789.e", "\"threshold\":[1e999,", ",")
                                              << std::string("bad.json: not a valid model file: number overflow parsing '1e999'");
        QTest::newRow("threshold text") << replaced(good, "\"threshold\":[", "-0123456789.e", "\"threshold\":[\"x\",", ",")
                                        << std::string("trees[0].threshold[0]: must be a number");
        QTest::newRow("nodes mismatch") << replaced(good, "\"nodes\":", "0123456789", "\"nodes\":2")
                                        << std::string("entries for 2 nodes");
        QTest::newRow("threshold score") << replaced(good, "\"score\": ", "-0123456789.e", "\"score\": 3")
                                         << std::string("threshold.score: an anomaly score is -1 to 0, not 3");
        QTest::newRow("missing field") << replaced(good, "\"seed\": ", "0123456789", "", ",")
                                       << std::string("detector: the field 'seed' is missing");
    }
    void refusesBadModels()
    {
        QFETCH(std::string, text);
        QFETCH(std::string, message);
        QVERIFY2(text != smallModelText(), "the test's edit did not apply");
        const std::string what = refusal(text);
        QVERIFY2(what.find(message) != std::string::npos, what.c_str());
        QVERIFY2(what.rfind("bad.json", 0) == 0, what.c_str());
    }

    void loadNamesTheFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, loadModel("/nonexistent/model.json"));
        try {
            loadModel("/nonexistent/model.json");
        } catch (const InputError& error) {
            QVERIFY(std::string(error.what()).rfind("/nonexistent/model.json: cannot read the model file", 0) == 0);
        }
    }

    void saveIsAtomic()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.json").toStdString();
        std::ofstream(path) << "earlier";
        const auto model = parseModel(smallModelText(), "m.json");
        QVERIFY_THROWS_EXCEPTION(OutputError, saveModel(*model, dir.filePath("missing/m.json").toStdString()));
        saveModel(*model, path);
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        QCOMPARE(text.str(), smallModelText());
    }
};

QTEST_GUILESS_MAIN(TestModelFile)
#include "tst_modelfile.moc"

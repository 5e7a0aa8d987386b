// core/stream over every format: analyzeStream in small chunks gives the in-memory run's verdicts
// and scored CSV on a Zeek conn.log (TSV and JSON lines), a load-balancer log and a VPC Flow Log
// read in one chunk, plain and compressed; with a saved model (score --model), the same scores and
// verdicts at the model's threshold (one scoring pass) and at this file's contamination percentile.
#include "core/stream/streamanalysis.h"

#include "core/model/modelfile.h"
#include "core/output/export.h"
#include "core/output/provenance.h"
#include "streamtesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
const std::string kFormats = std::string(WEBTHREAT_TEST_DATA_DIR) + "/formats";

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The scored CSV's lines cut into fields (quotes kept), explanations and beacon_score left out:
// streaming leaves them empty.
std::vector<std::vector<std::string>> scoredRows(const std::string& path)
{
    const std::string text = readAll(path);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row(1);
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted;
        if (c == ',' && !quoted) {
            row.emplace_back();
        } else if (c == '\n' && !quoted) {
            rows.push_back(std::move(row));
            row.assign(1, std::string());
        } else {
            row.back().push_back(c);
        }
    }
    if (rows.empty())
        return rows;
    const std::vector<std::string> header = rows.front();
    std::vector<std::size_t> dropped;
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (header[c] == "beacon_score" || header[c] == "top_feature" || header[c] == "top_feature_share"
            || header[c] == "explanation")
            dropped.push_back(c);
    }
    for (auto& r : rows) {
        for (auto it = dropped.rbegin(); it != dropped.rend(); ++it)
            if (*it < r.size())
                r.erase(r.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    return rows;
}

void compareScoredCsv(const std::string& memoryPath, const std::string& streamedPath)
{
    const auto a = scoredRows(memoryPath);
    const auto b = scoredRows(streamedPath);
    QCOMPARE(b.size(), a.size());
    for (std::size_t r = 0; r < a.size(); ++r)
        QVERIFY2(a[r] == b[r], ("row " + std::to_string(r)).c_str());
}
} // namespace

class TestStreamFormats : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void sameAsInMemory_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<int>("minimumChunks");
        QTest::newRow("zeek tsv") << "zeek_conn.log" << 8;
        QTest::newRow("zeek tsv, gzip") << "zeek_conn.log.gz" << 8;
        QTest::newRow("zeek json") << "zeek_conn.json" << 20;
        QTest::newRow("zeek json, iso timestamps") << "zeek_conn_iso8601.json" << 4;
        QTest::newRow("alb/nlb/elb") << "alb_nlb_elb_mixed_test.log" << 1;
        QTest::newRow("alb/nlb/elb, gzip") << "alb_nlb_elb_mixed.log.gz" << 1;
        QTest::newRow("vpc flow, header") << "vpcflow_v2_accept_reject_with_header.log" << 1;
        QTest::newRow("vpc flow, gzip members") << "vpcflow_v2_two_members.log.gz" << 1;
    }
    void sameAsInMemory()
    {
        QFETCH(QString, fixture);
        QFETCH(int, minimumChunks);
        const std::string path = kFormats + "/" + fixture.toStdString();
        StreamParams params;
        params.chunkBytes = 4096;
        params.analysis.topN = 5;
        params.out = m_dir.filePath(fixture + ".streamed.csv").toStdString();
        const StreamResult streamed = analyzeStream(path, params);
        const Analysis memory = analyzeFile(path, params.analysis);
        QVERIFY2(streamed.chunks >= static_cast<std::size_t>(minimumChunks), std::to_string(streamed.chunks).c_str());
        QVERIFY(streamed.sampleIsWholeFile);
        QCOMPARE(streamed.readReport.rows, memory.data->readReport.rows);
        QCOMPARE(streamed.rowsScored, memory.data->table.rowCount());
        QCOMPARE(streamed.threshold, memory.verdicts.threshold);
        QCOMPARE(streamed.suspiciousCount, memory.verdicts.suspiciousCount);
        const std::string whole = m_dir.filePath(fixture + ".memory.csv").toStdString();
        writeScoredCsv(memory, whole);
        compareScoredCsv(whole, params.out);
    }

    // score --model in streaming mode: the model's scores, at its threshold or at this file's percentile.
    void savedModel_data()
    {
        QTest::addColumn<bool>("modelThreshold");
        QTest::addColumn<int>("sampleRows");
        QTest::newRow("the model's threshold") << true << (1 << 18);
        QTest::newRow("this file's percentile, sample holds every row") << false << (1 << 18);
        QTest::newRow("this file's percentile, sampled window") << false << 500;
    }
    void savedModel()
    {
        QFETCH(bool, modelThreshold);
        QFETCH(int, sampleRows);
        const std::string training = m_dir.filePath("training.csv").toStdString();
        const std::string scored = m_dir.filePath("scored.csv").toStdString();
        QVERIFY(writeText(training, messyTraffic(3000, 11)));
        QVERIFY(writeText(scored, messyTraffic(5000, 12)));
        const Analysis trained = analyzeFile(training, {});
        auto model = std::make_shared<const DetectorModel>(makeModel(trained, fingerprintFile(training), "test"));

        StreamParams params;
        params.chunkBytes = 8192;
        params.sampleRows = static_cast<std::size_t>(sampleRows);
        params.analysis.model = model;
        params.analysis.modelThreshold = modelThreshold;
        params.analysis.contamination = Contamination::parse("0.03");
        params.analysis.topN = 10;
        params.out = m_dir.filePath(QString("model-streamed-%1-%2.csv").arg(modelThreshold).arg(sampleRows)).toStdString();
        const StreamResult streamed = analyzeStream(scored, params);
        const Analysis memory = analyzeFile(scored, params.analysis);
        QVERIFY(streamed.chunks > 20);
        QCOMPARE(streamed.rowsScored, memory.data->table.rowCount());
        QCOMPARE(streamed.threshold, memory.verdicts.threshold);
        QCOMPARE(streamed.suspiciousCount, memory.verdicts.suspiciousCount);
        if (modelThreshold) {
            QCOMPARE(streamed.threshold, model->threshold);
            QCOMPARE(streamed.passes, 3); // read and clean, one scoring pass, the output's pass
        }
        const auto& ranked = memory.detection->scores.rankedRows();
        QCOMPARE(streamed.mostAnomalous.size(), std::size_t(10));
        for (std::size_t i = 0; i < streamed.mostAnomalous.size(); ++i)
            QCOMPARE(streamed.mostAnomalous[i].score, memory.detection->scores.scores()[ranked[i]]);
        const std::string whole = m_dir.filePath("model-memory.csv").toStdString();
        writeScoredCsv(memory, whole);
        compareScoredCsv(whole, params.out);
        bool said = false;
        for (const std::string& note : streamed.notes)
            said = said || note.find("scored with the saved model") != std::string::npos;
        QVERIFY(said);
    }
};

QTEST_GUILESS_MAIN(TestStreamFormats)
#include "tst_streamformats.moc"

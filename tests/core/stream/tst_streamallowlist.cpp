// core/stream/streamallowlist with analyzeStream: an allow-list in streaming mode. On a file whose
// cleaned rows all fit in the sample, the in-memory run's threshold (set before suppression),
// suppressed count, per-rule counts, suspicious count and scored CSV (labels and the suppressed
// column); with a smaller sample, the counts agree with the scored CSV the run wrote, whichever
// pass found the threshold.
#include "core/stream/streamanalysis.h"

#include "core/output/export.h"
#include "core/stream/streamallowlist.h"
#include "streamtesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
std::size_t columnOf(const std::vector<std::string>& header, const std::string& name)
{
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

// Rules that suppress some suspicious rows and match normal ones too: the sources of the three most
// anomalous rows, the protocol of a row in the middle of the ranking (many rows on both sides of the
// threshold), one rule that matches nothing and one disabled.
std::vector<SuppressionRule> rulesFor(const Analysis& memory)
{
    const TrafficTable& table = memory.data->table;
    const auto& ranked = memory.detection->scores.rankedRows();
    std::vector<SuppressionRule> rules;
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string source(table.text(Field::SrcIp, ranked[i]));
        if (!source.empty())
            rules.push_back(parseRule("src_ip " + source));
    }
    rules.push_back(parseRule("protocol " + std::string(table.text(Field::Protocol, ranked[ranked.size() / 2]))));
    rules.push_back(parseRule("dst_port 65001"));
    SuppressionRule disabled = parseRule("dst_port 443");
    disabled.enabled = false;
    rules.push_back(disabled);
    return rules;
}
} // namespace

class TestStreamAllowList : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameAsInMemory_data()
    {
        QTest::addColumn<QString>("contamination");
        QTest::newRow("5 %") << "0.05";
        QTest::newRow("auto contamination (a fixed threshold)") << "auto";
    }
    void sameAsInMemory()
    {
        QFETCH(QString, contamination);
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(6000)));
        StreamParams params;
        params.chunkBytes = 8192;
        params.out = dir.filePath("streamed.csv").toStdString();
        params.analysis.contamination = Contamination::parse(contamination.toStdString());
        params.analysis.topN = 25;
        params.analysis.allowRules = rulesFor(analyzeFile(path, params.analysis));
        const Analysis memory = analyzeFile(path, params.analysis);
        const StreamResult streamed = analyzeStream(path, params);

        QVERIFY(streamed.sampleIsWholeFile);
        QVERIFY(streamed.chunks > 50);
        QVERIFY(memory.suppression);
        QVERIFY(streamed.suppression);
        QVERIFY(memory.verdicts.suppressedCount > 0);
        QCOMPARE(streamed.threshold, memory.verdicts.threshold);
        QCOMPARE(streamed.suppressedCount, memory.verdicts.suppressedCount);
        QCOMPARE(streamed.suspiciousCount, memory.verdicts.suspiciousCount);
        QCOMPARE(streamed.suppression->activeRules, memory.suppression->activeRules);
        QCOMPARE(streamed.suppression->matchedRows, memory.suppression->matchedRows);
        QVERIFY(streamed.suppression->matchedRows > streamed.suppressedCount); // normal rows matched too
        QCOMPARE(streamed.suppression->rowsPerRule, memory.suppression->rowsPerRule);
        QCOMPARE(streamed.suppression->rules.size(), memory.suppression->rules.size());
        QVERIFY(streamed.suppression->rows.empty());
        // The most anomalous rows listed: the in-memory ranking without the rows a rule matches.
        const auto& ranked = memory.detection->scores.rankedRows();
        std::vector<std::size_t> unmatched;
        for (std::size_t row : ranked) {
            if (!memory.suppression->rows[row])
                unmatched.push_back(row);
        }
        QCOMPARE(streamed.mostAnomalous.size(), std::size_t(25));
        for (std::size_t i = 0; i < streamed.mostAnomalous.size(); ++i)
            QCOMPARE(streamed.mostAnomalous[i].row, std::uint64_t(unmatched[i]));
        // The scored CSV: the same header (suppressed among it), labels and suppressed column.
        const std::string whole = dir.filePath("memory.csv").toStdString();
        writeScoredCsv(memory, whole);
        const auto a = csvRows(whole);
        const auto b = csvRows(params.out);
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b[0], a[0]);
        const std::size_t label = columnOf(a[0], "anomaly_label");
        const std::size_t suppressed = columnOf(a[0], "suppressed");
        QVERIFY(suppressed < a[0].size());
        std::size_t suppressedRows = 0;
        for (std::size_t r = 1; r < a.size(); ++r) {
            QCOMPARE(b[r][label], a[r][label]);
            QCOMPARE(b[r][suppressed], a[r][suppressed]);
            suppressedRows += b[r][suppressed] == "1";
        }
        QCOMPARE(suppressedRows, streamed.suppressedCount);
        // The text report says how many were suppressed.
        QVERIFY(streamResultText(streamed, 10).find("  and " + std::to_string(streamed.suppressedCount)
                                                    + " more below the threshold suppressed by the allow-list (5 rules)")
                != std::string::npos);
    }

    // A sample smaller than the file: the threshold is found in a window of scores (pass 2) or the
    // bins that hold it (pass 3); the suppressed count is that of the scored CSV the run wrote, and
    // the threshold is the unsuppressed scores' percentile.
    void sampledRun_data()
    {
        QTest::addColumn<int>("sampleRows");
        QTest::addColumn<QString>("contamination");
        QTest::newRow("1500 rows, 5 %") << 1500 << "0.05";
        QTest::newRow("300 rows, 20 %") << 300 << "0.2";
        QTest::newRow("40 rows, 1 %") << 40 << "0.01";
    }
    void sampledRun()
    {
        QFETCH(int, sampleRows);
        QFETCH(QString, contamination);
        QTemporaryDir dir;
        const std::string path = dir.filePath("traffic.csv").toStdString();
        QVERIFY(writeText(path, messyTraffic(8000)));
        StreamParams params;
        params.chunkBytes = 16384;
        params.sampleRows = static_cast<std::size_t>(sampleRows);
        params.analysis.contamination = Contamination::parse(contamination.toStdString());
        params.analysis.allowRules = rulesFor(analyzeFile(path, params.analysis));
        params.out = dir.filePath("streamed.csv").toStdString();
        const StreamResult streamed = analyzeStream(path, params);
        QVERIFY(!streamed.sampleIsWholeFile);
        const auto rows = csvRows(params.out);
        const std::size_t score = columnOf(rows[0], "anomaly_score");
        const std::size_t label = columnOf(rows[0], "anomaly_label");
        const std::size_t suppressed = columnOf(rows[0], "suppressed");
        QVERIFY(suppressed < rows[0].size());
        std::vector<double> scores;
        std::size_t suppressedRows = 0, suspiciousRows = 0;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            scores.push_back(std::stod(rows[r][score]));
            suppressedRows += rows[r][suppressed] == "1";
            suspiciousRows += rows[r][label] == "Suspicious";
            QVERIFY(!(rows[r][suppressed] == "1" && rows[r][label] == "Suspicious"));
        }
        const ScoreIndex index(scores);
        QCOMPARE(streamed.threshold, index.thresholdFor(params.analysis.contamination));
        QVERIFY(suppressedRows > 0);
        QCOMPARE(streamed.suppressedCount, suppressedRows);
        QCOMPARE(streamed.suspiciousCount, suspiciousRows);
        QCOMPARE(streamed.suspiciousCount + streamed.suppressedCount, index.countBelow(streamed.threshold));
    }

    // The window's bookkeeping on its own: rows placed below it count, rows in it are kept and
    // compared with the threshold, rows above it never count; pass 3 starts again.
    void windowCounts()
    {
        TrafficTable table;
        for (Column& column : table.columns)
            column.resize(4);
        table.sourceLines = {2, 3, 4, 5};
        for (std::size_t row = 0; row < 4; ++row)
            table.column(Field::SrcIp).text[row] = table.strings->intern(row % 2 ? "10.0.0.1" : "10.0.0.2");
        StreamedAllowList allow({parseRule("src_ip 10.0.0.1")});
        const std::vector<double> scores{-0.9, -0.8, -0.6, -0.4};
        const auto& matched = allow.match(table, true);
        QCOMPARE(matched, (std::vector<std::uint8_t>{0, 1, 0, 1}));
        allow.place(scores, [](double s) { return s < -0.7 ? -1 : s <= -0.3 ? 0 : 1; });
        QCOMPARE(allow.suppressedAt(-0.5), std::size_t(1)); // -0.8 below the window; -0.4 is above -0.5
        QCOMPARE(allow.suppressedAt(-0.35), std::size_t(2));
        QCOMPARE(allow.totals()->matchedRows, std::size_t(2));
        QCOMPARE(allow.totals()->rowsPerRule, std::vector<std::size_t>{2});
        allow.restartWindow();
        allow.match(table, false); // pass 3: the rows are not counted again
        allow.place(scores, [](double) { return 1; });
        QCOMPARE(allow.suppressedAt(0.0), std::size_t(0));
        QCOMPARE(allow.totals()->matchedRows, std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestStreamAllowList)
#include "tst_streamallowlist.moc"

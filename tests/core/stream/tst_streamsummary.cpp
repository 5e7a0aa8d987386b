// StreamSummary (core/stream/streamsummary.h): fed by analyzeStream's pass 2, its per-source
// totals and timeline are the whole file's even when the sample holds a small part of it, it keeps
// the most anomalous rows up to its cap, and its sample is the size asked for.
#include "core/stream/streamsummary.h"

#include "core/analysis/aggregates.h"
#include "core/pipeline.h"
#include "core/stream/streamanalysis.h"
#include "core/triage/suppression.h"
#include "streamtesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>

using namespace webthreat;

class TestStreamSummary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("traffic.csv")).toStdString();
        QVERIFY(testing::writeText(m_path, testing::messyTraffic(4000, 11)));
    }

    void wholeFileFiguresFromASmallSample()
    {
        StreamParams params;
        params.chunkBytes = 64 * 1024; // several chunks
        params.sampleRows = 300; // the forest's sample: a small part of the file
        StreamSummaryParams summaryParams;
        summaryParams.suspiciousRows = 25;
        summaryParams.sampleRows = 200;
        StreamSummary summary(summaryParams);
        params.onScored = [&summary](const TrafficTable& table, const std::vector<double>& scores, std::uint64_t first,
                                 const std::vector<std::uint8_t>* allowed) {
            summary.add(table, scores, first, allowed);
        };
        const StreamResult streamed = analyzeStream(m_path, params);
        QVERIFY(streamed.chunks > 1);
        const StreamView view = summary.finish(streamed.threshold, streamed.suspiciousCount);

        const auto data = prepareData(m_path);
        const auto aggregates = aggregateTraffic(data->table);
        QCOMPARE(view.rowsScored, std::uint64_t(data->table.rowCount()));
        std::map<std::string, std::uint64_t> expected, got;
        for (const EntityStats& entity : aggregates->entities.entities)
            expected[std::string(data->table.strings->view(entity.srcIp))] = entity.sessions;
        for (const StreamSource& source : view.sources)
            got[source.srcIp] = source.sessions;
        QCOMPARE(got, expected);
        QCOMPARE(view.timeline.sessions, aggregates->timeline.sessions);
        QCOMPARE(view.timeline.bytes, aggregates->timeline.bytes);
        QCOMPARE(view.timeline.start, aggregates->timeline.start);
        QCOMPARE(view.timeline.width.micros, aggregates->timeline.width.micros);
        QVERIFY(view.timelineExact);

        // More suspicious rows than the cap: the 25 most anomalous, in order, and it says so.
        QVERIFY(streamed.suspiciousCount > 25);
        QVERIFY(!view.suspiciousComplete);
        QCOMPARE(view.suspiciousShown, std::size_t(25));
        QVERIFY(std::is_sorted(view.scores.begin(), view.scores.begin() + 25));
        QCOMPARE(view.scores.front(), streamed.minScore);
        QVERIFY(view.scores[24] < streamed.threshold);
        // The sample: 200 rows, less any that are among the suspicious ones shown.
        QVERIFY(view.sampleShown <= 200 && view.sampleShown >= 175);
        QCOMPARE(view.table.rowCount(), view.suspiciousShown + view.sampleShown);
        QCOMPARE(view.scores.size(), view.table.rowCount());
        std::uint64_t binned = 0;
        for (std::uint64_t count : view.scoreBins)
            binned += count;
        QCOMPARE(binned, view.rowsScored);
    }

    // With an allow-list the suspicious rows kept leave out every row a rule matches (analyzeStream
    // hands each chunk's match to onScored): the cap is filled with the most anomalous other rows.
    void allowedRowsAreNotKeptAsSuspicious()
    {
        const auto keep = [&](const std::vector<SuppressionRule>& rules, StreamResult& streamed) {
            StreamParams params;
            params.chunkBytes = 64 * 1024;
            params.sampleRows = 300;
            params.analysis.allowRules = rules;
            StreamSummaryParams summaryParams;
            summaryParams.suspiciousRows = 25;
            summaryParams.sampleRows = 200;
            StreamSummary summary(summaryParams);
            params.onScored = [&summary](const TrafficTable& table, const std::vector<double>& scores,
                                         std::uint64_t first, const std::vector<std::uint8_t>* allowed) {
                summary.add(table, scores, first, allowed);
            };
            streamed = analyzeStream(m_path, params);
            return summary.finish(streamed.threshold, streamed.suspiciousCount);
        };
        StreamResult plain, allowed;
        const StreamView before = keep({}, plain);
        QVERIFY(before.suspiciousShown > 0);
        const std::string source(before.table.text(Field::SrcIp, 0)); // the most anomalous row's
        const StreamView after = keep({parseRule("src_ip " + source)}, allowed);
        QVERIFY(allowed.suppressedCount > 0);
        QCOMPARE(allowed.suspiciousCount + allowed.suppressedCount, plain.suspiciousCount);
        QCOMPARE(after.suspiciousShown, std::min<std::size_t>(25, allowed.suspiciousCount));
        QVERIFY(std::is_sorted(after.scores.begin(), after.scores.begin() + 25));
        for (std::size_t row = 0; row < after.suspiciousShown; ++row)
            QVERIFY(after.table.text(Field::SrcIp, row) != source);
        // The unmatched rows kept before are kept again, in the same order.
        std::vector<double> expected;
        for (std::size_t row = 0; row < before.suspiciousShown; ++row) {
            if (before.table.text(Field::SrcIp, row) != source)
                expected.push_back(before.scores[row]);
        }
        QVERIFY(!expected.empty());
        QCOMPARE(std::vector<double>(after.scores.begin(), after.scores.begin() + std::ptrdiff_t(expected.size())), expected);
        // A match of another size is refused.
        StreamSummary summary;
        const std::vector<std::uint8_t> wrong(3, 0);
        QVERIFY_THROWS_EXCEPTION(ParameterError, summary.add(after.table, after.scores, 0, &wrong));
    }

    void badParameters()
    {
        StreamSummaryParams params;
        params.suspiciousRows = 0;
        QVERIFY_THROWS_EXCEPTION(ParameterError, StreamSummary{params});
    }

private:
    QTemporaryDir m_dir;
    std::string m_path;
};

QTEST_MAIN(TestStreamSummary)
#include "tst_streamsummary.moc"

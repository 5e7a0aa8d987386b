#include "core/detect/threshold.h"

#include "core/util/errors.h"

#include <QTest>

#include <algorithm>
#include <numeric>
#include <random>

using namespace webthreat;

class TestThreshold : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void percentileMatchesNumpy_data()
    {
        QTest::addColumn<double>("contamination");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<int>("suspicious");
        // scores -1.0 .. -0.1 in 0.1 steps (10 values). numpy.percentile(scores, 100*c):
        // c=0.05 -> index 0.45 -> -1.0 + 0.45*0.1 = -0.955; c=0.5 -> index 4.5 -> -0.55.
        QTest::newRow("5%") << 0.05 << -0.955 << 1;
        QTest::newRow("10%") << 0.10 << -0.91 << 1;
        QTest::newRow("25%") << 0.25 << -0.775 << 3;
        QTest::newRow("50%") << 0.5 << -0.55 << 5;
    }

    void percentileMatchesNumpy()
    {
        QFETCH(double, contamination);
        QFETCH(double, threshold);
        QFETCH(int, suspicious);
        std::vector<double> scores;
        for (int i = 10; i >= 1; --i)
            scores.push_back(-0.1 * i); // deliberately descending: the index sorts
        std::reverse(scores.begin() + 3, scores.end());
        const ScoreIndex index(scores);
        QVERIFY(qAbs(index.thresholdFor(Contamination::fromValue(contamination)) - threshold) < 1e-12);
        const Verdicts verdicts = applyThreshold(index, Contamination::fromValue(contamination));
        QCOMPARE(verdicts.suspiciousCount, std::size_t(suspicious));
        std::size_t flagged = 0;
        for (std::size_t row = 0; row < scores.size(); ++row) {
            QCOMPARE(verdicts.isSuspicious(row), scores[row] < verdicts.threshold);
            flagged += verdicts.isSuspicious(row);
        }
        QCOMPARE(flagged, std::size_t(suspicious));
    }

    void autoIsFixedOffset()
    {
        const ScoreIndex index({-0.7, -0.6, -0.5, -0.4});
        const Verdicts verdicts = applyThreshold(index, Contamination::autoOffset());
        QCOMPARE(verdicts.threshold, -0.5);
        QCOMPARE(verdicts.suspiciousCount, std::size_t(2)); // -0.5 itself is not below -0.5
    }

    void rankedRowsMostAnomalousFirst()
    {
        const ScoreIndex index({-0.4, -0.9, -0.4, -0.6});
        QCOMPARE(index.rankedRows(), (std::vector<std::uint32_t>{1, 3, 0, 2}));
        QCOMPARE(index.countBelow(-0.5), std::size_t(2));
    }

    // The bucketed ranking must equal a plain sort by (score, row) whatever the scores look like:
    // ties, one value, two far-apart clusters (most buckets empty), a heavy tail, negative zero.
    void rankingEqualsFullSort_data()
    {
        QTest::addColumn<int>("shape");
        QTest::addColumn<int>("rows");
        QTest::newRow("uniform") << 0 << 5000;
        QTest::newRow("all equal") << 1 << 3000;
        QTest::newRow("few distinct values") << 2 << 4000;
        QTest::newRow("two clusters far apart") << 3 << 4000;
        QTest::newRow("heavy tail") << 4 << 6000;
        QTest::newRow("signed zeros") << 5 << 100;
        QTest::newRow("one row") << 0 << 1;
        QTest::newRow("two rows") << 1 << 2;
    }

    void rankingEqualsFullSort()
    {
        QFETCH(int, shape);
        QFETCH(int, rows);
        std::mt19937_64 random(1234 + static_cast<unsigned>(shape));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::vector<double> scores(static_cast<std::size_t>(rows));
        for (std::size_t i = 0; i < scores.size(); ++i) {
            const double u = unit(random);
            switch (shape) {
            case 0:
                scores[i] = -u;
                break;
            case 1:
                scores[i] = -0.5;
                break;
            case 2:
                scores[i] = -0.1 * std::floor(u * 7.0);
                break;
            case 3:
                scores[i] = u < 0.5 ? -0.9 + u * 1e-9 : -0.1 - u * 1e-9;
                break;
            case 4:
                scores[i] = -std::pow(u, 12.0);
                break;
            case 5:
                scores[i] = i % 2 ? 0.0 : -0.0;
                break;
            }
        }
        std::vector<std::uint32_t> expected(scores.size());
        std::iota(expected.begin(), expected.end(), 0u);
        std::sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) {
            return scores[a] < scores[b] || (scores[a] == scores[b] && a < b);
        });
        const ScoreIndex index(scores);
        QCOMPARE(index.rankedRows(), expected);
        QCOMPARE(index.minimum(), scores[expected.front()]);
        QCOMPARE(index.maximum(), scores[expected.back()]);
        for (std::size_t k = 0; k < expected.size(); ++k)
            QCOMPARE(index.sortedScore(k), scores[expected[k]]);
        const double threshold = index.thresholdFor(Contamination::fromValue(0.05));
        QCOMPARE(index.countBelow(threshold),
                 static_cast<std::size_t>(
                     std::count_if(scores.begin(), scores.end(), [&](double s) { return s < threshold; })));
    }

    void medianOfScores()
    {
        QCOMPARE(ScoreIndex({-0.4, -0.9, -0.2}).median(), -0.4);
        QCOMPARE(ScoreIndex({-0.4, -0.9, -0.2, -0.8}).median(), -0.6);
        QCOMPARE(ScoreIndex().median(), 0.0);
    }

    void retresholdNeedsNoRefit()
    {
        // The same index answers any contamination: counts grow with it.
        std::vector<double> scores;
        for (int i = 0; i < 1000; ++i)
            scores.push_back(-0.3 - 0.0004 * ((i * 7919) % 1000));
        const ScoreIndex index(std::move(scores));
        std::size_t previous = 0;
        for (double c : {0.001, 0.01, 0.05, 0.1, 0.2, 0.5}) {
            const std::size_t count = applyThreshold(index, Contamination::fromValue(c)).suspiciousCount;
            QVERIFY(count >= previous);
            QVERIFY(qAbs(double(count) - c * 1000) <= 1.0);
            previous = count;
        }
    }

    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<double>("value");
        QTest::newRow("share") << "0.05" << true << 0.05;
        QTest::newRow("percent") << "5%" << true << 0.05;
        QTest::newRow("half") << "0.5" << true << 0.5;
        QTest::newRow("auto") << "auto" << true << 0.0;
        QTest::newRow("zero") << "0" << false << 0.0;
        QTest::newRow("too big") << "0.6" << false << 0.0;
        QTest::newRow("negative") << "-0.1" << false << 0.0;
        QTest::newRow("word") << "lots" << false << 0.0;
        QTest::newRow("empty") << "" << false << 0.0;
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(double, value);
        if (!valid) {
            QVERIFY_THROWS_EXCEPTION(ParameterError, Contamination::parse(text.toStdString()));
            return;
        }
        const Contamination c = Contamination::parse(text.toStdString());
        if (text == "auto")
            QVERIFY(c.automatic);
        else
            QCOMPARE(c.value, value);
    }
};

QTEST_GUILESS_MAIN(TestThreshold)
#include "tst_threshold.moc"

#include "core/behaviour/beacons.h"
#include "core/behaviour/behaviour.h"
#include "core/util/errors.h"
#include "core/util/random.h"
#include "tests/core/behaviour/behaviourdata.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

using namespace webthreat;
using namespace webthreat::testdata;

namespace {

std::string text(const TrafficTable& table, std::uint32_t id)
{
    return std::string(table.strings->view(id));
}

// Independent requests: exponential gaps with a mean of `mean` seconds (a fixed seed).
std::vector<Session> randomTiming(std::size_t count, double mean, const std::string& src, std::uint64_t seed)
{
    Xoshiro256 random(seed);
    std::vector<Session> sessions;
    double at = 0;
    for (std::size_t i = 0; i < count; ++i) {
        Session s;
        s.start = kBase + static_cast<std::int64_t>(at);
        s.src = src;
        sessions.push_back(s);
        at += -mean * std::log(random.open01());
    }
    return sessions;
}

} // namespace

class TestBeacons : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void perfectBeaconScoresOne()
    {
        const TrafficTable table = tableOf(periodic(30, 60));
        const BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.pairs.size(), std::size_t(1));
        const BeaconPair& pair = result.pairs[0];
        QCOMPARE(text(table, pair.srcIp), std::string("1.1.1.1"));
        QCOMPARE(text(table, pair.dstIp), std::string("10.0.0.1"));
        QCOMPARE(pair.dstPort, std::int64_t(443));
        QCOMPARE(pair.sessions, std::size_t(30));
        QCOMPARE(pair.medianIntervalSeconds, 60.0);
        QCOMPARE(pair.intervalMadSeconds, 0.0);
        QCOMPARE(pair.missedBeats, std::size_t(0));
        QCOMPARE(pair.medianBytes, 800.0);
        QCOMPARE(pair.parts.timing, 1.0);
        QCOMPARE(pair.parts.sizes, 1.0);
        QCOMPARE(pair.parts.coverage, 1.0);
        QCOMPARE(pair.score, 1.0);
        QCOMPARE(pair.spanShare, 1.0);
        QCOMPARE(pair.firstSeen, kBase * kMicrosPerSecond);
        QCOMPARE(pair.lastSeen, (kBase + 29 * 60) * kMicrosPerSecond);
        QCOMPARE(beaconSentence(pair), std::string("this pair repeats every 60 s ±0 s"));
        // Its rows, in time order, and every row's score.
        const auto rows = result.rowsOf(pair);
        QCOMPARE(rows.size(), std::size_t(30));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i], std::uint32_t(i));
            QCOMPARE(result.scoreOfRow(i), 1.0);
        }
    }

    void rowsAreOrderedByTime()
    {
        auto sessions = periodic(12, 60);
        std::reverse(sessions.begin(), sessions.end());
        const TrafficTable table = tableOf(sessions);
        const BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.pairs.size(), std::size_t(1));
        const auto rows = result.rowsOf(result.pairs[0]);
        for (std::size_t i = 0; i < rows.size(); ++i)
            QCOMPARE(rows[i], std::uint32_t(11 - i));
        QCOMPARE(result.pairs[0].score, 1.0);
    }

    void twoMissedBeatsStayHigh()
    {
        auto sessions = periodic(30, 60);
        sessions.erase(sessions.begin() + 20);
        sessions.erase(sessions.begin() + 10);
        const BeaconResult result = scoreBeacons(tableOf(sessions));
        QCOMPARE(result.pairs.size(), std::size_t(1));
        const BeaconPair& pair = result.pairs[0];
        QCOMPARE(pair.sessions, std::size_t(28));
        QCOMPARE(pair.missedBeats, std::size_t(2));
        QCOMPARE(pair.medianIntervalSeconds, 60.0);
        QCOMPARE(pair.parts.timing, 1.0);
        // 28 of the 30 beats its span holds.
        QCOMPARE(pair.parts.coverage, 28.0 / 30.0);
        QVERIFY2(pair.score >= 0.95, std::to_string(pair.score).c_str());
        QCOMPARE(beaconSentence(pair), std::string("this pair repeats every 60 s ±0 s with 2 beats missed"));
    }

    void manyMissedBeatsCost()
    {
        // A 60 s beacon that keeps three beats of every five: 24 sessions over 40 beats.
        std::vector<Session> sessions;
        for (int beat = 0; beat < 40; ++beat)
            if (beat % 5 < 3)
                sessions.push_back(periodic(1, 60, "1.1.1.1", beat * 60)[0]);
        const BeaconPair pair = scoreBeacons(tableOf(sessions)).pairs[0];
        QCOMPARE(pair.sessions, std::size_t(24));
        QCOMPARE(pair.medianIntervalSeconds, 60.0);
        QCOMPARE(pair.missedBeats, std::size_t(14)); // 7 gaps of 180 s, two beats missed in each
        // 14 missed of 37 beats: 0.38, 0.28 past the allowance.
        QVERIFY(std::abs(pair.parts.timing - (1.0 - (14.0 / 37.0 - 0.1))) < 1e-12);
        QVERIFY(pair.score < 0.9);
    }

    void jitterLowersTimingALittle()
    {
        // 60 s ± 2 s: gaps of 58 and 62 in turn.
        std::vector<Session> sessions;
        std::int64_t at = kBase;
        for (int i = 0; i < 41; ++i) {
            Session s;
            s.start = at;
            sessions.push_back(s);
            at += i % 2 ? 62 : 58;
        }
        const BeaconResult result = scoreBeacons(tableOf(sessions));
        const BeaconPair& pair = result.pairs[0];
        QCOMPARE(pair.medianIntervalSeconds, 60.0);
        QCOMPARE(pair.intervalMadSeconds, 2.0);
        // 0.8 x (1 - (2/60)/0.2) + 0.2 x (1 - |skew|), the skew 0 for a symmetric spread.
        QVERIFY(std::abs(pair.parts.timing - (0.8 * (1.0 - 2.0 / 60.0 / 0.2) + 0.2)) < 1e-12);
        QVERIFY(pair.score > 0.9);
        QCOMPARE(beaconSentence(pair), std::string("this pair repeats every 60 s ±2 s"));
    }

    void randomTimingScoresLow()
    {
        // Same sizes as a perfect beacon: only the timing differs.
        for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
            const BeaconResult result = scoreBeacons(tableOf(randomTiming(200, 120.0, "2.2.2.2", seed)));
            QCOMPARE(result.pairs.size(), std::size_t(1));
            const BeaconPair& pair = result.pairs[0];
            QVERIFY2(pair.parts.timing <= 0.3, std::to_string(pair.parts.timing).c_str());
            QVERIFY2(pair.score <= 0.65, std::to_string(pair.score).c_str());
        }
        // Against a beacon in the same table, the beacon ranks first.
        auto sessions = randomTiming(200, 120.0, "2.2.2.2", 9);
        for (const Session& s : periodic(50, 300, "3.3.3.3"))
            sessions.push_back(s);
        const TrafficTable table = tableOf(sessions);
        const BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.pairs.size(), std::size_t(2));
        QCOMPARE(text(table, result.pairs[0].srcIp), std::string("3.3.3.3"));
        QVERIFY(result.pairs[0].score > result.pairs[1].score + 0.3);
    }

    void pairsUnderTheMinimumAreExcluded()
    {
        auto sessions = periodic(9, 60, "4.4.4.4");
        for (const Session& s : periodic(10, 60, "5.5.5.5"))
            sessions.push_back(s);
        const TrafficTable table = tableOf(sessions);
        BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.pairsSeen, std::size_t(2));
        QCOMPARE(result.pairs.size(), std::size_t(1));
        QCOMPARE(text(table, result.pairs[0].srcIp), std::string("5.5.5.5"));
        for (std::size_t row = 0; row < 9; ++row) {
            QCOMPARE(result.pairOfRow[row], BeaconResult::kNoPair);
            QCOMPARE(result.scoreOfRow(row), 0.0);
        }
        QCOMPARE(result.scoreOfRow(9), 1.0);

        BeaconParams params;
        params.minSessions = 5;
        result = scoreBeacons(table, params);
        QCOMPARE(result.pairs.size(), std::size_t(2));
    }

    void sizeDispersionLowersTheScore()
    {
        auto steady = periodic(40, 60);
        auto varied = periodic(40, 60);
        Xoshiro256 random(3);
        for (Session& s : varied) {
            s.bytesIn = 100 + static_cast<std::int64_t>(random.belowFast(20000));
            s.bytesOut = 0;
        }
        const BeaconPair a = scoreBeacons(tableOf(steady)).pairs[0];
        const BeaconPair b = scoreBeacons(tableOf(varied)).pairs[0];
        QCOMPARE(a.parts.timing, b.parts.timing);
        QCOMPARE(a.parts.sizes, 1.0);
        QVERIFY2(b.parts.sizes <= 0.25, std::to_string(b.parts.sizes).c_str());
        QVERIFY(b.score < a.score - 0.15);
        // Sizes within 10 %: still regular.
        auto close = periodic(40, 60);
        for (std::size_t i = 0; i < close.size(); ++i)
            close[i].bytesIn = 300 + static_cast<std::int64_t>(i % 5) * 15;
        const BeaconPair c = scoreBeacons(tableOf(close)).pairs[0];
        QVERIFY2(c.parts.sizes >= 0.85, std::to_string(c.parts.sizes).c_str());
    }

    void portsAndDestinationsMakeSeparatePairs()
    {
        auto sessions = periodic(12, 60);
        for (Session s : periodic(12, 60)) {
            s.port = "8443";
            sessions.push_back(s);
        }
        for (Session s : periodic(12, 60)) {
            s.port = "";
            sessions.push_back(s);
        }
        for (Session s : periodic(12, 60)) {
            s.dst = "10.0.0.2";
            sessions.push_back(s);
        }
        const TrafficTable table = tableOf(sessions);
        const BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.pairs.size(), std::size_t(4));
        std::set<std::int64_t> ports;
        for (const BeaconPair& pair : result.pairs)
            ports.insert(pair.dstPort);
        QVERIFY(ports.count(kMissingInteger) == 1);
        QVERIFY(ports.count(8443) == 1);
    }

    void floodIsNotABeacon()
    {
        // A session every second: under minMedianIntervalSeconds, so no timing part.
        const BeaconResult result = scoreBeacons(tableOf(periodic(100, 1)));
        QCOMPARE(result.pairs[0].parts.timing, 0.0);
        QVERIFY(result.pairs[0].score <= 0.5);
    }

    void rowsWithoutSourceOrTime()
    {
        const std::string csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port\n"
                                "1,1,2024-04-25T10:00:00Z,,,10.0.0.1,443\n"
                                "1,1,,,1.1.1.1,10.0.0.1,443\n"
                                "1,1,2024-04-25T10:00:00Z,,1.1.1.1,10.0.0.1,443\n";
        const TrafficTable table = readTrafficCsvText(csv, "t.csv").table;
        const BeaconResult result = scoreBeacons(table);
        QCOMPARE(result.rowsWithoutSourceOrTime, std::size_t(2));
        QCOMPARE(result.pairsSeen, std::size_t(1));
        QVERIFY(result.pairs.empty());
    }

    // Enough rows for several row ranges in the grouping (64 Ki rows) and several tasks (16 Ki).
    void sameResultAtAnyThreadCount()
    {
        std::vector<Session> sessions;
        for (int source = 0; source < 3000; ++source) {
            const std::string src = "9." + std::to_string(source / 250) + ".0." + std::to_string(source % 250);
            for (const Session& s : randomTiming(24, 100.0 + source, src, 100 + source))
                sessions.push_back(s);
        }
        std::reverse(sessions.begin(), sessions.end()); // rows not in time order
        const TrafficTable table = tableOf(sessions);
        QCOMPARE(table.rowCount(), std::size_t(72000));
        BehaviourParams one;
        one.beacons.threads = one.fanOut.threads = 1;
        BehaviourParams four;
        four.beacons.threads = four.fanOut.threads = 4;
        const BehaviourResult a = analyzeBehaviour(table, one);
        const BehaviourResult b = analyzeBehaviour(table, four);
        const BeaconResult c = scoreBeacons(table, four.beacons);
        QCOMPARE(a.beacons.pairs.size(), std::size_t(3000));
        QCOMPARE(a.beacons.pairRows, b.beacons.pairRows);
        QCOMPARE(a.beacons.pairRows, c.pairRows);
        QCOMPARE(a.beacons.pairOfRow, b.beacons.pairOfRow);
        for (std::size_t i = 0; i < a.beacons.pairs.size(); ++i) {
            QCOMPARE(a.beacons.pairs[i].score, b.beacons.pairs[i].score);
            QCOMPARE(a.beacons.pairs[i].srcIp, c.pairs[i].srcIp);
        }
        for (std::size_t i = 1; i < a.beacons.pairs.size(); ++i)
            QVERIFY(a.beacons.pairs[i - 1].score >= a.beacons.pairs[i].score);
        // Each pair's rows in time order.
        for (const BeaconPair& pair : a.beacons.pairs) {
            const auto rows = a.beacons.rowsOf(pair);
            for (std::size_t i = 1; i < rows.size(); ++i)
                QVERIFY(table.column(Field::CreationTime).integers[rows[i - 1]]
                        <= table.column(Field::CreationTime).integers[rows[i]]);
        }
        QCOMPARE(a.fanOut.windowOfRow, b.fanOut.windowOfRow);
        QCOMPARE(a.fanOut.windows.size(), b.fanOut.windows.size());
        QCOMPARE(a.fanOut.sources.size(), std::size_t(3000));
        for (std::size_t i = 0; i < a.fanOut.sources.size(); ++i) {
            QCOMPARE(a.fanOut.sources[i].srcIp, b.fanOut.sources[i].srcIp);
            QCOMPARE(a.fanOut.sources[i].medianWindowSessions, b.fanOut.sources[i].medianWindowSessions);
        }
        std::size_t sessionsInWindows = 0;
        for (const SourceActivity& source : a.fanOut.sources)
            sessionsInWindows += source.sessions;
        QCOMPARE(sessionsInWindows, std::size_t(72000));
        for (std::size_t row = 0; row < table.rowCount(); ++row)
            QCOMPARE(a.fanOut.rowWindow(row).srcIp, table.column(Field::SrcIp).text[row]);
    }

    void validate_data()
    {
        QTest::addColumn<int>("which");
        for (int i = 0; i < 8; ++i)
            QTest::newRow(std::to_string(i).c_str()) << i;
    }
    void validate()
    {
        QFETCH(int, which);
        BeaconParams params;
        switch (which) {
        case 0: params.minSessions = 2; break;
        case 1: params.minMedianIntervalSeconds = -1; break;
        case 2: params.intervalTolerance = 0; break;
        case 3: params.sizeTolerance = std::nan(""); break;
        case 4: params.maxBeatsPerGap = 0; break;
        case 5: params.timingWeight = params.sizeWeight = params.coverageWeight = 0; break;
        case 6: params.missedBeatsAllowance = 1.5; break;
        default: params.threads = -1; break;
        }
        QVERIFY_THROWS_EXCEPTION(ParameterError, scoreBeacons(TrafficTable(), params));
    }

    void cancelled()
    {
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, scoreBeacons(tableOf(periodic(20, 60)), {}, Progress({}, &cancel)));
    }
};

QTEST_GUILESS_MAIN(TestBeacons)
#include "tst_beacons.moc"

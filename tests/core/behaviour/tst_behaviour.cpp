#include "core/behaviour/behaviour.h"
#include "core/util/errors.h"
#include "tests/core/behaviour/behaviourdata.h"

#include <QTest>

#include <cstdint>
#include <limits>

using namespace webthreat;
using namespace webthreat::testdata;

class TestBehaviour : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowFeaturesOnASmallTable()
    {
        // Rows 0-11: a perfect 60 s beacon from 1.1.1.1. Rows 12-36: 2.2.2.2 touches 25 ports in
        // one window. Rows 37-39: 3.3.3.3, three sessions (under the beacon minimum).
        std::vector<Session> sessions = periodic(12, 60);
        for (int port = 1; port <= 25; ++port) {
            Session s;
            s.start = kBase + 600 + port;
            s.src = "2.2.2.2";
            s.port = std::to_string(port);
            sessions.push_back(s);
        }
        for (const Session& s : periodic(3, 600, "3.3.3.3"))
            sessions.push_back(s);
        const TrafficTable table = tableOf(sessions);
        const BehaviourResult behaviour = analyzeBehaviour(table);
        const BehaviourRowFeatures features = behaviourRowFeatures(behaviour, table.rowCount());
        QCOMPARE(features.beaconScore.size(), std::size_t(40));
        for (std::size_t row = 0; row < 40; ++row) {
            const bool beacon = row < 12;
            const bool scan = row >= 12 && row < 37;
            // The scanner's sessions are 25 pairs of one session each: none scored.
            QCOMPARE(features.beaconScore[row], beacon ? 1.0 : 0.0);
            QCOMPARE(features.fanOut[row], scan ? 25.0 : 1.0);
        }
        // The beacon's windows: 12 sessions at 60 s over 5-minute windows: 5, 5, 2 -> median 5.
        QCOMPARE(features.volumeRatio[0], 1.0);
        QCOMPARE(features.volumeRatio[11], 2.0 / 5.0);
        QCOMPARE(features.volumeRatio[12], 1.0); // the scanner's one window is its own baseline
        QCOMPARE(features.volumeRatio[37], 1.0);

        QCOMPARE(rowBehaviourSentences(behaviour, 0), std::vector<std::string>{"this pair repeats every 60 s ±0 s"});
        QCOMPARE(rowBehaviourSentences(behaviour, 12),
                 std::vector<std::string>{"this source contacted 25 ports in 5 minutes"});
        QVERIFY(rowBehaviourSentences(behaviour, 37).empty());
        QVERIFY(rowBehaviourSentences(behaviour, 400).empty());
    }

    // The grouping holds a session's port and bytes in 32 bits each; a value past that range
    // must read back exactly (from its column), not wrap onto another value.
    void valuesPastThe32BitRecordStayExact()
    {
        // Rows 0-11: 1.1.1.1 to 10.0.0.1, every 60 s, port 2^32 + 443 (443 if it wrapped) and
        // 3 + 1.5 GB a session; rows 12-23: the same pair on port 443, 30 s later each, 800 bytes.
        std::vector<Session> sessions = periodic(12, 60);
        for (Session& s : sessions) {
            s.bytesIn = 3'000'000'000;
            s.bytesOut = 1'500'000'000;
        }
        for (const Session& s : periodic(12, 60, "1.1.1.1", 30))
            sessions.push_back(s);
        // Row 24: 3.3.3.3, one session on port INT32_MIN (not "missing"), 2^31 bytes exactly.
        Session low;
        low.start = kBase;
        low.src = "3.3.3.3";
        low.bytesIn = std::int64_t(1) << 31;
        low.bytesOut = 0;
        sessions.push_back(low);
        // Row 25: 4.4.4.4, one session whose bytes in are negative (-1000 + 500 out).
        Session negative = low;
        negative.src = "4.4.4.4";
        negative.bytesIn = 0;
        negative.bytesOut = 500;
        sessions.push_back(negative);
        TrafficTable table = tableOf(sessions);
        constexpr std::int64_t widePort = (std::int64_t(1) << 32) + 443;
        Cells<std::int64_t>& ports = table.column(Field::DstPort).integers;
        for (std::size_t row = 0; row < 12; ++row)
            ports[row] = widePort;
        ports[24] = std::numeric_limits<std::int32_t>::min();
        table.column(Field::BytesIn).integers[25] = -1000;

        const BehaviourResult behaviour = analyzeBehaviour(table);
        const BeaconResult& beacons = behaviour.beacons;
        QCOMPARE(beacons.pairs.size(), std::size_t(2));
        const BeaconPair& wide = beacons.pairs[0].dstPort == widePort ? beacons.pairs[0] : beacons.pairs[1];
        const BeaconPair& narrow = &wide == &beacons.pairs[0] ? beacons.pairs[1] : beacons.pairs[0];
        QCOMPARE(wide.dstPort, widePort);
        QCOMPARE(wide.sessions, std::size_t(12));
        QCOMPARE(wide.medianBytes, 4.5e9);
        QCOMPARE(narrow.dstPort, std::int64_t(443));
        QCOMPARE(narrow.sessions, std::size_t(12));
        QCOMPARE(narrow.medianBytes, 800.0);
        for (std::size_t row = 0; row < 24; ++row)
            QCOMPARE(beacons.pairs[beacons.pairOfRow[row]].dstPort, row < 12 ? widePort : std::int64_t(443));

        const FanOutResult& fanOut = behaviour.fanOut;
        // 1.1.1.1's first window (00:00-00:05) holds 5 sessions on each port: two ports, one host.
        const SourceWindow first = fanOut.rowWindow(0);
        QCOMPARE(first.sessions, std::uint32_t(10));
        QCOMPARE(first.distinctPorts, std::uint32_t(2));
        QCOMPARE(first.distinctHosts, std::uint32_t(1));
        QCOMPARE(first.bytes, 5 * 4.5e9 + 5 * 800.0);
        const SourceWindow& lowWindow = fanOut.windows[fanOut.windowOfRow[24]]; // its source's only window: held
        QCOMPARE(lowWindow.sessions, std::uint32_t(1));
        QCOMPARE(lowWindow.distinctPorts, std::uint32_t(1));
        QCOMPARE(lowWindow.bytes, 2147483648.0);
        const SourceWindow& negativeWindow = fanOut.windows[fanOut.windowOfRow[25]];
        QCOMPARE(negativeWindow.bytes, 0.0); // -500 in all: no bytes counted
    }

    void burstSentence()
    {
        std::vector<Session> sessions = periodic(10, 300, "8.8.8.8");
        for (int i = 0; i < 40; ++i) {
            Session s;
            s.start = kBase + 3000 + i * 5;
            s.src = "8.8.8.8";
            sessions.push_back(s);
        }
        const TrafficTable table = tableOf(sessions);
        const BehaviourResult behaviour = analyzeBehaviour(table);
        const auto sentences = rowBehaviourSentences(behaviour, 20);
        QVERIFY(std::find(sentences.begin(), sentences.end(),
                          "this source sent 40 times its usual number of sessions in 5 minutes")
                != sentences.end());
    }

    void spokenDurations_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("spoken");
        QTest::newRow("fraction") << 2.54 << "2.5 s";
        QTest::newRow("minute") << 60.0 << "60 s";
        QTest::newRow("just under two minutes") << 119.4 << "119 s";
        QTest::newRow("five minutes") << 300.0 << "5 minutes";
        QTest::newRow("ninety minutes") << 5400.0 << "90 minutes";
        QTest::newRow("hours") << 3.0 * 3600 << "3 hours";
        QTest::newRow("days") << 3.0 * 86400 << "3 days";
    }
    void spokenDurations()
    {
        QFETCH(double, seconds);
        QFETCH(QString, spoken);
        QCOMPARE(QString::fromStdString(spokenDuration(seconds)), spoken);
    }

    void progressStages()
    {
        std::vector<std::string> stages;
        const Progress progress([&](std::string_view stage, double) { stages.emplace_back(stage); }, nullptr);
        analyzeBehaviour(tableOf(periodic(20, 60)), {}, progress);
        QVERIFY(std::find(stages.begin(), stages.end(), "beacons") != stages.end());
        QVERIFY(std::find(stages.begin(), stages.end(), "fan-out") != stages.end());
        QCOMPARE(stages.back(), std::string("fan-out"));
    }

    void validate()
    {
        BehaviourParams params;
        params.fanOut.windowSeconds = 0;
        QVERIFY_THROWS_EXCEPTION(ParameterError, analyzeBehaviour(TrafficTable(), params));
    }
};

QTEST_GUILESS_MAIN(TestBehaviour)
#include "tst_behaviour.moc"

#include "core/behaviour/behaviour.h"
#include "core/behaviour/behaviour_internal.h"
#include "core/behaviour/fanout.h"
#include "core/util/errors.h"
#include "tests/core/behaviour/behaviourdata.h"

#include <QTest>

#include <atomic>
#include <random>

using namespace webthreat;
using namespace webthreat::testdata;

namespace {

std::string text(const TrafficTable& table, std::uint32_t id)
{
    return std::string(table.strings->view(id));
}

// 6.6.6.6 touches ports 1..300 of 10.0.0.5 within one 5-minute window, one a second, the ports
// above 10 refused; 1.1.1.1 uses 443, 80 and 22 now and then.
std::vector<Session> portScan()
{
    std::vector<Session> sessions;
    for (int port = 1; port <= 300; ++port) {
        Session s;
        s.start = kBase + port - 1;
        s.src = "6.6.6.6";
        s.dst = "10.0.0.5";
        s.port = std::to_string(port);
        s.bytesIn = 40;
        s.bytesOut = 0;
        s.extra = port > 10 ? "REJECT" : "ACCEPT";
        sessions.push_back(s);
    }
    for (int i = 0; i < 9; ++i) {
        Session s;
        s.start = kBase + i * 200;
        s.port = i % 3 == 0 ? "443" : i % 3 == 1 ? "80" : "22";
        s.extra = "ACCEPT";
        sessions.push_back(s);
    }
    return sessions;
}

} // namespace

class TestFanOut : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void portScanFoundWithExactCounts()
    {
        const TrafficTable table = tableOf(portScan(), "action");
        const FanOutResult result = aggregateFanOut(table);
        QCOMPARE(result.failedColumns, std::vector<std::string>{"action"});
        QCOMPARE(result.sources.size(), std::size_t(2));
        const SourceActivity& scanner = result.sources[0];
        QCOMPARE(text(table, scanner.srcIp), std::string("6.6.6.6"));
        QCOMPARE(scanner.sessions, std::size_t(300));
        QCOMPARE(scanner.failed, std::size_t(290));
        QCOMPARE(scanner.windowCount, std::uint32_t(1));
        const SourceWindow& peak = result.windows[scanner.peakWindow];
        QCOMPARE(peak.start, kBase * kMicrosPerSecond);
        QCOMPARE(peak.sessions, std::uint32_t(300));
        QCOMPARE(peak.distinctPorts, std::uint32_t(300));
        QCOMPARE(peak.distinctHosts, std::uint32_t(1));
        QCOMPARE(peak.failed, std::uint32_t(290));
        QCOMPARE(peak.bytes, 300.0 * 40);
        QCOMPARE(peak.fanOut(), std::uint32_t(300));
        const double fanOutPart = 1.0 - std::exp(-299.0 / 50.0);
        QCOMPARE(scanner.scanScore, fanOutPart * (0.8 + 0.2 * 290.0 / 300.0));
        QCOMPARE(fanOutSentence(peak, 300), std::string("this source contacted 300 ports in 5 minutes, 290 of 300 sessions failed"));

        // The ordinary client: 9 sessions over 1600 s, 3 ports.
        const SourceActivity& client = result.sources[1];
        QCOMPARE(client.sessions, std::size_t(9));
        QCOMPARE(client.windowCount, std::uint32_t(6)); // starts 0, 200, ..., 1600 s: windows 0, 0, 1, 2, 2, 3, 4, 4, 5
        QCOMPARE(client.medianWindowSessions, 1.5);
        QCOMPARE(result.windows[client.peakWindow].fanOut(), std::uint32_t(2));
        QCOMPARE(result.scanning().size(), std::size_t(1));
        QCOMPARE(result.scanning()[0], &result.sources[0]);
        // Windows are by source, then time, and know their source.
        // Held: its windows of 2 sessions and the first of its windows of one (400 s); the ones
        // at 1000 and 1600 s are read from their row.
        QCOMPARE(client.heldWindows, std::uint32_t(4));
        QCOMPARE(result.rowWindow(302).sessions, std::uint32_t(1));
        QVERIFY(!(result.windowOfRow[302] & FanOutResult::kAloneRow));
        QVERIFY(result.windowOfRow[305] & FanOutResult::kAloneRow);
        const SourceWindow alone = result.rowWindow(305);
        QCOMPARE(alone.sessions, std::uint32_t(1));
        QCOMPARE(alone.distinctPorts, std::uint32_t(1));
        QCOMPARE(alone.distinctHosts, std::uint32_t(1));
        QCOMPARE(alone.failed, std::uint32_t(0));
        QCOMPARE(alone.srcIp, client.srcIp);
        QCOMPARE(&result.sources[alone.source], &client);
        QCOMPARE(result.volumeRatioOfRow(305), 1.0 / 1.5);
        QCOMPARE(result.fanOutOfRow(305), std::uint32_t(1));
        for (std::uint32_t w = client.windowsBegin + 1; w < client.windowsBegin + client.heldWindows; ++w)
            QVERIFY(result.windows[w - 1].start < result.windows[w].start);
        for (const SourceWindow& window : result.windows)
            QCOMPARE(result.sources[window.source].srcIp, window.srcIp);
    }

    void hostSweep()
    {
        std::vector<Session> sessions;
        for (int host = 1; host <= 50; ++host) {
            Session s;
            s.start = kBase + host * 2;
            s.src = "7.7.7.7";
            s.dst = "10.0.1." + std::to_string(host);
            s.port = "22";
            sessions.push_back(s);
        }
        const FanOutResult result = aggregateFanOut(tableOf(sessions));
        const SourceWindow& peak = result.windows[result.sources[0].peakWindow];
        QCOMPARE(peak.distinctHosts, std::uint32_t(50));
        QCOMPARE(peak.distinctPorts, std::uint32_t(1));
        QCOMPARE(peak.failed, std::uint32_t(0));
        QVERIFY(result.failedColumns.empty());
        QCOMPARE(fanOutSentence(peak, 300), std::string("this source contacted 50 hosts in 5 minutes"));
        // A wider window does not split it.
        FanOutParams params;
        params.windowSeconds = 60;
        const FanOutResult split = aggregateFanOut(tableOf(sessions), params);
        QCOMPARE(split.windows.size(), std::size_t(2)); // 2..58 s and 60..100 s
        QCOMPARE(split.windows[0].distinctHosts + split.windows[1].distinctHosts, std::uint32_t(50));
    }

    void failedSessionsByColumnKind_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QStringList>("values");
        QTest::addColumn<int>("failed");
        QTest::newRow("VPC action") << "action" << QStringList{"ACCEPT", "REJECT", "ACCEPT/REJECT", "reject", ""} << 3;
        QTest::newRow("Zeek conn_state") << "conn_state"
                                         << QStringList{"SF", "S0", "REJ", "RSTO", "RSTOS0", "RSTR", "RSTRH", "SH",
                                                        "SHR", "S1", "OTH", ""}
                                         << 8;
        QTest::newRow("HTTP response.code") << "response.code" << QStringList{"200", "302", "399", "400", "404", "503", "599", "600", ""} << 4;
    }
    void failedSessionsByColumnKind()
    {
        QFETCH(QString, column);
        QFETCH(QStringList, values);
        QFETCH(int, failed);
        std::vector<Session> sessions;
        for (int i = 0; i < values.size(); ++i) {
            Session s;
            s.start = kBase + i;
            s.extra = values[i].toStdString();
            sessions.push_back(s);
        }
        const FanOutResult result = aggregateFanOut(tableOf(sessions, column.toStdString()));
        QCOMPARE(result.failedColumns, std::vector<std::string>{column.toStdString()});
        QCOMPARE(result.windows.size(), std::size_t(1));
        QCOMPARE(int(result.windows[0].failed), failed);
        QCOMPARE(int(result.sources[0].failed), failed);
    }

    void volumeAgainstTheSourcesOwnBaseline()
    {
        // One session in each of ten windows, then forty in one.
        std::vector<Session> sessions = periodic(10, 300, "8.8.8.8");
        for (int i = 0; i < 40; ++i) {
            Session s;
            s.start = kBase + 3000 + i * 5;
            s.src = "8.8.8.8";
            sessions.push_back(s);
        }
        const FanOutResult result = aggregateFanOut(tableOf(sessions));
        const SourceActivity& source = result.sources[0];
        QCOMPARE(source.windowCount, std::uint32_t(11));
        QCOMPARE(source.medianWindowSessions, 1.0);
        QCOMPARE(source.maxVolumeRatio, 40.0);
        QCOMPARE(result.volumeRatioOfRow(0), 1.0);
        QCOMPARE(result.volumeRatioOfRow(10), 40.0);
        QCOMPARE(result.fanOutOfRow(10), std::uint32_t(1));
    }

    void rowsWithoutSourceOrTimeAreLeftOut()
    {
        const std::string csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port\n"
                                "1,1,2024-04-25T10:00:00Z,,,10.0.0.1,443\n"
                                "1,1,,,1.1.1.1,10.0.0.1,443\n"
                                "1,1,2024-04-25T10:00:00Z,,1.1.1.1,,\n";
        const FanOutResult result = aggregateFanOut(readTrafficCsvText(csv, "t.csv").table);
        QCOMPARE(result.rowsWithoutSourceOrTime, std::size_t(2));
        QCOMPARE(result.windowOfRow[0], FanOutResult::kNoWindow);
        QCOMPARE(result.windowOfRow[2], std::uint32_t(0));
        QCOMPARE(result.windows[0].distinctHosts, std::uint32_t(0));
        QCOMPARE(result.windows[0].distinctPorts, std::uint32_t(0));
        QCOMPARE(result.fanOutOfRow(0), std::uint32_t(0));
        QCOMPARE(result.volumeRatioOfRow(0), 0.0);
    }

    void beforeTheEpochWindowsFloor()
    {
        std::vector<Session> sessions;
        for (std::int64_t start : {-301, -1, 0}) {
            Session s;
            s.start = start;
            sessions.push_back(s);
            sessions.push_back(s); // two sessions a window: every window held
        }
        const FanOutResult result = aggregateFanOut(tableOf(sessions));
        QCOMPARE(result.windows.size(), std::size_t(3));
        QCOMPARE(result.windows[0].start, -600 * kMicrosPerSecond);
        QCOMPARE(result.windows[1].start, -300 * kMicrosPerSecond);
        QCOMPARE(result.windows[2].start, std::int64_t(0));
    }

    // The windows of one session that are not held change nothing a user sees: against every
    // window held (as before, and as past 2^28 sources), the same sources, peaks, per-row counts,
    // volume ratios and sentences.
    void windowsNotHeldChangeNothing()
    {
        std::mt19937 random(22);
        std::vector<Session> sessions;
        for (int source = 0; source < 300; ++source) {
            const int count = 1 + static_cast<int>(random() % 40);
            for (int i = 0; i < count; ++i) {
                Session s;
                s.src = "5.5." + std::to_string(source / 200) + "." + std::to_string(source % 200);
                s.start = kBase + static_cast<std::int64_t>(random() % 7200); // 24 windows
                const unsigned port = random() % 8;
                s.port = port == 0 ? "" : std::to_string(port * 1000);
                const unsigned host = random() % 5;
                s.dst = host == 0 ? "" : "10.0.0." + std::to_string(host);
                s.extra = random() % 3 == 0 ? "REJECT" : "ACCEPT";
                s.bytesIn = static_cast<std::int64_t>(random() % 5000);
                sessions.push_back(s);
            }
        }
        const TrafficTable table = tableOf(sessions, "action");
        auto run = [&](bool holdEveryWindow) {
            using namespace behaviour_internal;
            const SessionColumns columns = sessionColumns(table);
            std::vector<std::string> names;
            const FailureColumns failures = failureColumns(table, names);
            SourceGroups groups = groupBySource(table, columns, &failures, 1, {});
            return aggregateGroupedFanOut(groups, table, columns, names, FanOutParams{}, {}, holdEveryWindow);
        };
        const FanOutResult held = run(false);
        const FanOutResult every = run(true);
        QVERIFY(!held.everyWindowHeld);
        QVERIFY(every.everyWindowHeld);
        QVERIFY(held.windows.size() < every.windows.size());
        QCOMPARE(held.sources.size(), every.sources.size());
        for (std::size_t s = 0; s < held.sources.size(); ++s) {
            const SourceActivity& a = held.sources[s];
            const SourceActivity& b = every.sources[s];
            QCOMPARE(a.srcIp, b.srcIp);
            QCOMPARE(a.sessions, b.sessions);
            QCOMPARE(a.failed, b.failed);
            QCOMPARE(a.windowCount, b.windowCount);
            QCOMPARE(b.heldWindows, b.windowCount);
            QCOMPARE(a.medianWindowSessions, b.medianWindowSessions);
            QCOMPARE(a.maxVolumeRatio, b.maxVolumeRatio);
            QCOMPARE(a.scanScore, b.scanScore);
            const SourceWindow& peakA = held.windows[a.peakWindow];
            const SourceWindow& peakB = every.windows[b.peakWindow];
            QCOMPARE(peakA.start, peakB.start);
            QCOMPARE(peakA.sessions, peakB.sessions);
            QCOMPARE(peakA.fanOut(), peakB.fanOut());
            QCOMPARE(peakA.failed, peakB.failed);
            QCOMPARE(peakA.bytes, peakB.bytes);
            QCOMPARE(peakA.source, peakB.source);
        }
        QCOMPARE(held.scanning().size(), every.scanning().size());
        std::size_t alone = 0;
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            alone += (held.windowOfRow[row] & FanOutResult::kAloneRow) ? 1 : 0;
            const SourceWindow a = held.rowWindow(row);
            const SourceWindow b = every.rowWindow(row);
            QCOMPARE(a.source, b.source);
            QCOMPARE(a.srcIp, b.srcIp);
            QCOMPARE(a.sessions, b.sessions);
            QCOMPARE(a.distinctPorts, b.distinctPorts);
            QCOMPARE(a.distinctHosts, b.distinctHosts);
            QCOMPARE(a.failed, b.failed);
            QCOMPARE(held.volumeRatioOfRow(row), every.volumeRatioOfRow(row));
            QCOMPARE(held.fanOutOfRow(row), every.fanOutOfRow(row));
            QCOMPARE(fanOutSentence(a, 300), fanOutSentence(b, 300));
        }
        QVERIFY(alone > 1000); // most rows here are alone in their window
    }

    void validate()
    {
        FanOutParams params;
        params.windowSeconds = 0.5;
        QVERIFY_THROWS_EXCEPTION(ParameterError, aggregateFanOut(TrafficTable(), params));
        params = {};
        params.minFanOut = 1;
        QVERIFY_THROWS_EXCEPTION(ParameterError, aggregateFanOut(TrafficTable(), params));
        params = {};
        params.fanOutScale = 0;
        QVERIFY_THROWS_EXCEPTION(ParameterError, aggregateFanOut(TrafficTable(), params));
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, aggregateFanOut(tableOf(portScan()), {}, Progress({}, &cancel)));
    }
};

QTEST_GUILESS_MAIN(TestFanOut)
#include "tst_fanout.moc"

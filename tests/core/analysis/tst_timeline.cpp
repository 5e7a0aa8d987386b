#include "core/io/csvreader.h"
#include "core/analysis/timeline.h"

#include <QTest>

#include <numeric>

using namespace webthreat;

namespace {

Instant at(const char* text)
{
    return *parseTimestamp(text);
}

constexpr Instant kSecond = kMicrosPerSecond;
constexpr Instant kMinute = 60 * kSecond;
constexpr Instant kHour = 60 * kMinute;
constexpr Instant kDay = 24 * kHour;

TrafficTable tableOf(const std::string& rows)
{
    return readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n" + rows, "t.csv").table;
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void niceWidths_data()
    {
        QTest::addColumn<qint64>("span");
        QTest::addColumn<qint64>("width");
        QTest::addColumn<QString>("label");
        QTest::newRow("one instant") << qint64(0) << qint64(kSecond) << "1 s";
        QTest::newRow("199 s") << qint64(199 * kSecond) << qint64(kSecond) << "1 s";
        QTest::newRow("200 s") << qint64(200 * kSecond) << qint64(2 * kSecond) << "2 s";
        QTest::newRow("1 hour") << qint64(kHour) << qint64(30 * kSecond) << "30 s";
        QTest::newRow("1 day") << qint64(kDay) << qint64(10 * kMinute) << "10 min";
        QTest::newRow("7 days") << qint64(7 * kDay) << qint64(kHour) << "1 h";
        QTest::newRow("30 days") << qint64(30 * kDay) << qint64(6 * kHour) << "6 h";
        QTest::newRow("1 year") << qint64(365 * kDay) << qint64(2 * kDay) << "2 days";
        QTest::newRow("3 years") << qint64(3 * 365 * kDay) << qint64(7 * kDay) << "1 week";
        QTest::newRow("year 1 to 9999") << qint64(at("9999-12-31T23:59:59Z") - at("0001-01-01T00:00:00Z"))
                                        << qint64(100 * 365 * kDay) << "36500 days";
    }
    void niceWidths()
    {
        QFETCH(qint64, span);
        QFETCH(qint64, width);
        QFETCH(QString, label);
        const BucketWidth chosen = chooseBucketWidth(span);
        QCOMPARE(qint64(chosen.micros), width);
        QCOMPARE(QString::fromStdString(chosen.label), label);
        QVERIFY(span / chosen.micros + 1 <= qint64(kTimelineMaxBuckets));
    }

    void bucketsOverADay()
    {
        // A day and a bit: 10-minute buckets starting at 00:00, the row at 00:09:59 in the first.
        const TrafficTable table = tableOf("10,100,2024-04-25T00:05:00Z,,a,b\n"
                                           "20,200,2024-04-25T00:09:59Z,,a,b\n"
                                           "30,,2024-04-25T00:10:00Z,,a,b\n"
                                           "40,400,,,a,b\n"
                                           "50,500,2024-04-26T00:04:00Z,,a,b\n");
        const Timeline timeline = buildTimeline(table);
        QCOMPARE(timeline.width.label, std::string("10 min"));
        QCOMPARE(timeline.start, at("2024-04-25T00:00:00Z"));
        QCOMPARE(timeline.first, at("2024-04-25T00:05:00Z"));
        QCOMPARE(timeline.last, at("2024-04-26T00:04:00Z"));
        QCOMPARE(timeline.missingTimestamps, std::size_t(1));
        QCOMPARE(timeline.bucketCount(), std::size_t(145));
        QCOMPARE(timeline.sessions[0], std::uint64_t(2));
        QCOMPARE(timeline.bytes[0], std::uint64_t(330));
        QCOMPARE(timeline.sessions[1], std::uint64_t(1));
        QCOMPARE(timeline.bytes[1], std::uint64_t(30));
        QCOMPARE(timeline.sessions[2], std::uint64_t(0));
        QCOMPARE(timeline.sessions[144], std::uint64_t(1));
        QCOMPARE(timeline.bucketStart(144), at("2024-04-26T00:00:00Z"));
        QCOMPARE(timeline.bucketOf(at("2024-04-25T00:10:00Z")), std::size_t(1));
        QCOMPARE(timeline.bucketOf(at("2024-04-24T00:00:00Z")), timeline.bucketCount());

        // Rows 0 and 4 suspicious; the row without a time is in no bucket.
        Verdicts verdicts;
        verdicts.suspicious = {1, 0, 0, 1, 1};
        const auto suspicious = timelineSuspicious(timeline, table, verdicts);
        QCOMPARE(suspicious.size(), std::size_t(145));
        QCOMPARE(suspicious[0], std::uint64_t(1));
        QCOMPARE(suspicious[1], std::uint64_t(0));
        QCOMPARE(suspicious[144], std::uint64_t(1));

        const auto selected = timelineSessions(timeline, table, {0, 1, 1, 1, 1});
        QCOMPARE(selected[0], std::uint64_t(1));
        QCOMPARE(selected[1], std::uint64_t(1));
        QCOMPARE(selected[144], std::uint64_t(1));
        QCOMPARE(std::accumulate(selected.begin(), selected.end(), std::uint64_t(0)), std::uint64_t(3));

        const auto range = rowsInTimeRange(table, at("2024-04-25T00:09:59Z"), at("2024-04-26T00:04:00Z"));
        QCOMPARE(range, (std::vector<std::uint8_t>{0, 1, 1, 0, 0}));
    }

    void fixedWindowsKeepTheirWidth()
    {
        // Ten-minute aggregates over five hours: 5-minute buckets would alternate with empty
        // ones, so the buckets are the windows.
        std::string rows;
        for (int window = 0; window < 30; ++window) {
            char line[96];
            std::snprintf(line, sizeof line, "%d,1,2024-04-25T%02d:%02d:00Z,,a,b\n", window + 1, 10 + window / 6,
                          window % 6 * 10);
            rows += line;
        }
        const Timeline timeline = buildTimeline(tableOf(rows));
        QCOMPARE(timeline.width.label, std::string("10 min"));
        QCOMPARE(timeline.bucketCount(), std::size_t(30));
        for (std::uint64_t sessions : timeline.sessions)
            QCOMPARE(sessions, std::uint64_t(1));
        // One row off the grid: the span decides again (5 h -> 2-minute buckets).
        rows += "1,1,2024-04-25T12:03:00Z,,a,b\n";
        QCOMPARE(buildTimeline(tableOf(rows)).width.label, std::string("2 min"));
    }

    void weeksStartOnMonday()
    {
        // Three years and eight months: weekly buckets; 2024-04-25 was a Thursday, so the first
        // starts on Monday the 22nd.
        const TrafficTable table = tableOf("1,1,2024-04-25T13:00:00Z,,a,b\n1,1,2028-01-01T00:00:00Z,,a,b\n");
        const Timeline timeline = buildTimeline(table);
        QCOMPARE(timeline.width.label, std::string("1 week"));
        QCOMPARE(timeline.bucketCount(), std::size_t(193));
        QCOMPARE(timeline.start, at("2024-04-22T00:00:00Z"));
        QCOMPARE(timeline.sessions.front(), std::uint64_t(1));
        QCOMPARE(timeline.sessions.back(), std::uint64_t(1));
        QVERIFY(timeline.bucketCount() <= kTimelineMaxBuckets);
    }

    void singleInstant()
    {
        const TrafficTable table = tableOf("1,2,2024-04-25T10:00:00.5Z,,a,b\n3,4,2024-04-25T10:00:00.5Z,,a,b\n");
        const Timeline timeline = buildTimeline(table);
        QCOMPARE(timeline.bucketCount(), std::size_t(1));
        QCOMPARE(timeline.width.label, std::string("1 s"));
        QCOMPARE(timeline.start, at("2024-04-25T10:00:00Z"));
        QCOMPARE(timeline.sessions[0], std::uint64_t(2));
        QCOMPARE(timeline.bytes[0], std::uint64_t(10));
    }

    void hugeSpan()
    {
        const TrafficTable table = tableOf("1,1,0001-01-01T00:00:00Z,,a,b\n1,1,9999-12-31T23:59:59Z,,a,b\n"
                                           "1,1,1970-01-01T00:00:00Z,,a,b\n");
        const Timeline timeline = buildTimeline(table);
        QVERIFY(timeline.bucketCount() <= kTimelineMaxBuckets);
        QVERIFY(timeline.start <= timeline.first);
        QCOMPARE(timeline.bucketOf(timeline.last), timeline.bucketCount() - 1);
        std::uint64_t total = 0;
        for (std::uint64_t sessions : timeline.sessions)
            total += sessions;
        QCOMPARE(total, std::uint64_t(3));
    }

    void noTimestamps()
    {
        const TrafficTable table = tableOf("1,1,,,a,b\n2,2,,,a,b\n");
        const Timeline timeline = buildTimeline(table);
        QCOMPARE(timeline.bucketCount(), std::size_t(0));
        QCOMPARE(timeline.missingTimestamps, std::size_t(2));
        QCOMPARE(timeline.first, kMissingInteger);
        Verdicts verdicts;
        verdicts.suspicious = {1, 1};
        QVERIFY(timelineSuspicious(timeline, table, verdicts).empty());
    }
};

QTEST_GUILESS_MAIN(TestTimeline)
#include "tst_timeline.moc"

#include "core/io/timestamp.h"

#include <QTest>

#include <string>
#include <vector>

using namespace webthreat;

class TestTimestamp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("micros");
        const qint64 base = 1714086000LL * 1000000; // 2024-04-25T23:00:00Z
        QTest::newRow("iso Z") << "2024-04-25T23:00:00Z" << true << base;
        QTest::newRow("space") << "2024-04-25 23:00:00Z" << true << base;
        QTest::newRow("no zone is UTC") << "2024-04-25T23:00:00" << true << base;
        QTest::newRow("fraction") << "2024-04-25T23:00:00.25Z" << true << base + 250000;
        QTest::newRow("micro fraction") << "2024-04-25T23:00:00.000001Z" << true << base + 1;
        QTest::newRow("offset +02:00") << "2024-04-26T01:00:00+02:00" << true << base;
        QTest::newRow("offset -0130") << "2024-04-25T21:30:00-0130" << true << base;
        QTest::newRow("offset +02") << "2024-04-26T01:00:00+02" << true << base;
        QTest::newRow("minutes only") << "2024-04-25T23:00Z" << true << base;
        QTest::newRow("date only") << "2024-04-25" << true << base - 23LL * 3600 * 1000000;
        QTest::newRow("lower-case t and z") << "2024-04-25t23:00:00z" << true << base;
        QTest::newRow("blanks") << "  2024-04-25T23:00:00Z " << true << base;
        QTest::newRow("epoch") << "1714086000" << true << base;
        QTest::newRow("epoch fraction") << "1714086000.5" << true << base + 500000;
        QTest::newRow("epoch zero") << "0" << true << qint64(0);
        QTest::newRow("before 1970") << "1969-12-31T23:59:59Z" << true << qint64(-1000000);
        QTest::newRow("leap day") << "2024-02-29T00:00:00Z" << true << qint64(1709164800LL * 1000000);
        QTest::newRow("year 9999") << "9999-12-31T23:59:59Z" << true << qint64(253402300799LL * 1000000);
        QTest::newRow("not a leap day") << "2023-02-29T00:00:00Z" << false << qint64(0);
        QTest::newRow("month 13") << "2024-13-01T00:00:00Z" << false << qint64(0);
        QTest::newRow("hour 24") << "2024-04-25T24:00:00Z" << false << qint64(0);
        QTest::newRow("year 10000") << "10000-01-01T00:00:00Z" << false << qint64(0);
        QTest::newRow("garbage") << "yesterday" << false << qint64(0);
        QTest::newRow("trailing junk") << "2024-04-25T23:00:00Zjunk" << false << qint64(0);
        QTest::newRow("negative epoch") << "-5" << false << qint64(0);
        QTest::newRow("epoch milliseconds") << "1714086000000" << false << qint64(0);
        QTest::newRow("empty") << "" << false << qint64(0);
        // The 20-byte form has a fast path of its own: the same answers through it.
        QTest::newRow("leap second") << "2024-04-25T22:59:60Z" << true << base;
        QTest::newRow("year 0") << "0000-01-01T00:00:00Z" << false << qint64(0);
        QTest::newRow("April 31") << "2024-04-31T00:00:00Z" << false << qint64(0);
        QTest::newRow("minute 60") << "2024-04-25T23:60:00Z" << false << qint64(0);
        QTest::newRow("second 61") << "2024-04-25T23:00:61Z" << false << qint64(0);
        QTest::newRow("letter in minutes") << "2024-04-25T23:0a:00Z" << false << qint64(0);
        QTest::newRow("colon in seconds") << "2024-04-25T23:00::0Z" << false << qint64(0);
        QTest::newRow("slashes") << "2024/04/25T23:00:00Z" << false << qint64(0);
        QTest::newRow("X for T") << "2024-04-25X23:00:00Z" << false << qint64(0);
        QTest::newRow("dash for colon") << "2024-04-25T23:00-00Z" << false << qint64(0);
        QTest::newRow("shifted colon") << "2024-04-25T2:300:00Z" << false << qint64(0);
        QTest::newRow("zone Y") << "2024-04-25T23:00:00Y" << false << qint64(0);
        QTest::newRow("control byte") << QString("2024-04-25T23:00:0") + QChar(5) + "Z" << false << qint64(0);
    }

    // A column's memo of its last date changes no answer: the same texts, one after another
    // (dates repeated, invalid times and blanks after a valid date), read as without it.
    void memoGivesSameAnswers()
    {
        const std::vector<std::string> texts = {"2024-04-25T23:00:00Z",
                                                "2024-04-25T23:59:59Z",
                                                "2024-04-25T24:00:00Z",
                                                "2024-04-25T23:00:61Z",
                                                " 2024-04-25T23:00:0Z",
                                                "2024-04-25T23:00:00z",
                                                "2024-04-26T00:00:00Z",
                                                "2024-04-26 00:00:01Z",
                                                "2024-04-2XT00:00:00Z",
                                                "2024-04-26T0a:00:00Z",
                                                "2023-02-29T00:00:00Z",
                                                "2024-02-29T00:00:00Z",
                                                "2024-02-29T12:00:00Z",
                                                "1714086000",
                                                "2024-04-26T00:00:00.5Z",
                                                "2024-04-26T00:00:00Z",
                                                ""};
        DateMemo memo;
        for (const std::string& text : texts) {
            const auto plain = parseTimestamp(text);
            const auto memoed = parseTimestamp(text, TimestampFormat::Iso8601, memo);
            QVERIFY2(plain == memoed, text.c_str());
        }
        QVERIFY(memo.known);
        DateMemo other;
        QCOMPARE(parseTimestamp("25/04/2024 23:00:00", TimestampFormat::DayMonthYear, other),
                 parseTimestampAs("25/04/2024 23:00:00", TimestampFormat::DayMonthYear));
    }

    // Every instant written the way exports write it reads back as itself.
    void formattedRoundTrip()
    {
        std::uint64_t state = 0x243F6A8885A308D3ull;
        for (int i = 0; i < 200000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            // Seconds from year 1 to 9999, whole seconds: the 20-byte form.
            const auto seconds = static_cast<std::int64_t>(state >> 20) % 315537897600LL - 62135596800LL;
            const Instant instant = seconds * kMicrosPerSecond;
            const std::string text = formatTimestamp(instant);
            QCOMPARE(text.size(), std::size_t(20));
            const auto parsed = parseTimestamp(text);
            QVERIFY2(parsed.has_value(), text.c_str());
            QCOMPARE(*parsed, instant);
        }
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(qint64, micros);
        const auto parsed = parseTimestamp(text.toStdString());
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(*parsed, std::int64_t(micros));
    }

    void format_data()
    {
        QTest::addColumn<qint64>("micros");
        QTest::addColumn<QString>("text");
        QTest::newRow("whole") << qint64(1714086000LL * 1000000) << "2024-04-25T23:00:00Z";
        QTest::newRow("fraction") << qint64(1714086000LL * 1000000 + 250000) << "2024-04-25T23:00:00.25Z";
        QTest::newRow("epoch") << qint64(0) << "1970-01-01T00:00:00Z";
        QTest::newRow("before epoch") << qint64(-1) << "1969-12-31T23:59:59.999999Z";
    }

    void format()
    {
        QFETCH(qint64, micros);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(formatTimestamp(micros)), text);
        QCOMPARE(parseTimestamp(text.toStdString()).value(), std::int64_t(micros));
    }
};

QTEST_GUILESS_MAIN(TestTimestamp)
#include "tst_timestamp.moc"

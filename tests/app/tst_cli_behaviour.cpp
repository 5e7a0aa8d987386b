// `webthreat analyze`'s behaviour section (issue 21): the top beacon pairs and scanning sources, as
// text and as the --json "beacons" and "scans" arrays, on a hand-made file.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <QDateTime>
#include <QFile>

namespace {

struct Run {
    int status = -1;
    QString out;
    QString err;
};

Run runWebthreat(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(WEBTHREAT_CLI), arguments);
    if (!process.waitForFinished(300000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString iso(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

// 1.1.1.1 calls 10.0.0.1:443 every 60 s, 20 times; 6.6.6.6 touches ports 1 to 30 of 10.0.0.5 in
// 30 s, 25 of them refused (403); 2.2.2.2 browses now and then.
QByteArray traffic()
{
    const qint64 base = 1714039200; // 2024-04-25T10:00:00Z
    QByteArray csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,protocol,response.code,dst_port,dst_ip\n";
    auto row = [&](int in, int out, qint64 start, const char* src, const char* code, int port, const char* dst) {
        csv += QByteArray::number(in) + "," + QByteArray::number(out) + "," + iso(start).toUtf8() + ","
               + iso(start + 2).toUtf8() + "," + src + ",HTTPS," + code + "," + QByteArray::number(port) + "," + dst
               + "\n";
    };
    for (int i = 0; i < 20; ++i)
        row(300, 500, base + 60 * i, "1.1.1.1", "200", 443, "10.0.0.1");
    for (int port = 1; port <= 30; ++port)
        row(40, 0, base + 600 + port, "6.6.6.6", port > 5 ? "403" : "200", port, "10.0.0.5");
    for (int i = 0; i < 12; ++i)
        row(3000 * (i % 4 + 1), 4000 * (i % 3 + 1), base + 97 * i * i, "2.2.2.2", "200", 80, "10.0.0.1");
    return csv;
}

} // namespace

class TestCliBehaviour : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath(QStringLiteral("behaviour.csv"));
        QFile file(m_file);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(traffic());
    }

    void textSection()
    {
        const Run run = runWebthreat({"analyze", m_file});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.out.contains("Beacon pairs (score: timing, sizes, coverage):"), qPrintable(run.out));
        QVERIFY2(run.out.contains("1.00  1.1.1.1 -> 10.0.0.1:443  20 sessions, repeats every 60 s ±0 s"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("6.6.6.6  at 2024-04-25T10:10:00Z: contacted 30 ports in 5 minutes, 25 of 30 "
                                  "sessions failed"),
                 qPrintable(run.out));
    }

    void jsonArrays()
    {
        const Run run = runWebthreat({"analyze", m_file, "--json"});
        QCOMPARE(run.status, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonArray beacons = json.value("beacons").toArray();
        QCOMPARE(beacons.size(), 1); // 2.2.2.2's 12 sessions are irregular: under 0.5
        const QJsonObject beacon = beacons[0].toObject();
        QCOMPARE(beacon.value("src_ip").toString(), QStringLiteral("1.1.1.1"));
        QCOMPARE(beacon.value("dst_ip").toString(), QStringLiteral("10.0.0.1"));
        QCOMPARE(beacon.value("dst_port").toInt(), 443);
        QCOMPARE(beacon.value("sessions").toInt(), 20);
        QCOMPARE(beacon.value("score").toDouble(), 1.0);
        QCOMPARE(beacon.value("median_interval_seconds").toDouble(), 60.0);
        QCOMPARE(beacon.value("sentence").toString(), QStringLiteral("this pair repeats every 60 s ±0 s"));
        const QJsonArray scans = json.value("scans").toArray();
        QCOMPARE(scans.size(), 1);
        const QJsonObject scan = scans[0].toObject();
        QCOMPARE(scan.value("src_ip").toString(), QStringLiteral("6.6.6.6"));
        QCOMPARE(scan.value("distinct_ports").toInt(), 30);
        QCOMPARE(scan.value("distinct_hosts").toInt(), 1);
        QCOMPARE(scan.value("failed").toInt(), 25);
        QCOMPARE(scan.value("window_start").toString(), QStringLiteral("2024-04-25T10:10:00Z"));
    }

    void noBehaviourLeavesTheSectionOut()
    {
        const Run text = runWebthreat({"analyze", m_file, "--no-behaviour"});
        QCOMPARE(text.status, 0);
        QVERIFY2(!text.out.contains("Beacon pairs"), qPrintable(text.out));
        QVERIFY(text.out.contains("Suspicious:"));
        const Run json = runWebthreat({"analyze", m_file, "--json", "--no-behaviour"});
        QCOMPARE(json.status, 0);
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QVERIFY(!root.contains("beacons"));
        QVERIFY(!root.contains("scans"));
        QVERIFY(root.contains("findings") || !root.isEmpty());
    }

    // beacon_score: 1 on the beacon's 20 rows; 0 on the rows of pairs of fewer than 10 sessions
    // (each of the scanner's ports); 2.2.2.2's 12 irregular sessions get their low score. Filled
    // with --no-behaviour too.
    void beaconScoreColumn()
    {
        for (const char* section : {"--behaviour", "--no-behaviour"}) {
            const QString scored = m_dir.filePath(QStringLiteral("scored%1.csv").arg(section));
            const Run run = runWebthreat({"analyze", m_file, section, "--out", scored, "--force"});
            QVERIFY2(run.status == 0, qPrintable(run.err));
            QFile file(scored);
            QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
            const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
            QCOMPARE(lines.size(), 63);
            const QStringList header = lines[0].split(',');
            const auto column = header.indexOf("beacon_score");
            const auto source = header.indexOf("src_ip");
            QCOMPARE(header[column - 1], QStringLiteral("avg_packet_size"));
            for (const QString& line : lines.mid(1)) {
                const QStringList fields = line.split(',');
                if (fields[source] == "1.1.1.1")
                    QCOMPARE(fields[column], QStringLiteral("1"));
                else if (fields[source] == "6.6.6.6")
                    QCOMPARE(fields[column], QStringLiteral("0"));
                else
                    QVERIFY2(fields[column].toDouble() < 0.5 && !fields[column].isEmpty(), qPrintable(line));
            }
        }
    }

    // A Behaviour feature as a detector input: explained in the data's words, and a model saved
    // with it scores another file with that file's behaviour.
    void behaviourFeaturesAsDetectorInputs()
    {
        const QString scored = m_dir.filePath(QStringLiteral("fanout.csv"));
        const QString model = m_dir.filePath(QStringLiteral("fanout.json"));
        const Run run = runWebthreat({"analyze", m_file, "--features", "source_fan_out", "--explain", "all", "--out",
                                      scored, "--save-model", model, "--force"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QFile file(scored);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY2(text.contains("this source contacted 30 ports in 5 minutes, 25 of 30 sessions failed; isolated in"),
                 qPrintable(text.left(2000)));
        QVERIFY(text.section('\n', 0, 0).contains(",source_fan_out,"));

        const Run again = runWebthreat({"score", m_file, "--model", model, "--json"});
        QVERIFY2(again.status == 0, qPrintable(again.err));
        const Run help = runWebthreat({"help", "analyze"});
        QVERIFY2(help.out.contains("Behaviour over time:") && help.out.contains("pair_beacon_score"),
                 qPrintable(help.out));
    }

    void generateHelpListsTheKinds()
    {
        const Run run = runWebthreat({"generate", "--help"});
        QCOMPARE(run.status, 0);
        for (const char* word : {"beacon", "scan", "burst", "--behaviour-rate"})
            QVERIFY2(run.out.contains(QLatin1String(word)), word);
        const QString out = m_dir.filePath(QStringLiteral("none.csv"));
        const Run bad = runWebthreat({"generate", "--rows", "10", "--out", out, "--behaviour-rate", "0.5"});
        QCOMPARE(bad.status, 2);
        QVERIFY2(bad.err.contains("0.2"), qPrintable(bad.err));
    }

private:
    QTemporaryDir m_dir;
    QString m_file;
};

QTEST_GUILESS_MAIN(TestCliBehaviour)
#include "tst_cli_behaviour.moc"

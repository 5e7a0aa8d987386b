#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

#include "core/analysis/evaluation.h"
#include "core/pipeline.h"
#include "core/detect/features.h"
#include "tests/badcorpus.h"

namespace {

struct Run {
    int status = -1;
    QString out;
    QString err;
};

Run runWebthreat(const QStringList& arguments,
                 const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(WEBTHREAT_CLI), arguments);
    if (!process.waitForFinished(300000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList lines(const QString& path)
{
    QStringList all = QString::fromUtf8(contents(path)).split('\n');
    if (!all.isEmpty() && all.last().isEmpty())
        all.removeLast();
    return all;
}

// The fields of a scored CSV line (quoted fields hold commas: rule_names, explanations).
QStringList fields(const QString& line)
{
    QStringList out(QString{});
    bool quoted = false;
    for (const QChar c : line) {
        if (c == u'"')
            quoted = !quoted;
        else if (c == u',' && !quoted)
            out.append(QString());
        else
            out.last().append(c);
    }
    return out;
}

void writeText(const QString& path, const QByteArray& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void referenceEndToEnd()
    {
        if (!QFile::exists(WEBTHREAT_REFERENCE_CSV))
            QSKIP("the reference dataset ../shared/data/CloudWatch_Traffic_Web_Attack.csv is not present");
        QTemporaryDir dir;
        const QString scored = dir.filePath("scored.csv");
        // The notebook's detector (its four features, raw), whose results these are.
        const Run run = runWebthreat(
            {"analyze", WEBTHREAT_REFERENCE_CSV, "--preset", "notebook", "--contamination", "0.05", "--out", scored});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Cleaning: 282 rows in, 282 rows out"), qPrintable(run.out));
        QVERIFY2(run.out.contains("Suspicious: 15 of 282 rows"), qPrintable(run.out));
        QVERIFY(run.out.contains("155.91.45.242"));

        const QStringList rows = lines(scored);
        QCOMPARE(rows.size(), 283);
        QCOMPARE(rows.first(),
                 QString("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,"
                         "dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types,"
                         "session_duration,avg_packet_size,beacon_score,anomaly_score,anomaly_label,top_feature,"
                         "top_feature_share,explanation"));
        int suspicious = 0;
        for (const QString& row : rows.mid(1)) {
            const QStringList fields = row.split(',');
            QCOMPARE(fields.size(), 24);
            // Suspicious rows say why; Normal rows leave the explanation empty.
            QCOMPARE(fields[23].contains(" splits against "), fields[20] == "Suspicious");
            QCOMPARE(fields[16], QString("600"));
            const double score = fields[19].toDouble();
            QVERIFY(score < 0 && score >= -1);
            QVERIFY(fields[20] == "Normal" || fields[20] == "Suspicious");
            suspicious += fields[20] == "Suspicious";
        }
        QCOMPARE(suspicious, 15);
        // The first data row, value for value.
        QVERIFY(rows[1].startsWith(
            "5602,12990,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,147.161.161.82,AE,HTTPS,200,443,"));
        QVERIFY(rows[1].contains(",600,30.986666666666668,"));
    }

    // Issue 20: --enrich adds the location database's columns to --out and a "Who is on the other end"
    // section; a missing database is said once on stderr and nothing else changes.
    void enrichment()
    {
        if (!QFile::exists("/var/lib/location/database.db"))
            QSKIP("libloc-database is not installed");
        QTemporaryDir dir;
        const QString input = dir.filePath("hand.csv");
        writeText(input, "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,dst_ip,dst_port\n"
                         "100,200,2024-04-25T10:00:00Z,2024-04-25T10:00:05Z,8.8.8.8,US,10.0.0.5,443\n"
                         "110,210,2024-04-25T10:01:00Z,2024-04-25T10:01:05Z,8.8.8.8,DE,10.0.0.5,443\n"
                         "120,220,2024-04-25T10:02:00Z,2024-04-25T10:02:05Z,5.188.10.10,RU,1.1.1.1,53\n"
                         "130,230,2024-04-25T10:03:00Z,2024-04-25T10:03:05Z,192.168.1.20,,10.0.0.5,443\n");
        const QString scored = dir.filePath("scored.csv");
        Run run = runWebthreat({"analyze", input, "--enrich", "--out", scored, "--contamination", "0.25"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
        QVERIFY2(run.out.contains("Who is on the other end (location database /var/lib/location/database.db)"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("Country differs from the file's src_ip_country_code: 1 rows"), qPrintable(run.out));
        QVERIFY2(run.out.contains("on a drop list: 1 rows"), qPrintable(run.out));
        const QStringList rows = lines(scored);
        QCOMPARE(rows.size(), 5);
        QVERIFY2(rows[0].startsWith("bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,"), qPrintable(rows[0]));
        QVERIFY2(rows[0].contains(",detection_types,src_asn,src_as_org,src_country,src_network_flags,dst_asn,dst_as_org,"
                                  "dst_country,dst_network_flags,country_mismatch,session_duration,"),
                 qPrintable(rows[0]));
        // The file's own country stays; the database's follows the table's columns.
        QVERIFY2(rows[1].contains(",8.8.8.8,US,,,443,10.0.0.5,") && rows[1].contains(",15169,GOOGLE,US,anycast,,,,,0,"),
                 qPrintable(rows[1]));
        QVERIFY2(rows[2].contains(",15169,GOOGLE,US,anycast,,,,,1,"), qPrintable(rows[2]));
        QVERIFY2(rows[3].contains(",34665,Petersburg Internet Network ltd.,RU,drop list,13335,CLOUDFLARENET,AU,anycast,0,"),
                 qPrintable(rows[3]));
        QVERIFY2(rows[4].contains(",,,,,,,,,0,"), qPrintable(rows[4]));
        // The provenance names the database, and its rerun command passes it on.
        const QByteArray provenance = contents(scored + ".provenance.json");
        QVERIFY2(provenance.contains("\"location_database\": {\n    \"file\": \"/var/lib/location/database.db\""),
                 provenance.constData());
        QVERIFY2(provenance.contains("--location-db /var/lib/location/database.db"), provenance.constData());

        // --json: the same facts under "context".
        run = runWebthreat({"analyze", input, "--enrich", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("\"country_mismatch_rows\": 1"), qPrintable(run.out));

        // A missing database: one line on stderr naming it, the analysis as without --enrich.
        run = runWebthreat({"analyze", input, "--location-db", dir.filePath("missing.db"), "--out",
                            dir.filePath("plain.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(run.err, QString("webthreat: IP enrichment is off: %1: cannot open the location database: No such file "
                                  "or directory\n").arg(dir.filePath("missing.db")));
        QVERIFY(!run.out.contains("Who is on the other end"));
        QVERIFY(!lines(dir.filePath("plain.csv"))[0].contains("src_asn"));

        // A feature that needs the database makes its absence an error naming the path.
        run = runWebthreat({"analyze", input, "--features", "bytes_in,country_mismatch", "--location-db",
                            dir.filePath("missing.db")});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("the feature 'country_mismatch', which needs the IP location database"),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains("missing.db"), qPrintable(run.err));

        // A model trained with a context feature scores only with the database.
        const QString model = dir.filePath("model.json");
        run = runWebthreat({"analyze", input, "--features", "bytes_in,src_asn_frequency", "--save-model", model});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        run = runWebthreat({"score", input, "--model", model});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Who is on the other end"), qPrintable(run.out));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("WEBTHREAT_LOCATION_DB", dir.filePath("missing.db"));
        run = runWebthreat({"score", input, "--model", model}, environment);
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("the model uses the feature 'src_asn_frequency', which needs the IP location database"),
                 qPrintable(run.err));
    }

    // --enrich in streaming mode, on the sample without its src_ip_country_code column: the database's
    // countries fill it in both passes as in memory (so the country_frequency feature, the scores and
    // the verdicts are the in-memory run's), the scored CSV's enrichment columns and the sidecar's
    // database are the in-memory run's; --json is refused with --enrich; a missing database is said
    // once on stderr and the run streams without enrichment.
    void enrichmentStreamed()
    {
        if (!QFile::exists("/var/lib/location/database.db"))
            QSKIP("libloc-database is not installed");
        QTemporaryDir dir;
        const QString input = dir.filePath("no-country.csv");
        {
            // src_ip_country_code is the sixth field; the five before it are never quoted.
            QByteArray text;
            for (const QByteArray& line :
                 contents(QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv")).split('\n')) {
                qsizetype from = -1;
                for (int i = 0; i < 5 && (from = line.indexOf(',', from + 1)) >= 0;)
                    ++i;
                const qsizetype to = from < 0 ? -1 : line.indexOf(',', from + 1);
                text += (to < 0 ? line : line.left(from) + line.mid(to)) + '\n';
            }
            writeText(input, text.trimmed() + '\n');
        }
        QVERIFY(lines(input).first().startsWith("bytes_in,bytes_out,creation_time,end_time,src_ip,protocol,"));
        const QStringList options{"--enrich", "--features", "bytes_in,bytes_out,country_frequency"};
        const Run memory = runWebthreat(QStringList{"analyze", input, "--out", dir.filePath("memory.csv")} + options);
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat(QStringList{"analyze", input, "--out", dir.filePath("stream.csv"), "--stream",
                                                      "--memory-budget", "1M"}
                                          + options);
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        const QString filled("filled src_ip_country_code, which the file lacks, from the location database for 4992 rows");
        QVERIFY2(memory.out.contains(filled), qPrintable(memory.out));
        QVERIFY2(streamed.out.contains(filled), qPrintable(streamed.out));
        QVERIFY(streamed.out.contains("the file has no src_ip_country_code: the database's countries filled it in every "
                                      "pass\n")); // the first chunk's columns told: no second pass 1
        const QStringList a = lines(dir.filePath("memory.csv"));
        const QStringList b = lines(dir.filePath("stream.csv"));
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.first(), a.first());
        QVERIFY(a.first().contains(",src_asn,src_as_org,src_country,src_network_flags,dst_asn,"));
        // Every cell but beacon_score and the explanation's three, which streaming leaves empty.
        const QStringList header = a.first().split(',');
        QList<qsizetype> empty;
        for (const char* name : {"beacon_score", "top_feature", "top_feature_share", "explanation"})
            empty.prepend(header.indexOf(name));
        const QRegularExpression quoted("\"[^\"]*\"");
        const auto kept = [&](QString line) {
            QStringList cells = line.replace(quoted, "q").split(',');
            for (qsizetype i : empty) // last first
                cells.removeAt(i);
            return cells;
        };
        const qsizetype label = header.indexOf("anomaly_label") - 1; // after beacon_score's removal
        int suspicious = 0;
        for (qsizetype i = 0; i < a.size(); ++i) {
            QCOMPARE(kept(b[i]), kept(a[i]));
            suspicious += kept(b[i]).at(label) == "Suspicious";
        }
        QCOMPARE(suspicious, 250);
        const QJsonObject sidecar = QJsonDocument::fromJson(contents(dir.filePath("stream.csv") + ".provenance.json")).object();
        QCOMPARE(sidecar["location_database"]["file"].toString(), QString("/var/lib/location/database.db"));
        QVERIFY(sidecar["rerun"].toString().endsWith("--stream --location-db /var/lib/location/database.db"));
        // The fill is what made the scores: without the database the streamed scores differ.
        const Run plain = runWebthreat({"analyze", input, "--out", dir.filePath("plain.csv"), "--stream",
                                        "--features", "bytes_in,bytes_out,country_frequency"});
        QVERIFY2(plain.status == 0, qPrintable(plain.err));
        QVERIFY(!lines(dir.filePath("plain.csv")).first().contains("src_asn"));
        QVERIFY(!plain.out.contains(filled));
        const QStringList c = lines(dir.filePath("plain.csv"));
        const qsizetype score = header.indexOf("anomaly_score");
        const qsizetype plainScore = c.first().split(',').indexOf("anomaly_score");
        qsizetype scoresDiffer = 0;
        for (qsizetype i = 1; i < c.size(); ++i)
            scoresDiffer += QString(c[i]).replace(quoted, "q").split(',').at(plainScore)
                != QString(b[i]).replace(quoted, "q").split(',').at(score);
        QVERIFY(scoresDiffer > 1000);

        // The column there but empty in every row: pass 1 learns it at its end and reads the file again.
        const QString emptyCountry = dir.filePath("empty-country.csv");
        {
            QByteArray text;
            for (const QByteArray& line : contents(input).split('\n')) {
                qsizetype from = -1;
                for (int i = 0; i < 5 && (from = line.indexOf(',', from + 1)) >= 0;)
                    ++i;
                text += (from < 0 ? line
                                  : line.left(from) + (text.isEmpty() ? ",src_ip_country_code" : ",") + line.mid(from))
                    + '\n';
            }
            writeText(emptyCountry, text.trimmed() + '\n');
        }
        QVERIFY(lines(emptyCountry).at(1).contains(",83.19.18.86,,UDP,"));
        const Run emptyMemory = runWebthreat(QStringList{"analyze", emptyCountry, "--out", dir.filePath("empty-memory.csv")} + options);
        const Run emptyStreamed = runWebthreat(QStringList{"analyze", emptyCountry, "--out", dir.filePath("empty-stream.csv"),
                                                           "--stream", "--memory-budget", "1M"}
                                               + options);
        QVERIFY2(emptyStreamed.status == 0, qPrintable(emptyStreamed.err));
        QVERIFY(emptyMemory.out.contains(filled));
        QVERIFY(emptyStreamed.out.contains(filled));
        QVERIFY(emptyStreamed.out.contains("no row of the file has a src_ip_country_code: the database's countries filled "
                                           "it in every pass (pass 1 read the file again with them)"));
        const QStringList e = lines(dir.filePath("empty-memory.csv"));
        const QStringList f = lines(dir.filePath("empty-stream.csv"));
        QCOMPARE(f.size(), e.size());
        for (qsizetype i = 0; i < e.size(); ++i)
            QCOMPARE(kept(f[i]), kept(e[i]));

        // --json: the kept rows carry their enrichment; the sample holds every row, so the context is the
        // in-memory run's.
        const Run memoryJson = runWebthreat(QStringList{"analyze", input, "--json", "--no-behaviour"} + options);
        QVERIFY2(memoryJson.status == 0, qPrintable(memoryJson.err));
        const Run json = runWebthreat(QStringList{"analyze", input, "--json", "--stream", "--memory-budget", "1M"} + options);
        QVERIFY2(json.status == 0, qPrintable(json.err));
        const QJsonObject x = QJsonDocument::fromJson(memoryJson.out.toUtf8()).object();
        const QJsonObject y = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QVERIFY(!x["context"].toObject().isEmpty());
        for (const char* key : {"suspicious", "suspicious_rows"})
            QVERIFY2(y[key] == x[key], key);
        QJsonObject memoryContext = x["context"].toObject(), streamedContext = y["context"].toObject();
        memoryContext.remove("seconds"), streamedContext.remove("seconds"); // the lookups' time
        QCOMPARE(streamedContext, memoryContext);
        QVERIFY(json.out.contains("the 'Who is on the other end' section (the JSON's context) is drawn from the rows kept"));
        const QString html = dir.filePath("report.html");
        const Run report
            = runWebthreat(QStringList{"analyze", input, "--report", html, "--stream", "--memory-budget", "1M"} + options);
        QVERIFY2(report.status == 0, qPrintable(report.err));
        const QString text = QString::fromUtf8(contents(html));
        QVERIFY(text.contains("Who is on the other end"));
        QVERIFY(text.contains("is drawn from the rows kept: they hold every suspicious row"));
        const Run missing = runWebthreat({"analyze", input, "--location-db", dir.filePath("missing.db"), "--stream",
                                          "--out", dir.filePath("missing.csv")});
        QVERIFY2(missing.status == 0, qPrintable(missing.err));
        QVERIFY2(missing.err.contains("IP enrichment is off: " + dir.filePath("missing.db")), qPrintable(missing.err));
        QVERIFY(!lines(dir.filePath("missing.csv")).first().contains("src_asn"));
    }

    void json()
    {
        if (!QFile::exists(WEBTHREAT_REFERENCE_CSV))
            QSKIP("the reference dataset is not present");
        const Run run = runWebthreat({"analyze", WEBTHREAT_REFERENCE_CSV, "--preset", "notebook", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject root = document.object();
        QCOMPARE(root["rows"].toInt(), 282);
        QCOMPARE(root["suspicious"].toInt(), 15);
        QCOMPARE(root["cleaning"].toObject()["rows_in"].toInt(), 282);
        QCOMPARE(root["detector"].toObject()["trees"].toInt(), 100);
        QCOMPARE(root["detector"].toObject()["max_samples"].toInt(), 256);
        QCOMPARE(root["detector"].toObject()["contamination"].toDouble(), 0.05);
        QCOMPARE(root["suspicious_rows"].toArray().size(), 10);
        const QJsonObject top = root["findings"].toObject()["source_ips"].toArray().first().toObject();
        QCOMPARE(top["value"].toString(), QString("155.91.45.242"));
        QCOMPARE(top["suspicious"].toInt(), 14);
    }

    // --allow: the rows an allow-list matches leave the suspicious rows and the findings, and are
    // counted as suppressed in the text, the JSON, the scored CSV and the report. The sample has 38
    // rows from 15.69.52.67 (awk -F, '$5=="15.69.52.67"'), all of them suspicious at 5 %.
    void allowList()
    {
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        const QString scanner = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/allow/scanner.rules");
        const QString more = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/allow/more.rules");
        Run run = runWebthreat({"analyze", sample, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject plain = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(plain["suspicious"].toInt(), 250);
        QCOMPARE(plain["suppressed"].toInt(), 0);
        QVERIFY(!plain.contains("suppression"));
        const QJsonObject top = plain["findings"].toObject()["source_ips"].toArray().first().toObject();
        QCOMPARE(top["value"].toString(), QString("15.69.52.67"));
        QCOMPARE(top["suspicious"].toInt(), 38);
        QCOMPARE(top["rows"].toInt(), 38);

        run = runWebthreat({"analyze", sample, "--allow", scanner, "--allow", more, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject allowed = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(allowed["suspicious"].toInt(), 212);
        QCOMPARE(allowed["suppressed"].toInt(), 38);
        QCOMPARE(allowed["detector"].toObject()["threshold"].toDouble(),
                 plain["detector"].toObject()["threshold"].toDouble());
        for (const QJsonValue entry : allowed["findings"].toObject()["source_ips"].toArray())
            QVERIFY(entry.toObject()["value"].toString() != "15.69.52.67");
        for (const QJsonValue row : allowed["suspicious_rows"].toArray())
            QVERIFY(row.toObject()["src_ip"].toString() != "15.69.52.67");
        const QJsonObject suppression = allowed["suppression"].toObject();
        QCOMPARE(suppression["active_rules"].toInt(), 2);
        QCOMPARE(suppression["matched_rows"].toInt(), 38);
        QCOMPARE(suppression["suppressed"].toInt(), 38);
        const QJsonArray rules = suppression["rules"].toArray();
        QCOMPARE(rules.size(), 3); // both files' rules, in order
        QCOMPARE(rules[0].toObject()["rule"].toString(), QString("src_ip 15.69.52.67"));
        QCOMPARE(rules[0].toObject()["reason"].toString(), QString("our vulnerability scanner"));
        QCOMPARE(rules[0].toObject()["rows"].toInt(), 38);
        QCOMPARE(rules[1].toObject()["rule"].toString(), QString("src_ip_country_code ZZ"));
        QCOMPARE(rules[1].toObject()["rows"].toInt(), 0);
        QCOMPARE(rules[2].toObject()["enabled"].toBool(), false);
        QCOMPARE(rules[2].toObject()["rows"].toInt(), 0);

        // The text: the counts, each rule with its rows; the scored CSV: a suppressed column.
        QTemporaryDir dir;
        const QString scored = dir.filePath("scored.csv");
        const QString model = dir.filePath("model.json");
        run = runWebthreat({"analyze", sample, "--allow", scanner, "--out", scored, "--save-model", model});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Suspicious: 212 of 5000 rows (4.2 %)\n  and 38 more below the threshold "
                                  "suppressed by the allow-list (1 rule)"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("Allow-list: 38 suspicious rows suppressed by 1 rule (" + scanner
                                  + "); 38 rows match a rule\n  rows matched  rule\n            38  src_ip "
                                    "15.69.52.67 # our vulnerability scanner\n"),
                 qPrintable(run.out));
        const QStringList rows = lines(scored);
        QCOMPARE(rows.size(), 5001);
        const QStringList header = rows.first().split(',');
        QCOMPARE(header.last(), QString("suppressed"));
        int suppressedRows = 0;
        int suspiciousAndSuppressed = 0;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            if (rows[i].endsWith(",1")) {
                ++suppressedRows;
                QVERIFY(rows[i].contains(",15.69.52.67,"));
                suspiciousAndSuppressed += rows[i].contains(",Suspicious,") ? 1 : 0;
            } else {
                QVERIFY(rows[i].endsWith(",0"));
            }
        }
        QCOMPARE(suppressedRows, 38);
        QCOMPARE(suspiciousAndSuppressed, 0);
        // The provenance keeps the allow-list, and its rerun command repeats it.
        const QJsonObject sidecar = QJsonDocument::fromJson(contents(scored + ".provenance.json")).object();
        QCOMPARE(sidecar["result"]["suspicious"].toInt(), 212);
        QCOMPARE(sidecar["result"]["suppressed"].toInt(), 38);
        QCOMPARE(sidecar["allow_list"]["rules"].toInt(), 1);
        QCOMPARE(sidecar["allow_list"]["files"].toArray().first().toString(), QFileInfo(scanner).absoluteFilePath());
        QVERIFY2(sidecar["rerun"].toString().endsWith(" --allow " + QFileInfo(scanner).absoluteFilePath()),
                 qPrintable(sidecar["rerun"].toString()));

        // score applies the allow-list the same way, at the model's threshold.
        run = runWebthreat({"score", sample, "--model", model, "--allow", scanner, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject scoredJson = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(scoredJson["suspicious"].toInt(), 212);
        QCOMPARE(scoredJson["suppressed"].toInt(), 38);

        // The report lists the rules, their reasons and counts.
        const QString html = dir.filePath("report.html");
        run = runWebthreat({"analyze", sample, "--allow", scanner, "--report", html});
        if (run.status == 2 && run.err.contains("--report needs the Qt workbench"))
            QSKIP("this build has no Qt workbench (WEBTHREAT_BUILD_UI=OFF), so no --report");
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QString report = QString::fromUtf8(contents(html));
        QVERIFY(report.contains("Suppressed by the allow-list"));
        QVERIFY(report.contains("38 suspicious rows suppressed: rows an enabled rule matches leave the suspicious "
                                "list and the findings (the rules match 38 rows in all)."));
        QVERIFY(report.contains("<td class='mono'>src_ip 15.69.52.67</td><td>our vulnerability scanner</td>"
                                "<td>yes</td><td class='n'>38</td>"));
    }

    // --threat-list: the rows whose addresses are on a list are counted per list in the text and the
    // JSON, named in the scored CSV's threat_lists column and in the provenance; a bad list is bad
    // input (exit 3) with file:line:column, or skipped and counted with --threat-list-skip-bad.
    void threatLists()
    {
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        QTemporaryDir dir;
        const QString list = dir.filePath("scanners.txt");
        writeText(list, "# scanners\n15.69.52.0/24 ; SBL1\n2001:db8::/32\n");
        Run run = runWebthreat({"analyze", sample, "--threat-list", list});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Threat lists: 38 suspicious rows and 38 rows in all have src_ip or dst_ip on a list\n"
                                  "  38 suspicious rows from 1 source on list 'scanners' (38 rows in all, 1 source); "
                                  "2 entries\n"),
                 qPrintable(run.out));
        run = runWebthreat({"analyze", sample, "--threat-list", "known=" + list, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject root = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonObject known = root["threat_lists"].toObject()["lists"].toArray().first().toObject();
        QCOMPARE(known["name"].toString(), QString("known"));
        QCOMPARE(known["entries"].toInt(), 2);
        QCOMPARE(known["suspicious_rows"].toInt(), 38);
        QCOMPARE(known["suspicious_sources"].toInt(), 1);
        int listed = 0;
        for (const QJsonValue row : root["suspicious_rows"].toArray()) {
            const bool known = row.toObject()["src_ip"].toString() == QString("15.69.52.67");
            QCOMPARE(row.toObject()["threat_lists"].toString(), known ? QString("known") : QString());
            listed += known;
        }
        QVERIFY(listed > 0);

        const QString scored = dir.filePath("scored.csv");
        run = runWebthreat({"analyze", sample, "--threat-list", list, "--out", scored});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QList<QByteArray> lines = contents(scored).split('\n');
        QVERIFY(lines.first().endsWith(",threat_lists"));
        QCOMPARE(std::count_if(lines.begin(), lines.end(), [](const QByteArray& line) { return line.endsWith(",scanners"); }),
                 38);
        const QJsonObject sidecar = QJsonDocument::fromJson(contents(scored + ".provenance.json")).object();
        const QJsonObject recorded = sidecar["threat_lists"].toArray().first().toObject();
        QCOMPARE(recorded["path"].toString(), QFileInfo(list).absoluteFilePath());
        QCOMPARE(recorded["sha256"].toString().size(), 64);
        QCOMPARE(recorded["entries"].toInt(), 2);
        QVERIFY2(sidecar["rerun"].toString().endsWith(" --threat-list scanners=" + QFileInfo(list).absoluteFilePath()),
                 qPrintable(sidecar["rerun"].toString()));

        const QString bad = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/threatlists/bad-line.txt");
        run = runWebthreat({"analyze", sample, "--threat-list", bad});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("bad-line.txt:4:1: 'malware.example.net' is not an address, CIDR or range"),
                 qPrintable(run.err));
        run = runWebthreat({"analyze", sample, "--threat-list", bad, "--threat-list-skip-bad"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("    1 bad line of 5 skipped in") && run.out.contains("      line 4:1: 'malware.example.net'"),
                 qPrintable(run.out));
    }

    // --threat-list in streaming mode: the text's counts, the JSON's threat_lists, the scored CSV's
    // threat_lists column and the sidecar's lists are the in-memory run's (the sample holds every row).
    void threatListsStreamed()
    {
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        QTemporaryDir dir;
        const QString list = dir.filePath("scanners.txt");
        writeText(list, "# scanners\n15.69.52.0/24 ; SBL1\n2001:db8::/32\n");
        const QString other = dir.filePath("other.txt");
        writeText(other, "10.0.0.0/8\n15.69.52.67\n");
        const QStringList lists{"--threat-list", list, "--threat-list", other};
        const QStringList stream{"--stream", "--memory-budget", "1M"};
        const Run memory = runWebthreat(QStringList{"analyze", sample, "--out", dir.filePath("memory.csv")} + lists);
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat(QStringList{"analyze", sample, "--out", dir.filePath("stream.csv")} + lists + stream);
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        const auto threatText = [](const QString& out) {
            const qsizetype from = out.indexOf("Threat lists:");
            return out.mid(from, out.indexOf("\n\n", from) - from);
        };
        QVERIFY(threatText(memory.out).contains("38 suspicious rows from 1 source on list 'scanners'"));
        QCOMPARE(threatText(streamed.out), threatText(memory.out));
        // The scored CSV's threat_lists column, row by row.
        const QList<QByteArray> a = contents(dir.filePath("memory.csv")).split('\n');
        const QList<QByteArray> b = contents(dir.filePath("stream.csv")).split('\n');
        QCOMPARE(b.size(), a.size());
        QVERIFY(b.first().endsWith(",threat_lists"));
        for (qsizetype i = 0; i < a.size(); ++i)
            QCOMPARE(b[i].mid(b[i].lastIndexOf(',')), a[i].mid(a[i].lastIndexOf(',')));
        const QJsonObject sidecar = QJsonDocument::fromJson(contents(dir.filePath("stream.csv") + ".provenance.json")).object();
        QCOMPARE(sidecar["threat_lists"].toArray().size(), 2);
        QCOMPARE(sidecar["threat_lists"].toArray().first().toObject()["matched_rows"].toInt(), 38);

        const Run memoryJson = runWebthreat(QStringList{"analyze", sample, "--json", "--no-behaviour"} + lists);
        const Run streamedJson = runWebthreat(QStringList{"analyze", sample, "--json"} + lists + stream);
        QVERIFY2(streamedJson.status == 0, qPrintable(streamedJson.err));
        const QJsonObject x = QJsonDocument::fromJson(memoryJson.out.toUtf8()).object();
        const QJsonObject y = QJsonDocument::fromJson(streamedJson.out.toUtf8()).object();
        QVERIFY(!x["threat_lists"].toObject().isEmpty());
        QCOMPARE(y["threat_lists"], x["threat_lists"]);
        QCOMPARE(y["suspicious_rows"], x["suspicious_rows"]);
    }

    // --allow in streaming mode: the threshold, the suspicious and suppressed counts, the Allow-list
    // section, the scored CSV (labels and the suppressed column, every cell but the explanation and
    // beacon cells streaming leaves empty) and the sidecar's counts are the in-memory run's (the sample
    // holds every row); with threat lists too, their suspicious counts leave the suppressed rows out.
    void allowListStreamed()
    {
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        const QString scanner = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/allow/scanner.rules");
        const QString more = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/allow/more.rules");
        QTemporaryDir dir;
        const QString list = dir.filePath("scanners.txt");
        writeText(list, "15.69.52.0/24\n150.40.255.22\n");
        const QStringList options{"--allow", scanner, "--allow", more, "--threat-list", list};
        const Run memory = runWebthreat(QStringList{"analyze", sample, "--out", dir.filePath("memory.csv")} + options);
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat(QStringList{"analyze", sample, "--out", dir.filePath("stream.csv"), "--stream",
                                                      "--memory-budget", "1M"}
                                          + options);
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        QVERIFY(memory.out.contains("Suspicious: 212 of 5000 rows (4.2 %)\n  and 38 more below the threshold suppressed "
                                    "by the allow-list (2 rules)\n"));
        QVERIFY2(streamed.out.contains("Suspicious: 212 of 5000 rows (4.24 %)\n  and 38 more below the threshold "
                                       "suppressed by the allow-list (2 rules)\n"),
                 qPrintable(streamed.out));
        const auto section = [](const QString& out, const char* title) {
            const qsizetype from = out.indexOf(title);
            return from < 0 ? QString() : out.mid(from, out.indexOf("\n\n", from) - from);
        };
        QVERIFY(section(memory.out, "Allow-list:").contains("            38  src_ip 15.69.52.67 # our vulnerability scanner"));
        QCOMPARE(section(streamed.out, "Allow-list:"), section(memory.out, "Allow-list:"));
        QVERIFY(!section(memory.out, "Threat lists:").isEmpty());
        QCOMPARE(section(streamed.out, "Threat lists:"), section(memory.out, "Threat lists:"));
        // The most anomalous rows listed leave the allowed source out.
        QVERIFY(!section(streamed.out, "Most anomalous rows:").contains("15.69.52.67"));
        const QStringList a = lines(dir.filePath("memory.csv"));
        const QStringList b = lines(dir.filePath("stream.csv"));
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.first(), a.first());
        QVERIFY(a.first().endsWith(",suppressed,threat_lists"));
        // Cells 18 (beacon_score) and 25-27 (top_feature, its share, explanation) are empty in streaming mode.
        const QRegularExpression quoted("\"[^\"]*\"");
        const auto kept = [&](QString line) {
            QStringList cells = line.replace(quoted, "q").split(',');
            cells.removeAt(27), cells.removeAt(26), cells.removeAt(25), cells.removeAt(20);
            return cells;
        };
        QVERIFY(a.first().split(',').at(20) == "beacon_score" && a.first().split(',').at(25) == "top_feature");
        int suppressed = 0;
        for (qsizetype i = 0; i < a.size(); ++i) {
            QCOMPARE(kept(b[i]), kept(a[i]));
            suppressed += kept(b[i]).at(kept(b[i]).size() - 2) == "1";
        }
        QCOMPARE(suppressed, 38);
        for (const QString name : {"memory.csv", "stream.csv"}) {
            const QJsonObject sidecar
                = QJsonDocument::fromJson(contents(dir.filePath(name) + ".provenance.json")).object();
            QCOMPARE(sidecar["result"]["suspicious"].toInt(), 212);
            QCOMPARE(sidecar["result"]["suppressed"].toInt(), 38);
            QCOMPARE(sidecar["allow_list"]["rules"].toInt(), 2);
            QCOMPARE(sidecar["allow_list"]["files"].toArray().size(), 2);
        }
        // --json: the rows the summary keeps leave the suppressed ones out; the suppression counts (per
        // rule, over the whole file), the counts, findings and suspicious rows are the in-memory run's,
        // with chunks far smaller than the file.
        const Run memoryJson = runWebthreat(QStringList{"analyze", sample, "--json", "--no-behaviour"} + options);
        QVERIFY2(memoryJson.status == 0, qPrintable(memoryJson.err));
        const Run streamedJson
            = runWebthreat(QStringList{"analyze", sample, "--json", "--stream", "--memory-budget", "1M"} + options);
        QVERIFY2(streamedJson.status == 0, qPrintable(streamedJson.err));
        const QJsonObject x = QJsonDocument::fromJson(memoryJson.out.toUtf8()).object();
        const QJsonObject y = QJsonDocument::fromJson(streamedJson.out.toUtf8()).object();
        QVERIFY2(!y.isEmpty(), qPrintable(streamedJson.out.left(400)));
        QCOMPARE(x["suppressed"].toInt(), 38);
        QCOMPARE(x["suppression"].toObject()["active_rules"].toInt(), 2);
        for (const char* key : {"rows", "suspicious", "suppressed", "suppression", "findings", "threat_lists",
                                "suspicious_rows"})
            QVERIFY2(y[key] == x[key], key);
        QVERIFY(y["streaming"].toObject()["suspicious_kept_complete"].toBool());
        QCOMPARE(y["streaming"].toObject()["suspicious_total"].toInt(), 212);
        QVERIFY(!streamedJson.out.contains("\"src_ip\": \"15.69.52.67\""));
        // --report: the Suppressed by the allow-list section with the whole file's counts.
        const QString html = dir.filePath("report.html");
        const Run report = runWebthreat(QStringList{"analyze", sample, "--report", html, "--stream", "--memory-budget",
                                                    "1M"}
                                        + options);
        QVERIFY2(report.status == 0, qPrintable(report.err));
        const QString text = QString::fromUtf8(contents(html));
        QVERIFY(text.contains("Suppressed by the allow-list"));
        QVERIFY2(text.contains("38 suspicious rows"), qPrintable(text.mid(text.indexOf("Suppressed by the allow-list"), 2000)));
        QVERIFY(text.contains("212 of 5,000 rows"));
        // A bad rules file stops a streamed run as it stops an in-memory one.
        const QString bad = dir.filePath("bad.rules");
        writeText(bad, "src_ip 10.0.0.0/33\n");
        const Run badRun = runWebthreat({"analyze", sample, "--allow", bad, "--stream", "--memory-budget", "1M"});
        QCOMPARE(badRun.status, 3);
        QVERIFY2(badRun.err.contains("bad.rules:1:8: '10.0.0.0/33' is not an address or CIDR"), qPrintable(badRun.err));
        QVERIFY(badRun.out.isEmpty());
    }

    // A bad rules file is bad input (exit 3), named with its line and the column of the bad value.
    void allowListErrors_data()
    {
        QTest::addColumn<QByteArray>("rules");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad CIDR") << QByteArray("# a bad CIDR on line 3\nsrc_ip 15.69.52.67\nsrc_ip 10.0.0.0/33 # NAT\n")
                                  << QString("allow.rules:3:8: '10.0.0.0/33' is not an address or CIDR: the prefix "
                                             "length must be 0-32");
        QTest::newRow("unknown field")
            << QByteArray("dst_port 123\nsource 10.0.0.7\n")
            << QString("allow.rules:2:1: unknown field 'source': expected src_ip, dst_ip, dst_port, protocol, "
                       "src_ip_country_code (or country), rule_names or pair");
        QTest::newRow("missing value") << QByteArray("\n\nprotocol\n")
                                       << QString("allow.rules:3:9: 'protocol' needs a value: a protocol (TCP)");
        QTest::newRow("port 70000") << QByteArray("dst_port 70000 # NTP\n")
                                    << QString("allow.rules:1:10: '70000' is not a port: a port is 0-65535");
    }
    void allowListErrors()
    {
        QFETCH(QByteArray, rules);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath("allow.rules");
        writeText(path, rules);
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        for (const char* command : {"analyze", "score"}) {
            QStringList arguments{command, sample, "--allow", path};
            if (QByteArray(command) == "score")
                arguments << "--model" << dir.filePath("no-model.json"); // the rules are read first
            const Run run = runWebthreat(arguments);
            QCOMPARE(run.status, 3);
            QVERIFY2(run.err.contains(dir.filePath(message)), qPrintable(run.err));
            QVERIFY(run.out.isEmpty());
        }
        const Run missing = runWebthreat({"analyze", sample, "--allow", dir.filePath("none.rules")});
        QCOMPARE(missing.status, 3);
        QVERIFY2(missing.err.contains(dir.filePath("none.rules") + ": cannot open the rules file"), qPrintable(missing.err));
    }

    void sameScoresAnyThreadCount()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        Run run = runWebthreat({"generate", "--rows", "20000", "--seed", "3", "--label", "--out", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(lines(input).size(), 20001);
        run = runWebthreat({"analyze", input, "--threads", "1", "--out", dir.filePath("one.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        run = runWebthreat({"analyze", input, "--threads", "2", "--out", dir.filePath("two.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(QCryptographicHash::hash(contents(dir.filePath("one.csv")), QCryptographicHash::Sha256),
                 QCryptographicHash::hash(contents(dir.filePath("two.csv")), QCryptographicHash::Sha256));
        // The ground-truth columns are carried through as extra columns.
        QVERIFY(lines(dir.filePath("one.csv")).first().contains("is_attack,attack_kind,session_duration"));
    }

    // Streaming mode (--stream, or a file larger than --memory-budget) on a file small enough for the
    // sample to hold every row: the in-memory run's verdicts and scored CSV, the suspicious rows'
    // explanations included (beacon_score, which streaming leaves empty, apart), read in chunks of 64 KiB.
    void streamingMatchesInMemory()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        Run run = runWebthreat({"generate", "--rows", "20000", "--seed", "5", "--out", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const Run memory = runWebthreat({"analyze", input, "--out", dir.filePath("memory.csv")});
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run forced
            = runWebthreat({"analyze", input, "--stream", "--memory-budget", "1M", "--out", dir.filePath("stream.csv")});
        QVERIFY2(forced.status == 0, qPrintable(forced.err));
        QVERIFY(forced.out.contains("Streaming mode (--stream)."));
        QVERIFY(forced.out.contains("Suspicious: 1000 of 20000 rows"));
        QVERIFY(memory.out.contains("Suspicious: 1000 of 20000 rows"));
        QVERIFY(forced.out.contains("the forest was fitted on every cleaned row, as in memory"));
        const QStringList a = lines(dir.filePath("memory.csv"));
        const QStringList b = lines(dir.filePath("stream.csv"));
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.first(), a.first());
        // beacon_score (field 18) is empty in streaming mode: a pair's score needs all its sessions.
        QCOMPARE(fields(a.first()).at(18), QStringLiteral("beacon_score"));
        const auto withoutExplanation = [&](const QString& line) {
            QStringList kept = fields(line);
            kept.removeAt(18);
            return kept;
        };
        for (qsizetype i = 0; i < a.size(); ++i) {
            QCOMPARE(withoutExplanation(b[i]), withoutExplanation(a[i]));
            if (i > 0)
                QCOMPARE(fields(b[i]).at(18), QString());
        }
        // Without --stream, a budget the file does not fit switches to streaming mode and says why.
        const Run budget = runWebthreat({"analyze", input, "--memory-budget", "1M"});
        QVERIFY2(budget.status == 0, qPrintable(budget.err));
        QVERIFY(budget.out.contains("Streaming mode: the file would need about"));
        QVERIFY(budget.out.contains("Suspicious: 1000 of 20000 rows"));
    }

    // --truth (and the ground-truth column found by its name) and --explain all in streaming mode, on a
    // labelled file the sample holds whole: the evaluation is the in-memory one in the text and the
    // JSON (but for the line, and the "method" member, saying it was computed exactly from the scores
    // sorted on disk), and the scored CSV with every row explained is the in-memory one, every cell but
    // beacon_score (a pair's score needs all its sessions at once: empty in streaming mode).
    void streamingEvaluationAndExplanations()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("labelled.csv");
        Run run = runWebthreat({"generate", "--rows", "20000", "--seed", "5", "--label", "--out", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QStringList stream{"--stream", "--memory-budget", "1M"};
        const Run memory = runWebthreat({"analyze", input, "--no-behaviour", "--explain", "all", "--out", dir.filePath("memory.csv")});
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat(QStringList{"analyze", input, "--explain", "all", "--out", dir.filePath("stream.csv")}
                                          + stream);
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        const auto evaluation = [](QString out) {
            const qsizetype from = out.indexOf("\nEvaluation against");
            out = from < 0 ? QString() : out.mid(from, out.indexOf("\n\n", from + 1) - from);
            return out.remove(QRegularExpression("\n  exact: [^\n]*"));
        };
        QVERIFY2(evaluation(memory.out).contains("Evaluation against is_attack ("), qPrintable(memory.out));
        QVERIFY2(streamed.out.contains("\n  exact: every row's score and truth sorted on disk in streaming mode (1 run)\n"),
                 qPrintable(streamed.out));
        QCOMPARE(evaluation(streamed.out), evaluation(memory.out));
        QVERIFY(streamed.out.contains("the evaluation against is_attack is exact"));
        // Named, and in the JSON.
        const Run memoryJson = runWebthreat({"analyze", input, "--json", "--no-behaviour", "--truth", "is_attack"});
        const Run streamedJson = runWebthreat(QStringList{"analyze", input, "--json", "--truth", "is_attack"} + stream);
        QVERIFY2(memoryJson.status == 0 && streamedJson.status == 0, qPrintable(memoryJson.err + streamedJson.err));
        QJsonObject x = QJsonDocument::fromJson(memoryJson.out.toUtf8()).object()["evaluation"].toObject();
        QJsonObject y = QJsonDocument::fromJson(streamedJson.out.toUtf8()).object()["evaluation"].toObject();
        QVERIFY(!x.isEmpty());
        QVERIFY(y["method"].toString().startsWith("exact"));
        y.remove("method");
        QCOMPARE(y, x);
        // The scored CSV, every row explained.
        const QStringList a = lines(dir.filePath("memory.csv"));
        const QStringList b = lines(dir.filePath("stream.csv"));
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.first(), a.first());
        const QStringList header = a.first().split(',');
        const qsizetype beacon = header.indexOf("beacon_score");
        const qsizetype explanation = header.indexOf("explanation");
        QVERIFY(beacon > 0 && explanation > beacon);
        for (qsizetype i = 1; i < a.size(); ++i) {
            QStringList x = fields(a[i]), y = fields(b[i]);
            QVERIFY2(!y.at(explanation).isEmpty(), qPrintable(b[i]));
            x.removeAt(beacon), y.removeAt(beacon);
            QCOMPARE(y, x);
        }
    }

    // A duplicate set past a quarter of the budget (1 MiB here: about 92,000 rows) spills to
    // --scratch, says so, leaves nothing there and gives the unspilled run's verdicts; a scratch
    // folder that cannot be made stops the run with its path.
    void streamingDuplicatesSpill()
    {
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const QString input = dir.filePath("generated.csv");
        Run run = runWebthreat({"generate", "--rows", "100000", "--seed", "9", "--out", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        {
            // The first 30,000 rows again at the end: duplicates found after the spill.
            const QStringList rows = lines(input);
            QFile file(input);
            QVERIFY(file.open(QIODevice::Append));
            for (qsizetype i = 1; i <= 30000; ++i)
                file.write((rows[i] + u'\n').toUtf8());
        }
        const Run spilled = runWebthreat({"analyze", input, "--stream", "--memory-budget", "1M", "--scratch", scratch.path()});
        QVERIFY2(spilled.status == 0, qPrintable(spilled.err));
        QVERIFY2(spilled.out.contains("spilled to") && spilled.out.contains("partition files"), qPrintable(spilled.out));
        QVERIFY(spilled.out.contains("30000 duplicate(s) found there; pass 1 read the file again"));
        QVERIFY(spilled.out.contains("30000 exact duplicate row(s) dropped"));
        QVERIFY(QDir(scratch.path()).isEmpty());
        const Run roomy = runWebthreat({"analyze", input, "--stream", "--memory-budget", "64M"});
        QVERIFY2(roomy.status == 0, qPrintable(roomy.err));
        QVERIFY(!roomy.out.contains("spilled to"));
        const auto verdict = [](const QString& out) {
            QStringList kept;
            for (const QString& line : out.split(u'\n')) {
                if (line.startsWith(u"Threshold:") || line.startsWith(u"Suspicious:") || line.startsWith(u"Rows:"))
                    kept.append(line);
            }
            return kept;
        };
        QCOMPARE(verdict(spilled.out).size(), 3);
        QCOMPARE(verdict(spilled.out), verdict(roomy.out));

        const QString notAFolder = dir.filePath("not-a-folder");
        QFile blocker(notAFolder);
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const Run refused = runWebthreat({"analyze", input, "--stream", "--memory-budget", "1M", "--scratch", notAFolder});
        QVERIFY(refused.status != 0);
        QVERIFY2(refused.err.contains(notAFolder), qPrintable(refused.err));
    }

    // score --model in streaming mode (--stream, or a file larger than --memory-budget): the in-memory
    // score's verdicts and scored CSV (the explanation and beacon cells, empty in streaming mode,
    // apart), at the model's threshold and re-thresholded with --contamination; the output and the
    // provenance say what differs.
    void streamingScoreMatchesInMemory_data()
    {
        QTest::addColumn<QStringList>("threshold");
        QTest::newRow("the model's threshold") << QStringList{};
        QTest::newRow("--contamination 3%") << QStringList{"--contamination", "3%"};
    }
    void streamingScoreMatchesInMemory()
    {
        QFETCH(QStringList, threshold);
        QTemporaryDir dir;
        const QString training = dir.filePath("monday.csv");
        const QString input = dir.filePath("tuesday.csv");
        const QString model = dir.filePath("baseline.json");
        QVERIFY(runWebthreat({"generate", "--rows", "4000", "--seed", "8", "--out", training}).status == 0);
        QVERIFY(runWebthreat({"generate", "--rows", "12000", "--seed", "9", "--out", input}).status == 0);
        Run run = runWebthreat({"analyze", training, "--save-model", model});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const Run memory = runWebthreat(QStringList{"score", input, "--model", model, "--out", dir.filePath("memory.csv")}
                                        + threshold);
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat(QStringList{"score", input, "--model", model, "--stream", "--memory-budget", "1M",
                                                      "--out", dir.filePath("stream.csv")}
                                          + threshold);
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        QVERIFY(streamed.out.contains("Streaming mode (--stream)."));
        QVERIFY(streamed.out.contains("scored with the saved model"));
        // The drift report: the in-memory one (the sample holds every row, so the medians too).
        QVERIFY(streamed.out.contains("the drift against the model's training data: new categories and rows outside "
                                      "the training range counted over every row; the medians over every row"));
        const auto driftSection = [](const QString& out) {
            const qsizetype from = out.indexOf("Drift against the training data:");
            return from < 0 ? QString() : out.mid(from, out.indexOf("\n\n", from) - from);
        };
        QVERIFY2(!driftSection(memory.out).isEmpty(), qPrintable(memory.out));
        QCOMPARE(driftSection(streamed.out), driftSection(memory.out));
        // The verdict count: "Suspicious: N of 12000 rows" in both reports.
        const QRegularExpression count(QStringLiteral("Suspicious: (\\d+) of"));
        const QRegularExpressionMatch a = count.match(memory.out);
        const QRegularExpressionMatch b = count.match(streamed.out);
        QVERIFY2(a.hasMatch() && b.hasMatch(), qPrintable(memory.out + streamed.out));
        QCOMPARE(b.captured(1), a.captured(1));
        const QStringList memoryLines = lines(dir.filePath("memory.csv"));
        const QStringList streamLines = lines(dir.filePath("stream.csv"));
        QCOMPARE(streamLines.size(), memoryLines.size());
        QCOMPARE(streamLines.first(), memoryLines.first());
        const QStringList header = memoryLines.first().split(',');
        const auto kept = [&](const QString& line) {
            const QStringList cells = fields(line);
            QStringList out;
            for (qsizetype i = 0; i < header.size() && i < cells.size(); ++i) {
                if (header[i] != "beacon_score") // the explanations too: the sample holds every row
                    out.append(cells[i]);
            }
            return out;
        };
        for (qsizetype i = 1; i < memoryLines.size(); ++i)
            QCOMPARE(kept(streamLines[i]), kept(memoryLines[i]));
        const QByteArray provenance = contents(dir.filePath("stream.csv") + ".provenance.json");
        QVERIFY2(provenance.contains("scored with the saved model"), provenance.constData());
        // --json streams too: the same count and the model named.
        const Run json = runWebthreat(QStringList{"score", input, "--model", model, "--stream", "--json"} + threshold);
        QVERIFY2(json.status == 0, qPrintable(json.err));
        const QJsonObject document = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(QString::number(document["suspicious"].toInteger()), a.captured(1));
        QVERIFY(document.contains("model") && document.contains("streaming"));
        const Run memoryJson = runWebthreat(QStringList{"score", input, "--model", model, "--json"} + threshold);
        QVERIFY2(memoryJson.status == 0, qPrintable(memoryJson.err));
        const QJsonObject inMemory = QJsonDocument::fromJson(memoryJson.out.toUtf8()).object();
        QVERIFY(!inMemory["drift"].toObject().isEmpty());
        QCOMPARE(document["drift"], inMemory["drift"]);
    }

    // analyze --stream --save-model: when the sample holds every row, the very model the in-memory
    // run saves (forest, encodings, drift baseline, threshold; only the time it was made differs),
    // and it scores another file as that one does.
    void streamingSavesTheInMemoryModel()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("train.csv");
        const QString other = dir.filePath("other.csv");
        QVERIFY(runWebthreat({"generate", "--rows", "8000", "--seed", "11", "--out", input}).status == 0);
        QVERIFY(runWebthreat({"generate", "--rows", "3000", "--seed", "12", "--out", other}).status == 0);
        const QString memory = dir.filePath("memory.json");
        const QString streamed = dir.filePath("stream.json");
        Run run = runWebthreat({"analyze", input, "--save-model", memory});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        run = runWebthreat({"analyze", input, "--stream", "--memory-budget", "1M", "--save-model", streamed});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Model written to " + streamed), qPrintable(run.out));
        const QRegularExpression created(QStringLiteral("\"created\": \"[^\"]*\""));
        QString a = QString::fromUtf8(contents(memory)).replace(created, QString());
        QString b = QString::fromUtf8(contents(streamed)).replace(created, QString());
        QVERIFY(a.size() > 1000);
        QCOMPARE(b, a);
        const Run withMemory = runWebthreat({"score", other, "--model", memory, "--json"});
        const Run withStreamed = runWebthreat({"score", other, "--model", streamed, "--json"});
        QVERIFY2(withStreamed.status == 0, qPrintable(withStreamed.err));
        const QJsonObject x = QJsonDocument::fromJson(withMemory.out.toUtf8()).object();
        const QJsonObject y = QJsonDocument::fromJson(withStreamed.out.toUtf8()).object();
        QCOMPARE(y["suspicious"], x["suspicious"]);
        QCOMPARE(y["suspicious_rows"], x["suspicious_rows"]);
        QCOMPARE(y["drift"], x["drift"]);
    }

    // analyze --stream --json and --report: when the sample holds every row, the JSON's counts,
    // findings and listed suspicious rows (with their explanations) are the in-memory run's, plus a
    // "streaming" object; the report states the whole file's counts and what was drawn from the rows
    // kept.
    void streamingJsonAndReport()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        Run run = runWebthreat({"generate", "--rows", "12000", "--seed", "9", "--out", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const Run memory = runWebthreat({"analyze", input, "--json", "--no-behaviour"});
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat({"analyze", input, "--json", "--stream", "--memory-budget", "1M"});
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        const QJsonObject a = QJsonDocument::fromJson(memory.out.toUtf8()).object();
        QJsonObject b = QJsonDocument::fromJson(streamed.out.toUtf8()).object();
        QVERIFY2(!b.isEmpty(), qPrintable(streamed.out.left(400)));
        const QJsonObject streaming = b.take("streaming").toObject();
        QCOMPARE(streaming["rows_scored"].toInteger(), a["rows"].toInteger());
        QCOMPARE(streaming["suspicious_total"].toInteger(), a["suspicious"].toInteger());
        QVERIFY(streaming["suspicious_kept_complete"].toBool());
        QVERIFY2(streaming["rows_shown"].toString().startsWith("Streaming mode: showing the 600 suspicious rows"),
                 qPrintable(streaming["rows_shown"].toString()));
        for (const char* key : {"rows", "suspicious", "findings", "suspicious_rows"})
            QVERIFY2(b[key] == a[key], key);
        QCOMPARE(b["cleaning"].toObject()["rows_out"], a["cleaning"].toObject()["rows_out"]);
        QVERIFY(!a["suspicious_rows"].toArray().isEmpty());
        QVERIFY(a["suspicious_rows"].toArray()[0].toObject().contains("explanation"));

        const QString html = dir.filePath("report.html");
        run = runWebthreat({"analyze", input, "--stream", "--memory-budget", "1M", "--report", html});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Report written to " + html), qPrintable(run.out));
        const QString report = QString::fromUtf8(contents(html));
        QVERIFY(report.contains("600 of 12,000 rows"));
        QVERIFY2(report.contains("Streaming mode: showing the 600 suspicious rows and a random sample of 11,400 of the "
                                 "file&#39;s 12,000 rows")
                     || report.contains("Streaming mode: showing the 600 suspicious rows and a random sample of 11,400 of the "
                                        "file's 12,000 rows"),
                 qPrintable(report.left(4000)));
        QVERIFY(report.contains("Not computed in streaming mode"));
    }

    // Streaming's scoring pass reads pass 1's cleaned rows from the scratch folder, or with --reparse
    // reads the file again: the text report (but its times), the JSON and the exit status are the same
    // byte for byte, with an allow-list and threat lists matched in that pass; nothing is left in the
    // scratch folder; a scratch folder that cannot be written drops the spill, with a warning naming
    // it, and the run reads the file again to the same results.
    void streamingSpillSameAsReparse()
    {
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        const QString scanner = QStringLiteral(WEBTHREAT_SOURCE_DIR "/tests/data/allow/scanner.rules");
        QTemporaryDir dir;
        QTemporaryDir scratch;
        const QString list = dir.filePath("scanners.txt");
        writeText(list, "15.69.52.0/24\n150.40.255.22\n");
        const QStringList options{"--stream", "--memory-budget", "1M", "--allow", scanner, "--threat-list", list,
                                  "--scratch", scratch.path()};
        const auto withoutTimes = [](const QString& text) {
            QStringList lines = text.split('\n');
            lines.removeIf([](const QString& line) { return line.startsWith("Time: "); });
            return lines.join('\n');
        };
        const Run spilled = runWebthreat(QStringList{"analyze", sample, "--log-level", "info"} + options);
        QVERIFY2(spilled.status == 0, qPrintable(spilled.err));
        QVERIFY2(spilled.err.contains("the scoring passes read them instead of the file"), qPrintable(spilled.err));
        const Run reparsed = runWebthreat(QStringList{"analyze", sample, "--log-level", "info", "--reparse"} + options);
        QVERIFY2(reparsed.status == 0, qPrintable(reparsed.err));
        QVERIFY(!reparsed.err.contains("the scoring passes read them instead of the file"));
        QVERIFY(spilled.out.contains("Suspicious: 212 of 5000 rows"));
        QVERIFY(spilled.out.contains("Time: "));
        QCOMPARE(withoutTimes(spilled.out), withoutTimes(reparsed.out));

        const Run spilledJson = runWebthreat(QStringList{"analyze", sample, "--json"} + options);
        QVERIFY2(spilledJson.status == 0, qPrintable(spilledJson.err));
        const Run reparsedJson = runWebthreat(QStringList{"analyze", sample, "--json", "--reparse"} + options);
        QVERIFY2(reparsedJson.status == 0, qPrintable(reparsedJson.err));
        QVERIFY(spilledJson.out.size() > 10000);
        QCOMPARE(spilledJson.out, reparsedJson.out);
        QVERIFY(QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());

        // A scratch folder that cannot take the spill drops it: the run reads the file again, gives
        // the same report, and says why in a warning and the report's notes. (A file without a
        // ground truth: the exact evaluation's scores need the scratch folder and stop the run.)
        const QString generated = dir.filePath("generated.csv");
        const Run made = runWebthreat({"generate", "--rows", "3000", "--seed", "3", "--out", generated});
        QVERIFY2(made.status == 0, qPrintable(made.err));
        const QString unwritable = dir.filePath("scanners.txt/below"); // a file's path as a folder
        const Run dropped = runWebthreat({"analyze", generated, "--json", "--stream", "--scratch", unwritable});
        QVERIFY2(dropped.status == 0, qPrintable(dropped.err));
        QVERIFY2(dropped.err.contains("cannot make a scratch file for the cleaned rows in " + unwritable),
                 qPrintable(dropped.err));
        QVERIFY2(dropped.out.contains("the scoring passes read the file again"), qPrintable(dropped.out));
        const Run kept = runWebthreat({"analyze", generated, "--json", "--stream", "--scratch", scratch.path()});
        QVERIFY2(kept.status == 0, qPrintable(kept.err));
        const QJsonObject droppedReport = QJsonDocument::fromJson(dropped.out.toUtf8()).object();
        const QJsonObject keptReport = QJsonDocument::fromJson(kept.out.toUtf8()).object();
        for (const char* member : {"rows", "suspicious", "findings", "suspicious_rows"}) {
            QVERIFY2(!keptReport[member].isUndefined(), member);
            QCOMPARE(droppedReport[member], keptReport[member]);
        }
    }

    // Every log format and packing streams: a Zeek conn.log (gzip), a load-balancer log and a VPC Flow
    // Log give the in-memory verdicts.
    void streamingLogFormats_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("zeek, gzip") << "zeek_conn.log.gz";
        QTest::newRow("zeek, json") << "zeek_conn.json";
        QTest::newRow("alb/nlb/elb") << "alb_nlb_elb_mixed_test.log";
        QTest::newRow("vpc flow") << "vpcflow_v2_accept_reject_with_header.log";
    }
    void streamingLogFormats()
    {
        QFETCH(QString, file);
        const QString path = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/") + file;
        const Run memory = runWebthreat({"analyze", path});
        QVERIFY2(memory.status == 0, qPrintable(memory.err));
        const Run streamed = runWebthreat({"analyze", path, "--stream"});
        QVERIFY2(streamed.status == 0, qPrintable(streamed.err));
        const QRegularExpression count(QStringLiteral("Suspicious: (\\d+) of (\\d+) rows"));
        const QRegularExpressionMatch a = count.match(memory.out);
        const QRegularExpressionMatch b = count.match(streamed.out);
        QVERIFY2(a.hasMatch() && b.hasMatch(), qPrintable(memory.out + streamed.out));
        QCOMPARE(b.captured(1), a.captured(1));
        QCOMPARE(b.captured(2), a.captured(2));
    }

    // A summary run lets go of the columns its report does not use (after cleaning); a run that
    // writes the scored CSV keeps them all. Their reports must be the same, down to the byte.
    void summaryRunReportsAsAFullRun()
    {
        QTemporaryDir dir;
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        for (const QString& features : {QStringLiteral("bytes_in,bytes_out,session_duration,avg_packet_size"),
                                        QStringLiteral("bytes_in,response_code_frequency,protocol_frequency,country_"
                                                       "frequency,dst_port_frequency,source_total_bytes")}) {
            const Run summary = runWebthreat({"analyze", sample, "--features", features, "--top", "25"});
            QVERIFY2(summary.status == 0, qPrintable(summary.err));
            const QString out = dir.filePath("scored.csv");
            const Run full
                = runWebthreat({"analyze", sample, "--features", features, "--top", "25", "--out", out, "--force"});
            QVERIFY2(full.status == 0, qPrintable(full.err));
            const qsizetype written = full.out.indexOf("\nScored rows written to ");
            QVERIFY(written > 0);
            QCOMPARE(summary.out, full.out.left(written));
        }
    }

    // --scale auto shapes the inputs with log1p, --scale none leaves them raw: different scores,
    // each recorded in the report, the JSON and the sidecar, and each reproduced by its rerun.
    void scaleChoiceIsRecordedAndReproduced()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "4000", "--seed", "11", "--label", "--out", input}).status, 0);
        QStringList scoreColumns[2];
        int index = 0;
        for (const QString& scale : {QStringLiteral("auto"), QStringLiteral("none")}) {
            const QString scored = dir.filePath(scale + ".csv");
            Run run = runWebthreat({"analyze", input, "--scale", scale, "--trees", "40", "--out", scored});
            QVERIFY2(run.status == 0, qPrintable(run.err));
            QVERIFY2(run.out.contains("\n  input scaling: " + scale + " ("), qPrintable(run.out));
            const QJsonObject sidecar = QJsonDocument::fromJson(contents(scored + ".provenance.json")).object();
            QCOMPARE(sidecar["detector"]["scaling"].toString(), scale);
            const QString rerun = sidecar["rerun"].toString();
            QVERIFY2(rerun.contains(" --scale " + scale + " "), qPrintable(rerun));
            run = runWebthreat({"analyze", input, "--scale", scale, "--json"});
            QVERIFY2(run.status == 0, qPrintable(run.err));
            const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
            QCOMPARE(report["detector"].toObject()["scaling"].toString(), scale);

            // The recorded command, run as written, gives the same scored file.
            QStringList arguments = rerun.split(' ');
            QCOMPARE(arguments.takeFirst(), QString("webthreat"));
            const QString again = dir.filePath(scale + "-again.csv");
            run = runWebthreat(arguments + QStringList{"--out", again});
            QVERIFY2(run.status == 0, qPrintable(run.err));
            QCOMPARE(lines(again), lines(scored));
            const QStringList rows = lines(scored);
            const qsizetype scoreColumn = rows.first().split(',').indexOf("anomaly_score");
            QVERIFY(scoreColumn > 0);
            for (const QString& row : rows.mid(1))
                scoreColumns[index] << row.split(',')[scoreColumn];
            ++index;
        }
        QCOMPARE(scoreColumns[0].size(), 4000);
        QVERIFY(scoreColumns[0] != scoreColumns[1]);
    }

    // The notebook's detector is one flag away: --preset notebook is its four features, raw, and
    // the default is the measured six, scaled.
    void notebookPresetIsTheNotebooksFourRaw()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "3000", "--seed", "4", "--out", input}).status, 0);
        Run run = runWebthreat({"analyze", input, "--preset", "notebook", "--out", dir.filePath("preset.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(
            run.out.contains("features: bytes_in, bytes_out, session_duration, avg_packet_size\n  input scaling: none"),
            qPrintable(run.out));
        run = runWebthreat({"analyze", input, "--features", "bytes_in,bytes_out,session_duration,avg_packet_size",
                            "--scale", "none", "--out", dir.filePath("explicit.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(contents(dir.filePath("preset.csv")), contents(dir.filePath("explicit.csv")));
        // A flag given with the preset wins over the preset's part.
        run = runWebthreat({"analyze", input, "--preset", "notebook", "--scale", "auto", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object()["detector"].toObject()["scaling"].toString(),
                 QString("auto"));

        run = runWebthreat({"analyze", input, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject detector = QJsonDocument::fromJson(run.out.toUtf8()).object()["detector"].toObject();
        QCOMPARE(detector["scaling"].toString(), QString("auto"));
        QCOMPARE(detector["features"].toArray(),
                 QJsonArray({"bytes_in", "bytes_out", "session_duration", "avg_packet_size", "dst_port_frequency",
                             "response_code_frequency"}));
    }

    void evaluatesAgainstGroundTruth()
    {
        // The bundled sample has is_attack: the report adds the evaluation, with the areas core
        // computes for the same scores.
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        auto data = webthreat::prepareData(sample.toStdString());
        auto detection = webthreat::detect(*data, webthreat::DetectorParams());
        const auto truth = webthreat::findGroundTruth(data->table);
        QVERIFY(truth.truth);
        const webthreat::Evaluation evaluation(detection->scores, *truth.truth);

        Run run = runWebthreat({"analyze", sample});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Evaluation against is_attack (150 attacks, 4850 normal rows):"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QString("ROC AUC %1, average precision %2")
                                      .arg(evaluation.rocAuc(), 0, 'f', 4)
                                      .arg(evaluation.averagePrecision(), 0, 'f', 4)),
                 qPrintable(run.out));
        const webthreat::OperatingPoint point = evaluation.at(250);
        QVERIFY2(run.out.contains(QString("250 flagged: %1 true positives, %2 false positives")
                                      .arg(point.truePositives)
                                      .arg(point.falsePositives)),
                 qPrintable(run.out));
        QVERIFY(run.out.contains("contamination   flagged  precision   recall       F1"));

        run = runWebthreat({"analyze", sample, "--json", "--truth", "IS_ATTACK"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QJsonParseError error;
        const QJsonObject root = QJsonDocument::fromJson(run.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject json = root["evaluation"].toObject();
        QCOMPARE(json["truth_column"].toString(), QString("is_attack"));
        QCOMPARE(json["attacks"].toInt(), 150);
        QCOMPARE(json["roc_auc"].toDouble(), evaluation.rocAuc());
        QCOMPARE(json["average_precision"].toDouble(), evaluation.averagePrecision());
        QCOMPARE(json["at_threshold"].toObject()["true_positives"].toInt(), static_cast<int>(point.truePositives));
        QCOMPARE(json["by_contamination"].toArray().size(), 5);
        QVERIFY(
            root["suspicious_rows"].toArray().first().toObject()["explanation"].toString().contains("splits against"));
    }

    // The same errors, status and message in streaming mode (the column is looked up as pass 2 reads
    // the first chunk, after the fit: the message is the in-memory lookup's).
    void truthColumnErrors_data()
    {
        QTest::addColumn<QStringList>("mode");
        QTest::newRow("in memory") << QStringList{};
        QTest::newRow("streaming") << QStringList{"--stream", "--memory-budget", "1M"};
    }
    void truthColumnErrors()
    {
        QFETCH(QStringList, mode);
        const QString sample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");
        Run run = runWebthreat(QStringList{"analyze", sample, "--truth", "verdict"} + mode);
        QCOMPARE(run.status, 2);
        QCOMPARE(run.err.trimmed(),
                 QString("webthreat: --truth verdict: the file has no column named 'verdict'; columns "
                         "besides the traffic schema's: is_attack, attack_kind"));
        run = runWebthreat(QStringList{"analyze", sample, "--truth", "attack_kind"} + mode);
        QCOMPARE(run.status, 2);
        QVERIFY2(run.err.contains("column attack_kind cannot be used as ground truth: line 2 has no value"),
                 qPrintable(run.err));
        // Without a truth column the report has no evaluation at all.
        if (QFile::exists(WEBTHREAT_REFERENCE_CSV)) {
            run = runWebthreat(QStringList{"analyze", WEBTHREAT_REFERENCE_CSV} + mode);
            QCOMPARE(run.status, 0);
            QVERIFY(!run.out.contains("Evaluation"));
        }
    }

    void generateIsDeterministic()
    {
        QTemporaryDir dir;
        QCOMPARE(runWebthreat({"generate", "--rows", "500", "--out", dir.filePath("a.csv")}).status, 0);
        QCOMPARE(runWebthreat({"generate", "--rows", "500", "--out", dir.filePath("b.csv")}).status, 0);
        QCOMPARE(runWebthreat({"generate", "--rows", "500", "--seed", "9", "--out", dir.filePath("c.csv")}).status, 0);
        QCOMPARE(contents(dir.filePath("a.csv")), contents(dir.filePath("b.csv")));
        QVERIFY(contents(dir.filePath("a.csv")) != contents(dir.filePath("c.csv")));
    }

    void refusesToOverwrite()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out.csv");
        writeText(out, "keep me");
        Run run = runWebthreat({"generate", "--rows", "10", "--out", out});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains("--force"), qPrintable(run.err));
        QCOMPARE(contents(out), QByteArray("keep me"));
        run = runWebthreat({"generate", "--rows", "10", "--out", out, "--force"});
        QCOMPARE(run.status, 0);
        QCOMPARE(lines(out).size(), 11);
    }

    // export-model: a saved model as SQL, its usage errors in our words, and Athena's size limit
    // moving the nodes to a CSV of their own. (SQLite running the SQL: tests/core/model/tst_sqlexport.)
    void exportModel()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath("traffic.csv");
        const QString model = dir.filePath("model.json");
        QCOMPARE(runWebthreat({"generate", "--rows", "3000", "--out", csv}).status, 0);
        QCOMPARE(runWebthreat({"analyze", csv, "--save-model", model}).status, 0);
        const QString sql = dir.filePath("score.sql");
        Run run = runWebthreat({"export-model", model, "--sql", sql, "--dialect", "sqlite"});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.out.startsWith("SQL (sqlite, forest as CASE expressions, "), qPrintable(run.out));
        run = runWebthreat({"export-model", model, "--sql", dir.filePath("extra.sql"), "--dialect", "spark",
                            "--extra-columns", "row_id,day"});
        QCOMPARE(run.status, 0);
        QVERIFY(contents(dir.filePath("extra.sql")).contains("p.`detection_types`, p.`row_id`, p.`day`,"));
        QVERIFY(contents(sql).startsWith("-- webthreat anomaly scoring query (sqlite dialect)\n-- Model: "
                                         + model.toUtf8()));
        run = runWebthreat({"export-model", model, "--sql", sql});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains(sql + ": the file exists; use --force to overwrite it"), qPrintable(run.err));

        const QString athena = dir.filePath("athena.sql");
        run = runWebthreat({"export-model", model, "--sql", athena, "--dialect", "athena", "--table", "logs.traffic"});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.out.contains("written to " + dir.filePath("athena-nodes.csv")), qPrintable(run.out));
        QVERIFY(contents(athena).size() < 262144);
        QVERIFY(contents(athena).contains("FROM logs.traffic_forest"));
        QVERIFY(
            contents(dir.filePath("athena-nodes.csv")).startsWith("tree,node,feature,bound,left_child,path_length\n"));

        const QList<QPair<QStringList, QString>> usage{
            {{"export-model"}, "export-model needs the model file to read"},
            {{"export-model", model}, "export-model needs --sql FILE (a query that scores a table) or --onnx OUT.onnx"},
            {{"export-model", model, "--sql", "x.sql", "--dialect", "oracle"},
             "unknown SQL dialect 'oracle'; the dialects are: ansi, athena (also trino), spark, duckdb, sqlite"},
            {{"export-model", model, "--sql", "x.sql", "--table", "a;b"}, "table name 'a;b' is not an identifier"},
            {{"export-model", model, "--sql", "x.sql", "--forest", "tree"}, "--forest must be auto, case or table"},
            {{"export-model", model, "--sql", "x.sql", "--nodes-csv", "n.csv"}, "--nodes-csv needs --nodes-table NAME"},
            {{"export-model", model, "--sql", "x.sql", "--bogus"}, "unknown option --bogus for 'export-model'"},
        };
        for (const auto& [arguments, message] : usage) {
            run = runWebthreat(arguments);
            QCOMPARE(run.status, 2);
            QVERIFY2(run.err.contains(message), qPrintable(run.err));
        }
        run = runWebthreat({"export-model", dir.filePath("none.json"), "--sql", dir.filePath("x.sql")});
        QCOMPARE(run.status, 3);
        QVERIFY(!QFile::exists(dir.filePath("x.sql")));
        QVERIFY(runWebthreat({"help", "export-model"}).out.contains("--nodes-table NAME"));
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        const QByteArray good = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n3,4,,,c,d\n";
        QTest::newRow("no command") << QStringList{} << QByteArray() << 2 << "Usage";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << QByteArray() << 2 << "unknown command";
        QTest::newRow("no file") << QStringList{"analyze"} << QByteArray() << 2 << "needs the traffic file";
        QTest::newRow("unknown option") << QStringList{"analyze", "INPUT", "--bogus"} << good << 2
                                        << "unknown option --bogus";
        QTest::newRow("bad contamination") << QStringList{"analyze", "INPUT", "--contamination", "0.9"} << good << 2
                                           << "contamination must be in (0, 0.5]";
        QTest::newRow("bad trees") << QStringList{"analyze", "INPUT", "--trees", "many"} << good << 2
                                   << "--trees needs a whole number";
        QTest::newRow("bad feature") << QStringList{"analyze", "INPUT", "--features", "bytes_in,colour"} << good << 2
                                     << "unknown feature 'colour'";
        QTest::newRow("bad scale") << QStringList{"analyze", "INPUT", "--scale", "log"} << good << 2
                                   << "--scale must be 'auto' or 'none'; got 'log'";
        QTest::newRow("bad preset") << QStringList{"analyze", "INPUT", "--preset", "sklearn"} << good << 2
                                    << "--preset must be 'notebook' or 'default'; got 'sklearn'";
        QTest::newRow("scale without a value")
            << QStringList{"analyze", "INPUT", "--scale"} << good << 2 << "--scale needs a value";
        QTest::newRow("missing value") << QStringList{"analyze", "INPUT", "--seed"} << good << 2
                                       << "--seed needs a value";
        QTest::newRow("missing file") << QStringList{"analyze", "/nonexistent/traffic.csv"} << QByteArray() << 3
                                      << "/nonexistent/traffic.csv: cannot open the file";
        QTest::newRow("missing column") << QStringList{"analyze", "INPUT"}
                                        << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip\n1,2,,,a\n")
                                        << 3 << "input.csv:1, column 'dst_ip': the required column 'dst_ip' is missing";
        QTest::newRow("one row") << QStringList{"analyze", "INPUT"}
                                 << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n")
                                 << 3 << "needs at least two rows";
        QTest::newRow("unterminated quote")
            << QStringList{"analyze", "INPUT"}
            << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n1,2,,,\"a,b\n") << 3
            << "input.csv:3: a quoted field opened on this line is never closed";
        QTest::newRow("bad memory budget") << QStringList{"analyze", "INPUT", "--memory-budget", "lots"} << good << 2
                                           << "--memory-budget must be a size such as 512M";
        QTest::newRow("stream, truth column missing")
            << QStringList{"analyze", "INPUT", "--stream", "--truth", "verdict"} << good << 2
            << "--truth verdict: the file has no column named 'verdict'; it has no columns besides the traffic schema's";
        QTest::newRow("stream, unterminated quote")
            << QStringList{"analyze", "INPUT", "--stream", "--memory-budget", "1M"}
            << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n1,2,,,\"a,b\n") << 3
            << "input.csv:3: a quoted field opened on this line is never closed";
        QTest::newRow("stream, one row") << QStringList{"analyze", "INPUT", "--stream"}
                                         << QByteArray("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n")
                                         << 3 << "needs at least two rows";
        QTest::newRow("out folder missing") << QStringList{"analyze", "INPUT", "--out", "/nonexistent/x.csv"} << good
                                            << 4 << "/nonexistent/x.csv: cannot create a file";
    }

    void errors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath("input.csv");
        if (!input.isEmpty())
            writeText(path, input);
        arguments.replaceInStrings("INPUT", path);
        const Run run = runWebthreat(arguments);
        QCOMPARE(run.status, status);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void badCorpus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        const auto entries = webthreat::testing::badCorpusEntries();
        QVERIFY(!entries.isEmpty());
        for (const auto& entry : entries)
            QTest::newRow(qPrintable(entry.file)) << entry.file << entry.exitStatus << entry.message;
    }

    void badCorpus()
    {
        QFETCH(QString, file);
        QFETCH(int, status);
        QFETCH(QString, message);
        const QString path = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/bad/") + file;
        QTemporaryDir dir;
        const QString out = dir.filePath("scored.csv");
        const Run run = runWebthreat({"analyze", path, "--out", out});
        QCOMPARE(run.status, status);
        if (status != 0) {
            // The message names the file; nothing is written.
            QVERIFY2(run.err.startsWith("webthreat: " + path), qPrintable(run.err));
            QVERIFY2(run.err.contains(message), qPrintable(run.err));
            QVERIFY(!QFile::exists(out));
            QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        } else {
            if (message != "-")
                QVERIFY2(run.out.contains(message), qPrintable(run.out));
            QVERIFY(QFile::exists(out));
        }
    }

    // --out writes a provenance sidecar, --report a report; the sidecar's rerun command gives the
    // same scores again.
    void reportAndProvenance()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("generated.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "3000", "--seed", "5", "--out", input}).status, 0);
        const QString scored = dir.filePath("scored.csv");
        const QString html = dir.filePath("report.html");
        // No display and no platform named: the command picks the offscreen platform itself.
        QProcessEnvironment headless = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            headless.remove(name);
        Run run = runWebthreat({"analyze", input, "--trees", "50", "--seed", "9", "--contamination", "3%", "--out",
                                scored, "--report", html},
                               headless);
        if (run.status == 2 && run.err.contains("--report needs the Qt workbench"))
            QSKIP("this build has no Qt workbench (WEBTHREAT_BUILD_UI=OFF), so no --report");
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Report written to " + html), qPrintable(run.out));
        QVERIFY2(run.out.contains("provenance in " + scored + ".provenance.json"), qPrintable(run.out));

        // The sidecar, checked against Qt's own SHA-256.
        const QByteArray sha = QCryptographicHash::hash(contents(input), QCryptographicHash::Sha256).toHex();
        const QJsonObject sidecar = QJsonDocument::fromJson(contents(scored + ".provenance.json")).object();
        QCOMPARE(sidecar["input"]["sha256"].toString().toLatin1(), sha);
        QCOMPARE(sidecar["input"]["bytes"].toInteger(), QFileInfo(input).size());
        QCOMPARE(sidecar["input"]["path"].toString(), QFileInfo(input).absoluteFilePath());
        QCOMPARE(sidecar["program"]["name"].toString(), QString("webthreat"));
        QCOMPARE(sidecar["program"]["version"].toString(), QString(WEBTHREAT_VERSION));
        QCOMPARE(sidecar["detector"]["trees"].toInt(), 50);
        QCOMPARE(sidecar["detector"]["seed"].toInt(), 9);
        QCOMPARE(sidecar["detector"]["contamination"].toDouble(), 0.03);
        QCOMPARE(sidecar["cleaning"]["rows_in"].toInt(), 3000);

        // The report holds the same provenance and the charts, inline.
        const QByteArray page = contents(html);
        QVERIFY(page.startsWith("<!DOCTYPE html>"));
        QVERIFY(page.contains(sha));
        QCOMPARE(page.count("<img src='data:image/png;base64,"), 7);

        // The recorded command, run as written (it has no quoting here), gives the same scores.
        const QString rerun = sidecar["rerun"].toString();
        QStringList arguments = rerun.split(' ');
        QCOMPARE(arguments.takeFirst(), QString("webthreat"));
        const QString again = dir.filePath("again.csv");
        run = runWebthreat(arguments + QStringList{"--out", again});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QStringList first = lines(scored);
        const QStringList second = lines(again);
        QCOMPARE(second.size(), 3001);
        QCOMPARE(second, first);

        // A PDF by the suffix; an existing report is not overwritten without --force.
        const QString pdf = dir.filePath("report.pdf");
        run = runWebthreat({"analyze", input, "--report", pdf});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY(contents(pdf).startsWith("%PDF-"));
        writeText(html, "keep me");
        run = runWebthreat({"analyze", input, "--report", html});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains("--force"), qPrintable(run.err));
        QCOMPARE(contents(html), QByteArray("keep me"));
        run = runWebthreat({"analyze", input, "--report", dir.filePath("no/such/folder/r.html")});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains("no/such/folder/r.html"), qPrintable(run.err));
    }

    // Two exports joined with cat, the second header kept, saved by a spreadsheet with "sep=;": the
    // repeat is skipped and both show in the JSON and the text report.
    void repeatedHeaderAndSepLine()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString generated = dir.filePath("generated.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "600", "--seed", "5", "--out", generated}).status, 0);
        // Rows with quoted fields are left out, so that commas can become pipes.
        QStringList rows;
        for (const QString& row : lines(generated)) {
            if (!row.isEmpty() && !row.contains('"'))
                rows << QString(row).replace(',', '|');
        }
        QVERIFY(rows.size() > 400 && !rows.join("").contains(';'));
        const qsizetype dataRows = rows.size() - 1;
        rows.insert(301, rows[0]); // line 303 of the file below, after the sep= line
        const QString input = dir.filePath("joined.csv");
        writeText(input, "sep=|\n" + rows.join('\n').toUtf8() + "\n");
        Run run = runWebthreat({"analyze", input, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject read = QJsonDocument::fromJson(run.out.toUtf8()).object()["read"].toObject();
        QCOMPARE(read["rows"].toInteger(), dataRows);
        QCOMPARE(read["invalid_cells"].toInt(), 0);
        QCOMPARE(read["repeated_header_lines"].toInt(), 1);
        QCOMPARE(read["repeated_header_first_lines"].toArray().at(0).toInt(), 303);
        QCOMPARE(read["delimiter_from_sep_line"].toString(), QStringLiteral("|"));
        run = runWebthreat({"analyze", input});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Delimiter: pipe (from the sep= line)"), qPrintable(run.out));
        QVERIFY2(run.out.contains("1 repeated header line(s) skipped (files joined into one?): line(s) 303"),
                 qPrintable(run.out));
    }

    // AWS logs and gzip open directly; --format overrides detection.
    void inputFormats()
    {
        const QString formats = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString scored = dir.path() + "/vpc-scored.csv";
        Run run
            = runWebthreat({"analyze", formats + "vpcflow_v2_extra_samples_noheader.log", "--json", "--out", scored});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QJsonObject root = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(root["read"].toObject()["rows"].toInt(), 4);
        QCOMPARE(root["rows"].toInt(), 4);
        const QStringList rows = lines(scored);
        QCOMPARE(rows.size(), 5);
        // The extra columns of the log travel into the scored CSV.
        QVERIFY2(rows[0].startsWith("bytes_in,bytes_out,creation_time,end_time,src_ip,"), qPrintable(rows[0]));
        for (const char* column : {"src_port", "direction", "action", "log-status", "anomaly_score"})
            QVERIFY2(rows[0].contains(column), column);
        QVERIFY2(rows[1].startsWith(
                     "8855,0,2016-10-31T11:35:08Z,2016-10-31T11:37:00Z,2001:db8:1234:a100:8d6e:3477:df66:f105,"),
                 qPrintable(rows[1]));

        run = runWebthreat({"analyze", formats + "traffic_csv.gz", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        root = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(root["read"].toObject()["rows"].toInt(), 5);
        QCOMPARE(root["read"].toObject()["malformed_rows"].toInt(), 1);

        run = runWebthreat({"analyze", formats + "vpcflow_v2_noheader.gz", "--format", "elb"});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("no line of the file is an ALB or NLB access-log"), qPrintable(run.err));
        run = runWebthreat({"analyze", formats + "vpcflow_v2_noheader.gz", "--format", "parquet"});
        QCOMPARE(run.status, 2);
        QVERIFY2(run.err.contains("the input format must be one of auto, csv, vpc-flow, elb, zeek; got 'parquet'"),
                 qPrintable(run.err));
        run = runWebthreat({"analyze", formats + "not_a_traffic_file.txt"});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("not_a_traffic_file.txt:1: the file's format is not recognised"),
                 qPrintable(run.err));
        run = runWebthreat({"analyze", formats + "corrupt.gz"});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("corrupt.gz: the gzip data is corrupt"), qPrintable(run.err));
    }

    // Compressed files and archives open directly; an archive of several files is refused with
    // their names (exit status 3) and FILE:NAME reads one of them.
    void archives()
    {
        const QByteArray log
            = contents(QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/formats/") + "vpcflow_v2_extra_samples_noheader.log");
        QVERIFY(!log.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.path() + "/capture.zip";
        archive* out = archive_write_new();
        QCOMPARE(archive_write_set_format_zip(out), ARCHIVE_OK);
        QCOMPARE(archive_write_open_filename(out, zip.toLocal8Bit().constData()), ARCHIVE_OK);
        for (const char* name : {"a.log", "b.log"}) {
            archive_entry* entry = archive_entry_new();
            archive_entry_set_pathname(entry, name);
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_perm(entry, 0644);
            archive_entry_set_size(entry, log.size());
            QCOMPARE(archive_write_header(out, entry), ARCHIVE_OK);
            archive_entry_free(entry);
            QCOMPARE(archive_write_data(out, log.constData(), static_cast<std::size_t>(log.size())), log.size());
        }
        QCOMPARE(archive_write_close(out), ARCHIVE_OK);
        archive_write_free(out);

        Run run = runWebthreat({"analyze", zip});
        QCOMPARE(run.status, 3);
        QVERIFY2(
            run.err.contains(zip + ": the zip archive holds 2 files; choose one as " + zip + ":NAME: a.log, b.log"),
            qPrintable(run.err));
        run = runWebthreat({"analyze", zip + ":b.log", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object()["read"].toObject()["rows"].toInt(), 4);
        run = runWebthreat({"analyze", zip + ":c.log"});
        QCOMPARE(run.status, 3);
        QVERIFY2(run.err.contains("holds no file named 'c.log'; it holds: a.log, b.log"), qPrintable(run.err));
    }

    void importLayouts_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("layout");
        QTest::newRow("semicolon, --map") << "semicolon_european.csv"
                                          << QStringList{"--delimiter",
                                                         ";",
                                                         "--timestamp-format",
                                                         "dmy",
                                                         "--map",
                                                         "Bytes Received=bytes_in",
                                                         "--map",
                                                         "bytes sent=bytes_out",
                                                         "--map",
                                                         "Start=creation_time",
                                                         "--map",
                                                         "Stop=end_time",
                                                         "--map",
                                                         "Source Address=src_ip",
                                                         "--map",
                                                         "Dest=dst_ip",
                                                         "--map",
                                                         "Country=src_ip_country_code",
                                                         "--map",
                                                         "Proto=protocol",
                                                         "--map",
                                                         "Status=response_code",
                                                         "--map",
                                                         "Port=dst_port",
                                                         "--map=Rule=rule_names"}
                                          << "Layout: delimiter ;, quote \", header line, timestamps dmy; columns: "
                                             "'Bytes Received'=bytes_in 'Bytes Sent'=bytes_out";
        QTest::newRow("tab, no header, #N") << "tab_noheader.tsv"
                                            << QStringList{"--delimiter",
                                                           "tab",
                                                           "--no-header",
                                                           "--map",
                                                           "#1=src_ip",
                                                           "--map",
                                                           "#2=dst_ip",
                                                           "--map",
                                                           "#3=bytes_in",
                                                           "--map",
                                                           "#4=bytes_out",
                                                           "--map",
                                                           "#5=creation_time",
                                                           "--map",
                                                           "#6=end_time",
                                                           "--map",
                                                           "#7=dst_port",
                                                           "--map",
                                                           "#8=src_ip_country_code",
                                                           "--map",
                                                           "#9=protocol",
                                                           "--map",
                                                           "#10=response.code",
                                                           "--map",
                                                           "column_11=rule_names"}
                                            << "Layout: delimiter tab, quote \", no header, timestamps iso; columns: "
                                               "'column_1'=src_ip";
        QTest::newRow("pipe, --detect-layout") << "pipe_epochms.csv" << QStringList{"--detect-layout"}
                                               << "Layout: delimiter |, quote \", header line, timestamps epoch-ms; "
                                                  "columns: 'srcAddr'=src_ip 'dstAddr'=dst_ip 'rxBytes'=bytes_in";
    }

    void importLayouts()
    {
        // What the import dialog does, in a batch run: the scored CSV equals the canonical file's.
        QFETCH(QString, file);
        QFETCH(QStringList, options);
        QFETCH(QString, layout);
        const QString folder = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/import/");
        QTemporaryDir dir;
        Run run
            = runWebthreat(QStringList{"analyze", folder + "canonical.csv", "--out", dir.filePath("canonical.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY(!run.out.contains("Layout:"));
        run = runWebthreat(QStringList{"analyze", folder + file, "--out", dir.filePath("imported.csv")} + options);
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith(layout), qPrintable(run.out));
        QVERIFY2(run.out.contains("Cleaning: 12 rows in, 12 rows out"), qPrintable(run.out));
        QCOMPARE(lines(dir.filePath("imported.csv")).size(), 13);
        QCOMPARE(contents(dir.filePath("imported.csv")), contents(dir.filePath("canonical.csv")));
    }

    void delimiterAloneKeepsHeaderMatching()
    {
        // The canonical file with '|' between fields: --delimiter is all it needs.
        const QString folder = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/import/");
        QTemporaryDir dir;
        writeText(dir.filePath("pipes.csv"), contents(folder + "canonical.csv").replace(',', '|'));
        Run run
            = runWebthreat(QStringList{"analyze", folder + "canonical.csv", "--out", dir.filePath("canonical.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        run = runWebthreat(
            QStringList{"analyze", dir.filePath("pipes.csv"), "--out", dir.filePath("pipes-scored.csv")});
        QCOMPARE(run.status, 3); // read as one column: the required columns are missing
        run = runWebthreat(
            {"analyze", dir.filePath("pipes.csv"), "--delimiter", "|", "--out", dir.filePath("pipes-scored.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(
            run.out.startsWith("Layout: delimiter |, quote \", header line, timestamps iso; columns matched by header "
                               "name\n"),
            qPrintable(run.out));
        QCOMPARE(contents(dir.filePath("pipes-scored.csv")), contents(dir.filePath("canonical.csv")));
    }

    void importOptionErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        const QString semicolon = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/import/semicolon_european.csv");
        const QString tab = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/import/tab_noheader.tsv");
        QTest::newRow("long delimiter") << QStringList{"analyze", semicolon, "--delimiter", ";;"} << 2
                                        << "webthreat: --delimiter needs one character or 'tab', got ';;'\n";
        QTest::newRow("bad quote") << QStringList{"analyze", semicolon, "--quote", "`"} << 2
                                   << "webthreat: --quote must be \", ' or none; got '`'\n";
        QTest::newRow("bad format")
            << QStringList{"analyze", semicolon, "--timestamp-format", "dd/mm/yyyy"} << 2
            << "webthreat: --timestamp-format must be one of iso, epoch-s, epoch-ms, dmy, mdy, ymd, "
               "dmy-dots; got 'dd/mm/yyyy'\n";
        QTest::newRow("map without =") << QStringList{"analyze", semicolon, "--map", "Dest"} << 2
                                       << "webthreat: --map needs COLUMN=FIELD, got 'Dest'\n";
        QTest::newRow("map to no field") << QStringList{"analyze", semicolon, "--delimiter", ";", "--map", "Dest=dstip"}
                                         << 2 << "'dstip' is not a schema field (bytes_in, bytes_out,";
        QTest::newRow("map from no column")
            << QStringList{"analyze", semicolon, "--delimiter", ";", "--map", "Source=src_ip"} << 3
            << "webthreat: " + semicolon
                + ", column 'Source': --map names the column "
                  "'Source', which the file does not have (columns: 'Bytes Received', ";
        QTest::newRow("map past the last column")
            << QStringList{"analyze", tab, "--delimiter", "tab", "--no-header", "--map", "#12=src_ip"} << 3
            << "--map names column #12 but the file has 11 column(s)";
        QTest::newRow("required field left out")
            << QStringList{"analyze", semicolon, "--delimiter", ";", "--map", "Dest=dst_ip"} << 2
            << "webthreat: the column map leaves the required field 'bytes_in' "
               "unmapped: map a column to it\n";
        QTest::newRow("no header, no map") << QStringList{"analyze", tab, "--delimiter", "tab", "--no-header"} << 2
                                           << "a file without a header line needs a column map";
        QTest::newRow("column mapped twice: the last --map wins")
            << QStringList{"analyze", tab,         "--delimiter", "tab",      "--no-header",
                           "--map",   "#1=src_ip", "--map",       "#1=dst_ip"}
            << 2 << "leaves the required field 'bytes_in' unmapped";
    }

    void importOptionErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Run run = runWebthreat(arguments);
        QCOMPARE(run.status, status);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }

    // analyze --save-model, then score with it: the same scored CSV (scores, labels, explanations)
    // as the run that saved it; the text says which model, the JSON has the model and the drift;
    // the provenance's rerun is the score command, and it reproduces the scores.
    void saveModelAndScore()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("monday.csv");
        const QString model = dir.filePath("baseline.json");
        QCOMPARE(runWebthreat({"generate", "--rows", "3000", "--seed", "5", "--out", input}).status, 0);
        Run run = runWebthreat({"analyze", input, "--save-model", model, "--out", dir.filePath("a.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("Model written to " + model), qPrintable(run.out));
        QVERIFY(contents(model).startsWith("{\n  \"format\": \"webthreat-model\",\n  \"version\": 1,"));

        run = runWebthreat({"score", input, "--model", model, "--out", dir.filePath("b.csv")});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QCOMPARE(contents(dir.filePath("b.csv")), contents(dir.filePath("a.csv")));
        QVERIFY2(run.out.contains("Model: baseline.json, trained on monday.csv ("), qPrintable(run.out));
        QVERIFY2(run.out.contains("threshold from: the model"), qPrintable(run.out));
        QVERIFY2(run.out.contains("The data sits within what the model was trained on."), qPrintable(run.out));

        const QJsonObject provenance
            = QJsonDocument::fromJson(contents(dir.filePath("b.csv.provenance.json"))).object();
        const QString rerun = provenance["rerun"].toString();
        QVERIFY2(rerun.startsWith("webthreat score ") && rerun.contains("--model"), qPrintable(rerun));
        QCOMPARE(provenance["detector"].toObject()["model"].toObject()["trained_on"].toString(), QString("monday.csv"));

        // Another day: its own verdicts at the model's threshold, the drift in the JSON.
        const QString tuesday = dir.filePath("tuesday.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "2000", "--seed", "6", "--out", tuesday}).status, 0);
        run = runWebthreat({"score", tuesday, "--model", model, "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json["model"].toObject()["threshold_from"].toString(), QString("model"));
        QCOMPARE(json["detector"].toObject()["threshold"].toDouble(),
                 QJsonDocument::fromJson(contents(model)).object()["threshold"].toObject()["score"].toDouble());
        QCOMPARE(json["drift"].toObject()["features"].toArray().size(), 6);
        run = runWebthreat({"score", tuesday, "--model", model, "--contamination", "2%", "--json"});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        const QJsonObject rethresholded = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(rethresholded["model"].toObject()["threshold_from"].toString(), QString("this_file"));
        QCOMPARE(rethresholded["suspicious"].toInt(), 40);
    }

    void modelErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("model");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("score without a model")
            << QStringList{"score", "INPUT"} << QByteArray() << 2 << "score needs --model";
        QTest::newRow("model file missing") << QStringList{"score", "INPUT", "--model", "/nonexistent/m.json"}
                                            << QByteArray() << 3 << "/nonexistent/m.json: cannot read the model file";
        QTest::newRow("malformed model") << QStringList{"score", "INPUT", "--model", "MODEL"}
                                         << QByteArray("{\n  \"format\": \"webthreat-model\",\n  \"version\": }") << 3
                                         << "m.json:3: column 14: not a valid model file, malformed JSON";
        QTest::newRow("newer model")
            << QStringList{"score", "INPUT", "--model", "MODEL"}
            << QByteArray("{\"format\": \"webthreat-model\", \"version\": 7}") << 3
            << "m.json: version: the model is of format version 7, written by a newer webthreat";
        QTest::newRow("score takes one file") << QStringList{"score", "INPUT", "INPUT", "--model", "MODEL"}
                                              << QByteArray("{}") << 2 << "score reads one file; got 2";
    }
    void modelErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, model);
        QFETCH(int, status);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString input = dir.filePath("input.csv");
        writeText(input, "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n1,2,,,a,b\n3,4,,,c,d\n");
        if (!model.isEmpty())
            writeText(dir.filePath("m.json"), model);
        arguments.replaceInStrings("INPUT", input);
        arguments.replaceInStrings("MODEL", dir.filePath("m.json"));
        const Run run = runWebthreat(arguments);
        QCOMPARE(run.status, status);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void saveModelRefusesToOverwrite()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("input.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "300", "--out", input}).status, 0);
        const QString model = dir.filePath("m.json");
        writeText(model, "keep me");
        Run run = runWebthreat({"analyze", input, "--save-model", model});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains("--force"), qPrintable(run.err));
        QCOMPARE(contents(model), QByteArray("keep me"));
        run = runWebthreat({"analyze", input, "--save-model", model, "--force"});
        QCOMPARE(run.status, 0);
        QVERIFY(contents(model).contains("webthreat-model"));
    }

    // export-model --onnx: a saved model as an ONNX file (its content is tests/core/model/tst_onnxexport's
    // and app/onnxruntime_agreement's), atomic, never over a file without --force.
    void exportModelOnnx()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("monday.csv");
        const QString model = dir.filePath("baseline.json");
        const QString onnx = dir.filePath("baseline.onnx");
        QCOMPARE(runWebthreat({"generate", "--rows", "500", "--out", input}).status, 0);
        QCOMPARE(runWebthreat({"analyze", input, "--save-model", model}).status, 0);
        Run run = runWebthreat({"export-model", model, "--onnx", onnx});
        QVERIFY2(run.status == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith("Wrote " + onnx + " (ONNX, "), qPrintable(run.out));
        QVERIFY2(run.out.contains("inputs: bytes_in (double) bytes_out (double) session_duration (double) "
                                  "avg_packet_size (double) dst_port (int64) response_code (int64)"),
                 qPrintable(run.out));
        const QByteArray written = contents(onnx);
        QVERIFY(written.contains("TreeEnsembleRegressor") && written.contains("monday.csv"));

        writeText(onnx, "keep me");
        run = runWebthreat({"export-model", model, "--onnx", onnx});
        QCOMPARE(run.status, 4);
        QVERIFY2(run.err.contains(onnx + ": the file exists; use --force"), qPrintable(run.err));
        QCOMPARE(contents(onnx), QByteArray("keep me"));
        run = runWebthreat({"export-model", model, "--onnx", onnx, "--force"});
        QCOMPARE(run.status, 0);
        QCOMPARE(contents(onnx), written);

        run = runWebthreat({"help", "export-model"});
        QCOMPARE(run.status, 0);
        QVERIFY2(run.out.contains("--onnx OUT.onnx") && run.out.contains("docs/onnx-export.md"), qPrintable(run.out));
    }

    void exportModelErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("no model") << QStringList{"export-model", "--onnx", "OUT"} << 2
                                  << "export-model needs the model file to read";
        QTest::newRow("no form") << QStringList{"export-model", "MODEL"} << 2
                                 << "export-model needs --sql FILE (a query that scores a table) or --onnx OUT.onnx";
        QTest::newRow("two models") << QStringList{"export-model", "MODEL", "MODEL", "--onnx", "OUT"} << 2
                                    << "export-model reads one model file; got 2";
        QTest::newRow("unknown option") << QStringList{"export-model", "MODEL", "--onxx", "OUT"} << 2
                                        << "unknown option --onxx for 'export-model'";
        QTest::newRow("model missing") << QStringList{"export-model", "/nonexistent/m.json", "--onnx", "OUT"} << 3
                                       << "/nonexistent/m.json: cannot read the model file";
        QTest::newRow("not a model") << QStringList{"export-model", "INPUT", "--onnx", "OUT"} << 3
                                     << "not a valid model file";
        QTest::newRow("unwritable") << QStringList{"export-model", "MODEL", "--onnx", "/nonexistent/m.onnx"} << 4
                                    << "/nonexistent/m.onnx";
    }
    void exportModelErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, status);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString input = dir.filePath("input.csv");
        QCOMPARE(runWebthreat({"generate", "--rows", "300", "--out", input}).status, 0);
        QCOMPARE(runWebthreat({"analyze", input, "--save-model", dir.filePath("m.json")}).status, 0);
        arguments.replaceInStrings("INPUT", input);
        arguments.replaceInStrings("MODEL", dir.filePath("m.json"));
        arguments.replaceInStrings("OUT", dir.filePath("m.onnx"));
        const Run run = runWebthreat(arguments);
        QCOMPARE(run.status, status);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
        QVERIFY(!QFile::exists(dir.filePath("m.onnx")));
    }

    void helpAndVersion()
    {
        Run run = runWebthreat({"--version"});
        QCOMPARE(run.status, 0);
        QVERIFY(run.out.startsWith("webthreat " WEBTHREAT_VERSION));
        run = runWebthreat({"help", "analyze"});
        QCOMPARE(run.status, 0);
        for (const char* option : {"--format", "--contamination", "--trees", "--max-samples", "--seed", "--threads",
                                   "--out", "--report", "provenance.json", "--json", "Example", "--delimiter",
                                   "--quote", "--no-header", "--timestamp-format", "--map", "--detect-layout"})
            QVERIFY2(run.out.contains(option), option);
        // Every detector feature is listed, with its description, in analyze's help and by name in
        // the main help.
        for (const webthreat::FeatureInfo& info : webthreat::availableFeatures()) {
            QVERIFY2(run.out.contains(QString::fromUtf8(info.name.data(), qsizetype(info.name.size()))),
                     info.name.data());
            const std::string start(info.description.substr(0, 20));
            QVERIFY2(run.out.contains(QString::fromStdString(start)), start.c_str());
        }
        run = runWebthreat({"--help"});
        QCOMPARE(run.status, 0);
        for (const webthreat::FeatureInfo& info : webthreat::availableFeatures())
            QVERIFY2(run.out.contains(QString::fromUtf8(info.name.data(), qsizetype(info.name.size()))),
                     info.name.data());
        run = runWebthreat({"generate", "--help"});
        QCOMPARE(run.status, 0);
        QVERIFY(run.out.contains("--anomaly-rate"));
        run = runWebthreat({"help", "score"});
        QCOMPARE(run.status, 0);
        for (const char* option : {"--model", "--contamination", "--out", "--report", "--json", "drift"})
            QVERIFY2(run.out.contains(option), option);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

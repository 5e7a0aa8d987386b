#include "core/util/errors.h"
#include "core/output/export.h"
#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/output/provenance.h"
#include "core/output/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sstream>

using namespace webthreat;

namespace {

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

// 1,500 generated rows plus one exact duplicate of the first data row, so cleaning has
// something to count.
QByteArray trafficCsv()
{
    GeneratorParams params;
    params.rows = 1500;
    params.seed = 11;
    std::ostringstream stream;
    generateTraffic(stream, params);
    QByteArray text = QByteArray::fromStdString(stream.str());
    const qsizetype firstEnd = text.indexOf('\n');
    const qsizetype secondEnd = text.indexOf('\n', firstEnd + 1);
    text += text.mid(firstEnd + 1, secondEnd - firstEnd);
    return text;
}

AnalysisParams unusualParams()
{
    AnalysisParams params;
    params.detector.forest.trees = 37;
    params.detector.forest.maxSamples = 128;
    params.detector.forest.seed = 7;
    params.detector.features = {Feature::BytesIn, Feature::SessionDuration, Feature::AvgPacketSize};
    params.detector.scaling = InputScaling::Auto;
    params.contamination = Contamination::fromValue(0.03);
    return params;
}

QJsonObject parseJson(const QByteArray& bytes)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning() << "JSON error at" << error.offset << error.errorString();
    return document.object();
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Each data line's anomaly_score and anomaly_label (the last two fields) as written.
QStringList scoreColumns(const QByteArray& csv)
{
    QStringList out;
    const QList<QByteArray> lines = csv.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        const QList<QByteArray> fields = lines[i].split(',');
        out << QString::fromUtf8(fields[fields.size() - 2] + "," + fields.back());
    }
    return out;
}

} // namespace

class TestProvenance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownVectors_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                  << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("896 bits") << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmn"
                                                "opjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                                  << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
        QTest::newRow("million a") << QByteArray(1000000, 'a')
                                   << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }

    void knownVectors()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, digest);
        QCOMPARE(QString::fromStdString(sha256Hex(message.toStdString())), digest);
        // Fed in uneven pieces (across block and padding boundaries) the digest is the same.
        for (std::size_t piece :
             {std::size_t(1), std::size_t(55), std::size_t(63), std::size_t(64), std::size_t(65), std::size_t(4097)}) {
            Sha256 hash;
            const std::string text = message.toStdString();
            for (std::size_t at = 0; at < text.size(); at += piece)
                hash.update(std::string_view(text).substr(at, piece));
            QCOMPARE(QString::fromStdString(Sha256::toHex(hash.finish())), digest);
        }
    }

    void fileDigestStreamsInBlocks()
    {
        QTemporaryDir dir;
        // The million-'a' vector as a file, and a file of 3 MiB + 17 bytes (several read blocks
        // and a partial one) against the in-memory digest of the same bytes.
        const QString million = dir.filePath("million.txt");
        writeBytes(million, QByteArray(1000000, 'a'));
        QCOMPARE(QString::fromStdString(sha256FileHex(million.toStdString())),
                 QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));

        QByteArray big((3 << 20) + 17, '\0');
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = static_cast<char>((i * 131) ^ (i >> 9));
        const QString bigPath = dir.filePath("big.bin");
        writeBytes(bigPath, big);
        std::vector<double> fractions;
        const Progress progress(
            [&](std::string_view stage, double fraction) {
                QCOMPARE(QString::fromUtf8(stage.data(), static_cast<qsizetype>(stage.size())),
                         QStringLiteral("fingerprint"));
                fractions.push_back(fraction);
            },
            nullptr);
        QCOMPARE(sha256FileHex(bigPath.toStdString(), progress), sha256Hex(big.toStdString()));
        QCOMPARE(fractions.size(), std::size_t(4));
        QCOMPARE(fractions.back(), 1.0);
    }

    void fileDigestErrors()
    {
        QTemporaryDir dir;
        const std::string missing = dir.filePath("absent.csv").toStdString();
        try {
            sha256FileHex(missing);
            QFAIL("no error for a missing file");
        } catch (const InputError& error) {
            QCOMPARE(QString::fromStdString(error.file()), QString::fromStdString(missing));
            QVERIFY(QString::fromUtf8(error.what()).contains(QLatin1String("No such file")));
        }
        const QString present = dir.filePath("present.csv");
        writeBytes(present, "abc");
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError, sha256FileHex(present.toStdString(), Progress({}, &cancel)));
    }

    void fingerprint()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("in put.csv");
        writeBytes(path, "abc");
        const InputFingerprint print = fingerprintFile(path.toStdString());
        QCOMPARE(QString::fromStdString(print.name), QStringLiteral("in put.csv"));
        QCOMPARE(QString::fromStdString(print.path), QFileInfo(path).absoluteFilePath());
        QCOMPARE(print.bytes, std::uint64_t(3));
        QCOMPARE(QString::fromStdString(print.sha256),
                 QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(QString::fromStdString(print.modified), QFileInfo(path).lastModified().toUTC().toString(Qt::ISODate));

        const InputFingerprint bytes = fingerprintBytes("abc", "sample.csv");
        QCOMPARE(bytes.sha256, print.sha256);
        QVERIFY(bytes.path.empty());
        QVERIFY(bytes.modified.empty());
    }

    void jsonAndTextCarryEveryField()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("traffic.csv");
        const QByteArray csv = trafficCsv();
        writeBytes(input, csv);
        const AnalysisParams params = unusualParams();
        const Analysis analysis = analyzeFile(input.toStdString(), params);
        const Provenance provenance = makeProvenance(analysis, fingerprintFile(input.toStdString()), "webthreat");

        const QJsonObject json = parseJson(QByteArray::fromStdString(provenanceJson(provenance)));
        QCOMPARE(json["format"].toString(), QStringLiteral("webthreat-provenance"));
        QCOMPARE(json["format_version"].toInt(), 1);
        QCOMPARE(json["program"]["name"].toString(), QStringLiteral("webthreat"));
        QCOMPARE(json["program"]["version"].toString(), QStringLiteral(WEBTHREAT_VERSION));
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"))
                    .match(json["created"].toString())
                    .hasMatch());
        const QDateTime created = QDateTime::fromString(json["created"].toString(), Qt::ISODate);
        QVERIFY(qAbs(created.secsTo(QDateTime::currentDateTimeUtc())) < 3600);

        const QJsonObject in = json["input"].toObject();
        QCOMPARE(in["name"].toString(), QStringLiteral("traffic.csv"));
        QCOMPARE(in["path"].toString(), QFileInfo(input).absoluteFilePath());
        QCOMPARE(in["bytes"].toInteger(), csv.size());
        QCOMPARE(in["sha256"].toString(), QString::fromStdString(sha256Hex(csv.toStdString())));

        QCOMPARE(json["read"]["rows"].toInteger(), 1501);
        QCOMPARE(json["read"]["delimiter"].toString(), QStringLiteral(","));
        const QJsonObject cleaning = json["cleaning"].toObject();
        QCOMPARE(cleaning["rows_in"].toInteger(), 1501);
        QCOMPARE(cleaning["rows_out"].toInteger(), 1500);
        QCOMPARE(cleaning["drop_duplicates"].toBool(), true);
        const QJsonArray steps = cleaning["steps"].toArray();
        QCOMPARE(steps.size(), qsizetype(analysis.data->cleanReport.steps.size()));
        QCOMPARE(steps[0]["name"].toString(), QStringLiteral("drop_duplicates"));
        QCOMPARE(steps[0]["rows"].toInt(), 1);

        const QJsonObject detector = json["detector"].toObject();
        QCOMPARE(detector["algorithm"].toString(), QStringLiteral("isolation_forest"));
        QCOMPARE(detector["features"].toArray(),
                 QJsonArray({QStringLiteral("bytes_in"), QStringLiteral("session_duration"),
                             QStringLiteral("avg_packet_size")}));
        QCOMPARE(detector["scaling"].toString(), QStringLiteral("auto"));
        QCOMPARE(detector["trees"].toInt(), 37);
        QCOMPARE(detector["max_samples"].toInt(), 128);
        QCOMPARE(detector["max_samples_requested"].toInt(), 128);
        QCOMPARE(detector["seed"].toInteger(), 7);
        QCOMPARE(detector["contamination"].toDouble(), 0.03);
        // The threshold survives the round trip exactly: it is what separates the labels.
        QCOMPARE(detector["threshold"].toDouble(), analysis.verdicts.threshold);
        QCOMPARE(json["result"]["rows"].toInteger(), 1500);
        QCOMPARE(json["result"]["suspicious"].toInteger(), qint64(analysis.verdicts.suspiciousCount));
        QCOMPARE(
            json["rerun"].toString(),
            QStringLiteral("webthreat analyze %1 --features bytes_in,session_duration,avg_packet_size --scale auto "
                           "--trees 37 --max-samples 128 --seed 7 --contamination 0.03")
                .arg(QFileInfo(input).absoluteFilePath()));

        const QString text = QString::fromStdString(provenanceText(provenance));
        QVERIFY(text.contains(QStringLiteral("SHA-256: ") + in["sha256"].toString()));
        QVERIFY(text.contains(QStringLiteral("Cleaning: 1501 rows in, 1500 rows out")));
        QVERIFY(text.contains(QStringLiteral("drop_duplicates: 1 rows")));
        QVERIFY(text.contains(QStringLiteral("37 trees, 128 samples per tree (requested 128), seed 7")));
        QVERIFY2(text.contains(QStringLiteral("Input scaling: auto (log1p for bytes, durations")), qPrintable(text));
        QVERIFY(
            QString::fromStdString(provenanceSummary(provenance)).contains(QStringLiteral("seed 7, scaling auto,")));
        QVERIFY(text.contains(QStringLiteral("Program: webthreat " WEBTHREAT_VERSION)));
    }

    // A joined file from a spreadsheet: the repeated header and the sep= line's delimiter are
    // recorded, in the JSON and the text.
    void repeatedHeaderAndSepLineRecorded()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("joined.csv");
        // Rows with quoted fields are left out, so that commas can become pipes.
        QList<QByteArray> rows;
        for (const QByteArray& row : trafficCsv().split('\n')) {
            if (!row.isEmpty() && !row.contains('"'))
                rows << QByteArray(row).replace(',', '|');
        }
        const qsizetype repeatLine = rows.size() + 2; // after the sep= line and every row
        rows.prepend("sep=|\r");
        rows << rows[1];
        const QByteArray csv = rows.join('\n') + '\n';
        writeBytes(input, csv);
        const Analysis analysis = analyzeFile(input.toStdString(), unusualParams());
        const Provenance provenance = makeProvenance(analysis, fingerprintFile(input.toStdString()), "webthreat");
        const QJsonObject read = parseJson(QByteArray::fromStdString(provenanceJson(provenance)))["read"].toObject();
        QCOMPARE(read["repeated_header_lines"].toInt(), 1);
        QCOMPARE(read["repeated_header_first_lines"].toArray().at(0).toInteger(), repeatLine);
        QCOMPARE(read["delimiter"].toString(), QStringLiteral("|"));
        QCOMPARE(read["delimiter_from_sep_line"].toBool(), true);
        const QString text = QString::fromStdString(provenanceText(provenance));
        QVERIFY2(text.contains(QString("1 repeated header lines skipped (lines %1), ").arg(repeatLine)),
                 qPrintable(text));
        QVERIFY2(text.contains("delimiter '|' (from the sep= line)"), qPrintable(text));
    }

    void automaticSettingsAndHostileNames()
    {
        Provenance provenance;
        provenance.input = fingerprintBytes("x", "it's \"odd\"\n.csv");
        provenance.hasDetector = true;
        provenance.features = {"bytes_in"};
        provenance.contamination = Contamination::autoOffset();
        provenance.threshold = -0.5;
        provenance.trees = 100;
        provenance.maxSamples = 256;
        provenance.seed = 42;
        const QJsonObject json = parseJson(QByteArray::fromStdString(provenanceJson(provenance)));
        QCOMPARE(json["input"]["name"].toString(), QStringLiteral("it's \"odd\"\n.csv"));
        QVERIFY(json["input"]["modified"].isNull());
        QCOMPARE(json["detector"]["contamination"].toString(), QStringLiteral("auto"));
        QCOMPARE(json["detector"]["max_samples_requested"].toInt(), 0);
        // The name is quoted for the shell, so the command can be pasted as it is.
        QCOMPARE(
            QString::fromStdString(rerunCommand(provenance)),
            QStringLiteral("webthreat analyze 'it'\\''s \"odd\"\n.csv' --features bytes_in --scale none --trees 100 "
                           "--max-samples 256 --seed 42 --contamination auto"));
        QCOMPARE(json["detector"]["scaling"].toString(), QStringLiteral("none"));

        // Data that was never scored: no detector, and no made-up settings.
        provenance.hasDetector = false;
        provenance.rows = 12;
        const QJsonObject unscored = parseJson(QByteArray::fromStdString(provenanceJson(provenance)));
        QVERIFY(unscored["detector"].isNull());
        QCOMPARE(unscored["result"]["rows"].toInt(), 12);
        QVERIFY(unscored["result"]["suspicious"].isNull());
        QCOMPARE(unscored["rerun"].toString(), QStringLiteral("webthreat analyze 'it'\\''s \"odd\"\n.csv'"));
        QVERIFY(QString::fromStdString(provenanceText(provenance))
                    .contains(QStringLiteral("Detector: not run (12 rows, no scores)")));
    }

    void sidecarIsWrittenAtomicallyNextToTheCsv()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("traffic.csv");
        writeBytes(input, trafficCsv());
        const Analysis analysis = analyzeFile(input.toStdString(), unusualParams());
        const Provenance provenance = makeProvenance(analysis, fingerprintFile(input.toStdString()), "webthreat");
        const QString csv = dir.filePath("scored.csv");
        QCOMPARE(QString::fromStdString(provenanceSidecarPath(csv.toStdString())),
                 csv + QStringLiteral(".provenance.json"));

        writeBytes(csv + QStringLiteral(".provenance.json"), "old");
        writeProvenanceSidecar(provenance, csv.toStdString());
        QCOMPARE(readAll(csv + QStringLiteral(".provenance.json")),
                 QByteArray::fromStdString(provenanceJson(provenance)));
        // Only the input and the sidecar: no temporary left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList({QStringLiteral("scored.csv.provenance.json"), QStringLiteral("traffic.csv")}));

        const std::string unwritable = dir.filePath("no/such/folder/scored.csv").toStdString();
        try {
            writeProvenanceSidecar(provenance, unwritable);
            QFAIL("no error for a missing folder");
        } catch (const OutputError& error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QLatin1String("scored.csv.provenance.json")));
        }
    }

    // What provenance is for: the sidecar alone says how to get the same scores from the same file.
    void recordedParametersReproduceTheScores()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath("traffic.csv");
        writeBytes(input, trafficCsv());
        const Analysis first = analyzeFile(input.toStdString(), unusualParams());
        const QString csv = dir.filePath("scored.csv");
        writeScoredCsv(first, csv.toStdString());
        writeProvenanceSidecar(makeProvenance(first, fingerprintFile(input.toStdString()), "webthreat"),
                               csv.toStdString());

        // Only the sidecar from here on.
        const QJsonObject json = parseJson(readAll(csv + QStringLiteral(".provenance.json")));
        const QString recordedPath = json["input"]["path"].toString();
        QCOMPARE(QString::fromStdString(sha256FileHex(recordedPath.toStdString())), json["input"]["sha256"].toString());
        AnalysisParams params;
        params.detector.features.clear();
        for (const QJsonValue& name : json["detector"]["features"].toArray())
            params.detector.features.push_back(featureByName(name.toString().toStdString()));
        params.detector.scaling = inputScalingByName(json["detector"]["scaling"].toString().toStdString());
        params.detector.forest.trees = json["detector"]["trees"].toInt();
        params.detector.forest.maxSamples = json["detector"]["max_samples"].toInt();
        params.detector.forest.seed = static_cast<std::uint64_t>(json["detector"]["seed"].toInteger());
        const QJsonValue contamination = json["detector"]["contamination"];
        params.contamination = contamination.isString() ? Contamination::parse(contamination.toString().toStdString())
                                                        : Contamination::fromValue(contamination.toDouble());
        params.detector.forest.threads = 1; // a different thread count from the first run: no effect
        const Analysis again = analyzeFile(recordedPath.toStdString(), params);
        QCOMPARE(again.detection->scores.scores(), first.detection->scores.scores());
        QCOMPARE(again.verdicts.threshold, json["detector"]["threshold"].toDouble());

        const QString againCsv = dir.filePath("again.csv");
        writeScoredCsv(again, againCsv.toStdString());
        const QStringList expected = scoreColumns(readAll(csv));
        QCOMPARE(expected.size(), 1500);
        QCOMPARE(scoreColumns(readAll(againCsv)), expected);

        // And the comparison can fail: another seed gives other scores.
        params.detector.forest.seed += 1;
        const Analysis other = analyzeFile(recordedPath.toStdString(), params);
        QVERIFY(other.detection->scores.scores() != first.detection->scores.scores());
    }
};

QTEST_GUILESS_MAIN(TestProvenance)
#include "tst_provenance.moc"

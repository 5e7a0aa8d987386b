#include "core/output/atomicfile.h"
#include "core/behaviour/behaviour.h"
#include "core/detect/explain.h"
#include "core/io/csvreader.h"
#include "core/output/export.h"
#include "core/pipeline.h"
#include "generator/generator.h"
#include "tests/core/behaviour/behaviourdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sstream>

#include <sys/resource.h>

using namespace webthreat;

class TestExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Blocks of rows formatted on 1, 2 or 8 threads give the same file. 40 000 rows explained in
    // full make two batches of explanations, so the features are ranked (and the radix sort used);
    // the explanations still equal the Explainer's for a single row.
    void sameBytesOnAnyNumberOfThreads()
    {
        GeneratorParams generated;
        generated.rows = 40000;
        std::ostringstream text;
        generateTraffic(text, generated);
        auto data = prepareTable(readTrafficCsvText(text.str(), "generated.csv"));
        const auto detection = detect(*data, DetectorParams{});
        const Analysis analysis = assess(data, detection, Contamination::fromValue(0.05));
        QTemporaryDir dir;
        auto written = [&](ExplainRows explain, int threads) {
            const QString path = dir.filePath(QStringLiteral("scored-%1.csv").arg(threads));
            writeScoredCsv(analysis, path.toStdString(), {}, explain, nullptr, threads);
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        for (ExplainRows explain : {ExplainRows::Suspicious, ExplainRows::All}) {
            const QByteArray one = written(explain, 1);
            QCOMPARE(one.count('\n'), 40001);
            QCOMPARE(written(explain, 2), one);
            QCOMPARE(written(explain, 8), one);
            if (explain != ExplainRows::All)
                continue;
            const QList<QByteArray> lines = one.split('\n');
            const Explainer explainer(data, detection);
            for (std::size_t row = 0; row < 40000; row += 997) {
                const std::string sentence = explainer.explain(row).sentence;
                QVERIFY2(lines[static_cast<qsizetype>(row) + 1].contains(QByteArray::fromStdString(sentence)),
                         sentence.c_str());
            }
        }
        // The streaming path's chunks too.
        auto chunk = [&](int threads) {
            const QString path = dir.filePath(QStringLiteral("chunk-%1.csv").arg(threads));
            {
                AtomicFile file(path.toStdString());
                appendScoredChunk(analysis, file, true, threads);
                appendScoredChunk(analysis, file, false, threads);
                file.commit();
            }
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        const QByteArray one = chunk(1);
        QCOMPARE(one.count('\n'), 80001);
        QCOMPARE(chunk(2), one);
        QCOMPARE(chunk(8), one);
    }

    // Text cells reach the scored CSV as appendSafeCsvField writes them, whichever way the writer
    // decides (a flag per interned text in memory, a look at the cell in a chunk): commas, quotes,
    // formulas and edge spaces quoted or neutralised, a cell longer than the row buffer whole.
    void textCellsWrittenSafely()
    {
        const std::vector<std::string> kinds = {"plain rule", "a,b", "say \"hi\"", "=1+2", "-x", "@SUM(A1)",
                                                "inner=fine", std::string(3000, 'r') + ",long"};
        std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,"
                           "response.code,dst_port,dst_ip,rule_names,observation_name,source.meta,source.name,"
                           "time,detection_types\n";
        for (int row = 0; row < 64; ++row) {
            std::string rule = kinds[static_cast<std::size_t>(row) % kinds.size()];
            std::string quoted = "\"";
            for (char c : rule)
                quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
            quoted += '"';
            text += std::to_string(100 + row * 37) + "," + std::to_string(2000 + row) + ",2024-04-25T23:00:00Z,"
                + "2024-04-25T23:10:00Z,10.0.0." + std::to_string(row % 7) + ",US,HTTPS,200,443,10.1.1.1," + quoted
                + ",Adversary Infrastructure Interaction,AWS_VPC_Flow,prod_webserver,2024-04-25T23:00:00Z,waf_rule\n";
        }
        auto data = prepareTable(readTrafficCsvText(text, "rules.csv"));
        QCOMPARE(data->table.rowCount(), std::size_t{64});
        const auto detection = detect(*data, DetectorParams{});
        const Analysis analysis = assess(data, detection, Contamination::fromValue(0.05));
        QTemporaryDir dir;
        const QString memoryPath = dir.filePath("memory.csv");
        writeScoredCsv(analysis, memoryPath.toStdString());
        const QString chunkPath = dir.filePath("chunk.csv");
        {
            AtomicFile file(chunkPath.toStdString());
            appendScoredChunk(analysis, file, true, 2);
            file.commit();
        }
        for (const QString& path : {memoryPath, chunkPath}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = file.readAll().split('\n');
            QCOMPARE(lines.size(), 66); // header, 64 rows, the empty piece after the last newline
            for (std::size_t row = 0; row < 64; ++row) {
                std::string cell;
                appendSafeCsvField(cell, data->table.text(Field::RuleNames, row));
                const QByteArray expected = ",10.1.1.1," + QByteArray::fromStdString(cell) + ",Adversary";
                QVERIFY2(lines[static_cast<qsizetype>(row) + 1].contains(expected),
                         qPrintable(path + ": " + QString::fromUtf8(lines[static_cast<qsizetype>(row) + 1].left(200))));
            }
        }
        // What the rows held, as written: quoted, doubled quotes, neutralised formulas.
        std::string cell;
        appendSafeCsvField(cell, "=1+2");
        QCOMPARE(cell, std::string("'=1+2"));
        cell.clear();
        appendSafeCsvField(cell, "say \"hi\"");
        QCOMPARE(cell, std::string("\"say \"\"hi\"\"\""));
    }

    // beacon_score: every row of a scored pair has its pair's score; a pair of fewer than 10
    // sessions gets 0, as the detector's pair_beacon_score. The same with the caller's beacon pairs or computed here.
    void beaconScoreColumn()
    {
        using namespace webthreat::testdata;
        std::vector<Session> sessions = periodic(12, 60); // rows 0-11: a 60 s beacon
        for (const Session& s : periodic(3, 777, "3.3.3.3")) // rows 12-14: three sessions
            sessions.push_back(s);
        ReadResult read;
        read.table = tableOf(sessions);
        read.report.file = "beacons.csv";
        auto data = prepareTable(std::move(read));
        const Analysis analysis = assess(data, detect(*data, DetectorParams{}), Contamination::fromValue(0.1));
        const BehaviourResult behaviour = analyzeBehaviour(data->table);
        QTemporaryDir dir;
        for (const BeaconResult* given : {static_cast<const BeaconResult*>(nullptr), &behaviour.beacons}) {
            const QString path = dir.filePath(given ? "given.csv" : "computed.csv");
            writeScoredCsv(analysis, path.toStdString(), {}, ExplainRows::Suspicious, given);
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = file.readAll().split('\n');
            const auto column = lines[0].split(',').indexOf("beacon_score");
            QCOMPARE(column, lines[0].split(',').indexOf("avg_packet_size") + 1);
            for (int row = 0; row < 15; ++row)
                QCOMPARE(lines[row + 1].split(',')[column], QByteArray(row < 12 ? "1" : "0"));
        }
    }

    void neutralise_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("written");
        QTest::newRow("plain") << "1.2.3.4"
                               << "1.2.3.4";
        QTest::newRow("equals") << "=HYPERLINK(\"http://x\",\"y\")"
                                << "'=HYPERLINK(\"http://x\",\"y\")";
        QTest::newRow("at") << "@SUM(1+1)*cmd|' /C calc'!A0"
                            << "'@SUM(1+1)*cmd|' /C calc'!A0";
        QTest::newRow("plus") << "+1"
                              << "'+1";
        QTest::newRow("minus") << "-1+2"
                               << "'-1+2";
        QTest::newRow("tab") << "\tx"
                             << "'\tx";
        QTest::newRow("cr") << "\rx"
                            << "'\rx";
        QTest::newRow("inner equals") << "a=b"
                                      << "a=b";
    }

    void neutralise()
    {
        QFETCH(QString, cell);
        QFETCH(QString, written);
        QCOMPARE(QString::fromStdString(neutraliseFormula(cell.toStdString())), written);
    }

    void csvField_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("field");
        QTest::newRow("plain") << "abc"
                               << "abc";
        QTest::newRow("comma") << "a,b"
                               << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\""
                               << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb"
                                 << "\"a\nb\"";
        QTest::newRow("leading blank") << " a"
                                       << "\" a\"";
    }

    void csvField()
    {
        QFETCH(QString, cell);
        QFETCH(QString, field);
        std::string out;
        appendCsvField(out, cell.toStdString());
        QCOMPARE(QString::fromStdString(out), field);
    }

    void atomicWriteReplacesWhole()
    {
        QTemporaryDir dir;
        const std::string path = QDir(dir.path()).filePath("out.csv").toStdString();
        writeFileAtomically(path, "first");
        {
            AtomicFile file(path);
            file.write("second, unfinished");
            // Destroyed without commit: the earlier file stays as it was, and no temporary is left.
        }
        QFile check(QString::fromStdString(path));
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("first"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
        writeFileAtomically(path, "second");
        check.close();
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("second"));
    }

    void unwritableFolderIsAClearError()
    {
        try {
            writeFileAtomically("/nonexistent/folder/out.csv", "x");
            QFAIL("expected an OutputError");
        } catch (const OutputError& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.contains("/nonexistent/folder/out.csv"), qPrintable(message));
            QVERIFY2(message.contains("No such file"), qPrintable(message));
        }
    }

    void failedWriteLeavesPreviousFile()
    {
        // A write that fails part-way (a full disk; simulated with a file-size limit, which fails
        // write() with EFBIG the same way) must leave the earlier file whole and no temporary.
        QTemporaryDir dir;
        const std::string path = QDir(dir.path()).filePath("big.csv").toStdString();
        writeFileAtomically(path, "previous");
        struct rlimit saved { };
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limited = saved;
        limited.rlim_cur = 1u << 20;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
        QString message;
        try {
            writeFileAtomically(path, std::string(3u << 20, 'x'));
        } catch (const OutputError& error) {
            message = QString::fromStdString(error.what());
        }
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previousHandler);
        QVERIFY2(message.contains("big.csv") && message.contains("unchanged"), qPrintable(message));
        QFile check(QString::fromStdString(path));
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("previous"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void scoredCsvCarriesExplanations()
    {
        // 300 ordinary sessions and one that sent 500 times the usual bytes.
        std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n";
        for (int i = 0; i < 301; ++i) {
            const int bytesOut = i == 150 ? 5000000 : 9000 + (i * 37) % 2000;
            text += std::to_string(20000 + (i * 53) % 3000) + "," + std::to_string(bytesOut) + ",2024-04-25T00:00:00Z,"
                + "2024-04-25T00:0" + std::to_string(5 + i % 3) + ":00Z,198.51.100." + std::to_string(i % 200)
                + ",10.0.0.1\n";
        }
        auto data = prepareTable(readTrafficCsvText(text, "explained.csv"));
        DetectorParams params; // without avg_packet_size, which the big transfer would push out too
        params.features = {Feature::BytesIn, Feature::BytesOut, Feature::SessionDuration};
        auto detection = detect(*data, params);
        const Analysis analysis = assess(data, detection, Contamination::fromValue(0.01));
        const auto header = scoredCsvHeader(analysis);
        QCOMPARE(header.size(), kFieldCount + 8);
        QCOMPARE(QString::fromStdString(header[kFieldCount + 5]), QString("top_feature"));
        QCOMPARE(QString::fromStdString(header[kFieldCount + 6]), QString("top_feature_share"));
        QCOMPARE(QString::fromStdString(header[kFieldCount + 7]), QString("explanation"));

        QTemporaryDir dir;
        const QString path = QDir(dir.path()).filePath("scored.csv");
        writeScoredCsv(analysis, path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 302);
        QVERIFY(lines[0].endsWith("anomaly_score,anomaly_label,top_feature,top_feature_share,explanation"));
        // Suspicious rows, against the Explainer asked for that row alone; Normal rows leave the
        // three cells empty.
        const Explainer explainer(data, detection);
        int explained = 0;
        for (std::size_t row = 0; row < 301; ++row) {
            const QStringList fields = lines[static_cast<int>(row) + 1].split(',');
            QCOMPARE(fields.size(), static_cast<int>(header.size()));
            if (!analysis.verdicts.isSuspicious(row)) {
                QCOMPARE(fields.mid(kFieldCount + 5), QStringList({"", "", ""}));
                continue;
            }
            ++explained;
            const RowExplanation explanation = explainer.explain(row);
            const auto name = featureInfo(explanation.features.front().feature).name;
            QCOMPARE(fields[kFieldCount + 5], QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())));
            QCOMPARE(fields[kFieldCount + 6].toDouble(), explanation.features.front().credit);
            QCOMPARE(fields[kFieldCount + 7], QString::fromStdString(explanation.sentence));
        }
        QCOMPARE(explained, static_cast<int>(analysis.verdicts.suspiciousCount));
        QVERIFY(explained >= 3);

        // Asked for all rows, every row carries its own explanation, Normal ones too.
        const QString all = QDir(dir.path()).filePath("all.csv");
        writeScoredCsv(analysis, all.toStdString(), {}, ExplainRows::All);
        QFile allFile(all);
        QVERIFY(allFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList allLines = QString::fromUtf8(allFile.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(allLines.size(), 302);
        for (std::size_t row = 0; row < 301; ++row) {
            const QStringList fields = allLines[static_cast<int>(row) + 1].split(',');
            QCOMPARE(fields[kFieldCount + 7], QString::fromStdString(explainer.explain(row).sentence));
        }
        const QStringList outlier = lines[151].split(',');
        QCOMPARE(outlier[kFieldCount + 4], QString("Suspicious"));
        QCOMPARE(outlier[kFieldCount + 5], QString("bytes_out"));
        // 300 of 301 rows lie below it: 99.67 %, rounded down so only a value above every row reads 100 %.
        QVERIFY2(outlier[kFieldCount + 7].startsWith("bytes_out 5.0 MB is above 99.6 % of sessions; isolated in "),
                 qPrintable(outlier[kFieldCount + 7]));
    }

    // The categorical and per-source features the forest used are written after avg_packet_size,
    // under their --features names; the notebook's four add no column.
    void scoredCsvCarriesChosenFeatures()
    {
        const std::string text = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,dst_port\n"
                                 "10,20,,,1.1.1.1,10.0.0.1,443\n20,30,,,1.1.1.1,10.0.0.1,443\n"
                                 "30,40,,,2.2.2.2,10.0.0.1,443\n40,50,,,3.3.3.3,10.0.0.1,31337\n";
        AnalysisParams params;
        params.detector.features = {Feature::BytesIn, Feature::DstPortFrequency, Feature::SourceSessions};
        Analysis analysis;
        analysis.data = prepareTable(readTrafficCsvText(text, "t.csv"));
        analysis.detection = detect(*analysis.data, params.detector);
        analysis.verdicts = applyThreshold(analysis.detection->scores, Contamination::fromValue(0.25));
        const auto header = scoredCsvHeader(analysis);
        // After them: the score, the label and the three explanation columns.
        QCOMPARE(header[header.size() - 7], std::string("dst_port_frequency"));
        QCOMPARE(header[header.size() - 6], std::string("source_sessions"));
        QCOMPARE(header[header.size() - 8], std::string("beacon_score"));
        const auto port = static_cast<qsizetype>(header.size() - 7);
        QTemporaryDir dir;
        const QString path = dir.filePath("scored.csv");
        writeScoredCsv(analysis, path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QVERIFY(lines[0].endsWith("avg_packet_size,beacon_score,dst_port_frequency,source_sessions,anomaly_score,anomaly_label,"
                                  "top_feature,top_feature_share,explanation"));
        // Counted from the left: an explanation sentence may hold quoted commas.
        const QList<QByteArray> first = lines[1].split(',');
        QCOMPARE(first[port], QByteArray("0.75"));
        QCOMPARE(first[port + 1], QByteArray("2"));
        const QList<QByteArray> last = lines[4].split(',');
        QCOMPARE(last[port], QByteArray("0.25"));
        QCOMPARE(last[port + 1], QByteArray("1"));
    }

    void formatting()
    {
        QCOMPARE(QString::fromStdString(formatNumber(0.05)), QString("0.05"));
        QCOMPARE(QString::fromStdString(formatNumber(600)), QString("600"));
        QCOMPARE(QString::fromStdString(formatBytes(999)), QString("999 B"));
        QCOMPARE(QString::fromStdString(formatBytes(25207794)), QString("25.2 MB"));
        QCOMPARE(QString::fromStdString(groupedCount(5000)), QString("5,000"));
        QCOMPARE(QString::fromStdString(groupedCount(999)), QString("999"));
        QCOMPARE(QString::fromStdString(groupedCount(1234567)), QString("1,234,567"));
        QCOMPARE(QString::fromStdString(groupedCount(0)), QString("0"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"

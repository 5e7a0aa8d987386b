#include "core/atomicfile.h"
#include "core/csvreader.h"
#include "core/export.h"
#include "core/pipeline.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/resource.h>

using namespace webthreat;

class TestExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void neutralise_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("written");
        QTest::newRow("plain") << "1.2.3.4" << "1.2.3.4";
        QTest::newRow("equals") << "=HYPERLINK(\"http://x\",\"y\")" << "'=HYPERLINK(\"http://x\",\"y\")";
        QTest::newRow("at") << "@SUM(1+1)*cmd|' /C calc'!A0" << "'@SUM(1+1)*cmd|' /C calc'!A0";
        QTest::newRow("plus") << "+1" << "'+1";
        QTest::newRow("minus") << "-1+2" << "'-1+2";
        QTest::newRow("tab") << "\tx" << "'\tx";
        QTest::newRow("cr") << "\rx" << "'\rx";
        QTest::newRow("inner equals") << "a=b" << "a=b";
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
        QTest::newRow("plain") << "abc" << "abc";
        QTest::newRow("comma") << "a,b" << "\"a,b\"";
        QTest::newRow("quote") << "say \"hi\"" << "\"say \"\"hi\"\"\"";
        QTest::newRow("newline") << "a\nb" << "\"a\nb\"";
        QTest::newRow("leading blank") << " a" << "\" a\"";
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
        struct rlimit saved {};
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
        QCOMPARE(header[header.size() - 4], std::string("dst_port_frequency"));
        QCOMPARE(header[header.size() - 3], std::string("source_sessions"));
        QCOMPARE(header[header.size() - 5], std::string("avg_packet_size"));
        QTemporaryDir dir;
        const QString path = dir.filePath("scored.csv");
        writeScoredCsv(analysis, path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QVERIFY(lines[0].endsWith("avg_packet_size,dst_port_frequency,source_sessions,anomaly_score,anomaly_label"));
        const QList<QByteArray> first = lines[1].split(',');
        QCOMPARE(first[first.size() - 4], QByteArray("0.75"));
        QCOMPARE(first[first.size() - 3], QByteArray("2"));
        const QList<QByteArray> last = lines[4].split(',');
        QCOMPARE(last[last.size() - 4], QByteArray("0.25"));
        QCOMPARE(last[last.size() - 3], QByteArray("1"));
    }

    void formatting()
    {
        QCOMPARE(QString::fromStdString(formatNumber(0.05)), QString("0.05"));
        QCOMPARE(QString::fromStdString(formatNumber(600)), QString("600"));
        QCOMPARE(QString::fromStdString(formatBytes(999)), QString("999 B"));
        QCOMPARE(QString::fromStdString(formatBytes(25207794)), QString("25.2 MB"));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"

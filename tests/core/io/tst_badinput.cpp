// The corpus of bad files in tests/data/bad: each either loads with counted, reported warnings or is
// refused with a message naming the file and line. EXPECTED.tsv there says which.
#include "core/io/csvreader.h"
#include "core/output/export.h"
#include "core/pipeline.h"
#include "tests/badcorpus.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

const QString kCorpus = testing::badCorpusFolder();

std::vector<std::string> allWarnings(const PreparedData& data)
{
    std::vector<std::string> warnings = data.readReport.warnings;
    warnings.insert(warnings.end(), data.cleanReport.warnings.begin(), data.cleanReport.warnings.end());
    warnings.insert(warnings.end(), data.features.report.warnings.begin(), data.features.report.warnings.end());
    return warnings;
}

bool anyContains(const std::vector<std::string>& texts, const QString& fragment)
{
    for (const auto& text : texts) {
        if (QString::fromStdString(text).contains(fragment))
            return true;
    }
    return false;
}

const std::string kHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,dst_ip,"
      "rule_names,observation_name,source.meta,source.name,time,detection_types";

std::string row(int i, const std::string& rule)
{
    return std::to_string(100 + i) + "," + std::to_string(900 + 7 * i)
        + ",2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,198.51.100." + std::to_string(i % 200)
        + ",US,HTTPS,200,443,10.0.0.1," + rule + ",obs,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule";
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void corpus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("outcome");
        QTest::addColumn<int>("value");
        QTest::addColumn<int>("exitStatus");
        QTest::addColumn<QString>("message");
        const auto entries = testing::badCorpusEntries();
        QVERIFY(!entries.isEmpty());
        for (const auto& entry : entries)
            QTest::newRow(qPrintable(entry.file)) << entry.file << QString(entry.readerRefuses ? "refuse" : "load")
                                                  << entry.readerValue << entry.exitStatus << entry.message;
        const int rows = static_cast<int>(entries.size());
        // Every file in the corpus has an expectation, and the other way round.
        const QStringList files = QDir(kCorpus).entryList({"*.csv"}, QDir::Files);
        QCOMPARE(files.size(), rows);
    }

    void corpus()
    {
        QFETCH(QString, file);
        QFETCH(QString, outcome);
        QFETCH(int, value);
        QFETCH(int, exitStatus);
        QFETCH(QString, message);
        const std::string path = (kCorpus + "/" + file).toStdString();
        ReadResult read;
        try {
            read = readTrafficCsv(path);
        } catch (const InputError& error) {
            QVERIFY2(outcome == "refuse", error.what());
            QCOMPARE(error.line(), std::int64_t(value));
            QCOMPARE(error.file(), path);
            QVERIFY2(QString::fromStdString(error.what()).contains(message), error.what());
            return;
        }
        QVERIFY2(outcome == "load", "the file loaded but should have been refused");
        QCOMPARE(read.table.rowCount(), std::size_t(value));
        auto data = prepareTable(std::move(read));
        std::vector<std::string> texts = allWarnings(*data);
        try {
            auto detection = detect(*data, DetectorParams());
            const Analysis analysis = assess(data, detection, Contamination());
            QCOMPARE(exitStatus, 0);
            QCOMPARE(analysis.findings.rows, data->table.rowCount());
        } catch (const InputError& error) {
            QVERIFY2(exitStatus == 3, error.what());
            texts.push_back(error.what());
        }
        if (message != "-")
            QVERIFY2(anyContains(texts, message), qPrintable(message));
        else
            QVERIFY(texts.empty());
    }

    void tenMegabyteField()
    {
        std::string text = kHeader + "\n" + row(1, "short") + "\n" + row(2, std::string(10u << 20, 'x')) + "\n"
            + row(3, "\"" + std::string(10u << 20, 'y') + "\"") + "\n";
        const ReadResult result = readTrafficCsvText(text, "large.csv");
        QCOMPARE(result.table.rowCount(), std::size_t(3));
        QCOMPARE(result.table.text(Field::RuleNames, 1).size(), std::size_t(10u << 20));
        QCOMPARE(result.table.text(Field::RuleNames, 2).size(), std::size_t(10u << 20));
    }

    void tenThousandColumns()
    {
        std::string header = kHeader;
        std::string extra;
        for (int c = 0; c < 10000 - 16; ++c) {
            header += ",extra" + std::to_string(c);
            extra += "," + std::to_string(c);
        }
        std::string text = header + "\n";
        for (int i = 0; i < 5; ++i)
            text += row(i, "rule") + extra + "\n";
        const ReadResult result = readTrafficCsvText(text, "wide.csv");
        QCOMPARE(result.table.rowCount(), std::size_t(5));
        QCOMPARE(result.table.columnCount(), std::size_t(10000));
        QCOMPARE(result.table.cellText(9999, 4), std::string("9983"));
    }

    void formulaInjectionNeutralised()
    {
        auto data = prepareData((kCorpus + "/formula_injection.csv").toStdString());
        const Analysis analysis = assess(data, detect(*data, DetectorParams()), Contamination());
        QTemporaryDir dir;
        const QString out = dir.filePath("scored.csv");
        writeScoredCsv(analysis, out.toStdString());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY2(text.contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\""), qPrintable(text));
        QVERIFY(text.contains("'@SUM(1+1)*cmd|' /C calc'!A0"));
        QVERIFY(text.contains("'+cmd|' /C notepad'!A0"));
        QVERIFY(text.contains(",'-1+1,"));
        // Blanks around a cell are trimmed on reading, so the leading tab is gone before writing.
        QVERIFY(text.contains(",Tabbed,"));
        QVERIFY(text.contains("'=1+1"));
        // No cell of a text column starts a formula; numbers stay numbers.
        const QStringList lines = text.split('\n', Qt::SkipEmptyParts);
        for (const QString& line : lines.mid(1)) {
            QVERIFY(!line.startsWith('\''));
            QVERIFY(line.at(0).isDigit());
        }
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"

// core/io/inputfile: a file read in blocks, with its size and errors naming it.
#include "core/io/inputfile.h"
#include "core/util/errors.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;

class TestInputFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsInBlocksAndKnowsItsSize()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("in.csv")).toStdString();
        std::ofstream(path, std::ios::binary) << "0123456789";
        InputFile file(path);
        QCOMPARE(file.size(), std::uint64_t(10));
        char buffer[4];
        std::string read;
        while (const std::size_t got = file.read(buffer, sizeof buffer))
            read.append(buffer, got);
        QCOMPARE(read, std::string("0123456789"));
        QCOMPARE(file.read(buffer, sizeof buffer), std::size_t(0));
    }

    void anEmptyFileHasSizeZero()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("empty.csv")).toStdString();
        std::ofstream(path, std::ios::binary).flush();
        InputFile file(path);
        QCOMPARE(file.size(), std::uint64_t(0));
        char buffer[4];
        QCOMPARE(file.read(buffer, sizeof buffer), std::size_t(0));
    }

    void aMissingFileIsNamed()
    {
        try {
            InputFile file("/nonexistent/traffic.csv");
            QFAIL("a missing file was opened");
        } catch (const InputError& error) {
            QCOMPARE(error.file(), std::string("/nonexistent/traffic.csv"));
            QVERIFY(error.problem().starts_with("cannot open the file: "));
        }
    }
};

QTEST_GUILESS_MAIN(TestInputFile)
#include "tst_inputfile.moc"

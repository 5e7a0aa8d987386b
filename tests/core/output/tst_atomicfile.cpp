// core/output/atomicfile: a file appears whole or not at all.
#include "core/output/atomicfile.h"
#include "core/util/errors.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <ostream>

using namespace webthreat;

namespace {
QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}
} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void commitWritesTheWholeFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        {
            AtomicFile file(path.toStdString());
            QCOMPARE(file.path(), path.toStdString());
            file.write("a,b\n");
            file.write(std::string(100000, 'x'));
            QVERIFY(!QFile::exists(path)); // nothing at the target before commit
            file.commit();
        }
        QCOMPARE(contents(path), QByteArray("a,b\n") + QByteArray(100000, 'x'));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("out.csv")}); // no temporary left
    }

    void withoutCommitTheOldFileStays()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        writeFileAtomically(path.toStdString(), "old");
        {
            AtomicFile file(path.toStdString());
            file.write("new, but abandoned");
        }
        QCOMPARE(contents(path), QByteArray("old"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("out.csv")});
    }

    void replacesAnEarlierFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.txt"));
        writeFileAtomically(path.toStdString(), "first");
        writeFileAtomically(path.toStdString(), "second");
        QCOMPARE(contents(path), QByteArray("second"));
    }

    void streamsThroughABuffer()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stream.txt"));
        AtomicFile file(path.toStdString());
        AtomicFileBuffer buffer(file);
        std::ostream stream(&buffer);
        stream << "rows: " << 42 << '\n';
        stream.flush();
        file.commit();
        QCOMPARE(contents(path), QByteArray("rows: 42\n"));
    }

    void anUnwritableFolderIsAnOutputError()
    {
        try {
            AtomicFile file("/nonexistent-folder/out.csv");
            file.write("x");
            file.commit();
            QFAIL("writing into a missing folder succeeded");
        } catch (const OutputError& error) {
            QVERIFY(std::string(error.what()).find("/nonexistent-folder/out.csv") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"

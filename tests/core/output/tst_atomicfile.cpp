// core/output/atomicfile: a file appears whole or not at all.
#include "core/output/atomicfile.h"
#include "core/util/errors.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <ostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

    // --out /dev/null as root once renamed a plain file over the device: a device or pipe is
    // written in place and stays what it was.
    void aPipeIsWrittenInPlaceNotReplaced()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("pipe")).toStdString();
        QCOMPARE(::mkfifo(path.c_str(), 0600), 0);
        QVERIFY(isDeviceOrPipe(path));
        QVERIFY(isDeviceOrPipe("/dev/null"));
        QVERIFY(!isDeviceOrPipe(dir.filePath(QStringLiteral("absent.csv")).toStdString()));
        QVERIFY(!isDeviceOrPipe(dir.path().toStdString()));
        const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
        QVERIFY(reader >= 0);
        {
            AtomicFile file(path);
            file.write("scored rows\n");
            file.commit();
        }
        char bytes[64] = {};
        const ssize_t got = ::read(reader, bytes, sizeof bytes);
        ::close(reader);
        QCOMPARE(QByteArray(bytes, static_cast<int>(got)), QByteArray("scored rows\n"));
        struct stat status { };
        QCOMPARE(::stat(path.c_str(), &status), 0);
        QVERIFY(S_ISFIFO(status.st_mode));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot).size(), 1);
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

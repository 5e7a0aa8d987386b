// core/output/sha256: the input's fingerprint for provenance, checked against FIPS 180-4's vectors.
#include "core/output/sha256.h"
#include "core/util/errors.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;

class TestSha256 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownDigests_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray("") << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("a million a") << QByteArray(1000000, 'a')
                                     << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }
    void knownDigests()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        const std::string_view bytes(input.constData(), static_cast<std::size_t>(input.size()));
        QCOMPARE(QString::fromStdString(sha256Hex(bytes)), digest);
        // The same fed in uneven pieces.
        Sha256 hash;
        for (std::size_t at = 0; at < bytes.size(); at += 77)
            hash.update(bytes.substr(at, 77));
        QCOMPARE(QString::fromStdString(Sha256::toHex(hash.finish())), digest);
    }

    void filesAreHashedInBlocks()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("abc.txt")).toStdString();
        std::ofstream(path, std::ios::binary) << "abc";
        QCOMPARE(sha256FileHex(path), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY_THROWS_EXCEPTION(InputError, sha256FileHex(dir.filePath(QStringLiteral("missing")).toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"

// core/io/archive through core/io/trafficfile: bzip2, xz and zstd streams, zip and tar archives
// (tar.gz too), a member chosen as FILE:NAME, an archive of several files refused with their
// names, archives inside archives refused, bombs stopped by the decompressed-size guard with the
// ratio, corrupt archives named, cancel answered. The archives are written in the test with
// libarchive's writer, so that no binary fixture hides what it holds.
#include "core/io/archive.h"
#include "core/io/trafficfile.h"

#include "readertesting.h"

#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

#include <atomic>
#include <fstream>

using namespace webthreat;
using namespace webthreat::testing;

namespace {

const std::string kVpcRecord = "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n";

std::string records(int count)
{
    std::string text;
    for (int i = 0; i < count; ++i)
        text += kVpcRecord;
    return text;
}

enum class Container { Raw, Zip, Tar };

struct Entry {
    std::string name;
    std::string text;
    std::uint64_t zeros = 0; // then this many zero bytes, written in blocks (a bomb)
};

// Writes entries as a container (or one raw stream) through filter ("gzip", "bzip2", "xz", "zstd",
// "" for none). Returns false when libarchive refuses.
bool writeArchive(const std::string& path, Container container, const std::string& filter,
                  const std::vector<Entry>& entries)
{
    archive* out = archive_write_new();
    int status = container == Container::Zip ? archive_write_set_format_zip(out)
        : container == Container::Tar        ? archive_write_set_format_pax_restricted(out)
                                             : archive_write_set_format_raw(out);
    if (!filter.empty() && status == ARCHIVE_OK)
        status = archive_write_add_filter_by_name(out, filter.c_str());
    if (status != ARCHIVE_OK || archive_write_open_filename(out, path.c_str()) != ARCHIVE_OK) {
        archive_write_free(out);
        return false;
    }
    const std::string zeros(1u << 20, '\0');
    bool written = true;
    for (const Entry& item : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, item.name.c_str());
        archive_entry_set_filetype(entry, item.name.back() == '/' ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(item.text.size() + item.zeros));
        written = written && archive_write_header(out, entry) == ARCHIVE_OK;
        archive_entry_free(entry);
        written = written
            && archive_write_data(out, item.text.data(), item.text.size()) == static_cast<la_ssize_t>(item.text.size());
        for (std::uint64_t left = item.zeros; written && left > 0;) {
            const std::size_t take = std::min<std::uint64_t>(left, zeros.size());
            written = archive_write_data(out, zeros.data(), take) == static_cast<la_ssize_t>(take);
            left -= take;
        }
    }
    written = archive_write_close(out) == ARCHIVE_OK && written;
    archive_write_free(out);
    return written;
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

class TestArchive : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string at(const char* name) const { return (m_dir.path() + "/" + QLatin1String(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Every compression and container holding one file reads as the plain file, and the report says
    // what it was read from.
    void oneFileReads_data()
    {
        QTest::addColumn<int>("container");
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("described");
        QTest::newRow("bzip2") << int(Container::Raw) << "bzip2"
                               << "flows.log.bz2"
                               << "bzip2-compressed (";
        QTest::newRow("xz") << int(Container::Raw) << "xz"
                            << "flows.log.xz"
                            << "xz-compressed (";
        QTest::newRow("zstd") << int(Container::Raw) << "zstd"
                              << "flows.log.zst"
                              << "zstd-compressed (";
        QTest::newRow("zip") << int(Container::Zip) << ""
                             << "flows.zip"
                             << "zip archive member flows.log (";
        QTest::newRow("tar") << int(Container::Tar) << ""
                             << "flows.tar"
                             << "tar archive member flows.log (";
        QTest::newRow("tar.gz") << int(Container::Tar) << "gzip"
                                << "flows.tar.gz"
                                << "tar archive (gzip) member flows.log (";
        QTest::newRow("tar.xz") << int(Container::Tar) << "xz"
                                << "flows.tar.xz"
                                << "tar archive (xz) member flows.log (";
    }
    void oneFileReads()
    {
        QFETCH(int, container);
        QFETCH(QString, filter);
        QFETCH(QString, name);
        QFETCH(QString, described);
        const std::string path = at(qPrintable(name));
        QVERIFY(writeArchive(path, Container(container), filter.toStdString(), {{"flows.log", records(3)}}));
        const ReadResult result = readTrafficFile(path);
        QCOMPARE(result.report.lines, std::int64_t(3));
        QCOMPARE(result.table.rowCount(), std::size_t(3));
        const QString format = QString::fromStdString(result.report.format);
        QVERIFY2(format.startsWith("AWS VPC Flow Logs") && format.contains(", " + described), qPrintable(format));
        // The same bytes from memory read the same.
        QCOMPARE(readTrafficBytes(readAll(path), "memory").table.rowCount(), std::size_t(3));
    }

    void severalFilesAreListed()
    {
        const std::string path = at("capture.zip");
        QVERIFY(writeArchive(path, Container::Zip, "",
                             {{"a.csv", records(1)}, {"docs/", ""}, {"b.csv", records(2)}, {"c.csv", records(4)}}));
        const QString message = errorOf([&] { readTrafficFile(path); });
        QCOMPARE(message,
                 QString::fromStdString(path + ": the zip archive holds 3 files; choose one as " + path
                                        + ":NAME: a.csv, b.csv, c.csv"));
        const std::vector<ArchiveMember> members = listArchiveMembers(path);
        QCOMPARE(members.size(), std::size_t(3));
        QCOMPARE(members[2].name, std::string("c.csv"));
        QCOMPARE(members[2].size, std::uint64_t(4 * kVpcRecord.size()));
    }

    void memberIsChosenByName()
    {
        const std::string path = at("chosen.tar.gz");
        QVERIFY(writeArchive(path, Container::Tar, "gzip", {{"a.log", records(1)}, {"b.log", records(5)}}));
        const ReadResult result = readTrafficFile(path + ":b.log");
        QCOMPARE(result.table.rowCount(), std::size_t(5));
        QCOMPARE(splitArchivePath(path + ":b.log").member, std::string("b.log"));
        QCOMPARE(splitArchivePath(path).member, std::string());
        // A name it does not hold: the message lists what it holds.
        const QString message = errorOf([&] { readTrafficFile(path + ":c.log"); });
        QCOMPARE(message,
                 QString::fromStdString(path)
                     + ": the tar archive (gzip) holds no file named 'c.log'; it holds: a.log, b.log");
        // Errors inside a member name the file and the member.
        const std::string bad = at("bad.zip");
        QVERIFY(writeArchive(bad, Container::Zip, "", {{"bad.log", "this is not a log\n"}, {"x", "y"}}));
        const QString inner = errorOf([&] { readTrafficFile(bad + ":bad.log"); });
        QVERIFY2(inner.startsWith(QString::fromStdString(bad) + ":bad.log:1: the file's format is not recognised"),
                 qPrintable(inner));
    }

    void plainFileHasNoMembers()
    {
        const std::string path = at("plain.log");
        std::ofstream(path) << records(2);
        const QString message = errorOf([&] { readTrafficFile(path + ":x.csv"); });
        QVERIFY2(message.startsWith(QString::fromStdString(path) + ": the file is not a zip or tar archive"),
                 qPrintable(message));
        QVERIFY(listArchiveMembers(path).empty());
    }

    void nestedArchiveIsRefused()
    {
        const std::string inner = at("inner.zip");
        QVERIFY(writeArchive(inner, Container::Zip, "", {{"flows.log", records(2)}}));
        const std::string outer = at("outer.zip");
        QVERIFY(writeArchive(outer, Container::Zip, "", {{"inner.zip", readAll(inner)}}));
        const QString message = errorOf([&] { readTrafficFile(outer); });
        QVERIFY2(message.startsWith(QString::fromStdString(outer) + ":inner.zip: the zip archive member inner.zip"),
                 qPrintable(message));
        QVERIFY2(message.contains("holds a zip archive in turn") && message.contains("extract the inner one first"),
                 qPrintable(message));
        // A gzip file holding a zip: the same.
        const std::string gz = at("zip.gz");
        QVERIFY(writeArchive(gz, Container::Raw, "gzip", {{"data", readAll(inner)}}));
        QVERIFY(errorOf([&] { readTrafficFile(gz); }).contains("holds a zip archive in turn"));
    }

    // A zip that states its size is refused before reading; a stream that does not is stopped as it
    // grows, with the ratio. 2 GiB of zeros make some 100 KiB of zstd.
    void bombIsStopped()
    {
        ReadOptions options;
        options.memoryBudget = 16u << 20;
        options.blockBytes = 1u << 20;
        const std::string zip = at("bomb.zip");
        QVERIFY(writeArchive(zip, Container::Zip, "", {{"bomb.log", kVpcRecord, 256u << 20}}));
        const QString stated = errorOf([&] { readTrafficFile(zip, options); });
        QVERIFY2(stated.startsWith(QString::fromStdString(zip) + ":bomb.log: decompressed, the file is larger than"),
                 qPrintable(stated));
        QVERIFY2(stated.contains("the archive says it is " + QString::number((256u << 20) + kVpcRecord.size())),
                 qPrintable(stated));

        const std::string zst = at("bomb.log.zst");
        QVERIFY(writeArchive(zst, Container::Raw, "zstd", {{"data", kVpcRecord, 2ull << 30}}));
        QVERIFY(readAll(zst).size() < (1u << 20));
        const QString grown = errorOf([&] { readTrafficFile(zst, options); });
        QVERIFY2(grown.startsWith(QString::fromStdString(zst) + ": decompressed, the file is larger than"),
                 qPrintable(grown));
        QVERIFY2(grown.contains("compressed bytes had already given") && grown.contains("to 1"), qPrintable(grown));
    }

    void corruptZipIsNamed()
    {
        const std::string good = at("good.zip");
        QVERIFY(writeArchive(good, Container::Zip, "", {{"flows.log", records(50)}}));
        std::string bytes = readAll(good);
        // Damage the compressed data (after the local header, before the central directory).
        for (std::size_t i = 60; i < 120 && i < bytes.size(); ++i)
            bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
        const std::string bad = at("corrupt.zip");
        std::ofstream(bad, std::ios::binary) << bytes;
        const QString message = errorOf([&] { readTrafficFile(bad); });
        QVERIFY2(message.startsWith(QString::fromStdString(bad)), qPrintable(message));
        QVERIFY2(message.contains("corrupt or truncated"), qPrintable(message));
        // Cut short.
        const std::string cut = at("cut.zip");
        std::ofstream(cut, std::ios::binary) << bytes.substr(0, 40);
        const QString truncated = errorOf([&] { readTrafficFile(cut); });
        QVERIFY2(truncated.startsWith(QString::fromStdString(cut) + ":"), qPrintable(truncated));
    }

    void truncatedStreamsAreNamed_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::newRow("bzip2") << "bzip2";
        QTest::newRow("xz") << "xz";
        QTest::newRow("zstd") << "zstd";
    }
    void truncatedStreamsAreNamed()
    {
        QFETCH(QString, filter);
        const std::string whole = at("whole.log");
        std::string text;
        for (int i = 0; i < 20000; ++i)
            text += "2 1 eni-a 10.0.0." + std::to_string(i % 250) + " 198.51.100.7 " + std::to_string(20000 + i)
                + " 443 6 3 " + std::to_string(900 + i) + " 1000 1060 ACCEPT OK\n";
        QVERIFY(writeArchive(whole, Container::Raw, filter.toStdString(), {{"data", text}}));
        const std::string bytes = readAll(whole);
        const std::string cut = at("cut.log");
        std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        const QString message = errorOf([&] { readTrafficFile(cut); });
        QVERIFY2(message.startsWith(QString::fromStdString(cut) + ": "), qPrintable(message));
        QVERIFY2(message.contains("corrupt or truncated"), qPrintable(message));
    }

    void encryptedMemberIsNamed()
    {
        const std::string path = at("secret.zip");
        archive* out = archive_write_new();
        QCOMPARE(archive_write_set_format_zip(out), ARCHIVE_OK);
        if (archive_write_set_options(out, "zip:encryption=zipcrypt") != ARCHIVE_OK) {
            archive_write_free(out);
            QSKIP("this libarchive writes no encrypted zip");
        }
        QCOMPARE(archive_write_set_passphrase(out, "secret"), ARCHIVE_OK);
        QCOMPARE(archive_write_open_filename(out, path.c_str()), ARCHIVE_OK);
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, "flows.log");
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        const std::string text = records(3);
        archive_entry_set_size(entry, static_cast<la_int64_t>(text.size()));
        QCOMPARE(archive_write_header(out, entry), ARCHIVE_OK);
        archive_entry_free(entry);
        QCOMPARE(archive_write_data(out, text.data(), text.size()), static_cast<la_ssize_t>(text.size()));
        QCOMPARE(archive_write_close(out), ARCHIVE_OK);
        archive_write_free(out);
        const QString message = errorOf([&] { readTrafficFile(path); });
        QCOMPARE(message,
                 QString::fromStdString(path)
                     + ":flows.log: the file is encrypted in the zip archive; the workbench does not read "
                       "encrypted archives: extract it with its password first");
    }

    void cancelAnswers()
    {
        const std::string path = at("cancel.log.xz");
        QVERIFY(writeArchive(path, Container::Raw, "xz", {{"data", records(1000)}}));
        std::atomic<bool> cancel{true};
        const Progress progress({}, &cancel);
        QVERIFY_THROWS_EXCEPTION(CancelledError, readTrafficFile(path, {}, progress));
        const std::string zip = at("cancel.zip");
        QVERIFY(writeArchive(zip, Container::Zip, "", {{"a.log", records(2)}, {"b.log", records(2)}}));
        QVERIFY_THROWS_EXCEPTION(CancelledError, readTrafficFile(zip + ":b.log", {}, progress));
    }

    void packingByContent()
    {
        QCOMPARE(packingOf("\x1f\x8b\x08"), Packing::Gzip);
        QCOMPARE(packingOf("BZh9"), Packing::Bzip2);
        QCOMPARE(packingOf(std::string_view("\xfd"
                                            "7zXZ\0",
                                            6)),
                 Packing::Xz);
        QCOMPARE(packingOf("\x28\xb5\x2f\xfd"), Packing::Zstd);
        QCOMPARE(packingOf("PK\x03\x04"), Packing::Zip);
        QCOMPARE(packingOf("BZh, not bzip2"), Packing::Plain);
        QCOMPARE(packingOf("version,account_id\n"), Packing::Plain);
    }
};

QTEST_GUILESS_MAIN(TestArchive)
#include "tst_archive.moc"

// ui/archivememberchooser through the window: opening a zip of several files asks which one (names
// and sizes), opening the chosen member loads it, cancelling keeps what was shown; a zip of one file
// opens without asking.
#include "ui/archivememberchooser.h"

#include "core/io/trafficfile.h"
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/mainwindow.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <archive.h>
#include <archive_entry.h>

using namespace webthreat;

namespace {

const QString kSample = QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/../../resources/sample/sample_traffic.csv");

QByteArray sampleBytes()
{
    QFile in(kSample);
    return in.open(QIODevice::ReadOnly) ? in.readAll() : QByteArray();
}

// A zip of the named members, written with libarchive's writer.
bool writeZip(const QString& path, const std::vector<std::pair<std::string, QByteArray>>& members)
{
    archive* out = archive_write_new();
    bool written = archive_write_set_format_zip(out) == ARCHIVE_OK
        && archive_write_open_filename(out, path.toLocal8Bit().constData()) == ARCHIVE_OK;
    for (const auto& [name, bytes] : members) {
        if (!written)
            break;
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, bytes.size());
        written = archive_write_header(out, entry) == ARCHIVE_OK
            && archive_write_data(out, bytes.constData(), static_cast<std::size_t>(bytes.size())) == bytes.size();
        archive_entry_free(entry);
    }
    written = archive_write_close(out) == ARCHIVE_OK && written;
    archive_write_free(out);
    return written;
}

} // namespace

class TestArchiveMemberChooser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_archivememberchooser")));
        QVERIFY(m_dir.isValid());
        QVERIFY(!sampleBytes().isEmpty());
    }

    void severalFilesAsksWhichOne()
    {
        const QString zip = m_dir.filePath(QStringLiteral("capture.zip"));
        QVERIFY(writeZip(zip, {{"notes.txt", "not traffic\n"}, {"traffic/sample.csv", sampleBytes()}}));
        const std::size_t expectedRows = readTrafficFile(kSample.toStdString()).table.rowCount();

        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(zip);
        auto* chooser = test::byName<ArchiveMemberChooser>(window, "archiveMemberChooser");
        QVERIFY(chooser);
        QVERIFY(chooser->isVisible());
        auto* list = chooser->findChild<QTreeWidget*>(QStringLiteral("archiveMembers"));
        QVERIFY(list);
        QCOMPARE(list->topLevelItemCount(), 2);
        QCOMPARE(list->topLevelItem(1)->text(0), QStringLiteral("traffic/sample.csv"));
        QVERIFY(!list->topLevelItem(1)->text(1).isEmpty()); // its size
        QVERIFY(!window.isBusy()); // nothing is read before the analyst chooses

        QVERIFY(chooser->choose(QStringLiteral("traffic/sample.csv")));
        chooser->accept();
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        QVERIFY2(window.lastError().isEmpty(), qPrintable(window.lastError()));
        QCOMPARE(window.snapshot().data->table.rowCount(), expectedRows);
        QTRY_VERIFY(window.findChild<ArchiveMemberChooser*>() == nullptr); // closed and deleted
    }

    void cancellingKeepsWhatWasShown()
    {
        const QString zip = m_dir.filePath(QStringLiteral("two.zip"));
        QVERIFY(writeZip(zip, {{"a.csv", sampleBytes()}, {"b.csv", sampleBytes()}}));
        MainWindow window;
        QVERIFY(test::openAndWait(window, {}));
        const AnalysisSnapshot before = window.snapshot();
        window.openFile(zip);
        auto* chooser = window.findChild<ArchiveMemberChooser*>();
        QVERIFY(chooser);
        chooser->reject();
        QTRY_VERIFY(window.findChild<ArchiveMemberChooser*>() == nullptr);
        QVERIFY(!window.isBusy());
        QCOMPARE(window.snapshot().data, before.data);
    }

    void oneFileOpensWithoutAsking()
    {
        const QString zip = m_dir.filePath(QStringLiteral("one.zip"));
        QVERIFY(writeZip(zip, {{"sample.csv", sampleBytes()}}));
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(zip);
        QVERIFY(window.findChild<ArchiveMemberChooser*>() == nullptr);
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().data->table.rowCount(), readTrafficFile(kSample.toStdString()).table.rowCount());
    }

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestArchiveMemberChooser)
#include "tst_archivememberchooser.moc"

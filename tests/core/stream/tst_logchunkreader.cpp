// core/stream/logchunkreader and openChunkSource: every log format, plain and in every packing the
// in-memory path reads, handed out in small chunks, gives the rows of the whole file's read (the
// same cells, the file's line numbers); a layout set by a header carries over to later chunks; a bad
// line in a later chunk is reported with the file's line number; a VPC Flow Log read in chunks joins
// directions within a chunk only, and says so, with every byte kept.
#include "core/stream/chunksource.h"
#include "core/stream/logchunkreader.h"

#include "core/io/trafficfile.h"
#include "core/util/errors.h"
#include "streamtesting.h"

#include <archive.h>
#include <archive_entry.h>

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace webthreat;
using namespace webthreat::testing;

namespace {
const std::string kFormats = std::string(WEBTHREAT_TEST_DATA_DIR) + "/formats";

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// filter: "" (no compression), gzip, bzip2, xz, zstd; zip or tar put the text in a member "log".
bool writePacked(const std::string& path, const std::string& packing, const std::string& text)
{
    archive* out = archive_write_new();
    const bool zip = packing == "zip";
    const bool tar = packing.rfind("tar", 0) == 0;
    int status = zip ? archive_write_set_format_zip(out) : tar ? archive_write_set_format_pax_restricted(out)
                                                                : archive_write_set_format_raw(out);
    std::string filter = tar ? (packing.size() > 4 ? packing.substr(4) : "") : zip ? "" : packing;
    if (filter == "gz")
        filter = "gzip";
    if (!filter.empty() && status == ARCHIVE_OK)
        status = archive_write_add_filter_by_name(out, filter.c_str());
    if (status != ARCHIVE_OK || archive_write_open_filename(out, path.c_str()) != ARCHIVE_OK) {
        archive_write_free(out);
        return false;
    }
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, "log");
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(text.size()));
    bool written = archive_write_header(out, entry) == ARCHIVE_OK
        && archive_write_data(out, text.data(), text.size()) == static_cast<la_ssize_t>(text.size());
    archive_entry_free(entry);
    written = archive_write_close(out) == ARCHIVE_OK && written;
    archive_write_free(out);
    return written;
}

// Each row as text: its line and every schema cell.
std::vector<std::string> rowsOf(const TrafficTable& table)
{
    std::vector<std::string> rows(table.rowCount());
    for (std::size_t row = 0; row < rows.size(); ++row) {
        std::string& text = rows[row];
        text = std::to_string(table.sourceLines[row]);
        for (std::size_t c = 0; c < kFieldCount; ++c) {
            const Column& column = table.columns[c];
            text += '|';
            if (column.kind == ColumnKind::Text)
                text += table.strings->view(column.text[row]);
            else if (column.kind == ColumnKind::Real)
                text += std::to_string(column.reals[row]);
            else
                text += std::to_string(column.integers[row]);
        }
    }
    return rows;
}

struct Chunked {
    std::vector<std::string> rows;
    std::size_t chunks = 0;
    ReadReport report;
    std::vector<std::string> notes;
};

Chunked readInChunks(const std::string& path, std::size_t chunkBytes, const ReadOptions& options = {})
{
    Chunked out;
    const std::unique_ptr<ChunkSource> source = openChunkSource(path, options, chunkBytes);
    ReadResult chunk;
    while (source->next(chunk)) {
        ++out.chunks;
        const std::vector<std::string> rows = rowsOf(chunk.table);
        out.rows.insert(out.rows.end(), rows.begin(), rows.end());
    }
    out.report = source->report();
    out.notes = source->notes();
    return out;
}
} // namespace

class TestLogChunkReader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void sameRowsAsTheWholeRead_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("packing");
        QTest::addColumn<int>("chunkBytes");
        for (const char* fixture : {"zeek_conn.log", "zeek_conn.json", "zeek_conn_iso8601.json",
                                    "alb_nlb_elb_mixed_test.log", "vpcflow_v2_accept_reject_with_header.log",
                                    "vpcflow_v3_custom_tcpflags_with_header.log"}) {
            // A VPC Flow Log joins directions within a chunk: one chunk here (see vpcFlowInChunks).
            const int chunk = QByteArray(fixture).startsWith("vpc") ? 1 << 20 : 700;
            for (const char* packing : {"plain", "gzip", "bzip2", "xz", "zstd", "zip", "tar.gz"})
                // Named with newRow, not addRow("%s, %s"): GCC 12 at -O3 took the format's pointers
                // for null once the table's cells became a type of their own (-Wformat-overflow).
                QTest::newRow((QByteArray(fixture) + ", " + packing).constData()) << fixture << packing << chunk;
        }
        QTest::newRow("zeek_conn.log.gz as given") << "zeek_conn.log.gz" << "as given" << 700;
        QTest::newRow("vpc two gzip members") << "vpcflow_v2_two_members.log.gz" << "as given" << (1 << 20);
    }
    void sameRowsAsTheWholeRead()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, packing);
        QFETCH(int, chunkBytes);
        const std::string original = kFormats + "/" + fixture.toStdString();
        std::string path = original;
        if (packing != "as given" && packing != "plain") {
            path = m_dir.filePath(fixture + "." + packing).toStdString();
            QVERIFY(writePacked(path, packing.toStdString(), readAll(original)));
        }
        const ReadResult whole = readTrafficFile(path);
        const Chunked chunked = readInChunks(path, static_cast<std::size_t>(chunkBytes));
        if (chunkBytes < 4096)
            QVERIFY2(chunked.chunks > 3, std::to_string(chunked.chunks).c_str());
        const std::vector<std::string> expected = rowsOf(whole.table);
        QCOMPARE(chunked.rows.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(chunked.rows[i], expected[i]);
        QCOMPARE(chunked.report.rows, whole.report.rows);
        QCOMPARE(chunked.report.lines, whole.report.lines);
        QCOMPARE(chunked.report.malformed.count, whole.report.malformed.count);
        QCOMPARE(chunked.report.malformed.firstLines, whole.report.malformed.firstLines);
        QCOMPARE(chunked.report.invalidCellCount(), whole.report.invalidCellCount());
        QVERIFY2(chunked.report.format.rfind(whole.report.format.substr(0, whole.report.format.find(" (")), 0) == 0,
                 (chunked.report.format + " / " + whole.report.format).c_str());
    }

    // Zeek TSV with a second log joined by `cat` (a new #separator... #fields block in another
    // order) and damaged lines far from the start: each chunk reads in the layout in force.
    void zeekLayoutCarriesOver()
    {
        const std::string first = readAll(kFormats + "/zeek_conn.log");
        const std::string damaged = readAll(kFormats + "/zeek_conn_damaged.log");
        const std::string path = m_dir.filePath("joined.log").toStdString();
        QVERIFY(writeText(path, first + damaged + first));
        const ReadResult whole = readTrafficFile(path);
        const Chunked chunked = readInChunks(path, 512);
        QVERIFY(chunked.chunks > 50);
        QCOMPARE(chunked.rows, rowsOf(whole.table));
        QCOMPARE(chunked.report.malformed.count, whole.report.malformed.count);
        QVERIFY(whole.report.malformed.count > 0);
        QCOMPARE(chunked.report.malformed.firstLines, whole.report.malformed.firstLines);
        QCOMPARE(chunked.report.invalidCellCount(), whole.report.invalidCellCount());
    }

    // A line the reader refuses, in a chunk far from the start, is named by the file's line.
    void errorInALaterChunkNamesTheFileLine()
    {
        std::string text = readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        while (text.size() < 20000)
            text += readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        const auto lines = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
        text += std::string(3000, 'x') + "\n";
        const std::string path = m_dir.filePath("long-line.log").toStdString();
        QVERIFY(writeText(path, text));
        ReadOptions options;
        options.maxRecordBytes = 2048;
        try {
            readInChunks(path, 1024, options);
            QFAIL("a line longer than the limit was read");
        } catch (const InputError& error) {
            QCOMPARE(error.line(), lines + 1);
            QCOMPARE(error.file(), path);
        }
        // A malformed line there is counted with its line number, the rest read.
        text.resize(text.size() - 3001);
        text += "this is not a load-balancer entry\n";
        text += readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        QVERIFY(writeText(path, text));
        const Chunked chunked = readInChunks(path, 1024);
        const ReadResult whole = readTrafficFile(path);
        QCOMPARE(chunked.rows, rowsOf(whole.table));
        QCOMPARE(chunked.report.malformed.count, whole.report.malformed.count);
        QCOMPARE(chunked.report.malformed.firstLines, whole.report.malformed.firstLines);
    }

    // Lines ended by CR alone cannot be cut into chunks: refused past the record limit, saying why
    // and what to do.
    void crLineEndsAreRefused()
    {
        std::string text;
        while (text.size() < 20000)
            text += readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        std::replace(text.begin(), text.end(), '\n', '\r');
        const std::string path = m_dir.filePath("cr.log").toStdString();
        QVERIFY(writeText(path, text));
        ReadOptions options;
        options.maxRecordBytes = 2048;
        try {
            readInChunks(path, 1024, options);
            QFAIL("a file of CR line ends was cut into chunks");
        } catch (const InputError& error) {
            QCOMPARE(error.line(), std::int64_t(1));
            QVERIFY2(error.problem().find("CR alone can be read whole") != std::string::npos, error.what());
        }
    }

    // A chunk of nothing but unusable lines, after good ones: counted as malformed, not refused as
    // "no line of the file is usable" (the reader's rule for a whole file).
    void chunkOfOnlyBadLines()
    {
        std::string text = readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        for (int i = 0; i < 200; ++i)
            text += "garbage line " + std::to_string(i) + "\n";
        text += readAll(kFormats + "/alb_nlb_elb_mixed_test.log");
        const std::string path = m_dir.filePath("bad-middle.log").toStdString();
        QVERIFY(writeText(path, text));
        const ReadResult whole = readTrafficFile(path);
        const Chunked chunked = readInChunks(path, 600);
        QCOMPARE(chunked.rows, rowsOf(whole.table));
        QCOMPARE(chunked.report.malformed.count, whole.report.malformed.count);
        QCOMPARE(chunked.report.malformed.firstLines, whole.report.malformed.firstLines);
    }

    // In small chunks, a VPC Flow Log's directions are joined within a chunk only: no fewer rows, the
    // same bytes, the header's layout in every chunk, and a note that says so.
    void vpcFlowInChunks()
    {
        const std::string path = kFormats + "/vpcflow_v2_accept_reject_with_header.log";
        const ReadResult whole = readTrafficFile(path);
        std::int64_t wholeBytes = 0;
        for (Field field : {Field::BytesIn, Field::BytesOut})
            for (std::int64_t value : whole.table.column(field).integers)
                wholeBytes += value == kMissingInteger ? 0 : value;
        const std::unique_ptr<ChunkSource> source = openChunkSource(path, {}, 64);
        std::int64_t bytes = 0;
        std::size_t rows = 0;
        ReadResult chunk;
        while (source->next(chunk)) {
            rows += chunk.table.rowCount();
            for (Field field : {Field::BytesIn, Field::BytesOut})
                for (std::int64_t value : chunk.table.column(field).integers)
                    bytes += value == kMissingInteger ? 0 : value;
        }
        QCOMPARE(bytes, wholeBytes);
        QVERIFY(rows >= whole.table.rowCount());
        QCOMPARE(source->report().lines, whole.report.lines);
        QVERIFY(!source->notes().empty());
        QVERIFY(source->notes().front().find("joined into session rows within each chunk") != std::string::npos);
    }

    // A chunk does not end between the two directions of a flow written one after the other: in
    // small chunks, the rows of the whole file's read.
    void vpcFlowPairsWrittenTogetherStayTogether()
    {
        std::string text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start "
                           "end action log-status\n";
        for (int i = 0; i < 300; ++i) {
            const std::string client = "198.51.100." + std::to_string(i % 250 + 1);
            const std::string server = "10.0." + std::to_string(i % 7) + ".10";
            const std::string port = std::to_string(40000 + i);
            const std::string start = std::to_string(1700000000 + i * 10);
            const std::string end = std::to_string(1700000060 + i * 10);
            text += "2 123456789010 eni-0a1b2c3d " + client + " " + server + " " + port + " 443 6 3 " + std::to_string(400 + i)
                + " " + start + " " + end + " ACCEPT OK\n";
            text += "2 123456789010 eni-0a1b2c3d " + server + " " + client + " 443 " + port + " 6 5 " + std::to_string(9000 + i)
                + " " + start + " " + end + " ACCEPT OK\n";
        }
        const std::string path = m_dir.filePath("pairs.log").toStdString();
        QVERIFY(writeText(path, text));
        const ReadResult whole = readTrafficFile(path);
        QCOMPARE(whole.table.rowCount(), std::size_t(300));
        for (std::size_t chunkBytes : {std::size_t(200), std::size_t(333), std::size_t(1000), std::size_t(4096)}) {
            const Chunked chunked = readInChunks(path, chunkBytes);
            QVERIFY(chunked.chunks > 5);
            const std::vector<std::string> expected = rowsOf(whole.table);
            QVERIFY2(chunked.rows.size() == expected.size(),
                     (std::to_string(chunkBytes) + ": " + std::to_string(chunked.rows.size())).c_str());
            for (std::size_t i = 0; i < expected.size(); ++i)
                QVERIFY2(chunked.rows[i] == expected[i], (chunked.rows[i] + " / " + expected[i]).c_str());
        }
    }

    // FILE:MEMBER names an archive's member, as in memory; the report and messages name both.
    void archiveMemberByName()
    {
        const std::string zip = m_dir.filePath("capture.zip").toStdString();
        QVERIFY(writePacked(zip, "zip", readAll(kFormats + "/zeek_conn.log")));
        const ReadResult whole = readTrafficFile(zip + ":log");
        const Chunked chunked = readInChunks(zip + ":log", 2048);
        QVERIFY(chunked.chunks > 5);
        QCOMPARE(chunked.rows, rowsOf(whole.table));
        QCOMPARE(chunked.report.file, zip + ":log");
        QVERIFY2(chunked.report.format.find("zip archive member log") != std::string::npos, chunked.report.format.c_str());
    }

    void csvGoesToTheCsvReader()
    {
        const std::string path = m_dir.filePath("t.csv.xz").toStdString();
        QVERIFY(writePacked(path, "xz", messyTraffic(300)));
        const ReadResult whole = readTrafficFile(path);
        const Chunked chunked = readInChunks(path, 4096);
        QVERIFY(chunked.chunks > 3);
        QCOMPARE(chunked.rows, rowsOf(whole.table));
        QVERIFY2(chunked.report.format.find("xz") != std::string::npos, chunked.report.format.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLogChunkReader)
#include "tst_logchunkreader.moc"

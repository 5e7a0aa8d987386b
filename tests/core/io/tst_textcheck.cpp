// core/io/textcheck: the checks every reader makes of cells and file starts.
#include "core/io/textcheck.h"
#include "core/util/errors.h"

#include <QTest>

using namespace webthreat;

class TestTextCheck : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void utf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ascii") << QByteArray("GET /index.html") << true;
        QTest::newRow("two bytes") << QByteArray("caf\xC3\xA9") << true;
        QTest::newRow("four bytes") << QByteArray("\xF0\x9F\x98\x80") << true;
        QTest::newRow("latin-1") << QByteArray("caf\xE9") << false;
        QTest::newRow("overlong") << QByteArray("\xC0\xAF") << false;
        QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << false;
        QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << false;
        QTest::newRow("cut short") << QByteArray("\xE2\x82") << false;
        QTest::newRow("empty") << QByteArray("") << true;
    }
    void utf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(isUtf8(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()))), valid);
    }

    void ipAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ipv4") << "147.161.161.82" << true;
        QTest::newRow("ipv6") << "2001:db8::1" << true;
        QTest::newRow("ipv4-mapped") << "::ffff:10.0.0.1" << true;
        QTest::newRow("octet too large") << "256.1.1.1" << false;
        QTest::newRow("three octets") << "10.0.0" << false;
        QTest::newRow("host name") << "example.com" << false;
        QTest::newRow("blank around") << " 10.0.0.1" << false;
        QTest::newRow("empty") << "" << false;
    }
    void ipAddresses()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QCOMPARE(isIpAddress(text.toStdString()), valid);
    }

    void wholeNumbers()
    {
        std::int64_t value = 0;
        QVERIFY(parseWholeNumber("443", 0, 65535, value) == nullptr);
        QCOMPARE(value, std::int64_t(443));
        QCOMPARE(std::string(parseWholeNumber("65536", 0, 65535, value)), std::string("number out of range"));
        QCOMPARE(std::string(parseWholeNumber("-1", 0, 65535, value)), std::string("negative number"));
        QCOMPARE(std::string(parseWholeNumber("-1", 1, 9, value)), std::string("number out of range"));
        QCOMPARE(std::string(parseWholeNumber("4.5", 0, 9, value)), std::string("not a whole number"));
        QCOMPARE(std::string(parseWholeNumber("", 0, 9, value)), std::string("not a whole number"));
        QCOMPARE(std::string(parseWholeNumber(" 4", 0, 9, value)), std::string("not a whole number"));
        QCOMPARE(std::string(parseWholeNumber("99999999999999999999", 0, 9, value)), std::string("number too large"));
    }

    void refusesUtf16()
    {
        refuseUtf16("bytes_in,bytes_out", "plain.csv", "CSV");
        try {
            refuseUtf16(std::string_view("\xFF\xFE"
                                         "b\0",
                                         4),
                        "wide.csv", "CSV");
            QFAIL("UTF-16 was accepted");
        } catch (const InputError& error) {
            QCOMPARE(error.file(), std::string("wide.csv"));
            QCOMPARE(error.line(), std::int64_t(1));
            QCOMPARE(error.problem(),
                     std::string("the file is UTF-16 encoded; save it as UTF-8 (or ASCII) CSV and open it again"));
        }
        try {
            refuseUtf16(std::string_view("\xFE\xFF\0b", 4), "wide.log", "text");
            QFAIL("UTF-16 was accepted");
        } catch (const InputError& error) {
            QCOMPARE(error.problem(),
                     std::string("the file is UTF-16 encoded; save it as UTF-8 (or ASCII) text and open it again"));
        }
    }

    void shortensForMessages()
    {
        QCOMPARE(shortenForMessage("short"), std::string("short"));
        const std::string longText(100, 'a');
        const std::string shortened = shortenForMessage(longText);
        QVERIFY(shortened.size() < longText.size());
        QVERIFY(shortened.ends_with("..."));
    }

    // A header's names in a message: each whole (an analyst maps columns from them), not the list
    // cut at 40 characters in the middle of a name.
    void listsNamesWhole()
    {
        const std::vector<std::string> header{"bytes_in", "timestamp_of_the_session", "destination_address_ipv4"};
        QCOMPARE(namesForMessage(header), std::string("bytes_in, timestamp_of_the_session, destination_address_ipv4"));
        std::vector<std::string> wide;
        for (int i = 1; i <= 30; ++i)
            wide.push_back("c" + std::to_string(i));
        const std::string listed = namesForMessage(wide);
        QVERIFY(listed.starts_with("c1, c2, "));
        QVERIFY(listed.ends_with(", c24 and 6 more"));
        QCOMPARE(namesForMessage({std::string(60, 'x')}), std::string(40, 'x') + "...");
        QCOMPARE(namesForMessage({}), std::string());
    }

    void warnsOfInvalidCells()
    {
        InvalidCells cells;
        cells.column = "dst_port";
        cells.count = 12;
        cells.firstLines = {3, 7};
        cells.firstValue = "http";
        cells.reason = "not a whole number";
        QCOMPARE(invalidCellsWarning(cells),
                 std::string("12 cell(s) in column 'dst_port' could not be read and are treated as missing "
                             "(first: 'http', not a whole number; line(s) 3, 7, ...)"));
    }
};

QTEST_GUILESS_MAIN(TestTextCheck)
#include "tst_textcheck.moc"

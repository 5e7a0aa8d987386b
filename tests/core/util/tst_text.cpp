// core/util/text: the one trim and the byte-order-mark checks every reader uses.
#include "core/util/text.h"

#include <QTest>

using namespace webthreat;

class TestText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trimsBlanksByDefault_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("nothing to trim") << "abc"
                                         << "abc";
        QTest::newRow("spaces") << "  abc  "
                                << "abc";
        QTest::newRow("tabs") << "\tabc\t"
                              << "abc";
        QTest::newRow("inner blanks kept") << " a b\tc "
                                           << "a b\tc";
        QTest::newRow("only blanks") << " \t \t"
                                     << "";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("line ends are not blanks") << "\rabc\n"
                                                  << "\rabc\n";
        QTest::newRow("one side") << "abc   "
                                  << "abc";
    }
    void trimsBlanksByDefault()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const std::string text = input.toStdString();
        QCOMPARE(QString::fromStdString(std::string(trim(text))), expected);
    }

    void trimsWhitespaceWhenAsked()
    {
        QCOMPARE(trim(" \r\n\v\f1\t\r\n", kWhitespace), std::string_view("1"));
        QCOMPARE(trim("\n\n", kWhitespace), std::string_view(""));
        QCOMPARE(trim("xxabcxx", "x"), std::string_view("abc"));
    }

    void trimReturnsAViewIntoItsInput()
    {
        const std::string_view text = "  cell ";
        const std::string_view trimmed = trim(text);
        QCOMPARE(trimmed.data(), text.data() + 2);
        QCOMPARE(trimmed.size(), std::size_t(4));
    }

    void recognisesUtf16ByteOrderMarks()
    {
        QVERIFY(startsWithUtf16ByteOrderMark(std::string_view("\xFF\xFE"
                                                              "a\0",
                                                              4)));
        QVERIFY(startsWithUtf16ByteOrderMark(std::string_view("\xFE\xFF\0a", 4)));
        QVERIFY(!startsWithUtf16ByteOrderMark("\xFF"));
        QVERIFY(!startsWithUtf16ByteOrderMark("\xEF\xBB\xBF"
                                              "abc"));
        QVERIFY(!startsWithUtf16ByteOrderMark("bytes_in"));
        QVERIFY(!startsWithUtf16ByteOrderMark(""));
    }

    void measuresTheUtf8ByteOrderMark()
    {
        QCOMPARE(utf8ByteOrderMarkLength("\xEF\xBB\xBF"
                                         "bytes_in"),
                 std::size_t(3));
        QCOMPARE(utf8ByteOrderMarkLength("\xEF\xBB\xBF"), std::size_t(3));
        QCOMPARE(utf8ByteOrderMarkLength("\xEF\xBB"), std::size_t(0));
        QCOMPARE(utf8ByteOrderMarkLength("bytes_in"), std::size_t(0));
        QCOMPARE(utf8ByteOrderMarkLength(""), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestText)
#include "tst_text.moc"

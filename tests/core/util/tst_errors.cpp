// core/util/errors: the message of an input error says where, as "file:line, column 'name': problem",
// with each part left out when it is not known, and keeps the parts apart for the window.
#include "core/util/errors.h"

#include <QTest>

using namespace webthreat;

class TestErrors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void inputErrorMessage_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("file, line, column") << "a.csv" << qint64(12) << "bytes_in"
                                            << "a.csv:12, column 'bytes_in': not a number";
        QTest::newRow("file and line") << "a.csv" << qint64(3) << ""
                                       << "a.csv:3: not a number";
        QTest::newRow("file only") << "a.csv" << qint64(0) << ""
                                   << "a.csv: not a number";
        QTest::newRow("line not known: column only") << "a.csv" << qint64(0) << "bytes_in"
                                                     << "a.csv, column 'bytes_in': not a number";
        QTest::newRow("negative line is not a line") << "a.csv" << qint64(-1) << ""
                                                     << "a.csv: not a number";
        QTest::newRow("first line") << "a.csv" << qint64(1) << ""
                                    << "a.csv:1: not a number";
        QTest::newRow("no file, a line") << "" << qint64(7) << ""
                                         << ":7: not a number";
        QTest::newRow("no file, a column") << "" << qint64(0) << "x"
                                           << ", column 'x': not a number";
        QTest::newRow("nothing known") << "" << qint64(0) << ""
                                       << "not a number";
        QTest::newRow("a path with a colon") << "C:/logs/a b.csv" << qint64(5000000000) << ""
                                             << "C:/logs/a b.csv:5000000000: not a number";
    }

    void inputErrorMessage()
    {
        QFETCH(QString, file);
        QFETCH(qint64, line);
        QFETCH(QString, column);
        QFETCH(QString, message);
        const InputError error(file.toStdString(), line, column.toStdString(), "not a number");
        QCOMPARE(QString::fromStdString(error.what()), message);
        QCOMPARE(QString::fromStdString(error.file()), file);
        QCOMPARE(error.line(), std::int64_t(line));
        QCOMPARE(QString::fromStdString(error.column()), column);
        QCOMPARE(QString::fromStdString(error.problem()), "not a number");
    }

    // Every error a user sees is an Error, so one catch shows them all; cancel is one too.
    void hierarchy()
    {
        const auto catchesAsError = [](const auto& thrown) {
            try {
                throw thrown;
            } catch (const Error& error) {
                return QString::fromStdString(error.what());
            } catch (...) {
                return QStringLiteral("not an Error");
            }
        };
        QCOMPARE(catchesAsError(ParameterError("trees must be at least 1")), "trees must be at least 1");
        QCOMPARE(catchesAsError(OutputError("disk full")), "disk full");
        QCOMPARE(catchesAsError(InputError("f", 1, "", "bad")), "f:1: bad");
        QCOMPARE(catchesAsError(CancelledError()), "cancelled");
        QVERIFY((std::is_base_of_v<std::runtime_error, Error>));
        QVERIFY(!(std::is_base_of_v<InputError, ParameterError>));
    }
};

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"

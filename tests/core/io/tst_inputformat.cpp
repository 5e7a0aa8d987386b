// core/io/inputformat: the formats' names and descriptions, and the detection that picks the
// reader from a file's first lines. The readers are tested in their own files (tst_csvreader,
// tst_vpcflowreader, tst_elblogreader, tst_zeekconnreader), the dispatch and gzip in tst_trafficfile.
#include "core/io/inputformat.h"
#include "core/util/errors.h"

#include <QTest>

using namespace webthreat;

class TestInputFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void detection_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("line");
        QTest::newRow("csv header") << "bytes_in,bytes_out,src_ip\n1,2,3\n" << int(InputFormat::TrafficCsv) << 1;
        QTest::newRow("csv after a title") << "My export\nbytes_in,bytes_out\n" << int(InputFormat::TrafficCsv) << 2;
        QTest::newRow("vpc header") << "version srcaddr dstaddr bytes\n" << int(InputFormat::VpcFlowLog) << 1;
        QTest::newRow("vpc record") << "2 1 eni-a 10.0.0.5 198.51.100.7 50000 443 6 3 900 1000 1060 ACCEPT OK\n"
                                    << int(InputFormat::VpcFlowLog) << 1;
        QTest::newRow("vpc nodata first") << "\n2 1 eni-a - - - - - - - 1000 1060 - NODATA\n"
                                          << int(InputFormat::VpcFlowLog) << 2;
        QTest::newRow("alb") << "h2 2024-01-01T00:00:00Z app/lb/1 1.2.3.4:5 - -1 -1 -1 200 - 0 0 \"-\"\n"
                             << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("nlb") << "tls 2.0 2024-01-01T00:00:00 net/lb/1 l 1.2.3.4:5 6.7.8.9:443 1 2 3 4\n"
                             << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("connection log") << "2024-01-01T00:00:00.000Z 1.2.3.4 5000 443 - - - \"-\" - - -\n"
                                        << int(InputFormat::ElbAccessLog) << 1;
        QTest::newRow("zeek tsv header") << "#separator \\x09\n#set_separator\t,\n#fields\tts\tid.orig_h\n"
                                         << int(InputFormat::ZeekConn) << 1;
        QTest::newRow("zeek #fields first") << "\n#fields\tts\tuid\tid.orig_h\tid.resp_h\n"
                                            << int(InputFormat::ZeekConn) << 2;
        QTest::newRow("zeek json") << "{\"ts\":1700000000.5,\"id.orig_h\":\"10.0.0.1\",\"conn_state\":\"S0\"}\n"
                                   << int(InputFormat::ZeekConn) << 1;
        QTest::newRow("json of another zeek log") << "{\"ts\":1,\"id.orig_h\":\"10.0.0.1\",\"query\":\"a\"}\n"
                                                  << int(InputFormat::Auto) << 1;
        QTest::newRow("empty: the csv reader explains") << "" << int(InputFormat::TrafficCsv) << 0;
        QTest::newRow("binary: the csv reader explains") << "\x01\x02\x03" << int(InputFormat::TrafficCsv) << 1;
        QTest::newRow("prose") << "Hello, world\nhow are you\n" << int(InputFormat::Auto) << 1;
    }

    void detection()
    {
        QFETCH(QString, text);
        QFETCH(int, format);
        QFETCH(int, line);
        const FormatDetection detected = detectFormat(text.toStdString());
        QCOMPARE(int(detected.format), format);
        QCOMPARE(detected.line, std::int64_t(line));
    }

    void names()
    {
        for (InputFormat format :
             {InputFormat::Auto, InputFormat::TrafficCsv, InputFormat::VpcFlowLog, InputFormat::ElbAccessLog,
              InputFormat::ZeekConn})
            QCOMPARE(inputFormatByName(inputFormatName(format)), format);
        QCOMPARE(inputFormatByName("vpc-flow"), InputFormat::VpcFlowLog);
        QCOMPARE(inputFormatDescription(InputFormat::VpcFlowLog), std::string_view("AWS VPC Flow Logs"));
        QCOMPARE(inputFormatByName("zeek"), InputFormat::ZeekConn);
        QCOMPARE(inputFormatDescription(InputFormat::ZeekConn), std::string_view("Zeek conn.log"));
        QVERIFY_THROWS_EXCEPTION(ParameterError, inputFormatByName("parquet"));
    }
};

QTEST_GUILESS_MAIN(TestInputFormat)
#include "tst_inputformat.moc"

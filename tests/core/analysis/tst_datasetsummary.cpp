// core/analysis/datasetsummary: pandas' describe() for the Summary tab, per column.
#include "core/analysis/datasetsummary.h"
#include "core/pipeline.h"
#include "core/io/csvreader.h"

#include <QTest>

using namespace webthreat;

namespace {
std::shared_ptr<const PreparedData> prepared()
{
    // Four rows, one without bytes_in; the optional response.code column is absent.
    return prepareTable(
        readTrafficCsvText(
            "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip,note\n"
            "100,10,2024-04-25T23:00:00Z,,1.1.1.1,US,HTTPS,443,10.0.0.1,x\n"
            ",20,2024-04-25T23:00:10Z,,1.1.1.2,US,HTTPS,443,10.0.0.1,y\n"
            "300,30,2024-04-25T23:00:20Z,,1.1.1.3,DE,HTTPS,443,10.0.0.1,x\n"
            "400,40,2024-04-25T23:00:30Z,,1.1.1.4,US,SSH,22,10.0.0.1,x\n",
            "summary.csv"),
        [] {
            CleanParams clean;
            clean.fillBytesInMedian = false;
            return clean;
        }());
}

const ColumnSummary* find(const DatasetSummary& summary, const std::string& name)
{
    for (const ColumnSummary& column : summary.columns) {
        if (column.name == name)
            return &column;
    }
    return nullptr;
}
} // namespace

class TestDatasetSummary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void describesEachColumn()
    {
        const auto data = prepared();
        const DatasetSummary summary = summarizeDataset(data->table, data->features, data->readReport);
        QCOMPARE(summary.rows, std::size_t(4));
        QVERIFY(!find(summary, "response.code")); // absent from the file: left out
        QVERIFY(find(summary, "end_time"));
        QVERIFY(find(summary, "note"));
        QCOMPARE(summary.columns.size(), summary.fileColumns + 2); // then the two features
        QCOMPARE(summary.columns[summary.fileColumns].name, std::string("session_duration"));

        const ColumnSummary* bytesIn = find(summary, "bytes_in");
        QVERIFY(bytesIn);
        QCOMPARE(bytesIn->type, std::string("integer"));
        QCOMPARE(bytesIn->present, std::size_t(3));
        QCOMPARE(bytesIn->missing, std::size_t(1));
        QVERIFY(bytesIn->numeric);
        QCOMPARE(bytesIn->minimum, 100.0);
        QCOMPARE(bytesIn->median, 300.0);
        QCOMPARE(bytesIn->maximum, 400.0);
        QCOMPARE(*bytesIn->distinct, std::size_t(3));
        QCOMPARE(bytesIn->tooltip, std::string("Bytes the server received in the session."));

        const ColumnSummary* country = find(summary, "src_ip_country_code");
        QCOMPARE(country->topValues, (std::vector<std::string>{"US (3)", "DE (1)"}));
        QCOMPARE(*country->distinct, std::size_t(2));
        QVERIFY(!country->numeric);

        const ColumnSummary* created = find(summary, "creation_time");
        QVERIFY(created->timestamp);
        QCOMPARE(created->maximum - created->minimum, 30.0); // seconds
        QCOMPARE(created->median - created->minimum, 15.0); // the mean of the middle two

        QCOMPARE(find(summary, "note")->tooltip, std::string("A column outside the traffic schema, kept as text."));
    }

    void absentColumnsAreKnown()
    {
        const auto data = prepared();
        QVERIFY(isAbsentColumn(data->table, data->readReport, std::size_t(Field::ResponseCode)));
        QVERIFY(!isAbsentColumn(data->table, data->readReport, std::size_t(Field::EndTime)));
        QVERIFY(!isAbsentColumn(data->table, data->readReport, std::size_t(Field::BytesIn)));
        QVERIFY(!isAbsentColumn(data->table, data->readReport, kFieldCount)); // extra columns never are
    }

    void theScoreRow()
    {
        const ColumnSummary score = summarizeScores(ScoreIndex({-0.4, -0.6, -0.4, -0.5}));
        QCOMPARE(score.name, std::string("anomaly_score"));
        QCOMPARE(score.present, std::size_t(4));
        QCOMPARE(score.minimum, -0.6);
        QCOMPARE(score.maximum, -0.4);
        QCOMPARE(score.median, -0.45);
        QCOMPARE(*score.distinct, std::size_t(3));
    }

    void cancelStops()
    {
        const auto data = prepared();
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(
            CancelledError, summarizeDataset(data->table, data->features, data->readReport, Progress({}, &cancel)));
    }
};

QTEST_GUILESS_MAIN(TestDatasetSummary)
#include "tst_datasetsummary.moc"

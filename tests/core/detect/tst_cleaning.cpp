#include "core/detect/cleaning.h"
#include "core/io/csvreader.h"

#include <QTest>

#include <cmath>
#include <set>

using namespace webthreat;

namespace {

const std::string kHeader = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,dst_ip";

TrafficTable table(const std::string& rows)
{
    return readTrafficCsvText(kHeader + "\n" + rows, "hand.csv").table;
}

const CleanStep& step(const CleanReport& report, const std::string& name)
{
    for (const auto& s : report.steps) {
        if (s.name == name)
            return s;
    }
    throw std::runtime_error("no step " + name);
}

} // namespace

class TestCleaning : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dropsExactDuplicatesOnly()
    {
        const TrafficTable input = table("10,1,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,1.1.1.1,US,10.0.0.1\n"
                                         "10,1,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,1.1.1.1,US,10.0.0.1\n"
                                         "10,1,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,1.1.1.1,DE,10.0.0.1\n"
                                         "10,1,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,1.1.1.1,US,10.0.0.1\n");
        const CleanResult result = cleanTraffic(input);
        QCOMPARE(result.report.rowsIn, std::size_t(4));
        QCOMPARE(result.report.rowsOut, std::size_t(2));
        QCOMPARE(step(result.report, "drop_duplicates").rowsAffected, std::size_t(2));
        // The first of each group stays, in file order.
        QCOMPARE(result.table.sourceLines, (std::vector<std::uint32_t>{2, 4}));
        QCOMPARE(result.table.text(Field::SrcIpCountryCode, 1), std::string_view("DE"));
    }

    // Enough rows for the duplicate finder to split the work between threads: the same rows are
    // dropped whatever the thread count, and the first of each group stays.
    void duplicatesAmongManyRowsAnyThreads()
    {
        std::string rows;
        for (int i = 0; i < 150000; ++i) {
            const int k = i % 40000;
            // Rows 40000 and later repeat an earlier row, except every 7th, which differs in its country.
            rows += std::to_string(k) + "," + std::to_string(k * 3) + ",,,10.0." + std::to_string(k % 250) + "."
                + std::to_string(k / 250) + "," + (i >= 40000 && i % 7 == 0 ? "DE" : "US") + ",10.9.9.9\n";
        }
        const TrafficTable input = table(rows);
        std::vector<std::uint32_t> expectedLines;
        std::set<int> seenGerman;
        for (int i = 0; i < 150000; ++i) {
            const int k = i % 40000;
            if (i < 40000 || (i % 7 == 0 && seenGerman.insert(k).second))
                expectedLines.push_back(static_cast<std::uint32_t>(i + 2));
        }
        for (int threads : {1, 2, 3}) {
            CleanParams params;
            params.threads = threads;
            const CleanResult result = cleanTraffic(input, params);
            QCOMPARE(result.table.sourceLines, expectedLines);
            QCOMPARE(step(result.report, "drop_duplicates").rowsAffected, 150000 - expectedLines.size());
        }
    }

    void duplicatesOfMissingCells()
    {
        // Two rows equal including their missing cells are duplicates, as in pandas.
        const TrafficTable input = table(",1,,,1.1.1.1,,10.0.0.1\n,1,,,1.1.1.1,,10.0.0.1\n");
        QCOMPARE(cleanTraffic(input).report.rowsOut, std::size_t(1));
    }

    void fillsBytesInWithMedian()
    {
        const TrafficTable input = table("10,1,,,a,US,b\n,2,,,a,US,b\n30,3,,,a,US,b\n1000,4,,,a,US,b\n,5,,,a,US,b\n");
        const CleanResult result = cleanTraffic(input);
        const auto& bytesIn = result.table.column(Field::BytesIn).integers;
        // Median of 10, 30, 1000 is 30.
        QCOMPARE(bytesIn, (std::vector<std::int64_t>{10, 30, 30, 1000, 30}));
        QCOMPARE(step(result.report, "fill_bytes_in_median").rowsAffected, std::size_t(2));
    }

    void medianOfEvenCountIsMeanOfMiddleTwo()
    {
        const TrafficTable input = table("10,1,,,a,US,b\n20,2,,,a,US,b\n,3,,,a,US,b\n40,4,,,a,US,b\n100,5,,,a,US,b\n");
        const CleanResult result = cleanTraffic(input);
        QCOMPARE(result.table.column(Field::BytesIn).integers[2], std::int64_t(30));
    }

    void allBytesInMissingIsAWarning()
    {
        const TrafficTable input = table(",1,,,a,US,b\n,2,,,a,US,b\n");
        const CleanResult result = cleanTraffic(input);
        QVERIFY(result.table.column(Field::BytesIn).isMissing(0));
        QCOMPARE(result.report.warnings.size(), std::size_t(1));
    }

    void dropsRowsWithoutAddresses()
    {
        const TrafficTable input = table("1,1,,,1.1.1.1,US,10.0.0.1\n2,1,,,,US,10.0.0.1\n3,1,,,1.1.1.1,US,\n4,1,,,\" "
                                         "\",US,10.0.0.1\n5,1,,,9.9.9.9,US,10.0.0.1\n");
        const CleanResult result = cleanTraffic(input);
        QCOMPARE(result.table.column(Field::BytesIn).integers, (std::vector<std::int64_t>{1, 5}));
        QCOMPARE(step(result.report, "drop_missing_addresses").rowsAffected, std::size_t(3));
    }

    void upperCasesCountries()
    {
        const TrafficTable input = table("1,1,,,a,us,b\n2,1,,,a,Us,b\n3,1,,,a,US,b\n4,1,,,a,,b\n");
        const CleanResult result = cleanTraffic(input);
        QCOMPARE(result.table.text(Field::SrcIpCountryCode, 0), std::string_view("US"));
        QCOMPARE(result.table.text(Field::SrcIpCountryCode, 1), std::string_view("US"));
        QCOMPARE(result.table.column(Field::SrcIpCountryCode).text[0],
                 result.table.column(Field::SrcIpCountryCode).text[2]);
        QVERIFY(result.table.column(Field::SrcIpCountryCode).isMissing(3));
        QCOMPARE(step(result.report, "upper_case_countries").rowsAffected, std::size_t(2));
    }

    // Columns not named are let go after the duplicates are found (a row differing only in one
    // of them is still not a duplicate); the features' four inputs always stay.
    void keepOnlyReleasesOtherColumnsAfterDuplicates()
    {
        const TrafficTable input = table("1,1,,,a,us,b\n1,1,,,a,DE,b\n1,1,,,a,us,b\n");
        CleanParams params;
        params.keepOnly = {"SRC_IP"};
        const CleanResult result = cleanTraffic(input, params);
        QCOMPARE(result.report.rowsOut, std::size_t(2));
        QVERIFY(!result.table.column(Field::SrcIp).released);
        QCOMPARE(result.table.text(Field::SrcIp, 1), std::string_view("a"));
        for (Field field : {Field::BytesIn, Field::BytesOut, Field::CreationTime, Field::EndTime}) {
            QVERIFY(!result.table.column(field).released);
            QCOMPARE(result.table.column(field).size(), std::size_t(2));
        }
        for (Field field : {Field::SrcIpCountryCode, Field::DstIp, Field::RuleNames}) {
            QVERIFY(result.table.column(field).released);
            QCOMPARE(result.table.column(field).memoryBytes(), std::size_t(0));
        }
    }

    void rulesCanBeSwitchedOff()
    {
        const TrafficTable input = table("1,1,,,a,us,b\n1,1,,,a,us,b\n");
        CleanParams params;
        params.dropDuplicates = false;
        params.upperCaseCountries = false;
        const CleanResult result = cleanTraffic(input, params);
        QCOMPARE(result.report.rowsOut, std::size_t(2));
        QCOMPARE(result.table.text(Field::SrcIpCountryCode, 0), std::string_view("us"));
    }
};

QTEST_GUILESS_MAIN(TestCleaning)
#include "tst_cleaning.moc"

// core/util/format: numbers, counts, sizes and JSON strings as every report writes them.
#include "core/util/format.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace webthreat;

class TestFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void numbersInTheirShortestExactForm()
    {
        QCOMPARE(formatNumber(0.05), std::string("0.05"));
        QCOMPARE(formatNumber(600), std::string("600"));
        QCOMPARE(formatNumber(1.5e7), std::string("1.5e+07"));
        QCOMPARE(formatNumber(-0.125), std::string("-0.125"));
        QCOMPARE(formatNumber(1e300), std::string("1e+300"));
        QCOMPARE(formatNumber(std::nan("")), std::string());
    }

    void countsGroupedByThousands()
    {
        QCOMPARE(groupedCount(0), std::string("0"));
        QCOMPARE(groupedCount(999), std::string("999"));
        QCOMPARE(groupedCount(1000), std::string("1,000"));
        QCOMPARE(groupedCount(5000), std::string("5,000"));
        QCOMPARE(groupedCount(1234567), std::string("1,234,567"));
    }

    void bytesInDecimalUnits()
    {
        QCOMPARE(formatBytes(0), std::string("0 B"));
        QCOMPARE(formatBytes(999), std::string("999 B"));
        QCOMPARE(formatBytes(1000), std::string("1.0 kB"));
        QCOMPARE(formatBytes(25207794), std::string("25.2 MB"));
        QCOMPARE(formatBytes(3e12), std::string("3.0 TB"));
        QCOMPARE(formatBytes(-2500), std::string("-2.5 kB"));
    }

    // Shares as percentages; a contamination always with two decimals, as the Detector panel's box
    // shows it, so the Trust tab and the report read "2.30 %" too (#18).
    void sharesAsPercentages()
    {
        QCOMPARE(formatShare(0.0532), std::string("5.3 %"));
        QCOMPARE(formatShare(0.0532, 0), std::string("5 %"));
        QCOMPARE(formatShare(0.023, 2), std::string("2.30 %"));
        QCOMPARE(formatContaminationShare(0.023), std::string("2.30 %"));
        QCOMPARE(formatContaminationShare(0.1), std::string("10.00 %"));
        QCOMPARE(formatContaminationShare(0.001), std::string("0.10 %"));
    }

    void memoryInGiB()
    {
        QCOMPARE(formatGiB(0), std::string("0.0 GiB"));
        QCOMPARE(formatGiB(3ull << 30), std::string("3.0 GiB"));
        QCOMPARE(formatGiB((1ull << 30) + (1ull << 29)), std::string("1.5 GiB"));
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"

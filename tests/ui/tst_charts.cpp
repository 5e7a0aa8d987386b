#include "ui/analysisworker.h"
#include "ui/charts/chartbinning.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewbins.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/charts/overviewcharts.h"
#include "ui/charts/pointcloud.h"
#include "ui/charts/timelinechart.h"
#include "core/analysis/aggregates.h"
#include "ui/charts/workbenchchart.h"

#include "generator/generator.h"
#include "core/pipeline.h"
#include "core/table/stringpool.h"
#include "core/table/traffictable.h"

#include <QAbstractBarSeries>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QDateTime>
#include <QFile>
#include <QFontMetricsF>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QTest>

#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

using namespace webthreat;

namespace {

const std::int64_t kMissing = kMissingInteger;

struct Totals {
    std::uint64_t normal = 0;
    std::uint64_t suspicious = 0;
    std::uint64_t all() const { return normal + suspicious; }
};

WorkbenchChart* chartOf(ChartView* view)
{
    return qobject_cast<WorkbenchChart*>(view->chart());
}

QAbstractBarSeries* barSeriesOf(ChartView* view)
{
    for (QAbstractSeries* series : view->chart()->series()) {
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(series))
            return bars;
    }
    return nullptr;
}

QList<qreal> valuesOf(const QBarSet* set)
{
    QList<qreal> values;
    for (qsizetype i = 0; i < set->count(); ++i)
        values.append(set->at(i));
    return values;
}

// The rows a bar chart shows, read back from its bar sets (Normal first, Suspicious second).
Totals barTotals(ChartView* view)
{
    Totals totals;
    QAbstractBarSeries* series = barSeriesOf(view);
    if (!series || series->barSets().size() != 2)
        return totals;
    for (const qreal value : valuesOf(series->barSets()[0]))
        totals.normal += static_cast<std::uint64_t>(value);
    for (const qreal value : valuesOf(series->barSets()[1]))
        totals.suspicious += static_cast<std::uint64_t>(value);
    return totals;
}

// Category names from the top bar down (horizontal bars are laid out bottom-up).
QStringList categoriesTopDown(ChartView* view)
{
    for (QAbstractAxis* axis : view->chart()->axes()) {
        if (auto* categories = qobject_cast<QBarCategoryAxis*>(axis)) {
            QStringList names = categories->categories();
            std::reverse(names.begin(), names.end());
            return names;
        }
    }
    return {};
}

ChartView* viewByStem(const QList<ChartView*>& views, const QString& stem)
{
    for (ChartView* view : views) {
        if (view->fileStem() == stem)
            return view;
    }
    return nullptr;
}

PointCloudItem* cloudOf(ChartView* view)
{
    for (QGraphicsItem* item : view->scene()->items()) {
        if (auto* cloud = dynamic_cast<PointCloudItem*>(item))
            return cloud;
    }
    return nullptr;
}

// The table rows behind the scatter's suspicious points for a snapshot, made the charts' way.
std::vector<std::size_t> scatterPointsRows(const AnalysisSnapshot& snapshot, bool suspicious)
{
    const ScatterLayout layout = computeScatterLayout(*snapshot.data);
    const ScatterVerdictPoints points
        = computeScatterPoints(layout, *snapshot.data, snapshot.detection.get(), snapshot.verdicts.get());
    return suspicious ? points.suspicious.rows : points.normal.rows;
}

// Generated traffic of rows rows (the generator's defaults), read and prepared as the window does;
// null when the scratch file cannot be written.
std::shared_ptr<const PreparedData> generatedData(std::size_t rows)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return nullptr;
    const std::string path = dir.filePath(QStringLiteral("traffic.csv")).toStdString();
    {
        std::ofstream out(path, std::ios::binary);
        GeneratorParams params;
        params.rows = rows;
        generateTraffic(out, params);
        if (!out.good())
            return nullptr;
    }
    return prepareData(path);
}

AnalysisSnapshot snapshotAt(std::shared_ptr<const PreparedData> data, std::shared_ptr<const Detection> detection,
                            double contamination)
{
    Analysis analysis = assess(data, detection, Contamination::fromValue(contamination));
    AnalysisSnapshot snapshot;
    snapshot.data = std::move(data);
    snapshot.detection = std::move(detection);
    snapshot.verdicts = std::make_shared<const Verdicts>(std::move(analysis.verdicts));
    snapshot.findings = std::make_shared<const Findings>(std::move(analysis.findings));
    return snapshot;
}

} // namespace

class TestCharts : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<const PreparedData> m_reference;
    std::shared_ptr<const Detection> m_referenceDetection;

    bool loadReference()
    {
        if (m_reference)
            return true;
        if (!QFileInfo::exists(QStringLiteral(WEBTHREAT_REFERENCE_CSV)))
            return false;
        m_reference = prepareData(WEBTHREAT_REFERENCE_CSV);
        m_referenceDetection = detect(*m_reference, DetectorParams{});
        return true;
    }

#define REQUIRE_REFERENCE()                                                                                            \
    if (!loadReference())                                                                                              \
        QSKIP("The reference dataset " WEBTHREAT_REFERENCE_CSV " is absent (see ../shared/data/README.md)");

private Q_SLOTS:
    // --- Binning helpers on hand-made inputs -----------------------------------------------------

    void logBinsFromValues_data()
    {
        QTest::addColumn<QList<qint64>>("values");
        QTest::addColumn<bool>("zeroBin");
        QTest::addColumn<int>("binsPerDecade");
        QTest::addColumn<int>("firstStep");
        QTest::addColumn<int>("positiveBins");

        // 1..1000: three decades at 10 a decade, plus the bin that holds 1000 itself.
        QTest::newRow("decades") << QList<qint64>{1, 10, 100, 1000} << false << 10 << 0 << 31;
        // 5 starts in step floor(10*log10 5) = 6, 50 in step 16.
        QTest::newRow("zeros get their own bin") << QList<qint64>{0, 0, 5, 50} << true << 10 << 6 << 11;
        QTest::newRow("missing and negative ignored") << QList<qint64>{kMissing, -3, 7} << false << 10 << 8 << 1;
        QTest::newRow("only zeros") << QList<qint64>{0, 0} << true << 1 << 0 << 0;
        // Twelve decades: 10, 5 and 4 a decade give more than 36 bins, 2 a decade gives 25.
        QTest::newRow("wide range coarsens") << QList<qint64>{1, 1000000000000} << false << 2 << 0 << 25;
        // 40 bytes to 25 MB: 10 a decade gives 59 bins; 5 a decade gives steps 8 to 37.
        QTest::newRow("reference bytes_in range") << QList<qint64>{40, 25207794} << false << 5 << 8 << 30;
    }

    void logBinsFromValues()
    {
        QFETCH(QList<qint64>, values);
        QFETCH(bool, zeroBin);
        QFETCH(int, binsPerDecade);
        QFETCH(int, firstStep);
        QFETCH(int, positiveBins);
        const std::vector<std::int64_t> column(values.cbegin(), values.cend());
        const LogBinning binning = LogBinning::forValues(column);
        QCOMPARE(binning.zeroBin, zeroBin);
        QCOMPARE(binning.binsPerDecade, binsPerDecade);
        QCOMPARE(binning.firstStep, firstStep);
        QCOMPARE(binning.positiveBins, positiveBins);
        QCOMPARE(binning.binCount(), positiveBins + (zeroBin ? 2 : 0));
        for (const std::int64_t value : column) {
            if (value == kMissing || value < 0)
                continue;
            const std::uint16_t bin = binning.binOf(static_cast<double>(value));
            QVERIFY2(bin < binning.binCount(), qPrintable(QString::number(value)));
            if (value > 0) {
                // Every positive value lies inside its bin's edges.
                QVERIFY(binning.lowerEdge(bin) <= value * (1 + 1e-12));
                QVERIFY(value < binning.upperEdge(bin));
            }
        }
    }

    void logBinsExactAssignment()
    {
        const std::vector<std::int64_t> values{0, 5, 50};
        const LogBinning binning = LogBinning::forValues(values);
        QCOMPARE(binning.binOf(0.0), std::uint16_t(0)); // the zero bin
        QCOMPARE(binning.firstPositiveBin(), 2); // bin 1 is the gap
        QCOMPARE(binning.binOf(5.0), std::uint16_t(2));
        QCOMPARE(binning.binOf(50.0), std::uint16_t(12));
        QCOMPARE(binning.binOf(10.0), std::uint16_t(2 + 4)); // step 10 minus firstStep 6
        QCOMPARE(binning.binOf(-1.0), kNoBin);
        QCOMPARE(binning.binOf(std::numeric_limits<double>::quiet_NaN()), kNoBin);
        // Exact powers of ten open their bin rather than closing the one before.
        const LogBinning decades = LogBinning::forRange(1.0, 1000.0, false, 1);
        QCOMPARE(decades.positiveBins, 4);
        QCOMPARE(decades.binOf(1.0), std::uint16_t(0));
        QCOMPARE(decades.binOf(9.0), std::uint16_t(0));
        QCOMPARE(decades.binOf(10.0), std::uint16_t(1));
        QCOMPARE(decades.binOf(999.0), std::uint16_t(2));
        QCOMPARE(decades.binOf(1000.0), std::uint16_t(3));
        QCOMPARE(decades.lowerEdge(3), 1000.0);
        QCOMPARE(decades.position(100.0), 1.5); // edge between bins 1 and 2
    }

    void linearBins()
    {
        const LinearBinning binning = LinearBinning::forRange(-0.8, -0.3, 10);
        QCOMPARE(binning.width, 0.05);
        QCOMPARE(binning.start, -0.8);
        QCOMPARE(binning.bins, 11); // -0.3 itself opens the eleventh bin
        QCOMPARE(binning.binOf(-0.8), std::uint16_t(0));
        QCOMPARE(binning.binOf(-0.551), std::uint16_t(4));
        QCOMPARE(binning.binOf(-0.55), std::uint16_t(5));
        QCOMPARE(binning.binOf(-0.3), std::uint16_t(10));
        QCOMPARE(binning.binOf(-5.0), std::uint16_t(0)); // clamped
        QCOMPARE(binning.binOf(3.0), std::uint16_t(10));
        QCOMPARE(binning.binOf(std::numeric_limits<double>::quiet_NaN()), kNoBin);
        QCOMPARE(binning.position(-0.8), -0.5);

        const LinearBinning single = LinearBinning::forRange(-0.5, -0.5, 12);
        QCOMPARE(single.bins, 1);
        QCOMPARE(single.binOf(-0.5), std::uint16_t(0));
    }

    void textCategories()
    {
        StringPool strings;
        Column column{"protocol", ColumnKind::Text, {}, {}, {}};
        for (const char* value : {"HTTPS", "SSH", "HTTPS", "HTTP", "", "SSH", "HTTP", "HTTPS"})
            column.text.push_back(strings.intern(value));

        // Four values, two shown: HTTP and SSH tie at 2 and sort by name; the rest is "Other".
        const CategoryBreakdown capped = categorizeText(column, strings, 2);
        QCOMPARE(capped.labels, (QStringList{"HTTPS", "HTTP", "Other (2)"}));
        QCOMPARE(capped.totals, (std::vector<std::uint64_t>{3, 2, 3}));
        QVERIFY(capped.hasOther);
        QCOMPARE(capped.otherValues, std::size_t(2));
        QCOMPARE(capped.rowCategory, (std::vector<std::uint16_t>{0, 2, 0, 1, 2, 2, 1, 0}));

        // One value over the cap is shown rather than folded into "Other (1)".
        const CategoryBreakdown all = categorizeText(column, strings, 3);
        QCOMPARE(all.labels, (QStringList{"HTTPS", "HTTP", "SSH", "(missing)"}));
        QVERIFY(!all.hasOther);
    }

    void integerCategories()
    {
        const std::vector<std::int64_t> ports{443, 80, 443, 22, 80, kMissing};
        const CategoryBreakdown breakdown = categorizeIntegers(ports, 15);
        // 80 and 443 tie at two rows: the smaller port first.
        QCOMPARE(breakdown.labels, (QStringList{"80", "443", "22", "(missing)"}));
        QCOMPARE(breakdown.totals, (std::vector<std::uint64_t>{2, 2, 1, 1}));
        QCOMPARE(breakdown.rowCategory, (std::vector<std::uint16_t>{1, 0, 1, 2, 0, 3}));

        const CategoryBreakdown single = categorizeIntegers({443, 443, 443}, 15);
        QCOMPARE(single.labels, QStringList{"443"});
    }

    void splitCounts()
    {
        const std::vector<std::uint16_t> bins{0, 1, 1, kNoBin, 2};
        const std::vector<std::uint8_t> suspicious{0, 1, 0, 1, 1};
        const SplitCounts split = countSplit(bins, 3, suspicious);
        QCOMPARE(split.normal, (QList<qreal>{1, 1, 0}));
        QCOMPARE(split.suspicious, (QList<qreal>{0, 1, 1}));
        QCOMPARE(split.normalTotal, std::uint64_t(2));
        QCOMPARE(split.suspiciousTotal, std::uint64_t(2)); // row 3 is in no bin

        const SplitCounts undetected = countSplit(bins, 3, {});
        QCOMPARE(undetected.normal, (QList<qreal>{1, 2, 1}));
        QCOMPARE(undetected.suspiciousTotal, std::uint64_t(0));
    }

    void deterministicSample()
    {
        const std::vector<std::uint8_t> small = sampleRows(10, 20);
        QCOMPARE(std::accumulate(small.begin(), small.end(), 0), 10);

        const std::vector<std::uint8_t> sample = sampleRows(1000, 100);
        QCOMPARE(std::accumulate(sample.begin(), sample.end(), 0), 100);
        QCOMPARE(sampleRows(1000, 100), sample); // same rows every time
        QVERIFY(sampleRows(1000, 100, 7) != sample); // the seed matters
        // Spread over the table, not the first hundred rows.
        QVERIFY(std::accumulate(sample.begin(), sample.begin() + 500, 0) > 25);
        QVERIFY(std::accumulate(sample.begin() + 500, sample.end(), 0) > 25);
    }

    void scatterPointsMapBackToRows()
    {
        const std::vector<std::int64_t> bytesIn{0, 500, kMissing, 20, 20};
        const std::vector<std::int64_t> bytesOut{10, 0, 5, 20, 20};
        const std::vector<std::size_t> rows{3, 0, 1, 2, 4};
        std::size_t skipped = 0;
        const ScatterPoints points = buildScatterPoints(bytesIn, bytesOut, rows, &skipped);
        QCOMPARE(skipped, std::size_t(1)); // row 2 has no bytes_in
        QCOMPARE(points.points, (QList<QPointF>{{20, 20}, {kScatterFloor, 10}, {500, kScatterFloor}, {20, 20}}));
        QCOMPARE(points.rowOf(0), qsizetype(3));
        QCOMPARE(points.rowOf(1), qsizetype(0));
        QCOMPARE(points.rowOf(2), qsizetype(1));
        QCOMPARE(points.rowOf(3), qsizetype(4));
        QCOMPARE(points.rowOf(4), qsizetype(-1));
        QCOMPARE(points.rowOf(-1), qsizetype(-1));
        QCOMPARE(points.countAt(0), qsizetype(2)); // rows 3 and 4 share a point
        QCOMPARE(points.countAt(1), qsizetype(1));
    }

    void compactNumbers()
    {
        QCOMPARE(chartstyle::compactNumber(0), QStringLiteral("0"));
        QCOMPARE(chartstyle::compactNumber(950), QStringLiteral("950"));
        QCOMPARE(chartstyle::compactNumber(1000), QStringLiteral("1K"));
        QCOMPARE(chartstyle::compactNumber(1500), QStringLiteral("1.5K"));
        QCOMPARE(chartstyle::compactNumber(250000), QStringLiteral("250K"));
        QCOMPARE(chartstyle::compactNumber(25e6), QStringLiteral("25M"));
        QCOMPARE(chartstyle::compactNumber(1e9), QStringLiteral("1G"));
        QCOMPARE(chartstyle::groupedCount(1234567), QStringLiteral("1,234,567"));
    }

    void countAxisRange_data()
    {
        QTest::addColumn<double>("maxCount");
        QTest::addColumn<double>("top");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("one row") << 1.0 << 2.0 << QStringList{"0", "1", "2"};
        QTest::newRow("forty") << 40.0 << 50.0 << QStringList{"0", "10", "20", "30", "40", "50"};
        QTest::newRow("reference") << 282.0 << 300.0 << QStringList{"0", "100", "200", "300"};
        QTest::newRow("a million") << 950000.0 << 1e6 << QStringList{"0", "250K", "500K", "750K", "1M"};
    }

    void countAxisRange()
    {
        QFETCH(double, maxCount);
        QFETCH(double, top);
        QFETCH(QStringList, labels);
        QCategoryAxis axis;
        chartstyle::setCountRange(&axis, maxCount);
        QCOMPARE(axis.min(), 0.0);
        QCOMPARE(axis.max(), top);
        QCOMPARE(axis.categoriesLabels(), labels);
        QVERIFY(axis.max() >= maxCount * 1.05); // headroom above the largest bar
    }

    // --- Overview on the reference data ------------------------------------------------------

    void overviewTotalsOnReference()
    {
        REQUIRE_REFERENCE();
        const AnalysisSnapshot snapshot = snapshotAt(m_reference, m_referenceDetection, 0.05);
        QCOMPARE(m_reference->table.rowCount(), std::size_t(282));
        QCOMPARE(snapshot.verdicts->suspiciousCount, std::size_t(15));

        OverviewCharts overview;
        overview.setSnapshot(snapshot);
        const QList<ChartView*> views = overview.chartViews();
        QCOMPARE(views.size(), 6);
        for (ChartView* view : views) {
            QVERIFY2(chartOf(view), qPrintable(view->fileStem()));
            QCOMPARE(chartOf(view)->message(), QString());
            QVERIFY2(!view->chart()->title().isEmpty(), qPrintable(view->fileStem()));
            for (QAbstractAxis* axis : view->chart()->axes())
                QVERIFY2(!axis->titleText().isEmpty(), qPrintable(view->fileStem()));
            const Totals totals = barTotals(view);
            QCOMPARE(totals.all(), std::uint64_t(282));
            QCOMPARE(totals.suspicious, std::uint64_t(15));
            // The same colours in every chart.
            const QList<QBarSet*> sets = barSeriesOf(view)->barSets();
            QCOMPARE(sets[0]->color(), chartstyle::normalColor());
            QCOMPARE(sets[1]->color(), chartstyle::suspiciousColor());
            QVERIFY(view->chart()->legend()->isVisible());
            QVERIFY(sets[1]->label().contains(QStringLiteral("15")));
        }

        // Degenerate columns: one protocol, one port, each a single bar.
        QCOMPARE(categoriesTopDown(viewByStem(views, "protocol_counts")), QStringList{"HTTPS"});
        QCOMPARE(categoriesTopDown(viewByStem(views, "port_counts")), QStringList{"443"});
        QCOMPARE(chartOf(viewByStem(views, "protocol_counts"))
                     ->overlayLabels(viewByStem(views, "protocol_counts")->chart()->axes(Qt::Vertical).value(0)),
                 QStringList{"HTTPS"});
        QCOMPARE(valuesOf(barSeriesOf(viewByStem(views, "port_counts"))->barSets()[0]), QList<qreal>{267});

        // Countries sorted by rows, most first.
        ChartView* countries = viewByStem(views, "country_counts");
        const QStringList countryNames = categoriesTopDown(countries);
        QCOMPARE(countryNames.size(), 7);
        QCOMPARE(countryNames.first(), QStringLiteral("US"));
        const QList<QBarSet*> countrySets = barSeriesOf(countries)->barSets();
        qreal previous = std::numeric_limits<qreal>::infinity();
        for (qsizetype i = countrySets[0]->count() - 1; i >= 0; --i) {
            const qreal total = countrySets[0]->at(i) + countrySets[1]->at(i);
            QVERIFY(total <= previous);
            previous = total;
        }

        // Bytes histograms say they are on a log scale.
        for (const char* stem : {"bytes_in_histogram", "bytes_out_histogram"}) {
            const QList<QAbstractAxis*> xAxes = viewByStem(views, stem)->chart()->axes(Qt::Horizontal);
            QCOMPARE(xAxes.size(), 1);
            QVERIFY(xAxes[0]->titleText().contains(QStringLiteral("log scale")));
        }
    }

    void thresholdLineOnScores()
    {
        REQUIRE_REFERENCE();
        const AnalysisSnapshot snapshot = snapshotAt(m_reference, m_referenceDetection, 0.05);
        OverviewCharts overview;
        overview.setSnapshot(snapshot);
        ChartView* scores = viewByStem(overview.chartViews(), "score_histogram");
        QLineSeries* line = nullptr;
        for (QAbstractSeries* series : scores->chart()->series()) {
            if (auto* candidate = qobject_cast<QLineSeries*>(series))
                line = candidate;
        }
        QVERIFY(line);
        QCOMPARE(line->count(), 2);
        QCOMPARE(line->at(0).x(), line->at(1).x()); // vertical
        QCOMPARE(line->at(0).y(), 0.0);
        const QString label = chartOf(scores)->markerLabel();
        QVERIFY2(label.contains(QString::number(snapshot.verdicts->threshold, 'f', 3)), qPrintable(label));
        QVERIFY2(label.contains(QStringLiteral("15 suspicious")), qPrintable(label));

        // Every bar left of the line is all suspicious, every bar right of it all normal.
        const QList<QBarSet*> sets = barSeriesOf(scores)->barSets();
        for (qsizetype bin = 0; bin < sets[0]->count(); ++bin) {
            if (bin + 0.5 <= line->at(0).x())
                QCOMPARE(sets[0]->at(bin), 0.0);
            if (bin - 0.5 >= line->at(0).x())
                QCOMPARE(sets[1]->at(bin), 0.0);
        }
    }

    // Issue #18, defect 8: the score histogram's threshold label covered the tallest bar. At
    // every contamination it now sits where it hides no bar.
    void thresholdLabelHidesNoBar()
    {
        REQUIRE_REFERENCE();
        OverviewCharts overview;
        overview.resize(1260, 680);
        overview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&overview));
        ChartView* scores = viewByStem(overview.chartViews(), "score_histogram");
        // The reference's own scores, and scores made so that the tallest bar stands just right of
        // the threshold and reaches near the top of the axis (as on a million generated rows): 176
        // rows at -0.595, 106 spread from -0.75 to -0.35.
        auto crowded = std::make_shared<Detection>(*m_referenceDetection);
        std::vector<double> values;
        for (std::size_t row = 0; row < m_reference->table.rowCount(); ++row)
            values.push_back(row < 176 ? -0.595 - 0.0001 * static_cast<double>(row % 7)
                                       : -0.75 + 0.40 * static_cast<double>(row - 176) / 105.0);
        crowded->scores = ScoreIndex(values);
        const std::shared_ptr<const Detection> crowdedDetection = crowded;
        for (const auto& [detection, contamination] :
             std::vector<std::pair<std::shared_ptr<const Detection>, double>>{{m_referenceDetection, 0.01},
                                                                              {m_referenceDetection, 0.05},
                                                                              {m_referenceDetection, 0.10},
                                                                              {m_referenceDetection, 0.20},
                                                                              {m_referenceDetection, 0.50},
                                                                              {crowdedDetection, 0.05},
                                                                              {crowdedDetection, 0.08},
                                                                              {crowdedDetection, 0.10},
                                                                              {crowdedDetection, 0.12},
                                                                              {crowdedDetection, 0.30}}) {
            overview.setSnapshot(snapshotAt(m_reference, detection, contamination));
            QChart* chart = scores->chart();
            // Laid out: the count axis's labels take their room on the left.
            QTRY_VERIFY(chart->plotArea().left() > 20.0);
            QRectF label;
            for (QGraphicsItem* item : chart->childItems()) {
                auto* box = dynamic_cast<QGraphicsRectItem*>(item);
                if (!box || !box->isVisible() || box->childItems().isEmpty())
                    continue;
                auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(box->childItems().first());
                if (text && text->text().startsWith(QLatin1String("threshold")))
                    label = QRectF(box->pos(), box->rect().size());
            }
            QVERIFY2(!label.isEmpty(), "no threshold label");
            QAbstractBarSeries* bars = barSeriesOf(scores);
            const QList<QBarSet*> sets = bars->barSets();
            for (qsizetype bin = 0; bin < sets[0]->count(); ++bin) {
                const qreal total = sets[0]->at(bin) + sets[1]->at(bin);
                if (total <= 0.0)
                    continue;
                const qreal half = bars->barWidth() / 2.0;
                const QRectF bar = QRectF(chart->mapToPosition(QPointF(bin - half, total), bars),
                                          chart->mapToPosition(QPointF(bin + half, 0.0), bars))
                                       .normalized();
                QVERIFY2(!label.intersects(bar),
                         qPrintable(QStringLiteral("at %1 the label covers bar %2 (%3 rows)")
                                        .arg(contamination)
                                        .arg(bin)
                                        .arg(total)));
            }
        }
    }

    void updateVerdictsMovesOnlyTheSplit()
    {
        REQUIRE_REFERENCE();
        OverviewCharts overview;
        overview.setSnapshot(snapshotAt(m_reference, m_referenceDetection, 0.05));
        const QList<ChartView*> views = overview.chartViews();
        QList<QAbstractBarSeries*> seriesBefore;
        for (ChartView* view : views)
            seriesBefore << barSeriesOf(view);

        const AnalysisSnapshot wider = snapshotAt(m_reference, m_referenceDetection, 0.10);
        const auto expected = static_cast<std::uint64_t>(wider.verdicts->suspiciousCount);
        QVERIFY(expected > 15);
        overview.updateVerdicts(wider);
        for (qsizetype i = 0; i < views.size(); ++i) {
            // Recounted in place: the same series, not a rebuilt chart.
            QCOMPARE(barSeriesOf(views[i]), seriesBefore[i]);
            const Totals totals = barTotals(views[i]);
            QCOMPARE(totals.suspicious, expected);
            QCOMPARE(totals.all(), std::uint64_t(282));
        }
        const QString label = chartOf(viewByStem(views, "score_histogram"))->markerLabel();
        QVERIFY2(label.contains(QStringLiteral("%1 suspicious").arg(expected)), qPrintable(label));
    }

    void workerCountsMatchTheChartsOwn()
    {
        // The worker precomputes the bins and, per slider move, the split from the ranking's
        // suspicious prefix; the charts count everything themselves for a bare snapshot. Both
        // must show the same bars, bin by bin, and the scatter the same points.
        REQUIRE_REFERENCE();
        AnalysisSnapshot shown = snapshotAt(m_reference, m_referenceDetection, 0.05);
        addChartBins(shown);
        QVERIFY(shown.overviewBins && shown.overviewSplit && shown.scatterLayout && shown.scatterPoints);
        for (const double contamination : {0.10, 0.02, 0.05}) {
            const AnalysisSnapshot moved = assessSnapshot(shown, Contamination::fromValue(contamination));
            QVERIFY(moved.overviewBins == shown.overviewBins);
            QVERIFY(moved.overviewSplit && moved.overviewSplit->verdicts == moved.verdicts.get());
            const AnalysisSnapshot bare = snapshotAt(m_reference, m_referenceDetection, contamination);
            QCOMPARE(moved.verdicts->suspicious, bare.verdicts->suspicious);
            for (std::size_t chart = 0; chart < OverviewBins::ChartCount; ++chart) {
                const BarChartBins& bins = moved.overviewBins->charts[chart];
                const SplitCounts full = countSplit(bins.rowBins, bins.binCount, bare.verdicts->suspicious);
                QCOMPARE(moved.overviewSplit->counts[chart].normal, full.normal);
                QCOMPARE(moved.overviewSplit->counts[chart].suspicious, full.suspicious);
                QCOMPARE(moved.overviewSplit->counts[chart].suspiciousTotal, bare.verdicts->suspiciousCount);
            }

            OverviewCharts fromWorker;
            fromWorker.setSnapshot(moved);
            OverviewCharts counted;
            counted.setSnapshot(bare);
            for (qsizetype view = 0; view < fromWorker.chartViews().size(); ++view) {
                const QList<QBarSet*> ours = barSeriesOf(fromWorker.chartViews()[view])->barSets();
                const QList<QBarSet*> theirs = barSeriesOf(counted.chartViews()[view])->barSets();
                QCOMPARE(valuesOf(ours[0]), valuesOf(theirs[0]));
                QCOMPARE(valuesOf(ours[1]), valuesOf(theirs[1]));
            }

            AnomalyScatter scatterFromWorker;
            scatterFromWorker.setSnapshot(moved);
            AnomalyScatter scatterCounted;
            scatterCounted.setSnapshot(bare);
            for (int layer : {0, 1})
                QCOMPARE(cloudOf(scatterFromWorker.chartView())->pointCount(layer),
                         cloudOf(scatterCounted.chartView())->pointCount(layer));
            QCOMPARE(moved.scatterPoints->suspicious.rows, scatterPointsRows(bare, true));
        }
    }

    void dataBeforeDetection()
    {
        REQUIRE_REFERENCE();
        AnalysisSnapshot snapshot;
        snapshot.data = m_reference;
        OverviewCharts overview;
        overview.setSnapshot(snapshot);
        for (ChartView* view : overview.chartViews()) {
            if (view->fileStem() == QLatin1String("score_histogram")) {
                QVERIFY(chartOf(view)->message().contains(QStringLiteral("detector")));
                QVERIFY(view->chart()->series().isEmpty());
                continue;
            }
            const Totals totals = barTotals(view);
            QCOMPARE(totals.normal, std::uint64_t(282));
            QCOMPARE(totals.suspicious, std::uint64_t(0));
            QVERIFY(!view->chart()->legend()->isVisible()); // no split to explain yet
        }
    }

    void emptyStatesShowAMessage()
    {
        OverviewCharts overview;
        for (ChartView* view : overview.chartViews()) {
            QCOMPARE(chartOf(view)->message(), QStringLiteral("Open a CSV file to see charts"));
            QVERIFY(view->chart()->series().isEmpty());
            QVERIFY(!view->chart()->title().isEmpty());
        }

        auto empty = std::make_shared<PreparedData>();
        AnalysisSnapshot noRows;
        noRows.data = empty;
        overview.setSnapshot(noRows);
        for (ChartView* view : overview.chartViews()) {
            QVERIFY2(chartOf(view)->message().startsWith(QStringLiteral("No rows")),
                     qPrintable(chartOf(view)->message()));
            QVERIFY(view->chart()->series().isEmpty());
            QVERIFY(view->chart()->axes().isEmpty());
        }

        // Back to nothing after data: the message returns, and no stale labels remain.
        if (loadReference()) {
            overview.setSnapshot(snapshotAt(m_reference, m_referenceDetection, 0.05));
            overview.setSnapshot(AnalysisSnapshot{});
            for (ChartView* view : overview.chartViews()) {
                QCOMPARE(chartOf(view)->message(), QStringLiteral("Open a CSV file to see charts"));
                QVERIFY(view->chart()->series().isEmpty());
                QCOMPARE(chartOf(view)->markerLabel(), QString());
            }
        }

        AnomalyScatter scatter;
        QVERIFY(chartOf(scatter.chartView())->message().contains(QStringLiteral("Open a CSV file")));
        scatter.setSnapshot(noRows);
        QVERIFY(chartOf(scatter.chartView())->message().startsWith(QStringLiteral("No rows")));
    }

    // --- Export ------------------------------------------------------------------------------

    void exportPngAtTwiceTheViewSize()
    {
        REQUIRE_REFERENCE();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        OverviewCharts overview;
        overview.setSnapshot(snapshotAt(m_reference, m_referenceDetection, 0.05));
        ChartView* view = viewByStem(overview.chartViews(), "bytes_in_histogram");
        view->setParent(nullptr); // a window of its own, sized exactly
        const std::unique_ptr<ChartView> owner(view);
        view->setFixedSize(600, 400);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view));

        const QString path = dir.filePath(view->fileStem() + ".png");
        QString error;
        QVERIFY2(view->exportPng(path, 2.0, &error), qPrintable(error));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1200, 800));
        QCOMPARE(view->renderImage(1.0).size(), QSize(600, 400));

        // Title, bars and axes: far from a blank image.
        int nonWhite = 0;
        for (int y = 0; y < image.height(); y += 4) {
            for (int x = 0; x < image.width(); x += 4)
                nonWhite += image.pixelColor(x, y) != QColor(Qt::white);
        }
        QVERIFY(nonWhite > 1000);

        // An existing file is replaced by the complete new image.
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly | QIODevice::Truncate));
        old.write("not a png");
        old.close();
        QVERIFY2(view->exportPng(path, 1.0, &error), qPrintable(error));
        QCOMPARE(QImage(path).size(), QSize(600, 400));
    }

    void exportOfAHiddenViewIsStillLarge()
    {
        ChartView view(QStringLiteral("hidden"), QStringLiteral("Hidden chart"));
        const QImage image = view.renderImage(2.0);
        QVERIFY(image.width() >= 1280);
        QVERIFY(image.height() >= 800);
        QCOMPARE(image.devicePixelRatio(), 2.0);
    }

    void exportIntoAMissingFolderFails()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ChartView view(QStringLiteral("chart"), QStringLiteral("A chart"));
        const QString path = dir.filePath(QStringLiteral("no/such/folder/chart.png"));
        QString error;
        QVERIFY(!view.exportPng(path, 2.0, &error));
        QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(path));
    }

    // --- Scatter -----------------------------------------------------------------------------

    void scatterDrawsEveryRowOfTheReference()
    {
        REQUIRE_REFERENCE();
        const AnalysisSnapshot snapshot = snapshotAt(m_reference, m_referenceDetection, 0.05);
        AnomalyScatter scatter;
        scatter.setSnapshot(snapshot);
        ChartView* view = scatter.chartView();
        QCOMPARE(chartOf(view)->message(), QString());
        PointCloudItem* cloud = cloudOf(view);
        QVERIFY(cloud);
        QCOMPARE(cloud->pointCount(0), qsizetype(267));
        QCOMPARE(cloud->pointCount(1), qsizetype(15));

        QList<QScatterSeries*> series;
        for (QAbstractSeries* item : view->chart()->series())
            series << qobject_cast<QScatterSeries*>(item);
        // Normal, Suspicious, the threat lists' crosses (hidden without lists) and the selected
        // row's legend entry, hidden while none is selected.
        QCOMPARE(series.size(), 4);
        QVERIFY(!series[2]->isVisible());
        QCOMPARE(series[2]->color(), chartstyle::threatListColor());
        QCOMPARE(cloud->pointCount(2), qsizetype(0));
        QVERIFY(!series[3]->isVisible());
        QCOMPARE(series[0]->color(), chartstyle::normalColor());
        QCOMPARE(series[1]->color(), chartstyle::suspiciousColor());
        QVERIFY2(series[1]->name().contains(QStringLiteral("15")), qPrintable(series[1]->name()));
        QVERIFY(!view->chart()->title().contains(QStringLiteral("drawn")));

        const QList<QAbstractAxis*> axes = view->chart()->axes();
        QCOMPARE(axes.size(), 2);
        for (QAbstractAxis* axis : axes) {
            QVERIFY(qobject_cast<QLogValueAxis*>(axis));
            QVERIFY(axis->titleText().contains(QStringLiteral("log scale")));
        }
        // Compact decade labels instead of printf's "10000000".
        const QStringList xLabels = chartOf(view)->overlayLabels(view->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY2(xLabels.contains(QStringLiteral("10M")), qPrintable(xLabels.join(' ')));

        scatter.updateVerdicts(snapshotAt(m_reference, m_referenceDetection, 0.10));
        const auto wider
            = static_cast<qsizetype>(snapshotAt(m_reference, m_referenceDetection, 0.10).verdicts->suspiciousCount);
        QCOMPARE(cloud->pointCount(1), wider);
        QCOMPARE(cloud->pointCount(0) + cloud->pointCount(1), qsizetype(282));
    }

    void scatterClickNamesTheRow()
    {
        REQUIRE_REFERENCE();
        const AnalysisSnapshot snapshot = snapshotAt(m_reference, m_referenceDetection, 0.05);
        AnomalyScatter scatter;
        scatter.resize(700, 600);
        scatter.setSnapshot(snapshot);
        scatter.show();
        QVERIFY(QTest::qWaitForWindowExposed(&scatter));
        ChartView* view = scatter.chartView();
        PointCloudItem* cloud = cloudOf(view);
        QVERIFY(cloud);
        QSignalSpy clicked(&scatter, &AnomalyScatter::rowClicked);

        // The signal path: a point index maps back to its table row.
        const std::uint32_t mostAnomalous = m_referenceDetection->scores.rankedRows().front();
        Q_EMIT cloud->clicked(1, 0);
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.takeFirst().at(0).value<qsizetype>(), qsizetype(mostAnomalous));

        // A real click on the drawn point: hit-testing finds it.
        QTRY_VERIFY(!view->chart()->plotArea().isEmpty());
        const QPointF inChart = cloud->positionOf(1, 0);
        const QPoint inView = view->mapFromScene(cloud->mapToScene(inChart));
        const auto hit = cloud->pointAt(inChart);
        QVERIFY(hit.has_value());
        QCOMPARE(hit->layer, 1);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, inView);
        QCOMPARE(clicked.size(), 1);
        const qsizetype row = clicked.takeFirst().at(0).value<qsizetype>();
        QVERIFY(snapshot.verdicts->isSuspicious(static_cast<std::size_t>(row)));

        // Empty space is not a point.
        QVERIFY(!cloud->pointAt(view->chart()->plotArea().topLeft() + QPointF(2, 2)).has_value());
    }

    void scatterSamplesNormalRowsButDrawsEverySuspiciousOne()
    {
        const auto data = generatedData(30000);
        QVERIFY(data);
        const std::shared_ptr<const Detection> detection = detect(*data, DetectorParams{});
        const AnalysisSnapshot snapshot = snapshotAt(data, detection, 0.05);
        const auto rows = static_cast<qsizetype>(data->table.rowCount());
        const auto suspicious = static_cast<qsizetype>(snapshot.verdicts->suspiciousCount);

        AnomalyScatter scatter;
        scatter.setSnapshot(snapshot);
        PointCloudItem* cloud = cloudOf(scatter.chartView());
        QVERIFY(cloud);
        QCOMPARE(cloud->pointCount(1), suspicious);
        QVERIFY(cloud->pointCount(0) < rows - suspicious);
        QVERIFY(cloud->pointCount(0) > 15000);
        QVERIFY(cloud->pointCount(0) <= 20000);
        // The sample is told in the title, as 1 in n; the legend keeps short labels that fit.
        const QString every = QString::number(std::llround(double(rows - suspicious) / double(cloud->pointCount(0))));
        QCOMPARE(scatter.chartView()->chart()->title(),
                 QStringLiteral("Bytes in vs bytes out (1 in %1 normal rows drawn)").arg(every));
        for (QLegendMarker* marker : scatter.chartView()->chart()->legend()->markers())
            QVERIFY2(!marker->isVisible() || marker->label().size() <= 24, qPrintable(marker->label()));

        // The same snapshot draws the same sample.
        const qsizetype drawn = cloud->pointCount(0);
        scatter.setSnapshot(snapshot);
        QCOMPARE(cloudOf(scatter.chartView())->pointCount(0), drawn);

        // And the overview still counts every row, not the sample.
        OverviewCharts overview;
        overview.setSnapshot(snapshot);
        for (ChartView* view : overview.chartViews())
            QCOMPARE(barTotals(view).all(), static_cast<std::uint64_t>(rows));
    }

    // The generated traffic has zero-length sessions (0 bytes out) and, at 30,000 rows, bins
    // whose few suspicious rows are too thin to draw.
    void zeroBinStandsApartAndThinBinsAreExplained()
    {
        const auto data = generatedData(30000);
        QVERIFY(data);
        const AnalysisSnapshot snapshot = snapshotAt(data, detect(*data, DetectorParams{}), 0.05);
        OverviewCharts overview;
        // Shown at a laptop's size: a legend hides the entries it has no room for.
        overview.resize(1280, 800);
        overview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&overview));
        overview.setSnapshot(snapshot);
        QCoreApplication::processEvents();

        ChartView* bytesOut = viewByStem(overview.chartViews(), QStringLiteral("bytes_out_histogram"));
        QVERIFY(bytesOut);
        // 0 is set apart from the decades by a dashed break at the empty bin after it, and the
        // axis title says so.
        QLineSeries* axisBreak = nullptr;
        for (QAbstractSeries* series : bytesOut->chart()->series()) {
            if (series->name() == QLatin1String("Axis break"))
                axisBreak = qobject_cast<QLineSeries*>(series);
        }
        QVERIFY(axisBreak);
        QCOMPARE(axisBreak->at(0).x(), 1.0);
        QCOMPARE(axisBreak->pen().style(), Qt::DashLine);
        for (QLegendMarker* marker : bytesOut->chart()->legend()->markers(axisBreak))
            QVERIFY(!marker->isVisible());
        auto* binAxis = qobject_cast<QCategoryAxis*>(bytesOut->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(binAxis);
        QVERIFY(binAxis->titleText().contains(QStringLiteral("0 set apart")));
        QCOMPARE(binAxis->categoriesLabels().value(0), QStringLiteral("0"));

        // Wherever a bin's suspicious rows are marked on the baseline, the count axis explains the
        // mark; where none is, it does not. The legend keeps its two entries (a third would cut
        // their counts).
        int explained = 0;
        for (ChartView* view : overview.chartViews()) {
            for (QAbstractSeries* series : view->chart()->series()) {
                auto* marks = qobject_cast<QScatterSeries*>(series);
                if (!marks)
                    continue;
                for (QLegendMarker* marker : view->chart()->legend()->markers(marks))
                    QVERIFY(!marker->isVisible());
                auto* bars = qobject_cast<QAbstractBarSeries*>(view->chart()->series().value(0));
                QVERIFY(bars);
                QString countTitle;
                for (QAbstractAxis* axis : bars->attachedAxes()) {
                    if (axis->titleText().startsWith(QStringLiteral("Rows")))
                        countTitle = axis->titleText();
                }
                QVERIFY2(countTitle.contains(QStringLiteral("few suspicious")) == (marks->count() > 0),
                         qPrintable(view->fileStem() + u' ' + countTitle));
                explained += marks->count() > 0;
            }
        }
        QVERIFY(explained > 0);
    }

    // A squeezed Overview (the Log dock open at 1280x800): category names that would overlap are
    // dropped, the largest (top) and the last (bottom, "Other") kept; the count axis's title
    // takes its short form rather than being cut.
    void squeezedChartsDropLabelsNotLegibility()
    {
        const auto data = generatedData(30000);
        QVERIFY(data);
        OverviewCharts overview;
        overview.resize(960, 740);
        overview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&overview));
        overview.setSnapshot(snapshotAt(data, detect(*data, DetectorParams{}), 0.05));
        QCoreApplication::processEvents();

        ChartView* countries = viewByStem(overview.chartViews(), QStringLiteral("country_counts"));
        QVERIFY(countries);
        auto* chart = chartOf(countries);
        QAbstractAxis* names = chart->axes(Qt::Vertical).value(0);
        const QStringList all = chart->overlayLabels(names);
        QVERIFY(all.size() >= 12);
        QCOMPARE(chart->shownOverlayLabels(names), all); // room for every name

        overview.resize(960, 420);
        QCoreApplication::processEvents();
        const QStringList shown = chart->shownOverlayLabels(names);
        QVERIFY2(shown.size() < all.size() && shown.size() >= 3, qPrintable(shown.join(u',')));
        QCOMPARE(shown.first(), all.first()); // the bottom bar, "Other (n)"
        QCOMPARE(shown.last(), all.last()); // the largest
        // No two shown names overlap.
        QList<QRectF> boxes;
        for (QGraphicsItem* item : countries->scene()->items()) {
            auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item);
            if (text && text->isVisible() && shown.contains(text->text()))
                boxes << text->sceneBoundingRect();
        }
        QCOMPARE(boxes.size(), shown.size());
        for (qsizetype i = 0; i < boxes.size(); ++i) {
            for (qsizetype j = i + 1; j < boxes.size(); ++j)
                QVERIFY(!boxes[i].intersects(boxes[j]));
        }

        // A count axis title that does not fit along the plot takes its short form.
        for (ChartView* view : overview.chartViews()) {
            for (QAbstractAxis* axis : view->chart()->axes()) {
                const QString title = axis->titleText();
                if (!title.startsWith(QStringLiteral("Rows")))
                    continue;
                const QRectF plot = view->chart()->plotArea();
                const qreal extent = axis->orientation() == Qt::Horizontal ? plot.width() : plot.height();
                if (title.contains(QStringLiteral("few suspicious")))
                    QVERIFY2(QFontMetricsF(axis->titleFont()).horizontalAdvance(title) <= extent, qPrintable(title));
            }
        }
    }

    // The generated week ends a few minutes after midnight: the time axis ends with the data's
    // last bucket, not at the next round day (an empty day that reads as a quiet one).
    void timelineAxisEndsWithTheData()
    {
        const auto data = generatedData(20000);
        QVERIFY(data);
        AnalysisSnapshot snapshot;
        snapshot.data = data;
        snapshot.aggregates = aggregateTraffic(data->table);
        const Timeline& timeline = snapshot.aggregates->timeline;
        QVERIFY(timeline.bucketCount() > 24);
        TimelineChart chart;
        chart.resize(1280, 700);
        chart.setSnapshot(snapshot);

        auto* axis = qobject_cast<QCategoryAxis*>(chart.chartView()->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(axis);
        const qint64 shift = static_cast<qint64>(
            QDateTime::fromMSecsSinceEpoch(timeline.start / 1000, Qt::UTC).toLocalTime().offsetFromUtc()) * 1000;
        const auto toMs = [&](Instant micros) { return static_cast<double>(micros / 1000 - shift); };
        const Instant end = timeline.bucketStart(timeline.bucketCount());
        QCOMPARE(axis->min(), toMs(timeline.start));
        QCOMPARE(axis->max(), toMs(end));
        QVERIFY(end - timeline.last <= timeline.width.micros);
        // Round days labelled in UTC, at least two of them, all inside the range.
        const QStringList labels = axis->categoriesLabels();
        QVERIFY2(labels.size() >= 2, qPrintable(labels.join(u',')));
        for (const QString& label : labels) {
            const double at = axis->endValue(label);
            QVERIFY(at >= axis->min() && at <= axis->max());
        }
        QCOMPARE(chart.dateFormat(), QStringLiteral("ddd MMM d"));
    }
};

// ctest sets QT_QPA_PLATFORM=offscreen; this also lets the binary run by hand without a display.
int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestCharts test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_charts.moc"

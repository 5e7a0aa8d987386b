#include "ui/resultexporter.h"

#include "generator/generator.h"
#include "tests/ui/widgetlookup.h"
#include "core/util/errors.h"
#include "core/pipeline.h"
#include "core/output/provenance.h"
#include "core/output/sha256.h"
#include "ui/analysisworker.h"
#include "ui/charts/chartview.h"
#include "ui/charts/workbenchchart.h"
#include "ui/charts/overviewcharts.h"
#include "ui/mainwindow.h"
#include "ui/resultpresenter.h"
#include "ui/report/casebuilder.h"
#include "ui/report/reportbuilder.h"
#include "core/analysis/evaluation.h"
#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QProcess>
#include <QRegularExpression>

#include <fstream>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QDateTime>
#include <QTest>

using namespace webthreat;

namespace {

constexpr int kTimeoutMs = 120000;

const QString kSample = QStringLiteral(WEBTHREAT_SOURCE_DIR "/resources/sample/sample_traffic.csv");

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

// The report's input for a file, as the command line builds it.
ReportInput reportFor(const QString& path, const Contamination& contamination = Contamination::fromValue(0.05))
{
    auto data = prepareData(path.toStdString());
    auto detection = detect(*data, DetectorParams{});
    ReportInput input;
    input.snapshot = assessSnapshot(data, detection, contamination);
    input.provenance = makeProvenance(*data, detection.get(), input.snapshot.verdicts.get(),
                                      fingerprintFile(path.toStdString()), "webthreat");
    input.title = QFileInfo(path).fileName();
    return input;
}

// Every <img src="data:image/png;base64,..."> of the page, decoded.
QList<QByteArray> embeddedPngs(const QString& html)
{
    QList<QByteArray> pngs;
    static const QRegularExpression image(QStringLiteral("<img src='data:image/png;base64,([A-Za-z0-9+/=]+)'"));
    for (auto match = image.globalMatch(html); match.hasNext();)
        pngs << QByteArray::fromBase64(match.next().captured(1).toLatin1());
    return pngs;
}

// Grey-level spread of an image: a blank page has none.
double greyVariance(const QImage& image)
{
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    double sum = 0.0;
    double squares = 0.0;
    const double count = double(grey.width()) * grey.height();
    for (int y = 0; y < grey.height(); ++y) {
        const uchar* line = grey.constScanLine(y);
        for (int x = 0; x < grey.width(); ++x) {
            sum += line[x];
            squares += double(line[x]) * line[x];
        }
    }
    const double mean = sum / count;
    return squares / count - mean * mean;
}

void closeMessageBoxes(QWidget& window)
{
    for (QMessageBox* box : window.findChildren<QMessageBox*>())
        box->close();
}

// 41 rows: forty alike from 10.0.0.0-39 (lines 2-41) and one far from them from 10.6.6.6 (line
// 42). Marked: line 42 Malicious with a hostile note, line 2 Benign, line 11 Needs review, and
// the source 10.0.0.5 (line 7) Malicious on an earlier file. The allow-list: one rule matching
// 10.0.0.7 (line 9), one disabled; one suspicious row counted as suppressed.
ReportInput triagedInput(const QTemporaryDir& dir)
{
    QByteArray csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n";
    for (int i = 0; i < 40; ++i)
        csv += QByteArray::number(1000 + i * 10) + "," + QByteArray::number(2000 + i * 7)
            + ",2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,10.0.0." + QByteArray::number(i) + ",US,HTTPS,443,10.1.1.1\n";
    csv += "900000000,1,2024-04-25T23:00:00Z,2024-04-25T23:00:01Z,10.6.6.6,NL,TCP,4444,10.1.1.2\n";
    const QString path = dir.filePath(QStringLiteral("case.csv"));
    writeBytes(path, csv);
    ReportInput input = reportFor(path);
    const std::string sha = input.provenance.input.sha256;
    const std::vector<RowMark> rows{{sha, 42, Mark::Malicious, "<b>exfil</b> & C2", 0},
                                    {sha, 2, Mark::Benign, "backup job", 0},
                                    {sha, 11, Mark::NeedsReview, "", 0}};
    const std::vector<SourceMark> sources{{"10.0.0.5", Mark::Malicious, "scanner <x>", "0123abcd", "old.csv", 0}};
    input.snapshot.triage
        = std::make_shared<const TableTriage>(layTriage(input.snapshot.data->table, sha, rows, sources));
    input.snapshot.allowRules = std::make_shared<const std::vector<SuppressionRule>>(std::vector<SuppressionRule>{
        {RuleField::SrcIp, "10.0.0.7", "office <NAT>", true}, {RuleField::DstPort, "8080", "", false}});
    Suppression suppression;
    suppression.rows.assign(41, 0);
    suppression.rows[7] = 1;
    suppression.rowsPerRule = {1, 0};
    suppression.matchedRows = 1;
    suppression.activeRules = 1;
    input.snapshot.suppression = std::make_shared<const Suppression>(std::move(suppression));
    auto verdicts = std::make_shared<Verdicts>(*input.snapshot.verdicts);
    verdicts->suppressedCount = 1;
    input.snapshot.verdicts = verdicts;
    return input;
}

QString scoreText(const ReportInput& input, std::size_t row)
{
    return QString::number(input.snapshot.detection->scores.scores()[row], 'f', 4);
}

} // namespace

// The window's exported charts that draw something (not only a message): what a report embeds.
// (The Beacons tab's interval chart shows one pair and is not among them.)
QList<ChartView*> drawnCharts(const QWidget& window)
{
    QList<ChartView*> drawn;
    for (ChartView* view : test::byName<ResultExporter>(window, "resultExporter")->chartViews()) {
        if (qobject_cast<WorkbenchChart*>(view->chart())->message().isEmpty())
            drawn << view;
    }
    return drawn;
}

class TestReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void htmlIsSelfContainedAndComplete()
    {
        ReportInput input = reportFor(kSample);
        input.charts = renderReportCharts(input.snapshot);
        QCOMPARE(input.charts.size(), 7);
        const QString html = QString::fromUtf8(reportHtml(input));
        const Findings& findings = *input.snapshot.findings;
        QVERIFY(findings.suspicious > 200); // the sample has more than the report lists

        // Provenance, readable and as JSON.
        const QString sha = QString::fromStdString(input.provenance.input.sha256);
        QCOMPARE(sha, QString::fromStdString(sha256Hex(readAll(kSample).toStdString())));
        QVERIFY(html.contains(QStringLiteral("<span class='mono'>%1</span>").arg(sha)));
        QVERIFY(html.contains(QStringLiteral("webthreat analyze ")));
        static const QRegularExpression json(
            QStringLiteral("<script type='application/json' id='webthreat-provenance'>\\n(.*?)</script>"),
            QRegularExpression::DotMatchesEverythingOption);
        const auto jsonMatch = json.match(html);
        QVERIFY(jsonMatch.hasMatch());
        const QJsonObject provenance = QJsonDocument::fromJson(jsonMatch.captured(1).toUtf8()).object();
        QCOMPARE(provenance["input"]["sha256"].toString(), sha);
        QCOMPARE(provenance["detector"]["threshold"].toDouble(), input.snapshot.verdicts->threshold);

        // The summary's counts and the findings.
        QVERIFY(html.contains(QStringLiteral("%1 of %2 rows")
                                  .arg(QLocale(QLocale::English).toString(qulonglong(findings.suspicious)),
                                       QLocale(QLocale::English).toString(qulonglong(findings.rows)))));
        // The contamination as the Detector panel and the Trust tab write it (#18), not "0.05".
        QVERIFY(html.contains(QStringLiteral("(contamination 5.00 %;")));
        QVERIFY(!findings.sourceIps.empty());
        for (const FindingEntry& entry : findings.sourceIps)
            QVERIFY2(html.contains(QStringLiteral("<td class='mono'>%1</td>").arg(QString::fromStdString(entry.value))),
                     entry.value.c_str());
        QVERIFY(html.contains(QStringLiteral("Destination ports")));
        QVERIFY(html.contains(QStringLiteral("drop_duplicates"))); // the cleaning report

        // The 200 most anomalous rows, each with its explanation, and the page says how many there are.
        QCOMPARE(html.count(QStringLiteral("<td class='why' colspan='10'>")), 200);
        // Each listed row says when its session started; each explanation ends with a full stop
        // before its top features (#18).
        QVERIFY(html.contains(QStringLiteral("Started (UTC)")));
        QVERIFY(html.contains(QRegularExpression(QStringLiteral("<td class='nowrap'>2024-04-2\\d \\d\\d:\\d\\d</td>"))));
        QVERIFY(!html.contains(QRegularExpression(QStringLiteral("[^.] <i>Top features:"))));
        QVERIFY(html.contains(QStringLiteral("The 200 most anomalous of %1 suspicious rows")
                                  .arg(QLocale(QLocale::English).toString(qulonglong(findings.suspicious)))));
        QVERIFY(html.contains(QStringLiteral("isolated in")));
        QVERIFY(html.contains(QStringLiteral("Top features:")));

        // Self-contained: charts are data: URIs holding valid PNGs with provenance of their own,
        // and nothing refers outside the file.
        const QList<QByteArray> pngs = embeddedPngs(html);
        QCOMPARE(pngs.size(), 7);
        for (const QByteArray& png : pngs) {
            QImage image;
            QVERIFY(image.loadFromData(png, "PNG"));
            QCOMPARE(image.size(), kReportChartSize * 2);
            const QJsonObject chartProvenance
                = QJsonDocument::fromJson(image.text(QStringLiteral("webthreat:provenance")).toUtf8()).object();
            QCOMPARE(chartProvenance["input"]["sha256"].toString(), sha);
            QVERIFY(greyVariance(image) > 10.0);
        }
        QVERIFY(!html.contains(QStringLiteral("src='http")));
        QVERIFY(!html.contains(QStringLiteral("<link")));
    }

    void hostileCellsAreEscaped()
    {
        QTemporaryDir dir;
        QByteArray csv
            = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,dst_port,dst_ip\n";
        for (int i = 0; i < 40; ++i)
            csv += QByteArray::number(1000 + i * 10) + "," + QByteArray::number(2000 + i * 7)
                + ",2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,10.0.0." + QByteArray::number(i)
                + ",US,HTTPS,443,10.1.1.1\n";
        // One row far from the rest, so it is the most anomalous, full of payloads.
        csv += "900000000,1,2024-04-25T23:00:00Z,2024-04-25T23:00:01Z,\"<img src=x onerror=alert(2)>\","
               "\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"<script>alert(1)</script>\",443,10.1.1.1\n";
        const QString path = dir.filePath(QStringLiteral("hostile.csv"));
        writeBytes(path, csv);
        ReportInput input = reportFor(path);
        input.title = QStringLiteral("<b>bold</b>.csv");
        const QString html = QString::fromUtf8(reportHtml(input));
        QVERIFY(!html.contains(QStringLiteral("<script>alert")));
        QVERIFY(!html.contains(QStringLiteral("<img src=x")));
        QVERIFY(!html.contains(QStringLiteral("<b>bold</b>")));
        QVERIFY(html.contains(QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;")));
        QVERIFY(html.contains(QStringLiteral("&lt;img src=x onerror=alert(2)&gt;")));
        // (Cleaning upper-cases country codes, payload included.) Shown as text, quotes escaped.
        QVERIFY(html.contains(QStringLiteral("<td>=HYPERLINK(&quot;HTTP://EVIL&quot;,&quot;X&quot;)</td>")));
        QVERIFY(html.contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;.csv")));
        // The page has exactly the elements the report writes: one script (the JSON), and as many
        // <img as charts (none here).
        QCOMPARE(html.count(QStringLiteral("<script")), 1);
        QCOMPARE(html.count(QStringLiteral("<img")), 0);

        // The PDF of the same content is written too.
        const QString pdf = dir.filePath(QStringLiteral("hostile.pdf"));
        writeReportPdf(input, pdf);
        QVERIFY(readAll(pdf).startsWith("%PDF"));
    }

    // Issue 21: the beacon pairs (score and its parts) and the scanning sources, values escaped.
    void reportShowsBehaviourOverTime()
    {
        QTemporaryDir dir;
        QByteArray csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,protocol,response.code,dst_port,dst_ip\n";
        const qint64 base = 1714039200; // 2024-04-25T10:00:00Z
        auto row = [&](qint64 start, const QByteArray& src, int port, const char* code, const char* dst) {
            const QByteArray from = QDateTime::fromSecsSinceEpoch(start, Qt::UTC).toString(Qt::ISODate).toUtf8();
            const QByteArray to = QDateTime::fromSecsSinceEpoch(start + 2, Qt::UTC).toString(Qt::ISODate).toUtf8();
            csv += "300,500," + from + "," + to + "," + src + ",HTTPS," + code + "," + QByteArray::number(port) + ","
                + dst + "\n";
        };
        for (int i = 0; i < 20; ++i)
            row(base + 60 * i, "\"<i>beacon</i>\"", 443, "200", "10.0.0.1");
        for (int port = 1; port <= 30; ++port)
            row(base + 600 + port, "6.6.6.6", port, port > 5 ? "403" : "200", "10.0.0.5");
        for (int i = 0; i < 12; ++i)
            row(base + 97 * i * i, "2.2.2.2", 80, "200", "10.0.0.1");
        const QString path = dir.filePath(QStringLiteral("behaviour.csv"));
        writeBytes(path, csv);
        const ReportInput input = reportFor(path);
        const QString html = QString::fromUtf8(reportHtml(input));
        QVERIFY(html.contains(QStringLiteral("<h2>Behaviour over time</h2>")));
        QVERIFY(html.contains(QStringLiteral("<h3>Beacon pairs</h3>")));
        QVERIFY2(html.contains(QStringLiteral("&lt;i&gt;beacon&lt;/i&gt; → 10.0.0.1:443")), qPrintable(html));
        QVERIFY(!html.contains(QStringLiteral("<i>beacon")));
        QVERIFY(html.contains(QStringLiteral("every 60 s ±0 s, 800 B each")));
        QVERIFY(html.contains(QStringLiteral("<h3>Scanning sources</h3>")));
        QVERIFY(html.contains(QStringLiteral("<td class='mono'>6.6.6.6</td>")));
        QVERIFY(html.contains(QStringLiteral("25 / 30")));
        QVERIFY(html.contains(QStringLiteral("Failed sessions counted from: response.code.")));
    }

    void pdfPagesRender()
    {
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        ReportInput input = reportFor(kSample);
        input.charts = renderReportCharts(input.snapshot);
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        QCOMPARE(reportFormatForPath(pdf), ReportFormat::Pdf);
        QCOMPARE(reportFormatForPath(dir.filePath(QStringLiteral("report.HTML"))), ReportFormat::Html);
        writeReport(input, pdf);
        const QByteArray bytes = readAll(pdf);
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.contains("%%EOF"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("report.pdf")});

        if (pdftoppm.isEmpty())
            QSKIP("pdftoppm (poppler-utils) is not installed: the PDF was written but its pages were not rendered");
        QProcess process;
        process.start(pdftoppm,
                      {QStringLiteral("-r"), QStringLiteral("50"), QStringLiteral("-png"), pdf,
                       dir.filePath(QStringLiteral("page"))});
        QVERIFY(process.waitForFinished(kTimeoutMs));
        QCOMPARE(process.exitCode(), 0);
        const QStringList pages = QDir(dir.path()).entryList({QStringLiteral("page-*.png")}, QDir::Files, QDir::Name);
        // Summary, tables of 200 rows and 7 charts do not fit on few pages.
        QVERIFY2(pages.size() >= 5, qPrintable(pages.join(QLatin1Char(' '))));
        for (const QString& name : pages) {
            const QImage page(dir.filePath(name));
            QVERIFY(!page.isNull());
            // A4 at 50 dpi: 413 x 585 pixels, portrait.
            QVERIFY2(qAbs(page.width() - 413) <= 2 && qAbs(page.height() - 585) <= 2, qPrintable(name));
            QVERIFY2(greyVariance(page) > 20.0, qPrintable(name));
        }
    }

    // A heading is never the last thing on a page: 200,000 generated rows put "Findings" at the
    // foot of the first page and "Suspicious rows" at the foot of the second before the layout kept
    // headings with their text.
    void noHeadingAloneAtAPageFoot()
    {
        const QString pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
        if (pdftotext.isEmpty())
            QSKIP("pdftotext (poppler-utils) is not installed");
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("g200k.csv"));
        {
            std::ofstream out(csv.toStdString(), std::ios::binary);
            GeneratorParams params;
            params.rows = 200000;
            params.label = true;
            generateTraffic(out, params);
        }
        ReportInput input = reportFor(csv);
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        writeReportPdf(input, pdf);
        QProcess process;
        process.start(pdftotext, {pdf, QStringLiteral("-")});
        QVERIFY(process.waitForFinished(kTimeoutMs));
        QCOMPARE(process.exitCode(), 0);
        const QStringList headings{QStringLiteral("Summary"), QStringLiteral("Provenance"),
                                   QStringLiteral("Reading and cleaning"), QStringLiteral("Reading"),
                                   QStringLiteral("Cleaning"), QStringLiteral("Features"),
                                   QStringLiteral("Detector settings"), QStringLiteral("Findings"),
                                   QStringLiteral("Source IPs"), QStringLiteral("Source countries"),
                                   QStringLiteral("Destination ports"), QStringLiteral("Protocols"),
                                   QStringLiteral("Suspicious rows"), QStringLiteral("Charts")};
        const QStringList pages = QString::fromUtf8(process.readAllStandardOutput()).split(u'\f');
        QVERIFY(pages.size() > 5);
        for (qsizetype page = 0; page < pages.size(); ++page) {
            QStringList lines;
            for (const QString& line : pages[page].split(u'\n')) {
                const QString text = line.trimmed();
                static const QRegularExpression pageNumber(QStringLiteral("^\\d+$"));
                if (!text.isEmpty() && !pageNumber.match(text).hasMatch())
                    lines << text;
            }
            if (!lines.isEmpty())
                QVERIFY2(!headings.contains(lines.last()),
                         qPrintable(QStringLiteral("page %1 ends with the heading '%2'").arg(page + 1).arg(lines.last())));
        }
    }

    void writeFailuresNameTheFile()
    {
        ReportInput input = reportFor(kSample);
        QTemporaryDir dir;
        for (const QString& name :
             {QStringLiteral("no/such/folder/report.html"), QStringLiteral("no/such/folder/report.pdf")}) {
            try {
                writeReport(input, dir.filePath(name));
                QFAIL("no error for a missing folder");
            } catch (const OutputError& error) {
                const QString message = QString::fromUtf8(error.what());
                QVERIFY2(message.contains(QDir::toNativeSeparators(dir.filePath(name))), qPrintable(message));
                QVERIFY2(message.contains(QStringLiteral("does not exist")), qPrintable(message));
            }
        }
        QVERIFY_THROWS_EXCEPTION(OutputError, writeReport(ReportInput{}, dir.filePath(QStringLiteral("empty.html"))));
    }

    void cancelWritesNothing()
    {
        ReportInput input = reportFor(kSample);
        QTemporaryDir dir;
        std::atomic<bool> cancel{false};
        std::vector<double> fractions;
        const Progress progress(
            [&](std::string_view, double fraction) {
                fractions.push_back(fraction);
                if (fractions.size() == 50)
                    cancel.store(true); // midway through explaining the 200 rows
            },
            &cancel);
        for (const QString& name : {QStringLiteral("report.html"), QStringLiteral("report.pdf")}) {
            fractions.clear();
            cancel.store(false);
            QVERIFY_THROWS_EXCEPTION(CancelledError, writeReport(input, dir.filePath(name), progress));
            QCOMPARE(fractions.size(), std::size_t(50));
        }
        QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    }

    void chartPngCarriesProvenance()
    {
        ReportInput input = reportFor(kSample);
        OverviewCharts overview;
        overview.setSnapshot(input.snapshot);
        ChartView* view = overview.chartViews().first();
        view->setPngTextProvider([&] { return provenancePngText(input.provenance); });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("chart.png"));
        QString error;
        QVERIFY2(view->exportPng(path, 1.0, &error), qPrintable(error));
        const QImage image(path);
        QCOMPARE(image.text(QStringLiteral("Software")), QStringLiteral("webthreat " WEBTHREAT_VERSION));
        QCOMPARE(image.text(QStringLiteral("Title")), view->title());
        QVERIFY(image.text(QStringLiteral("Source")).contains(QString::fromStdString(input.provenance.input.sha256)));
        QVERIFY(image.text(QStringLiteral("Description")).contains(QStringLiteral("seed 42")));
        QCOMPARE(image.text(QStringLiteral("Creation Time")), QString::fromStdString(input.provenance.created));
        const QJsonObject json
            = QJsonDocument::fromJson(image.text(QStringLiteral("webthreat:provenance")).toUtf8()).object();
        QCOMPARE(json["input"]["name"].toString(), QStringLiteral("sample_traffic.csv"));
        QCOMPARE(json["detector"]["trees"].toInt(), 100);
    }

    // The window: the fingerprint comes from the load, and every export carries it.
    void windowExportsCarryProvenance()
    {
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openSample();
        QVERIFY(ready.wait(kTimeoutMs));
        const QByteArray sample = readAll(QStringLiteral(":/sample/sample_traffic.csv"));
        const Provenance provenance = test::byName<ResultExporter>(window, "resultExporter")->provenance();
        QCOMPARE(provenance.input.sha256, sha256Hex(sample.toStdString()));
        QCOMPARE(provenance.input.bytes, std::uint64_t(sample.size()));
        QCOMPARE(provenance.program, std::string("webthreat-workbench"));
        QVERIFY(provenance.hasDetector);

        QTemporaryDir dir;
        QString error;
        const QStringList charts
            = test::byName<ResultExporter>(window, "resultExporter")->exportAllCharts(dir.path(), ChartExportOptions{}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const QString& chart : charts) {
            const QImage image(chart);
            QVERIFY2(image.text(QStringLiteral("Source")).contains(QString::fromStdString(provenance.input.sha256)),
                     qPrintable(chart));
        }

        QSignalSpy finished(&window, &MainWindow::exportFinished);
        QSignalSpy failed(&window, &MainWindow::exportFailed);
        const QString csv = dir.filePath(QStringLiteral("scored.csv"));
        test::byName<ResultExporter>(window, "resultExporter")->exportScoredCsv(csv);
        QVERIFY(finished.wait(kTimeoutMs));
        const QJsonObject sidecar = QJsonDocument::fromJson(readAll(csv + QStringLiteral(".provenance.json"))).object();
        QCOMPARE(sidecar["input"]["sha256"].toString(), QString::fromStdString(provenance.input.sha256));
        QCOMPARE(sidecar["program"]["name"].toString(), QStringLiteral("webthreat-workbench"));
        QCOMPARE(sidecar["result"]["suspicious"].toInteger(), qint64(window.snapshot().verdicts->suspiciousCount));

        for (const QString& name : {QStringLiteral("report.html"), QStringLiteral("report.pdf")}) {
            const QString path = dir.filePath(name);
            finished.clear();
            test::byName<ResultExporter>(window, "resultExporter")->exportReport(path);
            QVERIFY(window.isBusy());
            QVERIFY(finished.wait(kTimeoutMs));
            QCOMPARE(finished.first().first().toString(), path);
            QVERIFY(!window.isBusy());
            const QByteArray bytes = readAll(path);
            if (name.endsWith(QLatin1String(".pdf"))) {
                QVERIFY(bytes.startsWith("%PDF"));
            } else {
                QVERIFY(bytes.contains(QByteArray::fromStdString(provenance.input.sha256)));
                QCOMPARE(embeddedPngs(QString::fromUtf8(bytes)).size(), drawnCharts(window).size());
            }
        }
        QVERIFY(failed.isEmpty());

        // An unwritable place: exportFailed naming the file; the window keeps going.
        const QString bad = dir.filePath(QStringLiteral("no/such/folder/report.pdf"));
        test::byName<ResultExporter>(window, "resultExporter")->exportReport(bad);
        QVERIFY(failed.wait(kTimeoutMs));
        QVERIFY2(failed.first().first().toString().contains(QDir::toNativeSeparators(bad)),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!window.isBusy());
        closeMessageBoxes(window);
    }

    // The reference export has no ground truth: the Trust curves have nothing to draw. The report
    // names them in a sentence instead of a page of empty boxes.
    void chartsWithNothingToDrawAreNamedNotDrawn()
    {
        if (!QFileInfo::exists(QStringLiteral(WEBTHREAT_REFERENCE_CSV)))
            QSKIP("the reference CSV is not on this machine");
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(QStringLiteral(WEBTHREAT_REFERENCE_CSV));
        QVERIFY(ready.wait(kTimeoutMs));
        QStringList omitted;
        for (ChartView* view : window.findChildren<ChartView*>()) {
            if (!qobject_cast<WorkbenchChart*>(view->chart())->message().isEmpty())
                omitted << view->title();
        }
        QVERIFY(omitted.contains(QStringLiteral("ROC curve")));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.html"));
        QSignalSpy finished(&window, &MainWindow::exportFinished);
        test::byName<ResultExporter>(window, "resultExporter")->exportReport(path);
        QVERIFY(finished.wait(kTimeoutMs));
        const QString html = QString::fromUtf8(readAll(path));
        QCOMPARE(embeddedPngs(html).size(), drawnCharts(window).size());
        QVERIFY(html.contains(QStringLiteral("Not drawn:")));
        for (const QString& title : omitted)
            QVERIFY2(html.contains(title.toHtmlEscaped() + QStringLiteral(" (")), qPrintable(title));
    }

    void windowWithoutScoresRefuses()
    {
        MainWindow window;
        QSignalSpy failed(&window, &MainWindow::exportFailed);
        QTemporaryDir dir;
        test::byName<ResultExporter>(window, "resultExporter")
            ->exportReport(dir.filePath(QStringLiteral("report.html")));
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("nothing to report")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("report.html"))));
    }
    void reportShowsTheTriage()
    {
        QTemporaryDir dir;
        ReportInput input = triagedInput(dir);
        const QString html = QString::fromUtf8(reportHtml(input));
        QVERIFY(html.contains(QStringLiteral("<h2>Triage</h2>")));
        // Rows per verdict, and how many the detector flags at 5 % (2 of 41 rows: line 42 and one more).
        QVERIFY(
            html.contains(QStringLiteral("<tr><td><span class='malicious'>Malicious</span></td><td class='n'>2</td>")));
        QVERIFY(html.contains(QStringLiteral("<tr><td><span class='benign'>Benign</span></td><td class='n'>1</td>")));
        QVERIFY(
            html.contains(QStringLiteral("<tr><td><span class='review'>Needs review</span></td><td class='n'>1</td>")));
        QVERIFY(html.contains(QStringLiteral("<tr><td><span class=''>Not reviewed</span></td><td class='n'>37</td>")));
        // The marked rows, Malicious first in the file's order, every value escaped.
        const QString malicious
            = QStringLiteral(
                  "<tr><td class='n nowrap'>7</td><td class='n nowrap'>%1</td><td class='mono nowrap'>10.0.0.5"
                  "</td><td><span class='malicious'>Malicious (source, from an earlier file)</span></td>"
                  "<td>scanner &lt;x&gt;</td></tr>")
                  .arg(scoreText(input, 5));
        const QString exfil
            = QStringLiteral(
                  "<tr><td class='n nowrap'>42</td><td class='n nowrap'>%1</td><td class='mono nowrap'>"
                  "10.6.6.6</td><td><span class='malicious'>Malicious</span></td><td>&lt;b&gt;exfil&lt;/b&gt; "
                  "&amp; C2</td></tr>")
                  .arg(scoreText(input, 40));
        const QString review = QStringLiteral("<tr><td class='n nowrap'>11</td>");
        const QString benign
            = QStringLiteral(
                  "<tr><td class='n nowrap'>2</td><td class='n nowrap'>%1</td><td class='mono nowrap'>10.0.0.0"
                  "</td><td><span class='benign'>Benign</span></td><td>backup job</td></tr>")
                  .arg(scoreText(input, 0));
        QVERIFY2(html.contains(malicious), qPrintable(html.mid(html.indexOf(QStringLiteral("<h2>Triage")), 4000)));
        QVERIFY(html.contains(exfil));
        QVERIFY(html.indexOf(malicious) < html.indexOf(exfil));
        QVERIFY(html.indexOf(exfil) < html.indexOf(review));
        QVERIFY(html.indexOf(review) < html.indexOf(benign));
        // Each marked row's explanation under it, as the suspicious rows have theirs.
        const int why = html.indexOf(QStringLiteral("<td class='why' colspan='4'>"), html.indexOf(exfil));
        QVERIFY(why > 0 && why < html.indexOf(review));
        QVERIFY(html.indexOf(QStringLiteral("Top features:"), why) > why);
        QVERIFY(!html.contains(QStringLiteral("<b>exfil")));
        QVERIFY(!html.contains(QStringLiteral("<x>")));
        // Source verdicts with their notes and where they were set.
        QVERIFY(html.contains(QStringLiteral(
            "<tr><td class='mono nowrap'>10.0.0.5</td><td><span class='malicious'>Malicious</span></td><td class='n'>1"
            "</td><td>scanner &lt;x&gt;</td><td>an earlier file: old.csv</td></tr>")));
        // The reviewed rows against the threshold.
        const TriageCheck check = checkTriage(input.snapshot.detection->scores, *input.snapshot.verdicts,
                                              *input.snapshot.triage, &input.snapshot.suppression->rows);
        QCOMPARE(check.malicious, std::size_t(2));
        QCOMPARE(check.benign, std::size_t(1));
        QVERIFY(html.contains(QString::fromStdString(triageCheckSentence(check, input.snapshot.verdicts->contamination))
                                  .toHtmlEscaped()));
        QVERIFY(html.contains(QStringLiteral("Against your verdicts (2 malicious, 1 benign rows): ROC area ")));

        // The allow-list: each rule, its reason, whether enabled, the rows it matched.
        QVERIFY(html.contains(QStringLiteral("<h2>Suppressed by the allow-list</h2>")));
        QVERIFY(html.contains(QStringLiteral(
            "1 suspicious row suppressed: rows an enabled rule matches leave the suspicious list and the "
            "findings (the rules match 1 row in all).")));
        QVERIFY(html.contains(QStringLiteral("<tr><td class='n'>1</td><td class='mono'>src_ip 10.0.0.7</td><td>office "
                                             "&lt;NAT&gt;</td><td>yes</td><td class='n'>1</td></tr>")));
        QVERIFY(html.contains(QStringLiteral("<tr><td class='n'>2</td><td class='mono'>dst_port "
                                             "8080</td><td></td><td>no</td><td class='n'>0</td></tr>")));
        QCOMPARE(html.count(QStringLiteral("<script")), 1);

        // The PDF carries the same sections.
        const QString pdf = dir.filePath(QStringLiteral("triage.pdf"));
        writeReportPdf(input, pdf);
        QVERIFY(readAll(pdf).startsWith("%PDF"));
        // Without triage or rules, neither section.
        input.snapshot.triage.reset();
        input.snapshot.allowRules.reset();
        input.snapshot.suppression.reset();
        const QString plain = QString::fromUtf8(reportHtml(input));
        QVERIFY(!plain.contains(QStringLiteral("<h2>Triage</h2>")));
        QVERIFY(!plain.contains(QStringLiteral("allow-list")));
    }

    void caseListsEveryMaliciousRow()
    {
        QTemporaryDir dir;
        const ReportInput input = triagedInput(dir);
        QCOMPARE(caseRowCount(input.snapshot), std::size_t(2));
        const QString html = QString::fromUtf8(caseHtml(input));
        QVERIFY(html.contains(QStringLiteral("<h1>Case: case.csv</h1>")));
        QVERIFY(html.contains(QStringLiteral(
            "2 rows marked Malicious (1 by their own verdict, 1 through their source's), from 2 source addresses.")));
        QVERIFY(html.contains(QStringLiteral("<h2>Rows marked Malicious</h2>")));
        QCOMPARE(html.count(QStringLiteral("<span class='malicious'>Malicious")), 3); // two rows and the source
        QVERIFY(!html.contains(QStringLiteral("backup job"))); // the benign row is not in the case
        QCOMPARE(html.count(QStringLiteral("<td class='why' colspan='4'>")), 2);
        // The session beside each row, for a reader who has only the case.
        QVERIFY(html.contains(QStringLiteral("<td class='why' colspan='4'>2024-04-25 23:00 \u00b7 to 10.1.1.2:4444 TCP "
                                             "\u00b7 900.0 MB in, 1 B out<br>")));
        QVERIFY(html.contains(QStringLiteral("<h2>Source verdicts</h2>")));
        QVERIFY(html.contains(QStringLiteral("<h2>Allow-list</h2>")));
        QVERIFY(html.contains(QStringLiteral("<h2>Provenance</h2>")));
        QVERIFY(html.contains(QString::fromStdString(input.provenance.input.sha256)));
        QVERIFY(html.contains(QStringLiteral("id='webthreat-provenance'")));
        QVERIFY(!html.contains(QStringLiteral("<b>exfil")));

        const QJsonObject json = QJsonDocument::fromJson(caseJson(input)).object();
        QCOMPARE(json["format"].toString(), QStringLiteral("webthreat-case"));
        QCOMPARE(json["version"].toInt(), 1);
        QCOMPARE(json["suppressed"].toInt(), 1);
        QCOMPARE(json["provenance"]["input"]["sha256"].toString(),
                 QString::fromStdString(input.provenance.input.sha256));
        const QJsonArray rows = json["rows"].toArray();
        QCOMPARE(rows.size(), 2);
        const QJsonObject source = rows[0].toObject();
        QCOMPARE(source["line"].toInt(), 7);
        QCOMPARE(source["verdict"].toString(), QStringLiteral("malicious"));
        QCOMPARE(source["verdict_origin"].toString(), QStringLiteral("earlier_file"));
        QCOMPARE(source["note"].toString(), QStringLiteral("scanner <x>"));
        QCOMPARE(source["columns"]["src_ip"].toString(), QStringLiteral("10.0.0.5"));
        QCOMPARE(source["columns"]["bytes_in"].toInteger(), 1050);
        QCOMPARE(source["score"].toDouble(), input.snapshot.detection->scores.scores()[5]);
        const QJsonObject exfil = rows[1].toObject();
        QCOMPARE(exfil["line"].toInt(), 42);
        QCOMPARE(exfil["verdict_origin"].toString(), QStringLiteral("row"));
        QCOMPARE(exfil["note"].toString(), QStringLiteral("<b>exfil</b> & C2"));
        QCOMPARE(exfil["columns"]["dst_port"].toInteger(), 4444);
        QCOMPARE(exfil["columns"]["protocol"].toString(), QStringLiteral("TCP"));
        QCOMPARE(exfil["suspicious"].toBool(), true);
        QCOMPARE(exfil["suppressed"].toBool(), false);
        QVERIFY(exfil["explanation"]["sentence"].toString().endsWith(u'.'));
        QVERIFY(!exfil["explanation"]["features"].toArray().isEmpty());
        QCOMPARE(json["sources"].toArray().size(), 1);
        QCOMPARE(json["sources"][0]["file_name"].toString(), QStringLiteral("old.csv"));
        QCOMPARE(json["sources"][0]["this_file"].toBool(), false);
        const QJsonArray rules = json["allow_list"].toArray();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules[0]["rule"].toString(), QStringLiteral("src_ip 10.0.0.7"));
        QCOMPARE(rules[0]["reason"].toString(), QStringLiteral("office <NAT>"));
        QCOMPARE(rules[0]["rows_matched"].toInt(), 1);
        QCOMPARE(rules[1]["enabled"].toBool(), false);

        // Written atomically through writeReport, HTML or JSON by the suffix.
        ReportInput caseInput = input;
        caseInput.document = ReportInput::Document::Case;
        const QString jsonPath = dir.filePath(QStringLiteral("case.json"));
        writeReport(caseInput, jsonPath);
        QCOMPARE(QJsonDocument::fromJson(readAll(jsonPath)).object()["rows"].toArray().size(), 2);
        const QString htmlPath = dir.filePath(QStringLiteral("case.html"));
        writeReport(caseInput, htmlPath);
        QVERIFY(readAll(htmlPath).startsWith("<!DOCTYPE html>"));
        // Nothing marked Malicious: refused, naming the file; a missing folder is named too.
        const QString missing = dir.filePath(QStringLiteral("nowhere/case.html"));
        try {
            writeCase(caseInput, missing);
            QFAIL("wrote into a missing folder");
        } catch (const OutputError& error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("does not exist")));
        }
        ReportInput none = caseInput;
        none.snapshot.triage = std::make_shared<const TableTriage>(
            layTriage(none.snapshot.data->table, input.provenance.input.sha256, {}, {}));
        QCOMPARE(caseRowCount(none.snapshot), std::size_t(0));
        const QString empty = dir.filePath(QStringLiteral("empty.html"));
        try {
            writeReport(none, empty);
            QFAIL("wrote a case without a malicious row");
        } catch (const OutputError& error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QDir::toNativeSeparators(empty)));
            QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("no row is marked Malicious")));
        }
        QVERIFY(!QFile::exists(empty));
    }
    // File > Export Case: disabled until a row is marked Malicious; written on the worker.
    void windowExportsTheCase()
    {
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openSample();
        QVERIFY(ready.wait(kTimeoutMs));
        QAction* exportCase = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->text() == QStringLiteral("Export Ca&se..."))
                exportCase = action;
        }
        QVERIFY(exportCase);
        QVERIFY(!exportCase->isEnabled());
        auto* exporter = test::byName<ResultExporter>(window, "resultExporter");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("case.json"));
        QSignalSpy refused(exporter, &ResultExporter::refused);
        exporter->exportCase(path);
        QCOMPARE(refused.count(), 1);
        QVERIFY(refused.first().first().toString().contains(QStringLiteral("mark the rows of the case Malicious")));

        const AnalysisSnapshot snapshot = window.snapshot();
        const std::string sha = exporter->provenance().input.sha256;
        const std::size_t row = snapshot.findings->suspiciousRows.front();
        const std::uint32_t line = snapshot.data->table.sourceLines[row];
        auto* presenter = window.findChild<ResultPresenter*>();
        QVERIFY(presenter);
        presenter->showTriage(std::make_shared<const TableTriage>(
            layTriage(snapshot.data->table, sha, {{sha, line, Mark::Malicious, "seen in the proxy log", 0}}, {})));
        exporter->updateCaseAction(true);
        QVERIFY(exportCase->isEnabled());
        QSignalSpy finished(exporter, &ResultExporter::finished);
        QSignalSpy status(exporter, &ResultExporter::status);
        exporter->exportCase(path);
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().first().toString(), path);
        QCOMPARE(status.last().first().toString(),
                 QStringLiteral("Case written to %1 (1 row marked Malicious)").arg(QDir::toNativeSeparators(path)));
        const QJsonObject json = QJsonDocument::fromJson(readAll(path)).object();
        QCOMPARE(json["rows"].toArray().size(), 1);
        QCOMPARE(json["rows"][0]["line"].toInteger(), qint64(line));
        QCOMPARE(json["rows"][0]["note"].toString(), QStringLiteral("seen in the proxy log"));
        QCOMPARE(json["rows"][0]["columns"]["src_ip"].toString(),
                 QString::fromStdString(std::string(snapshot.data->table.text(Field::SrcIp, row))));
        QCOMPARE(json["provenance"]["input"]["sha256"].toString(), QString::fromStdString(sha));
        QCOMPARE(json["provenance"]["program"]["name"].toString(), QStringLiteral("webthreat-workbench"));
    }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"

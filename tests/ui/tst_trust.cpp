// The "why" and "how far to trust it" views: Row details, the Trust tab's cross-tables,
// evaluation and changed verdicts.
#include "tests/ui/widgetlookup.h"
#include "core/analysis/crosstab.h"
#include "core/io/csvreader.h"
#include "core/analysis/evaluation.h"
#include "core/detect/explain.h"
#include "core/triage/tabletriage.h"
#include "ui/analysisworker.h"
#include "ui/charts/chartview.h"
#include "ui/charts/evaluationcharts.h"
#include "ui/charts/workbenchchart.h"
#include "ui/detailpanel.h"
#include "ui/rowdetailstext.h"
#include "ui/detectorpanel.h"
#include "ui/mainwindow.h"
#include "ui/trustmodels.h"
#include "ui/trustview.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QCoreApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {

constexpr int kTimeoutMs = 120000;

bool openSample(MainWindow& window)
{
    QSignalSpy ready(&window, &MainWindow::analysisReady);
    window.openSample();
    return ready.wait(kTimeoutMs);
}

bool trustReady(MainWindow& window)
{
    if (test::byName<TrustView>(window, "trustView")->isReady())
        return true;
    QSignalSpy ready(test::byName<TrustView>(window, "trustView"), &TrustView::ready);
    return ready.wait(kTimeoutMs);
}

// 41 rows without a truth column: forty alike (rows 0-39) and row 40 far from them.
AnalysisSnapshot plainSnapshot(const QTemporaryDir& dir, const Contamination& contamination)
{
    QByteArray csv = "bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip\n";
    for (int i = 0; i < 40; ++i)
        csv += QByteArray::number(1000 + i * 10) + "," + QByteArray::number(2000 + i * 7)
            + ",2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,10.0.0." + QByteArray::number(i) + ",10.1.1.1\n";
    csv += "900000000,1,2024-04-25T23:00:00Z,2024-04-25T23:00:01Z,10.6.6.6,10.1.1.2\n";
    const QString path = dir.filePath(QStringLiteral("plain.csv"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(csv);
    file.close();
    auto data = prepareData(path.toStdString());
    auto detection = detect(*data, DetectorParams{});
    return assessSnapshot(data, detection, contamination);
}

std::shared_ptr<const TableTriage> marksOn(std::size_t rows, const std::vector<std::size_t>& malicious,
                                           const std::vector<std::size_t>& benign)
{
    auto triage = std::make_shared<TableTriage>();
    triage->marks.assign(rows, Mark::None);
    triage->origins.assign(rows, MarkOrigin::None);
    for (const std::size_t row : malicious)
        triage->marks[row] = Mark::Malicious;
    for (const std::size_t row : benign)
        triage->marks[row] = Mark::Benign;
    for (std::size_t row = 0; row < rows; ++row) {
        ++triage->counts[static_cast<int>(triage->marks[row])];
        if (triage->marks[row] != Mark::None)
            triage->origins[row] = MarkOrigin::Row;
    }
    return triage;
}

void showMarks(TrustView& view, AnalysisSnapshot& snapshot, std::shared_ptr<const TableTriage> triage)
{
    snapshot.triage = std::move(triage);
    const LoadedFile file;
    const ViewFilter filter;
    view.updateTriage(ViewUpdate{snapshot, file, filter, false, false, nullptr});
}

QString chartMessage(ChartView* view)
{
    return qobject_cast<WorkbenchChart*>(view->chart())->message();
}

} // namespace

class TestTrust : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_settingsDir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("webthreat-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_trust"));
    }

    void crossTabModel()
    {
        const ReadResult read
            = readTrafficCsvText("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,rule_names\n"
                                 "1,1,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.1,10.0.0.1,Exfil\n"
                                 "2,2,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.2,10.0.0.1,\n"
                                 "3,3,2024-04-25T00:00:00Z,2024-04-25T00:01:00Z,1.1.1.3,10.0.0.1,Exfil\n",
                                 "rules.csv");
        const ScoreIndex scores({-0.9, -0.8, -0.3});
        const CrossTabulator tabulator(read.table, Field::RuleNames);
        CrossTabModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        // Contamination 0.3: numpy's percentile gives -0.84, so only row 0 is flagged.
        model.setCrossTab(tabulator.tabulate(scores, applyThreshold(scores, Contamination::fromValue(0.3))));
        QCOMPARE(model.rowCount(), 3); // Exfil, (none), Total
        QCOMPARE(model.headerData(CrossTabModel::Value, Qt::Horizontal).toString(), QString("rule_names"));
        QCOMPARE(model.index(0, CrossTabModel::Value).data().toString(), QString("Exfil"));
        QCOMPARE(model.index(0, CrossTabModel::Suspicious).data(Qt::UserRole).toULongLong(), 1ull);
        QCOMPARE(model.index(0, CrossTabModel::Normal).data(Qt::UserRole).toULongLong(), 1ull);
        QCOMPARE(model.index(1, CrossTabModel::Value).data().toString(), QString("(none)"));
        QCOMPARE(model.index(1, CrossTabModel::Suspicious).data(Qt::UserRole).toULongLong(), 0ull);
        QCOMPARE(model.index(1, CrossTabModel::Normal).data(Qt::UserRole).toULongLong(), 1ull);
        QCOMPARE(model.index(2, CrossTabModel::Value).data().toString(), QString("Total"));
        QCOMPARE(model.index(2, CrossTabModel::Total).data(Qt::UserRole).toULongLong(), 3ull);
        // The slider moves (to "auto": below -0.5): same rows, new counts.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setCrossTab(tabulator.tabulate(scores, applyThreshold(scores, Contamination::autoOffset())));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(2, CrossTabModel::Suspicious).data(Qt::UserRole).toULongLong(), 2ull);
    }

    void rowDetailsExplainTheSelectedRow()
    {
        MainWindow window;
        QVERIFY(openSample(window));
        const AnalysisSnapshot snapshot = window.snapshot();
        QVERIFY(snapshot.hasDetection());
        const std::size_t top = snapshot.findings->suspiciousRows.front();
        QSignalSpy explained(test::byName<DetailPanel>(window, "detailPanel"), &DetailPanel::explained);
        window.selectRow(top);
        QVERIFY(explained.wait(kTimeoutMs));
        QCOMPARE(explained.last().first().toULongLong(), static_cast<qulonglong>(top));
        const RowExplanation expected = Explainer(snapshot.data, snapshot.detection).explain(top);
        // Core's sentence, with a rate said in words (issue #18, defect 10).
        const QString sentence = test::byName<DetailPanel>(window, "detailPanel")->sentence();
        QCOMPARE(sentence, rowdetails::sentence(expected));
        QCOMPARE(QString(sentence).remove(QStringLiteral(" (bytes per second)")),
                 QString::fromStdString(expected.sentence));
        QVERIFY(test::byName<DetailPanel>(window, "detailPanel")
                    ->headline()
                    .contains(QString("Line %1").arg(snapshot.data->table.sourceLines[top])));
        QVERIFY(test::byName<DetailPanel>(window, "detailPanel")->headline().contains("Suspicious"));
        QCOMPARE(test::byName<DetailPanel>(window, "detailPanel")->explanation()->features.size(),
                 snapshot.detection->params.features.size());
        // The Data tab follows the selection.
        QCOMPARE(test::byName<QTableView>(window, "dataView")->currentIndex().isValid(), true);

        // Picking another row in the Data tab explains that one instead.
        const std::size_t other = top == 0 ? 1 : 0;
        window.selectRow(other);
        QVERIFY(explained.wait(kTimeoutMs));
        QCOMPARE(explained.last().first().toULongLong(), static_cast<qulonglong>(other));
        QCOMPARE(test::byName<DetailPanel>(window, "detailPanel")->sentence(),
                 QString::fromStdString(Explainer(snapshot.data, snapshot.detection).explain(other).sentence));
    }

    void evaluationMatchesCore()
    {
        MainWindow window;
        QVERIFY(openSample(window));
        QVERIFY(trustReady(window));
        const AnalysisSnapshot snapshot = window.snapshot();
        const TruthLookup truth = findGroundTruth(snapshot.data->table);
        QVERIFY(truth.truth);
        const Evaluation expected(snapshot.detection->scores, *truth.truth);
        const auto shown = test::byName<TrustView>(window, "trustView")->evaluation();
        QVERIFY(shown);
        QCOMPARE(shown->rocAuc(), expected.rocAuc());
        QCOMPARE(shown->averagePrecision(), expected.averagePrecision());
        QVERIFY2(test::byName<TrustView>(window, "trustView")
                     ->evaluationText()
                     .contains(QString("ROC area %1").arg(expected.rocAuc(), 0, 'f', 3)),
                 qPrintable(test::byName<TrustView>(window, "trustView")->evaluationText()));
        // The marker sits at the current threshold's operating point, and moves with the slider.
        const OperatingPoint at5 = expected.at(*snapshot.verdicts);
        QCOMPARE(test::byName<TrustView>(window, "trustView")->evaluationCharts()->rocMarker(),
                 QPointF(at5.falsePositiveRate, at5.recall));
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        window.setContamination(Contamination::fromValue(0.10));
        QVERIFY(applied.wait(kTimeoutMs));
        const OperatingPoint at10 = expected.at(*window.snapshot().verdicts);
        QCOMPARE(at10.flagged, std::size_t{500});
        QCOMPARE(test::byName<TrustView>(window, "trustView")->evaluationCharts()->precisionRecallMarker(),
                 QPointF(at10.recall, at10.precision));

        // The rules tables count every row.
        QAbstractItemModelTester rulesTester(test::byName<TrustView>(window, "trustView")->rulesModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int totalRow = test::byName<TrustView>(window, "trustView")->rulesModel()->rowCount() - 1;
        QCOMPARE(test::byName<TrustView>(window, "trustView")
                     ->rulesModel()
                     ->index(totalRow, CrossTabModel::Total)
                     .data(Qt::UserRole)
                     .toULongLong(),
                 5000ull);
        QCOMPARE(test::byName<TrustView>(window, "trustView")
                     ->rulesModel()
                     ->index(totalRow, CrossTabModel::Suspicious)
                     .data(Qt::UserRole)
                     .toULongLong(),
                 500ull);

        // A column that is not a truth: the view says why.
        QSignalSpy ready(test::byName<TrustView>(window, "trustView"), &TrustView::ready);
        test::byName<TrustView>(window, "trustView")->setTruthColumn(QStringLiteral("attack_kind"));
        QVERIFY(ready.wait(kTimeoutMs));
        QVERIFY(!test::byName<TrustView>(window, "trustView")->evaluation());
        QVERIFY2(test::byName<TrustView>(window, "trustView")
                     ->evaluationText()
                     .startsWith("No evaluation: column attack_kind cannot be used as ground truth"),
                 qPrintable(test::byName<TrustView>(window, "trustView")->evaluationText()));
    }

    void changedVerdictsAreListed()
    {
        MainWindow window;
        QVERIFY(openSample(window));
        QVERIFY(trustReady(window));
        ChangedVerdictsModel* model = test::byName<TrustView>(window, "trustView")->changedModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 0);
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        window.setContamination(Contamination::fromValue(0.08)); // 250 -> 400 suspicious
        QVERIFY(applied.wait(kTimeoutMs));
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, std::size_t{400});
        QCOMPARE(model->rowCount(), 150);
        QCOMPARE(model->newlySuspicious(), std::size_t{150});
        for (int i = 0; i < model->rowCount(); ++i)
            QVERIFY(window.snapshot().verdicts->isSuspicious(model->tableRow(i)));
        QVERIFY2(test::byName<TrustView>(window, "trustView")->changesText().startsWith("150 rows became Suspicious"),
                 qPrintable(test::byName<TrustView>(window, "trustView")->changesText()));

        window.setContamination(Contamination::fromValue(0.02)); // 400 -> 100
        QVERIFY(applied.wait(kTimeoutMs));
        QCOMPARE(model->rowCount(), 300);
        QCOMPARE(model->newlyNormal(), std::size_t{300});
        QCOMPARE(model->index(0, ChangedVerdictsModel::Change).data().toString(), QString("Suspicious \u2192 Normal"));

        // Selecting a changed row explains it.
        QSignalSpy explained(test::byName<DetailPanel>(window, "detailPanel"), &DetailPanel::explained);
        QTableView* view = test::byName<TrustView>(window, "trustView")->changedView();
        view->selectionModel()->setCurrentIndex(model->index(3, 0),
                                                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(explained.wait(kTimeoutMs));
        QCOMPARE(explained.last().first().toULongLong(), static_cast<qulonglong>(model->tableRow(3)));
        QVERIFY(test::byName<DetailPanel>(window, "detailPanel")->headline().contains("Normal"));
    }

    // Issue #18: a drag from 10 % to 2.3 % listed only its last step's rows, and named the
    // contamination "0.023". The drag is one change: every row between the two thresholds.
    void aSliderDragListsEveryRowItChanged()
    {
        MainWindow window;
        QVERIFY(openSample(window));
        QVERIFY(trustReady(window));
        QSignalSpy applied(&window, &MainWindow::verdictsApplied);
        window.setContamination(Contamination::fromValue(0.10));
        QVERIFY(applied.wait(kTimeoutMs));
        const std::size_t before = window.snapshot().verdicts->suspiciousCount;
        QCOMPARE(before, std::size_t{500});

        auto* panel = test::byName<DetectorPanel>(window, "detectorPanel");
        QSlider* slider = panel->contaminationSlider();
        // The slider's positions for these percentages (0.1 % to 50 %, logarithmic, 1000 steps).
        const auto position
            = [](double percent) { return int(std::lround(1000.0 * std::log(percent / 0.1) / std::log(500.0))); };
        slider->setSliderDown(true); // pressed
        for (const double percent : {7.0, 5.0, 3.5, 2.3}) {
            applied.clear();
            slider->setValue(position(percent));
            QVERIFY(applied.wait(kTimeoutMs)); // every view, the Trust tab too, shows this step
        }
        slider->setSliderDown(false); // released
        QCOMPARE(panel->contaminationSpinBox()->value(), 2.3);
        QCOMPARE(window.snapshot().verdicts->contamination.value, 0.023);
        const std::size_t after = window.snapshot().verdicts->suspiciousCount;
        QCOMPARE(after,
                 applyThreshold(window.snapshot().detection->scores, Contamination::fromValue(0.023)).suspiciousCount);

        auto* trust = test::byName<TrustView>(window, "trustView");
        ChangedVerdictsModel* model = trust->changedModel();
        QCOMPARE(model->rowCount(), int(before - after));
        QCOMPARE(model->newlyNormal(), before - after);
        QVERIFY2(trust->changesText().contains(QStringLiteral("from 10.00 % to 2.30 %")),
                 qPrintable(trust->changesText()));

        // After the drag, a move is one change again: from 2.3 % to 3 %.
        window.setContamination(Contamination::fromValue(0.03));
        QVERIFY(applied.wait(kTimeoutMs));
        QCOMPARE(model->newlySuspicious(), window.snapshot().verdicts->suspiciousCount - after);
        QVERIFY2(trust->changesText().contains(QStringLiteral("from 2.30 % to 3.00 %")),
                 qPrintable(trust->changesText()));
    }

    void noTruthSaysHowToGetOne()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("plain.csv");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("bytes_in,bytes_out,creation_time,end_time,src_ip,dst_ip,rule_names\n");
        for (int i = 0; i < 50; ++i)
            file.write(
                QString("%1,%2,2024-04-25T00:00:00Z,2024-04-25T00:0%3:00Z,1.1.1.%4,10.0.0.1,Suspicious Web Traffic\n")
                    .arg(1000 + i * 17)
                    .arg(i == 7 ? 9000000 : 2000 + i)
                    .arg(1 + i % 5)
                    .arg(i)
                    .toUtf8());
        file.close();
        MainWindow window;
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        window.openFile(path);
        QVERIFY(ready.wait(kTimeoutMs));
        QVERIFY(trustReady(window));
        QVERIFY(!test::byName<TrustView>(window, "trustView")->evaluation());
        QVERIFY(test::byName<TrustView>(window, "trustView")
                    ->evaluationText()
                    .contains("the file has no ground-truth column"));
        QVERIFY(test::byName<TrustView>(window, "trustView")->evaluationText().contains("webthreat generate --label"));
        QVERIFY2(test::byName<TrustView>(window, "trustView")
                     ->rulesSummary()
                     .startsWith("Every row has the same rule_names ('Suspicious Web Traffic')"),
                 qPrintable(test::byName<TrustView>(window, "trustView")->rulesSummary()));
        QCOMPARE(test::byName<TrustView>(window, "trustView")->truthCombo()->count(),
                 1); // automatic only: no extra columns
    }

    void yourVerdictsAreATruth()
    {
        QTemporaryDir dir;
        AnalysisSnapshot snapshot = plainSnapshot(dir, Contamination::fromValue(0.05));
        QVERIFY(snapshot.hasDetection());
        const ScoreIndex& scores = snapshot.detection->scores;
        TrustView view;
        QSignalSpy ready(&view, &TrustView::ready);
        view.setSnapshot(snapshot);
        QVERIFY(ready.wait(kTimeoutMs));
        QCOMPARE(view.truthCombo()->count(), 1); // automatic only: no columns, nothing reviewed
        QVERIFY(view.triageText().isEmpty());

        // One row marked Malicious (row 3, near the edge of the pack): the combo offers the
        // verdicts, the sentence says the row is missed; automatic waits for a Benign row.
        showMarks(view, snapshot, marksOn(41, {3}, {}));
        QCOMPARE(view.truthCombo()->count(), 2);
        QCOMPARE(view.truthCombo()->itemText(1), QStringLiteral("Your verdicts (1 reviewed)"));
        QVERIFY(!view.evaluatesVerdicts());
        QVERIFY(!view.evaluation());
        TriageCheck check = checkTriage(scores, *snapshot.verdicts, *snapshot.triage);
        QCOMPARE(check.maliciousMissed, std::size_t(1));
        QVERIFY(check.contaminationForAll);
        QCOMPARE(view.triageText(),
                 QStringLiteral("At 5 % you would miss 1 row you marked malicious; at %1 none.")
                     .arg(QString::fromStdString(formatShortPercent(*check.contaminationForAll))));

        // Chosen by hand: it says what is missing, in the text and in the charts.
        view.setTruthColumn(TrustView::kVerdictsTruth);
        QVERIFY(ready.wait(kTimeoutMs));
        QVERIFY(view.evaluatesVerdicts());
        QCOMPARE(view.truthCombo()->currentData().toString(), TrustView::kVerdictsTruth);
        QVERIFY(!view.evaluation());
        QVERIFY2(view.evaluationText().contains(QStringLiteral("mark at least one row Benign to draw the ROC curve")),
                 qPrintable(view.evaluationText()));
        QCOMPARE(chartMessage(view.evaluationCharts()->rocView()),
                 QStringLiteral("mark at least one row Benign to draw the ROC curve"));

        // The far row Malicious and three Benign: the curves are core's over the four reviewed rows.
        showMarks(view, snapshot, marksOn(41, {3, 40}, {0, 20, 21}));
        QCOMPARE(view.truthCombo()->itemText(1), QStringLiteral("Your verdicts (5 reviewed)"));
        const Evaluation expected = evaluateAgainstTriage(scores, *snapshot.triage);
        QVERIFY(view.evaluation());
        QCOMPARE(view.evaluation()->positives(), std::size_t(2));
        QCOMPARE(view.evaluation()->negatives(), std::size_t(3));
        QCOMPARE(view.evaluation()->rocAuc(), expected.rocAuc());
        QVERIFY2(view.evaluationText().startsWith(
                     QStringLiteral("Against your verdicts (2 rows marked malicious, 3 benign; unreviewed and Needs "
                                    "review rows left out): ROC area %1")
                         .arg(expected.rocAuc(), 0, 'f', 3)),
                 qPrintable(view.evaluationText()));
        check = checkTriage(scores, *snapshot.verdicts, *snapshot.triage);
        OperatingPoint point = expected.at(check.reviewedBelow, snapshot.verdicts->threshold);
        QCOMPARE(point.truePositives, std::size_t(1)); // row 40 only
        QCOMPARE(view.evaluationCharts()->rocMarker(), QPointF(point.falsePositiveRate, point.recall));
        QCOMPARE(view.findChild<QTableWidget*>(QStringLiteral("contaminationTable"))->rowCount(), 5);

        // The slider moves: the sentence and the marker follow, without a new evaluation.
        const auto evaluated = view.evaluation();
        AnalysisSnapshot wide = assessSnapshot(snapshot, Contamination::fromValue(*check.contaminationForAll));
        wide.triage = snapshot.triage;
        view.updateVerdicts(wide);
        QCOMPARE(view.evaluation(), evaluated);
        const TriageCheck there = checkTriage(scores, *wide.verdicts, *wide.triage);
        QCOMPARE(there.maliciousMissed, std::size_t(0));
        QCOMPARE(view.triageText(), QString::fromStdString(triageCheckSentence(there, wide.verdicts->contamination)));
        QVERIFY(view.triageText().contains(QStringLiteral("every row you marked malicious is flagged")));
        point = expected.at(there.reviewedBelow, wide.verdicts->threshold);
        QCOMPARE(view.evaluationCharts()->rocMarker(), QPointF(point.falsePositiveRate, point.recall));

        // Automatic takes the verdicts: the file has no truth column and both classes are marked.
        view.setTruthColumn(QString());
        QVERIFY(ready.wait(kTimeoutMs));
        QVERIFY(view.evaluatesVerdicts());
        QCOMPARE(view.evaluation()->rocAuc(), expected.rocAuc());
        // Marks cleared: the choice goes, and the view says how to get an evaluation.
        showMarks(view, wide, marksOn(41, {}, {}));
        QCOMPARE(view.truthCombo()->count(), 1);
        QVERIFY(!view.evaluatesVerdicts());
        QVERIFY(view.triageText().isEmpty());
        QVERIFY(view.evaluationText().contains(QStringLiteral("mark rows Malicious and Benign")));
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestTrust)
#include "tst_trust.moc"

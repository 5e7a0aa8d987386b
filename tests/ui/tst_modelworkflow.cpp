// ui/modelworkflow: Detector > Save Model... and Apply Model... in the real window: a detector
// kept in a file scores the next file without refitting, the views say which model, the slider
// still moves the threshold, and a bad model file is refused with the data kept.
#include "core/model/modelfile.h"
#include "generator/generator.h"
#include "tests/ui/windowtest.h"
#include "ui/analysiscontroller.h"
#include "ui/mainwindow.h"
#include "ui/modelworkflow.h"
#include "ui/windowactions.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <cstring>
#include <fstream>

using namespace webthreat;

namespace {
constexpr int kTimeoutMs = test::kLoadTimeoutMs;

QString writeGenerated(const QTemporaryDir& dir, const QString& name, std::size_t rows, std::uint64_t seed)
{
    GeneratorParams params;
    params.rows = rows;
    params.seed = seed;
    const QString path = dir.filePath(name);
    std::ofstream out(path.toStdString());
    generateTraffic(out, params);
    return path;
}

bool load(MainWindow& window, const QString& path)
{
    return test::openAndWait(window, path);
}

QAction* menuAction(MainWindow& window, const QString& menu, const QString& text)
{
    for (QAction* top : window.menuBar()->actions()) {
        if (top->text() != menu || !top->menu())
            continue;
        for (QAction* action : top->menu()->actions()) {
            if (action->text() == text)
                return action;
        }
    }
    return nullptr;
}

QString flaggedText(MainWindow& window)
{
    auto* label = window.findChild<QLabel*>(QStringLiteral("flaggedCount"));
    return label ? label->text() : QString();
}

QString summaryReport(MainWindow& window)
{
    auto* report = window.findChild<QTextBrowser*>(QStringLiteral("cleaningReport"));
    return report ? report->toPlainText() : QString();
}
} // namespace

class TestModelWorkflow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_modelworkflow"))); }

    void menuHasTheModelActions()
    {
        MainWindow window;
        for (const char* text : {"&Run Detector", "&Apply Model...", "Apply Recent &Model", "&Save Model...",
                                 "&Fit on Each File Again"})
            QVERIFY2(menuAction(window, QStringLiteral("&Detector"), QString::fromLatin1(text)), text);
        // Nothing to save or apply to before data is loaded.
        QVERIFY(!menuAction(window, "&Detector", "&Save Model...")->isEnabled());
        QVERIFY(!menuAction(window, "&Detector", "&Apply Model...")->isEnabled());
    }

    // Save on Monday's file, apply to Tuesday's: Tuesday is scored by Monday's forest with Monday's
    // threshold (no refit), the Summary says which model and how Tuesday drifted, Wednesday opened
    // afterwards is scored with it too, and Fit on Each File Again refits.
    void saveApplyAndKeepApplying()
    {
        QTemporaryDir dir;
        const QString monday = writeGenerated(dir, "monday.csv", 3000, 1);
        const QString tuesday = writeGenerated(dir, "tuesday.csv", 2000, 2);
        const QString wednesday = writeGenerated(dir, "wednesday.csv", 1500, 3);
        const QString modelPath = dir.filePath("baseline.json");

        MainWindow window;
        window.show();
        QVERIFY(load(window, monday));
        const std::vector<double> mondayScores = window.snapshot().detection->scores.scores();
        QVERIFY(menuAction(window, "&Detector", "&Save Model...")->isEnabled());
        QSignalSpy saved(window.models(), &ModelWorkflow::modelSaved);
        window.models()->saveModelFile(modelPath);
        QVERIFY(saved.wait(kTimeoutMs));
        QCOMPARE(window.models()->recentModels().value(0), modelPath);
        const auto model = loadModel(modelPath.toStdString());
        QCOMPARE(model->origin.file, std::string("monday.csv"));
        QCOMPARE(model->origin.rows, window.snapshot().data->table.rowCount());

        QVERIFY(load(window, tuesday));
        QVERIFY(!window.snapshot().detection->model); // nothing applied yet: fitted on Tuesday
        QSignalSpy detected(&window, &MainWindow::analysisReady);
        window.models()->applyModelFile(modelPath);
        QVERIFY(detected.wait(kTimeoutMs));
        const AnalysisSnapshot& shown = window.snapshot();
        QVERIFY(shown.detection->model);
        QVERIFY(shown.thresholdFromModel);
        QCOMPARE(shown.verdicts->threshold, model->threshold);
        QCOMPARE(shown.detection->fitSeconds, 0.0);
        QVERIFY(shown.drift);
        QVERIFY(summaryReport(window).contains("Scored with baseline.json, trained on monday.csv"));
        QVERIFY(menuAction(window, "&Detector", "&Fit on Each File Again")->isEnabled());
        QVERIFY(flaggedText(window).contains("the model's"));

        // The slider re-thresholds on Tuesday's own scores, without refitting.
        const auto scored = shown.detection;
        QSignalSpy verdicts(&window, &MainWindow::verdictsApplied);
        window.setContamination(Contamination::fromValue(0.1));
        QVERIFY(verdicts.wait(kTimeoutMs));
        QCOMPARE(window.snapshot().detection, scored);
        QVERIFY(!window.snapshot().thresholdFromModel);
        QVERIFY(summaryReport(window).contains("replaced by this file's own percentile"));
        QVERIFY(!flaggedText(window).contains("the model's"));

        // Wednesday, opened now, is scored with the model too.
        QVERIFY(load(window, wednesday));
        QVERIFY(window.snapshot().detection->model);
        QCOMPARE(window.snapshot().detection->model->file, modelPath.toStdString());

        // Monday again with the model: the very scores of the run that saved it.
        QVERIFY(load(window, monday));
        const std::vector<double>& again = window.snapshot().detection->scores.scores();
        QCOMPARE(again.size(), mondayScores.size());
        QVERIFY(std::memcmp(again.data(), mondayScores.data(), again.size() * sizeof(double)) == 0);

        QSignalSpy refitted(&window, &MainWindow::analysisReady);
        menuAction(window, "&Detector", "&Fit on Each File Again")->trigger();
        QVERIFY(refitted.wait(kTimeoutMs));
        QVERIFY(!window.snapshot().detection->model);
        QVERIFY(!window.findChild<AnalysisController*>()->model());
    }

    // A bad model file: the window says which file and what is wrong, and keeps what it shows.
    void badModelKeepsTheData()
    {
        QTemporaryDir dir;
        const QString data = writeGenerated(dir, "data.csv", 1000, 4);
        const QString bad = dir.filePath("bad.json");
        {
            std::ofstream out(bad.toStdString());
            out << "{\"format\": \"webthreat-model\", \"version\": 9}";
        }
        MainWindow window;
        QVERIFY(load(window, data));
        const auto before = window.snapshot().detection;
        QSignalSpy failed(&window, &MainWindow::detectionFailed);
        window.models()->applyModelFile(bad);
        QVERIFY(failed.wait(kTimeoutMs));
        QVERIFY2(failed.at(0).at(0).toString().contains(bad + ": version: the model is of format version 9"),
                 qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(window.snapshot().detection, before);
        QVERIFY(!window.findChild<AnalysisController*>()->model());
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestModelWorkflow)
#include "tst_modelworkflow.moc"

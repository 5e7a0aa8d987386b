// Triage in the window (issue #19): verdicts set with one key on the rows selected in Data or the
// suspicious list and on sources in Entities, undone with Ctrl+Z, kept in the workspace so they come
// back when the file is opened again (and a source's verdict in another file), the Data tab's
// triage filter, the scatter's marked points, and the allow-list: suppressed rows leave the
// suspicious rows without a refit, the bar above the tabs says how many, and a switch shows them.
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "core/triage/suppression.h"
#include "core/triage/tabletriage.h"
#include "ui/anomaliesview.h"
#include "ui/charts/anomalyscatter.h"
#include "ui/dataview.h"
#include "ui/entitiesmodel.h"
#include "ui/entitiesview.h"
#include "ui/mainwindow.h"
#include "ui/trafficproxymodel.h"
#include "ui/traffictablemodel.h"
#include "ui/triagecontroller.h"
#include "ui/triageworkflow.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace webthreat;

namespace {

int column(const TrafficTableModel& model, TrafficTableModel::ColumnSource source)
{
    return model.columnFor(source);
}

// The verdict column's text of table row row.
QString verdictOf(const TrafficTableModel& model, std::size_t row)
{
    return model.index(static_cast<int>(row), column(model, TrafficTableModel::ColumnSource::Verdict)).data().toString();
}

// Selects proxy rows first..last in the Data tab's table and gives it the focus.
void selectDataRows(QTableView* table, int first, int last)
{
    table->setFocus();
    table->selectionModel()->clearSelection();
    table->setCurrentIndex(table->model()->index(first, 0));
    for (int row = first; row <= last; ++row)
        table->selectionModel()->select(table->model()->index(row, 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

std::vector<std::size_t> selectedTableRows(DataView* data)
{
    return data->selectedRows();
}

} // namespace

class TestTriage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_triage")));
        if (!QFileInfo::exists(test::referenceCsv()))
            QSKIP("reference CSV absent: " WEBTHREAT_REFERENCE_CSV);
    }

    void init()
    {
        // Each test starts from an empty workspace of its own.
        m_workspace = QDir(m_settingsDir.path()).filePath(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction()));
        qputenv("WEBTHREAT_WORKSPACE", m_workspace.toLocal8Bit());
    }

    void oneKeyMarksTheSelectedRowsAndCtrlZUndoes()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* tabs = window.findChild<QTabWidget*>();
        auto* data = test::byName<DataView>(window, "dataTab");
        tabs->setCurrentWidget(data);
        auto* table = test::byName<QTableView>(window, "dataView");
        auto* model = test::byName<TrafficTableModel>(window, "trafficModel");
        selectDataRows(table, 0, 2);
        const std::vector<std::size_t> rows = selectedTableRows(data);
        QCOMPARE(rows.size(), std::size_t(3));

        QTest::keyClick(table, Qt::Key_M);
        for (const std::size_t row : rows)
            QCOMPARE(verdictOf(*model, row), QStringLiteral("Malicious"));
        QCOMPARE(window.snapshot().triage->count(Mark::Malicious), std::size_t(3));
        // The cell says it in colour too.
        const QModelIndex cell = model->index(static_cast<int>(rows[0]), column(*model, TrafficTableModel::ColumnSource::Verdict));
        QVERIFY(cell.data(Qt::BackgroundRole).value<QColor>().isValid());

        QTest::keyClick(table, Qt::Key_B);
        QCOMPARE(verdictOf(*model, rows[1]), QStringLiteral("Benign"));
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(verdictOf(*model, rows[1]), QStringLiteral("Malicious"));
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(verdictOf(*model, rows[1]), QString());
        QCOMPARE(window.snapshot().triage->count(Mark::None), window.snapshot().data->table.rowCount());
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(verdictOf(*model, rows[1]), QStringLiteral("Malicious"));

        // Typing in the filter box types: the letter is not a verdict there.
        auto* filter = test::byName<QLineEdit>(window, "filterEdit");
        filter->setFocus();
        QTest::keyClick(filter, Qt::Key_B);
        QCOMPARE(filter->text(), QStringLiteral("b"));
        QCOMPARE(window.snapshot().triage->count(Mark::Benign), std::size_t(0));
    }

    void marksComeBackWithTheFileAfterARefitAndAnotherContamination()
    {
        std::vector<std::uint32_t> lines;
        {
            MainWindow window;
            QVERIFY(test::openAndWait(window, test::referenceCsv()));
            auto* triage = test::byName<TriageController>(window, "triageController");
            const auto& findings = *window.snapshot().findings;
            std::vector<std::size_t> rows(findings.suspiciousRows.begin(), findings.suspiciousRows.begin() + 4);
            triage->markRows({rows[0], rows[1]}, Mark::Malicious);
            triage->markRows({rows[2]}, Mark::NeedsReview);
            triage->noteRows({rows[0]}, QStringLiteral("exfil to the paste site"));
            for (const std::size_t row : rows)
                lines.push_back(window.snapshot().data->table.sourceLines[row]);

            // Another contamination and a refit keep them.
            QSignalSpy relabelled(&window, &MainWindow::verdictsApplied);
            window.setContamination(Contamination::fromValue(0.2));
            QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
            QCOMPARE(window.snapshot().triage->count(Mark::Malicious), std::size_t(2));
            QSignalSpy refitted(&window, &MainWindow::analysisReady);
            window.runDetector();
            QVERIFY(refitted.wait(test::kLoadTimeoutMs));
            QVERIFY(window.snapshot().triage);
            QCOMPARE(window.snapshot().triage->count(Mark::Malicious), std::size_t(2));
        }
        MainWindow again;
        QVERIFY(test::openAndWait(again, test::referenceCsv()));
        const auto triage = again.snapshot().triage;
        QVERIFY(triage);
        QCOMPARE(triage->count(Mark::Malicious), std::size_t(2));
        QCOMPARE(triage->count(Mark::NeedsReview), std::size_t(1));
        const TrafficTable& table = again.snapshot().data->table;
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            if (table.sourceLines[row] == lines[0]) {
                QCOMPARE(triage->mark(row), Mark::Malicious);
                QVERIFY(triage->note(row));
                QCOMPARE(*triage->note(row), std::string("exfil to the paste site"));
            }
            if (table.sourceLines[row] == lines[3])
                QCOMPARE(triage->mark(row), Mark::None);
        }
    }

    void aSourceVerdictAppliesInAnotherFile()
    {
        // The same traffic with one more row: another file (another SHA-256), the same sources.
        QFile reference(test::referenceCsv());
        QVERIFY(reference.open(QIODevice::ReadOnly));
        QByteArray bytes = reference.readAll();
        const QString other = QDir(m_settingsDir.path()).filePath(QStringLiteral("tomorrow.csv"));
        QFile copy(other);
        QVERIFY(copy.open(QIODevice::WriteOnly));
        const int secondLine = bytes.indexOf('\n') + 1;
        copy.write(bytes);
        copy.write(bytes.mid(secondLine, bytes.indexOf('\n', secondLine) - secondLine + 1).replace("2024", "2025"));
        copy.close();

        std::string ip;
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(test::openAndWait(window, test::referenceCsv()));
            auto* tabs = window.findChild<QTabWidget*>();
            auto* entities = test::byName<EntitiesView>(window, "entitiesTab");
            tabs->setCurrentWidget(entities);
            QTableView* table = entities->tableView();
            table->setFocus();
            table->selectRow(0);
            ip = entities->selectedSourceIps().at(0);
            QTest::keyClick(table, Qt::Key_M);
            auto* model = test::byName<EntitiesModel>(window, "entitiesModel");
            bool shown = false;
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->index(row, EntitiesModel::SourceIp).data().toString().toStdString() == ip) {
                    QCOMPARE(model->index(row, EntitiesModel::Verdict).data().toString(), QStringLiteral("Malicious"));
                    shown = true;
                }
            }
            QVERIFY(shown);
            // Its rows in the Data tab say where the verdict comes from.
            const auto triage = window.snapshot().triage;
            const TrafficTable& rows = window.snapshot().data->table;
            auto* data = test::byName<TrafficTableModel>(window, "trafficModel");
            for (std::size_t row = 0; row < rows.rowCount(); ++row) {
                if (rows.text(Field::SrcIp, row) == ip)
                    QCOMPARE(verdictOf(*data, row), QStringLiteral("Malicious (source)"));
            }
        }
        MainWindow window;
        QVERIFY(test::openAndWait(window, other));
        const auto triage = window.snapshot().triage;
        QVERIFY(triage);
        auto* data = test::byName<TrafficTableModel>(window, "trafficModel");
        const TrafficTable& rows = window.snapshot().data->table;
        std::size_t marked = 0;
        for (std::size_t row = 0; row < rows.rowCount(); ++row) {
            if (rows.text(Field::SrcIp, row) != ip)
                continue;
            ++marked;
            QCOMPARE(triage->origins[row], MarkOrigin::EarlierFile);
            QCOMPARE(verdictOf(*data, row), QStringLiteral("Malicious (source, from an earlier file)"));
        }
        QVERIFY(marked > 0);
        QCOMPARE(triage->count(Mark::Malicious), marked);
    }

    void theTriageFilterShowsWhatIsLeftToReview()
    {
        MainWindow window;
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* triage = test::byName<TriageController>(window, "triageController");
        auto* proxy = test::byName<TrafficProxyModel>(window, "trafficProxy");
        auto* filter = test::byName<QComboBox>(window, "triageFilter");
        const auto& findings = *window.snapshot().findings;
        const int suspicious = static_cast<int>(findings.suspiciousRows.size());
        QVERIFY(suspicious >= 3);
        filter->setCurrentIndex(filter->findData(static_cast<int>(TrafficProxyModel::MarkFilter::UnreviewedSuspicious)));
        QTRY_COMPARE(proxy->rowCount(), suspicious);
        triage->markRows({findings.suspiciousRows[0], findings.suspiciousRows[1]}, Mark::Benign);
        // Marked rows leave "unreviewed" at once.
        QTRY_COMPARE(proxy->rowCount(), suspicious - 2);
        filter->setCurrentIndex(filter->findData(static_cast<int>(TrafficProxyModel::MarkFilter::Benign)));
        QTRY_COMPARE(proxy->rowCount(), 2);
        filter->setCurrentIndex(filter->findData(static_cast<int>(TrafficProxyModel::MarkFilter::Malicious)));
        QTRY_COMPARE(proxy->rowCount(), 0);
        // The scatter frames the two marked points.
        auto* scatter = window.findChild<AnomalyScatter*>();
        QVERIFY(scatter);
        QCOMPARE(scatter->markedPointCount(), qsizetype(2));
    }

    void theAllowListSuppressesWithoutARefitAndTheBarSaysSo()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::openAndWait(window, test::referenceCsv()));
        auto* triage = test::byName<TriageController>(window, "triageController");
        const auto detection = window.snapshot().detection;
        const std::size_t before = window.snapshot().verdicts->suspiciousCount;
        const FindingEntry top = window.snapshot().findings->sourceIps.front();
        QVERIFY(top.count > 0 && top.count < before);

        QSignalSpy relabelled(&window, &MainWindow::verdictsApplied);
        triage->addRule(parseRule("src_ip " + top.value + " # our scanner"));
        QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().detection, detection); // no refit
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, before - top.count);
        QCOMPARE(window.snapshot().verdicts->suppressedCount, top.count);
        for (const FindingEntry& entry : window.snapshot().findings->sourceIps)
            QVERIFY(entry.value != top.value);
        auto* bar = test::byName<QWidget>(window, "suppressionBar");
        QVERIFY(bar->isVisible());
        auto* text = test::byName<QLabel>(window, "suppressionText");
        QVERIFY2(text->text().startsWith(QString::number(top.count) + QStringLiteral(" suspicious rows suppressed by 1")),
                 qPrintable(text->text()));

        // Show them: the detector's own labels again, the bar says what it would hide.
        QTest::mouseClick(test::byName<QPushButton>(window, "suppressionShow"), Qt::LeftButton);
        QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, before);
        QVERIFY2(text->text().startsWith(QStringLiteral("Showing %1").arg(top.count)), qPrintable(text->text()));
        QTest::mouseClick(test::byName<QPushButton>(window, "suppressionShow"), Qt::LeftButton);
        QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, before - top.count);

        // Ctrl+Z takes the rule back.
        triage->undoStack()->undo();
        QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
        QCOMPARE(window.snapshot().verdicts->suspiciousCount, before);
        QTRY_VERIFY(!bar->isVisible());

        // A rule kept in the workspace applies when the next window opens the file.
        triage->addRule(parseRule("src_ip " + top.value));
        QVERIFY(relabelled.wait(test::kLoadTimeoutMs));
        MainWindow next;
        QVERIFY(test::openAndWait(next, test::referenceCsv()));
        QTRY_COMPARE(next.snapshot().verdicts->suspiciousCount, before - top.count);
    }

    void twoWindowsOnOneWorkspaceKeepEachOthersMarks()
    {
        MainWindow first;
        MainWindow second;
        QVERIFY(test::openAndWait(first, test::referenceCsv()));
        QVERIFY(test::openAndWait(second, test::referenceCsv()));
        auto* one = test::byName<TriageController>(first, "triageController");
        auto* two = test::byName<TriageController>(second, "triageController");
        const auto& suspicious = first.snapshot().findings->suspiciousRows;
        one->markRows({suspicious[0]}, Mark::Malicious);
        two->markRows({suspicious[1]}, Mark::Benign); // written without having seen the first's mark
        // Each window sees the other's mark within its poll (2 s), or at once when asked.
        two->refreshIfChanged();
        one->refreshIfChanged();
        for (MainWindow* window : {&first, &second}) {
            QTRY_VERIFY(window->snapshot().triage && window->snapshot().triage->reviewed() == 2);
            QCOMPARE(window->snapshot().triage->mark(suspicious[0]), Mark::Malicious);
            QCOMPARE(window->snapshot().triage->mark(suspicious[1]), Mark::Benign);
        }
        // An undo in one window takes back only its own change.
        two->undoStack()->undo();
        one->refreshIfChanged();
        QCOMPARE(first.snapshot().triage->mark(suspicious[0]), Mark::Malicious);
        QCOMPARE(first.snapshot().triage->mark(suspicious[1]), Mark::None);
    }

    void aCorruptWorkspaceIsSetAsideNotOverwritten()
    {
        QFile garbage(m_workspace);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        const QByteArray bytes(4096, 'x');
        garbage.write(bytes);
        garbage.close();
        MainWindow window;
        auto* workflow = test::byName<TriageWorkflow>(window, "triageWorkflow");
        QSignalSpy failed(workflow, &TriageWorkflow::failed);
        QVERIFY(failed.wait(5000));
        QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral(".unreadable-")),
                 qPrintable(failed.at(0).at(1).toString()));
        // The bad file is kept aside, byte for byte; a fresh workspace took its place.
        const QStringList aside = QDir(m_settingsDir.path())
                                      .entryList({QFileInfo(m_workspace).fileName() + QStringLiteral(".unreadable-*")});
        QCOMPARE(aside.size(), 1);
        QFile kept(QDir(m_settingsDir.path()).filePath(aside.at(0)));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), bytes);
        QVERIFY(test::byName<TriageController>(window, "triageController")->hasWorkspace());
    }

private:
    QTemporaryDir m_settingsDir;
    QString m_workspace;
};

QTEST_MAIN(TestTriage)
#include "tst_triage.moc"

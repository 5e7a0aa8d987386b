// Help > Getting Started: one non-modal tour of five steps whose buttons do what they say in the
// window (open the sample, show Overview and Anomalies, explain the top row, export the report);
// the steps that need data wait for it.
#include "ui/gettingstarted.h"

#include "core/analysis/findings.h"
#include "tests/ui/widgetlookup.h"
#include "tests/ui/windowtest.h"
#include "ui/detailpanel.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace webthreat;

namespace {

QAction* helpAction(MainWindow& window, const QString& text)
{
    for (QAction* menu : window.menuBar()->actions()) {
        if (menu->text().remove(u'&') != QLatin1String("Help") || !menu->menu())
            continue;
        for (QAction* action : menu->menu()->actions()) {
            if (action->text().remove(u'&') == text)
                return action;
        }
    }
    return nullptr;
}

QPushButton* step(QWidget* tour, int number)
{
    return tour->findChild<QPushButton*>(QStringLiteral("gettingStartedStep%1").arg(number));
}

} // namespace

class TestGettingStarted : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(test::isolateSettings(m_settingsDir, QStringLiteral("tst_gettingstarted"))); }

    void tourWalksThePath()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QAction* tourAction = helpAction(window, QStringLiteral("Getting Started"));
        QVERIFY(tourAction);
        QAction* other = helpAction(window, QStringLiteral("Getting Started"));
        QCOMPARE(tourAction, other);
        tourAction->trigger();
        auto* tour = test::byName<GettingStartedDialog>(window, "gettingStarted");
        QVERIFY(tour);
        QVERIFY(tour->isVisible());
        QVERIFY(!tour->isModal()); // it stays beside the window while the analyst follows it
        for (int i = 1; i <= 5; ++i)
            QVERIFY2(step(tour, i), qPrintable(QString::number(i)));
        // Without data only the first step can be taken; the others say why.
        QVERIFY(step(tour, 1)->isEnabled());
        for (int i = 2; i <= 5; ++i) {
            QVERIFY(!step(tour, i)->isEnabled());
            QVERIFY(step(tour, i)->toolTip().contains(QStringLiteral("step 1")));
        }

        // 1: the sample opens.
        QSignalSpy ready(&window, &MainWindow::analysisReady);
        QTest::mouseClick(step(tour, 1), Qt::LeftButton);
        QVERIFY(ready.wait(test::kLoadTimeoutMs));
        QVERIFY(window.snapshot().hasData());
        for (int i = 2; i <= 5; ++i)
            QVERIFY(step(tour, i)->isEnabled());

        // 2 and 3: the tabs.
        QTest::mouseClick(step(tour, 2), Qt::LeftButton);
        QCOMPARE(window.currentTab(), MainWindow::Tab::Overview);
        QTest::mouseClick(step(tour, 3), Qt::LeftButton);
        QCOMPARE(window.currentTab(), MainWindow::Tab::Anomalies);

        // 4: the most anomalous row is selected, and Row details explains it.
        window.showTab(MainWindow::Tab::Summary);
        auto* panel = test::byName<DetailPanel>(window, "detailPanel");
        QSignalSpy explained(panel, &DetailPanel::explained);
        QTest::mouseClick(step(tour, 4), Qt::LeftButton);
        QCOMPARE(window.currentTab(), MainWindow::Tab::Anomalies);
        QVERIFY(explained.wait(test::kLoadTimeoutMs));
        const std::size_t top = window.snapshot().findings->suspiciousRows.front();
        const QString line = QStringLiteral("Line %1").arg(window.snapshot().data->table.sourceLines[top]);
        QVERIFY2(panel->headline().contains(line), qPrintable(panel->headline()));

        // 5: the report's save dialog opens (closed here unanswered: nothing is written).
        bool asked = false;
        QTimer::singleShot(0, this, [&asked] {
            if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget())) {
                asked = true;
                dialog->reject();
            }
        });
        QTest::mouseClick(step(tour, 5), Qt::LeftButton);
        QVERIFY(asked);

        // Asking again shows the same tour, not a second one.
        tourAction->trigger();
        QCOMPARE(window.findChildren<GettingStartedDialog*>().size(), 1);
        tour->close();
    }

private:
    QTemporaryDir m_settingsDir;
};

QTEST_MAIN(TestGettingStarted)
#include "tst_gettingstarted.moc"

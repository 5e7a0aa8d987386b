// `webthreat-workbench --palette light|dark`: the window, its charts and its tinted rows follow the
// chosen palette, so a dark window has no white chart cards and no dark-on-dark text.
#include "tests/ui/widgetlookup.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/overviewcharts.h"
#include "ui/palettechoice.h"
#include "ui/screenshottaker.h"
#include "ui/traffictablemodel.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPalette>
#include <QProcess>
#include <QSignalSpy>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace webthreat;

namespace {

// An empty stretch of the Detector dock, below its last control: plain window background.
const QPoint kWindowBackground(1150, 700);

double contrast(const QColor& a, const QColor& b)
{
    const auto luminance = [](const QColor& c) {
        const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QString workbenchBinary()
{
    // tests/ui/ui_tst_palette and app/webthreat-workbench in the same build tree.
    return QDir(QCoreApplication::applicationDirPath())
        .absoluteFilePath(QStringLiteral("../../app/webthreat-workbench"));
}

} // namespace

class TestPalette : public QObject {
    Q_OBJECT

private:
    QPalette m_originalPalette;
    QString m_originalStyle;

    void render(PaletteChoice choice, QImage* image, std::unique_ptr<ScreenshotTaker>* keep, const QString& output)
    {
        applyPaletteChoice(choice);
        ScreenshotOptions options;
        options.output = output;
        options.tab = MainWindow::Tab::Data;
        *keep = std::make_unique<ScreenshotTaker>(options);
        QSignalSpy finished(keep->get(), &ScreenshotTaker::finished);
        (*keep)->start();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().first().value<ScreenshotTaker::Outcome>(), ScreenshotTaker::Outcome::Written);
        *image = QImage(output);
        QVERIFY(!image->isNull());
    }

    // The first suspicious row of the Data tab's model: its tint and text colour.
    static std::pair<QColor, QColor> suspiciousRowColours(const TrafficTableModel* model)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, 0);
            if (model->data(index, TrafficTableModel::SuspiciousRole).toBool())
                return {model->data(index, Qt::BackgroundRole).value<QColor>(),
                        model->data(index, Qt::ForegroundRole).value<QColor>()};
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_originalPalette = QApplication::palette();
        m_originalStyle = QApplication::style()->name();
    }

    void cleanup()
    {
        QApplication::setStyle(m_originalStyle);
        QApplication::setPalette(m_originalPalette);
    }

    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("choice");
        QTest::newRow("system") << QStringLiteral("system") << int(PaletteChoice::System);
        QTest::newRow("light") << QStringLiteral("Light") << int(PaletteChoice::Light);
        QTest::newRow("dark") << QStringLiteral(" dark ") << int(PaletteChoice::Dark);
        QTest::newRow("unknown") << QStringLiteral("purple") << -1;
        QTest::newRow("empty") << QString() << -1;
    }

    void names()
    {
        QFETCH(QString, name);
        QFETCH(int, choice);
        const auto parsed = paletteChoiceByName(name);
        QCOMPARE(parsed ? int(*parsed) : -1, choice);
    }

    void darkRendersDark()
    {
        QTemporaryDir dir;
        QImage image;
        std::unique_ptr<ScreenshotTaker> taker;
        render(PaletteChoice::Dark, &image, &taker, dir.filePath(QStringLiteral("dark.png")));
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
        QVERIFY(isDarkPalette());
        QVERIFY2(image.pixelColor(kWindowBackground).lightness() < 80,
                 qPrintable(image.pixelColor(kWindowBackground).name()));

        // Every chart card is dark and its labels are light enough to read on it.
        for (ChartView* view : taker->window()->findChildren<ChartView*>()) {
            const QColor card = view->chart()->backgroundBrush().color();
            QVERIFY2(card.lightness() < 80, qPrintable(view->title() + QLatin1Char(' ') + card.name()));
            QVERIFY(contrast(view->chart()->titleBrush().color(), card) >= 7.0);
            for (QAbstractAxis* axis : view->chart()->axes()) {
                // Transparent: the chart draws unelided labels of its own, in chartstyle's text colour.
                const QColor labels = axis->labelsColor().alpha() == 0 ? chartstyle::textColor() : axis->labelsColor();
                QVERIFY2(contrast(labels, card) >= 7.0, qPrintable(view->title()));
                QVERIFY2(contrast(axis->titleBrush().color(), card) >= 4.5, qPrintable(view->title()));
            }
        }
        // The suspicious tint is dark too, with light text on it.
        const auto [tint, text]
            = suspiciousRowColours(test::byName<TrafficTableModel>(*taker->window(), "trafficModel"));
        QVERIFY(tint.isValid());
        QVERIFY(tint.lightness() < 80);
        QVERIFY(contrast(text, tint) >= 7.0);
    }

    void lightRendersLight()
    {
        QTemporaryDir dir;
        QImage image;
        std::unique_ptr<ScreenshotTaker> taker;
        render(PaletteChoice::Light, &image, &taker, dir.filePath(QStringLiteral("light.png")));
        QVERIFY(!isDarkPalette());
        QVERIFY2(image.pixelColor(kWindowBackground).lightness() > 200,
                 qPrintable(image.pixelColor(kWindowBackground).name()));
        for (ChartView* view : taker->window()->findChildren<ChartView*>()) {
            const QColor card = view->chart()->backgroundBrush().color();
            QCOMPARE(card, QColor(Qt::white));
            for (QAbstractAxis* axis : view->chart()->axes()) {
                const QColor labels = axis->labelsColor().alpha() == 0 ? chartstyle::textColor() : axis->labelsColor();
                QVERIFY(contrast(labels, card) >= 7.0);
            }
        }
        const auto [tint, text]
            = suspiciousRowColours(test::byName<TrafficTableModel>(*taker->window(), "trafficModel"));
        QVERIFY(tint.lightness() > 200);
        QVERIFY(contrast(text, tint) >= 7.0);
    }

    // The option itself, through the program: a dark PNG for dark, a light one for light, and a
    // usage error for anything else.
    void commandLineOption_data()
    {
        QTest::addColumn<QString>("palette");
        QTest::addColumn<bool>("dark");
        QTest::newRow("dark") << QStringLiteral("dark") << true;
        QTest::newRow("light") << QStringLiteral("light") << false;
    }

    void commandLineOption()
    {
        QFETCH(QString, palette);
        QFETCH(bool, dark);
        const QString program = workbenchBinary();
        if (!QFileInfo(program).isExecutable())
            QSKIP("webthreat-workbench is not built next to this test");
        QTemporaryDir dir;
        const QString output = dir.filePath(palette + QStringLiteral(".png"));
        QProcess process;
        process.start(program, {QStringLiteral("--screenshot"), output, QStringLiteral("--palette"), palette});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 0);
        const QImage image(output);
        QVERIFY(!image.isNull());
        const int lightness = image.pixelColor(kWindowBackground).lightness();
        QVERIFY2(dark ? lightness < 80 : lightness > 200, qPrintable(QString::number(lightness)));
    }

    void commandLineRejectsUnknownPalette()
    {
        const QString program = workbenchBinary();
        if (!QFileInfo(program).isExecutable())
            QSKIP("webthreat-workbench is not built next to this test");
        QTemporaryDir dir;
        QProcess process;
        process.start(program,
                      {QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png")),
                       QStringLiteral("--palette"), QStringLiteral("purple")});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("unknown palette 'purple'"));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x.png"))));
    }
};

QTEST_MAIN(TestPalette)
#include "tst_palette.moc"

// The Detector panel's feature picker: every feature, grouped, described, the notebook's four by
// default, and the choice carried into the detector's parameters and the settings.
#include "ui/detectorpanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QWheelEvent>

#include <algorithm>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

namespace {

// One notch of a mouse wheel over the middle of widget, as the window system delivers it.
bool wheel(QWidget* widget, int notches)
{
    const QPointF at(widget->width() / 2.0, widget->height() / 2.0);
    QWheelEvent event(at, widget->mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &event);
    return event.isAccepted();
}

} // namespace

class TestDetectorPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFeatureIsOfferedWithItsSentence()
    {
        DetectorPanel panel;
        for (const FeatureInfo& info : availableFeatures()) {
            const QString name = QString::fromUtf8(info.name.data(), qsizetype(info.name.size()));
            auto* check = panel.findChild<QCheckBox*>(QStringLiteral("feature_") + name);
            QVERIFY2(check, qPrintable(name));
            QCOMPARE(check->text(), name);
            auto* description = panel.findChild<QLabel*>(QStringLiteral("featureDescription_") + name);
            QVERIFY2(description, qPrintable(name));
            QCOMPARE(description->text(),
                     QString::fromUtf8(info.description.data(), qsizetype(info.description.size())));
            QVERIFY(check->toolTip().contains(description->text()));
        }
        for (const FeatureGroup group :
         {FeatureGroup::Notebook, FeatureGroup::Categorical, FeatureGroup::PerSource, FeatureGroup::Behaviour}) {
            auto* heading = panel.findChild<QLabel*>(QStringLiteral("featureGroup_%1").arg(static_cast<int>(group)));
            QVERIFY(heading);
            QCOMPARE(heading->text(),
                     QString::fromUtf8(featureGroupTitle(group).data(), qsizetype(featureGroupTitle(group).size())));
        }
        // The measured default set, scaled.
        QCOMPARE(panel.detectorParams().features, defaultFeatures());
        QCOMPARE(panel.detectorParams().scaling, InputScaling::Auto);
    }

    void checkingAFeatureAddsIt()
    {
        DetectorPanel panel;
        QSignalSpy changed(&panel, &DetectorPanel::detectorParamsChanged);
        // Two features the default set leaves out.
        panel.findChild<QCheckBox*>(QStringLiteral("feature_protocol_frequency"))->setChecked(true);
        panel.findChild<QCheckBox*>(QStringLiteral("feature_source_sessions"))->setChecked(true);
        QCOMPARE(changed.count(), 2);
        std::vector<Feature> expected = defaultFeatures();
        expected.insert(std::find(expected.begin(), expected.end(), Feature::ResponseCodeFrequency),
                        Feature::ProtocolFrequency);
        expected.push_back(Feature::SourceSessions);
        QCOMPARE(panel.detectorParams().features, expected);

        // Remembered by name and restored.
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        panel.saveSettings(settings);
        DetectorPanel restored;
        restored.restoreSettings(settings);
        QCOMPARE(restored.detectorParams().features, expected);
        QVERIFY(restored.findChild<QCheckBox*>(QStringLiteral("feature_source_sessions"))->isChecked());
        QVERIFY(!restored.findChild<QCheckBox*>(QStringLiteral("feature_src_ip_private"))->isChecked());
    }

    // "Scaled (recommended)" / "Raw, as scikit-learn" reaches the analysis params, is remembered,
    // and the notebook's detector is one click away.
    void scalingChoiceReachesTheParams()
    {
        DetectorPanel panel;
        auto* scaling = panel.findChild<QComboBox*>(QStringLiteral("inputScaling"));
        QVERIFY(scaling);
        QCOMPARE(scaling->count(), 2);
        QCOMPARE(scaling->currentText(), QStringLiteral("Scaled (recommended)"));
        QCOMPARE(panel.detectorParams().scaling, InputScaling::Auto);
        QSignalSpy changed(&panel, &DetectorPanel::detectorParamsChanged);
        scaling->setCurrentIndex(scaling->findText(QStringLiteral("Raw, as scikit-learn")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(panel.detectorParams().scaling, InputScaling::None);
        QCOMPARE(panel.detectorParams().features, defaultFeatures());
        DetectorParams raw;
        raw.scaling = InputScaling::None;
        QVERIFY(!sameModel(raw, DetectorParams())); // changing it refits

        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        panel.saveSettings(settings);
        QCOMPARE(settings.value(QStringLiteral("detector/scaling")).toString(), QStringLiteral("none"));
        DetectorPanel restored;
        restored.restoreSettings(settings);
        QCOMPARE(restored.detectorParams().scaling, InputScaling::None);

        // One click: the notebook's four, raw.
        DetectorPanel fresh;
        QSignalSpy freshChanged(&fresh, &DetectorPanel::detectorParamsChanged);
        fresh.findChild<QSpinBox*>(QStringLiteral("trees"))->setValue(50);
        fresh.findChild<QPushButton*>(QStringLiteral("notebookPreset"))->click();
        QCOMPARE(freshChanged.count(), 2);
        const DetectorParams notebook = fresh.detectorParams();
        QCOMPARE(notebook.features, notebookFeatures());
        QCOMPARE(notebook.scaling, InputScaling::None);
        QCOMPARE(notebook.forest.trees, 50); // forest settings kept
        QCOMPARE(fresh.findChild<QComboBox*>(QStringLiteral("inputScaling"))->currentText(),
                 QStringLiteral("Raw, as scikit-learn"));
        QVERIFY(!fresh.findChild<QCheckBox*>(QStringLiteral("feature_dst_port_frequency"))->isChecked());
    }

    // Issue #18: scrolling the Detector dock over "Max samples" changed 256 to 39 and refitted.
    // Unfocused, a control leaves the wheel to the scroll area; clicked or tabbed into, it takes it.
    void wheelChangesOnlyTheFocusedControl()
    {
        QScrollArea scroll;
        auto* panel = new DetectorPanel;
        scroll.setWidget(panel);
        scroll.setWidgetResizable(true);
        scroll.resize(320, 300);
        scroll.show();
        scroll.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&scroll));
        QSignalSpy paramsChanged(panel, &DetectorPanel::detectorParamsChanged);
        QSignalSpy contaminationChanged(panel, &DetectorPanel::contaminationChanged);

        const auto value = [](QWidget* control) -> double {
            if (auto* spin = qobject_cast<QSpinBox*>(control))
                return spin->value();
            if (auto* percent = qobject_cast<QDoubleSpinBox*>(control))
                return percent->value();
            if (auto* combo = qobject_cast<QComboBox*>(control))
                return combo->currentIndex();
            return qobject_cast<QSlider*>(control)->value();
        };
        for (const char* name :
             {"maxSamples", "trees", "seed", "inputScaling", "contaminationPercent", "contaminationSlider"}) {
            auto* control = panel->findChild<QWidget*>(QString::fromLatin1(name));
            QVERIFY2(control, name);
            // The combo box starts on its first item: down moves it; the others go up.
            const int notches = qobject_cast<QComboBox*>(control) ? -1 : 1;
            const double before = value(control);
            panel->findChild<QPushButton*>(QStringLiteral("runDetector"))->setFocus();
            QTRY_VERIFY(!control->hasFocus());
            const bool accepted = wheel(control, notches);
            QCOMPARE(value(control), before);
            QVERIFY2(!accepted, name); // ignored: the window system passes it on to the scroll area
            QCOMPARE(paramsChanged.count(), 0);
            QCOMPARE(contaminationChanged.count(), 0);
            QCOMPARE(control->focusPolicy(), Qt::StrongFocus); // the wheel alone never focuses it

            control->setFocus(Qt::MouseFocusReason);
            QTRY_VERIFY2(control->hasFocus(), name);
            wheel(control, notches);
            QVERIFY2(value(control) != before, name);
            paramsChanged.clear();
            contaminationChanged.clear();
        }
    }

    // "0", as the command line and the settings write it, and "auto" both mean auto (256).
    void typingZeroOrAutoMeansAutomaticSamples()
    {
        DetectorPanel panel;
        auto* samples = panel.findChild<QSpinBox*>(QStringLiteral("maxSamples"));
        QVERIFY(samples);
        QCOMPARE(panel.detectorParams().forest.maxSamples, 0);
        for (const QString& typed : {QStringLiteral("0"), QStringLiteral("auto")}) {
            samples->setValue(512);
            QCOMPARE(panel.detectorParams().forest.maxSamples, 512);
            samples->selectAll();
            QTest::keyClicks(samples, typed);
            QTest::keyClick(samples, Qt::Key_Return);
            QCOMPARE(panel.detectorParams().forest.maxSamples, 0);
            QCOMPARE(samples->text(), QStringLiteral("auto (256)"));
        }
        // A number still means that number.
        samples->selectAll();
        QTest::keyClicks(samples, QStringLiteral("300"));
        QTest::keyClick(samples, Qt::Key_Return);
        QCOMPARE(panel.detectorParams().forest.maxSamples, 300);
    }

    void restoreDefaultsResetsEveryDetectorSetting()
    {
        DetectorPanel panel;
        panel.findChild<QSpinBox*>(QStringLiteral("trees"))->setValue(150);
        panel.findChild<QSpinBox*>(QStringLiteral("maxSamples"))->setValue(512);
        panel.findChild<QSpinBox*>(QStringLiteral("seed"))->setValue(7);
        panel.findChild<QPushButton*>(QStringLiteral("notebookPreset"))->click(); // raw, four features
        panel.setContamination(Contamination::fromValue(0.02));
        QVERIFY(!sameModel(panel.detectorParams(), DetectorParams()));

        QSignalSpy paramsChanged(&panel, &DetectorPanel::detectorParamsChanged);
        QSignalSpy contaminationChanged(&panel, &DetectorPanel::contaminationChanged);
        auto* restore = panel.findChild<QPushButton*>(QStringLiteral("restoreDefaults"));
        QVERIFY(restore);
        restore->click();
        const DetectorParams defaults;
        const DetectorParams params = panel.detectorParams();
        QCOMPARE(params.forest.trees, defaults.forest.trees);
        QCOMPARE(params.forest.maxSamples, defaults.forest.maxSamples);
        QCOMPARE(params.forest.seed, defaults.forest.seed);
        QCOMPARE(params.scaling, defaults.scaling);
        QCOMPARE(params.features, defaults.features);
        QCOMPARE(panel.contamination(), Contamination());
        QCOMPARE(panel.findChild<QDoubleSpinBox*>(QStringLiteral("contaminationPercent"))->value(),
                 Contamination().value * 100.0);
        QCOMPARE(paramsChanged.count(), 1); // refits, as any edit does
        QCOMPARE(contaminationChanged.count(), 1);

        // Already at the defaults: nothing to refit.
        restore->click();
        QCOMPARE(paramsChanged.count(), 1);
        QCOMPARE(contaminationChanged.count(), 1);
    }

    void saysWhatChangedSinceTheLastFit()
    {
        DetectorPanel panel;
        auto* changed = panel.findChild<QLabel*>(QStringLiteral("changedSinceFit"));
        QVERIFY(changed);
        QVERIFY(changed->text().isEmpty()); // nothing fitted yet
        panel.setFittedParams(DetectorParams());
        QVERIFY(changed->text().isEmpty());

        panel.findChild<QSpinBox*>(QStringLiteral("trees"))->setValue(150);
        QCOMPARE(changed->text(), QStringLiteral("Changed since the last fit: trees 100 \u2192 150"));
        panel.findChild<QSpinBox*>(QStringLiteral("maxSamples"))->setValue(512);
        panel.findChild<QCheckBox*>(QStringLiteral("feature_source_sessions"))->setChecked(true);
        QCOMPARE(changed->text(),
                 QStringLiteral("Changed since the last fit: trees 100 \u2192 150, max samples auto "
                                "\u2192 512, features +source_sessions"));

        // The fit catches up: nothing pending.
        panel.setFittedParams(panel.detectorParams());
        QVERIFY(changed->text().isEmpty());
        QVERIFY(changed->isHidden());
        panel.findChild<QPushButton*>(QStringLiteral("restoreDefaults"))->click();
        QVERIFY(changed->text().startsWith(QStringLiteral("Changed since the last fit: trees 150 \u2192 100")));
    }
};

QTEST_MAIN(TestDetectorPanel)
#include "tst_detectorpanel.moc"

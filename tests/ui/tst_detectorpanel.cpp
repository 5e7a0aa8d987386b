// The Detector panel's feature picker: every feature, grouped, described, the notebook's four by
// default, and the choice carried into the detector's parameters and the settings.
#include "ui/detectorpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QSpinBox>

#include <algorithm>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace webthreat;

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
        for (const FeatureGroup group : {FeatureGroup::Notebook, FeatureGroup::Categorical, FeatureGroup::PerSource}) {
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
};

QTEST_MAIN(TestDetectorPanel)
#include "tst_detectorpanel.moc"

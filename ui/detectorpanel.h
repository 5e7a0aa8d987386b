#pragma once

#include "core/pipeline.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSettings;
class QSlider;
class QSpinBox;
class QTimer;

namespace webthreat {

// Whether two parameter sets fit the same forest (the thread count aside).
bool sameModel(const DetectorParams& a, const DetectorParams& b);

// The detector's controls: the contamination (slider and percent box, moving them re-thresholds
// the scores already computed) and the forest's parameters and features (changing them refits,
// automatically after a short pause or with Run).
class DetectorPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetectorPanel)

public:
    explicit DetectorPanel(QWidget* parent = nullptr);

    Contamination contamination() const;
    void setContamination(const Contamination& contamination);
    DetectorParams detectorParams() const;
    void setDetectorParams(const DetectorParams& params);
    bool autoRefit() const;
    // Contamination, trees, max samples, seed, inputs and features back to the core's defaults
    // (DetectorParams{}, Contamination{}); a refit follows as for any edit.
    void restoreDefaults();

    // The live count for the contamination shown: flagged rows out of rows, at threshold.
    // fromModel: the threshold is a saved model's, not this file's percentile at the slider's value.
    void showFlagged(std::size_t flagged, std::size_t rows, double threshold, bool fromModel = false);
    void showNoScores(const QString& reason);
    // The parameters of the detection the views show, to tell the analyst when the controls
    // differ from it (a refit is pending). nullopt: no detection.
    void setFittedParams(const std::optional<DetectorParams>& fitted, const QString& fitDetails = {});
    void setBusy(bool busy, bool canRun);

    void restoreSettings(const QSettings& settings);
    void saveSettings(QSettings& settings) const;

    QSlider* contaminationSlider() const { return m_slider; }
    QDoubleSpinBox* contaminationSpinBox() const { return m_percent; }

Q_SIGNALS:
    void contaminationChanged(const webthreat::Contamination& contamination);
    // The forest's parameters or features changed (not emitted by setDetectorParams).
    void detectorParamsChanged();
    // Run pressed, or a parameter changed with "refit automatically" on and the controls settled.
    void runRequested();
    void cancelRequested();
    // The analyst pressed the contamination slider's handle / let go of it: the moves in between
    // are one change (the Trust tab lists the verdicts it changed from before the press).
    void contaminationDragStarted();
    void contaminationDragFinished();

private:
    QGroupBox* createThresholdBox(QWidget* parent);
    QGroupBox* createForestBox(QWidget* parent);
    QWidget* createFeaturePicker(QWidget* parent);
    void onSliderMoved(int position);
    void onPercentChanged(double percent);
    void onAutomaticToggled(bool automatic);
    void onParamsEdited();
    void updateFeatureChecks();
    void updatePendingNote();

    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_percent = nullptr;
    QCheckBox* m_automatic = nullptr;
    QLabel* m_flagged = nullptr;
    QSpinBox* m_trees = nullptr;
    QSpinBox* m_maxSamples = nullptr;
    QSpinBox* m_seed = nullptr;
    std::vector<QCheckBox*> m_features;
    QComboBox* m_scaling = nullptr; // item data: InputScaling as int
    QPushButton* m_notebook = nullptr; // the notebook's four, raw, in one click
    QCheckBox* m_autoRefit = nullptr;
    QPushButton* m_restoreDefaults = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_changedSinceFit = nullptr; // "Changed since the last fit: trees 100 → 150"
    QLabel* m_fitted = nullptr;
    QTimer* m_refitTimer = nullptr;
    std::optional<DetectorParams> m_fittedParams;
    QString m_fitDetails;
    bool m_busy = false;
    bool m_canRun = false;
};

} // namespace webthreat

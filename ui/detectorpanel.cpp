#include "ui/detectorpanel.h"

#include "ui/displayformat.h"
#include "ui/viewwidgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>
#include <limits>

namespace webthreat {

namespace {

// The slider is logarithmic from 0.1 % to 50 %: the interesting range for anomalies is a few
// percent, which a linear slider would squeeze into its first tenth.
constexpr int kSliderSteps = 1000;
constexpr double kMinPercent = 0.1;
constexpr double kMaxPercent = 50.0;

double percentForPosition(int position)
{
    const double percent
        = kMinPercent * std::pow(kMaxPercent / kMinPercent, static_cast<double>(position) / kSliderSteps);
    // Round to what the percent box shows, so slider and box agree exactly.
    const double scale = percent < 1.0 ? 100.0 : 10.0;
    return std::clamp(std::round(percent * scale) / scale, kMinPercent, kMaxPercent);
}

int positionForPercent(double percent)
{
    const double clamped = std::clamp(percent, kMinPercent, kMaxPercent);
    return static_cast<int>(
        std::lround(kSliderSteps * std::log(clamped / kMinPercent) / std::log(kMaxPercent / kMinPercent)));
}

// Refit this long after the last change, so that typing "500" trees does not fit 5, 50 and 500.
constexpr int kRefitDelayMs = 600;

// Max samples: its minimum stands for "auto" (shown as the special value text). The analyst may
// also type 0, as the command line and the settings write it, or "auto".
class SampleCountSpinBox : public QSpinBox {
public:
    using QSpinBox::QSpinBox;

protected:
    QValidator::State validate(QString& text, int& pos) const override
    {
        const QString typed = text.trimmed();
        if (typed == QStringLiteral("0"))
            return QValidator::Acceptable;
        if (!typed.isEmpty() && QStringLiteral("auto").startsWith(typed, Qt::CaseInsensitive))
            return typed.size() == 4 ? QValidator::Acceptable : QValidator::Intermediate;
        return QSpinBox::validate(text, pos);
    }

    int valueFromText(const QString& text) const override
    {
        const QString typed = text.trimmed();
        if (typed == QStringLiteral("0") || typed.compare(QStringLiteral("auto"), Qt::CaseInsensitive) == 0)
            return minimum();
        return QSpinBox::valueFromText(text);
    }
};

QString maxSamplesText(int maxSamples)
{
    return maxSamples == 0 ? QStringLiteral("auto") : QString::number(maxSamples);
}

QString featureNames(const std::vector<Feature>& features)
{
    QStringList names;
    for (Feature feature : features)
        names << fromUtf8View(featureInfo(feature).name);
    return names.join(QStringLiteral(", "));
}

// "trees 100 → 150, features +dst_port_frequency": what differs between the fitted and the current
// parameters, in the panel's words; empty when they fit the same model.
QString describeChanges(const DetectorParams& fitted, const DetectorParams& current)
{
    QStringList changes;
    const auto changed = [&](const QString& what, const QString& from, const QString& to) {
        changes << QStringLiteral("%1 %2 \u2192 %3").arg(what, from, to);
    };
    if (fitted.forest.trees != current.forest.trees)
        changed(DetectorPanel::tr("trees"), QString::number(fitted.forest.trees),
                QString::number(current.forest.trees));
    if (fitted.forest.maxSamples != current.forest.maxSamples)
        changed(DetectorPanel::tr("max samples"), maxSamplesText(fitted.forest.maxSamples),
                maxSamplesText(current.forest.maxSamples));
    if (fitted.forest.seed != current.forest.seed)
        changed(DetectorPanel::tr("seed"), QString::number(fitted.forest.seed), QString::number(current.forest.seed));
    if (fitted.scaling != current.scaling)
        changed(DetectorPanel::tr("inputs"), fromUtf8View(inputScalingName(fitted.scaling)),
                fromUtf8View(inputScalingName(current.scaling)));
    if (fitted.features != current.features) {
        std::vector<Feature> added;
        std::vector<Feature> removed;
        for (Feature feature : current.features) {
            if (std::find(fitted.features.begin(), fitted.features.end(), feature) == fitted.features.end())
                added.push_back(feature);
        }
        for (Feature feature : fitted.features) {
            if (std::find(current.features.begin(), current.features.end(), feature) == current.features.end())
                removed.push_back(feature);
        }
        QStringList parts;
        if (!added.empty())
            parts << QStringLiteral("+") + featureNames(added);
        if (!removed.empty())
            parts << QStringLiteral("\u2212") + featureNames(removed);
        changes << DetectorPanel::tr("features %1")
                       .arg(parts.isEmpty() ? DetectorPanel::tr("reordered") : parts.join(QStringLiteral(" ")));
    }
    return changes.join(QStringLiteral(", "));
}

} // namespace

bool sameModel(const DetectorParams& a, const DetectorParams& b)
{
    return a.forest.trees == b.forest.trees && a.forest.maxSamples == b.forest.maxSamples
        && a.forest.seed == b.forest.seed && a.features == b.features && a.scaling == b.scaling;
}

// Threshold: cheap, applies at once.
QGroupBox* DetectorPanel::createThresholdBox(QWidget* parent)
{
    auto* thresholdBox = new QGroupBox(tr("Threshold (no refit)"), parent);
    auto* thresholdLayout = new QVBoxLayout(thresholdBox);
    auto* contaminationRow = new QHBoxLayout;
    auto* contaminationLabel = new QLabel(tr("&Contamination:"), thresholdBox);
    m_percent = new QDoubleSpinBox(thresholdBox);
    m_percent->setObjectName(QStringLiteral("contaminationPercent"));
    m_percent->setRange(kMinPercent, kMaxPercent);
    m_percent->setDecimals(2);
    m_percent->setSuffix(QStringLiteral(" %"));
    m_percent->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_percent->setValue(Contamination().value * 100.0);
    takeWheelOnlyWhenFocused(m_percent);
    contaminationLabel->setBuddy(m_percent);
    const QString contaminationTip
        = tr("The share of rows you expect to be anomalous. The rows scoring lowest, this share of all rows, "
             "are labelled Suspicious (the threshold is that percentile of the scores). Moving it only "
             "re-labels the scores already computed; the forest is not refitted.");
    m_percent->setToolTip(contaminationTip);
    contaminationRow->addWidget(contaminationLabel);
    contaminationRow->addStretch();
    contaminationRow->addWidget(m_percent);
    thresholdLayout->addLayout(contaminationRow);

    m_slider = new QSlider(Qt::Horizontal, thresholdBox);
    m_slider->setObjectName(QStringLiteral("contaminationSlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setPageStep(50);
    m_slider->setValue(positionForPercent(Contamination().value * 100.0));
    takeWheelOnlyWhenFocused(m_slider);
    m_slider->setToolTip(tr("Contamination from 0.1 % (left) to 50 % (right), on a logarithmic scale so the "
                            "first few percent get most of the travel.\n\n")
                         + contaminationTip);
    thresholdLayout->addWidget(m_slider);
    auto* scaleRow = new QHBoxLayout;
    auto* low = new QLabel(QStringLiteral("0.1 %"), thresholdBox);
    auto* middle = new QLabel(QStringLiteral("2.2 %"), thresholdBox);
    auto* high = new QLabel(QStringLiteral("50 %"), thresholdBox);
    for (QLabel* label : {low, middle, high})
        label->setEnabled(false);
    scaleRow->addWidget(low);
    scaleRow->addStretch();
    scaleRow->addWidget(middle);
    scaleRow->addStretch();
    scaleRow->addWidget(high);
    thresholdLayout->addLayout(scaleRow);

    m_automatic = new QCheckBox(tr("&Automatic (score below -0.5)"), thresholdBox);
    m_automatic->setObjectName(QStringLiteral("contaminationAutomatic"));
    m_automatic->setToolTip(tr("scikit-learn's contamination='auto': a row is Suspicious when its score is below "
                               "-0.5, whatever share of the rows that is. Use it when you have no idea how many "
                               "anomalies to expect."));
    thresholdLayout->addWidget(m_automatic);

    m_flagged = new QLabel(tr("No scores yet."), thresholdBox);
    m_flagged->setObjectName(QStringLiteral("flaggedCount"));
    m_flagged->setWordWrap(true);
    m_flagged->setTextFormat(Qt::PlainText);
    QFont flaggedFont = m_flagged->font();
    flaggedFont.setBold(true);
    m_flagged->setFont(flaggedFont);
    m_flagged->setToolTip(tr("Rows labelled Suspicious at this contamination, and the score threshold."));
    thresholdLayout->addWidget(m_flagged);
    return thresholdBox;
}

// The forest's parameters: changing them refits.
QGroupBox* DetectorPanel::createForestBox(QWidget* parent)
{
    auto* modelBox = new QGroupBox(tr("Isolation Forest (refits)"), parent);
    auto* form = new QFormLayout(modelBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_trees = new QSpinBox(modelBox);
    m_trees->setObjectName(QStringLiteral("trees"));
    m_trees->setRange(1, 10000);
    m_trees->setValue(IsolationForestParams().trees);
    takeWheelOnlyWhenFocused(m_trees);
    m_trees->setToolTip(tr("Trees in the forest (scikit-learn's n_estimators). More trees give steadier scores "
                           "that depend less on the seed, and take proportionally longer to fit and score. "
                           "100 is the usual choice."));
    form->addRow(tr("&Trees:"), m_trees);

    m_maxSamples = new SampleCountSpinBox(modelBox);
    m_maxSamples->setObjectName(QStringLiteral("maxSamples"));
    m_maxSamples->setRange(1, 1'000'000);
    m_maxSamples->setSpecialValueText(tr("auto (256)"));
    m_maxSamples->setValue(1);
    takeWheelOnlyWhenFocused(m_maxSamples);
    m_maxSamples->setToolTip(tr("Rows drawn to grow each tree (max_samples). Auto uses min(256, rows), as "
                                "scikit-learn does. Small samples isolate anomalies well and fit fast; larger "
                                "ones model dense normal traffic in more detail but can mask clustered "
                                "anomalies."));
    form->addRow(tr("&Max samples:"), m_maxSamples);

    m_seed = new QSpinBox(modelBox);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(static_cast<int>(IsolationForestParams().seed));
    takeWheelOnlyWhenFocused(m_seed);
    m_seed->setToolTip(tr("Random seed (random_state). The same seed and settings give the same scores every "
                          "time; change it to see how much the result depends on chance."));
    form->addRow(tr("S&eed:"), m_seed);

    m_scaling = new QComboBox(modelBox);
    m_scaling->setObjectName(QStringLiteral("inputScaling"));
    m_scaling->addItem(tr("Scaled (recommended)"), static_cast<int>(InputScaling::Auto));
    m_scaling->addItem(tr("Raw, as scikit-learn"), static_cast<int>(InputScaling::None));
    takeWheelOnlyWhenFocused(m_scaling);
    m_scaling->setToolTip(tr("Bytes, durations, rates and per-source totals are heavy-tailed: on raw values the "
                             "forest spends nearly every split on the few huge rows and misses rows that are odd "
                             "for being small (floods of tiny sessions, zero-length sessions). Scaled compares "
                             "them on a log scale; explanations still show bytes and seconds. Raw is exactly "
                             "scikit-learn's and the notebook's behaviour."));
    form->addRow(tr("&Inputs:"), m_scaling);

    m_notebook = new QPushButton(tr("The notebook's four, raw"), modelBox);
    m_notebook->setObjectName(QStringLiteral("notebookPreset"));
    m_notebook->setToolTip(tr("The notebook's detector: bytes_in, bytes_out, session_duration and avg_packet_size, "
                              "raw, as scikit-learn. Forest settings are kept."));
    form->addRow(QString(), m_notebook);

    form->addRow(tr("Features:"), new QWidget(modelBox));
    form->addRow(createFeaturePicker(modelBox));
    return modelBox;
}

QWidget* DetectorPanel::createFeaturePicker(QWidget* parent)
{
    // The features, grouped, each with its sentence visible: the analyst picks inputs by what they
    // mean. The default set (defaultFeatures()) is checked.
    auto* featureBox = new QWidget(parent);
    featureBox->setObjectName(QStringLiteral("featurePicker"));
    auto* featureLayout = new QVBoxLayout(featureBox);
    featureLayout->setContentsMargins(0, 0, 0, 0);
    featureLayout->setSpacing(1);
    const std::vector<Feature> defaults = defaultFeatures();
    std::optional<FeatureGroup> currentGroup;
    for (const FeatureInfo& info : availableFeatures()) {
        if (!currentGroup || *currentGroup != info.group) {
            currentGroup = info.group;
            auto* heading = new QLabel(fromUtf8View(featureGroupTitle(info.group)), featureBox);
            heading->setObjectName(QStringLiteral("featureGroup_%1").arg(static_cast<int>(info.group)));
            QFont headingFont = heading->font();
            headingFont.setBold(true);
            heading->setFont(headingFont);
            if (featureLayout->count() > 0)
                featureLayout->addSpacing(6);
            featureLayout->addWidget(heading);
        }
        auto* check = new QCheckBox(fromUtf8View(info.name), featureBox);
        check->setObjectName(QStringLiteral("feature_") + fromUtf8View(info.name));
        check->setChecked(std::find(defaults.begin(), defaults.end(), info.feature) != defaults.end());
        check->setToolTip(fromUtf8View(info.label) + QStringLiteral(": ") + fromUtf8View(info.description)
                          + tr("\nThe forest splits on the checked features only; at least one stays checked."));
        featureLayout->addWidget(check);
        auto* description = new QLabel(fromUtf8View(info.description), featureBox);
        description->setObjectName(QStringLiteral("featureDescription_") + fromUtf8View(info.name));
        description->setWordWrap(true);
        description->setTextFormat(Qt::PlainText);
        description->setContentsMargins(22, 0, 0, 2);
        QFont small = description->font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        description->setFont(small);
        QPalette muted = description->palette();
        muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
        description->setPalette(muted);
        featureLayout->addWidget(description);
        m_features.push_back(check);
        connect(check, &QCheckBox::toggled, this, &DetectorPanel::onParamsEdited);
    }
    return featureBox;
}

DetectorPanel::DetectorPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);

    layout->addWidget(createThresholdBox(this));
    layout->addWidget(createForestBox(this));

    m_autoRefit = new QCheckBox(tr("&Refit automatically when these change"), this);
    m_autoRefit->setObjectName(QStringLiteral("autoRefit"));
    m_autoRefit->setChecked(true);
    m_autoRefit->setToolTip(tr("Refit the forest on its own shortly after you change trees, samples, seed or "
                               "features. Turn off for very large files and press Run when ready."));
    layout->addWidget(m_autoRefit);

    m_restoreDefaults = new QPushButton(tr("Restore &defaults"), this);
    m_restoreDefaults->setObjectName(QStringLiteral("restoreDefaults"));
    const DetectorParams defaults;
    m_restoreDefaults->setToolTip(tr("Contamination, trees, max samples, seed, inputs and features as the workbench "
                                     "ships them: %1, %2 trees, max samples %3, seed %4, inputs %5, the default "
                                     "features.")
                                      .arg(formatContamination(Contamination()), QString::number(defaults.forest.trees),
                                           maxSamplesText(defaults.forest.maxSamples),
                                           QString::number(defaults.forest.seed),
                                           fromUtf8View(inputScalingName(defaults.scaling))));
    layout->addWidget(m_restoreDefaults, 0, Qt::AlignLeft);

    auto* buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("Run"), this);
    m_run->setObjectName(QStringLiteral("runDetector"));
    m_run->setToolTip(tr("Fit the forest with these settings and score every row (F5)."));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelDetector"));
    m_cancel->setToolTip(tr("Stop the running load or fit; the previous results stay (Esc)."));
    m_cancel->setEnabled(false);
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    layout->addLayout(buttons);

    m_changedSinceFit = new QLabel(this);
    m_changedSinceFit->setObjectName(QStringLiteral("changedSinceFit"));
    m_changedSinceFit->setWordWrap(true);
    m_changedSinceFit->setTextFormat(Qt::PlainText);
    m_changedSinceFit->setToolTip(
        tr("The forest's settings that differ from the ones the scores shown were fitted with."));
    layout->addWidget(m_changedSinceFit);

    m_fitted = new QLabel(this);
    m_fitted->setObjectName(QStringLiteral("fittedDetails"));
    m_fitted->setWordWrap(true);
    m_fitted->setTextFormat(Qt::PlainText);
    layout->addWidget(m_fitted);
    layout->addStretch();

    m_refitTimer = new QTimer(this);
    m_refitTimer->setSingleShot(true);
    m_refitTimer->setInterval(kRefitDelayMs);
    connect(m_refitTimer, &QTimer::timeout, this, [this] {
        if (m_canRun && m_autoRefit->isChecked())
            Q_EMIT runRequested();
    });

    connect(m_slider, &QSlider::valueChanged, this, &DetectorPanel::onSliderMoved);
    connect(m_slider, &QSlider::sliderPressed, this, &DetectorPanel::contaminationDragStarted);
    connect(m_slider, &QSlider::sliderReleased, this, &DetectorPanel::contaminationDragFinished);
    connect(m_percent, &QDoubleSpinBox::valueChanged, this, &DetectorPanel::onPercentChanged);
    connect(m_automatic, &QCheckBox::toggled, this, &DetectorPanel::onAutomaticToggled);
    connect(m_trees, &QSpinBox::valueChanged, this, &DetectorPanel::onParamsEdited);
    connect(m_maxSamples, &QSpinBox::valueChanged, this, &DetectorPanel::onParamsEdited);
    connect(m_seed, &QSpinBox::valueChanged, this, &DetectorPanel::onParamsEdited);
    connect(m_scaling, &QComboBox::currentIndexChanged, this, &DetectorPanel::onParamsEdited);
    connect(m_notebook, &QPushButton::clicked, this, [this] {
        DetectorParams params = detectorParams();
        const DetectorParams notebook = DetectorParams::notebook();
        params.features = notebook.features;
        params.scaling = notebook.scaling;
        if (sameModel(params, detectorParams()))
            return;
        setDetectorParams(params);
        onParamsEdited();
    });
    connect(m_restoreDefaults, &QPushButton::clicked, this, &DetectorPanel::restoreDefaults);
    connect(m_run, &QPushButton::clicked, this, [this] {
        m_refitTimer->stop();
        Q_EMIT runRequested();
    });
    connect(m_cancel, &QPushButton::clicked, this, &DetectorPanel::cancelRequested);
    connect(m_autoRefit, &QCheckBox::toggled, this, &DetectorPanel::updatePendingNote);
    updatePendingNote();
}

Contamination DetectorPanel::contamination() const
{
    if (m_automatic->isChecked())
        return Contamination::autoOffset();
    return Contamination::fromValue(m_percent->value() / 100.0);
}

void DetectorPanel::setContamination(const Contamination& contamination)
{
    {
        const QSignalBlocker blockAutomatic(m_automatic);
        const QSignalBlocker blockPercent(m_percent);
        const QSignalBlocker blockSlider(m_slider);
        m_automatic->setChecked(contamination.automatic);
        if (!contamination.automatic) {
            m_percent->setValue(contamination.value * 100.0);
            m_slider->setValue(positionForPercent(m_percent->value()));
        }
        m_percent->setEnabled(!contamination.automatic);
        m_slider->setEnabled(!contamination.automatic);
    }
    Q_EMIT contaminationChanged(this->contamination());
}

void DetectorPanel::onSliderMoved(int position)
{
    {
        const QSignalBlocker block(m_percent);
        m_percent->setValue(percentForPosition(position));
    }
    Q_EMIT contaminationChanged(contamination());
}

void DetectorPanel::onPercentChanged(double percent)
{
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(positionForPercent(percent));
    }
    Q_EMIT contaminationChanged(contamination());
}

void DetectorPanel::onAutomaticToggled(bool automatic)
{
    m_percent->setEnabled(!automatic);
    m_slider->setEnabled(!automatic);
    Q_EMIT contaminationChanged(contamination());
}

DetectorParams DetectorPanel::detectorParams() const
{
    DetectorParams params;
    params.forest.trees = m_trees->value();
    params.forest.maxSamples = m_maxSamples->value() <= m_maxSamples->minimum() ? 0 : m_maxSamples->value();
    params.forest.seed = static_cast<std::uint64_t>(m_seed->value());
    params.features.clear();
    for (std::size_t i = 0; i < m_features.size(); ++i) {
        if (m_features[i]->isChecked())
            params.features.push_back(availableFeatures()[i].feature);
    }
    params.scaling = static_cast<InputScaling>(m_scaling->currentData().toInt());
    return params;
}

void DetectorPanel::setDetectorParams(const DetectorParams& params)
{
    const QSignalBlocker blockTrees(m_trees);
    const QSignalBlocker blockSamples(m_maxSamples);
    const QSignalBlocker blockSeed(m_seed);
    const QSignalBlocker blockScaling(m_scaling);
    m_scaling->setCurrentIndex(m_scaling->findData(static_cast<int>(params.scaling)));
    m_trees->setValue(params.forest.trees);
    m_maxSamples->setValue(params.forest.maxSamples < 2 ? m_maxSamples->minimum() : params.forest.maxSamples);
    m_seed->setValue(static_cast<int>(std::min<std::uint64_t>(params.forest.seed, std::numeric_limits<int>::max())));
    for (std::size_t i = 0; i < m_features.size(); ++i) {
        const QSignalBlocker block(m_features[i]);
        const Feature feature = availableFeatures()[i].feature;
        m_features[i]->setChecked(std::find(params.features.begin(), params.features.end(), feature)
                                  != params.features.end());
    }
    updateFeatureChecks();
    updatePendingNote();
}

void DetectorPanel::restoreDefaults()
{
    // The product's defaults are the core's: a default DetectorParams and Contamination.
    const DetectorParams defaults;
    const bool refit = !sameModel(detectorParams(), defaults);
    setDetectorParams(defaults);
    const Contamination contamination;
    if (!(this->contamination() == contamination))
        setContamination(contamination);
    if (refit)
        onParamsEdited();
}

bool DetectorPanel::autoRefit() const
{
    return m_autoRefit->isChecked();
}

void DetectorPanel::onParamsEdited()
{
    updateFeatureChecks();
    updatePendingNote();
    Q_EMIT detectorParamsChanged();
    if (m_autoRefit->isChecked())
        m_refitTimer->start();
}

void DetectorPanel::updateFeatureChecks()
{
    // The forest needs at least one feature: the last checked box cannot be unchecked.
    int checked = 0;
    for (QCheckBox* check : m_features)
        checked += check->isChecked() ? 1 : 0;
    for (QCheckBox* check : m_features)
        check->setEnabled(!(checked == 1 && check->isChecked()));
}

void DetectorPanel::showFlagged(std::size_t flagged, std::size_t rows, double threshold, bool fromModel)
{
    const double share = rows > 0 ? static_cast<double>(flagged) / static_cast<double>(rows) : 0.0;
    m_flagged->setText(
        (fromModel ? tr("%1 of %2 rows flagged (%3)\nthreshold: score < %4, the model's\n(move the slider to set this "
                        "file's own)")
                   : tr("%1 of %2 rows flagged (%3)\nthreshold: score < %4"))
            .arg(formatCount(flagged), formatCount(rows),
                 // "5.0 %" wraps as one word in the narrow panel, never as "(5.0" and "%)".
                 formatPercent(share).replace(u' ', QChar(0x00A0)), QString::number(threshold, 'f', 4)));
}

void DetectorPanel::showNoScores(const QString& reason)
{
    m_flagged->setText(reason);
}

void DetectorPanel::setFittedParams(const std::optional<DetectorParams>& fitted, const QString& fitDetails)
{
    m_fittedParams = fitted;
    m_fitDetails = fitDetails;
    updatePendingNote();
}

void DetectorPanel::setBusy(bool busy, bool canRun)
{
    m_busy = busy;
    m_canRun = canRun;
    m_run->setEnabled(canRun);
    m_cancel->setEnabled(busy);
    updatePendingNote();
}

void DetectorPanel::updatePendingNote()
{
    const DetectorParams current = detectorParams();
    const bool pending = m_fittedParams && !sameModel(current, *m_fittedParams);
    const QString changes = pending ? describeChanges(*m_fittedParams, current) : QString();
    m_changedSinceFit->setText(changes.isEmpty() ? QString() : tr("Changed since the last fit: %1").arg(changes));
    m_changedSinceFit->setVisible(!changes.isEmpty());
    QString text = m_fitDetails;
    if (pending) {
        text += (text.isEmpty() ? QString() : QStringLiteral("\n\n"))
            + (m_autoRefit->isChecked() ? tr("Settings changed: refitting shortly...")
                                        : tr("Settings changed since the last fit: press Run to refit."));
    }
    m_fitted->setText(text);
    // Make a pending refit impossible to miss when it waits for the analyst.
    m_run->setText(pending && !m_autoRefit->isChecked() ? tr("Run (settings changed)") : tr("Run"));
    QFont font = m_run->font();
    font.setBold(pending && !m_autoRefit->isChecked());
    m_run->setFont(font);
}

void DetectorPanel::restoreSettings(const QSettings& settings)
{
    DetectorParams params;
    params.forest.trees = settings.value(QStringLiteral("detector/trees"), params.forest.trees).toInt();
    params.forest.maxSamples = settings.value(QStringLiteral("detector/maxSamples"), 0).toInt();
    params.forest.seed = settings.value(QStringLiteral("detector/seed"), 42).toULongLong();
    if (settings.contains(QStringLiteral("detector/features"))) {
        std::vector<Feature> features;
        for (const QString& name : settings.value(QStringLiteral("detector/features")).toStringList()) {
            for (const FeatureInfo& info : availableFeatures()) {
                if (fromUtf8View(info.name) == name)
                    features.push_back(info.feature);
            }
        }
        if (!features.empty())
            params.features = features;
    }
    if (settings.contains(QStringLiteral("detector/scaling"))) {
        try {
            params.scaling
                = inputScalingByName(settings.value(QStringLiteral("detector/scaling")).toString().toStdString());
        } catch (const ParameterError&) {
            // an unknown value: keep the default
        }
    }
    try {
        params.validate();
    } catch (const ParameterError&) {
        params = DetectorParams(); // settings edited by hand or by an older version: start afresh
    }
    setDetectorParams(params);
    {
        const QSignalBlocker block(m_autoRefit);
        m_autoRefit->setChecked(settings.value(QStringLiteral("detector/autoRefit"), true).toBool());
    }
    const QString contamination
        = settings.value(QStringLiteral("detector/contamination"), QStringLiteral("0.05")).toString();
    try {
        setContamination(Contamination::parse(contamination.toStdString()));
    } catch (const ParameterError&) {
        setContamination(Contamination());
    }
    updatePendingNote();
}

void DetectorPanel::saveSettings(QSettings& settings) const
{
    const DetectorParams params = detectorParams();
    settings.setValue(QStringLiteral("detector/trees"), params.forest.trees);
    settings.setValue(QStringLiteral("detector/maxSamples"), params.forest.maxSamples);
    settings.setValue(QStringLiteral("detector/seed"), static_cast<qulonglong>(params.forest.seed));
    QStringList features;
    for (Feature feature : params.features)
        features << fromUtf8View(featureInfo(feature).name);
    settings.setValue(QStringLiteral("detector/features"), features);
    settings.setValue(QStringLiteral("detector/scaling"), fromUtf8View(inputScalingName(params.scaling)));
    settings.setValue(QStringLiteral("detector/autoRefit"), m_autoRefit->isChecked());
    settings.setValue(QStringLiteral("detector/contamination"), QString::fromStdString(contamination().toString()));
}

} // namespace webthreat

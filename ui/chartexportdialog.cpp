#include "ui/chartexportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace webthreat {

namespace {

constexpr int kMinimumSide = 320; // below this no chart's labels fit
constexpr int kMaximumSide = 8000;

QString sizeText(QSize pixels)
{
    return ChartExportDialog::tr("%1 × %2").arg(pixels.width()).arg(pixels.height());
}

} // namespace

QList<ChartExportDialog::SizePreset> ChartExportDialog::presets()
{
    return {
        {tr("Slide (16:10)"), kDefaultSize},
        {tr("Wide slide (16:9)"), QSize(1920, 1080)},
        {tr("Ticket or e-mail"), QSize(1200, 750)},
        {tr("Document, page width"), QSize(1000, 625)},
        {tr("As on screen (twice its size)"), QSize()},
        {tr("Custom"), QSize()},
    };
}

ChartExportDialog::ChartExportDialog(const QList<ChartView*>& charts, ChartView* preselected,
                                     const QString& subtitle, QWidget* parent)
    : QDialog(parent)
    , m_charts(charts)
{
    setWindowTitle(tr("Export Chart as PNG"));
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_chart = new QComboBox(this);
    m_chart->setObjectName(QStringLiteral("chartChoice"));
    for (ChartView* view : m_charts)
        m_chart->addItem(view->title());
    m_chart->setCurrentIndex(std::max<int>(0, static_cast<int>(m_charts.indexOf(preselected))));
    m_chart->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    form->addRow(tr("&Chart:"), m_chart);

    m_size = new QComboBox(this);
    m_size->setObjectName(QStringLiteral("sizePreset"));
    for (const SizePreset& preset : presets())
        m_size->addItem(preset.pixels.isEmpty() ? preset.name : tr("%1, %2").arg(preset.name, sizeText(preset.pixels)));
    form->addRow(tr("&Size:"), m_size);

    m_width = new QSpinBox(this);
    m_width->setObjectName(QStringLiteral("exportWidth"));
    m_height = new QSpinBox(this);
    m_height->setObjectName(QStringLiteral("exportHeight"));
    for (QSpinBox* box : {m_width, m_height}) {
        box->setRange(kMinimumSide, kMaximumSide);
        box->setSuffix(tr(" px"));
    }
    m_width->setValue(kDefaultSize.width());
    m_height->setValue(kDefaultSize.height());
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(tr("×"), this));
    sizeRow->addWidget(m_height);
    sizeRow->addStretch();
    form->addRow(tr("Pixels:"), sizeRow);

    m_subtitleOn = new QCheckBox(tr("Su&btitle under the title:"), this);
    m_subtitleOn->setObjectName(QStringLiteral("subtitleEnabled"));
    m_subtitleOn->setChecked(!subtitle.isEmpty());
    m_subtitle = new QLineEdit(subtitle, this);
    m_subtitle->setObjectName(QStringLiteral("subtitle"));
    m_subtitle->setMinimumWidth(560);
    m_subtitle->setCursorPosition(0); // the file name first, not the row count
    m_subtitle->setToolTip(tr("What the chart shows: the file, the contamination and the threshold. The image also "
                              "carries the full provenance in its metadata."));
    form->addRow(m_subtitleOn, m_subtitle);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(tr("Choose File..."), QDialogButtonBox::AcceptRole)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_size, &QComboBox::currentIndexChanged, this, [this] { updateSizeFields(); });
    connect(m_subtitleOn, &QCheckBox::toggled, m_subtitle, &QWidget::setEnabled);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    updateSizeFields();
}

ChartExportDialog::~ChartExportDialog() = default;

void ChartExportDialog::updateSizeFields()
{
    const QList<SizePreset> all = presets();
    const int index = m_size->currentIndex();
    const bool custom = index == all.size() - 1;
    m_width->setEnabled(custom);
    m_height->setEnabled(custom);
    if (custom)
        return;
    QSize pixels = all.value(index).pixels;
    if (pixels.isEmpty() && chart())
        pixels = chart()->size() * 2; // as on screen: say what it will be
    if (!pixels.isEmpty()) {
        m_width->setValue(std::clamp(pixels.width(), kMinimumSide, kMaximumSide));
        m_height->setValue(std::clamp(pixels.height(), kMinimumSide, kMaximumSide));
    }
}

ChartView* ChartExportDialog::chart() const
{
    return m_charts.value(m_chart->currentIndex());
}

ChartExportOptions ChartExportDialog::options() const
{
    ChartExportOptions options;
    const QList<SizePreset> all = presets();
    const int index = m_size->currentIndex();
    if (index == all.size() - 1)
        options.pixels = QSize(m_width->value(), m_height->value());
    else
        options.pixels = all.value(index).pixels; // empty for "as on screen"
    if (m_subtitleOn->isChecked())
        options.subtitle = m_subtitle->text().trimmed();
    return options;
}

void ChartExportDialog::restoreChoices(int preset, QSize custom, bool subtitle)
{
    if (!custom.isEmpty()) {
        m_width->setValue(custom.width());
        m_height->setValue(custom.height());
    }
    if (preset >= 0 && preset < m_size->count())
        m_size->setCurrentIndex(preset);
    m_subtitleOn->setChecked(subtitle && !m_subtitle->text().isEmpty());
    m_subtitle->setEnabled(m_subtitleOn->isChecked());
}

int ChartExportDialog::presetIndex() const
{
    return m_size->currentIndex();
}

QSize ChartExportDialog::customSize() const
{
    return QSize(m_width->value(), m_height->value());
}

bool ChartExportDialog::subtitleEnabled() const
{
    return m_subtitleOn->isChecked();
}

} // namespace webthreat

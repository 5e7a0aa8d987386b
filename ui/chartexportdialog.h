#pragma once

#include "ui/charts/chartview.h"

#include <QDialog>
#include <QList>
#include <QSize>
#include <QString>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace webthreat {

// File > Export Chart and a chart's "Export as PNG...": which chart, at which size, with which
// subtitle. One dialog for every route, so they cannot disagree.
class ChartExportDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartExportDialog)

public:
    struct SizePreset {
        QString name; // "Slide (16:10)"
        QSize pixels; // empty: twice the on-screen size
    };
    // The sizes offered, the default first; the last is "Custom" (width and height typed in).
    static QList<SizePreset> presets();
    static constexpr QSize kDefaultSize{1600, 1000};

    // charts: every chart of the window; preselected is offered first (the one in front or
    // clicked), else the first. subtitle: the suggested line under the title.
    ChartExportDialog(const QList<ChartView*>& charts, ChartView* preselected, const QString& subtitle,
                      QWidget* parent = nullptr);
    ~ChartExportDialog() override;

    ChartView* chart() const;
    ChartExportOptions options() const;
    // The choices of an earlier export in this session (size preset, custom size, subtitle on).
    void restoreChoices(int preset, QSize custom, bool subtitle);
    int presetIndex() const;
    QSize customSize() const;
    bool subtitleEnabled() const;

private:
    void updateSizeFields();

    QList<ChartView*> m_charts;
    QComboBox* m_chart = nullptr;
    QComboBox* m_size = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QCheckBox* m_subtitleOn = nullptr;
    QLineEdit* m_subtitle = nullptr;
};

} // namespace webthreat

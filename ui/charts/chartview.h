#pragma once

#include <QChartView>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

namespace webthreat {

// How a chart is exported: its size in pixels and a line under its title.
struct ChartExportOptions {
    // The PNG's size in pixels; the chart is laid out at half of it and drawn at twice that, so
    // text stays readable on a slide. Empty: twice the on-screen size.
    QSize pixels;
    // Drawn under the title ("traffic.csv · contamination 5.00 % · threshold 0.612"); empty: none.
    QString subtitle;
};

// One chart of the workbench. Its context menu offers "Export as PNG..." (which asks the window
// for the same dialog as File > Export Chart) and "Copy Image"; exportPng() is what every route
// calls.
class ChartView : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartView)

public:
    // fileStem names the exported file ("bytes_in_histogram"); title is the chart's title.
    ChartView(QString fileStem, QString title, QWidget* parent = nullptr);

    QString fileStem() const { return m_fileStem; }
    QString title() const { return m_title; }

    // Renders the chart at scale times its on-screen size (at least 640x400 logical pixels when the
    // view is hidden or tiny), with its title and axis titles, into a PNG written atomically
    // (QSaveFile): an earlier file is replaced only when the new one is complete. Returns false
    // and sets *error (what and which file) on failure.
    bool exportPng(const QString& path, double scale = 2.0, QString* error = nullptr);
    // The same at the size and with the subtitle of options.
    bool exportPng(const QString& path, const ChartExportOptions& options, QString* error = nullptr);

    // The image exportPng would write.
    QImage renderImage(double scale = 2.0);
    QImage renderImage(const ChartExportOptions& options);
    // The chart laid out at logicalSize whatever the view's size (reports: every chart alike).
    QImage renderImage(QSize logicalSize, double scale);

    // Text chunks written into every exported PNG (key, value): where the data came from. Asked
    // for at export time, so they describe the data and verdicts shown then.
    using PngTextProvider = std::function<QList<QPair<QString, QString>>()>;
    void setPngTextProvider(PngTextProvider provider) { m_pngText = std::move(provider); }

Q_SIGNALS:
    // The context menu's "Export as PNG...": the window answers with its export dialog.
    void exportRequested(webthreat::ChartView* view);
    // The context menu's "Copy Image" put the chart on the clipboard.
    void copied(const QString& title);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    bool writePng(QImage image, const QString& path, QString* error);

    QString m_fileStem;
    QString m_title;
    PngTextProvider m_pngText;
};

} // namespace webthreat

#pragma once

#include <QChartView>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

namespace webthreat {

// One chart of the workbench. Its context menu offers "Export as PNG..."; exportPng() is also
// what File > Export Chart and Export All Charts call.
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

    // The image exportPng would write.
    QImage renderImage(double scale = 2.0);
    // The chart laid out at logicalSize whatever the view's size (reports: every chart alike).
    QImage renderImage(QSize logicalSize, double scale);

    // Text chunks written into every exported PNG (key, value): where the data came from. Asked
    // for at export time, so they describe the data and verdicts shown then.
    using PngTextProvider = std::function<QList<QPair<QString, QString>>()>;
    void setPngTextProvider(PngTextProvider provider) { m_pngText = std::move(provider); }

Q_SIGNALS:
    // Emitted after an export from the context menu, for the status bar and the log.
    void exported(const QString& path);
    void exportFailed(const QString& message);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QString m_fileStem;
    QString m_title;
    PngTextProvider m_pngText;
};

} // namespace webthreat

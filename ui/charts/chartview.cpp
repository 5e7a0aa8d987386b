#include "ui/charts/chartview.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/workbenchchart.h"

#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QMenu>
#include <QPainter>
#include <QSaveFile>

#include <cmath>

namespace webthreat {

namespace {

// An export must stay readable when the view is hidden (Export All from another tab) or
// squeezed: below this it is rendered at least this large instead.
constexpr QSize kMinimumExportSize(640, 400);
constexpr QSize kTinyView(200, 150);

// Remembered for the session so that exporting several charts does not mean navigating again.
QString& lastExportDirectory()
{
    static QString directory;
    return directory;
}

} // namespace

ChartView::ChartView(QString fileStem, QString title, QWidget* parent)
    : QChartView(parent)
    , m_fileStem(std::move(fileStem))
    , m_title(std::move(title))
{
    auto* chart = new WorkbenchChart;
    chart->setTitle(m_title);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setRubberBand(QChartView::NoRubberBand);
    setFrameShape(QFrame::NoFrame);
    setContextMenuPolicy(Qt::DefaultContextMenu);
    setToolTip(QString());
}

QImage ChartView::renderImage(double scale)
{
    if (!(scale > 0.0) || !std::isfinite(scale))
        scale = 1.0;
    QSize logical = size();
    const bool neverSized = !isVisible() && !testAttribute(Qt::WA_Resized);
    if (neverSized || logical.width() < kTinyView.width() || logical.height() < kTinyView.height())
        logical = logical.expandedTo(kMinimumExportSize);
    return renderImage(logical, scale);
}

QImage ChartView::renderImage(QSize logical, double scale)
{
    if (!(scale > 0.0) || !std::isfinite(scale))
        scale = 1.0;
    if (logical.isEmpty())
        logical = kMinimumExportSize;
    QChart* target = chart();
    const QRectF oldGeometry = target->geometry();
    const QRectF renderGeometry(QPointF(0, 0), QSizeF(logical));
    // A hidden view never received its resize event, and a tiny one is too small to read: lay the
    // chart out at the export size for the render and put it back afterwards. setGeometry
    // activates the chart's layout at once, so this needs no event loop.
    if (oldGeometry != renderGeometry)
        target->setGeometry(renderGeometry);
    else if (target->layout())
        target->layout()->activate();

    QImage image(QSize(static_cast<int>(std::lround(logical.width() * scale)),
                       static_cast<int>(std::lround(logical.height() * scale))),
                 QImage::Format_ARGB32_Premultiplied);
    // Painting in logical pixels on a high-ratio image keeps text and lines sharp, not upscaled.
    image.setDevicePixelRatio(scale);
    image.fill(chartstyle::backgroundColor());
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        target->scene()->render(&painter, renderGeometry, renderGeometry, Qt::IgnoreAspectRatio);
    }

    if (oldGeometry != renderGeometry)
        target->setGeometry(oldGeometry);
    return image;
}

bool ChartView::exportPng(const QString& path, double scale, QString* error)
{
    const auto fail = [&](const QString& reason) {
        if (error)
            *error = tr("Could not export the chart \"%1\" to %2: %3")
                         .arg(m_title, QDir::toNativeSeparators(path), reason);
        return false;
    };
    if (path.isEmpty())
        return fail(tr("no file name was given"));

    QImage image = renderImage(scale);
    if (image.isNull())
        return fail(tr("the image could not be rendered"));
    if (m_pngText) {
        for (const auto& [key, value] : m_pngText())
            image.setText(key, value);
    }
    image.setText(QStringLiteral("Title"), m_title);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        const QFileInfo info(path);
        if (!info.absoluteDir().exists())
            return fail(tr("the folder %1 does not exist").arg(QDir::toNativeSeparators(info.absolutePath())));
        return fail(file.errorString());
    }
    if (!image.save(&file, "PNG")) {
        file.cancelWriting();
        return fail(file.error() != QFileDevice::NoError ? file.errorString() : tr("the PNG could not be encoded"));
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

void ChartView::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    QAction* exportAction = menu.addAction(tr("Export as PNG..."));
    if (menu.exec(event->globalPos()) != exportAction)
        return;

    const QString directory = lastExportDirectory().isEmpty() ? QDir::homePath() : lastExportDirectory();
    QString path = QFileDialog::getSaveFileName(this, tr("Export Chart as PNG"),
                                                QDir(directory).filePath(m_fileStem + QStringLiteral(".png")),
                                                tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".png");
    lastExportDirectory() = QFileInfo(path).absolutePath();

    QString message;
    if (exportPng(path, 2.0, &message))
        Q_EMIT exported(path);
    else
        Q_EMIT exportFailed(message);
}

} // namespace webthreat

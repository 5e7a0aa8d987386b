#include "ui/charts/chartview.h"

#include "ui/charts/chartstyle.h"
#include "ui/charts/workbenchchart.h"

#include <QClipboard>
#include <QContextMenuEvent>
#include <QGuiApplication>
#include <QDir>
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

QImage ChartView::renderImage(const ChartExportOptions& options)
{
    if (options.pixels.isEmpty() && options.subtitle.isEmpty())
        return renderImage(2.0);
    QChart* target = chart();
    const QString title = target->title();
    // Rich text: the title item of Qt Charts is a QGraphicsTextItem, so the subtitle sits under
    // the title in a smaller grey line, and the plot area makes room for it.
    if (!options.subtitle.isEmpty())
        target->setTitle(QStringLiteral("%1<br><span style=\"font-size:small; font-weight:normal; color:#555555\">"
                                        "%2</span>")
                             .arg(title.toHtmlEscaped(), options.subtitle.toHtmlEscaped()));
    QImage image;
    if (options.pixels.isEmpty())
        image = renderImage(2.0);
    else
        image = renderImage(QSize((options.pixels.width() + 1) / 2, (options.pixels.height() + 1) / 2), 2.0);
    if (!options.subtitle.isEmpty())
        target->setTitle(title);
    if (!options.pixels.isEmpty() && image.size() != options.pixels)
        image = image.copy(QRect(QPoint(0, 0), options.pixels)); // an odd size: the last pixel row or column
    return image;
}

bool ChartView::exportPng(const QString& path, double scale, QString* error)
{
    return writePng(renderImage(scale), path, error);
}

bool ChartView::exportPng(const QString& path, const ChartExportOptions& options, QString* error)
{
    return writePng(renderImage(options), path, error);
}

bool ChartView::writePng(QImage image, const QString& path, QString* error)
{
    const auto fail = [&](const QString& reason) {
        if (error)
            *error = tr("Could not export the chart \"%1\" to %2: %3")
                         .arg(m_title, QDir::toNativeSeparators(path), reason);
        return false;
    };
    if (path.isEmpty())
        return fail(tr("no file name was given"));
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
    QAction* copyAction = menu.addAction(tr("Copy Image"));
    QAction* chosen = menu.exec(event->globalPos());
    if (chosen == exportAction) {
        Q_EMIT exportRequested(this);
    } else if (chosen == copyAction) {
        QGuiApplication::clipboard()->setImage(renderImage(ChartExportOptions{}));
        Q_EMIT copied(m_title);
    }
}

} // namespace webthreat

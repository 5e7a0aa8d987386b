#include "ui/viewfilterbar.h"

#include "ui/beaconsmodel.h"
#include "ui/displayformat.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace webthreat {

ViewFilterBar::ViewFilterBar(QWidget* parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("viewFilterBar"));
    setAutoFillBackground(true);
    QPalette tinted = palette();
    QColor highlight = tinted.color(QPalette::Highlight);
    highlight.setAlpha(40);
    tinted.setColor(QPalette::Window, highlight);
    setPalette(tinted);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 3, 8, 3);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("viewFilterText"));
    m_text->setTextFormat(Qt::PlainText);
    // A long filter (a pair, three sources and a period) wraps instead of widening the window.
    m_text->setWordWrap(true);
    auto* clear = new QPushButton(tr("Clear"), this);
    clear->setObjectName(QStringLiteral("viewFilterClear"));
    clear->setToolTip(tr("Show every row again"));
    connect(clear, &QPushButton::clicked, this, &ViewFilterBar::clearRequested);
    layout->addWidget(m_text, 1);
    layout->addWidget(clear);
    hide();
}

QWidget* ViewFilterBar::placeAbove(QWidget* content)
{
    auto* holder = new QWidget(content->parentWidget());
    auto* layout = new QVBoxLayout(holder);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(this);
    layout->addWidget(content, 1);
    return holder;
}

ViewFilterBar::~ViewFilterBar() = default;

void ViewFilterBar::showFilter(const ViewFilter& filter, const AnalysisSnapshot& snapshot, std::size_t shownRows,
                               bool otherFilters)
{
    if (!filter.isActive() || !snapshot.hasData()) {
        hide();
        m_text->clear();
        return;
    }
    QStringList parts;
    if (filter.hasSources()) {
        const StringPool& strings = *snapshot.data->table.strings;
        QStringList names;
        for (std::size_t i = 0; i < std::min<std::size_t>(filter.sourceIps.size(), 3); ++i)
            names << fromUtf8View(strings.view(filter.sourceIps[i]));
        QString sources = names.join(QStringLiteral(", "));
        if (filter.sourceIps.size() > 3)
            sources += tr(" and %1 more").arg(filter.sourceIps.size() - 3);
        parts << tr("source %1").arg(sources);
    }
    if (filter.hasPair())
        parts << tr("pair %1").arg(pairName(*snapshot.data->table.strings, *filter.pair));
    if (filter.hasPeriod())
        parts << tr("%1 to %2 UTC")
                     .arg(formatInstantShort(static_cast<double>(*filter.from) / 1e6),
                          formatInstantShort(static_cast<double>(*filter.to) / 1e6));
    // Which views it narrows, in so many words: the Summary and Trust tabs describe the file and
    // the detector as a whole and do not follow it.
    m_text->setText(tr("Filtered to %1 \u2014 %2 of %3 rows in the Data tab%4; Overview and Anomalies follow it, "
                       "Summary and Trust show every row")
                        .arg(parts.join(tr(" and ")), formatCount(shownRows),
                             formatCount(snapshot.data->table.rowCount()),
                             otherFilters ? tr(" (with its own filter)") : QString()));
    m_text->setToolTip(tr("The sources selected on the Entities tab, the period dragged on the Timeline and the pair "
                          "picked on the Beacons tab narrow "
                          "the Data tab, the Overview charts and the Anomalies tab (scatter, suspicious rows and what "
                          "they have in common). The Summary describes the whole file and the Trust tab evaluates "
                          "the detector on every row."));
    show();
}

} // namespace webthreat

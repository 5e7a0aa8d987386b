#include "ui/beaconsview.h"

#include "core/behaviour/behaviour.h"
#include "ui/beaconsmodel.h"
#include "ui/charts/beaconintervalchart.h"
#include "ui/charts/chartstyle.h"
#include "ui/charts/chartview.h"
#include "ui/charts/workbenchchart.h"
#include "ui/displayformat.h"
#include "ui/viewwidgets.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace webthreat {

namespace {

constexpr int kStripMargin = 8;
constexpr int kBandHeight = 22;

// A session's start as core/behaviour reads it: creation_time, else time.
std::int64_t startOf(const TrafficTable& table, std::size_t row)
{
    for (Field field : {Field::CreationTime, Field::Time}) {
        const Column& column = table.column(field);
        if (!column.released && column.kind == ColumnKind::Timestamp && row < column.integers.size()
            && column.integers[row] != kMissingInteger)
            return column.integers[row];
    }
    return kMissingInteger;
}

QSortFilterProxyModel* sortingProxy(QAbstractItemModel* source, int sortRole, QObject* parent)
{
    auto* proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(source);
    proxy->setSortRole(sortRole);
    return proxy;
}

} // namespace

// --- BeaconTimeStrip ------------------------------------------------------------------------

BeaconTimeStrip::BeaconTimeStrip(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("beaconTimeStrip"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("The pair's sessions over the file's whole span, one tick each: a beacon is an even comb"));
}

void BeaconTimeStrip::setSessions(std::vector<std::int64_t> starts, std::int64_t spanStart, std::int64_t spanEnd)
{
    m_starts = std::move(starts);
    m_spanStart = spanStart;
    m_spanEnd = std::max(spanEnd, spanStart);
    update();
}

QSize BeaconTimeStrip::sizeHint() const
{
    return {400, 2 * (kBandHeight + fontMetrics().height() + 8) + 4};
}

QSize BeaconTimeStrip::minimumSizeHint() const
{
    return {120, sizeHint().height()};
}

void BeaconTimeStrip::paintBand(QPainter& painter, QRect band, std::int64_t from, std::int64_t to,
                                const QString& caption) const
{
    painter.setPen(chartstyle::gridColor());
    painter.drawRect(band.adjusted(0, 0, -1, -1));
    const double span = static_cast<double>(std::max<std::int64_t>(to - from, 1));
    painter.setPen(QPen(chartstyle::normalColor().darker(120), 1.0));
    for (std::int64_t start : m_starts) {
        const double share = static_cast<double>(start - from) / span;
        const int x = band.left() + 1 + static_cast<int>(std::clamp(share, 0.0, 1.0) * (band.width() - 3));
        painter.drawLine(x, band.top() + 3, x, band.bottom() - 3);
    }
    const QFontMetrics metrics = fontMetrics();
    const QRect labels(band.left(), band.bottom() + 2, band.width(), metrics.height() + 2);
    const QString first = formatInstantShort(static_cast<double>(from) / 1e6);
    const QString last = formatInstantShort(static_cast<double>(to) / 1e6);
    painter.setPen(chartstyle::textColor());
    painter.drawText(labels, Qt::AlignLeft | Qt::AlignTop, first);
    painter.drawText(labels, Qt::AlignRight | Qt::AlignTop, last);
    // The caption between the two dates, where it fits without touching them.
    const int room
        = labels.width() - 2 * std::max(metrics.horizontalAdvance(first), metrics.horizontalAdvance(last)) - 24;
    if (metrics.horizontalAdvance(caption) <= room) {
        painter.setPen(chartstyle::mutedTextColor());
        painter.drawText(labels, Qt::AlignHCenter | Qt::AlignTop, caption);
    }
}

void BeaconTimeStrip::paintEvent(QPaintEvent* event)
{
    static_cast<void>(event);
    QPainter painter(this);
    painter.fillRect(rect(), chartstyle::backgroundColor());
    const int rowHeight = kBandHeight + fontMetrics().height() + 8;
    const QRect fileBand(kStripMargin, 4, width() - 2 * kStripMargin, kBandHeight);
    if (m_starts.empty()) {
        painter.setPen(chartstyle::gridColor());
        painter.drawRect(fileBand.adjusted(0, 0, -1, -1));
        painter.setPen(chartstyle::mutedTextColor());
        painter.drawText(fileBand, Qt::AlignCenter, tr("The selected pair's sessions over time"));
        return;
    }
    // Above: the file's whole span, the pair's own span shaded; below: the pair's span alone, where
    // a beat of minutes in a week-long file shows as a comb rather than one clump.
    const std::int64_t pairFirst = m_starts.front();
    const std::int64_t pairLast = std::max(m_starts.back(), pairFirst + 1);
    const double span = static_cast<double>(std::max<std::int64_t>(m_spanEnd - m_spanStart, 1));
    const auto xOf = [&fileBand, span, this](std::int64_t at) {
        return fileBand.left()
            + static_cast<int>(std::clamp(static_cast<double>(at - m_spanStart) / span, 0.0, 1.0) * fileBand.width());
    };
    QColor shade = chartstyle::normalColor();
    shade.setAlpha(40);
    painter.fillRect(QRect(QPoint(xOf(pairFirst), fileBand.top()), QPoint(xOf(pairLast), fileBand.bottom())), shade);
    paintBand(painter, fileBand, m_spanStart, m_spanEnd,
              tr("%1 sessions over the file's span (UTC)").arg(formatCount(m_starts.size())));
    const QRect pairBand(fileBand.left(), fileBand.top() + rowHeight, fileBand.width(), kBandHeight);
    paintBand(painter, pairBand, pairFirst, pairLast,
              tr("the pair's own span: %1")
                  .arg(QString::fromStdString(spokenDuration(static_cast<double>(pairLast - pairFirst) / 1e6))));
}

// --- BeaconsView ----------------------------------------------------------------------------

BeaconsView::BeaconsView(QWidget* parent)
    : QWidget(parent)
    , m_model(new BeaconsModel(this))
    , m_fanOutModel(new FanOutModel(this))
{
    setObjectName(QStringLiteral("beaconsTab"));
    m_model->setObjectName(QStringLiteral("beaconsModel"));
    m_fanOutModel->setObjectName(QStringLiteral("fanOutModel"));
    m_proxy = sortingProxy(m_model, BeaconsModel::SortKeyRole, this);
    m_fanOutProxy = sortingProxy(m_fanOutModel, FanOutModel::SortKeyRole, this);

    auto* layout = new QVBoxLayout(this);
    auto* sections = new QSplitter(Qt::Vertical, this);
    sections->setObjectName(QStringLiteral("beaconsSplitter"));
    sections->setChildrenCollapsible(false);
    auto* top = new QSplitter(Qt::Horizontal, sections);
    auto* pairs = new QWidget(top);
    buildPairsSection(pairs);
    top->addWidget(pairs);
    top->addWidget(buildDetail());
    // The list wide enough for its score, interval and parts; the chart reads at 400 pixels.
    top->setSizes({600, 420});
    sections->addWidget(top);
    sections->addWidget(buildFanOutSection());
    sections->setStretchFactor(0, 3);
    sections->setStretchFactor(1, 2);
    layout->addWidget(sections, 1);
    showPair(nullptr);
}

BeaconsView::~BeaconsView() = default;

void BeaconsView::buildPairsSection(QWidget* holder)
{
    auto* layout = new QVBoxLayout(holder);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = titleLabel(tr("Beacons"), holder);
    m_title->setObjectName(QStringLiteral("beaconsTitle"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_pairsStack = new QStackedWidget(holder);
    m_pairs = makeTableView(m_pairsStack, QStringLiteral("beaconsTable"));
    m_pairs->setModel(m_proxy);
    m_pairs->setSortingEnabled(true);
    m_pairs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_pairs->verticalHeader()->hide();
    m_pairs->horizontalHeader()->setStretchLastSection(true);
    m_pairs->sortByColumn(BeaconsModel::Score, Qt::DescendingOrder);
    m_pairs->setToolTip(tr("Arrows: move through the pairs. Click or Enter: show only the pair's rows in the other "
                           "views (the bar above the tabs clears it)."));
    m_pairs->installEventFilter(this);
    m_empty = selectableLabel(m_pairsStack, QStringLiteral("beaconsEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_pairsStack->addWidget(m_pairs);
    m_pairsStack->addWidget(m_empty);
    layout->addWidget(m_pairsStack, 1);
    connect(m_pairs->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showPair(currentPair()); });
    connect(m_pairs, &QTableView::clicked, this, [this] { filterToCurrentPair(); });
}

QWidget* BeaconsView::buildDetail()
{
    auto* detail = new QWidget(this);
    auto* layout = new QVBoxLayout(detail);
    layout->setContentsMargins(0, 0, 0, 0);
    m_sentence = selectableLabel(detail, QStringLiteral("beaconSentence"));
    layout->addWidget(m_sentence);
    m_intervals
        = new ChartView(QStringLiteral("beacon_intervals"), tr("Intervals between the pair's sessions"), detail);
    m_intervals->setObjectName(QStringLiteral("beaconIntervalChart"));
    m_intervals->setMinimumHeight(200);
    // Not among the exported charts (the report and Export All Charts would show whichever pair is
    // current): no context menu that offers an export the window does not answer.
    m_intervals->setContextMenuPolicy(Qt::NoContextMenu);
    chartstyle::styleChart(m_intervals->chart());
    layout->addWidget(m_intervals, 1);
    m_strip = new BeaconTimeStrip(detail);
    layout->addWidget(m_strip);
    return detail;
}

QWidget* BeaconsView::buildFanOutSection()
{
    auto* section = new QWidget(this);
    auto* layout = new QVBoxLayout(section);
    layout->setContentsMargins(0, 4, 0, 0);
    m_fanOutTitle = titleLabel(tr("Scanning and fan-out"), section);
    m_fanOutTitle->setObjectName(QStringLiteral("fanOutTitle"));
    m_fanOutTitle->setWordWrap(true);
    layout->addWidget(m_fanOutTitle);
    m_fanOut = makeTableView(section, QStringLiteral("fanOutTable"));
    m_fanOut->setModel(m_fanOutProxy);
    m_fanOut->setSortingEnabled(true);
    m_fanOut->verticalHeader()->hide();
    m_fanOut->horizontalHeader()->setStretchLastSection(true);
    m_fanOut->sortByColumn(FanOutModel::ScanScore, Qt::DescendingOrder);
    layout->addWidget(m_fanOut, 1);
    return section;
}

void BeaconsView::setSnapshot(const ViewUpdate& update, int part)
{
    static_cast<void>(part);
    const AnalysisSnapshot& snapshot = update.snapshot;
    // A refit or new verdicts carry the same behaviour: the pairs, the selection and the chart stay.
    if (snapshot.behaviour.get() == m_shownBehaviour && snapshot.data == m_model->snapshot().data)
        return;
    m_shownBehaviour = snapshot.behaviour.get();
    m_model->setSnapshot(snapshot);
    m_fanOutModel->setSnapshot(snapshot);
    updateTitles(snapshot);
    m_pairsStack->setCurrentWidget(m_model->rowCount() > 0 || !snapshot.hasData() ? static_cast<QWidget*>(m_pairs)
                                                                                  : m_empty);
    fitColumns(m_pairs);
    fitColumns(m_fanOut);
    showListsColumn();
    // The pair the filter holds (a refit keeps it), else the highest score, as the current row:
    // the chart shows it at once, and the arrows start from it.
    int row = update.viewFilter.hasPair() ? m_model->rowOf(*update.viewFilter.pair) : -1;
    QModelIndex index = row >= 0 ? m_proxy->mapFromSource(m_model->index(row, 0)) : m_proxy->index(0, 0);
    if (index.isValid()) {
        m_pairs->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_pairs->scrollTo(index);
    }
    showPair(currentPair());
}

void BeaconsView::updateVerdicts(const ViewUpdate& update, int part)
{
    // Beacon scores do not depend on the detector's threshold.
    static_cast<void>(update);
    static_cast<void>(part);
}

void BeaconsView::updateThreatLists(const ViewUpdate& update)
{
    m_model->updateThreatLists(update.snapshot);
    showListsColumn();
}

void BeaconsView::showListsColumn()
{
    const bool shown = m_model->hasThreatLists();
    m_pairs->setColumnHidden(BeaconsModel::Lists, !shown);
    if (shown)
        m_pairs->resizeColumnToContents(BeaconsModel::Lists);
}

void BeaconsView::setSelectionRows(const SelectionRows& filter)
{
    // The pairs are those of the whole file: the filter narrows the other views, not this list.
    static_cast<void>(filter);
}

const BeaconPair* BeaconsView::currentPair() const
{
    const QModelIndex index = m_pairs->currentIndex();
    if (!index.isValid())
        return nullptr;
    return m_model->pairAt(m_proxy->mapToSource(index).row());
}

void BeaconsView::filterToCurrentPair()
{
    if (const BeaconPair* pair = currentPair())
        Q_EMIT pairSelected(m_model->filterOf(*pair));
}

bool BeaconsView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_pairs && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            filterToCurrentPair();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void BeaconsView::showPair(const BeaconPair* pair)
{
    auto* chart = static_cast<WorkbenchChart*>(m_intervals->chart());
    const AnalysisSnapshot& snapshot = m_model->snapshot();
    if (!pair || !snapshot.hasData() || !snapshot.behaviour) {
        m_sentence->setText(snapshot.hasData() ? tr("Select a pair to see its timing.")
                                               : tr("Open a file to look for beacons."));
        showIntervalHistogram(chart, {}, 0.0, {});
        m_strip->setSessions({}, 0, 0);
        return;
    }
    const BeaconResult& beacons = snapshot.behaviour->beacons;
    const TrafficTable& table = snapshot.data->table;
    std::vector<std::int64_t> starts;
    starts.reserve(pair->sessions);
    for (std::uint32_t row : beacons.rowsOf(*pair))
        starts.push_back(startOf(table, row));
    std::vector<double> intervals;
    intervals.reserve(starts.size());
    for (std::size_t i = 1; i < starts.size(); ++i)
        intervals.push_back(static_cast<double>(starts[i] - starts[i - 1]) / 1e6);
    const QString beat = QString::fromStdString(spokenDuration(pair->medianIntervalSeconds));
    m_sentence->setText(tr("%1: %2 sessions, score %3 (interval regularity %4, size regularity %5, coverage %6); %7.")
                            .arg(pairName(*table.strings, m_model->filterOf(*pair)), formatCount(pair->sessions))
                            .arg(pair->score, 0, 'f', 2)
                            .arg(pair->parts.timing, 0, 'f', 2)
                            .arg(pair->parts.sizes, 0, 'f', 2)
                            .arg(pair->parts.coverage, 0, 'f', 2)
                            .arg(QString::fromStdString(beaconSentence(*pair))));
    showIntervalHistogram(chart, intervals, pair->medianIntervalSeconds, beat);
    m_strip->setSessions(std::move(starts), beacons.dataStart, beacons.dataEnd);
}

void BeaconsView::updateTitles(const AnalysisSnapshot& snapshot)
{
    const std::size_t minSessions
        = snapshot.behaviour ? snapshot.behaviour->beacons.params.minSessions : BeaconParams{}.minSessions;
    if (!snapshot.hasData() || !snapshot.behaviour) {
        m_title->setText(tr("Beacons: connection pairs whose sessions keep a beat"));
        m_fanOutTitle->setText(tr("Scanning and fan-out"));
        return;
    }
    const BeaconResult& beacons = snapshot.behaviour->beacons;
    m_title->setText(tr("%1 of %2 connection pairs have the %3 sessions needed to judge their timing; highest "
                        "score first. Click a pair or press Enter to show only its rows in the other views.")
                         .arg(formatCount(beacons.pairs.size()), formatCount(beacons.pairsSeen))
                         .arg(minSessions));
    m_empty->setText(tr("No connection pair has the %1 sessions needed to judge its timing, so there is nothing to "
                        "score as a beacon (%2 pairs seen).")
                         .arg(minSessions)
                         .arg(formatCount(beacons.pairsSeen)));
    const FanOutResult& fanOut = snapshot.behaviour->fanOut;
    m_fanOutTitle->setText(tr("Scanning and fan-out: %1 sources, each by its busiest window of %2; %3 touch %4 or more "
                              "ports or hosts in one")
                               .arg(formatCount(fanOut.sources.size()),
                                    QString::fromStdString(spokenDuration(fanOut.params.windowSeconds)))
                               .arg(formatCount(fanOut.scanning().size()))
                               .arg(fanOut.params.minFanOut));
}

} // namespace webthreat

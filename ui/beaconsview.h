#pragma once

#include "core/analysis/viewfilter.h"
#include "ui/analysisview.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QLabel;
class QPainter;
class QRect;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace webthreat {

class BeaconsModel;
class ChartView;
class FanOutModel;
struct BeaconPair;

// One tick per session of a pair over the file's whole span (so a burst reads as a clump), and again
// over the pair's own span (where a beat reads as an even comb); each band's first and last times
// are written at its ends.
class BeaconTimeStrip : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BeaconTimeStrip)

public:
    explicit BeaconTimeStrip(QWidget* parent = nullptr);

    // starts: the sessions' start times (µs); [spanStart, spanEnd]: the file's. Empty: cleared.
    void setSessions(std::vector<std::int64_t> starts, std::int64_t spanStart, std::int64_t spanEnd);
    int tickCount() const { return static_cast<int>(m_starts.size()); }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintBand(QPainter& painter, QRect band, std::int64_t from, std::int64_t to, const QString& caption) const;

    std::vector<std::int64_t> m_starts; // in time order
    std::int64_t m_spanStart = 0;
    std::int64_t m_spanEnd = 0;
};

// The Beacons tab (issue 21): connection pairs whose sessions keep a beat, by score, with the
// score's parts; the selected pair's intervals (a histogram on a log axis) and its sessions on a
// time strip; and the sources that scan or fan out per window. Clicking a pair, or Enter on it,
// narrows the other views to its rows (pairSelected); the arrows move through the pairs.
class BeaconsView : public QWidget, public AnalysisView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BeaconsView)

public:
    explicit BeaconsView(QWidget* parent = nullptr);
    ~BeaconsView() override;

    void setSnapshot(const ViewUpdate& update, int part) override;
    void updateVerdicts(const ViewUpdate& update, int part) override;
    void setSelectionRows(const SelectionRows& filter) override;
    // The Lists column: the threat lists each pair's source or destination is on (shown only
    // while lists are loaded).
    void updateThreatLists(const ViewUpdate& update) override;

    QTableView* pairsView() const { return m_pairs; }
    // Asks for the current pair's filter (what Enter and a click do).
    void filterToCurrentPair();

Q_SIGNALS:
    // The analyst picked this pair (string ids of the shown table) to narrow the other views to.
    void pairSelected(const webthreat::PairFilter& pair);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildPairsSection(QWidget* holder);
    QWidget* buildDetail();
    QWidget* buildFanOutSection();
    void showPair(const BeaconPair* pair);
    void updateTitles(const AnalysisSnapshot& snapshot);
    void showListsColumn();
    const BeaconPair* currentPair() const;

    BeaconsModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    FanOutModel* m_fanOutModel = nullptr;
    QSortFilterProxyModel* m_fanOutProxy = nullptr;
    QLabel* m_title = nullptr;
    QStackedWidget* m_pairsStack = nullptr;
    QLabel* m_empty = nullptr;
    QTableView* m_pairs = nullptr;
    QLabel* m_sentence = nullptr;
    ChartView* m_intervals = nullptr;
    BeaconTimeStrip* m_strip = nullptr;
    QLabel* m_fanOutTitle = nullptr;
    QTableView* m_fanOut = nullptr;
    const void* m_shownBehaviour = nullptr; // the BehaviourResult the models show
};

} // namespace webthreat

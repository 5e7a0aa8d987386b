#pragma once

#include "core/analysis/viewfilter.h"
#include "ui/analysissnapshot.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>

namespace webthreat {

struct BeaconPair;
struct SourceActivity;
class StringPool;

// "203.0.113.7:443", or the address alone for a pair without a destination port.
QString pairDestinationName(const StringPool& strings, std::uint32_t dstIp, std::int64_t dstPort);
// "10.0.0.5 → 203.0.113.7:443": a connection pair as the views and the filter bar name it.
QString pairName(const StringPool& strings, const PairFilter& pair);

// The Beacons tab's pairs: one row per connection pair with enough sessions to judge its timing
// (the snapshot's BehaviourResult::beacons), highest score first, with the score's parts. Cells
// are read from core's pairs on demand.
class BeaconsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BeaconsModel)

public:
    // The score right after the pair: the column the list is sorted by stays on screen in a narrow tab.
    // Lists: the threat lists the source or destination is on, beside them (hidden without lists).
    enum Column { Source, Destination, Lists, Score, Sessions, Beat, Timing, Sizes, Coverage, ColumnCount };
    enum Role {
        SortKeyRole = Qt::UserRole + 1, // a number to sort by (addresses: their text)
        PairIndexRole, // the pair's index in BehaviourResult::beacons.pairs (uint)
    };

    explicit BeaconsModel(QObject* parent = nullptr);

    // New data: resets the model (a refit or new verdicts leave the pairs as they are).
    void setSnapshot(const AnalysisSnapshot& snapshot);
    const AnalysisSnapshot& snapshot() const { return m_snapshot; }
    // The threat lists' matches changed (snapshot's, for the same data): the Lists column again.
    void updateThreatLists(const AnalysisSnapshot& snapshot);
    bool hasThreatLists() const;
    // The pair at row (source row), or null.
    const BeaconPair* pairAt(int row) const;
    // The source row of the pair filter names, or -1.
    int rowOf(const PairFilter& pair) const;
    PairFilter filterOf(const BeaconPair& pair) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // One sentence on what a column's figure means (its header's tooltip).
    static QString columnExplanation(int column);

private:
    QVariant display(const BeaconPair& pair, int column) const;
    QVariant sortKey(const BeaconPair& pair, int column) const;
    // The lists the pair's source (src) or destination (!src) is on, as a bit set; 0 without lists.
    std::uint64_t listsOf(const BeaconPair& pair, bool src) const;
    QString listsText(const BeaconPair& pair) const;
    QString listsTooltip(const BeaconPair& pair) const;

    AnalysisSnapshot m_snapshot;
};

// The Beacons tab's "Scanning and fan-out": one row per source with its busiest window (the most
// distinct destination ports or hosts), its failed sessions and its busiest window's sessions over
// its own median (FanOutResult::sources), highest scan score first.
class FanOutModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FanOutModel)

public:
    enum Column { Source, PeakWindow, Ports, Hosts, WindowSessions, Failed, VolumeRatio, ScanScore, ColumnCount };
    enum Role { SortKeyRole = Qt::UserRole + 1 };

    explicit FanOutModel(QObject* parent = nullptr);

    void setSnapshot(const AnalysisSnapshot& snapshot);
    const SourceActivity* sourceAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString columnExplanation(int column);

private:
    QVariant cell(const SourceActivity& source, int column, bool sortKey) const;

    AnalysisSnapshot m_snapshot;
};

} // namespace webthreat

#pragma once

#include "core/analysis/viewfilter.h"
#include "core/triage/mark.h"
#include "ui/analysissnapshot.h"

#include <QAbstractTableModel>

#include <string>
#include <vector>

namespace webthreat {

// What a row filter looks for: the table's own cells, searched by core (rowsMatchingText, once
// per filter text and data), and the label column, whose text follows the verdicts and is tested
// per row when the rows are filtered.
struct RowFilter {
    std::string needle; // UTF-8, ASCII-lower-cased; empty matches everything
    int column = -1; // a model column, or -1 for every column
    TextFilter cells; // the table columns searched; none for a computed column
    bool searchesLabel = false;
    bool matchesSuspicious = false; // the needle is in the label "Suspicious"
    bool matchesNormal = false;

    bool isEmpty() const noexcept { return needle.empty(); }
    bool searchesCells() const noexcept { return !needle.empty() && !cells.columns.empty(); }
};

// The Data tab's table: every cleaned row, the engineered features, the score and the label,
// read from core's column vectors on demand (nothing is copied into QVariants up front).
class TrafficTableModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficTableModel)

public:
    enum Role {
        // A number to sort by: the value for numbers and timestamps, the rank of the text among
        // the table's strings for text, 1/0 for the label. Missing sorts last.
        SortKeyRole = Qt::UserRole + 1,
        SuspiciousRole, // bool
        SourceLineRole, // the row's 1-based line in the input file
        MarkRole, // int: the row's effective Mark (0 = not marked)
    };

    // Verdict and Note: the analyst's triage (snapshot.triage), after the detector's label.
    // Context: the location database's answer (features.enrichment), one of kContextColumns.
    // ThreatLists: the lists the row's src_ip or dst_ip is on (snapshot.threatMatches), last, only
    // while there are matches.
    enum class ColumnSource { Table, SessionDuration, AvgPacketSize, Score, Label, Verdict, Note, Context, ThreatLists };

    explicit TrafficTableModel(QObject* parent = nullptr);

    // New data or a new detection: resets the model.
    void setSnapshot(const AnalysisSnapshot& snapshot);
    // Only the verdicts changed (contamination slider): the label column and the row tint.
    void updateVerdicts(const AnalysisSnapshot& snapshot);
    // Only the analyst's marks changed: the verdict and note columns.
    void updateTriage(std::shared_ptr<const TableTriage> triage);
    Mark mark(int row) const;
    // The threat lists matched the rows again (or were all removed): the threat_lists column.
    // True when the column came or went (the model was reset).
    bool updateThreatLists(const AnalysisSnapshot& snapshot);
    bool onThreatList(int row) const;
    const AnalysisSnapshot& snapshot() const { return m_snapshot; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Fast paths for the proxy: no QModelIndex, no QVariant.
    double sortKey(int row, int column) const;
    // Every row's sort key for one column, computed once and kept until the data (or, for the
    // label, the verdicts) change: a million-row sort then compares two array entries.
    const std::vector<double>& sortKeys(int column) const;
    bool isSuspicious(int row) const;
    // The text typed, case-insensitively, in column (a column name), or in every column when
    // column is empty. Computed columns (features, score) are not searched.
    RowFilter makeFilter(const QString& text, const QString& column) const;
    // Whether row's label matches filter (false when the label is not searched or not known).
    bool labelMatches(int row, const RowFilter& filter) const;

    int columnFor(ColumnSource source) const; // -1 when absent
    ColumnSource columnSource(int column) const;
    QString columnName(int column) const;

private:
    struct ColumnRef {
        ColumnSource source = ColumnSource::Table;
        std::size_t tableColumn = 0; // for Context: which context column
    };

    void buildColumns();
    QVariant contextCell(std::size_t which, std::size_t row) const;
    double contextSortKey(std::size_t which, std::size_t row) const;
    const std::vector<std::uint32_t>& textRanks() const;

    AnalysisSnapshot m_snapshot;
    std::vector<ColumnRef> m_columns;
    // Rank of each interned string in byte order, built on the first sort by a text column.
    mutable std::vector<std::uint32_t> m_textRanks;
    mutable int m_keysColumn = -1;
    mutable std::vector<double> m_keys;
};

} // namespace webthreat

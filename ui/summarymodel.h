#pragma once

#include "core/analysis/datasetsummary.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>

namespace webthreat {

// The Summary tab's table: one row per column of the data (then the features and the score),
// with its type, missing and distinct counts, min / median / max (first / last for timestamps)
// and the most frequent values of text columns. The numbers come precomputed from the worker.
class SummaryModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SummaryModel)

public:
    enum Column { Name, Type, Present, Missing, Distinct, Minimum, Median, Maximum, TopValues, ColumnCount };
    enum Role {
        SortKeyRole = Qt::UserRole + 1, // numbers as numbers, for a sorting proxy
    };

    explicit SummaryModel(QObject* parent = nullptr);

    // score: the anomaly score's row, when the detector has run.
    void setSummary(std::shared_ptr<const DatasetSummary> summary, std::optional<ColumnSummary> score = std::nullopt);
    std::shared_ptr<const DatasetSummary> summary() const { return m_summary; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const ColumnSummary& row(int index) const;

    std::shared_ptr<const DatasetSummary> m_summary;
    std::optional<ColumnSummary> m_score;
};

} // namespace webthreat

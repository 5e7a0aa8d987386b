#pragma once

#include "core/analysis/findings.h"

#include <QAbstractTableModel>

#include <memory>

namespace webthreat {

// One list of the findings (top source IPs, countries, destination ports or protocols among the
// suspicious rows): value, suspicious rows, share of all suspicious, rows overall, bytes.
class FindingsModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FindingsModel)

public:
    enum class Category { SourceIps, Countries, DestinationPorts, Protocols };
    enum Column { Value, Count, Share, TotalRows, BytesIn, BytesOut, ColumnCount };
    enum Role {
        SortKeyRole = Qt::UserRole + 1,
    };

    explicit FindingsModel(Category category, QObject* parent = nullptr);

    void setFindings(std::shared_ptr<const Findings> findings);
    Category category() const { return m_category; }
    QString categoryTitle() const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const std::vector<FindingEntry>* entries() const;

    Category m_category;
    std::shared_ptr<const Findings> m_findings;
};

} // namespace webthreat

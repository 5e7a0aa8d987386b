#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

class QHeaderView;
class QTableView;

namespace webthreat {

class TrafficTableModel;

// The Data tab's column order and widths, per layout (the model's column names). A fresh layout
// shows the verdict and the score first, then the file's columns in the model's order; what the
// analyst moved or widened by hand is remembered for that layout and comes back when a file of
// the same layout is opened again. QHeaderView keeps its moves by position across a model reset,
// which with another column count put other columns where the verdict had been: every reset is
// therefore followed by apply(), which lays the sections out from their names.
class DataColumnLayout : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataColumnLayout)

public:
    DataColumnLayout(QTableView* view, const TrafficTableModel* model, QObject* parent = nullptr);
    ~DataColumnLayout() override;

    // Around the model's reset: changes the header makes then are not the analyst's.
    void beginReset() { m_applying = true; }
    // After it: the order of the new layout (remembered, or the default).
    void apply();
    // After a load: widths to fit the new rows, then those the analyst set for this layout.
    void fitWidths();

private:
    struct Remembered {
        QStringList order; // column names left to right; empty: the default order
        QHash<QString, int> widths; // set by hand, by column name
    };

    QString layoutKey() const;
    QStringList defaultOrder() const;
    QStringList visualOrder() const;
    void arrange(const QStringList& order);
    void onSectionMoved();
    void onSectionResized(int logical, int oldSize, int newSize);

    QTableView* m_view = nullptr;
    QHeaderView* m_header = nullptr;
    const TrafficTableModel* m_model = nullptr;
    QHash<QString, Remembered> m_layouts;
    QString m_key; // the layout shown
    bool m_applying = false;
};

} // namespace webthreat

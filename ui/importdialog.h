#pragma once

#include "core/io/csvsniffer.h"

#include <QAbstractTableModel>
#include <QDialog>
#include <QList>
#include <QString>

#include <optional>
#include <string>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace webthreat {

class MappingHeader;

// The import dialog's preview: the sample's rows as split, read straight from the sniffer's
// strings; a cell that would not read as its column's field is tinted, its reason the tooltip.
class ImportPreviewModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportPreviewModel)

public:
    enum Role {
        MisfitRole = Qt::UserRole + 1, // QString: why the cell would be read as missing, or empty
    };

    explicit ImportPreviewModel(QObject* parent = nullptr);

    void setPreview(std::vector<std::string> names, std::vector<std::vector<std::string>> rows, std::size_t firstLine);
    // The field each column is mapped to (nullopt: extra or ignored) and the timestamp format.
    void setFields(std::vector<std::optional<Field>> fields, TimestampFormat format);
    // Cells that would not read as their field, over the whole preview.
    int misfitCount() const { return m_misfits; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<std::string> misfitAt(int row, int column) const;

    std::vector<std::string> m_names;
    std::vector<std::vector<std::string>> m_rows;
    std::vector<std::optional<Field>> m_fields;
    TimestampFormat m_format = TimestampFormat::Iso8601;
    std::size_t m_firstLine = 1;
    int m_misfits = 0;
};

// Reads a CSV of another layout: delimiter, quote, header line and timestamp format (prefilled by
// the sniffer, each adjustable), a preview of the first rows re-split as they change, and above
// each column a combo choosing its schema field (or keep as extra, or ignore). Cells that would
// not read as their field are tinted, with the reason as a tooltip. OK stays disabled until every
// required field is mapped; the message line says which are missing. The preview parses only the
// sample (64 KB) on the GUI thread; the file itself is read by the worker with readOptions().
class ImportDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportDialog)

public:
    // sample: the start of the file (readCsvSample); displayName heads the dialog. initial, when
    // given (a saved mapping), is applied over the sniffer's guesses.
    ImportDialog(const QString& displayName, std::string sample, const std::optional<ReadOptions>& initial = {},
                 QWidget* parent = nullptr);
    ~ImportDialog() override;

    // The options the choices make, with every column listed in columnMap by index.
    ReadOptions readOptions() const;
    // The layout's signature as first sniffed: the key the mapping is remembered under.
    QString signature() const { return m_signature; }
    const SniffResult& sniff() const { return m_sniff; }
    // Required fields no column is mapped to, in schema order.
    QStringList missingFields() const;
    QString message() const;
    // The same import as a `webthreat analyze` command, shell-quoted, for batch runs.
    QString commandLine() const;
    bool rememberMapping() const;

    QComboBox* delimiterCombo() const { return m_delimiter; }
    QComboBox* quoteCombo() const { return m_quote; }
    QCheckBox* headerCheck() const { return m_header; }
    QComboBox* timestampCombo() const { return m_timestamp; }
    QTableView* previewView() const { return m_preview; }
    ImportPreviewModel* previewModel() const { return m_model; }
    // The field combo of a file column; nullptr past the last column.
    QComboBox* fieldCombo(int column) const;
    int columnCount() const { return static_cast<int>(m_fieldCombos.size()); }
    QPushButton* okButton() const;

    // Data values of the field combos' "keep" and "ignore" items; fields are their Field index.
    static constexpr int kKeepExtra = -1;
    static constexpr int kIgnore = -2;

    void accept() override;

private:
    void buildUi(const QString& displayName);
    // Sniffs again with what the analyst fixed, then refreshes every control from the result.
    void resniff();
    void rebuildColumns(const std::optional<ReadOptions>& mapping);
    void onFieldChosen(int column);
    void refresh(); // message line, OK button, preview tints
    // The layout controls show these settings; their change signals do not count as the user's choice.
    void showLayout(char delimiter, char quote, bool hasHeader, TimestampFormat timestampFormat);
    void setControlsFrom(const SniffResult& sniff);
    void updateDetected();
    void applyOptions(const ReadOptions& options);

    std::string m_sample;
    QString m_displayName;
    SniffResult m_sniff;
    QString m_signature;
    bool m_delimiterChosen = false;
    bool m_quoteChosen = false;
    bool m_headerChosen = false;
    bool m_timestampChosen = false;
    bool m_updating = false;

    QLabel* m_detected = nullptr;
    QComboBox* m_delimiter = nullptr;
    QComboBox* m_quote = nullptr;
    QCheckBox* m_header = nullptr;
    QComboBox* m_timestamp = nullptr;
    QTableView* m_preview = nullptr;
    MappingHeader* m_mappingHeader = nullptr;
    ImportPreviewModel* m_model = nullptr;
    QList<QComboBox*> m_fieldCombos;
    QLabel* m_message = nullptr;
    QLineEdit* m_command = nullptr;
    QCheckBox* m_remember = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

// Mappings remembered per layout (header signature) in QSettings, group "importMappings".
std::optional<ReadOptions> savedImportOptions(const QString& signature);
void saveImportOptions(const QString& signature, const ReadOptions& options);

} // namespace webthreat

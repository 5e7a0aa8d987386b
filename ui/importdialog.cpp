#include "ui/importdialog.h"

#include "core/io/layoutflags.h"
#include "core/util/errors.h"
#include "core/util/log.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFont>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace webthreat {

namespace {

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString fieldName(Field field)
{
    return fromStd(fieldInfo(field).name);
}

// "a", "a and b", "a, b and c"
QString listed(const QStringList& names)
{
    if (names.size() <= 1)
        return names.join(QString());
    return QStringList(names.mid(0, names.size() - 1)).join(QStringLiteral(", ")) + QObject::tr(" and ") + names.last();
}

struct Choice {
    const char* label;
    char value;
};
constexpr Choice kDelimiterChoices[]
    = {{"Comma  ,", ','}, {"Semicolon  ;", ';'}, {"Tab", '\t'}, {"Pipe  |", '|'}, {"Space", ' '}};
constexpr Choice kQuoteChoices[] = {{"Double quote  \"", '"'}, {"Single quote  '", '\''}, {"None", '\0'}};

void selectData(QComboBox* combo, int value)
{
    const int index = combo->findData(value);
    if (index >= 0)
        combo->setCurrentIndex(index);
}

} // namespace

// --- Preview model ----------------------------------------------------------------------------

ImportPreviewModel::ImportPreviewModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ImportPreviewModel::setPreview(std::vector<std::string> names, std::vector<std::vector<std::string>> rows,
                                    std::size_t firstLine)
{
    beginResetModel();
    m_names = std::move(names);
    m_rows = std::move(rows);
    m_firstLine = firstLine;
    m_fields.assign(m_names.size(), std::nullopt);
    m_misfits = 0;
    endResetModel();
}

void ImportPreviewModel::setFields(std::vector<std::optional<Field>> fields, TimestampFormat format)
{
    m_fields = std::move(fields);
    m_fields.resize(m_names.size());
    m_format = format;
    m_misfits = 0;
    for (int row = 0; row < rowCount(); ++row) {
        for (int column = 0; column < columnCount(); ++column)
            m_misfits += misfitAt(row, column).has_value();
    }
    if (rowCount() > 0 && columnCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

std::optional<std::string> ImportPreviewModel::misfitAt(int row, int column) const
{
    const auto& cells = m_rows[static_cast<std::size_t>(row)];
    if (cells.size() != m_names.size())
        return std::nullopt; // the whole row is skipped, said on the row itself
    const auto& field = m_fields[static_cast<std::size_t>(column)];
    if (!field)
        return std::nullopt;
    return misfit(*field, cells[static_cast<std::size_t>(column)], m_format);
}

int ImportPreviewModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ImportPreviewModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_names.size());
}

QVariant ImportPreviewModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const auto& cells = m_rows[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<std::size_t>(index.column());
    const bool wrongWidth = cells.size() != m_names.size();
    switch (role) {
    case Qt::DisplayRole:
        return column < cells.size() ? fromStd(cells[column]) : QVariant();
    case Qt::ToolTipRole:
    case MisfitRole: {
        if (wrongWidth)
            return role == MisfitRole
                ? QVariant(QString())
                : QVariant(
                    tr("This row has %1 fields, not %2: it will be skipped.").arg(cells.size()).arg(m_names.size()));
        const auto reason = misfitAt(index.row(), index.column());
        if (!reason && role == Qt::ToolTipRole && m_fields[column]
            && fieldInfo(*m_fields[column]).kind == ColumnKind::Timestamp) {
            // How the chosen format reads it, so a day/month swap shows before importing.
            if (const auto instant = parseTimestamp(cells[column], m_format))
                return tr("Read as %1 (UTC)").arg(QString::fromStdString(formatTimestamp(*instant)));
        }
        if (!reason)
            return role == MisfitRole ? QVariant(QString()) : QVariant();
        const bool keptAsText = fieldInfo(*m_fields[column]).kind == ColumnKind::Text;
        return (keptAsText ? tr("'%1' is %2: it is kept as text and counted in the report.")
                           : tr("'%1' is %2: it will be read as missing."))
            .arg(fromStd(cells[column]), fromStd(*reason));
    }
    case Qt::BackgroundRole:
        if (wrongWidth)
            return QColor(128, 128, 128, 60);
        if (misfitAt(index.row(), index.column()))
            return QColor(230, 50, 40, 70); // translucent: readable on light and dark palettes
        return {};
    case Qt::ForegroundRole:
        if (m_fields[column] == std::nullopt && !wrongWidth)
            return QColor(128, 128, 128); // not read into the schema
        return {};
    default:
        return {};
    }
}

QVariant ImportPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return QString::number(m_firstLine + static_cast<std::size_t>(section));
    if (section < 0 || static_cast<std::size_t>(section) >= m_names.size())
        return {};
    return fromStd(m_names[static_cast<std::size_t>(section)]);
}

// --- Header with a field combo under each column's name ----------------------------------------

class MappingHeader : public QHeaderView {
public:
    explicit MappingHeader(QWidget* parent)
        : QHeaderView(Qt::Horizontal, parent)
    {
        setDefaultAlignment(Qt::AlignLeft | Qt::AlignTop);
        setSectionsClickable(false);
        setHighlightSections(false);
        connect(this, &QHeaderView::sectionResized, this, [this] { placeCombos(); });
        connect(this, &QHeaderView::geometriesChanged, this, [this] { placeCombos(); });
    }

    void setCombos(const QList<QComboBox*>& combos)
    {
        m_combos = combos;
        for (QComboBox* combo : combos) {
            combo->setParent(viewport());
            combo->show();
        }
        updateGeometry();
        placeCombos();
    }

    QSize sizeHint() const override
    {
        QSize size = QHeaderView::sizeHint();
        if (!m_combos.isEmpty())
            size.setHeight(fontMetrics().height() + 10 + m_combos.front()->sizeHint().height());
        return size;
    }

    void placeCombos()
    {
        for (int i = 0; i < m_combos.size(); ++i) {
            QComboBox* combo = m_combos[i];
            if (i >= count()) {
                combo->hide();
                continue;
            }
            const int height = combo->sizeHint().height();
            combo->setGeometry(sectionViewportPosition(i) + 2, viewport()->height() - height - 3, sectionSize(i) - 4,
                               height);
        }
    }

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        QHeaderView::resizeEvent(event);
        placeCombos();
    }

private:
    QList<QComboBox*> m_combos;
};

// --- Dialog -----------------------------------------------------------------------------------

ImportDialog::ImportDialog(const QString& displayName, std::string sample, const std::optional<ReadOptions>& initial,
                           QWidget* parent)
    : QDialog(parent)
    , m_sample(std::move(sample))
    , m_displayName(displayName)
{
    m_sniff = sniffCsvText(m_sample, {}, displayName.toStdString());
    m_signature = QString::fromStdString(m_sniff.headerSignature);
    buildUi(displayName);
    setControlsFrom(m_sniff);
    if (initial)
        applyOptions(*initial);
    else
        rebuildColumns(std::nullopt);
}

ImportDialog::~ImportDialog() = default;

void ImportDialog::buildUi(const QString& displayName)
{
    setWindowTitle(tr("Import CSV - %1").arg(displayName));
    auto* layout = new QVBoxLayout(this);

    auto* intro = new QLabel(tr("Check how <b>%1</b> is split, and choose above each column the schema field it "
                                "holds. The guesses come from the first 64 KB of the file.")
                                 .arg(displayName.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QGridLayout;
    m_delimiter = new QComboBox(this);
    m_delimiter->setObjectName(QStringLiteral("delimiter"));
    for (const Choice& choice : kDelimiterChoices)
        m_delimiter->addItem(tr(choice.label), int(choice.value));
    m_quote = new QComboBox(this);
    m_quote->setObjectName(QStringLiteral("quote"));
    for (const Choice& choice : kQuoteChoices)
        m_quote->addItem(tr(choice.label), int(choice.value));
    m_header = new QCheckBox(tr("First line is a &header"), this);
    m_header->setObjectName(QStringLiteral("hasHeader"));
    m_timestamp = new QComboBox(this);
    m_timestamp->setObjectName(QStringLiteral("timestampFormat"));
    for (std::size_t i = 0; i < kTimestampFormatCount; ++i)
        m_timestamp->addItem(fromStd(timestampFormatLabel(static_cast<TimestampFormat>(i))), int(i));
    auto* delimiterLabel = new QLabel(tr("&Delimiter:"), this);
    delimiterLabel->setBuddy(m_delimiter);
    auto* quoteLabel = new QLabel(tr("&Quote:"), this);
    quoteLabel->setBuddy(m_quote);
    auto* timestampLabel = new QLabel(tr("&Timestamps:"), this);
    timestampLabel->setBuddy(m_timestamp);
    form->addWidget(delimiterLabel, 0, 0);
    form->addWidget(m_delimiter, 0, 1);
    form->addWidget(quoteLabel, 0, 2);
    form->addWidget(m_quote, 0, 3);
    form->addWidget(m_header, 0, 4);
    form->addWidget(timestampLabel, 0, 5);
    form->addWidget(m_timestamp, 0, 6);
    form->setColumnStretch(7, 1);
    layout->addLayout(form);

    m_detected = new QLabel(this);
    m_detected->setObjectName(QStringLiteral("detected"));
    m_detected->setWordWrap(true);
    m_detected->setTextFormat(Qt::PlainText);
    layout->addWidget(m_detected);

    m_model = new ImportPreviewModel(this);
    m_preview = new QTableView(this);
    m_preview->setObjectName(QStringLiteral("preview"));
    m_mappingHeader = new MappingHeader(m_preview);
    m_preview->setHorizontalHeader(m_mappingHeader);
    m_preview->setModel(m_model);
    m_preview->setSelectionMode(QAbstractItemView::NoSelection);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setWordWrap(false);
    m_preview->verticalHeader()->setDefaultSectionSize(m_preview->fontMetrics().height() + 6);
    m_preview->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    connect(m_preview->horizontalScrollBar(), &QScrollBar::valueChanged, this,
            [this] { m_mappingHeader->placeCombos(); });
    layout->addWidget(m_preview, 1);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText);
    layout->addWidget(m_message);

    auto* commandRow = new QHBoxLayout;
    auto* commandLabel = new QLabel(tr("Command &line:"), this);
    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("commandLine"));
    m_command->setReadOnly(true);
    m_command->setToolTip(tr("The same import for a batch run with the webthreat command"));
    commandLabel->setBuddy(m_command);
    commandRow->addWidget(commandLabel);
    commandRow->addWidget(m_command, 1);
    layout->addLayout(commandRow);

    auto* bottom = new QHBoxLayout;
    m_remember = new QCheckBox(tr("&Remember this mapping for files with the same header"), this);
    m_remember->setObjectName(QStringLiteral("remember"));
    m_remember->setChecked(true);
    bottom->addWidget(m_remember, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Import"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    bottom->addWidget(m_buttons);
    layout->addLayout(bottom);

    // A layout choice the user makes is kept, and the file sniffed again around it.
    const auto userChose = [this](bool& chosen) {
        return [this, &chosen] {
            if (m_updating)
                return;
            chosen = true;
            resniff();
        };
    };
    connect(m_delimiter, &QComboBox::currentIndexChanged, this, userChose(m_delimiterChosen));
    connect(m_quote, &QComboBox::currentIndexChanged, this, userChose(m_quoteChosen));
    connect(m_header, &QCheckBox::toggled, this, userChose(m_headerChosen));
    connect(m_timestamp, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_timestampChosen = true;
        updateDetected();
        refresh();
    });
    resize(1080, 620);
}

void ImportDialog::showLayout(char delimiter, char quote, bool hasHeader, TimestampFormat timestampFormat)
{
    m_updating = true;
    if (m_delimiter->findData(int(delimiter)) < 0)
        m_delimiter->addItem(tr("Other  %1").arg(QChar::fromLatin1(delimiter)), int(delimiter));
    selectData(m_delimiter, int(delimiter));
    selectData(m_quote, int(quote));
    m_header->setChecked(hasHeader);
    selectData(m_timestamp, int(timestampFormat));
    m_updating = false;
}

void ImportDialog::setControlsFrom(const SniffResult& sniff)
{
    showLayout(sniff.delimiter, sniff.quote, sniff.hasHeader, sniff.timestampFormat);

    m_delimiter->setToolTip(QString::fromStdString(sniff.delimiterGuess.reason));
    m_quote->setToolTip(QString::fromStdString(sniff.quoteGuess.reason));
    m_header->setToolTip(QString::fromStdString(sniff.headerGuess.reason));
    m_timestamp->setToolTip(QString::fromStdString(sniff.timestampGuess.reason));
    updateDetected();
}

void ImportDialog::updateDetected()
{
    // Only what is still a guess: a choice the analyst made needs no explaining.
    QStringList lines;
    if (!m_delimiterChosen)
        lines << tr("Delimiter: %1.").arg(QString::fromStdString(m_sniff.delimiterGuess.reason));
    if (!m_headerChosen)
        lines << tr("Header: %1.").arg(QString::fromStdString(m_sniff.headerGuess.reason));
    if (!m_timestampChosen)
        lines << tr("Timestamps: %1.").arg(QString::fromStdString(m_sniff.timestampGuess.reason));
    m_detected->setText(lines.join(QLatin1Char('\n')));
    m_detected->setVisible(!lines.isEmpty());
}

void ImportDialog::resniff()
{
    SniffParams params;
    if (m_delimiterChosen)
        params.delimiterOverride = static_cast<char>(m_delimiter->currentData().toInt());
    if (m_quoteChosen)
        params.quoteOverride = static_cast<char>(m_quote->currentData().toInt());
    if (m_headerChosen)
        params.hasHeaderOverride = m_header->isChecked();
    if (m_timestampChosen)
        params.timestampFormatOverride = static_cast<TimestampFormat>(m_timestamp->currentData().toInt());
    try {
        m_sniff = sniffCsvText(m_sample, params);
    } catch (const Error& error) {
        // The sample sniffed once already; a choice that cannot split it is said, not fatal.
        m_message->setText(tr("Cannot split the file this way: %1").arg(QString::fromStdString(error.what())));
        return;
    }
    setControlsFrom(m_sniff);
    rebuildColumns(std::nullopt);
}

void ImportDialog::rebuildColumns(const std::optional<ReadOptions>& mapping)
{
    std::vector<std::string> names;
    for (const auto& column : m_sniff.columns)
        names.push_back(column.name);
    m_model->setPreview(names, m_sniff.rows, m_sniff.hasHeader ? 2 : 1);

    qDeleteAll(m_fieldCombos);
    m_fieldCombos.clear();
    for (std::size_t c = 0; c < m_sniff.columns.size(); ++c) {
        const SniffedColumn& column = m_sniff.columns[c];
        auto* combo = new QComboBox;
        combo->setObjectName(QStringLiteral("field_%1").arg(c + 1));
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        combo->addItem(tr("Keep as extra column"), kKeepExtra);
        combo->addItem(tr("Ignore"), kIgnore);
        combo->insertSeparator(2);
        for (Field field : allFields())
            combo->addItem(fieldInfo(field).required ? tr("%1 *").arg(fieldName(field)) : fieldName(field),
                           static_cast<int>(field));
        int choice = column.field ? static_cast<int>(*column.field) : kKeepExtra;
        if (mapping) {
            choice = kKeepExtra;
            for (const ColumnMapping& entry : mapping->columnMap) {
                const bool matches = entry.index == c
                    || (entry.index == ColumnMapping::kByName
                        && QString::fromStdString(entry.header)
                                .compare(QString::fromStdString(column.name), Qt::CaseInsensitive)
                            == 0);
                if (!matches)
                    continue;
                choice = entry.action == ColumnMapping::Action::ToField ? static_cast<int>(entry.field)
                    : entry.action == ColumnMapping::Action::Ignore     ? kIgnore
                                                                        : kKeepExtra;
            }
        }
        selectData(combo, choice);
        QString tip = QString::fromStdString(column.fieldGuess.reason);
        if (!column.examples.empty()) {
            QStringList examples;
            for (const auto& example : column.examples)
                examples << fromStd(example);
            tip += tr("\nExamples: %1").arg(examples.join(QStringLiteral(", ")));
        }
        combo->setToolTip(tr("Guess (%1% sure): %2").arg(qRound(column.fieldGuess.confidence * 100)).arg(tip));
        const int index = static_cast<int>(c);
        connect(combo, &QComboBox::currentIndexChanged, this, [this, index] { onFieldChosen(index); });
        m_fieldCombos.push_back(combo);
    }
    m_mappingHeader->setCombos(m_fieldCombos);
    // Wide enough for the combo and the column's values, but a long text column does not take
    // the whole view.
    m_preview->resizeColumnsToContents();
    for (int c = 0; c < m_fieldCombos.size(); ++c) {
        const int content = std::min(m_mappingHeader->sectionSize(c), 260);
        const QString name = m_model->headerData(c, Qt::Horizontal).toString();
        const int title = m_mappingHeader->fontMetrics().horizontalAdvance(name) + 12;
        m_mappingHeader->resizeSection(c, std::max({content, title, m_fieldCombos[c]->sizeHint().width() + 6}));
    }
    m_preview->updateGeometry();
    m_mappingHeader->placeCombos();
    refresh();
}

void ImportDialog::onFieldChosen(int column)
{
    const int chosen = m_fieldCombos[column]->currentData().toInt();
    if (chosen >= 0) {
        // One column per field: the column that had it before is kept as an extra instead.
        for (int other = 0; other < m_fieldCombos.size(); ++other) {
            if (other != column && m_fieldCombos[other]->currentData().toInt() == chosen) {
                QSignalBlocker blocker(m_fieldCombos[other]);
                selectData(m_fieldCombos[other], kKeepExtra);
            }
        }
    }
    refresh();
}

void ImportDialog::refresh()
{
    std::vector<std::optional<Field>> fields;
    for (QComboBox* combo : m_fieldCombos) {
        const int value = combo->currentData().toInt();
        fields.push_back(value >= 0 ? std::optional<Field>(static_cast<Field>(value)) : std::nullopt);
    }
    m_model->setFields(std::move(fields), static_cast<TimestampFormat>(m_timestamp->currentData().toInt()));
    const bool complete = missingFields().isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(complete);
    m_message->setText(message());
    m_command->setText(commandLine());
    m_command->setCursorPosition(0);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText,
                     complete ? this->palette().color(QPalette::WindowText) : QColor(200, 40, 30));
    m_message->setPalette(palette);
    QFont font = m_message->font();
    font.setBold(!complete);
    m_message->setFont(font);
}

QStringList ImportDialog::missingFields() const
{
    QStringList missing;
    for (Field field : allFields()) {
        if (!fieldInfo(field).required)
            continue;
        const bool mapped = std::any_of(m_fieldCombos.begin(), m_fieldCombos.end(), [&](QComboBox* combo) {
            return combo->currentData().toInt() == static_cast<int>(field);
        });
        if (!mapped)
            missing << fieldName(field);
    }
    return missing;
}

QString ImportDialog::message() const
{
    const QStringList missing = missingFields();
    if (!missing.isEmpty())
        return (missing.size() == 1 ? tr("Map a column to %1 (fields marked * are required).")
                                    : tr("Map columns to %1 (fields marked * are required)."))
            .arg(listed(missing));
    int mapped = 0, extra = 0, ignored = 0;
    for (QComboBox* combo : m_fieldCombos) {
        const int value = combo->currentData().toInt();
        mapped += value >= 0;
        extra += value == kKeepExtra;
        ignored += value == kIgnore;
    }
    QString text = tr("Ready: %1 column(s) read into the schema, %2 kept as extra, %3 ignored.")
                       .arg(mapped)
                       .arg(extra)
                       .arg(ignored);
    if (m_model->misfitCount() > 0)
        text += tr(" %1 preview cell(s) do not read as their field (tinted; hover for why).")
                    .arg(m_model->misfitCount());
    if (m_sniff.timestampAmbiguous && !m_timestampChosen)
        text += tr(" The dates could be day/month or month/day: check the timestamp format.");
    return text;
}

namespace {
// Single quotes for a POSIX shell, only where needed.
QString shellQuoted(const QString& text)
{
    static const QString plain = QStringLiteral(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=+@%"); // no #: it starts a comment
    const bool safe
        = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) { return plain.contains(c); });
    if (safe)
        return text;
    if (text == QLatin1String("'"))
        return QStringLiteral("\"'\"");
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}
} // namespace

QString ImportDialog::commandLine() const
{
    // The flags come from core (layoutflags), which also parses them for `webthreat analyze`.
    const CsvLayout layout = layoutOf(readOptions(), m_sniff.columns);
    QStringList words{QStringLiteral("webthreat"), QStringLiteral("analyze"), shellQuoted(m_displayName)};
    for (const std::string& word : layoutToFlags(layout))
        words << shellQuoted(QString::fromStdString(word));
    return words.join(QLatin1Char(' '));
}

QComboBox* ImportDialog::fieldCombo(int column) const
{
    return column >= 0 && column < m_fieldCombos.size() ? m_fieldCombos[column] : nullptr;
}

QPushButton* ImportDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

bool ImportDialog::rememberMapping() const
{
    return m_remember->isChecked();
}

ReadOptions ImportDialog::readOptions() const
{
    ReadOptions options;
    options.delimiter = static_cast<char>(m_delimiter->currentData().toInt());
    options.quote = static_cast<char>(m_quote->currentData().toInt());
    options.hasHeader = m_header->isChecked();
    options.timestampFormat = static_cast<TimestampFormat>(m_timestamp->currentData().toInt());
    for (int c = 0; c < m_fieldCombos.size(); ++c) {
        const int value = m_fieldCombos[c]->currentData().toInt();
        ColumnMapping mapping;
        mapping.index = static_cast<std::size_t>(c);
        if (value >= 0)
            mapping.field = static_cast<Field>(value);
        else
            mapping.action = value == kIgnore ? ColumnMapping::Action::Ignore : ColumnMapping::Action::Extra;
        options.columnMap.push_back(mapping);
    }
    return options;
}

void ImportDialog::applyOptions(const ReadOptions& options)
{
    showLayout(options.delimiter, options.quote, options.hasHeader, options.timestampFormat);
    m_delimiterChosen = m_quoteChosen = m_headerChosen = m_timestampChosen = true;
    SniffParams params;
    params.delimiterOverride = options.delimiter;
    params.quoteOverride = options.quote;
    params.hasHeaderOverride = options.hasHeader;
    params.timestampFormatOverride = options.timestampFormat;
    try {
        m_sniff = sniffCsvText(m_sample, params);
    } catch (const Error&) {
        // The saved options do not fit this file after all: keep the guesses.
        m_delimiterChosen = m_quoteChosen = m_headerChosen = m_timestampChosen = false;
        setControlsFrom(m_sniff);
        rebuildColumns(std::nullopt);
        return;
    }
    setControlsFrom(m_sniff);
    m_detected->setText(tr("Using the mapping saved for this layout; change anything below."));
    m_detected->setVisible(true);
    rebuildColumns(options);
}

void ImportDialog::accept()
{
    const ReadOptions options = readOptions();
    try {
        options.validate();
    } catch (const ParameterError& error) {
        m_message->setText(QString::fromStdString(error.what()));
        return;
    }
    if (rememberMapping())
        saveImportOptions(m_signature, options);
    QDialog::accept();
}

// --- Remembered mappings ------------------------------------------------------------------------

namespace {
const QString kMappingsGroup = QStringLiteral("importMappings/");
}

std::optional<ReadOptions> savedImportOptions(const QString& signature)
{
    QSettings settings;
    settings.beginGroup(kMappingsGroup + signature);
    if (!settings.contains(QStringLiteral("columns")))
        return std::nullopt;
    ReadOptions options;
    options.delimiter = static_cast<char>(settings.value(QStringLiteral("delimiter"), int(',')).toInt());
    options.quote = static_cast<char>(settings.value(QStringLiteral("quote"), int('"')).toInt());
    options.hasHeader = settings.value(QStringLiteral("hasHeader"), true).toBool();
    const auto format
        = timestampFormatByName(settings.value(QStringLiteral("timestampFormat")).toString().toStdString());
    options.timestampFormat = format.value_or(TimestampFormat::Iso8601);
    // "3=src_ip", "4=extra", "5=ignore": by column index, as the dialog wrote them.
    for (const QString& entry : settings.value(QStringLiteral("columns")).toStringList()) {
        const auto equals = entry.indexOf(QLatin1Char('='));
        bool ok = false;
        const int index = entry.left(equals).toInt(&ok);
        if (equals < 0 || !ok || index < 0)
            return std::nullopt;
        const QString target = entry.mid(equals + 1);
        ColumnMapping mapping;
        mapping.index = static_cast<std::size_t>(index);
        if (target == QLatin1String("extra"))
            mapping.action = ColumnMapping::Action::Extra;
        else if (target == QLatin1String("ignore"))
            mapping.action = ColumnMapping::Action::Ignore;
        else if (auto field = fieldForHeader(target.toStdString()))
            mapping.field = *field;
        else
            return std::nullopt;
        options.columnMap.push_back(mapping);
    }
    try {
        options.validate();
    } catch (const ParameterError& error) {
        logger::get("ui")->warn("ignoring the saved import mapping {}: {}", signature.toStdString(), error.what());
        return std::nullopt;
    }
    return options;
}

void saveImportOptions(const QString& signature, const ReadOptions& options)
{
    QStringList columns;
    for (const ColumnMapping& mapping : options.columnMap) {
        const QString target = mapping.action == ColumnMapping::Action::Extra ? QStringLiteral("extra")
            : mapping.action == ColumnMapping::Action::Ignore                 ? QStringLiteral("ignore")
                                                                              : fieldName(mapping.field);
        columns << QStringLiteral("%1=%2").arg(mapping.index).arg(target);
    }
    QSettings settings;
    settings.beginGroup(kMappingsGroup + signature);
    settings.setValue(QStringLiteral("delimiter"), int(options.delimiter));
    settings.setValue(QStringLiteral("quote"), int(options.quote));
    settings.setValue(QStringLiteral("hasHeader"), options.hasHeader);
    settings.setValue(QStringLiteral("timestampFormat"), fromStd(timestampFormatName(options.timestampFormat)));
    settings.setValue(QStringLiteral("columns"), columns);
}

} // namespace webthreat

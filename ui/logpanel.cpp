#include "ui/logpanel.h"

#include "ui/palettechoice.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

namespace webthreat {

namespace {

QTextCharFormat formatFor(spdlog::level::level_enum level, const QPalette& palette)
{
    QTextCharFormat format;
    const bool dark = isDarkPalette(palette);
    // Colours chosen per background so that a warning stands out on both light and dark themes
    // without shouting; errors are bold as well, for readers who do not tell the colours apart.
    switch (level) {
    case spdlog::level::warn:
        format.setForeground(dark ? QColor(0xff, 0xc0, 0x5c) : QColor(0x95, 0x55, 0x00));
        break;
    case spdlog::level::err:
    case spdlog::level::critical:
        format.setForeground(dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xb0, 0x00, 0x20));
        format.setFontWeight(QFont::Bold);
        break;
    case spdlog::level::debug:
    case spdlog::level::trace:
        format.setForeground(palette.color(QPalette::PlaceholderText));
        break;
    default:
        format.setForeground(palette.color(QPalette::Text));
        break;
    }
    return format;
}

} // namespace

LogPanel::LogPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    auto* showLabel = new QLabel(tr("&Show:"), this);
    m_levelFilter = new QComboBox(this);
    m_levelFilter->setObjectName(QStringLiteral("logLevelFilter"));
    m_levelFilter->setToolTip(tr("The least severe messages shown"));
    showLabel->setBuddy(m_levelFilter);
    m_clearButton = new QPushButton(tr("C&lear"), this);
    m_clearButton->setObjectName(QStringLiteral("logClear"));
    m_clearButton->setToolTip(tr("Empty the panel (the log file keeps everything)"));
    m_copyButton = new QPushButton(tr("&Copy"), this);
    m_copyButton->setObjectName(QStringLiteral("logCopy"));
    m_copyButton->setToolTip(tr("Copy the selected lines, or every line shown, to the clipboard"));
    bar->addWidget(showLabel);
    bar->addWidget(m_levelFilter);
    bar->addStretch();
    bar->addWidget(m_clearButton);
    bar->addWidget(m_copyButton);
    layout->addLayout(bar);

    m_view = new QPlainTextEdit(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setReadOnly(true);
    m_view->setUndoRedoEnabled(false);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setMaximumBlockCount(kMaxLines);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_view, 1);

    updateLevelChoices();
    connect(m_levelFilter, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            setMinimumLevel(static_cast<spdlog::level::level_enum>(m_levelFilter->itemData(index).toInt()));
    });
    connect(m_clearButton, &QPushButton::clicked, this, &LogPanel::clear);
    connect(m_copyButton, &QPushButton::clicked, this, &LogPanel::copyToClipboard);
    setRelay(nullptr);
}

LogPanel::~LogPanel() = default;

void LogPanel::setRelay(LogRelay* relay)
{
    if (m_connection)
        disconnect(m_connection);
    m_relay = relay;
    m_messages.clear();
    m_lastSequence = 0;
    if (!relay) {
        m_view->clear();
        m_view->setPlaceholderText(tr("Logging is not connected to this window."));
        updateLevelChoices();
        return;
    }
    m_view->setPlaceholderText(tr("No messages yet."));
    // Queued even for messages logged on the GUI thread: appending runs from the event loop, never
    // inside spdlog's sink lock, so anything the text view itself reports (a Qt warning forwarded
    // to spdlog) cannot deadlock, and lines keep the order the sink numbered them in.
    m_connection = connect(relay, &LogRelay::messageLogged, this, &LogPanel::onMessage, Qt::QueuedConnection);
    // Connected first, history second: a message in between arrives twice and its sequence number
    // drops the second copy.
    for (const LogMessage& message : relay->history()) {
        m_messages.push_back(message);
        m_lastSequence = message.sequence;
    }
    while (m_messages.size() > static_cast<std::size_t>(kMaxLines))
        m_messages.pop_front();
    updateLevelChoices();
    rebuild();
}

void LogPanel::updateLevelChoices()
{
    const QSignalBlocker block(m_levelFilter);
    m_levelFilter->clear();
    if (m_relay && m_relay->minimumLevel() <= spdlog::level::debug)
        m_levelFilter->addItem(tr("Debug and above"), int(spdlog::level::debug));
    m_levelFilter->addItem(tr("Info and above"), int(spdlog::level::info));
    m_levelFilter->addItem(tr("Warnings and errors"), int(spdlog::level::warn));
    int index = m_levelFilter->findData(int(m_minimumLevel));
    if (index < 0) {
        m_minimumLevel = spdlog::level::info;
        index = m_levelFilter->findData(int(m_minimumLevel));
    }
    m_levelFilter->setCurrentIndex(index);
}

void LogPanel::setMinimumLevel(spdlog::level::level_enum level)
{
    if (level == m_minimumLevel)
        return;
    m_minimumLevel = level;
    const int index = m_levelFilter->findData(int(level));
    if (index >= 0) {
        const QSignalBlocker block(m_levelFilter);
        m_levelFilter->setCurrentIndex(index);
    }
    rebuild();
}

void LogPanel::onMessage(const LogMessage& message)
{
    if (message.sequence <= m_lastSequence)
        return;
    m_lastSequence = message.sequence;
    m_messages.push_back(message);
    if (m_messages.size() > static_cast<std::size_t>(kMaxLines))
        m_messages.pop_front();
    if (message.level < m_minimumLevel)
        return;
    QScrollBar* scroll = m_view->verticalScrollBar();
    // Follow new lines only when the reader is already at the end, not while they read back.
    const bool atEnd = scroll->value() >= scroll->maximum();
    appendLine(message);
    if (atEnd)
        scroll->setValue(scroll->maximum());
}

void LogPanel::appendLine(const LogMessage& message)
{
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_view->document()->isEmpty())
        cursor.insertBlock();
    // insertText never interprets markup: "<b>x</b>" in a file name stays those eight characters.
    cursor.insertText(formatLine(message), formatFor(message.level, m_view->palette()));
}

void LogPanel::rebuild()
{
    m_view->clear();
    for (const LogMessage& message : m_messages) {
        if (message.level >= m_minimumLevel)
            appendLine(message);
    }
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
}

void LogPanel::clear()
{
    m_messages.clear();
    m_view->clear();
}

void LogPanel::copyToClipboard() const
{
    const QString selected = m_view->textCursor().selection().toPlainText();
    QApplication::clipboard()->setText(selected.isEmpty() ? m_view->toPlainText() : selected);
}

void LogPanel::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_view)
        rebuild();
}

QString LogPanel::levelName(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::trace:
        return QStringLiteral("TRACE");
    case spdlog::level::debug:
        return QStringLiteral("DEBUG");
    case spdlog::level::info:
        return QStringLiteral("INFO");
    case spdlog::level::warn:
        return QStringLiteral("WARN");
    case spdlog::level::err:
        return QStringLiteral("ERROR");
    case spdlog::level::critical:
        return QStringLiteral("CRIT");
    case spdlog::level::off:
    case spdlog::level::n_levels:
        break;
    }
    return QStringLiteral("?");
}

QString LogPanel::formatLine(const LogMessage& message)
{
    // Fixed-width level and logger columns keep the messages aligned in the monospace view.
    return QStringLiteral("%1 %2 [%3] %4")
        .arg(message.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")),
             levelName(message.level).leftJustified(5), message.logger, message.text);
}

} // namespace webthreat

#pragma once

#include "ui/logrelay.h"

#include <QPointer>
#include <QWidget>

#include <deque>

class QComboBox;
class QPlainTextEdit;
class QPushButton;

namespace webthreat {

// The Log dock's contents: what the program has been doing (files read, rows cleaned, detector
// timings, exports), newest last. Messages arrive from a LogRelay, queued onto the GUI thread;
// the text is plain (a log line quoting a file's cell must never become markup) and capped, so a
// chatty session cannot grow the document without bound.
class LogPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogPanel)

public:
    static constexpr int kMaxLines = 5000;

    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;

    // Shows the relay's recent history, then every message it relays. nullptr disconnects.
    void setRelay(LogRelay* relay);
    LogRelay* relay() const { return m_relay; }

    // The lowest level shown: info, warn or (where the relay passes it) debug.
    void setMinimumLevel(spdlog::level::level_enum level);
    spdlog::level::level_enum minimumLevel() const { return m_minimumLevel; }

    void clear();
    void copyToClipboard() const;

    // "INFO", "WARN", "ERROR", ...: the fixed-width prefix of every line.
    static QString levelName(spdlog::level::level_enum level);
    static QString formatLine(const LogMessage& message);

    QPlainTextEdit* textView() const { return m_view; }
    QComboBox* levelFilter() const { return m_levelFilter; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void onMessage(const LogMessage& message);
    void appendLine(const LogMessage& message);
    void rebuild();
    void updateLevelChoices();

    QPointer<LogRelay> m_relay;
    QMetaObject::Connection m_connection;
    quint64 m_lastSequence = 0;
    // Everything received (capped like the view), so that changing the filter can show lines it
    // hid before.
    std::deque<LogMessage> m_messages;
    spdlog::level::level_enum m_minimumLevel = spdlog::level::info;

    QPlainTextEdit* m_view = nullptr;
    QComboBox* m_levelFilter = nullptr;
    QPushButton* m_clearButton = nullptr;
    QPushButton* m_copyButton = nullptr;
};

} // namespace webthreat

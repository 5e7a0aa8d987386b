#pragma once

#include "core/io/csvreader.h"

#include <QObject>
#include <QString>

class QWidget;

namespace webthreat {

class ImportDialog;
class WorkbenchSettings;

// Opening a CSV of another layout: a file whose layout the reader cannot take as it is gets the
// import dialog (or the mapping saved for its header) instead of a refusal.
class FileImporter : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileImporter)

public:
    // Dialogs open over window; settings give their start folder.
    FileImporter(QWidget* window, WorkbenchSettings* settings, QObject* parent = nullptr);
    ~FileImporter() override;

    // True when this took over opening path: a zip or tar archive of several files asks which one
    // (archiveMemberChooser, then openWith FILE:NAME); a file that needs a mapping opens with the
    // saved one at once (openWith, then noted), or through the dialog (openWith when accepted).
    bool offerImport(const QString& path);
    // File > Import CSV...: the import dialog for any file, prefilled with its saved mapping.
    void chooseFile();
    // Shows the import dialog for path (non-modal). Returns it, or nullptr after failed() when the
    // file cannot be sniffed.
    ImportDialog* showDialog(const QString& path);

    // What opening the last file said about its layout ("Applied the saved mapping ..."), if anything.
    QString note() const { return m_note; }
    void clearNote() { m_note.clear(); }

Q_SIGNALS:
    void openWith(const QString& path, const webthreat::ReadOptions& options);
    void noted(const QString& note);
    void failed(const QString& message);

private:
    bool offerMemberChoice(const QString& path);

    QWidget* m_window = nullptr;
    WorkbenchSettings* m_settings = nullptr;
    QString m_note;
};

} // namespace webthreat

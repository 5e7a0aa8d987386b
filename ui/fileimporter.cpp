#include "ui/fileimporter.h"

#include "core/io/archive.h"
#include "core/io/csvsniffer.h"
#include "core/util/errors.h"
#include "core/util/log.h"
#include "ui/archivememberchooser.h"
#include "ui/importdialog.h"
#include "ui/workbenchsettings.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>

namespace webthreat {

FileImporter::FileImporter(QWidget* window, WorkbenchSettings* settings, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_settings(settings)
{
}

FileImporter::~FileImporter() = default;

bool FileImporter::offerImport(const QString& path)
{
    if (path.startsWith(QLatin1String(":/")))
        return false;
    if (offerMemberChoice(path))
        return true;
    // The first 64 KB only: small enough for the GUI thread, as the dialog's preview is.
    const ImportCheck check = checkImport(path.toStdString());
    if (!check.needsImport)
        return false;
    logger::get("ui")->info("{} needs an import mapping: {}", path.toStdString(), check.why);
    if (const auto saved = savedImportOptions(QString::fromStdString(check.sniff.headerSignature))) {
        Q_EMIT openWith(path, *saved);
        logger::get("ui")->info("applied the saved import mapping {} to {}", check.sniff.headerSignature,
                                path.toStdString());
        m_note = tr("Applied the saved mapping for this layout \u2014 File \u25B8 Import CSV\u2026 to change it");
        Q_EMIT noted(m_note);
        return true;
    }
    showDialog(path);
    return true;
}

bool FileImporter::offerMemberChoice(const QString& path)
{
    std::vector<ArchiveMember> members;
    // A zip's list is its central directory, a plain tar's its headers (skipped by seeking): both
    // are quick. A compressed tar is decompressed once to list it, which takes a moment for a large
    // one: the cursor says so.
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        members = listArchiveMembers(path.toStdString());
    } catch (const Error&) {
        // A corrupt archive: the reader says so in its own words.
    }
    QGuiApplication::restoreOverrideCursor();
    if (members.size() < 2)
        return false;
    logger::get("ui")->info("{} holds {} files: asking which one to open", path.toStdString(), members.size());
    auto* chooser = new ArchiveMemberChooser(QFileInfo(path).fileName(), members, m_window);
    chooser->setAttribute(Qt::WA_DeleteOnClose);
    connect(chooser, &QDialog::accepted, this, [this, chooser, path] {
        const QString chosen = path + QLatin1Char(':') + chooser->chosenMember();
        if (!offerImport(chosen))
            Q_EMIT openWith(chosen, ReadOptions{});
    });
    chooser->open();
    return true;
}

ImportDialog* FileImporter::showDialog(const QString& path)
{
    try {
        std::string sample = readCsvSample(path.toStdString(), SniffParams{}.sampleBytes);
        const SniffResult sniff = sniffCsvText(sample, {}, path.toStdString());
        const auto saved = savedImportOptions(QString::fromStdString(sniff.headerSignature));
        auto* dialog = new ImportDialog(QFileInfo(path).fileName(), std::move(sample), saved, m_window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this,
                [this, dialog, path] { Q_EMIT openWith(path, dialog->readOptions()); });
        dialog->open();
        return dialog;
    } catch (const Error& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
        return nullptr;
    }
}

void FileImporter::chooseFile()
{
    const QString path
        = QFileDialog::getOpenFileName(m_window, tr("Import CSV"), m_settings->startFolder(),
                                       tr("CSV and text files (*.csv *.CSV *.tsv *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    m_settings->rememberFolder(path);
    showDialog(path);
}

} // namespace webthreat

#pragma once

#include "core/io/archive.h"

#include <QDialog>
#include <QString>

#include <vector>

class QTreeWidget;

namespace webthreat {

// Asks which file of a zip or tar archive to open, when it holds several: their names and sizes
// in a list, the first selected; a double click or OK opens it.
class ArchiveMemberChooser : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArchiveMemberChooser)

public:
    ArchiveMemberChooser(const QString& archiveName, const std::vector<ArchiveMember>& members,
                         QWidget* parent = nullptr);
    ~ArchiveMemberChooser() override;

    // The member's name as the archive spells it (for FILE:NAME); empty when none is selected.
    QString chosenMember() const;
    // Selects the member named name; false when the archive holds none by that name.
    bool choose(const QString& name);

private:
    QTreeWidget* m_list = nullptr;
};

} // namespace webthreat

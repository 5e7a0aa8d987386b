#include "ui/archivememberchooser.h"

#include "core/util/format.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace webthreat {

ArchiveMemberChooser::ArchiveMemberChooser(const QString& archiveName, const std::vector<ArchiveMember>& members,
                                           QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("archiveMemberChooser"));
    setWindowTitle(tr("Open a File from %1").arg(archiveName));
    auto* layout = new QVBoxLayout(this);
    auto* label
        = new QLabel(tr("%1 holds %n file(s). Which one should be opened?", nullptr, static_cast<int>(members.size()))
                         .arg(archiveName),
                     this);
    label->setWordWrap(true);
    layout->addWidget(label);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("archiveMembers"));
    m_list->setHeaderLabels({tr("File"), tr("Size")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    for (const ArchiveMember& member : members) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, QString::fromStdString(member.name));
        item->setText(1, QString::fromStdString(formatBytes(static_cast<double>(member.size))));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, Qt::UserRole, QString::fromStdString(member.name));
    }
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    if (m_list->topLevelItemCount() > 0)
        m_list->setCurrentItem(m_list->topLevelItem(0));
    layout->addWidget(m_list);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &QDialog::accept);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [buttons](QTreeWidgetItem* current) {
        buttons->button(QDialogButtonBox::Open)->setEnabled(current != nullptr);
    });
    layout->addWidget(buttons);
    resize(480, 320);
}

ArchiveMemberChooser::~ArchiveMemberChooser() = default;

QString ArchiveMemberChooser::chosenMember() const
{
    const QTreeWidgetItem* item = m_list->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

bool ArchiveMemberChooser::choose(const QString& name)
{
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (m_list->topLevelItem(row)->data(0, Qt::UserRole).toString() == name) {
            m_list->setCurrentItem(m_list->topLevelItem(row));
            return true;
        }
    }
    return false;
}

} // namespace webthreat

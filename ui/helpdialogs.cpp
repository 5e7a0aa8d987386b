#include "ui/helpdialogs.h"

#include <Eigen/Core>
#include <spdlog/version.h>

#include <QAction>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMessageBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace webthreat {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("webthreat::MainWindow", text);
}

} // namespace

void showAboutDialog(QWidget* parent)
{
    const QString text
        = tr("<h3>Web Threat Workbench %1</h3>"
             "<p>Find suspicious web-traffic interactions with an Isolation Forest: open a CSV of traffic records, "
             "clean it, explore it in charts and tables, and export the rows the detector flags.</p>"
             "<p>Built with Qt %2 (running on %3), Eigen %4.%5.%6 and spdlog %7.%8.%9.</p>"
             "<p>Licence: see the LICENSE file distributed with the program.</p>")
              .arg(QStringLiteral(WEBTHREAT_VERSION), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()))
              .arg(EIGEN_WORLD_VERSION)
              .arg(EIGEN_MAJOR_VERSION)
              .arg(EIGEN_MINOR_VERSION)
              .arg(SPDLOG_VER_MAJOR)
              .arg(SPDLOG_VER_MINOR)
              .arg(SPDLOG_VER_PATCH);
    QMessageBox::about(parent, tr("About Web Threat Workbench"), text);
}

void showShortcutsDialog(QWidget* parent, const QList<QAction*>& actions)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* table = new QTableWidget(&dialog);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (QAction* action : actions) {
        if (action->shortcut().isEmpty())
            continue;
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(action->text().remove(QLatin1Char('&'))));
        table->setItem(row, 1, new QTableWidgetItem(action->shortcut().toString(QKeySequence::NativeText)));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(420, 380);
    dialog.exec();
}

} // namespace webthreat

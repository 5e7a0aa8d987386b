#include "ui/viewwidgets.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>

namespace webthreat {

namespace {
constexpr int kMaxColumnWidth = 260;

// Ignores wheel events while the control lacks focus: QApplication then passes them on to the
// control's parents, the scroll area among them.
class FocusedWheelFilter : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Wheel) {
            auto* control = qobject_cast<QWidget*>(watched);
            if (control != nullptr && !control->hasFocus()) {
                event->ignore();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }
};
} // namespace

QTableView* makeTableView(QWidget* parent, const QString& objectName)
{
    auto* view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(false);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // Uniform rows: the view never asks a million rows for their height.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    // Column widths from the first rows only: measuring a thousand cells per column on every load
    // of a million-row file costs a tenth of a second on the GUI thread.
    view->horizontalHeader()->setResizeContentsPrecision(64);
    return view;
}

void fitColumns(QTableView* view)
{
    view->resizeColumnsToContents();
    for (int column = 0; column < view->horizontalHeader()->count(); ++column) {
        if (view->columnWidth(column) > kMaxColumnWidth)
            view->setColumnWidth(column, kMaxColumnWidth);
    }
}

QLabel* titleLabel(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLabel* selectableLabel(QWidget* parent, const QString& objectName, Qt::TextFormat format)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(format);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

void takeWheelOnlyWhenFocused(QWidget* control)
{
    control->setFocusPolicy(Qt::StrongFocus);
    control->installEventFilter(new FocusedWheelFilter(control));
}

} // namespace webthreat

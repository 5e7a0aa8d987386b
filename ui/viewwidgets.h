#pragma once

#include <QString>
#include <Qt>

class QLabel;
class QTableView;
class QWidget;

namespace webthreat {

// A read-only table view as every tab uses it: whole rows selected, uniform row heights, left
// headers, column widths measured from the first rows only.
QTableView* makeTableView(QWidget* parent, const QString& objectName);
// Columns sized to their contents, none wider than a readable maximum.
void fitColumns(QTableView* view);
// A bold line of text heading a table or a group.
QLabel* titleLabel(const QString& text, QWidget* parent);
// A wrapped label whose text the analyst can select and copy: explanations, summaries.
QLabel* selectableLabel(QWidget* parent, const QString& objectName, Qt::TextFormat format = Qt::PlainText);
// For a spin box, combo box or slider inside a panel that scrolls: the wheel changes its value only
// once the analyst has clicked or tabbed into it (Qt::StrongFocus); otherwise the wheel scrolls the
// panel, and a scroll over the control never changes a setting behind the analyst's back.
void takeWheelOnlyWhenFocused(QWidget* control);

} // namespace webthreat

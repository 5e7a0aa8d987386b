#pragma once

#include "core/triage/mark.h"

#include <QColor>
#include <QString>

namespace webthreat {

struct TableTriage;

// How a mark looks everywhere (Data, suspicious list, Entities, the scatter, reports): one colour
// per verdict, strong enough to read on the suspicious rows' tint. Malicious is a deep red,
// Benign green, Needs review amber.
QColor markColor(Mark mark);
// Text that reads on markColor(mark).
QColor markTextColor(Mark mark);
// "Malicious", "Benign (source)", "Needs review (earlier file)": the row's mark and where it comes
// from; empty when the row is not marked.
QString markText(const TableTriage& triage, std::size_t row);
// The one-key shortcut of each verdict in the Triage menu: M, B, R; clearing is 0.
QString markShortcutText(Mark mark);

} // namespace webthreat

#pragma once

#include "core/analysis/viewfilter.h"
#include "ui/analysissnapshot.h"

#include <QFrame>

#include <cstddef>

class QLabel;

namespace webthreat {

// The tinted line above the tabs while the Entities or Timeline selection narrows the rows:
// whichever tab is shown, the analyst sees that they are narrowed, which views follow, and can
// clear it.
class ViewFilterBar : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewFilterBar)

public:
    explicit ViewFilterBar(QWidget* parent = nullptr);

    // A new widget with this bar above content (for the window's central widget): whichever tab
    // content shows, the analyst sees that the rows are narrowed and can clear it.
    QWidget* placeAbove(QWidget* content);
    ~ViewFilterBar() override;

    // Says what filter keeps of snapshot's rows (shownRows of them in the Data tab, otherFilters:
    // with the tab's own filter too); hidden when the filter is inactive.
    void showFilter(const ViewFilter& filter, const AnalysisSnapshot& snapshot, std::size_t shownRows,
                    bool otherFilters);

Q_SIGNALS:
    void clearRequested();

private:
    QLabel* m_text = nullptr;
};

} // namespace webthreat

#pragma once

#include "ui/analysisview.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <vector>

class QTabWidget;
class QTimer;

namespace webthreat {

// Brings every view to the current result a part per event, the visible tab's parts first, so
// that the GUI thread answers clicks and repaints between them; shown() follows the last part.
// Nothing is captured per request: each part, when its turn comes, shows what the presenter holds
// then, so a newer result or newer verdicts simply supersede parts not yet shown.
class ResultPresenter : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultPresenter)

public:
    // tabs: its current index says which views are in front.
    explicit ResultPresenter(QTabWidget* tabs, QObject* parent = nullptr);
    ~ResultPresenter() override;

    // Views are brought up to date in the order added, after the ones on the tab in front. tab is
    // the view's index in tabs, or -1 for a dock (in view whatever the tab).
    void addView(AnalysisView* view, int tab);
    // The filter the views are told about (it must outlive the presenter).
    void setViewFilter(const ViewFilter* filter) { m_viewFilter = filter; }

    const AnalysisSnapshot& snapshot() const { return m_snapshot; }
    const LoadedFile& file() const { return m_file; }
    const QList<AnalysisView*>& views() const { return m_views; }

    // A file was loaded (new data, perhaps scores), the detector refitted the data shown, or the
    // contamination moved (new verdicts for the same scores). Each starts showing it.
    void showLoad(const AnalysisSnapshot& snapshot, LoadedFile file);
    void showDetection(const AnalysisSnapshot& snapshot);
    void showVerdicts(const AnalysisSnapshot& snapshot);
    // The analyst's marks changed: every view shows them in place (AnalysisView::updateTriage).
    void showTriage(std::shared_ptr<const TableTriage> triage);
    // The threat lists matched data (the current data or not: then nothing happens): every view
    // shows them in place (AnalysisView::updateThreatLists).
    void showThreatLists(const std::shared_ptr<const PreparedData>& data, std::shared_ptr<const ThreatMatches> matches,
                         std::shared_ptr<const ThreatFindings> findings);
    // Every part at once, without events (the window's empty views at start).
    void showAllNow();
    // Parts are still being shown (charts and tables half-way to a new result).
    bool isShowing() const;
    // part of view shows the current table's rows: row numbers from it mean the current rows.
    bool showsCurrentRows(const AnalysisView* view, int part = 0) const;

Q_SIGNALS:
    // Every part shows the current result. ready: after a load or detection; afterLoad: a load
    // among them; verdicts: after new verdicts.
    void shown(bool ready, bool afterLoad, bool verdicts);
    // New data is about to be shown (from showLoad, before any part): the triage is laid for it.
    void dataLoaded(std::shared_ptr<const webthreat::PreparedData> data,
                    std::shared_ptr<const webthreat::InputFingerprint> fingerprint);

private:
    // Every view at once, each once, with the current snapshot: a small change each shows in place.
    void tellEveryView(void (AnalysisView::*update)(const ViewUpdate&));
    struct Part {
        AnalysisView* view = nullptr;
        int index = 0; // the view's part number
        int tab = -1;
        bool valid = false;
        std::shared_ptr<const PreparedData> data;
        std::shared_ptr<const Detection> detection;
        std::shared_ptr<const Verdicts> verdicts;
        int loadGeneration = 0; // m_loadGeneration when last rebuilt
    };

    void start();
    void keepTriage(AnalysisSnapshot& snapshot) const;
    bool isStale(const Part& part) const;
    int nextStalePart() const; // -1 when every part is current
    void showPart(Part& part);
    void showNextPart();
    void finish();
    // The snapshot being replaced: its last references are dropped on a pool thread once every
    // view has let go of it (freeing a million rows' columns takes several milliseconds).
    void retire(const AnalysisSnapshot& snapshot);

    QTabWidget* m_tabs = nullptr;
    QTimer* m_timer = nullptr;
    QList<AnalysisView*> m_views;
    std::vector<Part> m_parts;
    const ViewFilter* m_viewFilter = nullptr;
    AnalysisSnapshot m_snapshot;
    LoadedFile m_file;
    std::vector<AnalysisSnapshot> m_retired;
    int m_loadGeneration = 0;
    bool m_readyPending = false; // shown(ready) when every part is current
    bool m_loadPending = false;
    bool m_verdictsPending = false;
    int m_partsShown = 0;
    QElapsedTimer m_clock;
};

} // namespace webthreat

#include "ui/resultpresenter.h"

#include "core/util/log.h"
#include "ui/backgroundtask.h"

#include <QTabWidget>
#include <QTimer>

#include <utility>

namespace webthreat {

ResultPresenter::ResultPresenter(QTabWidget* tabs, QObject* parent)
    : QObject(parent)
    , m_tabs(tabs)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(0);
    connect(m_timer, &QTimer::timeout, this, &ResultPresenter::showNextPart);
}

ResultPresenter::~ResultPresenter() = default;

void ResultPresenter::addView(AnalysisView* view, int tab)
{
    m_views << view;
    for (int index = 0; index < view->partCount(); ++index) {
        Part part;
        part.view = view;
        part.index = index;
        part.tab = tab;
        m_parts.push_back(std::move(part));
    }
}

void ResultPresenter::showLoad(const AnalysisSnapshot& snapshot, LoadedFile file)
{
    retire(m_snapshot);
    m_snapshot = snapshot;
    m_file = std::move(file);
    ++m_loadGeneration;
    m_readyPending = true;
    m_loadPending = true;
    // The triage for the new rows is laid now (showTriage), before any part is shown.
    Q_EMIT dataLoaded(m_snapshot.data, m_file.fingerprint);
    start();
}

void ResultPresenter::keepTriage(AnalysisSnapshot& snapshot) const
{
    // Results of the worker carry no triage: the marks shown stay with the rows they are on.
    if (!snapshot.triage && snapshot.data == m_snapshot.data)
        snapshot.triage = m_snapshot.triage;
    // So are the threat lists' matches (their counts follow the new verdicts when recounted).
    if (!snapshot.threatMatches && snapshot.data == m_snapshot.data) {
        snapshot.threatMatches = m_snapshot.threatMatches;
        snapshot.threatFindings = m_snapshot.threatFindings;
    }
}

void ResultPresenter::showThreatLists(const std::shared_ptr<const PreparedData>& data,
                                      std::shared_ptr<const ThreatMatches> matches,
                                      std::shared_ptr<const ThreatFindings> findings)
{
    if (data != m_snapshot.data)
        return;
    m_snapshot.threatMatches = std::move(matches);
    m_snapshot.threatFindings = std::move(findings);
    tellEveryView(&AnalysisView::updateThreatLists);
}

void ResultPresenter::showDetection(const AnalysisSnapshot& shown)
{
    AnalysisSnapshot snapshot = shown;
    keepTriage(snapshot);
    retire(m_snapshot);
    m_snapshot = snapshot;
    m_file.detectionProblem.clear();
    m_readyPending = true;
    start();
}

void ResultPresenter::showVerdicts(const AnalysisSnapshot& shown)
{
    AnalysisSnapshot snapshot = shown;
    keepTriage(snapshot);
    m_snapshot = snapshot;
    m_verdictsPending = true;
    start();
}

void ResultPresenter::showTriage(std::shared_ptr<const TableTriage> triage)
{
    m_snapshot.triage = std::move(triage);
    // Every view at once: a mark is a small change each view shows in place (a part not yet shown
    // reads the snapshot's triage when its turn comes).
    tellEveryView(&AnalysisView::updateTriage);
}

void ResultPresenter::tellEveryView(void (AnalysisView::*update)(const ViewUpdate&))
{
    const ViewFilter noFilter;
    const ViewFilter& filter = m_viewFilter ? *m_viewFilter : noFilter;
    const ViewUpdate shown{m_snapshot, m_file, filter, false, false, m_snapshot.verdicts};
    QList<AnalysisView*> told; // a view registered for several parts is told once
    for (AnalysisView* view : std::as_const(m_views)) {
        if (told.contains(view))
            continue;
        told.append(view);
        (view->*update)(shown);
    }
}

void ResultPresenter::start()
{
    if (!m_timer->isActive())
        m_clock.start();
    m_timer->start();
}

void ResultPresenter::showAllNow()
{
    for (int part = nextStalePart(); part >= 0; part = nextStalePart())
        showPart(m_parts[static_cast<std::size_t>(part)]);
    m_timer->stop();
}

bool ResultPresenter::isShowing() const
{
    return m_timer->isActive();
}

bool ResultPresenter::isStale(const Part& part) const
{
    return !part.valid || part.data != m_snapshot.data || part.detection != m_snapshot.detection
        || part.verdicts != m_snapshot.verdicts;
}

bool ResultPresenter::showsCurrentRows(const AnalysisView* view, int index) const
{
    for (const Part& part : m_parts) {
        if (part.view == view && part.index == index)
            return part.valid && part.data == m_snapshot.data;
    }
    return false;
}

int ResultPresenter::nextStalePart() const
{
    // What the analyst is looking at first (the tab in front, then the docks), then the other
    // tabs in the order their views were added.
    const int current = m_tabs->currentIndex();
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        if (m_parts[i].tab >= 0 && m_parts[i].tab == current && isStale(m_parts[i]))
            return static_cast<int>(i);
    }
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        if (isStale(m_parts[i]))
            return static_cast<int>(i);
    }
    return -1;
}

void ResultPresenter::showNextPart()
{
    const int part = nextStalePart();
    if (part >= 0) {
        QElapsedTimer timer;
        timer.start();
        showPart(m_parts[static_cast<std::size_t>(part)]);
        logger::get("ui")->trace("view part {} shown in {:.1f} ms", part,
                                 static_cast<double>(timer.nsecsElapsed()) / 1e6);
        ++m_partsShown;
    }
    if (nextStalePart() >= 0) {
        // A timer, not a posted call: the relayout and repaint this part caused, a click or a
        // key are handled before the next part.
        m_timer->start();
        return;
    }
    finish();
}

void ResultPresenter::showPart(Part& part)
{
    static const ViewFilter kNoFilter;
    const bool newData = !part.valid || part.data != m_snapshot.data;
    // New data or a new detection rebuilds the part; new verdicts alone only relabel it.
    const bool rebuild = newData || part.detection != m_snapshot.detection;
    const ViewUpdate update{m_snapshot,
                            m_file,
                            m_viewFilter ? *m_viewFilter : kNoFilter,
                            newData,
                            part.loadGeneration != m_loadGeneration,
                            part.verdicts};
    if (rebuild) {
        part.view->setSnapshot(update, part.index);
        part.loadGeneration = m_loadGeneration;
    } else {
        part.view->updateVerdicts(update, part.index);
    }
    part.valid = true;
    part.data = m_snapshot.data;
    part.detection = m_snapshot.detection;
    part.verdicts = m_snapshot.verdicts;
}

void ResultPresenter::finish()
{
    if (!m_retired.empty()) {
        // Every view has let go of the replaced data by now: free it off this thread.
        std::vector<AnalysisSnapshot> retired;
        retired.swap(m_retired);
        backgroundThreadPool()->start([retired = std::move(retired)]() mutable { retired.clear(); });
    }
    logger::get("ui")->debug("views updated in {} parts over {} ms", m_partsShown, m_clock.elapsed());
    m_partsShown = 0;
    const bool ready = std::exchange(m_readyPending, false);
    const bool load = std::exchange(m_loadPending, false);
    const bool verdicts = std::exchange(m_verdictsPending, false);
    Q_EMIT shown(ready, load, verdicts);
}

void ResultPresenter::retire(const AnalysisSnapshot& snapshot)
{
    if (snapshot.data || snapshot.detection)
        m_retired.push_back(snapshot);
}

} // namespace webthreat

#pragma once

#include "core/context/threatlist.h"
#include "ui/analysisworker.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <QThread>

#include <deque>
#include <memory>
#include <vector>

class QAction;
class QLabel;
class QMainWindow;

namespace webthreat {

class ResultPresenter;

// The analyst's threat lists in the window: the Context menu (Load Threat List..., Threat Lists...
// to see and remove them, Remove All), the lists remembered in QSettings for the next start, the
// matching of the shown data's addresses on a worker thread of its own (AnalysisWorker::
// matchThreatLists; the count again after each new verdicts), the results handed to every view
// through the presenter, and the status bar's count of suspicious rows on each list.
class ThreatListWorkflow : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThreatListWorkflow)

public:
    // Adds its menu (before Help) and status label to window; reads the remembered lists.
    ThreatListWorkflow(QMainWindow* window, ResultPresenter* presenter);
    ~ThreatListWorkflow() override;

    // What the menu entries do, for tests: read a list ("[NAME=]FILE[:COLUMN]") and add it; remove one.
    void loadList(const QString& spec);
    // The same for this session only: not remembered for the next start (--screenshot's lists).
    void loadListForSession(const QString& spec);
    // A list is being read or matched, or waits to be.
    bool busy() const { return !m_reading.isEmpty() || !m_toRead.empty() || m_job != 0; }
    void removeList(const QString& name);
    void removeAll();
    const std::vector<std::shared_ptr<const ThreatList>>& lists() const { return m_lists; }
    QList<QAction*> actions() const;
    // "Threat lists: 12 suspicious rows from 3 sources on 'abuse-ip'": the status label's text.
    QString statusText() const;

Q_SIGNALS:
    // A list could not be read: title and message (file:line:column) for the window.
    void failed(const QString& title, const QString& message);
    // The lists changed or matched the shown data again (the views have it).
    void matched();

private:
    void chooseList();
    void showListsDialog();
    void onShown(bool ready, bool afterLoad, bool verdicts);
    // Starts a job: lists to read, then match and count. now: cancel a running one (else it is
    // only noted that another must follow).
    void request(std::vector<ThreatListSpec> toRead, bool now = false);
    void onMatched(JobId job, const ThreatListResult& result);
    void onFailed(JobId job, const QString& message);
    void next();
    void remember();
    void updateStatus();

    QMainWindow* m_window = nullptr;
    ResultPresenter* m_presenter = nullptr;
    QThread m_thread;
    AnalysisWorker* m_worker = nullptr; // lives on m_thread; deleted when the thread finishes
    QAction* m_load = nullptr;
    QAction* m_manage = nullptr;
    QAction* m_removeAll = nullptr;
    QLabel* m_status = nullptr;
    std::vector<std::shared_ptr<const ThreatList>> m_lists;
    QStringList m_specs; // as remembered, in m_lists' order
    QStringList m_sessionOnly; // specs loaded with loadListForSession: never remembered
    std::deque<QString> m_toRead; // lists waiting to be read, one job each
    QString m_reading; // the spec of the job reading one, empty when none
    JobId m_lastJob = 0;
    JobId m_job = 0; // the job whose result is wanted; 0 when none runs
    CancelFlag m_cancel;
    bool m_again = false; // the shown data or verdicts changed while a job ran
    std::shared_ptr<const ThreatMatches> m_matches; // for m_matchedData, the lists as they were
    const PreparedData* m_matchedData = nullptr;
};

} // namespace webthreat

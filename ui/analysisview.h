#pragma once

#include "core/analysis/viewfilter.h"
#include "ui/analysissnapshot.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace webthreat {

class ChartView;
struct DatasetSummary;
struct InputFingerprint;

// What the last load said about its file, beside its snapshot: the Summary tab's headline and
// report, the status bar and everything exported name it.
struct LoadedFile {
    std::shared_ptr<const DatasetSummary> summary;
    std::shared_ptr<const InputFingerprint> fingerprint;
    QString path;
    QString displayName;
    QString detectionProblem; // why the detector could not run on this data, if it could not
    double seconds = 0.0;
};

// What a view is given when its turn comes to show the current result (see ResultPresenter).
struct ViewUpdate {
    const AnalysisSnapshot& snapshot;
    const LoadedFile& file;
    const ViewFilter& viewFilter;
    bool newData = false; // the part showed another table's rows (or nothing) until now
    bool afterLoad = false; // a file was loaded since the part was last rebuilt (not a refit)
    std::shared_ptr<const Verdicts> previousVerdicts; // what the part showed until now

    // New data drops the old data's row filter; one the analyst has set since, for the new data, stays.
    bool dropViewFilter() const { return newData && !viewFilter.isActive(); }
};

// The Entities and Timeline selection, as rows of the current table (one byte per row, 1 = keep).
struct SelectionRows {
    const AnalysisSnapshot& snapshot;
    const ViewFilter& filter;
    std::shared_ptr<const std::vector<std::uint8_t>> rows; // every condition; null: no filter
    std::shared_ptr<const std::vector<std::uint8_t>> periodRows; // the period alone (with aggregates); null: none
    std::shared_ptr<const std::vector<std::uint8_t>> sourceRows; // the sources alone; null: none
    QString sourcesName; // "Sessions from 10.0.0.1"
};

// A tab or dock that shows a result. A presenter brings every view to a new result a part per
// event (a table, its column widths, one chart), so the window answers between them.
class AnalysisView {
public:
    AnalysisView() = default;
    virtual ~AnalysisView() = default;
    AnalysisView(const AnalysisView&) = delete;
    AnalysisView& operator=(const AnalysisView&) = delete;

    // How many events the view takes to show a result, shown in order 0, 1, ...
    virtual int partCount() const { return 1; }
    // New data or a new detection: rebuild part.
    virtual void setSnapshot(const ViewUpdate& update, int part) = 0;
    // New verdicts for the same scores (the contamination moved): relabel part, no rebuild.
    virtual void updateVerdicts(const ViewUpdate& update, int part) = 0;
    // The analyst's marks changed (update.snapshot.triage): show them, no rebuild. Called on every
    // view at once: it must be cheap (a model's dataChanged, a chart's marked points).
    virtual void updateTriage(const ViewUpdate& update) { static_cast<void>(update); }
    // The threat lists' matches changed (update.snapshot.threatMatches, threatFindings): show them,
    // no rebuild of anything else.
    virtual void updateThreatLists(const ViewUpdate& update) { static_cast<void>(update); }
    // The Entities and Timeline selection changed what the other views show.
    virtual void setSelectionRows(const SelectionRows& filter) { static_cast<void>(filter); }
    // The charts the view draws, for exports.
    virtual QList<ChartView*> chartViews() const { return {}; }
};

} // namespace webthreat

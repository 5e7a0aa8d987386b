#include "core/analysis/datasetsummary.h"

#include "core/io/timestamp.h"
#include "core/util/format.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace webthreat {

namespace {

const char* fieldDescription(Field field)
{
    switch (field) {
    case Field::BytesIn:
        return "Bytes the server received in the session.";
    case Field::BytesOut:
        return "Bytes the server sent in the session.";
    case Field::CreationTime:
        return "When the session started (UTC).";
    case Field::EndTime:
        return "When the session ended (UTC).";
    case Field::SrcIp:
        return "The client's IP address.";
    case Field::SrcIpCountryCode:
        return "The client's country (ISO code), upper-cased by cleaning.";
    case Field::Protocol:
        return "The application protocol (HTTPS, HTTP, ...).";
    case Field::ResponseCode:
        return "The HTTP response code.";
    case Field::DstPort:
        return "The server port the client connected to.";
    case Field::DstIp:
        return "The server's IP address.";
    case Field::RuleNames:
        return "The detection rule that flagged the record.";
    case Field::ObservationName:
        return "What the rule observed.";
    case Field::SourceMeta:
        return "Where the record came from (log source metadata).";
    case Field::SourceName:
        return "The log source's name.";
    case Field::Time:
        return "When the record was logged (UTC).";
    case Field::DetectionTypes:
        return "The kind of detection (waf_rule, ...).";
    }
    return "";
}

// pandas' median: the mean of the two middle values for an even count.
template <typename T>
double medianOfSorted(const std::vector<T>& sorted)
{
    const std::size_t n = sorted.size();
    if (n % 2 == 1)
        return static_cast<double>(sorted[n / 2]);
    return (static_cast<double>(sorted[n / 2 - 1]) + static_cast<double>(sorted[n / 2])) / 2.0;
}

template <typename T>
void describeSorted(ColumnSummary& summary, std::vector<T>& values, double scale)
{
    summary.present = values.size();
    if (values.empty())
        return;
    std::sort(values.begin(), values.end());
    summary.numeric = true;
    summary.minimum = static_cast<double>(values.front()) / scale;
    summary.maximum = static_cast<double>(values.back()) / scale;
    summary.median = medianOfSorted(values) / scale;
    summary.distinct = static_cast<std::size_t>(std::unique(values.begin(), values.end()) - values.begin());
}

ColumnSummary summarizeColumn(const TrafficTable& table, const Column& column, const Progress& progress)
{
    ColumnSummary summary;
    summary.name = column.name;
    summary.type = std::string(columnKindName(column.kind));
    const std::size_t rows = column.size();
    switch (column.kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp: {
        std::vector<std::int64_t> values;
        values.reserve(rows);
        for (std::int64_t value : column.integers) {
            if (value != kMissingInteger)
                values.push_back(value);
        }
        progress.check();
        summary.timestamp = column.kind == ColumnKind::Timestamp;
        describeSorted(summary, values, summary.timestamp ? static_cast<double>(kMicrosPerSecond) : 1.0);
        break;
    }
    case ColumnKind::Real: {
        std::vector<double> values;
        values.reserve(rows);
        for (double value : column.reals) {
            if (!std::isnan(value))
                values.push_back(value);
        }
        progress.check();
        describeSorted(summary, values, 1.0);
        break;
    }
    case ColumnKind::Text: {
        // Counting by interned id is one array increment a row, however long the strings are.
        std::vector<std::size_t> counts(table.strings->size(), 0);
        for (std::uint32_t id : column.text)
            ++counts[id];
        progress.check();
        summary.present = rows - counts[StringPool::kMissing];
        std::vector<std::uint32_t> seen;
        for (std::uint32_t id = 1; id < counts.size(); ++id) {
            if (counts[id] > 0)
                seen.push_back(id);
        }
        summary.distinct = seen.size();
        const std::size_t top = std::min<std::size_t>(3, seen.size());
        std::partial_sort(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(top), seen.end(),
                          [&counts](std::uint32_t a, std::uint32_t b) {
                              return counts[a] > counts[b] || (counts[a] == counts[b] && a < b);
                          });
        for (std::size_t i = 0; i < top; ++i) {
            const std::string_view text = table.strings->view(seen[i]);
            summary.topValues.push_back(std::string(text) + " (" + groupedCount(counts[seen[i]]) + ")");
        }
        break;
    }
    }
    summary.missing = rows - summary.present;
    return summary;
}

ColumnSummary summarizeFeature(const std::vector<double>& values, const FeatureInfo& info)
{
    ColumnSummary summary;
    summary.name = std::string(info.name);
    summary.type = "real (engineered)";
    summary.tooltip = std::string(info.description);
    std::vector<double> present;
    present.reserve(values.size());
    for (double value : values) {
        if (!std::isnan(value))
            present.push_back(value);
    }
    describeSorted(summary, present, 1.0);
    summary.missing = values.size() - summary.present;
    return summary;
}

} // namespace

bool isAbsentColumn(const TrafficTable& table, const ReadReport& read, std::size_t columnIndex)
{
    if (columnIndex >= kFieldCount || columnIndex >= table.columnCount())
        return false;
    const std::string& name = table.columns[columnIndex].name;
    const auto& absent = read.absentColumns;
    const std::string_view canonical = fieldInfo(allFields()[columnIndex]).name;
    return std::find(absent.begin(), absent.end(), name) != absent.end()
        || std::find(absent.begin(), absent.end(), canonical) != absent.end();
}

DatasetSummary summarizeDataset(const TrafficTable& table, const FeatureSet& features, const ReadReport& read,
                                const Progress& progress)
{
    DatasetSummary result;
    result.rows = table.rowCount();
    const std::size_t total = table.columnCount() + 2;
    for (std::size_t index = 0; index < table.columnCount(); ++index) {
        progress.check();
        progress.report("summary", static_cast<double>(index) / static_cast<double>(total));
        if (isAbsentColumn(table, read, index))
            continue;
        ColumnSummary summary = summarizeColumn(table, table.columns[index], progress);
        if (index < kFieldCount)
            summary.tooltip = fieldDescription(allFields()[index]);
        else
            summary.tooltip = "A column outside the traffic schema, kept as text.";
        result.columns.push_back(std::move(summary));
    }
    result.fileColumns = result.columns.size();
    progress.report("summary", static_cast<double>(table.columnCount()) / static_cast<double>(total));
    result.columns.push_back(
        summarizeFeature(features.sessionDuration.values(), featureInfo(Feature::SessionDuration)));
    result.columns.push_back(summarizeFeature(features.avgPacketSize.values(), featureInfo(Feature::AvgPacketSize)));
    progress.report("summary", 1.0);
    return result;
}

ColumnSummary summarizeScores(const ScoreIndex& scores)
{
    ColumnSummary summary;
    summary.name = "anomaly_score";
    summary.type = "real (detector)";
    summary.tooltip = "The Isolation Forest's score (scikit-learn's score_samples): "
                      "in [-1, 0), lower is more anomalous.";
    summary.present = scores.size();
    if (scores.size() > 0) {
        summary.numeric = true;
        summary.minimum = scores.minimum();
        summary.maximum = scores.maximum();
        summary.median = scores.median();
        std::size_t distinct = 1;
        for (std::size_t i = 1; i < scores.size(); ++i)
            distinct += scores.sortedScore(i) != scores.sortedScore(i - 1) ? 1 : 0;
        summary.distinct = distinct;
    }
    return summary;
}

} // namespace webthreat

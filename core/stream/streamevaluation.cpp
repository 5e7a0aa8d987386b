#include "core/stream/streamevaluation.h"

#include "core/detect/threshold.h"
#include "core/util/errors.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <unistd.h>

namespace webthreat {

namespace {

constexpr std::size_t kRecordBytes = 9; // the score's 8 bytes, then 1 = an attack

struct Ranked {
    double score;
    std::uint8_t positive;
};

std::string scratchBase(const std::string& dir)
{
    if (!dir.empty())
        return dir;
    const char* tmp = std::getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

// A scratch file with no name: made with mkstemp and unlinked at once, so it goes when it is closed,
// whatever ends the run.
int anonymousFile(const std::string& dir)
{
    const std::string base = scratchBase(dir);
    std::string pattern = base + "/webthreat-evaluation-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        throw OutputError("cannot make a scratch file for the evaluation's scores in " + base + ": "
                          + std::strerror(errno) + " (choose a writable folder with room: --scratch, or TMPDIR)");
    ::unlink(pattern.c_str());
    return fd;
}

void writeAll(int fd, const std::vector<unsigned char>& bytes, std::uint64_t& written)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw OutputError(std::string("cannot write the evaluation's scratch file: ") + std::strerror(errno)
                              + " (it needs 9 bytes a row: choose a folder with room, --scratch or TMPDIR)");
        done += static_cast<std::size_t>(n);
    }
    written += bytes.size();
}

// Up to `count` records from offset, decoded.
std::size_t readRecords(int fd, std::uint64_t offset, std::size_t count, std::vector<unsigned char>& buffer,
                        std::vector<Ranked>& into)
{
    buffer.resize(count * kRecordBytes);
    std::size_t got = 0;
    while (got < buffer.size()) {
        const ssize_t n = ::pread(fd, buffer.data() + got, buffer.size() - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw OutputError(std::string("cannot read the evaluation's scratch file: ") + std::strerror(errno));
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    const std::size_t records = got / kRecordBytes;
    into.resize(records);
    for (std::size_t i = 0; i < records; ++i) {
        std::memcpy(&into[i].score, buffer.data() + i * kRecordBytes, sizeof(double));
        into[i].positive = buffer[i * kRecordBytes + 8];
    }
    return records;
}

void encode(const Ranked* rows, std::size_t count, std::vector<unsigned char>& bytes)
{
    bytes.resize(count * kRecordBytes);
    for (std::size_t i = 0; i < count; ++i) {
        std::memcpy(bytes.data() + i * kRecordBytes, &rows[i].score, sizeof(double));
        bytes[i * kRecordBytes + 8] = rows[i].positive;
    }
}

} // namespace

struct StreamedEvaluation::State {
    int spill = -1; // every row's record, in file order
    int runs = -1; // the sorted runs, one after another
    std::uint64_t rows = 0;
    ~State()
    {
        if (spill >= 0)
            ::close(spill);
        if (runs >= 0)
            ::close(runs);
    }
};

StreamedEvaluation::StreamedEvaluation(StreamedEvaluationParams params)
    : m_params(std::move(params))
    , m(std::make_unique<State>())
{
}

StreamedEvaluation::~StreamedEvaluation() = default;

void StreamedEvaluation::add(const TrafficTable& table, const std::vector<double>& scores)
{
    if (!m_problem.empty() || table.rowCount() == 0)
        return;
    const TruthLookup lookup = m_params.truthColumn.empty() ? findGroundTruth(table, false)
                                                            : readGroundTruth(table, m_params.truthColumn, false);
    if (!lookup.truth) {
        m_problem = lookup.problem;
        m.reset(); // the scores spilled so far go with it
        return;
    }
    const GroundTruth& truth = *lookup.truth;
    if (!m_decided) {
        m_decided = true;
        m_column = truth.column;
        m->spill = anonymousFile(m_params.scratchDir);
    }
    m_positives += truth.positives;
    m_negatives += truth.negatives;
    std::vector<Ranked> rows(scores.size());
    for (std::size_t row = 0; row < scores.size(); ++row)
        rows[row] = {scores[row], truth.positive[row]};
    std::vector<unsigned char> bytes;
    encode(rows.data(), rows.size(), bytes);
    writeAll(m->spill, bytes, m_spilledBytes);
    m->rows += rows.size();
}

std::shared_ptr<const Evaluation> StreamedEvaluation::finish(const EvaluationParams& params)
{
    if (!m_problem.empty())
        return nullptr;
    if (!m_decided) { // no row at all: what the lookup says of an empty table
        m_problem = m_params.truthColumn.empty() ? "the file has no ground-truth column (is_attack, label or is_suspicious)"
                                                 : "the file has no rows to evaluate";
        return nullptr;
    }
    m_problem = groundTruthClassProblem(m_column, m_positives, m_negatives);
    if (!m_problem.empty()) {
        m.reset();
        return nullptr;
    }
    const std::uint64_t n = m->rows;
    const std::size_t runRows = std::max<std::size_t>(m_params.runBytes / sizeof(Ranked), 1024);
    std::vector<unsigned char> buffer;
    // Sorted runs: stable by score, so ties keep file order within a run; the merge takes a tie from
    // the earlier run first, so ties keep file order across runs too (ScoreIndex's ranking).
    std::vector<Ranked> sorted;
    std::vector<std::uint64_t> runStart; // in records
    const auto byScore = [](const Ranked& a, const Ranked& b) { return a.score < b.score; };
    if (n <= runRows) {
        readRecords(m->spill, 0, static_cast<std::size_t>(n), buffer, sorted);
        std::stable_sort(sorted.begin(), sorted.end(), byScore);
        m_runs = 1;
    } else {
        m->runs = anonymousFile(m_params.scratchDir);
        std::uint64_t ignored = 0;
        for (std::uint64_t first = 0; first < n; first += runRows) {
            const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(runRows, n - first));
            readRecords(m->spill, first * kRecordBytes, count, buffer, sorted);
            std::stable_sort(sorted.begin(), sorted.end(), byScore);
            encode(sorted.data(), sorted.size(), buffer);
            writeAll(m->runs, buffer, ignored);
            runStart.push_back(first);
        }
        m_spilledBytes += ignored;
        runStart.push_back(n);
        m_runs = runStart.size() - 1;
        std::vector<Ranked>().swap(sorted);
    }
    ::close(m->spill);
    m->spill = -1;

    // The merge, one run's buffer at a time refilled from the runs file.
    struct Cursor {
        std::vector<Ranked> rows;
        std::size_t at = 0;
        std::uint64_t next = 0; // the next record to read
        std::uint64_t end = 0;
    };
    std::vector<Cursor> cursors(m_runs > 1 ? m_runs : 0);
    const std::size_t bufferRows = std::max<std::size_t>(runRows / std::max<std::size_t>(m_runs, 1), 4096);
    const auto refill = [&](Cursor& cursor) {
        const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(bufferRows, cursor.end - cursor.next));
        readRecords(m->runs, cursor.next * kRecordBytes, count, buffer, cursor.rows);
        cursor.next += count;
        cursor.at = 0;
    };
    const auto later = [&](std::size_t a, std::size_t b) { // the heap's top is the least score, earliest run
        const double sa = cursors[a].rows[cursors[a].at].score, sb = cursors[b].rows[cursors[b].at].score;
        return sa > sb || (sa == sb && a > b);
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heap(later);
    for (std::size_t r = 0; r < cursors.size(); ++r) {
        cursors[r].next = runStart[r];
        cursors[r].end = runStart[r + 1];
        refill(cursors[r]);
        if (!cursors[r].rows.empty())
            heap.push(r);
    }
    std::size_t inMemory = 0;
    const auto nextRanked = [&](Ranked& row) {
        if (m_runs <= 1) {
            if (inMemory == sorted.size())
                return false;
            row = sorted[inMemory++];
            return true;
        }
        if (heap.empty())
            return false;
        const std::size_t r = heap.top();
        heap.pop();
        Cursor& cursor = cursors[r];
        row = cursor.rows[cursor.at++];
        if (cursor.at == cursor.rows.size() && cursor.next < cursor.end)
            refill(cursor);
        if (cursor.at < cursor.rows.size())
            heap.push(r);
        return true;
    };

    // The usual contaminations' thresholds need two order statistics each and how many rows score
    // below the lower one (its tie group's first rank): noted as the ranked rows go by.
    const std::vector<double> contaminations{0.01, 0.02, 0.05, 0.10, 0.20};
    struct Needed {
        std::uint64_t rank;
        double score = 0.0;
        std::uint64_t groupStart = 0;
    };
    std::vector<Needed> needed;
    for (double value : contaminations) {
        const double quantile = (100.0 * Contamination::fromValue(value).value) / 100.0;
        const double virtualIndex = quantile * static_cast<double>(n - 1);
        const auto lower = static_cast<std::uint64_t>(std::floor(virtualIndex));
        needed.push_back({lower});
        needed.push_back({std::min<std::uint64_t>(lower + 1, n - 1)});
    }
    std::uint64_t rank = 0, groupStart = 0;
    double previous = 0.0;
    const auto evaluation = std::make_shared<Evaluation>(
        m_column, m_positives, m_negatives, static_cast<std::size_t>(n),
        [&](double& score, bool& positive) {
            Ranked row{};
            if (!nextRanked(row))
                return false;
            if (rank == 0 || row.score != previous)
                groupStart = rank;
            previous = row.score;
            for (Needed& want : needed) {
                if (want.rank == rank)
                    want.score = row.score, want.groupStart = groupStart;
            }
            ++rank;
            score = row.score;
            positive = row.positive != 0;
            return true;
        },
        params);
    std::vector<ContaminationRow> byContamination;
    for (std::size_t i = 0; i < contaminations.size(); ++i) {
        const Contamination contamination = Contamination::fromValue(contaminations[i]);
        const double quantile = (100.0 * contamination.value) / 100.0;
        const double virtualIndex = quantile * static_cast<double>(n - 1);
        const double t = virtualIndex - std::floor(virtualIndex);
        const Needed& lower = needed[2 * i];
        const Needed& upper = needed[2 * i + 1];
        const double a = lower.score, b = upper.score, difference = b - a;
        // numpy's linear percentile, step for step, as ScoreIndex::thresholdFor.
        const double threshold = t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
        // Rows strictly below it (ScoreIndex::countBelow): every row up to the lower statistic when the
        // threshold is above it, else those before the lower statistic's ties.
        const std::uint64_t below = threshold > a ? lower.rank + 1 : lower.groupStart;
        byContamination.push_back({contaminations[i], evaluation->at(static_cast<std::size_t>(below), threshold)});
    }
    evaluation->setContaminationRows(std::move(byContamination));
    evaluation->setMethod("exact: every row's score and truth sorted on disk in streaming mode ("
                      + std::to_string(m_runs) + (m_runs == 1 ? " run" : " runs") + ")");
    m.reset();
    return evaluation;
}

} // namespace webthreat

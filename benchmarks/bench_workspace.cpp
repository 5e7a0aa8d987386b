// What the triage workspace (core/triage/workspace, SQLite in WAL mode with synchronous=FULL)
// costs: setting 10,000 row marks in one transaction (a selection marked at once, an import),
// reading 100,000 back (opening a file an analyst has triaged heavily), one mark per transaction (a
// keypress; and what synchronous=NORMAL would save it), and opening a workspace of 100,000 marks
// (the quick_check on open). Median of several runs, each on a new file in a scratch folder on the
// disk (--dir; the default is the system's temporary folder). Prints figures; never passes or fails
// on them.
//
//   bench_workspace [--runs K] [--dir FOLDER]

#include "core/triage/workspace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sqlite3.h>
#include <unistd.h>

using namespace webthreat;

namespace {
const std::string kSha(64, 'c');

double medianMs(std::vector<double> times)
{
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

double timeMs(const std::function<void()>& body)
{
    const auto start = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::vector<RowMark> marks(std::uint32_t count)
{
    std::vector<RowMark> rows;
    rows.reserve(count);
    for (std::uint32_t line = 1; line <= count; ++line)
        rows.push_back({kSha, line, line % 3 == 0 ? Mark::Malicious : Mark::Benign,
                        line % 10 == 0 ? "checked with the proxy logs, ticket " + std::to_string(line) : "", 0});
    return rows;
}

// The same one-mark transaction through a plain connection with synchronous=NORMAL, which in WAL
// mode does not flush at each commit: what FULL costs a keypress.
std::vector<double> singleMarksWithNormal(const std::string& path)
{
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
    sqlite3_stmt* upsert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO row_marks VALUES (?1, ?2, 'needs_review', '', 1) ON CONFLICT (file_sha256, line) "
                       "DO UPDATE SET mark = excluded.mark",
                       -1, &upsert, nullptr);
    std::vector<double> times;
    for (int line = 1; line <= 50; ++line) {
        times.push_back(timeMs([&] {
            sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
            sqlite3_bind_text(upsert, 1, kSha.data(), static_cast<int>(kSha.size()), SQLITE_STATIC);
            sqlite3_bind_int(upsert, 2, line);
            sqlite3_step(upsert);
            sqlite3_reset(upsert);
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }));
    }
    sqlite3_finalize(upsert);
    sqlite3_close(db);
    return times;
}

void removeWorkspace(const std::string& path)
{
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
}
} // namespace

int main(int argc, char** argv)
{
    int runs = 5;
    std::string folder = std::filesystem::temp_directory_path().string();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--runs")
            runs = std::max(1, std::atoi(argv[i + 1]));
        else if (option == "--dir")
            folder = argv[i + 1];
    }
    const std::string path = folder + "/bench-workspace-" + std::to_string(getpid()) + ".sqlite";
    const std::vector<RowMark> tenThousand = marks(10000);
    const std::vector<RowMark> hundredThousand = marks(100000);

    std::vector<double> set10k, set100k, read100k, open100k, single, singleNormal;
    std::uintmax_t bytes = 0;
    for (int run = 0; run < runs; ++run) {
        removeWorkspace(path);
        {
            Workspace workspace(path);
            set10k.push_back(timeMs([&] { workspace.setRowMarks(tenThousand); }));
            for (std::uint32_t line = 1; line <= 50; ++line)
                single.push_back(timeMs([&] { workspace.setRowMarks({{kSha, line, Mark::NeedsReview, "", 0}}); }));
        }
        const std::vector<double> normal = singleMarksWithNormal(path);
        singleNormal.insert(singleNormal.end(), normal.begin(), normal.end());
        removeWorkspace(path);
        {
            Workspace workspace(path);
            set100k.push_back(timeMs([&] { workspace.setRowMarks(hundredThousand); }));
        }
        bytes = std::filesystem::file_size(path);
        std::size_t read = 0;
        open100k.push_back(timeMs([&] { Workspace workspace(path); }));
        Workspace workspace(path);
        read100k.push_back(timeMs([&] { read = workspace.rowMarks(kSha).size(); }));
        if (read != hundredThousand.size()) {
            std::fprintf(stderr, "read %zu marks of %zu\n", read, hundredThousand.size());
            return 1;
        }
    }
    removeWorkspace(path);

    std::printf("triage workspace, SQLite %s, WAL, synchronous=FULL, folder %s, median of %d runs\n",
                sqlite3_libversion(), folder.c_str(), runs);
    std::printf("| what | ms | per mark |\n|---|---|---|\n");
    std::printf("| set 10,000 row marks, one transaction | %.1f | %.2f us |\n", medianMs(set10k),
                medianMs(set10k) * 0.1);
    std::printf("| set 100,000 row marks, one transaction | %.1f | %.2f us |\n", medianMs(set100k),
                medianMs(set100k) * 0.01);
    std::printf("| read 100,000 row marks back (checked) | %.1f | %.2f us |\n", medianMs(read100k),
                medianMs(read100k) * 0.01);
    std::printf("| open a workspace of 100,000 marks (%.1f MB; quick_check) | %.1f | |\n",
                static_cast<double>(bytes) / 1e6, medianMs(open100k));
    std::printf("| one mark, one transaction (a keypress; %zu timed) | %.2f | |\n", single.size(), medianMs(single));
    std::printf("| the same with synchronous=NORMAL (not used: no flush at commit) | %.2f | |\n",
                medianMs(singleNormal));
    return 0;
}

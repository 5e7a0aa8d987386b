// Issue 17: every reader runs in time linear in its input and refuses a record past the limit for
// one record (kMaxRecordBytes, core/io/readoptions.h). Generates, in a temporary folder, files
// whose one record is far past that limit, runs each through analyzeFile (what `webthreat analyze`
// runs) in a child process, and prints the seconds, the child's peak RSS and what came of it as a
// Markdown table. A child still running after --timeout seconds is killed and reported so. Never
// passes or fails on time; the files are deleted at the end.
//
//   bench_bigrecord [--timeout SECONDS] [--scale FRACTION] [--dir FOLDER] [--only PART-OF-A-CASE-NAME]
//   bench_bigrecord --time-read FILE [--runs N]
//
// The second form reads an ordinary CSV (webthreat generate) N times on one thread and prints the
// least CPU time of a read: what the limit and its checks cost where they never fire.
//
// --scale shrinks every case (0.01: a 2.56 MB record...), for a quick run.

#include "core/io/csvreader.h"
#include "core/io/csvsniffer.h"
#include "core/pipeline.h"
#include "core/util/errors.h"
#include "markdowntable.h"

#include <zlib.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

const std::string kHeader
    = "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,dst_ip,"
      "rule_names,observation_name,source.meta,source.name,time,detection_types\n";
const std::string kRow = "1,100,2024-04-25T23:00:00Z,2024-04-25T23:10:00Z,1.2.3.4,US,HTTPS,200,443,10.0.0.1,"
                         "Suspicious Web Traffic,Adversary,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule\n";
const std::string kRow2 = "2,200,2024-04-25T23:00:00Z,2024-04-25T23:20:00Z,1.2.3.5,US,HTTPS,200,443,10.0.0.1,"
                          "Suspicious Web Traffic,Adversary,AWS_VPC_Flow,prod,2024-04-25T23:00:00Z,waf_rule\n";
const std::string kAlbLine = "http 2024-01-01T00:00:00Z app/lb/1 203.0.113.9:1000 10.0.0.1:80 0.1 0.2 0.3 200 200 1 2 "
                             "\"GET / HTTP/1.1\" \"curl\"\n";
const std::string kAlbLine2 = "http 2024-01-01T00:01:00Z app/lb/1 203.0.113.8:1000 10.0.0.1:80 0.1 0.2 0.3 200 200 5 9 "
                              "\"GET /a HTTP/1.1\" \"curl\"\n";
const std::string kVpcHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
                               "bytes start end action log-status\n";

// Writes `bytes` copies of `fill` through `write`, a megabyte at a time.
void repeat(char fill, std::uint64_t bytes, const std::function<void(const char*, std::size_t)>& write)
{
    const std::string chunk(1u << 20, fill);
    while (bytes > 0) {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, chunk.size()));
        write(chunk.data(), take);
        bytes -= take;
    }
}

void writePlain(const std::string& path, const std::string& head, char fill, std::uint64_t bytes,
                const std::string& tail)
{
    std::ofstream out(path, std::ios::binary);
    out << head;
    repeat(fill, bytes,
           [&](const char* data, std::size_t size) { out.write(data, static_cast<std::streamsize>(size)); });
    out << tail;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

void writeGzip(const std::string& path, const std::string& head, char fill, std::uint64_t bytes)
{
    gzFile out = gzopen(path.c_str(), "wb6");
    if (!out)
        throw std::runtime_error("cannot write " + path);
    gzwrite(out, head.data(), static_cast<unsigned>(head.size()));
    repeat(fill, bytes, [&](const char* data, std::size_t size) { gzwrite(out, data, static_cast<unsigned>(size)); });
    gzclose(out);
}

// Writes `count` copies of `unit` through out (a line of many fields).
void writeRepeated(std::ofstream& out, const std::string& unit, std::uint64_t count)
{
    std::string chunk;
    for (int i = 0; i < 4096; ++i)
        chunk += unit;
    for (; count >= 4096; count -= 4096)
        out << chunk;
    for (; count > 0; --count)
        out << unit;
}

struct Case {
    std::string name;
    std::string file;
    std::function<void(const std::string&)> make;
    bool importCheck = false; // run the import dialog's check (the sniffer), not the analysis
};

struct Outcome {
    double seconds = 0.0;
    double peakMiB = 0.0;
    std::string result;
};

// Runs analyzeFile on path in a child process, killed after timeout seconds.
Outcome runChild(const std::string& path, int timeout, bool importCheck)
{
    int pipeEnds[2];
    if (pipe(pipeEnds) != 0)
        throw std::runtime_error("pipe failed");
    const auto started = std::chrono::steady_clock::now();
    const pid_t child = fork();
    if (child == 0) {
        close(pipeEnds[0]);
        alarm(static_cast<unsigned>(timeout));
        std::string said;
        try {
            if (importCheck) {
                const ImportCheck check = checkImport(path);
                said = "sniffed " + std::to_string(check.sample.size()) + " bytes, "
                    + std::to_string(check.sniff.columns.size()) + " columns";
            } else {
                const Analysis analysis = analyzeFile(path, AnalysisParams());
                said = "read " + std::to_string(analysis.data->table.rowCount()) + " rows";
            }
        } catch (const InputError& error) {
            said = "refused: " + std::filesystem::path(error.file()).filename().string()
                + (error.line() > 0 ? ":" + std::to_string(error.line()) : std::string()) + ": " + error.problem();
        } catch (const std::exception& error) {
            said = std::string("failed: ") + error.what();
        }
        if (said.size() > 120)
            said = said.substr(0, 117) + "...";
        [[maybe_unused]] const auto written = write(pipeEnds[1], said.data(), said.size());
        _exit(0);
    }
    close(pipeEnds[1]);
    std::string said;
    char buffer[256];
    for (ssize_t got; (got = read(pipeEnds[0], buffer, sizeof buffer)) > 0;)
        said.append(buffer, static_cast<std::size_t>(got));
    close(pipeEnds[0]);
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    Outcome outcome;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome.peakMiB = static_cast<double>(usage.ru_maxrss) / 1024.0;
    if (WIFSIGNALED(status))
        outcome.result = WTERMSIG(status) == SIGALRM ? "killed after " + std::to_string(timeout) + " s"
                                                     : "killed by signal " + std::to_string(WTERMSIG(status));
    else
        outcome.result = said;
    return outcome;
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int timeRead(const std::string& path, int runs)
{
    ReadOptions options;
    options.threads = 1;
    double best = 1e300;
    std::size_t rows = 0;
    for (int run = 0; run < runs; ++run) {
        const double before = cpuSeconds();
        rows = readTrafficCsv(path, options).table.rowCount();
        best = std::min(best, cpuSeconds() - before);
    }
    std::printf("read %s: %zu rows, least CPU time of %d runs on one thread: %.3f s\n", path.c_str(), rows, runs, best);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    int timeout = 120;
    double scale = 1.0;
    std::string only; // run only the cases whose name holds this
    std::string timedFile;
    int runs = 7;
    std::filesystem::path dir = std::filesystem::temp_directory_path();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--timeout")
            timeout = std::atoi(argv[i + 1]);
        else if (option == "--scale")
            scale = std::atof(argv[i + 1]);
        else if (option == "--dir")
            dir = argv[i + 1];
        else if (option == "--only")
            only = argv[i + 1];
        else if (option == "--time-read")
            timedFile = argv[i + 1];
        else if (option == "--runs")
            runs = std::atoi(argv[i + 1]);
    }
    if (!timedFile.empty())
        return timeRead(timedFile, runs);
    dir /= "webthreat-bigrecord-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    const auto size = [scale](double megabytes) { return static_cast<std::uint64_t>(megabytes * scale * 1e6); };
    const std::vector<Case> cases = {
        {"CSV: a 256 MB record, no line end", "record.csv",
         [&](const std::string& path) { writePlain(path, kHeader + kRow + kRow2, 'a', size(256), ""); }},
        {"CSV: a quote opened, 256 MB never closed", "quote.csv",
         [&](const std::string& path) { writePlain(path, kHeader + kRow + kRow2 + "\"", 'a', size(256), "\n"); }},
        {"CSV: a 100 MB line of delimiters", "commas.csv",
         [&](const std::string& path) { writePlain(path, kHeader + kRow, ',', size(100), "\n" + kRow2); }},
        {"CSV: a 10 MB line of delimiters (under the limit)", "commas10.csv",
         [&](const std::string& path) { writePlain(path, kHeader + kRow, ',', size(10), "\n" + kRow2); }},
        {"import check (sniffer): a 100 MB line of delimiters", "sniff.csv",
         [&](const std::string& path) { writePlain(path, kHeader + kRow, ',', size(100), "\n" + kRow2); }, true},
        {"CSV, gzip: 1 GB of one record", "record.csv.gz",
         [&](const std::string& path) { writeGzip(path, kHeader + kRow + kRow2, 'a', size(1000)); }},
        {"VPC flow log: a 256 MB line", "flow.log",
         [&](const std::string& path) { writePlain(path, kVpcHeader, 'a', size(256), "\n"); }},
        {"ELB log: a 100 MB line of blanks and fields", "elb100.log",
         [&](const std::string& path) {
             std::ofstream out(path, std::ios::binary);
             out << kAlbLine << "http";
             writeRepeated(out, " x", size(100) / 2);
             out << "\n" << kAlbLine2;
         }},
        {"ELB log: a 10 MB line of 5 M fields (under the limit)", "elb10.log",
         [&](const std::string& path) {
             std::ofstream out(path, std::ios::binary);
             out << kAlbLine << "http";
             writeRepeated(out, " x", size(10) / 2);
             out << "\n" << kAlbLine2;
         }},
    };
    std::vector<bench::TableRow> rows;
    for (const Case& each : cases) {
        if (!only.empty() && each.name.find(only) == std::string::npos)
            continue;
        const std::string path = (dir / each.file).string();
        each.make(path);
        const auto bytes = std::filesystem::file_size(path);
        std::fprintf(stderr, "%s (%llu bytes on disk)...\n", each.name.c_str(), static_cast<unsigned long long>(bytes));
        const Outcome outcome = runChild(path, timeout, each.importCheck);
        std::filesystem::remove(path);
        rows.push_back({each.name, bench::fixed(outcome.seconds, 2), bench::fixed(outcome.peakMiB, 0), outcome.result});
    }
    std::filesystem::remove_all(dir);
    bench::printMarkdownTable({"case", "seconds", "peak RSS (MiB)", "outcome"}, rows);
    return 0;
}

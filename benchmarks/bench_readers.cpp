// Issue 22 (the log readers within 2x the CSV reader's MB/s, under 1x the file in memory):
// generates the same connections as a Zeek TSV conn.log, as Zeek JSON lines, as VPC Flow Logs
// (version 2, a record per direction that carried packets), as an ALB access log and as the traffic
// CSV (the schema's columns plus uid, src_port, service, conn_state and history as extra columns,
// so the CSV carries what the analysis keeps), reads each through readTrafficFile (detection and
// all) in a child process, and prints a Markdown table: seconds (the best of --runs; wall, and the
// child's CPU time, which a busy machine disturbs less), MB/s and rows/s (by CPU time for the
// one-thread readers, by wall time with all threads), the MB/s ratio to the CSV reader with the
// same threads in the same run, the table's bytes and the child's peak RSS, each against the
// file's size. Never passes or fails on time.
//
//   bench_readers [--rows N] [--runs N] [--dir FOLDER] [--keep] [--only PART-OF-A-CASE-NAME]
#include "core/io/trafficfile.h"
#include "core/io/timestamp.h"
#include "core/util/errors.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace webthreat;

namespace {

// A small deterministic generator: the same rows on every run and machine.
struct Random {
    std::uint64_t state;
    std::uint64_t next()
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

struct Connection {
    std::int64_t tsMicros;
    std::int64_t durationMicros; // < 0: unset
    std::string uid, orig, resp, proto, service, state, history;
    int origPort, respPort;
    std::int64_t origBytes, respBytes; // < 0: unset
    int origPackets, respPackets;
};

Connection connection(Random& random, std::int64_t index)
{
    static const char* const kStates[] = {"SF", "SF", "SF", "S0", "REJ", "RSTO", "RSTR", "SH", "OTH", "S1"};
    static const char* const kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    Connection c;
    c.tsMicros = 1700000000LL * kMicrosPerSecond + index * 50'000 + static_cast<std::int64_t>(random.below(50'000));
    c.uid = "C";
    for (int i = 0; i < 17; ++i)
        c.uid.push_back(kLetters[random.below(62)]);
    c.orig = "192.168." + std::to_string(random.below(256)) + "." + std::to_string(random.below(256));
    const std::uint64_t server = random.below(2000);
    c.resp = "198.51." + std::to_string(100 + server / 250) + "." + std::to_string(server % 250);
    const bool udp = random.below(5) == 0;
    c.proto = udp ? "udp" : "tcp";
    c.respPort = udp ? 53 : (random.below(3) == 0 ? 80 : 443);
    c.origPort = 32768 + static_cast<int>(random.below(28000));
    c.state = kStates[random.below(10)];
    const bool single = c.state == "S0" && random.below(2) == 0;
    c.durationMicros = single ? -1 : static_cast<std::int64_t>(random.below(30'000'000));
    c.service = c.state == "SF" ? (udp ? "dns" : c.respPort == 80 ? "http" : "ssl") : "";
    c.history = single ? "S" : "ShADadFf";
    c.origBytes = single ? -1 : static_cast<std::int64_t>(random.below(2000));
    c.respBytes = single ? -1 : static_cast<std::int64_t>(random.below(200'000));
    c.origPackets = 1 + static_cast<int>(random.below(40));
    c.respPackets = static_cast<int>(random.below(60));
    return c;
}

std::string seconds(std::int64_t micros)
{
    char text[32];
    std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(micros / kMicrosPerSecond),
                  static_cast<long long>(micros % kMicrosPerSecond));
    return text;
}

std::string orDash(std::int64_t value)
{
    return value < 0 ? std::string("-") : std::to_string(value);
}

void writeFiles(const std::string& dir, std::int64_t rows)
{
    std::ofstream tsv(dir + "/conn.log", std::ios::binary);
    std::ofstream json(dir + "/conn.json", std::ios::binary);
    std::ofstream csv(dir + "/traffic.csv", std::ios::binary);
    std::ofstream vpc(dir + "/flow.log", std::ios::binary);
    std::ofstream alb(dir + "/alb.log", std::ios::binary);
    vpc << "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
           "log-status\n";
    tsv << "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
           "#open\t2023-11-14-22-13-19\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
           "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
           "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n#types\ttime\tstring\taddr\tport\taddr\tport\t"
           "enum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\t"
           "set[string]\n";
    csv << "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,"
           "dst_ip,rule_names,observation_name,source.meta,source.name,time,detection_types,uid,src_port,service,"
           "conn_state,history\n";
    Random random{0x9E3779B97F4A7C15ull};
    std::string line;
    for (std::int64_t i = 0; i < rows; ++i) {
        const Connection c = connection(random, i);
        const std::string ts = seconds(c.tsMicros);
        const std::string duration = c.durationMicros < 0 ? "-" : seconds(c.durationMicros);
        const std::int64_t origIp = std::max<std::int64_t>(c.origBytes, 0) + 40 * c.origPackets;
        const std::int64_t respIp = std::max<std::int64_t>(c.respBytes, 0) + 40 * c.respPackets;
        tsv << ts << '\t' << c.uid << '\t' << c.orig << '\t' << c.origPort << '\t' << c.resp << '\t' << c.respPort
            << '\t' << c.proto << '\t' << (c.service.empty() ? "-" : c.service) << '\t' << duration << '\t'
            << orDash(c.origBytes) << '\t' << orDash(c.respBytes) << '\t' << c.state << "\tT\tF\t0\t" << c.history
            << '\t' << c.origPackets << '\t' << origIp << '\t' << c.respPackets << '\t' << respIp << "\t(empty)\n";
        json << "{\"ts\":" << ts << ",\"uid\":\"" << c.uid << "\",\"id.orig_h\":\"" << c.orig
             << "\",\"id.orig_p\":" << c.origPort << ",\"id.resp_h\":\"" << c.resp << "\",\"id.resp_p\":" << c.respPort
             << ",\"proto\":\"" << c.proto << '"';
        if (!c.service.empty())
            json << ",\"service\":\"" << c.service << '"';
        if (c.durationMicros >= 0)
            json << ",\"duration\":" << duration << ",\"orig_bytes\":" << c.origBytes
                 << ",\"resp_bytes\":" << c.respBytes;
        json << ",\"conn_state\":\"" << c.state << "\",\"local_orig\":true,\"local_resp\":false,\"missed_bytes\":0,"
             << "\"history\":\"" << c.history << "\",\"orig_pkts\":" << c.origPackets << ",\"orig_ip_bytes\":" << origIp
             << ",\"resp_pkts\":" << c.respPackets << ",\"resp_ip_bytes\":" << respIp << "}\n";
        const std::string start = formatTimestamp(c.tsMicros);
        const std::string end = formatTimestamp(c.tsMicros + std::max<std::int64_t>(c.durationMicros, 0));
        std::string protocol = c.proto == "udp" ? "UDP" : "TCP";
        csv << (c.origBytes < 0 ? std::string() : std::to_string(c.origBytes)) << ','
            << (c.respBytes < 0 ? std::string() : std::to_string(c.respBytes)) << ',' << start << ',' << end << ','
            << c.orig << ",," << protocol << ",," << c.respPort << ',' << c.resp << ",,,Zeek_conn,," << start << ",,"
            << c.uid << ',' << c.origPort << ',' << c.service << ',' << c.state << ',' << c.history << '\n';
        // VPC Flow Logs (version 2): one record a direction that carried packets, as AWS writes
        // them; the reader pairs the two back into one session.
        const std::int64_t startSecond = c.tsMicros / kMicrosPerSecond;
        const std::int64_t endSecond = (c.tsMicros + std::max<std::int64_t>(c.durationMicros, 0)) / kMicrosPerSecond;
        const char* eni = i % 3 == 0 ? "eni-0a1b2c3d4e5f60718" : "eni-0f9e8d7c6b5a43210";
        const int protocolNumber = c.proto == "udp" ? 17 : 6;
        const char* action = c.state == "REJ" ? "REJECT" : "ACCEPT";
        vpc << "2 123456789012 " << eni << ' ' << c.orig << ' ' << c.resp << ' ' << c.origPort << ' ' << c.respPort
            << ' ' << protocolNumber << ' ' << c.origPackets << ' ' << origIp << ' ' << startSecond << ' ' << endSecond
            << ' ' << action << " OK\n";
        if (c.respPackets > 0)
            vpc << "2 123456789012 " << eni << ' ' << c.resp << ' ' << c.orig << ' ' << c.respPort << ' '
                << c.origPort << ' ' << protocolNumber << ' ' << c.respPackets << ' ' << respIp << ' ' << startSecond
                << ' ' << endSecond << ' ' << action << " OK\n";
        // An ALB access log entry for the connection (HTTP on 80, HTTPS on 443, DNS as HTTP too).
        const std::string when = formatTimestamp(c.tsMicros + std::max<std::int64_t>(c.durationMicros, 0));
        const bool https = c.respPort == 443;
        alb << (https ? "https " : "http ") << when << " app/my-loadbalancer/50dc6c495c0c9188 " << c.orig << ':'
            << c.origPort << ' ' << c.resp << ':' << c.respPort << " 0.000 0.00" << (i % 10) << " 0.000 "
            << (c.state == "SF" ? "200 200 " : "502 - ") << std::max<std::int64_t>(c.origBytes, 0) << ' '
            << std::max<std::int64_t>(c.respBytes, 0) << " \"GET " << (https ? "https" : "http")
            << "://www.example.com:" << c.respPort << "/item/" << (i % 5000) << " HTTP/1.1\" \"curl/7.46.0\" "
            << (https ? "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 " : "- - ")
            << "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
               "\"Root=1-"
            << c.uid << "\" \"www.example.com\" \"-\" 0 " << start << " \"forward\" \"-\" \"-\" \"" << c.resp << ':'
            << c.respPort << "\" \"200\" \"-\" \"-\"\n";
    }
    tsv << "#close\t2023-11-15-22-13-19\n";
    if (!tsv || !json || !csv || !vpc || !alb)
        throw std::runtime_error("cannot write the files in " + dir);
}

struct Measured {
    double seconds = 0.0; // wall
    double cpuSeconds = 0.0; // the child's user + system time: the read's, whatever else the machine runs
    std::size_t rows = 0;
    std::size_t tableBytes = 0;
    long peakKiB = 0;
    std::string format;
    std::string error;
};

// One read in a child process: its peak RSS is the reader's, not what earlier reads left behind.
Measured readInChild(const std::string& path, int threads)
{
    int ends[2];
    if (pipe(ends) != 0)
        throw std::runtime_error("pipe failed");
    const pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        std::string said;
        try {
            ReadOptions options;
            options.threads = threads;
            const auto started = std::chrono::steady_clock::now();
            const ReadResult read = readTrafficFile(path, options);
            const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            said = std::to_string(took) + "\n" + std::to_string(read.table.rowCount()) + "\n"
                + std::to_string(read.table.memoryBytes()) + "\n" + read.report.format + "\n";
        } catch (const std::exception& error) {
            said = std::string("error\n") + error.what() + "\n";
        }
        [[maybe_unused]] const auto written = write(ends[1], said.data(), said.size());
        _exit(0);
    }
    close(ends[1]);
    std::string heard;
    char buffer[4096];
    for (ssize_t got; (got = read(ends[0], buffer, sizeof buffer)) > 0;)
        heard.append(buffer, static_cast<std::size_t>(got));
    close(ends[0]);
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    Measured measured;
    measured.peakKiB = usage.ru_maxrss;
    measured.cpuSeconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < heard.size();) {
        const std::size_t stop = std::min(heard.find('\n', start), heard.size());
        lines.push_back(heard.substr(start, stop - start));
        start = stop + 1;
    }
    if (lines.size() < 4 || lines[0] == "error") {
        measured.error = lines.size() > 1 ? lines[1] : "the child said nothing";
        return measured;
    }
    measured.seconds = std::stod(lines[0]);
    measured.rows = std::stoul(lines[1]);
    measured.tableBytes = std::stoul(lines[2]);
    measured.format = lines[3];
    return measured;
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t rows = 1'000'000;
    int runs = 3;
    std::string dir;
    bool keep = false;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--rows" && i + 1 < argc)
            rows = std::atoll(argv[++i]);
        else if (arg == "--runs" && i + 1 < argc)
            runs = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else if (arg == "--keep")
            keep = true;
        else if (arg == "--only" && i + 1 < argc)
            only = argv[++i];
        else {
            std::cerr << "usage: bench_readers [--rows N] [--runs N] [--dir FOLDER] [--keep] [--only NAME]\n";
            return 2;
        }
    }
    const bool madeDir = dir.empty();
    if (madeDir) {
        char pattern[] = "/tmp/bench_readers_XXXXXX";
        if (!mkdtemp(pattern))
            throw std::runtime_error("mkdtemp failed");
        dir = pattern;
    }
    const auto written = std::chrono::steady_clock::now();
    if (std::filesystem::exists(dir + "/conn.log")) {
        std::cerr << "reading the files already in " << dir << " (--rows does not apply)\n";
    } else {
        writeFiles(dir, rows);
        std::cerr << "wrote " << rows << " connections five ways in "
                  << std::chrono::duration<double>(std::chrono::steady_clock::now() - written).count() << " s\n";
    }

    struct Case {
        std::string name, file;
        int threads;
    };
    const std::vector<Case> cases{{"traffic CSV, 1 thread", "traffic.csv", 1},
                                  {"traffic CSV, all threads", "traffic.csv", 0},
                                  {"Zeek conn.log TSV", "conn.log", 1},
                                  {"Zeek conn.log JSON lines", "conn.json", 1},
                                  {"Zeek conn.log TSV, all threads", "conn.log", 0},
                                  {"VPC Flow Logs", "flow.log", 1},
                                  {"VPC Flow Logs, all threads", "flow.log", 0},
                                  {"ALB access log", "alb.log", 1},
                                  {"ALB access log, all threads", "alb.log", 0}};
    // Each reader against the CSV reader with the same threads, measured in the same run: by CPU
    // time on one thread, by wall time with all threads (what the user waits for).
    double csvRate = 0.0;
    double csvRateAll = 0.0;
    std::printf("| reader | file MB | rows | wall s / CPU s (best of %d) | MB/s | rows/s | vs CSV, same threads | "
                "table / file | peak RSS / file |\n",
                runs);
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const Case& c : cases) {
        if (!only.empty() && c.name.find(only) == std::string::npos && c.file != "traffic.csv")
            continue;
        const std::string path = dir + "/" + c.file;
        const double megabytes = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
        Measured best;
        for (int run = 0; run < runs; ++run) {
            const Measured m = readInChild(path, c.threads);
            if (!m.error.empty()) {
                std::printf("| %s | %s |\n", c.name.c_str(), m.error.c_str());
                best = m;
                break;
            }
            if (run == 0 || m.cpuSeconds < best.cpuSeconds)
                best = m;
        }
        if (!best.error.empty())
            continue;
        const double took = c.threads == 1 ? best.cpuSeconds : best.seconds;
        const double rate = megabytes / took;
        double& reference = c.threads == 1 ? csvRate : csvRateAll;
        if (reference == 0.0)
            reference = rate;
        std::printf("| %s | %.1f | %zu | %.2f / %.2f | %.1f | %.2f M | %.2fx | %.2f | %.2f |\n", c.name.c_str(),
                    megabytes, best.rows, best.seconds, best.cpuSeconds, rate,
                    static_cast<double>(best.rows) / took / 1e6, rate / reference,
                    static_cast<double>(best.tableBytes) / 1e6 / megabytes,
                    static_cast<double>(best.peakKiB) * 1024 / 1e6 / megabytes);
        std::fflush(stdout);
    }
    if (!keep) {
        for (const char* name : {"conn.log", "conn.json", "traffic.csv", "flow.log", "alb.log"})
            std::filesystem::remove(dir + "/" + name);
        if (madeDir)
            std::filesystem::remove(dir);
    }
    return 0;
}

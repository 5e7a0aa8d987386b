#!/usr/bin/python3
"""Streaming analyze on files larger than memory (issue 22): time, MB/s and peak memory per size.

For each size it generates a file with `webthreat generate` into a scratch folder, reads it once so
it is in the page cache, runs `webthreat analyze FILE --stream` as a child process, and deletes the
file. Peak memory is the child's ru_maxrss (os.wait4). Prints a table and the per-GB scaling; it
never passes or fails on time.

  /usr/bin/python3 benchmarks/bench_stream.py --webthreat build/app/webthreat
  WEBTHREAT_STREAM_GB=1,2,4,8,20 WEBTHREAT_SCRATCH=/big/disk /usr/bin/python3 benchmarks/bench_stream.py ...

With --format vpc, each size is a VPC Flow Log (default format, version 2, with its header line: both
directions of each generated session, one record each, as AWS writes them) converted from the
generated CSV; the CSV it came from is streamed in the same run, so the table compares the two paths'
MB/s on the same sessions under the same load.

  /usr/bin/python3 benchmarks/bench_stream.py --webthreat build/app/webthreat --format vpc

Environment: WEBTHREAT_STREAM_GB (sizes in GB, default 1,2,4), WEBTHREAT_SCRATCH (folder for the
files, default the system's temporary folder), WEBTHREAT_STREAM_ARGS (more analyze options, e.g.
"--out /dev/null --force" or "--memory-budget 1G --scratch /big/disk": the duplicate set spills
past a quarter of the budget), WEBTHREAT_STREAM_THREADS (default 2).
"""
import argparse
import calendar
import csv
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time


def run_child(command):
    """Runs command; returns (seconds, peak RSS in MB, exit status, stdout)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err = process.stderr.read().decode(errors="replace")
        out.seek(0)
        text = out.read().decode(errors="replace")
    if process.returncode != 0:
        sys.stderr.write(err)
    return seconds, usage.ru_maxrss / 1024.0, process.returncode, text


def bytes_per_row(webthreat, scratch):
    probe = os.path.join(scratch, "probe.csv")
    subprocess.run([webthreat, "generate", "--rows", "20000", "--out", probe, "--force"], check=True,
                   stdout=subprocess.DEVNULL)
    size = os.path.getsize(probe)
    os.remove(probe)
    return size / 20000.0


def warm(path):
    with open(path, "rb", buffering=0) as file:
        while file.read(8 << 20):
            pass


VPC_HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"


def csv_to_vpc(source, target):
    """Writes the generated CSV's sessions as VPC Flow Log records: the client's and the server's."""
    epoch = {}

    def seconds(text):
        value = epoch.get(text)
        if value is None:
            value = calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")) if text else "-"
            epoch[text] = value
        return value

    with open(source, newline="") as src, open(target, "w", buffering=8 << 20) as out:
        rows = csv.reader(src)
        header = next(rows)
        at = {name: i for i, name in enumerate(header)}
        b_in, b_out, c_t, e_t = at["bytes_in"], at["bytes_out"], at["creation_time"], at["end_time"]
        s_ip, d_ip, port = at["src_ip"], at["dst_ip"], at["dst_port"]
        out.write(VPC_HEADER)
        lines = []
        for i, row in enumerate(rows):
            start, end = seconds(row[c_t]), seconds(row[e_t])
            client_port = 32768 + i % 28000
            sent, received = row[b_in] or "0", row[b_out] or "0"
            eni = "eni-0a1b2c3d4e5f6%04d" % (i % 16)
            lines.append(f"2 123456789010 {eni} {row[s_ip]} {row[d_ip]} {client_port} {row[port] or 0} 6 "
                         f"{int(sent) // 1400 + 1} {sent} {start} {end} ACCEPT OK\n"
                         f"2 123456789010 {eni} {row[d_ip]} {row[s_ip]} {row[port] or 0} {client_port} 6 "
                         f"{int(received) // 1400 + 1} {received} {start} {end} ACCEPT OK\n")
            if len(lines) == 65536:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def compare_vpc(webthreat, scratch, sizes, threads, extra, per_row):
    """Streams a VPC Flow Log converted from a generated CSV and the CSV itself, in the same run."""
    print("| VPC Flow Log | sessions | CSV MB/s | VPC MB/s | VPC s | VPC peak RSS MB | CSV s | CSV peak RSS MB | "
          "VPC / CSV MB/s | VPC / CSV seconds |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    failures = 0
    for gb in sizes:
        # A session is about 1.09 CSV rows' bytes of VPC text (two records of ~100 bytes).
        rows = max(1000, int(gb * 1e9 / (per_row * 1.09)))
        csv_path = os.path.join(scratch, f"traffic-{gb:g}GB.csv")
        vpc_path = os.path.join(scratch, f"flows-{gb:g}GB.log")
        if gb * 1e9 * 2.3 > shutil.disk_usage(scratch).free:
            print(f"| {gb:g} GB | skipped: not enough free space in {scratch} | | | | | | | | |")
            continue
        subprocess.run([webthreat, "generate", "--rows", str(rows), "--out", csv_path, "--force"], check=True,
                       stdout=subprocess.DEVNULL)
        try:
            csv_to_vpc(csv_path, vpc_path)
            figures = {}
            for name, path in (("csv", csv_path), ("vpc", vpc_path)):
                warm(path)
                seconds, peak, status, text = run_child(
                    [webthreat, "analyze", path, "--stream", "--threads", threads] + extra)
                if status != 0:
                    failures += 1
                figures[name] = (os.path.getsize(path), seconds, peak, status, text)
            (c_size, c_s, c_peak, c_status, _), (v_size, v_s, v_peak, v_status, v_text) = figures["csv"], figures["vpc"]
            if c_status or v_status:
                print(f"| {v_size / 1e9:.2f} GB | {rows:,} | failed: status csv {c_status}, vpc {v_status} | | | | | | | |")
                continue
            c_rate, v_rate = c_size / 1e6 / c_s, v_size / 1e6 / v_s
            print(f"| {v_size / 1e9:.2f} GB | {rows:,} | {c_rate:.0f} | {v_rate:.0f} | {v_s:.1f} | {v_peak:.0f} | "
                  f"{c_s:.1f} | {c_peak:.0f} | {v_rate / c_rate:.2f} | {v_s / c_s:.2f} |")
            timing = next((line.strip() for line in v_text.splitlines() if line.startswith("Time:")), "")
            passes = next((line.strip() for line in v_text.splitlines() if line.strip().startswith("streamed in")), "")
            print(f"\nVPC run: {passes}; {timing}")
            print(f"CSV text {c_size / 1e9:.2f} GB for the same sessions ({c_size / v_size:.2f}x the VPC log's bytes)")
            sys.stdout.flush()
        finally:
            for path in (csv_path, vpc_path):
                if os.path.exists(path):
                    os.remove(path)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--webthreat", default="build/app/webthreat", help="the webthreat command line")
    parser.add_argument("--format", default="csv", choices=["csv", "vpc"],
                        help="csv: generated CSV files; vpc: VPC Flow Logs converted from them, against the CSV")
    options = parser.parse_args()
    webthreat = os.path.abspath(options.webthreat)
    sizes = [float(s) for s in os.environ.get("WEBTHREAT_STREAM_GB", "1,2,4").split(",") if s.strip()]
    extra = shlex.split(os.environ.get("WEBTHREAT_STREAM_ARGS", ""))
    threads = os.environ.get("WEBTHREAT_STREAM_THREADS", "2")
    scratch = tempfile.mkdtemp(prefix="webthreat-stream-", dir=os.environ.get("WEBTHREAT_SCRATCH"))
    try:
        per_row = bytes_per_row(webthreat, scratch)
        free = shutil.disk_usage(scratch).free
        print(f"scratch {scratch} ({free / 1e9:.0f} GB free), {per_row:.1f} bytes a row, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"command: webthreat analyze FILE --stream --threads {threads} {' '.join(extra)}")
        print()
        if options.format == "vpc":
            return 1 if compare_vpc(webthreat, scratch, sizes, threads, extra, per_row) else 0
        print("| size | rows | generate s | analyze s | MB/s | peak RSS MB | s per GB | peak MB per GB | passes |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        results = []
        failures = 0
        for gb in sizes:
            rows = max(1000, int(gb * 1e9 / per_row))
            path = os.path.join(scratch, f"traffic-{gb:g}GB.csv")
            if gb * 1e9 * 1.1 > shutil.disk_usage(scratch).free:
                print(f"| {gb:g} GB | skipped: not enough free space in {scratch} | | | | | | | |")
                continue
            started = time.monotonic()
            subprocess.run([webthreat, "generate", "--rows", str(rows), "--out", path, "--force"], check=True,
                           stdout=subprocess.DEVNULL)
            generated = time.monotonic() - started
            try:
                size = os.path.getsize(path)
                warm(path)
                seconds, peak, status, text = run_child(
                    [webthreat, "analyze", path, "--stream", "--threads", threads] + extra)
                passes = next((line.strip() for line in text.splitlines() if line.strip().startswith("streamed in")),
                              "")
                timing = next((line.strip() for line in text.splitlines() if line.startswith("Time:")), "")
                spill = next((line.strip() for line in text.splitlines() if "duplicate set outgrew" in line), "")
                if spill:
                    # "the duplicate set outgrew its K KiB after N rows and spilled to P partition files (X MB ..."
                    words = spill.split()
                    timing += (f"; duplicate set spilled after {words[words.index('after') + 1]} rows to "
                               f"{words[words.index('to') + 1]} partitions, {spill.split('(')[1].split(' in ')[0]}")
                if status != 0:
                    print(f"| {gb:g} GB | {rows} | failed with status {status} | | | | | | |")
                    failures += 1
                    continue
                mbps = size / 1e6 / seconds
                print(f"| {size / 1e9:.2f} GB | {rows:,} | {generated:.1f} | {seconds:.1f} | {mbps:.0f} | {peak:.0f} | "
                      f"{seconds / (size / 1e9):.1f} | {peak / (size / 1e9):.0f} | {passes}; {timing} |")
                results.append((size, seconds, peak))
                sys.stdout.flush()
            finally:
                os.remove(path)
        if len(results) >= 2:
            (s0, t0, p0), (s1, t1, p1) = results[0], results[-1]
            print()
            print(f"from {s0 / 1e9:.2f} to {s1 / 1e9:.2f} GB ({s1 / s0:.1f}x the data): time x{t1 / t0:.2f}, "
                  f"peak memory x{p1 / p0:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # Never fails on time; a run that fails is a bug.
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Streaming analyze on files larger than memory (issue 22): time, MB/s and peak memory per size.

For each size it generates a file with `webthreat generate` into a scratch folder, reads it once so
it is in the page cache, runs `webthreat analyze FILE --stream` as a child process, and deletes the
file. Peak memory is the child's ru_maxrss (os.wait4). Prints a table and the per-GB scaling; it
never passes or fails on time.

  /usr/bin/python3 benchmarks/bench_stream.py --webthreat build/app/webthreat
  WEBTHREAT_STREAM_GB=1,2,4,8,20 WEBTHREAT_SCRATCH=/big/disk /usr/bin/python3 benchmarks/bench_stream.py ...

Environment: WEBTHREAT_STREAM_GB (sizes in GB, default 1,2,4), WEBTHREAT_SCRATCH (folder for the
files, default the system's temporary folder), WEBTHREAT_STREAM_ARGS (more analyze options, e.g.
"--out /dev/null --force" or "--memory-budget 512M"), WEBTHREAT_STREAM_THREADS (default 2).
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--webthreat", default="build/app/webthreat", help="the webthreat command line")
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

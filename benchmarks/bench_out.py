#!/usr/bin/python3
"""`analyze --out` against `analyze` alone on the same file (issue 22: at most 1.5x the time, peak
memory toward 0.7x the CSV).

Generates one CSV with `webthreat generate` into a scratch folder, reads it once so it is in the
page cache, then runs, alternating, `webthreat analyze FILE --threads N` and the same with
`--out SCRATCH/scored.csv --force`, several times, for each binary given (--before, then
--webthreat, in turn within each round, so both see the same load). Time is wall-clock; peak memory
is the child's ru_maxrss (os.wait4); CPU is the child's user + system time, which a loaded machine
disturbs less than wall-clock. Prints, per binary, the medians, the --out/alone ratios and the peak
as a share of the CSV's size; it never passes or fails on time. The scored file is deleted after
each run and the CSV at the end.

  /usr/bin/python3 benchmarks/bench_out.py --webthreat build/app/webthreat [--before old/webthreat]
      [--rows 1070000] [--repeat 3] [--threads 2] [--scratch DIR] [--out-dir /dev/shm] [--explain all]

The scored CSV goes to a real file in the scratch folder, not /dev/null: before 2026-12-07 a binary
run as root replaced /dev/null with a plain file (AtomicFile renamed its temporary file over it).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_child(command):
    """Runs command; returns (seconds, peak RSS in bytes, CPU seconds)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    err = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--webthreat", required=True, help="the binary to measure")
    parser.add_argument("--before", help="a reference binary, run alternating with --webthreat")
    parser.add_argument("--rows", type=int, default=1070000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--explain", choices=["suspicious", "all"], default="suspicious")
    parser.add_argument("--scratch", default=tempfile.gettempdir(), help="folder for the generated CSV")
    parser.add_argument("--out-dir", help="folder for the scored CSV (default --scratch; /dev/shm keeps the "
                        "disk's fsync of the whole file out of the figures)")
    args = parser.parse_args()

    binaries = ([("before", args.before)] if args.before else []) + [("after", args.webthreat)]
    os.makedirs(args.scratch, exist_ok=True)
    csv_path = os.path.join(args.scratch, f"bench_out_{args.rows}.csv")
    os.makedirs(args.out_dir or args.scratch, exist_ok=True)
    scored = os.path.join(args.out_dir or args.scratch, "bench_out_scored.csv")
    subprocess.run([args.webthreat, "generate", "--rows", str(args.rows), "--out", csv_path, "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        csv_bytes = os.path.getsize(csv_path)
        with open(csv_path, "rb") as f:  # into the page cache
            while f.read(1 << 24):
                pass
        print(f"file: {args.rows} rows, {csv_bytes / 1e6:.0f} MB; --threads {args.threads}; "
              f"--explain {args.explain}; scored CSV in {os.path.dirname(scored)}; load before: {load()}")
        base = ["analyze", csv_path, "--threads", str(args.threads)]
        out = base + ["--out", scored, "--force", "--explain", args.explain]
        results = {name: {"alone": [], "out": []} for name, _ in binaries}
        for round_ in range(args.repeat):
            for name, binary in binaries:
                results[name]["alone"].append(run_child([binary] + base))
                results[name]["out"].append(run_child([binary] + out))
                out_bytes = os.path.getsize(scored)
                for written_file in (scored, scored + ".provenance.json"):
                    if os.path.exists(written_file):
                        os.remove(written_file)
                a, o = results[name]["alone"][-1], results[name]["out"][-1]
                print(f"round {round_ + 1} {name:6}: alone {a[0]:6.2f} s {a[1] / 1e6:5.0f} MB   "
                      f"--out {o[0]:6.2f} s {o[1] / 1e6:5.0f} MB   ratio {o[0] / a[0]:.2f}   "
                      f"(scored file {out_bytes / 1e6:.0f} MB; load {load()})", flush=True)
        print()
        print("| binary | analyze (s) | --out (s) | time ratio (median of rounds) | CPU ratio | "
              "peak alone (MB) | peak --out (MB) | peak --out / CSV |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, _ in binaries:
            alone, written = results[name]["alone"], results[name]["out"]
            ratio = statistics.median(o[0] / a[0] for a, o in zip(alone, written))
            cpu = statistics.median(o[2] / a[2] for a, o in zip(alone, written))
            peak = max(o[1] for o in written)
            print(f"| {name} | {statistics.median(a[0] for a in alone):.2f} | "
                  f"{statistics.median(o[0] for o in written):.2f} | {ratio:.2f}x | {cpu:.2f}x | "
                  f"{max(a[1] for a in alone) / 1e6:.0f} | {peak / 1e6:.0f} | {peak / csv_bytes:.2f}x |")
        print(f"\nload after: {load()}")
    finally:
        os.remove(csv_path)
        for leftover in (scored, scored + ".provenance.json"):
            if os.path.exists(leftover):
                os.remove(leftover)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Measures `webthreat analyze` against the notebook it replaces, on the same generated file.

    /usr/bin/python3 benchmarks/compare_notebook.py [--rows 1000000] [--runs 3] [--with-output]

1. Generates the file once with `webthreat generate --rows N --label` (seed 42: the same bytes as
   bench_pipeline's gen-N.csv), and reads it once so both sides start from the page cache.
2. Runs the notebook pipeline (notebook_pipeline.py: pandas read_csv, cleaning, to_datetime, the
   features, scikit-learn IsolationForest(contamination=0.05, random_state=42).fit_predict) and
   `webthreat analyze` alternately, --runs times each, every run under /usr/bin/time -v. The order
   swaps every round (notebook first, then webthreat first, ...) so neither side always runs on a
   machine the other has just warmed or loaded.
3. Prints the median wall time and median peak resident memory of each side, the ratios, and the
   issue's targets (at least 30x faster; webthreat's peak at most 0.6x the CSV), and checks that
   both kept the same rows and flagged the same count.

By default neither side writes a file (the notebook wrote nothing; `webthreat analyze FILE` prints
its report). --with-output makes both write the scored CSV (`--out`), for the batch use case.

The notebook side needs pandas and scikit-learn for the interpreter given by --python (default
/usr/bin/python3, Debian's, which has python3-pandas and python3-sklearn; the python3 first on
PATH may be another one). Where they are missing it says so and measures webthreat alone.

This script only uses the standard library, so any python3 can run it. It prints figures; it does
not pass or fail on time. Exit status: 0, or 1 when a run fails or the two sides disagree on the
rows kept after cleaning.
"""

import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_SPEEDUP = 30.0
TARGET_PEAK_TO_CSV = 0.6


def find_webthreat(given):
    if given:
        return pathlib.Path(given)
    for build in ["build-bench", "build", "build-release"]:
        candidate = REPO / build / "app" / "webthreat"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("webthreat")
    return pathlib.Path(found) if found else None


def python_has_notebook_packages(python):
    """None when pandas and scikit-learn import under python, else the reason they do not."""
    if not shutil.which(python) and not pathlib.Path(python).is_file():
        return f"{python} does not exist"
    probe = subprocess.run([python, "-c", "import pandas, sklearn, numpy"], capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
        return f"{python} cannot import pandas and scikit-learn ({last})"
    return None


class Measured:
    def __init__(self, seconds, peak_bytes, stdout):
        self.seconds = seconds
        self.peak_bytes = peak_bytes
        self.stdout = stdout


TIME_PEAK = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def measure(command):
    """Runs command; returns its wall time and peak RSS. The peak comes from /usr/bin/time -v
    where it exists, else from wait4() on the child: the same kernel figure."""
    use_time = os.access("/usr/bin/time", os.X_OK)
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=True) as report, \
            tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        full = ["/usr/bin/time", "-v", "-o", report.name] + command if use_time else command
        started = time.perf_counter()
        child = subprocess.Popen(full, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out = stdout.read()
        if child.returncode != 0:
            sys.exit(f"compare_notebook: {' '.join(map(str, command))} failed "
                     f"(exit {child.returncode}):\n{stderr.read()[-2000:]}")
        if use_time:
            found = TIME_PEAK.search(pathlib.Path(report.name).read_text())
            peak = int(found.group(1)) * 1024 if found else usage.ru_maxrss * 1024
        else:
            peak = usage.ru_maxrss * 1024
        return Measured(seconds, peak, out)


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON in the output")


WEBTHREAT_COUNTS = re.compile(r"Suspicious: ([\d,]+) of ([\d,]+) rows")


def webthreat_counts(text):
    """Rows kept after cleaning and rows flagged, from the report's "Suspicious: N of M rows"."""
    found = WEBTHREAT_COUNTS.search(text)
    if not found:
        sys.exit("compare_notebook: webthreat's report has no 'Suspicious: N of M rows' line:\n" + text[:2000])
    return {"suspicious": int(found.group(1).replace(",", "")), "rows": int(found.group(2).replace(",", ""))}


def fmt_mb(value):
    return f"{value / 1e6:,.0f} MB" if value >= 10e6 else f"{value / 1e6:.2f} MB"


def machine_description():
    cpu = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average %.2f %.2f %.2f" % os.getloadavg()
    return f"{os.cpu_count()} hardware threads, {cpu}{memory}{load}; {platform.platform()}"


def prepare_file(webthreat, workdir, rows):
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"gen-{rows}.csv"
    if data.is_file():
        print(f"Reusing {data} (made by webthreat generate --rows {rows} --label; seed 42)")
    else:
        print(f"Generating {data} ...", flush=True)
        subprocess.run([str(webthreat), "generate", "--rows", str(rows), "--label", "--out", str(data)],
                       check=True, stdout=subprocess.DEVNULL)
    with open(data, "rb") as warm:  # into the page cache, so that no run pays for the disk
        while warm.read(1 << 24):
            pass
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate (default 1000000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "webthreat-bench"),
                        help="where the generated file is kept (default $TMPDIR/webthreat-bench)")
    parser.add_argument("--webthreat", help="the webthreat binary (default: build-bench/ or build/ of this tree)")
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="interpreter with pandas and scikit-learn for the notebook (default /usr/bin/python3)")
    parser.add_argument("--threads", type=int, default=0, help="webthreat --threads (default 0: all cores)")
    parser.add_argument("--with-output", action="store_true",
                        help="both sides write the scored CSV (webthreat --out; pandas to_csv)")
    parser.add_argument("--skip-notebook", action="store_true", help="measure webthreat only")
    args = parser.parse_args()
    if args.runs < 1 or args.rows < 2:
        parser.error("--runs must be at least 1 and --rows at least 2")

    webthreat = find_webthreat(args.webthreat)
    if not webthreat or not webthreat.is_file():
        sys.exit("compare_notebook: webthreat not found; build it (cmake --build build-bench) or pass --webthreat")

    workdir = pathlib.Path(args.workdir)
    data = prepare_file(webthreat, workdir, args.rows)
    size = data.stat().st_size

    notebook_problem = "--skip-notebook was given" if args.skip_notebook else python_has_notebook_packages(args.python)
    if notebook_problem:
        print(f"\nSkipping the notebook side: {notebook_problem}.\n"
              f"Install Debian's python3-pandas and python3-sklearn (apt-get install python3-pandas python3-sklearn)\n"
              f"or pass --python with an interpreter that has them. Measuring webthreat alone.\n")

    outputs = workdir / "compare-output"
    if args.with_output:
        outputs.mkdir(exist_ok=True)
    # The plain text report, as an analyst runs it: --json would add per-row explanations of the
    # suspicious rows it lists, work the notebook never did.
    webthreat_command = [str(webthreat), "analyze", str(data), "--threads", str(args.threads)]
    notebook_command = [args.python, str(HERE / "notebook_pipeline.py"), str(data)]
    if args.with_output:
        webthreat_command += ["--out", str(outputs / "scored-webthreat.csv"), "--force"]
        notebook_command += ["--out", str(outputs / "scored-notebook.csv")]

    print(f"Machine: {machine_description()}")
    print(f"File: {data} ({args.rows:,} rows, {size / 1e6:.1f} MB)")
    print(f"Mode: {'both write the scored CSV' if args.with_output else 'no output file on either side'}; "
          f"{args.runs} run(s) each, alternating\n")
    sides = {"notebook": [], "webthreat": []}
    reports = {"notebook": None, "webthreat": None}
    for round_index in range(args.runs):
        order = ["notebook", "webthreat"] if round_index % 2 == 0 else ["webthreat", "notebook"]
        for side in order:
            if side == "notebook" and notebook_problem:
                continue
            run = measure(notebook_command if side == "notebook" else webthreat_command)
            sides[side].append(run)
            reports[side] = webthreat_counts(run.stdout) if side == "webthreat" else last_json_line(run.stdout)
            print(f"  round {round_index + 1}: {side:9s} {run.seconds:8.3f} s  peak {fmt_mb(run.peak_bytes):>9s}",
                  flush=True)

    def summary(side):
        runs = sides[side]
        return statistics.median(r.seconds for r in runs), statistics.median(r.peak_bytes for r in runs)

    wt_seconds, wt_peak = summary("webthreat")
    lines = ["", "| | wall time, median | runs | peak RSS, median | peak / CSV |", "|---|---|---|---|---|"]

    def row(name, side):
        seconds, peak = summary(side)
        all_runs = ", ".join(f"{r.seconds:.2f}" for r in sides[side])
        lines.append(f"| {name} | {seconds:.3f} s | {all_runs} | {fmt_mb(peak)} | {peak / size:.2f}x |")

    status = 0
    if not notebook_problem:
        nb_seconds, nb_peak = summary("notebook")
        row(f"notebook ({reports['notebook']['tool']})", "notebook")
    row("webthreat analyze", "webthreat")
    if not notebook_problem:
        speedup = nb_seconds / wt_seconds
        lines.append(f"| notebook / webthreat | **{speedup:.1f}x faster** | | **{nb_peak / wt_peak:.1f}x less memory** | |")
    print("\n".join(lines))

    print("\nTargets (figures only; nothing fails on time):")
    if not notebook_problem:
        print(f"  end to end at least {TARGET_SPEEDUP:.0f}x faster than the notebook: {speedup:.1f}x "
              f"({'met' if speedup >= TARGET_SPEEDUP else 'short'}; {speedup / TARGET_SPEEDUP:.2f} of the target)")
    ratio = wt_peak / size
    print(f"  webthreat peak memory at most {TARGET_PEAK_TO_CSV}x the CSV: {ratio:.2f}x "
          f"({'met' if ratio <= TARGET_PEAK_TO_CSV else 'short'}; {fmt_mb(wt_peak)} against {fmt_mb(size * TARGET_PEAK_TO_CSV)})")

    if not notebook_problem:
        nb = reports["notebook"]
        wt = reports["webthreat"]
        print("\nThe notebook's steps (seconds, last run): "
              + ", ".join(f"{name} {value:.2f}" for name, value in nb["seconds"].items()))
        print("webthreat's stages: build-bench/benchmarks/bench_pipeline (see BENCHMARKS.md)")
        same_rows = nb["rows"] == wt["rows"]
        print(f"\nRows after cleaning: notebook {nb['rows']:,}, webthreat {wt['rows']:,}: "
              f"{'same' if same_rows else 'DIFFERENT'}")
        if not same_rows:
            status = 1
        if nb["suspicious"] == wt["suspicious"]:
            print(f"Flagged Suspicious: {wt['suspicious']:,} on both sides: same")
        else:
            # Both take the contamination percentile of their own scores; the forests draw different
            # random numbers, so rows tied at the threshold can fall on either side.
            print(f"Flagged Suspicious: notebook {nb['suspicious']:,}, webthreat {wt['suspicious']:,}: "
                  f"DIFFERENT by {abs(nb['suspicious'] - wt['suspicious']):,} "
                  f"(ties at the threshold: the two forests draw different random numbers)")
    return status


if __name__ == "__main__":
    sys.exit(main())

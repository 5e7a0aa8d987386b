#!/usr/bin/python3
"""Measures `webthreat analyze` against the tools an analyst would otherwise reach for, in one
invocation on the same generated file: the pandas + scikit-learn notebook and DuckDB.

    /usr/bin/python3 benchmarks/compare_peers.py [--rows 1000000] [--runs 3] [--skip-duckdb]

1. Generates the file once with `webthreat generate --rows N --label` (seed 42; the same file as
   compare_notebook.py and bench_pipeline) and reads it once into the page cache.
2. Runs, alternating and --runs times each, every run under /usr/bin/time -v:
   - the notebook (notebook_pipeline.py: read, clean, features, IsolationForest.fit_predict);
   - DuckDB (peers_duckdb.mjs through npm's @duckdb/node-api): the same read, de-duplication,
     cleaning and four features in SQL, *without* any model: it shows what reading and shaping
     the data alone costs in the fastest general tool;
   - `webthreat analyze FILE`: all of it, the forest included.
3. Prints median wall time and peak memory per side and the ratios against webthreat, and checks
   that the three kept the same rows after cleaning.

DuckDB is installed with npm into --npm-dir (default $XDG_CACHE_HOME/webthreat-bench, else
~/.cache/webthreat-bench) on first use; where npm or node is missing or the registry cannot be
reached, that side is skipped with a message, as the notebook's is without pandas and
scikit-learn. Nothing fails on time: it prints figures. Exit status 0, or 1 when a run fails or
the sides disagree on the rows kept.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare_notebook import (find_webthreat, fmt_mb, last_json_line, machine_description,  # noqa: E402
                              measure, prepare_file, python_has_notebook_packages, webthreat_counts)

DUCKDB_PACKAGE = "@duckdb/node-api"


def default_npm_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "webthreat-bench")


def duckdb_problem(npm_dir):
    """None when DuckDB's Node API can be loaded from npm_dir (installing it there if needed), else
    why not."""
    node = shutil.which("node")
    if not node:
        return "node is not installed (apt-get install nodejs npm)"
    package = pathlib.Path(npm_dir) / "node_modules" / "@duckdb" / "node-api"
    if not package.is_dir():
        npm = shutil.which("npm")
        if not npm:
            return "npm is not installed (apt-get install npm)"
        pathlib.Path(npm_dir).mkdir(parents=True, exist_ok=True)
        print(f"Installing {DUCKDB_PACKAGE} into {npm_dir} (npm) ...", flush=True)
        installed = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", npm_dir, DUCKDB_PACKAGE],
                                   capture_output=True, text=True)
        if installed.returncode != 0:
            last = (installed.stderr.strip().splitlines() or ["npm install failed"])[-1]
            return f"npm could not install {DUCKDB_PACKAGE}: {last}"
    probe = subprocess.run([node, "-e", f"require('{DUCKDB_PACKAGE}')"], cwd=npm_dir, capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["require failed"])[-1]
        return f"{DUCKDB_PACKAGE} does not load: {last}"
    return None


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
    parser.add_argument("--npm-dir", default=default_npm_dir(),
                        help="where npm installs DuckDB's Node API (default %(default)s)")
    parser.add_argument("--threads", type=int, default=0, help="threads for webthreat and DuckDB (default 0: all cores)")
    parser.add_argument("--skip-notebook", action="store_true", help="leave the notebook out")
    parser.add_argument("--skip-duckdb", action="store_true", help="leave DuckDB out")
    args = parser.parse_args()
    if args.runs < 1 or args.rows < 2:
        parser.error("--runs must be at least 1 and --rows at least 2")

    webthreat = find_webthreat(args.webthreat)
    if not webthreat or not webthreat.is_file():
        sys.exit("compare_peers: webthreat not found; build it (cmake --build build) or pass --webthreat")
    data = prepare_file(webthreat, pathlib.Path(args.workdir), args.rows)
    size = data.stat().st_size

    commands = {
        "webthreat": [str(webthreat), "analyze", str(data), "--threads", str(args.threads)],
        "notebook": [args.python, str(HERE / "notebook_pipeline.py"), str(data)],
        "duckdb": ["node", str(HERE / "peers_duckdb.mjs"), str(data), "--threads", str(args.threads)],
    }
    skipped = {
        "notebook": "--skip-notebook was given" if args.skip_notebook else python_has_notebook_packages(args.python),
        "duckdb": "--skip-duckdb was given" if args.skip_duckdb else duckdb_problem(args.npm_dir),
    }
    for side, problem in skipped.items():
        if problem:
            print(f"Skipping {side}: {problem}.")
    sides = ["webthreat"] + [side for side in ("notebook", "duckdb") if not skipped[side]]
    os.environ["WEBTHREAT_NPM_DIR"] = args.npm_dir

    print(f"\nMachine: {machine_description()}")
    print(f"File: {data} ({args.rows:,} rows, {size / 1e6:.1f} MB); {args.runs} run(s) each, the order rotating\n")
    runs = {side: [] for side in sides}
    reports = {}
    for round_index in range(args.runs):
        shift = round_index % len(sides)
        for side in sides[shift:] + sides[:shift]:
            run = measure(commands[side])
            runs[side].append(run)
            reports[side] = webthreat_counts(run.stdout) if side == "webthreat" else last_json_line(run.stdout)
            print(f"  round {round_index + 1}: {side:9s} {run.seconds:8.3f} s  peak {fmt_mb(run.peak_bytes):>9s}",
                  flush=True)

    def median(side):
        return (statistics.median(r.seconds for r in runs[side]), statistics.median(r.peak_bytes for r in runs[side]))

    names = {"webthreat": "webthreat analyze (read, clean, features, forest, report)",
             "notebook": "notebook (pandas + scikit-learn: read, clean, features, forest)",
             "duckdb": "DuckDB (read, clean, features in SQL; no model)"}
    wt_seconds, wt_peak = median("webthreat")
    lines = ["", "| | wall time, median | peak RSS, median | peak / CSV | time / webthreat | memory / webthreat |",
             "|---|---|---|---|---|---|"]
    for side in sides:
        seconds, peak = median(side)
        tool = reports[side].get("tool", "") if side != "webthreat" else ""
        label = names[side] + (f" [{tool}]" if tool else "")
        lines.append(f"| {label} | {seconds:.3f} s | {fmt_mb(peak)} | {peak / size:.2f}x | "
                     f"{seconds / wt_seconds:.1f}x | {peak / wt_peak:.1f}x |")
    print("\n".join(lines))

    status = 0
    kept = {side: reports[side]["rows"] for side in sides}
    print("\nRows after cleaning: " + ", ".join(f"{side} {count:,}" for side, count in kept.items())
          + (": same" if len(set(kept.values())) == 1 else ": DIFFERENT"))
    if len(set(kept.values())) != 1:
        status = 1
    for side in sides:
        if side != "webthreat":
            steps = reports[side].get("seconds", {})
            print(f"{side}'s steps (seconds, last run): " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))
    return status


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The notebook that Web Threat Workbench replaces, as a script: the reference side of
compare_notebook.py.

    /usr/bin/python3 benchmarks/notebook_pipeline.py FILE [--out SCORED.csv]

It does the notebook's steps, in its order, with pandas and scikit-learn as they come (Debian 12's
python3-pandas 1.5 and python3-sklearn 1.2; the python3 first on PATH may lack them):

  1. pd.read_csv(FILE)
  2. drop_duplicates()
  3. bytes_in.fillna(median)
  4. dropna(subset=["src_ip", "dst_ip"])
  5. pd.to_datetime of creation_time, end_time and time
  6. src_ip_country_code.str.upper()
  7. session_duration = (end_time - creation_time).dt.total_seconds()
  8. avg_packet_size = (bytes_in + bytes_out) / session_duration, 0 where the duration is 0
  9. fillna(mean) of the four features
 10. IsolationForest(contamination=0.05, random_state=42).fit_predict on
     bytes_in, bytes_out, session_duration, avg_packet_size

Without --out it writes nothing, as `webthreat analyze FILE` writes nothing. With --out it also
writes what `webthreat analyze FILE --out SCORED.csv` writes: every cleaned row with
session_duration, avg_packet_size, anomaly_score (score_samples) and anomaly_label
(Normal/Suspicious). A score per row is not something fit_predict returns, so in that mode step 10
is fit() then score_samples() and the label is score < offset_: exactly what fit_predict computes
inside, with one scoring pass rather than two.

The last line of standard output is one JSON object: rows read, rows after cleaning, rows flagged
and the seconds each step took.
"""

import argparse
import json
import sys
import time
import warnings

FEATURES = ["bytes_in", "bytes_out", "session_duration", "avg_packet_size"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the traffic CSV")
    parser.add_argument("--out", help="write the scored CSV here, as webthreat analyze --out does")
    args = parser.parse_args()

    try:
        import numpy as np
        import pandas as pd
        import sklearn
        from sklearn.ensemble import IsolationForest
    except ImportError as error:
        print(f"notebook_pipeline: {error}; install python3-pandas and python3-sklearn "
              f"and run with /usr/bin/python3", file=sys.stderr)
        return 3

    # scikit-learn 1.2 warns about feature names from inside its own fit (it scores a numpy copy
    # of the DataFrame it was given): noise, not a problem with the data.
    warnings.filterwarnings("ignore", message="X does not have valid feature names")

    seconds = {}
    last = time.perf_counter()

    def lap(name):
        nonlocal last
        now = time.perf_counter()
        seconds[name] = round(now - last, 4)
        last = now

    df = pd.read_csv(args.file)
    rows_read = len(df)
    lap("read_csv")

    df = df.drop_duplicates()
    df["bytes_in"] = df["bytes_in"].fillna(df["bytes_in"].median())
    df = df.dropna(subset=["src_ip", "dst_ip"])
    lap("clean")

    for column in ["creation_time", "end_time", "time"]:
        df[column] = pd.to_datetime(df[column])
    lap("to_datetime")

    df["src_ip_country_code"] = df["src_ip_country_code"].str.upper()
    df["session_duration"] = (df["end_time"] - df["creation_time"]).dt.total_seconds()
    total = df["bytes_in"] + df["bytes_out"]
    duration = df["session_duration"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["avg_packet_size"] = (total / duration).where(duration != 0, 0.0)
    df[FEATURES] = df[FEATURES].fillna(df[FEATURES].mean())
    lap("features")

    model = IsolationForest(contamination=0.05, random_state=42)
    if args.out:
        model.fit(df[FEATURES])
        scores = model.score_samples(df[FEATURES])
        suspicious = scores < model.offset_
        lap("fit_score")
        df["anomaly_score"] = scores
        df["anomaly_label"] = np.where(suspicious, "Suspicious", "Normal")
        df.to_csv(args.out, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
        lap("write_csv")
        flagged = int(suspicious.sum())
    else:
        labels = model.fit_predict(df[FEATURES])
        lap("fit_predict")
        df["anomaly"] = labels
        flagged = int((labels == -1).sum())

    print(json.dumps({
        "tool": f"pandas {pd.__version__} + scikit-learn {sklearn.__version__}",
        "rows_read": rows_read,
        "rows": len(df),
        "suspicious": flagged,
        "wrote": args.out or None,
        "seconds": seconds,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the scikit-learn reference data the C++ Isolation Forest is checked against.

Run with a Python that has scikit-learn 1.2, numpy and pandas (on the build machine that is
/usr/bin/python3, not the python3 first on PATH):

    /usr/bin/python3 tests/reference/make_reference.py [path/to/CloudWatch_Traffic_Web_Attack.csv]

It writes, under tests/data/reference/:

* cloudwatch_features_sklearn.csv: the notebook's four features of the public CloudWatch dataset,
  scikit-learn's score_samples and its predict() label (-1 = anomaly, 1 = normal) for
  IsolationForest(n_estimators=100, max_samples='auto', contamination=0.05, random_state=42).
* synthetic_labelled_sklearn.csv: a seeded synthetic dataset with heavy-tailed traffic features and
  about 3 % injected anomalies of four kinds, its ground truth is_attack, and scikit-learn's scores
  from the same model settings. scikit-learn's ROC AUC on it is printed.

Both files also carry sklearn_score_mean20: score_samples averaged over random_state 0..19.

Our forest draws different random numbers, so the C++ test never compares single scores. With one
seed on each side it compares ranks (Spearman), ROC AUC and the number of flagged rows, all of which
carry the seed-to-seed noise of a 100-tree forest (scikit-learn's own AUC on the synthetic data
varies by about 0.004 between seeds). Averaged over 20 seeds on each side that noise shrinks about
4.5 times, so the test can also check the scores themselves closely: a semantic slip such as a
wrong path-length correction at the depth limit shows up there.
"""

import argparse
import pathlib
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "tests" / "data" / "reference"
FEATURES = ["bytes_in", "bytes_out", "session_duration", "avg_packet_size"]
CONTAMINATION = 0.05
SEED = 42
AVERAGED_SEEDS = range(20)


def make_forest():
    # The settings of the original notebook; max_samples='auto' is min(256, rows).
    return IsolationForest(n_estimators=100, max_samples="auto", contamination=CONTAMINATION,
                           random_state=SEED)


def seed_averaged_scores(x):
    return np.mean([IsolationForest(n_estimators=100, random_state=seed).fit(x).score_samples(x)
                    for seed in AVERAGED_SEEDS], axis=0)


def cloudwatch_features(csv_path):
    raw = pd.read_csv(csv_path)
    creation = pd.to_datetime(raw["creation_time"])
    end = pd.to_datetime(raw["end_time"])
    features = pd.DataFrame({
        "bytes_in": raw["bytes_in"].astype(np.float64),
        "bytes_out": raw["bytes_out"].astype(np.float64),
        "session_duration": (end - creation).dt.total_seconds(),
    })
    total = features["bytes_in"] + features["bytes_out"]
    duration = features["session_duration"]
    # A zero-length session has no meaningful rate: 0 rather than the inf a plain division gives.
    features["avg_packet_size"] = np.where(duration > 0, total / duration.where(duration > 0, 1.0), 0.0)
    return features


def write_cloudwatch(csv_path):
    features = cloudwatch_features(csv_path)
    # Plain arrays: with a DataFrame, scikit-learn 1.2 warns about feature names inside its own fit.
    x = features[FEATURES].to_numpy()
    forest = make_forest().fit(x)
    out = features.copy()
    out["sklearn_score"] = forest.score_samples(x)
    out["sklearn_prediction"] = forest.predict(x)
    out["sklearn_score_mean20"] = seed_averaged_scores(x)
    path = OUT_DIR / "cloudwatch_features_sklearn.csv"
    # Shortest round-trip repr: the test reads exactly the values scikit-learn saw.
    out.to_csv(path, index=False)
    flagged = int((out["sklearn_prediction"] == -1).sum())
    print(f"{path.relative_to(REPO_ROOT)}: {len(out)} rows, scikit-learn flags {flagged} "
          f"(offset {forest.offset_:.12g})")


def synthetic_traffic(rng, rows=5000, anomaly_share=0.03):
    """Normal web sessions of three kinds with heavy-tailed byte counts, plus injected anomalies of
    four kinds.

    The design keeps the comparison with scikit-learn meaningful: several normal session types
    give the normal rows a spread of scores (so rankings are not dominated by tree randomness), and
    the scan kind overlaps the short API calls, so the AUC is not trivially 1. With 100 trees
    scikit-learn's own AUC varies by about 0.003 between seeds on this data.
    """
    anomalies = int(round(rows * anomaly_share))
    normal = rows - anomalies

    session = rng.choice(3, size=normal, p=[0.7, 0.2, 0.1])
    bytes_in = np.empty(normal)
    bytes_out = np.empty(normal)
    duration = np.empty(normal)
    # Page loads: replies correlated with requests, as in real HTTPS traffic.
    m = session == 0
    bytes_in[m] = rng.lognormal(np.log(8_000.0), 1.0, m.sum())
    bytes_out[m] = bytes_in[m] * rng.lognormal(np.log(1.5), 0.5, m.sum())
    duration[m] = rng.lognormal(np.log(120.0), 0.8, m.sum())
    # API calls: small and quick.
    m = session == 1
    bytes_in[m] = rng.lognormal(np.log(1_500.0), 0.6, m.sum())
    bytes_out[m] = rng.lognormal(np.log(3_000.0), 0.6, m.sum())
    duration[m] = rng.lognormal(np.log(5.0), 0.7, m.sum())
    # Legitimate downloads: large replies over minutes.
    m = session == 2
    bytes_in[m] = rng.lognormal(np.log(3_000.0), 0.6, m.sum())
    bytes_out[m] = rng.lognormal(np.log(2_000_000.0), 1.0, m.sum())
    duration[m] = rng.lognormal(np.log(600.0), 0.7, m.sum())
    duration = np.clip(duration, 0.5, 3600.0)
    kind = np.zeros(normal, dtype=int)

    parts = [(bytes_in, bytes_out, duration, kind)]
    per_kind = np.full(4, anomalies // 4)
    per_kind[: anomalies % 4] += 1
    # 1: exfiltration, a huge upload in an ordinary-length session.
    n = per_kind[0]
    parts.append((rng.lognormal(np.log(20_000_000.0), 0.7, n), rng.lognormal(np.log(15_000.0), 0.5, n),
                  np.clip(rng.lognormal(np.log(300.0), 0.5, n), 5.0, 3600.0), np.full(n, 1)))
    # 2: scanning, tiny requests and replies in sessions of a few tens of milliseconds.
    n = per_kind[1]
    parts.append((rng.uniform(40.0, 120.0, n), rng.uniform(40.0, 90.0, n), rng.lognormal(np.log(0.03), 0.5, n),
                  np.full(n, 2)))
    # 3: a slow, long-lived beacon moving almost nothing.
    n = per_kind[2]
    parts.append((rng.uniform(200.0, 800.0, n), rng.uniform(200.0, 800.0, n), rng.uniform(20_000.0, 80_000.0, n),
                  np.full(n, 3)))
    # 4: a download burst: large replies in seconds.
    n = per_kind[3]
    parts.append((rng.lognormal(np.log(2_000.0), 0.5, n), rng.lognormal(np.log(5_000_000.0), 0.6, n),
                  rng.uniform(1.0, 5.0, n), np.full(n, 4)))

    bytes_in = np.concatenate([p[0] for p in parts])
    bytes_out = np.concatenate([p[1] for p in parts])
    duration = np.concatenate([p[2] for p in parts])
    kind = np.concatenate([p[3] for p in parts])
    order = rng.permutation(rows)

    frame = pd.DataFrame({
        # Byte counts are whole numbers; durations to the millisecond, like the logs.
        "bytes_in": np.round(bytes_in[order]),
        "bytes_out": np.round(bytes_out[order]),
        "session_duration": np.round(duration[order], 3),
    })
    frame["avg_packet_size"] = np.round((frame["bytes_in"] + frame["bytes_out"]) / frame["session_duration"], 3)
    frame["is_attack"] = (kind[order] != 0).astype(int)
    frame["attack_kind"] = kind[order]
    return frame


def write_synthetic():
    frame = synthetic_traffic(np.random.default_rng(20240425))
    x = frame[FEATURES].to_numpy()
    forest = make_forest().fit(x)
    scores = forest.score_samples(x)
    frame["sklearn_score"] = scores
    frame["sklearn_score_mean20"] = seed_averaged_scores(x)
    path = OUT_DIR / "synthetic_labelled_sklearn.csv"
    # 12 significant digits keep the file small; scores of distinct rows differ far above that.
    frame.to_csv(path, index=False, float_format="%.12g")
    auc = roc_auc_score(frame["is_attack"], -scores)
    print(f"{path.relative_to(REPO_ROOT)}: {len(frame)} rows, {int(frame['is_attack'].sum())} attacks, "
          f"scikit-learn ROC AUC {auc:.6f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?",
                        default=str(REPO_ROOT / ".." / "shared" / "data" / "CloudWatch_Traffic_Web_Attack.csv"),
                        help="the public CloudWatch_Traffic_Web_Attack.csv")
    args = parser.parse_args()
    if not sklearn.__version__.startswith("1.2"):
        print(f"warning: expected scikit-learn 1.2, found {sklearn.__version__}", file=sys.stderr)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_cloudwatch(args.csv)
    write_synthetic()


if __name__ == "__main__":
    main()

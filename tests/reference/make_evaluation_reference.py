#!/usr/bin/env python3
"""Prints the scikit-learn figures tests/core/tst_evaluation.cpp checks core/evaluation.cpp against.

    /usr/bin/python3 tests/reference/make_evaluation_reference.py

The positive class is is_attack = 1 and a LOWER anomaly score means more anomalous, so scikit-learn
is given the negated scores. The second pair rounds the scores to 2 decimals first (51 distinct
values for 5,000 rows), which exercises the handling of tied scores.
"""

import pathlib

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "reference" / "synthetic_labelled_sklearn.csv"

data = pd.read_csv(REFERENCE)
truth = data["is_attack"].to_numpy()
scores = data["sklearn_score"].to_numpy()
rounded = np.round(scores, 2)
print(f"rows {len(data)}, attacks {truth.sum()}")
print(f"roc_auc {roc_auc_score(truth, -scores):.15f}  average_precision {average_precision_score(truth, -scores):.15f}")
print(f"rounded to 2 decimals: roc_auc {roc_auc_score(truth, -rounded):.15f}  "
      f"average_precision {average_precision_score(truth, -rounded):.15f}")

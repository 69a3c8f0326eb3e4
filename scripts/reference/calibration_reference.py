#!/usr/bin/env python3
"""scikit-learn references for probability calibration (model.calibration): a GaussianNB fitted on
our train split, recalibrated on our calibration split with CalibratedClassifierCV over the frozen
model (sigmoid and isotonic), scored on our test split. GaussianNB has no decision_function, so
scikit-learn calibrates predict_proba — the scores mmp calibrates.

Writes Tests/MMPLearnTests/Fixtures/calibration_*.json.
"""
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.naive_bayes import GaussianNB

from common import class_indices, random_split, read_csv, write_fixture

CASES = [
    ("breast_cancer", "breast_cancer.csv", "diagnosis", ["sample_id"], "sigmoid"),
    ("breast_cancer", "breast_cancer.csv", "diagnosis", ["sample_id"], "isotonic"),
    ("wine", "wine.csv", "cultivar", ["sample_id"], "sigmoid"),
    ("wine", "wine.csv", "cultivar", ["sample_id"], "isotonic"),
]
SPLIT = {"train": 0.6, "validation": 0.0, "calibration": 0.2, "test": 0.2, "seed": 42}

for name, csv, target, entities, method in CASES:
    df = read_csv(csv)
    y = class_indices(df[target].tolist())
    features = [c for c in df.columns if c != target and c not in entities]
    X = df[features].to_numpy(dtype=float)
    parts = random_split(len(df), SPLIT["train"], SPLIT["validation"], SPLIT["test"], SPLIT["calibration"],
                         strata=y, seed=SPLIT["seed"])
    tr, ca, te = parts["train"], parts["calibration"], parts["test"]
    base = GaussianNB().fit(X[tr], y[tr])
    calibrated = CalibratedClassifierCV(FrozenEstimator(base), method=method).fit(X[ca], y[ca])
    raw = base.predict_proba(X[te])
    p = calibrated.predict_proba(X[te])
    multi = p.shape[1] > 2
    metrics = {
        "accuracy": accuracy_score(y[te], p.argmax(axis=1)),
        "log_loss": log_loss(y[te], p, labels=list(range(p.shape[1]))),
        "roc_auc": roc_auc_score(y[te], p, multi_class="ovr") if multi else roc_auc_score(y[te], p[:, 1]),
    }
    write_fixture(f"calibration_{name}_{method}", {
        "dataset": csv, "target": target, "entities": entities, "split": SPLIT, "method": method,
        "model": "GaussianNB",
        "uncalibrated_log_loss": log_loss(y[te], raw, labels=list(range(p.shape[1]))),
        "metrics": metrics,
        "test_probabilities_head": p[:10].tolist(),
        "tolerance": 1e-6,
    })


# ----------------------------------------------------------------------------------------------
# Beta calibration (the betacal package, Kull et al.) on the same GaussianNB scores: one
# calibrator for the positive class, one per class (normalised) for more, as mmp's
# CalibratedClassifier. And the calibration metrics before and after: ECE and MCE as the Python
# modern-ml-pipeline's CalibrationEvaluator (10 bins, one-vs-rest mean), Brier as scikit-learn's.
from betacal import BetaCalibration  # noqa: E402
from sklearn.metrics import brier_score_loss  # noqa: E402


def bins_gaps(y, p, n_bins=10):
    edges = np.linspace(0, 1, n_bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p > lo) & (p <= hi)
        if inside.mean() > 0:
            out.append((inside.mean(), abs(p[inside].mean() - y[inside].mean())))
    return out


def calibration_metrics(y, proba):
    k = proba.shape[1]
    problems = [(proba[:, 1], (y == 1).astype(float))] if k == 2 else [(proba[:, c], (y == c).astype(float)) for c in range(k)]
    ece = np.mean([sum(s * g for s, g in bins_gaps(t, p)) for p, t in problems])
    mce = np.mean([max([g for _, g in bins_gaps(t, p)] or [0.0]) for p, t in problems])
    if k == 2:
        brier = brier_score_loss(y, proba[:, 1])
    else:
        brier = float(np.mean(np.sum((proba - np.eye(k)[y]) ** 2, axis=1)))
    return {"calibration_ece": ece, "calibration_mce": mce, "calibration_brier": brier}


# Wine on two features only: on all of them GaussianNB separates the 36 calibration rows
# perfectly, the unpenalised fit has no finite optimum, and betacal's answer is wherever lbfgs
# stopped. Two features leave the classes overlapping, so the optimum is unique.
for name, csv, target, entities, only in [("breast_cancer", "breast_cancer.csv", "diagnosis", ["sample_id"], None),
                                          ("wine", "wine.csv", "cultivar", ["sample_id"], ["alcohol", "malic_acid"])]:
    df = read_csv(csv)
    y = class_indices(df[target].tolist())
    features = only or [c for c in df.columns if c != target and c not in entities]
    X = df[features].to_numpy(dtype=float)
    parts = random_split(len(df), SPLIT["train"], SPLIT["validation"], SPLIT["test"], SPLIT["calibration"], strata=y, seed=SPLIT["seed"])
    tr, ca, te = parts["train"], parts["calibration"], parts["test"]
    base = GaussianNB().fit(X[tr], y[tr])
    raw_cal, raw = base.predict_proba(X[ca]), base.predict_proba(X[te])
    k = raw.shape[1]
    if k == 2:
        bc = BetaCalibration(parameters="abm").fit(raw_cal[:, 1], y[ca] == 1)
        p1 = bc.predict(raw[:, 1])
        p = np.column_stack([1 - p1, p1])
        params = [list(map(float, bc.calibrator_.map_))]
    else:
        cols, params = [], []
        for c in range(k):
            bc = BetaCalibration(parameters="abm").fit(raw_cal[:, c], y[ca] == c)
            cols.append(bc.predict(raw[:, c]))
            params.append(list(map(float, bc.calibrator_.map_)))
        p = np.column_stack(cols)
        total = p.sum(axis=1, keepdims=True)
        p = np.where(total > 0, p / np.where(total > 0, total, 1), 1 / k)
    metrics = {"accuracy": accuracy_score(y[te], p.argmax(axis=1)), "log_loss": log_loss(y[te], p, labels=list(range(k)))}
    metrics.update(calibration_metrics(y[te], p))
    metrics.update({key + "_uncalibrated": v for key, v in calibration_metrics(y[te], raw).items()})
    write_fixture(f"calibration_{name}_beta", {
        "dataset": csv, "target": target, "entities": entities, "features": features, "split": SPLIT, "method": "beta",
        "model": "GaussianNB",
        "uncalibrated_log_loss": log_loss(y[te], raw, labels=list(range(k))),
        "betacal_map": params, "metrics": metrics, "test_probabilities_head": p[:10].tolist(),
        "tolerance": 5e-4,
        "note": "betacal fits with scikit-learn's LogisticRegression (lbfgs, stopping at gradient tolerance 1e-4); mmp solves the same problem to its optimum, so probabilities and metrics agree to 5e-4",
    })

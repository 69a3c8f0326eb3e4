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

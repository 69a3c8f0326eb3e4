#!/usr/bin/env python3
"""Datasets of the SVM, mixture and categorical-boosting benchmark (Benchmarks/learn/models_run.sh),
in make_data.py's format (raw float64 files and meta.json). Deterministic; run once.

  svc_20k   make_classification, 20,000 train + 5,000 test rows, 20 features, standardised
  gmm_200k  make_blobs, 200,000 train + 50,000 test rows, 10 features, 8 clusters of unequal spread
  cat_200k  200,000 train + 50,000 test purchases: a 5,000-level category (Zipf-like frequency, its
            own effect per level), a 40-level one, 6 numbers; binary target. Categories are codes
            0..L-1 (NaN missing) and meta.json lists the categorical columns.
"""
import json
import os
import sys

import numpy as np
from sklearn.datasets import make_blobs, make_classification

HERE = os.path.dirname(os.path.abspath(__file__))


def svc():
    X, y = make_classification(n_samples=25_000, n_features=20, n_informative=8, n_redundant=4, flip_y=0.02,
                               class_sep=1.0, random_state=21)
    X = (X - X[:20_000].mean(0)) / X[:20_000].std(0)
    return X, y.astype(float), 20_000, "classification", []


def gmm():
    X, y = make_blobs(n_samples=250_000, n_features=10, centers=8, cluster_std=np.linspace(0.5, 2.5, 8), random_state=22)
    return X, y.astype(float), 200_000, "clustering", []


def categorical():
    rng = np.random.default_rng(23)
    n, levels = 250_000, 5_000
    weights = 1.0 / np.arange(1, levels + 1) ** 0.9
    shop = rng.choice(levels, size=n, p=weights / weights.sum()).astype(float)
    shop_effect = rng.normal(0, 1.0, levels)
    region = rng.choice(40, size=n).astype(float)
    region_effect = rng.normal(0, 0.5, 40)
    numbers = rng.normal(0, 1, (n, 6))
    logit = 1.2 * shop_effect[shop.astype(int)] + region_effect[region.astype(int)] + numbers[:, 0] - 0.5 * numbers[:, 1] ** 2 \
        + 0.5 * numbers[:, 2] * numbers[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    shop[rng.random(n) < 0.01] = np.nan
    X = np.column_stack([shop, region, numbers])
    return X, y, 200_000, "classification", [0, 1]


DATASETS = {"svc_20k": svc, "gmm_200k": gmm, "cat_200k": categorical}


def write(name, root):
    folder = os.path.join(root, name)
    if os.path.exists(os.path.join(folder, "meta.json")):
        print(f"{name}: exists")
        return
    os.makedirs(folder, exist_ok=True)
    X, y, n_train, task, categorical_columns = DATASETS[name]()
    X = np.ascontiguousarray(X, dtype="<f8")
    y = np.ascontiguousarray(y, dtype="<f8")
    X[:n_train].tofile(os.path.join(folder, "X_train.f64"))
    y[:n_train].tofile(os.path.join(folder, "y_train.f64"))
    X[n_train:].tofile(os.path.join(folder, "X_test.f64"))
    y[n_train:].tofile(os.path.join(folder, "y_test.f64"))
    meta = {"task": task, "train_rows": n_train, "test_rows": len(y) - n_train, "columns": X.shape[1], "categorical": categorical_columns}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(f"{name}: {meta}")


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data")
    for name in sys.argv[2:] or list(DATASETS):
        write(name, root)

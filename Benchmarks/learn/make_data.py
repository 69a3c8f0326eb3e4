#!/usr/bin/env python3
"""Writes the learning benchmark's datasets as raw little-endian float64 files.

Both sides (mmp-bench and anchors.py) read the same bytes, so no CSV parsing is timed and no
rounding separates them. Each dataset is a folder with X_train.f64, y_train.f64, X_test.f64,
y_test.f64 (row-major) and meta.json. Deterministic (fixed seeds); run once.

  clf_200k  make_classification, 200,000 train + 50,000 test rows, 20 features
  clf_1m    make_classification, 1,000,000 train + 250,000 test rows, 20 features
  reg_200k  make_friedman1 (nonlinear), 200,000 train + 50,000 test rows, 20 features
"""
import json
import os
import sys

import numpy as np
from sklearn.datasets import make_classification, make_friedman1

HERE = os.path.dirname(os.path.abspath(__file__))


def classification(n_train, seed):
    n = n_train + n_train // 4
    X, y = make_classification(n_samples=n, n_features=20, n_informative=10, n_redundant=5,
                               n_clusters_per_class=4, flip_y=0.03, class_sep=0.8, random_state=seed)
    return X, y.astype(np.float64), n_train, "classification"


def regression(n_train, seed):
    n = n_train + n_train // 4
    X, y = make_friedman1(n_samples=n, n_features=20, noise=1.0, random_state=seed)
    return X, y, n_train, "regression"


DATASETS = {
    "clf_200k": lambda: classification(200_000, 7),
    "clf_1m": lambda: classification(1_000_000, 8),
    "reg_200k": lambda: regression(200_000, 9),
}


def write(name, root):
    folder = os.path.join(root, name)
    if os.path.exists(os.path.join(folder, "meta.json")):
        print(f"{name}: exists")
        return
    os.makedirs(folder, exist_ok=True)
    X, y, n_train, task = DATASETS[name]()
    X = np.ascontiguousarray(X, dtype="<f8")
    y = np.ascontiguousarray(y, dtype="<f8")
    X[:n_train].tofile(os.path.join(folder, "X_train.f64"))
    y[:n_train].tofile(os.path.join(folder, "y_train.f64"))
    X[n_train:].tofile(os.path.join(folder, "X_test.f64"))
    y[n_train:].tofile(os.path.join(folder, "y_test.f64"))
    meta = {"task": task, "train_rows": n_train, "test_rows": len(y) - n_train, "columns": X.shape[1]}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(f"{name}: {meta}")


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data")
    names = sys.argv[2:] or list(DATASETS)
    for name in names:
        write(name, root)

#!/usr/bin/env python3
"""The data benchmark's anchors: the Python stack loading the same files, in its own process.

  anchors.py load --impl pandas_csv|pyarrow_csv|pandas_parquet --file F [--repeat N]
      one JSON line per run: seconds, rows, columns, peak RSS (ru_maxrss) and the baseline
      (ru_maxrss after the imports, before any load)
  anchors.py train --file F [--threads N]
      pandas.read_csv + LightGBM (100 trees, learning rate 0.1, 31 leaves) on an 80/20 split,
      ROC AUC on the test rows and the model saved to disk: what `mmp train` does end to end.
"""
import argparse
import json
import os
import resource
import tempfile
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.csv  # noqa: E402
import pyarrow.parquet  # noqa: E402


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def load(args):
    baseline = peak_mb()
    for run in range(1, args.repeat + 1):
        start = time.perf_counter()
        if args.impl == "pandas_csv":
            frame = pd.read_csv(args.file, engine="c")
            rows, columns = frame.shape
        elif args.impl == "pyarrow_csv":
            frame = pyarrow.csv.read_csv(args.file)
            rows, columns = frame.num_rows, frame.num_columns
        elif args.impl == "pandas_parquet":
            frame = pd.read_parquet(args.file, engine="pyarrow")
            rows, columns = frame.shape
        else:
            raise SystemExit(f"unknown impl {args.impl}")
        seconds = time.perf_counter() - start
        print(json.dumps({"impl": args.impl, "file": args.file, "run": run, "seconds": seconds, "rows": rows,
                          "columns": columns, "peak_rss_mb": peak_mb(), "baseline_rss_mb": baseline}), flush=True)
        del frame


def roc_auc(y, score):
    """Mann-Whitney form (no ties in continuous scores)."""
    ranks = np.empty(len(score))
    ranks[np.argsort(score)] = np.arange(1, len(score) + 1)
    positives = y == 1
    n1, n0 = positives.sum(), (~positives).sum()
    return (ranks[positives].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def train(args):
    import lightgbm

    stages = {}
    start = time.perf_counter()
    frame = pd.read_csv(args.file, engine="c")
    stages["load"] = time.perf_counter() - start
    t = time.perf_counter()
    y = frame.pop("target").to_numpy()
    X = frame.to_numpy(dtype=np.float64)
    rng = np.random.default_rng(42)
    order = rng.permutation(len(y))
    cut = int(len(y) * 0.8)
    train_rows, test_rows = order[:cut], order[cut:]
    stages["split"] = time.perf_counter() - t
    t = time.perf_counter()
    # LightGBM's own API (its scikit-learn wrapper would need scikit-learn): the same settings.
    params = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "num_threads": args.threads,
              "seed": 42, "verbose": -1}
    booster = lightgbm.train(params, lightgbm.Dataset(X[train_rows], label=y[train_rows]), num_boost_round=100)
    stages["fit"] = time.perf_counter() - t
    t = time.perf_counter()
    auc = roc_auc(y[test_rows], booster.predict(X[test_rows]))
    stages["evaluate"] = time.perf_counter() - t
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        booster.save_model(os.path.join(folder, "model.txt"))
    stages["save"] = time.perf_counter() - t
    print(json.dumps({"impl": "pandas+lightgbm", "file": args.file, "seconds": time.perf_counter() - start,
                      "seconds_with_imports": time.perf_counter() - T0, "stages": stages, "roc_auc": auc,
                      "peak_rss_mb": peak_mb()}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load")
    p.add_argument("--impl", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("train")
    p.add_argument("--file", required=True)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    load(args) if args.command == "load" else train(args)

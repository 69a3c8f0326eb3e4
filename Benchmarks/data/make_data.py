#!/usr/bin/env python3
"""Writes the data-loading benchmark's files (deterministic; skips files that exist).

  num_200k.csv    200,000 rows x 22 columns: 21 float features (6 decimals) and a 0/1 target
  num_2m.csv      2,000,000 rows x 22, the same kind of rows (about 350 MB)
  mixed_200k.csv  200,000 rows x 22: 15 floats, an integer count, 5 text columns (one with
                  quoted values holding commas), about 5% of the floats and 3% of the text missing,
                  and the 0/1 target
  num_2m.parquet  num_2m.csv as Parquet (pyarrow, snappy, the pandas default)

  python make_data.py [FOLDER]
"""
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def numeric(rows, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 21))
    logit = X[:, :6] @ np.array([1.2, -0.8, 0.6, 0.9, -1.1, 0.4]) + 0.5 * X[:, 6] * X[:, 7]
    y = (logit + rng.logistic(size=rows) > 0).astype(np.int64)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(21)])
    frame["target"] = y
    return frame


def mixed(rows, seed):
    rng = np.random.default_rng(seed)
    frame = numeric(rows, seed).drop(columns=["f15", "f16", "f17", "f18", "f19", "f20"])
    frame.insert(15, "visits", rng.poisson(3.0, size=rows))
    for name in [f"f{i}" for i in range(15)]:
        frame.loc[rng.random(rows) < 0.05, name] = np.nan
    cities = np.array(["Paris", "Lyon", "Rio de Janeiro", "São Paulo", "Osaka", "Nairobi", "Lima", "Oslo"])
    texts = {
        "city": cities[rng.integers(0, len(cities), rows)],
        "plan": np.array(["free", "pro", "team", "enterprise"])[rng.integers(0, 4, rows)],
        "channel": np.array(["web", "ios", "android", "partner, reseller"])[rng.integers(0, 4, rows)],
        "segment": np.array([f"seg-{k:03d}" for k in range(200)])[rng.integers(0, 200, rows)],
        "referrer": np.array([f"https://example.org/campaign/{k}" for k in range(5000)])[rng.integers(0, 5000, rows)],
    }
    for name, values in texts.items():
        column = pd.Series(values, dtype=object)
        column[rng.random(rows) < 0.03] = None
        frame.insert(len(frame.columns) - 1, name, column)
    return frame


def write(folder, name, make):
    path = os.path.join(folder, name)
    if os.path.exists(path):
        print(f"{name}: exists")
        return
    frame = make()
    if name.endswith(".parquet"):
        frame.to_parquet(path + ".tmp", index=False)
    else:
        frame.to_csv(path + ".tmp", index=False, float_format="%.6f")
    os.replace(path + ".tmp", path)
    print(f"{name}: {len(frame)} rows x {len(frame.columns)} columns, {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "files")
    os.makedirs(folder, exist_ok=True)
    write(folder, "num_200k.csv", lambda: numeric(200_000, 1))
    write(folder, "mixed_200k.csv", lambda: mixed(200_000, 2))
    write(folder, "num_2m.csv", lambda: numeric(2_000_000, 3))
    write(folder, "num_2m.parquet", lambda: pd.read_csv(os.path.join(folder, "num_2m.csv")))

"""Batch scoring benchmark data: ROWS rows x 20 numeric features (plus id and a binary target)
to score, and a 200,000-row training file from the same distribution.

    python make_data.py FOLDER [ROWS]
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

folder = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
os.makedirs(folder, exist_ok=True)


def make(n, seed, path):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    w = np.random.default_rng(7).normal(size=20)
    schema = pa.schema([("id", pa.int64())] + [(f"f{i}", pa.float64()) for i in range(20)] + [("target", pa.int64())])
    with pacsv.CSVWriter(path + ".tmp", schema, write_options=pacsv.WriteOptions(quoting_style="none")) as out:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            x = np.round(rng.normal(size=(m, 20)), 4)
            logit = x @ w * 0.5 + np.sin(x[:, 0] * 2)
            y = (rng.random(m) < 1 / (1 + np.exp(-logit))).astype(np.int64)
            cols = [pa.array(np.arange(start, start + m, dtype=np.int64))] + [pa.array(x[:, i]) for i in range(20)] + [pa.array(y)]
            out.write_table(pa.Table.from_arrays(cols, names=["id"] + [f"f{i}" for i in range(20)] + ["target"]))
    os.replace(path + ".tmp", path)


make(200_000, 1, os.path.join(folder, "train_200k.csv"))
make(rows, 2, os.path.join(folder, f"score_{rows}.csv"))
print(f"{folder}/score_{rows}.csv", os.path.getsize(os.path.join(folder, f"score_{rows}.csv")))

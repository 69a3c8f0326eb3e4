"""Writes the serving benchmark's data: a binary classification table of 20 numeric features
(fixed seed), the training CSV both models learn from, and the request bodies the load
generator sends (one row for /predict, 1,000 rows for /predict/batch).

    python make_data.py OUT_DIR
"""
import json
import os
import sys

import numpy as np


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261206)
    n, k = 20_000, 20
    x = rng.normal(size=(n, k))
    weights = rng.normal(size=k)
    logit = x @ weights * 0.6 + 0.8 * np.sin(x[:, 0] * x[:, 1]) + 0.5 * (x[:, 2] > 0.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    columns = [f"f{i}" for i in range(k)]
    with open(f"{out}/train.csv", "w") as f:
        f.write(",".join(["row_id"] + columns + ["label"]) + "\n")
        for i in range(n):
            f.write(",".join([str(i)] + [repr(float(v)) for v in x[i]] + [str(y[i])]) + "\n")
    # Requests: rows the models did not train on.
    q = rng.normal(size=(1000, k))
    rows = [{"row_id": 100_000 + i, **{c: float(q[i, j]) for j, c in enumerate(columns)}} for i in range(1000)]
    with open(f"{out}/row.json", "w") as f:
        json.dump(rows[0], f)
    with open(f"{out}/batch.json", "w") as f:
        json.dump({"samples": rows}, f)
    with open(f"{out}/columns.json", "w") as f:
        json.dump(columns, f)


if __name__ == "__main__":
    main(sys.argv[1])

"""Linear models: scikit-learn and mmp on the same generated data, in one run (anchors beside ours)."""
import subprocess, time
import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn import linear_model
from sklearn.metrics import roc_auc_score, r2_score
import os, sys
WORK = sys.argv[1]
BIN = os.path.join(WORK, ".build/release/LinearBench")

def save(path, x, y):
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(x, dtype=np.float64).tobytes()); f.write(y.astype(np.float64).tobytes())

def run(path, n, x, y, sk, name, params, classification, reps=2):
    k = n * 4 // 5
    for _ in range(reps):
        t0 = time.perf_counter(); m = sk.fit(x[:k], y[:k]); t1 = time.perf_counter()
        if classification and y.max() > 1:
            s = (m.predict(x[k:]) == y[k:]).mean(); metric = "accuracy"
        elif classification:
            s = roc_auc_score(y[k:], m.predict_proba(x[k:])[:, 1]); metric = "roc_auc"
        else:
            s = r2_score(y[k:], m.predict(x[k:])); metric = "r2"
        t2 = time.perf_counter()
        it = getattr(m, "n_iter_", None)
        print(f"sklearn  {name} n={n} fit {t1-t0:.3f} s  predict {t2-t1:.3f} s  {metric} {s:.5f}  iterations={np.max(it) if it is not None else '-'}", flush=True)
        for threads in [1, 2]:
            subprocess.run([BIN, path, str(n), "20", str(threads), name] + params, check=True)

for n in [200_000, 1_000_000]:
    x, y = make_classification(n_samples=n, n_features=20, n_informative=10, n_redundant=5, random_state=0)
    path = f"{WORK}/cls_{n}.bin"; save(path, x, y)
    run(path, n, x, y, linear_model.LogisticRegression(max_iter=100), "LogisticRegression", ["max_iter=100"], True)
n = 200_000
x, y = make_classification(n_samples=n, n_features=20, n_informative=10, n_redundant=5, n_classes=4, random_state=0)
path = f"{WORK}/cls4_{n}.bin"; save(path, x, y)
run(path, n, x, y, linear_model.LogisticRegression(max_iter=100), "LogisticRegression", ["max_iter=100"], True)
x, y = make_regression(n_samples=n, n_features=20, n_informative=12, noise=10.0, random_state=0)
path = f"{WORK}/reg_{n}.bin"; save(path, x, y)
run(path, n, x, y, linear_model.Ridge(alpha=1.0), "Ridge", ["alpha=1.0"], False)
run(path, n, x, y, linear_model.LinearRegression(), "LinearRegression", [], False)
run(path, n, x, y, linear_model.Lasso(alpha=0.5), "Lasso", ["alpha=0.5"], False)
run(path, n, x, y, linear_model.ElasticNet(alpha=0.5, l1_ratio=0.5), "ElasticNet", ["alpha=0.5", "l1_ratio=0.5"], False)

#!/usr/bin/env python3
"""One anchor model on one benchmark dataset, in this process; prints one JSON line.

  anchors.py --data DIR --dataset clf_200k --model lightgbm [--threads 2]

Models: sklearn_logistic, sklearn_rf, sklearn_hgb, sklearn_kmeans, lightgbm, lightgbm_quantile (--alpha), xgboost. Settings
match mmp-bench's (100 trees, learning rate 0.1, the given thread count). Peak memory is
ru_maxrss of this process; the baseline is ru_maxrss once the data is loaded (imports included).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    c = meta["columns"]
    read = lambda name: np.fromfile(os.path.join(folder, name), dtype="<f8")
    return (meta, read("X_train.f64").reshape(-1, c), read("y_train.f64"),
            read("X_test.f64").reshape(-1, c), read("y_test.f64"))


def make(name, task, threads, seed=42, alpha=0.9):
    if name == "sklearn_logistic":
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(solver="lbfgs", max_iter=100)
    if name == "sklearn_rf":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
        cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
        return cls(n_estimators=100, n_jobs=threads, random_state=seed)
    if name == "sklearn_hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
        cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        return cls(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
                   early_stopping=False, random_state=seed)
    if name == "sklearn_kmeans":
        from sklearn.cluster import KMeans
        return KMeans(n_clusters=8, n_init=1, max_iter=100, random_state=seed)
    if name == "lightgbm":
        import lightgbm
        cls = lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor
        return cls(n_estimators=100, learning_rate=0.1, num_leaves=31, n_jobs=threads, random_state=seed, verbose=-1)
    if name == "lightgbm_quantile":
        import lightgbm
        return lightgbm.LGBMRegressor(objective="quantile", alpha=alpha, n_estimators=100, learning_rate=0.1, num_leaves=31,
                                      n_jobs=threads, random_state=seed, verbose=-1)
    if name == "xgboost":
        import xgboost
        cls = xgboost.XGBClassifier if task == "classification" else xgboost.XGBRegressor
        return cls(n_estimators=100, learning_rate=0.1, tree_method="hist", max_depth=0, max_leaves=31,
                   grow_policy="lossguide", n_jobs=threads, random_state=seed)
    raise SystemExit(f"unknown model {name}")


def auc(y, score):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, score))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--alpha", type=float, default=0.9, help="quantile level of lightgbm_quantile")
    args = ap.parse_args()
    # OpenMP-based libraries (scikit-learn's HGB, LightGBM, XGBoost) read this too.
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    meta, Xtr, ytr, Xte, yte = load(os.path.join(args.data, args.dataset))
    task = meta["task"]
    model = make(args.model, task, args.threads, seed=args.seed, alpha=args.alpha)  # imports the library before the baseline
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=args.threads)
    except ImportError:
        limits = None
    baseline = rss_mb()

    t0 = time.perf_counter()
    if args.model == "sklearn_kmeans":
        model.fit(Xtr)
    else:
        model.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    if args.model == "sklearn_kmeans":
        model.predict(Xte)
        score, metric = float(model.inertia_), "inertia"
    elif task == "classification":
        p = model.predict_proba(Xte)[:, 1]
        score, metric = auc(yte, p), "roc_auc"
    elif args.model == "lightgbm_quantile":
        from sklearn.metrics import mean_pinball_loss
        score = float(mean_pinball_loss(yte, model.predict(Xte), alpha=args.alpha))
        metric = f"pinball_loss_alpha_{args.alpha:g}"
    else:
        from sklearn.metrics import r2_score
        score, metric = float(r2_score(yte, model.predict(Xte))), "r2"
    predict_s = time.perf_counter() - t0

    out = {"impl": args.model, "dataset": args.dataset, "fit_s": round(fit_s, 3), "predict_s": round(predict_s, 3),
           "metric": metric, "score": score, "peak_mb": round(rss_mb(), 1), "baseline_mb": round(baseline, 1),
           "threads": args.threads, "seed": args.seed}
    if hasattr(model, "n_iter_"):
        out["summary"] = {"n_iter": int(model.n_iter_) if not hasattr(model.n_iter_, "__len__") else int(max(model.n_iter_))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""One anchor of the SVM, mixture and categorical-boosting benchmark on one dataset, in this
process; prints one JSON line like anchors.py.

  models_anchors.py --data DIR --dataset svc_20k --model sklearn_svc [--threads 2]

Models: sklearn_svc (SVC(), defaults), sklearn_gmm (GaussianMixture(8, full, max_iter=100)),
catboost and lightgbm_cat (300 iterations, depth 6 / 64 leaves, learning rate 0.08, L2 3, the
categorical columns of meta.json declared as categorical). Settings match mmp-bench's
(LearnBenchRun.defaultParameters).
"""
import argparse
import json
import os
import resource
import time

import numpy as np


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    c = meta["columns"]
    read = lambda name: np.fromfile(os.path.join(folder, name), dtype="<f8")
    return (meta, read("X_train.f64").reshape(-1, c), read("y_train.f64"), read("X_test.f64").reshape(-1, c), read("y_test.f64"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    meta, Xtr, ytr, Xte, yte = load(os.path.join(args.data, args.dataset))
    categorical = meta.get("categorical", [])
    from threadpoolctl import threadpool_limits
    from sklearn import metrics
    if args.model == "sklearn_svc":
        from sklearn.svm import SVC
        model = SVC()
    elif args.model == "sklearn_gmm":
        from sklearn.mixture import GaussianMixture
        model = GaussianMixture(n_components=8, covariance_type="full", max_iter=100, n_init=1, random_state=42)
    elif args.model == "catboost":
        import catboost
        import pandas as pd
        model = catboost.CatBoostClassifier(iterations=300, depth=6, learning_rate=0.08, l2_leaf_reg=3, random_seed=42,
                                            thread_count=args.threads, verbose=False, cat_features=categorical, allow_writing_files=False)

        def frame(X):
            df = pd.DataFrame(X)
            for c in categorical:
                df[c] = np.where(np.isnan(X[:, c]), -1, X[:, c]).astype(np.int64)
            return df
        Xtr, Xte = frame(Xtr), frame(Xte)
    elif args.model == "lightgbm_cat":
        import lightgbm
        model = lightgbm.LGBMClassifier(n_estimators=300, max_depth=6, num_leaves=64, learning_rate=0.08, reg_lambda=3,
                                        n_jobs=args.threads, random_state=42, verbose=-1)
    else:
        raise SystemExit(f"unknown model {args.model}")
    limits = threadpool_limits(limits=args.threads)
    baseline = rss_mb()
    t0 = time.perf_counter()
    if args.model == "sklearn_gmm":
        model.fit(Xtr)
    elif args.model == "lightgbm_cat":
        model.fit(Xtr, ytr, categorical_feature=categorical)
    else:
        model.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    if args.model == "sklearn_gmm":
        model.predict(Xte)
        metric, score = "bic", float(model.bic(Xtr))
    elif args.model == "sklearn_svc":
        metric, score = "accuracy", float(metrics.accuracy_score(yte, model.predict(Xte)))
    else:
        metric, score = "roc_auc", float(metrics.roc_auc_score(yte, model.predict_proba(Xte)[:, 1]))
    predict_s = time.perf_counter() - t0
    out = {"impl": args.model, "dataset": args.dataset, "fit_s": round(fit_s, 3), "predict_s": round(predict_s, 3), "metric": metric,
           "score": score, "peak_mb": round(rss_mb(), 1), "baseline_mb": round(baseline, 1), "threads": args.threads}
    if hasattr(model, "n_iter_"):
        out["summary"] = {"n_iter": int(np.max(model.n_iter_))}
    if hasattr(model, "support_"):
        out["summary"] = {"support_vectors": int(len(model.support_))}
    del limits
    print(json.dumps(out))


if __name__ == "__main__":
    main()

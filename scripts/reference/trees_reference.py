#!/usr/bin/env python3
"""Reference scores for mmp's tree models, written to Tests/MMPLearnTests/Fixtures/trees_*.json.

Each case trains scikit-learn (trees, forests, HistGradientBoosting) or LightGBM (boosting) on
exactly the rows mmp trains on (common.random_split mirrors Splitter.random bit for bit) with the
same hyperparameters, and scores the same test rows. The Swift tests (TreeReferenceTests,
ForestReferenceTests, BoostingReferenceTests) train ours and assert the score lies within the
case's tolerance: 0.01 for deterministic models, 0.02 for randomized ones.

Randomized models (forests) cannot share a random stream with scikit-learn, so both sides average
the score over the same five seeds; the fixture keeps scikit-learn's per-seed scores to show the
spread. A single tree is deterministic except for how scikit-learn breaks exact ties between
equally good splits (its random feature order); the fixture records the scores over ten
random_states, and the reference is random_state=0.

Run from the repository root: python3 scripts/reference/trees_reference.py
"""
import numpy as np
import sklearn
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import lightgbm

from common import SeededGenerator, class_indices, random_split, read_csv, write_fixture

FOREST_SEEDS = [0, 1, 2, 3, 4]

# name: (csv, target, task, features)
DATASETS = {
    "breast_cancer": ("breast_cancer.csv", "diagnosis", "classification", None),
    "iris": ("iris.csv", "species", "classification", None),
    "wine": ("wine.csv", "cultivar", "classification", None),
    "moons": ("moons.csv", "label", "classification", None),
    "diabetes": ("diabetes.csv", "progression", "regression", None),
    # The text column `neighborhood` is left out: no encoder runs in these tests.
    "houses": ("houses.csv", "sale_price", "regression",
               ["lot_area", "year_built", "total_rooms", "garage_area", "distance_center", "noise_feature"]),
}
ID_COLUMNS = {"sample_id", "patient_id", "point_id", "house_id"}
SPLIT = {"train": 0.7, "validation": 0.0, "test": 0.3, "seed": 42}
SPLIT_WITH_VALIDATION = {"train": 0.6, "validation": 0.2, "test": 0.2, "seed": 42}


def load(name, split, missing=None):
    """Features, target and split of one dataset. `missing` = {"every": k, "seed": s} blanks the
    cells where SeededGenerator(s).uniform(k) == 0, walking cells row by row (the tests do the same)."""
    csv, target, task, features = DATASETS[name]
    df = read_csv(csv)
    if features is None:
        features = [c for c in df.columns if c != target and c not in ID_COLUMNS]
    X = df[features].to_numpy(dtype=float)
    if missing:
        g = SeededGenerator(missing["seed"])
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                if g.uniform(missing["every"]) == 0:
                    X[i, j] = np.nan
    if task == "classification":
        y = class_indices(df[target].tolist())
        parts = random_split(len(y), split["train"], split["validation"], split["test"], strata=y, seed=split["seed"])
    else:
        y = df[target].to_numpy(dtype=float)
        parts = random_split(len(y), split["train"], split["validation"], split["test"], seed=split["seed"])
    return X, y, parts, task, features, target


def score(metric, model, X, y):
    if metric == "accuracy":
        return float(accuracy_score(y, model.predict(X)))
    if metric == "roc_auc":
        p = model.predict_proba(X)
        if p.shape[1] == 2:
            return float(roc_auc_score(y, p[:, 1]))
        return float(roc_auc_score(y, p, multi_class="ovr", average="macro"))
    if metric == "r2":
        return float(r2_score(y, model.predict(X)))
    raise ValueError(metric)


def case(name, dataset, model, params, metric, tolerance, reference, extra=None, split=SPLIT, missing=None):
    X, y, parts, task, features, target = load(dataset, split, missing)
    out = {
        "name": name, "dataset": DATASETS[dataset][0], "target": target, "features": features, "task": task,
        "split": split, "model": model, "params": params, "metric": metric, "tolerance": tolerance,
        "reference": reference, "train_rows": len(parts["train"]), "test_rows": len(parts["test"]),
    }
    if missing:
        out["missing"] = missing
    if extra:
        out.update(extra)
    print(f"  {name}: {metric} {reference:.4f} (± {tolerance})")
    return out


def decision_trees():
    cases = []
    specs = [
        ("tree_breast_cancer_depth4", "breast_cancer", "DecisionTreeClassifier", {"max_depth": 4}, "accuracy"),
        ("tree_breast_cancer_full", "breast_cancer", "DecisionTreeClassifier", {}, "accuracy"),
        ("tree_wine_entropy", "wine", "DecisionTreeClassifier", {"criterion": "entropy", "max_depth": 5}, "accuracy"),
        ("tree_moons_depth8_leaf5", "moons", "DecisionTreeClassifier", {"max_depth": 8, "min_samples_leaf": 5}, "accuracy"),
        ("tree_iris_depth3", "iris", "DecisionTreeClassifier", {"max_depth": 3}, "accuracy"),
        ("tree_diabetes_depth4", "diabetes", "DecisionTreeRegressor", {"max_depth": 4}, "r2"),
        ("tree_houses_depth8", "houses", "DecisionTreeRegressor", {"max_depth": 8, "min_samples_split": 10}, "r2"),
    ]
    for name, dataset, model, params, metric in specs:
        X, y, parts, task, *_ = load(dataset, SPLIT)
        tr, te = parts["train"], parts["test"]
        cls = DecisionTreeClassifier if model == "DecisionTreeClassifier" else DecisionTreeRegressor
        by_seed = []
        importances = None
        for seed in range(10):
            m = cls(random_state=seed, **params).fit(X[tr], y[tr])
            by_seed.append(score(metric, m, X[te], y[te]))
            if seed == 0:
                importances = m.feature_importances_.tolist()
        cases.append(case(name, dataset, model, params, metric, 0.01, by_seed[0],
                          {"reference_by_random_state": by_seed, "feature_importances": importances}))
    return cases


def forests():
    cases = []
    specs = [
        ("forest_breast_cancer", "breast_cancer", "RandomForestClassifier", {"n_estimators": 100}, "roc_auc"),
        ("forest_wine", "wine", "RandomForestClassifier", {"n_estimators": 100}, "roc_auc"),
        ("forest_moons_depth10", "moons", "RandomForestClassifier", {"n_estimators": 100, "max_depth": 10}, "roc_auc"),
        ("forest_diabetes", "diabetes", "RandomForestRegressor", {"n_estimators": 100, "min_samples_leaf": 3}, "r2"),
        ("forest_houses", "houses", "RandomForestRegressor", {"n_estimators": 100}, "r2"),
    ]
    for name, dataset, model, params, metric in specs:
        X, y, parts, task, *_ = load(dataset, SPLIT)
        tr, te = parts["train"], parts["test"]
        cls = RandomForestClassifier if model == "RandomForestClassifier" else RandomForestRegressor
        by_seed = [score(metric, cls(random_state=s, n_jobs=2, **params).fit(X[tr], y[tr]), X[te], y[te]) for s in FOREST_SEEDS]
        cases.append(case(name, dataset, model, params, metric, 0.02, float(np.mean(by_seed)),
                          {"seeds": FOREST_SEEDS, "reference_by_seed": by_seed}))
    return cases


def lgbm(task, params, classes):
    kw = dict(n_estimators=params.get("n_estimators", 100), learning_rate=params.get("learning_rate", 0.1),
              num_leaves=params.get("num_leaves", 31), min_child_samples=params.get("min_child_samples", 20),
              reg_lambda=params.get("reg_lambda", 0.0), max_bin=params.get("max_bins", 255),
              subsample=params.get("subsample", 1.0), subsample_freq=1 if params.get("subsample", 1.0) < 1 else 0,
              colsample_bytree=params.get("colsample_bytree", 1.0), max_depth=params.get("max_depth", -1),
              random_state=0, n_jobs=2, verbose=-1, min_data_in_bin=1)
    return (lightgbm.LGBMClassifier if task == "classification" else lightgbm.LGBMRegressor)(**kw)


def hgb(task, params):
    kw = dict(max_iter=params.get("n_estimators", 100), learning_rate=params.get("learning_rate", 0.1),
              max_leaf_nodes=params.get("num_leaves", 31), min_samples_leaf=params.get("min_child_samples", 20),
              l2_regularization=params.get("reg_lambda", 0.0), early_stopping=False, random_state=0)
    return (HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor)(**kw)


def boosting():
    cases = []
    specs = [
        ("boost_breast_cancer", "breast_cancer", "GradientBoostingClassifier", {}, "roc_auc", None),
        ("boost_iris_multiclass", "iris", "GradientBoostingClassifier", {"min_child_samples": 5}, "roc_auc", None),
        ("boost_wine_multiclass", "wine", "GradientBoostingClassifier", {"min_child_samples": 5, "num_leaves": 8}, "roc_auc", None),
        ("boost_moons", "moons", "GradientBoostingClassifier", {"n_estimators": 200, "learning_rate": 0.05}, "roc_auc", None),
        ("boost_moons_accuracy", "moons", "GradientBoostingClassifier", {}, "accuracy", None),
        ("boost_diabetes", "diabetes", "GradientBoostingRegressor", {"num_leaves": 8, "learning_rate": 0.05, "reg_lambda": 1.0}, "r2", None),
        ("boost_houses_missing", "houses", "GradientBoostingRegressor", {"n_estimators": 300}, "r2", None),
        ("boost_breast_cancer_missing", "breast_cancer", "GradientBoostingClassifier", {"max_depth": 4}, "roc_auc",
         {"every": 8, "seed": 5}),
    ]
    for name, dataset, model, params, metric, missing in specs:
        X, y, parts, task, *_ = load(dataset, SPLIT, missing)
        tr, te = parts["train"], parts["test"]
        classes = len(set(y)) if task == "classification" else 0
        ref = score(metric, lgbm(task, params, classes).fit(X[tr], y[tr]), X[te], y[te])
        hist = score(metric, hgb(task, params).fit(X[tr], y[tr]), X[te], y[te])
        cases.append(case(name, dataset, model, params, metric, 0.01, ref,
                          {"reference_model": "lightgbm", "hist_gradient_boosting": hist}, missing=missing))

    # Early stopping on the validation split, as LightGBM's early_stopping callback does.
    for name, dataset, model, params in [
        ("boost_moons_early_stopping", "moons", "GradientBoostingClassifier",
         {"n_estimators": 1000, "learning_rate": 0.1, "early_stopping_rounds": 10}),
        ("boost_diabetes_early_stopping", "diabetes", "GradientBoostingRegressor",
         {"n_estimators": 1000, "learning_rate": 0.05, "num_leaves": 8, "early_stopping_rounds": 20}),
    ]:
        X, y, parts, task, *_ = load(dataset, SPLIT_WITH_VALIDATION)
        tr, va, te = parts["train"], parts["validation"], parts["test"]
        m = lgbm(task, params, 0)
        stop = [lightgbm.early_stopping(params["early_stopping_rounds"], verbose=False)]
        try:  # LightGBM 4.6+ names the validation rows eval_X / eval_y
            m.fit(X[tr], y[tr], eval_X=(X[va],), eval_y=(y[va],), callbacks=stop)
        except TypeError:
            m.fit(X[tr], y[tr], eval_set=[(X[va], y[va])], callbacks=stop)
        metric = "roc_auc" if task == "classification" else "r2"
        ref = score(metric, m, X[te], y[te])
        cases.append(case(name, dataset, model, params, metric, 0.01, ref,
                          {"reference_model": "lightgbm", "best_iteration": int(m.best_iteration_)},
                          split=SPLIT_WITH_VALIDATION))
    return cases


def main():
    versions = {"sklearn": sklearn.__version__, "lightgbm": lightgbm.__version__, "numpy": np.__version__}
    print("decision trees")
    write_fixture("trees_decision_tree", {"versions": versions, "cases": decision_trees()})
    print("random forests")
    write_fixture("trees_random_forest", {"versions": versions, "cases": forests()})
    print("gradient boosting")
    write_fixture("trees_boosting", {"versions": versions, "cases": boosting()})


if __name__ == "__main__":
    main()

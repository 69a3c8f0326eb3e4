#!/usr/bin/env python3
"""scikit-learn references for GaussianNB, k-nearest neighbours, KMeans and the clustering metrics.

Writes Tests/MMPLearnTests/Fixtures/misc_*.json (committed). Each case names the CSV under data/,
the feature and target columns, the split (reproduced bit for bit by common.random_split, so
scikit-learn fits and scores the very rows mmp does), whether features are standardised
(StandardScaler fitted on the training rows), the hyperparameters, scikit-learn's metrics and,
for deterministic models, its test-set predictions. Each fixture states its tolerance and why.

Run: python3 scripts/reference/misc_reference.py   (needs numpy, pandas, scikit-learn)
"""
import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import (accuracy_score, calinski_harabasz_score, davies_bouldin_score, log_loss,
                             mean_squared_error, r2_score, roc_auc_score, silhouette_score)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

from common import class_indices, random_split, read_csv, write_fixture

DATASETS = {
    "iris": ("iris.csv", "sample_id", "species"),
    "wine": ("wine.csv", "sample_id", "cultivar"),
    "breast_cancer": ("breast_cancer.csv", "sample_id", "diagnosis"),
    "moons": ("moons.csv", "point_id", "label"),
    "diabetes": ("diabetes.csv", "patient_id", "progression"),
    "blobs": ("blobs.csv", "point_id", None),
}


def prepare(dataset, split, standardize, classification, clustering=False):
    """Features and target of the train and test rows, as mmp's test helper builds them.
    Clustering leaves the target column out of the features and ignores it."""
    file, id_column, target = DATASETS[dataset]
    df = read_csv(file)
    features = [c for c in df.columns if c not in (id_column, target)]
    x = df[features].to_numpy(dtype=float)
    y = None
    strata = None
    if target is not None and not clustering:
        y = class_indices(df[target].tolist()) if classification else df[target].to_numpy(dtype=float)
        strata = y if (classification and split["stratify"]) else None
    parts = random_split(len(df), split["train"], split.get("validation", 0.0), split["test"], strata=strata, seed=split["seed"])
    train, test = parts["train"], parts["test"]
    x_train, x_test = x[train], x[test]
    if standardize:
        scaler = StandardScaler().fit(x_train)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    base = {"data": file, "id_column": id_column, "target": target, "features": features,
            "split": split, "standardize": standardize, "train_rows": len(train), "test_rows": len(test)}
    if y is None:
        return base, x_train, x_test, None, None
    return base, x_train, x_test, y[train], y[test]


def classification_metrics(model, x_test, y_test):
    proba = model.predict_proba(x_test)
    predicted = model.predict(x_test)
    metrics = {"accuracy": accuracy_score(y_test, predicted),
               "log_loss": log_loss(y_test, proba, labels=list(range(proba.shape[1])))}
    if proba.shape[1] == 2:
        metrics["roc_auc"] = roc_auc_score(y_test, proba[:, 1])
    return metrics, predicted, proba


def naive_bayes():
    cases = []
    for dataset, split, params in [
        ("iris", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": True}, {}),
        ("wine", {"train": 0.7, "test": 0.3, "seed": 7, "stratify": True}, {}),
        ("breast_cancer", {"train": 0.75, "test": 0.25, "seed": 3, "stratify": True}, {}),
        ("moons", {"train": 0.8, "test": 0.2, "seed": 11, "stratify": True}, {"var_smoothing": 1e-3}),
    ]:
        base, x_train, x_test, y_train, y_test = prepare(dataset, split, False, True)
        model = GaussianNB(**params).fit(x_train, y_train)
        metrics, predicted, proba = classification_metrics(model, x_test, y_test)
        cases.append({**base, "name": f"gaussian_nb_{dataset}", "model": "GaussianNB", "hyperparameters": params,
                      "metrics": metrics, "test_predictions": predicted.tolist(),
                      "test_probabilities": np.round(proba, 12).tolist()})
    write_fixture("misc_naive_bayes", {
        "generator": "scripts/reference/misc_reference.py", "sklearn": sklearn.__version__,
        "tolerance": 0.01, "probability_tolerance": 1e-6,
        "note": "GaussianNB is deterministic: metrics within 0.01 (the issue's bound for deterministic models); "
                "probabilities follow the same closed-form formulas, so they must agree to 1e-6.",
        "cases": cases})


def require_no_ties(x_train, y_train, x_test, params):
    """Stops when a test row's k-th place is shared by equally distant training rows with different
    targets: which of them scikit-learn keeps is up to numpy's partition, so such a case could not
    check anything. (Ties among rows with the same target change nothing and are allowed.)"""
    p = {"euclidean": 2, "manhattan": 1, "chebyshev": np.inf}.get(params.get("metric", "minkowski"), params.get("p", 2))
    diff = np.abs(x_test[:, None, :] - x_train[None, :, :])
    distances = diff.max(axis=2) if p == np.inf else (diff ** p).sum(axis=2) ** (1 / p)
    k = params.get("n_neighbors", 5)
    ambiguous = []
    for row, d in enumerate(distances):
        kth = np.sort(d)[k - 1]
        tied = np.isclose(d, kth, rtol=1e-9, atol=1e-12)
        if tied.sum() > 1 and (d < kth).sum() + tied.sum() > k and len(set(y_train[tied].tolist())) > 1:
            ambiguous.append(row)
    if ambiguous:
        raise SystemExit(f"{params}: test rows {ambiguous} have differently labelled ties at the k-th neighbour; pick another case")


def neighbors():
    cases = []
    for dataset, split, standardize, model_name, params in [
        ("iris", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": True}, True, "KNeighborsClassifier", {"n_neighbors": 5}),
        ("wine", {"train": 0.7, "test": 0.3, "seed": 7, "stratify": True}, True, "KNeighborsClassifier",
         {"n_neighbors": 7, "weights": "distance", "p": 1}),
        ("breast_cancer", {"train": 0.75, "test": 0.25, "seed": 3, "stratify": True}, True, "KNeighborsClassifier",
         {"n_neighbors": 5, "metric": "euclidean"}),
        ("moons", {"train": 0.8, "test": 0.2, "seed": 11, "stratify": True}, True, "KNeighborsClassifier",
         {"n_neighbors": 15, "weights": "distance"}),
        ("moons", {"train": 0.8, "test": 0.2, "seed": 11, "stratify": True}, True, "KNeighborsClassifier",
         {"n_neighbors": 9, "metric": "minkowski", "p": 3, "algorithm": "brute"}),
        ("diabetes", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": False}, True, "KNeighborsRegressor", {"n_neighbors": 10}),
        ("diabetes", {"train": 0.8, "test": 0.2, "seed": 5, "stratify": False}, True, "KNeighborsRegressor",
         {"n_neighbors": 5, "weights": "distance", "metric": "manhattan", "algorithm": "brute"}),
        ("moons", {"train": 0.8, "test": 0.2, "seed": 5, "stratify": True}, True, "KNeighborsClassifier",
         {"n_neighbors": 8, "metric": "chebyshev", "algorithm": "kd_tree"}),
    ]:
        classification = model_name == "KNeighborsClassifier"
        base, x_train, x_test, y_train, y_test = prepare(dataset, split, standardize, classification)
        require_no_ties(x_train, y_train, x_test, params)
        if classification:
            model = KNeighborsClassifier(**params).fit(x_train, y_train)
            metrics, predicted, proba = classification_metrics(model, x_test, y_test)
            extra = {"test_predictions": predicted.tolist(), "test_probabilities": np.round(proba, 12).tolist()}
        else:
            model = KNeighborsRegressor(**params).fit(x_train, y_train)
            predicted = model.predict(x_test)
            metrics = {"r2": r2_score(y_test, predicted), "rmse": float(np.sqrt(mean_squared_error(y_test, predicted)))}
            extra = {"test_predictions": np.round(predicted, 10).tolist()}
        tag = "_".join(f"{k}{v}" for k, v in sorted(params.items()))
        cases.append({**base, "name": f"{model_name}_{dataset}_{tag}", "model": model_name, "hyperparameters": params,
                      "metrics": metrics, **extra})
    write_fixture("misc_neighbors", {
        "generator": "scripts/reference/misc_reference.py", "sklearn": sklearn.__version__,
        "tolerance": 0.01, "prediction_tolerance": 1e-6,
        "note": "k-nearest neighbours is deterministic: scores within 0.01 (r2 and accuracy absolute; rmse relative), and "
                "test predictions equal to 1e-6. Which of several equally distant rows fills the k-th place is up to "
                "numpy's partition in scikit-learn (mmp takes the earliest row); the script rejects cases where such "
                "a tie joins rows with different targets, so every case here has one right answer.",
        "cases": cases})


def kmeans():
    cases = []
    for dataset, split, standardize, params in [
        ("blobs", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": False}, False, {"n_clusters": 4}),
        ("blobs", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": False}, False, {"n_clusters": 4, "init": "random", "n_init": 10}),
        ("iris", {"train": 0.8, "test": 0.2, "seed": 42, "stratify": False}, True, {"n_clusters": 3, "n_init": 10}),
        ("wine", {"train": 0.8, "test": 0.2, "seed": 7, "stratify": False}, True, {"n_clusters": 3, "n_init": 10}),
        ("moons", {"train": 0.8, "test": 0.2, "seed": 11, "stratify": False}, True, {"n_clusters": 6, "n_init": 10}),
        ("breast_cancer", {"train": 0.8, "test": 0.2, "seed": 3, "stratify": False}, True, {"n_clusters": 5, "n_init": 10}),
    ]:
        base, x_train, x_test, _, _ = prepare(dataset, split, standardize, False, clustering=True)
        model = KMeans(random_state=0, **params).fit(x_train)
        test_labels = model.predict(x_test)
        metrics = {"inertia": float(model.inertia_), "silhouette_score": float(silhouette_score(x_test, test_labels)),
                   "train_silhouette_score": float(silhouette_score(x_train, model.labels_))}
        tag = "_".join(f"{k}{v}" for k, v in sorted(params.items()))
        cases.append({**base, "target": None, "name": f"kmeans_{dataset}_{tag}", "model": "KMeans",
                      "hyperparameters": params, "metrics": metrics, "n_iter": int(model.n_iter_)})
    write_fixture("misc_kmeans", {
        "generator": "scripts/reference/misc_reference.py", "sklearn": sklearn.__version__,
        "inertia_relative_tolerance": 0.02, "silhouette_tolerance": 0.02,
        "note": "KMeans is randomized: mmp's k-means++ draws from its own generator, so both find a local optimum from "
                "different starts. The bound is the issue's 0.02 for randomized models: inertia relative (it scales with "
                "the data, so an absolute bound would mean nothing) and silhouette absolute (it lies in [-1, 1]). Different "
                "local optima differ by more than that, so the check fails when ours converges to a worse one.",
        "cases": cases})


def clustering_metrics():
    cases = []
    for dataset in ["iris", "wine"]:
        file, id_column, target = DATASETS[dataset]
        df = read_csv(file)
        features = [c for c in df.columns if c not in (id_column, target)]
        x = df[features].to_numpy(dtype=float)
        labels = class_indices(df[target].tolist())
        cases.append({"name": f"{dataset}_true_labels", "data": file, "features": features, "label_column": target,
                      "metrics": {"silhouette_score": float(silhouette_score(x, labels)),
                                  "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
                                  "davies_bouldin": float(davies_bouldin_score(x, labels))}})
    write_fixture("misc_clustering_metrics", {
        "generator": "scripts/reference/misc_reference.py", "sklearn": sklearn.__version__,
        "relative_tolerance": 1e-9,
        "note": "The metrics are closed-form given the labels (the true classes here), so ours must equal "
                "scikit-learn's up to floating-point summation order.",
        "cases": cases})


if __name__ == "__main__":
    naive_bayes()
    neighbors()
    kmeans()
    clustering_metrics()

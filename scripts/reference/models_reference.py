#!/usr/bin/env python3
"""scikit-learn's figures for mmp's SVMs, neural networks, Gaussian mixtures and Birch.

Writes Tests/MMPLearnTests/Fixtures/ (run with the pinned packages of
scripts/requirements/reference.txt: `scripts/reference/run.sh models_reference.py`):
  svm_<name>.json, mlp_<name>.json
      a model case as linear_reference.py writes them (our CSV, our split, the steps mirrored,
      scikit-learn's test metrics); the tolerance is stated per file.
  mixture_<name>.json
      GaussianMixture on a CSV: the k-means labels scikit-learn started from (so mmp can start EM
      from the same point) and the fitted weights, means, covariances, lower bound, BIC and AIC.
  birch_<name>.json
      Birch on a CSV: the subcluster centres and the labels of every row.
"""
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn import cluster, mixture, neural_network, svm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from linear_reference import (Step, classification_metric_values, num,  # noqa: E402
                              regression_metric_values)

warnings.filterwarnings("ignore")

SKLEARN = {
    "SVC": svm.SVC, "SVR": svm.SVR,
    "MLPClassifier": neural_network.MLPClassifier, "MLPRegressor": neural_network.MLPRegressor,
}


def run_case(dataset, task, target, entities, split, steps, model, hp):
    """Our pipeline in scikit-learn: (test metrics, train rows, test rows, feature names, extra)."""
    df = common.read_csv(dataset)
    df = df[df[target].notna()].reset_index(drop=True)
    features = [c for c in df.columns if c != target and c not in entities]
    df = df[features + [target]]
    strata = common.class_indices(df[target].tolist()) if task == "classification" else None
    parts = common.random_split(len(df), split["train"], split.get("validation", 0.0), split["test"], strata=strata,
                                seed=split["seed"])
    train = df.iloc[parts["train"]].reset_index(drop=True)
    test = df.iloc[parts["test"]].reset_index(drop=True)
    for spec in steps:
        step = Step(spec, train, target)
        train = step.transform(train, training=True)
        test = step.transform(test, training=True)
    cols = [c for c in train.columns if c != target]
    x_train, x_test = train[cols].astype(float).to_numpy(), test[cols].astype(float).to_numpy()
    est = SKLEARN[model](**hp)
    extra = {}
    if task == "classification":
        labels = sorted(set(df[target].tolist()))
        index = {v: i for i, v in enumerate(labels)}
        y_train = np.array([index[v] for v in train[target]])
        y_test = np.array([index[v] for v in test[target]])
        est.fit(x_train, y_train)
        pred = est.predict(x_test)
        if hasattr(est, "predict_proba") and (model != "SVC" or hp.get("probability")):
            values = classification_metric_values(y_test, pred, est.predict_proba(x_test), len(labels))
        else:
            from sklearn import metrics
            values = {"accuracy": num(metrics.accuracy_score(y_test, pred)),
                      "f1_macro": num(metrics.f1_score(y_test, pred, average="macro"))}
        if model == "SVC":
            extra["decision_head"] = [[num(v) for v in np.atleast_1d(row)] for row in est.decision_function(x_test[:5])]
    else:
        est.fit(x_train, train[target].to_numpy(dtype=float))
        values = regression_metric_values(test[target].to_numpy(dtype=float), est.predict(x_test))
        if model == "SVR":
            extra["prediction_head"] = [num(v) for v in est.predict(x_test[:5])]
    if model in ("SVC", "SVR"):
        extra["support_vectors"] = int(est.support_.shape[0])
    return values, len(train), len(test), cols, extra


SCALE = [{"type": "standard_scaler"}]
CANCER = dict(dataset="breast_cancer.csv", task="classification", target="diagnosis", entities=["sample_id"])
WINE = dict(dataset="wine.csv", task="classification", target="cultivar", entities=["sample_id"])
IRIS = dict(dataset="iris.csv", task="classification", target="species", entities=["sample_id"])
MOONS = dict(dataset="moons.csv", task="classification", target="label", entities=["point_id"])
DIABETES = dict(dataset="diabetes.csv", task="regression", target="progression", entities=["patient_id"])
HOUSES = dict(dataset="houses.csv", task="regression", target="sale_price", entities=["house_id"])

SVM_CASES = {
    "breast_cancer_rbf": dict(CANCER, split=dict(train=0.75, test=0.25, seed=42), steps=SCALE, model="SVC", hp={}),
    "breast_cancer_linear_probability": dict(CANCER, split=dict(train=0.75, test=0.25, seed=7), steps=SCALE, model="SVC",
                                             hp={"kernel": "linear", "C": 0.5, "probability": True}),
    "wine_poly": dict(WINE, split=dict(train=0.7, test=0.3, seed=3), steps=SCALE, model="SVC",
                      hp={"kernel": "poly", "degree": 3, "coef0": 1.0, "C": 2.0}),
    "iris_rbf_probability": dict(IRIS, split=dict(train=0.7, test=0.3, seed=11), steps=SCALE, model="SVC",
                                 hp={"C": 1.0, "gamma": "auto", "probability": True}),
    "moons_sigmoid": dict(MOONS, split=dict(train=0.8, test=0.2, seed=42), steps=SCALE, model="SVC",
                          hp={"kernel": "sigmoid", "gamma": 0.1, "coef0": 0.0, "C": 1.0}),
    "moons_rbf_balanced": dict(MOONS, split=dict(train=0.8, test=0.2, seed=5), steps=SCALE, model="SVC",
                               hp={"C": 10.0, "gamma": 0.5, "class_weight": "balanced", "probability": True}),
    "diabetes_svr_rbf": dict(DIABETES, split=dict(train=0.8, test=0.2, seed=42), steps=SCALE, model="SVR",
                             hp={"C": 100.0, "epsilon": 5.0}),
    "diabetes_svr_linear": dict(DIABETES, split=dict(train=0.8, test=0.2, seed=1), steps=SCALE, model="SVR",
                                hp={"kernel": "linear", "C": 10.0, "epsilon": 1.0}),
    "diabetes_svr_poly": dict(DIABETES, split=dict(train=0.75, test=0.25, seed=4), steps=SCALE, model="SVR",
                              hp={"kernel": "poly", "degree": 2, "coef0": 1.0, "C": 20.0, "epsilon": 2.0, "gamma": "auto"}),
}

MLP_CASES = {
    # Small networks, and cases whose scores vary little with the random start (scikit-learn's own
    # spread over six random_state values is under 0.01 on each), so 0.05 is a fair bound.
    "breast_cancer_classifier": dict(CANCER, split=dict(train=0.75, test=0.25, seed=42), steps=SCALE, model="MLPClassifier",
                                     hp={"hidden_layer_sizes": [32], "max_iter": 200, "random_state": 0}),
    "moons_classifier": dict(MOONS, split=dict(train=0.8, test=0.2, seed=42), steps=SCALE, model="MLPClassifier",
                             hp={"hidden_layer_sizes": [16, 16], "max_iter": 200, "random_state": 0}),
    "moons_classifier_early_stopping": dict(MOONS, split=dict(train=0.8, test=0.2, seed=5), steps=SCALE, model="MLPClassifier",
                                            hp={"hidden_layer_sizes": [16, 16], "early_stopping": True, "max_iter": 300,
                                                "learning_rate_init": 0.01, "random_state": 0}),
    "diabetes_regressor": dict(DIABETES, split=dict(train=0.8, test=0.2, seed=42), steps=SCALE, model="MLPRegressor",
                               hp={"hidden_layer_sizes": [8], "learning_rate_init": 0.01, "alpha": 10.0, "max_iter": 1000,
                                   "random_state": 0}),
}


def model_fixtures(prefix, cases, tolerance, note):
    for name, case in cases.items():
        values, n_train, n_test, cols, extra = run_case(**case)
        payload = dict(case)
        hp = dict(case["hp"])
        hp.pop("random_state", None)
        payload["hp"] = hp
        payload.update({"sklearn_version": sklearn.__version__, "tolerance": tolerance, "metrics": values,
                        "train_rows": n_train, "test_rows": n_test, "features": cols, "note": note})
        payload.update({"sklearn_" + k: v for k, v in extra.items()})
        common.write_fixture(prefix + name, payload)


# ----------------------------------------------------------------------------------------------
# Mixtures and Birch: unsupervised, fitted on every row of a CSV (standardised, as a recipe's
# standard_scaler would leave them).

def standardised(dataset, drop):
    df = common.read_csv(dataset)
    x = df[[c for c in df.columns if c not in drop]].astype(float).to_numpy()
    return (x - x.mean(axis=0)) / x.std(axis=0)


MIXTURE_CASES = {
    "blobs_full": dict(dataset="blobs.csv", drop=["point_id"], n_components=4, covariance_type="full"),
    "blobs_tied": dict(dataset="blobs.csv", drop=["point_id"], n_components=4, covariance_type="tied"),
    "iris_diag": dict(dataset="iris.csv", drop=["sample_id", "species"], n_components=3, covariance_type="diag"),
    "iris_spherical": dict(dataset="iris.csv", drop=["sample_id", "species"], n_components=3, covariance_type="spherical"),
    "wine_full": dict(dataset="wine.csv", drop=["sample_id", "cultivar"], n_components=3, covariance_type="full"),
}


def mixture_fixtures():
    for name, case in MIXTURE_CASES.items():
        x = standardised(case["dataset"], case["drop"])
        k = case["n_components"]
        # scikit-learn's kmeans initialisation, made explicit so mmp can start from the same labels.
        labels = cluster.KMeans(n_clusters=k, n_init=1, random_state=0).fit(x).labels_
        resp = np.zeros((len(x), k))
        resp[np.arange(len(x)), labels] = 1
        gm = mixture.GaussianMixture(n_components=k, covariance_type=case["covariance_type"], random_state=0,
                                     max_iter=500, tol=1e-6)
        weights, means, covariances = mixture._gaussian_mixture._estimate_gaussian_parameters(
            x, resp, gm.reg_covar, case["covariance_type"])
        weights /= len(x)
        gm.weights_init, gm.means_init = weights, means
        gm.precisions_init = precisions(covariances, case["covariance_type"])
        gm.fit(x)
        payload = dict(case)
        payload.update({
            "sklearn_version": sklearn.__version__, "initial_labels": labels.tolist(),
            "weights": gm.weights_.tolist(), "means": gm.means_.tolist(),
            "covariances": np.asarray(gm.covariances_).tolist(),
            "lower_bound": gm.lower_bound_, "bic": gm.bic(x), "aic": gm.aic(x), "n_iter": int(gm.n_iter_),
            "labels": gm.predict(x).tolist(), "probabilities_head": gm.predict_proba(x[:5]).tolist(),
            "tolerance": 1e-4,
            "note": "EM from the k-means labels given (tol 1e-6, max_iter 500); parameters within tolerance",
        })
        common.write_fixture("mixture_" + name, payload)


def precisions(covariances, kind):
    if kind == "full":
        return np.array([np.linalg.inv(c) for c in covariances])
    if kind == "tied":
        return np.linalg.inv(covariances)
    return 1.0 / covariances


BIRCH_CASES = {
    "blobs_threshold_0_5": dict(dataset="blobs.csv", drop=["point_id"], n_clusters=4, threshold=0.5, branching_factor=50),
    "iris_threshold_0_3": dict(dataset="iris.csv", drop=["sample_id", "species"], n_clusters=3, threshold=0.3, branching_factor=10),
    "wine_no_global": dict(dataset="wine.csv", drop=["sample_id", "cultivar"], n_clusters=None, threshold=1.5, branching_factor=8),
}


def birch_fixtures():
    for name, case in BIRCH_CASES.items():
        x = standardised(case["dataset"], case["drop"])
        b = cluster.Birch(n_clusters=case["n_clusters"], threshold=case["threshold"], branching_factor=case["branching_factor"]).fit(x)
        payload = dict(case)
        payload.update({
            "sklearn_version": sklearn.__version__, "subcluster_centers": b.subcluster_centers_.tolist(),
            "subcluster_labels": b.subcluster_labels_.tolist(), "labels": b.labels_.tolist(), "tolerance": 1e-9,
            "note": "every row's label and every subcluster centre; Birch is deterministic",
        })
        common.write_fixture("birch_" + name, payload)


if __name__ == "__main__":
    only = sys.argv[1:] or ["svm", "mlp", "mixture", "birch"]
    if "svm" in only:
        model_fixtures("svm_", SVM_CASES, 0.01, "scikit-learn's test metrics; mmp within 0.01 (absolute) of each")
    if "mlp" in only:
        model_fixtures("mlp_", MLP_CASES, 0.05,
                       "scikit-learn's test metrics; the weights start from different random draws, so mmp is held to 0.05 "
                       "(absolute; r2 and accuracy) rather than the solver's exact path")
    if "mixture" in only:
        mixture_fixtures()
    if "birch" in only:
        birch_fixtures()

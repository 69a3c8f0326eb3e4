#!/usr/bin/env python3
"""scikit-learn's figures for mmp's metrics, preprocessing steps and linear models.

Writes fixtures under Tests/MMPLearnTests/Fixtures/ (run from anywhere; needs scikit-learn,
pandas, numpy: `pip install scikit-learn pandas`):

  metrics_classification.json, metrics_regression.json
      sklearn.metrics on fixed inputs (ties, missing classes, multiclass); tolerance 1e-9.
  preprocessing_<name>.json
      one step fitted on a small table and applied to it and to a second table, by the
      scikit-learn transformer (pandas where sklearn has none); tolerance 1e-9.
  linear_<name>.json
      a model case: a CSV under data/, our split (common.random_split, stratified by class index
      for classification), the steps, the model and its hyperparameters, and sklearn's test
      metrics; tolerance stated in the file.
  recipe_<name>.json
      the same for the example recipes under recipes/, exactly as `mmp train` runs them (rows
      without a target dropped, every non-entity column a feature, evaluation.random_state).

Each mmp step is mirrored on a DataFrame so column names and order are mmp's: `apply_step`.
"""
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import linear_model, metrics, preprocessing
from sklearn.impute import SimpleImputer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

warnings.filterwarnings("ignore")
RNG = np.random.default_rng(20240611)


def num(x):
    """A JSON-safe number: NaN and infinities as null."""
    x = float(x)
    return None if not math.isfinite(x) else x


def cell(x):
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return num(x)


def level_name(v):
    """A category as mmp names it in `<column>_<category>` (CSVWriter.format for numbers)."""
    if isinstance(v, str):
        return v
    v = float(v)
    return str(int(v)) if v == round(v) and abs(v) < 1e15 else repr(v)


# ----------------------------------------------------------------------------------------------
# Metrics

def classification_metric_values(y, pred, proba, k):
    binary = k == 2
    avg = "binary" if binary else "macro"
    out = {
        "accuracy": metrics.accuracy_score(y, pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, average=avg, zero_division=0),
        "recall": metrics.recall_score(y, pred, average=avg, zero_division=0),
        "f1": metrics.f1_score(y, pred, average=avg, zero_division=0),
    }
    for a in ["macro", "weighted"]:
        out[f"precision_{a}"] = metrics.precision_score(y, pred, average=a, zero_division=0)
        out[f"recall_{a}"] = metrics.recall_score(y, pred, average=a, zero_division=0)
        out[f"f1_{a}"] = metrics.f1_score(y, pred, average=a, zero_division=0)
    present = len(set(y))
    try:
        out["roc_auc"] = metrics.roc_auc_score(y, proba[:, 1]) if binary else metrics.roc_auc_score(y, proba, multi_class="ovr")
    except ValueError:
        out["roc_auc"] = None
    try:
        if present < k:
            raise ValueError("a class is absent")
        out["average_precision"] = metrics.average_precision_score(y, proba[:, 1]) if binary else metrics.average_precision_score(y, proba)
    except ValueError:
        out["average_precision"] = None
    out["log_loss"] = metrics.log_loss(y, proba, labels=list(range(k)))
    return {key: (None if v is None else num(v)) for key, v in out.items()}


def regression_metric_values(y, pred):
    return {
        "mse": num(metrics.mean_squared_error(y, pred)),
        "rmse": num(metrics.root_mean_squared_error(y, pred)),
        "mae": num(metrics.mean_absolute_error(y, pred)),
        "r2": num(metrics.r2_score(y, pred)),
        "mape": num(metrics.mean_absolute_percentage_error(y, pred)),
        "median_absolute_error": num(metrics.median_absolute_error(y, pred)),
        "explained_variance": num(metrics.explained_variance_score(y, pred)),
    }


def random_proba(n, k, ties=False):
    p = RNG.dirichlet(np.ones(k), size=n)
    if ties:
        p = np.round(p * 4) / 4  # coarse scores: many ties
        p[:, 0] = 0
        p[:, 0] = 1 - p[:, 1:].sum(axis=1)
        p = np.clip(p, 0, 1)
        p = p / p.sum(axis=1, keepdims=True)
    return p


def metrics_fixtures():
    cases = []
    specs = [("binary", 2, 60, False), ("binary_ties", 2, 40, True), ("three_classes", 3, 90, False),
             ("four_classes_ties", 4, 50, True), ("binary_extreme", 2, 30, False)]
    for name, k, n, ties in specs:
        y = RNG.integers(0, k, n)
        proba = random_proba(n, k, ties)
        # Push probabilities towards the truth so scores are informative.
        proba[np.arange(n), y] += 0.6
        proba /= proba.sum(axis=1, keepdims=True)
        if ties:
            proba = np.round(proba * 5) / 5
            proba /= proba.sum(axis=1, keepdims=True)
        if name == "binary_extreme":
            proba[:5] = [[1.0, 0.0]] * 5  # log-loss clipping
            y[:5] = 1
        pred = proba.argmax(axis=1)
        cases.append({"name": name, "class_count": k, "truth": y.tolist(), "predicted": pred.tolist(),
                      "probabilities": proba.tolist(), "expected": classification_metric_values(y, pred, proba, k)})
    # A class that never occurs in the truth: roc_auc and average_precision are undefined (null),
    # macro averages run over the classes present in truth or predictions.
    y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    proba = random_proba(10, 3)
    pred = proba.argmax(axis=1)
    cases.append({"name": "absent_class", "class_count": 3, "truth": y.tolist(), "predicted": pred.tolist(),
                  "probabilities": proba.tolist(), "expected": classification_metric_values(y, pred, proba, 3)})
    common.write_fixture("metrics_classification", {
        "sklearn_version": sklearn.__version__, "tolerance": 1e-9, "cases": cases})

    cases = []
    y = RNG.normal(100, 30, 80)
    pred = y + RNG.normal(0, 12, 80)
    cases.append({"name": "noisy", "truth": y.tolist(), "predicted": pred.tolist(), "expected": regression_metric_values(y, pred)})
    y = np.array([0.0, 1.5, -2.0, 3.0, 0.0, 4.5, 2.0])
    pred = np.array([0.5, 1.0, -1.0, 3.5, 0.1, 4.0, 2.0])
    cases.append({"name": "zeros_in_truth", "truth": y.tolist(), "predicted": pred.tolist(), "expected": regression_metric_values(y, pred)})
    y = np.full(6, 3.0)
    pred = np.array([3.0, 2.0, 4.0, 3.0, 3.5, 2.5])
    cases.append({"name": "constant_truth", "truth": y.tolist(), "predicted": pred.tolist(), "expected": regression_metric_values(y, pred)})
    common.write_fixture("metrics_regression", {
        "sklearn_version": sklearn.__version__, "tolerance": 1e-9, "cases": cases})


# ----------------------------------------------------------------------------------------------
# Preprocessing: each mmp step mirrored on a DataFrame (columns named and ordered as mmp does)

def replace_columns(df, replacements):
    """Each listed column replaced, in place, by a list of (name, values) pairs."""
    out = {}
    for c in df.columns:
        if c in replacements:
            for name, values in replacements[c]:
                out[name] = values
        else:
            out[c] = df[c]
    return pd.DataFrame(out, index=df.index)


def is_text(series):
    # pandas 3 reads text as its `str` dtype, older pandas as object.
    return not pd.api.types.is_numeric_dtype(series)


def default_columns(step_type, df, target):
    features = [c for c in df.columns if c != target]
    if step_type in ("one_hot_encoder", "ordinal_encoder"):
        return [c for c in features if is_text(df[c])]
    if step_type in ("drop_missing", "constant_fill"):
        return features
    return [c for c in features if not is_text(df[c])]


class Step:
    """An mmp preprocessing step fitted on a training DataFrame, applied like FittedTransform."""

    def __init__(self, spec, train, target=None):
        self.spec = spec
        self.type = spec["type"]
        self.columns = spec.get("columns") or default_columns(self.type, train, target)
        self.fit(train)

    def opt(self, name, default):
        return self.spec.get(name, default)

    def fit(self, df):
        t, cols = self.type, self.columns
        if t == "simple_imputer":
            strategy = self.opt("strategy", "mean")
            self.fills = {}
            self.indicators = {}
            for c in cols:
                text = is_text(df[c])
                fill = self.opt("fill_value", None)
                if fill is None and strategy == "constant":
                    fill = "missing_value" if text else 0
                imp = SimpleImputer(strategy=strategy, fill_value=fill, keep_empty_features=True)
                data = df[[c]].astype(object) if text else df[[c]].astype(float)
                imp.fit(data)
                self.fills[c] = imp.statistics_[0]
                self.indicators[c] = bool(self.opt("create_missing_indicators", False)) and df[c].isna().any()
        elif t == "drop_missing":
            self.axis = self.opt("axis", "rows")
            self.threshold = self.opt("threshold", 0.0)
            self.dropped = [c for c in cols if df[c].isna().mean() > self.threshold] if self.axis == "columns" else []
        elif t == "constant_fill":
            fill = self.opt("fill_value", None)
            self.fills = dict(fill) if isinstance(fill, dict) else {c: fill for c in cols}
        elif t in ("standard_scaler", "min_max_scaler", "robust_scaler"):
            if t == "standard_scaler":
                self.tr = preprocessing.StandardScaler(with_mean=self.opt("with_mean", True), with_std=self.opt("with_std", True))
            elif t == "min_max_scaler":
                self.tr = preprocessing.MinMaxScaler(feature_range=tuple(self.opt("feature_range", [0, 1])))
            else:
                self.tr = preprocessing.RobustScaler(quantile_range=tuple(self.opt("quantile_range", [25.0, 75.0])),
                                                     with_centering=self.opt("with_centering", True),
                                                     with_scaling=self.opt("with_scaling", True))
            self.tr.fit(df[cols].astype(float).to_numpy())
        elif t == "one_hot_encoder":
            drop = self.opt("drop", "none")
            self.encoders = {}
            for c in cols:
                values = df[c].dropna()
                data = values.to_frame()
                enc = preprocessing.OneHotEncoder(handle_unknown="ignore" if self.opt("handle_unknown", "ignore") != "error" else "error",
                                                  drop=None if drop in ("none", None) else drop, sparse_output=False)
                enc.fit(data)
                self.encoders[c] = enc
        elif t == "ordinal_encoder":
            unknown = self.opt("handle_unknown", "error")
            value = self.opt("unknown_value", None)
            self.encoders = {}
            for c in cols:
                enc = preprocessing.OrdinalEncoder(handle_unknown=unknown,
                                                   unknown_value=(np.nan if value is None else value) if unknown == "use_encoded_value" else None)
                enc.fit(df[[c]].dropna())
                self.encoders[c] = enc
        elif t == "kbins_discretizer":
            self.tr = preprocessing.KBinsDiscretizer(n_bins=self.opt("n_bins", 5), strategy=self.opt("strategy", "quantile"),
                                                     encode="ordinal")
            self.tr.fit(df[cols].astype(float).to_numpy())
        elif t == "polynomial_features":
            self.tr = preprocessing.PolynomialFeatures(degree=self.opt("degree", 2), interaction_only=self.opt("interaction_only", False),
                                                       include_bias=self.opt("include_bias", True))
            self.tr.fit(df[cols].astype(float).to_numpy())
        else:
            raise ValueError(f"no mirror for step {t}")

    def transform(self, df, training=True):
        t, cols = self.type, self.columns
        if t == "simple_imputer":
            rep = {}
            for c in cols:
                filled = df[c].where(df[c].notna(), self.fills[c])
                if not is_text(df[c]):
                    filled = filled.astype(float)
                pairs = [(c, filled)]
                if self.indicators[c]:
                    pairs.append((c + "_missing", df[c].isna().astype(float)))
                rep[c] = pairs
            return replace_columns(df, rep)
        if t == "drop_missing":
            if self.axis == "columns":
                return df.drop(columns=self.dropped)
            if not training:
                return df
            share = df[cols].isna().mean(axis=1)
            return df[share <= self.threshold]
        if t == "constant_fill":
            out = df.copy()
            for c, v in self.fills.items():
                out[c] = out[c].fillna(v)
            return out
        if t in ("standard_scaler", "min_max_scaler", "robust_scaler"):
            values = self.tr.transform(df[cols].astype(float).to_numpy())
            return replace_columns(df, {c: [(c, values[:, j])] for j, c in enumerate(cols)})
        if t == "one_hot_encoder":
            rep = {}
            for c in cols:
                enc = self.encoders[c]
                present = df[c].notna()
                block = np.zeros((len(df), len(enc.get_feature_names_out())))
                if present.any():
                    block[present.to_numpy()] = enc.transform(df.loc[present, [c]])
                levels = list(enc.categories_[0])
                if enc.drop_idx_ is not None and enc.drop_idx_[0] is not None:
                    levels.pop(int(enc.drop_idx_[0]))
                rep[c] = [(f"{c}_{level_name(v)}", block[:, j]) for j, v in enumerate(levels)]
            return replace_columns(df, rep)
        if t == "ordinal_encoder":
            rep = {}
            for c in cols:
                out = np.full(len(df), np.nan)
                present = df[c].notna().to_numpy()
                if present.any():
                    out[present] = self.encoders[c].transform(df.loc[present, [c]])[:, 0]
                rep[c] = [(c, out)]
            return replace_columns(df, rep)
        if t == "kbins_discretizer":
            bins = self.tr.transform(df[cols].astype(float).to_numpy())
            rep = {}
            for j, c in enumerate(cols):
                if self.opt("encode", "onehot") == "ordinal":
                    rep[c] = [(c, bins[:, j])]
                else:
                    rep[c] = [(f"{c}_{b}", (bins[:, j] == b).astype(float)) for b in range(self.tr.n_bins_[j])]
            return replace_columns(df, rep)
        if t == "polynomial_features":
            values = self.tr.transform(df[cols].astype(float).to_numpy())
            names = []
            for powers in self.tr.powers_:
                parts = []
                for j, p in enumerate(powers):
                    if p == 1:
                        parts.append(cols[j])
                    elif p > 1:
                        parts.append(f"{cols[j]}^{p}")
                names.append("*".join(parts) if parts else "bias")
            rep = {cols[0]: [(n, values[:, k]) for k, n in enumerate(names)]}
            for c in cols[1:]:
                rep[c] = []
            return replace_columns(df, rep)
        raise ValueError(t)


def table_payload(df):
    return [{"name": c, "values": [cell(v) for v in df[c].tolist()]} for c in df.columns]


PREP_TRAIN = """id,age,income,score,constant,city,plan,flag,hours
1,34,52000.5,0.71,5,paris,basic,yes,7.5
2,,61000,0.35,5,berlin,premium,no,3.25
3,45,,0.92,5,paris,basic,yes,9.0
4,23,38000,,5,madrid,standard,no,1.5
5,51,72000.25,0.18,5,,basic,yes,12.0
6,38,45500,0.66,5,berlin,premium,no,6.75
7,29,,0.44,5,paris,standard,yes,4.0
8,62,88000,0.81,5,madrid,basic,no,10.5
9,41,56000,0.27,5,berlin,basic,yes,2.25
10,,49000,0.59,5,paris,premium,no,8.0
11,55,67000.75,0.95,5,rome,standard,yes,11.25
12,33,41000,0.12,5,paris,basic,no,5.5
"""

PREP_TEST = """id,age,income,score,constant,city,plan,flag,hours
13,70,95000,0.5,5,paris,basic,yes,13.0
14,,30000,,5,lisbon,premium,no,0.5
15,18,,1.2,7,berlin,standard,yes,6.0
16,44,58000,0.33,5,,basic,no,7.5
"""

PREP_NUMERIC = ["age", "income", "score", "constant"]

PREPROCESSING_CASES = {
    "imputer_mean": {"type": "simple_imputer", "strategy": "mean", "columns": ["age", "income", "score"]},
    "imputer_median_indicators": {"type": "simple_imputer", "strategy": "median", "create_missing_indicators": True},
    "imputer_most_frequent_text": {"type": "simple_imputer", "strategy": "most_frequent", "columns": ["city", "age"]},
    "imputer_constant": {"type": "simple_imputer", "strategy": "constant", "fill_value": -1, "columns": ["age", "score"]},
    "imputer_constant_text": {"type": "simple_imputer", "strategy": "constant", "columns": ["city"]},
    "drop_missing_rows": {"type": "drop_missing", "columns": ["age", "income", "score"]},
    "drop_missing_columns": {"type": "drop_missing", "axis": "columns", "threshold": 0.1},
    "constant_fill_map": {"type": "constant_fill", "fill_value": {"age": 0, "city": "unknown"}},
    "standard_scaler": {"type": "standard_scaler", "columns": PREP_NUMERIC + ["id"]},
    "standard_scaler_no_mean": {"type": "standard_scaler", "with_mean": False, "columns": ["age", "score"]},
    "min_max_scaler": {"type": "min_max_scaler", "feature_range": [-1, 2], "columns": PREP_NUMERIC},
    "robust_scaler": {"type": "robust_scaler", "quantile_range": [10.0, 90.0], "columns": PREP_NUMERIC + ["id"]},
    "one_hot": {"type": "one_hot_encoder", "columns": ["city", "plan", "flag"]},
    "one_hot_drop_first": {"type": "one_hot_encoder", "drop": "first", "columns": ["plan", "flag"]},
    "one_hot_if_binary": {"type": "one_hot_encoder", "drop": "if_binary", "columns": ["plan", "flag"]},
    "ordinal_unknown_value": {"type": "ordinal_encoder", "handle_unknown": "use_encoded_value", "unknown_value": -1,
                              "columns": ["city", "plan"]},
    "kbins_uniform_ordinal": {"type": "kbins_discretizer", "n_bins": 3, "strategy": "uniform", "encode": "ordinal", "columns": ["id", "hours"]},
    "kbins_quantile_onehot": {"type": "kbins_discretizer", "n_bins": 4, "strategy": "quantile", "columns": ["hours", "constant", "id"]},
    "kbins_kmeans_ordinal": {"type": "kbins_discretizer", "n_bins": 3, "strategy": "kmeans", "encode": "ordinal", "columns": ["id", "hours"]},
    "polynomial_degree2": {"type": "polynomial_features", "degree": 2, "columns": ["id", "constant", "hours"]},
    "polynomial_interactions": {"type": "polynomial_features", "degree": 3, "interaction_only": True, "include_bias": False,
                                "columns": ["id", "hours", "constant"]},
}


def preprocessing_fixtures():
    from io import StringIO
    na = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"]
    train = pd.read_csv(StringIO(PREP_TRAIN), keep_default_na=True, na_values=na)
    test = pd.read_csv(StringIO(PREP_TEST), keep_default_na=True, na_values=na)
    # kbins and polynomial features need complete columns in scikit-learn.
    for name, spec in PREPROCESSING_CASES.items():
        step = Step(spec, train)
        options = {k: v for k, v in spec.items() if k not in ("type", "columns")}
        common.write_fixture("preprocessing_" + name, {
            "sklearn_version": sklearn.__version__, "tolerance": 1e-9,
            "train_csv": PREP_TRAIN, "test_csv": PREP_TEST,
            "step": {"type": spec["type"], "columns": spec.get("columns"), "options": options},
            "train_output": table_payload(step.transform(train, training=True)),
            "test_output": table_payload(step.transform(test, training=False)),
        })


# ----------------------------------------------------------------------------------------------
# Models

def sklearn_model(name, hp):
    hp = dict(hp)
    if name == "LogisticRegression":
        if hp.pop("penalty", "l2") in ("none", None):
            hp["C"] = np.inf
        return linear_model.LogisticRegression(**hp)
    return getattr(linear_model, name)(**hp)


def run_case(dataset, task, target, entities, split, steps, model, hp):
    """Our pipeline, in scikit-learn: returns (test metrics, train rows, test rows)."""
    df = common.read_csv(dataset)
    df = df[df[target].notna()].reset_index(drop=True)
    features = [c for c in df.columns if c != target and c not in entities]
    df = df[features + [target]]
    strata = None
    if task == "classification":
        y_all = common.class_indices(df[target].tolist())
        if split.get("stratify", True):
            strata = y_all
    parts = common.random_split(len(df), split["train"], split.get("validation", 0.0), split["test"], strata=strata,
                                seed=split["seed"])
    train = df.iloc[parts["train"]].reset_index(drop=True)
    test = df.iloc[parts["test"]].reset_index(drop=True)
    for spec in steps:
        step = Step(spec, train, target)
        train = step.transform(train, training=True)
        test = step.transform(test, training=True)  # the pipeline scores test rows as it trains
    cols = [c for c in train.columns if c != target]
    x_train, x_test = train[cols].astype(float).to_numpy(), test[cols].astype(float).to_numpy()
    est = sklearn_model(model, hp)
    if task == "classification":
        labels = sorted(set(df[target].tolist()))
        index = {v: i for i, v in enumerate(labels)}
        y_train = np.array([index[v] for v in train[target]])
        y_test = np.array([index[v] for v in test[target]])
        est.fit(x_train, y_train)
        proba = est.predict_proba(x_test)
        values = classification_metric_values(y_test, est.predict(x_test), proba, len(labels))
        extra = {"iterations": int(np.max(est.n_iter_))}
    else:
        est.fit(x_train, train[target].to_numpy(dtype=float))
        values = regression_metric_values(test[target].to_numpy(dtype=float), est.predict(x_test))
        extra = {}
    extra["coefficients"] = [num(v) for v in np.ravel(est.coef_)]
    return values, len(train), len(test), cols, extra


LINEAR_CASES = {
    "breast_cancer_logistic": dict(dataset="breast_cancer.csv", task="classification", target="diagnosis", entities=["sample_id"],
                                   split=dict(train=0.75, test=0.25, seed=42), steps=[{"type": "standard_scaler"}],
                                   model="LogisticRegression", hp={"C": 1.0, "max_iter": 1000}),
    "breast_cancer_logistic_robust": dict(dataset="breast_cancer.csv", task="classification", target="diagnosis", entities=["sample_id"],
                                          split=dict(train=0.7, validation=0.1, test=0.2, seed=7), steps=[{"type": "robust_scaler"}],
                                          model="LogisticRegression", hp={"C": 0.3, "max_iter": 1000}),
    "iris_logistic_multinomial": dict(dataset="iris.csv", task="classification", target="species", entities=["sample_id"],
                                      split=dict(train=0.7, test=0.3, seed=3), steps=[{"type": "standard_scaler"}],
                                      model="LogisticRegression", hp={"C": 0.5, "max_iter": 1000}),
    "iris_logistic_kbins": dict(dataset="iris.csv", task="classification", target="species", entities=["sample_id"],
                                split=dict(train=0.7, test=0.3, seed=11),
                                steps=[{"type": "kbins_discretizer", "n_bins": 4, "strategy": "quantile"}],
                                model="LogisticRegression", hp={"C": 1.0, "max_iter": 1000}),
    "wine_logistic_balanced": dict(dataset="wine.csv", task="classification", target="cultivar", entities=["sample_id"],
                                   split=dict(train=0.75, test=0.25, seed=5), steps=[{"type": "min_max_scaler"}],
                                   model="LogisticRegression", hp={"C": 0.2, "max_iter": 2000, "class_weight": "balanced"}),
    "moons_logistic_unpenalised": dict(dataset="moons.csv", task="classification", target="label", entities=["point_id"],
                                       split=dict(train=0.8, test=0.2, seed=42), steps=[],
                                       model="LogisticRegression", hp={"penalty": "none", "max_iter": 1000}),
    "moons_logistic_polynomial": dict(dataset="moons.csv", task="classification", target="label", entities=["point_id"],
                                      split=dict(train=0.8, test=0.2, seed=42),
                                      steps=[{"type": "polynomial_features", "degree": 3, "columns": ["x1", "x2"], "include_bias": False},
                                             {"type": "standard_scaler"}],
                                      model="LogisticRegression", hp={"C": 10.0, "max_iter": 2000}),
    "diabetes_linear_regression": dict(dataset="diabetes.csv", task="regression", target="progression", entities=["patient_id"],
                                       split=dict(train=0.8, test=0.2, seed=42), steps=[], model="LinearRegression", hp={}),
    "diabetes_ridge": dict(dataset="diabetes.csv", task="regression", target="progression", entities=["patient_id"],
                           split=dict(train=0.8, test=0.2, seed=1), steps=[{"type": "standard_scaler"}], model="Ridge", hp={"alpha": 10.0}),
    "diabetes_lasso": dict(dataset="diabetes.csv", task="regression", target="progression", entities=["patient_id"],
                           split=dict(train=0.75, test=0.25, seed=9), steps=[{"type": "standard_scaler"}], model="Lasso", hp={"alpha": 2.0}),
    "houses_linear_regression_onehot": dict(dataset="houses.csv", task="regression", target="sale_price", entities=["house_id"],
                                            split=dict(train=0.8, test=0.2, seed=42),
                                            steps=[{"type": "simple_imputer", "strategy": "mean"}, {"type": "one_hot_encoder"}],
                                            model="LinearRegression", hp={}),
    "houses_elastic_net": dict(dataset="houses.csv", task="regression", target="sale_price", entities=["house_id"],
                               split=dict(train=0.8, test=0.2, seed=4),
                               steps=[{"type": "simple_imputer", "strategy": "median", "columns": ["garage_area"]},
                                      {"type": "one_hot_encoder", "columns": ["neighborhood"]}, {"type": "standard_scaler"}],
                               model="ElasticNet", hp={"alpha": 0.05, "l1_ratio": 0.7}),
}


def model_fixtures():
    for name, case in LINEAR_CASES.items():
        values, n_train, n_test, cols, extra = run_case(**case)
        payload = dict(case)
        payload.update({"sklearn_version": sklearn.__version__, "tolerance": 0.01, "metrics": values,
                        "train_rows": n_train, "test_rows": n_test, "features": cols,
                        "note": "metrics on the test split; every metric within tolerance (absolute)"})
        payload.update({"sklearn_" + k: v for k, v in extra.items()})
        common.write_fixture("linear_" + name, payload)


# ----------------------------------------------------------------------------------------------
# The example recipes, as `mmp train` runs them (read from recipes/*.yaml by hand: no YAML parser
# is needed for these three, and the values are checked against the files below).

RECIPES = {
    "churn_logistic": dict(dataset="customers.csv", task="classification", target="churned", entities=["customer_id"],
                           split=dict(train=0.7, validation=0.1, test=0.2, seed=42),
                           steps=[{"type": "simple_imputer", "strategy": "median", "columns": ["total_charges", "num_support_tickets"]},
                                  {"type": "simple_imputer", "strategy": "most_frequent", "columns": ["payment_method"]},
                                  {"type": "one_hot_encoder", "columns": ["contract_type", "payment_method", "plan_tier"]},
                                  {"type": "standard_scaler"}],
                           model="LogisticRegression", hp={"C": 1.0, "max_iter": 500},
                           metric_names=["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]),
    "breast_cancer": dict(dataset="breast_cancer.csv", task="classification", target="diagnosis", entities=["sample_id"],
                          split=dict(train=0.75, test=0.25, seed=42), steps=[{"type": "standard_scaler"}],
                          model="LogisticRegression", hp={"C": 1.0, "max_iter": 1000},
                          metric_names=["accuracy", "f1", "roc_auc", "log_loss"]),
    "house_prices_ridge": dict(dataset="houses.csv", task="regression", target="sale_price", entities=["house_id"],
                               split=dict(train=0.8, test=0.2, seed=42),
                               steps=[{"type": "simple_imputer", "strategy": "median", "columns": ["garage_area"]},
                                      {"type": "one_hot_encoder", "columns": ["neighborhood"]}, {"type": "standard_scaler"}],
                               model="Ridge", hp={"alpha": 1.0}, metric_names=["rmse", "mae", "r2"]),
}


def check_recipe_file(name, case):
    """Fails loudly if a recipe changed in a way this mirror does not follow."""
    text = open(os.path.join(common.ROOT, "recipes", name + ".yaml")).read()
    for needle in [case["dataset"], f"target_column: {case['target']}", f"random_state: {case['split']['seed']}"]:
        if needle not in text:
            raise SystemExit(f"recipes/{name}.yaml no longer contains '{needle}'; update RECIPES in {__file__}")


def recipe_fixtures():
    for name, case in RECIPES.items():
        check_recipe_file(name, case)
        case = dict(case)
        wanted = case.pop("metric_names")
        values, n_train, n_test, cols, _ = run_case(**case)
        payload = dict(case)
        payload.update({"recipe": f"recipes/{name}.yaml", "sklearn_version": sklearn.__version__, "tolerance": 0.01,
                        "metrics": {k: values[k] for k in wanted}, "train_rows": n_train, "test_rows": n_test, "features": cols,
                        "note": "scikit-learn's test-split metrics for this recipe as mmp train runs it; mmp must match each within tolerance"})
        common.write_fixture("recipe_" + name, payload)


if __name__ == "__main__":
    metrics_fixtures()
    preprocessing_fixtures()
    model_fixtures()
    recipe_fixtures()

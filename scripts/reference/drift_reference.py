#!/usr/bin/env python3
"""numpy/scipy reference for the drift report (Sources/MMPLearn/Drift).

Writes Tests/MMPLearnTests/Fixtures/drift_customers.json (committed). The baseline is computed on
the training rows of recipes/churn_logistic.yaml (data/customers.csv; split train 0.7, validation
0.1, test 0.2, stratified by churned, seed 42, reproduced bit for bit by common.random_split), as
`mmp train` stores it in the bundle:

- numeric feature: edges = numpy's linear quantiles at 0.1 ... 0.9 of the present training values,
  repeats dropped; bin of x = np.searchsorted(edges, x, side="right") (values outside the training
  range fall in the first or last bin); proportions over present values; mean, population std.
- categorical feature: the 20 most frequent values (ties by name), the rest pooled as "other".

Two inputs are scored against it: every row of data/customers.csv as it is ("unshifted") and the
shifted copy that `shifted()` below makes (Tests/MMPPipelineTests/DriftPipelineTests.swift makes
the same copy). For each: the share per bucket, PSI = sum((a - e) * ln(a / e)) with both shares
floored at 1e-4, the Jensen-Shannon divergence in bits (scipy's jensenshannon(p, q, base=2) ** 2)
for categorical features, and the missing rate.

Run: venv=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env reference)
     "$venv/bin/python" scripts/reference/drift_reference.py
"""
import numpy as np
import pandas as pd
import scipy
from scipy.spatial.distance import jensenshannon

from common import class_indices, random_split, read_csv, write_fixture

FEATURES = ["tenure_months", "monthly_charges", "total_charges", "contract_type", "payment_method",
            "num_support_tickets", "plan_tier"]
CATEGORICAL = {"contract_type", "payment_method", "plan_tier"}
FLOOR = 1e-4


def shifted(df: pd.DataFrame) -> pd.DataFrame:
    """The drifted copy: tenure up two years, charges up 20 %, every fifth total_charges missing,
    every other contract two-year, and a column training never saw."""
    out = df.copy()
    rows = np.arange(len(out))
    out["tenure_months"] = out["tenure_months"] + 24
    out["monthly_charges"] = out["monthly_charges"] * 1.2
    out.loc[rows % 5 == 0, "total_charges"] = np.nan
    out.loc[rows % 2 == 0, "contract_type"] = "two-year"
    out["referral_code"] = "none"
    return out


def numeric_baseline(values: np.ndarray) -> dict:
    present = np.sort(values[~np.isnan(values)])
    edges = []
    for k in range(1, 10):
        q = float(np.quantile(present, k / 10))
        if not edges or q > edges[-1]:
            edges.append(q)
    counts = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1)
    return {"kind": "numeric", "edges": edges, "proportions": (counts / len(present)).tolist(),
            "mean": float(present.mean()), "std": float(present.std()), "min": float(present[0]),
            "max": float(present[-1])}


def categorical_baseline(values: pd.Series) -> dict:
    counts = values.dropna().value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    present = int(counts.sum())
    kept = sum(n for _, n in ranked)
    return {"kind": "categorical", "levels": [k for k, _ in ranked],
            "proportions": [n / present for _, n in ranked] + [(present - kept) / present]}


def shares(base: dict, values: pd.Series) -> np.ndarray:
    if base["kind"] == "numeric":
        v = values.to_numpy(dtype=float)
        present = v[~np.isnan(v)]
        counts = np.bincount(np.searchsorted(base["edges"], present, side="right"), minlength=len(base["edges"]) + 1)
        return counts / len(present)
    present = values.dropna()
    index = {level: i for i, level in enumerate(base["levels"])}
    counts = np.zeros(len(base["levels"]) + 1)
    for value in present:
        counts[index.get(value, len(base["levels"]))] += 1
    return counts / len(present)


def psi(expected, actual) -> float:
    e = np.clip(np.asarray(expected, dtype=float), FLOOR, None)
    a = np.clip(np.asarray(actual, dtype=float), FLOOR, None)
    return float(np.sum((a - e) * np.log(a / e)))


def score(base: dict, values: pd.Series) -> dict:
    actual = shares(base, values)
    out = {"proportions": actual.tolist(), "psi": psi(base["proportions"], actual),
           "missing_rate": float(values.isna().mean())}
    if base["kind"] == "categorical":
        out["jensen_shannon"] = float(jensenshannon(base["proportions"], actual, base=2) ** 2)
    return out


def main():
    df = read_csv("customers.csv")
    split = random_split(len(df), train=0.7, validation=0.1, test=0.2,
                         strata=class_indices(df["churned"].tolist()), seed=42)
    train = df.iloc[split["train"]]
    inputs = {"unshifted": df, "shifted": shifted(df)}
    features = {}
    for name in FEATURES:
        if name in CATEGORICAL:
            base = categorical_baseline(train[name])
        else:
            base = numeric_baseline(train[name].to_numpy(dtype=float))
        base["missing_rate"] = float(train[name].isna().mean())
        features[name] = {"baseline": base, **{label: score(base, data[name]) for label, data in inputs.items()}}
    write_fixture("drift_customers", {
        "source": "data/customers.csv", "recipe": "recipes/churn_logistic.yaml", "train_rows": len(train),
        "features": features, "psi_floor": FLOOR,
        "tolerance": 1e-9,
        "why_tolerance": "same bins and counts on both sides; only floating-point summation order differs",
        "versions": {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__},
    })


if __name__ == "__main__":
    main()

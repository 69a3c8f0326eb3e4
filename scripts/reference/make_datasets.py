#!/usr/bin/env python3
"""Writes the example and test datasets under data/ (deterministic; run once, output committed).

Real data comes from scikit-learn's bundled copies (no download); synthetic data from fixed seeds.
See data/README.md for sources and licences.
"""
import os
import re

import numpy as np
import pandas as pd
from sklearn import datasets

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ROOT, "data")


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def write(df: pd.DataFrame, name: str) -> None:
    path = os.path.join(DATA, name)
    df.to_csv(path, index=False, float_format="%.10g")
    print(f"{path}: {len(df)} rows x {len(df.columns)} columns")


def bundled() -> None:
    bc = datasets.load_breast_cancer()
    df = pd.DataFrame(bc.data, columns=[snake(c) for c in bc.feature_names])
    df.insert(0, "sample_id", np.arange(1, len(df) + 1))
    df["diagnosis"] = np.where(bc.target == 1, "benign", "malignant")
    write(df, "breast_cancer.csv")

    iris = datasets.load_iris()
    df = pd.DataFrame(iris.data, columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    df.insert(0, "sample_id", np.arange(1, len(df) + 1))
    df["species"] = [iris.target_names[t] for t in iris.target]
    write(df, "iris.csv")

    wine = datasets.load_wine()
    df = pd.DataFrame(wine.data, columns=[snake(c) for c in wine.feature_names])
    df.insert(0, "sample_id", np.arange(1, len(df) + 1))
    df["cultivar"] = wine.target
    write(df, "wine.csv")

    diabetes = datasets.load_diabetes(scaled=False)
    df = pd.DataFrame(diabetes.data, columns=diabetes.feature_names)
    df.insert(0, "patient_id", np.arange(1, len(df) + 1))
    df["progression"] = diabetes.target
    write(df, "diabetes.csv")


def customers() -> None:
    """A churn-style table with text categories and missing values, for the example recipe."""
    rng = np.random.default_rng(20261127)
    n = 3000
    tenure = rng.integers(1, 72, n).astype(float)
    monthly = np.round(rng.normal(65, 25, n).clip(15, 150), 2)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n, p=[0.55, 0.25, 0.20])
    payment = rng.choice(["card", "bank-transfer", "electronic-check", "mailed-check"], n)
    tickets = rng.poisson(1.2, n).astype(float)
    plan = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.35, 0.15])
    logit = (-1.0 - 0.045 * tenure + 0.018 * (monthly - 65) + 0.45 * tickets
             + np.where(contract == "month-to-month", 1.2, np.where(contract == "one-year", -0.2, -1.1))
             + np.where(payment == "electronic-check", 0.5, 0.0))
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in range(n)],
        "tenure_months": tenure,
        "monthly_charges": monthly,
        "total_charges": np.round(tenure * monthly * rng.uniform(0.9, 1.1, n), 2),
        "contract_type": contract,
        "payment_method": payment,
        "num_support_tickets": tickets,
        "plan_tier": plan,
        "churned": churned,
    })
    # Missing values, as real exports have them.
    for column, share in [("total_charges", 0.03), ("num_support_tickets", 0.05), ("payment_method", 0.02)]:
        mask = rng.random(n) < share
        df.loc[mask, column] = np.nan
    write(df, "customers.csv")


def houses() -> None:
    """A nonlinear regression table (Friedman #1 signal) with a category and missing values."""
    rng = np.random.default_rng(7)
    x, y = datasets.make_friedman1(n_samples=2500, n_features=6, noise=0.5, random_state=7)
    df = pd.DataFrame(x, columns=["lot_area", "year_built", "total_rooms", "garage_area", "distance_center", "noise_feature"])
    neighborhood = rng.choice(["north", "south", "east", "west"], len(df))
    y = y + np.where(neighborhood == "north", 2.0, np.where(neighborhood == "south", -1.0, 0.0))
    df.insert(0, "house_id", np.arange(1, len(df) + 1))
    df["neighborhood"] = neighborhood
    df["sale_price"] = np.round(y * 10000 + 150000, 2)
    mask = rng.random(len(df)) < 0.04
    df.loc[mask, "garage_area"] = np.nan
    write(df, "houses.csv")


def nonlinear() -> None:
    """Two interleaved half moons with noise dimensions: a linear model cannot separate them."""
    x, y = datasets.make_moons(n_samples=2000, noise=0.25, random_state=3)
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "noise1": rng.normal(size=len(y)), "noise2": rng.normal(size=len(y))})
    df.insert(0, "point_id", np.arange(1, len(df) + 1))
    df["label"] = y
    write(df, "moons.csv")

    x, y = datasets.make_blobs(n_samples=1500, centers=4, n_features=5, cluster_std=1.4, random_state=11)
    df = pd.DataFrame(x, columns=[f"f{i + 1}" for i in range(5)])
    df.insert(0, "point_id", np.arange(1, len(df) + 1))
    write(df, "blobs.csv")


if __name__ == "__main__":
    os.makedirs(DATA, exist_ok=True)
    bundled()
    customers()
    houses()
    nonlinear()

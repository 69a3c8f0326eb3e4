#!/usr/bin/env python3
"""A synthetic uplift experiment with a known effect (data/uplift.csv), and hand-checked numpy
computations of what mmp's causal learners and metrics must give on it
(Tests/MMPLearnTests/Fixtures/causal_uplift.json).

The data: 4,000 users, features x1..x4, a randomised treatment (`group`: control or treatment,
half each), and revenue = 1 + 2·x1 − x2 + 0.5·x3 + t·(1.5 + x1) + N(0, 1). The true effect of a
user is 1.5 + x1, so the average effect is 1.5 and the effect of the test rows is
1.5 + mean(x1 over them).

The fixture holds, for mmp's split of the rows (common.random_split, seed 42, 70/30):
- S-learner with least squares (causalml's LRSRegressor): the treatment coefficient (= every
  row's CATE), and T-learner with least squares per arm: the test rows' CATEs;
- for both, on the test rows (the S-learner's effect is one constant, so it ranks no row above
  another: uplift AUC 0.5, Qini 0): the AIPW average effect (p = the test rows' treated share),
  its standard error sd(ψ)/√n with ddof 1, the 95% interval, outcome RMSE, and the uplift AUC and
  Qini coefficient with causalml's normalisation (curves scaled by their end value, ties of
  predicted effect taken as one step, trapezoid areas over the share of rows).

Run from the repository root:
    venv=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env reference)
    "$venv/bin/python" scripts/reference/causal_reference.py
"""
import os

import numpy as np
import pandas as pd

from common import ROOT, random_split, write_fixture

N = 4000
Z95 = 1.959963984540054


def make_data():
    rng = np.random.default_rng(20240611)
    x = rng.normal(size=(N, 3))
    x4 = rng.uniform(size=N)
    t = rng.permutation(np.repeat([0, 1], N // 2))
    y = 1 + 2 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] + t * (1.5 + x[:, 0]) + rng.normal(size=N)
    frame = pd.DataFrame({
        "user_id": [f"u{i:05d}" for i in range(N)],
        "x1": np.round(x[:, 0], 6), "x2": np.round(x[:, 1], 6), "x3": np.round(x[:, 2], 6), "x4": np.round(x4, 6),
        "group": np.where(t == 1, "treatment", "control"),
        "revenue": np.round(y, 6),
    })
    path = os.path.join(ROOT, "data", "uplift.csv")
    frame.to_csv(path, index=False, float_format="%.6f")
    print("wrote", os.path.relpath(path, ROOT))
    return pd.read_csv(path)


def ols(x, y):
    a = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return coef


def predict(coef, x):
    return coef[0] + x @ coef[1:]


def curves(y, t, cate):
    """(share, gain, qini) at the end of each group of tied predictions, from (0, 0, 0)."""
    order = sorted(range(len(y)), key=lambda i: (-cate[i], i))
    n = len(y)
    pts = [(0.0, 0.0, 0.0)]
    nt = nc = yt = yc = 0.0
    for k, i in enumerate(order):
        if t[i] == 1:
            nt += 1; yt += y[i]
        else:
            nc += 1; yc += y[i]
        if k + 1 < n and cate[order[k + 1]] == cate[i]:
            continue
        taken = k + 1
        gain = (yt / nt - yc / nc) * taken if nt > 0 and nc > 0 else 0.0
        qini = yt - yc * nt / nc if nc > 0 else 0.0
        pts.append((taken / n, gain, qini))
    return pts


def area(pts, idx):
    end = pts[-1][idx]
    total = sum((pts[k][0] - pts[k - 1][0]) * (pts[k][idx] + pts[k - 1][idx]) / 2 for k in range(1, len(pts)))
    return total / abs(end), end


def metrics(y, t, mu0, mu1, cate):
    n = len(y)
    p = t.mean()
    psi = mu1 - mu0 + np.where(t == 1, (y - mu1) / p, -(y - mu0) / (1 - p))
    ate = psi.mean()
    se = psi.std(ddof=1) / np.sqrt(n)
    pts = curves(y, t, cate)
    out = {
        "ate": ate, "ate_std": se, "ate_ci_lower": ate - Z95 * se, "ate_ci_upper": ate + Z95 * se,
        "treatment_effect_significance": abs(ate) / se,
        "outcome_rmse": float(np.sqrt(np.mean((y - np.where(t == 1, mu1, mu0)) ** 2))),
    }
    g, g_end = area(pts, 1)
    q, q_end = area(pts, 2)
    out["uplift_auc"] = g
    out["qini_coefficient"] = q - (0.5 if q_end > 0 else -0.5)
    return {k: float(v) for k, v in out.items()}


def main():
    frame = make_data()
    features = ["x1", "x2", "x3", "x4"]
    split = random_split(len(frame), train=0.7, test=0.3, seed=42)
    train, test = frame.iloc[split["train"]], frame.iloc[split["test"]]
    xt, yt, tt = train[features].values, train["revenue"].values, (train["group"] == "treatment").astype(float).values
    xs, ys, ts = test[features].values, test["revenue"].values, (test["group"] == "treatment").astype(float).values

    s_coef = ols(np.column_stack([xt, tt]), yt)
    s_mu0 = predict(s_coef, np.column_stack([xs, np.zeros(len(xs))]))
    s_mu1 = predict(s_coef, np.column_stack([xs, np.ones(len(xs))]))
    # Every row's effect is the treatment coefficient (rounding aside): one tie group.
    s_cate = np.full(len(xs), s_coef[-1])

    c0 = ols(xt[tt == 0], yt[tt == 0])
    c1 = ols(xt[tt == 1], yt[tt == 1])
    t_mu0, t_mu1 = predict(c0, xs), predict(c1, xs)
    t_cate = t_mu1 - t_mu0

    write_fixture("causal_uplift", {
        "data": "data/uplift.csv", "split": {"train": 0.7, "test": 0.3, "seed": 42},
        "true_ate": 1.5, "true_test_ate": float(1.5 + xs[:, 0].mean()),
        "slearner_linear": {"treatment_coefficient": float(s_coef[-1]), "metrics": metrics(ys, ts, s_mu0, s_mu1, s_cate)},
        "tlearner_linear": {"first_cates": [float(v) for v in t_cate[:10]], "metrics": metrics(ys, ts, t_mu0, t_mu1, t_cate)},
        "tolerance": 1e-6,
    })


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""References for the preprocessing steps that follow the Python modern-ml-pipeline:
forward_fill, backward_fill, interpolation (pandas, per entity in time order) and
catboost_encoder (category_encoders' CatBoostEncoder, the library that tool wraps).

Writes Tests/MMPLearnTests/Fixtures/steps_<name>.json: the input table (rows deliberately out of
time order, two entities), the options, and the expected output columns; tolerance 1e-12.
"""
import os
import sys

import category_encoders
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

RNG = np.random.default_rng(7)


def cells(series):
    return [None if (isinstance(v, float) and np.isnan(v)) or v is None else (v if isinstance(v, str) else float(v)) for v in series]


def sequence_table():
    rows = []
    for store in ["a", "b"]:
        for day in range(12):
            value = float(day * 2 + (5 if store == "b" else 0)) + RNG.normal(0, 0.1)
            label = ["x", "y", "z"][day % 3]
            rows.append({"store": store, "day": float(day * 86400 * (1 + (day % 4 == 0))), "sales": value, "kind": label})
    df = pd.DataFrame(rows)
    for i in [0, 3, 4, 5, 9, 11, 12, 13, 17, 18, 22, 23]:
        df.loc[i, "sales"] = np.nan
    for i in [1, 2, 14, 20]:
        df.loc[i, "kind"] = None
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


def per_entity(df, column, f):
    ordered = df.sort_values(["day"], kind="stable")
    out = ordered.groupby("store", sort=False)[column].transform(f)
    return out.reindex(df.index)


def sequence_fixtures():
    df = sequence_table()
    table = {c: cells(df[c]) for c in df.columns}
    cases = {
        "forward_fill": ({"type": "forward_fill"}, {"sales": lambda s: s.ffill(), "kind": lambda s: s.ffill()}),
        "forward_fill_limit": ({"type": "forward_fill", "limit": 1}, {"sales": lambda s: s.ffill(limit=1), "kind": lambda s: s.ffill(limit=1)}),
        "backward_fill": ({"type": "backward_fill"}, {"sales": lambda s: s.bfill(), "kind": lambda s: s.bfill()}),
        "interpolation_linear": ({"type": "interpolation"}, {"sales": lambda s: s.interpolate()}),
        "interpolation_linear_limit": ({"type": "interpolation", "limit": 1}, {"sales": lambda s: s.interpolate(limit=1)}),
        "interpolation_time": ({"type": "interpolation", "method": "time"},
                               {"sales": lambda s: pd.Series(s.to_numpy(), index=pd.to_datetime(df.loc[s.index, "day"], unit="s"))
                                .interpolate(method="time").to_numpy()}),
    }
    for name, (step, expected) in cases.items():
        out = {c: cells(per_entity(df, c, f)) for c, f in expected.items()}
        common.write_fixture("steps_" + name, {
            "input": table, "entities": ["store"], "timestamp": "day", "step": step, "expected": out, "tolerance": 1e-12,
            "note": "pandas on each entity's rows sorted by time (stable), written back in the input's row order",
        })


def catboost_fixtures():
    n = 200
    city = RNG.choice(["ams", "ber", "cph", "dub", "edi", "fra"], size=n, p=[0.3, 0.25, 0.2, 0.15, 0.09, 0.01]).astype(object)
    city[RNG.choice(n, 8, replace=False)] = None
    y = (RNG.random(n) < np.where(city == "ams", 0.8, 0.3)).astype(int)
    amount = RNG.normal(0, 1, n) + np.where(city == "ber", 2.0, 0.0)
    test_city = np.array(["ams", "ber", "zzz", None, "fra", "cph", "edi", "dub"], dtype=object)
    for task, target in [("classification", y), ("regression", amount)]:
        enc = category_encoders.CatBoostEncoder(cols=["city"], sigma=None, a=1.0)
        x = pd.DataFrame({"city": city})
        train_out = enc.fit_transform(x, pd.Series(target))["city"].to_numpy()
        test_out = enc.transform(pd.DataFrame({"city": test_city}))["city"].to_numpy()
        common.write_fixture(f"steps_catboost_encoder_{task}", {
            "task": task, "train": {"city": cells(city), "target": [float(v) for v in target]},
            "test": {"city": cells(test_city)}, "step": {"type": "catboost_encoder", "sigma": None},
            "expected_train": [float(v) for v in train_out], "expected_test": [float(v) for v in test_out],
            "category_encoders_version": category_encoders.__version__, "tolerance": 1e-12,
            "note": "ordered statistics on the training rows (row order), full statistics elsewhere; sigma null (no noise)",
        })


if __name__ == "__main__":
    sequence_fixtures()
    catboost_fixtures()

"""Shared by the scikit-learn reference scripts: reading our CSVs and reproducing our splits.

`SeededGenerator` and `random_split` mirror Sources/MMPCore/Support/SeededGenerator.swift and
Sources/MMPLearn/Split/Splitter.swift bit for bit, so scikit-learn trains and scores on exactly
the rows mmp does. Change them together.
"""
import json
import math
import os

import numpy as np
import pandas as pd

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "MMPLearnTests", "Fixtures")
MASK = (1 << 64) - 1


class SeededGenerator:
    """SplitMix64, as in SeededGenerator.swift."""

    def __init__(self, seed: int):
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self, bound: int) -> int:
        return self.next() % bound

    def shuffle(self, items: list) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.uniform(i + 1)
            items[i], items[j] = items[j], items[i]


def share(n: int, fraction: float) -> int:
    return int(math.floor(n * fraction + 0.5))


def random_split(n_rows, train, validation=0.0, test=0.0, calibration=0.0, strata=None, seed=42):
    """Returns dict of index lists (ascending) like Splitter.random."""
    if strata is not None:
        groups = {}
        for row, label in enumerate(strata):
            groups.setdefault(int(label), []).append(row)
        ordered = [groups[k] for k in sorted(groups)]
    else:
        ordered = [list(range(n_rows))]
    g = SeededGenerator(seed)
    out = {"train": [], "validation": [], "test": [], "calibration": []}
    for group in ordered:
        group = list(group)
        g.shuffle(group)
        n = len(group)
        counts = [share(n, test), share(n, validation), share(n, calibration)]
        k = 2
        while sum(counts) > max(0, n - 1) and k >= 0:
            if counts[k] > 0:
                counts[k] -= 1
            else:
                k -= 1
        o = 0
        out["test"] += group[o:o + counts[0]]; o += counts[0]
        out["validation"] += group[o:o + counts[1]]; o += counts[1]
        out["calibration"] += group[o:o + counts[2]]; o += counts[2]
        out["train"] += group[o:]
    return {k: sorted(v) for k, v in out.items()}


def class_indices(values) -> np.ndarray:
    """Target labels → indices in sorted label order (as mmp's LabelEncoding)."""
    labels = sorted(set(values))
    index = {v: i for i, v in enumerate(labels)}
    return np.array([index[v] for v in values])


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(os.path.join(ROOT, "data", name), keep_default_na=True,
                       na_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL"])


def write_fixture(name: str, payload: dict) -> None:
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name + ".json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))

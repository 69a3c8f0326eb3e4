#!/usr/bin/env python3
"""Series for the time-series benchmark (Benchmarks/learn/timeseries.sh), written once to DATA/:

- series_10k.csv: one series of 10,000 monthly-like points (t, y): a slow trend, a period-12
  season, and AR(1) noise, all positive (multiplicative models would fit too);
- series_1000x500.csv: 1,000 such series of 500 points each (series, t, y), each with its own
  level, trend, season amplitude and noise — what a fleet job forecasting many stores meets.

Deterministic (numpy's default generator, seed 2024).
"""
import os
import sys

import numpy as np


def series(rng, n):
    t = np.arange(n)
    level = rng.uniform(50, 150)
    trend = rng.uniform(-0.02, 0.05)
    amplitude = rng.uniform(2, 10)
    phase = rng.uniform(0, 2 * np.pi)
    noise = np.zeros(n)
    e = rng.normal(scale=rng.uniform(0.5, 2), size=n)
    for i in range(1, n):
        noise[i] = 0.6 * noise[i - 1] + e[i]
    return level + trend * t + amplitude * np.sin(2 * np.pi * t / 12 + phase) + noise


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/learn/data"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2024)
    one = os.path.join(out, "series_10k.csv")
    if not os.path.exists(one):
        y = series(rng, 10_000)
        np.savetxt(one, np.column_stack([np.arange(len(y)), y]), delimiter=",", header="t,y", comments="", fmt=["%d", "%.6f"])
        print("wrote", one)
    many = os.path.join(out, "series_1000x500.csv")
    if not os.path.exists(many):
        rows = []
        for s in range(1000):
            y = series(rng, 500)
            rows.append(np.column_stack([np.full(500, s), np.arange(500), y]))
        np.savetxt(many, np.vstack(rows), delimiter=",", header="series,t,y", comments="", fmt=["%d", "%d", "%.6f"])
        print("wrote", many)


if __name__ == "__main__":
    main()

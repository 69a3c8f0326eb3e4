#!/usr/bin/env python3
"""statsmodels on the time-series benchmark's series: fits every series one after another (as a
fleet job would), prints one JSON line: fit seconds, the summed score (Holt-Winters SSE, ARIMA
log-likelihood), peak memory.

    series_anchor.py --file DATA/series_10k.csv --model hw|arima
"""
import argparse
import json
import resource
import time
import warnings

import numpy as np
import statsmodels
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file", required=True)
    p.add_argument("--model", choices=["hw", "arima"], required=True)
    a = p.parse_args()
    warnings.simplefilter("ignore")
    data = np.loadtxt(a.file, delimiter=",", skiprows=1)
    groups = [data[:, 1]] if data.shape[1] == 2 else [data[data[:, 0] == s, 2] for s in np.unique(data[:, 0])]
    baseline = rss_mb()
    start = time.perf_counter()
    cpu = time.process_time()
    score = 0.0
    for y in groups:
        if a.model == "hw":
            fit = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=12).fit()
            score += fit.sse
        else:
            fit = ARIMA(y, order=(1, 1, 1)).fit()
            score += fit.llf
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(json.dumps({"impl": f"statsmodels {statsmodels.__version__}", "model": a.model, "series": len(groups),
                      "points": int(sum(len(g) for g in groups)), "fit_seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "metric": "sse" if a.model == "hw" else "log_likelihood", "score": score,
                      "peak_mb": round(rss_mb(), 1), "baseline_mb": round(baseline, 1), "threads": 1}))


if __name__ == "__main__":
    main()

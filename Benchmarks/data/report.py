#!/usr/bin/env python3
"""Markdown tables from one Benchmarks/data/run.sh results file (JSON lines)."""
import json
import os
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
errors = [r for r in rows if "error" in r]
loads = [r for r in rows if "file" in r and "seconds" in r and "stages" not in r]

print("### Loading (median of the runs; peak RSS of the implementation's own process)\n")
print("| file | implementation | seconds (median) | best | peak RSS MB | baseline RSS MB | table MB |")
print("|---|---|---:|---:|---:|---:|---:|")
files = []
for r in loads:
    if os.path.basename(r["file"]) not in files:
        files.append(os.path.basename(r["file"]))
for name in files:
    impls = []
    for r in loads:
        if os.path.basename(r["file"]) == name and r["impl"] not in impls:
            impls.append(r["impl"])
    for impl in impls:
        runs = [r for r in loads if os.path.basename(r["file"]) == name and r["impl"] == impl]
        seconds = [r["seconds"] for r in runs]
        table = runs[-1].get("table_mb")
        print(f"| {name} | {impl} | {statistics.median(seconds):.3f} | {min(seconds):.3f} | {max(r['peak_rss_mb'] for r in runs):.0f} | "
              f"{runs[-1]['baseline_rss_mb']:.0f} | {'' if table is None else f'{table:.0f}'} |")

trains = [r for r in rows if "stages" in r]
if trains:
    print("\n### Training end to end from CSV (num_200k.csv; median of the runs)\n")
    print("| implementation | seconds (median) | load | fit | ROC AUC |")
    print("|---|---:|---:|---:|---:|")
    for impl in ["mmp train", "pandas+lightgbm"]:
        runs = [r for r in trains if r["impl"] == impl]
        if not runs:
            continue
        med = lambda key: statistics.median(r["stages"].get(key, float("nan")) for r in runs)
        print(f"| {impl} | {statistics.median(r['seconds'] for r in runs):.3f} | {med('load'):.3f} | {med('fit'):.3f} | "
              f"{statistics.median(r['roc_auc'] for r in runs):.4f} |")
for e in errors:
    print(f"\nFAILED: {e['impl']}: {e['error']}")

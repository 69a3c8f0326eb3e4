#!/usr/bin/env python3
"""Turns models_run.sh's JSON lines into the Markdown table of docs/performance.md: per dataset,
each implementation's fit time, predict time, score and peak memory, and mmp's ratio to each
anchor (fit time anchor / mmp: above 1 means mmp is faster)."""
import json
import sys

NAMES = {"mmp SVC": "mmp SVC", "sklearn_svc": "scikit-learn SVC (libsvm)", "mmp GaussianMixture": "mmp GaussianMixture",
         "sklearn_gmm": "scikit-learn GaussianMixture", "mmp CatBoostClassifier": "mmp CatBoostClassifier",
         "catboost": "CatBoost", "lightgbm_cat": "LightGBM (categorical_feature)"}
DATASETS = {"svc_20k": "SVC, 20,000 × 20 (rbf, C=1, gamma=scale)", "gmm_200k": "GaussianMixture, 200,000 × 10 (8 full components)",
            "cat_200k": "categorical boosting, 200,000 rows, 5,000-level + 40-level categories + 6 numbers (300 iterations, depth 6)"}


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for dataset, title in DATASETS.items():
        group = [r for r in rows if r.get("dataset") == dataset]
        if not group:
            continue
        print(f"\n**{title}**\n")
        print("| implementation | fit s | predict s | score | peak MB (data loaded) | fit time: anchor / mmp |")
        print("|---|---:|---:|---|---:|---:|")
        ours = next((r for r in group if r["impl"].startswith("mmp ")), None)
        for r in group:
            ratio = "" if r is ours or not ours else f"{r['fit_s'] / ours['fit_s']:.2f}×"
            print(f"| {NAMES.get(r['impl'], r['impl'])} | {r['fit_s']:.2f} | {r['predict_s']:.2f} | {r['metric']} {r['score']:.4f} "
                  f"| {r['peak_mb']:.0f} ({r['baseline_mb']:.0f}) | {ratio} |")
    for r in rows:
        if "error" in r:
            print(f"\nFAILED: {r['impl']}: {r['error']}")


if __name__ == "__main__":
    main(sys.argv[1])

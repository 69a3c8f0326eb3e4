#!/usr/bin/env python3
"""Turns run.sh's JSON lines into the Markdown tables of docs/performance.md."""
import json
import sys

NAMES = {
    "mmp GradientBoostingClassifier": "mmp GradientBoosting", "mmp GradientBoostingRegressor": "mmp GradientBoosting",
    "mmp RandomForestClassifier": "mmp RandomForest", "mmp RandomForestRegressor": "mmp RandomForest",
    "mmp LogisticRegression": "mmp LogisticRegression", "mmp KMeans": "mmp KMeans",
    "lightgbm": "LightGBM", "xgboost": "XGBoost (hist)", "sklearn_hgb": "scikit-learn HistGradientBoosting",
    "sklearn_rf": "scikit-learn RandomForest", "sklearn_logistic": "scikit-learn LogisticRegression (lbfgs)",
    "sklearn_kmeans": "scikit-learn KMeans",
}
DATASETS = {"clf_200k": "classification 200,000 × 20", "clf_1m": "classification 1,000,000 × 20",
            "reg_200k": "regression 200,000 × 20 (Friedman #1)"}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def fmt(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}"


def find(rows, phase, dataset, impl):
    for r in rows:
        if r.get("phase") == phase and r.get("dataset") == dataset and r.get("impl") == impl and "fit_s" in r:
            return r
    return None


def main():
    rows = load(sys.argv[1])
    out = []
    threads = next((r.get("threads") for r in rows if r.get("threads")), "?")
    for dataset, title in DATASETS.items():
        quiet = [r for r in rows if r.get("phase") == "quiet" and r.get("dataset") == dataset]
        if not quiet:
            continue
        out.append(f"#### {title} ({threads} threads)\n")
        out.append("| model | fit s | predict s | score | peak MB | data loaded MB |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for r in quiet:
            name = NAMES.get(r["impl"], r["impl"])
            if "skipped" in r:
                out.append(f"| {name} | skipped: {r['skipped']} | | | | |")
                continue
            metric = r.get("metric", "")
            digits = 0 if metric == "inertia" else 4
            out.append(f"| {name} | {fmt(r['fit_s'])} | {fmt(r['predict_s'])} | {metric} {fmt(r['score'], digits)} | "
                       f"{fmt(r['peak_mb'], 0)} | {fmt(r['baseline_mb'], 0)} |")
        out.append("")

    out.append("#### Against the targets\n")
    out.append("| dataset | comparison | ours | anchor | ratio / difference | target |")
    out.append("|---|---|---:|---:|---:|---|")
    pairs = [("mmp GradientBoostingClassifier", "lightgbm", "≤ 1.5× fit, AUC within 0.003, peak memory ≤"),
             ("mmp GradientBoostingRegressor", "lightgbm", "≤ 1.5× fit"),
             ("mmp RandomForestClassifier", "sklearn_rf", "fit ≤ 1×, AUC within 0.01"),
             ("mmp RandomForestRegressor", "sklearn_rf", "fit ≤ 1×"),
             ("mmp LogisticRegression", "sklearn_logistic", "fit ≤ 1×, same score"),
             ("mmp KMeans", "sklearn_kmeans", "fit ≤ 1×, same score")]
    for dataset in DATASETS:
        for ours_name, anchor_name, target in pairs:
            a, b = find(rows, "quiet", dataset, ours_name), find(rows, "quiet", dataset, anchor_name)
            if not a or not b:
                continue
            label = NAMES[anchor_name]
            out.append(f"| {dataset} | fit s vs {label} | {fmt(a['fit_s'])} | {fmt(b['fit_s'])} | "
                       f"{a['fit_s'] / b['fit_s']:.2f}× | {target} |")
            if a.get("metric") == "inertia":
                out.append(f"| {dataset} | inertia | {a['score']:.4g} | {b['score']:.4g} | "
                           f"{a['score'] / b['score']:.4f}× | |")
            else:
                out.append(f"| {dataset} | {a['metric']} | {a['score']:.4f} | {b['score']:.4f} | "
                           f"{a['score'] - b['score']:+.4f} | |")
            out.append(f"| {dataset} | peak MB (data loaded) | {a['peak_mb']:.0f} ({a['baseline_mb']:.0f}) | "
                       f"{b['peak_mb']:.0f} ({b['baseline_mb']:.0f}) | {a['peak_mb'] / b['peak_mb']:.2f}× | |")
    out.append("")

    busy = [r for r in rows if r.get("phase") == "busy"]
    if busy:
        out.append("#### Boosting with a busy process pinned to core 1\n")
        out.append("| dataset | model | fit s, quiet | fit s, busy neighbour | slowdown | score, busy |")
        out.append("|---|---|---:|---:|---:|---:|")
        for dataset in DATASETS:
            for impl in ["mmp GradientBoostingClassifier", "lightgbm"]:
                q, b = find(rows, "quiet", dataset, impl), find(rows, "busy", dataset, impl)
                if q and b:
                    out.append(f"| {dataset} | {NAMES[impl]} | {fmt(q['fit_s'])} | {fmt(b['fit_s'])} | "
                               f"{b['fit_s'] / q['fit_s']:.1f}× | {b['score']:.4f} |")
        out.append("")

    errors = [r for r in rows if "error" in r]
    for r in errors:
        out.append(f"- failed: `{r['impl']}`: {r['error'].strip().splitlines()[-1] if r['error'].strip() else 'no output'}")
    print("\n".join(out))


if __name__ == "__main__":
    main()

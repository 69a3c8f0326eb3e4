#!/usr/bin/env bash
# k-means over several seeds: with one k-means++ start (n_init=1) the fit time depends mostly on
# how many Lloyd iterations that start needs, which varies with the seed on both sides. This runs
# ours and scikit-learn's with seeds 0..N-1 on the same data and prints time, iterations and
# inertia per seed, and the medians. Run Benchmarks/learn/run.sh first (it builds and makes the data).
#
#   Benchmarks/learn/kmeans_seeds.sh            clf_200k, 10 seeds
#   SEEDS=5 DATASET=clf_1m Benchmarks/learn/kmeans_seeds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-Benchmarks/learn/data}
DATASET=${DATASET:-clf_200k}
SEEDS=${SEEDS:-10}
THREADS=${THREADS:-$(nproc)}
BENCH=$(swift build -c release --show-bin-path)/mmp-bench
PY=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env bench-learn)/bin/python
[ -x "$BENCH" ] || { echo "build mmp-bench first (Benchmarks/learn/run.sh)" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for seed in $(seq 0 $((SEEDS - 1))); do
    "$BENCH" learn --data "$DATA" --dataset "$DATASET" --model KMeans --threads "$THREADS" --param random_state=$seed | tail -1 >> "$OUT"
    "$PY" Benchmarks/learn/anchors.py --data "$DATA" --dataset "$DATASET" --model sklearn_kmeans --threads "$THREADS" --seed $seed | tail -1 >> "$OUT"
done
"$PY" - "$OUT" "$DATASET" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def iters(r):
    s = r.get("summary", {})
    return s.get("n_iter", s.get("iterations"))
print(f"#### k-means, {sys.argv[2]}, 8 clusters, one k-means++ start, seeds 0..{len(rows)//2 - 1}\n")
print("| seed | mmp fit s | mmp iterations | mmp inertia | scikit-learn fit s | scikit-learn iterations | scikit-learn inertia |")
print("|---:|---:|---:|---:|---:|---:|---:|")
ours = [r for r in rows if r["impl"].startswith("mmp")]
theirs = [r for r in rows if not r["impl"].startswith("mmp")]
for i, (a, b) in enumerate(zip(ours, theirs)):
    print(f"| {i} | {a['fit_s']:.2f} | {iters(a)} | {a['score']:.6g} | {b['fit_s']:.2f} | {iters(b)} | {b['score']:.6g} |")
med = lambda rs, f: statistics.median(f(r) for r in rs)
mo, mt = med(ours, lambda r: r["fit_s"]), med(theirs, lambda r: r["fit_s"])
io, it = med(ours, iters), med(theirs, iters)
print(f"| median | {mo:.2f} | {io:g} | {med(ours, lambda r: r['score']):.6g} | {mt:.2f} | {it:g} | {med(theirs, lambda r: r['score']):.6g} |")
print(f"\nmedian fit time: mmp {mo:.2f} s, scikit-learn {mt:.2f} s ({mo/mt:.2f}x); per iteration: mmp {1000*mo/io:.1f} ms, scikit-learn {1000*mt/it:.1f} ms")
PY

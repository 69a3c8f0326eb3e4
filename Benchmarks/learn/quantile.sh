#!/usr/bin/env bash
# Quantile boosting: mmp's GradientBoostingRegressor with objective quantile against LightGBM's
# quantile objective on the same data (reg_200k: Friedman #1, 200,000 train + 50,000 test rows,
# 20 features), at alpha 0.1, 0.5 and 0.9, in the same run, each fit in its own process. Both sides:
# 100 trees, learning rate 0.1, 31 leaves, THREADS threads (default 2). Score: the test rows'
# pinball loss at alpha (lower is better).
#
#   flock /work/bench.lock Benchmarks/learn/quantile.sh
#
# Prints a Markdown table; raw JSON lines go to Benchmarks/learn/results/quantile-*.jsonl.
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/learn
DATA=${DATA:-$HERE/data}
THREADS=${THREADS:-2}
mkdir -p "$HERE/results"
OUT=$HERE/results/quantile-$(date +%Y%m%d-%H%M%S).jsonl
: > "$OUT"
VENV=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env bench-learn) || exit 1
PY=$VENV/bin/python

echo "== building mmp-bench (release)" >&2
swift build -c release --product mmp-bench >&2 || exit 1
BENCH=$(swift build -c release --show-bin-path)/mmp-bench
"$PY" "$HERE/make_data.py" "$DATA" reg_200k >&2 || exit 1

record() {  # record ALPHA command...
    local alpha=$1; shift
    local line
    if line=$("$@" 2>/tmp/mmp-quantile-bench.err | tail -n 1) && [ -n "$line" ]; then
        "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["alpha"]=float(sys.argv[2]); print(json.dumps(d))' "$line" "$alpha" >> "$OUT"
        echo "   $line" >&2
    else
        echo "   FAILED: $* ($(tail -c 300 /tmp/mmp-quantile-bench.err))" >&2
    fi
}
for alpha in 0.1 0.5 0.9; do
    echo "== alpha $alpha" >&2
    record $alpha "$BENCH" learn --data "$DATA" --dataset reg_200k --model lightgbm.LGBMRegressor --threads "$THREADS" \
        --param objective=quantile --param alpha=$alpha --param n_estimators=100 --param learning_rate=0.1 --param num_leaves=31
    record $alpha "$PY" "$HERE/anchors.py" --data "$DATA" --dataset reg_200k --model lightgbm_quantile --alpha $alpha --threads "$THREADS"
done

"$PY" - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| alpha | implementation | fit s | predict s | pinball loss (test) | peak MB (data loaded) | fit: LightGBM / mmp |")
print("|---:|---|---:|---:|---:|---:|---:|")
for alpha in dict.fromkeys(r["alpha"] for r in rows):
    group = [r for r in rows if r["alpha"] == alpha]
    anchor = next((r for r in group if r["impl"] == "lightgbm_quantile"), None)
    for r in group:
        name = "LightGBM 4.7.0 (objective quantile)" if r is anchor else r["impl"] + " (objective quantile)"
        ratio = f'{anchor["fit_s"] / r["fit_s"]:.2f}x' if anchor and r is not anchor else ""
        print(f'| {alpha:g} | {name} | {r["fit_s"]:.2f} | {r["predict_s"]:.2f} | {r["score"]:.5f} | {r["peak_mb"]:.0f} ({r["baseline_mb"]:.0f}) | {ratio} |')
PY
echo "raw results: $OUT" >&2

#!/usr/bin/env bash
# The time-series benchmark: Holt-Winters (additive trend and season, period 12) and ARIMA(1,1,1)
# fitted by mmp and by statsmodels on the same series in the same run — one series of 10,000
# points, and 1,000 series of 500 points each (a fleet job forecasting many stores). Each run is
# its own process, so its peak memory is its own. statsmodels fits series one after another on one
# core; mmp fits them in parallel (THREADS, default the cores available) and is also run on one
# thread.
#
#   flock /work/bench.lock Benchmarks/learn/timeseries.sh
#   FILES=series_10k MODELS="hw arima" ...   a subset (the 1,000-series anchors take ~25 minutes)
#
# Prints a Markdown table; raw JSON lines go to Benchmarks/learn/results/timeseries-*.jsonl.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
source scripts/lib/python.sh
HERE=Benchmarks/learn
DATA=${DATA:-$HERE/data}
THREADS=${THREADS:-$(nproc)}
mkdir -p "$HERE/results"
OUT=$HERE/results/timeseries-$(date +%Y%m%d-%H%M%S).jsonl
: > "$OUT"

VENV=$(mmp_python_env reference) || exit 1
echo "== building mmp-bench (release)" >&2
swift build -c release --product mmp-bench >&2 || exit 1
BENCH=$(swift build -c release --show-bin-path)/mmp-bench
"$VENV/bin/python" "$HERE/make_series.py" "$DATA" >&2 || exit 1

run() {  # run LABEL command...
    local label=$1; shift
    local line
    if line=$("$@" 2>/tmp/mmp-series-bench.err | tail -n 1) && [ -n "$line" ]; then
        "$VENV/bin/python" -c 'import json,sys; d=json.loads(sys.argv[1]); d["case"]=sys.argv[2]; print(json.dumps(d))' "$line" "$label" >> "$OUT"
        echo "   $line" >&2
    else
        echo "   FAILED: $* ($(tail -c 300 /tmp/mmp-series-bench.err))" >&2
    fi
}
for file in ${FILES:-series_10k series_1000x500}; do
    for model in ${MODELS:-hw arima}; do
        echo "== $file $model" >&2
        run "$file $model" "$BENCH" series --file "$DATA/$file.csv" --model "$model" --threads "$THREADS"
        [ "$THREADS" != 1 ] && run "$file $model" "$BENCH" series --file "$DATA/$file.csv" --model "$model" --threads 1
        run "$file $model" "$VENV/bin/python" "$HERE/series_anchor.py" --file "$DATA/$file.csv" --model "$model"
    done
done

"$VENV/bin/python" - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| case | implementation | threads | fit s (wall) | CPU s | peak MB | score | statsmodels time / ours |")
print("|---|---|---:|---:|---:|---:|---|---:|")
for case in dict.fromkeys(r["case"] for r in rows):
    group = [r for r in rows if r["case"] == case]
    anchor = next((r for r in group if r["impl"].startswith("statsmodels")), None)
    for r in group:
        ratio = f'{anchor["fit_seconds"] / r["fit_seconds"]:.1f}x wall, {anchor["cpu_seconds"] / r["cpu_seconds"]:.1f}x CPU' if anchor and r is not anchor else ""
        print(f'| {case} | {r["impl"]} | {r["threads"]} | {r["fit_seconds"]:.2f} | {r["cpu_seconds"]:.2f} | {r["peak_mb"]:.0f} | {r["metric"]} {r["score"]:.10g} | {ratio} |')
PY

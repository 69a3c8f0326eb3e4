#!/usr/bin/env bash
# The learning benchmark: our models against scikit-learn, LightGBM and XGBoost on the same
# generated data, in the same run, each model in its own process (its peak memory is its own).
#
#   Benchmarks/learn/run.sh            everything (the 1M-row random forests take a while)
#   QUICK=1 Benchmarks/learn/run.sh    skip the random forests on 1M rows
#   THREADS=2 Benchmarks/learn/run.sh  thread count for every model (default: the cores available)
#
# Prints a Markdown report (Benchmarks/learn/report.py) and keeps the raw JSON lines under
# Benchmarks/learn/results/. Python comes from a pinned virtualenv (scripts/requirements/bench-learn.txt).
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/learn
DATA=${DATA:-$HERE/data}
THREADS=${THREADS:-$(nproc)}
mkdir -p "$HERE/results"
OUT=$HERE/results/$(date +%Y%m%d-%H%M%S).jsonl
: > "$OUT"
VENV=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env bench-learn) || exit 1
PY=$VENV/bin/python

echo "== building mmp-bench (release)" >&2
swift build -c release --product mmp-bench >&2 || exit 1
BENCH=$(swift build -c release --show-bin-path)/mmp-bench
echo "== data" >&2
"$PY" "$HERE/make_data.py" "$DATA" >&2 || exit 1

# One line of JSON per run; a failed run is recorded with its error and the benchmark goes on.
record() {  # record PHASE command...
    local phase=$1; shift
    local line
    if line=$("$@" 2>/tmp/mmp-learn-bench.err | tail -n 1) && [ -n "$line" ]; then
        "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["phase"]=sys.argv[2]; print(json.dumps(d))' "$line" "$phase" >> "$OUT"
        echo "   $line" >&2
    else
        "$PY" -c 'import json,sys; print(json.dumps({"phase": sys.argv[1], "impl": sys.argv[2], "error": sys.argv[3][-400:]}))' \
            "$phase" "$*" "$(cat /tmp/mmp-learn-bench.err)" >> "$OUT"
        echo "   FAILED: $*" >&2
    fi
}
ours() { record "$1" "$BENCH" learn --data "$DATA" --dataset "$2" --model "$3" --threads "$THREADS"; }
anchor() { record "$1" "$PY" "$HERE/anchors.py" --data "$DATA" --dataset "$2" --model "$3" --threads "$THREADS"; }

for dataset in clf_200k clf_1m; do
    echo "== $dataset" >&2
    ours quiet $dataset LogisticRegression;          anchor quiet $dataset sklearn_logistic
    ours quiet $dataset GradientBoostingClassifier;  anchor quiet $dataset lightgbm
    anchor quiet $dataset xgboost;                   anchor quiet $dataset sklearn_hgb
    if [ "$dataset" = clf_200k ] || [ -z "${QUICK:-}" ]; then
        ours quiet $dataset RandomForestClassifier;  anchor quiet $dataset sklearn_rf
    fi
    ours quiet $dataset KMeans;                      anchor quiet $dataset sklearn_kmeans
done
echo "== reg_200k" >&2
ours quiet reg_200k GradientBoostingRegressor;       anchor quiet reg_200k lightgbm
anchor quiet reg_200k xgboost;                       anchor quiet reg_200k sklearn_hgb
ours quiet reg_200k RandomForestRegressor;           anchor quiet reg_200k sklearn_rf

# The same boosting runs with a busy process pinned to one core: a fleet worker shares its
# machine, and a learner whose threads spin-wait stalls behind it.
echo "== boosting with a busy neighbour on core 1" >&2
taskset -c 1 sh -c 'while :; do :; done' &
BUSY=$!
trap 'kill $BUSY 2>/dev/null' EXIT
for dataset in clf_200k clf_1m; do
    ours busy $dataset GradientBoostingClassifier;   anchor busy $dataset lightgbm
done
kill $BUSY 2>/dev/null
trap - EXIT

"$PY" "$HERE/report.py" "$OUT"
echo "raw results: $OUT" >&2

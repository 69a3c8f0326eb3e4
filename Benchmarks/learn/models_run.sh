#!/usr/bin/env bash
# SVC (20,000 rows), GaussianMixture (200,000 rows) and categorical boosting (200,000 rows, a
# 5,000-level category) against scikit-learn, CatBoost and LightGBM, each model in its own
# process, anchors in the same run. Python comes from a pinned virtualenv
# (scripts/requirements/bench-learn-models.txt).
#
#   flock /work/bench.lock Benchmarks/learn/models_run.sh      (THREADS=2 by default)
#
# Prints a Markdown report and keeps the raw JSON lines under Benchmarks/learn/results/.
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/learn
DATA=${DATA:-$HERE/data}
THREADS=${THREADS:-2}
mkdir -p "$HERE/results"
OUT=$HERE/results/models-$(date +%Y%m%d-%H%M%S).jsonl
: > "$OUT"
VENV=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env bench-learn-models) || exit 1
PY=$VENV/bin/python

echo "== building mmp-bench (release)" >&2
swift build -c release --product mmp-bench >&2 || exit 1
BENCH=$(swift build -c release --show-bin-path)/mmp-bench
echo "== data" >&2
"$PY" "$HERE/models_data.py" "$DATA" >&2 || exit 1

record() {  # record command...
    local line
    if line=$("$@" 2>/tmp/mmp-models-bench.err | tail -n 1) && [ -n "$line" ]; then
        echo "$line" >> "$OUT"
        echo "   $line" >&2
    else
        "$PY" -c 'import json,sys; print(json.dumps({"impl": sys.argv[1], "error": sys.argv[2][-400:]}))' "$*" "$(cat /tmp/mmp-models-bench.err)" >> "$OUT"
        echo "   FAILED: $*" >&2
    fi
}
ours() { record "$BENCH" learn --data "$DATA" --dataset "$1" --model "$2" --threads "$THREADS"; }
anchor() { record "$PY" "$HERE/models_anchors.py" --data "$DATA" --dataset "$1" --model "$2" --threads "$THREADS"; }

echo "== svc_20k" >&2
ours svc_20k SVC;                          anchor svc_20k sklearn_svc
echo "== gmm_200k" >&2
ours gmm_200k GaussianMixture;             anchor gmm_200k sklearn_gmm
echo "== cat_200k" >&2
ours cat_200k CatBoostClassifier;          anchor cat_200k catboost
anchor cat_200k lightgbm_cat

"$PY" "$HERE/models_report.py" "$OUT"
echo "raw results: $OUT" >&2

#!/usr/bin/env bash
# The serving benchmark: the same LightGBM-style model (100 trees, 31 leaves, 20 numeric
# features) trained by mmp and by LightGBM on the same rows; ours served by `mmp serve`
# (release build), LightGBM's by FastAPI + uvicorn the way the Python modern-ml-pipeline serves
# (pydantic request model from the columns, a one-row DataFrame and predict_proba per request).
# wrk on 127.0.0.1 drives each server in turn, bounded in time: single-row /predict at
# concurrency 1 and 32, and /predict/batch with 1,000 rows; server RSS after each phase.
#
#   flock /work/bench.lock Benchmarks/serve/run.sh          10 s per phase
#   DURATION=5 flock /work/bench.lock Benchmarks/serve/run.sh
#   swift build -c release --product mmp && MMP_BIN=.build/release/mmp flock /work/bench.lock Benchmarks/serve/run.sh
#
# Appends JSON lines to Benchmarks/serve/results/<date>.jsonl and prints a Markdown report.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
source scripts/lib/python.sh
HERE=Benchmarks/serve
DURATION=${DURATION:-10}

command -v wrk >/dev/null 2>&1 || mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
venv=$(mmp_python_env bench-serve)
# MMP_BIN: a release `mmp` built beforehand (the build then does not wait on a test run's lock).
if [ -n "${MMP_BIN:-}" ]; then
    MMP=$(realpath "$MMP_BIN")
else
    mmp_log "building mmp (release)"
    swift build -c release --product mmp >/dev/null
    MMP=$(swift build -c release --show-bin-path)/mmp
fi

WORK=$(mktemp -d /tmp/mmp-serve-bench.XXXXXX)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$HERE/results"
OUT=$HERE/results/$(date +%Y%m%d-%H%M%S).jsonl

mmp_log "data and models"
"$venv/bin/python" "$HERE/make_data.py" "$WORK"
mkdir -p "$WORK/config"
cp config/base.yaml "$WORK/config/base.yaml"
printf 'environment: {name: local}\nadapters:\n  local_files: {base_path: %s}\n  filesystem: {root: %s/artifacts}\n' "$WORK" "$WORK" \
    >"$WORK/config/local.yaml"
BUNDLE=$(APP_ENV=local "$MMP" train "$HERE/recipe.yaml" --json --config-dir "$WORK/config" \
    | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["artifact"]["uri"][len("file://"):])')
"$venv/bin/python" "$HERE/train_lightgbm.py" "$WORK"

# rss_kb PID — resident memory of a process and its children (uvicorn's workers), in KiB.
rss_kb() {
    local total=0 pid
    for pid in $1 $(pgrep -P "$1" || true); do
        total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# phase NAME SERVER PATH BODY CONNECTIONS THREADS — one wrk run; one JSON line in $OUT.
phase() {
    local server=$1 name=$2 path=$3 body=$4 connections=$5 threads=$6
    local line
    line=$(BODY_FILE="$WORK/$body" wrk -t"$threads" -c"$connections" -d"${DURATION}s" --timeout 10s -s "$HERE/wrk.lua" \
        "http://127.0.0.1:$PORT$path" | tail -n 1)
    "$venv/bin/python" -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(server=sys.argv[2], phase=sys.argv[3], connections=int(sys.argv[4]), rss_kb=int(sys.argv[5]), duration_s=int(sys.argv[6])); print(json.dumps(d))' \
        "$line" "$server" "$name" "$connections" "$(rss_kb "$SERVER_PID")" "$DURATION" | tee -a "$OUT" >&2
}

# The servers, each exec'ed so that $! is the server itself.
start_mmp() { exec "$MMP" serve --model "$BUNDLE" --port "$PORT" --log-level warning; }
start_fastapi() {
    cd "$HERE"
    # uvicorn.run(app) as the Python tool starts it; its access log off (it would only slow the anchor).
    MODEL_DIR="$WORK" exec "$venv/bin/uvicorn" anchor_app:app --host 127.0.0.1 --port "$PORT" --workers "$1" \
        --no-access-log --log-level warning
}

# bench NAME START [ARG] — starts a server on a free port, waits for /health, runs every phase, stops it.
bench() {
    local name=$1; shift
    PORT=$(mmp_free_port)
    mmp_log "$name on 127.0.0.1:$PORT"
    "$@" >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    # Same answer shape from both: one prediction with both class probabilities.
    curl -sf -X POST -H 'Content-Type: application/json' --data @"$WORK/row.json" "http://127.0.0.1:$PORT/predict" >&2; echo >&2
    "$venv/bin/python" -c 'import json,sys; print(json.dumps({"server": sys.argv[1], "phase": "idle", "rss_kb": int(sys.argv[2])}))' \
        "$name" "$(rss_kb "$SERVER_PID")" | tee -a "$OUT" >&2
    BODY_FILE="$WORK/row.json" wrk -t2 -c8 -d2s -s "$HERE/wrk.lua" "http://127.0.0.1:$PORT/predict" >/dev/null  # warm-up
    phase "$name" predict_c1 /predict row.json 1 1
    phase "$name" predict_c32 /predict row.json 32 2
    phase "$name" batch1000_c1 /predict/batch batch.json 1 1
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

bench mmp start_mmp
bench fastapi start_fastapi 1
bench fastapi_2_workers start_fastapi 2

"$venv/bin/python" "$HERE/report.py" "$OUT"
mmp_log "raw results: $OUT"

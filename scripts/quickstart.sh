#!/usr/bin/env bash
# From a fresh clone to models trained by a fleet: installs what is missing, builds mmp (release),
# starts a redis-server of its own and two mmp-worker processes, submits the example recipes with
# `mmp submit`, watches each to its end (stages, progress, then its metrics and artifact), lists
# the jobs, and predicts with one of the models. Everything it starts is stopped when it ends; state stays in .state/quickstart/.
#
#   scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

mmp_install_packages

mmp_log "building mmp and mmp-worker (release; a few minutes the first time)"
for product in mmp mmp-worker; do
    swift build -c release --product "$product" 2>&1 | { grep -E 'error|warning: unre|Build complete' || true; }
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build of $product failed" >&2; exit 1; }
done
BIN="$(swift build -c release --show-bin-path)"
export PATH="$BIN:$PATH" MMP_BIN="$BIN/mmp" APP_ENV=local

STATE="$PWD/.state/quickstart"
rm -rf "$STATE"; mkdir -p "$STATE"
WORKERS=()
cleanup() {
    local pid
    for pid in "${WORKERS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${WORKERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    mmp_stop_pidfile "$STATE/redis/redis.pid"
}
trap cleanup EXIT

REDIS_PORT=$(mmp_free_port)
mmp_start_redis "$STATE/redis" "$REDIS_PORT"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
mmp_log "redis-server on 127.0.0.1:$REDIS_PORT"

for n in 1 2; do
    mmp-worker --concurrency 1 > "$STATE/worker-$n.log" 2>&1 &
    WORKERS+=($!)
done
mmp_log "two workers started (logs: $STATE/worker-1.log, worker-2.log)"

IDS=()
for recipe in churn_logistic breast_cancer house_prices_ridge; do
    id=$(mmp submit "$recipe")
    mmp_log "submitted $recipe as $id"
    IDS+=("$id")
done

for id in "${IDS[@]}"; do
    mmp_log "mmp jobs watch $id"
    mmp jobs watch "$id" || true
done

echo
mmp jobs

CHURN_URI=$(mmp jobs show "${IDS[0]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["artifact"]["uri"])')
echo
mmp_log "mmp predict --model $CHURN_URI --data data/customers.csv (first rows)"
mmp predict --model "$CHURN_URI" --data data/customers.csv --out "$STATE/predictions.csv"
head -5 "$STATE/predictions.csv"

failed=0
for id in "${IDS[@]}"; do
    state=$(mmp jobs show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = succeeded ] || failed=1
done
[ "$failed" = 0 ] && mmp_log "all jobs succeeded; bundles are under artifacts/" || { mmp_log "a job did not succeed"; exit 1; }

#!/usr/bin/env bash
# The queue benchmark: no-op jobs through mmp's Redis queue with 1 and 2 real mmp-worker
# processes, and the same through RQ (SimpleWorker), Celery (Redis broker, solo pool) and
# Sidekiq on the same Redis, in the same run. Release builds. Writes results.jsonl and prints a
# markdown table (Benchmarks/queue/RESULTS.md holds the last recorded one).
#
#   Benchmarks/queue/run.sh                  10,000 jobs per drain, 300-job trickle
#   BENCH_JOBS=2000 Benchmarks/queue/run.sh  quicker
#   BENCH_SYSTEMS=mmp,rq Benchmarks/queue/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
source scripts/lib/python.sh

JOBS=${BENCH_JOBS:-10000}
TRICKLE=${BENCH_TRICKLE:-300}
SYSTEMS=${BENCH_SYSTEMS:-mmp,rq,celery,sidekiq}
WORKERS=${BENCH_WORKERS:-1,2}
# mmp-worker --concurrency values to run (Sidekiq runs its default 10 threads per process).
CONCURRENCY=${BENCH_CONCURRENCY:-1,4}

mmp_install_packages
# The Python anchors run in a virtualenv of pinned versions (scripts/requirements/bench-queue.txt).
VENV=$(mmp_python_env bench-queue)
export PATH="$VENV/bin:$PATH"
command -v sidekiq >/dev/null 2>&1 || mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby-sidekiq >/dev/null

mmp_log "building release binaries"
swift build -c release --product mmp-worker >/dev/null
swift build -c release --product mmp >/dev/null
swift build -c release --product mmp-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)

STATE=$(mktemp -d /tmp/mmp-queue-bench.XXXXXX)
cleanup() { mmp_stop_pidfile "$STATE/redis/redis.pid"; rm -rf "$STATE"; }
trap cleanup EXIT
PORT=$(mmp_free_port)
mmp_start_redis "$STATE/redis" "$PORT"
export BENCH_REDIS_URL="redis://127.0.0.1:$PORT/0" BENCH_JOBS=$JOBS BENCH_TRICKLE=$TRICKLE BENCH_LOG_DIR="$STATE"
mmp_log "redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on 127.0.0.1:$PORT (append-only, everysec); $JOBS jobs per drain"

# The worker's cold start through `mmp queues settings` reads this config folder.
mkdir -p "$STATE/config"
printf 'queue:\n  redis:\n    url: %s\n' "$BENCH_REDIS_URL" > "$STATE/config/base.yaml"
printf 'environment:\n  name: local\n' > "$STATE/config/local.yaml"

OUT=Benchmarks/queue/results.jsonl
: > "$OUT"
if [[ ",$SYSTEMS," == *",mmp,"* ]]; then
    for c in ${CONCURRENCY//,/ }; do
        mmp_log "mmp (--concurrency $c)"
        "$BIN/mmp-bench" queue --redis-url "$BENCH_REDIS_URL" --worker-bin "$BIN/mmp-worker" --mmp-bin "$BIN/mmp" \
            --config-dir "$STATE/config" --jobs "$JOBS" --trickle "$TRICKLE" --workers "$WORKERS" --concurrency "$c" \
            --log-dir "$STATE" | python3 -c 'import json,sys; [print(json.dumps(o)) for o in json.load(sys.stdin)]' >> "$OUT"
    done
fi
ANCHORS=$(echo "$SYSTEMS" | tr ',' '\n' | grep -v '^mmp$' | paste -sd, || true)
if [ -n "$ANCHORS" ]; then
    mmp_log "anchors: $ANCHORS"
    python3 Benchmarks/queue/anchors.py "$ANCHORS" "$WORKERS" >> "$OUT"
fi
python3 Benchmarks/queue/report.py "$OUT"

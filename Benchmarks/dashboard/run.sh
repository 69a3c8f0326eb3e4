#!/usr/bin/env bash
# The dashboard with 200,000 jobs in Redis (issue 11): the overview page, a filtered job list and
# a /metrics scrape, p50/p99 over 100 sequential requests each, against Sidekiq Web (Debian's
# ruby-sidekiq 6.4.1 on rack + webrick) on the same number of jobs in its own Redis, in the same run.
#
#   flock /work/bench.lock Benchmarks/dashboard/run.sh        (BENCH_JOBS=200000 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
mmp_install_packages
JOBS=${BENCH_JOBS:-200000}
command -v rackup >/dev/null 2>&1 && [ -f /usr/share/rubygems-integration/all/gems/sidekiq-6.4.1/lib/sidekiq/web.rb ] \
    || mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ruby-sidekiq ruby-rack ruby-webrick >/dev/null

# BENCH_CONFIGURATION=debug only to try the script out: figures for the record come from release.
CONFIGURATION=${BENCH_CONFIGURATION:-release}
mmp_log "building mmp and mmp-bench ($CONFIGURATION)"
swift build -c "$CONFIGURATION" --product mmp >/dev/null
swift build -c "$CONFIGURATION" --product mmp-bench >/dev/null
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)

STATE=$(mktemp -d /tmp/mmp-bench-dashboard.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    mmp_stop_pidfile "$STATE/redis-mmp/redis.pid"
    mmp_stop_pidfile "$STATE/redis-sidekiq/redis.pid"
    rm -rf "$STATE"
}
trap cleanup EXIT

MMP_REDIS=$(mmp_free_port); SK_REDIS=$(mmp_free_port)
mmp_start_redis "$STATE/redis-mmp" "$MMP_REDIS"
mmp_start_redis "$STATE/redis-sidekiq" "$SK_REDIS"

mmp_log "filling: $JOBS mmp jobs through the queue scripts, $JOBS Sidekiq jobs"
"$BIN/mmp-bench" dashboard-fill --redis-url "redis://127.0.0.1:$MMP_REDIS/0" --jobs "$JOBS" 2>&1 | tail -1
REDIS_URL="redis://127.0.0.1:$SK_REDIS/0" JOBS="$JOBS" ruby Benchmarks/dashboard/sidekiq_fill.rb

mkdir -p "$STATE/config"
printf 'queue:\n  redis: {url: "redis://127.0.0.1:%s/0"}\n' "$MMP_REDIS" > "$STATE/config/base.yaml"
printf 'environment: {name: local}\n' > "$STATE/config/local.yaml"
MMP_PORT=$(mmp_free_port); SK_PORT=$(mmp_free_port)
( cd "$STATE" && exec env MMP_CONFIG_DIR="$STATE/config" APP_ENV=local "$BIN/mmp" dashboard --port "$MMP_PORT" --log-level warning ) \
    > "$STATE/mmp-dashboard.log" 2>&1 &
PIDS+=($!)
# The rackup file's path is taken before the subshell moves to $STATE (where $PWD no longer is the repo).
RACKUP_FILE="$PWD/Benchmarks/dashboard/sidekiq_web.ru"
( cd "$STATE" && exec env REDIS_URL="redis://127.0.0.1:$SK_REDIS/0" rackup -s webrick -o 127.0.0.1 -p "$SK_PORT" \
    "$RACKUP_FILE" ) > "$STATE/sidekiq-web.log" 2>&1 &
PIDS+=($!)
# Ruby with Sidekiq takes seconds to start on a busy machine: up to two minutes each.
for port in "$MMP_PORT" "$SK_PORT"; do
    for _ in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] && break; sleep 0.2; done
done

M="http://127.0.0.1:$MMP_PORT" S="http://127.0.0.1:$SK_PORT"
OUT=Benchmarks/dashboard/results.jsonl
echo "{\"run\": \"$(date -u +%FT%TZ)\", \"jobs\": $JOBS, \"configuration\": \"$CONFIGURATION\", \"commit\": \"$(git rev-parse --short HEAD)\"}" >> "$OUT"
L=Benchmarks/dashboard/latency.py
{
    python3 $L "mmp overview" "$M/"
    python3 $L "mmp filtered list (dead, recipe diagnostic)" "$M/jobs?queue=default&state=dead&recipe=diagnostic"
    python3 $L "mmp filtered list (any state, recipe diagnostic)" "$M/jobs?recipe=diagnostic"
    python3 $L "mmp job list page 10 (succeeded)" "$M/jobs?queue=default&state=succeeded&page=9"
    python3 $L "mmp /metrics" "$M/metrics"
    python3 $L "sidekiq overview" "$S/"
    python3 $L "sidekiq dead list (morgue)" "$S/morgue"
    python3 $L "sidekiq queue list page 10" "$S/queues/default?page=10"
    python3 $L "sidekiq /stats (its polling endpoint)" "$S/stats"
} | tee -a "$OUT"

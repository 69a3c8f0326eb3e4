#!/usr/bin/env bash
# The chaos run: jobs of mixed lengths on three queues through real mmp-worker processes, on a
# Redis master with a replica and three sentinels, while workers are killed (-9) and stopped
# (SIGTERM), the master is restarted and failed over, and OOM windows open. Then every job must
# have ended succeeded, having run to its end once. Prints, one per line: jobs, faults of each
# kind, lost, run twice, the longest recovery after a kill. Exits 1 when anything was lost or
# ran twice.
#
#   Benchmarks/chaos/run.sh                          the long run (release build)
#   CHAOS_SHORT=1 Benchmarks/chaos/run.sh            a few minutes (part of scripts/test.sh)
#   CHAOS_SEED=7 Benchmarks/chaos/run.sh             another fault schedule and job mix
#   CHAOS_BIN_DIR=.build/debug Benchmarks/chaos/run.sh   binaries built already (test.sh's debug build)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
source scripts/lib/redis-ha.sh

if [ -n "${CHAOS_SHORT:-}" ]; then
    JOBS=${CHAOS_JOBS:-150}; WORKERS=${CHAOS_WORKERS:-3}; MIN_PAUSE=2; MAX_PAUSE=5; WINDOW=${CHAOS_WINDOW:-240}
else
    JOBS=${CHAOS_JOBS:-1500}; WORKERS=${CHAOS_WORKERS:-4}; MIN_PAUSE=3; MAX_PAUSE=8; WINDOW=${CHAOS_WINDOW:-1800}
fi
SEED=${CHAOS_SEED:-1}

mmp_install_packages
if [ -n "${CHAOS_BIN_DIR:-}" ]; then
    # Absolute: the workers start in folders of their own.
    BIN=$(cd "$CHAOS_BIN_DIR" && pwd)
else
    mmp_log "building release binaries"
    swift build -c release --product mmp-worker >/dev/null
    swift build -c release --product mmp >/dev/null
    swift build -c release --product mmp-bench >/dev/null
    BIN=$(swift build -c release --show-bin-path)
fi
for binary in mmp-worker mmp mmp-bench; do
    [ -x "$BIN/$binary" ] || { echo "chaos: no $BIN/$binary (build it, or leave CHAOS_BIN_DIR unset)" >&2; exit 1; }
done

STATE=$(mktemp -d /tmp/mmp-chaos.XXXXXX)
[ "$(id -u)" = 0 ] && chmod 755 "$STATE"
cleanup() {
    local file pid
    for file in "$STATE"/pids/*.pid; do [ -f "$file" ] && mmp_stop_pidfile "$file"; done
    # Workers the run could not stop (it was interrupted): every process working in the state folder.
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$STATE"/*) kill -9 "$pid" 2>/dev/null || true ;; esac
    done
    if [ -n "${CHAOS_KEEP:-}" ]; then mmp_log "kept $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT

mmp_log "starting a redis master, its replica and three sentinels under $STATE/redis"
mmp_start_redis_sentinels "$STATE/redis" "$STATE/pids" chaos
NODES=()
for dir in "$STATE/redis/chaos-a" "$STATE/redis/chaos-b"; do
    port=$(awk '$1 == "port" { gsub(/"/, "", $2); print $2 }' "$dir/redis.conf")
    NODES+=(--node "127.0.0.1:$port=$dir")
done

# The workers' config: default queue settings, Redis through the sentinels.
mkdir -p "$STATE/config" "$STATE/run"
cat > "$STATE/config/base.yaml" <<YAML
queue:
  key_prefix: chaos
  redis:
    url: ""
    sentinels: \${REDIS_SENTINELS}
    sentinel_master: \${REDIS_SENTINEL_MASTER}
YAML
printf 'environment:\n  name: local\n' > "$STATE/config/local.yaml"

mmp_log "chaos: $JOBS jobs, $WORKERS workers, a fault every ${MIN_PAUSE}-${MAX_PAUSE} s (seed $SEED)"
set +e
"$BIN/mmp-bench" chaos --sentinels "$MMP_HA_SENTINELS" --master chaos --worker-bin "$BIN/mmp-worker" --mmp-bin "$BIN/mmp" \
    --config-dir "$STATE/config" --log-dir "$STATE/run" "${NODES[@]}" --jobs "$JOBS" --workers "$WORKERS" --concurrency 2 \
    --seed "$SEED" --min-pause "$MIN_PAUSE" --max-pause "$MAX_PAUSE" --fault-window "$WINDOW" 2> >(tee "$STATE/chaos.log" >&2)
status=$?
set -e
if [ "$status" -ne 0 ]; then
    mkdir -p /tmp/mmp-chaos-failures
    keep="/tmp/mmp-chaos-failures/$(date +%Y%m%d-%H%M%S)"
    cp -r "$STATE/run" "$keep" 2>/dev/null || true
    cp "$STATE/chaos.log" "$keep/" 2>/dev/null || true
    # The servers' and sentinels' own logs: what each did and when.
    for log in "$STATE"/redis/*/redis.log "$STATE"/redis/*/sentinel.log; do
        [ -f "$log" ] && cp "$log" "$keep/$(basename "$(dirname "$log")")-$(basename "$log")"
    done
    mmp_log "chaos run failed; worker logs and the runs file are in $keep"
fi
exit "$status"

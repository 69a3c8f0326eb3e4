#!/usr/bin/env bash
# Batch scoring benchmark (issue 12): `mmp submit --predict` over ROWS x 20 features with 1 and 2
# workers against pandas + LightGBM predict on the same file, in the same run.
#
#   flock /work/bench.lock Benchmarks/scoring/run.sh
#   ROWS=2000000 SHARDS=8 Benchmarks/scoring/run.sh
#   SKIP_BUILD=1 ...     use the release binaries in .build/release as they are
#
# Starts its own redis-server on a free loopback port (stopped by PID at the end); release builds.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/scoring
ROWS=${ROWS:-10000000}
SHARDS=${SHARDS:-8}
FILES=$HERE/files
source scripts/lib/services.sh
source scripts/lib/python.sh
PYTHON="$(mmp_python_env bench-data)/bin/python"
# SKIP_BUILD=1: use the release binaries already built (no swift command runs, so a test run in the
# same checkout is not blocked on the build database).
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product mmp >&2 && swift build -c release --product mmp-worker >&2
fi
BIN=$PWD/.build/release
"$PYTHON" "$HERE/make_data.py" "$FILES" "$ROWS" >&2
DATA="$PWD/$FILES/score_$ROWS.csv"

STATE=$(mktemp -d /tmp/mmp-scoring-bench.XXXXXX)
PORT=$(mmp_free_port)
mmp_start_redis "$STATE/redis" "$PORT"
WORKERS=()
cleanup() {
    for pid in "${WORKERS[@]:-}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
    mmp_stop_pidfile "$STATE/redis/redis.pid"
    rm -rf "$STATE"
}
trap cleanup EXIT
mkdir -p "$STATE/config"
cp config/base.yaml "$STATE/config/base.yaml"
printf 'environment: {name: local}\nadapters:\n  local_files: {base_path: %s}\n  filesystem: {root: %s}\nqueue:\n  key_prefix: bench\n  redis: {url: "redis://127.0.0.1:%s/0"}\n' \
    "$PWD" "$STATE/artifacts" "$PORT" > "$STATE/config/local.yaml"
export MMP_CONFIG_DIR="$STATE/config" APP_ENV=local MMP_BIN="$BIN/mmp"

MODEL=$("$BIN/mmp" train "$HERE/train.yaml" --json 2>/dev/null | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["artifact"]["uri"])')
echo "model $MODEL" >&2
echo "== anchor: pandas + LightGBM" >&2
"$PYTHON" "$HERE/anchor.py" "$FILES/train_200k.csv" "$DATA" "$STATE/anchor.csv"
rm -f "$STATE/anchor.csv"

for n in 1 2; do
    echo "== mmp: $n worker(s), $SHARDS shards" >&2
    WORKERS=()
    for w in $(seq 1 "$n"); do
        "$BIN/mmp-worker" --worker-id "bench-$w" --log-format json > "$STATE/worker-$n-$w.log" 2>&1 &
        WORKERS+=($!)
    done
    sleep 1
    start=$(date +%s.%N)
    id=$("$BIN/mmp" submit --predict --model "$MODEL" --data "$DATA" --out "$STATE/out-$n" --shards "$SHARDS" --wait --json | tail -1 \
        | "$PYTHON" -c 'import json,sys; j=json.load(sys.stdin); print(j["id"], j["state"], j["metrics"]["rows"])')
    end=$(date +%s.%N)
    "$PYTHON" -c 'import json,sys; i,s,r=sys.argv[1].split(); print(json.dumps({"impl": "mmp submit --predict", "workers": int(sys.argv[2]), "shards": int(sys.argv[3]), "state": s, "rows": int(r), "seconds": float(sys.argv[5]) - float(sys.argv[4])}))' \
        "$id" "$n" "$SHARDS" "$start" "$end"
    for pid in "${WORKERS[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
    WORKERS=()
    rm -rf "$STATE/out-$n"
done

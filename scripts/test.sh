#!/usr/bin/env bash
# Runs every test against a real redis-server and PostgreSQL that this script installs (when
# missing), starts on free loopback ports under a temporary folder, and stops by PID.
#
#   scripts/test.sh                 all tests
#   scripts/test.sh --filter Queue  only tests whose name matches
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
source scripts/lib/python.sh

mmp_install_packages

mmp_log "building (debug, with tests)"
# The filter may print nothing (an up-to-date build); PIPESTATUS[0] is the build's own status.
swift build --build-tests 2>&1 | { grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Building|Applying|Copying)' || true; }
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed" >&2; exit 1; }
BIN_DIR=$(swift build --show-bin-path)

STATE=$(mktemp -d /tmp/mmp-test.XXXXXX)
[ "$(id -u)" = 0 ] && chmod 755 "$STATE"
cleanup() {
    # Services started by scripts/test.d/*.sh leave their PID files in $STATE/pids.
    local file
    for file in "$STATE"/pids/*.pid; do [ -f "$file" ] && mmp_stop_pidfile "$file"; done
    mmp_stop_pidfile "$STATE/redis/redis.pid"
    mmp_stop_postgres "$STATE/postgres"
    # Anything a test started and could not stop (a crashed test's redis-server, a worker):
    # every process still running from inside the state folder.
    local pid
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$STATE"/*) kill -9 "$pid" 2>/dev/null || true ;; esac
    done
    rm -rf "$STATE"
}
trap cleanup EXIT

REDIS_PORT=$(mmp_free_port)
PG_PORT=$(mmp_free_port)
PG_PASSWORD="test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
mmp_log "starting redis-server on 127.0.0.1:$REDIS_PORT and PostgreSQL on 127.0.0.1:$PG_PORT under $STATE"
mmp_start_redis "$STATE/redis" "$REDIS_PORT"
mmp_start_postgres "$STATE/postgres" "$PG_PORT" mmp "$PG_PASSWORD" mmp_test

# Temporary files of the tests go under the state folder and leave with it.
mkdir -p "$STATE/tmp"
export TMPDIR="$STATE/tmp"

# What the tests read. Tests that need a service fail (never skip) when it is unreachable.
export MMP_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export MMP_TEST_REDIS_PORT="$REDIS_PORT"
export MMP_TEST_REDIS_DIR="$STATE/redis"
export MMP_TEST_STATE_DIR="$STATE"
export MMP_BIN_DIR="$BIN_DIR"
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$PG_PORT" POSTGRES_USER=mmp POSTGRES_DB=mmp_test
export POSTGRES_PASSWORD="$PG_PASSWORD"
export MMP_TEST_POSTGRES_DIR="$STATE/postgres"
export MMP_REPO_ROOT="$PWD"

# More services (each file starts one under $STATE, writes its PID file to $STATE/pids/ and
# exports what the tests read), in name order.
mkdir -p "$STATE/pids"
for service in scripts/test.d/*.sh; do
    [ -f "$service" ] || continue
    # shellcheck source=/dev/null
    source "$service"
done

mmp_log "running tests"
# Every test is written with Swift Testing; skipping the XCTest pass avoids its "0 tests" report.
status=0
swift test --skip-build --disable-xctest "$@" || status=$?

# The short chaos run (Benchmarks/chaos/run.sh, a few minutes, with Redis of its own) after a
# whole run, or when the arguments name it (scripts/test.sh --filter chaos).
if [ $# -eq 0 ] || [[ "$*" == *[Cc]haos* ]]; then
    mmp_log "short chaos run"
    CHAOS_SHORT=1 CHAOS_BIN_DIR="$BIN_DIR" Benchmarks/chaos/run.sh || status=$?
fi
exit "$status"

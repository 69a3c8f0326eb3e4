#!/usr/bin/env bash
# Local services for mmp, natively from the distribution's packages (no Docker):
# redis-server, PostgreSQL and an MLflow tracking server under .state/, on REDIS_PORT (6379),
# POSTGRES_PORT (5432) and MLFLOW_PORT (5000).
#
#   scripts/local-dev.sh up       install what is missing, start all three, create the database, load
#                                 the example data (scripts/sql/seed.sh; skipped when already loaded)
#   scripts/local-dev.sh down     stop them (data stays in .state/)
#   scripts/local-dev.sh status   what runs where
#
# POSTGRES_PASSWORD comes from the environment or .env; when neither has one, `up` generates a
# random password and writes it to .env (which git ignores and mmp reads). The MLflow server
# (mlflow==3.17.2 in a virtualenv, scripts/requirements/mlflow.txt) keeps runs in SQLite
# (.state/mlflow/mlflow.db) and artifacts under MLFLOW_ARTIFACT_ROOT (.state/mlflow/artifacts),
# served through its artifact proxy; `up` writes MLFLOW_TRACKING_URI to .env when it is not set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
source scripts/lib/python.sh

STATE=${MMP_STATE_DIR:-$PWD/.state}
REDIS_PORT=${REDIS_PORT:-6379}
POSTGRES_PORT=${POSTGRES_PORT:-5432}
POSTGRES_USER=${POSTGRES_USER:-mmp}
POSTGRES_DB=${POSTGRES_DB:-mmp}
MLFLOW_PORT=${MLFLOW_PORT:-5000}
MLFLOW_ARTIFACT_ROOT=${MLFLOW_ARTIFACT_ROOT:-$STATE/mlflow/artifacts}

mlflow_up() {
    curl -sf "http://127.0.0.1:$MLFLOW_PORT/health" >/dev/null 2>&1
}

# MLFLOW_TRACKING_URI for mmp (config/dev.yaml reads it), written to .env once.
tracking_uri() {
    if [ -z "${MLFLOW_TRACKING_URI:-}" ] && ! { [ -f .env ] && grep -q '^MLFLOW_TRACKING_URI=' .env; }; then
        printf 'MLFLOW_TRACKING_URI=http://127.0.0.1:%s\n' "$MLFLOW_PORT" >> .env
        mmp_log "wrote MLFLOW_TRACKING_URI=http://127.0.0.1:$MLFLOW_PORT to .env"
    fi
}

password() {
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then echo "$POSTGRES_PASSWORD"; return; fi
    if [ -f .env ] && grep -q '^POSTGRES_PASSWORD=' .env; then grep '^POSTGRES_PASSWORD=' .env | tail -1 | cut -d= -f2-; return; fi
    local generated; generated="dev-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    printf 'POSTGRES_PASSWORD=%s\n' "$generated" >> .env
    mmp_log "generated a PostgreSQL password and wrote it to .env"
    echo "$generated"
}

up() {
    mmp_install_packages
    mkdir -p "$STATE"
    [ "$(id -u)" = 0 ] && chmod 755 "$STATE"
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        mmp_log "redis already answers on 127.0.0.1:$REDIS_PORT"
    else
        mmp_start_redis "$STATE/redis" "$REDIS_PORT"
        mmp_log "redis-server on 127.0.0.1:$REDIS_PORT (data in $STATE/redis)"
    fi
    local pw; pw=$(password)
    if [ -f "$STATE/postgres/data/postmaster.pid" ] && kill -0 "$(head -1 "$STATE/postgres/data/postmaster.pid")" 2>/dev/null; then
        mmp_log "PostgreSQL already runs from $STATE/postgres"
    else
        mmp_start_postgres "$STATE/postgres" "$POSTGRES_PORT" "$POSTGRES_USER" "$pw" "$POSTGRES_DB"
        mmp_log "PostgreSQL on 127.0.0.1:$POSTGRES_PORT, database $POSTGRES_DB, user $POSTGRES_USER (data in $STATE/postgres)"
    fi
    if mlflow_up; then
        mmp_log "MLflow already answers on 127.0.0.1:$MLFLOW_PORT"
    else
        local venv; venv=$(mmp_python_env mlflow)
        mkdir -p "$MLFLOW_ARTIFACT_ROOT"
        mmp_start_mlflow_at "$venv" "$STATE/mlflow" "$MLFLOW_PORT" "$STATE/mlflow/mlflow.pid" "$MLFLOW_ARTIFACT_ROOT"
        mmp_log "MLflow on http://127.0.0.1:$MLFLOW_PORT (runs in $STATE/mlflow/mlflow.db, artifacts in $MLFLOW_ARTIFACT_ROOT)"
    fi
    tracking_uri
    if [ -x scripts/sql/seed.sh ]; then
        POSTGRES_PASSWORD="$pw" POSTGRES_PORT="$POSTGRES_PORT" POSTGRES_USER="$POSTGRES_USER" POSTGRES_DB="$POSTGRES_DB" scripts/sql/seed.sh
    fi
    status
}

down() {
    mmp_stop_pidfile "$STATE/redis/redis.pid"
    mmp_stop_postgres "$STATE/postgres"
    mmp_stop_mlflow "$STATE/mlflow/mlflow.pid"
    mmp_log "stopped (data kept in $STATE)"
}

status() {
    local rc=0
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then echo "redis       up    127.0.0.1:$REDIS_PORT"; else echo "redis       down  127.0.0.1:$REDIS_PORT"; rc=1; fi
    if [ -f "$STATE/postgres/data/postmaster.pid" ] && kill -0 "$(head -1 "$STATE/postgres/data/postmaster.pid")" 2>/dev/null; then
        echo "postgresql  up    127.0.0.1:$POSTGRES_PORT ($POSTGRES_DB)"
    else
        echo "postgresql  down  127.0.0.1:$POSTGRES_PORT"; rc=1
    fi
    if mlflow_up; then echo "mlflow      up    http://127.0.0.1:$MLFLOW_PORT"; else echo "mlflow      down  http://127.0.0.1:$MLFLOW_PORT"; rc=1; fi
    return $rc
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: scripts/local-dev.sh up|down|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Checks that the services mmp needs answer: PostgreSQL (connect and query with the configured
# password), Redis (PING, version, eviction policy), MLflow (health, REST API and artifact proxy,
# when MLFLOW_TRACKING_URI is set) and the workers (at least N live ones).
# Stops at the first failure, says what failed, and exits 1; prints one line per check otherwise.
#
#   scripts/health-check.sh                  all three, at least one live worker
#   scripts/health-check.sh --min-workers 3  at least three live workers
#   scripts/health-check.sh --min-workers 0  PostgreSQL and Redis only
#
# Reads POSTGRES_HOST/PORT/USER/DB/PASSWORD and REDIS_URL or REDIS_HOST/PORT/PASSWORD from the
# environment, then .env. The mmp binary for the worker check: $MMP_BIN, `mmp` on PATH, or
# .build/{release,debug}/mmp.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

min_workers=${MMP_EXPECT_WORKERS:-1}
while [ $# -gt 0 ]; do
    case "$1" in
        --min-workers) min_workers=${2:?--min-workers needs a number}; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "health-check.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

# A variable from the environment, else from .env (never printed).
setting() {
    local name=$1 default=${2:-}
    if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; return; fi
    if [ -f .env ] && grep -q "^$name=" .env; then grep "^$name=" .env | tail -1 | cut -d= -f2- | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"; return; fi
    printf '%s' "$default"
}

ok() { printf 'ok    %-11s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-11s %s\n' "$1" "$2" >&2; exit 1; }

# PostgreSQL ------------------------------------------------------------------------------------
pg_host=$(setting POSTGRES_HOST 127.0.0.1)
pg_port=$(setting POSTGRES_PORT 5432)
pg_user=$(setting POSTGRES_USER mmp)
pg_db=$(setting POSTGRES_DB mmp)
pg_password=$(setting POSTGRES_PASSWORD)
bindir=$(mmp_pg_bindir)
PSQL=psql; [ -n "$bindir" ] && [ -x "$bindir/psql" ] && PSQL="$bindir/psql"
command -v "$PSQL" >/dev/null 2>&1 || fail postgresql "psql is not installed (apt-get install postgresql-client)"
[ -n "$pg_password" ] || fail postgresql "POSTGRES_PASSWORD is not set (environment or .env)"
if ! answer=$(PGPASSWORD=$pg_password PGCONNECT_TIMEOUT=5 "$PSQL" -X -tAq -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" \
        -c "SELECT split_part(current_setting('server_version'), ' ', 1)" 2>&1); then
    fail postgresql "$pg_user@$pg_host:$pg_port/$pg_db: $(printf '%s' "$answer" | head -1)"
fi
seeded=$(PGPASSWORD=$pg_password "$PSQL" -X -tAq -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" \
    -c "SELECT rows FROM events.seed_info WHERE dataset = 'fraud'" 2>/dev/null || true)
ok postgresql "$pg_user@$pg_host:$pg_port/$pg_db (PostgreSQL $answer${seeded:+, fraud example: $seeded transactions})"

# Redis -----------------------------------------------------------------------------------------
command -v redis-cli >/dev/null 2>&1 || fail redis "redis-cli is not installed (apt-get install redis-tools)"
redis_url=$(setting REDIS_URL)
if [ -n "$redis_url" ]; then
    redis=(redis-cli -u "$redis_url")
    where=$(printf '%s' "$redis_url" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#')
else
    r_host=$(setting REDIS_HOST 127.0.0.1)
    r_port=$(setting REDIS_PORT 6379)
    redis=(redis-cli -h "$r_host" -p "$r_port")
    where="$r_host:$r_port"
    r_password=$(setting REDIS_PASSWORD)
    # REDISCLI_AUTH keeps the password off the command line (ps).
    [ -n "$r_password" ] && export REDISCLI_AUTH=$r_password
fi
pong=$(timeout 5 "${redis[@]}" --no-auth-warning PING 2>&1 | head -1)
[ "$pong" = "PONG" ] || fail redis "$where: ${pong:-no answer within 5 s}"
version=$(timeout 5 "${redis[@]}" --no-auth-warning INFO server 2>/dev/null | tr -d '\r' | sed -n 's/^redis_version://p')
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
if [ -n "$version" ] && { [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 2 ]; }; }; then
    fail redis "$where runs Redis $version; mmp needs 6.2 or newer"
fi
policy=$(timeout 5 "${redis[@]}" --no-auth-warning CONFIG GET maxmemory-policy 2>/dev/null | tail -1 | tr -d '\r')
note=""
if [ -n "$policy" ] && [ "$policy" != "noeviction" ]; then
    note=", WARNING: maxmemory-policy is $policy (should be noeviction: evicted job records are lost jobs)"
fi
ok redis "$where (Redis ${version:-?}, maxmemory-policy ${policy:-unknown}$note)"

# MLflow ----------------------------------------------------------------------------------------
# Credentials (MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN) go to curl through a
# config on stdin, never on its command line.
mlflow_uri=$(setting MLFLOW_TRACKING_URI)
if [ -n "$mlflow_uri" ]; then
    command -v curl >/dev/null 2>&1 || fail mlflow "curl is not installed (apt-get install curl)"
    mlflow_uri=${mlflow_uri%/}
    where=$(printf '%s' "$mlflow_uri" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#')
    mlflow_curl() {
        local token user
        token=$(setting MLFLOW_TRACKING_TOKEN); user=$(setting MLFLOW_TRACKING_USERNAME)
        {
            if [ -n "$token" ]; then printf 'header = "Authorization: Bearer %s"\n' "$token"
            elif [ -n "$user" ]; then printf 'user = "%s:%s"\n' "$user" "$(setting MLFLOW_TRACKING_PASSWORD)"; fi
        } | curl -sS --max-time 5 -K - "$@"
    }
    health=$(mlflow_curl "$mlflow_uri/health" 2>&1) || fail mlflow "$where: $(printf '%s' "$health" | head -1)"
    [ "$health" = "OK" ] || fail mlflow "$where/health answered: $(printf '%s' "$health" | head -c 200)"
    version=$(mlflow_curl "$mlflow_uri/version" 2>/dev/null | head -c 40)
    api=$(mlflow_curl -o /dev/null -w '%{http_code}' "$mlflow_uri/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default" 2>/dev/null)
    [ "$api" = "200" ] || fail mlflow "$where: the REST API answered HTTP $api (401/403: check MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN)"
    proxy=$(mlflow_curl -o /dev/null -w '%{http_code}' "$mlflow_uri/api/2.0/mlflow-artifacts/artifacts?path=" 2>/dev/null)
    [ "$proxy" = "200" ] || fail mlflow "$where: the artifact proxy answered HTTP $proxy (start the server with --serve-artifacts)"
    ok mlflow "$where (MLflow ${version:-?}, REST API and artifact proxy answer)"
fi

# Workers ---------------------------------------------------------------------------------------
if [ "$min_workers" -gt 0 ]; then
    mmp=${MMP_BIN:-}
    if [ -z "$mmp" ]; then
        if command -v mmp >/dev/null 2>&1; then mmp=mmp
        elif [ -x .build/release/mmp ]; then mmp=.build/release/mmp
        elif [ -x .build/debug/mmp ]; then mmp=.build/debug/mmp
        else fail workers "no mmp binary to list workers with (build it: swift build -c release --product mmp, or set MMP_BIN)"; fi
    fi
    if ! listing=$("$mmp" workers --json 2>&1); then
        fail workers "mmp workers failed: $(printf '%s' "$listing" | head -1)"
    fi
    live=$(printf '%s' "$listing" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' 2>/dev/null) \
        || fail workers "cannot read the output of mmp workers --json: $(printf '%s' "$listing" | head -1)"
    [ "$live" -ge "$min_workers" ] || fail workers "$live live worker(s), expected at least $min_workers (start one: mmp-worker, or docker compose up)"
    ok workers "$live live (at least $min_workers expected)"
fi

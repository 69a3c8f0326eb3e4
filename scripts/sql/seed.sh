#!/usr/bin/env bash
# Creates the example schemas and loads the fraud dataset into PostgreSQL:
# scripts/sql/init-database.sql, then scripts/sql/generate_fraud_data.py, then
# scripts/sql/seed-features.sql. Skips the load when the same data is already there.
#
#   POSTGRES_PASSWORD=... scripts/sql/seed.sh [--force]
#
# Reads POSTGRES_HOST (127.0.0.1), POSTGRES_PORT (5432), POSTGRES_USER (mmp), POSTGRES_DB (mmp)
# and POSTGRES_PASSWORD (required) from the environment, or from .env when unset.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh

force=0
[ "${1:-}" = "--force" ] && force=1

if [ -z "${POSTGRES_PASSWORD:-}" ] && [ -f .env ] && grep -q '^POSTGRES_PASSWORD=' .env; then
    POSTGRES_PASSWORD=$(grep '^POSTGRES_PASSWORD=' .env | tail -1 | cut -d= -f2-)
fi
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "seed.sh: POSTGRES_PASSWORD is not set (environment or .env); it is the password of PostgreSQL user ${POSTGRES_USER:-mmp}" >&2
    exit 1
fi

export PGHOST=${POSTGRES_HOST:-127.0.0.1} PGPORT=${POSTGRES_PORT:-5432} PGUSER=${POSTGRES_USER:-mmp} PGDATABASE=${POSTGRES_DB:-mmp}
export PGPASSWORD=$POSTGRES_PASSWORD PGCONNECT_TIMEOUT=10
bindir=$(mmp_pg_bindir)
PSQL=psql
[ -n "$bindir" ] && [ -x "$bindir/psql" ] && PSQL="$bindir/psql"

"$PSQL" -X -q -v ON_ERROR_STOP=1 -f scripts/sql/init-database.sql

# The dataset's version: the generator's text and its arguments.
args=(--seed 7)
version=$( { cat scripts/sql/generate_fraud_data.py scripts/sql/seed-features.sql; echo "${args[*]}"; } | sha256sum | cut -c1-16)
loaded=$("$PSQL" -X -tAq -c "SELECT version FROM events.seed_info WHERE dataset = 'fraud'" || true)
if [ "$force" = 0 ] && [ "$loaded" = "$version" ]; then
    mmp_log "fraud example data already loaded in $PGDATABASE on $PGHOST:$PGPORT (version $version); --force reloads it"
    exit 0
fi

work=$(mktemp -d /tmp/mmp-seed.XXXXXX)
trap 'rm -rf "$work"' EXIT
mmp_log "generating the fraud example data"
python3 scripts/sql/generate_fraud_data.py "$work" "${args[@]}" >&2
mmp_log "loading it into $PGDATABASE on $PGHOST:$PGPORT"
(cd "$work" && "$PSQL" -X -q -v ON_ERROR_STOP=1 -f "$OLDPWD/scripts/sql/seed-features.sql")
rows=$("$PSQL" -X -tAq -c "SELECT count(*) FROM events.transactions")
"$PSQL" -X -q -v ON_ERROR_STOP=1 -v version="$version" -v rows="$rows" <<'SQL'
INSERT INTO events.seed_info (dataset, version, rows) VALUES ('fraud', :'version', :rows)
ON CONFLICT (dataset) DO UPDATE SET version = EXCLUDED.version, rows = EXCLUDED.rows, loaded_at = now();
SQL
mmp_log "seeded: $rows transactions with features in features.user_demographics, features.user_purchase_summary, features.product_details"

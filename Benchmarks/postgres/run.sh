#!/usr/bin/env bash
# Loading 1,000,000 rows × 20 columns from PostgreSQL into memory, three ways, same query, same
# server, same run:
#
#   mmp      mmp-bench postgres: cursor + binary rows into column builders (what `mmp train` does)
#   psql     psql \copy (query) TO a CSV file: the server's fastest way out, no parsing into types
#   pandas   pandas.read_sql through SQLAlchemy + psycopg2 into a DataFrame
#
# Each tool runs RUNS times, each run a fresh process (so peak memory is that run's own), in
# rotation so background load spreads evenly. Prints every run and a median table (markdown).
#
#   Benchmarks/postgres/run.sh                 1,000,000 rows, 3 runs each
#   ROWS=200000 RUNS=5 Benchmarks/postgres/run.sh
#
# Needs: the postgresql package (the script starts its own server on a free port under /tmp),
# python3 with pandas, sqlalchemy and psycopg2 (pip install pandas sqlalchemy psycopg2-binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
FETCH_SIZE=${FETCH_SIZE:-10000}
QUERY="SELECT * FROM bench.wide"

mmp_install_packages
python3 -c 'import pandas, sqlalchemy, psycopg2' 2>/dev/null || {
    echo "pandas, sqlalchemy and psycopg2 are needed for the anchor: pip install pandas sqlalchemy psycopg2-binary" >&2; exit 1; }
mmp_log "building mmp-bench (release)"
swift build -c release --product mmp-bench 2>&1 | { grep -E 'error|Compiling mmp|Build' || true; }
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed" >&2; exit 1; }
BENCH="$(swift build -c release --show-bin-path)/mmp-bench"
[ -x "$BENCH" ] || { echo "build failed" >&2; exit 1; }

STATE=$(mktemp -d /tmp/mmp-bench-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chmod 755 "$STATE"
trap 'mmp_stop_postgres "$STATE/postgres"; rm -rf "$STATE"' EXIT
PORT=$(mmp_free_port)
PASSWORD="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
mmp_start_postgres "$STATE/postgres" "$PORT" mmp "$PASSWORD" mmp_bench
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=mmp PGDATABASE=mmp_bench PGPASSWORD=$PASSWORD POSTGRES_PASSWORD=$PASSWORD
PSQL="$(mmp_pg_bindir)/psql"

mmp_log "creating bench.wide: $ROWS rows x 20 columns"
"$PSQL" -X -q -v rows="$ROWS" -f Benchmarks/postgres/make_table.sql
# Warm the server's cache so every tool reads the table from memory.
"$PSQL" -X -q -c "\\copy ($QUERY) TO '/dev/null' WITH (FORMAT csv)"

RESULTS="$STATE/results.jsonl"
for run in $(seq 1 "$RUNS"); do
    mmp_log "run $run of $RUNS"
    line=$("$BENCH" postgres --port "$PORT" --user mmp --database mmp_bench --query "$QUERY" --fetch-size "$FETCH_SIZE")
    echo "{\"tool\": \"mmp\", $(printf '%s' "$line" | cut -c2-)" | tee -a "$RESULTS"

    timing=$( { /usr/bin/time -f '%e %M' "$PSQL" -X -q -c "\\copy ($QUERY) TO '$STATE/out.csv' WITH (FORMAT csv, HEADER true)" ; } 2>&1 | tail -1)
    set -- $timing
    csv_mb=$(( $(stat -c %s "$STATE/out.csv") / 1000000 ))
    echo "{\"tool\": \"psql\", \"seconds\": $1, \"peak_rss_mb\": $(( $2 / 1000 )), \"csv_mb\": $csv_mb}" | tee -a "$RESULTS"
    rm -f "$STATE/out.csv"

    line=$(python3 Benchmarks/postgres/pandas_read_sql.py "$QUERY")
    echo "{\"tool\": \"pandas\", $(printf '%s' "$line" | cut -c2-)" | tee -a "$RESULTS"
done

python3 - "$RESULTS" "$ROWS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
print(f"\n### Loading {n:,} rows x 20 columns from PostgreSQL (median of {len(rows) // 3} runs)\n")
print("| tool | seconds | rows/s | peak RSS (MB) | in-memory result (MB) |")
print("|---|---|---|---|---|")
for tool, label in [("mmp", "mmp (cursor, binary, column builders)"), ("psql", "psql \\copy to CSV (anchor)"),
                    ("pandas", "pandas read_sql (anchor)")]:
    runs = [r for r in rows if r["tool"] == tool]
    s = statistics.median(r["seconds"] for r in runs)
    rss = statistics.median(r["peak_rss_mb"] for r in runs)
    size = runs[0].get("table_mb") or runs[0].get("frame_mb")
    size_text = f"{size:.0f}" if size else f"CSV file {runs[0]['csv_mb']} MB"
    print(f"| {label} | {s:.2f} | {n / s:,.0f} | {rss:.0f} | {size_text} |")
PY

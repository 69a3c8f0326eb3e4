# Shared by scripts/test.sh, scripts/local-dev.sh and scripts/quickstart.sh: installing what is
# missing, and starting/stopping redis-server and PostgreSQL natively under a state folder.
# Source it; it defines functions only.

mmp_log() { printf '==> %s\n' "$*" >&2; }

mmp_sudo() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

mmp_pg_bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return 0; fi
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Installs the Debian packages mmp builds and tests against, when any is missing.
mmp_install_packages() {
    local missing=()
    [ -f /usr/include/hiredis/hiredis.h ] || missing+=(libhiredis-dev)
    [ -f /usr/include/zstd.h ] || missing+=(libzstd-dev)
    [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    local bindir; bindir=$(mmp_pg_bindir)
    { [ -n "$bindir" ] && [ -x "$bindir/initdb" ]; } || missing+=(postgresql)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    if [ ${#missing[@]} -gt 0 ]; then
        mmp_log "installing ${missing[*]}"
        mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
}

# mmp_start_redis DIR PORT — redis-server on 127.0.0.1:PORT with append-only persistence and
# noeviction, data and logs under DIR, PID in DIR/redis.pid.
mmp_start_redis() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
        --maxmemory-policy noeviction --save "" --daemonize yes --pidfile "$dir/redis.pid" \
        --logfile "$dir/redis.log" >/dev/null
    local i
    for i in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "redis-server did not start on port $port; see $dir/redis.log" >&2
    return 1
}

# mmp_start_postgres DIR PORT USER PASSWORD DATABASE — a PostgreSQL cluster under DIR, listening
# on 127.0.0.1:PORT and a socket in DIR, password (SCRAM) auth over TCP. PID via pg_ctl.
mmp_start_postgres() {
    local dir=$1 port=$2 user=$3 password=$4 database=$5
    local bindir; bindir=$(mmp_pg_bindir)
    local data="$dir/data"
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
        "${run[@]}" "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
        || { cat "$dir/postgres.log" >&2; return 1; }
    # Role and database for mmp (idempotent).
    "${run[@]}" "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE "$user" LOGIN PASSWORD '$password' CREATEDB;
  ELSE
    ALTER ROLE "$user" PASSWORD '$password';
  END IF;
END \$\$;
SQL
    if ! "${run[@]}" "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
        "${run[@]}" "$bindir/createdb" -h "$dir" -p "$port" -U postgres -O "$user" "$database"
    fi
}

# mmp_stop_postgres DIR
mmp_stop_postgres() {
    local dir=$1
    local bindir; bindir=$(mmp_pg_bindir)
    [ -f "$dir/data/postmaster.pid" ] || return 0
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || {
        kill "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null || true; }
}

# mmp_stop_pidfile FILE — stops the process whose PID is in FILE, waiting for it to exit.
mmp_stop_pidfile() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid; pid=$(cat "$file")
    if kill "$pid" 2>/dev/null; then
        local i
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# mmp_free_port — a TCP port nothing listens on.
mmp_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# mmp_start_mlflow VENV DIR PORT PIDFILE — `mlflow server` from the virtualenv VENV on
# 127.0.0.1:PORT: SQLite backend store DIR/mlflow.db, artifacts under DIR/artifacts served
# through its artifact proxy (--serve-artifacts), one worker, the server's background job runner
# off. Detached in a session of its own (setsid); PID (of the group leader) in PIDFILE, log in
# DIR/mlflow.log. Waits up to 180 s for /health (the first start migrates the database).
mmp_start_mlflow() {
    mmp_start_mlflow_at "$1" "$2" "$3" "$4" "$2/artifacts"
}

# mmp_start_mlflow_at VENV DIR PORT PIDFILE ARTIFACTS [ARGS...] — the same, artifacts under
# ARTIFACTS, more `mlflow server` arguments after them (`--app-name basic-auth`).
mmp_start_mlflow_at() {
    local venv=$1 dir=$2 port=$3 pidfile=$4 artifacts=$5
    shift 5
    mkdir -p "$dir" "$artifacts" "$(dirname "$pidfile")"
    ( cd "$dir" && MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false exec setsid "$venv/bin/mlflow" server \
        --backend-store-uri "sqlite:///$dir/mlflow.db" --artifacts-destination "$artifacts" --serve-artifacts \
        --host 127.0.0.1 --port "$port" --workers 1 "$@" >"$dir/mlflow.log" 2>&1 ) &
    echo $! >"$pidfile"
    local i
    for i in $(seq 1 900); do
        if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then return 0; fi
        kill -0 "$(cat "$pidfile")" 2>/dev/null || break
        sleep 0.2
    done
    echo "mlflow server did not start on port $port; see $dir/mlflow.log:" >&2
    tail -20 "$dir/mlflow.log" >&2
    return 1
}

# mmp_stop_mlflow PIDFILE — stops the server and its worker processes (its whole session).
mmp_stop_mlflow() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid; pid=$(cat "$file")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$file"
}

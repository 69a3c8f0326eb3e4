# Redis Sentinel and Redis Cluster setups on loopback, for scripts/test.d/ and the chaos run
# (Benchmarks/chaos/run.sh). Source it after scripts/lib/services.sh; it defines functions only.
# Every process is a daemonized redis-server whose PID file goes where the caller says, so the
# caller stops exactly what it started (mmp_stop_pidfile).

# mmp_redis_daemon DIR PORT PIDFILE [redis-server arguments...] — a redis-server on
# 127.0.0.1:PORT with append-only persistence and noeviction, data and log under DIR.
mmp_redis_daemon() {
    mmp_redis_spawn "$@"
    mmp_wait_redis "$2" "$1/redis.log"
}

# mmp_redis_spawn — the same, without waiting for it to answer. The settings go to DIR/redis.conf,
# which the server rewrites when a sentinel changes its role (CONFIG REWRITE), so that a restart
# (mmp_redis_restart) brings it back as what it was when it stopped.
mmp_redis_spawn() {
    local dir=$1 port=$2 pidfile=$3; shift 3
    mkdir -p "$dir"
    local args=(--port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec
        --maxmemory-policy noeviction --save "" --daemonize yes --pidfile "$pidfile" --logfile "$dir/redis.log" "$@")
    local arg line=""
    : > "$dir/redis.conf"
    for arg in "${args[@]}"; do
        if [[ $arg == --* ]]; then
            [ -n "$line" ] && printf '%s\n' "$line" >> "$dir/redis.conf"
            line=${arg#--}
        else
            line+=" \"$arg\""
        fi
    done
    printf '%s\n' "$line" >> "$dir/redis.conf"
    redis-server "$dir/redis.conf" >/dev/null
}

# mmp_redis_restart DIR — stops the server of DIR and starts it again from DIR/redis.conf. The
# stop is a clean one (SIGTERM: a master first waits up to shutdown-timeout, 10 s, for its replicas
# to catch up, then writes its append-only file), given 60 s before SIGKILL; a SIGKILL is said on
# stderr, since it may lose the last second of acknowledged writes (appendfsync everysec).
mmp_redis_restart() {
    local dir=$1
    local pidfile port pid i
    # CONFIG REWRITE drops the quotes: read the values either way.
    pidfile=$(awk '$1 == "pidfile" { gsub(/"/, "", $2); print $2 }' "$dir/redis.conf")
    port=$(awk '$1 == "port" { gsub(/"/, "", $2); print $2 }' "$dir/redis.conf")
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        for i in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "redis-server on $port did not stop within 60 s of SIGTERM; killing it" >&2
            kill -9 "$pid" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    rm -f "$pidfile"
    redis-server "$dir/redis.conf" >/dev/null
    mmp_wait_redis "$port" "$dir/redis.log"
}

# mmp_wait_redis PORT LOG — waits until a server answers PING (5 s at most).
mmp_wait_redis() {
    local port=$1 log=$2 i
    for i in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "redis-server did not start on port $port; see $log" >&2
    return 1
}

# mmp_wait_for SECONDS DESCRIPTION COMMAND... — runs COMMAND every 0.1 s until it succeeds.
mmp_wait_for() {
    local seconds=$1 what=$2; shift 2
    local i
    for i in $(seq 1 $((seconds * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "timed out after ${seconds}s waiting for $what" >&2
    return 1
}

mmp_replica_linked() { redis-cli -p "$1" info replication | grep -q '^master_link_status:up'; }

# A sentinel that knows the master NAME, its replica, and the two other sentinels (a failover
# needs all three).
mmp_sentinel_ready() {
    local port=$1 name=$2
    local info; info=$(redis-cli -p "$port" sentinel master "$name" 2>/dev/null | tr -d '\r') || return 1
    printf '%s\n' "$info" | grep -A1 -x 'num-slaves' | tail -1 | grep -qx 1 || return 1
    printf '%s\n' "$info" | grep -A1 -x 'num-other-sentinels' | tail -1 | grep -qx 2
}

# mmp_start_redis_sentinels DIR PIDDIR NAME... — for each NAME a master and a replica, and three
# sentinels (quorum 2) monitoring them all. Sets MMP_HA_SENTINELS to host:port,host:port,host:port.
#
# Masters and replicas run with `min-replicas-to-write 1`: a master that lost its replica (the
# old master at a failover, which sentinels demote only seconds later) refuses writes
# (NOREPLICAS) instead of acknowledging writes the failover throws away; clients treat that
# reply as "ask the sentinels again" (docs/redis.md).
mmp_start_redis_sentinels() {
    local dir=$1 piddir=$2; shift 2
    local names=("$@") name conf="" ports=() port i
    mkdir -p "$dir" "$piddir"
    # repl-diskless-sync-delay 0: a replica syncs at once, not after the default 5 s wait for others.
    local safety=(--min-replicas-to-write 1 --min-replicas-max-lag 10 --repl-diskless-sync-delay 0)
    for name in "${names[@]}"; do
        local master_port replica_port
        master_port=$(mmp_free_port); replica_port=$(mmp_free_port)
        mmp_redis_daemon "$dir/$name-a" "$master_port" "$piddir/redis-$name-a.pid" "${safety[@]}"
        mmp_redis_daemon "$dir/$name-b" "$replica_port" "$piddir/redis-$name-b.pid" "${safety[@]}" \
            --replicaof 127.0.0.1 "$master_port"
        mmp_wait_for 10 "the replica of $name" mmp_replica_linked "$replica_port"
        conf+="sentinel monitor $name 127.0.0.1 $master_port 2
sentinel down-after-milliseconds $name 2000
sentinel failover-timeout $name 20000
sentinel parallel-syncs $name 1
"
    done
    for i in 1 2 3; do
        port=$(mmp_free_port)
        mkdir -p "$dir/sentinel-$i"
        # Sentinels rewrite their config file: each has its own, under DIR.
        printf 'port %s\nbind 127.0.0.1\ndir %s\n%s' "$port" "$dir/sentinel-$i" "$conf" > "$dir/sentinel-$i/sentinel.conf"
        redis-server "$dir/sentinel-$i/sentinel.conf" --sentinel --daemonize yes --pidfile "$piddir/sentinel-$i.pid" \
            --logfile "$dir/sentinel-$i/sentinel.log" >/dev/null
        ports+=("$port")
    done
    for i in 1 2 3; do mmp_wait_redis "${ports[$((i - 1))]}" "$dir/sentinel-$i/sentinel.log"; done
    for port in "${ports[@]}"; do
        for name in "${names[@]}"; do
            mmp_wait_for 30 "sentinel $port to see $name, its replica and the other sentinels" mmp_sentinel_ready "$port" "$name"
        done
    done
    MMP_HA_SENTINELS=$(printf '127.0.0.1:%s,' "${ports[@]}")
    MMP_HA_SENTINELS=${MMP_HA_SENTINELS%,}
}

mmp_cluster_ok() { redis-cli -p "$1" cluster info | grep -q '^cluster_state:ok'; }

# mmp_start_redis_cluster DIR PIDDIR N — a Redis Cluster of N masters (no replicas), slots spread
# evenly by `redis-cli --cluster create`. Sets MMP_CLUSTER_NODES to host:port,... (N of them).
mmp_start_redis_cluster() {
    local dir=$1 piddir=$2 count=$3
    local nodes=() i port bus
    mkdir -p "$dir" "$piddir"
    for i in $(seq 1 "$count"); do
        port=$(mmp_free_port); bus=$(mmp_free_port)
        # cluster-port: the bus port is otherwise port + 10000, which may be taken or past 65535.
        mmp_redis_spawn "$dir/node-$i" "$port" "$piddir/cluster-node-$i.pid" --cluster-enabled yes \
            --cluster-config-file "$dir/node-$i/nodes.conf" --cluster-port "$bus" --cluster-node-timeout 3000
        nodes+=("127.0.0.1:$port")
    done
    for i in $(seq 1 "$count"); do mmp_wait_redis "${nodes[$((i - 1))]#*:}" "$dir/node-$i/redis.log"; done
    redis-cli --cluster create "${nodes[@]}" --cluster-yes >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; return 1; }
    for i in "${nodes[@]}"; do
        mmp_wait_for 30 "cluster node $i to report cluster_state:ok" mmp_cluster_ok "${i#*:}"
    done
    MMP_CLUSTER_NODES=$(IFS=,; echo "${nodes[*]}")
}

# Redis behind TLS only (no plain port, client certificates required) and Debian's stunnel4 in
# client mode in front of it: hiredis 0.14 has no TLS, so mmp reaches a TLS Redis through such a
# sidecar (docs/redis.md). Tests connect to the sidecar's plain loopback port.
source scripts/lib/tls.sh
source scripts/lib/redis-ha.sh
TLS_DIR="$STATE/redis-tls"
mkdir -p "$TLS_DIR"
mmp_make_ca "$TLS_DIR" ca
mmp_make_cert "$TLS_DIR" ca server localhost "DNS:localhost,IP:127.0.0.1"
mmp_make_cert "$TLS_DIR" ca client mmp-worker
TLS_REDIS_PORT=$(mmp_free_port)
STUNNEL_PORT=$(mmp_free_port)
TLS_REDIS_PASSWORD="tls-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
mmp_log "starting a TLS-only redis-server on 127.0.0.1:$TLS_REDIS_PORT and stunnel4 on 127.0.0.1:$STUNNEL_PORT"
redis-server --port 0 --tls-port "$TLS_REDIS_PORT" --bind 127.0.0.1 --dir "$TLS_DIR" --save "" --appendonly no \
    --tls-cert-file "$TLS_DIR/server.crt" --tls-key-file "$TLS_DIR/server.key" --tls-ca-cert-file "$TLS_DIR/ca.crt" \
    --tls-auth-clients yes --requirepass "$TLS_REDIS_PASSWORD" --daemonize yes --pidfile "$STATE/pids/redis-tls.pid" \
    --logfile "$TLS_DIR/redis.log" >/dev/null
cat > "$TLS_DIR/stunnel.conf" <<CONF
foreground = no
pid = $STATE/pids/stunnel.pid
output = $TLS_DIR/stunnel.log
[redis]
client = yes
accept = 127.0.0.1:$STUNNEL_PORT
connect = 127.0.0.1:$TLS_REDIS_PORT
CAfile = $TLS_DIR/ca.crt
verifyChain = yes
checkHost = localhost
cert = $TLS_DIR/client.crt
key = $TLS_DIR/client.key
CONF
stunnel4 "$TLS_DIR/stunnel.conf"
mmp_tls_pong() { [ "$(redis-cli -p "$STUNNEL_PORT" --no-auth-warning -a "$TLS_REDIS_PASSWORD" ping 2>/dev/null)" = PONG ]; }
mmp_wait_for 10 "redis through stunnel on port $STUNNEL_PORT (see $TLS_DIR/stunnel.log and redis.log)" mmp_tls_pong
export MMP_TEST_REDIS_TLS_PORT="$TLS_REDIS_PORT"
export MMP_TEST_REDIS_STUNNEL_PORT="$STUNNEL_PORT"
export MMP_TEST_REDIS_TLS_PASSWORD="$TLS_REDIS_PASSWORD"

# A PostgreSQL with `ssl = on` and certificates from a CA of the test run's own: TCP connections
# without TLS are refused, `mmp` logs in with a password over TLS, `mmp_cert` with a client
# certificate (`cert` auth). The TLS tests of MMPPostgresTests connect to it.
source scripts/lib/tls.sh
source scripts/lib/redis-ha.sh
PGSSL_DIR="$STATE/postgres-ssl"
PGSSL_CERTS="$PGSSL_DIR/certs"
mkdir -p "$PGSSL_CERTS" "$STATE/pgssl-client"
mmp_make_ca "$PGSSL_CERTS" ca
mmp_make_cert "$PGSSL_CERTS" ca server localhost "DNS:localhost,IP:127.0.0.1"
# The client's files live apart: the server's folder becomes the postgres user's.
mmp_make_ca "$STATE/pgssl-client" other-ca
cp "$PGSSL_CERTS/ca.crt" "$PGSSL_CERTS/ca.key" "$STATE/pgssl-client/"
mmp_make_cert "$STATE/pgssl-client" ca client mmp_cert
rm -f "$STATE/pgssl-client/ca.key"
cat > "$PGSSL_CERTS/pg_hba.conf" <<HBA
local   all       all                     trust
hostssl all       mmp_cert  127.0.0.1/32  cert
hostssl all       all       127.0.0.1/32  scram-sha-256
host    all       all       127.0.0.1/32  reject
HBA
PGSSL_PORT=$(mmp_free_port)
PGSSL_PASSWORD="ssl-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
mmp_log "starting PostgreSQL with ssl = on on 127.0.0.1:$PGSSL_PORT under $PGSSL_DIR"
mmp_start_postgres "$PGSSL_DIR" "$PGSSL_PORT" mmp "$PGSSL_PASSWORD" mmp_test \
    "-c ssl=on -c ssl_cert_file=$PGSSL_CERTS/server.crt -c ssl_key_file=$PGSSL_CERTS/server.key -c ssl_ca_file=$PGSSL_CERTS/ca.crt -c hba_file=$PGSSL_CERTS/pg_hba.conf"
pgssl_run=()
if [ "$(id -u)" = 0 ]; then pgssl_run=(runuser -u postgres --); fi
"${pgssl_run[@]}" "$(mmp_pg_bindir)/psql" -h "$PGSSL_DIR" -p "$PGSSL_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mmp_cert') THEN CREATE ROLE mmp_cert LOGIN; END IF; END \$\$;" >/dev/null
# The postmaster's PID (first line of postmaster.pid): test.sh stops it with the other services.
head -1 "$PGSSL_DIR/data/postmaster.pid" > "$STATE/pids/postgres-ssl.pid"
export MMP_TEST_PGSSL_PORT="$PGSSL_PORT"
export MMP_TEST_PGSSL_PASSWORD="$PGSSL_PASSWORD"
export MMP_TEST_PGSSL_DIR="$STATE/pgssl-client"

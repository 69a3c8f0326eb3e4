# Certificates for the TLS tests: a CA of the test run's own and certificates it signs (openssl).
# Source it; it defines functions only.

# mmp_make_ca DIR NAME — DIR/NAME.crt and DIR/NAME.key, a self-signed CA valid for two days.
mmp_make_ca() {
    local dir=$1 name=$2
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mmp test CA $name" \
        -keyout "$dir/$name.key" -out "$dir/$name.crt" >/dev/null 2>&1 || { echo "openssl could not make the CA $name" >&2; return 1; }
}

# mmp_make_cert DIR CA NAME CN [SAN] — DIR/NAME.crt and DIR/NAME.key signed by DIR/CA; SAN like
# "DNS:localhost,IP:127.0.0.1" (servers), none for client certificates.
mmp_make_cert() {
    local dir=$1 ca=$2 name=$3 cn=$4 san=${5:-}
    local ext="$dir/$name.ext"
    if [ -n "$san" ]; then printf 'subjectAltName=%s\n' "$san" > "$ext"; else : > "$ext"; fi
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$dir/$name.key" -out "$dir/$name.csr" >/dev/null 2>&1 &&
        openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial -days 2 \
            -extfile "$ext" -out "$dir/$name.crt" >/dev/null 2>&1 || { echo "openssl could not make the certificate $name" >&2; return 1; }
    chmod 600 "$dir/$name.key"
    rm -f "$dir/$name.csr" "$ext"
}

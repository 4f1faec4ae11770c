#!/usr/bin/env bash
# Make a local certificate authority and a server certificate it signs, for nginx's TLS where no
# real certificate is at hand (the native topology; compose on a laptop):
#
#   deploy/local/tls.sh CA_DIR CERT_DIR NAME...
#
#   CA_DIR/ca.key, CA_DIR/ca.pem      the CA (10 years); trust ca.pem in a client to verify nginx
#   CERT_DIR/privkey.pem              the server's key
#   CERT_DIR/fullchain.pem            the server's certificate (397 days) for NAME... (host names
#                                     or IP addresses), as nginx's ssl_certificate
#   CERT_DIR/chain.pem                the issuer (a copy of ca.pem), as ssl_trusted_certificate
#
# certbot's live/<host>/ folder has the same three names, so a real certificate drops in place.
# Idempotent: an existing CA is kept; the server certificate is made again only when it is
# missing, does not cover every NAME, expires within 30 days or was not signed by this CA.
# Keys are 0600 and never leave their folders; keep CA_DIR out of what nginx (or a container)
# mounts: only CERT_DIR is needed to serve.
set -euo pipefail

log() { printf '[nexus-tls] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

(($# >= 3)) || die "usage: deploy/local/tls.sh CA_DIR CERT_DIR NAME..."
ca_dir=$1 cert_dir=$2
shift 2
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"

alt_names=()
for name in "$@"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
        alt_names+=("IP:$name")
    elif [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
        alt_names+=("DNS:$name")
    else
        die "not a host name or an IP address: '$name'"
    fi
done
subject_alt_name=$(IFS=,; echo "${alt_names[*]}")

umask 077
mkdir -p "$ca_dir" "$cert_dir"

if [[ ! -s $ca_dir/ca.key || ! -s $ca_dir/ca.pem ]]; then
    log "making a local certificate authority in $ca_dir"
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$ca_dir/ca.key" -out "$ca_dir/ca.pem" -days 3650 -sha256 \
        -subj "/O=Nexus local/CN=Nexus local CA $(hostname)" \
        -addext "basicConstraints=critical,CA:true,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" 2>/dev/null
    rm -f "$cert_dir/fullchain.pem"  # signed by a CA that is gone
fi
chmod 600 "$ca_dir/ca.key"
chmod 644 "$ca_dir/ca.pem"

server_certificate_is_current() {
    local cert=$cert_dir/fullchain.pem text name
    [[ -s $cert && -s $cert_dir/privkey.pem ]] || return 1
    openssl verify -CAfile "$ca_dir/ca.pem" "$cert" >/dev/null 2>&1 || return 1
    openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null || return 1
    text=$(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null) || return 1
    for name in "${alt_names[@]}"; do
        # openssl prints "IP Address:127.0.0.1" and "DNS:localhost".
        name=${name/#IP:/IP Address:}
        grep -qE "(^|[ ,])${name//./\\.}(,|$)" <<<"$text" || return 1
    done
}

if server_certificate_is_current; then
    log "the server certificate in $cert_dir is current"
else
    log "making a server certificate for $* in $cert_dir"
    request=$(mktemp)
    extensions=$(mktemp)
    trap 'rm -f "$request" "$extensions"' EXIT
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$cert_dir/privkey.pem" -out "$request" -subj "/O=Nexus local/CN=$1" 2>/dev/null
    cat >"$extensions" <<EOF
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$subject_alt_name
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
EOF
    # 397 days: the longest validity browsers accept for a server certificate.
    openssl x509 -req -in "$request" -CA "$ca_dir/ca.pem" -CAkey "$ca_dir/ca.key" \
        -CAcreateserial -CAserial "$ca_dir/ca.srl" -days 397 -sha256 \
        -extfile "$extensions" -out "$cert_dir/fullchain.pem" 2>/dev/null
fi
cp "$ca_dir/ca.pem" "$cert_dir/chain.pem"
chmod 600 "$cert_dir/privkey.pem"
chmod 644 "$cert_dir/fullchain.pem" "$cert_dir/chain.pem"

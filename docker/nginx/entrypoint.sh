#!/bin/sh
# Start nginx with TLS. A real certificate and key go in /etc/nginx/tls (cert.pem, key.pem,
# mounted read-only); without them a self-signed pair for $TLS_HOSTNAME is made once, so the
# stack runs out of the box (browsers warn until a real certificate is mounted).
set -eu
TLS_DIR=/etc/nginx/tls
if [ ! -s "$TLS_DIR/cert.pem" ] || [ ! -s "$TLS_DIR/key.pem" ]; then
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
    -subj "/CN=${TLS_HOSTNAME:-localhost}" \
    -addext "subjectAltName=DNS:${TLS_HOSTNAME:-localhost},DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem"
fi
# The HTTPS port browsers reach (the published one), for the HTTP → HTTPS redirect.
sed -i "s/__HTTPS_PORT__/${PUBLIC_HTTPS_PORT:-443}/" /etc/nginx/nginx.conf
exec nginx -g "daemon off;"

#!/usr/bin/env bash
# Generates a self-signed TLS certificate for the nginx front (demo and staging only; use a
# real certificate in production). Usage: deploy/gen_cert.sh [hostname] [out dir]
set -euo pipefail
host=${1:-chat.example.test}
out=${2:-$(cd "$(dirname "$0")" && pwd)/tls}
mkdir -p "$out"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
  -keyout "$out/chat.key" -out "$out/chat.crt" \
  -subj "/CN=$host" -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" 2>/dev/null
chmod 600 "$out/chat.key"
echo "wrote $out/chat.crt and $out/chat.key for $host"

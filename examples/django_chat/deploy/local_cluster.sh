#!/usr/bin/env bash
# Runs the production layout on one machine, on free 127.0.0.1 ports: nginx (TLS, self-signed)
# in front of Django (gunicorn) and two real-time nodes sharing one Redis, using the files in
# this folder (nginx.conf, gyre-node{1,2}.json) with only ports, secrets and paths replaced.
# Foreground; Ctrl-C stops everything. Writes <run dir>/demo.env for the e2e test.
#
# Needs: nginx, redis-server, openssl. CHAT_SERVER=gyre|centrifugo (default gyre; Gyre's
# Redis engine is not written yet, so today this layout runs only with CHAT_SERVER=centrifugo).
set -euo pipefail

deploy=$(cd "$(dirname "$0")" && pwd)
app=$(cd "$deploy/.." && pwd)
repo=$(cd "$app/../.." && pwd)
CHAT_SERVER=${CHAT_SERVER:-gyre}
VENV=${VENV:-$repo/.venv}
RUN_DIR=${RUN_DIR:-$app/.run/cluster}
export DEMO_PASSWORD=${DEMO_PASSWORD:-gyre-demo-pass}
log() { echo "[local_cluster] $*" >&2; }
die() { log "error: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

case "$CHAT_SERVER" in
  gyre) server_bin=${GYRE_BIN:-$repo/build/dev/gyre} ;;
  centrifugo) server_bin=${CENTRIFUGO_BIN:-$("$repo/tools/install-centrifugo.sh")} ;;
  *) die "CHAT_SERVER must be gyre or centrifugo" ;;
esac
[ -x "$server_bin" ] || die "server binary not found: $server_bin"
for tool in nginx redis-server openssl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ -x "$VENV/bin/gunicorn" ] || die "run ../run_demo.sh once first (it creates $VENV)"
[ -f "$app/chat/static/vendor/centrifuge.js" ] || (cd "$app" && npm ci --no-audit --no-fund --loglevel=error && node scripts/copy_static.js)

rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
HTTPS_PORT=$(free_port); DJANGO_PORT=$(free_port); NODE1_PORT=$(free_port); NODE2_PORT=$(free_port); REDIS_PORT=$(free_port)
API_KEY="cluster-api-key-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
TOKEN_SECRET="cluster-secret-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
ORIGIN="https://127.0.0.1:$HTTPS_PORT"

"$deploy/gen_cert.sh" 127.0.0.1 "$RUN_DIR/tls" >&2

# Node configs: the committed ones, with this run's ports, secrets, origin and Redis.
for n in 1 2; do
  port_var="NODE${n}_PORT"
  python3 - "$deploy/gyre-node$n.json" "$RUN_DIR/node$n.json" "${!port_var}" <<PY
import json, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = json.load(open(src))
cfg["http_server"]["port"] = port
cfg["client"]["token"]["hmac_secret_key"] = "$TOKEN_SECRET"
cfg["client"]["allowed_origins"] = ["$ORIGIN"]
cfg["http_api"]["key"] = "$API_KEY"
cfg["engine"]["redis"]["address"] = "redis://127.0.0.1:$REDIS_PORT"
json.dump(cfg, open(dst, "w"), indent=2)
PY
done

# nginx: the committed site config with this run's ports and paths.
sed -e "s#127.0.0.1:8001#127.0.0.1:$NODE1_PORT#; s#127.0.0.1:8002#127.0.0.1:$NODE2_PORT#" \
    -e "s#127.0.0.1:8000#127.0.0.1:$DJANGO_PORT#" \
    -e "s#listen 443 #listen 127.0.0.1:$HTTPS_PORT #; s#listen 80;#listen 127.0.0.1:$(free_port);#" \
    -e "s#/etc/nginx/tls/#$RUN_DIR/tls/#; s#/srv/gyre-chat/staticfiles/#$RUN_DIR/static/#" \
    -e "s#return 301 https://\$host\$request_uri;#return 301 $ORIGIN\$request_uri;#" \
    "$deploy/nginx.conf" >"$RUN_DIR/site.conf"
cat >"$RUN_DIR/nginx.conf" <<NGINX
worker_processes 1;
pid $RUN_DIR/nginx.pid;
error_log $RUN_DIR/nginx-error.log;
events { worker_connections 1024; }
http {
  log_format upstream '\$remote_addr "\$request" \$status upstream=\$upstream_addr';
  access_log $RUN_DIR/nginx-access.log upstream;
  client_body_temp_path $RUN_DIR/tmp-body; proxy_temp_path $RUN_DIR/tmp-proxy;
  fastcgi_temp_path $RUN_DIR/tmp-fcgi; uwsgi_temp_path $RUN_DIR/tmp-uwsgi; scgi_temp_path $RUN_DIR/tmp-scgi;
  types { text/css css; application/javascript js; text/html html; }
  include $RUN_DIR/site.conf;
}
NGINX

export CENTRIFUGO_HOST="http://127.0.0.1:$NODE1_PORT" CENTRIFUGO_API_KEY="$API_KEY"
export CENTRIFUGO_TOKEN_HMAC_SECRET_KEY="$TOKEN_SECRET" CENTRIFUGO_WS_URL=""
export DJANGO_DEBUG=0 DJANGO_BEHIND_TLS_PROXY=1 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_CSRF_TRUSTED_ORIGINS="$ORIGIN" DJANGO_STATIC_ROOT="$RUN_DIR/static"
export DATABASE_URL=${DATABASE_URL:-sqlite:///$RUN_DIR/db.sqlite3}
cd "$app"
"$VENV/bin/python" manage.py migrate --noinput -v 0
"$VENV/bin/python" manage.py seed_demo >&2
"$VENV/bin/python" manage.py collectstatic --noinput -v 0

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$RUN_DIR/demo.env"
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no >"$RUN_DIR/redis.log" 2>&1 &
pids+=($!)
sleep 0.5
for n in 1 2; do
  env -u CENTRIFUGO_HOST -u CENTRIFUGO_API_KEY -u CENTRIFUGO_TOKEN_HMAC_SECRET_KEY -u CENTRIFUGO_WS_URL \
    "$server_bin" -c "$RUN_DIR/node$n.json" >"$RUN_DIR/node$n.log" 2>&1 &
  pids+=($!)
done
"$VENV/bin/gunicorn" chat_project.wsgi:application --bind "127.0.0.1:$DJANGO_PORT" \
  --worker-class gthread --workers 1 --threads 8 >"$RUN_DIR/django.log" 2>&1 &
pids+=($!)
nginx -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -g 'daemon off;' >"$RUN_DIR/nginx.out" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fsk -o /dev/null "$ORIGIN/healthz/" \
     && curl -fs -o /dev/null -X POST -H "X-API-Key: $API_KEY" -d '{}' "http://127.0.0.1:$NODE2_PORT/api/info"; then
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "a process exited early; see $RUN_DIR/*.log"; done
  sleep 0.2
done
curl -fsk -o /dev/null "$ORIGIN/healthz/" || die "the cluster did not come up; see $RUN_DIR/*.log"

cat >"$RUN_DIR/demo.env" <<ENV
DEMO_URL=$ORIGIN/
CHAT_SERVER=$CHAT_SERVER
SERVER_API_URL=http://127.0.0.1:$NODE1_PORT/api
SERVER_API_KEY=$API_KEY
DEMO_PASSWORD=$DEMO_PASSWORD
DATABASE_URL=${DATABASE_URL:-}
IGNORE_HTTPS_ERRORS=1
ENV
log "up: $ORIGIN/ (self-signed certificate) -> Django :$DJANGO_PORT, nodes :$NODE1_PORT and :$NODE2_PORT, Redis :$REDIS_PORT"
while true; do
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "process $pid exited; see $RUN_DIR/*.log"; done
  sleep 1
done

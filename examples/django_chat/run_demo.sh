#!/usr/bin/env bash
# Starts the whole chat demo with one command: the real-time server (Gyre by default, or
# Centrifugo) with a generated config, Django (gunicorn or runserver) with migrations and
# demo data, then prints the URL. Runs in the foreground; Ctrl-C stops everything.
#
# Environment (all optional):
#   CHAT_SERVER      gyre | centrifugo                      (default gyre)
#   GYRE_BIN         Gyre binary                            (default <repo>/build/dev/gyre)
#   CENTRIFUGO_BIN   Centrifugo binary                      (default: tools/install-centrifugo.sh)
#   VENV             Python virtualenv                      (default <repo>/.venv)
#   DJANGO_PORT      Django port on 127.0.0.1               (default: a free port)
#   SERVER_PORT      real-time server port on 127.0.0.1     (default: a free port)
#   DJANGO_SERVER    gunicorn | runserver                   (default gunicorn)
#   DATABASE_URL     sqlite:///path or postgres://...       (default sqlite db.sqlite3 here)
#   DEMO_PASSWORD    password of alice, bob and carol       (default gyre-demo-pass)
#   RUN_DIR          logs, config, demo.env                 (default .run/demo here)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
CHAT_SERVER=${CHAT_SERVER:-gyre}
VENV=${VENV:-$repo/.venv}
RUN_DIR=${RUN_DIR:-$here/.run/demo}
DJANGO_SERVER=${DJANGO_SERVER:-gunicorn}
export DEMO_PASSWORD=${DEMO_PASSWORD:-gyre-demo-pass}

log() { echo "[run_demo] $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$CHAT_SERVER" in
  gyre)
    server_bin=${GYRE_BIN:-$repo/build/dev/gyre}
    [ -x "$server_bin" ] || die "Gyre binary not found at $server_bin (build it, set GYRE_BIN, or use CHAT_SERVER=centrifugo)"
    ;;
  centrifugo)
    server_bin=${CENTRIFUGO_BIN:-$("$repo/tools/install-centrifugo.sh")}
    [ -x "$server_bin" ] || die "Centrifugo binary not found at $server_bin"
    ;;
  *) die "CHAT_SERVER must be gyre or centrifugo, not '$CHAT_SERVER'" ;;
esac

mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR/demo.env"

# --- dependencies (idempotent) ---------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import django, requests, gunicorn' 2>/dev/null \
   || [ "$here/requirements.txt" -nt "$VENV/.django_chat_requirements" ]; then
  log "installing requirements.txt into $VENV"
  "$VENV/bin/pip" install -q -r "$here/requirements.txt"
  touch "$VENV/.django_chat_requirements"
fi
if [ ! -f "$here/node_modules/centrifuge/package.json" ] \
   || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  log "npm ci"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd "$here" && node scripts/copy_static.js >&2)

# --- configuration ---------------------------------------------------------------------------
DJANGO_PORT=${DJANGO_PORT:-$(free_port)}
SERVER_PORT=${SERVER_PORT:-$(free_port)}
[ "$DJANGO_PORT" != "$SERVER_PORT" ] || SERVER_PORT=$(free_port)
export CENTRIFUGO_API_KEY=${CENTRIFUGO_API_KEY:-demo-api-key-$(python3 -c 'import secrets; print(secrets.token_hex(8))')}
export CENTRIFUGO_TOKEN_HMAC_SECRET_KEY=${CENTRIFUGO_TOKEN_HMAC_SECRET_KEY:-demo-secret-$(python3 -c 'import secrets; print(secrets.token_hex(16))')}
export CENTRIFUGO_HOST="http://127.0.0.1:$SERVER_PORT"
export CENTRIFUGO_WS_URL="ws://127.0.0.1:$SERVER_PORT/connection/websocket"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_STATIC_ROOT="$RUN_DIR/static"
export DJANGO_SERVE_STATIC=1
export PYTHONUNBUFFERED=1
demo_url="http://127.0.0.1:$DJANGO_PORT/"

"$VENV/bin/python" "$here/scripts/write_server_config.py" --out "$RUN_DIR/server.json" \
  --port "$SERVER_PORT" --api-key "$CENTRIFUGO_API_KEY" \
  --token-secret "$CENTRIFUGO_TOKEN_HMAC_SECRET_KEY" \
  --origin "http://127.0.0.1:$DJANGO_PORT" --origin "http://localhost:$DJANGO_PORT"

# --- database --------------------------------------------------------------------------------
cd "$here"
"$VENV/bin/python" manage.py migrate --noinput -v 0
"$VENV/bin/python" manage.py seed_demo >&2
"$VENV/bin/python" manage.py collectstatic --noinput -v 0

# --- processes -------------------------------------------------------------------------------
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$RUN_DIR/demo.env"
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting $CHAT_SERVER ($server_bin) on 127.0.0.1:$SERVER_PORT"
# The server reads CENTRIFUGO_* variables as config: keep Django's settings away from it.
env -u CENTRIFUGO_HOST -u CENTRIFUGO_API_KEY -u CENTRIFUGO_TOKEN_HMAC_SECRET_KEY -u CENTRIFUGO_WS_URL \
  -u CENTRIFUGO_PUBLISH_TIMEOUT -u CENTRIFUGO_CONNECTION_TOKEN_TTL -u CENTRIFUGO_SUBSCRIPTION_TOKEN_TTL \
  "$server_bin" -c "$RUN_DIR/server.json" >"$RUN_DIR/server.log" 2>&1 &
pids+=($!)

if [ "$DJANGO_SERVER" = runserver ]; then
  "$VENV/bin/python" manage.py runserver --noreload "127.0.0.1:$DJANGO_PORT" >"$RUN_DIR/django.log" 2>&1 &
else
  "$VENV/bin/gunicorn" chat_project.wsgi:application --bind "127.0.0.1:$DJANGO_PORT" \
    --worker-class gthread --workers 1 --threads 8 --access-logfile - \
    >"$RUN_DIR/django.log" 2>&1 &
fi
pids+=($!)

wait_http() { # url, what, [header]
  local url=$1 what=$2 header=${3:-X-Nothing: 1}
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null -X "${METHOD:-GET}" -H "$header" ${BODY:+--data "$BODY"} "$url" 2>/dev/null; then return 0; fi
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "$what exited early; see $RUN_DIR/*.log"; done
    sleep 0.2
  done
  die "$what did not answer at $url; see $RUN_DIR/*.log"
}
METHOD=POST BODY='{}' wait_http "http://127.0.0.1:$SERVER_PORT/api/info" "$CHAT_SERVER" "X-API-Key: $CENTRIFUGO_API_KEY"
wait_http "http://127.0.0.1:$DJANGO_PORT/healthz/" "Django"

cat >"$RUN_DIR/demo.env.tmp" <<ENV
DEMO_URL=$demo_url
CHAT_SERVER=$CHAT_SERVER
SERVER_API_URL=http://127.0.0.1:$SERVER_PORT/api
SERVER_API_KEY=$CENTRIFUGO_API_KEY
DEMO_PASSWORD=$DEMO_PASSWORD
DATABASE_URL=${DATABASE_URL:-}
ENV
mv "$RUN_DIR/demo.env.tmp" "$RUN_DIR/demo.env"

cat <<MSG

  Gyre chat demo is up ($CHAT_SERVER on port $SERVER_PORT, Django via $DJANGO_SERVER).

      $demo_url

  Log in as alice or bob (password: $DEMO_PASSWORD) in two browsers; carol is not a member
  of the private room "secret". Logs: $RUN_DIR/{server,django}.log. Ctrl-C stops everything.

MSG

# Stay up until a process exits or we are told to stop.
while true; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "a demo process ($pid) exited; see $RUN_DIR/*.log"
  done
  sleep 1
done

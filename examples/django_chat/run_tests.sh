#!/usr/bin/env bash
# Runs every test of the chat example: Django unit tests, then the demo on free ports and the
# browser end-to-end test (headless Debian Chromium via playwright-core), then stops it all.
# Idempotent: the venv and node_modules are reused, the test database is recreated.
#
# Environment: VENV (default <repo>/.venv), CHAT_SERVER (gyre | centrifugo, default gyre),
# GYRE_BIN, CENTRIFUGO_BIN (see run_demo.sh), ARTIFACTS_DIR (default <repo>/test-artifacts/django_chat).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export VENV=${VENV:-$repo/.venv}
export CHAT_SERVER=${CHAT_SERVER:-gyre}
export ARTIFACTS_DIR=${ARTIFACTS_DIR:-$repo/test-artifacts/django_chat}
log() { echo "[run_tests] $*" >&2; }

# --- dependencies ----------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
touch "$VENV/.django_chat_requirements"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error && node scripts/copy_static.js)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { log "chromium missing: apt-get install -y chromium"; exit 1; }

# --- Django unit tests -----------------------------------------------------------------------
log "Django unit tests"
(cd "$here" && "$VENV/bin/python" manage.py test chat --noinput -v 1)

# --- demo + browser test ---------------------------------------------------------------------
export RUN_DIR="$here/.run/test"
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR" "$ARTIFACTS_DIR"
export DATABASE_URL="sqlite:///$RUN_DIR/db.sqlite3"
unset DJANGO_PORT SERVER_PORT

demo_pid=""
stop_demo() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
}
trap stop_demo EXIT

log "starting the demo against $CHAT_SERVER"
"$here/run_demo.sh" >"$RUN_DIR/run_demo.out" 2>&1 &
demo_pid=$!
for _ in $(seq 1 300); do
  [ -f "$RUN_DIR/demo.env" ] && break
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    log "the demo failed to start:"; cat "$RUN_DIR/run_demo.out" >&2; exit 1
  fi
  sleep 0.2
done
[ -f "$RUN_DIR/demo.env" ] || { log "the demo did not come up in 60 s"; cat "$RUN_DIR/run_demo.out" >&2; exit 1; }

log "browser end-to-end test"
status=0
(cd "$here" && DEMO_ENV_FILE="$RUN_DIR/demo.env" CHAT_PYTHON="$VENV/bin/python" node --test e2e/) || status=$?
if [ "$status" -ne 0 ]; then
  log "end-to-end test failed; server log tail:"
  tail -n 20 "$RUN_DIR/server.log" >&2 || true
fi
stop_demo
log "screenshots in $ARTIFACTS_DIR"
exit "$status"

#!/usr/bin/env bash
# Runs the integration tests: Node suites (node --test) and the Python part (pytest).
#   GYRE_TARGET=gyre|centrifugo  server under test (default gyre)
#   GYRE_BIN, CENTRIFUGO_BIN     binaries (defaults: build/dev/gyre, tools/install-centrifugo.sh)
#   VENV                         Python venv (default <repo>/.venv; created when missing)
# Quiet on success apart from the runners' closing lines; prints full logs on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export GYRE_TARGET=${GYRE_TARGET:-gyre}
VENV=${VENV:-$root/.venv}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

if [ "$GYRE_TARGET" = centrifugo ] && [ -z "${CENTRIFUGO_BIN:-}" ]; then
  CENTRIFUGO_BIN=$("$root/tools/install-centrifugo.sh")
  export CENTRIFUGO_BIN
fi

# Node dependencies, exactly as locked; reinstalled only when the lock file changed.
cd "$here"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.gyre-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund --loglevel=error >"$logdir/npm.log" 2>&1 || { cat "$logdir/npm.log"; exit 1; }
  echo "$lock_sum" >node_modules/.gyre-lock.sha256
fi

# Python dependencies, reinstalled only when tests/requirements.txt changed.
req="$root/tests/requirements.txt"
stamp="$VENV/.gyre-tests-requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$req" >"$logdir/pip.log" 2>&1 || { cat "$logdir/pip.log"; exit 1; }
  echo "$want" >"$stamp"
fi

status=0
if node --test --test-concurrency=1 --test-timeout=120000 ./*.test.mjs >"$logdir/node.log" 2>&1; then
  grep -E '^# (tests|pass|fail|skipped|cancelled) ' "$logdir/node.log"
else
  status=1
  cat "$logdir/node.log"
fi

if (cd "$here/python" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider . >"$logdir/pytest.log" 2>&1); then
  tail -n 1 "$logdir/pytest.log"
else
  status=1
  cat "$logdir/pytest.log"
fi
exit $status

#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, builds once (dev preset),
# then runs the unit tests (ctest), the integration suites against the real gyre binary with the
# real SDKs, the compatibility scenarios against gyre, and the chat example's Django and
# browser tests. Stops at the end with a summary line; exit status is non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
"$root/tools/setup.sh" --test || exit 1
build=$("$root/tools/build.sh" dev) || exit 1
export GYRE_BIN="$build/gyre"

passed=0
failed=0
failures=()
stage() {
  local name=$1
  shift
  echo "=== $name"
  local t0=$(date +%s)
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($(($(date +%s) - t0)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== $name: FAILED ($(($(date +%s) - t0)) s)"
  fi
}

stage "unit tests (ctest)" ctest --test-dir "$build" --output-on-failure -j2 --timeout 120
stage "integration (centrifuge-js, cent, centrifuge-python, raw frames)" \
  env GYRE_TARGET=gyre "$root/tests/integration/run.sh"
stage "compat scenarios against gyre" node "$root/tests/compat/run.mjs" --only-target gyre
stage "quick start in Chromium" "$root/tests/e2e/run.sh"
stage "chat example (Django + Chromium)" env CHAT_SERVER=gyre "$root/examples/django_chat/run_tests.sh"

echo "total time: $(($(date +%s) - start)) s"
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

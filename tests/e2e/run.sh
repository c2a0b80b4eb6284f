#!/usr/bin/env bash
# Runs the browser end-to-end tests (node --test, headless Debian Chromium via playwright-core):
# the README's quick start with examples/seed/config.json and examples/quickstart/.
#   GYRE_BIN       gyre binary (default build/dev/gyre)
#   CHROMIUM       browser (default /usr/bin/chromium)
#   ARTIFACTS_DIR  screenshots (default <repo>/test-artifacts)
# Quiet on success apart from the runner's closing lines; prints the full log on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# npm packages exactly as locked (these tests' and the quick start page's centrifuge-js);
# reinstalled only when a lock file changed.
for dir in "$here" "$root/examples/quickstart"; do
  lock_sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$dir/node_modules/.gyre-lock.sha256" 2>/dev/null)" != "$lock_sum" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$logdir/npm.log" 2>&1 || { cat "$logdir/npm.log"; exit 1; }
    echo "$lock_sum" >"$dir/node_modules/.gyre-lock.sha256"
  fi
done

cd "$here"
if node --test --test-concurrency=1 --test-timeout=120000 ./*.test.mjs >"$logdir/node.log" 2>&1; then
  grep -E '^# (tests|pass|fail|skipped|cancelled) ' "$logdir/node.log"
else
  cat "$logdir/node.log"
  exit 1
fi

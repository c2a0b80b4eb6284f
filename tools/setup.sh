#!/usr/bin/env bash
# Installs what Gyre needs on a fresh Debian machine; idempotent and quiet when all is there.
#   tools/setup.sh          build dependencies (Debian packages)
#   tools/setup.sh --test   plus test dependencies: Chromium, Redis, nginx, the npm packages of
#                           the test suites, the quick start page and the chat example (from their
#                           lock files) and the Python venv (.venv) from pinned requirements files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages() { grep -v '^#' "$1" | sed '/^\s*$/d'; }
lists=("$root/tools/apt-packages.txt")
[ $want_test = 1 ] && lists+=("$root/tools/apt-test-packages.txt")
missing=()
for list in "${lists[@]}"; do
  while read -r p; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done < <(packages "$list")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
[ $want_test = 1 ] || exit 0

# npm packages exactly as locked; reinstalled only when a lock file changes.
for dir in tests/integration tests/e2e examples/quickstart examples/django_chat; do
  lock="$root/$dir/package-lock.json"
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$root/$dir/node_modules/.gyre-lock.sha256" 2>/dev/null)" != "$sum" ]; then
    echo "setup: npm ci in $dir" >&2
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$sum" >"$root/$dir/node_modules/.gyre-lock.sha256"
  fi
done

# One venv for every Python part; reinstalled only when a requirements file changes.
venv=${VENV:-$root/.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
for req in tests/requirements.txt examples/django_chat/requirements.txt; do
  sum=$(sha256sum "$root/$req" | cut -d' ' -f1)
  stamp="$venv/.gyre-$(echo "$req" | tr '/' '_').sha256"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    echo "setup: pip install -r $req" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/$req"
    echo "$sum" >"$stamp"
  fi
done

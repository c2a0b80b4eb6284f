#!/usr/bin/env bash
# Installs the reference Centrifugo server for compatibility tests and benchmarks only.
# It goes into .cache/centrifugo (git-ignored); nothing built from it is committed.
# Prints the path of the binary on success.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${CENTRIFUGO_VERSION:-v6.9.1}
dest="$root/.cache/centrifugo/$version"
bin="$dest/bin/centrifugo"
if [ ! -x "$bin" ]; then
  mkdir -p "$dest"
  echo "installing centrifugo $version into $dest (go install)" >&2
  GOBIN="$dest/bin" GOFLAGS=-mod=mod GOPATH="${GOPATH:-$root/.cache/go}" \
    go install "github.com/centrifugal/centrifugo/v6@$version" >&2
fi
echo "$bin"

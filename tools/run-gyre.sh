#!/usr/bin/env bash
# Builds Gyre (release) and runs it with the seed's configuration: memory engine, port 8000.
# Extra arguments go to gyre, e.g. `tools/run-gyre.sh --log.level debug`.
# GYRE_CONFIG selects another config file (default examples/seed/config.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
build=$("$root/tools/build.sh" release -DGYRE_BUILD_TESTS=OFF)
exec "$build/gyre" --config "${GYRE_CONFIG:-$root/examples/seed/config.json}" "$@"

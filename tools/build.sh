#!/usr/bin/env bash
# Configures and builds one CMake preset (default: dev). Prints the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-dev}
shift || true
cd "$root"
if [ ! -f "build/$preset/build.ninja" ]; then
  cmake --preset "$preset" "$@" >/dev/null
fi
cmake --build "build/$preset" >&2
echo "$root/build/$preset"

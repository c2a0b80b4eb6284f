#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, the `fuzz` preset) and runs each for a while.
#   tools/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 30); TARGET e.g. jwt_fuzz
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_ARGS (extra libFuzzer flags).
# Each target starts from the seeds in tests/fuzz/corpus/<target>/ plus what earlier runs found
# (kept in $FUZZ_BUILD_DIR/corpus/<target>/). Crashing inputs are written to
# $FUZZ_BUILD_DIR/artifacts/<target>/; reproduce one with `<binary> <file>`. Exits non-zero when
# any target failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
shift || true
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
cd "$root"

"$root/tools/setup.sh"  # the regular build dependencies
missing=()
while read -r p; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done < <(grep -v '^#' tools/apt-fuzz-packages.txt | sed '/^\s*$/d')
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake --preset fuzz -B "$build" >/dev/null
fi
cmake --build "$build" --target gyre_fuzz >&2

# Symbolized stacks in sanitizer reports.
if [ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-16/bin/llvm-symbolizer}
  export UBSAN_SYMBOLIZER_PATH=${UBSAN_SYMBOLIZER_PATH:-$ASAN_SYMBOLIZER_PATH}
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$src" .cc)"); done
fi

failed=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  [ -x "$bin" ] || { echo "fuzz: no such target: $t" >&2; exit 2; }
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  seeds=()
  [ -d "tests/fuzz/corpus/$t" ] && seeds+=("tests/fuzz/corpus/$t")
  echo "fuzz: $t for ${seconds}s" >&2
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  if "$bin" -max_total_time="$seconds" -artifact_prefix="$artifacts/" -print_final_stats=1 \
      ${FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz: $t ok: ${runs:-?} runs, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files" >&2
  else
    echo "fuzz: $t FAILED (log: $log; inputs: $artifacts/)" >&2
    grep -m1 -E 'ERROR: |invariant failed|runtime error' "$log" >&2 || tail -5 "$log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a failure" >&2

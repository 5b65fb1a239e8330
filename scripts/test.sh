#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite, in three builds:
#   1. the normal build (build/): every unit and integration test (ctest -L unit)
#   2. AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/): the same tests
#   3. clang + libFuzzer (build-fuzz/): each fuzz target for IESYNC_FUZZ_SECONDS (default 30)
# One stage alone: scripts/test.sh --normal | --sanitize | --fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

stage=${1:-all}
case "$stage" in
  all | --normal | --sanitize | --fuzz) ;;
  *) echo "usage: scripts/test.sh [--normal|--sanitize|--fuzz]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
jobs=$(nproc)
# Optimised like a release but without debug info, which took ~40% of the compile time; the
# same flags as scripts/demo.sh, so the two commands share build/.
normal_build=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_suite() {  # build_dir label cmake-args...
  local dir=$1 label=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja "$@"
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" -L "$label")
}

if [ "$stage" = all ] || [ "$stage" = --normal ]; then
  run_suite build unit "${normal_build[@]}"
fi
if [ "$stage" = all ] || [ "$stage" = --sanitize ]; then
  run_suite build-asan unit -DCMAKE_BUILD_TYPE=Debug -DIESYNC_SANITIZE=ON -DIESYNC_BUILD_BENCH=OFF
fi
if [ "$stage" = all ] || [ "$stage" = --fuzz ]; then
  CC=clang CXX=clang++ run_suite build-fuzz fuzz -DCMAKE_BUILD_TYPE=Debug -DIESYNC_FUZZ=ON \
    -DIESYNC_BUILD_TESTS=OFF -DIESYNC_BUILD_BENCH=OFF -DIESYNC_FUZZ_SECONDS="${IESYNC_FUZZ_SECONDS:-30}"
fi

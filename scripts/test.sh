#!/usr/bin/env bash
# Installs what is needed, checks the format (scripts/check-format.sh), builds, and runs the
# whole test suite, in two builds:
#   1. the normal build (build/, GCC): every unit and integration test (ctest -L unit)
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer (build-sanitize/): the same
#      tests, then each libFuzzer target for IESYNC_FUZZ_SECONDS (default 30) from its seeds.
#      One build serves both, as compiling everything a third time was a third of CI's time.
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
if [ "$stage" = all ]; then scripts/check-format.sh; fi
# Optimised like a release but without debug info, which took ~40% of the compile time; the
# same flags as scripts/demo.sh, so the two commands share build/.
normal_build=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

build() {  # build_dir cmake-args...
  local dir=$1
  shift
  # Warnings are errors here, where the compilers are known, not in a packager's build.
  cmake -S . -B "$dir" -G Ninja -DIESYNC_WERROR=ON "$@"
  cmake --build "$dir" -j "$jobs"
}
run_tests() {  # build_dir label
  (cd "$1" && ctest --output-on-failure -j "$jobs" -L "$2")
}

if [ "$stage" = all ] || [ "$stage" = --normal ]; then
  build build "${normal_build[@]}"
  run_tests build unit
fi
if [ "$stage" != --normal ]; then
  CC=clang CXX=clang++ build build-sanitize -DCMAKE_BUILD_TYPE=Debug -DIESYNC_SANITIZE=ON \
    -DIESYNC_FUZZ=ON -DIESYNC_BUILD_BENCH=OFF -DIESYNC_FUZZ_SECONDS="${IESYNC_FUZZ_SECONDS:-30}"
  if [ "$stage" = all ] || [ "$stage" = --sanitize ]; then run_tests build-sanitize unit; fi
  if [ "$stage" = all ] || [ "$stage" = --fuzz ]; then run_tests build-sanitize fuzz; fi
fi

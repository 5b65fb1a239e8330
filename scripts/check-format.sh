#!/usr/bin/env bash
# The format check CI runs: every C++ file git tracks against .clang-format, with Debian 12's
# clang-format (14). Fix the tree with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = --fix ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "Some files are not formatted as .clang-format says; run scripts/check-format.sh --fix" >&2
  exit 1
fi

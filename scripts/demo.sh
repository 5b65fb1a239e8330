#!/usr/bin/env bash
# Installs, builds, and runs iesync on the bundled demo school.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target iesync
build/iesync check-config --config examples/demo/iesync.toml

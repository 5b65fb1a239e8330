#!/usr/bin/env bash
# Installs, builds, and runs iesync on the bundled demo school: a synthetic school of 150
# students with a week of IE bookings. It imports the exports, reconciles the week's
# sessions, writes the marks to the demo's MIS drop folder, and shows today's plan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target iesync

demo=examples/demo
config=$demo/iesync.toml
mkdir -p "$demo/var/mis-imports" "$demo/var/log"
# A fresh clone gives the exports a new mtime; iesync leaves files written in the last 30 s
# for the next cycle (the MIS may still be writing them), so age them as a real drop would be.
touch -d '-5 minutes' "$demo"/exports/*

build/iesync check-config --config "$config"
for day in 2026-11-23 2026-11-24 2026-11-25 2026-11-26 2026-11-27; do
  build/iesync sync --config "$config" --date "$day" || true
done
build/iesync plan --config "$config" --date 2026-11-23
build/iesync status --config "$config" || true
echo
echo "Sync log:          $demo/var/log/sync.log"
echo "Marks for the MIS: $demo/var/mis-imports/"
echo "Try: build/iesync plan --config $config --date 2026-11-25 --json"

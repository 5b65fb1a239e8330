#!/usr/bin/env bash
# Installs exactly the Debian 12 packages iesync builds, runs and tests with.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-all-dev libcurl4-openssl-dev libpugixml-dev libsqlitecpp-dev libsqlite3-dev
  libspdlog-dev libtomlplusplus-dev libssl-dev libsystemd-dev libgtest-dev libgmock-dev
  libbenchmark-dev libcli11-dev libxxhash-dev
  # for the tests: the store's CLI, a real CA bundle, systemd-analyze, and the browser/PDF checks
  sqlite3 ca-certificates systemd chromium poppler-utils fonts-dejavu-core
  # libFuzzer and its sanitizer runtime, for the fuzz label
  clang libclang-rt-14-dev
  # the format check (scripts/check-format.sh)
  clang-format
  # a real SMTP server for the mail tests (tests/fakes/smtp/), run by Debian's own python3
  python3-aiosmtpd openssl
  # Google's own Node client drives the Classroom fake (tests/conformance/)
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  # A Node.js package that bundles npm provides it (and conflicts with Debian's npm).
  [ "$p" = npm ] && command -v npm >/dev/null && continue
  missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
